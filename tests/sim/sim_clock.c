/* The simulated wall clock. paktd reads the time through node_now_ms()
 * (clock_gettime(CLOCK_REALTIME)) in places that do not yet take the
 * node's clock (node_now(n), which reads n->sim_now_ms): node_append's
 * timestamps, repl_ingest's "not in the future" check. Defining
 * clock_gettime here, in the simulator's executable, makes those reads
 * return the simulated time too, so a run depends on its seed alone. Other
 * clocks (and CLOCK_REALTIME while sim_clock_ms is 0) are the kernel's. */
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "tests/sim/sim_clock.h"

uint64_t sim_clock_ms;

int clock_gettime(clockid_t id, struct timespec *ts)
{
	if (sim_clock_ms != 0 && id == CLOCK_REALTIME) {
		ts->tv_sec = (time_t)(sim_clock_ms / 1000);
		ts->tv_nsec = (long)(sim_clock_ms % 1000) * 1000000L;
		return 0;
	}
	return (int)syscall(SYS_clock_gettime, id, ts);
}
