/* Collective-impact commands: agenda, update, metrics, commit, accept,
 * decline, progress, commitments, audit, export, redact, profile, message
 * reply, and sealed posts (cmd_post_sealed). Control ops: /tmp/spec/ops.md
 * (issue 4); entry bodies: proto/PROTOCOL.md, "Bodies". */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cli/cmds.h"
#include "cli/metrics.h"
#include "cli/output.h"
#include "proto/body.h"
#include "proto/date.h"
#include "proto/ctlmsg.h"
#include "proto/err.h"
#include "proto/id.h"

#define TIMEOUT_BIG 120000      /* ms: audit, export, metrics may walk the store */

/* ---- options ---- */

/* Long options; W_x is the bit of option x in a command's allow mask. */
enum {
	W_NETWORK, W_JSON, W_GOAL, W_INDICATOR, W_VALUE, W_PERIOD, W_BY, W_CSV, W_CHART,
	W_PARTY, W_DUE, W_TARGET, W_DESCRIPTION, W_REASON, W_NOTE, W_EVIDENCE, W_MINE,
	W_OPEN, W_OVERDUE, W_FEED, W_FROM, W_TO, W_OUTPUT, W_NAME, W_SECTOR, W_CONTACT,
	W_ADDRESS, W_N
};
#define A(x) (1ull << (x))
#define OPT_BASE 256
#define LIST_MAX 64

static const struct option wopts_long[] = {
	[W_NETWORK] = {"network", required_argument, NULL, OPT_BASE + W_NETWORK},
	[W_JSON] = {"json", no_argument, NULL, OPT_BASE + W_JSON},
	[W_GOAL] = {"goal", required_argument, NULL, OPT_BASE + W_GOAL},
	[W_INDICATOR] = {"indicator", required_argument, NULL, OPT_BASE + W_INDICATOR},
	[W_VALUE] = {"value", required_argument, NULL, OPT_BASE + W_VALUE},
	[W_PERIOD] = {"period", required_argument, NULL, OPT_BASE + W_PERIOD},
	[W_BY] = {"by", required_argument, NULL, OPT_BASE + W_BY},
	[W_CSV] = {"csv", no_argument, NULL, OPT_BASE + W_CSV},
	[W_CHART] = {"chart", required_argument, NULL, OPT_BASE + W_CHART},
	[W_PARTY] = {"party", required_argument, NULL, OPT_BASE + W_PARTY},
	[W_DUE] = {"due", required_argument, NULL, OPT_BASE + W_DUE},
	[W_TARGET] = {"target", required_argument, NULL, OPT_BASE + W_TARGET},
	[W_DESCRIPTION] = {"description", required_argument, NULL, OPT_BASE + W_DESCRIPTION},
	[W_REASON] = {"reason", required_argument, NULL, OPT_BASE + W_REASON},
	[W_NOTE] = {"note", required_argument, NULL, OPT_BASE + W_NOTE},
	[W_EVIDENCE] = {"evidence", required_argument, NULL, OPT_BASE + W_EVIDENCE},
	[W_MINE] = {"mine", no_argument, NULL, OPT_BASE + W_MINE},
	[W_OPEN] = {"open", no_argument, NULL, OPT_BASE + W_OPEN},
	[W_OVERDUE] = {"overdue", no_argument, NULL, OPT_BASE + W_OVERDUE},
	[W_FEED] = {"feed", required_argument, NULL, OPT_BASE + W_FEED},
	[W_FROM] = {"from", required_argument, NULL, OPT_BASE + W_FROM},
	[W_TO] = {"to", required_argument, NULL, OPT_BASE + W_TO},
	[W_OUTPUT] = {"output", required_argument, NULL, 'o'},
	[W_NAME] = {"name", required_argument, NULL, OPT_BASE + W_NAME},
	[W_SECTOR] = {"sector", required_argument, NULL, OPT_BASE + W_SECTOR},
	[W_CONTACT] = {"contact", required_argument, NULL, OPT_BASE + W_CONTACT},
	[W_ADDRESS] = {"address", required_argument, NULL, OPT_BASE + W_ADDRESS},
	[W_N] = {"data-dir", required_argument, NULL, 'd'},
	[W_N + 1] = {"help", no_argument, NULL, 'h'},
	[W_N + 2] = {NULL, 0, NULL, 0},
};

struct wlist {
	const char *v[LIST_MAX];
	size_t n;
};

struct wopts {
	const char *cmd, *dir_arg;
	const char *val[W_N];          /* last value of each single option */
	bool given[W_N];
	struct wlist ind, values, party, to, addr;
	uint8_t net[32];
	bool has_net;
	int argc;                      /* positional arguments */
	char **argv;
};

/* Parse the options a command allows (mask of A(W_...)). Returns CLI_OK,
 * -1 after --help, or a usage exit code. */
static int wopts(const char *cmd, int argc, char **argv, uint64_t allow, int min_pos,
		 int max_pos, struct wopts *o)
{
	int opt, rc;

	memset(o, 0, sizeof *o);
	o->cmd = cmd;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "ho:", wopts_long, NULL)) != -1) {
		int w = opt == 'o' ? W_OUTPUT : opt >= OPT_BASE && opt < OPT_BASE + W_N ? opt - OPT_BASE : -1;
		struct wlist *l = NULL;

		if (opt == 'h') {
			cli_help(cmd);
			return -1;
		}
		if (opt == 'd') {
			o->dir_arg = optarg;
			continue;
		}
		if (w < 0)
			return cli_usage(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
		if (!(allow & A(w)))
			return cli_usage(cmd, "option '%s' does not apply here", argv[optind - 1]);
		o->given[w] = true;
		o->val[w] = optarg;
		switch (w) {
		case W_NETWORK:
			if ((rc = cli_parse_id(cmd, "--network", ID_NETWORK, optarg, o->net)) != CLI_OK)
				return rc;
			o->has_net = true;
			break;
		case W_INDICATOR: l = &o->ind; break;
		case W_VALUE: l = &o->values; break;
		case W_PARTY: l = &o->party; break;
		case W_TO: l = &o->to; break;
		case W_ADDRESS: l = &o->addr; break;
		default: break;
		}
		if (l != NULL) {
			if (l->n == LIST_MAX)
				return cli_usage(cmd, "too many --%s options", wopts_long[w].name);
			l->v[l->n++] = optarg;
		}
	}
	o->argc = argc - optind;
	o->argv = argv + optind;
	if (o->argc < min_pos)
		return cli_usage(cmd, "missing argument");
	if (o->argc > max_pos)
		return cli_usage(cmd, "unexpected argument '%s'", o->argv[max_pos]);
	return CLI_OK;
}

/* ---- requests ---- */

/* A request map whose fields are counted as they are packed. */
struct wreq {
	struct mpx_out b;
	uint32_t n;
};

static msgpack_packer *wr_key(struct wreq *r, const char *key)
{
	r->n++;
	mpx_str(&r->b.pk, key);
	return &r->b.pk;
}

static void wr_str(struct wreq *r, const char *key, const char *v)
{
	mpx_str(wr_key(r, key), v);
}

static void wr_strn(struct wreq *r, const char *key, const char *v, size_t len)
{
	mpx_strn(wr_key(r, key), v, len);
}

static void wr_bin(struct wreq *r, const char *key, const uint8_t v[32])
{
	mpx_bin(wr_key(r, key), v, 32);
}

static void wr_f64(struct wreq *r, const char *key, double v)
{
	msgpack_pack_double(wr_key(r, key), v);
}

