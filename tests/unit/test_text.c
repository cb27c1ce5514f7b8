/* Unit tests of cli/text: partner text made visible for a terminal, and
 * display width, padding and truncation by wcwidth (Polish, CJK). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/output.h"
#include "cli/text.h"

/* s escaped as one line (or with TEXT_LINES), into a static buffer. */
static const char *esc(const char *s, size_t len, unsigned flags)
{
	static char out[512];
	char *e;
	size_t n;

	assert_int_equal(text_escape(s, len, flags, &e, &n), 0);
	assert_int_equal(strlen(e), n);
	snprintf(out, sizeof out, "%s", e);
	free(e);
	return out;
}

/* What one of text's writers prints (which: 'f' text_fit, 'p' text_pad,
 * 'l' text_put_lines, 'o' text_put), as a malloc'd string; *w gets
 * text_fit's result. */
static char *writes(char which, const char *s, size_t cols, bool flag, size_t *w)
{
	char *buf = NULL;
	size_t len = 0, got = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (which == 'f')
		got = text_fit(f, s, cols, flag);
	else if (which == 'p')
		text_pad(f, s, cols, flag);
	else if (which == 'l')
		text_put_lines(f, s, "    ");
	else
		text_put(f, s);
	assert_int_equal(fclose(f), 0);
	if (w != NULL)
		*w = got;
	return buf;
}

/* No byte of the escaped text is a control character (C0, DEL). */
static void assert_no_controls(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		assert_true(*p >= 0x20 && *p != 0x7f);
}

static int setup(void **state)
{
	(void)state;
	text_init();
	return 0;
}

/* ESC, CR, TAB, other C0 and DEL are shown as backslash escapes. */
static void test_c0_del(void **state)
{
	(void)state;
	assert_string_equal(esc("\x1b[31mred", 8, 0), "\\e[31mred");
	assert_string_equal(esc("a\rb", 3, 0), "a\\rb");
	assert_string_equal(esc("a\tb\x07\x7f", 5, 0), "a\\tb\\x07\\x7f");
	assert_string_equal(esc("a\0b", 3, 0), "a\\x00b");
	assert_no_controls(esc("\x01\x02\x1b\x7f\x1f", 5, 0));
}

/* A newline is ⏎ in a one-line field, so a fake line cannot start a line;
 * kept with TEXT_LINES, and text_put_lines indents what follows. */
static void test_newline(void **state)
{
	char *out;

	(void)state;
	assert_string_equal(esc("hi\n12:00  mops #9  message  fake", 32, 0),
			    "hi\xe2\x8f\x8e" "12:00  mops #9  message  fake");
	assert_string_equal(esc("a\nb", 3, TEXT_LINES), "a\nb");
	out = writes('l', "one\ntwo\x1b", 0, false, NULL);
	assert_string_equal(out, "one\n    two\\e");
	free(out);
	out = writes('o', "x\ny", 0, false, NULL);
	assert_null(strchr(out, '\n'));
	free(out);
}

/* C1 controls and bidi overrides, isolates and marks become <U+XXXX>. */
static void test_c1_bidi(void **state)
{
	(void)state;
	assert_string_equal(esc("a\xc2\x9b" "31m", 6, 0), "a<U+009B>31m");     /* CSI */
	assert_string_equal(esc("\xc2\x85", 2, 0), "<U+0085>");                 /* NEL */
	assert_string_equal(esc("x\xe2\x80\xaetxt.exe", 11, 0), "x<U+202E>txt.exe");  /* RLO */
	assert_string_equal(esc("\xe2\x81\xa6\xe2\x81\xa9", 6, 0), "<U+2066><U+2069>");
	assert_string_equal(esc("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", 8, 0), "<U+200E><U+200F><U+061C>");
	assert_string_equal(esc("\xe2\x80\xa8", 3, 0), "<U+2028>");
	/* ordinary non-ASCII letters pass unchanged */
	assert_string_equal(esc("Żółć „Dom” 東京", strlen("Żółć „Dom” 東京"), 0), "Żółć „Dom” 東京");
}

/* Bytes that are not UTF-8 are shown as \xNN, one by one. */
static void test_invalid_utf8(void **state)
{
	(void)state;
	assert_string_equal(esc("a\xff" "b", 3, 0), "a\\xffb");
	assert_string_equal(esc("\xb3\xf3", 2, 0), "\\xb3\\xf3");              /* cp1250 "łó" */
	assert_string_equal(esc("\xc0\xaf", 2, 0), "\\xc0\\xaf");              /* overlong '/' */
	assert_string_equal(esc("\xed\xa0\x80", 3, 0), "\\xed\\xa0\\x80");      /* a surrogate */
	assert_string_equal(esc("\xe2\x80", 2, 0), "\\xe2\\x80");              /* cut short */
}

