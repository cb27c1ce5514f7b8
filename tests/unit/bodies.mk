# Unit tests of the collective-impact entry bodies (proto/body.c).
check_PROGRAMS += tests/unit/test_bodies
tests_unit_test_bodies_SOURCES = tests/unit/test_bodies.c
tests_unit_test_bodies_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_bodies_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_bodies

# The shared-measurement keys of the agenda and update bodies.
check_PROGRAMS += tests/unit/test_indicators
tests_unit_test_indicators_SOURCES = tests/unit/test_indicators.c
tests_unit_test_indicators_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_indicators_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_indicators
