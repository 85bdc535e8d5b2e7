/*
 * msg_sleep_ms (<manifold/msg.h>): a receive with a timeout on a fresh port
 * nobody can send to.
 */
#include <mach/mach.h>
#include <manifold/msg.h>

void
msg_sleep_ms(uint32_t ms)
{
	mach_port_t p;
	mach_msg_header_t h;

	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS)
		return;
	mach_msg(&h, MACH_RCV_MSG | (ms ? MACH_RCV_TIMEOUT : 0), 0, sizeof h, p, ms, MACH_PORT_NULL);
	mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_RECEIVE, -1);
}
