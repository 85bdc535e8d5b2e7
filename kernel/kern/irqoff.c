/*
 * How long interrupts stay off: the longest stretch, in TSC cycles (guest
 * instructions under QEMU -icount shift=0), from the moment the kernel turned
 * them off while they were on (the outermost spin_lock_irqsave, trap entry
 * from a context that had them on, the idle loop's cli) to the moment they
 * come back on (spin_unlock_irqrestore, sti, the iret of trap exit). A context
 * switch in between does not end a stretch: interrupts stay off across it.
 *
 * Off unless the kernel is booted with `irqoff_stats`: then the sites where
 * locks and traps turn interrupts off and on are patched to call here
 * (arch/i386/irqoff_patch.c); unpatched they cost nothing. kernel_stats reads
 * the figures (and resets them on request).
 */
#include <kern/stack_args.h>
#include <kern/arch.h>
#include <kern/boot.h>
#include <kern/spinlock.h>

bool irqoff_stats_on;			/* [I] after boot */

/* [per CPU, interrupts off] */
static uint64_t off_since;		/* when they went off; 0 while they are on or untracked */
static uintptr_t off_from;		/* where they went off */
static uint64_t worst;
static uintptr_t worst_from, worst_to;
static uint32_t stretches;

void arch_irqoff_patch(void);

void
irqoff_init(void)
{
	irqoff_stats_on = boot_option("irqoff_stats") != NULL;
	if (irqoff_stats_on)
		arch_irqoff_patch();
}

/* Interrupts were on and the code at site has just turned them off. */
STACK_ARGS void
irqoff_begin_at(uintptr_t site)
{
	off_since = arch_cycles();
	off_from = site;
}

/* Interrupts are off and the code at site is about to turn them on. */
STACK_ARGS void
irqoff_end_at(uintptr_t site)
{
	uint64_t d;

	if (!off_since)
		return;	/* went off before irqoff_init, or the stats were reset meanwhile */
	d = arch_cycles() - off_since;
	off_since = 0;
	stretches++;
	if (d > worst) {
		worst = d;
		worst_from = off_from;
		worst_to = site;
	}
}

void __attribute__((noinline))
irqoff_begin(void)
{
	if (irqoff_stats_on)
		irqoff_begin_at((uintptr_t)__builtin_return_address(0));
}

void __attribute__((noinline))
irqoff_end(void)
{
	if (irqoff_stats_on)
		irqoff_end_at((uintptr_t)__builtin_return_address(0));
}

/* The figures so far; with reset, starts again from nothing. Call with interrupts on. */
void
irqoff_read(struct irqoff_figures *out, bool reset)
{
	uint32_t f;

	__asm__ volatile("pushfl; popl %0; cli" : "=r"(f) : : "memory");
	out->enabled = irqoff_stats_on;
	out->worst = worst;
	out->worst_from = worst_from;
	out->worst_to = worst_to;
	out->stretches = stretches;
	if (reset) {
		worst = 0;
		worst_from = worst_to = 0;
		stretches = 0;
	}
	if (f & EFLAGS_IF_BIT)
		__asm__ volatile("sti" ::: "memory");
}
