check_PROGRAMS += tests/unit/test_noise
tests_unit_test_noise_SOURCES = tests/unit/test_noise.c
tests_unit_test_noise_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_noise_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_noise
