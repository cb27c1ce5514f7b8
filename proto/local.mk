noinst_LIBRARIES += libpakt.a
libpakt_a_SOURCES = \
	%D%/err.c %D%/err.h \
	%D%/canon.c %D%/canon.h \
	%D%/mpx.c %D%/mpx.h \
	%D%/id.c %D%/id.h \
	%D%/entry.c %D%/entry.h \
	%D%/body.c %D%/body.h %D%/body_priv.h \
	%D%/body_read.c %D%/body_build.c %D%/body_measure.c \
	%D%/sealed.c %D%/sealed.h %D%/date.c %D%/date.h \
	%D%/ctlmsg.c %D%/ctlmsg.h \
	%D%/ctlop.h %D%/ctlop_req.c %D%/ctlop_reply.h %D%/ctlop_reply.c %D%/ctlop_json.c
libpakt_a_SOURCES += %D%/wire.c %D%/wire.h %D%/wire_run.c %D%/wire_run.h %D%/wire_have.c %D%/backup.c %D%/backup.h
libpakt_a_SOURCES += %D%/noise.c %D%/noise.h
libpakt_a_SOURCES += %D%/bundle.c %D%/bundle.h
libpakt_a_SOURCES += %D%/keyroll.c %D%/keyroll.h
