# Benchmarks: `make bench` builds them and runs them against the built paktd
# and pakt. Not part of `make all` or `make check`.
EXTRA_PROGRAMS += bench_append
bench_append_SOURCES = %D%/bench_append.c %D%/bench_util.c %D%/bench_util.h \
	cli/client.c cli/client.h
bench_append_CFLAGS = $(AM_CFLAGS) $(UV_CFLAGS) $(SQLITE_CFLAGS)
bench_append_LDADD = $(PAKTD_LIBS)

# Mesh: catch-up, live latency along a chain, handshakes (real daemons on
# 127.0.0.1).
EXTRA_PROGRAMS += bench_mesh
bench_mesh_SOURCES = %D%/bench_mesh.c %D%/bench_util.c %D%/bench_util.h \
	cli/client.c cli/client.h
bench_mesh_CFLAGS = $(AM_CFLAGS) $(UV_CFLAGS) $(SQLITE_CFLAGS)
bench_mesh_LDADD = $(PAKTD_LIBS)
# 30 daemons, each dialling 4 random members: a post's time to reach all,
# bytes moved per post (epidemic broadcast trees).
EXTRA_PROGRAMS += bench_mesh30
bench_mesh30_SOURCES = %D%/bench_mesh30.c %D%/bench_util.c %D%/bench_util.h \
	cli/client.c cli/client.h
bench_mesh30_CFLAGS = $(AM_CFLAGS) $(UV_CFLAGS) $(SQLITE_CFLAGS)
bench_mesh30_LDADD = $(PAKTD_LIBS)
CLEANFILES += $(EXTRA_PROGRAMS) bench-results.json

# Every benchmark runs even if an earlier one fails; the target fails if any did.
bench: bench_append$(EXEEXT) bench_mesh$(EXEEXT) bench_mesh30$(EXEEXT) paktd$(EXEEXT) pakt$(EXEEXT)
	@rc=0; rm -f bench-results.json; \
	./bench_append$(EXEEXT) ./paktd$(EXEEXT) ./pakt$(EXEEXT) || rc=1; \
	./bench_mesh$(EXEEXT) ./paktd$(EXEEXT) ./pakt$(EXEEXT) || rc=1; \
	./bench_mesh30$(EXEEXT) ./paktd$(EXEEXT) ./pakt$(EXEEXT) || rc=1; \
	echo "figures as JSON: bench-results.json"; \
	exit $$rc
.PHONY: bench
