# Unit tests of proto/: one cmocka program per module.
check_PROGRAMS += tests/unit/test_canon
tests_unit_test_canon_SOURCES = tests/unit/test_canon.c
tests_unit_test_canon_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_canon_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_canon

check_PROGRAMS += tests/unit/test_mpx
tests_unit_test_mpx_SOURCES = tests/unit/test_mpx.c
tests_unit_test_mpx_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_mpx_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_mpx

check_PROGRAMS += tests/unit/test_id
tests_unit_test_id_SOURCES = tests/unit/test_id.c
tests_unit_test_id_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_id_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_id

check_PROGRAMS += tests/unit/test_entry
tests_unit_test_entry_SOURCES = tests/unit/test_entry.c
tests_unit_test_entry_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_entry_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_entry

check_PROGRAMS += tests/unit/test_body
tests_unit_test_body_SOURCES = tests/unit/test_body.c
tests_unit_test_body_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_body_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_body
