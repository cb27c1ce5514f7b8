/* The node's own feeds. */
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>
#include <time.h>
#include "daemon/log.h"
#include "daemon/node.h"
#include "proto/body.h"
#include "proto/err.h"
#include "proto/id.h"
#include "proto/wire.h"

uint64_t node_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t node_now(const struct node *n)
{
	return n->sim_now_ms ? n->sim_now_ms : node_now_ms();
}

int node_listen(struct node *n, node_event_fn fn, void *arg)
{
	if (n->n_listeners == NODE_LISTENERS_MAX)
		return PAKT_ELIMIT;
	n->listeners[n->n_listeners++] = (struct node_listener){fn, arg};
	return 0;
}

int node_listen_first(struct node *n, node_event_fn fn, void *arg)
{
	if (n->n_listeners == NODE_LISTENERS_MAX)
		return PAKT_ELIMIT;
	memmove(&n->listeners[1], &n->listeners[0], n->n_listeners * sizeof n->listeners[0]);
	n->listeners[0] = (struct node_listener){fn, arg};
	n->n_listeners++;
	return 0;
}

void node_unlisten(struct node *n, node_event_fn fn, void *arg)
{
	for (size_t i = 0; i < n->n_listeners; i++) {
		if (n->listeners[i].fn == fn && n->listeners[i].arg == arg) {
			memmove(&n->listeners[i], &n->listeners[i + 1],
				(n->n_listeners - i - 1) * sizeof n->listeners[0]);
			n->n_listeners--;
			return;
		}
	}
}

void node_emit(struct node *n, const struct node_event *ev)
{
	for (size_t i = 0; i < n->n_listeners; i++)
		n->listeners[i].fn(n->listeners[i].arg, ev);
}

int node_pick_network(struct node *n, const uint8_t *explicit_net,
		      uint8_t out[32], char *why, size_t whylen)
{
	uint8_t nets[2][32];
	size_t count;
	int rc;

	if (explicit_net != NULL) {
		memcpy(out, explicit_net, 32);
		return 0;
	}
	if (n->cfg.network[0] != '\0')
		return id_decode(ID_NETWORK, n->cfg.network, out);
	rc = store_networks(n->store, nets, 2, &count);
	if (rc != 0)
		return rc;
	if (count == 0) {
		snprintf(why, whylen, "no initiative yet: create one with 'pakt initiative create NAME'");
		return PAKT_ENONET;
	}
	if (count > 1) {
		snprintf(why, whylen, "this node holds several initiatives: choose one with --network ID or set 'network' in the config");
		return PAKT_EINVAL;
	}
	memcpy(out, nets[0], 32);
	return 0;
}

int node_append(struct node *n, const uint8_t *network, const char *type,
		const uint8_t *body, size_t body_len, struct entry *out,
		char *why, size_t whylen)
{
	struct entry_header h = {.version = ENTRY_VERSION};
	const struct entry *batch[1] = {out};
	const uint8_t *sk;
	uint64_t head_seq = 0;
	int rc;

	if (strlen(type) > ENTRY_TYPE_MAX)
		return PAKT_EINVAL;
	if (unsynced_reason(&n->unsynced) != NULL) {
		snprintf(why, whylen, "%s", unsynced_reason(&n->unsynced));
		return PAKT_EUNSYNCED;
	}
	memcpy(h.author, n->id.pk, 32);
	snprintf(h.type, sizeof h.type, "%s", type);
	h.timestamp = node_now(n);
	if (network == NULL) {
		h.seq = 1;       /* a genesis entry starts a new feed */
	} else {
		h.has_network = true;
		memcpy(h.network, network, 32);
		uint64_t head_ts = 0;

		rc = store_head(n->store, network, n->id.pk, &head_seq, h.prev, &head_ts);
		if (rc != 0 && rc != PAKT_ENOTFOUND) {
			snprintf(why, whylen, "reading our feed head: %s", store_errmsg(n->store));
			return rc;
		}
		h.seq = head_seq + 1;
		h.has_prev = head_seq > 0;
		/* never before our previous entry, even if the clock stepped
		 * back: partners refuse such an entry (PAKT_ETIME) */
		if (h.timestamp < head_ts)
			h.timestamp = head_ts;
	}
	sk = keys_sk_open(&n->id);
	rc = entry_create(out, &h, body, body_len, sk);
	keys_sk_close(&n->id);
	if (rc != 0) {
		snprintf(why, whylen, "%s", pakt_strerror(rc));
		return rc;
	}
	/* Durable before anyone hears of it: the commit syncs the WAL. */
	rc = store_append(n->store, batch, 1, (int64_t)node_now(n), NULL);
	if (rc == PAKT_ENOSPC) {
		/* nothing was stored: the next append takes this seq again */
		snprintf(why, whylen, "disk full: the entry was not stored; free space on the disk holding %s and try again",
			 n->datadir);
		log_err("append %s seq %llu failed: %s (%s)", type, (unsigned long long)h.seq, why,
			store_errmsg(n->store));
		return rc;
	}
	if (rc != 0) {
		snprintf(why, whylen, "storing entry: %s", rc == PAKT_EDUP ? pakt_strerror(rc) : store_errmsg(n->store));
		log_err("append %s seq %llu failed: %s", type, (unsigned long long)h.seq, why);
		return rc;
	}
	node_emit(n, &(struct node_event){.kind = NODE_EV_APPENDED, .e = out});
	return 0;
}

