/*
 * What both sides of make bench's remote rows agree on (manifold.c, linux.c;
 * tools/bench/remote.sh runs them, two nodes of one system on a vde LAN).
 *
 * udp_rr_remote: the client sends RR_SIZE-byte datagrams to the server's
 * RR_PORT and waits for each to come back (blocking calls). The first byte
 * says what a datagram is: warm-up, measured, or the end (the server then
 * reports). tcp_bulk_remote: the sender connects to BULK_PORT, sends
 * BULK_WARMUP bytes, waits for the receiver's one-byte go, sends the
 * measured bytes, and waits for the receiver's one-byte done.
 *
 * Each node prints `NODE <row> <role> <busy instructions> <count>`: what its
 * CPU executed during its span, idle left out, and how many round trips or
 * bytes the span held. remote.sh sums and divides.
 */
#ifndef BENCH_REMOTE_H
#define BENCH_REMOTE_H

#define RR_PORT		7200
#define RR_SIZE		64
#define RR_WARMUP	200
#define RR_WARM		'w'
#define RR_MEASURED	'm'
#define RR_END		'e'
#define RR_WAIT_MS	5000	/* a round trip that long is lost: the run fails */

#define BULK_PORT	7201
#define BULK_CHUNK	65536	/* bytes per send or receive call */
#define BULK_WARMUP	(1024 * 1024)

/*
 * null_rpc_remote (Manifold only: Linux has no Mach RPC; its column is
 * udp_rr_remote): node 2 registers a port as RPC_NAME, node 1 finds it through
 * ns (which asks gns: a proxy) and makes RPCs with empty messages, a
 * send-once reply right each, through both gns's and the encrypted transport.
 */
#define RPC_NAME	"/cluster/netbench"
#define RPC_WARMUP	200
#define RPC_WARM	7001	/* message ids; the reply's is the request's + 100 */
#define RPC_MEASURED	7002
#define RPC_END		7003
/*
 * ool_1m_remote (Manifold only; its Linux column is tcp_bulk_remote's, as issue
 * 14 compares them): after the RPCs, the client sends OOL_WARMUP and then
 * BYTES / OOL_BYTES (at least one) requests to the same port, each with
 * OOL_BYTES of out-of-line memory (the payload pattern, copied); the server
 * sums every word (payload_sum), lets the region go and answers with the sum,
 * which the client checks. OOL_END says the run is over.
 */
#define OOL_BYTES	(1024 * 1024)
#define OOL_WARMUP	1
#define OOL_WARM	7011
#define OOL_MEASURED	7012
#define OOL_END		7013
#define OOL_WAIT_MS	60000	/* a megabyte through the transport under TCG: seconds, not a minute */
#define BENCH_KEY	"62656e6368206b65792c207075626c69632c20666f72206d6561737572696e67"

#ifndef SERVER_IP	/* the bench's LAN; another for a trial on one host (-DSERVER_IP=...) */
#define SERVER_IP	"10.77.0.2"
#endif
#endif
