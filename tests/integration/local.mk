# integration tests
INTEGRATION_TESTS = \
	%D%/cli_basics.sh \
	%D%/feed_persist.sh \
	%D%/tail_follow.sh \
	%D%/crash.sh \
	%D%/tamper.sh \
	%D%/daemon_ops.sh
INTEGRATION_TESTS += %D%/limits.sh
TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += $(INTEGRATION_TESTS) tests/lib/harness.sh
