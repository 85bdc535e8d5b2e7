/*
 * Spin locks that also disable interrupts on the local CPU while held, so an
 * interrupt handler can take the same lock. Only the boot CPU runs today, but
 * every shared structure names the lock that protects it so SMP needs no rewrite.
 *
 * Whatever runs under such a lock delays the timer and the serial line: keep
 * it short and bounded whatever a user task asks for (copy user memory a page
 * at a time, map regions outside IPC's locks). Booted with `irqoff_stats`, the
 * kernel measures the longest stretch with interrupts off (kern/irqoff.c).
 */
#ifndef KERN_SPINLOCK_H
#define KERN_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <kern/stack_args.h>

struct spinlock {
	volatile uint32_t locked;
	const char *name;
	uint32_t rank;			/* its place in the lock order (kern/lock_order.h) */
};

#define SPINLOCK_INIT(n, r) { 0, n, r }

/*
 * The lock order, checked (kern/lockcheck.c) when the kernel is booted with
 * `lockcheck`, as every test suite boots it: a lock may be taken only while
 * every lock this CPU holds has a lower rank, or the same rank and a lower
 * address (two pmaps, two tasks: taken in address order). A violation is a
 * panic naming both locks; on one CPU it is the only way a reversed order
 * shows before it deadlocks a machine with several.
 */
extern bool lockcheck_on;
/* Called by the patched sites' stubs (arch/i386/lockcheck.S), interrupts off. */
STACK_ARGS void lockcheck_acquire(struct spinlock *l);
STACK_ARGS void lockcheck_release(struct spinlock *l);
/* Patches the sites (arch/i386/lockcheck_patch.c): once, at boot, before any lock is taken. */
void arch_lockcheck_patch(void);
/* A lock taken by a try, which cannot deadlock: held from now on, out of order or not. */
void lockcheck_record(struct spinlock *l);

/*
 * Where interrupts go off or come back on: five bytes that run as the one
 * instruction they stand for (the padding is ignored DS prefixes, so the cost
 * is what it was), patched into a call to the stub in arch/i386/irqoff.S
 * when the kernel is booted with irqoff_stats.
 */
#define IRQOFF_SITE(insn, stub, kind)					\
	"661:\n\t" insn "\n\t"						\
	".pushsection irqoff_patch, \"a\"\n\t"				\
	".long 661b, " #stub ", " #kind "\n\t"				\
	".popsection"

/* kern/irqoff.c */
extern bool irqoff_stats_on;
void irqoff_init(void);
void irqoff_begin(void);
void irqoff_end(void);

struct irqoff_figures {
	bool enabled;			/* booted with irqoff_stats */
	uint64_t worst;			/* TSC cycles of the longest stretch */
	uintptr_t worst_from, worst_to;	/* the code that turned interrupts off, and back on */
	uint32_t stretches;		/* how many ended */
};
void irqoff_read(struct irqoff_figures *out, bool reset);

/*
 * A lock found taken. While only the boot CPU runs, its holder is this CPU,
 * which can never let it go: a deadlock, which this reports (kern/irqoff.c)
 * with the lock's name and a backtrace instead of hanging.
 */
STACK_ARGS void spin_contended(struct spinlock *l);

/*
 * Where the lock-order check hooks in (kern/lockcheck.c): an instruction the
 * lock runs anyway, patched into a call to a stub in arch/i386/lockcheck.S
 * that does the check and then the instruction, when the kernel is booted
 * with `lockcheck`. Unpatched, the check costs nothing but the register the
 * sites want the lock's address in (about one instruction a lock, measured
 * in make bench): kind 0 is a lock's `movl $1, %reg` (5 bytes, the stub
 * chosen by reg; the lock in %ecx), kind 1 an unlock's `movl $0, (%reg)`
 * (6 bytes: a call, the stub chosen by reg, and a nop).
 */
