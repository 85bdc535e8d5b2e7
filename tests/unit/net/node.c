/*
 * One lwIP node of the host tests (node.h): lwIP started over a frame
 * session's client end, and the applications the tests drive: an ICMP echo
 * client on a raw pcb, a UDP echo server and client, a TCP sink that hashes
 * what it receives and a TCP source that sends a pattern and closes, and gns's
 * udp_direct.c (datagrams beside lwIP, as the transport's go). It runs
 * only when the test calls node_poll: NO_SYS, as in gns.
 */
#include <string.h>
#include "lwip/etharp.h"
#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/init.h"
#include "lwip/ip4.h"
#include "lwip/prot/ip4.h"
#include "lwip/raw.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "lwip_hooks.h"
#include "frame_netif.h"
#include "sock_rx.h"
#include "udp_direct.h"
#include "node.h"

#define PING_ID 0x4d46

static struct frame_netif nic;
static uint32_t kicks;
static int ping_replies;
static struct raw_pcb *ping_pcb;
static struct udp_pcb *udp_client;
static uint8_t udp_reply[1500];
static int udp_reply_len = -1;

/*
 * Sources in slots 1..NODE_SLOTS-1, as the test numbers them; the sink's
 * connections in a pool of their own, the last one accepted reported as
 * slot NODE_SINK_SLOT (until node_tcp_forget).
 */
static struct conn {
	struct tcp_pcb *pcb;
	uint32_t left, offset;
	struct node_tcp r;
} conns[NODE_SLOTS], sinks[NODE_SLOTS];
static struct conn *last_sink;

static void
kick(struct frame_netif *fn)
{
	kicks++;
}

static ip4_addr_t
addr(uint32_t ip)
{
	ip4_addr_t a;

	ip4_addr_set_u32(&a, lwip_htonl(ip));
	return a;
}

static bool initialized;

/* once per copy: a second lwip_init would orphan the timers and pcbs of the first */
static void
init_once(void)
{
	if (!initialized)
		lwip_init();
	initialized = true;
}

int
node_start(void *region, size_t size, const uint8_t mac[6], uint32_t ip)
{
	ip4_addr_t a = addr(ip), mask = addr(0xffff0000u), gw = addr(0);

	init_once();
	memcpy(nic.mac, mac, 6);
	nic.kick = kick;
	if (frame_netif_add(&nic, region, size, &a, &mask, &gw) != ERR_OK)
		return -1;
	netif_set_default(&nic.netif);
	return 0;
}

int
node_poll(void)
{
	int n = frame_netif_poll(&nic, 64);

	netif_poll_all();	/* packets to our own address, as gns's tick does (service_poll) */
	sys_check_timeouts();
	return n;
}

bool
node_may_sleep(void)
{
	return frame_netif_may_sleep(&nic);
}

void
node_counts(struct node_counts *c)
{
	c->rx_frames = nic.rx_frames;
	c->tx_frames = nic.tx_frames;
	c->rx_dropped = nic.rx_dropped;
	c->tx_dropped = nic.tx_dropped;
	c->tx_resumed = nic.tx_resumed;
	c->tx_queued = nic.tx_queued;
	c->kicks = kicks;
	c->broken = nic.broken;
	c->link_up = netif_is_link_up(&nic.netif);
}

bool
node_arp_lookup(uint32_t ip, uint8_t mac[6])
{
	ip4_addr_t a = addr(ip);
	struct eth_addr *eth;
	const ip4_addr_t *found;

	if (etharp_find_addr(&nic.netif, &a, &eth, &found) < 0)
		return false;
	memcpy(mac, eth->addr, 6);
	return true;
}

/* Raw pcbs see whole IP packets: count our echo replies, leave the rest to lwIP. */
static u8_t
ping_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *from)
{
	struct icmp_echo_hdr echo;
	u16_t hlen = IP_HLEN;

	if (pbuf_copy_partial(p, &echo, sizeof echo, hlen) != sizeof echo || echo.type != ICMP_ER ||
	    echo.id != lwip_htons(PING_ID))
		return 0;
	ping_replies++;
	pbuf_free(p);
	return 1;
}

