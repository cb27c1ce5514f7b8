/* Control requests: decode a frame into struct ctlop_req, encode one back.
 * The decoder is what paktd runs on untrusted bytes from its socket: every
 * field is type- and length-checked into a fixed buffer, and a wrong one
 * is refused with the reason the user sees. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "proto/ctlmsg.h"
#include "proto/ctlop.h"
#include "proto/date.h"
#include "proto/err.h"

static const char *const names[CTLOP_COUNT] = {
	[CTLOP_ACCEPT] = "accept",
	[CTLOP_AGENDA] = "agenda",
	[CTLOP_AGENDA_SET] = "agenda.set",
	[CTLOP_AUDIT] = "audit",
	[CTLOP_BACKUP] = "backup",
	[CTLOP_CHECKPOINT] = "checkpoint",
	[CTLOP_COMMIT] = "commit",
	[CTLOP_COMMITMENTS] = "commitments",
	[CTLOP_DECLINE] = "decline",
	[CTLOP_EXPORT] = "export",
	[CTLOP_INITIATIVE_CREATE] = "initiative.create",
	[CTLOP_INVITE] = "invite",
	[CTLOP_JOIN] = "join",
	[CTLOP_KEY_ROTATE] = "key.rotate",
	[CTLOP_LOG] = "log",
	[CTLOP_MEMBER_REMOVE] = "member.remove",
	[CTLOP_MEMBER_REVOKE_KEY] = "member.revoke_key",
	[CTLOP_MEMBERS] = "members",
	[CTLOP_METRICS] = "metrics",
	[CTLOP_PEER_ADD] = "peer.add",
	[CTLOP_PEER_LIST] = "peer.list",
	[CTLOP_PEER_REMOVE] = "peer.remove",
	[CTLOP_POST] = "post",
	[CTLOP_PROFILE_SET] = "profile.set",
	[CTLOP_PROGRESS] = "progress",
	[CTLOP_REDACT] = "redact",
	[CTLOP_STATUS] = "status",
	[CTLOP_SUBSCRIBE] = "subscribe",
	[CTLOP_UNSUBSCRIBE] = "unsubscribe",
	[CTLOP_UPDATE] = "update",
	[CTLOP_VERIFY] = "verify",
};

const char *ctlop_name(enum ctlop_op op)
{
	return op > CTLOP_UNKNOWN && op < CTLOP_COUNT ? names[op] : NULL;
}

/* ---- decoding ---- */

/* The decoder's state: the map and where the reason goes. */
struct dec {
	const msgpack_object *map;
	char *why;
	size_t whylen;
};

static int fail(struct dec *d, int code, const char *msg)
{
	snprintf(d->why, d->whylen, "%s", msg);
	return code;
}

/* An optional 32-byte bin. */
static int opt_bin32(struct dec *d, const msgpack_object *map, const char *key, uint8_t out[32],
		     bool *has)
{
	int rc = mpx_get_binn(map, key, out, 32);
	char msg[96];

	*has = rc == 0;
	if (rc == 0 || rc == PAKT_ENOTFOUND)
		return 0;
	snprintf(msg, sizeof msg, "'%s' must be 32 bytes", key);
	return fail(d, PAKT_EPROTO, msg);
}

/* A required 32-byte bin: msg if absent. */
static int need_bin32(struct dec *d, const char *key, uint8_t out[32], const char *msg)
{
	bool has;
	int rc = opt_bin32(d, d->map, key, out, &has);

	if (rc == 0 && !has)
		rc = fail(d, PAKT_EINVAL, msg);
	return rc;
}

/* A string into out[cap]: absent leaves "" unless required; wrong type,
 * a NUL byte or too long fail with msg. */
static int get_cstr(struct dec *d, const msgpack_object *map, const char *key, char *out,
		    size_t cap, bool required, const char *msg)
{
	int rc = mpx_get_cstr(map, key, out, cap);

	if (rc == 0 || (rc == PAKT_ENOTFOUND && !required)) {
		if (rc != 0)
			out[0] = '\0';
		return 0;
	}
	return fail(d, PAKT_EINVAL, msg);
}

