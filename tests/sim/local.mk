# Deterministic simulation (tests/sim): the simulator program, its run in
# `make check` (run.sh: 200 seeds and the self-check) and `make sim`.
check_PROGRAMS += tests/sim/sim
tests_sim_sim_SOURCES = %D%/sim.c %D%/sim.h %D%/sim_act.c %D%/sim_check.c \
	%D%/sim_clock.c %D%/sim_clock.h \
	%D%/sim_node.c %D%/sim_audit.c %D%/sim_ebt.c %D%/sim_node.h %D%/sim_node_priv.h %D%/sim_badsig.c
tests_sim_sim_CFLAGS = $(PAKT_TEST_CFLAGS)
tests_sim_sim_LDADD = $(PAKTD_LIBS)
TESTS += %D%/run.sh
EXTRA_DIST += %D%/run.sh %D%/README.md

# make sim SEEDS=N [ATTACKS=default|all|LIST]: more seeds than make check.
SEEDS ?= 2000
ATTACKS ?= default
.PHONY: sim
sim: tests/sim/sim$(EXEEXT)
	./tests/sim/sim --seeds 1-$(SEEDS) --attacks=$(ATTACKS)
