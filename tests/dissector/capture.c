/*
 * Writes a capture for the `dissector` suite (run.py): two transports on the
 * simulated wire (tests/unit/xport/sim.c) exchange gns payloads (a MSG of
 * four fragments, a NAK, a MSG back with a negative id), once in auth-only
 * mode and once encrypted, every datagram recorded as Ethernet, IPv4 and UDP
 * port 7700 between 10.77.0.1 and 10.77.0.2, as QEMU's filter-dump would.
 *
 *   capture AUTH_ONLY.pcap ENCRYPTED.pcap
 *
 * A host program, not a unit test: tshark reads what it writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carry.h"
#include "sim.h"

static FILE *out;

static void
put16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

static void
record(uint64_t at, uint32_t from, uint32_t to, const uint8_t *d, size_t len)
{
	uint8_t f[14 + 20 + 8];
	uint32_t rec[4] = { (uint32_t)(at / 1000000), (uint32_t)(at % 1000000), (uint32_t)(sizeof f + len),
			    (uint32_t)(sizeof f + len) };
	uint32_t sum = 0;

	memset(f, 0, sizeof f);
	memcpy(f, "\x52\x54\x00\x12\x34\x00", 6), f[5] = (uint8_t)to;
	memcpy(f + 6, "\x52\x54\x00\x12\x34\x00", 6), f[11] = (uint8_t)from;
	put16be(f + 12, 0x0800);
	f[14] = 0x45;
	put16be(f + 16, (uint16_t)(20 + 8 + len));
	f[22] = 64, f[23] = 17;	/* TTL, UDP */
	f[26] = 10, f[27] = 77, f[28] = 0, f[29] = (uint8_t)from;
	f[30] = 10, f[31] = 77, f[32] = 0, f[33] = (uint8_t)to;
	for (int i = 14; i < 34; i += 2)
		sum += (uint32_t)f[i] << 8 | f[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16be(f + 24, (uint16_t)~sum);
	put16be(f + 34, 7700);
	put16be(f + 36, 7700);
	put16be(f + 38, (uint16_t)(8 + len));	/* checksum 0: none, as UDP allows */
	fwrite(rec, sizeof rec, 1, out);
	fwrite(f, sizeof f, 1, out);
	fwrite(d, len, 1, out);
}

static bool
tap(struct sim *sim, uint32_t from, uint32_t to, uint8_t *d, size_t *len)
{
	record(sim->now, from, to, d, *len);
	return true;
}

static void
ignore(struct sim *sim, uint32_t at, uint32_t from, uint32_t port, const void *data, size_t len)
{
}

/* A MSG as claim.c writes one: kind, destination gid, id, flags, reply right, no descriptors, inline data. */
static void
msg(struct carry_out *o, uint32_t node, uint32_t number, uint64_t check, int32_t id, size_t data)
{
	struct gport g = { .node = node, .port = number, .check = check };
	uint8_t *bytes = calloc(1, data);

	carry_put8(o, CARRY_MSG);
	carry_put_gid(o, &g);
	carry_put32(o, (uint32_t)id);
	carry_put8(o, 0);
	carry_put_right(o, RIGHT_NULL, NULL);
	carry_put32(o, 0);
	carry_put32(o, (uint32_t)data);
	carry_put_bytes(o, bytes, data);
	free(bytes);
}

static int
capture(const char *path, bool auth_only)
{
	static const uint32_t magic[6] = { 0xa1b2c3d4, 2 | 4u << 16, 0, 0, 65535, 1 };
	struct xport_config cfg = { .auth_only = auth_only };
	struct gport nak = { .node = 2, .port = 78, .check = 5 };
	struct carry_out o[3] = {{0}};
	struct sim sim;

	if ((out = fopen(path, "wb")) == NULL)
		return 1;
	fwrite(magic, sizeof magic, 1, out);
	sim_init(&sim, 31);
	sim.tap = tap;
	sim.deliver = ignore;
	sim_add(&sim, 1, 0x61, &cfg);
	sim_add(&sim, 2, 0x61, &cfg);
	msg(&o[0], 2, 77, 0x1122334455667788ull, 4242, 5000);	/* four fragments of 1,372 bytes at most */
	carry_put8(&o[1], CARRY_NAK);
	carry_put_gid(&o[1], &nak);
	msg(&o[2], 1, 5, 0x99, -7, 16);
	xport_send(sim.nodes[0].x, 2, 77, o[0].p, o[0].len, sim.now);
	xport_send(sim.nodes[0].x, 2, 0, o[1].p, o[1].len, sim.now);
	xport_send(sim.nodes[1].x, 1, 5, o[2].p, o[2].len, sim.now);
	sim_run(&sim, sim.now + 10000000);
	for (int i = 0; i < 3; i++)
		carry_out_free(&o[i]);
	sim_free(&sim);
	return fclose(out) != 0;
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: capture AUTH_ONLY.pcap ENCRYPTED.pcap\n");
		return 2;
	}
	return capture(argv[1], true) || capture(argv[2], false);
}