/* An optional finite number (int or float). */
static int opt_double(struct dec *d, const msgpack_object *map, const char *key, double *v,
		      bool *has, const char *msg)
{
	const msgpack_object *o = mpx_get(map, key);

	*has = false;
	if (o == NULL)
		return 0;
	if (o->type == MSGPACK_OBJECT_FLOAT64 || o->type == MSGPACK_OBJECT_FLOAT32)
		*v = o->via.f64;
	else if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		*v = (double)o->via.u64;
	else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		*v = (double)o->via.i64;
	else
		return fail(d, PAKT_EINVAL, msg);
	if (!isfinite(*v))
		return fail(d, PAKT_EINVAL, msg);
	*has = true;
	return 0;
}

/* An optional array of at most max items; *arr NULL when absent. */
static int opt_array(struct dec *d, const char *key, uint32_t min, uint32_t max,
		     const msgpack_object **arr, const char *msg)
{
	const msgpack_object *o = mpx_get(d->map, key);

	*arr = NULL;
	if (o == NULL)
		return min == 0 ? 0 : fail(d, PAKT_EINVAL, msg);
	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size < min || o->via.array.size > max)
		return fail(d, PAKT_EINVAL, msg);
	*arr = o;
	return 0;
}

/* An optional bool (absent: false). */
static int opt_bool(struct dec *d, const char *key, bool *v)
{
	int rc = mpx_get_bool(d->map, key, v);

	if (rc == PAKT_ENOTFOUND) {
		*v = false;
		return 0;
	}
	if (rc != 0) {
		char msg[64];

		snprintf(msg, sizeof msg, "'%s' must be true or false", key);
		return fail(d, PAKT_EPROTO, msg);
	}
	return 0;
}

static bool is_bin32(const msgpack_object *x)
{
	return x->type == MSGPACK_OBJECT_BIN && x->via.bin.size == 32;
}

static int dec_log(struct dec *d, struct ctlop_log *l)
{
	int rc;

	if ((rc = opt_bin32(d, d->map, "author", l->author, &l->has_author)) != 0)
		return rc;
	rc = mpx_get_cstr(d->map, "type", l->type, sizeof l->type);
	if (rc != 0 && rc != PAKT_ENOTFOUND)
		return fail(d, PAKT_EPROTO, "'type' must be a short string");
	if (rc != 0)
		l->type[0] = '\0';
	rc = mpx_get_u64(d->map, "last", &l->last);
	if (rc != 0 && rc != PAKT_ENOTFOUND)
		return fail(d, PAKT_EPROTO, "'last' must be a count");
	l->has_last = rc == 0;
	rc = mpx_get_bool(d->map, "follow", &l->follow);
	if (rc != 0 && rc != PAKT_ENOTFOUND)
		return fail(d, PAKT_EPROTO, "'follow' must be true or false");
	return 0;
}

static int dec_audit(struct dec *d, const msgpack_object *m, struct ctlop_audit *a)
{
	int rc = opt_bin32(d, m, "author", a->author, &a->has_author);

	return rc != 0 ? rc : opt_bool(d, "progress", &a->progress);
}

static int dec_post(struct dec *d, struct ctlop_post *p)
{
	const msgpack_object *to;
	const char *text;
	size_t len;
	int rc;

	if (mpx_get_str(d->map, "text", &text, &len) != 0)
		return fail(d, PAKT_EPROTO, "'text' (string) is required");
	if (memchr(text, '\0', len) != NULL)
		return fail(d, PAKT_EINVAL, "message text must not contain NUL bytes");
	if (len > BODY_TEXT_MAX) {
		snprintf(d->why, d->whylen, "message: %s (at most %d bytes of UTF-8)",
			 pakt_strerror(PAKT_ETOOBIG), BODY_TEXT_MAX);
		return PAKT_ETOOBIG;
	}
	memcpy(p->text, text, len);
	p->text[len] = '\0';
	if ((rc = opt_bin32(d, d->map, "reply_to", p->reply_to, &p->has_reply_to)) != 0)
		return rc;
	if ((rc = opt_bool(d, "public", &p->public_reply)) != 0)
		return rc;
	if ((rc = opt_array(d, "to", 0, BODY_BOXES_MAX - 1, &to, "'to' must list 1 to 31 members")) != 0)
		return rc;
	if (to == NULL)
		return 0;
	if (to->via.array.size == 0)
		return fail(d, PAKT_EINVAL, "'to' must list 1 to 31 members");
	for (uint32_t i = 0; i < to->via.array.size; i++) {
		if (!is_bin32(&to->via.array.ptr[i]))
			return fail(d, PAKT_ENOTMEMBER, "every recipient must be a current member");
		memcpy(p->to[p->n_to++], to->via.array.ptr[i].via.bin.ptr, 32);
	}
	return 0;
}

