/*
 * mach_msg and the IPC traps that are not about one port: mach_reply_port,
 * mach_task_self, and the counters tests use to find leaks.
 */
#include <kern/arch.h>
#include <kern/clock.h>
#include <kern/copyio.h>
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/page.h>
#include <kern/syscall.h>
#include <kern/sched.h>
#include <kern/task.h>
#include <mach/thread_status.h>

uint64_t stat_msg_send_cycles;
extern uint64_t stat_traps, stat_trap_cycles, stat_switches, stat_switch_cycles, stat_idle_cycles;

/* mach_msg(msg, option, send_size, rcv_size, rcv_name, timeout) */
kern_return_t
sys_mach_msg(const struct trap_args *args)
{
	uintptr_t msg = args->a[0];
	mach_msg_option_t option = (mach_msg_option_t)args->a[1];
	mach_msg_return_t mr;

	if ((option & (MACH_SEND_MSG | MACH_RCV_MSG)) == (MACH_SEND_MSG | MACH_RCV_MSG) && !stat_timing)
		return ipc_send_receive(msg, option, args->a[2], args->a[3], args->a[4], args->a[5]);
	if (option & MACH_SEND_MSG) {
		if (__builtin_expect(stat_timing, 0)) {
			uint64_t t0 = arch_cycles();
			mr = ipc_send(msg, option, args->a[2], args->a[5]);
			stat_msg_send_cycles += arch_cycles() - t0;
		} else {
			mr = ipc_send(msg, option, args->a[2], args->a[5]);
		}
		if (mr != MACH_MSG_SUCCESS)
			return mr;
	}
	if (option & MACH_RCV_MSG)
		return ipc_receive(msg, option, args->a[3], args->a[4], args->a[5]);
	return MACH_MSG_SUCCESS;
}

/*
 * The out-parameter could not be written after all (checked first, but a
 * sibling thread unmapped or protected it meanwhile): the right just made is
 * taken back, so nothing is lost or left behind, and the call fails.
 */
static kern_return_t
take_back_name(struct task *t, mach_port_name_t name,
		      kern_return_t (*undo)(struct ipc_space *, mach_port_name_t))
{
	uint32_t f = ipc_space_lock(t->space);

	undo(t->space, name);
	ipc_space_unlock(t->space, f);
	return KERN_INVALID_ADDRESS;
}

/* A new receive right in the caller's space; MACH_PORT_NULL when there is no room. */
kern_return_t
sys_mach_reply_port(const struct trap_args *args)
{
	struct task *t = curtask();
	mach_port_name_t name;
	struct ipc_entry *e;
	struct port *p;
	kern_return_t kr;
	uint32_t f;

	kr = copyout_check(t, args->a[0], sizeof name);
	if (kr != KERN_SUCCESS)
		return kr;
	p = port_create();
	if (!p)
		return KERN_RESOURCE_SHORTAGE;
	f = ipc_space_lock(t->space);
	kr = space_alloc_name_locked(t->space, &name, &e);
	if (kr == KERN_SUCCESS) {	/* (nobody else knows p yet) */
		e->type = MACH_PORT_TYPE_RECEIVE;
		e->object = p;
		p->receiver = t->space;
		p->receiver_name = name;
	} else {
		p->active = false;
		port_unref(p);
	}
	ipc_space_unlock(t->space, f);
	if (kr == KERN_SUCCESS && copyout_word(name, args->a[0]) != KERN_SUCCESS)
		kr = take_back_name(t, name, right_destroy_locked);	/* a sibling unmapped it */
	return kr;
}

static kern_return_t give_send_right(struct port *(*pick)(void), uintptr_t uname);

/* What mach_task_self gives: TASK_KERNEL_PORT as set, else the task port (a new send right). */
static struct port *
task_self(void)
{
	struct task *t = curtask();
	struct port *p;

	spin_lock_irqoff(&t->itk_lock);
	p = t->sself ? t->sself : t->self;
	port_copy_send(p);
	spin_unlock_irqoff(&t->itk_lock);
	return p;
}

static struct port *
thread_self(void)
{
	struct thread *th = curthread();
	struct port *p;

	spin_lock_irqoff(&th->task->itk_lock);
	p = th->sself ? th->sself : th->self;
	port_copy_send(p);
	spin_unlock_irqoff(&th->task->itk_lock);
	return p;
}

