/*
 * One lwIP node for the host tests (node.c): a whole stack with one
 * frame_netif and the small applications the tests drive. node.c is linked
 * with its own copy of lwIP and the port into one object, and the Makefile
 * makes two copies of that object whose symbols carry a prefix (a_, b_), so
 * that one process holds two independent stacks. NODE_API lists the calls;
 * test_lwip_pair.c declares them for each prefix.
 */
#ifndef NODE_H
#define NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct node_tcp {
	uint32_t bytes;		/* sent (source) or received (sink) */
	uint32_t hash;		/* FNV-1a of those bytes */
	uint32_t isn;		/* the source's initial sequence number */
	bool fin;		/* sink: the peer closed; source: all sent and closed */
	bool error;		/* lwIP reported an error on the connection */
};

struct node_counts {
	uint32_t rx_frames, tx_frames, rx_dropped, tx_dropped, tx_resumed, tx_queued, kicks;
	bool broken, link_up;
};

/* X(return type, name, parameters) for every call a test makes on a node. */
#define NODE_API(X)									\
	X(int, node_start, (void *region, size_t size, const uint8_t mac[6], uint32_t ip))	\
	X(int, node_poll, (void))								\
	X(bool, node_may_sleep, (void))								\
	X(void, node_counts, (struct node_counts *c))						\
	X(bool, node_arp_lookup, (uint32_t ip, uint8_t mac[6]))					\
	X(int, node_ping, (uint32_t ip, uint16_t seq))						\
	X(int, node_ping_replies, (void))							\
	X(int, node_udp_echo, (uint16_t port))							\
	X(int, node_udp_send, (uint32_t ip, uint16_t port, const void *data, uint16_t len))	\
	X(int, node_udp_reply, (void *buf, size_t size))					\
	X(int, node_tcp_sink, (uint16_t port))							\
	X(int, node_tcp_source, (int slot, uint32_t ip, uint16_t port, uint32_t bytes))		\
	X(void, node_tcp_result, (int slot, struct node_tcp *r))				\
	X(void, node_tcp_forget, (void))							\
	X(int, node_tcp_active, (void))								\
	X(uint32_t, node_isn, (uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport))	\
	X(int, node_sock_rx_check, (void))							\
	X(void, node_direct_start, (uint16_t port))						\
	X(bool, node_direct_send, (uint32_t ip, const void *data, size_t len, uint64_t now))	\
	X(int, node_direct_got, (void *buf, size_t size, uint32_t *src))

#define NODE_HASH_START 2166136261u

/* FNV-1a, to compare a stream's two ends. */
static inline uint32_t
node_hash(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* The source's byte at offset: not periodic in any small power of two. */
static inline uint8_t
node_pattern(uint32_t offset)
{
	return (uint8_t)(offset * 2654435761u >> 13);
}
#define NODE_SINK_SLOT 0	/* node_tcp_result's slot of the sink's last connection */
#define NODE_SLOTS 4

#endif
