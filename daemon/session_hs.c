/* A session's handshake: the preamble, Noise XX, who the other side is,
 * and whether it is admitted (core/peer decides), then invites.
 *
 * Happy path: the initiator writes msg0; the responder answers msg1 with
 * its hello; the initiator checks the responder's key (pin, membership)
 * before it writes msg2, which carries its own identity; the responder
 * admits it after reading msg2.
 * Failure modes: a bad preamble, an initiative we do not hold, a Noise
 * error, a hello whose Ed25519 key is not the Noise static key, our own
 * key, a pinned link answered by another key, a non-member, a second
 * session of one key: each closes the session with its reason. */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "daemon/log.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/session_priv.h"
#include "daemon/store.h"
#include "keys/keys.h"
#include "proto/err.h"
#include "proto/id.h"

struct find_succ {
	const uint8_t *new_key;
	uint8_t *out;
	size_t cap, len;
};

static int on_own_succession(void *arg, const struct store_row *row)
{
	struct find_succ *f = arg;
	struct body_succession sc;
	struct entry e;

	if (row->body == NULL || body_succession_parse(row->body, row->body_len, &sc) != 0 ||
	    memcmp(sc.new_key, f->new_key, 32) != 0 ||
	    entry_from_parts(&e, row->header, row->header_len, row->sig, row->body, row->body_len) != 0)
		return 0;
	return entry_encode(&e, true, f->out, f->cap, &f->len) == 0;
}

/* The succession that made our key a member of s's initiative (wire form
 * into out), so that a partner which has not replicated it yet admits us:
 * 0 bytes when our key is not a successor there. */
static size_t own_succession(struct session *s, uint8_t *out, size_t cap)
{
	struct node *n = session_node(s);
	const struct roster_member *me = s->rn ? roster_lookup(&s->rn->members, n->id.pk) : NULL;
	struct find_succ f = {.new_key = n->id.pk, .out = out, .cap = cap};
	struct store_query q = {.type = "succession", .unchecked = true};

	if (me == NULL || memcmp(me->root, me->key, 32) == 0)
		return 0;
	q.network = s->rn->id;
	q.author = me->added_by;
	return store_scan(n->store, &q, on_own_succession, &f) == 1 ? f.len : 0;
}

void session_hs_write(struct session *s)
{
	uint8_t msg[1024], succ[640];
	size_t len, succ_len;
	struct mpx_out hello;
	int rc;

	mpx_init(&hello);
	/* msg0 carries no payload (it would travel in clear) */
	if (s->initiator && s->sec->hs.step == NOISE_STEP_MSG0) {
		rc = noise_hs_write(&s->sec->hs, NULL, 0, msg, sizeof msg, &len);
	} else {
		succ_len = own_succession(s, succ, sizeof succ);
		wire_hello_succ(&hello, session_node(s)->id.pk, succ_len ? succ : NULL, succ_len,
				session_node(s)->cfg.repl_version);
		rc = noise_hs_write(&s->sec->hs, (const uint8_t *)hello.sb.data, hello.sb.size,
				    msg, sizeof msg, &len);
	}
	mpx_free(&hello);
	if (rc != 0) {
		session_close(s, "handshake: %s", pakt_strerror(rc));
		return;
	}
	session_send_frame(s, msg, len, false);
}

int session_hs_start(struct session *s)
{
	uint8_t prologue[38];
	size_t plen = wire_prologue(s->rn->id, prologue);
	struct node *n = session_node(s);
	int rc;

	if (session_set_state(s, PEER_HANDSHAKE) != 0)
		return PAKT_EPROTO;
	/* the X25519 secret is readable only while the handshake copies it */
	sodium_mprotect_readonly(n->x_sk);
	rc = noise_hs_init(&s->sec->hs, s->initiator, prologue, plen, n->x_sk, NULL, NULL);
	sodium_mprotect_noaccess(n->x_sk);
	return rc;
}

static bool same_member(void *arg, const uint8_t a[32], const uint8_t b[32])
{
	return roster_same(arg, a, b);
}

