check_PROGRAMS += tests/unit/test_bundle
tests_unit_test_bundle_SOURCES = tests/unit/test_bundle.c
tests_unit_test_bundle_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_bundle_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_bundle
