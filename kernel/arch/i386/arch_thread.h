/*
 * Per-thread machine state kept outside the kernel stack: the x87 registers of
 * user threads (the kernel itself never uses the FPU), saved and restored on
 * every switch with fnsave/frstor.
 */
#ifndef ARCH_THREAD_H
#define ARCH_THREAD_H

#include <stdint.h>

struct arch_thread {
	uint8_t fpu[108] __attribute__((aligned(16)));
};

void arch_fpu_init(void);

#endif
