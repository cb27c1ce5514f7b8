/* The report's HTML: escaping of partner text and the page's frame (inline
 * style sheet for screen and A4 print; nothing fetched from anywhere). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli/metrics.h"
#include "cli/report.h"

/* The length of a valid UTF-8 sequence at s[0..len) and its code point,
 * or 0 if it is not one (overlong, surrogate, beyond U+10FFFF, cut). */
static size_t utf8_one(const unsigned char *s, size_t len, unsigned long *cp)
{
	size_t n;
	unsigned long c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Characters that change how the text around them reads without being
 * seen: C1 controls, bidi embeddings, overrides and isolates, marks,
 * zero-width characters, the BOM. */
static bool invisible(unsigned long c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x061c || (c >= 0x200b && c <= 0x200f) ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x2069) || c == 0xfeff;
}

/* report_esc_n; ours: the text is one of our own (an apostrophe can stay:
 * we write text and attributes in double quotes only). */
static void esc(FILE *f, const char *s, size_t len, bool ours)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	unsigned long c;

	while (i < len) {
		switch (p[i]) {
		case '&': fputs("&amp;", f); i++; continue;
		case '<': fputs("&lt;", f); i++; continue;
		case '>': fputs("&gt;", f); i++; continue;
		case '"': fputs("&quot;", f); i++; continue;
		case '\'': fputs(ours ? "'" : "&#39;", f); i++; continue;
		case '\n': case '\t': fputc(p[i], f); i++; continue;
		default: break;
		}
		if (p[i] < 0x20 || p[i] == 0x7f) {
			/* the control picture: U+2400 + c, DEL U+2421 (3 bytes of UTF-8) */
			unsigned pic = p[i] == 0x7f ? 0x2421 : 0x2400 + p[i];

			fprintf(f, "%c%c%c", 0xe0 | (pic >> 12), 0x80 | ((pic >> 6) & 0x3f),
				0x80 | (pic & 0x3f));
			i++;
			continue;
		}
		n = utf8_one(p + i, len - i, &c);
		if (n == 0) {
			fputs("\xef\xbf\xbd", f);       /* U+FFFD */
			i++;
		} else if (invisible(c)) {
			fprintf(f, "[U+%04lX]", c);
			i += n;
		} else {
			fwrite(p + i, 1, n, f);
			i += n;
		}
	}
}

void report_esc_n(FILE *f, const char *s, size_t len)
{
	esc(f, s, len, false);
}

void report_html_markup(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	unsigned long c;

	while (i < len) {
		if (p[i] < 0x80 || (n = utf8_one(p + i, len - i, &c)) == 0) {
			fputc(p[i++], f);
			continue;
		}
		if (invisible(c))
			fprintf(f, "[U+%04lX]", c);
		else
			fwrite(p + i, 1, n, f);
		i += n;
	}
}

void report_esc(FILE *f, const char *s)
{
	report_esc_n(f, s, strlen(s));
}

/* Print is the report's main use: A4, black on white, system fonts only;
 * tables repeat their header on each page and rows are not split. */
static const char style[] =
	"@page{size:A4;margin:16mm 15mm 18mm 15mm}\n"
	"html{background:#fff;color:#000}\n"
	"body{font-family:\"DejaVu Sans\",\"Liberation Sans\",Arial,Helvetica,sans-serif;"
	"font-size:10.5pt;line-height:1.4;max-width:180mm;margin:8mm auto;padding:0 4mm}\n"
	"h1{font-size:18pt;margin:0 0 2mm}\n"
	"h2{font-size:14pt;border-bottom:1.5pt solid #000;margin:7mm 0 3mm;padding-bottom:1mm}\n"
	"h3{font-size:11.5pt;margin:5mm 0 2mm}\n"
	"h1,h2,h3{break-after:avoid;page-break-after:avoid}\n"
	"p{margin:1.5mm 0}\n"
	"table{border-collapse:collapse;width:100%;margin:2mm 0 3mm;font-size:9.5pt}\n"
	"thead{display:table-header-group}\n"
	"tr,.keep,figure{break-inside:avoid;page-break-inside:avoid}\n"
	"th,td{border:0.75pt solid #555;padding:1mm 1.5mm;text-align:left;vertical-align:top}\n"
	"th{background:#eee}\n"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	"code,pre{font-family:\"DejaVu Sans Mono\",\"Liberation Mono\",monospace;font-size:8.5pt;"
	"overflow-wrap:anywhere}\n"
	"code.meta{white-space:nowrap}\n"
	"pre{white-space:pre-wrap;border:0.75pt solid #555;padding:2mm;background:#f6f6f6}\n"
	".text{white-space:pre-wrap;overflow-wrap:anywhere}\n"
	".meta{color:#333;font-size:9pt}\n"
	".note{border-left:2pt solid #000;padding-left:2mm}\n"
	".warn{font-weight:bold}\n"
	"figure{margin:2mm 0}\n"
	"figure svg{max-width:100%;height:auto;border:0.5pt solid #999}\n"
	".commitment{border:0.75pt solid #555;padding:2mm 3mm;margin:3mm 0}\n"
	".break{break-before:page;page-break-before:always}\n"
	"@media print{body{margin:0;padding:0;max-width:none}"
	"th{background:none}pre{background:none}}\n";

