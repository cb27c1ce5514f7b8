/* Unit tests of keys/config: defaults, parsing, errors with PATH:LINE,
 * config_create and config_set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "keys/config.h"
#include "daemon/log.h"
#include "proto/err.h"
#include "proto/id.h"
#include "tests/unit/testutil.h"

#define TEXT_MAX 4096

struct fixture {
	char dir[64];
	char path[128];
	char why[512];
	char nw[ID_TEXT_MAX];      /* a valid network id */
	struct config c;
};

static struct fixture *fx;

/* ---- helpers ---- */

static void write_text(const char *text)
{
	FILE *f = fopen(fx->path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static const char *read_text(void)
{
	static char buf[TEXT_MAX];
	FILE *f = fopen(fx->path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* Loading text fails with PAKT_EFORMAT and why "PATH:line: ...". */
static void assert_load_fails(const char *text, unsigned line)
{
	char prefix[200];

	write_text(text);
	fx->why[0] = '\0';
	assert_int_equal(config_load(&fx->c, fx->path, fx->why, sizeof fx->why),
			 PAKT_EFORMAT);
	snprintf(prefix, sizeof prefix, "%s:%u: ", fx->path, line);
	if (strncmp(fx->why, prefix, strlen(prefix)) != 0)
		fail_msg("why \"%s\" does not start with \"%s\"", fx->why, prefix);
}

static void load_ok(void)
{
	fx->why[0] = '\0';
	if (config_load(&fx->c, fx->path, fx->why, sizeof fx->why) != 0)
		fail_msg("config_load: %s", fx->why);
}

/* ---- fixture ---- */

static int setup(void **state)
{
	uint8_t raw[32];

	fx = calloc(1, sizeof *fx);
	if (fx == NULL || tu_mkdtemp(fx->dir, "config") != 0)
		return -1;
	snprintf(fx->path, sizeof fx->path, "%s/config", fx->dir);
	memset(raw, 0x5a, sizeof raw);
	id_encode(ID_NETWORK, raw, fx->nw);
	return 0;
}

static int teardown(void **state)
{
	int rc = tu_rmdir(fx->dir);

	free(fx);
	fx = NULL;
	return rc;
}

/* ---- config_load ---- */

/* An absent file leaves the defaults: no name, info, no network, 127.0.0.1:7420. */
static void test_defaults(void **state)
{
	memset(&fx->c, 0x55, sizeof fx->c);
	load_ok();
	assert_string_equal(fx->c.name, "");
	assert_int_equal(fx->c.log_level, LOG_LVL_INFO);
	assert_string_equal(fx->c.network, "");
	assert_string_equal(fx->c.listen, "127.0.0.1:7420");
}

/* Every key parses, around comments, blank lines, tabs and spaces; inner
 * spaces of a value are kept. */
static void test_parse(void **state)
{
	char text[512];

	snprintf(text, sizeof text,
		 "# pakt node\n"
		 "\n"
		 "   name   =   Food Bank of Lyon  \n"
		 "\t# indented comment\n"
		 "log_level=debug\n"
		 "network =\t%s\n"
		 "   \t \n"
		 "listen = 0.0.0.0:9000\n", fx->nw);
	write_text(text);
	load_ok();
	assert_string_equal(fx->c.name, "Food Bank of Lyon");
	assert_int_equal(fx->c.log_level, LOG_LVL_DEBUG);
	assert_string_equal(fx->c.network, fx->nw);
	assert_string_equal(fx->c.listen, "0.0.0.0:9000");
}

/* Each log level name maps to its level; the last line of a key wins. */
static void test_log_levels(void **state)
{
	static const struct { const char *name; int lvl; } levels[] = {
		{"error", LOG_LVL_ERR}, {"warn", LOG_LVL_WARN},
		{"info", LOG_LVL_INFO}, {"debug", LOG_LVL_DEBUG},
	};
	char text[64];

	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		snprintf(text, sizeof text, "log_level = debug\nlog_level = %s\n",
			 levels[i].name);
		write_text(text);
		load_ok();
		assert_int_equal(fx->c.log_level, levels[i].lvl);
	}
}

/* An empty network value means none chosen; a file without a final newline parses. */
static void test_empty_network_no_newline(void **state)
{
	write_text("network =\nname = x");
	load_ok();
	assert_string_equal(fx->c.network, "");
	assert_string_equal(fx->c.name, "x");
}

/* An unknown key is PAKT_EFORMAT with "PATH:LINE:" in why. */
static void test_unknown_key(void **state)
{
	assert_load_fails("name = a\n# ok\ncolour = blue\n", 3);
	assert_non_null(strstr(fx->why, "unknown key"));
}

/* links defaults to 6 and takes 1..64; repl_version defaults to 2 and
 * takes 1 or 2; anything else is refused with the key named. */
static void test_links_and_repl_version(void **state)
{
	load_ok();
	assert_int_equal(fx->c.links, 6);
	assert_int_equal(fx->c.repl_version, 2);
	write_text("links = 12\nrepl_version = 1\n");
	load_ok();
	assert_int_equal(fx->c.links, 12);
	assert_int_equal(fx->c.repl_version, 1);
	assert_load_fails("links = 0\n", 1);
	assert_non_null(strstr(fx->why, "links"));
	assert_load_fails("\nlinks = 65\n", 2);
	assert_load_fails("links = six\n", 1);
	assert_load_fails("repl_version = 3\n", 1);
	assert_non_null(strstr(fx->why, "repl_version"));
}

/* A bad log_level is PAKT_EFORMAT with "PATH:LINE:" in why. */
static void test_bad_log_level(void **state)
{
	assert_load_fails("log_level = verbose\n", 1);
	assert_non_null(strstr(fx->why, "log_level"));
}

/* A line without '=' is PAKT_EFORMAT with "PATH:LINE:" in why. */
static void test_missing_equals(void **state)
{
	assert_load_fails("\n\nname = a\nlisten 127.0.0.1:1\n", 4);
}

/* A network that is not a valid initiative id (wrong kind, typo in the
 * checksum, garbage) is PAKT_EFORMAT with "PATH:LINE:" in why. */
static void test_bad_network(void **state)
{
	char text[256], id[ID_TEXT_MAX];
	uint8_t raw[32];

	memset(raw, 0x5a, sizeof raw);
	id_encode(ID_KEY, raw, id);   /* a pk_ id, not nw_ */
	snprintf(text, sizeof text, "name = a\nnetwork = %s\n", id);
	assert_load_fails(text, 2);
	assert_non_null(strstr(fx->why, "network"));

	snprintf(id, sizeof id, "%s", fx->nw);
	id[10] = id[10] == 'a' ? 'b' : 'a';   /* a typo */
	snprintf(text, sizeof text, "network = %s\n", id);
	assert_load_fails(text, 1);

	assert_load_fails("network = nw_nope\n", 1);
}

/* A name longer than 128 bytes and an overlong line are PAKT_EFORMAT. */
static void test_too_long(void **state)
{
	char text[2200];

	memset(text, 'n', sizeof text);
	memcpy(text, "name = ", 7);
	text[7 + 129] = '\n';
	text[7 + 130] = '\0';
	assert_load_fails(text, 1);

	memset(text, 'x', sizeof text);
	memcpy(text, "name = a\nlisten = ", 18);
	text[sizeof text - 2] = '\n';
	text[sizeof text - 1] = '\0';
	assert_load_fails(text, 2);
}

/* ---- config_create ---- */

/* config_create writes a file that loads back, mode 0600. */
static void test_create(void **state)
{
	struct stat st;

	assert_int_equal(config_create(fx->path, "Acme", fx->why, sizeof fx->why), 0);
	assert_int_equal(stat(fx->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	load_ok();
	assert_string_equal(fx->c.name, "Acme");
	assert_int_equal(fx->c.log_level, LOG_LVL_INFO);
	assert_string_equal(fx->c.listen, "127.0.0.1:7420");
}

/* config_create refuses an existing file (PAKT_EEXIST) and leaves it alone. */
static void test_create_exists(void **state)
{
	write_text("name = mine\n");
	assert_int_equal(config_create(fx->path, "Acme", fx->why, sizeof fx->why),
			 PAKT_EEXIST);
	assert_string_equal(read_text(), "name = mine\n");
}

/* config_create refuses a name of two lines or over 128 bytes. */
static void test_create_bad_name(void **state)
{
	char name[130];

	assert_int_equal(config_create(fx->path, "a\nlisten = 0.0.0.0:1", fx->why,
				       sizeof fx->why), PAKT_EINVAL);
	memset(name, 'n', 129);
	name[129] = '\0';
	assert_int_equal(config_create(fx->path, name, fx->why, sizeof fx->why),
			 PAKT_EINVAL);
	name[128] = '\0';
	assert_int_equal(config_create(fx->path, name, fx->why, sizeof fx->why), 0);
	load_ok();
	assert_string_equal(fx->c.name, name);
}

/* ---- config_set ---- */

/* config_set replaces one key in place and keeps every other line,
 * comments included; a key that is a prefix of another is not confused. */
static void test_set_replace(void **state)
{
	write_text("# my node\n"
		   "name = Acme\n"
		   "  log_level = info\n"
		   "\n"
		   "# listen = 1.2.3.4:5\n"
		   "listen = 127.0.0.1:7420\n");
	assert_int_equal(config_set(fx->path, "listen", "0.0.0.0:7421", fx->why,
				    sizeof fx->why), 0);
	assert_string_equal(read_text(),
			    "# my node\n"
			    "name = Acme\n"
			    "  log_level = info\n"
			    "\n"
			    "# listen = 1.2.3.4:5\n"
			    "listen = 0.0.0.0:7421\n");
	assert_int_equal(config_set(fx->path, "log_level", "warn", fx->why,
				    sizeof fx->why), 0);
	load_ok();
	assert_int_equal(fx->c.log_level, LOG_LVL_WARN);
	assert_string_equal(fx->c.name, "Acme");
	assert_string_equal(fx->c.listen, "0.0.0.0:7421");
}

/* config_set adds a missing key at the end and keeps the rest. */
static void test_set_add(void **state)
{
	assert_int_equal(config_create(fx->path, "Acme", fx->why, sizeof fx->why), 0);
	assert_int_equal(config_set(fx->path, "network", fx->nw, fx->why,
				    sizeof fx->why), 0);
	load_ok();
	assert_string_equal(fx->c.network, fx->nw);
	assert_string_equal(fx->c.name, "Acme");
	assert_int_equal(strncmp(read_text(), "# pakt node configuration", 25), 0);
	/* and on a file that does not exist yet */
	assert_int_equal(remove(fx->path), 0);
	assert_int_equal(config_set(fx->path, "name", "New", fx->why, sizeof fx->why), 0);
	assert_string_equal(read_text(), "name = New\n");
}

/* config_set adding a key to a file whose last line has no newline keeps
 * that line intact. */
static void test_set_add_no_final_newline(void **state)
{
	write_text("name = Acme");
	assert_int_equal(config_set(fx->path, "log_level", "debug", fx->why,
				    sizeof fx->why), 0);
	load_ok();
	assert_string_equal(fx->c.name, "Acme");
	assert_int_equal(fx->c.log_level, LOG_LVL_DEBUG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links_and_repl_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_network_no_newline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_log_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_equals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_network, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_exists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_bad_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_add_no_final_newline, setup, teardown),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
