/* Seeds of fuzz_run (tests/fuzz/fuzz_run.c), written by gen_corpus: runs
 * built by proto/wire_run.c from gen_corpus's initiative, each input the
 * 32-byte network and then the message. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proto/wire_run.h"
#include "tests/fuzz/gen_run.h"

static void put(const char *dir, const char *name, const uint8_t network[32],
		const struct mpx_out *o)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/run", dir);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		goto fail;
	snprintf(path, sizeof path, "%s/run/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(network, 1, 32, f) != 32 ||
	    fwrite(o->sb.data, 1, o->sb.size, f) != o->sb.size || fclose(f) != 0)
		goto fail;
	return;
fail:
	fprintf(stderr, "gen_corpus: %s\n", path);
	exit(1);
}

/* The entries of author's feed from seq `from` on, in one run; mask bit i
 * (of the i-th entry added) drops its body. */
static void seed(const char *dir, const char *name, const struct entry *ent, size_t n,
		 const uint8_t network[32], const uint8_t *author, uint64_t from, unsigned mask)
{
	struct wire_run r;
	struct mpx_out o;

	wire_run_init(&r, network);
	mpx_init(&o);
	for (size_t i = 0; i < n; i++) {
		const struct entry *e = &ent[i];
		bool body = ((mask >> (r.count % 32)) & 1) == 0;

		if (memcmp(e->h.author, author, 32) != 0 || e->h.seq < from)
			continue;
		if (wire_run_add(&r, e->header_bytes, e->header_len, e->sig, body ? e->body : NULL,
				 e->body_len) != 0) {
			fprintf(stderr, "gen_corpus: run %s: entry %zu does not continue it\n", name, i);
			exit(1);
		}
	}
	wire_run_end(&r, &o);
	put(dir, name, network, &o);
	mpx_free(&o);
	wire_run_free(&r);
}

void gen_run_seeds(const char *dir, const struct entry *ent, size_t n, const uint8_t network[32])
{
	const uint8_t *a = ent[0].h.author;   /* the genesis author */
	const uint8_t *b = NULL;

	for (size_t i = 0; i < n && b == NULL; i++)
		if (memcmp(ent[i].h.author, a, 32) != 0)
			b = ent[i].h.author;
	seed(dir, "genesis", ent, n, network, a, 1, 0);
	seed(dir, "mixed", ent, n, network, a, 2, 0x15);
	if (b != NULL) {
		seed(dir, "no_bodies", ent, n, network, b, 1, ~0u);
		seed(dir, "tail", ent, n, network, b, 3, 0);
	}
}
