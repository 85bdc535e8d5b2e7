/*
 * libmsg's message helpers for servers and their clients: a request/reply
 * call with a timeout (msg_rpc, src/rpc.c) and the one server loop every
 * server runs (msg_server_run, src/serve.c), with notifications, timers,
 * deferred replies (src/defer.c) and a pool of threads. See libmsg/README.md
 * for a whole server.
 */
#ifndef MANIFOLD_MSG_H
#define MANIFOLD_MSG_H

#include <stdbool.h>
#include <mach/mach.h>
#include <manifold/cthread.h>

/*
 * Sends the request in buf (send_size bytes) to dest with a send-once reply
 * right on the calling thread's reply port (the one msgc's stubs use, so
 * threads never see each other's replies), and waits up to timeout_ms (0: for
 * ever) for the reply, received into buf (buf_size bytes). Returns mach_msg's
 * code; after a receive error such as MACH_RCV_TIMED_OUT that reply port is
 * destroyed (the next call makes a fresh one), so a late reply is dropped.
 */
mach_msg_return_t msg_rpc(mach_port_t dest, mach_msg_header_t *buf, mach_msg_size_t send_size,
			  mach_msg_size_t buf_size, mach_msg_timeout_t timeout_ms);

/*
 * Sleeps ms milliseconds, 0 for ever: a receive that times out on a port
 * nobody sends to (thread_switch only yields). libmsg/src/sleep.c.
 */
void msg_sleep_ms(uint32_t ms);

/* A msgc demultiplexer: NAME_server from NAME_server.h. */
typedef bool (*msg_demux_t)(mach_msg_header_t *in, mach_msg_header_t *out);
/* Called for a message no demux claims; owns its rights (mach_msg_destroy them). */
typedef void (*msg_other_t)(mach_msg_header_t *in);

#define MSG_DEFERRED_MAX 1024	/* requests one server may hold back at once (the Unix server: one a process) */
#define MSG_WAKE_KEYS	8	/* keys woken between two runs of the held requests; more: all go */

struct msg_deferred;

/*
 * What a server is: fill in the public fields (zero the rest) and call
 * msg_server_run. Every callback may be NULL.
 */
struct msg_server {
	mach_port_t port;		/* a port or a port set to receive on */
	const msg_demux_t *demuxes;	/* tried in order; must outlive the server */
	int ndemuxes;
	mach_msg_size_t max_request, max_reply;	/* NAME_REQUEST_MAX_SIZE, NAME_REPLY_MAX_SIZE */
	int nthreads;			/* the pool: 0 or 1 is the calling thread alone */

	/*
	 * Notifications. Dead-name and port-destroyed ones count only when they
	 * arrive on notify_port, where nobody but the kernel holds a right (the
	 * send-once rights of the server's own requests): any other is
	 * destroyed. dead_name gets the dead name; the loop then drops the
	 * reference the notification brought. port_destroyed gets the receive
	 * right, and owns it. no_senders gets the port whose senders are gone
	 * (its own request's port: a client can only say its own session is over).
	 * Send-once and port-deleted notifications need nothing and are dropped.
	 */
	mach_port_t notify_port;
	void (*dead_name)(mach_port_name_t name);
	void (*port_destroyed)(mach_port_t receive_right);
	void (*no_senders)(mach_port_t port);
	msg_other_t other;		/* anything else no demux claims; NULL: destroyed */
	/*
	 * Optional, asked first of every message, notifications too: true when it
	 * took the message and its rights (gns's proxy ports, whose messages are
	 * carried whole, whatever their id, to another node).
	 */
	bool (*claim)(mach_msg_header_t *in);

