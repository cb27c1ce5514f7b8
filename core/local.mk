# core/: the pure rules (no libuv, SQLite, sockets, clocks or logging),
# built into libpakt.a beside proto/ and keys/. Each module adds its line.
libpakt_a_SOURCES += %D%/peer.c %D%/peer.h
