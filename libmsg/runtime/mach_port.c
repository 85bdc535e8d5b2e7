/*
 * User stubs for the Mach traps (<mach/mach.h>). The mach_port_* and vm_* calls
 * are RPCs on a task port, with stubs msgc generates from mach_port.defs and
 * vm_map.defs.
 */
#include <mach/mach.h>
#include <manifold/trap.h>

_Static_assert(TRAP_mach_msg == 10, "mach_msg.S hard-codes the trap number");

#define T(n, a, b, c, d, e) trap_raw(TRAP_##n, (uint32_t)(a), (uint32_t)(b), (uint32_t)(c), (uint32_t)(d), (uint32_t)(e))

mach_port_t
mach_reply_port(void)
{
	mach_port_t name;

	return T(mach_reply_port, &name, 0, 0, 0, 0) == KERN_SUCCESS ? name : MACH_PORT_NULL;
}

mach_port_t
mach_task_self(void)
{
	static mach_port_t self;	/* one reference, taken once */

	if (self == MACH_PORT_NULL && T(mach_task_self, &self, 0, 0, 0, 0) != KERN_SUCCESS)
		self = MACH_PORT_NULL;
	return self;
}

mach_port_t
mach_thread_self(void)
{
	mach_port_t name;

	return T(mach_thread_self, &name, 0, 0, 0, 0) == KERN_SUCCESS ? name : MACH_PORT_NULL;
}

mach_port_t
mach_host_self(void)
{
	mach_port_t name;

	return T(mach_host_self, &name, 0, 0, 0, 0) == KERN_SUCCESS ? name : MACH_PORT_NULL;
}

kern_return_t
thread_switch(mach_port_t thread, int option, mach_msg_timeout_t time)
{
	return T(thread_switch, thread, option, time, 0, 0);
}


kern_return_t
clock_sleep(mach_port_t clock_name, sleep_type_t sleep_type, mach_timespec_t sleep_time,
	    mach_timespec_t *wakeup_time)
{
	return T(clock_sleep, clock_name, sleep_type, sleep_time.tv_sec, sleep_time.tv_nsec, wakeup_time);
}