	/*
	 * A timer: called after every message and whenever the time it asked
	 * for has passed; returns the milliseconds until it wants to run again
	 * (0: only after the next message). With a pool it runs in any thread.
	 */
	uint32_t (*tick)(void);
	/*
	 * The loop's clock as it read it just before calling tick (microseconds
	 * since boot), so that a tick which wants the time need not trap for it
	 * again. Written by the loop; meaningful with one thread (nthreads 0 or 1).
	 */
	uint64_t tick_now_us;
	/*
	 * The tick's time counts from the loop's last message, not by the clock:
	 * the tick runs after every message, and when no message came for the
	 * milliseconds it last asked (or a held request's, if sooner: early,
	 * never late). The loop then reads no clock (a trap of about 330
	 * instructions a turn) and tick_now_us stays 0: for a watchdog, as a
	 * driver's, not for timers that must fire while messages keep coming.
	 */
	bool tick_untimed;
	/*
	 * The tick may run before the reply to the message it follows is sent:
	 * that reply (a send-once right's) then goes with the loop's next
	 * receive, one trap for both, as do replies to held requests served
	 * again. For a server whose tick sends nothing a client must see after
	 * its reply (gns: frames, datagrams between nodes).
	 */
	bool reply_after_tick;
	/*
	 * With reply_after_tick: a held request served again while the turn's own
	 * reply waits for the receive is answered at once, alone, and the turn's
	 * reply still goes with the receive, last. The kernel then runs that
	 * reply's client first: the unix server's writer goes on before the read
	 * it woke, as on Linux (the next read of that writer is then held before
	 * the woken reader writes back).
	 */
	bool held_replies_first;
	/* msg_server_run returns once this is true (checked after each message and tick). */
	volatile bool stop;
	/*
	 * Receive every message with its sender trailer, so that handlers can ask
	 * who sent (msg_request_sender): a pager believing only the kernel, a
	 * server counting per client.
	 */
	bool sender_ids;

	/* the loop's own */
	struct cthread_mutex lock;
	struct msg_deferred *deferred;	/* [lock] held-back requests, oldest first */
	struct msg_deferred *spare_held;	/* [A] a served held request's buffer, for the next hold */
	int ndeferred;			/* [lock] */
	bool retry;			/* [lock] a wake came since the last run (msg_retry_*) */
	bool retry_all;			/* [lock] ...msg_retry_deferred's, or too many keys: all go */
	int nwake;			/* [lock] keys msg_retry_key woke since the last run */
	const void *wake[MSG_WAKE_KEYS];	/* [lock] ...which */
};

/*
 * Serves s until s->stop or a receive error: each request goes to the first
 * demux that knows its id; the reply is sent unless the request was a
 * simpleroutine or the handler said MIG_NO_REPLY; a refused request's rights
 * are released; notifications go to their callbacks. With nthreads > 1 the
 * calling thread and nthreads - 1 cthreads receive at once, each with its own
 * buffers and reply port (handlers must then lock what they share). Returns
 * MACH_MSG_SUCCESS after stop, else the receive error.
 */
mach_msg_return_t msg_server_run(struct msg_server *s);

/*
 * From a handler or the tick, in the loop's thread: msg goes with the loop's
 * next receive, one trap for both (alone just before it if a reply takes that
 * receive), with a send timeout of 0; a failure loses it. Only a one-way copy
 * of a send right (COPY_SEND destination, no reply port, not complex: a
 * doorbell, as gns's frame_kick) may wait so, one at a time; false then
 * (another waits, not a loop's thread) and where a reply would take that
 * receive (the request being served has a reply port, or a reply waits
 * already): the caller sends it itself.
 */
bool msg_send_with_receive(const mach_msg_header_t *msg);

/*
 * The same for a message that moves a send-once right (MOVE_SEND_ONCE
 * destination, no reply port, not complex: gns's delivery of a remote
 * RPC's reply), which no full queue refuses: only its destination's death
 * (or a lack of kernel memory) can. Then failed(msg, error, arg) is called,
 * from the loop, with the message as it was, whose right is still the
 * caller's to release. false as for msg_send_with_receive.
 */
bool msg_send_once_with_receive(const mach_msg_header_t *msg,
				void (*failed)(mach_msg_header_t *msg, mach_msg_return_t mr, void *arg), void *arg);

