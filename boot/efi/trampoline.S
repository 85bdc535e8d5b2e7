/*
 * Leaves UEFI's long mode for the Multiboot machine state: 32-bit protected
 * mode, flat segments, paging off, interrupts off. handoff.c copies this code
 * and its parameter block to one page below 4 GiB (the firmware's page tables
 * map that page at its own address, so it keeps running when paging stops),
 * fills in the parameters, and calls it. After paging is off it copies the
 * kernel's segments into place (they may overlap memory the firmware used
 * until ExitBootServices, even its page tables) and jumps to the kernel with
 * EAX = 0x2BADB002, EBX = the Multiboot information.
 */
#define P_ENTRY    0
#define P_MBI      4
#define P_SEGS     8
#define P_NSEGS    12
#define P_GDTR     16
#define CODE32     0x08
#define DATA32     0x10
#define EFER_MSR   0xC0000080
#define EFER_LME   (1 << 8)
#define CR0_PG     (1 << 31)
#define CR4_PAE    (1 << 5)
#define MB_MAGIC   0x2BADB002

	.text
	.globl tramp_start, tramp_end, tramp_params, tramp_gdt
	.code64
tramp_start:
	cli
	lea	tramp_start(%rip), %rbx		/* where the copy runs; below 4 GiB */
	lgdt	(tramp_params - tramp_start + P_GDTR)(%rbx)
	/* Far return into the 32-bit code segment: compatibility mode. */
	lea	(compat - tramp_start)(%rbx), %rax
	pushq	$CODE32
	pushq	%rax
	lretq

	.code32
compat:
	mov	$DATA32, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %fs
	mov	%eax, %gs
	mov	%eax, %ss
	lea	4096(%ebx), %esp		/* top of the trampoline's page */

	/* Paging off first, which also drops long mode; then clear LME and PAE. */
	mov	%cr0, %eax
	and	$~CR0_PG, %eax
	mov	%eax, %cr0
	mov	$EFER_MSR, %ecx
	rdmsr
	and	$~EFER_LME, %eax
	wrmsr
	mov	%cr4, %eax
	and	$~CR4_PAE, %eax
	mov	%eax, %cr4

	/* Copy each kernel segment and zero its tail (bss). */
	cld
	mov	(tramp_params - tramp_start + P_SEGS)(%ebx), %ebp
	mov	(tramp_params - tramp_start + P_NSEGS)(%ebx), %edx
1:	test	%edx, %edx
	jz	2f
	mov	0(%ebp), %edi
	mov	4(%ebp), %esi
	mov	8(%ebp), %ecx
	rep movsb
	mov	12(%ebp), %ecx
	sub	8(%ebp), %ecx
	xor	%eax, %eax
	rep stosb
	add	$16, %ebp
	dec	%edx
	jmp	1b

2:	mov	(tramp_params - tramp_start + P_ENTRY)(%ebx), %ecx
	mov	(tramp_params - tramp_start + P_MBI)(%ebx), %ebx
	mov	$MB_MAGIC, %eax
	jmp	*%ecx

	.balign 16
tramp_params:
	.long	0, 0, 0, 0			/* entry, mbi, segs, nsegs */
	.word	gdt_end - tramp_gdt - 1		/* GDTR: limit, then base (set by handoff.c) */
	.quad	0
	.balign 8
tramp_gdt:
	.quad	0
	.quad	0x00CF9A000000FFFF		/* 0x08: code, 32-bit, flat */
	.quad	0x00CF92000000FFFF		/* 0x10: data, flat */
gdt_end:
tramp_end:

	.section .note.GNU-stack,"",@progbits
