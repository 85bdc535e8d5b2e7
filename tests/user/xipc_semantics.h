/*
 * Cluster-wide Mach semantics for the xipc suite, included by xipctest.c:
 * the keeper (node 1's `serve` role runs it) makes ports on request and
 * watches what the kernel tells their receiver; the client (node 2) holds
 * rights to them through proxies and checks that no-senders, dead names,
 * send-once and port-deleted notifications cross nodes as on one node.
 *
 *   KEEP_NEW      a new port P with a no-senders request; the reply moves a
 *                 send right (slot 1: the keeper keeps one of its own too;
 *                 slot 2: no request, and P waits out of the keeper's port set
 *                 for KEEP_MOVE)
 *   KEEP_ONCE     a new port Q; the reply carries a send-once right to it
 *   KEEP_STATUS   a slot's counts: messages, no-senders, send-once notifications
 *   KEEP_LETGO    the keeper's own send right of a slot goes
 *   KEEP_DESTROY  the slot's receive right is destroyed
 *   KEEP_DISCARD  the request's port descriptor (a send-once right) is destroyed unused
 *   KEEP_ARRAY    the request's out-of-line array of send rights comes back
 *                 as it came, in the answer
 *   KEEP_DRAIN    the keeper reads the slot's port (slot 2: nobody read it):
 *                 how many numbered messages came, how many out of order
 *   KEEP_DRAIN_LATER  the same, answered at once, reading once our gns paused
 *                 a sender (or PAUSE_WAIT_MS later)
 *   KEEP_MOVE     the slot's receive right moves to the caller, between the
 *                 keeper's own numbered messages to the port (MOVE_EACH before
 *                 the move, MOVE_EACH after it)
 *
 * The relay (node 3) takes part through RELAY_HOLD and RELAY_LETGO: it keeps
 * a send right node 2 passes it, then lets it go.
 */
#define KEEP_NEW 9200
#define KEEP_ONCE 9201
#define KEEP_STATUS 9202
#define KEEP_LETGO 9203
#define KEEP_DESTROY 9204
#define KEEP_DISCARD 9205
#define KEEP_MOVE 9206
#define KEEP_DRAIN 9207
#define KEEP_ARRAY 9208
#define KEEP_DRAIN_LATER 9209
#define PAUSE_WAIT_MS 20000	/* the fill case's drain starts at the home's pause, or after this */
#define FILL_COUNT 100		/* messages sent at a queue of 16 nobody reads until its gns paused us: over 16 + HOLD_PAUSE 32,
				   so the pause comes whatever the timing; under HOLD_MAX 512, so nothing can be lost */
#define MOVE_EACH 5		/* each sender's messages before and after the move: 4 x 5 fit a queue of 16 and the forwarding */
#define MOVE_KEEPER_ID 5000	/* the keeper's numbered messages: 5000 + n */
#define MOVE_CLIENT_ID 6000	/* the client's: 6000 + n */
#define RELAY_HOLD 9110
#define RELAY_LETGO 9111
#define RELAY_SEND 9112		/* the relay sends MOVE_EACH numbered messages (RELAY_ID + n) with the right it holds */
#define RELAY_WHERE 9113	/* the relay answers the home node of the identity its held right stands for */
#define RELAY_ID 7000
#define KEEP_SLOTS 16
#define KEEP_WAIT_MS 5000	/* how long a notification may take to cross */

struct keep_req {
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_port_descriptor_t right;	/* KEEP_DISCARD, RELAY_HOLD only */
	int32_t slot;				/* KEEP_NEW: 1 = keep a local send right too */
};
struct keep_reply {
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_port_descriptor_t right;	/* KEEP_NEW, KEEP_ONCE */
	int32_t slot, msgs, no_senders, send_once, disorder;
	int32_t paused;		/* KEEP_DRAIN_LATER: senders our gns paused before the drain began */
	int32_t forwarders;	/* ports our gns still forwards to their new homes (XIPC_STAT_FORWARDERS) */
	int32_t moved_no_senders;	/* no-senders notifications of slot 3 ports, which moved away */
};

static struct {
	mach_port_t port;	/* MACH_PORT_NULL: free */
	bool local_send;
	int msgs, no_senders, send_once, paused;
} keep[KEEP_SLOTS];

static int moved_no_senders;

/* One of our own gns's counters (XIPC_STAT_*), 0 if it cannot say. */
static uint32_t
gns_stat(int which)
{
	uint32_t words[XIPC_STAT_WORDS];
	mach_msg_type_number_t n = XIPC_STAT_WORDS;

	if (xipc_stats(gns, words, &n) != KERN_SUCCESS || n < XIPC_STAT_WORDS)
		return 0;
	return words[which];
}

static int
keep_slot(mach_port_t port)
{
	for (int i = 0; i < KEEP_SLOTS; i++)
		if (keep[i].port == port && MACH_PORT_VALID(port))
			return i;
	return -1;
}

static void
keep_answer(const mach_msg_header_t *req, int slot, mach_port_t right, mach_msg_type_name_t type)
{
	struct keep_reply r;

	memset(&r, 0, sizeof r);
	r.h.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(req->msgh_bits), 0) | MACH_MSGH_BITS_COMPLEX;
	r.h.msgh_size = sizeof r;
	r.h.msgh_remote_port = req->msgh_remote_port;
	r.h.msgh_id = req->msgh_id + 100;
	r.body.msgh_descriptor_count = 1;
	r.right.type = MACH_MSG_PORT_DESCRIPTOR;
	r.right.name = right;
	r.right.disposition = MACH_PORT_VALID(right) ? (uint8_t)type : MACH_MSG_TYPE_COPY_SEND;
	r.slot = slot;
	if (slot >= 0 && slot < KEEP_SLOTS) {
		r.msgs = keep[slot].msgs;
		r.no_senders = keep[slot].no_senders;
		r.send_once = keep[slot].send_once;
		r.paused = keep[slot].paused;
	}
	r.forwarders = (int32_t)gns_stat(XIPC_STAT_FORWARDERS);
	r.moved_no_senders = moved_no_senders;
	mach_msg(&r.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof r, 0, MACH_PORT_NULL, 2000, MACH_PORT_NULL);
}

