/* Fuzz target: entry bodies. The first byte picks the entry type (from
 * fuzz_body_types), the rest is the body: body_validate, then the parser
 * of that type (body_*_parse; sealed_open with the key the seeds are
 * sealed to). Oracle: a body that validates also parses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/body.h"
#include "proto/sealed.h"
#include "proto/err.h"
#include "tests/fuzz/fuzz.h"

/* Parse b as type; 0, PAKT_EBODY, or 1 when the type has no parser. */
static int parse(const char *type, const uint8_t *b, size_t len)
{
	static struct fuzz_keys k;
	static bool ready;
	static union {
		struct body_member m;
		struct body_agenda a;
		struct body_update u;
		struct body_commitment c;
		struct body_ref r;
		struct body_status s;
		struct body_profile p;
		struct body_head h[BODY_HEADS_MAX];
		char text[BODY_SEALED_MAX + 1];
	} out;
	size_t n;
	uint8_t reply[32];
	bool has_reply;

	if (!ready) {
		fuzz_keys_init(&k);
		ready = true;
	}
	if (strcmp(type, "member") == 0)
		return body_member_parse(b, len, &out.m);
	if (strcmp(type, "agenda") == 0)
		return body_agenda_parse(b, len, &out.a);
	if (strcmp(type, "update") == 0)
		return body_update_parse(b, len, &out.u);
	if (strcmp(type, "commitment") == 0)
		return body_commitment_parse(b, len, &out.c);
	if (strcmp(type, "accept") == 0 || strcmp(type, "decline") == 0 ||
	    strcmp(type, "redact") == 0)
		return body_ref_parse(type, b, len, &out.r);
	if (strcmp(type, "status") == 0)
		return body_status_parse(b, len, &out.s);
	if (strcmp(type, "profile") == 0)
		return body_profile_parse(b, len, &out.p);
	if (strcmp(type, "checkpoint") == 0)
		return body_checkpoint_parse(b, len, out.h, BODY_HEADS_MAX, &n);
	if (strcmp(type, "sealed") == 0) {
		/* the seeds are bound to (k.network, k.seal_pk) */
		(void)sealed_open(b, len, k.network, k.seal_pk, k.seal_pk, k.seal_sk,
				  out.text, sizeof out.text, reply, &has_reply);
		return 1;   /* PAKT_ENOTFOUND is a valid outcome */
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *type;
	char why[256];
	int valid, parsed;

	if (size < 1)
		return 0;
	type = fuzz_body_types[data[0] % FUZZ_BODY_TYPES];
	valid = body_validate(type, data + 1, size - 1, why, sizeof why);
	parsed = parse(type, data + 1, size - 1);
	if (valid == 0 && parsed != 0 && parsed != 1)
		abort();    /* validated but its parser refuses it */
	return 0;
}
