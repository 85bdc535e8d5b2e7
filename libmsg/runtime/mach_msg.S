/*
 * mach_msg(msg, option, send_size, rcv_size, rcv_name, timeout, notify): the
 * trap takes six arguments, the sixth (timeout) in ebp, which C code cannot
 * name in inline assembly. notify (the seventh) is not passed: MACH_SEND_NOTIFY
 * and MACH_RCV_NOTIFY are not supported. By sysenter when libmsg_sysenter
 * (trap.c) says the kernel takes it: option and send_size then go on the
 * stack (<manifold/traps.h>).
 */
	.text
	.globl mach_msg
mach_msg:
	pushl	%ebp
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	movl	20(%esp), %ebx		/* msg */
	movl	32(%esp), %esi		/* rcv_size */
	movl	36(%esp), %edi		/* rcv_name */
	movl	40(%esp), %ebp		/* timeout */
	movl	$10, %eax		/* TRAP_mach_msg */
	cmpl	$0, libmsg_sysenter
	je	2f
	pushl	28(%esp)		/* send_size */
	pushl	28(%esp)		/* option (at 24 before the first push) */
	movl	%esp, %ecx
	movl	$1f, %edx
	sysenter
1:	addl	$8, %esp
	jmp	3f
2:	movl	24(%esp), %ecx		/* option */
	movl	28(%esp), %edx		/* send_size */
	int	$0x30
3:	popl	%edi
	popl	%esi
	popl	%ebx
	popl	%ebp
	ret
