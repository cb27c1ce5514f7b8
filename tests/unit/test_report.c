/* Unit tests of the partnership report's HTML (cli/report_html.c,
 * report_sections.c, report_ind.c): the escaper against hostile partner
 * text (markup, quotes, control characters, bidi overrides, invalid
 * UTF-8), invisible characters in our own markup, and whole pages drawn
 * from a made-up record (internal, public, one period). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/report.h"
#include "proto/date.h"

/* report_esc_n of s[0..len) as a malloc'ed string. */
static char *esc(const char *s, size_t len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	report_esc_n(f, s, len);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void assert_esc(const char *in, size_t len, const char *want)
{
	char *got = esc(in, len);

	assert_string_equal(got, want);
	free(got);
}
#define ESC(lit, want) assert_esc(lit, sizeof(lit) - 1, want)

/* Markup and both quotes become entities; text around them stays. */
static void test_esc_markup(void **state)
{
	(void)state;
	ESC("plain text 123", "plain text 123");
	ESC("<script>alert(\"x\")</script>", "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
	ESC("a' onmouseover='x", "a&#39; onmouseover=&#39;x");
	ESC("&amp; &", "&amp;amp; &amp;");
	ESC("<img src=http://evil.example/x.png>", "&lt;img src=http://evil.example/x.png&gt;");
	ESC("", "");
}

/* Control characters show as their U+2400 pictures (NUL too, inside the
 * length); newline and tab stay. */
static void test_esc_controls(void **state)
{
	(void)state;
	ESC("a\x01" "b", "a\xe2\x90\x81" "b");
	ESC("\x1b[31mred", "\xe2\x90\x9b[31mred");
	ESC("x\x7fy", "x\xe2\x90\xa1y");
	ESC("a\0b", "a\xe2\x90\x80" "b");
	ESC("line1\nline2\tend\r", "line1\nline2\tend\xe2\x90\x8d");
}

/* Bidi overrides and isolates, marks, zero-width characters, the BOM and
 * C1 controls become visible [U+XXXX]; real right-to-left text stays. */
static void test_esc_bidi(void **state)
{
	(void)state;
	ESC("evil\xe2\x80\xae" "gnp.exe", "evil[U+202E]gnp.exe");
	ESC("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", "[U+202A][U+202B][U+202C][U+202D]");
	ESC("\xe2\x81\xa6x\xe2\x81\xa9", "[U+2066]x[U+2069]");
	ESC("a\xe2\x80\x8b" "b\xe2\x80\x8f", "a[U+200B]b[U+200F]");
	ESC("\xef\xbb\xbfstart", "[U+FEFF]start");
	ESC("\xc2\x85next", "[U+0085]next");
	ESC("\xd8\x9c", "[U+061C]");
	ESC("Zaż\xc3\xb3\xc5\x82\xc4\x87 \xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 \xf0\x9f\x8f\xa0",
	    "Zaż\xc3\xb3\xc5\x82\xc4\x87 \xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 \xf0\x9f\x8f\xa0");
}

/* Bytes that are not UTF-8 become U+FFFD, one per byte, and never eat
 * the markup that follows them. */
static void test_esc_invalid_utf8(void **state)
{
	(void)state;
	ESC("\xff", "\xef\xbf\xbd");
	ESC("\xc0\xbc" "b", "\xef\xbf\xbd\xef\xbf\xbd" "b");          /* overlong '<' */
	ESC("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");   /* a surrogate */
	ESC("\xe2\x82<b>", "\xef\xbf\xbd\xef\xbf\xbd&lt;b&gt;");       /* cut short */
	ESC("\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* > U+10FFFF */
}

/* Our own markup (a chart) passes as it is, but for invisible characters
 * in the names it carries. */
static void test_markup(void **state)
{
	const char svg[] = "<text x=\"1\">a&amp;b \xe2\x80\xae" "evil \xc3\xb3</text>";
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	(void)state;
	assert_non_null(f);
	report_html_markup(f, svg, sizeof svg - 1);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "<text x=\"1\">a&amp;b [U+202E]evil \xc3\xb3</text>");
	free(buf);
}

/* A sentence of ours (as a translation gives it) with its pieces: the
 * text escaped but for apostrophes, the pieces where %s or %N$s stand
 * (a translator may reorder them), partner text in them escaped fully
 * inside our markup, "%%" a '%', a conversion without a piece empty. */
static void test_sentence(void **state)
{
	struct report r;
	uint8_t key[32];
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	(void)state;
	memset(&r, 0, sizeof r);
	memset(key, 0xaa, 32);
	assert_non_null(f);
	REPORT_TR(f, &r, "it's <%2$s> & %1$s: 50%% %s%s %q",
		  REPORT_TEXT_IN("<b>", "</b>", "a'<i>"), REPORT_U64(7));
	fputc('|', f);
	REPORT_TR(f, &r, "%s by %s", REPORT_WHO(key), REPORT_TIME(1796083200000ull));
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "it's &lt;7&gt; &amp; <b>a&#39;&lt;i&gt;</b>: 50% 7 %q|"
			    "<code>pk_vkvkvkvk</code> by 2026-12-01 00:00 UTC");
	free(buf);
}

/* ---- a whole page ---- */

#define HOSTILE "<script>alert(1)</script>\xe2\x80\xae"

static void fill(struct report *r, bool pub)
{
	struct ctlop_r_row *rows;

	memset(r, 0, sizeof *r);
	r->pub = pub;
	r->suppress_below = REPORT_SUPPRESS_DEFAULT;
	r->now_ms = 1796083200000ull;    /* 2026-12-01 */
	memset(r->network, 0x11, 32);
	snprintf(r->name, sizeof r->name, "Homes <First>");
	snprintf(r->goal, sizeof r->goal, "goal \"" HOSTILE);
	r->org = calloc(2, sizeof *r->org);
	r->n_org = 2;
	memset(r->org[0].key, 0xaa, 32);
	snprintf(r->org[0].name, sizeof r->org[0].name, "%s", HOSTILE);
	snprintf(r->org[0].role, sizeof r->org[0].role, "admin");
	r->org[0].has_head = true;
	r->org[0].head_seq = 42;
	memset(r->org[1].key, 0xbb, 32);
	snprintf(r->org[1].name, sizeof r->org[1].name, "Coop");
	snprintf(r->org[1].role, sizeof r->org[1].role, "member");
	memcpy(r->self, r->org[1].key, 32);
	r->metrics.indicators = calloc(1, sizeof *r->metrics.indicators);
	r->metrics.n_indicators = 1;
	snprintf(r->metrics.indicators[0].id, sizeof r->metrics.indicators[0].id, "meals");
	snprintf(r->metrics.indicators[0].name, sizeof r->metrics.indicators[0].name, "Meals");
	snprintf(r->metrics.indicators[0].direction, sizeof r->metrics.indicators[0].direction, "up");
	rows = r->metrics.rows = calloc(2, sizeof *rows);
	r->metrics.n_rows = 2;
	for (int i = 0; i < 2; i++) {
		memcpy(rows[i].author, r->org[i].key, 32);
		snprintf(rows[i].indicator, sizeof rows[i].indicator, "meals");
		snprintf(rows[i].period, sizeof rows[i].period, "2026-11");
		assert_int_equal(date_period_parse("2026-11", &rows[i].from, &rows[i].to), 0);
		rows[i].value = i == 0 ? 120 : 3;
	}
	r->msg = calloc(1, sizeof *r->msg);
	r->n_msg = r->n_msg_total = 1;
	memcpy(r->msg[0].author, r->org[0].key, 32);
	r->msg[0].text = strdup("private <b>plan</b>");
	r->audit.ok = true;
}

static char *page(struct report *r)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	assert_int_equal(report_write(f, r), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* The internal edition: a complete page, partner text escaped everywhere
 * it appears, the message shown, every cell shown, the head listed with
 * its export command. */
static void test_page_internal(void **state)
{
	struct report r;
	char *html;

	(void)state;
	fill(&r, false);
	html = page(&r);
	assert_non_null(strstr(html, "<!DOCTYPE html>\n<html lang=\"en\">"));
	assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(html, "@page{size:A4"));
	assert_non_null(strstr(html, "<title>Partnership report: Homes &lt;First&gt;</title>"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<b>"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;[U+202E]"));
	assert_null(strstr(html, "\xe2\x80\xae"));
	assert_non_null(strstr(html, "goal &quot;&lt;script&gt;"));
	assert_non_null(strstr(html, "private &lt;b&gt;plan&lt;/b&gt;"));
	assert_non_null(strstr(html, "<td class=\"current n\" data-indicator=\"meals\">123</td>"));
	assert_non_null(strstr(html, "<td class=\"n\">3</td>"));
	assert_non_null(strstr(html, "<td class=\"n seq\">42</td>"));
	assert_non_null(strstr(html, "pakt export --feed pk_"));
	assert_non_null(strstr(html, " --to 42 -o feed-1.pakt --network nw_"));
	assert_non_null(strstr(html, "</html>\n"));
	free(html);
	report_free(&r);
}

/* The public edition: no message text, the cell of 3 shown as <5, the
 * cell of 120 as it is. */
static void test_page_public(void **state)
{
	struct report r;
	char *html;

	(void)state;
	fill(&r, true);
	html = page(&r);
	assert_null(strstr(html, "plan"));
	assert_non_null(strstr(html, "1 message; their texts are left out"));
	assert_non_null(strstr(html, "<td class=\"n suppressed\" title=\"suppressed: fewer than 5\">&lt;5</td>"));
	assert_null(strstr(html, "<td class=\"n\">3</td>"));
	assert_non_null(strstr(html, "<td class=\"n\">120</td>"));
	free(html);
	report_free(&r);
}

/* --period: values outside it are left out of the indicators. */
static void test_page_period(void **state)
{
	struct report r;
	char *html;

	(void)state;
	fill(&r, false);
	r.has_period = true;
	snprintf(r.period, sizeof r.period, "2026-10");
	assert_int_equal(date_period_parse("2026-10", &r.pfrom, &r.pto), 0);
	html = page(&r);
	assert_non_null(strstr(html, "<span class=\"period\">2026-10</span>"));
	assert_non_null(strstr(html, "No organisation has reported this indicator in this period."));
	assert_null(strstr(html, "<td class=\"n\">120</td>"));
	free(html);
	report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esc_markup),
		cmocka_unit_test(test_esc_controls),
		cmocka_unit_test(test_esc_bidi),
		cmocka_unit_test(test_esc_invalid_utf8),
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_sentence),
		cmocka_unit_test(test_page_internal),
		cmocka_unit_test(test_page_public),
		cmocka_unit_test(test_page_period),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
