/*
 * The shell's `ifconfig` and `netstat`: what gns says of its NIC and of its
 * sockets and registrations (gns.defs: gns_ifconfig, gns_netstat, through
 * libmsg's <manifold/socket.h>), printed the way the BSD tools print them.
 * netstat names each owner from the bootstrap's task list, as ps does.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/socket.h>
#include <manifold/trap.h>
#include "bootstrap_client.h"
#include "commands.h"
#include "ns_client.h"

#define ME mach_task_self()

static void
format_ip(char *buf, size_t size, uint32_t ip)
{
	snprintf(buf, size, "%u.%u.%u.%u", ip >> 24, ip >> 16 & 0xff, ip >> 8 & 0xff, ip & 0xff);
}

void
cmd_ifconfig(int argc, char **argv)
{
	uint32_t w[GNS_IF_WORDS];
	char ip[16], mask[16], gw[16];
	int err = sock_ifconfig(w);

	if (err) {
		printf("shell: ifconfig: %s\n", strerror(err));
		return;
	}
	format_ip(ip, sizeof ip, w[GNS_IF_IP]);
	format_ip(mask, sizeof mask, w[GNS_IF_NETMASK]);
	format_ip(gw, sizeof gw, w[GNS_IF_GATEWAY]);
	printf("et0: flags=<%s%s%s> mtu %u\n", w[GNS_IF_FLAGS] & GNS_IFF_UP ? "UP" : "DOWN",
	       w[GNS_IF_FLAGS] & GNS_IFF_BROADCAST ? ",BROADCAST" : "",
	       w[GNS_IF_FLAGS] & GNS_IFF_LINK ? ",RUNNING" : "", (unsigned)w[GNS_IF_MTU]);
	printf("    inet %s netmask %s gateway %s\n", ip, mask, gw);
	printf("    ether %02x:%02x:%02x:%02x:%02x:%02x link %s\n", (unsigned)(w[GNS_IF_MAC_HI] >> 8),
	       (unsigned)(w[GNS_IF_MAC_HI] & 0xff), (unsigned)(w[GNS_IF_MAC_LO] >> 24),
	       (unsigned)(w[GNS_IF_MAC_LO] >> 16 & 0xff), (unsigned)(w[GNS_IF_MAC_LO] >> 8 & 0xff),
	       (unsigned)(w[GNS_IF_MAC_LO] & 0xff), w[GNS_IF_FLAGS] & GNS_IFF_LINK ? "up" : "down");
	printf("    RX packets %u bytes %u errors %u dropped %u\n", (unsigned)w[GNS_IF_RX_PACKETS],
	       (unsigned)w[GNS_IF_RX_BYTES], (unsigned)w[GNS_IF_RX_ERRORS], (unsigned)w[GNS_IF_RX_DROPPED]);
	printf("    TX packets %u bytes %u errors %u dropped %u\n", (unsigned)w[GNS_IF_TX_PACKETS],
	       (unsigned)w[GNS_IF_TX_BYTES], (unsigned)w[GNS_IF_TX_ERRORS], (unsigned)w[GNS_IF_TX_DROPPED]);
}

static const char *
state_name(uint32_t s)
{
	static const char *const names[] = {
		"CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2",
		"CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT", "UNBOUND", "BOUND", "CONNECTED",
		"REGISTERED", "ACCEPTED",
	};

	return s < sizeof names / sizeof names[0] ? names[s] : "?";
}

/* The task list, for owners' names; empty when the bootstrap cannot be asked. */
static struct manifold_task_summary tasks[TRAP_TASK_LIST_MAX];
static uint32_t ntasks;

static void
load_tasks(void)
{
	mach_msg_type_number_t words = TRAP_TASK_LIST_MAX * (sizeof *tasks / sizeof(uint32_t));
	mach_port_t bootstrap;
	uint32_t n;

	ntasks = 0;
	if (ns_lookup(commands_ns(), "/servers/bootstrap", &bootstrap) != KERN_SUCCESS)
		return;
	if (bootstrap_task_list(bootstrap, &n, (uint32_t *)tasks, &words) == KERN_SUCCESS)
		ntasks = words / (sizeof *tasks / sizeof(uint32_t));
	mach_port_deallocate(ME, bootstrap);
}

static void
format_owner(char *buf, size_t size, uint32_t id)
{
	for (uint32_t i = 0; i < ntasks; i++) {
		if (tasks[i].id == id) {
			snprintf(buf, size, "%s (%u)", tasks[i].name, (unsigned)id);
			return;
		}
	}
	snprintf(buf, size, "task %u", (unsigned)id);
}

static void
format_end(char *buf, size_t size, uint32_t ip, uint32_t port)
{
	char a[16];

	if (ip == 0 && port == 0) {
		snprintf(buf, size, "*:*");
		return;
	}
	format_ip(a, sizeof a, ip);
	snprintf(buf, size, "%s:%u", ip ? a : "*", (unsigned)port);
}

void
cmd_netstat(int argc, char **argv)
{
	static uint32_t recs[GNS_NET_MAX * GNS_NET_WORDS];
	uint32_t count = 0, shown, stats[GNS_STAT_WORDS];
	int err = sock_netstat(recs, GNS_NET_MAX, &count);

	if (err) {
		printf("shell: netstat: %s\n", strerror(err));
		return;
	}
	load_tasks();
	printf("%-5s %6s %6s  %-21s %-21s %-12s %s\n", "Proto", "Recv-Q", "Send-Q", "Local", "Remote", "State",
	       "Owner");
	shown = count < GNS_NET_MAX ? count : GNS_NET_MAX;
	for (uint32_t i = 0; i < shown; i++) {
		const uint32_t *r = recs + i * GNS_NET_WORDS;
		char local[24], remote[24], owner[48];
		const char *proto = r[GNS_NET_PROTO] == GNS_PROTO_TCP ? "tcp"
				    : r[GNS_NET_PROTO] == GNS_PROTO_UDP ? "udp" : "ether";

		if (r[GNS_NET_PROTO] == GNS_PROTO_ETHER)
			snprintf(local, sizeof local, "type 0x%04x", (unsigned)r[GNS_NET_LOCAL_PORT]);
		else
			format_end(local, sizeof local, r[GNS_NET_LOCAL_IP], r[GNS_NET_LOCAL_PORT]);
		if (r[GNS_NET_PROTO] == GNS_PROTO_ETHER)
			snprintf(remote, sizeof remote, "-");
		else
			format_end(remote, sizeof remote, r[GNS_NET_REMOTE_IP], r[GNS_NET_REMOTE_PORT]);
		format_owner(owner, sizeof owner, r[GNS_NET_OWNER]);
		printf("%-5s %6u %6u  %-21s %-21s %-12s %s\n", proto, (unsigned)r[GNS_NET_RX_QUEUED],
		       (unsigned)r[GNS_NET_TX_QUEUED], local, remote, state_name(r[GNS_NET_STATE]), owner);
	}
	if (count > shown)
		printf("(%u more)\n", (unsigned)(count - shown));
	if (sock_gns_stats(stats) == 0)
		printf("%u half-open TCP connections dropped for newer SYNs (SYN guard)\n",
		       (unsigned)stats[GNS_STAT_SYN_EVICTED]);
}
