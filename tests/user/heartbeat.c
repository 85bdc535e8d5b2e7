/*
 * The soak's heartbeat: a task of its own that prints a line every second
 * (waiting on a port nobody sends to, with a timeout). tests/soak/run.py times
 * the lines as they reach the host: a gap longer than the soak allows means
 * the node stopped running its tasks.
 */
#include <stdint.h>
#include <stdio.h>
#include <mach/mach.h>
#include <manifold/trap.h>

int
main(void)
{
	mach_port_t p = MACH_PORT_NULL;
	struct {
		mach_msg_header_t h;
		mach_msg_trailer_t t;
	} m;

	mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p);
	for (uint32_t n = 0;; n++) {
		uint64_t ns = 0;
		trap_clock_uptime(&ns);
		printf("heartbeat %u at %u ms\n", (unsigned)n, (unsigned)(ns / 1000000));
		mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, p, 1000, MACH_PORT_NULL);
	}
}