static void
keep_send(mach_port_t to, int id)
{
	mach_msg_header_t m = {0};

	m.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.msgh_size = sizeof m;
	m.msgh_remote_port = to;
	m.msgh_id = id;
	if (mach_msg(&m, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL, 10000, MACH_PORT_NULL) !=
	    MACH_MSG_SUCCESS)
		printf("xipctest: keeper: message %d not sent\n", id);
}

/*
 * The slot's receive right moves to the caller while we keep sending to it:
 * MOVE_EACH messages queued before, MOVE_EACH sent after (they wait in the
 * port at gns until the new home is known, then follow).
 */
static void
keep_move(const mach_msg_header_t *req, int slot)
{
	mach_port_t port = keep[slot].port;

	if (!keep[slot].local_send)
		mach_port_insert_right(ME, port, port, MACH_MSG_TYPE_MAKE_SEND);
	for (int i = 0; i < MOVE_EACH; i++)
		keep_send(port, MOVE_KEEPER_ID + i);
	keep[slot].port = MACH_PORT_NULL;
	keep_answer(req, slot, port, MACH_MSG_TYPE_MOVE_RECEIVE);
	for (int i = MOVE_EACH; i < 2 * MOVE_EACH; i++)
		keep_send(port, MOVE_KEEPER_ID + i);
	mach_port_deallocate(ME, port);	/* our send right: the port is the caller's now */
}

/* KEEP_ARRAY: the request's array of send rights moves into the answer (the request keeps none). */
static void
keep_array(mach_msg_header_t *h)
{
	struct keep_req *req = (struct keep_req *)h;
	mach_msg_ool_ports_descriptor_t *a = (mach_msg_ool_ports_descriptor_t *)&req->right;
	struct keep_reply r;

	if (h->msgh_size < sizeof *req || !(h->msgh_bits & MACH_MSGH_BITS_COMPLEX) ||
	    req->body.msgh_descriptor_count != 1 || a->type != MACH_MSG_OOL_PORTS_DESCRIPTOR) {
		keep_answer(h, -1, MACH_PORT_NULL, 0);
		return;
	}
	memset(&r, 0, sizeof r);
	r.h.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(h->msgh_bits), 0) | MACH_MSGH_BITS_COMPLEX;
	r.h.msgh_size = sizeof r;
	r.h.msgh_remote_port = h->msgh_remote_port;
	r.h.msgh_id = KEEP_ARRAY + 100;
	r.body.msgh_descriptor_count = 1;
	*(mach_msg_ool_ports_descriptor_t *)&r.right = *a;
	((mach_msg_ool_ports_descriptor_t *)&r.right)->disposition = MACH_MSG_TYPE_MOVE_SEND;
	((mach_msg_ool_ports_descriptor_t *)&r.right)->deallocate = 1;
	r.slot = (int32_t)a->count;
	if (mach_msg(&r.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof r, 0, MACH_PORT_NULL, 2000, MACH_PORT_NULL) ==
	    MACH_MSG_SUCCESS)
		req->body.msgh_descriptor_count = 0;	/* moved: nothing of it to destroy */
	printf("xipctest: keeper: an array of %u rights sent back\n", (unsigned)a->count);
}

/*
 * Reads the slot's port until it is quiet for a second: the messages
 * counted, each expected in order. KEEP_DRAIN_LATER answers first and starts
 * reading only once our own gns has paused a sender (its senders_paused
 * counter grew: what the fill case is about), or after PAUSE_WAIT_MS; how
 * many pauses it saw is answered later (KEEP_STATUS's `paused`).
 */
static void
keep_drain(const mach_msg_header_t *req, int slot)
{
	bool later = req->msgh_id == KEEP_DRAIN_LATER;

	struct {
		mach_msg_header_t h;
		uint8_t room[128];
	} m;
	int disorder = 0;

	keep[slot].msgs = 0;
	keep[slot].send_once = -1;	/* not drained yet */
	keep[slot].paused = 0;
	if (later) {
		uint32_t before = gns_stat(XIPC_STAT_PAUSES), t0 = (uint32_t)now_ms();
		keep_answer(req, slot, MACH_PORT_NULL, 0);
		while (gns_stat(XIPC_STAT_PAUSES) == before && (uint32_t)now_ms() - t0 < PAUSE_WAIT_MS)
			msg_sleep_ms(5);
		keep[slot].paused = (int)(gns_stat(XIPC_STAT_PAUSES) - before);
		printf("xipctest: keeper: draining after %u ms, %d senders paused by our gns\n",
		       (unsigned)((uint32_t)now_ms() - t0), keep[slot].paused);
	}
	while (mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, keep[slot].port, 1000, MACH_PORT_NULL) ==
	       MACH_MSG_SUCCESS) {
		disorder += m.h.msgh_id != MOVE_CLIENT_ID + keep[slot].msgs;
		keep[slot].msgs++;
		mach_msg_destroy(&m.h);
	}
	printf("xipctest: keeper: drained %d messages, %d out of order\n", keep[slot].msgs, disorder);
	keep[slot].send_once = disorder;	/* (answered in that field) */
	if (!later)
		keep_answer(req, slot, MACH_PORT_NULL, 0);
}

