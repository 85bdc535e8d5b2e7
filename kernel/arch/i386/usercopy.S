/*
 * Loads and copies from and to the current task's user memory through the
 * MMU (vm/copyio.c and trap.c decide when). A page fault between a routine's
 * start and end labels is the routine's, not the kernel's: trap.c brings the
 * page in as a user access would and the instruction runs again, or it sends
 * the routine to its fixup label with the error in eax. The table
 * usercopy_ranges lists start, end and fixup of each. Arguments come in eax,
 * edx and ecx, as the kernel's C passes them (-mregparm=3: kern/stack_args.h).
 */
	.text
/* kern_return_t arch_user_copy(void *dst, const void *src, size_t len): a plain rep movsl, then rep movsb. */
	.globl arch_user_copy
arch_user_copy:
	pushl	%esi
	pushl	%edi
	movl	%eax, %edi
	movl	%edx, %esi
	movl	%ecx, %edx
	shrl	$2, %ecx
	andl	$3, %edx
1:	rep movsl
	movl	%edx, %ecx
	rep movsb
2:	xorl	%eax, %eax
3:	popl	%edi			/* eax: 0, or the error trap.c put there */
	popl	%esi
	ret

/*
 * kern_return_t arch_user_load2(uint32_t uaddr, uint32_t out[2]): two words, for
 * the arguments a sysenter trap keeps on the user stack (trap.c). The caller
 * checked that both lie below USER_TOP.
 */
	.globl arch_user_load2
arch_user_load2:
	movl	%eax, %ecx
4:	movl	(%ecx), %eax
	movl	%eax, (%edx)
	movl	4(%ecx), %eax
5:	movl	%eax, 4(%edx)
	xorl	%eax, %eax
6:	ret

/*
 * kern_return_t arch_user_store(uint32_t uaddr, uint32_t value): one word, for
 * the traps whose only result is a word written out (copyout_word). The
 * caller checked that it lies below USER_TOP.
 */
	.globl arch_user_store
arch_user_store:
7:	movl	%edx, (%eax)
	xorl	%eax, %eax
8:	ret

/*
 * kern_return_t arch_user_probe(uint32_t uaddr): whether the byte's page may be
 * written, found by writing it without changing it (an atomic or of 0, which no
 * other thread's store can slip into); a page not yet there is brought in as a
 * write would bring it. The caller checked that it lies below USER_TOP.
 */
	.globl arch_user_probe
arch_user_probe:
9:	lock orb $0, (%eax)
	xorl	%eax, %eax
10:	ret

/*
 * kern_return_t arch_user_touch(uint32_t uaddr): whether the byte's page may be
 * read, found by reading it; a page not yet there is brought in as a read
 * would bring it. The caller checked that it lies below USER_TOP.
 */
	.globl arch_user_touch
arch_user_touch:
11:	movb	(%eax), %cl
	xorl	%eax, %eax
12:	ret

	.section .rodata
	.globl usercopy_ranges, usercopy_ranges_end
usercopy_ranges:
	.long	1b, 2b, 3b
	.long	4b, 5b, 6b
	.long	7b, 8b, 8b
	.long	9b, 10b, 10b
	.long	11b, 12b, 12b
usercopy_ranges_end:
