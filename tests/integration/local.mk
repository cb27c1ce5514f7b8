# integration tests
INTEGRATION_TESTS = \
	%D%/cli_basics.sh \
	%D%/feed_persist.sh \
	%D%/tail_follow.sh \
	%D%/crash.sh \
	%D%/tamper.sh \
	%D%/daemon_ops.sh
INTEGRATION_TESTS += %D%/limits.sh %D%/catchup_backlog.sh %D%/work_bundle.sh %D%/work_witness.sh %D%/work_record.sh %D%/hardening.sh
INTEGRATION_TESTS += %D%/mesh_join.sh
INTEGRATION_TESTS += %D%/measure.sh
INTEGRATION_TESTS += %D%/mesh_topologies.sh
INTEGRATION_TESTS += %D%/mesh_ebt.sh
INTEGRATION_TESTS += %D%/mesh_links.sh
INTEGRATION_TESTS += %D%/mesh_ebt_v1.sh
INTEGRATION_TESTS += %D%/mesh_partition.sh
INTEGRATION_TESTS += %D%/mesh_restart_catchup.sh %D%/mesh_catchup_order.sh
INTEGRATION_TESTS += %D%/mesh_membership.sh
INTEGRATION_TESTS += %D%/mesh_subscribe.sh
INTEGRATION_TESTS += %D%/repl_compat.sh
# crashes and power loss
INTEGRATION_TESTS += %D%/crash_catchup.sh
INTEGRATION_TESTS += %D%/disk_full.sh
INTEGRATION_TESTS += %D%/store_damaged.sh
TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += $(INTEGRATION_TESTS) tests/lib/harness.sh tests/lib/attack.sh tests/lib/ctlraw.py

# the adversarial peer and its test
INTEGRATION_TESTS += %D%/adversary.sh %D%/adversary_entries.sh %D%/adversary_load.sh %D%/ctl_socket.sh %D%/staff_access.sh %D%/dist_install.sh %D%/notify.sh %D%/listen_fail.sh %D%/doctor.sh %D%/upgrade.sh %D%/backup_restore.sh %D%/own_fork.sh
INTEGRATION_TESTS += %D%/badsig_proof.sh
INTEGRATION_TESTS += %D%/adversary_fork_half.sh
check_PROGRAMS += tests/lib/peer
tests_lib_peer_SOURCES = tests/lib/peer.c
tests_lib_peer_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_lib_peer_LDADD = $(PAKT_LIBS)

# broken networks: namespaces, a partition, and loss, delay, reordering
# through tests/lib/netemu (built only when libnetfilter_queue is found)
INTEGRATION_TESTS += %D%/netem.sh
EXTRA_DIST += tests/lib/netns.sh
if HAVE_NFQ
check_PROGRAMS += tests/lib/netemu
tests_lib_netemu_SOURCES = tests/lib/netemu.c
tests_lib_netemu_CFLAGS = $(AM_CFLAGS) $(NFQ_CFLAGS)
tests_lib_netemu_LDADD = $(NFQ_LIBS)
endif

# working together: commitments, metrics, private messages, redaction, profiles
INTEGRATION_TESTS += %D%/work_commitments.sh
INTEGRATION_TESTS += %D%/lifecycle.sh
INTEGRATION_TESTS += %D%/work_forgery.sh
INTEGRATION_TESTS += %D%/work_metrics.sh
INTEGRATION_TESTS += %D%/work_sealed.sh
INTEGRATION_TESTS += %D%/private_reply.sh
INTEGRATION_TESTS += %D%/removed_told.sh
INTEGRATION_TESTS += %D%/forgiving_input.sh
INTEGRATION_TESTS += %D%/work_redact.sh
INTEGRATION_TESTS += %D%/ledger_kept.sh
INTEGRATION_TESTS += %D%/audit_progress.sh
INTEGRATION_TESTS += %D%/work_profiles.sh
INTEGRATION_TESTS += %D%/keys_rotate.sh

# what a node accepts from a dishonest member (core/replica, rules 1-3)
INTEGRATION_TESTS += %D%/replica_bodies.sh %D%/replica_redact.sh %D%/replica_strangers.sh
INTEGRATION_TESTS += %D%/peer_rules.sh
# Rule 4: profile dialling through net_on_profile
INTEGRATION_TESTS += %D%/profile_dial.sh
# the partnership report, rendered in headless Chromium
INTEGRATION_TESTS += %D%/report.sh
INTEGRATION_TESTS += %D%/polish.sh %D%/polish_tr1.sh
INTEGRATION_TESTS += %D%/polish_tr2.sh
# the report in Polish (issue 12)
INTEGRATION_TESTS += %D%/polish_tr4.sh
# the collective-impact commands and the chart in Polish (issue 12)
INTEGRATION_TESTS += %D%/polish_tr3.sh %D%/polish_daemon.sh
# partner text on a terminal: escaping, display width (issue 12)
INTEGRATION_TESTS += %D%/text_safety.sh %D%/text_width.sh %D%/demo_output.sh
