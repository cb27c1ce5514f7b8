# Unit tests of the collective-impact entry bodies (proto/body.c).
check_PROGRAMS += tests/unit/test_bodies
tests_unit_test_bodies_SOURCES = tests/unit/test_bodies.c
tests_unit_test_bodies_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_bodies_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_bodies
