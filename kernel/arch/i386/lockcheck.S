/*
 * What the lock-order sites of <kern/spinlock.h> call once the kernel is
 * booted with `lockcheck` (lockcheck_patch.c writes the calls): each checks
 * the lock (kern/lockcheck.c), then does what the bytes it replaces
 * did. Each keeps every register but the one its site sets; a panic's
 * backtrace names the function that took the lock by the return address
 * its call left on the stack (backtrace.c).
 */
	.text
/* a lock's `movl $1, %reg`: one stub per register the compiler may have chosen */
.macro ACQUIRE_STUB reg
lockcheck_acquire_stub_\reg:
	pushl	%ebp
	movl	%esp, %ebp
	pushl	%eax
	pushl	%ecx
	pushl	%edx
	pushl	%ecx			/* the lock */
	call	lockcheck_acquire
	addl	$4, %esp
	popl	%edx
	popl	%ecx
	popl	%eax
	popl	%ebp
	movl	$1, %\reg
	ret
.endm
	ACQUIRE_STUB eax
	ACQUIRE_STUB edx
	ACQUIRE_STUB ebx
	ACQUIRE_STUB ebp
	ACQUIRE_STUB esi
	ACQUIRE_STUB edi

	.section .rodata
	.globl lockcheck_acquire_stubs
lockcheck_acquire_stubs:	/* by the register number of movl's opcode (0xb8 + n); not %ecx (the lock), not %esp */
	.long lockcheck_acquire_stub_eax, 0, lockcheck_acquire_stub_edx, lockcheck_acquire_stub_ebx
	.long 0, lockcheck_acquire_stub_ebp, lockcheck_acquire_stub_esi, lockcheck_acquire_stub_edi
	.text

/* an unlock's `movl $0, (%reg)`, the lock in one of eax, ecx, edx, ebx; the site's sixth byte becomes a nop */
.macro RELEASE_STUB reg
lockcheck_release_stub_\reg:
	pushl	%ebp
	movl	%esp, %ebp
	pushl	%eax
	pushl	%ecx
	pushl	%edx
	pushl	%\reg
	call	lockcheck_release
	addl	$4, %esp
	popl	%edx
	popl	%ecx
	popl	%eax
	popl	%ebp
	movl	$0, (%\reg)
	ret
.endm
	RELEASE_STUB eax
	RELEASE_STUB ecx
	RELEASE_STUB edx
	RELEASE_STUB ebx

	.section .rodata
	.globl lockcheck_release_stubs
lockcheck_release_stubs:	/* by the register number in movl's ModRM byte (0x00 + n) */
	.long lockcheck_release_stub_eax, lockcheck_release_stub_ecx, lockcheck_release_stub_edx, lockcheck_release_stub_ebx
	.text
