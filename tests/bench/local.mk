# Benchmarks: `make bench` builds them and runs them against the built paktd
# and pakt. Not part of `make all` or `make check`.
EXTRA_PROGRAMS += bench_append
bench_append_SOURCES = %D%/bench_append.c cli/client.c cli/client.h
bench_append_CFLAGS = $(AM_CFLAGS) $(UV_CFLAGS) $(SQLITE_CFLAGS)
bench_append_LDADD = $(PAKTD_LIBS)
CLEANFILES += $(EXTRA_PROGRAMS)

bench: bench_append$(EXEEXT) paktd$(EXEEXT) pakt$(EXEEXT)
	./bench_append$(EXEEXT) ./paktd$(EXEEXT) ./pakt$(EXEEXT)
.PHONY: bench
