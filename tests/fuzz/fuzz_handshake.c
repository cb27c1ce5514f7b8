/* Fuzz target: Noise handshake messages from a peer, with fixed keys and
 * ephemerals (tests/fuzz/fuzz.h) so that the seeds are valid messages.
 * The first byte picks the step (enum fuzz_hs_mode, | FUZZ_HS_PSK for
 * XXpsk3), the rest is the peer's message:
 *   MSG0: a fresh responder reads it, then writes message 1;
 *   MSG1: an initiator that wrote a real message 0 reads it, checks the
 *         hello, writes message 2 and splits;
 *   MSG2: a responder that read a real message 0 and wrote message 1
 *         reads it, checks the hello against the Noise static and splits
 * (paktd: daemon/session.c on_handshake_frame, handshake_done). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/noise.h"
#include "proto/wire.h"
#include "tests/fuzz/fuzz.h"

static struct fuzz_keys k;

static void finish(struct noise_hs *hs, const uint8_t *payload, size_t plen)
{
	struct noise_cipher tx, rx;
	uint8_t ed[32], x_pk[32], hash[NOISE_HASH_LEN];
	const uint8_t *rs = noise_hs_remote_static(hs);

	if (!noise_hs_done(hs) || rs == NULL)
		abort();    /* a read message 2 completes the handshake */
	/* paktd closes the session unless the hello's key is the Noise static */
	if (wire_hello_parse(payload, plen, ed) == 0 && keys_pk_to_x25519(ed, x_pk) == 0 &&
	    sodium_memcmp(x_pk, rs, 32) != 0)
		return;
	if (noise_hs_split(hs, &tx, &rx, hash) != 0)
		abort();
	noise_cipher_wipe(&tx);
	noise_cipher_wipe(&rx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static uint8_t payload[NOISE_MSG_MAX], msg[512];
	struct noise_hs ini, resp;
	size_t plen, len;
	bool psk;
	int mode;

	if (!ready) {
		fuzz_keys_init(&k);
		ready = true;
	}
	if (size < 1)
		return 0;
	mode = data[0] & 0x7f;
	psk = (data[0] & FUZZ_HS_PSK) != 0;
	data++;
	size--;
	memset(&ini, 0, sizeof ini);
	memset(&resp, 0, sizeof resp);
	switch (mode) {
	case FUZZ_HS_MSG0:
		if (fuzz_hs_init(&k, &resp, false, psk) != 0)
			abort();
		/* message 1 may still fail: a low-order ephemeral is refused
		 * when the ee DH is computed (paktd then closes the session) */
		if (noise_hs_read(&resp, data, size, payload, sizeof payload, &plen) == 0)
			(void)fuzz_hs_write(&k, &resp, false, msg, sizeof msg, &len);
		break;
	case FUZZ_HS_MSG1:
		if (fuzz_hs_init(&k, &ini, true, psk) != 0 ||
		    fuzz_hs_write(&k, &ini, true, msg, sizeof msg, &len) != 0)
			abort();
		if (noise_hs_read(&ini, data, size, payload, sizeof payload, &plen) != 0)
			break;
		if (noise_hs_remote_static(&ini) == NULL)
			abort();
		/* the payload is the responder's hello; checked once done */
		if (fuzz_hs_write(&k, &ini, true, msg, sizeof msg, &len) != 0)
			abort();
		finish(&ini, payload, plen);
		break;
	case FUZZ_HS_MSG2:
		if (fuzz_hs_init(&k, &ini, true, psk) != 0 || fuzz_hs_init(&k, &resp, false, psk) != 0 ||
		    fuzz_hs_write(&k, &ini, true, msg, sizeof msg, &len) != 0 ||
		    noise_hs_read(&resp, msg, len, payload, sizeof payload, &plen) != 0 ||
		    fuzz_hs_write(&k, &resp, false, msg, sizeof msg, &len) != 0)
			abort();
		if (noise_hs_read(&resp, data, size, payload, sizeof payload, &plen) == 0)
			finish(&resp, payload, plen);
		break;
	default:
		break;
	}
	noise_hs_wipe(&ini);
	noise_hs_wipe(&resp);
	return 0;
}
