/*
 * clock_sleep (Mach's clock_sleep trap): the caller sleeps on a clock,
 * named by a send right to its name or control port (kern/clock_rpc.c), until
 * the clock reads a time. A sleep on the calendar clock ends early, with
 * KERN_ABORTED, when the calendar clock is set, as Mach's does: its deadline
 * was a time of day that may now be far off. Resolution: the scheduler's tick.
 */
#include <kern/clock.h>
#include <kern/clock_port.h>
#include <kern/copyio.h>
#include <kern/ipc.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <kern/task.h>

static struct waitq calendar_sleepers = { LIST_INIT(calendar_sleepers.threads) };	/* [sched_lock] */

void
clock_calendar_set(void)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);

	waitq_wake_all_locked(&calendar_sleepers);
	spin_unlock_irqrestore(&sched_lock, f);
	clock_alarm_calendar_set();
}

/* Which clock the caller's send right `name` is a port of; -1 if none. */
static int
clock_of_name(struct task *t, mach_port_name_t name)
{
	struct ipc_entry *e;
	int id = -1;
	uint32_t f = ipc_space_lock(t->space);

	e = space_lookup_locked(t->space, name);
	if (e && (e->type & MACH_PORT_TYPE_SEND))
		id = clock_port_id(e->object);
	ipc_space_unlock(t->space, f);
	return id;
}

/*
 * Sleeps until clock `id` reads `until` (ns). KERN_ABORTED if the thread
 * was aborted or the calendar clock set meanwhile.
 */
static kern_return_t
clock_sleep_until(int id, int64_t until)
{
	struct waitq never;
	int64_t now;

	waitq_init(&never);
	while ((now = clock_read_ns(id)) < until) {
		uint64_t ticks = (uint64_t)(until - now + NSEC_PER_SEC / HZ - 1) / (NSEC_PER_SEC / HZ);
		uint32_t f = spin_lock_irqsave(&sched_lock);
		enum wake_reason why = waitq_wait_locked(id == CALENDAR_CLOCK ? &calendar_sleepers : &never,
							 ticks + 1);	/* a tick under way counts for nothing */

		spin_unlock_irqrestore(&sched_lock, f);
		if (why != WAKE_TIMEOUT)
			return KERN_ABORTED;
	}
	return KERN_SUCCESS;
}

/* clock_sleep(clock_name, sleep_type, seconds, nanoseconds, mach_timespec_t *wakeup_time) */
kern_return_t
sys_clock_sleep(const struct trap_args *args)
{
	struct task *me = curtask();
	int id = clock_of_name(me, args->a[0]);
	int64_t t = (int64_t)args->a[2] * NSEC_PER_SEC + (int32_t)args->a[3];
	mach_timespec_t woke;
	kern_return_t kr;
	int64_t now;

	if (id < 0)
		return KERN_INVALID_ARGUMENT;
	if ((args->a[1] != TIME_ABSOLUTE && args->a[1] != TIME_RELATIVE) || (int32_t)args->a[3] < 0 ||
	    (int32_t)args->a[3] >= NSEC_PER_SEC)
		return KERN_INVALID_VALUE;
	if ((kr = copyout_check(me, args->a[4], sizeof woke)) != KERN_SUCCESS)
		return kr;
	kr = clock_sleep_until(id, args->a[1] == TIME_RELATIVE ? clock_read_ns(id) + t : t);
	now = clock_read_ns(id);
	woke.tv_sec = (unsigned int)(now / NSEC_PER_SEC);
	woke.tv_nsec = (int)(now % NSEC_PER_SEC);
	if (kr != KERN_SUCCESS)
		return kr;
	return copyout(me, &woke, args->a[4], sizeof woke);
}