/* Item x of an array re-packed to its bytes, for the body readers (a map
 * the sender wrote as the body builders do: canonical). */
static int item_bytes(struct mpx_out *o, const msgpack_object *x)
{
	mpx_reset(o);
	return msgpack_pack_object(&o->pk, *x) == 0 ? 0 : PAKT_ENOMEM;
}

static int dec_agenda(struct dec *d, struct body_agenda *a)
{
	const char *msg = "an agenda needs a goal and 1 to 32 indicators";
	const msgpack_object *inds;
	struct mpx_out o;
	char why[200];
	int rc;

	if ((rc = get_cstr(d, d->map, "goal", a->goal, sizeof a->goal, true, msg)) != 0 ||
	    (rc = opt_array(d, "indicators", 1, BODY_INDICATORS_MAX, &inds, msg)) != 0)
		return rc;
	rc = mpx_get_u64(d->map, "suppress", &a->suppress);
	if (rc == PAKT_ENOTFOUND)
		rc = 0;
	else if (rc != 0 || a->suppress > BODY_SUPPRESS_MAX)
		return fail(d, PAKT_EINVAL, "suppress must be a count of 0 to 1000");
	else
		a->has_suppress = a->suppress != BODY_SUPPRESS_DEFAULT;
	mpx_init(&o);
	for (uint32_t i = 0; rc == 0 && i < inds->via.array.size; i++) {
		if ((rc = item_bytes(&o, &inds->via.array.ptr[i])) != 0)
			break;
		if (body_indicator_read((const uint8_t *)o.sb.data, o.sb.size, &a->ind[a->n++], why,
					sizeof why) != 0)
			rc = fail(d, PAKT_EINVAL, why);
	}
	mpx_free(&o);
	return rc;
}

static int dec_update(struct dec *d, struct body_update *u)
{
	const msgpack_object *vals;
	struct mpx_out o;
	char why[200];
	int rc;

	if ((rc = get_cstr(d, d->map, "text", u->text, sizeof u->text, true,
			   "an update needs its text (at most 8192 bytes)")) != 0 ||
	    (rc = get_cstr(d, d->map, "period", u->period, sizeof u->period, false,
			   "period must be YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD or FROM..TO")) != 0 ||
	    (rc = opt_array(d, "values", 0, BODY_INDICATORS_MAX, &vals,
			    "an update has at most 32 values")) != 0)
		return rc;
	mpx_init(&o);
	for (uint32_t i = 0; rc == 0 && vals != NULL && i < vals->via.array.size; i++) {
		if ((rc = item_bytes(&o, &vals->via.array.ptr[i])) != 0)
			break;
		if (body_value_read((const uint8_t *)o.sb.data, o.sb.size, u, why, sizeof why) != 0)
			rc = fail(d, PAKT_EINVAL, why);
	}
	mpx_free(&o);
	return rc;
}

