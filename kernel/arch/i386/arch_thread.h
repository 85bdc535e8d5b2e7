/*
 * Per-thread machine state kept outside the kernel stack: the x87 registers of
 * user threads (the kernel itself never uses the FPU), saved and restored on
 * every switch with fnsave/frstor, and the descriptor of the thread's TLS
 * segment (i386_TLS_STATE), copied into the GDT's TLS slot on every switch.
 */
#ifndef ARCH_THREAD_H
#define ARCH_THREAD_H

#include <stdint.h>

struct arch_thread {
	uint8_t fpu[108] __attribute__((aligned(16)));
	uint32_t tls[2];	/* a GDT descriptor (gdt_tls_descriptor) */
	uint32_t tls_base, tls_limit, tls_flags;	/* what thread_set_state gave, for thread_get_state */
};

void arch_fpu_init(void);

#endif
