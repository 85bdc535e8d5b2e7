/*
 * Copies to and from the current task's user memory through the MMU
 * (vm/copyio.c decides when): a plain rep movsl, and rep movsb for the last
 * bytes. A page fault between usercopy_start and usercopy_end is the copy's,
 * not the kernel's: trap.c brings the page in as a user access would and the
 * copy goes on, or it sends the copy to usercopy_fixup with the error in eax.
 *
 * kern_return_t arch_user_copy(void *dst, const void *src, size_t len)
 */
	.text
	.globl arch_user_copy, usercopy_start, usercopy_end, usercopy_fixup
arch_user_copy:
	pushl	%esi
	pushl	%edi
	movl	12(%esp), %edi
	movl	16(%esp), %esi
	movl	20(%esp), %ecx
	movl	%ecx, %edx
	shrl	$2, %ecx
	andl	$3, %edx
usercopy_start:
	rep movsl
	movl	%edx, %ecx
	rep movsb
usercopy_end:
	xorl	%eax, %eax
usercopy_fixup:				/* eax: 0, or the error trap.c put there */
	popl	%edi
	popl	%esi
	ret
