check_PROGRAMS += tests/unit/test_bundle
tests_unit_test_bundle_SOURCES = tests/unit/test_bundle.c
tests_unit_test_bundle_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_bundle_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_bundle

# core/roster, core/ledger and core/audit: the record rules.
check_PROGRAMS += tests/unit/test_ledger
tests_unit_test_ledger_SOURCES = tests/unit/test_ledger.c tests/unit/ledger_fx.h
tests_unit_test_ledger_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_ledger_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_ledger

# core/ledger_life: the commitment lifecycle, and the offline checker's agreement.
check_PROGRAMS += tests/unit/test_lifecycle
tests_unit_test_lifecycle_SOURCES = tests/unit/test_lifecycle.c tests/unit/ledger_fx.h
tests_unit_test_lifecycle_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_lifecycle_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_lifecycle
