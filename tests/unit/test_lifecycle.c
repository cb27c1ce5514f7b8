/* Unit tests of the commitment lifecycle (core/ledger_life.c; PROTOCOL.md,
 * "Lifecycle"): one answer per party unless changed, nothing after a final
 * status unless reopened, the outcome from the latest status that counts,
 * the order from what each author had seen rather than from timestamps.
 * Every rule runs every arrival order, and the offline checker of a bundle
 * must report what the ledger does. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "core/audit.h"
#include "core/ledger.h"
#include "core/roster.h"
#include "keys/keys.h"
#include "proto/body.h"
#include "proto/bundle.h"
#include "proto/entry.h"
#include "proto/err.h"
#include "proto/mpx.h"
#include "tests/unit/ledger_fx.h"

#define T0 1767225600000ULL   /* 2026-01-01, ms */
#define DAY 86400000ULL
struct fx {
	struct lfx_who a, b;
	struct lfx x;
	size_t i_com;
};

static size_t answer(struct fx *f, struct lfx_who *by, const char *type, bool change, const char *why,
		     uint64_t ts)
{
	struct body_ref r;
	struct mpx_out o;

	memset(&r, 0, sizeof r);
	memcpy(r.ref, f->x.ent[f->i_com].hash, 32);
	r.change = change;
	snprintf(r.text, sizeof r.text, "%s", why);
	mpx_init(&o);
	assert_int_equal(body_ref(&o, type, &r), 0);
	return lfx_sign(&f->x, by, type, &o, ts);
}

static size_t status(struct fx *f, struct lfx_who *by, const char *state, bool reopen, uint64_t ts)
{
	struct body_status st;
	struct mpx_out o;

	memset(&st, 0, sizeof st);
	memcpy(st.ref, f->x.ent[f->i_com].hash, 32);
	snprintf(st.state, sizeof st.state, "%s", state);
	snprintf(st.note, sizeof st.note, "note %s", state);
	st.reopen = reopen;
	mpx_init(&o);
	assert_int_equal(body_status(&o, &st), 0);
	return lfx_sign(&f->x, by, "status", &o, ts);
}

/* by's checkpoint naming the entry i of the fixture as its author's head. */
static size_t checkpoint(struct fx *f, struct lfx_who *by, size_t i, uint64_t ts)
{
	struct body_head h;
	struct mpx_out o;

	memcpy(h.author, f->x.ent[i].h.author, 32);
	h.seq = f->x.ent[i].h.seq;
	memcpy(h.hash, f->x.ent[i].hash, 32);
	mpx_init(&o);
	assert_int_equal(body_checkpoint(&o, &h, 1), 0);
	return lfx_sign(&f->x, by, "checkpoint", &o, ts);
}

/* A creates the initiative, admits B, and commits with B as the party
 * (due 2026-06-30). */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct body_commitment c;
	struct mpx_out o;

	assert_non_null(f);
	assert_int_equal(keys_global_init(), 0);
	lfx_who_init(&f->a, 1);
	lfx_who_init(&f->b, 2);
	lfx_genesis(&f->x, &f->a, T0);
	mpx_init(&o);
	assert_int_equal(body_member(&o, true, f->a.id.pk, "A", true), 0);
	lfx_sign(&f->x, &f->a, "member", &o, T0 + 1);
	mpx_init(&o);
	assert_int_equal(body_member(&o, true, f->b.id.pk, "B", false), 0);
	lfx_sign(&f->x, &f->a, "member", &o, T0 + 2);
	memset(&c, 0, sizeof c);
	snprintf(c.title, sizeof c.title, "40 beds by June");
	snprintf(c.due, sizeof c.due, "2026-06-30");
	memcpy(c.parties[0], f->b.id.pk, 32);
	c.n_parties = 1;
	mpx_init(&o);
	assert_int_equal(body_commitment(&o, &c), 0);
	f->i_com = lfx_sign(&f->x, &f->a, "commitment", &o, T0 + 3);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	keys_free(&f->a.id);
	keys_free(&f->b.id);
	free(f);
	return 0;
}

/* What one arrival order must give. */
struct want {
	const char *outcome, *state;
	const char *answer;             /* "accept", "decline" or NULL: none counts */
	size_t n_anomalies;
	size_t anomaly[3];              /* fixture indices of the entries flagged */
	const char *what[3];            /* a word of each one's `what` */
};

