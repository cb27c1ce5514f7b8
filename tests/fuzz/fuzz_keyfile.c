/* Fuzz target: a key file (keys/keyfile.c). The input is written to a
 * temporary file with mode 0600, then read with keyfile_read_public,
 * keyfile_read without a passphrase and keyfile_read with the passphrase
 * "x". The file's own Argon2id cost is used when it decrypts; inputs that
 * ask for more than a test-sized cost (the parser allows up to 32 passes
 * and 1 GiB) skip the passphrase read, so that one input cannot eat the
 * whole run. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "keys/keyfile.h"
#include "keys/keys.h"
#include "tests/fuzz/fuzz.h"

#define COST_OPS_MAX 4
#define COST_MEM_MAX (1u << 20)

static char path[64];

static void cleanup(void)
{
	if (path[0] != '\0')
		unlink(path);
}

/* The unsigned msgpack integer at p (fixint, uint 8/16/32/64), or
 * UINT64_MAX when there is none. */
static uint64_t mp_uint(const uint8_t *p, const uint8_t *end)
{
	int w;
	uint64_t v = 0;

	if (p >= end)
		return UINT64_MAX;
	if (*p <= 0x7f)
		return *p;
	if (*p < 0xcc || *p > 0xcf)
		return UINT64_MAX;
	w = 1 << (*p - 0xcc);
	if (end - p - 1 < w)
		return UINT64_MAX;
	for (int i = 1; i <= w; i++)
		v = v << 8 | p[i];
	return v;
}

/* False if line 2 decodes to bytes where a key "ops" or "mem" is followed
 * by a value above the test cost, or by anything but an unsigned integer
 * (anything else is refused by the parser before the KDF runs). Scans
 * bytes instead of unpacking: msgpack-c allocates what a header claims. */
static bool cheap(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size), *end, *p;
	uint8_t bin[512];
	size_t blen, b64;

	if (nl == NULL)
		return true;
	nl++;
	end = memchr(nl, '\n', size - (size_t)(nl - data));
	b64 = (size_t)((end ? end : data + size) - nl);
	if (sodium_base642bin(bin, sizeof bin, (const char *)nl, b64, NULL, &blen, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return true;
	for (p = bin; p + 4 <= bin + blen; p++) {
		if (memcmp(p, "\xa3ops", 4) == 0 && mp_uint(p + 4, bin + blen) > COST_OPS_MAX)
			return false;
		if (memcmp(p, "\xa3mem", 4) == 0 && mp_uint(p + 4, bin + blen) > COST_MEM_MAX)
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct keys_identity id;
	uint8_t pk[32];
	bool enc;
	char why[512];
	int fd;

	if (!ready) {
		int tmp;

		if (sodium_init() < 0)
			abort();
		snprintf(path, sizeof path, "/tmp/pakt-fuzz-keyXXXXXX");
		tmp = mkstemp(path);
		if (tmp < 0)
			abort();
		close(tmp);
		atexit(cleanup);
		keyfile_set_kdf_limits(0, 0);   /* clamped to libsodium's minimum */
		ready = true;
	}
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0600) != 0)
		abort();
	for (size_t off = 0; off < size;) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	close(fd);

	(void)keyfile_read_public(path, pk, &enc, why, sizeof why);
	if (keyfile_read(path, NULL, &id, why, sizeof why) == 0)
		keys_free(&id);
	if (cheap(data, size) && keyfile_read(path, "x", &id, why, sizeof why) == 0)
		keys_free(&id);
	return 0;
}
