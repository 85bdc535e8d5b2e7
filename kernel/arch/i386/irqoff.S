/*
 * What the patch sites of <kern/spinlock.h> and trapentry.S call once the
 * kernel is booted with irqoff_stats (irqoff_patch.c writes the calls): each
 * does what the five bytes it replaces did, and tells kern/irqoff.c where
 * interrupts went off or came back on. Each keeps every register but the
 * ones its site defines (eax for the lock's flags) and the condition codes.
 */
#include "gdt.h"

	.text
/* pushfl; popl %reg; cli: one stub per register the compiler may have chosen */
.macro LOCK_STUB reg
irqoff_lock_stub_\reg:
	pushfl
	cli
	pushl	%eax
	pushl	%ecx
	pushl	%edx
	testl	$0x200, 12(%esp)	/* the flags pushed first */
	jz	1f
	pushl	16(%esp)		/* the site: our return address */
	call	irqoff_begin_at
	addl	$4, %esp
1:	popl	%edx
	popl	%ecx
	popl	%eax
	popl	%\reg
	ret
.endm
	LOCK_STUB eax
	LOCK_STUB ecx
	LOCK_STUB edx
	LOCK_STUB ebx
	LOCK_STUB ebp
	LOCK_STUB esi
	LOCK_STUB edi

	.section .rodata
	.globl irqoff_lock_stubs
irqoff_lock_stubs:	/* by the register number of popl's opcode (0x58 + n); no %esp */
	.long irqoff_lock_stub_eax, irqoff_lock_stub_ecx, irqoff_lock_stub_edx, irqoff_lock_stub_ebx
	.long 0, irqoff_lock_stub_ebp, irqoff_lock_stub_esi, irqoff_lock_stub_edi
	.text

/* cli, where interrupts were on */
	.globl irqoff_cli_stub
irqoff_cli_stub:
	cli
	pushl	%eax
	pushl	%ecx
	pushl	%edx
	pushl	12(%esp)
	call	irqoff_begin_at
	addl	$4, %esp
	popl	%edx
	popl	%ecx
	popl	%eax
	ret

/* sti */
	.globl irqoff_sti_stub
irqoff_sti_stub:
	pushl	%eax
	pushl	%ecx
	pushl	%edx
	pushl	12(%esp)
	call	irqoff_end_at
	addl	$4, %esp
	popl	%edx
	popl	%ecx
	popl	%eax
	sti
	ret

/* cld in alltraps: the gate turned interrupts off if the frame's eflags had them on */
	.globl irqoff_entry_stub
irqoff_entry_stub:
	cld
	testl	$0x200, 68(%esp)	/* return address, then the trapframe: eflags at 64 */
	jz	1f
	pushl	(%esp)
	call	irqoff_begin_at		/* eax, ecx, edx are free in alltraps here */
	addl	$4, %esp
1:	ret

/* iret in trapret, jumped to: the registers are the user's, the segments maybe too */
	.globl irqoff_exit_stub
irqoff_exit_stub:
	testl	$0x200, %ss:8(%esp)	/* eip, cs, eflags */
	jz	1f
	pushl	%ds
	pushl	%es
	pushl	%eax
	pushl	%ecx
	pushl	%edx
	movl	$SEG_KDATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	pushl	$trapret_iret
	call	irqoff_end_at
	addl	$4, %esp
	popl	%edx
	popl	%ecx
	popl	%eax
	popl	%es
	popl	%ds
1:	iret
