/*
 * lwIP's configuration for gns (and for the host tests that run the same
 * stack): the raw API only, no threads (NO_SYS: gns's message loop calls
 * lwIP and its timers), IPv4 with ARP, ICMP, UDP, TCP and the DHCP client.
 * Every option not named here keeps lwIP's default (its src/include/lwip/opt.h).
 */
#ifndef GNS_LWIPOPTS_H
#define GNS_LWIPOPTS_H

#define NO_SYS				1
#define SYS_LIGHTWEIGHT_PROT		0	/* one thread runs the stack */
#define LWIP_NETCONN			0
#define LWIP_SOCKET			0

#define LWIP_IPV4			1
#define LWIP_IPV6			0
#define LWIP_ARP			1
/*
 * lwIP's default of 10 entries thrashed in a cluster of 16: a node sends
 * heartbeats and the transport's datagrams to every peer it talks to, and
 * an evicted entry loses all but one datagram while ARP asks again (no
 * queueing), which a watcher saw as a silence (servers/gns/cluster.h).
 */
#define ARP_TABLE_SIZE			64
#define LWIP_ETHERNET			1
#define LWIP_ICMP			1
#define LWIP_RAW			1	/* ping from the node itself */
#define LWIP_UDP			1
#define LWIP_TCP			1
#define LWIP_DHCP			1	/* ip=dhcp on the boot line */
#define LWIP_DNS			0
#define LWIP_IGMP			0
#define LWIP_AUTOIP			0
#define LWIP_SINGLE_NETIF		0	/* one netif per NIC */
#define LWIP_NETIF_STATUS_CALLBACK	1
#define LWIP_NETIF_LINK_CALLBACK	1
/* Packets to the node's own addresses (and 127.0.0.1) loop inside lwIP, so that two
 * clients of one gns can talk TCP; gns's tick drains the queue (netif_poll_all). */
#define LWIP_NETIF_LOOPBACK		1
#define LWIP_HAVE_LOOPIF		1

/*
 * Memory: the heap (MEM_SIZE) holds outgoing data; the pool's pbufs hold
 * frames taken from the RX ring. Sized for a few connections streaming at
 * once with a 16-segment window each.
 */
/* A pointer's size: 4 in the guest, 8 for the host tests (lwIP's pools hold pointers). */
#if defined(__x86_64__)
#define MEM_ALIGNMENT			8
#else
#define MEM_ALIGNMENT			4
#endif
#define MEM_SIZE			(256 * 1024)
#define PBUF_POOL_SIZE			128
#define MEMP_NUM_PBUF			64
/*
 * Protocol control blocks: enough for every socket gns serves (SOCK_MAX, 64,
 * which sock.c checks against these), so that a client meets its quota
 * (GNS_CLIENT_SOCKETS) or gns's table, never lwIP's pools. A TCP socket is a
 * tcp_pcb (160 bytes here) from socket() on, or a listening one (32) once it
 * listens; a UDP socket a udp_pcb (32). TCP gets SOCK_MAX more for connections
 * that outlive their socket (closing: FIN_WAIT, LAST_ACK, TIME_WAIT; lwIP takes
 * back the oldest TIME_WAIT, LAST_ACK and CLOSING ones when short) and for
 * SYNs not accepted yet; UDP 4 more for lwIP's own (the DHCP client's).
 * 128 + 64 + 68 blocks: 20 KiB + 2 KiB + 2.2 KiB.
 */
#define MEMP_NUM_TCP_PCB		128
#define MEMP_NUM_TCP_PCB_LISTEN		64
#define MEMP_NUM_TCP_SEG		128
#define MEMP_NUM_UDP_PCB		68
#define TCP_MSS				1460
#define TCP_WND				(16 * TCP_MSS)
#define TCP_SND_BUF			(16 * TCP_MSS)
#define TCP_SND_QUEUELEN		64
#define TCP_QUEUE_OOSEQ			1
/*
 * A listener holds at most its backlog of half-open connections (SYN_RCVD);
 * syn_guard.c (LWIP_HOOK_TCP_INPACKET_PCB) makes a full backlog take a new
 * SYN in place of its oldest, and caps half-open ones at SYN_RCVD_MAX in all,
 * so that a SYN flood takes neither the listener nor lwIP's TCP records.
 */
#define TCP_LISTEN_BACKLOG		1
#define TCP_DEFAULT_LISTEN_BACKLOG	16	/* SOCK_BACKLOG_MAX: gns always says its own */
#define LWIP_TCP_TIMESTAMPS		0

/* The Internet checksum, a word at a time (chksum.c) instead of lwIP's two bytes. */
#include <stdint.h>
uint16_t gns_chksum(const void *data, int len);
#define LWIP_CHKSUM			gns_chksum
/*
 * Which checksums lwIP makes and checks, per netif: frame_netif.c leaves
 * TCP's to a driver that offers it (FRAME_FEAT_TX_CSUM),
 * and does not check again what the NIC found right (FRAME_RX_*).
 */
#define LWIP_CHECKSUM_CTRL_PER_NETIF	1
/*
 * ...which would also make lwIP sum each IPv4 header it sends by a call to
 * inet_chksum instead of as it fills the header in (ip4.c), some 150
 * instructions more a datagram: udp_rr_remote 50.9k -> 51.4k.
 */
#define LWIP_INLINE_IP_CHKSUM		1
/* Counters and memory in use: ifconfig's errors, gns_stats (a test's leak check). */
#define LWIP_STATS			1
#define LWIP_STATS_DISPLAY		0
#define MEM_STATS			1
#define MEMP_STATS			1
#define LWIP_NETIF_HOSTNAME		0

/*
 * Our hooks (lwip_hooks.h): RFC 6528 initial sequence numbers instead of
 * lwIP's counter, which an attacker could predict and use to inject data.
 */
#define LWIP_HOOK_FILENAME		"lwip_hooks.h"
#define LWIP_HOOK_TCP_ISN		isn_tcp
#define LWIP_HOOK_TCP_INPACKET_PCB	syn_guard
/* Frames of other EtherTypes go to the client that registered the type (gns.defs). */
#define LWIP_HOOK_UNKNOWN_ETH_PROTOCOL	ether_hook

#endif
