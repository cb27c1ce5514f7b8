/* Fuzz target: a "run" message (replication version 2) as paktd's session
 * takes it (daemon/session_repl.c): wire_msg_parse, wire_run_decode for
 * the link's network, then every rebuilt entry through entry_decode.
 * Input: the 32-byte network, then the transport plaintext.
 *
 * Oracle: when every rebuilt entry decodes, building a run again from the
 * decoded entries (wire_run_add, as the pump does from stored rows) and
 * decoding that gives the same wire forms byte for byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/entry.h"
#include "proto/wire_run.h"
#include "tests/fuzz/fuzz.h"

static struct wire_scratch scratch;
static struct wire_run_scratch first, again;
static struct entry ents[WIRE_BATCH_MAX];

static void round_trip(const uint8_t *network, size_t n)
{
	struct wire_run r;
	struct mpx_out o;
	struct wire_msg m;
	size_t n2;
	char why[256];

	wire_run_init(&r, network);
	mpx_init(&o);
	for (size_t i = 0; i < n; i++)
		if (wire_run_add(&r, ents[i].header_bytes, ents[i].header_len, ents[i].sig,
				 ents[i].body, ents[i].body_len) != 0)
			abort();   /* a chain the decoder built must continue */
	wire_run_end(&r, &o);
	if (wire_msg_parse(&m, &scratch, (const uint8_t *)o.sb.data, o.sb.size, why,
			   sizeof why) != 0 ||
	    wire_run_decode(&m, network, &again, &n2, why, sizeof why) != 0 || n2 != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if (again.e_len[i] != first.e_len[i] ||
		    memcmp(again.e[i], first.e[i], first.e_len[i]) != 0)
			abort();
	mpx_free(&o);
	wire_run_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct wire_msg m;
	const uint8_t *network = data;
	size_t n;
	bool all = true;
	char why[256];

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = true;
	}
	if (size < 32 || size - 32 > WIRE_PLAIN_MAX)
		return 0;   /* a frame cannot carry more */
	data += 32;
	size -= 32;
	if (wire_msg_parse(&m, &scratch, data, size, why, sizeof why) != 0 || m.type != WIRE_RUN)
		return 0;
	if (wire_run_decode(&m, network, &first, &n, why, sizeof why) != 0)
		return 0;
	if (n == 0 || n > WIRE_BATCH_MAX)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (first.e[i] < first.buf || first.e[i] + first.e_len[i] > first.buf + sizeof first.buf)
			abort();
		if (entry_decode(&ents[i], first.e[i], first.e_len[i]) != 0) {
			all = false;
			continue;
		}
		if (ents[i].h.seq != m.run_seq + i || memcmp(ents[i].h.author, m.run_author, 32) != 0)
			abort();
	}
	if (all)
		round_trip(network, n);
	return 0;
}