/* Node 1: serves /cluster/keeper for ever. */
static void
keeper(void)
{
	mach_port_t set, service, reg, prev;
	union {
		struct keep_req req;
		uint8_t room[1024];
	} in;

	mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &set);
	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &service);
	mach_port_move_member(ME, service, set);
	mach_port_insert_right(ME, service, service, MACH_MSG_TYPE_MAKE_SEND);
	if (ns_register(ns, "/cluster/keeper", service, &reg) != KERN_SUCCESS)
		printf("xipctest: cannot register /cluster/keeper\n");
	for (;;) {
		mach_msg_header_t *h = &in.req.h;
		int slot;

		if (mach_msg(h, MACH_RCV_MSG | MACH_RCV_LARGE, 0, sizeof in, set, 0, MACH_PORT_NULL) != MACH_MSG_SUCCESS)
			continue;
		if ((slot = keep_slot(h->msgh_local_port)) >= 0) {
			/* something came to a kept port: a message or its receiver's notification */
			if (h->msgh_id == MACH_NOTIFY_NO_SENDERS)
				keep[slot].no_senders++;
			else if (h->msgh_id == MACH_NOTIFY_SEND_ONCE)
				keep[slot].send_once++;
			else
				keep[slot].msgs++;
			printf("xipctest: keeper: slot %d got id %d\n", slot, h->msgh_id);
			mach_msg_destroy(h);
			continue;
		}
		if (keep_big(h))
			continue;
		if (h->msgh_local_port == service && h->msgh_id == MACH_NOTIFY_NO_SENDERS) {
			/* the request of a slot 3 port, which moved away with it */
			moved_no_senders++;
			printf("xipctest: keeper: no-senders of a port that moved away\n");
			mach_msg_destroy(h);
			continue;
		}
		slot = h->msgh_size >= sizeof in.req ? in.req.slot : -1;
		switch (h->msgh_id) {
		case KEEP_NEW:
		case KEEP_ONCE: {
			int i;
			for (i = 0; i < KEEP_SLOTS && keep[i].port != MACH_PORT_NULL; i++)
				;
			if (i == KEEP_SLOTS) {
				keep_answer(h, -1, MACH_PORT_NULL, 0);
				break;
			}
			memset(&keep[i], 0, sizeof keep[i]);
			mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &keep[i].port);
			mach_port_set_qlimit(ME, keep[i].port, MACH_PORT_QLIMIT_MAX);
			/* slot 2: a port to move, whose messages wait in its queue for its next receiver;
			 * slot 3: the same, with a no-senders request whose notification comes to the service port */
			if (slot != 2 && slot != 3)
				mach_port_move_member(ME, keep[i].port, set);
			if (h->msgh_id == KEEP_NEW && slot == 3)
				mach_port_request_notification(ME, keep[i].port, MACH_NOTIFY_NO_SENDERS, 1, service,
							       MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
			if (h->msgh_id == KEEP_NEW && slot != 2 && slot != 3) {
				mach_port_request_notification(ME, keep[i].port, MACH_NOTIFY_NO_SENDERS, 1, keep[i].port,
							       MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
				if (slot == 1) {
					mach_port_insert_right(ME, keep[i].port, keep[i].port, MACH_MSG_TYPE_MAKE_SEND);
					keep[i].local_send = true;
				}
			}
			keep_answer(h, i, keep[i].port,
				    h->msgh_id == KEEP_NEW ? MACH_MSG_TYPE_MAKE_SEND : MACH_MSG_TYPE_MAKE_SEND_ONCE);
			break;
		}
		case KEEP_STATUS:
			keep_answer(h, slot, MACH_PORT_NULL, 0);
			break;
		case KEEP_LETGO:
			if (slot >= 0 && slot < KEEP_SLOTS && keep[slot].local_send) {
				keep[slot].local_send = false;
				mach_port_mod_refs(ME, keep[slot].port, MACH_PORT_RIGHT_SEND, -1);
			}
			keep_answer(h, slot, MACH_PORT_NULL, 0);
			break;
		case KEEP_DESTROY:
			if (slot >= 0 && slot < KEEP_SLOTS && keep[slot].port) {
				mach_port_destroy(ME, keep[slot].port);
				keep[slot].port = MACH_PORT_NULL;
			}
			keep_answer(h, slot, MACH_PORT_NULL, 0);
			break;
		case KEEP_DISCARD:
			/* the send-once right in the request is destroyed unused (below): its receiver must hear */
			keep_answer(h, slot, MACH_PORT_NULL, 0);
			break;
		case KEEP_ARRAY:
			keep_array(h);
			break;
		case KEEP_DRAIN:
		case KEEP_DRAIN_LATER:
			if (slot < 0 || slot >= KEEP_SLOTS || !keep[slot].port) {
				keep_answer(h, -1, MACH_PORT_NULL, 0);
				break;
			}
			keep_drain(h, slot);
			break;
		case KEEP_MOVE:
			if (slot < 0 || slot >= KEEP_SLOTS || !keep[slot].port) {
				keep_answer(h, -1, MACH_PORT_NULL, 0);
				break;
			}
			keep_move(h, slot);
			break;
		default:
			break;
		}
		if (h->msgh_id >= KEEP_NEW && h->msgh_id <= KEEP_DRAIN_LATER) {
			h->msgh_remote_port = MACH_PORT_NULL;	/* the reply right went with the answer */
			h->msgh_bits &= ~(mach_msg_bits_t)MACH_MSGH_BITS_REMOTE_MASK;
		}
		mach_msg_destroy(h);
	}
}