int
node_ping(uint32_t ip, uint16_t seq)
{
	ip_addr_t to = IPADDR4_INIT(lwip_htonl(ip));
	struct pbuf *p = pbuf_alloc(PBUF_IP, sizeof(struct icmp_echo_hdr) + 32, PBUF_RAM);
	struct icmp_echo_hdr *echo;
	err_t err;

	if (!p)
		return -1;
	if (!ping_pcb) {
		ping_pcb = raw_new(IP_PROTO_ICMP);
		raw_recv(ping_pcb, ping_recv, NULL);
	}
	echo = p->payload;
	memset(echo, 0, p->len);
	ICMPH_TYPE_SET(echo, ICMP_ECHO);
	echo->id = lwip_htons(PING_ID);
	echo->seqno = lwip_htons(seq);
	echo->chksum = inet_chksum(echo, p->len);
	err = raw_sendto(ping_pcb, p, &to);
	pbuf_free(p);
	return err == ERR_OK ? 0 : -1;
}

int
node_ping_replies(void)
{
	return ping_replies;
}

static void
udp_echo_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *from, u16_t port)
{
	udp_sendto(pcb, p, from, port);
	pbuf_free(p);
}

int
node_udp_echo(uint16_t port)
{
	struct udp_pcb *pcb = udp_new();

	if (!pcb || udp_bind(pcb, IP_ADDR_ANY, port) != ERR_OK)
		return -1;
	udp_recv(pcb, udp_echo_recv, NULL);
	return 0;
}

static void
udp_client_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *from, u16_t port)
{
	udp_reply_len = pbuf_copy_partial(p, udp_reply, sizeof udp_reply, 0);
	pbuf_free(p);
}

int
node_udp_send(uint32_t ip, uint16_t port, const void *data, uint16_t len)
{
	ip_addr_t to = IPADDR4_INIT(lwip_htonl(ip));
	struct pbuf *p;
	err_t err;

	if (!udp_client) {
		udp_client = udp_new();
		udp_bind(udp_client, IP_ADDR_ANY, 0);
		udp_recv(udp_client, udp_client_recv, NULL);
	}
	p = pbuf_alloc(PBUF_TRANSPORT, len, PBUF_RAM);
	if (!p)
		return -1;
	pbuf_take(p, data, len);
	err = udp_sendto(udp_client, p, &to, port);
	pbuf_free(p);
	return err == ERR_OK ? 0 : -1;
}

/* udp_direct.c's datagrams (gns's transport's way beside lwIP): how many came, the last one kept. */
static uint8_t direct_last[1500];
static size_t direct_len;
static uint32_t direct_src;
static int direct_count;

static void
direct_input(uint32_t src, const uint8_t *dgram, size_t len)
{
	direct_src = src;
	direct_len = len < sizeof direct_last ? len : sizeof direct_last;
	memcpy(direct_last, dgram, direct_len);
	direct_count++;
}

void
node_direct_start(uint16_t port)
{
	udp_direct_start(&nic.netif, port, direct_input);
}

bool
node_direct_send(uint32_t ip, const void *data, size_t len, uint64_t now)
{
	return udp_direct_output(ip, data, len, now);
}

/* How many datagrams came beside lwIP; the last one copied to buf (if it fits) and its source. */
int
node_direct_got(void *buf, size_t size, uint32_t *src)
{
	if (direct_count && direct_len <= size)
		memcpy(buf, direct_last, direct_len);
	*src = direct_src;
	return direct_count;
}

int
node_udp_reply(void *buf, size_t size)
{
	int n = udp_reply_len;

	if (n < 0 || (size_t)n > size)
		return -1;
	memcpy(buf, udp_reply, (size_t)n);
	udp_reply_len = -1;
	return n;
}

static void
conn_error(void *arg, err_t err)
{
	struct conn *c = arg;

	c->r.error = true;
	c->pcb = NULL;	/* lwIP has freed it */
}

static err_t
sink_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct conn *c = arg;

	if (!p) {
		c->r.fin = true;
		tcp_arg(pcb, NULL);
		tcp_close(pcb);
		c->pcb = NULL;
		return ERR_OK;
	}
	for (struct pbuf *q = p; q; q = q->next)
		c->r.hash = node_hash(c->r.hash, q->payload, q->len);
	c->r.bytes += p->tot_len;
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

