/* Unit tests of daemon/net's dialling policy for profiles (rule 4): only
 * the latest profile of a member is dialled, at most 4 addresses, links of
 * an older profile removed, nothing for non-members or ourselves. The loop
 * never runs while links exist, so nothing is dialled for real. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "daemon/members.h"
#include "daemon/net.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/store.h"
#include "keys/keys.h"
#include "proto/body.h"
#include "proto/entry.h"
#include "proto/err.h"
#include "tests/unit/testutil.h"

struct fx {
	char dir[64], path[128];
	uv_loop_t loop;
	struct node node;
	struct net net;
	struct repl_net rn;
	struct tu_feed admin;           /* its genesis makes the network */
	struct keys_identity b, stranger;
	uint8_t body[1024];
	bool closed;
};

static void on_net_closed(struct net *net)
{
	struct fx *f = (struct fx *)((char *)net - offsetof(struct fx, net));

	f->closed = true;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	uint8_t seed[32], prev[32];
	char why[256];
	struct entry_header h = {.version = ENTRY_VERSION, .has_network = true, .seq = 1,
				 .has_prev = true};
	struct entry e;
	const struct entry *ep = &e;
	struct mpx_out o;

	assert_non_null(f);
	assert_int_equal(keys_global_init(), 0);
	assert_int_equal(tu_mkdtemp(f->dir, "net"), 0);
	snprintf(f->path, sizeof f->path, "%s/pakt.db", f->dir);
	assert_int_equal(store_open(&f->node.store, f->path, false, why, sizeof why), 0);
	tu_feed_init(&f->admin, 1, NULL);
	memset(seed, 2, sizeof seed);
	assert_int_equal(keys_from_seed(&f->b, seed), 0);
	memset(seed, 3, sizeof seed);
	assert_int_equal(keys_from_seed(&f->stranger, seed), 0);
	const struct entry *g = &f->admin.e[0];
	assert_int_equal(store_append(f->node.store, &g, 1, 0, NULL), 0);
	/* the admin (us) admits b */
	memcpy(h.network, f->admin.network, 32);
	memcpy(h.author, f->admin.id.pk, 32);
	h.seq = 2;
	memcpy(prev, f->admin.e[0].hash, 32);
	memcpy(h.prev, prev, 32);
	h.timestamp = TU_TIMESTAMP + 10;
	strcpy(h.type, "member");
	mpx_init(&o);
	assert_int_equal(body_member(&o, true, f->b.pk, "Org B", false), 0);
	memcpy(f->body, o.sb.data, o.sb.size);
	assert_int_equal(entry_create(&e, &h, f->body, o.sb.size, keys_sk_open(&f->admin.id)), 0);
	keys_sk_close(&f->admin.id);
	mpx_free(&o);
	assert_int_equal(store_append(f->node.store, &ep, 1, 0, NULL), 0);
	memcpy(f->rn.id, f->admin.network, 32);
	assert_int_equal(members_load(&f->rn.members, f->node.store, f->rn.id), 0);
	assert_non_null(roster_find(&f->rn.members, f->b.pk));
	/* the node is the admin */
	assert_int_equal(uv_loop_init(&f->loop), 0);
	f->node.loop = &f->loop;
	f->node.id = f->admin.id;
	assert_int_equal(net_start(&f->net, &f->node, "127.0.0.1:0", why, sizeof why), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	net_stop(&f->net, on_net_closed);
	while (!f->closed && uv_run(&f->loop, UV_RUN_ONCE))
		;
	assert_true(f->closed);
	assert_int_equal(uv_loop_close(&f->loop), 0);
	roster_free(&f->rn.members);
	store_close(f->node.store);
	memset(&f->node.id, 0, sizeof f->node.id);   /* the admin feed owns it */
	tu_feed_free(&f->admin);
	keys_free(&f->b);
	keys_free(&f->stranger);
	tu_rmdir(f->dir);
	free(f);
	return 0;
}

/* A profile entry of author at ts naming addrs (not signed: the net only
 * reads author, timestamp and body). */
static void profile(struct fx *f, struct entry *e, const uint8_t *author, uint64_t ts,
		    const char *const *addrs, size_t n)
{
	struct body_profile p = {.n_addrs = n};
	struct mpx_out o;

	strcpy(p.name, "Org");
	strcpy(p.sector, "ngo");
	for (size_t i = 0; i < n; i++)
		strcpy(p.addrs[i], addrs[i]);
	mpx_init(&o);
	assert_int_equal(body_profile(&o, &p), 0);
	assert_true(o.sb.size <= sizeof f->body);
	memcpy(f->body, o.sb.data, o.sb.size);
	memset(e, 0, sizeof *e);
	memcpy(e->h.author, author, 32);
	e->h.timestamp = ts;
	strcpy(e->h.type, "profile");
	e->body = f->body;
	e->body_len = o.sb.size;
	mpx_free(&o);
}

static size_t n_links(const struct fx *f)
{
	size_t n = 0;

	for (const struct link *l = f->net.links; l; l = l->next)
		n++;
	return n;
}

/* A newer profile replaces the links of the older one (the old code only
 * ever added: each profile up to 4 more links, never removed), and a late
 * older profile changes nothing. */
static void test_latest_profile_only(void **state)
{
	struct fx *f = *state;
	const char *first[] = {"a.example:7420", "b.example:7420"};
	const char *second[] = {"b.example:7420", "c.example:1", "d.example:1", "e.example:1"};
	const char *older[] = {"z.example:1"};
	struct entry e;

	profile(f, &e, f->b.pk, TU_TIMESTAMP + 100, first, 2);
	net_on_profile(&f->net, &f->rn, &e);
	assert_int_equal(n_links(f), 2);
	assert_non_null(net_link_find(&f->net, "a.example:7420"));
	assert_true(net_link_find(&f->net, "a.example:7420")->has_key);
	assert_memory_equal(net_link_find(&f->net, "a.example:7420")->key, f->b.pk, 32);

	profile(f, &e, f->b.pk, TU_TIMESTAMP + 200, second, 4);
	net_on_profile(&f->net, &f->rn, &e);
	assert_int_equal(n_links(f), 4);
	assert_null(net_link_find(&f->net, "a.example:7420"));
	assert_non_null(net_link_find(&f->net, "b.example:7420"));
	assert_non_null(net_link_find(&f->net, "e.example:1"));

	profile(f, &e, f->b.pk, TU_TIMESTAMP + 150, older, 1);
	net_on_profile(&f->net, &f->rn, &e);
	assert_int_equal(n_links(f), 4);
	assert_null(net_link_find(&f->net, "z.example:1"));
}

/* A non-member's profile and our own are not dialled; a link added by
 * hand is not taken over by a profile naming its address. */
static void test_who_is_dialled(void **state)
{
	struct fx *f = *state;
	const char *addrs[] = {"s.example:1", "manual.example:1"};
	struct entry e;

	profile(f, &e, f->stranger.pk, TU_TIMESTAMP + 100, addrs, 1);
	net_on_profile(&f->net, &f->rn, &e);
	profile(f, &e, f->admin.id.pk, TU_TIMESTAMP + 100, addrs, 1);
	net_on_profile(&f->net, &f->rn, &e);
	assert_int_equal(n_links(f), 0);

	assert_non_null(net_link_add(&f->net, f->rn.id, "manual.example:1", NULL));
	profile(f, &e, f->b.pk, TU_TIMESTAMP + 100, addrs, 2);
	net_on_profile(&f->net, &f->rn, &e);
	assert_int_equal(n_links(f), 2);
	assert_false(net_link_find(&f->net, "manual.example:1")->from_profile);
	assert_false(net_link_find(&f->net, "manual.example:1")->has_key);
	assert_true(net_link_find(&f->net, "s.example:1")->from_profile);
}

/* Rule 9: the node's X25519 secret is no-access between uses (it was left
 * readable): reading it outside a handshake faults. */
static void test_x_sk_guarded(void **state)
{
	struct fx *f = *state;
	int status;
	pid_t pid;

	assert_int_equal(node_mesh_init(&f->node), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);   /* cmocka's handler would catch it */
		signal(SIGBUS, SIG_DFL);
		volatile uint8_t b = f->node.x_sk[0];

		(void)b;
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* killed by the fault (or, under a sanitizer, exited reporting it):
	 * only a read that worked exits 0 */
	assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	node_mesh_free(&f->node);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_latest_profile_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_who_is_dialled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_x_sk_guarded, setup, teardown),
	};

	return cmocka_run_group_tests_name("net", tests, NULL, NULL);
}
