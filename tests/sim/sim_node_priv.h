/* Inside the adapter (sim_node.c, sim_audit.c): a simulated node is a
 * daemon node with no loop, network or control socket. */
#ifndef PAKT_SIM_NODE_PRIV_H
#define PAKT_SIM_NODE_PRIV_H

#include "core/audit.h"
#include "daemon/ledger_load.h"
#include "daemon/node.h"

struct sim_node {
	struct node n;
};

#endif
