/*
 * Switching kernel stacks. context_switch saves the callee-saved registers on
 * the old stack, stores its esp, loads the new one and pops the same registers.
 * A new thread's stack is built so that this pop "returns" into
 * thread_trampoline, which calls sched_thread_start and, for a user thread,
 * falls into trapret with its user trapframe right above.
 */
	.text
	.globl context_switch
context_switch:			/* void context_switch(uint32_t *save, uint32_t load): in eax, edx */
	pushl	%ebp
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	movl	%esp, (%eax)
	movl	%edx, %esp
	popl	%edi
	popl	%esi
	popl	%ebx
	popl	%ebp
	ret

	.globl thread_trampoline
thread_trampoline:
	call	sched_thread_start
	jmp	trapret
