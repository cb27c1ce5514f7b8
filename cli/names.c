/* Members named by the start of their name (cli/names.h). */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/i18n.h"
#include "cli/names.h"
#include "proto/err.h"
#include "proto/id.h"

static const char *global_dir, *global_net;

/* Polish letters in UTF-8 (two bytes each) and the letter they fold to. */
static const struct {
	unsigned char b0, b1;
	char to;
} polish[] = {
	{0xc4, 0x84, 'a'}, {0xc4, 0x85, 'a'}, {0xc4, 0x86, 'c'}, {0xc4, 0x87, 'c'},
	{0xc4, 0x98, 'e'}, {0xc4, 0x99, 'e'}, {0xc5, 0x81, 'l'}, {0xc5, 0x82, 'l'},
	{0xc5, 0x83, 'n'}, {0xc5, 0x84, 'n'}, {0xc3, 0x93, 'o'}, {0xc3, 0xb3, 'o'},
	{0xc5, 0x9a, 's'}, {0xc5, 0x9b, 's'}, {0xc5, 0xb9, 'z'}, {0xc5, 0xba, 'z'},
	{0xc5, 0xbb, 'z'}, {0xc5, 0xbc, 'z'},
};

void names_fold(const char *s, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p != '\0' && n + 1 < cap) {
		char c = (char)*p;
		size_t used = 1;

		if (*p >= 'A' && *p <= 'Z')
			c = (char)(*p - 'A' + 'a');
		for (size_t i = 0; i < sizeof polish / sizeof polish[0] && p[1] != '\0'; i++)
			if (p[0] == polish[i].b0 && p[1] == polish[i].b1) {
				c = polish[i].to;
				used = 2;
				break;
			}
		out[n++] = c;
		p += used;
	}
	out[n] = '\0';
}

void names_note_globals(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char **slot = NULL;
		const char *v = NULL;

		if (strncmp(argv[i], "--data-dir", 10) == 0)
			slot = &global_dir, v = argv[i] + 10;
		else if (strncmp(argv[i], "--network", 9) == 0)
			slot = &global_net, v = argv[i] + 9;
		if (slot == NULL)
			continue;
		if (*v == '=')
			*slot = v + 1;
		else if (*v == '\0' && i + 1 < argc)
			*slot = argv[++i];
	}
}

void names_safe(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	for (; *s != '\0' && n + 1 < cap; s++)
		out[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	out[n] = '\0';
}

int names_resolve(const char *cmd, const char *what, const char *prefix, uint8_t out[32])
{
	struct ctlop_req req = {.op = CTLOP_MEMBERS};
	struct ctlop_r_members r = {0};
	char want[BODY_NAME_MAX + 1], name[BODY_NAME_MAX + 1], list[1024] = "";
	size_t plen, hits = 0, exact = 0, used = 0;
	const struct ctlop_r_member *hit = NULL, *whole = NULL;
	struct client c;
	int ret;

	names_fold(prefix, want, sizeof want);
	plen = strlen(want);
	if (plen == 0)
		return cli_usage(cmd, _("%s is empty"), what);
	if (global_net != NULL && id_decode(ID_NETWORK, global_net, req.network) == 0)
		req.has_network = true;
	ret = cli_request(&c, global_dir, cmd, &req, 10000);
	if (ret == CLI_OK)
		ret = cli_reply(&c, cmd, CTLOP_R_MEMBERS, &r);
	client_close(&c);
	if (ret != CLI_OK)
		return ret;
	for (size_t i = 0; i < r.n_members; i++) {
		const struct ctlop_r_member *m = &r.members[i];
		char shown[BODY_NAME_MAX + 1], idt[16];

		if (m->removed)
			continue;
		names_fold(m->name, name, sizeof name);
		if (strncmp(name, want, plen) != 0)
			continue;
		hit = m;
		hits++;
		if (name[plen] == '\0') {
			whole = m;
			exact++;
		}
		names_safe(m->name, shown, sizeof shown);
		id_short(ID_KEY, m->key, idt);
		if (used < sizeof list)
			used += (size_t)snprintf(list + used, sizeof list - used, "%s%s (%s)", used ? ", " : "",
						 shown, idt);
	}
	if (exact == 1)
		hit = whole;
	if (hits == 1 || exact == 1)
		memcpy(out, hit->key, 32);
	ctlop_reply_free(CTLOP_R_MEMBERS, &r);
	names_safe(prefix, name, sizeof name);
	if (hits == 0)
		return cli_usage(cmd, _("%s '%.80s' is neither an id (pk_...) nor the start of a member's "
					"name (see 'pakt members')"), what, name);
	if (hits > 1 && exact != 1)
		return cli_usage(cmd, P_("%s '%.80s' matches %zu member: %s; give more of the name or the id",
					 "%s '%.80s' matches %zu members: %s; give more of the name or the id",
					 hits),
				 what, name, hits, list);
	return CLI_OK;
}
