/*
 * gns's command line (config.h). The kernel's own command line (node=N from
 * GRUB or the UEFI loader) is not visible to tasks yet, so the boot
 * configuration gives gns its words as module arguments (`gns.elf node=3`).
 */
#include <stddef.h>
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

/* The words that are a flag alone: true if w is one (and now set). */
static bool
set_flag(struct gns_config *c, const char *w)
{
	static const struct {
		const char *word;
		size_t off;
	} flags[] = {
		{ "auth-only", offsetof(struct gns_config, auth_only) },
		{ "ip=dhcp", offsetof(struct gns_config, dhcp) },
		{ "drop-notices", offsetof(struct gns_config, drop_notices) },
		{ "drop-resigns", offsetof(struct gns_config, drop_resigns) },
	};

	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if (strcmp(w, flags[i].word) == 0) {
			*(bool *)((char *)c + flags[i].off) = true;
			return true;
		}
	return false;
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
		if (set_flag(c, w))
			continue;
		if (strncmp(w, "nic=", 4) == 0 && w[4] == '/') {
			c->nic = w + 4;
			continue;
		}
		if (strncmp(w, "restart=", 8) == 0)	/* the bootstrap's */
			continue;
		printf("gns: bad argument '%s' (node=1..254, ip=dhcp, nic=/PATH, key=64 hex digits, auth-only, drop-beacons-to=N, drop-notices, drop-resigns)\n", w);
		return false;
	}
	return true;
}
