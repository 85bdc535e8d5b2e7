/*
 * The time stamp counter, read in user mode (rdtsc: the kernel leaves CR4.TSD
 * clear). Cycles on a PC; under QEMU's -icount, guest instructions (a
 * nanosecond each at shift=0). For rates and spans inside one task (gns's
 * clock between two readings of the kernel's, the e1000 driver's interrupt
 * spacing), never for the time of day.
 */
#ifndef MANIFOLD_CYCLES_H
#define MANIFOLD_CYCLES_H

#include <stdint.h>

static inline uint64_t
msg_cycles(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

#endif
