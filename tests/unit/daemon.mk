# Unit tests of daemon/: one cmocka program per module (libpaktd.a needs
# libuv and SQLite, hence PAKTD_LIBS).
check_PROGRAMS += tests/unit/test_store
tests_unit_test_store_SOURCES = tests/unit/test_store.c tests/unit/testutil.h
tests_unit_test_store_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_store_LDADD = $(PAKTD_LIBS) $(CMOCKA_LIBS)
TESTS += tests/unit/test_store
check_PROGRAMS += tests/unit/test_store_query
tests_unit_test_store_query_SOURCES = tests/unit/test_store_query.c tests/unit/testutil.h
tests_unit_test_store_query_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_store_query_LDADD = $(PAKTD_LIBS) $(CMOCKA_LIBS)
TESTS += tests/unit/test_store_query

check_PROGRAMS += tests/unit/test_verify
tests_unit_test_verify_SOURCES = tests/unit/test_verify.c tests/unit/testutil.h
tests_unit_test_verify_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_verify_LDADD = $(PAKTD_LIBS) $(CMOCKA_LIBS)
TESTS += tests/unit/test_verify

check_PROGRAMS += tests/unit/test_config
tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_config_LDADD = $(PAKTD_LIBS) $(CMOCKA_LIBS)
TESTS += tests/unit/test_config

check_PROGRAMS += tests/unit/test_net
tests_unit_test_net_SOURCES = tests/unit/test_net.c tests/unit/testutil.h
tests_unit_test_net_CFLAGS = $(PAKT_TEST_CFLAGS) $(UV_CFLAGS)
tests_unit_test_net_LDADD = $(PAKTD_LIBS) $(CMOCKA_LIBS)
TESTS += tests/unit/test_net