static int dec_commit(struct dec *d, struct body_commitment *c)
{
	const char *msg = "a commitment needs a title, a due date YYYY-MM-DD and 1 to 16 parties";
	const msgpack_object *parties;
	int64_t due;
	int rc;

	if ((rc = get_cstr(d, d->map, "title", c->title, sizeof c->title, true, msg)) != 0 ||
	    (rc = get_cstr(d, d->map, "due", c->due, sizeof c->due, true, msg)) != 0 ||
	    (rc = opt_array(d, "parties", 1, BODY_PARTIES_MAX, &parties, msg)) != 0)
		return rc;
	if (date_parse(c->due, &due) != 0)
		return fail(d, PAKT_EINVAL, msg);
	if ((rc = get_cstr(d, d->map, "description", c->description, sizeof c->description, false,
			   "the description must be text of at most 8192 bytes")) != 0 ||
	    (rc = get_cstr(d, d->map, "indicator", c->indicator, sizeof c->indicator, false,
			   "the indicator must be an id of at most 32 bytes")) != 0 ||
	    (rc = opt_double(d, d->map, "target", &c->target, &c->has_target,
			     "the target must be a number")) != 0)
		return rc;
	for (uint32_t i = 0; i < parties->via.array.size; i++) {
		if (!is_bin32(&parties->via.array.ptr[i]))
			return fail(d, PAKT_ENOTMEMBER, "every party must be a current member (see pakt members)");
		memcpy(c->parties[c->n_parties++], parties->via.array.ptr[i].via.bin.ptr, 32);
	}
	return 0;
}

static int dec_profile(struct dec *d, struct body_profile *p)
{
	const msgpack_object *addrs;
	int rc;

	if ((rc = get_cstr(d, d->map, "name", p->name, sizeof p->name, true,
			   "a profile needs a name and a sector (ngo, public, business, other)")) != 0 ||
	    (rc = get_cstr(d, d->map, "sector", p->sector, sizeof p->sector, true,
			   "a profile needs a name and a sector (ngo, public, business, other)")) != 0 ||
	    (rc = get_cstr(d, d->map, "contact", p->contact, sizeof p->contact, false,
			   "the contact must be at most 256 bytes")) != 0 ||
	    (rc = opt_array(d, "addresses", 0, BODY_ADDRS_MAX, &addrs,
			    "at most 4 addresses, each HOST:PORT")) != 0)
		return rc;
	for (uint32_t i = 0; addrs != NULL && i < addrs->via.array.size; i++) {
		const msgpack_object *x = &addrs->via.array.ptr[i];

		if (x->type != MSGPACK_OBJECT_STR || x->via.str.size == 0 ||
		    x->via.str.size > BODY_ADDR_MAX || memchr(x->via.str.ptr, '\0', x->via.str.size))
			return fail(d, PAKT_EINVAL, "at most 4 addresses, each HOST:PORT");
		memcpy(p->addrs[p->n_addrs++], x->via.str.ptr, x->via.str.size);
	}
	return 0;
}

static int dec_export(struct dec *d, struct ctlop_export *x)
{
	int rc;

	if ((rc = opt_bin32(d, d->map, "ref", x->ref, &x->has_ref)) != 0 ||
	    (rc = opt_bin32(d, d->map, "feed", x->feed, &x->has_feed)) != 0)
		return rc;
	if (x->has_ref == x->has_feed)
		return fail(d, PAKT_EINVAL, "export either a commitment (en_...) or --feed pk_...");
	x->from = 1;
	x->to = UINT64_MAX;
	rc = mpx_get_u64(d->map, "from", &x->from);
	if (rc == 0 || rc == PAKT_ENOTFOUND)
		rc = mpx_get_u64(d->map, "to", &x->to);
	if ((rc != 0 && rc != PAKT_ENOTFOUND) || x->from == 0 || x->from > x->to)
		return fail(d, PAKT_EINVAL, "--from and --to must be seqs with FROM <= TO");
	return 0;
}

