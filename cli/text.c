/* Partner text made safe for a terminal, and measured by display width. */
#include <langinfo.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "cli/i18n.h"
#include "cli/text.h"
#include "proto/err.h"

void text_init(void)
{
	static bool done;
	const char *cs;

	if (done)
		return;
	done = true;
	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	if (cs == NULL || (strcmp(cs, "UTF-8") != 0 && strcmp(cs, "utf8") != 0))
		setlocale(LC_CTYPE, "C.UTF-8");
}

/* One UTF-8 character at s[0..len): its length, or 0 if the bytes are
 * not one (overlong, surrogate, beyond U+10FFFF, cut short). */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	static const uint32_t min[4] = {0, 0x80, 0x800, 0x10000};
	size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	uint32_t c;

	if (n == 0 || s[0] > 0xf4 || n > len)
		return 0;
	c = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[n - 1] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Characters shown as <U+XXXX>: C1 controls, and the invisible ones that
 * reorder or hide text (bidi marks, embeddings, overrides, isolates,
 * zero-width characters, line/paragraph separators, the BOM). */
static bool shown_as_code(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x061c || (c >= 0x200b && c <= 0x200f) ||
	       (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x2069) || c == 0xfeff;
}

/* Append n bytes to the growing buffer b (cap doubled as needed). */
struct buf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

int text_escape(const char *s, size_t len, unsigned flags, char **out, size_t *out_len)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b = {0};
	char tmp[16];
	size_t i = 0, n;
	uint32_t c;

	put(&b, "", 0);
	while (i < len) {
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			for (n = i; n < len && p[n] >= 0x20 && p[n] < 0x7f; n++)
				;
			put(&b, s + i, n - i);
			i = n;
		} else if (p[i] == '\n') {
			if (flags & TEXT_LINES)
				put(&b, "\n", 1);
			else
				put(&b, "\xe2\x8f\x8e", 3);     /* ⏎ */
			i++;
		} else if (p[i] < 0x80) {
			if (p[i] == 0x1b)
				put(&b, "\\e", 2);
			else if (p[i] == '\r')
				put(&b, "\\r", 2);
			else if (p[i] == '\t')
				put(&b, "\\t", 2);
			else
				put(&b, tmp, (size_t)snprintf(tmp, sizeof tmp, "\\x%02x", p[i]));
			i++;
		} else if ((n = utf8_decode(p + i, len - i, &c)) == 0) {
			put(&b, tmp, (size_t)snprintf(tmp, sizeof tmp, "\\x%02x", p[i]));
			i++;
		} else {
			if (shown_as_code(c))
				put(&b, tmp, (size_t)snprintf(tmp, sizeof tmp, "<U+%04X>", (unsigned)c));
			else
				put(&b, s + i, n);
			i += n;
		}
	}
	if (b.failed) {
		free(b.p);
		return PAKT_ENOMEM;
	}
	*out = b.p;
	if (out_len != NULL)
		*out_len = b.len;
	return 0;
}

/* One character's columns at s[0..len) and its length in *n. */
static size_t char_width(const char *s, size_t len, size_t *n)
{
	mbstate_t st;
	wchar_t wc;
	size_t r;
	int w;

	memset(&st, 0, sizeof st);
	r = mbrtowc(&wc, s, len, &st);
	if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
		*n = 1;
		return 1;
	}
	*n = r;
	w = wcwidth(wc);
	return w < 0 ? 1 : (size_t)w;
}

size_t text_width(const char *s, size_t len)
{
	size_t w = 0, i = 0, n;

	text_init();
	while (i < len) {
		w += char_width(s + i, len - i, &n);
		i += n;
	}
	return w;
}

size_t text_prefix(const char *s, size_t len, size_t cols, size_t *w)
{
	size_t used = 0, i = 0, n, cw;

	text_init();
	while (i < len) {
		cw = char_width(s + i, len - i, &n);
		if (used + cw > cols)
			break;
		used += cw;
		i += n;
	}
	/* combining marks (width 0) stay with the letter before them */
	while (i < len && char_width(s + i, len - i, &n) == 0)
		i += n;
	if (w != NULL)
		*w = used;
	return i;
}

void text_put_n(FILE *f, const char *s, size_t len)
{
	char *e;
	size_t n;

	if (text_escape(s, len, 0, &e, &n) != 0) {
		fputs(_("(out of memory)"), f);
		return;
	}
	fwrite(e, 1, n, f);
	free(e);
}

void text_put(FILE *f, const char *s)
{
	text_put_n(f, s, strlen(s));
}

void text_put_lines(FILE *f, const char *s, const char *indent)
{
	char *e;

	if (text_escape(s, strlen(s), TEXT_LINES, &e, NULL) != 0) {
		fputs(_("(out of memory)"), f);
		return;
	}
	for (const char *p = e; *p; p++) {
		fputc(*p, f);
		if (*p == '\n')
			fputs(indent, f);
	}
	free(e);
}

size_t text_fit(FILE *f, const char *s, size_t cols, bool pad)
{
	static const char ellipsis[] = "\xe2\x80\xa6";     /* … */
	char *e;
	size_t n, w, cut;

	if (text_escape(s, strlen(s), 0, &e, &n) != 0) {
		fputs("?", f);
		return 1;
	}
	w = text_width(e, n);
	if (w > cols && cols > 0) {
		cut = text_prefix(e, n, cols - 1, &w);
		fwrite(e, 1, cut, f);
		fputs(ellipsis, f);
		w++;
	} else if (w <= cols) {
		fwrite(e, 1, n, f);
	} else {
		w = 0;
	}
	free(e);
	for (; pad && w < cols; w++)
		fputc(' ', f);
	return w;
}

void text_pad(FILE *f, const char *s, size_t cols, bool right)
{
	size_t w = text_width(s, strlen(s));

	for (size_t i = w; right && i < cols; i++)
		fputc(' ', f);
	fputs(s, f);
	for (size_t i = w; !right && i < cols; i++)
		fputc(' ', f);
}
