# Tests: cmocka unit tests and sh integration tests both speak TAP, so that
# every test case is counted by automake's TAP driver.
PAKT_TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(UV_CFLAGS) $(SQLITE_CFLAGS)
PAKT_TEST_LIBS = $(PAKT_LIBS) $(CMOCKA_LIBS)

TEST_EXTENSIONS = .sh
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
SH_LOG_DRIVER = $(LOG_DRIVER)
AM_TESTS_ENVIRONMENT = \
	CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT; \
	PAKT_BUILDDIR='$(abs_top_builddir)'; export PAKT_BUILDDIR; \
	PAKT_SRCDIR='$(abs_top_srcdir)'; export PAKT_SRCDIR;

# The layering rules of issue 9 over the sources; tests/layering.allow lists
# the known violations still pending (printed as TODO).
TESTS += %D%/layering.sh
EXTRA_DIST += %D%/layering.sh %D%/layering.allow

include %D%/unit/local.mk
include %D%/integration/local.mk
include %D%/bench/local.mk
include %D%/fuzz/local.mk
include %D%/sim/local.mk

# make demo: build, then show one node end to end (stops by itself).
EXTRA_DIST += %D%/demo.sh %D%/vectors %D%/pkg/deb.sh
.PHONY: demo
demo: paktd$(EXEEXT) pakt$(EXEEXT)
	PAKT_BUILDDIR='$(abs_top_builddir)' $(SHELL) $(top_srcdir)/%D%/demo.sh
