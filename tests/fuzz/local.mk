# Fuzzing (tests/fuzz): one libFuzzer target per untrusted decoder, each
# LLVMFuzzerTestOneInput in tests/fuzz/fuzz_<target>.c, seeds in
# tests/fuzz/corpus/<target>/ (written by tests/fuzz/gen_corpus: `make
# fuzz-seeds`), dictionaries in tests/fuzz/<target>.dict.
#
# Every build: `make check` runs tests/fuzz/replay_<target>, the target
# linked with tests/fuzz/replay.c, over its corpus (TAP, one test per
# input). With --enable-fuzzing (CC=clang): tests/fuzz/fuzz_<target>, the
# target and the library sources compiled with $(FUZZ_CFLAGS), and
# `make fuzz [FUZZ_SECONDS=N]` runs each for N seconds.
FUZZ_TARGETS = entry body wire handshake ctl keyfile config invite bundle replica run
FUZZ_SECONDS = 30
FUZZ_DICTS = %D%/body.dict %D%/bundle.dict %D%/config.dict %D%/ctl.dict %D%/entry.dict \
	%D%/invite.dict %D%/keyfile.dict %D%/wire.dict
EXTRA_DIST += %D%/corpus $(FUZZ_DICTS)
FUZZ_REPLAY_CFLAGS = $(AM_CFLAGS)

check_PROGRAMS += %D%/replay_entry
%C%_replay_entry_SOURCES = %D%/fuzz_entry.c %D%/replay.c %D%/fuzz.h
%C%_replay_entry_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"entry"'
%C%_replay_entry_LDADD = $(PAKT_LIBS)
TESTS += %D%/replay_entry

check_PROGRAMS += %D%/replay_body
%C%_replay_body_SOURCES = %D%/fuzz_body.c %D%/replay.c %D%/fuzz.h
%C%_replay_body_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"body"'
%C%_replay_body_LDADD = $(PAKT_LIBS)
TESTS += %D%/replay_body

check_PROGRAMS += %D%/replay_wire
%C%_replay_wire_SOURCES = %D%/fuzz_wire.c %D%/replay.c %D%/fuzz.h
%C%_replay_wire_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"wire"'
%C%_replay_wire_LDADD = $(PAKT_LIBS)
TESTS += %D%/replay_wire

check_PROGRAMS += %D%/replay_handshake
%C%_replay_handshake_SOURCES = %D%/fuzz_handshake.c %D%/replay.c %D%/fuzz.h
%C%_replay_handshake_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"handshake"'
%C%_replay_handshake_LDADD = $(PAKT_LIBS)
TESTS += %D%/replay_handshake

check_PROGRAMS += %D%/replay_ctl
%C%_replay_ctl_SOURCES = %D%/fuzz_ctl.c %D%/replay.c %D%/fuzz.h
%C%_replay_ctl_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"ctl"'
%C%_replay_ctl_LDADD = $(PAKT_LIBS)
TESTS += %D%/replay_ctl

check_PROGRAMS += %D%/replay_keyfile
%C%_replay_keyfile_SOURCES = %D%/fuzz_keyfile.c %D%/replay.c %D%/fuzz.h
%C%_replay_keyfile_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"keyfile"'
%C%_replay_keyfile_LDADD = $(PAKT_LIBS)
TESTS += %D%/replay_keyfile

check_PROGRAMS += %D%/replay_config
%C%_replay_config_SOURCES = %D%/fuzz_config.c %D%/replay.c %D%/fuzz.h
%C%_replay_config_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"config"'
%C%_replay_config_LDADD = $(PAKTD_LIBS)
TESTS += %D%/replay_config

check_PROGRAMS += %D%/replay_invite
%C%_replay_invite_SOURCES = %D%/fuzz_invite.c %D%/replay.c %D%/fuzz.h
%C%_replay_invite_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"invite"'
%C%_replay_invite_LDADD = $(PAKT_LIBS)
TESTS += %D%/replay_invite

