/*
 * Per-thread machine state kept outside the kernel stack: the x87 and SSE
 * registers of user threads (the kernel itself never uses them), saved and
 * restored on every switch with fxsave/fxrstor (fnsave/frstor on a CPU
 * without FXSR), and the descriptor of the thread's TLS segment
 * (i386_TLS_STATE), copied into the GDT's TLS slot on every switch.
 */
#ifndef ARCH_THREAD_H
#define ARCH_THREAD_H

#include <stdint.h>

#define ARCH_FPU_BYTES 512	/* fxsave's image; fnsave's 108 fit in it */

struct arch_thread {
	/* the image sits at arch_fpu_area(): fxsave wants 16-byte alignment, the heap promises less */
	uint8_t fpu[ARCH_FPU_BYTES + 16];
	uint32_t tls[2];	/* a GDT descriptor (gdt_tls_descriptor) */
	uint32_t tls_base, tls_limit, tls_flags;	/* what thread_set_state gave, for thread_get_state */
};

void arch_fpu_init(void);

static inline void *
arch_fpu_area(struct arch_thread *a)
{
	return (void *)(((uintptr_t)a->fpu + 15) & ~(uintptr_t)15);
}

#endif
