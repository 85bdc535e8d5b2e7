/*
 * Backtraces without a chain of frames. The guest code is built with
 * -fomit-frame-pointer (Makefile: ebp is one more register for the compiler,
 * 3 to 8 % of every in-guest bench row), so no saved ebp leads from frame to
 * frame. Instead the stack is scanned from where the panic stood to the top of
 * that stack, and every word that is the address just after a call
 * instruction in the kernel's text is named, as Linux does without frame
 * pointers. Read it from the top: a word left by a call that has already
 * returned can show as well, and a function that ended in a tail call is
 * missing.
 */
#include <kern/ksyms.h>
#include <kern/lib.h>
#include <kern/panic.h>
#include <kern/sched.h>
#include "layout.h"
#include "trapframe.h"

#define BACKTRACE_MAX 24

extern char _text[], _etext[], boot_stack[];

/* The end of the stack sp lies in: the thread's, the boot stack, or else its page. */
static uint32_t
stack_top(uint32_t sp)
{
	struct thread *t = curthread();
	uint32_t base = (uint32_t)boot_stack;

	if (sp >= base && sp < base + BOOT_STACK_SIZE)
		return base + BOOT_STACK_SIZE;
	if (t && t->kstack) {
		base = (uint32_t)t->kstack;
		if (sp >= base && sp < base + KSTACK_SIZE)
			return base + KSTACK_SIZE;
	}
	return (sp | (PAGE_SIZE - 1)) + 1;
}

/*
 * Whether ra follows a call in the kernel's text: `call rel32` (E8, five
 * bytes) or `call *r/m32` (FF /2) in each of its encodings, two to seven
 * bytes long by its ModRM, SIB and displacement.
 */
static bool
follows_call(uint32_t ra)
{
	const uint8_t *p = (const uint8_t *)ra;
	uint8_t m;

	if (ra < (uint32_t)_text + 7 || ra > (uint32_t)_etext)
		return false;
	if (p[-5] == 0xe8)
		return true;
	m = p[-1];	/* two bytes: a register, or memory at one */
	if (p[-2] == 0xff && ((m & 0xf8) == 0xd0 || ((m & 0xf8) == 0x10 && (m & 7) != 4 && (m & 7) != 5)))
		return true;
	m = p[-2];	/* three: an 8-bit displacement from a register, or memory at a SIB address */
	if (p[-3] == 0xff && (((m & 0xf8) == 0x50 && (m & 7) != 4) || m == 0x14))
		return true;
	if (p[-4] == 0xff && p[-3] == 0x54)	/* four: SIB and an 8-bit displacement */
		return true;
	m = p[-5];	/* six: an absolute address, or a 32-bit displacement from a register */
	if (p[-6] == 0xff && (m == 0x15 || ((m & 0xf8) == 0x90 && (m & 7) != 4)))
		return true;
	return p[-7] == 0xff && p[-6] == 0x94;	/* seven: SIB and a 32-bit displacement */
}

void
print_backtrace(uint32_t sp, uint32_t eip)
{
	uint32_t top = stack_top(sp);
	int shown = 0;

	kprintf("backtrace:\n");
	if (eip)
		ksym_print(eip);
	for (sp &= ~3u; sp < top && shown < BACKTRACE_MAX; sp += 4) {
		uint32_t w = *(const uint32_t *)sp;

		if (follows_call(w)) {
			ksym_print(w - 1);	/* the call, not the instruction after it */
			shown++;
		}
	}
}

/* Where the stack a trap interrupted goes on: past a kernel-mode frame, which has no esp and ss. */
uint32_t
arch_frame_sp(const void *frame)
{
	const struct trapframe *tf = frame;

	return trapframe_from_user(tf) ? (uint32_t)(tf + 1) : (uint32_t)&tf->esp;
}
