/*
 * gns's command line (config.h). The kernel's own command line (node=N from
 * GRUB or the UEFI loader) is not visible to tasks yet, so the boot
 * configuration gives gns its words as module arguments (`gns.elf node=3`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"

#define NET_10_77 0x0a4d0000u	/* 10.77.0.0/16, the cluster's LAN */

static bool
parse_node(struct gns_config *c, const char *v)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (*v == '\0' || *end != '\0' || n < 1 || n > 254)
		return false;
	c->ip = NET_10_77 | (uint32_t)n;
	c->mask = 0xffff0000u;
	return true;
}

bool
config_parse(struct gns_config *c, int argc, char **argv)
{
	memset(c, 0, sizeof *c);
	c->nic = GNS_NIC_DEFAULT;
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (strncmp(w, "node=", 5) == 0 && parse_node(c, w + 5))
			continue;
		if (strcmp(w, "ip=dhcp") == 0) {
			c->dhcp = true;
			continue;
		}
		if (strncmp(w, "nic=", 4) == 0 && w[4] == '/') {
			c->nic = w + 4;
			continue;
		}
		if (strncmp(w, "restart=", 8) == 0)	/* the bootstrap's */
			continue;
		printf("gns: bad argument '%s' (node=1..254, ip=dhcp, nic=/PATH)\n", w);
		return false;
	}
	return true;
}