static void check(struct fx *f, const struct want *w)
{
	const struct ledger_commit *c = ledger_commit_find(&f->x.l, f->x.ent[f->i_com].hash);
	const struct ledger_response *r;
	const char *state;

	assert_non_null(c);
	assert_string_equal(ledger_outcome(c, 20700, &state), w->outcome);
	assert_string_equal(state, w->state);
	r = ledger_answer(&f->x.r, c, f->b.id.pk);
	if (w->answer == NULL)
		assert_null(r);
	else
		assert_true(r != NULL && r->accepted == (w->answer[0] == 'a'));
	assert_int_equal(f->x.l.n_an, w->n_anomalies);
	for (size_t k = 0; k < w->n_anomalies; k++) {
		bool found = false;

		for (size_t j = 0; j < f->x.l.n_an; j++)
			if (memcmp(f->x.l.an[j].hash, f->x.ent[w->anomaly[k]].hash, 32) == 0) {
				found = true;
				assert_true(f->x.l.an[j].has_ref);
				assert_memory_equal(f->x.l.an[j].ref, f->x.ent[f->i_com].hash, 32);
				assert_non_null(strstr(f->x.l.an[j].what, w->what[k]));
			}
		assert_true(found);
	}
	/* an entry without effect says why, unless a later change replaced it */
	for (size_t i = 0; i < c->n_st; i++)
		assert_true(c->st[i].counts == (c->st[i].breach == NULL));
	for (size_t i = 0; i < c->n_resp; i++)
		assert_true(!c->resp[i].counts || c->resp[i].breach == NULL);
	/* the history keeps everything, in one order whatever the arrival */
	for (size_t i = 1; i < c->n_st; i++)
		assert_true(c->st[i - 1].order <= c->st[i].order);
	for (size_t i = 1; i < c->n_resp; i++)
		assert_true(c->resp[i - 1].order <= c->resp[i].order);
}

struct order_ctx {
	struct fx *f;
	const struct want *w;
};

static void order_check(void *ctx)
{
	struct order_ctx *o = ctx;

	check(o->f, o->w);
}

/* Every arrival order of the commitment and the entries after it: the
 * same result. */
static void every_order(struct fx *f, const struct want *w)
{
	struct order_ctx o = {f, w};

	assert_true(lfx_every_order(&f->x, f->i_com, order_check, &o) >= 1);
}

/* B accepts, then declines without a change marker: the acceptance
 * stands and the decline is an anomaly. */
static void test_answer_twice(void **state)
{
	struct fx *f = *state;
	size_t dec;

	answer(f, &f->b, "accept", false, "", T0 + DAY);
	dec = answer(f, &f->b, "decline", false, "no beds left", T0 + 2 * DAY);
	every_order(f, &(struct want){"overdue", "none", "accept", 1, {dec}, {"second answer"}});
}

/* B accepts, then declines with a change marker: the decline counts, the
 * acceptance is history, no anomaly. */
static void test_answer_changed(void **state)
{
	struct fx *f = *state;
	const struct ledger_commit *c;
	answer(f, &f->b, "accept", false, "", T0 + DAY);
	answer(f, &f->b, "decline", true, "no beds left", T0 + 2 * DAY);
	every_order(f, &(struct want){"overdue", "none", "decline", 0, {0}, {NULL}});
	lfx_derive_signed(&f->x);
	c = ledger_commit_find(&f->x.l, f->x.ent[f->i_com].hash);
	assert_int_equal(c->n_resp, 2);
	assert_false(c->resp[0].counts);
	assert_true(c->resp[1].counts && c->resp[1].change);
	assert_string_equal(c->resp[1].reason, "no beds left");
	assert_false(ledger_countersigned(&f->x.r, c));
	lfx_underive(&f->x);
}

/* A change marker with no earlier answer is just the first answer. */
static void test_change_first(void **state)
{
	struct fx *f = *state;

	answer(f, &f->b, "accept", true, "", T0 + DAY);
	every_order(f, &(struct want){"overdue", "none", "accept", 0, {0}, {NULL}});
}

/* A reports fulfilled, B then accepts and declines: neither counts, both
 * are anomalies, the outcome stays kept. */
static void test_answer_after_final(void **state)
{
	struct fx *f = *state;
	size_t acc, dec;

	status(f, &f->a, "fulfilled", false, T0 + DAY);
	acc = answer(f, &f->b, "accept", false, "", T0 + 2 * DAY);
	dec = answer(f, &f->b, "decline", true, "too late", T0 + 3 * DAY);
	every_order(f, &(struct want){"kept", "fulfilled", NULL, 2, {acc, dec},
				      {"after a final status", "after a final status"}});
}

/* After fulfilled, B's missed without reopen does not count; the outcome
 * stays kept. */
static void test_status_after_final(void **state)
{
	struct fx *f = *state;
	size_t missed;

	answer(f, &f->b, "accept", false, "", T0 + DAY);
	status(f, &f->a, "fulfilled", false, T0 + 2 * DAY);
	missed = status(f, &f->b, "missed", false, T0 + 3 * DAY);
	every_order(f, &(struct want){"kept", "fulfilled", "accept", 1, {missed}, {"reopen"}});
}

/* A reopen marker reopens: the outcome follows the latest status, and an
 * answer after the reopen counts again. */