/* The fields of op r->op. */
static int dec_fields(struct dec *d, struct ctlop_req *r)
{
	const msgpack_object *m = d->map;
	int rc;

	switch (r->op) {
	case CTLOP_LOG:
		return dec_log(d, &r->u.log);
	case CTLOP_POST:
		return dec_post(d, &r->u.post);
	case CTLOP_INITIATIVE_CREATE:
		if ((rc = get_cstr(d, m, "name", r->u.create.name, sizeof r->u.create.name, true,
				   "an initiative needs a name of 1 to 128 bytes")) != 0)
			return rc;
		if (r->u.create.name[0] == '\0')
			return fail(d, PAKT_EINVAL, "an initiative needs a name of 1 to 128 bytes");
		return get_cstr(d, m, "goal", r->u.create.goal, sizeof r->u.create.goal, false,
				"the goal must be text of at most 8192 bytes");
	case CTLOP_INVITE:
		if ((rc = get_cstr(d, m, "name", r->u.invite.name, sizeof r->u.invite.name, false,
				   "the name must be at most 128 bytes")) != 0)
			return rc;
		rc = mpx_get_u64(m, "ttl_ms", &r->u.invite.ttl_ms);
		if (rc != 0 && rc != PAKT_ENOTFOUND)
			return fail(d, PAKT_EINVAL, "'ttl_ms' must be a duration in ms");
		r->u.invite.has_ttl = rc == 0;
		return 0;
	case CTLOP_JOIN:
		return get_cstr(d, m, "code", r->u.join.code, sizeof r->u.join.code, true,
				"an invite code (pi_...) is required");
	case CTLOP_MEMBER_REMOVE:
		return need_bin32(d, "key", r->u.key.key, "the member's id (pk_...) is required");
	case CTLOP_SUBSCRIBE:
	case CTLOP_UNSUBSCRIBE:
		return need_bin32(d, "key", r->u.key.key, "the feed's id (pk_...) is required");
	case CTLOP_MEMBER_REVOKE_KEY:
		if ((rc = need_bin32(d, "key", r->u.revoke.key, "the member's id (pk_...) is required")) != 0)
			return rc;
		if (mpx_get_u64(m, "after", &r->u.revoke.after) != 0)
			return fail(d, PAKT_EINVAL, "'after' must be the last trusted seq (0 or more)");
		return get_cstr(d, m, "reason", r->u.revoke.reason, sizeof r->u.revoke.reason, false,
				"the reason must be at most 1024 bytes");
	case CTLOP_PEER_ADD:
		if ((rc = opt_bin32(d, m, "key", r->u.peer.key, &r->u.peer.has_key)) != 0)
			return rc;
		if ((rc = get_cstr(d, m, "address", r->u.peer.address, sizeof r->u.peer.address, true,
				   "the address must be HOST:PORT")) != 0)
			return rc;
		if (strchr(r->u.peer.address, ':') == NULL)
			return fail(d, PAKT_EINVAL, "the address must be HOST:PORT");
		return 0;
	case CTLOP_PEER_REMOVE:
		return get_cstr(d, m, "address", r->u.peer.address, sizeof r->u.peer.address, true,
				"the address (HOST:PORT) is required");
	case CTLOP_KEY_ROTATE:
		return get_cstr(d, m, "passphrase", r->u.rotate.passphrase,
				sizeof r->u.rotate.passphrase, false,
				"the passphrase must be a string of at most 1024 bytes");
	case CTLOP_AGENDA_SET:
		return dec_agenda(d, &r->u.agenda);
	case CTLOP_UPDATE:
		return dec_update(d, &r->u.update);
	case CTLOP_COMMIT:
		return dec_commit(d, &r->u.commit);
	case CTLOP_ACCEPT:
	case CTLOP_DECLINE:
		if ((rc = need_bin32(d, "ref", r->u.ref.ref, "the commitment's id (en_...) is required")) != 0 ||
		    (rc = opt_bool(d, "change", &r->u.ref.change)) != 0)
			return rc;
		return get_cstr(d, m, "reason", r->u.ref.text, sizeof r->u.ref.text, false,
				"the reason must be at most 1024 bytes");
	case CTLOP_REDACT:
		if ((rc = need_bin32(d, "ref", r->u.ref.ref,
				     "redact needs the entry's id (en_...) and a reason")) != 0)
			return rc;
		return get_cstr(d, m, "reason", r->u.ref.text, sizeof r->u.ref.text, true,
				"redact needs the entry's id (en_...) and a reason");
	case CTLOP_PROGRESS:
		if ((rc = need_bin32(d, "ref", r->u.progress.ref,
				     "the commitment's id (en_...) is required")) != 0 ||
		    (rc = get_cstr(d, m, "state", r->u.progress.state, sizeof r->u.progress.state, true,
				   "state must be in-progress, fulfilled, missed or withdrawn")) != 0 ||
		    (rc = get_cstr(d, m, "note", r->u.progress.note, sizeof r->u.progress.note, false,
				   "the note must be text of at most 8192 bytes")) != 0 ||
		    (rc = opt_bool(d, "reopen", &r->u.progress.reopen)) != 0)
			return rc;
		return opt_bin32(d, m, "evidence", r->u.progress.evidence, &r->u.progress.has_evidence);
	case CTLOP_COMMITMENTS:
		if ((rc = get_cstr(d, m, "filter", r->u.commitments.filter,
				   sizeof r->u.commitments.filter, false,
				   "filter must be mine, open or overdue")) != 0)
			return rc;
		rc = mpx_get_u64(m, "due_within", &r->u.commitments.due_within);
		if (rc != 0 && rc != PAKT_ENOTFOUND)
			return fail(d, PAKT_EPROTO, "'due_within' must be a number of days");
		if (rc == 0 && r->u.commitments.due_within > 36600)
			return fail(d, PAKT_EINVAL, "due_within must be at most 36600 days");
		r->u.commitments.has_due_within = rc == 0;
		return opt_bin32(d, m, "party", r->u.commitments.party, &r->u.commitments.has_party);
	case CTLOP_AUDIT:
		return dec_audit(d, m, &r->u.audit);
	case CTLOP_EXPORT:
		return dec_export(d, &r->u.export);
	case CTLOP_PROFILE_SET:
		return dec_profile(d, &r->u.profile);
	default:   /* agenda, backup, checkpoint, members, metrics, peer.list, status, verify */
		return 0;
	}
}

