/*
 * The ping service (ping.h). One job at a time: ping_echo starts it and
 * holds its reply (msg_defer); the tick sends a request every interval; the
 * raw ICMP callback marks each answered sequence number; when all are
 * answered, or 2 s after the last request, the held reply goes out
 * (msg_retry_deferred serves the request again and it finds the job done).
 * A request that comes while a job runs is held too, and starts its own job
 * when the first has answered.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include "lwip/inet_chksum.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/raw.h"
#include "lwip/sys.h"
#include "ns_client.h"
#include "ping.h"
#include "ping_server.h"

#define ME mach_task_self()
#define PING_COUNT_MAX 100
#define PING_ID 0x4d50		/* "MP": our echo identifier */
#define PING_PAYLOAD 56
#define PING_LINGER_MS 2000	/* after the last request */
#define ICMP_ECHO_REQUEST 8
#define ICMP_ECHO_REPLY 0

/* [L] gns's loop thread alone. */
static struct {
	bool active;		/* a job is running (its request is held) */
	bool done;		/* ...and has its answer */
	uint32_t addr, count, interval_ms;
	uint32_t sent, answered;
	uint32_t next_ms;	/* when the next request goes, or the job ends (sys_now) */
	uint16_t base;		/* the job's first sequence number */
	uint8_t seen[PING_COUNT_MAX];
} job;

static struct msg_server *server;	/* [I] */
static struct raw_pcb *pcb;		/* [I] */
static uint16_t next_seq;		/* [L] jobs use distinct sequence numbers */

static void
finish(void)
{
	job.done = true;
	msg_retry_deferred(server);
}

/* lwIP's raw ICMP input: our echo replies are eaten, everything else goes on to lwIP's ICMP. */
static u8_t
icmp_in(void *arg, struct raw_pcb *p, struct pbuf *pb, const ip_addr_t *from)
{
	uint8_t h[60 + 8];
	uint32_t hl;
	uint16_t seq;

	if (pbuf_copy_partial(pb, h, 20, 0) != 20)
		return 0;
	hl = (h[0] & 0x0f) * 4u;
	if (hl < 20 || pbuf_copy_partial(pb, h, (u16_t)(hl + 8), 0) != hl + 8)
		return 0;
	if (h[hl] != ICMP_ECHO_REPLY || (h[hl + 4] << 8 | h[hl + 5]) != PING_ID)
		return 0;
	seq = (uint16_t)(h[hl + 6] << 8 | h[hl + 7]);
	if (job.active && !job.done && ip4_addr_get_u32(ip_2_ip4(from)) == lwip_htonl(job.addr) &&
	    (uint16_t)(seq - job.base) < job.sent && !job.seen[(uint16_t)(seq - job.base)]) {
		job.seen[(uint16_t)(seq - job.base)] = 1;
		if (++job.answered == job.count)
			finish();
	}
	pbuf_free(pb);
	return 1;
}

static void
send_one(void)
{
	struct pbuf *p = pbuf_alloc(PBUF_IP, 8 + PING_PAYLOAD, PBUF_RAM);
	uint16_t seq = (uint16_t)(job.base + job.sent);
	uint8_t *m;
	ip_addr_t to;

	job.sent++;	/* a request lwIP could not send counts as sent and lost */
	if (!p)
		return;
	m = p->payload;
	m[0] = ICMP_ECHO_REQUEST;
	m[1] = 0;
	m[2] = m[3] = 0;
	m[4] = PING_ID >> 8;
	m[5] = PING_ID & 0xff;
	m[6] = (uint8_t)(seq >> 8);
	m[7] = (uint8_t)seq;
	for (int i = 0; i < PING_PAYLOAD; i++)
		m[8 + i] = (uint8_t)i;
	*(uint16_t *)(m + 2) = inet_chksum(m, 8 + PING_PAYLOAD);
	ip_addr_set_ip4_u32(&to, lwip_htonl(job.addr));
	raw_sendto(pcb, p, &to);
	pbuf_free(p);
}

kern_return_t
ping_do_ping_echo(mach_port_t port, uint32_t addr, uint32_t count, uint32_t interval_ms, uint32_t *sent,
		  uint32_t *answered)
{
	if (addr == 0 || count == 0 || count > PING_COUNT_MAX || interval_ms < 10 || interval_ms > 10000)
		return KERN_INVALID_ARGUMENT;
	if (job.active && (job.done || msg_deferred_expired())) {
		/* ours (a held request served again): its answer */
		*sent = job.sent;
		*answered = job.answered;
		memset(&job, 0, sizeof job);
		return KERN_SUCCESS;
	}
	if (!job.active) {
		memset(&job, 0, sizeof job);
		job.active = true;
		job.addr = addr;
		job.count = count;
		job.interval_ms = interval_ms;
		job.base = next_seq;
		next_seq = (uint16_t)(next_seq + PING_COUNT_MAX);
		job.next_ms = sys_now();
	}
	/* The job's end, with room to spare: the tick ends it first. */
	if (!msg_defer(count * interval_ms + 2 * PING_LINGER_MS))
		return KERN_RESOURCE_SHORTAGE;
	return MIG_NO_REPLY;
}

uint32_t
ping_tick(void)
{
	uint32_t now;

	if (!job.active || job.done)
		return 0;	/* (before the clock: the tick asks after every message of the loop) */
	now = sys_now();
	if ((int32_t)(job.next_ms - now) > 0)
		return job.next_ms - now;
	if (job.sent < job.count) {
		send_one();
		job.next_ms = now + (job.sent < job.count ? job.interval_ms : PING_LINGER_MS);
		return job.next_ms - now;
	}
	finish();	/* the last request's linger is over */
	return 0;
}

bool
ping_init(struct msg_server *s, mach_port_t set)
{
	mach_port_t port = MACH_PORT_NULL, ns = MACH_PORT_NULL, reg = MACH_PORT_NULL;
	kern_return_t kr;

	server = s;
	pcb = raw_new(IP_PROTO_ICMP);
	if (!pcb)
		return false;
	raw_recv(pcb, icmp_in, NULL);
	raw_bind(pcb, IP_ADDR_ANY);
	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &port) != KERN_SUCCESS ||
	    mach_port_insert_right(ME, port, port, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    mach_port_move_member(ME, port, set) != KERN_SUCCESS ||
	    task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS)
		return false;
	kr = ns_register(ns, "/servers/gns/ping", port, &reg);
	mach_port_deallocate(ME, ns);
	return kr == KERN_SUCCESS;
}
