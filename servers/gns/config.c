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

/* A node number, 1..254. */
static bool
parse_number(const char *v, uint32_t *out)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (*v == '\0' || *end != '\0' || n < 1 || n > 254)
		return false;
	*out = (uint32_t)n;
	return true;
}

static bool
parse_node(struct gns_config *c, const char *v)
{
	uint32_t n;

	if (!parse_number(v, &n))
		return false;
	c->node = n;
	c->ip = NET_10_77 | (uint32_t)n;
	c->mask = 0xffff0000u;
	return true;
}

static int
hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Exactly 64 hex digits. */
static bool
parse_key(struct gns_config *c, const char *v)
{
	if (strlen(v) != 2 * sizeof c->key)
		return false;
	for (size_t i = 0; i < sizeof c->key; i++) {
		int hi = hex_digit(v[2 * i]), lo = hex_digit(v[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		c->key[i] = (uint8_t)(hi << 4 | lo);
	}
	c->have_key = true;
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
		if (strncmp(w, "key=", 4) == 0 && parse_key(c, w + 4))
			continue;
		if (strncmp(w, "drop-beacons-to=", 16) == 0 && parse_number(w + 16, &c->drop_beacons_to))
			continue;
		if (strcmp(w, "drop-notices") == 0) {
			c->drop_notices = true;
			continue;
		}
		if (strcmp(w, "auth-only") == 0) {
			c->auth_only = true;
			continue;
		}
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
		printf("gns: bad argument '%s' (node=1..254, ip=dhcp, nic=/PATH, key=64 hex digits, auth-only, drop-beacons-to=N, drop-notices)\n", w);
		return false;
	}
	return true;
}
