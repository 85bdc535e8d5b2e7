/*
 * The shell's `nodes`: the peers gns hears on the LAN and its inter-node
 * counters (xipc.defs: xipc_nodes, xipc_stats; <manifold/xipc.h>), the
 * rejections by reason on a line of their own; and `proxies` (xipc_proxies).
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/xipc.h>
#include "commands.h"
#include "ns_client.h"
#include "xipc_client.h"

#define ME mach_task_self()
#define NODES_MAX 64
#define PROXIES_MAX 200

#define XIPC_STAT_NAME(id, name) name,
static const char *const stat_names[] = { XIPC_STAT_LIST(XIPC_STAT_NAME) };

static const char *
error_text(kern_return_t kr)
{
	return kr == XIPC_E_OFF ? "inter-node IPC is off (no key= or node= for gns)" : "gns did not answer";
}

void
cmd_nodes(int argc, char **argv)
{
	static uint32_t words[NODES_MAX * XIPC_NODE_WORDS];
	uint32_t stats[XIPC_STAT_WORDS], count = 0;
	mach_msg_type_number_t n = NODES_MAX * XIPC_NODE_WORDS, ns = XIPC_STAT_WORDS;
	mach_port_t gns;
	kern_return_t kr;
	bool rejected = false;

	if (ns_lookup(commands_ns(), "/servers/gns", &gns) != KERN_SUCCESS) {
		printf("shell: nodes: no /servers/gns\n");
		return;
	}
	kr = xipc_nodes(gns, &count, words, &n);
	if (kr == KERN_SUCCESS)
		kr = xipc_stats(gns, stats, &ns);
	mach_port_deallocate(ME, gns);
	if (kr != KERN_SUCCESS || ns < XIPC_STAT_WORDS) {
		printf("shell: nodes: %s\n", error_text(kr));
		return;
	}
	printf("nodes: %u peers\n", (unsigned)count);
	for (uint32_t i = 0; i < n / XIPC_NODE_WORDS; i++) {
		uint32_t *w = words + i * XIPC_NODE_WORDS;
		printf("node %u: %s, session %s, rtt %u us, beacons %u, datagrams in %u out %u, proxies %u, "
		       "deaths %u, silent %u ms\n",
		       (unsigned)w[XIPC_NODE_ID], w[XIPC_NODE_STATE] == XIPC_PEER_ALIVE ? "alive" : "dead",
		       w[XIPC_NODE_SESSION] ? "up" : "down", (unsigned)w[XIPC_NODE_RTT_US], (unsigned)w[XIPC_NODE_BEACONS],
		       (unsigned)w[XIPC_NODE_RX], (unsigned)w[XIPC_NODE_TX], (unsigned)w[XIPC_NODE_PROXIES],
		       (unsigned)w[XIPC_NODE_DEATHS], (unsigned)w[XIPC_NODE_SILENT_MS]);
	}
	printf("counters:");
	for (int i = 0; i < XIPC_STAT_WORDS; i++)
		if (strncmp(stat_names[i], "rejected_", 9) != 0)
			printf(" %s %u", stat_names[i], (unsigned)stats[i]);
	printf("\nrejects:");
	for (int i = 0; i < XIPC_STAT_WORDS; i++)
		if (strncmp(stat_names[i], "rejected_", 9) == 0 && stats[i]) {
			printf(" %s %u", stat_names[i] + 9, (unsigned)stats[i]);
			rejected = true;
		}
	printf("%s\n", rejected ? "" : " none");
}

/* `proxies`: gns's proxies (remote ports it stands for) and exports (its ports others may hold). */
void
cmd_proxies(int argc, char **argv)
{
	static uint32_t words[PROXIES_MAX * XIPC_PROXY_WORDS];
	mach_msg_type_number_t n = PROXIES_MAX * XIPC_PROXY_WORDS;
	uint32_t count = 0;
	mach_port_t gns;
	kern_return_t kr;

	if (ns_lookup(commands_ns(), "/servers/gns", &gns) != KERN_SUCCESS) {
		printf("shell: proxies: no /servers/gns\n");
		return;
	}
	kr = xipc_proxies(gns, &count, words, &n);
	mach_port_deallocate(ME, gns);
	if (kr != KERN_SUCCESS) {
		printf("shell: proxies: %s\n", error_text(kr));
		return;
	}
	printf("proxies: %u\n", (unsigned)count);
	for (uint32_t i = 0; i < n / XIPC_PROXY_WORDS; i++) {
		uint32_t *w = words + i * XIPC_PROXY_WORDS;
		printf("%s node %u number %u port %#x%s\n", w[XIPC_PROXY_KIND] == XIPC_KIND_PROXY ? "proxy " : "export",
		       (unsigned)w[XIPC_PROXY_NODE], (unsigned)w[XIPC_PROXY_NUMBER], (unsigned)w[XIPC_PROXY_NAME],
		       w[XIPC_PROXY_ONCE] ? " once" : "");
	}
}
