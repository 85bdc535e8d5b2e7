/*
 * The registers a trap saves on the kernel stack (trapentry.S builds it). For a
 * trap from user mode the CPU also pushed the user's esp and ss.
 */
#ifndef TRAPFRAME_H
#define TRAPFRAME_H

#ifndef __ASSEMBLER__
#include <stdint.h>

struct trapframe {
	uint32_t edi, esi, ebp, kernel_esp, ebx, edx, ecx, eax;	/* pusha */
	uint32_t gs, fs, es, ds;
	uint32_t trapno, err;
	uint32_t eip, cs, eflags;
	uint32_t esp, ss;		/* only when coming from ring 3 */
};

static inline int trapframe_from_user(const struct trapframe *tf) { return (tf->cs & 3) == 3; }
#endif

/* Offsets in struct trapframe, for trapentry.S */
#define TF_ERR		52
#define TF_EFLAGS	64

#define T_DIVIDE	0
#define T_DEBUG		1
#define T_NMI		2
#define T_BREAKPOINT	3
#define T_OVERFLOW	4
#define T_BOUND		5
#define T_INVALID_OP	6
#define T_NO_DEVICE	7
#define T_DOUBLE_FAULT	8
#define T_INVALID_TSS	10
#define T_NO_SEGMENT	11
#define T_STACK_FAULT	12
#define T_GPF		13
#define T_PAGE_FAULT	14
#define T_FPU_ERROR	16
#define T_ALIGNMENT	17
#define T_MACHINE_CHECK	18
#define T_SIMD		19
#define T_IRQ0		32
#define T_SYSCALL	0x30	/* the native trap */
#define T_PERSONALITY	0x80	/* `int 0x80`: to the task's syscall port (syscall_port.c), if it has one */
/*
 * err of a T_SYSCALL frame that came by sysenter: its arguments a1 and a2 are
 * on the user stack (<manifold/traps.h>), and it may leave by sysexit, which
 * gives ecx and edx the user's esp and eip. Anything that sets the frame's
 * registers for the user (thread_state_set) clears it, and the frame leaves
 * by iret.
 */
#define TF_SYSENTER	0x5EC5E17Eu

#endif
