/* Fuzz target: one control-socket frame body (after the 4-byte length),
 * through the decoder paktd runs on every request (proto/ctlop.h,
 * ctlop_req_decode). A request that decodes must survive the encoder pakt
 * uses: encode, decode again, and get the same struct. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ctlmsg.h"
#include "proto/ctlop.h"
#include "proto/err.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctlop_req r, again;
	struct mpx_out o;
	char why[256];
	int rc;

	rc = ctlop_req_decode(&r, data, size, why, sizeof why);
	if (rc != 0) {
		/* every refusal says why; a frame that is not a request is EPROTO */
		if (why[0] == '\0' || (r.op == CTLOP_INVALID && rc != PAKT_EPROTO))
			abort();
		return 0;
	}
	if (r.op <= CTLOP_UNKNOWN || ctlop_name(r.op) == NULL)
		abort();
	mpx_init(&o);
	if (ctlop_req_encode(&r, &o) != 0 ||
	    ctlop_req_decode(&again, (const uint8_t *)o.sb.data + CTL_HDR_LEN,
			     o.sb.size - CTL_HDR_LEN, why, sizeof why) != 0 ||
	    memcmp(&r, &again, sizeof r) != 0)
		abort();
	mpx_free(&o);
	ctlop_req_wipe(&r);
	ctlop_req_wipe(&again);
	return 0;
}