check_PROGRAMS += %D%/replay_bundle
%C%_replay_bundle_SOURCES = %D%/fuzz_bundle.c %D%/replay.c %D%/fuzz.h
%C%_replay_bundle_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"bundle"'
%C%_replay_bundle_LDADD = $(PAKT_LIBS)
TESTS += %D%/replay_bundle

check_PROGRAMS += %D%/replay_replica
%C%_replay_replica_SOURCES = %D%/fuzz_replica.c %D%/replay.c %D%/fuzz.h
%C%_replay_replica_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"replica"'
%C%_replay_replica_LDADD = $(PAKT_LIBS)
TESTS += %D%/replay_replica

check_PROGRAMS += %D%/replay_run
%C%_replay_run_SOURCES = %D%/fuzz_run.c %D%/replay.c %D%/fuzz.h
%C%_replay_run_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"run"'
%C%_replay_run_LDADD = $(PAKT_LIBS)
TESTS += %D%/replay_run

# The seed generator (not built by default): `make fuzz-seeds` rewrites
# the seeds in the source tree; commit the result.
EXTRA_PROGRAMS += %D%/gen_corpus
%C%_gen_corpus_SOURCES = %D%/gen_corpus.c %D%/fuzz.h %D%/gen_run.c %D%/gen_run.h
%C%_gen_corpus_CFLAGS = $(AM_CFLAGS)
%C%_gen_corpus_LDADD = $(PAKTD_LIBS)
CLEANFILES += %D%/gen_corpus$(EXEEXT)
.PHONY: fuzz fuzz-seeds
fuzz-seeds: %D%/gen_corpus$(EXEEXT)
	./%D%/gen_corpus$(EXEEXT) $(srcdir)/%D%/corpus

if FUZZING
# The library code is compiled again with the fuzzer's instrumentation
# (coverage, ASan, UBSan), into one archive that every target links.
noinst_LIBRARIES += %D%/libpaktfuzz.a
%C%_libpaktfuzz_a_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
%C%_libpaktfuzz_a_SOURCES = $(libpakt_a_SOURCES) daemon/log.c daemon/log.h
FUZZ_LIBS = %D%/libpaktfuzz.a $(SODIUM_LIBS) $(MSGPACK_LIBS)

noinst_PROGRAMS += %D%/fuzz_entry
%C%_fuzz_entry_SOURCES = %D%/fuzz_entry.c %D%/fuzz.h
%C%_fuzz_entry_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
%C%_fuzz_entry_LDADD = $(FUZZ_LIBS)

noinst_PROGRAMS += %D%/fuzz_body
%C%_fuzz_body_SOURCES = %D%/fuzz_body.c %D%/fuzz.h
%C%_fuzz_body_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
%C%_fuzz_body_LDADD = $(FUZZ_LIBS)

noinst_PROGRAMS += %D%/fuzz_wire
%C%_fuzz_wire_SOURCES = %D%/fuzz_wire.c %D%/fuzz.h
%C%_fuzz_wire_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
%C%_fuzz_wire_LDADD = $(FUZZ_LIBS)

noinst_PROGRAMS += %D%/fuzz_handshake
%C%_fuzz_handshake_SOURCES = %D%/fuzz_handshake.c %D%/fuzz.h
%C%_fuzz_handshake_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
%C%_fuzz_handshake_LDADD = $(FUZZ_LIBS)

noinst_PROGRAMS += %D%/fuzz_ctl
%C%_fuzz_ctl_SOURCES = %D%/fuzz_ctl.c %D%/fuzz.h
%C%_fuzz_ctl_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
%C%_fuzz_ctl_LDADD = $(FUZZ_LIBS)

noinst_PROGRAMS += %D%/fuzz_keyfile
%C%_fuzz_keyfile_SOURCES = %D%/fuzz_keyfile.c %D%/fuzz.h
%C%_fuzz_keyfile_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
%C%_fuzz_keyfile_LDADD = $(FUZZ_LIBS)

noinst_PROGRAMS += %D%/fuzz_config
%C%_fuzz_config_SOURCES = %D%/fuzz_config.c %D%/fuzz.h
%C%_fuzz_config_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
%C%_fuzz_config_LDADD = $(FUZZ_LIBS)

