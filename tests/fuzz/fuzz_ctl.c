/* Fuzz target: one control-socket frame body (after the 4-byte length),
 * through the decoder paktd runs on every request (proto/ctlop.h,
 * ctlop_req_decode) and the ones pakt runs on every reply
 * (proto/ctlop_reply.h). What decodes must survive its encoder: a request
 * decodes again to the same struct, a reply re-encodes to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ctlmsg.h"
#include "proto/ctlop.h"
#include "proto/ctlop_reply.h"
#include "proto/err.h"
#include "tests/fuzz/fuzz.h"

/* Any reply struct. */
static union {
	struct ctlop_r_ok ok;
	struct ctlop_r_entry entry;
	struct ctlop_r_status status;
	struct ctlop_r_created created;
	struct ctlop_r_verify verify;
	struct ctlop_r_invite invite;
	struct ctlop_r_members members;
	struct ctlop_r_peers peers;
	struct ctlop_r_rotated rotated;
	struct ctlop_r_agenda agenda;
	struct ctlop_r_metrics metrics;
	struct ctlop_r_commitments commitments;
	struct ctlop_r_audit audit;
	struct ctlop_r_export export;
	struct ctlop_r_log_row row;
	struct ctlop_r_log_end end;
} reply, reply2;

static void replies(const uint8_t *data, size_t size)
{
	char why[256];
	struct mpx_out o, o2;

	(void)ctlop_reply_error(data, size, why, sizeof why);
	mpx_init(&o);
	mpx_init(&o2);
	for (int k = 0; k < CTLOP_R_COUNT; k++) {
		if (ctlop_reply_decode((enum ctlop_reply_kind)k, &reply, data, size, why, sizeof why) == 0) {
			if (ctlop_reply_encode((enum ctlop_reply_kind)k, &reply, &o) != 0 ||
			    ctlop_reply_decode((enum ctlop_reply_kind)k, &reply2,
					       (const uint8_t *)o.sb.data + CTL_HDR_LEN,
					       o.sb.size - CTL_HDR_LEN, why, sizeof why) != 0 ||
			    ctlop_reply_encode((enum ctlop_reply_kind)k, &reply2, &o2) != 0 ||
			    o.sb.size != o2.sb.size || memcmp(o.sb.data, o2.sb.data, o.sb.size) != 0)
				abort();
			ctlop_reply_free((enum ctlop_reply_kind)k, &reply2);
		}
		ctlop_reply_free((enum ctlop_reply_kind)k, &reply);
	}
	mpx_free(&o);
	mpx_free(&o2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctlop_req r, again;
	struct mpx_out o;
	char why[256];
	int rc;

	replies(data, size);
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
