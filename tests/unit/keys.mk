# unit tests of keys/: identities, key files, passphrase sources.
check_PROGRAMS += tests/unit/test_keys
tests_unit_test_keys_SOURCES = tests/unit/test_keys.c
tests_unit_test_keys_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_keys_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_keys
