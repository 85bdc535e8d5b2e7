/*
 * The shell's `ping A.B.C.D [COUNT]`: echo requests from this node, sent
 * by gns (servers/gns/ping.defs), one every 200 ms; one line with how many
 * went out and how many were answered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <mach/mach.h>
#include <manifold/error.h>
#include "commands.h"
#include "ns_client.h"
#include "ping_client.h"

#define PING_INTERVAL_MS 200

/* A dotted quad, in host byte order; 0 when it is not one. */
static uint32_t
parse_ipv4(const char *s)
{
	uint32_t addr = 0;

	for (int i = 0; i < 4; i++) {
		char *end;
		unsigned long part = strtoul(s, &end, 10);

		if (end == s || part > 255 || (i < 3 ? *end != '.' : *end != '\0'))
			return 0;
		addr = addr << 8 | (uint32_t)part;
		s = end + 1;
	}
	return addr;
}

void
cmd_ping(int argc, char **argv)
{
	uint32_t addr = argc >= 2 ? parse_ipv4(argv[1]) : 0, count = argc >= 3 ? (uint32_t)atoi(argv[2]) : 4;
	uint32_t sent = 0, answered = 0;
	mach_port_t gns;
	kern_return_t kr;

	if (addr == 0 || argc > 3 || count == 0) {
		printf("shell: usage: ping A.B.C.D [COUNT]\n");
		return;
	}
	if ((kr = ns_lookup(commands_ns(), "/servers/gns/ping", &gns)) != KERN_SUCCESS) {
		printf("shell: ping: no gns (/servers/gns/ping): %s\n", kern_return_name(kr));
		return;
	}
	kr = ping_echo(gns, addr, count, PING_INTERVAL_MS, &sent, &answered);
	mach_port_deallocate(mach_task_self(), gns);
	if (kr != KERN_SUCCESS) {
		printf("shell: ping failed: %s\n", kern_return_name(kr));
		return;
	}
	printf("ping %s: %u sent, %u answered\n", argv[1], sent, answered);
}
