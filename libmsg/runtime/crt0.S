/*
 * Process entry. The kernel's loader leaves argc, then argv[], NULL, envp[],
 * NULL at the stack pointer. We clear the frame pointer (ends backtraces),
 * call main(argc, argv, envp) and pass its result to exit().
 */
	.text
	.globl _start
_start:
	xorl	%ebp, %ebp
	movl	(%esp), %eax		/* argc */
	leal	4(%esp), %ebx		/* argv */
	leal	8(%esp,%eax,4), %ecx	/* envp: past argv's NULL */
	movl	%ecx, environ
	andl	$-16, %esp
	subl	$4, %esp
	pushl	%ecx
	pushl	%ebx
	pushl	%eax
	call	main
	movl	%eax, (%esp)
	call	exit
1:	jmp	1b