noinst_PROGRAMS += %D%/fuzz_invite
%C%_fuzz_invite_SOURCES = %D%/fuzz_invite.c %D%/fuzz.h
%C%_fuzz_invite_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
%C%_fuzz_invite_LDADD = $(FUZZ_LIBS)

noinst_PROGRAMS += %D%/fuzz_bundle
%C%_fuzz_bundle_SOURCES = %D%/fuzz_bundle.c %D%/fuzz.h
%C%_fuzz_bundle_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
%C%_fuzz_bundle_LDADD = $(FUZZ_LIBS)

noinst_PROGRAMS += %D%/fuzz_replica
%C%_fuzz_replica_SOURCES = %D%/fuzz_replica.c %D%/fuzz.h
%C%_fuzz_replica_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
%C%_fuzz_replica_LDADD = $(FUZZ_LIBS)

noinst_PROGRAMS += %D%/fuzz_run
%C%_fuzz_run_SOURCES = %D%/fuzz_run.c %D%/fuzz.h
%C%_fuzz_run_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
%C%_fuzz_run_LDADD = $(FUZZ_LIBS)

FUZZ_BINS = $(FUZZ_TARGETS:%=%D%/fuzz_%$(EXEEXT))
CLEANFILES += $(FUZZ_TARGETS:%=%D%/fuzz_%.log)

# Each target runs on a copy of its seeds (new inputs go there, not into
# the source tree; FUZZ_OUT=DIR keeps them in DIR/<target>), with its
# dictionary; a crash leaves %D%/crash-<target>-<sha1> and fails the run
# after the other targets had their turn. Per target: libFuzzer's
# "Done N runs in S second(s)" and its last status line (cov, ft, corp).
fuzz: $(FUZZ_BINS)
	@fail=0; tmp=$$(mktemp -d) || exit 1; \
	for t in $(FUZZ_TARGETS); do \
	  work=$$tmp/$$t; mkdir -p $$work; \
	  cp $(srcdir)/%D%/corpus/$$t/* $$work/ 2>/dev/null; \
	  dict=; test -f $(srcdir)/%D%/$$t.dict && dict=-dict=$(srcdir)/%D%/$$t.dict; \
	  log=%D%/fuzz_$$t.log; \
	  ./%D%/fuzz_$$t$(EXEEXT) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
	    -artifact_prefix=%D%/crash-$$t- $$dict $$work >$$log 2>&1; rc=$$?; \
	  runs=$$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' $$log | tail -n 1); \
	  cov=$$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*/[0-9]*[a-zA-Z]*' $$log | tail -n 1); \
	  if test $$rc -eq 0; then \
	    echo "fuzz_$$t: $${runs:-no runs}; $${cov:-no coverage line}; corpus $$(ls $$work | wc -l) inputs"; \
	  else \
	    fail=1; echo "fuzz_$$t: FAILED (exit $$rc): see $$log"; \
	    ls %D%/crash-$$t-* 2>/dev/null | sed 's/^/  crash input: /'; \
	    grep -m 1 -A 12 'ERROR: \|runtime error\|deadly signal' $$log | sed 's/^/  /'; \
	  fi; \
	  if test -n "$(FUZZ_OUT)"; then mkdir -p $(FUZZ_OUT)/$$t && cp $$work/* $(FUZZ_OUT)/$$t/; fi; \
	done; rm -rf $$tmp; \
	if test $$fail -ne 0; then \
	  echo "make fuzz: crashes found. Copy each crash input into $(srcdir)/%D%/corpus/<target>/ as a regression (make check replays it) and add a unit test for the fix."; \
	fi; exit $$fail
else
fuzz:
	@echo "make fuzz: this build has no fuzz targets. Configure a separate build directory with clang:"; \
	echo "  mkdir build-fuzz && cd build-fuzz && $(abs_top_srcdir)/configure --enable-fuzzing CC=clang && make && make fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)"; \
	echo "(needs clang's sanitizer and libFuzzer runtime: apt-get install clang libclang-rt-14-dev)"; \
	exit 1
endif