/*
 * Deferred replies, from inside a handler: keep the request being served and
 * answer later. The handler calls msg_defer(timeout_ms) (0: no deadline) and
 * returns MIG_NO_REPLY at once, having kept nothing of the request. After
 * msg_retry_deferred() the held requests go through their demux again, in
 * the order they came; when a deadline passes the request goes through once
 * more with msg_deferred_expired() true, and the handler answers with its
 * timeout error. msg_defer is false when MSG_DEFERRED_MAX are held (answer
 * KERN_RESOURCE_SHORTAGE). A request served again keeps its first deadline.
 *
 * Keyed: msg_defer_on(timeout_ms, key) holds the request until
 * msg_retry_key(s, key) (or msg_retry_deferred, or its deadline); the key
 * is whatever the request waits for (gns: a socket, or the client whose
 * TCP room it waits for). A wake then serves again only the requests held
 * on that key, and those held with no key (msg_defer, key NULL), which go
 * again at every wake, keyed or not. Keys woken while a request is being
 * served again count for the next run, as msg_retry_deferred does.
 */
bool msg_defer(uint32_t timeout_ms);
bool msg_defer_on(uint32_t timeout_ms, const void *key);
bool msg_deferred_expired(void);
void msg_retry_deferred(struct msg_server *s);
void msg_retry_key(struct msg_server *s, const void *key);
/* Destroys the held requests that came through port (a session that ended). */
void msg_deferred_cancel(struct msg_server *s, mach_port_t port);
/* How many requests that came through port are held (a server's quota per client). */
int msg_deferred_count(struct msg_server *s, mach_port_t port);
/*
 * Takes out the oldest request held that came through port, for the caller
 * to answer now itself rather than have it served again (the unix server: a
 * pipe's write answers the read that waits for it). The caller owns its
 * rights (the reply right is msgh_remote_port) and gives the message back
 * with msg_deferred_free. NULL when none is held. From a thread of the loop
 * (a handler), as the held requests are served by it.
 */
mach_msg_header_t *msg_deferred_take(struct msg_server *s, mach_port_t port);
void msg_deferred_free(struct msg_server *s, mach_msg_header_t *m);

/*
 * The sending task's id (trap_task_self_id's number; 0: the kernel's own
 * messages), as the kernel wrote it into the sender trailer of the request
 * being served. False outside a handler, or when the server did not ask
 * (sender_ids). A deferred request keeps its sender for its replays.
 */
bool msg_request_sender(uint32_t *task_id);
/* The same from a message received with MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SENDER). */
bool msg_trailer_sender(const mach_msg_header_t *in, uint32_t *task_id);

/* The shapes every server had before struct msg_server; they call msg_server_run. */
mach_msg_return_t msg_serve(mach_port_t port, const msg_demux_t *demuxes, int n, msg_other_t other,
			    mach_msg_size_t max_request, mach_msg_size_t max_reply);
mach_msg_return_t msg_serve_threads(mach_port_t port, const msg_demux_t *demuxes, int n, msg_other_t other,
				    mach_msg_size_t max_request, mach_msg_size_t max_reply, int nthreads);

/*
 * A service port that survives its server (servers/README.md, restarts):
 * asks the bootstrap (through the name server, or directly when the bootstrap
 * port is the bootstrap's own) for the receive right it keeps for this task,
 * and has it registered under path (NULL: not registered). The first time,
 * the bootstrap makes the port; after a restart the same port comes back with
 * the requests its clients queued meanwhile. Returns MACH_PORT_NULL when no
 * bootstrap keeps ports for us (a test boot): the caller makes its own.
 */
mach_port_t msg_service_checkin(const char *path);

/*
 * A driver's send right to the device master port (device.defs), from the
 * bootstrap, which gives it only to modules whose line says `driver`
 * (servers/README.md). Errors: bootstrap_device_port's, and
 * KERN_INVALID_NAME when no bootstrap can be found.
 */
kern_return_t msg_device_port(mach_port_t *device);

/*
 * A send right to the calendar clock's control port (clock_priv.defs: the
 * right to set the time of day), from the bootstrap, which gives it only to
 * modules whose line says `clock` (servers/README.md). Errors:
 * bootstrap_clock_control's, and KERN_INVALID_NAME when no bootstrap can be
 * found.
 */
kern_return_t msg_clock_control(mach_port_t *clock_ctrl);

#endif
