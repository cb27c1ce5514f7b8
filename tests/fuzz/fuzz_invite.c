/* Fuzz target: an invite code (proto/wire.c wire_invite_decode), as `pakt
 * join CODE` hands it to paktd. Oracle: a code that decodes re-encodes
 * to a code that decodes to the same invite. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/wire.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static char text[INVITE_TEXT_MAX * 4 + 1], code[INVITE_TEXT_MAX];
	struct invite inv, back;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = true;
	}
	if (size > sizeof text - 1)
		size = sizeof text - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	if (wire_invite_decode(text, &inv) != 0)
		return 0;
	if (wire_invite_encode(&inv, code) != 0 || wire_invite_decode(code, &back) != 0 ||
	    memcmp(inv.network, back.network, 32) != 0 || memcmp(inv.inviter, back.inviter, 32) != 0 ||
	    memcmp(inv.secret, back.secret, 32) != 0 || inv.n_addrs != back.n_addrs ||
	    inv.expires_ms != back.expires_ms)
		abort();
	for (size_t i = 0; i < inv.n_addrs; i++)
		if (strcmp(inv.addrs[i], back.addrs[i]) != 0)
			abort();
	return 0;
}
