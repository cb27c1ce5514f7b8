# Unit tests of core/replica: batch planning against a fake feed state.
check_PROGRAMS += tests/unit/test_replica
tests_unit_test_replica_SOURCES = tests/unit/test_replica.c tests/unit/testutil.h
tests_unit_test_replica_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_replica_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_replica
