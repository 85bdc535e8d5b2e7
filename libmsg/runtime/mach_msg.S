/*
 * mach_msg(msg, option, send_size, rcv_size, rcv_name, timeout, notify): the
 * trap takes six arguments, the sixth (timeout) in ebp, which C code cannot
 * name in inline assembly. notify (the seventh) is not passed: MACH_SEND_NOTIFY
 * and MACH_RCV_NOTIFY are not supported.
 */
	.text
	.globl mach_msg
mach_msg:
	pushl	%ebp
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	movl	20(%esp), %ebx		/* msg */
	movl	24(%esp), %ecx		/* option */
	movl	28(%esp), %edx		/* send_size */
	movl	32(%esp), %esi		/* rcv_size */
	movl	36(%esp), %edi		/* rcv_name */
	movl	40(%esp), %ebp		/* timeout */
	movl	$10, %eax		/* TRAP_mach_msg */
	int	$0x30
	popl	%edi
	popl	%esi
	popl	%ebx
	popl	%ebp
	ret
