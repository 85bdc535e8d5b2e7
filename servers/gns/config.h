/*
 * What gns learns from its command line (config.c): the node's IPv4
 * configuration. `node=N` (1..254) gives 10.77.0.N/16; `ip=dhcp` asks a DHCP
 * server; `nic=PATH` names the driver to look up (default /servers/nic0).
 * `key=HEX` (64 hex digits, 32 bytes) is the cluster key: with it and node=N,
 * gns carries messages between nodes (cluster.c); without it that is off.
 * `auth-only` authenticates the transport's datagrams without encrypting
 * them (for measuring; every node of a cluster must say the same).
 * `drop-beacons-to=N` is a test hook, off by default: this node's unicast
 * beacons to node N (heartbeats, probes' answers) are dropped in bursts
 * (cluster.c), as a path that loses them would, so that N suspects it
 * although it lives (the xipc suite). `drop-notices`, a test hook too:
 * every NOTICE of a death is ignored here, as if all were lost on the way,
 * so that only gossip tells this node (the scale suite). `drop-resigns`,
 * a test hook too: this node's RESIGNs are never sent, as if all three were
 * lost, so that a former watcher learns it from its suspicion's probe.
 */
#ifndef GNS_CONFIG_H
#define GNS_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define GNS_NIC_DEFAULT "/servers/nic0"

struct gns_config {
	bool dhcp;
	uint32_t ip, mask;	/* host byte order; 0: none */
	const char *nic;	/* name of the driver's port in ns */
	uint32_t node;		/* node=N; 0: none */
	bool have_key, auth_only;
	uint32_t drop_beacons_to;	/* drop-beacons-to=N (a test hook); 0: none */
	bool drop_notices;		/* drop-notices (a test hook) */
	bool drop_resigns;		/* drop-resigns (a test hook) */
	uint8_t key[32];	/* the cluster key, when have_key */
};

/* Fills c from argv; false (with a console line saying why) on a malformed word. */
bool config_parse(struct gns_config *c, int argc, char **argv);

#endif
