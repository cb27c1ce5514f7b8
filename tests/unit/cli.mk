# Unit tests of the CLI's pure parts: metrics aggregation and rendering,
# indicator/value argument parsing (cli/metrics.c).
# The CLI's rendering modules, linked by the tests below.
CLI_RENDER_SOURCES = cli/metrics.c cli/metrics_out.c cli/metrics_svg.c cli/metrics.h \
	cli/output.c cli/output.h cli/text.c cli/text.h
check_PROGRAMS += tests/unit/test_metrics
tests_unit_test_metrics_SOURCES = tests/unit/test_metrics.c $(CLI_RENDER_SOURCES)
tests_unit_test_metrics_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_metrics_LDADD = $(PAKT_TEST_LIBS) -lm
TESTS += tests/unit/test_metrics

# The control protocol's codec (proto/ctlop), shared by pakt and paktd.
check_PROGRAMS += tests/unit/test_ctlop
tests_unit_test_ctlop_SOURCES = tests/unit/test_ctlop.c
tests_unit_test_ctlop_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_ctlop_LDADD = $(PAKT_TEST_LIBS)
TESTS += tests/unit/test_ctlop

# The partnership report's HTML: escaping hostile partner text, whole pages
# (internal, public, one period) from a made-up record (cli/report*.c).
check_PROGRAMS += tests/unit/test_report
tests_unit_test_report_SOURCES = tests/unit/test_report.c cli/report_html.c cli/report_sections.c \
	cli/report_ind.c cli/report.h cli/metrics.c cli/metrics_svg.c cli/metrics.h cli/output.c cli/output.h \
	cli/text.c cli/text.h
tests_unit_test_report_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_report_LDADD = $(PAKT_TEST_LIBS) -lm
TESTS += tests/unit/test_report

# Partner text for a terminal: escaping, display width, relative times
# (cli/text.c, output_ago).
TESTS += tests/unit/test_text
check_PROGRAMS += tests/unit/test_text
tests_unit_test_text_LDADD = $(PAKT_TEST_LIBS) -lm
tests_unit_test_text_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_unit_test_text_SOURCES = tests/unit/test_text.c $(CLI_RENDER_SOURCES)