/* An RPC to the keeper (or the relay): slot in, the reply out. */
static kern_return_t
keep_call(mach_port_t to, int id, int slot, mach_port_t right, mach_msg_type_name_t type, struct keep_reply *out)
{
	mach_port_t reply;
	union {
		struct keep_req req;
		struct keep_reply rep;
		uint8_t room[512];
	} m;
	kern_return_t kr;

	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &reply);
	memset(&m, 0, sizeof m);
	m.req.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) | MACH_MSGH_BITS_COMPLEX;
	m.req.h.msgh_size = sizeof m.req;
	m.req.h.msgh_remote_port = to;
	m.req.h.msgh_local_port = reply;
	m.req.h.msgh_id = id;
	m.req.body.msgh_descriptor_count = 1;
	m.req.right.type = MACH_MSG_PORT_DESCRIPTOR;
	m.req.right.name = right;
	m.req.right.disposition = MACH_PORT_VALID(right) ? (uint8_t)type : MACH_MSG_TYPE_COPY_SEND;
	m.req.slot = slot;
	kr = mach_msg(&m.req.h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof m.req, sizeof m, reply, 10000,
		      MACH_PORT_NULL);
	if (kr == KERN_SUCCESS && (m.rep.h.msgh_id != id + 100 || m.rep.h.msgh_size < sizeof m.rep)) {
		mach_msg_destroy(&m.rep.h);
		kr = KERN_FAILURE;
	}
	if (kr == KERN_SUCCESS)
		*out = m.rep;
	mach_port_destroy(ME, reply);
	return kr;
}

/* Asks the keeper about slot until pick(reply) is at least want, or KEEP_WAIT_MS passed: the last count. */
static int
keep_wait(mach_port_t keeper_port, int slot, int offset, int want, int wait_ms)
{
	uint64_t until = now_ms() + (uint64_t)wait_ms;
	struct keep_reply r;
	int got = -1;

	do {
		if (keep_call(keeper_port, KEEP_STATUS, slot, MACH_PORT_NULL, 0, &r) == KERN_SUCCESS)
			got = *(int32_t *)((uint8_t *)&r + offset);
		if (got >= want)
			break;
		msg_sleep_ms(100);
	} while (now_ms() < until);
	return got;
}

#define NO_SENDERS offsetof(struct keep_reply, no_senders)
#define SEND_ONCE offsetof(struct keep_reply, send_once)
#define MSGS offsetof(struct keep_reply, msgs)

static kern_return_t
send_empty_typed(mach_port_t to, mach_msg_type_name_t type, int id)
{
	mach_msg_header_t h = {0};

	h.msgh_bits = MACH_MSGH_BITS(type, 0);
	h.msgh_size = sizeof h;
	h.msgh_remote_port = to;
	h.msgh_id = id;
	return mach_msg(&h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof h, 0, MACH_PORT_NULL, 2000, MACH_PORT_NULL);
}

static kern_return_t
send_empty(mach_port_t to, mach_msg_type_name_t type)
{
	return send_empty_typed(to, type, 4343);
}

static void
send_empty_id(mach_port_t to, int id)
{
	if (send_empty_typed(to, MACH_MSG_TYPE_COPY_SEND, id) != MACH_MSG_SUCCESS)
		printf("xipctest: message %d not sent\n", id);
}

/*
 * A receive right moves from node 1 to us while two senders keep sending to
 * it: the keeper on node 1 (a local sender there) and we ourselves through
 * our proxy of its old identity, before and after the move. Every message
 * must come to the right we now hold, each sender's in order.
 */
static void
move_case(mach_port_t keeper_port)
{
	struct keep_reply r;
	mach_port_t old = MACH_PORT_NULL, moved = MACH_PORT_NULL;
	mach_port_type_t type = 0;
	int next_keeper = 0, next_client = 0, total = 0, disorder = 0;
	kern_return_t kr;
	char why[200];
	struct {
		mach_msg_header_t h;
		uint8_t room[128];
	} m;

	kr = keep_call(keeper_port, KEEP_NEW, 2, MACH_PORT_NULL, 0, &r);
	if (kr == KERN_SUCCESS) {
		old = r.right.name;
		for (int i = 0; i < MOVE_EACH; i++)
			send_empty_id(old, MOVE_CLIENT_ID + i);
		kr = keep_call(keeper_port, KEEP_MOVE, r.slot, MACH_PORT_NULL, 0, &r);
	}
	if (kr == KERN_SUCCESS) {
		moved = r.right.name;
		mach_port_type(ME, moved, &type);
		for (int i = MOVE_EACH; i < 2 * MOVE_EACH; i++)
			send_empty_id(old, MOVE_CLIENT_ID + i);
	}
	while (kr == KERN_SUCCESS && total < 4 * MOVE_EACH &&
	       mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, moved, KEEP_WAIT_MS, MACH_PORT_NULL) ==
		       MACH_MSG_SUCCESS) {
		int id = m.h.msgh_id;
		if (id >= MOVE_KEEPER_ID && id < MOVE_KEEPER_ID + 2 * MOVE_EACH)
			disorder += id != MOVE_KEEPER_ID + next_keeper++;
		else if (id >= MOVE_CLIENT_ID && id < MOVE_CLIENT_ID + 2 * MOVE_EACH)
			disorder += id != MOVE_CLIENT_ID + next_client++;
		else
			disorder++;
		total++;
		mach_msg_destroy(&m.h);
	}
	snprintf(why, sizeof why, "kr %#x, a receive right %d, %d messages (keeper's %d, ours %d), %d out of order",
		 kr, (type & MACH_PORT_TYPE_RECEIVE) != 0, total, next_keeper, next_client, disorder);
	printf("xipctest: moved receive right: %s\n", why);
	check("a_receive_right_moves_here_while_both_nodes_keep_sending_nothing_lost_in_order",
	      kr == KERN_SUCCESS && (type & MACH_PORT_TYPE_RECEIVE) && total == 4 * MOVE_EACH && disorder == 0, why);
	if (MACH_PORT_VALID(old))
		mach_port_deallocate(ME, old);
	if (MACH_PORT_VALID(moved))
		mach_port_destroy(ME, moved);
}

