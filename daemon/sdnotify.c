/* sd_notify(3) wrappers: see sdnotify.h. */
#include "daemon/sdnotify.h"
#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>
#endif

void sdnotify_ready(const char *status)
{
#ifdef HAVE_LIBSYSTEMD
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
#else
	(void)status;
#endif
}

void sdnotify_reloading(void)
{
#ifdef HAVE_LIBSYSTEMD
	struct timespec ts;

	/* systemd 253+ wants the monotonic time with RELOADING=1 */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
#endif
}

void sdnotify_stopping(void)
{
#ifdef HAVE_LIBSYSTEMD
	sd_notify(0, "STOPPING=1");
#endif
}
