/*
 * The slow path of spin_acquire (kern/spinlock.h): called with the lock's
 * address pushed, it keeps every register, calls spin_contended(lock) and
 * pops the address on its way back, so the inline fast path clobbers nothing
 * for it.
 */
	.text
	.globl spin_contended_stub
spin_contended_stub:
	pushl	%ebp			/* ebp for the lock below; a backtrace names the caller by the return address */
	movl	%esp, %ebp
	pushl	%eax
	pushl	%ecx
	pushl	%edx
	pushfl
	pushl	8(%ebp)			/* the lock: above the return address */
	call	spin_contended
	addl	$4, %esp
	popfl
	popl	%edx
	popl	%ecx
	popl	%eax
	popl	%ebp
	ret	$4
