/*
 * Mach's clock alarms (clock.defs' clock_alarm): a clock_alarm_reply
 * (clock_reply.defs) sent to a send-once right once a clock reads a time.
 * The alarms wait in a table of CLOCK_ALARM_MAX; one kernel thread sleeps
 * until the earliest is due (to the tick) or until a new alarm or a set of the
 * calendar clock wakes it, takes the alarms that are due out of the table,
 * and sends their replies with no lock held. A reply to a port that died is
 * destroyed as any kernel message to it.
 */
#include <kern/clock.h>
#include <kern/clock_port.h>
#include <kern/ipc.h>
#include <kern/lib.h>
#include <kern/lock_order.h>
#include <kern/sched.h>
#include <kern/spinlock.h>
#include "clock_reply_kuser.h"

#define NS_PER_TICK (NSEC_PER_SEC / HZ)

struct clock_alarm {
	struct port *reply;	/* the send-once right the reply goes to; NULL: a free slot */
	int clock;		/* SYSTEM_CLOCK, CALENDAR_CLOCK */
	int type;		/* TIME_ABSOLUTE, TIME_RELATIVE: as asked, for the reply */
	int64_t at;		/* when, in the clock's nanoseconds */
	uint32_t task;		/* the id of the task that asked: at most CLOCK_ALARM_TASK_MAX each */
};

static struct spinlock alarm_lock = SPINLOCK_INIT("clock_alarm", LOCK_RANK_ALARM);
static struct clock_alarm alarms[CLOCK_ALARM_MAX];			/* [alarm_lock] */
static struct waitq alarm_wq = { LIST_INIT(alarm_wq.threads) };	/* [sched_lock] the alarm thread */

static void
alarm_kick(void)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);

	waitq_wake_all_locked(&alarm_wq);
	spin_unlock_irqrestore(&sched_lock, f);
}

/*
 * A slot for an alarm of task's, or -1: a free one, or one whose reply port
 * died (its right taken out into *dead, for the caller to destroy with no
 * lock held); none when task holds CLOCK_ALARM_TASK_MAX already, so that no
 * task keeps the others from the table. alarm_lock held.
 */
static int
free_slot_locked(uint32_t task, struct port **dead)
{
	int slot = -1, mine = 0;

	*dead = NULL;
	for (int i = 0; i < CLOCK_ALARM_MAX; i++) {
		struct port *p = alarms[i].reply;

		if (p && !__atomic_load_n(&p->active, __ATOMIC_RELAXED) && !*dead) {
			*dead = p;	/* nobody will read its reply: the slot is free */
			alarms[i].reply = NULL;
			p = NULL;
		}
		if (!p && slot < 0)
			slot = i;
		else if (p && alarms[i].task == task)
			mine++;
	}
	return mine < CLOCK_ALARM_TASK_MAX ? slot : -1;
}

kern_return_t
clock_alarm_add(int clock, int type, int64_t at, struct port *reply, uint32_t task)
{
	struct port *dead;
	uint32_t f = spin_lock_irqsave(&alarm_lock);
	int slot = free_slot_locked(task, &dead);

	if (slot >= 0)
		alarms[slot] = (struct clock_alarm){ reply, clock, type, at, task };
	spin_unlock_irqrestore(&alarm_lock, f);
	if (dead)
		right_destroy_carried(dead, MACH_MSG_TYPE_PORT_SEND_ONCE);
	if (slot < 0)
		return KERN_RESOURCE_SHORTAGE;
	alarm_kick();
	return KERN_SUCCESS;
}

void
clock_alarm_calendar_set(void)
{
	alarm_kick();	/* the thread looks at every alarm again */
}

/* Sends a's reply, which takes its right. No lock held. */
static void
alarm_send(const struct clock_alarm *a)
{
	int64_t now = clock_read_ns(a->clock);
	mach_timespec_t t = { (unsigned int)(now / NSEC_PER_SEC), (int)(now % NSEC_PER_SEC) };
	struct kmsg *k = NULL;
	uint32_t f;

	if (kreq_clock_alarm_reply(&k, a->reply, MACH_MSG_TYPE_PORT_SEND_ONCE, KERN_SUCCESS, a->type, t) !=
	    KERN_SUCCESS) {
		right_destroy_carried(a->reply, MACH_MSG_TYPE_PORT_SEND_ONCE);	/* no memory: the asker hears nothing */
		return;
	}
	f = ipc_begin();
	ipc_deliver(a->reply, k);
	ipc_end(f);
}

static void
alarm_thread(void *arg)
{
	static struct clock_alarm due[CLOCK_ALARM_MAX];	/* this thread's alone */

	(void)arg;
	for (;;) {
		int64_t soonest = -1;
		int n = 0;
		uint32_t f = spin_lock_irqsave(&alarm_lock);

		for (int i = 0; i < CLOCK_ALARM_MAX; i++) {
			struct clock_alarm *a = &alarms[i];
			int64_t left;

			if (!a->reply)
				continue;
			left = a->at - clock_read_ns(a->clock);
			if (left <= 0) {
				due[n++] = *a;
				a->reply = NULL;
			} else if (soonest < 0 || left < soonest) {
				soonest = left;
			}
		}
		if (n) {
			spin_unlock_irqrestore(&alarm_lock, f);
			for (int i = 0; i < n; i++)
				alarm_send(&due[i]);
			continue;
		}
		/* nothing due: sleep until the soonest (a tick under way counts for nothing) or a kick */
		spin_lock_irqoff(&sched_lock);
		waitq_wait_dropping_locked(&alarm_wq, soonest < 0 ? 0 : (uint64_t)(soonest + NS_PER_TICK - 1) / NS_PER_TICK + 1,
					   &alarm_lock);
		spin_unlock_irqrestore(&sched_lock, f);
	}
}

void
clock_alarm_init(void)
{
	if (!thread_create_kernel("clock_alarm", alarm_thread, NULL, PRIO_KERNEL))
		panic("cannot create the clock alarm thread");
}
