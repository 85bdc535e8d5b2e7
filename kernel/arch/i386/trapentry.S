/*
 * Trap entry: one small stub per vector pushes an error code (if the CPU did
 * not) and the vector number, then alltraps saves the rest as a struct
 * trapframe and calls trap(). trapret is also where new user threads start.
 */
#include "gdt.h"
#include "trapframe.h"

/* Five bytes run as one instruction (ignored DS prefixes), patched by irqoff_patch.c. */
.macro IRQOFF_SITE b0, b1, b2, b3, b4, stub, jump
661:	.byte \b0, \b1, \b2, \b3, \b4
	.pushsection irqoff_patch, "a"
	.long 661b, \stub, \jump
	.popsection
.endm

.macro VEC n, has_err
	.globl vector\n
vector\n:
	.if \has_err == 0
	pushl	$0
	.endif
	pushl	$\n
	jmp	alltraps
.endm

	.text
VEC 0,0;  VEC 1,0;  VEC 2,0;  VEC 3,0;  VEC 4,0;  VEC 5,0;  VEC 6,0;  VEC 7,0
VEC 8,1;  VEC 9,0;  VEC 10,1; VEC 11,1; VEC 12,1; VEC 13,1; VEC 14,1; VEC 15,0
VEC 16,0; VEC 17,1; VEC 18,0; VEC 19,0; VEC 20,0; VEC 21,1; VEC 22,0; VEC 23,0
VEC 24,0; VEC 25,0; VEC 26,0; VEC 27,0; VEC 28,0; VEC 29,1; VEC 30,1; VEC 31,0
VEC 32,0; VEC 33,0; VEC 34,0; VEC 35,0; VEC 36,0; VEC 37,0; VEC 38,0; VEC 39,0
VEC 40,0; VEC 41,0; VEC 42,0; VEC 43,0; VEC 44,0; VEC 45,0; VEC 46,0; VEC 47,0
VEC 48,0
VEC 128,0

/* The rest of struct trapframe, and the kernel's segments (a user's %ds may have any base). */
.macro SAVE_REST
	pushl	%ds
	pushl	%es
	pushl	%fs
	pushl	%gs
	pushal
	mov	$SEG_KDATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	xor	%eax, %eax
	mov	%ax, %fs
	mov	%ax, %gs
	IRQOFF_SITE 0x3e, 0x3e, 0x3e, 0x3e, 0xfc, irqoff_entry_stub, 0	/* cld */
.endm

alltraps:
	SAVE_REST
	pushl	%esp
	call	trap
	addl	$4, %esp

	.globl trapret
trapret:
	cmpl	$TF_SYSENTER, TF_ERR(%esp)
	je	sysexit_ret
trapret_iret_path:
	popal
	popl	%gs
	popl	%fs
	popl	%es
	popl	%ds
	addl	$8, %esp		/* vector and error code */
	.globl trapret_iret
trapret_iret:
	IRQOFF_SITE 0x3e, 0x3e, 0x3e, 0x3e, 0xcf, irqoff_exit_stub, 1	/* iret */

/*
 * sysenter (sysenter.c): the CPU left us on the stack SYSENTER_ESP names, the
 * TSS's esp0 slot, with interrupts off; the user's stub left its esp in ecx
 * and where it goes on in edx (<manifold/traps.h>). The frame built here is
 * int 0x30's, but for err (TF_SYSENTER), so that everything after it sees one
 * kind of system call; it goes to syscall_sysenter, not through trap().
 */
	.globl sysenter_entry
sysenter_entry:
	movl	(%esp), %esp		/* the running thread's kernel stack */
	pushl	$SEG_UDATA		/* ss */
	pushl	%ecx			/* esp */
	pushfl
	orl	$0x200, (%esp)		/* user mode runs with interrupts on: sysenter cleared IF */
	pushl	$SEG_UCODE		/* cs */
	pushl	%edx			/* eip */
	pushl	$TF_SYSENTER
	pushl	$T_SYSCALL
	SAVE_REST
	pushl	%esp
	call	syscall_sysenter
	addl	$4, %esp
	cmpl	$TF_SYSENTER, TF_ERR(%esp)	/* by iret if the frame was set meanwhile (the mark gone) */
	jne	trapret_iret_path

/*
 * Back by sysexit: eip and esp go in edx and ecx (the stub expects both
 * lost), the flags by popfl with interrupts still off, and sti's one
 * instruction of delay covers sysexit. A frame whose flags a trace or a
 * nested task would need goes by iret.
 */
sysexit_ret:
	testl	$0x24100, TF_EFLAGS(%esp)	/* VM, NT, TF */
	jnz	trapret_iret_path
	popal
	popl	%gs
	popl	%fs
	popl	%es
	popl	%ds
	addl	$8, %esp		/* vector and the sysenter mark */
	movl	(%esp), %edx		/* eip */
	movl	12(%esp), %ecx		/* esp */
	andl	$~0x200, 8(%esp)
	pushl	8(%esp)
	popfl
	IRQOFF_SITE 0x3e, 0x3e, 0x3e, 0x3e, 0xfb, irqoff_sti_stub, 0	/* sti */
	sysexit

	.section .rodata
	.globl trap_vectors
trap_vectors:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,128
	.long vector\n
	.endr
