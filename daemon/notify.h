/* Telling systemd how paktd is doing (Type=notify): ready once it listens,
 * reloading on SIGHUP, stopping on SIGTERM. Without libsystemd at build
 * time (or outside systemd) these do nothing. */
#ifndef PAKT_NOTIFY_H
#define PAKT_NOTIFY_H

void notify_ready(const char *status);
void notify_reloading(void);
void notify_stopping(void);

#endif
