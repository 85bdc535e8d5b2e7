/*
 * Spin locks that also disable interrupts on the local CPU while held, so an
 * interrupt handler can take the same lock. Only the boot CPU runs today, but
 * every shared structure names the lock that protects it so SMP needs no rewrite.
 */
#ifndef KERN_SPINLOCK_H
#define KERN_SPINLOCK_H

#include <stdint.h>

struct spinlock {
	volatile uint32_t locked;
	const char *name;
};

#define SPINLOCK_INIT(n) { 0, n }

static inline uint32_t spin_lock_irqsave(struct spinlock *l)
{
	uint32_t flags;
	__asm__ volatile("pushfl; popl %0; cli" : "=r"(flags) : : "memory");
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint32_t flags)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	if (flags & 0x200)
		__asm__ volatile("sti" ::: "memory");
}

static inline int spin_held(const struct spinlock *l) { return l->locked != 0; }

#endif