static void wr_u64(struct wreq *r, const char *key, uint64_t v)
{
	msgpack_pack_uint64(wr_key(r, key), v);
}

/* Start {"op": op, "network"?: ...}. */
static void wr_begin(struct wreq *r, const char *op, const struct wopts *o)
{
	mpx_init(&r->b);
	r->n = 0;
	wr_str(r, "op", op);
	if (o != NULL && o->has_net)
		wr_bin(r, "network", o->net);
}

/* Connect, send the request, wait for the reply (timeout_ms); frees r.
 * Prints errors; returns a CLI exit code. The caller closes c. */
static int wr_send(struct wreq *r, struct client *c, const struct wopts *o,
		   const msgpack_object **reply, int timeout_ms)
{
	struct mpx_out req;
	int ret = cli_connect(c, o->dir_arg, o->cmd), rc;

	if (ret != CLI_OK) {
		mpx_free(&r->b);
		return ret;
	}
	mpx_init(&req);
	ctl_begin(&req);
	msgpack_pack_map(&req.pk, r->n);
	msgpack_sbuffer_write(&req.sb, r->b.sb.data, r->b.sb.size);
	rc = ctl_finish(&req);
	if (rc != 0) {
		ret = cli_fail(o->cmd, rc, "the request is larger than the control protocol allows (1 MiB)");
	} else {
		rc = client_send(c, &req);
		if (rc == 0)
			rc = client_recv(c, reply, timeout_ms);
		if (rc == 0)
			rc = client_reply_error(c, *reply);
		ret = rc == 0 ? CLI_OK : cli_fail(o->cmd, rc, "%s", c->why);
	}
	mpx_free(&req);
	mpx_free(&r->b);
	return ret;
}

static int done(struct client *c, int ret)
{
	client_close(c);
	return ret;
}

/* Print "VERB #seq en_..." from a {hash, seq} reply. */
static void print_posted(const msgpack_object *m, const char *verb, const char *extra)
{
	uint8_t hash[32];
	uint64_t seq = 0;
	char idt[ID_TEXT_MAX];

	mpx_get_u64(m, "seq", &seq);
	if (mpx_get_binn(m, "hash", hash, 32) == 0) {
		id_encode(ID_ENTRY, hash, idt);
		if (seq)
			printf("%s #%" PRIu64 " %s%s\n", verb, seq, idt, extra ? extra : "");
		else
			printf("%s %s%s\n", verb, idt, extra ? extra : "");
	} else {
		printf("%s%s\n", verb, extra ? extra : "");
	}
}

/* ---- reading replies ---- */

static bool is_arr(const msgpack_object *o)
{
	return o != NULL && o->type == MSGPACK_OBJECT_ARRAY;
}

static uint32_t arr_n(const msgpack_object *o)
{
	return is_arr(o) ? o->via.array.size : 0;
}

static int get_f64(const msgpack_object *map, const char *key, double *v)
{
	const msgpack_object *x = mpx_get(map, key);

	if (x == NULL)
		return PAKT_ENOTFOUND;
	switch (x->type) {
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64: *v = x->via.f64; return 0;
	case MSGPACK_OBJECT_POSITIVE_INTEGER: *v = (double)x->via.u64; return 0;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: *v = (double)x->via.i64; return 0;
	default: return PAKT_ETYPE;
	}
}

/* An id field as text ("-" if absent). */
static void get_id(const msgpack_object *map, const char *key, enum id_kind kind,
		   char out[ID_TEXT_MAX])
{
	uint8_t raw[32];

	if (mpx_get_binn(map, key, raw, 32) == 0)
		id_encode(kind, raw, out);
	else
		snprintf(out, ID_TEXT_MAX, "-");
}

/* "Name (pk_abcd…)" or the short id alone; from fields name_key, key_key. */
static void get_who(const msgpack_object *map, const char *name_key, const char *key_key,
		    char *out, size_t cap)
{
	char name[BODY_NAME_MAX + 1] = "", sh[16] = "?";
	uint8_t raw[32];

	mpx_get_cstr(map, name_key, name, sizeof name);
	if (mpx_get_binn(map, key_key, raw, 32) == 0)
		id_short(ID_KEY, raw, sh);
	if (name[0])
		snprintf(out, cap, "%s (%s)", name, sh);
	else
		snprintf(out, cap, "%s", sh);
}

static void get_when(const msgpack_object *map, const char *key, char out[32])
{
	uint64_t ms = 0;

	if (mpx_get_u64(map, key, &ms) == 0 && ms > 0)
		out_time(ms, out);
	else
		snprintf(out, 32, "-");
}

/* The agenda's indicators from a reply array; returns how many. */
static size_t get_indicators(const msgpack_object *arr, struct body_indicator *out, size_t cap)
{
	size_t n = 0;

	for (uint32_t i = 0; i < arr_n(arr) && n < cap; i++) {
		const msgpack_object *x = &arr->via.array.ptr[i];
		struct body_indicator *d = &out[n];
		char dir[8] = "up";

		memset(d, 0, sizeof *d);
		if (mpx_get_cstr(x, "id", d->id, sizeof d->id) != 0)
			continue;
		mpx_get_cstr(x, "name", d->name, sizeof d->name);
		if (d->name[0] == '\0')
			snprintf(d->name, sizeof d->name, "%s", d->id);
		mpx_get_cstr(x, "unit", d->unit, sizeof d->unit);
		d->has_target = get_f64(x, "target", &d->target) == 0 && isfinite(d->target);
		mpx_get_cstr(x, "direction", dir, sizeof dir);
		d->down = strcmp(dir, "down") == 0;
		n++;
	}
	return n;
}

/* JSON of a reply with 32-byte bins as text ids: entry hashes for keys
 * such as hash, ref, a, b, evidence; initiatives for network; else keys. */
static enum id_kind kind_of(const char *key, size_t len)
{
	static const char *const entries[] = {"hash", "ref", "a", "b", "evidence", "reply_to", NULL};

	for (size_t i = 0; entries[i]; i++)
		if (strlen(entries[i]) == len && memcmp(entries[i], key, len) == 0)
			return ID_ENTRY;
	if (len == 7 && memcmp(key, "network", 7) == 0)
		return ID_NETWORK;
	return ID_KEY;
}

static void json_ids(FILE *f, const msgpack_object *o, const char *key, size_t klen)
{
	char idt[ID_TEXT_MAX];

	switch (o->type) {
	case MSGPACK_OBJECT_BIN:
		if (o->via.bin.size == 32) {
			id_encode(kind_of(key, klen), (const uint8_t *)o->via.bin.ptr, idt);
			fprintf(f, "\"%s\"", idt);
		} else {
			out_json_value(f, o);
		}
		break;
	case MSGPACK_OBJECT_ARRAY:
		fputc('[', f);
		for (uint32_t i = 0; i < o->via.array.size; i++) {
			if (i)
				fputc(',', f);
			json_ids(f, &o->via.array.ptr[i], key, klen);
		}
		fputc(']', f);
		break;
	case MSGPACK_OBJECT_MAP:
		fputc('{', f);
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			const msgpack_object_kv *kv = &o->via.map.ptr[i];
			const char *k = "";
			size_t kl = 0;

			if (i)
				fputc(',', f);
			if (kv->key.type == MSGPACK_OBJECT_STR) {
				k = kv->key.via.str.ptr;
				kl = kv->key.via.str.size;
				out_json_str(f, k, kl);
			} else {
				fputs("\"?\"", f);
			}
			fputc(':', f);
			json_ids(f, &kv->val, k, kl);
		}
		fputc('}', f);
		break;
	default:
		out_json_value(f, o);
	}
}