int ctlop_req_decode(struct ctlop_req *r, const uint8_t *buf, size_t len, char *why,
		     size_t whylen)
{
	struct dec d = {.why = why, .whylen = whylen};
	msgpack_unpacked u;
	const char *op;
	size_t op_len;
	int rc;

	memset(r, 0, sizeof *r);
	msgpack_unpacked_init(&u);
	if (ctlmsg_unpack(&u, buf, len) != 0 || mpx_get_str(&u.data, "op", &op, &op_len) != 0) {
		rc = fail(&d, PAKT_EPROTO, "malformed request: expected a msgpack map with 'op'");
		goto destroy_unpacked;
	}
	d.map = &u.data;
	r->op = CTLOP_UNKNOWN;
	for (int i = CTLOP_UNKNOWN + 1; i < CTLOP_COUNT; i++)
		if (strlen(names[i]) == op_len && memcmp(names[i], op, op_len) == 0)
			r->op = (enum ctlop_op)i;
	if (r->op == CTLOP_UNKNOWN) {
		snprintf(why, whylen, "unknown op '%.*s'", (int)(op_len > 40 ? 40 : op_len), op);
		rc = PAKT_EPROTO;
		goto destroy_unpacked;
	}
	rc = opt_bin32(&d, d.map, "network", r->network, &r->has_network);
	if (rc == 0)
		rc = dec_fields(&d, r);
destroy_unpacked:
	msgpack_unpacked_destroy(&u);
	return rc;
}

void ctlop_req_wipe(struct ctlop_req *r)
{
	if (r != NULL)
		sodium_memzero(r, sizeof *r);
}

/* ---- encoding: fields are packed one by one, then emitted sorted ---- */

#define ENC_FIELDS_MAX 16

struct enc {
	struct mpx_out vals;
	const char *key[ENC_FIELDS_MAX];
	size_t off[ENC_FIELDS_MAX + 1];
	size_t n;
};

/* Start a field: returns the packer its value goes to. */
static msgpack_packer *field(struct enc *e, const char *key)
{
	e->key[e->n] = key;
	e->off[e->n++] = e->vals.sb.size;
	return &e->vals.pk;
}

static void f_str(struct enc *e, const char *key, const char *s)
{
	mpx_str(field(e, key), s);
}

static void f_opt_str(struct enc *e, const char *key, const char *s)
{
	if (s[0] != '\0')
		f_str(e, key, s);
}

static void f_bin(struct enc *e, const char *key, const uint8_t v[32])
{
	mpx_bin(field(e, key), v, 32);
}

static void f_opt_bin(struct enc *e, const char *key, bool has, const uint8_t v[32])
{
	if (has)
		f_bin(e, key, v);
}

static void f_u64(struct enc *e, const char *key, uint64_t v)
{
	msgpack_pack_uint64(field(e, key), v);
}

