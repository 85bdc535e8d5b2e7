/*
 * The hot traps of one argument or none, each a leaf without a frame: the
 * argument in ebx (saved: it is the caller's), the number in eax, and by
 * sysenter nothing on the stack, since the kernel reads the stack only for a
 * trap whose argc is 2 or more (<manifold/traps.h>); int 0x30 when
 * libmsg_sysenter (trap.c) says sysenter is not taken. A stub that costs
 * less than the call's own kernel half is what a null system call measures.
 * trap.c asserts the numbers against the trap list.
 */
.macro TRAP1 name, number
	.globl	\name
\name:
	pushl	%ebx
	movl	8(%esp), %ebx		/* the argument (or the caller's word, unused) */
	movl	$\number, %eax
	cmpl	$0, libmsg_sysenter
	je	2f
	movl	%esp, %ecx
	movl	$1f, %edx
	sysenter
1:	popl	%ebx
	ret
2:	int	$0x30			/* keeps every register but eax */
	popl	%ebx
	ret
.endm

	.text
	TRAP1	trap_thread_yield, 3
	TRAP1	trap_clock_uptime, 4
	TRAP1	trap_task_self_id, 8
	TRAP1	trap_device_intr_ack, 13