#define LOCKCHECK_SITE(insn, kind)					\
	"661:\n\t" insn "\n\t"						\
	".pushsection lockcheck_patch, \"a\"\n\t"			\
	".long 661b, " #kind "\n\t"					\
	".popsection"

/*
 * The exchange and its test are all the fast path costs (the same count of
 * instructions as a plain loop); the slow path calls a stub that keeps every
 * register (arch/i386/spinlock.S), so callers spill nothing for it, and it
 * stays in the caller's code, so a backtrace names the caller.
 */
static inline void spin_acquire(struct spinlock *l)
{
	uint32_t v;

	__asm__ volatile(LOCKCHECK_SITE("movl $1, %0", 0) "\n"
			 "1:\n\t"
			 "xchgl %0, %1\n\t"
			 "testl %0, %0\n\t"
			 "jz 2f\n\t"
			 "pushl %2\n\t"
			 "call spin_contended_stub\n\t"
			 "movl $1, %0\n\t"
			 "jmp 1b\n"
			 "2:"
			 : "=&r"(v), "+m"(l->locked)
			 : "c"(l)
			 : "memory", "cc");
}

/* The store that lets a lock go, at a lockcheck site. */
static inline void spin_release(struct spinlock *l)
{
	__asm__ volatile(LOCKCHECK_SITE("movl $0, (%0)", 1) : : "Q"(l) : "memory", "cc");
}

static inline uint32_t spin_lock_irqsave(struct spinlock *l)
{
	uint32_t flags;
	__asm__ volatile(IRQOFF_SITE("pushfl; popl %0; .byte 0x3e, 0x3e, 0xfa", irqoff_lock_stubs, 2)
			 : "=r"(flags) : : "memory", "cc");
	spin_acquire(l);
	return flags;
}

/* sti, counted as the end of a stretch */
static inline void irqoff_sti(void)
{
	__asm__ volatile(IRQOFF_SITE(".byte 0x3e, 0x3e, 0x3e, 0x3e, 0xfb", irqoff_sti_stub, 0) : : : "memory", "cc");
}

/* cli where interrupts were on, counted as the start of one */
static inline void irqoff_cli(void)
{
	__asm__ volatile(IRQOFF_SITE(".byte 0x3e, 0x3e, 0x3e, 0x3e, 0xfa", irqoff_cli_stub, 0) : : : "memory", "cc");
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint32_t flags)
{
	spin_release(l);
	if (flags & 0x200)
		irqoff_sti();
}

/* Interrupts off with no lock yet (IPC's operations take theirs inside: kern/ipc.h). */
static inline uint32_t irq_save_off(void)
{
	uint32_t flags;
	__asm__ volatile(IRQOFF_SITE("pushfl; popl %0; .byte 0x3e, 0x3e, 0xfa", irqoff_lock_stubs, 2)
			 : "=r"(flags) : : "memory", "cc");
	return flags;
}

/* ...and back as they were. */
static inline void irq_restore(uint32_t flags)
{
	if (flags & 0x200)
		irqoff_sti();
}

/*
 * The same lock taken, or let go, where interrupts are already off and stay
 * so: a lock taken inside another (a port's, then sched_lock), or one let go
 * before the one taken first, whose release restores the flags.
 */
static inline void spin_lock_irqoff(struct spinlock *l)
{
	spin_acquire(l);
}

/*
 * One try, interrupts already off: a lock that may be taken against the order
 * (a try never waits, so it cannot close a cycle). False if it is taken.
 */
static inline bool spin_trylock_irqoff(struct spinlock *l)
{
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		return false;
	if (lockcheck_on)
		lockcheck_record(l);
	return true;
}

static inline void spin_unlock_irqoff(struct spinlock *l)
{
	spin_release(l);
}

/*
 * For assert_held: the lock is taken. While one CPU runs, by this one (a spin
 * lock keeps interrupts off, so no other thread runs meanwhile); with more,
 * this must compare the holder (kern/lockcheck.c keeps what each CPU holds).
 */
static inline int spin_held(const struct spinlock *l) { return l->locked != 0; }

#endif
