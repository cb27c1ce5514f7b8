check_PROGRAMS += tests/unit/test_wire
tests_unit_test_wire_SOURCES = tests/unit/test_wire.c
tests_unit_test_wire_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_wire_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_wire
check_PROGRAMS += tests/unit/test_members
tests_unit_test_members_SOURCES = tests/unit/test_members.c
tests_unit_test_members_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_members_LDADD = $(PAKTD_LIBS) $(CMOCKA_LIBS)
TESTS += tests/unit/test_members

check_PROGRAMS += tests/unit/test_peer
tests_unit_test_peer_SOURCES = tests/unit/test_peer.c
tests_unit_test_peer_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_peer_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_peer

check_PROGRAMS += tests/unit/test_wire_run
tests_unit_test_wire_run_SOURCES = tests/unit/test_wire_run.c tests/unit/testutil.h
tests_unit_test_wire_run_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_wire_run_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_wire_run

check_PROGRAMS += tests/unit/test_ebt
tests_unit_test_ebt_SOURCES = tests/unit/test_ebt.c
tests_unit_test_ebt_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_ebt_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_ebt
