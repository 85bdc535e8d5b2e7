/*
 * The kernel passes its first three arguments in eax, edx and ecx
 * (-mregparm=3, kernel/rules.mk): some 120 instructions fewer a null RPC than
 * the i386 ABI's stack. The C functions that assembly calls (trapentry.S,
 * spinlock.S, lockcheck.S, irqoff.S, boot.S) still take theirs on the stack,
 * as those callers push them: STACK_ARGS on their declarations and
 * definitions. The assembly that C calls (usercopy.S, context.S) takes
 * registers; libgcc's calls go through libgcc_regparm.c.
 */
#ifndef KERN_STACK_ARGS_H
#define KERN_STACK_ARGS_H

#if defined(__i386__)
#define STACK_ARGS __attribute__((regparm(0)))
#else
#define STACK_ARGS	/* a host build of kernel code: the host's own ABI */
#endif

#endif