static err_t
sink_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct conn *c = NULL;

	for (int i = 0; i < NODE_SLOTS && !c; i++)
		if (!sinks[i].pcb)
			c = &sinks[i];
	if (err != ERR_OK || !pcb || !c)
		return ERR_VAL;
	memset(c, 0, sizeof *c);
	last_sink = c;
	c->pcb = pcb;
	c->r.hash = NODE_HASH_START;
	tcp_arg(pcb, c);
	tcp_recv(pcb, sink_recv);
	tcp_err(pcb, conn_error);
	return ERR_OK;
}

int
node_tcp_sink(uint16_t port)
{
	struct tcp_pcb *pcb = tcp_new(), *listen;

	if (!pcb || tcp_bind(pcb, IP_ADDR_ANY, port) != ERR_OK)
		return -1;
	listen = tcp_listen(pcb);
	if (!listen)
		return -1;
	tcp_accept(listen, sink_accept);
	return 0;
}

/* Queues as much of the pattern as lwIP takes, then the FIN once all is queued. */
static void
source_push(struct conn *c)
{
	uint8_t buf[2048];

	while (c->left > 0 && c->pcb) {
		uint32_t n = c->left < sizeof buf ? c->left : sizeof buf;

		if (n > tcp_sndbuf(c->pcb))
			n = tcp_sndbuf(c->pcb);
		if (n == 0 || tcp_sndqueuelen(c->pcb) >= TCP_SND_QUEUELEN - 4)
			break;
		for (uint32_t i = 0; i < n; i++)
			buf[i] = node_pattern(c->offset + i);
		if (tcp_write(c->pcb, buf, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK)
			break;
		c->r.hash = node_hash(c->r.hash, buf, n);
		c->offset += n;
		c->left -= n;
		c->r.bytes += n;
	}
	if (!c->pcb)
		return;
	if (c->left == 0 && !c->r.fin && tcp_close(c->pcb) == ERR_OK) {
		c->r.fin = true;
		c->pcb = NULL;	/* lwIP finishes the close; the pcb is no longer ours */
		return;
	}
	tcp_output(c->pcb);
}

static err_t
source_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	source_push(arg);
	return ERR_OK;
}

static err_t
source_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	source_push(arg);
	return ERR_OK;
}

/* A source never expects data; it takes what comes so that lwIP frees it. */
static err_t
source_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	if (p) {
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
	}
	return ERR_OK;
}

int
node_tcp_source(int slot, uint32_t ip, uint16_t port, uint32_t bytes)
{
	ip_addr_t to = IPADDR4_INIT(lwip_htonl(ip));
	struct conn *c;

	if (slot <= NODE_SINK_SLOT || slot >= NODE_SLOTS)
		return -1;
	c = &conns[slot];
	memset(c, 0, sizeof *c);
	c->r.hash = NODE_HASH_START;
	c->left = bytes;
	c->pcb = tcp_new();
	if (!c->pcb)
		return -1;
	tcp_arg(c->pcb, c);
	tcp_err(c->pcb, conn_error);
	tcp_sent(c->pcb, source_sent);
	tcp_recv(c->pcb, source_recv);
	if (tcp_connect(c->pcb, &to, port, source_connected) != ERR_OK)
		return -1;
	/* tcp_connect set lastack to the initial sequence number less one. */
	c->r.isn = c->pcb->lastack + 1;
	return 0;
}

void
node_tcp_result(int slot, struct node_tcp *r)
{
	static const struct node_tcp none;

	if (slot == NODE_SINK_SLOT)
		*r = last_sink ? last_sink->r : none;
	else
		*r = conns[slot].r;
}

void
node_tcp_forget(void)
{
	last_sink = NULL;
}

/* Connections not yet closed, or closing: TIME_WAIT ones are on another list. */
int
node_tcp_active(void)
{
	int n = 0;

	for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
		n++;
	return n;
}