static void test_reopen(void **state)
{
	struct fx *f = *state;

	answer(f, &f->b, "accept", false, "", T0 + DAY);
	status(f, &f->a, "fulfilled", false, T0 + 2 * DAY);
	status(f, &f->b, "in-progress", true, T0 + 3 * DAY);
	answer(f, &f->b, "decline", true, "we cannot", T0 + 4 * DAY);
	status(f, &f->a, "missed", false, T0 + 5 * DAY);
	every_order(f, &(struct want){"missed", "missed", "decline", 0, {0}, {NULL}});
}

/* B's checkpoint names A's fulfilled status; B's acceptance after it in
 * B's feed is dated before the status (a lagging or lying clock): it is
 * still an answer after the final status. */
static void test_backdated_answer(void **state)
{
	struct fx *f = *state;
	size_t fin, acc;

	fin = status(f, &f->a, "fulfilled", false, T0 + 10 * DAY);
	checkpoint(f, &f->b, fin, T0 + 4 * DAY);
	acc = answer(f, &f->b, "accept", false, "", T0 + 5 * DAY);
	every_order(f, &(struct want){"kept", "fulfilled", NULL, 1, {acc}, {"after a final status"}});
}

/* A's checkpoint names B's acceptance before A reports fulfilled, though
 * B dated it later (B's clock ahead): the acceptance came first. */
static void test_seen_answer_counts(void **state)
{
	struct fx *f = *state;
	size_t acc;

	acc = answer(f, &f->b, "accept", false, "", T0 + 20 * DAY);
	checkpoint(f, &f->a, acc, T0 + 9 * DAY);
	status(f, &f->a, "fulfilled", false, T0 + 10 * DAY);
	every_order(f, &(struct want){"kept", "fulfilled", "accept", 0, {0}, {NULL}});
}

/* The CLI's checks (ledger_check_answer, ledger_check_status) say no with
 * one line to what breaks the lifecycle, yes to what keeps it. */
static void test_checks(void **state)
{
	struct fx *f = *state;
	const struct ledger_commit *c;
	char why[200];

	answer(f, &f->b, "accept", false, "", T0 + DAY);
	lfx_derive_signed(&f->x);
	c = ledger_commit_find(&f->x.l, f->x.ent[f->i_com].hash);
	assert_int_equal(ledger_check_answer(&f->x.r, c, f->b.id.pk, false, false, why, sizeof why),
			 PAKT_EPERM);
	assert_non_null(strstr(why, "already accepted"));
	assert_null(strchr(why, '\n'));
	assert_int_equal(ledger_check_answer(&f->x.r, c, f->b.id.pk, false, true, why, sizeof why), 0);
	assert_int_equal(ledger_check_answer(&f->x.r, c, f->a.id.pk, true, true, why, sizeof why),
			 PAKT_EPERM);
	assert_non_null(strstr(why, "nothing to change"));
	assert_int_equal(ledger_check_status(c, false, why, sizeof why), 0);
	lfx_underive(&f->x);
	status(f, &f->a, "withdrawn", false, T0 + 2 * DAY);
	lfx_derive_signed(&f->x);
	c = ledger_commit_find(&f->x.l, f->x.ent[f->i_com].hash);
	assert_int_equal(ledger_check_answer(&f->x.r, c, f->b.id.pk, false, true, why, sizeof why),
			 PAKT_EPERM);
	assert_non_null(strstr(why, "withdrawn"));
	assert_int_equal(ledger_check_status(c, false, why, sizeof why), PAKT_EPERM);
	assert_non_null(strstr(why, "--reopen"));
	assert_int_equal(ledger_check_status(c, true, why, sizeof why), 0);
	lfx_underive(&f->x);
}

/* The offline checker of an exported bundle reports what the ledger
 * does: the same answers and statuses in the same order, the same that
 * count, the same outcome, and the lifecycle anomalies among its notes. */
