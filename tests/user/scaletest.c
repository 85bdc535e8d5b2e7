/*
 * The `scale` suite's program (tests/scale/run.py), on every node of a
 * 16-node cluster: `scaletest node=N nodes=M`.
 *
 * Publishes this node's echo server as /cluster/echo/N, then for every other
 * node K resolves /cluster/echo/K through gns (xipc_resolve: asked of every
 * live peer) and makes an RPC through the proxy, its text naming both ends.
 * Prints `scaletest: node N: R resolved, A answered of M-1 in T ms`, then asks
 * for a dead-name notification on every proxy and prints one line for each
 * that comes (`scaletest: node N: the proxy of node K died`): the host kills
 * one node and counts the others' lines (and gns's own `node K dead` lines,
 * with its silence).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <mach/notify.h>
#include <manifold/msg.h>
#include <manifold/trap.h>
#include <manifold/xipc.h>
#include "echo_client.h"
#include "ns_client.h"
#include "xipc_client.h"

#define ME mach_task_self()
#define NODES_MAX 64
#define RESOLVE_MS 300000	/* sixteen guests boot on two cores: the last may come minutes later */

static uint64_t
now_ms(void)
{
	uint64_t ns = 0;

	trap_clock_uptime(&ns);
	return ns / 1000000;
}

/* Peers our gns believes alive. */
static uint32_t
alive(mach_port_t gns)
{
	uint32_t words[NODES_MAX * XIPC_NODE_WORDS], count = 0, n_alive = 0;
	mach_msg_type_number_t n = NODES_MAX * XIPC_NODE_WORDS;

	if (xipc_nodes(gns, &count, words, &n) != KERN_SUCCESS)
		return 0;
	for (uint32_t i = 0; i < n / XIPC_NODE_WORDS; i++)
		n_alive += words[i * XIPC_NODE_WORDS + XIPC_NODE_STATE] == XIPC_PEER_ALIVE;
	return n_alive;
}

static uint32_t
arg(int argc, char **argv, const char *key)
{
	size_t n = strlen(key);

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=')
			return (uint32_t)strtoul(argv[i] + n + 1, NULL, 10);
	return 0;
}

int
main(int argc, char **argv)
{
	static mach_port_t proxy[NODES_MAX + 1];
	uint32_t me = arg(argc, argv, "node"), nodes = arg(argc, argv, "nodes"), resolved = 0, answered = 0;
	mach_port_t ns, gns, echo, reg, notify, prev;
	mach_msg_type_name_t type;
	uint64_t t0, until;
	char name[64], text[64], reply[256];
	uint32_t count;

	if (me == 0 || nodes < 2 || nodes > NODES_MAX || me > nodes) {
		printf("scaletest: node=N nodes=M, 1 <= N <= M <= %d\n", NODES_MAX);
		return 1;
	}
	if (task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS ||
	    ns_wait(ns, "/servers/gns", 60000, &gns) != KERN_SUCCESS ||
	    ns_wait(ns, "/servers/echo", 60000, &echo) != KERN_SUCCESS) {
		printf("scaletest: node %u: no gns or echo\n", (unsigned)me);
		return 1;
	}
	snprintf(name, sizeof name, "/cluster/echo/%u", (unsigned)me);
	if (ns_register(ns, name, echo, &reg) != KERN_SUCCESS) {
		printf("scaletest: node %u: cannot register %s\n", (unsigned)me, name);
		return 1;
	}
	printf("scaletest: node %u: serving %s\n", (unsigned)me, name);
	t0 = now_ms();
	until = t0 + RESOLVE_MS;
	/* look-ups of names on nodes not up yet would ask every peer for nothing, again and again */
	while (alive(gns) < nodes - 1 && now_ms() < until)
		msg_sleep_ms(1000);
	printf("scaletest: node %u: %u peers alive after %u ms\n", (unsigned)me, (unsigned)alive(gns),
	       (unsigned)(now_ms() - t0));
	t0 = now_ms();
	/* each in turn, again and again until every one answered (the last nodes boot late) */
	while (resolved < nodes - 1 && now_ms() < until) {
		for (uint32_t k = 1; k <= nodes; k++) {
			if (k == me || MACH_PORT_VALID(proxy[k]))
				continue;
			snprintf(name, sizeof name, "/cluster/echo/%u", (unsigned)k);
			if (xipc_resolve(gns, name, 2000, &proxy[k], &type) != KERN_SUCCESS) {
				proxy[k] = MACH_PORT_NULL;
				continue;
			}
			resolved++;
			snprintf(text, sizeof text, "from %u to %u", (unsigned)me, (unsigned)k);
			if (echo_text(proxy[k], text, reply, &count) == KERN_SUCCESS && strcmp(reply, text) == 0)
				answered++;
			else
				printf("scaletest: node %u: node %u's echo did not answer right\n", (unsigned)me, (unsigned)k);
		}
		if (resolved < nodes - 1)
			msg_sleep_ms(2000);
	}
	printf("scaletest: node %u: %u resolved, %u answered of %u in %u ms\n", (unsigned)me, (unsigned)resolved,
	       (unsigned)answered, (unsigned)(nodes - 1), (unsigned)(now_ms() - t0));
	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &notify);
	for (uint32_t k = 1; k <= nodes; k++)
		if (MACH_PORT_VALID(proxy[k]) &&
		    mach_port_request_notification(ME, proxy[k], MACH_NOTIFY_DEAD_NAME, 1, notify,
						   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev) != KERN_SUCCESS)
			printf("scaletest: node %u: no dead-name request on node %u's proxy\n", (unsigned)me, (unsigned)k);
	printf("scaletest: node %u: watching %u proxies\n", (unsigned)me, (unsigned)resolved);
	for (;;) {
		struct {
			mach_dead_name_notification_t n;
			uint8_t room[64];
		} m;
		if (mach_msg(&m.n.not_header, MACH_RCV_MSG, 0, sizeof m, notify, 0, MACH_PORT_NULL) != MACH_MSG_SUCCESS)
			continue;
		if (m.n.not_header.msgh_id != MACH_NOTIFY_DEAD_NAME)
			continue;
		for (uint32_t k = 1; k <= nodes; k++)
			if (proxy[k] == m.n.not_port)
				printf("scaletest: node %u: the proxy of node %u died\n", (unsigned)me, (unsigned)k);
	}
}
