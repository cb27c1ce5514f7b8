# unit tests of keys/: identities, key files, passphrase sources.
check_PROGRAMS += tests/unit/test_keys
tests_unit_test_keys_SOURCES = tests/unit/test_keys.c
tests_unit_test_keys_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_keys_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_keys

# daemon/rotate: a key rotation is all or nothing across initiatives.
check_PROGRAMS += tests/unit/test_rotate
tests_unit_test_rotate_SOURCES = tests/unit/test_rotate.c tests/unit/testutil.h
tests_unit_test_rotate_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_rotate_LDADD = $(PAKTD_LIBS) $(CMOCKA_LIBS)
TESTS += tests/unit/test_rotate