static void f_f64(struct enc *e, const char *key, double v)
{
	msgpack_pack_double(field(e, key), v);
}

static void f_true(struct enc *e, const char *key, bool v)
{
	if (v)
		msgpack_pack_true(field(e, key));
}

static void enc_agenda(struct enc *e, const struct body_agenda *a)
{
	msgpack_packer *pk;

	f_str(e, "goal", a->goal);
	pk = field(e, "indicators");
	msgpack_pack_array(pk, (uint32_t)a->n);
	for (size_t i = 0; i < a->n; i++)
		body_indicator_pack(pk, &a->ind[i]);
	if (a->has_suppress)
		f_u64(e, "suppress", a->suppress);
}

static void enc_update(struct enc *e, const struct body_update *u)
{
	msgpack_packer *pk;

	f_opt_str(e, "period", u->period);
	f_str(e, "text", u->text);
	if (u->n == 0)
		return;
	pk = field(e, "values");
	msgpack_pack_array(pk, (uint32_t)u->n);
	for (size_t i = 0; i < u->n; i++)
		body_value_pack(pk, u, i);
}

static void enc_commit(struct enc *e, const struct body_commitment *c)
{
	msgpack_packer *pk;

	f_opt_str(e, "description", c->description);
	f_str(e, "due", c->due);
	f_opt_str(e, "indicator", c->indicator);
	pk = field(e, "parties");
	msgpack_pack_array(pk, (uint32_t)c->n_parties);
	for (size_t i = 0; i < c->n_parties; i++)
		mpx_bin(pk, c->parties[i], 32);
	if (c->has_target)
		f_f64(e, "target", c->target);
	f_str(e, "title", c->title);
}

static void enc_fields(struct enc *e, const struct ctlop_req *r)
{
	msgpack_packer *pk;

	switch (r->op) {
	case CTLOP_LOG:
		f_opt_bin(e, "author", r->u.log.has_author, r->u.log.author);
		f_true(e, "follow", r->u.log.follow);
		if (r->u.log.has_last)
			f_u64(e, "last", r->u.log.last);
		f_opt_str(e, "type", r->u.log.type);
		break;
	case CTLOP_POST:
		f_true(e, "public", r->u.post.public_reply);
		f_opt_bin(e, "reply_to", r->u.post.has_reply_to, r->u.post.reply_to);
		f_str(e, "text", r->u.post.text);
		if (r->u.post.n_to == 0)
			break;
		pk = field(e, "to");
		msgpack_pack_array(pk, (uint32_t)r->u.post.n_to);
		for (size_t i = 0; i < r->u.post.n_to; i++)
			mpx_bin(pk, r->u.post.to[i], 32);
		break;
	case CTLOP_INITIATIVE_CREATE:
		f_opt_str(e, "goal", r->u.create.goal);
		f_str(e, "name", r->u.create.name);
		break;
	case CTLOP_INVITE:
		f_opt_str(e, "name", r->u.invite.name);
		if (r->u.invite.has_ttl)
			f_u64(e, "ttl_ms", r->u.invite.ttl_ms);
		break;
	case CTLOP_JOIN:
		f_str(e, "code", r->u.join.code);
		break;
	case CTLOP_MEMBER_REMOVE:
	case CTLOP_SUBSCRIBE:
	case CTLOP_UNSUBSCRIBE:
		f_bin(e, "key", r->u.key.key);
		break;
	case CTLOP_MEMBER_REVOKE_KEY:
		f_u64(e, "after", r->u.revoke.after);
		f_bin(e, "key", r->u.revoke.key);
		f_opt_str(e, "reason", r->u.revoke.reason);
		break;
	case CTLOP_PEER_ADD:
		f_str(e, "address", r->u.peer.address);
		f_opt_bin(e, "key", r->u.peer.has_key, r->u.peer.key);
		break;
	case CTLOP_PEER_REMOVE:
		f_str(e, "address", r->u.peer.address);
		break;
	case CTLOP_KEY_ROTATE:
		f_opt_str(e, "passphrase", r->u.rotate.passphrase);
		break;
	case CTLOP_AGENDA_SET:
		enc_agenda(e, &r->u.agenda);
		break;
	case CTLOP_UPDATE:
		enc_update(e, &r->u.update);
		break;
	case CTLOP_COMMIT:
		enc_commit(e, &r->u.commit);
		break;
	case CTLOP_ACCEPT:
	case CTLOP_DECLINE:
		f_true(e, "change", r->u.ref.change);
		f_opt_str(e, "reason", r->u.ref.text);
		f_bin(e, "ref", r->u.ref.ref);
		break;
	case CTLOP_REDACT:
		f_str(e, "reason", r->u.ref.text);
		f_bin(e, "ref", r->u.ref.ref);
		break;
	case CTLOP_PROGRESS:
		f_opt_bin(e, "evidence", r->u.progress.has_evidence, r->u.progress.evidence);
		f_opt_str(e, "note", r->u.progress.note);
		f_bin(e, "ref", r->u.progress.ref);
		f_true(e, "reopen", r->u.progress.reopen);
		f_str(e, "state", r->u.progress.state);
		break;
	case CTLOP_COMMITMENTS:
		if (r->u.commitments.has_due_within)
			f_u64(e, "due_within", r->u.commitments.due_within);
		f_opt_str(e, "filter", r->u.commitments.filter);
		f_opt_bin(e, "party", r->u.commitments.has_party, r->u.commitments.party);
		break;
	case CTLOP_AUDIT:
		f_opt_bin(e, "author", r->u.audit.has_author, r->u.audit.author);
		f_true(e, "progress", r->u.audit.progress);
		break;
	case CTLOP_EXPORT:
		f_opt_bin(e, "feed", r->u.export.has_feed, r->u.export.feed);
		if (r->u.export.from != 1)
			f_u64(e, "from", r->u.export.from);
		f_opt_bin(e, "ref", r->u.export.has_ref, r->u.export.ref);
		if (r->u.export.to != UINT64_MAX)
			f_u64(e, "to", r->u.export.to);
		break;
	case CTLOP_PROFILE_SET:
		if (r->u.profile.n_addrs > 0) {
			pk = field(e, "addresses");
			msgpack_pack_array(pk, (uint32_t)r->u.profile.n_addrs);
			for (size_t i = 0; i < r->u.profile.n_addrs; i++)
				mpx_str(pk, r->u.profile.addrs[i]);
		}
		f_opt_str(e, "contact", r->u.profile.contact);
		f_str(e, "name", r->u.profile.name);
		f_str(e, "sector", r->u.profile.sector);
		break;
	default:
		break;
	}
}

