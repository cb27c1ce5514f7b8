# paktd, and its modules as a library so that tests link them without main.
noinst_LIBRARIES += libpaktd.a
libpaktd_a_CFLAGS = $(AM_CFLAGS) $(UV_CFLAGS) $(SQLITE_CFLAGS)
libpaktd_a_SOURCES = \
	%D%/log.c %D%/log.h \
	%D%/store.c %D%/store.h %D%/store_priv.h %D%/store_mesh.c %D%/store_query.c \
	%D%/store_sig.c %D%/store_wal.c %D%/ledger_keep.c %D%/ledger_keep.h \
	%D%/verify.c %D%/verify.h \
	%D%/members.c %D%/members.h %D%/events.h \
	%D%/ledger_load.c %D%/ledger_load.h \
	%D%/node.c %D%/node.h %D%/unsynced.c %D%/unsynced.h %D%/tr.h \
	%D%/export.c %D%/export.h %D%/ctl.c %D%/ctl.h %D%/ctl_priv.h %D%/ctl_mesh.c %D%/ctl_work.c %D%/ctl_keys.c \
	%D%/ctl_feed.c %D%/ctl_node.c %D%/ctl_audit.c %D%/ctl_export.c
PAKTD_LIBS = libpaktd.a $(PAKT_LIBS) $(UV_LIBS) $(SQLITE_LIBS)

bin_PROGRAMS += paktd
paktd_SOURCES = %D%/main.c %D%/sdnotify.c %D%/sdnotify.h %D%/notify.c %D%/notify.h
paktd_CFLAGS = $(AM_CFLAGS) $(UV_CFLAGS) $(SQLITE_CFLAGS) $(SYSTEMD_CFLAGS)
paktd_LDADD = $(PAKTD_LIBS) $(SYSTEMD_LIBS)
libpaktd_a_SOURCES += %D%/rotate.c %D%/rotate.h
libpaktd_a_SOURCES += %D%/repl.c %D%/repl.h %D%/repl_ingest.c %D%/sigcheck.c %D%/sigcheck.h %D%/sigdefer.c %D%/sigdefer.h %D%/walckpt.c %D%/walckpt.h %D%/net.c %D%/net.h %D%/session.c \
	%D%/session_priv.h %D%/session_hs.c %D%/session_repl.c %D%/session_ebt.c
