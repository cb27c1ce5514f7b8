# Unit tests of core/sigproof: deferred signature checks and proofs.
check_PROGRAMS += tests/unit/test_sigproof
tests_unit_test_sigproof_SOURCES = tests/unit/test_sigproof.c tests/unit/testutil.h
tests_unit_test_sigproof_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_sigproof_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_sigproof
