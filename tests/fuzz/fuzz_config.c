/* Fuzz target: the node's config file (keys/config.c config_load),
 * written to a temporary file. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys/config.h"
#include "tests/fuzz/fuzz.h"

static char path[64];

static void cleanup(void)
{
	if (path[0] != '\0')
		unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct config c;
	char why[512];
	int fd;

	if (!ready) {
		snprintf(path, sizeof path, "/tmp/pakt-fuzz-configXXXXXX");
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
		atexit(cleanup);
		ready = true;
	}
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		abort();
	for (size_t off = 0; off < size;) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	close(fd);
	if (config_load(&c, path, why, sizeof why) == 0 &&
	    (memchr(c.name, '\0', sizeof c.name) == NULL ||
	     memchr(c.listen, '\0', sizeof c.listen) == NULL ||
	     memchr(c.address, '\0', sizeof c.address) == NULL ||
	     memchr(c.network, '\0', sizeof c.network) == NULL))
		abort();
	return 0;
}
