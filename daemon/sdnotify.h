/* Telling systemd how paktd is doing (Type=notify): ready once it listens,
 * reloading on SIGHUP, stopping on SIGTERM. Without libsystemd at build
 * time (or outside systemd) these do nothing. */
#ifndef PAKT_SDNOTIFY_H
#define PAKT_SDNOTIFY_H

void sdnotify_ready(const char *status);
void sdnotify_reloading(void);
void sdnotify_stopping(void);

#endif
