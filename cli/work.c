/* Options, requests and text input of the collective-impact commands. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/i18n.h"
#include "cli/work.h"
#include "proto/body.h"
#include "proto/canon.h"
#include "proto/err.h"
#include "proto/id.h"

#define OPT_BASE 256

static const struct option long_opts[] = {
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
	[W_CHANGE] = {"change", no_argument, NULL, OPT_BASE + W_CHANGE},
	[W_REOPEN] = {"reopen", no_argument, NULL, OPT_BASE + W_REOPEN},
	[W_ALLOW_PAST_DUE] = {"allow-past-due", no_argument, NULL, OPT_BASE + W_ALLOW_PAST_DUE},
	[W_DUE_WITHIN] = {"due-within", required_argument, NULL, OPT_BASE + W_DUE_WITHIN},
	[W_ABOUT] = {"about", required_argument, NULL, OPT_BASE + W_ABOUT},
	[W_BASELINE] = {"baseline", required_argument, NULL, OPT_BASE + W_BASELINE},
	[W_DIMENSION] = {"dimension", required_argument, NULL, OPT_BASE + W_DIMENSION},
	[W_SUPPRESS] = {"suppress-below", required_argument, NULL, OPT_BASE + W_SUPPRESS},
	[W_SPLIT] = {"split", required_argument, NULL, OPT_BASE + W_SPLIT},
	[W_PUBLIC] = {"public", no_argument, NULL, OPT_BASE + W_PUBLIC},
	[W_N] = {"data-dir", required_argument, NULL, 'd'},
	[W_N + 1] = {"help", no_argument, NULL, 'h'},
	[W_N + 2] = {NULL, 0, NULL, 0},
};

int work_opts(const char *cmd, int argc, char **argv, uint64_t allow, int min_pos, int max_pos,
	      struct work_opts *o)
{
	int opt, rc;

	memset(o, 0, sizeof *o);
	o->cmd = cmd;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "ho:", long_opts, NULL)) != -1) {
		int w = opt == 'o' ? W_OUTPUT : opt >= OPT_BASE && opt < OPT_BASE + W_N ? opt - OPT_BASE : -1;
		struct work_list *l = NULL;

		if (opt == 'h') {
			cli_help(cmd);
			return -1;
		}
		if (opt == 'd') {
			o->dir_arg = optarg;
			continue;
		}
		if (w < 0)
			return cli_usage(cmd, _("unknown or incomplete option '%s'"), argv[optind - 1]);
		if (!(allow & A(w)))
			return cli_usage(cmd, _("option '%s' does not apply here"), argv[optind - 1]);
		o->given[w] = true;
		o->val[w] = optarg;
		if (optarg != NULL && o->each[w].n == WORK_LIST_MAX)
			return cli_usage(cmd, _("too many --%s options"), long_opts[w].name);
		if (optarg != NULL)
			o->each[w].v[o->each[w].n++] = optarg;
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
			if (l->n == WORK_LIST_MAX)
				return cli_usage(cmd, _("too many --%s options"), long_opts[w].name);
			l->v[l->n++] = optarg;
		}
	}
	o->argc = argc - optind;
	o->argv = argv + optind;
	if (o->argc < min_pos)
		return cli_usage(cmd, "%s", _("missing argument"));
	if (o->argc > max_pos)
		return cli_usage(cmd, _("unexpected argument '%s'"), o->argv[max_pos]);
	return CLI_OK;
}

void work_req(struct ctlop_req *r, enum ctlop_op op, const struct work_opts *o)
{
	memset(r, 0, sizeof *r);
	r->op = op;
	r->has_network = o->has_net;
	memcpy(r->network, o->net, 32);
}

int work_send(struct client *c, const struct work_opts *o, const struct ctlop_req *r,
	      int timeout_ms)
{
	return cli_request(c, o->dir_arg, o->cmd, r, timeout_ms);
}

int work_done(struct client *c, int ret)
{
	client_close(c);
	return ret;
}

int work_posted(struct client *c, const char *cmd, const char *verb, const char *extra)
{
	struct ctlop_r_entry r;
	char idt[ID_TEXT_MAX];
	int ret = cli_reply(c, cmd, CTLOP_R_ENTRY, &r);

	if (ret != CLI_OK)
		return ret;
	id_encode(ID_ENTRY, r.hash, idt);
	if (r.seq)
		printf("%s #%" PRIu64 " %s%s\n", verb, r.seq, idt, extra ? extra : "");
	else
		printf("%s %s%s\n", verb, idt, extra ? extra : "");
	return CLI_OK;
}

int work_text(const char *cmd, const char *arg, char *out, bool allow_empty)
{
	size_t len;
	char *text;
	int ret = CLI_OK;

	if (arg == NULL || strcmp(arg, "-") == 0) {
		text = cli_read_stdin(BODY_TEXT_MAX, &len);
		if (text != NULL && len > 0 && len <= BODY_TEXT_MAX && text[len - 1] == '\n')
			text[--len] = '\0';
	} else {
		text = strdup(arg);
		len = text ? strlen(text) : 0;
	}
	if (text == NULL)
		return cli_fail(cmd, PAKT_ENOMEM, "%s", _("out of memory"));
	if (len > BODY_TEXT_MAX)
		ret = cli_usage(cmd, _("the text is longer than %d bytes (the limit of one entry's text; "
				"split it into several)"), BODY_TEXT_MAX);
	else if (memchr(text, '\0', len) != NULL)
		ret = cli_usage(cmd, "%s", _("the text contains a NUL byte"));
	else if (!canon_utf8_valid(text, len))
		ret = cli_usage(cmd, "%s", _("the text is not valid UTF-8 (text in the Windows code page?): "
				"convert it with: iconv -f cp1250 -t utf-8"));
	else if (len == 0 && !allow_empty)
		ret = cli_usage(cmd, "%s", _("the text is empty"));
	else
		memcpy(out, text, len + 1);
	free(text);
	return ret;
}

/* A string option's length within [min, max] bytes, else a usage error. */
int work_check_len(const char *cmd, const char *what, const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min)
		return cli_usage(cmd, _("%s is empty"), what);
	if (n > max)
		return cli_usage(cmd, _("%s is longer than %zu bytes"), what, max);
	return CLI_OK;
}

int work_parse_keys(const char *cmd, const char *what, const struct work_list *l,
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
				return cli_usage(cmd, _("%s '%.80s' is not a list of pk_ ids"), what, l->v[i]);
			memcpy(buf, p, len);
			buf[len] = '\0';
			if ((ret = cli_parse_id(cmd, what, ID_KEY, buf, key)) != CLI_OK)
				return ret;
			for (size_t k = 0; k < *n; k++)
				dup |= memcmp(keys[k], key, 32) == 0;
			if (!dup) {
				if (*n == cap)
					return cli_usage(cmd, _("at most %zu organisations in %s"), cap, what);
				memcpy(keys[(*n)++], key, 32);
			}
			if (comma == NULL)
				break;
			p = comma + 1;
		}
	}
	return CLI_OK;
}

bool work_parse_days(const char *s, uint64_t *days)
{
	char *end;
	unsigned long long n;

	if (s[0] < '0' || s[0] > '9')
		return false;
	n = strtoull(s, &end, 10);
	if ((end[0] != 'd' && end[0] != 'w') || end[1] != '\0' || n > 36600)
		return false;
	*days = end[0] == 'w' ? n * 7 : n;
	return *days <= 36600;
}
