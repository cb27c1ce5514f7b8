# Unit tests of core/replica: batch planning against a fake feed state.
check_PROGRAMS += tests/unit/test_replica
tests_unit_test_replica_SOURCES = tests/unit/test_replica.c tests/unit/testutil.h
tests_unit_test_replica_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_replica_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_replica

# Unit tests of daemon/repl_ingest: plans applied to a real store.
check_PROGRAMS += tests/unit/test_repl
tests_unit_test_repl_SOURCES = tests/unit/test_repl.c tests/unit/testutil.h
tests_unit_test_repl_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_repl_LDADD = $(PAKTD_LIBS) $(CMOCKA_LIBS)
TESTS += tests/unit/test_repl

# Unit tests of core/measure: values combined by indicator kind.
check_PROGRAMS += tests/unit/test_measure
tests_unit_test_measure_SOURCES = tests/unit/test_measure.c
tests_unit_test_measure_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_measure_LDADD = $(PAKT_TEST_LIBS) -lm
TESTS += tests/unit/test_measure