/*
 * An out-of-line array of send rights to node 1 and back: our own port, our
 * proxy of node 1's keeper (its own port there) and a null; each comes back
 * as the same name.
 */
static void
array_case(mach_port_t keeper_port)
{
	mach_port_t mine, reply, sent[3];
	union {
		struct keep_req req;
		struct keep_reply rep;
		uint8_t room[512];
	} m;
	mach_msg_ool_ports_descriptor_t *a = (mach_msg_ool_ports_descriptor_t *)&m.req.right;
	mach_port_t *got = NULL;
	uint32_t n = 0;
	kern_return_t kr;
	char why[200];

	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &mine);
	mach_port_insert_right(ME, mine, mine, MACH_MSG_TYPE_MAKE_SEND);
	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &reply);
	sent[0] = mine;
	sent[1] = keeper_port;
	sent[2] = MACH_PORT_NULL;
	memset(&m, 0, sizeof m);
	m.req.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) | MACH_MSGH_BITS_COMPLEX;
	m.req.h.msgh_size = sizeof m.req;
	m.req.h.msgh_remote_port = keeper_port;
	m.req.h.msgh_local_port = reply;
	m.req.h.msgh_id = KEEP_ARRAY;
	m.req.body.msgh_descriptor_count = 1;
	a->address = (vm_address_t)sent;
	a->count = 3;
	a->disposition = MACH_MSG_TYPE_COPY_SEND;
	a->copy = MACH_MSG_PHYSICAL_COPY;
	a->type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	kr = mach_msg(&m.req.h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof m.req, sizeof m, reply, 10000,
		      MACH_PORT_NULL);
	a = (mach_msg_ool_ports_descriptor_t *)&m.rep.right;
	if (kr == KERN_SUCCESS && m.rep.h.msgh_id == KEEP_ARRAY + 100 && (m.rep.h.msgh_bits & MACH_MSGH_BITS_COMPLEX) &&
	    m.rep.body.msgh_descriptor_count == 1 && a->type == MACH_MSG_OOL_PORTS_DESCRIPTOR) {
		got = (mach_port_t *)a->address;
		n = a->count;
	}
	snprintf(why, sizeof why, "kr %#x, %u back: %#x %#x %#x, sent %#x %#x %#x", kr, n, n > 0 ? got[0] : 0,
		 n > 1 ? got[1] : 0, n > 2 ? got[2] : 0, sent[0], sent[1], sent[2]);
	printf("xipctest: an array of rights: %s\n", why);
	check("an_array_of_send_rights_crosses_both_ways_as_the_same_names",
	      n == 3 && got[0] == mine && got[1] == keeper_port && got[2] == MACH_PORT_NULL, why);
	if (kr == KERN_SUCCESS)
		mach_msg_destroy(&m.rep.h);
	mach_port_destroy(ME, reply);
	mach_port_destroy(ME, mine);
}

static kern_return_t
send_numbered(mach_port_t to, int id, mach_msg_timeout_t timeout)
{
	mach_msg_header_t h = {0};

	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	h.msgh_size = sizeof h;
	h.msgh_remote_port = to;
	h.msgh_id = id;
	return mach_msg(&h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof h, 0, MACH_PORT_NULL, timeout, MACH_PORT_NULL);
}

/*
 * A port of node 1 whose send right node 3 holds (given by us) moves here:
 * node 1 tells node 3 the new home (REDIRECT, flushed through node 1 in
 * order: servers/gns/redirect.c), so node 3's proxy names node 2's port and
 * its messages come straight, in order; once we let our own proxy of the old
 * identity go too, node 1 forwards nothing any more (its forwarder count is
 * back where it was).
 */
static void
redirect_case(mach_port_t keeper_port, mach_port_t relay_port)
{
	struct keep_reply r, r3;
	mach_port_t old = MACH_PORT_NULL, moved = MACH_PORT_NULL;
	kern_return_t kr;
	int where = 0, got = 0, disorder = 0, fwd0 = -1, fwd_moved = -1, fwd_end = -1;
	uint64_t t0;
	char why[240];
	struct {
		mach_msg_header_t h;
		uint8_t room[128];
	} m;

	kr = keep_call(keeper_port, KEEP_STATUS, 0, MACH_PORT_NULL, 0, &r);
	fwd0 = kr == KERN_SUCCESS ? r.forwarders : -1;
	if (kr == KERN_SUCCESS)
		kr = keep_call(keeper_port, KEEP_NEW, 2, MACH_PORT_NULL, 0, &r);
	if (kr == KERN_SUCCESS) {
		old = r.right.name;
		kr = keep_call(relay_port, RELAY_HOLD, 0, old, MACH_MSG_TYPE_COPY_SEND, &r3);
	}
	if (kr == KERN_SUCCESS)
		kr = keep_call(keeper_port, KEEP_MOVE, r.slot, MACH_PORT_NULL, 0, &r);
	if (kr == KERN_SUCCESS) {
		moved = r.right.name;
		/* the keeper's own numbered messages, which came with and after the move */
		while (got < 2 * MOVE_EACH && mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, moved, KEEP_WAIT_MS,
						       MACH_PORT_NULL) == MACH_MSG_SUCCESS) {
			got++;
			mach_msg_destroy(&m.h);
		}
		fwd_moved = keep_call(keeper_port, KEEP_STATUS, 0, MACH_PORT_NULL, 0, &r) == KERN_SUCCESS ? r.forwarders : -1;
		/* node 3 hears the new home */
		for (t0 = now_ms(); now_ms() - t0 < KEEP_WAIT_MS && where != 2; msg_sleep_ms(50))
			where = keep_call(relay_port, RELAY_WHERE, 0, MACH_PORT_NULL, 0, &r3) == KERN_SUCCESS ? r3.slot : 0;
		kr = keep_call(relay_port, RELAY_SEND, 0, MACH_PORT_NULL, 0, &r3);
	}
	got = 0;
	while (kr == KERN_SUCCESS && got < MOVE_EACH &&
	       mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, moved, KEEP_WAIT_MS, MACH_PORT_NULL) ==
		       MACH_MSG_SUCCESS) {
		disorder += m.h.msgh_id != RELAY_ID + got;
		got++;
		mach_msg_destroy(&m.h);
	}
	/* our own proxy of the old identity goes: nobody holds it, node 1's forwarder ends */
	if (MACH_PORT_VALID(old))
		mach_port_deallocate(ME, old);
	for (t0 = now_ms(); now_ms() - t0 < KEEP_WAIT_MS && fwd_end != fwd0; msg_sleep_ms(50))
		fwd_end = keep_call(keeper_port, KEEP_STATUS, 0, MACH_PORT_NULL, 0, &r) == KERN_SUCCESS ? r.forwarders : -1;
	snprintf(why, sizeof why, "kr %#x; node 3's right names node %d; its %d messages came, %d out of order; node 1's "
		 "forwarders %d before, %d after the move, %d at the end", kr, where, got, disorder, fwd0, fwd_moved,
		 fwd_end);
	printf("xipctest: redirect: %s\n", why);
	check("a_node_holding_a_moved_port_learns_its_new_home_and_the_forwarding_ends",
	      kr == KERN_SUCCESS && where == 2 && got == MOVE_EACH && disorder == 0 && fwd0 >= 0 &&
	      fwd_moved == fwd0 + 1 && fwd_end == fwd0, why);
	keep_call(relay_port, RELAY_LETGO, 0, MACH_PORT_NULL, 0, &r3);
	if (MACH_PORT_VALID(moved))
		mach_port_destroy(ME, moved);
}

