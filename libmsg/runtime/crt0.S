/*
 * Process entry. The kernel's loader leaves argc, then argv[], NULL, envp[],
 * NULL at the stack pointer. We clear the frame pointer (ends backtraces),
 * move to a cthread stack (cthread.c: every thread, main too, finds its
 * control block from %esp), call main(argc, argv, envp) and pass its result
 * to exit(). argv and envp stay on the loader's stack, which stays mapped.
 */
	.text
	.globl _start
_start:
	xorl	%ebp, %ebp
	call	libmsg_trap_init	/* by sysenter from now on, if the kernel takes it */
	movl	(%esp), %esi		/* argc */
	leal	4(%esp), %ebx		/* argv */
	leal	8(%esp,%esi,4), %edi	/* envp: past argv's NULL */
	movl	%edi, environ
	andl	$-16, %esp
	call	cthread_main_stack	/* keeps ebx, esi, edi; 0: stay on this stack */
	testl	%eax, %eax
	jz	1f
	movl	%eax, %esp		/* 16-byte aligned: the block sits above */
1:	andl	$-16, %esp
	subl	$4, %esp
	pushl	%edi
	pushl	%ebx
	pushl	%esi
	call	main
	movl	%eax, (%esp)
	call	exit
2:	jmp	2b
