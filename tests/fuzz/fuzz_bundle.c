/* Fuzz target: an audit bundle file (proto/bundle.c, core/audit.c), as `pakt verify
 * FILE` reads it: audit_bundle, then bundle_each over a bundle that
 * passed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "proto/bundle.h"
#include "tests/fuzz/fuzz.h"

static int count(void *arg, size_t index, const struct entry *e)
{
	size_t *n = arg;

	if (index != *n + 1 || e->header_len == 0)
		abort();
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct audit_report r;
	size_t n = 0;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = true;
	}
	if (audit_bundle(data, size, &r) == 0) {
		if (bundle_each(data, size, count, &n) != 0 || n != r.n_entries)
			abort();
	}
	audit_report_free(&r);
	return 0;
}