/* Another session of this key replicates in this initiative. */
static bool key_live(const struct session *s)
{
	for (const struct session *o = s->net->sessions; o; o = o->next)
		if (o != s && !o->closing && o->rn == s->rn && o->peer.state == PEER_REPL &&
		    o->has_peer_key && memcmp(o->peer_key, s->peer_key, 32) == 0)
			return true;
	return false;
}

/* The other side's hello, once the handshake authenticated its static key:
 * who it is, and whether we admit it. false when s was closed. */
static bool identify(struct session *s, const uint8_t *payload, size_t plen)
{
	struct node *n = session_node(s);
	const uint8_t *succ = NULL, *rs = noise_hs_remote_static(&s->sec->hs);
	uint8_t x_pk[32], succ_author[32];
	size_t succ_len = 0;
	char why[256] = "";
	struct link *l = s->link;
	int rc;

	rc = wire_hello_parse_succ(payload, plen, s->peer_key, &succ, &succ_len, &s->repl_v);
	if (rc != 0) {
		session_close(s, "handshake: bad hello (%s)", pakt_strerror(rc));
		return false;
	}
	if (s->repl_v > n->cfg.repl_version)
		s->repl_v = n->cfg.repl_version;
	if (rs == NULL || keys_pk_to_x25519(s->peer_key, x_pk) != 0 || sodium_memcmp(x_pk, rs, 32) != 0) {
		session_close(s, "handshake: the Ed25519 key does not match the Noise static key");
		return false;
	}
	s->has_peer_key = true;
	/* a rotated key that the partner's roster does not know yet */
	s->vouched = roster_find(&s->rn->members, s->peer_key) == NULL &&
		     roster_vouches(&s->rn->members, s->rn->id, succ, succ_len, s->peer_key);
	struct peer_facts f = {
		.peer_key = s->peer_key,
		.is_self = memcmp(s->peer_key, n->id.pk, 32) == 0,
		.is_member = roster_find(&s->rn->members, s->peer_key) != NULL,
		.vouched = s->vouched,
		.succ_author = s->vouched && peer_succ_author(succ, succ_len, succ_author) == 0
			       ? succ_author : NULL,
		.has_genesis = s->rn->members.has_genesis,
		.key_live = key_live(s),
		.pin = l && l->has_key ? l->key : NULL,
		.joining = l && l->joining,
		.same_member = same_member,
		.arg = &s->rn->members,
	};
	s->admit = peer_admit(s->initiator, &f, why, sizeof why);
	if (s->admit == PEER_ADMIT_REPL && !s->initiator && net_inbound_full(s->net, s->rn, s->peer_key)) {
		s->admit = PEER_ADMIT_REFUSE;   /* the `links` bound (net.c) */
		snprintf(why, sizeof why, "busy: too many links");
	}
	if (s->admit == PEER_ADMIT_REFUSE) {
		session_bye(s, why);   /* a bye only once the channel is up */
		return false;
	}
	if (s->vouched)
		log_info("peer %s: admitted as the successor of a member's key (succession in its hello)",
			 s->addr);
	return true;
}

/* The transport keys: from now on a refusal can say why (a bye). */
static bool split(struct session *s)
{
	uint8_t hash[NOISE_HASH_LEN];

	if (noise_hs_split(&s->sec->hs, &s->sec->tx, &s->sec->rx, hash) != 0) {
		session_close(s, "handshake: split failed");
		return false;
	}
	s->channel_up = true;
	return true;
}

/* Act on the admission. */
static void handshake_done(struct session *s)
{
	char id[ID_TEXT_MAX];

	switch (s->admit) {
	case PEER_ADMIT_JOIN: {
		struct mpx_out o;

		mpx_init(&o);
		wire_invite(&o, s->link->secret, s->link->join_name);
		session_send_msg(s, &o);
		mpx_free(&o);
		session_set_state(s, PEER_WELCOME_WAIT);
		return;
	}
	case PEER_ADMIT_INVITE_WAIT:
		/* only an invite redemption may follow, before the deadline */
		id_encode(ID_KEY, s->peer_key, id);
		log_info("peer %s (%s): not a member; waiting for an invite", s->addr, id);
		session_set_state(s, PEER_INVITE_WAIT);
		return;
	case PEER_ADMIT_REPL:
		session_start_replication(s);
		return;
	case PEER_ADMIT_REFUSE:
		break;
	}
	session_close(s, "internal: refused peer after the handshake");
}

