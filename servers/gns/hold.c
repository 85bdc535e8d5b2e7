/*
 * The held messages (hold.h): one FIFO list, searched linearly (at most
 * HOLD_MAX entries). A destination whose first held message its queue still
 * refuses holds back its later ones only; a destination that died (or any
 * other refusal) loses what is held for it, its rights released as a
 * destroyed message's are. Only gns's loop thread runs this.
 */
#include <stdlib.h>
#include <string.h>
#include <manifold/xipc.h>
#include "cluster.h"
#include "hold.h"
#include "proxy_table.h"
#include "table.h"

struct held {
	struct held *next;
	mach_msg_header_t *h;
	size_t size, ool;
};

static struct held *head, **tail = &head;
static size_t count, bytes;

/*
 * Destinations whose senders were told to pause, and who was. A slot is in
 * use only while its destination has messages held (resume frees it), so
 * HOLD_MAX bounds the table, which grows a chunk at a time (table.h).
 */
struct paused {
	mach_port_t dest;	/* MACH_PORT_NULL: free */
	struct gport gid;
	uint32_t peers[8];	/* bit per node */
};
static struct table paused = TABLE_INIT(struct paused, HOLD_MAX);
#define PAUSED_AT(i) ((struct paused *)table_at(&paused, (i)))

static size_t
held_for(mach_port_t dest)
{
	size_t n = 0;

	for (struct held *m = head; m; m = m->next)
		n += m->h->msgh_remote_port == dest;
	return n;
}

void
hold_note_sender(mach_port_t dest, const struct gport *gid, uint32_t peer)
{
	struct paused *p = NULL, *free_slot = NULL;

	if (peer == 0 || peer >= 256 || held_for(dest) < HOLD_PAUSE)
		return;
	for (int i = 0; i < paused.cap && !p; i++)
		if (PAUSED_AT(i)->dest == dest && gport_equal(&PAUSED_AT(i)->gid, gid))
			p = PAUSED_AT(i);
		else if (PAUSED_AT(i)->dest == MACH_PORT_NULL && !free_slot)
			free_slot = PAUSED_AT(i);
	if (!p && !free_slot && table_grow(&paused))
		free_slot = PAUSED_AT(paused.cap - TABLE_CHUNK);
	if (!p) {
		if (!free_slot)
			return;	/* no memory for a chunk: this one's senders go on (its hold is bounded anyway) */
		p = free_slot;
		memset(p, 0, sizeof *p);
		p->dest = dest;
		p->gid = *gid;
	}
	if (p->peers[peer / 32] & (1u << (peer % 32)))
		return;
	p->peers[peer / 32] |= 1u << (peer % 32);
	send_control(peer, CARRY_PAUSE, gid);
	xipc_stat[XIPC_STAT_PAUSES]++;
}

/* dest's hold drained (or it died): every sender paused for it goes on. */
static void
resume(mach_port_t dest)
{
	for (int i = 0; i < paused.cap; i++) {
		struct paused *p = PAUSED_AT(i);
		if (p->dest != dest)
			continue;
		for (uint32_t n = 1; n < 256; n++)
			if (p->peers[n / 32] & (1u << (n % 32)))
				send_control(n, CARRY_RESUME, &p->gid);
		p->dest = MACH_PORT_NULL;
	}
}

bool
hold_pending(mach_port_t dest)
{
	for (struct held *m = head; m; m = m->next)
		if (m->h->msgh_remote_port == dest)
			return true;
	return false;
}

bool
hold_room(size_t size, size_t ool)
{
	return count < HOLD_MAX && bytes + size + ool <= HOLD_BYTES;
}

void
hold_add(mach_msg_header_t *h, size_t size, size_t ool)
{
	struct held *m = malloc(sizeof *m);

	if (!m) {
		mach_msg_destroy(h);	/* every right in it is ours: released as a lost message's */
		free(h);
		xipc_stat[XIPC_STAT_R_DEST_FULL]++;
		return;
	}
	m->next = NULL;
	m->h = h;
	m->size = size;
	m->ool = ool;
	*tail = m;
	tail = &m->next;
	count++;
	bytes += size + ool;
	xipc_stat[XIPC_STAT_HELD]++;
}

/* dest's queue refused one of ours this round: the rest for it wait. */
static bool
blocked(mach_port_t *full, int nfull, mach_port_t dest)
{
	for (int i = 0; i < nfull; i++)
		if (full[i] == dest)
			return true;
	return false;
}

uint32_t
hold_retry(void)
{
	mach_port_t full[32];
	int nfull = 0;
	struct held **pp = &head;

	while (*pp) {
		struct held *m = *pp;
		mach_port_t dest = m->h->msgh_remote_port;
		mach_msg_return_t mr;

		if (blocked(full, nfull, dest)) {
			pp = &m->next;
			continue;
		}
		mr = mach_msg(m->h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, (mach_msg_size_t)m->size, 0, MACH_PORT_NULL, 0,
			      MACH_PORT_NULL);
		if (mr == MACH_SEND_TIMED_OUT) {
			if (nfull == (int)(sizeof full / sizeof full[0]))
				break;	/* enough tried this round */
			full[nfull++] = dest;
			pp = &m->next;
			continue;
		}
		if (mr == MACH_MSG_SUCCESS) {
			xipc_stat[XIPC_STAT_MSGS_IN]++;
		} else {
			/* refused for good (the port died): nothing moved, its rights go as a destroyed message's */
			xipc_stat[mr == MACH_SEND_INVALID_DEST ? XIPC_STAT_R_DEST_DEAD : XIPC_STAT_R_UNDELIVERABLE]++;
			mach_msg_destroy(m->h);
		}
		*pp = m->next;
		if (tail == &m->next)
			tail = pp;
		count--;
		bytes -= m->size + m->ool;
		free(m->h);
		free(m);
		if (held_for(dest) == 0)
			resume(dest);
	}
	return head ? HOLD_RETRY_MS : 0;
}

size_t
hold_count(void)
{
	return count;
}