/* Width counts letters, not bytes: Polish letters 1 column, CJK 2. */
static void test_width(void **state)
{
	(void)state;
	assert_int_equal(text_width("Łódź", strlen("Łódź")), 4);
	assert_int_equal(text_width("Spółdzielnia Socjalna Żółty Dom", strlen("Spółdzielnia Socjalna Żółty Dom")), 31);
	assert_int_equal(text_width("東京都", strlen("東京都")), 6);
	assert_int_equal(text_width("e\xcc\x81", 3), 1);        /* e + combining acute */
	assert_int_equal(text_width("\xe2\x8f\x8e", 3), 1);      /* ⏎ */
}

/* Cutting never splits a character and respects double-width ones. */
static void test_prefix(void **state)
{
	size_t w;

	(void)state;
	assert_int_equal(text_prefix("Żółw", strlen("Żółw"), 2, &w), strlen("Żó"));
	assert_int_equal(w, 2);
	assert_int_equal(text_prefix("東京都", 9, 3, &w), 3);      /* 東 only: 京 would make 4 */
	assert_int_equal(w, 2);
	assert_int_equal(text_prefix("ab", 2, 10, &w), 2);
	assert_int_equal(w, 2);
}

/* text_fit pads to an exact width or cuts with "…", by columns. */
static void test_fit(void **state)
{
	char *out;
	size_t w;

	(void)state;
	out = writes('f', "Łódź", 8, true, &w);
	assert_int_equal(w, 8);
	assert_string_equal(out, "Łódź    ");
	free(out);
	out = writes('f', "Miejski Ośrodek Pomocy Społecznej w Łodzi", 20, true, &w);
	assert_int_equal(w, 20);
	assert_string_equal(out, "Miejski Ośrodek Pom…");
	assert_int_equal(text_width(out, strlen(out)), 20);
	free(out);
	out = writes('f', "東京都庁", 6, true, &w);
	assert_int_equal(w, 6);
	assert_string_equal(out, "東京… ");                    /* 2+2+1, padded to 6 */
	free(out);
	out = writes('f', "a\x1b[2Jb", 40, false, NULL);   /* escaped before measuring */
	assert_string_equal(out, "a\\e[2Jb");
	free(out);
	out = writes('p', "żółw", 6, true, NULL);
	assert_string_equal(out, "  żółw");
	free(out);
}

/* Times in a log line: relative within a week, then the date; a time
 * ahead of now (a partner's clock) as its date. */
static void test_ago(void **state)
{
	const int64_t now = 1767225600000LL + 12 * 3600000LL;  /* 2026-01-01 12:00 UTC */
	char buf[32];

	(void)state;
	output_ago((uint64_t)now - 20000, now, buf);
	assert_string_equal(buf, "just now");
	output_ago((uint64_t)now - 3 * 60000, now, buf);
	assert_string_equal(buf, "3 min ago");
	output_ago((uint64_t)now - 3 * 3600000, now, buf);
	assert_string_equal(buf, "3 h ago");
	output_ago((uint64_t)now - 26 * 3600000, now, buf);
	assert_string_equal(buf, "1 day ago");
	output_ago((uint64_t)now - 2 * 86400000, now, buf);
	assert_string_equal(buf, "2 days ago");
	output_ago((uint64_t)now - 9 * 86400000LL, now, buf);
	assert_int_equal(strlen(buf), 10);                  /* YYYY-MM-DD */
	assert_memory_equal(buf, "2025-12-2", 9);
	output_ago((uint64_t)now + 86400000, now, buf);
	assert_int_equal(strlen(buf), 10);
	assert_memory_equal(buf, "2026-01-0", 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_c0_del, setup),
		cmocka_unit_test_setup(test_newline, setup),
		cmocka_unit_test_setup(test_c1_bidi, setup),
		cmocka_unit_test_setup(test_invalid_utf8, setup),
		cmocka_unit_test_setup(test_width, setup),
		cmocka_unit_test_setup(test_prefix, setup),
		cmocka_unit_test_setup(test_fit, setup),
		cmocka_unit_test_setup(test_ago, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