static void test_bundle_agrees(void **state)
{
	struct fx *f = *state;
	const struct ledger_commit *c;
	struct bundle_builder b;
	struct audit_report rep;
	struct mpx_out o;
	size_t fin;
	const char *st;

	answer(f, &f->b, "accept", false, "", T0 + DAY);
	answer(f, &f->b, "decline", false, "second thoughts", T0 + 2 * DAY);
	fin = status(f, &f->a, "fulfilled", false, T0 + 10 * DAY);
	checkpoint(f, &f->b, fin, T0 + 4 * DAY);
	status(f, &f->b, "missed", false, T0 + 5 * DAY);
	lfx_derive_signed(&f->x);
	c = ledger_commit_find(&f->x.l, f->x.ent[f->i_com].hash);
	assert_int_equal(f->x.l.n_an, 2);

	bundle_begin(&b, BUNDLE_COMMITMENT, f->x.network, f->x.ent[f->i_com].hash);
	for (size_t i = 0; i < f->x.n; i++)
		assert_int_equal(bundle_add(&b, &f->x.ent[i],
					    bundle_body_wanted(BUNDLE_COMMITMENT, f->x.ent[f->i_com].hash,
							       &f->x.ent[i])), 0);
	mpx_init(&o);
	assert_int_equal(bundle_finish(&b, &o), 0);
	bundle_free(&b);
	assert_int_equal(audit_bundle((const uint8_t *)o.sb.data, o.sb.size, &rep), 0);
	assert_int_equal(rep.n_answers, c->n_resp);
	for (size_t i = 0; i < c->n_resp; i++) {
		assert_memory_equal(rep.answers[i].hash, c->resp[i].hash, 32);
		assert_int_equal(rep.answers[i].counts, c->resp[i].counts);
	}
	assert_int_equal(rep.n_statuses, c->n_st);
	for (size_t i = 0; i < c->n_st; i++) {
		assert_memory_equal(rep.statuses[i].hash, c->st[i].hash, 32);
		assert_int_equal(rep.statuses[i].counts, c->st[i].counts);
	}
	assert_string_equal(rep.outcome, ledger_outcome(c, (T0 + 10 * DAY) / DAY, &st));
	assert_string_equal(rep.outcome, "kept");
	assert_int_equal(rep.n_notes, 2);
	for (size_t i = 0; i < f->x.l.n_an; i++) {
		bool found = false;

		for (size_t k = 0; k < rep.n_notes; k++)
			found |= strstr(rep.notes[k], f->x.l.an[i].what) != NULL;
		assert_true(found);
	}
	audit_report_free(&rep);
	mpx_free(&o);

	/* an exporter that strips the checkpoint would hide what B had seen */
	bundle_begin(&b, BUNDLE_COMMITMENT, f->x.network, f->x.ent[f->i_com].hash);
	for (size_t i = 0; i < f->x.n; i++)
		assert_int_equal(bundle_add(&b, &f->x.ent[i],
					    strcmp(f->x.ent[i].h.type, "checkpoint") != 0 &&
					    bundle_body_wanted(BUNDLE_COMMITMENT, f->x.ent[f->i_com].hash,
							       &f->x.ent[i])), 0);
	mpx_init(&o);
	assert_int_equal(bundle_finish(&b, &o), 0);
	bundle_free(&b);
	assert_int_equal(audit_bundle((const uint8_t *)o.sb.data, o.sb.size, &rep), PAKT_EBODY);
	assert_non_null(strstr(rep.reason, "(checkpoint) has no body"));
	audit_report_free(&rep);
	mpx_free(&o);
	lfx_underive(&f->x);
}

/* The markers: true when present, absent otherwise (one encoding each);
 * a redact has none. */
static void test_markers(void **state)
{
	struct body_ref r, back;
	struct body_status st, sback;
	struct mpx_out o;
	char why[160];

	(void)state;
	memset(&r, 0, sizeof r);
	memset(r.ref, 7, 32);
	r.change = true;
	snprintf(r.text, sizeof r.text, "no beds");
	mpx_init(&o);
	assert_int_equal(body_ref(&o, "decline", &r), 0);
	assert_int_equal(body_validate("decline", (const uint8_t *)o.sb.data, o.sb.size, why, sizeof why), 0);
	assert_int_equal(body_ref_parse("decline", (const uint8_t *)o.sb.data, o.sb.size, &back), 0);
	assert_true(back.change);
	assert_string_equal(back.text, "no beds");
	mpx_free(&o);
	mpx_init(&o);
	assert_int_equal(body_ref(&o, "redact", &r), PAKT_EINVAL);
	mpx_free(&o);

	memset(&st, 0, sizeof st);
	memset(st.ref, 7, 32);
	snprintf(st.state, sizeof st.state, "in-progress");
	st.reopen = true;
	mpx_init(&o);
	assert_int_equal(body_status(&o, &st), 0);
	assert_int_equal(body_status_parse((const uint8_t *)o.sb.data, o.sb.size, &sback), 0);
	assert_true(sback.reopen);
	mpx_free(&o);

	/* {"change": false, "ref": bin32}: false is written by leaving it out */
	mpx_init(&o);
	msgpack_pack_map(&o.pk, 2);
	mpx_kv_bool(&o.pk, "change", false);
	mpx_kv_bin(&o.pk, "ref", r.ref, 32);
	assert_int_equal(body_validate("accept", (const uint8_t *)o.sb.data, o.sb.size, why, sizeof why),
			 PAKT_EBODY);
	assert_string_equal(why, "accept: \"change\" must be true (absent means false)");
	mpx_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_answer_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_after_final, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_after_final, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backdated_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seen_answer_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bundle_agrees, setup, teardown),
		cmocka_unit_test(test_markers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
