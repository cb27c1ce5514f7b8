/* Inside the adapter (sim_node.c, sim_audit.c): a simulated node is a
 * daemon node with no loop, network or control socket. */
#ifndef PAKT_SIM_NODE_PRIV_H
#define PAKT_SIM_NODE_PRIV_H

#include "daemon/node.h"

/* Branch 'ledger' (core/ledger, core/roster, core/audit) merged: its API
 * is used. Delete the other side of each SIM_CORE_LEDGER test after the
 * merge. */
#if defined(__has_include)
#if __has_include("core/audit.h")
#define SIM_CORE_LEDGER 1
#endif
#endif

#ifdef SIM_CORE_LEDGER
#include "core/audit.h"
#include "daemon/ledger_load.h"
#define sim_report audit_report
#define sim_report_check audit_bundle
#define sim_report_free audit_report_free
#else
#include "daemon/ledger.h"
#define sim_report bundle_report
#define sim_report_check bundle_verify
#define sim_report_free bundle_report_free
#endif

struct sim_node {
	struct node n;
};

#endif