void session_hs_frame(struct session *s, const uint8_t *msg, size_t len)
{
	size_t plen = 0;
	int rc = noise_hs_read(&s->sec->hs, msg, len, session_plain, sizeof session_plain, &plen);

	if (rc != 0) {
		session_close(s, "handshake: %s (different network?)", pakt_strerror(rc));
		return;
	}
	if (!s->initiator) {
		if (s->sec->hs.step == NOISE_STEP_MSG1) {
			/* msg0's payload, if any, is ignored: it travelled in clear */
			session_hs_write(s);           /* msg1 */
			return;
		}
		/* the responder judges the initiator after message 3, over a
		 * channel that can carry a bye */
		if (noise_hs_done(&s->sec->hs) && split(s) && identify(s, session_plain, plen))
			handshake_done(s);
		return;
	}
	/* we read msg1: the responder's key is known; judge it before msg2
	 * tells it who we are */
	if (!identify(s, session_plain, plen))
		return;
	session_hs_write(s);                   /* msg2 */
	if (s->closing)
		return;
	if (!noise_hs_done(&s->sec->hs))
		session_close(s, "handshake: not complete after message 3");
	else if (split(s))
		handshake_done(s);
}

void session_on_preamble(struct session *s, const uint8_t *p)
{
	struct node *n = session_node(s);
	uint8_t net_id[32];
	char id[ID_TEXT_MAX];

	if (wire_preamble_parse(p, net_id) != 0) {
		session_close(s, "not a pakt peer (bad preamble)");
		return;
	}
	s->rn = repl_net_find(n, net_id);
	if (s->rn == NULL) {
		id_encode(ID_NETWORK, net_id, id);
		session_close(s, "asks for initiative %s, which this node does not hold", id);
		return;
	}
	if (session_hs_start(s) != 0 && !s->closing)
		session_close(s, "handshake init failed");
}

void session_on_invite(struct session *s, const struct wire_msg *m)
{
	struct node *n = session_node(s);
	uint8_t h[32];
	char name[BODY_NAME_MAX + 1] = "", given[BODY_NAME_MAX + 1] = "", why[128] = "";
	struct mpx_out o;
	struct entry e;
	int rc;

	/* a secret is 32 random bytes: guessing is hopeless, but each try
	 * costs a store look-up and a log line */
	if (!net_invite_allowed(s->net, s->host, why, sizeof why)) {
		rc = PAKT_ELIMIT;
	} else {
		crypto_generichash(h, sizeof h, m->secret, 32, NULL, 0);
		rc = store_invite_use(n->store, h, s->rn->id, s->peer_key, node_now(n), name,
				      sizeof name, why, sizeof why);
		if (rc != 0)
			net_invite_failed(s->net, s->host);
	}
	if (rc != 0) {
		char id[ID_TEXT_MAX];

		id_encode(ID_KEY, s->peer_key, id);
		log_warn("peer %s (%s): invite refused: %s", s->addr, id, why[0] ? why : pakt_strerror(rc));
		session_bye(s, why[0] ? why : pakt_strerror(rc));
		return;
	}
	if (m->name_len > 0 && m->name_len <= BODY_NAME_MAX) {
		memcpy(given, m->name, m->name_len);
		given[m->name_len] = '\0';
	}
	/* the name chosen by the admin at invite time wins */
	mpx_init(&o);
	rc = body_member(&o, true, s->peer_key, name[0] ? name : given, false);
	if (rc == 0)
		rc = node_append(n, s->rn->id, "member", (const uint8_t *)o.sb.data, o.sb.size, &e,
				 why, sizeof why);
	if (rc != 0) {
		mpx_free(&o);
		session_close(s, "could not admit the new member: %s", why);
		return;
	}
	wire_welcome(&o);
	session_send_msg(s, &o);
	mpx_free(&o);
	log_info("peer %s: admitted %s as a member by invite", s->addr, name[0] ? name : given);
	session_start_replication(s);
}
