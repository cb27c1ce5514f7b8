/* WAL checkpoints on a helper thread, off the event loop: the store's
 * commits only wake it (store_wal_offload); it runs passive checkpoints
 * on its own connection. Without it (not started, or it failed), SQLite
 * checkpoints inside the commits as before. */
#ifndef PAKT_WALCKPT_H
#define PAKT_WALCKPT_H

struct node;

/* 0, or PAKT_EIO/PAKT_ENOMEM (then nothing changed). */
int walckpt_start(struct node *n);
/* Stop the thread and give checkpoints back to the commits. */
void walckpt_stop(void);

#endif