/*
 * A port of node 1 with a no-senders request (its notification to the
 * keeper's service port) moves here; the request moves with it: nothing
 * while we still hold a send right of the old identity, and once we let that
 * go (the last sender: node 1's forwarder then goes, and the new home's export)
 * the notification crosses back to node 1's keeper, not to us.
 */
static void
request_case(mach_port_t keeper_port)
{
	struct keep_reply r;
	mach_port_t old = MACH_PORT_NULL, moved = MACH_PORT_NULL;
	kern_return_t kr;
	int got = 0, early = -1, later = -1, here = 0;
	uint64_t t0;
	char why[200];
	struct {
		mach_msg_header_t h;
		uint8_t room[128];
	} m;

	kr = keep_call(keeper_port, KEEP_NEW, 3, MACH_PORT_NULL, 0, &r);
	if (kr == KERN_SUCCESS) {
		old = r.right.name;
		kr = keep_call(keeper_port, KEEP_MOVE, r.slot, MACH_PORT_NULL, 0, &r);
	}
	if (kr == KERN_SUCCESS) {
		moved = r.right.name;
		while (got < 2 * MOVE_EACH && mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, moved, KEEP_WAIT_MS,
						       MACH_PORT_NULL) == MACH_MSG_SUCCESS) {
			got++;
			mach_msg_destroy(&m.h);
		}
		msg_sleep_ms(500);	/* time for a notification that should not come */
		early = keep_call(keeper_port, KEEP_STATUS, 0, MACH_PORT_NULL, 0, &r) == KERN_SUCCESS ? r.moved_no_senders : -1;
		mach_port_deallocate(ME, old);
		old = MACH_PORT_NULL;
		for (t0 = now_ms(); now_ms() - t0 < KEEP_WAIT_MS && later <= early; msg_sleep_ms(50))
			later = keep_call(keeper_port, KEEP_STATUS, 0, MACH_PORT_NULL, 0, &r) == KERN_SUCCESS ?
					r.moved_no_senders : -1;
		/* nothing for us on the port itself (the request was the keeper's) */
		while (mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, moved, 0, MACH_PORT_NULL) ==
		       MACH_MSG_SUCCESS) {
			here++;
			mach_msg_destroy(&m.h);
		}
	}
	snprintf(why, sizeof why, "kr %#x, %d of the keeper's messages, node 1's notifications: %d while we held a "
		 "right, %d after; %d messages here after", kr, got, early, later, here);
	printf("xipctest: moved request: %s\n", why);
	check("a_no_senders_request_moves_with_the_receive_right_and_notifies_its_requester",
	      kr == KERN_SUCCESS && got == 2 * MOVE_EACH && early == 0 && later == 1 && here == 0, why);
	if (MACH_PORT_VALID(old))
		mach_port_deallocate(ME, old);
	if (MACH_PORT_VALID(moved))
		mach_port_destroy(ME, moved);
}

/*
 * A port on node 1 (a queue of 16) that nobody reads until node 1's gns has
 * paused a sender is sent FILL_COUNT messages through our proxy. Its home
 * holds what the queue refuses; past HOLD_PAUSE held it pauses our proxy
 * (PAUSE), whatever the timing, since the keeper reads only after that; the
 * hold drained, RESUME. Asserted by the counters, not by a race: node 1's
 * gns paused a sender before the drain (its senders_paused, as the keeper
 * saw it), ours paused and resumed the proxy (proxies_paused, _resumed), and
 * every message was read, in order. Whether one of our 300 ms sends timed
 * out meanwhile depends on how fast PAUSE came back: reported, not asserted.
 */
