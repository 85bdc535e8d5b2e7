/*
 * Multiboot 1 entry. The loader leaves us in 32-bit protected mode with paging
 * off; we map the first 64 MiB both at 0 (to survive turning paging on) and at
 * 3 GiB, switch to the boot stack in the higher half and call kmain(magic, mbi).
 * pmap_init() later replaces these tables with the real kernel map.
 */
#include "layout.h"

#define MB_MAGIC	0x1BADB002
#define MB_FLAGS	0x00000003	/* page-aligned modules, memory info */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .boot.text, "ax"
	.globl _start
_start:
	cli
	mov	%eax, %esi		/* Multiboot magic */
	mov	%ebx, %edi		/* physical address of the Multiboot info */

	/* 16 large pages: identity and higher half, 4 MiB each. */
	mov	$(boot_pgdir - KERNEL_BASE), %edx
	xor	%ecx, %ecx
1:	mov	%ecx, %eax
	shl	$22, %eax
	or	$0x83, %eax		/* present, writable, 4 MiB */
	mov	%eax, (%edx,%ecx,4)
	mov	%eax, (KERNEL_BASE >> 22) * 4(%edx,%ecx,4)
	inc	%ecx
	cmp	$16, %ecx
	jne	1b

	mov	%cr4, %eax
	or	$0x10, %eax		/* PSE */
	mov	%eax, %cr4
	mov	%edx, %cr3
	mov	%cr0, %eax
	or	$0x80010000, %eax	/* PG, WP: the kernel honours read-only pages too */
	mov	%eax, %cr0
	lea	higher_half, %eax
	jmp	*%eax

	.text
higher_half:
	mov	$(boot_stack + BOOT_STACK_SIZE), %esp
	xor	%ebp, %ebp		/* ends the backtrace */
	push	%edi
	push	%esi
	call	kmain
2:	cli
	hlt
	jmp	2b

	.bss
	.align 4096
	.globl boot_pgdir
boot_pgdir:
	.skip 4096
	.globl boot_stack
boot_stack:
	.skip BOOT_STACK_SIZE