int node_create_initiative(struct node *n, const char *name, const char *goal,
			   uint8_t out[32], char *why, size_t whylen)
{
	const uint8_t (*admins)[32] = (const uint8_t (*)[32])n->id.pk;
	struct mpx_out body;
	struct entry e;
	char text[ID_TEXT_MAX];
	int rc;

	mpx_init(&body);
	rc = body_genesis(&body, name, goal, admins, 1);
	if (rc != 0) {
		snprintf(why, whylen, "initiative: %s", pakt_strerror(rc));
		goto free_body;
	}
	rc = node_append(n, NULL, "genesis", (const uint8_t *)body.sb.data,
			 body.sb.size, &e, why, whylen);
	if (rc != 0)
		goto free_body;
	memcpy(out, e.hash, 32);
	/* name ourselves in the member list, as admins name those they admit */
	mpx_reset(&body);
	rc = body_member(&body, true, n->id.pk, n->cfg.name, true);
	if (rc == 0)
		rc = node_append(n, out, "member", (const uint8_t *)body.sb.data, body.sb.size,
				 &e, why, whylen);
	if (rc != 0)
		goto free_body;
	id_encode(ID_NETWORK, out, text);
	log_info("created initiative %s (%s)", text, name);
	if (n->cfg.network[0] == '\0') {
		char cwhy[256];

		if (config_set(n->config_path, "network", text, cwhy, sizeof cwhy) == 0)
			snprintf(n->cfg.network, sizeof n->cfg.network, "%s", text);
		else
			log_warn("could not record the default initiative: %s", cwhy);
	}
free_body:
	mpx_free(&body);
	return rc;
}

int node_reload_config(struct node *n)
{
	struct config c;
	char why[512];
	int rc = config_load(&c, n->config_path, why, sizeof why);

	if (rc != 0) {
		log_err("config not reloaded, keeping the old one: %s", why);
		return rc;
	}
	n->cfg = c;
	log_set_level((enum log_level)c.log_level);
	log_info("config reloaded from %s", n->config_path);
	return 0;
}

int node_mesh_init(struct node *n)
{
	n->scratch = calloc(WIRE_BATCH_MAX, sizeof *n->scratch);
	n->x_sk = sodium_malloc(32);
	if (n->scratch == NULL || n->x_sk == NULL)
		return PAKT_ENOMEM;
	if (keys_to_x25519(&n->id, n->x_pk, n->x_sk) != 0)
		return PAKT_EINVAL;
	/* readable only while a handshake or an unseal uses it */
	sodium_mprotect_noaccess(n->x_sk);
	return 0;
}

void node_mesh_free(struct node *n)
{
	free(n->scratch);
	n->scratch = NULL;
	if (n->x_sk)
		sodium_free(n->x_sk);
	n->x_sk = NULL;
}