static void
fill_case(mach_port_t keeper_port)
{
	struct keep_reply r;
	mach_port_t port = MACH_PORT_NULL;
	kern_return_t kr, kr2 = KERN_SUCCESS;
	int sent = 0, read = -1;
	bool timed_out = false;
	uint32_t paused0 = gns_stat(XIPC_STAT_PAUSED), resumed0 = gns_stat(XIPC_STAT_RESUMED), paused, resumed;
	uint64_t t0 = 0, waited = 0;
	char why[240];

	kr = keep_call(keeper_port, KEEP_NEW, 2, MACH_PORT_NULL, 0, &r);
	if (kr == KERN_SUCCESS) {
		port = r.right.name;
		kr = keep_call(keeper_port, KEEP_DRAIN_LATER, r.slot, MACH_PORT_NULL, 0, &r);
	}
	t0 = now_ms();
	while (kr == KERN_SUCCESS && sent < FILL_COUNT) {
		/* 300 ms until the first time-out; then each waits as long as it takes */
		kr2 = send_numbered(port, MOVE_CLIENT_ID + sent, timed_out ? 30000 : 300);
		if (kr2 == MACH_SEND_TIMED_OUT && !timed_out) {
			timed_out = true;	/* not sent: the same number again */
			waited = now_ms() - t0;
			continue;
		}
		if (kr2 != MACH_MSG_SUCCESS)
			break;
		sent++;
	}
	if (kr == KERN_SUCCESS) {
		read = keep_wait(keeper_port, r.slot, MSGS, FILL_COUNT, PAUSE_WAIT_MS + 10000);
		keep_call(keeper_port, KEEP_STATUS, r.slot, MACH_PORT_NULL, 0, &r);
	}
	/* RESUME follows the drain: give it a moment */
	for (int i = 0; i < 100 && gns_stat(XIPC_STAT_RESUMED) == resumed0; i++)
		msg_sleep_ms(20);
	paused = gns_stat(XIPC_STAT_PAUSED) - paused0;
	resumed = gns_stat(XIPC_STAT_RESUMED) - resumed0;
	snprintf(why, sizeof why, "kr %#x/%#x, %d sent, %d read at node 1, %d out of order; node 1 paused %d senders "
		 "before reading; our proxy paused %u, resumed %u; a 300 ms send timed out: %d (after %u ms)",
		 kr, kr2, sent, read, r.send_once, r.paused, (unsigned)paused, (unsigned)resumed, timed_out,
		 (unsigned)waited);
	printf("xipctest: a full queue: %s\n", why);
	check("a_full_queue_at_the_home_pauses_the_sender_and_loses_nothing",
	      kr == KERN_SUCCESS && sent == FILL_COUNT && read == FILL_COUNT && r.send_once == 0 && r.paused >= 1 &&
	      paused >= 1 && resumed >= 1, why);
	if (MACH_PORT_VALID(port))
		mach_port_deallocate(ME, port);
}