/* Reply as JSON, without the "ok" flag unless keep_ok. */
static void json_reply(const msgpack_object *m, bool keep_ok)
{
	bool first = true;

	if (m->type != MSGPACK_OBJECT_MAP) {
		json_ids(stdout, m, "", 0);
		fputc('\n', stdout);
		return;
	}
	fputc('{', stdout);
	for (uint32_t i = 0; i < m->via.map.size; i++) {
		const msgpack_object_kv *kv = &m->via.map.ptr[i];

		if (kv->key.type != MSGPACK_OBJECT_STR)
			continue;
		if (!keep_ok && kv->key.via.str.size == 2 && memcmp(kv->key.via.str.ptr, "ok", 2) == 0)
			continue;
		if (!first)
			fputc(',', stdout);
		first = false;
		out_json_str(stdout, kv->key.via.str.ptr, kv->key.via.str.size);
		fputc(':', stdout);
		json_ids(stdout, &kv->val, kv->key.via.str.ptr, kv->key.via.str.size);
	}
	fputs("}\n", stdout);
}

/* ---- text input ---- */


/* TEXT, or stdin for "-" (one trailing newline dropped). NULL after
 * printing an error (*ret). */
static char *get_text(const char *cmd, const char *arg, size_t *len, bool allow_empty, int *ret)
{
	char *text;

	if (arg == NULL || strcmp(arg, "-") == 0) {
		text = cli_read_stdin(BODY_TEXT_MAX, len);
		if (text != NULL && *len > 0 && *len <= BODY_TEXT_MAX && text[*len - 1] == '\n')
			text[--*len] = '\0';
	} else {
		text = strdup(arg);
		*len = text ? strlen(text) : 0;
	}
	if (text == NULL) {
		*ret = cli_fail(cmd, PAKT_ENOMEM, "out of memory");
		return NULL;
	}
	if (*len > BODY_TEXT_MAX) {
		free(text);
		*ret = cli_usage(cmd, "the text is longer than %d bytes", BODY_TEXT_MAX);
		return NULL;
	}
	if (memchr(text, '\0', *len) != NULL) {
		free(text);
		*ret = cli_usage(cmd, "the text contains a NUL byte");
		return NULL;
	}
	if (*len == 0 && !allow_empty) {
		free(text);
		*ret = cli_usage(cmd, "the text is empty");
		return NULL;
	}
	return text;
}

/* A string option's length within [min, max] bytes, else a usage error. */
static int check_len(const char *cmd, const char *what, const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min)
		return cli_usage(cmd, "%s is empty", what);
	if (n > max)
		return cli_usage(cmd, "%s is longer than %zu bytes", what, max);
	return CLI_OK;
}

/* ---- agenda ---- */