static struct port *
host(void)
{
	port_copy_send(host_port);
	return host_port;
}

/* A send right (one more user reference) to the caller's own task port. */
kern_return_t
sys_mach_task_self(const struct trap_args *args)
{
	return give_send_right(task_self, args->a[0]);
}

/* kernel_stats(st, flags): <manifold/traps.h>. */
kern_return_t
sys_kernel_stats(const struct trap_args *args)
{
	struct irqoff_figures irq;
	struct manifold_kernel_stats st = {
		.live_ports = ipc_live_ports(),
		.free_pages = page_free_count(),
		.heap_bytes = (uint32_t)kmem_bytes_in_use(),
		.heap_pages = kmem_pages_mapped(),
		.fastpath_enabled = ipc_fastpath_enabled,
		.fastpath_hits = ipc_fastpath_hits,
		.traps = (uint32_t)stat_traps,
		.trap_cycles_lo = (uint32_t)stat_trap_cycles,
		.trap_cycles_hi = (uint32_t)(stat_trap_cycles >> 32),
		.msg_send_cycles_lo = (uint32_t)stat_msg_send_cycles,
		.msg_send_cycles_hi = (uint32_t)(stat_msg_send_cycles >> 32),
		.switches = (uint32_t)stat_switches,
		.switch_cycles_lo = (uint32_t)stat_switch_cycles,
		.switch_cycles_hi = (uint32_t)(stat_switch_cycles >> 32),
		.idle_cycles_lo = (uint32_t)stat_idle_cycles,
		.idle_cycles_hi = (uint32_t)(stat_idle_cycles >> 32),
		.timer_interrupts = (uint32_t)clock_interrupts(),
		.clock_tickless = arch_timer_tickless(),
	};

	if (args->a[1] & ~(uint32_t)(KSTATS_RESET_IRQOFF | KSTATS_TIMING_ON | KSTATS_TIMING_OFF))
		return KERN_INVALID_ARGUMENT;
	if (args->a[1] & KSTATS_TIMING_ON)
		stat_timing = true;
	if (args->a[1] & KSTATS_TIMING_OFF)
		stat_timing = false;
	irqoff_read(&irq, (args->a[1] & KSTATS_RESET_IRQOFF) != 0);
	st.irqoff_enabled = irq.enabled;
	st.irqoff_max_cycles = irq.worst > UINT32_MAX ? UINT32_MAX : (uint32_t)irq.worst;
	st.irqoff_max_from = (uint32_t)irq.worst_from;
	st.irqoff_max_to = (uint32_t)irq.worst_to;
	st.irqoff_stretches = irq.stretches;

	return copyout(curtask(), &st, args->a[0], sizeof st);
}

/*
 * A new send right to the port pick chooses (and makes the right to, under
 * the lock of what holds it, so that a port being replaced meanwhile is not
 * used after it went) in the caller's space, written to uname.
 */
static kern_return_t
give_send_right(struct port *(*pick)(void), uintptr_t uname)
{
	struct task *t = curtask();
	mach_port_name_t name;
	kern_return_t kr = copyout_check(t, uname, sizeof name);
	struct port *p;
	uint32_t f;

	if (kr != KERN_SUCCESS)
		return kr;
	f = ipc_space_lock(t->space);
	p = pick();
	kr = right_copyout(t->space, p, MACH_MSG_TYPE_PORT_SEND, &name);
	ipc_space_unlock(t->space, f);
	if (kr == KERN_SUCCESS && copyout_word(name, uname) != KERN_SUCCESS)
		kr = take_back_name(t, name, right_deallocate_locked);	/* a sibling unmapped it */
	return kr;
}

kern_return_t
sys_mach_thread_self(const struct trap_args *args)
{
	return give_send_right(thread_self, args->a[0]);
}

kern_return_t
sys_mach_host_self(const struct trap_args *args)
{
	return give_send_right(host, args->a[0]);
}

/* thread_switch(thread, option, time): the hint and the depression are not kept yet. */
kern_return_t
sys_thread_switch(const struct trap_args *args)
{
	if (args->a[1] > SWITCH_OPTION_WAIT)
		return KERN_INVALID_ARGUMENT;
	sched_yield();
	return KERN_SUCCESS;
}
