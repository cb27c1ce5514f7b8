# integration tests
INTEGRATION_TESTS = \
	%D%/cli_basics.sh
TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += $(INTEGRATION_TESTS) tests/lib/harness.sh