static int agenda_set(int argc, char **argv)
{
	struct wopts o;
	struct body_indicator ind[BODY_INDICATORS_MAX];
	struct wreq r;
	struct client c;
	const msgpack_object *m;
	char why[256], extra[64];
	int ret = wopts("agenda", argc, argv, A(W_NETWORK) | A(W_GOAL) | A(W_INDICATOR), 0, 0, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if (!o.given[W_GOAL])
		return cli_usage("agenda", "--goal TEXT is required (it may be \"\")");
	if ((ret = check_len("agenda", "--goal", o.val[W_GOAL], 0, BODY_TEXT_MAX)) != CLI_OK)
		return ret;
	if (o.ind.n == 0)
		return cli_usage("agenda", "give at least one --indicator ID:NAME:UNIT[:TARGET[:up|down]]");
	if (o.ind.n > BODY_INDICATORS_MAX)
		return cli_usage("agenda", "at most %d indicators", BODY_INDICATORS_MAX);
	for (size_t i = 0; i < o.ind.n; i++) {
		if (metrics_parse_indicator(o.ind.v[i], &ind[i], why, sizeof why) != 0)
			return cli_usage("agenda", "--indicator: %s", why);
		for (size_t k = 0; k < i; k++)
			if (strcmp(ind[k].id, ind[i].id) == 0)
				return cli_usage("agenda", "--indicator: id '%s' given twice", ind[i].id);
	}
	wr_begin(&r, "agenda.set", &o);
	wr_str(&r, "goal", o.val[W_GOAL]);
	msgpack_pack_array(wr_key(&r, "indicators"), (uint32_t)o.ind.n);
	for (size_t i = 0; i < o.ind.n; i++) {
		msgpack_pack_map(&r.b.pk, 4 + ind[i].has_target);
		mpx_kv_str(&r.b.pk, "direction", ind[i].down ? "down" : "up");
		mpx_kv_str(&r.b.pk, "id", ind[i].id);
		mpx_kv_str(&r.b.pk, "name", ind[i].name);
		if (ind[i].has_target) {
			mpx_str(&r.b.pk, "target");
			msgpack_pack_double(&r.b.pk, ind[i].target);
		}
		mpx_kv_str(&r.b.pk, "unit", ind[i].unit);
	}
	ret = wr_send(&r, &c, &o, &m, 10000);
	if (ret == CLI_OK) {
		snprintf(extra, sizeof extra, " (%zu indicator%s)", o.ind.n, o.ind.n == 1 ? "" : "s");
		print_posted(m, "agenda set", extra);
	}
	return done(&c, ret);
}

static int agenda_show(int argc, char **argv)
{
	struct wopts o;
	struct wreq r;
	struct client c;
	const msgpack_object *m;
	struct body_indicator ind[BODY_INDICATORS_MAX];
	char goal[BODY_TEXT_MAX + 1] = "", by[ID_TEXT_MAX], when[32];
	uint64_t history = 0;
	size_t n;
	int ret = wopts("agenda", argc, argv, A(W_NETWORK) | A(W_JSON), 0, 0, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	wr_begin(&r, "agenda", &o);
	ret = wr_send(&r, &c, &o, &m, 10000);
	if (ret != CLI_OK)
		return done(&c, ret);
	if (o.given[W_JSON]) {
		json_reply(m, false);
		return done(&c, ret);
	}
	mpx_get_cstr(m, "goal", goal, sizeof goal);
	get_id(m, "set_by", ID_KEY, by);
	get_when(m, "set_at", when);
	mpx_get_u64(m, "history", &history);
	n = get_indicators(mpx_get(m, "indicators"), ind, BODY_INDICATORS_MAX);
	printf("goal: %s\n", goal[0] ? goal : "(none)");
	printf("set by %s at %s", by, when);
	if (history > 1)
		printf(" (agenda %" PRIu64 ", replacing %" PRIu64 " earlier)", history, history - 1);
	printf("\n\n%-20s %-32s %-10s %12s  %s\n", "ID", "NAME", "UNIT", "TARGET", "DIRECTION");
	for (size_t i = 0; i < n; i++) {
		char tgt[32] = "-";

		if (ind[i].has_target)
			metrics_fmt_num(ind[i].target, tgt);
		printf("%-20s %-32s %-10s %12s  %s\n", ind[i].id, ind[i].name,
		       ind[i].unit[0] ? ind[i].unit : "-", tgt,
		       ind[i].down ? "down (lower is better)" : "up (higher is better)");
	}
	return done(&c, ret);
}

int cmd_agenda(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "set") == 0)
		return agenda_set(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return agenda_show(argc - 1, argv + 1);
	if (argc >= 2 && argv[1][0] != '-')
		return cli_usage("agenda", "the subcommand is 'set' (or none, to show the agenda)");
	return agenda_show(argc, argv);
}

/* ---- update ---- */

int cmd_update(int argc, char **argv)
{
	struct wopts o;
	struct body_value v[BODY_INDICATORS_MAX];
	struct wreq r;
	struct client c;
	const msgpack_object *m;
	char why[256], *text;
	size_t len;
	int ret = wopts("update", argc, argv, A(W_NETWORK) | A(W_VALUE) | A(W_PERIOD), 0, 1, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if (o.values.n > BODY_INDICATORS_MAX)
		return cli_usage("update", "at most %d --value options", BODY_INDICATORS_MAX);
	for (size_t i = 0; i < o.values.n; i++) {
		if (metrics_parse_value(o.values.v[i], &v[i], why, sizeof why) != 0)
			return cli_usage("update", "--value: %s", why);
		for (size_t k = 0; k < i; k++)
			if (strcmp(v[k].indicator, v[i].indicator) == 0)
				return cli_usage("update", "--value: indicator '%s' given twice",
						 v[i].indicator);
	}
	if (o.given[W_PERIOD] && (strlen(o.val[W_PERIOD]) > BODY_PERIOD_MAX ||
				  date_period_parse(o.val[W_PERIOD], NULL, NULL) != 0))
		return cli_usage("update", "--period '%.40s' is not YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD "
				 "or FROM..TO (dates YYYY-MM-DD)", o.val[W_PERIOD]);
	text = get_text("update", o.argc ? o.argv[0] : NULL, &len, o.values.n > 0, &ret);
	if (text == NULL)
		return ret;
	wr_begin(&r, "update", &o);
	wr_strn(&r, "text", text, len);
	if (o.given[W_PERIOD])
		wr_str(&r, "period", o.val[W_PERIOD]);
	if (o.values.n > 0) {
		msgpack_pack_array(wr_key(&r, "values"), (uint32_t)o.values.n);
		for (size_t i = 0; i < o.values.n; i++) {
			msgpack_pack_map(&r.b.pk, 2);
			mpx_kv_str(&r.b.pk, "indicator", v[i].indicator);
			mpx_str(&r.b.pk, "value");
			msgpack_pack_double(&r.b.pk, v[i].value);
		}
	}
	free(text);
	ret = wr_send(&r, &c, &o, &m, 10000);
	if (ret == CLI_OK)
		print_posted(m, "posted update", NULL);
	return done(&c, ret);
}

/* ---- metrics ---- */

/* Write the SVG to path via path.tmp and rename. */
static int write_chart(const char *path, const struct metrics *mt)
{
	char tmp[4096];
	FILE *f;
	int fd, err;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return cli_usage("metrics", "--chart: the file name is too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return cli_fail("metrics", PAKT_EIO, "--chart: cannot create %s: %s", tmp, strerror(errno));
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		unlink(tmp);
		return cli_fail("metrics", PAKT_ENOMEM, "out of memory");
	}
	metrics_svg(f, mt);
	err = ferror(f) ? errno : 0;
	if (fclose(f) != 0 && err == 0)
		err = errno ? errno : EIO;
	if (err == 0 && rename(tmp, path) != 0)
		err = errno;
	if (err != 0) {
		unlink(tmp);
		return cli_fail("metrics", PAKT_EIO, "--chart: cannot write %s: %s", path, strerror(err));
	}
	return CLI_OK;
}

int cmd_metrics(int argc, char **argv)
{
	struct wopts o;
	struct wreq r;
	struct client c;
	const msgpack_object *m, *rows_o;
	struct body_indicator defs[BODY_INDICATORS_MAX];
	struct metric_row *rows = NULL;
	struct metrics mt;
	size_t n_defs, n_rows = 0;
	const char *only = NULL;
	bool by_period = false;
	int ret = wopts("metrics", argc, argv,
			A(W_NETWORK) | A(W_BY) | A(W_JSON) | A(W_CSV) | A(W_CHART), 0, 1, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if (o.argc == 1) {
		only = o.argv[0];
		if (!metrics_valid_id(only))
			return cli_usage("metrics", "indicator id '%.40s' must be 1 to %d of a-z, 0-9, _ and -",
					 only, BODY_ID_MAX);
	}
	if (o.given[W_BY]) {
		if (strcmp(o.val[W_BY], "period") == 0)
			by_period = true;
		else if (strcmp(o.val[W_BY], "org") != 0)
			return cli_usage("metrics", "--by takes org or period, not '%.40s'", o.val[W_BY]);
	}
	if (o.given[W_JSON] && o.given[W_CSV])
		return cli_usage("metrics", "--json and --csv exclude each other");
	if (o.given[W_CHART] && o.val[W_CHART][0] == '\0')
		return cli_usage("metrics", "--chart needs a file name");
	wr_begin(&r, "metrics", &o);
	ret = wr_send(&r, &c, &o, &m, TIMEOUT_BIG);
	if (ret != CLI_OK)
		return done(&c, ret);
	n_defs = get_indicators(mpx_get(m, "indicators"), defs, BODY_INDICATORS_MAX);
	rows_o = mpx_get(m, "rows");
	if (arr_n(rows_o) > 0 && (rows = calloc(arr_n(rows_o), sizeof *rows)) == NULL)
		return done(&c, cli_fail("metrics", PAKT_ENOMEM, "out of memory"));
	for (uint32_t i = 0; i < arr_n(rows_o); i++) {
		const msgpack_object *x = &rows_o->via.array.ptr[i];
		struct metric_row *row = &rows[n_rows];

		if (mpx_get_binn(x, "author", row->author, 32) != 0 ||
		    mpx_get_cstr(x, "indicator", row->indicator, sizeof row->indicator) != 0 ||
		    mpx_get_cstr(x, "period", row->period, sizeof row->period) != 0 ||
		    get_f64(x, "value", &row->value) != 0 || !isfinite(row->value))
			continue;       /* a row we cannot read is left out */
		mpx_get_cstr(x, "name", row->name, sizeof row->name);
		if (mpx_get_i64(x, "from", &row->from) != 0 || mpx_get_i64(x, "to", &row->to) != 0)
			date_period_parse(row->period, &row->from, &row->to);
		mpx_get_u64(x, "at", &row->at);
		n_rows++;
	}
	ret = metrics_build(&mt, defs, n_defs, rows, n_rows, only);
	free(rows);
	if (ret != 0)
		return done(&c, cli_fail("metrics", ret, "out of memory"));
	if (only && mt.n_ind == 0) {
		metrics_free(&mt);
		return done(&c, cli_fail("metrics", PAKT_ENOTFOUND,
					 "no indicator '%s' in the agenda or the updates; see 'pakt agenda'",
					 only));
	}
	if (o.given[W_CHART])
		ret = write_chart(o.val[W_CHART], &mt);
	if (o.given[W_JSON])
		metrics_json(stdout, &mt);
	else if (o.given[W_CSV])
		metrics_csv(stdout, &mt);
	else {
		metrics_text(stdout, &mt, by_period);
		if (ret == CLI_OK && o.given[W_CHART])
			printf("\nchart written to %s\n", o.val[W_CHART]);
	}
	metrics_free(&mt);
	return done(&c, ret);
}

/* ---- commitments ---- */

/* "pk_a,pk_b" or repeated options into unique keys; prints usage errors. */
static int parse_keys(const char *cmd, const char *what, const struct wlist *l,
		      uint8_t (*keys)[32], size_t cap, size_t *n)
{
	char buf[ID_TEXT_MAX + 8];
	int ret;

	*n = 0;
	for (size_t i = 0; i < l->n; i++) {
		const char *p = l->v[i];

		for (;;) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			uint8_t key[32];
			bool dup = false;

			if (len == 0 || len >= sizeof buf)
				return cli_usage(cmd, "%s '%.80s' is not a list of pk_ ids", what, l->v[i]);
			memcpy(buf, p, len);
			buf[len] = '\0';
			if ((ret = cli_parse_id(cmd, what, ID_KEY, buf, key)) != CLI_OK)
				return ret;
			for (size_t k = 0; k < *n; k++)
				dup |= memcmp(keys[k], key, 32) == 0;
			if (!dup) {
				if (*n == cap)
					return cli_usage(cmd, "at most %zu organisations in %s", cap, what);
				memcpy(keys[(*n)++], key, 32);
			}
			if (comma == NULL)
				break;
			p = comma + 1;
		}
	}
	return CLI_OK;
}

int cmd_commit(int argc, char **argv)
{
	struct wopts o;
	struct wreq r;
	struct client c;
	const msgpack_object *m;
	uint8_t parties[BODY_PARTIES_MAX][32];
	size_t n_parties;
	int64_t day;
	double target = 0;
	int ret = wopts("commit", argc, argv, A(W_NETWORK) | A(W_PARTY) | A(W_DUE) | A(W_INDICATOR) |
			A(W_TARGET) | A(W_DESCRIPTION), 1, 1, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if ((ret = check_len("commit", "the title", o.argv[0], 1, BODY_TITLE_MAX)) != CLI_OK)
		return ret;
	if (o.party.n == 0)
		return cli_usage("commit", "give the committing organisations with --party ID");
	if ((ret = parse_keys("commit", "--party", &o.party, parties, BODY_PARTIES_MAX, &n_parties)) != CLI_OK)
		return ret;
	if (!o.given[W_DUE])
		return cli_usage("commit", "--due YYYY-MM-DD is required");
	if (date_parse(o.val[W_DUE], &day) != 0)
		return cli_usage("commit", "--due '%.40s' is not a date YYYY-MM-DD", o.val[W_DUE]);
	if (o.ind.n > 1)
		return cli_usage("commit", "a commitment moves at most one --indicator");
	if (o.ind.n == 1 && !metrics_valid_id(o.ind.v[0]))
		return cli_usage("commit", "--indicator '%.40s' must be 1 to %d of a-z, 0-9, _ and -",
				 o.ind.v[0], BODY_ID_MAX);
	if (o.given[W_TARGET]) {
		if (o.ind.n == 0)
			return cli_usage("commit", "--target needs --indicator");
		if (!metrics_parse_number(o.val[W_TARGET], &target))
			return cli_usage("commit", "--target '%.40s' is not a finite number", o.val[W_TARGET]);
	}
	if (o.given[W_DESCRIPTION] &&
	    (ret = check_len("commit", "--description", o.val[W_DESCRIPTION], 1, BODY_TEXT_MAX)) != CLI_OK)
		return ret;
	wr_begin(&r, "commit", &o);
	wr_str(&r, "title", o.argv[0]);
	msgpack_pack_array(wr_key(&r, "parties"), (uint32_t)n_parties);
	for (size_t i = 0; i < n_parties; i++)
		mpx_bin(&r.b.pk, parties[i], 32);
	wr_str(&r, "due", o.val[W_DUE]);
	if (o.ind.n == 1)
		wr_str(&r, "indicator", o.ind.v[0]);
	if (o.given[W_TARGET])
		wr_f64(&r, "target", target);
	if (o.given[W_DESCRIPTION])
		wr_str(&r, "description", o.val[W_DESCRIPTION]);
	ret = wr_send(&r, &c, &o, &m, 10000);
	if (ret == CLI_OK) {
		uint8_t hash[32];
		char idt[ID_TEXT_MAX];

		if (mpx_get_binn(m, "hash", hash, 32) == 0) {
			id_encode(ID_ENTRY, hash, idt);
			printf("committed %s\n", idt);
		} else {
			puts("committed");
		}
	}
	return done(&c, ret);
}

/* accept, decline */
static int answer(const char *cmd, int argc, char **argv)
{
	bool decline = strcmp(cmd, "decline") == 0;
	struct wopts o;
	struct wreq r;
	struct client c;
	const msgpack_object *m;
	uint8_t ref[32];
	char verb[96];
	int ret = wopts(cmd, argc, argv, A(W_NETWORK) | (decline ? A(W_REASON) : 0), 1, 1, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if ((ret = cli_parse_id(cmd, "commitment", ID_ENTRY, o.argv[0], ref)) != CLI_OK)
		return ret;
	if (o.given[W_REASON] &&
	    (ret = check_len(cmd, "--reason", o.val[W_REASON], 1, BODY_REASON_MAX)) != CLI_OK)
		return ret;
	wr_begin(&r, cmd, &o);
	wr_bin(&r, "ref", ref);
	if (o.given[W_REASON])
		wr_str(&r, "reason", o.val[W_REASON]);
	ret = wr_send(&r, &c, &o, &m, 10000);
	if (ret == CLI_OK) {
		snprintf(verb, sizeof verb, "%s %s:", decline ? "declined" : "accepted", o.argv[0]);
		print_posted(m, verb, NULL);
	}
	return done(&c, ret);
}

int cmd_accept(int argc, char **argv)
{
	return answer("accept", argc, argv);
}

int cmd_decline(int argc, char **argv)
{
	return answer("decline", argc, argv);
}

int cmd_progress(int argc, char **argv)
{
	static const char *const states[] = {"in-progress", "fulfilled", "missed", "withdrawn", NULL};
	struct wopts o;
	struct wreq r;
	struct client c;
	const msgpack_object *m;
	uint8_t ref[32], ev[32];
	char verb[128];
	bool ok = false;
	int ret = wopts("progress", argc, argv, A(W_NETWORK) | A(W_NOTE) | A(W_EVIDENCE), 2, 2, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if ((ret = cli_parse_id("progress", "commitment", ID_ENTRY, o.argv[0], ref)) != CLI_OK)
		return ret;
	for (size_t i = 0; states[i]; i++)
		ok |= strcmp(o.argv[1], states[i]) == 0;
	if (!ok)
		return cli_usage("progress", "the state is in-progress, fulfilled, missed or withdrawn, "
				 "not '%.40s'", o.argv[1]);
	if (o.given[W_NOTE] && (ret = check_len("progress", "--note", o.val[W_NOTE], 1, BODY_TEXT_MAX)) != CLI_OK)
		return ret;
	if (o.given[W_EVIDENCE] &&
	    (ret = cli_parse_id("progress", "--evidence", ID_ENTRY, o.val[W_EVIDENCE], ev)) != CLI_OK)
		return ret;
	wr_begin(&r, "progress", &o);
	wr_bin(&r, "ref", ref);
	wr_str(&r, "state", o.argv[1]);
	if (o.given[W_NOTE])
		wr_str(&r, "note", o.val[W_NOTE]);
	if (o.given[W_EVIDENCE])
		wr_bin(&r, "evidence", ev);
	ret = wr_send(&r, &c, &o, &m, 10000);
	if (ret == CLI_OK) {
		snprintf(verb, sizeof verb, "%s is now %s:", o.argv[0], o.argv[1]);
		print_posted(m, verb, NULL);
	}
	return done(&c, ret);
}

/* One commitment of a commitments or audit reply, for people. */
static void print_commitment(const msgpack_object *x, bool audit)
{
	char title[BODY_TITLE_MAX + 1] = "", idt[ID_TEXT_MAX], who[200], when[32], due[16] = "-";
	char outcome[16] = "-", state[16] = "none", ind[BODY_ID_MAX + 1] = "", num[32];
	char *desc = malloc(BODY_TEXT_MAX + 1);
	const msgpack_object *parties = mpx_get(x, "parties"), *st = mpx_get(x, "statuses");
	const msgpack_object *rcv = mpx_get(x, "received_by");
	double target;
	bool cs = false, otc = false;

	mpx_get_cstr(x, "title", title, sizeof title);
	get_id(x, "hash", ID_ENTRY, idt);
	get_who(x, "author_name", "author", who, sizeof who);
	get_when(x, mpx_get(x, "created") ? "created" : "at", when);
	mpx_get_cstr(x, "due", due, sizeof due);
	mpx_get_cstr(x, "outcome", outcome, sizeof outcome);
	mpx_get_cstr(x, "state", state, sizeof state);
	mpx_get_bool(x, "countersigned", &cs);
	printf("%s\n  %s\n", title[0] ? title : "(untitled)", idt);
	printf("  by %s, %s; due %s; outcome: %s; countersigned: %s\n", who, when, due, outcome,
	       cs ? "yes (every party accepted)" : "no");
	if (desc != NULL) {
		desc[0] = '\0';
		if (mpx_get_cstr(x, "description", desc, BODY_TEXT_MAX + 1) == 0 && desc[0])
			printf("  %s\n", desc);
		free(desc);
	}
	if (mpx_get_cstr(x, "indicator", ind, sizeof ind) == 0 && ind[0]) {
		printf("  moves indicator %s", ind);
		if (get_f64(x, "target", &target) == 0) {
			metrics_fmt_num(target, num);
			printf(" to %s", num);
		}
		putchar('\n');
	}
	printf("  parties:\n");
	for (uint32_t i = 0; i < arr_n(parties); i++) {
		const msgpack_object *p = &parties->via.array.ptr[i];
		char resp[16] = "none";

		get_who(p, "name", "key", who, sizeof who);
		mpx_get_cstr(p, "response", resp, sizeof resp);
		get_when(p, "at", when);
		if (strcmp(resp, "none") == 0)
			printf("    %-40s no answer yet\n", who);
		else
			printf("    %-40s %s %s\n", who, resp, when);
	}
	if (arr_n(st) == 0) {
		printf("  status: none yet\n");
	} else if (!audit) {
		/* the latest status */
		const msgpack_object *s = &st->via.array.ptr[arr_n(st) - 1];
		char note[300] = "";

		get_who(s, "by_name", "by", who, sizeof who);
		get_when(s, "at", when);
		mpx_get_cstr(s, "note", note, sizeof note);
		printf("  status: %s since %s, by %s%s%s%s\n", state, when, who,
		       note[0] ? " (\"" : "", note, note[0] ? "\")" : "");
	} else {
		printf("  status history:\n");
		for (uint32_t i = 0; i < arr_n(st); i++) {
			const msgpack_object *s = &st->via.array.ptr[i];
			char sst[16] = "?", note[300] = "";

			get_who(s, "by_name", "by", who, sizeof who);
			get_when(s, "at", when);
			mpx_get_cstr(s, "state", sst, sizeof sst);
			mpx_get_cstr(s, "note", note, sizeof note);
			printf("    %s  %-11s by %s%s%s%s\n", when, sst, who, note[0] ? " (\"" : "", note,
			       note[0] ? "\")" : "");
		}
	}
	if (audit) {
		printf("  received by:");
		if (arr_n(rcv) == 0)
			printf(" nobody confirmed yet\n");
		else
			putchar('\n');
		for (uint32_t i = 0; i < arr_n(rcv); i++) {
			const msgpack_object *p = &rcv->via.array.ptr[i];

			get_who(p, "name", "key", who, sizeof who);
			get_when(p, "at", when);
			printf("    %-40s %s\n", who, when);
		}
		mpx_get_bool(x, "on_time_confirmed", &otc);
		printf("  on time confirmed: %s\n", otc ? "yes" : "no");
	}
}

int cmd_commitments(int argc, char **argv)
{
	struct wopts o;
	struct wreq r;
	struct client c;
	const msgpack_object *m, *list;
	uint8_t party[32];
	int filters, ret = wopts("commitments", argc, argv, A(W_NETWORK) | A(W_MINE) | A(W_PARTY) |
				 A(W_OPEN) | A(W_OVERDUE) | A(W_JSON), 0, 0, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	filters = o.given[W_MINE] + o.given[W_OPEN] + o.given[W_OVERDUE];
	if (filters > 1)
		return cli_usage("commitments", "give one of --mine, --open and --overdue");
	if (o.party.n > 1)
		return cli_usage("commitments", "give one --party");
	if (o.party.n == 1 &&
	    (ret = cli_parse_id("commitments", "--party", ID_KEY, o.party.v[0], party)) != CLI_OK)
		return ret;
	wr_begin(&r, "commitments", &o);
	if (filters)
		wr_str(&r, "filter", o.given[W_MINE] ? "mine" : o.given[W_OPEN] ? "open" : "overdue");
	if (o.party.n == 1)
		wr_bin(&r, "party", party);
	ret = wr_send(&r, &c, &o, &m, TIMEOUT_BIG);
	if (ret != CLI_OK)
		return done(&c, ret);
	list = mpx_get(m, "commitments");
	if (o.given[W_JSON]) {
		if (list)
			json_ids(stdout, list, "commitments", 11);
		else
			fputs("[]", stdout);
		fputc('\n', stdout);
		return done(&c, ret);
	}
	if (arr_n(list) == 0)
		puts("no commitments");
	for (uint32_t i = 0; i < arr_n(list); i++) {
		if (i)
			putchar('\n');
		print_commitment(&list->via.array.ptr[i], false);
	}
	return done(&c, ret);
}

/* ---- audit ---- */

int cmd_audit(int argc, char **argv)
{
	struct wopts o;
	struct wreq r;
	struct client c;
	const msgpack_object *m, *a;
	uint8_t author[32];
	uint64_t checked = 0;
	char who[200], idt[ID_TEXT_MAX], idt2[ID_TEXT_MAX], when[32];
	bool ok = false;
	int ret = wopts("audit", argc, argv, A(W_NETWORK) | A(W_JSON), 0, 1, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if (o.argc == 1 && (ret = cli_parse_id("audit", "organisation id", ID_KEY, o.argv[0], author)) != CLI_OK)
		return ret;
	wr_begin(&r, "audit", &o);
	if (o.argc == 1)
		wr_bin(&r, "author", author);
	ret = wr_send(&r, &c, &o, &m, TIMEOUT_BIG);
	if (ret != CLI_OK)
		return done(&c, ret);
	mpx_get_bool(m, "ok", &ok);
	if (o.given[W_JSON]) {
		json_reply(m, true);
		return done(&c, ok ? CLI_OK : CLI_FAIL);
	}
	mpx_get_u64(m, "checked", &checked);
	a = mpx_get(m, "bad");
	printf("chains and signatures: %" PRIu64 " entries checked, %s\n", checked,
	       arr_n(a) ? "PROBLEMS FOUND" : "all valid");
	for (uint32_t i = 0; i < arr_n(a); i++) {
		const msgpack_object *x = &a->via.array.ptr[i];
		uint64_t seq = 0;
		char reason[256] = "?";

		get_id(x, "author", ID_KEY, idt);
		mpx_get_u64(x, "seq", &seq);
		mpx_get_cstr(x, "reason", reason, sizeof reason);
		printf("  BAD %s #%" PRIu64 ": %s\n", idt, seq, reason);
	}
	a = mpx_get(m, "forks");
	printf("forks:%s\n", arr_n(a) ? "" : " none");
	for (uint32_t i = 0; i < arr_n(a); i++) {
		const msgpack_object *x = &a->via.array.ptr[i];
		uint64_t seq = 0;

		get_id(x, "author", ID_KEY, idt);
		mpx_get_u64(x, "seq", &seq);
		printf("  FORK %s #%" PRIu64 ": two different entries\n", idt, seq);
		get_id(x, "a", ID_ENTRY, idt);
		get_id(x, "b", ID_ENTRY, idt2);
		printf("    %s\n    %s\n", idt, idt2);
	}
	a = mpx_get(m, "commitments");
	printf("\ncommitments:%s\n", arr_n(a) ? "" : " none");
	for (uint32_t i = 0; i < arr_n(a); i++) {
		putchar('\n');
		print_commitment(&a->via.array.ptr[i], true);
	}
	a = mpx_get(m, "orgs");
	printf("\nrecord per organisation:\n");
	if (arr_n(a) == 0)
		printf("  (none)\n");
	else
		printf("  %-40s %6s %8s %6s %6s %6s %6s\n", "ORGANISATION", "MADE", "ACCEPTED", "KEPT",
		       "LATE", "MISSED", "OPEN");
	for (uint32_t i = 0; i < arr_n(a); i++) {
		const msgpack_object *x = &a->via.array.ptr[i];
		uint64_t v[6] = {0};
		static const char *const k[6] = {"made", "accepted", "kept", "late", "missed", "open"};

		get_who(x, "name", "key", who, sizeof who);
		for (int j = 0; j < 6; j++)
			mpx_get_u64(x, k[j], &v[j]);
		printf("  %-40s %6" PRIu64 " %8" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64 "\n",
		       who, v[0], v[1], v[2], v[3], v[4], v[5]);
	}
	a = mpx_get(m, "anomalies");
	printf("\nanomalies:%s\n", arr_n(a) ? "" : " none");
	for (uint32_t i = 0; i < arr_n(a); i++) {
		const msgpack_object *x = &a->via.array.ptr[i];
		uint64_t seq = 0;
		char what[512] = "?";

		get_who(x, "name", "author", who, sizeof who);
		mpx_get_u64(x, "seq", &seq);
		get_id(x, "hash", ID_ENTRY, idt);
		mpx_get_cstr(x, "what", what, sizeof what);
		printf("  %s #%" PRIu64 " %s: %s\n", who, seq, idt, what);
	}
	a = mpx_get(m, "redactions");
	printf("\nredactions:%s\n", arr_n(a) ? "" : " none");
	for (uint32_t i = 0; i < arr_n(a); i++) {
		const msgpack_object *x = &a->via.array.ptr[i];
		uint64_t seq = 0;
		char reason[BODY_REASON_MAX + 1] = "";

		get_id(x, "author", ID_KEY, idt2);
		mpx_get_u64(x, "seq", &seq);
		get_id(x, "ref", ID_ENTRY, idt);
		get_when(x, "at", when);
		mpx_get_cstr(x, "reason", reason, sizeof reason);
		printf("  %s #%" PRIu64 " at %s removed the body of %s%s%s%s\n", idt2, seq, when, idt,
		       reason[0] ? " (\"" : "", reason, reason[0] ? "\")" : "");
	}
	printf("\nresult: %s\n", ok ? "OK: every chain intact, no fork"
	       : "FAILED: a broken chain or a fork (see above)");
	return done(&c, ok ? CLI_OK : CLI_FAIL);
}

/* ---- export ---- */

/* Write len bytes to path via path.tmp and rename; prints errors. */
static int write_file(const char *cmd, const char *path, const uint8_t *p, size_t len)
{
	char tmp[4096];
	size_t off = 0;
	int fd, err = 0;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return cli_usage(cmd, "the file name is too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return cli_fail(cmd, PAKT_EIO, "cannot create %s: %s", tmp, strerror(errno));
	while (off < len) {
		ssize_t w = write(fd, p + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err = w < 0 ? errno : EIO;
			break;
		}
		off += (size_t)w;
	}
	if (err == 0 && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err == 0 && rename(tmp, path) != 0)
		err = errno;
	if (err != 0) {
		unlink(tmp);
		return cli_fail(cmd, PAKT_EIO, "cannot write %s: %s", path, strerror(err));
	}
	return CLI_OK;
}

int cmd_export(int argc, char **argv)
{
	struct wopts o;
	struct wreq r;
	struct client c;
	const msgpack_object *m;
	uint8_t ref[32], feed[32];
	unsigned long long from = 0, to = 0;
	const uint8_t *bundle;
	size_t len;
	int ret = wopts("export", argc, argv, A(W_NETWORK) | A(W_FEED) | A(W_FROM) | A(W_TO) |
			A(W_OUTPUT), 0, 1, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if ((o.argc == 1) == o.given[W_FEED])
		return cli_usage("export", "give either a COMMITMENT (en_...) or --feed ID");
	if (o.argc == 1 && (ret = cli_parse_id("export", "commitment", ID_ENTRY, o.argv[0], ref)) != CLI_OK)
		return ret;
	if (o.given[W_FEED] && (ret = cli_parse_id("export", "--feed", ID_KEY, o.val[W_FEED], feed)) != CLI_OK)
		return ret;
	if ((o.given[W_FROM] || o.given[W_TO]) && !o.given[W_FEED])
		return cli_usage("export", "--from and --to select a range of a --feed");
	if (o.to.n > 1)
		return cli_usage("export", "give --to once");
	if (o.given[W_FROM] && (!cli_parse_count(o.val[W_FROM], &from) || from == 0))
		return cli_usage("export", "--from takes a seq (1, 2, ...), not '%.40s'", o.val[W_FROM]);
	if (o.given[W_TO] && (!cli_parse_count(o.val[W_TO], &to) || to == 0))
		return cli_usage("export", "--to takes a seq (1, 2, ...), not '%.40s'", o.val[W_TO]);
	if (o.given[W_FROM] && o.given[W_TO] && to < from)
		return cli_usage("export", "--to %llu is before --from %llu", to, from);
	if (!o.given[W_OUTPUT] || o.val[W_OUTPUT][0] == '\0')
		return cli_usage("export", "-o FILE is required");
	wr_begin(&r, "export", &o);
	if (o.argc == 1)
		wr_bin(&r, "ref", ref);
	else
		wr_bin(&r, "feed", feed);
	if (o.given[W_FROM])
		wr_u64(&r, "from", from);
	if (o.given[W_TO])
		wr_u64(&r, "to", to);
	ret = wr_send(&r, &c, &o, &m, TIMEOUT_BIG);
	if (ret != CLI_OK)
		return done(&c, ret);
	if (mpx_get_bin(m, "bundle", &bundle, &len) != 0)
		return done(&c, cli_fail("export", PAKT_EPROTO, "paktd sent no bundle"));
	ret = write_file("export", o.val[W_OUTPUT], bundle, len);
	if (ret == CLI_OK)
		printf("wrote %s (%zu bytes); check it offline with 'pakt verify'\n", o.val[W_OUTPUT], len);
	return done(&c, ret);
}

/* ---- redact ---- */

int cmd_redact(int argc, char **argv)
{
	struct wopts o;
	struct wreq r;
	struct client c;
	const msgpack_object *m;
	uint8_t ref[32];
	char verb[128];
	int ret = wopts("redact", argc, argv, A(W_NETWORK) | A(W_REASON), 1, 1, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if ((ret = cli_parse_id("redact", "entry", ID_ENTRY, o.argv[0], ref)) != CLI_OK)
		return ret;
	if (!o.given[W_REASON])
		return cli_usage("redact", "--reason TEXT is required (it may be \"\")");
	if ((ret = check_len("redact", "--reason", o.val[W_REASON], 0, BODY_REASON_MAX)) != CLI_OK)
		return ret;
	wr_begin(&r, "redact", &o);
	wr_bin(&r, "ref", ref);
	wr_str(&r, "reason", o.val[W_REASON]);
	ret = wr_send(&r, &c, &o, &m, 10000);
	if (ret == CLI_OK) {
		snprintf(verb, sizeof verb, "redaction of %s posted:", o.argv[0]);
		print_posted(m, verb, NULL);
	}
	return done(&c, ret);
}

/* ---- profile ---- */

/* HOST:PORT as proto/PROTOCOL.md "profile" defines it. */
static bool valid_address(const char *s)
{
	const char *colon = strrchr(s, ':'), *p;
	size_t hl;
	unsigned long port = 0;

	if (colon == NULL || strlen(s) > BODY_ADDR_MAX)
		return false;
	hl = (size_t)(colon - s);
	if (hl == 0)
		return false;
	if (s[0] == '[') {
		bool has_colon = false;

		if (hl < 3 || s[hl - 1] != ']')
			return false;
		for (p = s + 1; p < s + hl - 1; p++) {
			if (*p == ':')
				has_colon = true;
			else if (!strchr("0123456789abcdefABCDEF.", *p))
				return false;
		}
		if (!has_colon)
			return false;
	} else {
		for (p = s; p < colon; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
				return false;
	}
	p = colon + 1;
	if (*p < '1' || *p > '9' || strlen(p) > 5)
		return false;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		port = port * 10 + (unsigned long)(*p - '0');
	}
	return port >= 1 && port <= 65535;
}

int cmd_profile(int argc, char **argv)
{
	static const char *const sectors[] = {"ngo", "public", "business", "other", NULL};
	struct wopts o;
	struct wreq r;
	struct client c;
	const msgpack_object *m;
	bool ok = false;
	int ret;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return cli_help("profile");
	if (argc < 2 || strcmp(argv[1], "set") != 0)
		return cli_usage("profile", "the subcommand is 'set'");
	ret = wopts("profile", argc - 1, argv + 1, A(W_NETWORK) | A(W_NAME) | A(W_SECTOR) |
		    A(W_CONTACT) | A(W_ADDRESS), 0, 0, &o);
	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if (!o.given[W_NAME])
		return cli_usage("profile", "--name NAME is required");
	if ((ret = check_len("profile", "--name", o.val[W_NAME], 1, BODY_NAME_MAX)) != CLI_OK)
		return ret;
	if (!o.given[W_SECTOR])
		return cli_usage("profile", "--sector is required: ngo, public, business or other");
	for (size_t i = 0; sectors[i]; i++)
		ok |= strcmp(o.val[W_SECTOR], sectors[i]) == 0;
	if (!ok)
		return cli_usage("profile", "--sector is ngo, public, business or other, not '%.40s'",
				 o.val[W_SECTOR]);
	if (o.given[W_CONTACT] &&
	    (ret = check_len("profile", "--contact", o.val[W_CONTACT], 1, BODY_CONTACT_MAX)) != CLI_OK)
		return ret;
	if (o.addr.n > BODY_ADDRS_MAX)
		return cli_usage("profile", "at most %d --address options", BODY_ADDRS_MAX);
	for (size_t i = 0; i < o.addr.n; i++) {
		if (!valid_address(o.addr.v[i]))
			return cli_usage("profile", "--address '%.80s' is not HOST:PORT (port 1-65535; "
					 "IPv6 in brackets)", o.addr.v[i]);
		for (size_t k = 0; k < i; k++)
			if (strcmp(o.addr.v[k], o.addr.v[i]) == 0)
				return cli_usage("profile", "--address %s given twice", o.addr.v[i]);
	}
	wr_begin(&r, "profile.set", &o);
	wr_str(&r, "name", o.val[W_NAME]);
	wr_str(&r, "sector", o.val[W_SECTOR]);
	if (o.given[W_CONTACT])
		wr_str(&r, "contact", o.val[W_CONTACT]);
	if (o.addr.n > 0) {
		msgpack_pack_array(wr_key(&r, "addresses"), (uint32_t)o.addr.n);
		for (size_t i = 0; i < o.addr.n; i++)
			mpx_str(&r.b.pk, o.addr.v[i]);
	}
	ret = wr_send(&r, &c, &o, &m, 10000);
	if (ret == CLI_OK)
		print_posted(m, "profile published", NULL);
	return done(&c, ret);
}

/* ---- messages: sealed posts and replies ---- */

/* Post text, sealed to the --to recipients when there are any, as a reply
 * to reply_to when not NULL. */
static int post_text(struct wopts *o, const char *text, size_t len, const uint8_t *reply_to)
{
	uint8_t to[BODY_BOXES_MAX][32];
	size_t n_to = 0;
	struct wreq r;
	struct client c;
	const msgpack_object *m;
	char extra[64] = "";
	int ret;

	if (o->to.n > 0) {
		/* the daemon adds this node's own key so that it can read the message back */
		if ((ret = parse_keys(o->cmd, "--to", &o->to, to, BODY_BOXES_MAX - 1, &n_to)) != CLI_OK)
			return ret;
		snprintf(extra, sizeof extra, " (sealed to %zu recipient%s)", n_to, n_to == 1 ? "" : "s");
	}
	wr_begin(&r, "post", o);
	wr_strn(&r, "text", text, len);
	if (reply_to != NULL)
		wr_bin(&r, "reply_to", reply_to);
	if (n_to > 0) {
		msgpack_pack_array(wr_key(&r, "to"), (uint32_t)n_to);
		for (size_t i = 0; i < n_to; i++)
			mpx_bin(&r.b.pk, to[i], 32);
	}
	ret = wr_send(&r, &c, o, &m, 10000);
	if (ret == CLI_OK)
		print_posted(m, "posted", extra);
	return done(&c, ret);
}

int cmd_post_sealed(int argc, char **argv)
{
	struct wopts o;
	char *text;
	size_t len;
	int ret = wopts("post", argc, argv, A(W_NETWORK) | A(W_TO), 0, 1, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	text = get_text("post", o.argc ? o.argv[0] : NULL, &len, false, &ret);
	if (text == NULL)
		return ret;
	ret = post_text(&o, text, len, NULL);
	free(text);
	return ret;
}

int cmd_message(int argc, char **argv)
{
	struct wopts o;
	uint8_t ref[32];
	char *text;
	size_t len;
	int ret;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return cli_help("message");
	if (argc < 2 || strcmp(argv[1], "reply") != 0)
		return cli_usage("message", "the subcommand is 'reply'");
	ret = wopts("message", argc - 1, argv + 1, A(W_NETWORK) | A(W_TO), 1, 2, &o);
	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if ((ret = cli_parse_id("message", "entry", ID_ENTRY, o.argv[0], ref)) != CLI_OK)
		return ret;
	text = get_text("message", o.argc == 2 ? o.argv[1] : NULL, &len, false, &ret);
	if (text == NULL)
		return ret;
	ret = post_text(&o, text, len, ref);
	free(text);
	return ret;
}