static int key_cmp(const void *a, const void *b)
{
	const char *const *ka = a, *const *kb = b;

	return strcmp(*ka, *kb);
}

int ctlop_req_encode(const struct ctlop_req *r, struct mpx_out *o)
{
	struct enc e = {.n = 0};
	size_t order[ENC_FIELDS_MAX];
	const char *sorted[ENC_FIELDS_MAX];
	int rc;

	if (ctlop_name(r->op) == NULL)
		return PAKT_EINVAL;
	mpx_init(&e.vals);
	f_opt_bin(&e, "network", r->has_network, r->network);
	f_str(&e, "op", ctlop_name(r->op));
	enc_fields(&e, r);
	e.off[e.n] = e.vals.sb.size;
	/* keys bytewise sorted: sort the names, then find each one's value */
	memcpy(sorted, e.key, e.n * sizeof *sorted);
	qsort(sorted, e.n, sizeof *sorted, key_cmp);
	for (size_t i = 0; i < e.n; i++)
		for (size_t k = 0; k < e.n; k++)
			if (e.key[k] == sorted[i])
				order[i] = k;
	ctlmsg_begin(o);
	msgpack_pack_map(&o->pk, (uint32_t)e.n);
	for (size_t i = 0; i < e.n; i++) {
		size_t k = order[i];

		mpx_str(&o->pk, e.key[k]);
		msgpack_sbuffer_write(&o->sb, e.vals.sb.data + e.off[k], e.off[k + 1] - e.off[k]);
	}
	rc = ctlmsg_finish(o);
	/* the values may hold a passphrase or an invite code */
	sodium_memzero(e.vals.sb.data, e.vals.sb.size);
	mpx_free(&e.vals);
	return rc;
}