void report_html_begin(FILE *f, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"", f);
	/* TRANSLATORS: the language of the report page (<html lang="...">):
	   your language's code, as in the catalog's name (pl). */
	report_esc(f, _("en"));
	fputs("\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"pakt report\">\n<title>", f);
	report_esc(f, title);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
}

void report_html_end(FILE *f)
{
	fputs("</body>\n</html>\n", f);
}

void report_html_id(FILE *f, enum id_kind kind, const uint8_t raw[32])
{
	char t[ID_TEXT_MAX];

	id_encode(kind, raw, t);
	fprintf(f, "<code>%s</code>", t);
}

void report_html_who(FILE *f, const struct report *r, const uint8_t key[32])
{
	const struct report_org *o = report_org_find(r, key);
	char sh[16];

	id_short(ID_KEY, key, sh);
	if (o != NULL && o->name[0]) {
		fputs("<bdi>", f);
		report_esc(f, o->name);
		fprintf(f, "</bdi> <code class=\"meta\">%s</code>", sh);
	} else {
		fprintf(f, "<code>%s</code>", sh);
	}
}

void report_html_time(FILE *f, uint64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char buf[32];

	if (ms == 0 || gmtime_r(&t, &tm) == NULL) {
		fputs("-", f);
		return;
	}
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
	fputs(buf, f);
}

void report_html_num(FILE *f, double v)
{
	char buf[32];

	metrics_fmt_num(v, buf);
	fputs(buf, f);
}

void report_html_text(FILE *f, const char *ours)
{
	esc(f, ours, strlen(ours), true);
}

void report_html_tag(FILE *f, const char *tag, const char *cls, const char *ours)
{
	if (cls != NULL)
		fprintf(f, "<%s class=\"%s\">", tag, cls);
	else
		fprintf(f, "<%s>", tag);
	report_html_text(f, ours);
	fprintf(f, "</%s>", tag);
}

static void tr_arg(FILE *f, const struct report *r, const struct report_arg *a)
{
	if (a->open != NULL)
		fputs(a->open, f);
	switch (a->kind) {
	case REPORT_ARG_TEXT: report_esc(f, a->s ? a->s : ""); break;
	case REPORT_ARG_WHO: report_html_who(f, r, a->raw); break;
	case REPORT_ARG_TIME: report_html_time(f, a->u); break;
	case REPORT_ARG_ID: report_html_id(f, a->id, a->raw); break;
	case REPORT_ARG_U64: fprintf(f, "%" PRIu64, a->u); break;
	case REPORT_ARG_NUM: report_html_num(f, a->v); break;
	}
	if (a->close != NULL)
		fputs(a->close, f);
}

void report_tr(FILE *f, const struct report *r, const char *fmt, const struct report_arg *arg,
	       size_t n)
{
	const char *p = fmt, *lit = fmt;
	size_t next = 0;

	while ((p = strchr(p, '%')) != NULL) {
		const char *c = p + 1;
		size_t which = next;
		char *end;

		if (*c == '%') {        /* the first '%' is text, the second starts over */
			esc(f, lit, (size_t)(c - lit), true);
			lit = p = c + 1;
			continue;
		}
		if (*c >= '1' && *c <= '9') {
			unsigned long k = strtoul(c, &end, 10);

			if (*end != '$') {
				p = c;
				continue;
			}
			which = (size_t)k - 1;
			c = end + 1;
		}
		if (*c != 's') {        /* not ours: leave it as text */
			p = c;
			continue;
		}
		esc(f, lit, (size_t)(p - lit), true);
		if (which < n)
			tr_arg(f, r, &arg[which]);
		next = which + 1;
		lit = p = c + 1;
	}
	report_html_text(f, lit);
}

const char *report_value(const char *v)
{
	/* the values core/ledger gives an outcome, a party's answer, a status */
	static const char *const known[] = {
		N_("open"), N_("overdue"), N_("kept"), N_("late"), N_("missed"), N_("withdrawn"),
		N_("accepted"), N_("declined"), N_("in-progress"), N_("fulfilled"),
	};

	for (size_t i = 0; i < sizeof known / sizeof *known; i++)
		if (strcmp(v, known[i]) == 0)
			return _(known[i]);
	return v;
}