uint32_t
node_isn(uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport)
{
	ip_addr_t l = IPADDR4_INIT(lwip_htonl(lip)), r = IPADDR4_INIT(lwip_htonl(rip));

	return isn_tcp(&l, lport, &r, rport);
}

/* Byte i of sock_rx's test stream. */
static uint8_t
rx_byte(uint32_t i)
{
	return (uint8_t)(i * 7 + (i >> 8));
}

/* A pbuf of the given type with bytes [from, from + len) of the stream. */
static struct pbuf *
rx_segment(uint32_t from, uint16_t len, pbuf_type type)
{
	struct pbuf *p = pbuf_alloc(PBUF_RAW, len, type);

	for (uint16_t i = 0; p && i < len; i++) {
		uint8_t b = rx_byte(from + i);
		pbuf_take_at(p, &b, 1, i);
	}
	return p;
}

static u16_t
pool_used(void)
{
	return lwip_stats.memp[MEMP_PBUF_POOL]->used;
}

/* Reads n bytes of the chain at *rx as a socket does, checking them against the stream from *at. */
static bool
rx_read(struct pbuf **rx, uint32_t *at, uint32_t n)
{
	uint8_t buf[1000];

	while (n > 0) {
		uint16_t k = (uint16_t)(n < sizeof buf ? n : sizeof buf);
		if (!*rx || (*rx)->tot_len < k || pbuf_copy_partial(*rx, buf, k, 0) != k)
			return false;
		for (uint16_t i = 0; i < k; i++)
			if (buf[i] != rx_byte(*at + i))
				return false;
		*rx = pbuf_free_header(*rx, k);
		*at += k;
		n -= k;
	}
	return true;
}

int
node_sock_rx_check(void)
{
	struct pbuf *rx = NULL, *p, *q;
	uint32_t in = 0, out = 0, n = 0;
	u16_t used0;

	init_once();
	used0 = pool_used();
	/* a lone pool pbuf is kept as it is */
	p = rx_segment(in, 100, PBUF_POOL);
	if (!p || !sock_rx_stream(&rx, p) || rx != p)
		return 1;
	in += 100;
	/* then 3,000 one-byte segments: copied, packed into chunks, their pool pbufs freed */
	for (int i = 0; i < 3000; i++, in++)
		if ((p = rx_segment(in, 1, PBUF_POOL)) == NULL || !sock_rx_stream(&rx, p))
			return 2;
	if (pool_used() != used0 + 1 || rx->tot_len != 3100)
		return 3;
	for (q = rx; q; q = q->next)
		n++;
	if (n > 1 + 3000 / 2048 + 1)	/* the first pbuf, and chunks of 2 KiB */
		return 4;
	/* read some (the first pbuf goes, a chunk is partly read), then full segments and heap ones */
	if (!rx_read(&rx, &out, 1234))
		return 5;
	for (int i = 0; i < 10; i++, in += 1460)
		if ((p = rx_segment(in, 1460, i & 1 ? PBUF_RAM : PBUF_POOL)) == NULL || !sock_rx_stream(&rx, p))
			return 6;
	/* the first pbuf was read, so the first full segment was kept as it is, and only it */
	if (pool_used() != used0 + 1 || !sock_rx_holds_lwip(rx))
		return 7;
	if (!rx_read(&rx, &out, in - out) || rx != NULL || pool_used() != used0)
		return 8;
	/* datagrams: a lone pool pbuf is kept, another is copied, a heap one too */
	p = rx_segment(0, 64, PBUF_POOL);
	if (!p || sock_rx_datagram(p, false) != p)
		return 9;
	q = sock_rx_datagram(rx_segment(0, 64, PBUF_POOL), true);
	if (!q || sock_rx_holds_lwip(q) || pool_used() != used0 + 1)
		return 10;
	out = 0;
	if (!rx_read(&q, &out, 64) || q != NULL)
		return 11;
	pbuf_free(p);
	q = sock_rx_datagram(rx_segment(0, 300, PBUF_RAM), false);
	out = 0;
	if (!q || sock_rx_holds_lwip(q) || !rx_read(&q, &out, 300) || pool_used() != used0)
		return 12;
	return 0;
}
