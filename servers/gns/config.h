/*
 * What gns learns from its command line (config.c): the node's IPv4
 * configuration. `node=N` (1..254) gives 10.77.0.N/16; `ip=dhcp` asks a DHCP
 * server; `nic=PATH` names the driver to look up (default /servers/nic0).
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
};

/* Fills c from argv; false (with a console line saying why) on a malformed word. */
bool config_parse(struct gns_config *c, int argc, char **argv);

#endif
