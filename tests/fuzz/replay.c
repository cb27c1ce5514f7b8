/* Replays a fuzz target's corpus without libFuzzer: runs
 * LLVMFuzzerTestOneInput on every file of a directory (sorted by name)
 * and prints TAP, one "ok N - FILE" per input. A crash or abort in the
 * target is the test failing (the TAP driver sees the plan unfinished).
 *
 *   replay_TARGET [DIR|FILE...]
 * Without arguments: $PAKT_SRCDIR/tests/fuzz/corpus/TARGET (make check
 * sets PAKT_SRCDIR), else ./tests/fuzz/corpus/TARGET. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET='\"name\"'"
#endif

struct list {
	char **v;
	size_t n, cap;
};

static void add(struct list *l, const char *path)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = realloc(l->v, l->cap * sizeof *l->v);
		if (l->v == NULL)
			abort();
	}
	if ((l->v[l->n++] = strdup(path)) == NULL)
		abort();
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add path, or the regular files directly in it when it is a directory. */
static int collect(struct list *l, const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char buf[4096];

	if (stat(path, &st) != 0) {
		printf("Bail out! %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		add(l, path);
		return 0;
	}
	if ((d = opendir(path)) == NULL) {
		printf("Bail out! %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(buf, sizeof buf, "%s/%s", path, de->d_name);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode))
			add(l, buf);
	}
	closedir(d);
	return 0;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	/* an exact-size copy, so that ASan sees reads past the end */
	uint8_t *exact = malloc(n ? n : 1);

	if (exact == NULL)
		abort();
	memcpy(exact, buf, n);
	free(buf);
	*len = n;
	return exact;
}

int main(int argc, char **argv)
{
	struct list l = { NULL, 0, 0 };
	char dir[4096];
	const char *src = getenv("PAKT_SRCDIR");
	int fails = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (collect(&l, argv[i]) != 0)
				return 1;
	} else {
		snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", src ? src : ".", FUZZ_TARGET);
		if (collect(&l, dir) != 0)
			return 1;
	}
	qsort(l.v, l.n, sizeof *l.v, cmp);
	if (l.n == 0) {
		printf("1..0 # SKIP no inputs for %s\n", FUZZ_TARGET);
		return 0;
	}
	printf("1..%zu\n", l.n);
	for (size_t i = 0; i < l.n; i++) {
		size_t len = 0;
		uint8_t *data = slurp(l.v[i], &len);
		const char *name = strrchr(l.v[i], '/');

		name = name ? name + 1 : l.v[i];
		if (data == NULL) {
			printf("not ok %zu - %s/%s: %s\n", i + 1, FUZZ_TARGET, name, strerror(errno));
			fails++;
			continue;
		}
		LLVMFuzzerTestOneInput(data, len);
		printf("ok %zu - %s/%s (%zu bytes)\n", i + 1, FUZZ_TARGET, name, len);
		free(data);
		free(l.v[i]);
	}
	free(l.v);
	return fails ? 1 : 0;
}
