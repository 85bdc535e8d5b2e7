/* The checked test traffic of traffic.h. */
#include "traffic.h"

#include <stdlib.h>
#include <string.h>

static uint8_t
pattern(uint32_t from, uint32_t port, uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 31 + i * 7 + from * 3 + port);
}

static void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

int
traffic_send(struct sim *sim, struct traffic *t, uint32_t from, uint32_t to, uint32_t port, uint32_t len)
{
	uint8_t *m = malloc(len);
	uint32_t seq = t->next_seq[from][to][port];

	put32(m, from);
	put32(m + 4, port);
	put32(m + 8, seq);
	put32(m + 12, len);
	for (uint32_t i = 16; i < len; i++)
		m[i] = pattern(from, port, seq, i);
	int err = xport_send(sim->nodes[from - 1].x, to, port, m, len, sim->now);
	if (err == XPORT_OK) {
		t->next_seq[from][to][port]++;
		t->sent++;
	}
	free(m);
	return err;
}

void
traffic_deliver(struct sim *sim, uint32_t at, uint32_t from, uint32_t port, const void *data, size_t len)
{
	struct traffic *t = sim->user;
	const uint8_t *m = data;

	if (len < 16 || port >= TRAFFIC_PORTS || get32(m) != from || get32(m + 4) != port || get32(m + 12) != len) {
		t->corrupt++;
		return;
	}
	uint32_t seq = get32(m + 8);
	for (uint32_t i = 16; i < len; i++)
		if (m[i] != pattern(from, port, seq, i)) {
			t->corrupt++;
			return;
		}
	if (seq != t->expect[at][from][port])
		t->out_of_order++;
	t->expect[at][from][port] = seq + 1;
	t->delivered++;
}
