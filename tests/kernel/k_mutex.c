/*
 * Kernel suite: sleeping locks (kern/mutex.h), as the map's lock uses them.
 */
#include <kern/arch.h>
#include <kern/mutex.h>
#include <kern/sched.h>
#include <kern/task.h>
#include "ktest.h"

static struct kmutex m;
static volatile int got;
static volatile bool irqs_on_inside;
static struct thread *volatile taker;

static void
take_and_note(void *arg)
{
	(void)arg;
	taker = curthread();
	kmutex_lock(&m);
	got++;
	irqs_on_inside = arch_interrupts_enabled();
	kmutex_unlock(&m);
}

KTEST(kernel, a_taken_mutex_puts_its_next_taker_to_sleep_until_released)
{
	kmutex_init(&m, "test");
	got = 0;
	taker = NULL;
	kmutex_lock(&m);
	KEXPECT(kmutex_held(&m));
	KEXPECT(!kmutex_trylock(&m));
	KEXPECT(thread_create_kernel("taker", take_and_note, NULL, PRIO_KERNEL + 1));
	thread_sleep_ticks(3);
	KEXPECT(taker != NULL);
	KEXPECT_EQ(got, 0);
	KEXPECT_EQ(taker->state, THREAD_BLOCKED);
	kmutex_unlock(&m);
	thread_sleep_ticks(3);
	KEXPECT_EQ(got, 1);
	KEXPECT(irqs_on_inside);
	KEXPECT(kmutex_trylock(&m));
	kmutex_unlock(&m);
	KEXPECT(!kmutex_held(&m));
}

KTEST(kernel, terminating_a_thread_does_not_end_its_wait_for_a_mutex)
{
	uint32_t f;

	kmutex_init(&m, "test");
	got = 0;
	taker = NULL;
	kmutex_lock(&m);
	KEXPECT(thread_create_kernel("taker", take_and_note, NULL, PRIO_KERNEL + 1));
	thread_sleep_ticks(3);
	KEXPECT(taker != NULL);
	f = spin_lock_irqsave(&sched_lock);
	thread_terminate_locked(taker);	/* kill pending, its wait aborted */
	spin_unlock_irqrestore(&sched_lock, f);
	thread_sleep_ticks(3);
	KEXPECT_EQ(got, 0);		/* still waiting, not inside without the lock */
	KEXPECT_EQ(taker->state, THREAD_BLOCKED);
	kmutex_unlock(&m);
	thread_sleep_ticks(3);
	KEXPECT_EQ(got, 1);
}
