# core/: the pure rules (no libuv, SQLite, sockets, clocks or logging),
# built into libpakt.a beside proto/ and keys/. Each module adds its line.
libpakt_a_SOURCES += %D%/roster.c %D%/roster.h
libpakt_a_SOURCES += %D%/ledger.c %D%/ledger.h %D%/ledger_life.c %D%/ledger_priv.h
libpakt_a_SOURCES += %D%/audit.c %D%/audit.h
libpakt_a_SOURCES += %D%/replica.c %D%/replica.h
libpakt_a_SOURCES += %D%/sigproof.c %D%/sigproof.h
libpakt_a_SOURCES += %D%/peer.c %D%/peer.h
libpakt_a_SOURCES += %D%/measure.c %D%/measure.h
libpakt_a_SOURCES += %D%/ebt.c %D%/ebt.h
