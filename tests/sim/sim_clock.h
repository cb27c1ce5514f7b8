/* The simulated wall clock (see sim_clock.c). */
#ifndef PAKT_SIM_CLOCK_H
#define PAKT_SIM_CLOCK_H

#include <stdint.h>

/* Milliseconds since the epoch that CLOCK_REALTIME reads; 0: the real one. */
extern uint64_t sim_clock_ms;

#endif