/* Node 2: every case of cluster-wide notifications, through node 1's keeper (and node 3's relay). */
static void
semantics_cases(void)
{
	mach_port_t keeper_port = MACH_PORT_NULL, relay_port = MACH_PORT_NULL, notify, prev;
	struct keep_reply r, r2;
	kern_return_t kr, kr2;
	char why[160];
	int n, slot;
	struct {
		mach_msg_header_t h;
		uint8_t room[128];
	} note;

	kr = resolve("/cluster/keeper", &keeper_port);
	if (kr == KERN_SUCCESS)
		kr = resolve("/cluster/relay", &relay_port);
	snprintf(why, sizeof why, "kr %#x", kr);
	check("the_keeper_and_the_relay_resolve", kr == KERN_SUCCESS, why);
	if (kr != KERN_SUCCESS)
		return;
	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &notify);

	/* 1: our proxy is the only sender; it goes, the receiver on node 1 hears no-senders */
	kr = keep_call(keeper_port, KEEP_NEW, 0, MACH_PORT_NULL, 0, &r);
	slot = r.slot;
	kr2 = kr == KERN_SUCCESS ? send_empty(r.right.name, MACH_MSG_TYPE_COPY_SEND) : kr;
	n = kr2 == KERN_SUCCESS ? keep_wait(keeper_port, slot, MSGS, 1, KEEP_WAIT_MS) : -1;
	r2.no_senders = -1;
	if (n == 1)
		keep_call(keeper_port, KEEP_STATUS, slot, MACH_PORT_NULL, 0, &r2);
	snprintf(why, sizeof why, "new %#x, send %#x, msgs %d, no-senders while held %d", kr, kr2, n, r2.no_senders);
	check("a_remote_holder_keeps_the_port_from_no_senders", n == 1 && r2.no_senders == 0, why);
	if (kr == KERN_SUCCESS)
		mach_port_deallocate(ME, r.right.name);
	n = kr == KERN_SUCCESS ? keep_wait(keeper_port, slot, NO_SENDERS, 1, KEEP_WAIT_MS) : -1;
	snprintf(why, sizeof why, "no-senders %d", n);
	check("no_senders_reaches_the_home_when_the_last_remote_holder_lets_go", n == 1, why);

	/* 2: node 3 holds it too (we passed it on): our letting go is not enough */
	kr = keep_call(keeper_port, KEEP_NEW, 0, MACH_PORT_NULL, 0, &r);
	slot = r.slot;
	kr2 = kr == KERN_SUCCESS ? keep_call(relay_port, RELAY_HOLD, 0, r.right.name, MACH_MSG_TYPE_COPY_SEND, &r2) : kr;
	if (kr == KERN_SUCCESS)
		mach_port_deallocate(ME, r.right.name);
	msg_sleep_ms(1500);
	n = keep_wait(keeper_port, slot, NO_SENDERS, 0, 0);
	snprintf(why, sizeof why, "new %#x, hold %#x, no-senders while node 3 holds it %d", kr, kr2, n);
	check("no_senders_waits_for_a_third_node_given_the_right_by_a_proxy", kr2 == KERN_SUCCESS && n == 0, why);
	kr2 = keep_call(relay_port, RELAY_LETGO, 0, MACH_PORT_NULL, 0, &r2);
	n = keep_wait(keeper_port, slot, NO_SENDERS, 1, KEEP_WAIT_MS);
	snprintf(why, sizeof why, "letgo %#x, no-senders %d", kr2, n);
	check("no_senders_comes_once_the_third_node_lets_go", kr2 == KERN_SUCCESS && n == 1, why);

	/* 3: a sender on the home node itself still counts */
	kr = keep_call(keeper_port, KEEP_NEW, 1, MACH_PORT_NULL, 0, &r);
	slot = r.slot;
	if (kr == KERN_SUCCESS)
		mach_port_deallocate(ME, r.right.name);
	msg_sleep_ms(1000);
	n = keep_wait(keeper_port, slot, NO_SENDERS, 0, 0);
	kr2 = keep_call(keeper_port, KEEP_LETGO, slot, MACH_PORT_NULL, 0, &r2);
	int n2 = keep_wait(keeper_port, slot, NO_SENDERS, 1, KEEP_WAIT_MS);
	snprintf(why, sizeof why, "new %#x, no-senders with a local sender %d, after it went %d", kr, n, n2);
	check("no_senders_waits_for_a_local_sender_on_the_home_node", kr == KERN_SUCCESS && n == 0 && n2 == 1, why);

	/* 4: the receive right destroyed at home: our proxy becomes a dead name, unused */
	kr = keep_call(keeper_port, KEEP_NEW, 0, MACH_PORT_NULL, 0, &r);
	kr2 = kr == KERN_SUCCESS ? mach_port_request_notification(ME, r.right.name, MACH_NOTIFY_DEAD_NAME, 1, notify,
								    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev)
				 : kr;
	if (kr2 == KERN_SUCCESS)
		kr2 = keep_call(keeper_port, KEEP_DESTROY, r.slot, MACH_PORT_NULL, 0, &r2);
	memset(&note, 0, sizeof note);
	kr = kr2 == KERN_SUCCESS ? mach_msg(&note.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof note, notify,
					     KEEP_WAIT_MS, MACH_PORT_NULL)
				 : kr2;
	kr2 = send_empty(r.right.name, MACH_MSG_TYPE_COPY_SEND);
	snprintf(why, sizeof why, "notification %#x id %d, then a send %#x", kr, note.h.msgh_id, kr2);
	check("a_receive_right_destroyed_at_home_makes_remote_rights_dead_names",
	      kr == KERN_SUCCESS && note.h.msgh_id == MACH_NOTIFY_DEAD_NAME && kr2 == MACH_SEND_INVALID_DEST, why);
	mach_port_deallocate(ME, r.right.name);

	/* 5: a send-once right to a port of node 1, destroyed unused here: node 1's receiver hears */
	kr = keep_call(keeper_port, KEEP_ONCE, 0, MACH_PORT_NULL, 0, &r);
	if (kr == KERN_SUCCESS)
		mach_port_deallocate(ME, r.right.name);
	n = kr == KERN_SUCCESS ? keep_wait(keeper_port, r.slot, SEND_ONCE, 1, KEEP_WAIT_MS) : -1;
	snprintf(why, sizeof why, "once %#x, send-once notifications %d", kr, n);
	check("a_remote_send_once_right_destroyed_unused_notifies_its_home_receiver", n == 1, why);

	/* 6: ours destroyed unused on node 1: we hear */
	kr = keep_call(keeper_port, KEEP_DISCARD, 0, notify, MACH_MSG_TYPE_MAKE_SEND_ONCE, &r2);
	memset(&note, 0, sizeof note);
	kr2 = kr == KERN_SUCCESS ? mach_msg(&note.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof note, notify,
					     KEEP_WAIT_MS, MACH_PORT_NULL)
				 : kr;
	snprintf(why, sizeof why, "discard %#x, notification %#x id %d", kr, kr2, note.h.msgh_id);
	check("our_send_once_right_destroyed_unused_on_another_node_notifies_us",
	      kr2 == KERN_SUCCESS && note.h.msgh_id == MACH_NOTIFY_SEND_ONCE, why);

	/* 7: a remote send-once right with a dead-name request, used: port-deleted here, the message there */
	kr = keep_call(keeper_port, KEEP_ONCE, 0, MACH_PORT_NULL, 0, &r);
	kr2 = kr == KERN_SUCCESS ? mach_port_request_notification(ME, r.right.name, MACH_NOTIFY_DEAD_NAME, 1, notify,
								    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev)
				 : kr;
	if (kr2 == KERN_SUCCESS)
		kr2 = send_empty(r.right.name, MACH_MSG_TYPE_MOVE_SEND_ONCE);
	memset(&note, 0, sizeof note);
	kr = kr2 == KERN_SUCCESS ? mach_msg(&note.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof note, notify,
					     KEEP_WAIT_MS, MACH_PORT_NULL)
				 : kr2;
	n = keep_wait(keeper_port, r.slot, MSGS, 1, KEEP_WAIT_MS);
	snprintf(why, sizeof why, "send %#x, notification %#x id %d, messages there %d", kr2, kr, note.h.msgh_id, n);
	check("a_remote_send_once_right_used_gives_port_deleted_here_and_its_message_there",
	      kr == KERN_SUCCESS && note.h.msgh_id == MACH_NOTIFY_PORT_DELETED && n == 1, why);

	move_case(keeper_port);
	redirect_case(keeper_port, relay_port);
	request_case(keeper_port);
	fill_case(keeper_port);
	array_case(keeper_port);
	big_case(keeper_port);
	mach_port_destroy(ME, notify);
	mach_port_deallocate(ME, keeper_port);
	mach_port_deallocate(ME, relay_port);
}
