/* Fuzz target: the plaintext of a transport frame after the handshake,
 * handled as paktd's session does (daemon/session.c on_message): the
 * preamble check on its first 36 bytes, wire_msg_parse, then for
 * "entries" every entry through entry_decode and body_validate
 * (daemon/repl.c repl_ingest) and for "fork" both entries through
 * entry_decode and entry_verify; also wire_hello_parse (the handshake
 * payload) on the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/body.h"
#include "proto/entry.h"
#include "proto/wire.h"
#include "tests/fuzz/fuzz.h"

static void entry_check(const uint8_t *p, size_t len, bool verify)
{
	struct entry e;
	char why[160];

	if (entry_decode(&e, p, len) != 0)
		return;
	if (verify)
		(void)entry_verify(&e);
	if (e.body != NULL)
		(void)body_validate(e.h.type, e.body, e.body_len, why, sizeof why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wire_scratch scratch;
	static bool ready;
	struct wire_msg m;
	uint8_t key[32], net[32];
	char why[256];

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = true;
	}
	if (size >= WIRE_PREAMBLE_LEN)
		(void)wire_preamble_parse(data, net);
	(void)wire_hello_parse(data, size, key);
	if (size > WIRE_PLAIN_MAX)
		return 0;   /* a frame cannot carry more */
	if (wire_msg_parse(&m, &scratch, data, size, why, sizeof why) != 0)
		return 0;
	switch (m.type) {
	case WIRE_ENTRIES:
		if (m.n_e > WIRE_BATCH_MAX)
			abort();
		for (size_t i = 0; i < m.n_e; i++)
			entry_check(m.e[i], m.e_len[i], false);
		break;
	case WIRE_FORK:
		if (m.n_e != 2)
			abort();
		entry_check(m.e[0], m.e_len[0], true);
		entry_check(m.e[1], m.e_len[1], true);
		break;
	case WIRE_CLOCK:
		if (m.n_feeds > WIRE_CLOCK_MAX || m.n_skip > WIRE_CLOCK_MAX)
			abort();
		break;
	case WIRE_INVITE:
		if (m.secret == NULL)
			abort();
		break;
	default:
		break;
	}
	return 0;
}
