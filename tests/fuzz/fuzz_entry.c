/* Fuzz target: a wire entry, as a peer's "entries" batch, a bundle or the
 * store hands it over: entry_decode, entry_verify, body_validate on the
 * body, and the header alone (entry_header_decode).
 * Oracle: an entry that decodes re-encodes to exactly the input (the
 * decoder accepts canonical encodings only). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/body.h"
#include "proto/entry.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static uint8_t out[ENTRY_WIRE_MAX];
	struct entry_header h;
	struct entry e;
	char why[256];
	size_t len;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = true;
	}
	(void)entry_header_decode(&h, data, size);
	if (entry_decode(&e, data, size) != 0)
		return 0;
	(void)entry_verify(&e);
	(void)entry_network(&e);
	if (e.body != NULL)
		(void)body_validate(e.h.type, e.body, e.body_len, why, sizeof why);
	if (entry_encode(&e, e.body != NULL, out, sizeof out, &len) != 0 || len != size ||
	    memcmp(out, data, size) != 0)
		abort();
	return 0;
}
