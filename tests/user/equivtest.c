/*
 * The IPC fast path's equivalence test (issue 18; `ipc-equiv` in make check,
 * tests/equiv/run.sh boots it twice and compares). A fixed stream of random
 * steps, from a seed, sends simple messages between two tasks and two
 * threads: the controller (main thread of task A), a receiver thread A2 in A
 * and the receiver task B (this program again, started with the argument
 * `peer`). Each step records in a running FNV-1a digest everything either
 * task can observe: return codes, every byte of each receive buffer (header as
 * the receiver sees it, body, trailer, and the untouched bytes after it), and
 * every name of both spaces with its type, its user references and, for
 * receive rights, the port's status (seqno, make-send count, queue limit,
 * queued messages, send-once rights). Booted with and without
 * `ipc_fastpath=off`, the two runs must print the same digests step by step.
 *
 * What a step varies: the body's size (0 to past the fast path's page), the
 * header's dispositions (copy/make/move send, make/move send-once, none for the
 * reply; now and then a wrong right, a bad, dead or set name, a bad disposition
 * or header bit), send options (MACH_SEND_TIMEOUT), receive options
 * (MACH_RCV_LARGE, MACH_RCV_TIMEOUT, trailer elements) and buffer sizes (exact,
 * too small, smaller than a header); the receiver already waiting (in B or in
 * A's other thread, on a port or a port set) or not; one-way messages or RPCs
 * whose reply goes back to the controller waiting on a port or a set; queues
 * filled to their limit, ports destroyed (their send rights turning into dead
 * names), ports moved in and out of sets, queue limits changed.
 *
 * Kept out of the digest, because it differs between the two runs without
 * being a result: how many messages took the fast path (printed apart), how
 * long anything took, and how often the controller yielded before a receiver
 * was blocked (and so the sequence number of its own reply port, which counts
 * the kernel calls wait_blocked made: under load that count differed). What would make results depend on timing is designed out: a
 * receiver is only told to wait where no message is queued and the step's
 * message can only go there (a send that fails is followed by a filler
 * message, so the receiver never waits for nothing); a receive that must not
 * wait uses a timeout on a queue nobody else fills; between its message and
 * the receiver's report the controller makes no name, so names are given in
 * the same order whether the kernel copies rights out in the sender (fast
 * path) or in the receiver (slow path); a receive waits for a reply only
 * where one (or a filler) is sure to come.
 *
 * Usage (boot module command lines): equivtest STEPS [SEED [verbose=STEP]]
 * as module 0, `equivtest peer` as module 1. verbose=STEP prints each item
 * digested in that step.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/cthread.h>
#include <manifold/trap.h>
#include "suite.h"

#define ME mach_task_self()
#define HDR ((uint32_t)sizeof(mach_msg_header_t))
#define BUF_MAX 8192u		/* the largest receive buffer */
#define GUARD 16u		/* bytes after the buffer, reported to show nothing wrote there */
#define BODY_MAX (4096u + 64)	/* a little past the fast path's page */
#define FILL 0xA5

enum { OP_RECEIVE = 1, OP_EXIT };
#define ID_CMD 7000
#define ID_REPORT 7001
#define ID_FILLER 7002
#define ID_REPLY 7003
#define ID_HELLO 7004

/* Controller -> receiver: one receive, then maybe a reply. */
struct cmd {
	mach_msg_header_t h;
	uint32_t op;
	mach_port_name_t name;		/* what to receive on, in the receiver's space */
	mach_msg_option_t option;
	uint32_t rcv_size, timeout;
	uint32_t reply;			/* 0: none; else reply through the received reply right */
	uint32_t reply_disp;		/* disposition for it; 0: the right one for its type */
	uint32_t reply_local;		/* 0 none, else a disposition of the receiving port as local */
	uint32_t reply_size, reply_option;
	mach_port_name_t filler;	/* send right (0: make one from filler_recv) for a filler */
	mach_port_name_t filler_recv;
	uint32_t trailer[5];		/* room for the largest trailer (the sender's) when received */
};

/* Receiver -> controller. */
struct report {
	mach_msg_header_t h;
	uint32_t rcv_mr, reply_mr, filler_mr, len;
	uint8_t data[BUF_MAX + GUARD];
	uint32_t trailer[5];
};

struct bigmsg {
	mach_msg_header_t h;
	uint8_t body[BUF_MAX + GUARD];
};


/* ---- the receivers (B's main thread, A's second thread) ---- */

static mach_msg_return_t
send_filler(mach_port_name_t send, mach_port_name_t recv)
{
	mach_msg_header_t h = { 0 };

	h.msgh_bits = MACH_MSGH_BITS(send ? MACH_MSG_TYPE_COPY_SEND : MACH_MSG_TYPE_MAKE_SEND, 0);
	h.msgh_remote_port = send ? send : recv;
	h.msgh_id = ID_FILLER;
	return mach_msg(&h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, HDR, 0, 0, 0, 0);
}

/* Serves commands on ctl, reporting to rep (a send right), until OP_EXIT. */
static void
receiver_loop(mach_port_name_t ctl, mach_port_name_t rep)
{
	static struct cmd c;
	static struct bigmsg b, out;
	static struct report r;

	for (;;) {
		uint32_t len;
		mach_msg_return_t cmr = mach_msg(&c.h, MACH_RCV_MSG, 0, sizeof c, ctl, 0, 0);
		if (cmr != MACH_MSG_SUCCESS || c.op != OP_RECEIVE || c.h.msgh_id != ID_CMD) {
			if (c.op != OP_EXIT)
				printf("equivtest: a receiver got %#x (id %d) for a command, and ends\n", cmr,
				       c.h.msgh_id);
			return;
		}
		len = c.rcv_size + GUARD;
		memset(&b, FILL, len);
		r.rcv_mr = mach_msg(&b.h, c.option, 0, c.rcv_size, c.name, c.timeout, 0);
		r.reply_mr = r.filler_mr = 0;
		if (c.reply) {
			mach_msg_type_name_t t = MACH_MSGH_BITS_REMOTE(b.h.msgh_bits), d = c.reply_disp;
			r.reply_mr = MACH_SEND_INVALID_DEST;	/* nothing to reply to */
			if (r.rcv_mr == MACH_MSG_SUCCESS && b.h.msgh_remote_port != MACH_PORT_NULL) {
				if (!d)
					d = t == MACH_MSG_TYPE_PORT_SEND_ONCE ? MACH_MSG_TYPE_MOVE_SEND_ONCE
					    : (c.reply_size & 4) ? MACH_MSG_TYPE_MOVE_SEND : MACH_MSG_TYPE_COPY_SEND;
				memset(&out, 0, HDR);
				for (uint32_t i = 0; i < c.reply_size; i++)
					out.body[i] = (uint8_t)(i * 7 + c.reply_size);
				out.h.msgh_bits = MACH_MSGH_BITS(d, c.reply_local);
				out.h.msgh_remote_port = b.h.msgh_remote_port;
				out.h.msgh_local_port = c.reply_local ? b.h.msgh_local_port : MACH_PORT_NULL;
				out.h.msgh_id = ID_REPLY;
				r.reply_mr = mach_msg(&out.h, MACH_SEND_MSG | c.reply_option, HDR + c.reply_size, 0, 0,
						      0, 0);
			}
			if (r.reply_mr != MACH_MSG_SUCCESS)	/* whoever waits for the reply gets this */
				r.filler_mr = send_filler(c.filler, c.filler_recv);
		}
		r.len = len;
		memcpy(r.data, &b, len);
		r.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
		r.h.msgh_remote_port = rep;
		r.h.msgh_local_port = MACH_PORT_NULL;
		r.h.msgh_id = ID_REPORT;
		mach_msg(&r.h, MACH_SEND_MSG, (uint32_t)offsetof(struct report, data) + ((len + 3) & ~3u), 0, 0, 0, 0);
	}
}

/* Task B: says hello through the bootstrap port (inherited from A) with a send right to its command port. */
static int
peer_main(void)
{
	mach_port_t boot = MACH_PORT_NULL, ctl = MACH_PORT_NULL;
	mach_msg_header_t h = { 0 };

	if (task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &boot) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &ctl) != KERN_SUCCESS)
		return 1;
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND);
	h.msgh_remote_port = boot;
	h.msgh_local_port = ctl;
	h.msgh_id = ID_HELLO;
	if (mach_msg(&h, MACH_SEND_MSG, HDR, 0, 0, 0, 0) != MACH_MSG_SUCCESS)
		return 1;
	receiver_loop(ctl, boot);
	exit(0);
	return 0;
}

static mach_port_t a2_ctl, a2_rep, a2_thread;

static void *
a2_main(void *arg)
{
	a2_thread = mach_thread_self();
	receiver_loop(a2_ctl, a2_rep);
	return NULL;
}

/* ---- the controller ---- */

static uint64_t digest = 0xcbf29ce484222325ull;
static uint32_t verbose_step = ~0u, cur_step;
/*
 * Each item of a step, as 16 bits of its own hash, printed after the step's
 * line: when the two runs differ in a way a second pair of runs does not
 * repeat (a result that depended on timing), these say which item it was
 * (run.sh names it from a verbose run, whose items come in the same order).
 */
static char items[2048];
static uint32_t items_len;

static void
dig(const char *what, const void *p, uint32_t n)
{
	const uint8_t *b = p;
	uint32_t h = 0x811c9dc5u;

	for (uint32_t i = 0; i < n; i++) {
		digest ^= b[i];
		digest *= 0x100000001b3ull;
		h = (h ^ b[i]) * 0x01000193u;
	}
	if (items_len + 6 < sizeof items)
		items_len += (uint32_t)snprintf(items + items_len, sizeof items - items_len, " %04x",
						(unsigned)((h ^ (h >> 16)) & 0xffff));
	if (cur_step == verbose_step) {
		printf("# %s:", what);
		for (uint32_t i = 0; i < n; i++)
			printf("%s%02x", (i % 4) ? "" : " ", b[i]);
		printf("\n");
	}
}

static void
dig32(const char *what, uint32_t v)
{
	dig(what, &v, sizeof v);
}

/* xorshift32 stream for the steps (suite.h's rnd) */
static uint32_t
pick(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static int
chance(uint32_t percent)
{
	return pick(100) < percent;
}

/* A port the tests send to: its receive right in B or in A. */
struct target {
	int in_b;			/* owner: task B (receiver B1) or A (receiver A2) */
	mach_port_name_t rname;		/* receive right, in the owner's space */
	mach_port_name_t sname;		/* A's send right (for A's ports, rname) */
	mach_port_name_t so[2];		/* A's send-once rights, 0 when used */
	int in_set;
};

#define NT 5	/* targets 0-2 in B, 3-4 in A */
static struct target tg[NT];
static mach_port_t btask, bthread, bctl, rep;
static mach_port_name_t bset, aset;	/* B's set (receiver B1), A's (receiver A2) */
static mach_port_name_t ra0, ra1, rfill, rset;	/* reply ports in A; rset = {ra1, rfill} */
static mach_port_name_t b_fill;		/* B's send right to rfill */
static mach_port_name_t dead[4];	/* A's dead names */
static uint32_t fast_test_hits;		/* test messages (not commands or reports) that took the fast path */

static mach_port_t
owner(const struct target *t)
{
	return t->in_b ? btask : ME;
}

static kern_return_t
make_send_in_a(struct target *t)
{
	mach_port_t got;
	mach_msg_type_name_t gt;
	kern_return_t kr;

	if (!t->in_b)
		return mach_port_insert_right(ME, t->rname, t->rname, MACH_MSG_TYPE_MAKE_SEND);
	kr = mach_port_extract_right(btask, t->rname, MACH_MSG_TYPE_MAKE_SEND, &got, &gt);
	if (kr == KERN_SUCCESS)
		t->sname = got;
	return kr;
}

/* A's rights to the targets back to at least 2 send references and 2 send-once rights. */
static void
top_up(void)
{
	for (int i = 0; i < NT; i++) {
		struct target *t = &tg[i];
		mach_port_urefs_t n = 0;
		mach_port_type_t ty = 0;
		if (t->sname && mach_port_type(ME, t->sname, &ty) == KERN_SUCCESS && (ty & MACH_PORT_TYPE_SEND))
			mach_port_get_refs(ME, t->sname, MACH_PORT_RIGHT_SEND, &n);
		for (; n < 2; n++)
			make_send_in_a(t);
		if (n > 8)
			mach_port_mod_refs(ME, t->sname, MACH_PORT_RIGHT_SEND, 4 - (int)n);
		for (int j = 0; j < 2; j++) {
			mach_msg_type_name_t gt;
			if (t->so[j] && mach_port_type(ME, t->so[j], &ty) == KERN_SUCCESS &&
			    (ty & MACH_PORT_TYPE_SEND_ONCE))
				continue;
			t->so[j] = 0;
			mach_port_extract_right(owner(t), t->rname, MACH_MSG_TYPE_MAKE_SEND_ONCE, &t->so[j], &gt);
		}
	}
}

static mach_port_status_t
status(mach_port_t task, mach_port_name_t name)
{
	mach_port_status_t st;
	mach_msg_type_number_t n = MACH_PORT_RECEIVE_STATUS_COUNT;

	memset(&st, 0, sizeof st);
	mach_port_get_attributes(task, name, MACH_PORT_RECEIVE_STATUS, (integer_t *)&st, &n);
	return st;
}

static uint32_t
queued(int ti)
{
	return status(owner(&tg[ti]), tg[ti].rname).mps_msgcount;
}

/* Every name of a space, its type, references and (receive rights) port status, into the digest. */
static void
dig_space(const char *who, mach_port_t task)
{
	mach_port_name_t *names;
	mach_port_type_t *types;
	mach_msg_type_number_t n = 0, tn = 0;

	dig32(who, mach_port_names(task, &names, &n, &types, &tn));
	for (uint32_t i = 0; i < n; i++) {
		mach_port_urefs_t r = 0;
		uint32_t rec[4] = { names[i], types[i], 0, 0 };
		if (types[i] & MACH_PORT_TYPE_SEND)
			mach_port_get_refs(task, names[i], MACH_PORT_RIGHT_SEND, &r), rec[2] = r;
		if (types[i] & MACH_PORT_TYPE_DEAD_NAME)
			mach_port_get_refs(task, names[i], MACH_PORT_RIGHT_DEAD_NAME, &r), rec[3] = r;
		dig("name", rec, sizeof rec);
		if (types[i] & MACH_PORT_TYPE_RECEIVE) {
			mach_port_status_t st = status(task, names[i]);
			/* the controller's reply port counts its kernel calls, and wait_blocked makes
			 * as many as the receiver took to block: a count of timing, not a result */
			if (task == ME && names[i] == mig_get_reply_port())
				st.mps_seqno = 0;
			dig("port", &st, sizeof st);
		}
	}
	vm_deallocate(ME, (vm_address_t)names, n * sizeof *names);
	vm_deallocate(ME, (vm_address_t)types, tn * sizeof *types);
}

/* Waits (yielding) until thread th is blocked; gives up after a while: results must not depend on it. */
static void
wait_blocked(mach_port_t th)
{
	for (int i = 0; i < 2000; i++) {
		thread_basic_info_data_t bi;
		mach_msg_type_number_t n = THREAD_BASIC_INFO_COUNT;
		if (thread_info(th, THREAD_BASIC_INFO, (integer_t *)&bi, &n) == KERN_SUCCESS &&
		    bi.run_state == TH_STATE_WAITING)
			return;
		thread_switch(MACH_PORT_NULL, 0, 0);
	}
}

static void
send_cmd(int to_b, struct cmd *c)
{
	c->op = OP_RECEIVE;
	c->h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	c->h.msgh_remote_port = to_b ? bctl : a2_ctl;
	c->h.msgh_local_port = MACH_PORT_NULL;
	c->h.msgh_id = ID_CMD;
	mach_msg(&c->h, MACH_SEND_MSG, (uint32_t)offsetof(struct cmd, trailer), 0, 0, 0, 0);
}

static struct report rp;

static void
take_report(void)
{
	/* a receiver that never reports is a bug of this test or of the kernel: say where */
	mach_msg_return_t mr = mach_msg(&rp.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof rp, rep, 30000, 0);

	if (mr != MACH_MSG_SUCCESS) {
		printf("equivtest: no report from the receiver at step %u (%#x)\n", (unsigned)cur_step, mr);
		trap_debug_exit(0x11);
	}

	dig32("report", mr);
	dig32("rcv_mr", rp.rcv_mr);
	dig32("reply_mr", rp.reply_mr);
	dig32("filler_mr", rp.filler_mr);
	dig("received", rp.data, rp.len);
}

/* Takes what is queued on name in the receiver's space (B's or A's) and digests it. */
static void
drain(int in_b, mach_port_name_t name)
{
	for (int i = 0; i < 40; i++) {
		struct cmd c = { .name = name, .option = MACH_RCV_MSG | MACH_RCV_TIMEOUT, .rcv_size = BUF_MAX };
		if (!in_b) {	/* our own space: no need for the other thread */
			static struct bigmsg b;
			mach_msg_return_t mr;
			memset(&b, FILL, BUF_MAX);
			mr = mach_msg(&b.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, BUF_MAX, name, 0, 0);
			dig32("drain", mr);
			if (mr != MACH_MSG_SUCCESS)
				return;
			dig("drained", &b, b.h.msgh_size + 8 <= BUF_MAX ? b.h.msgh_size + 8 : BUF_MAX);
			continue;
		}
		send_cmd(1, &c);
		take_report();
		if (rp.rcv_mr != MACH_MSG_SUCCESS)
			return;
	}
}

static void
drain_all(void)
{
	for (int i = 0; i < NT; i++)
		if (!tg[i].in_set)
			drain(tg[i].in_b, tg[i].rname);
	drain(1, bset);
	drain(0, aset);
	drain(0, ra0);
	drain(0, rset);
}

/* A name no right is under: for the bad-name cases. */
static mach_port_name_t
bad_name(void)
{
	for (;;) {
		mach_port_name_t n = rnd();
		mach_port_type_t t;
		if (pick(4) == 0)
			n = (n & 0xff00) | 0x1f;
		if (MACH_PORT_VALID(n) && mach_port_type(ME, n, &t) != KERN_SUCCESS)
			return n;
	}
}

/* A right to target ti for a header: a name and a disposition, or now and then a wrong one. */
static void
right_for(int ti, mach_port_name_t *name, mach_msg_type_name_t *disp, int wrong_pct)
{
	struct target *t = &tg[ti];
	uint32_t k = pick(t->in_b ? 3 : 5);

	if (chance(wrong_pct)) {
		static const mach_msg_type_name_t bad_disps[] = { 0, 1, 2, 3, 4, 16, 19, 22, 31 };
		switch (pick(7)) {
		case 0: *name = bad_name(); *disp = MACH_MSG_TYPE_COPY_SEND; return;
		case 1: *name = dead[pick(4)]; *disp = pick(2) ? MACH_MSG_TYPE_COPY_SEND : MACH_MSG_TYPE_MOVE_SEND; return;
		case 2: *name = pick(2) ? rset : aset; *disp = MACH_MSG_TYPE_MAKE_SEND; return;	/* a set of ours */
		case 3: *name = t->sname; *disp = bad_disps[pick(9)]; return;
		case 4: *name = t->sname; *disp = MACH_MSG_TYPE_MOVE_SEND_ONCE; return;	/* not a send-once right */
		case 5: *name = t->so[0] ? t->so[0] : t->sname; *disp = MACH_MSG_TYPE_COPY_SEND; return;
		default: *name = pick(2) ? MACH_PORT_NULL : MACH_PORT_DEAD; *disp = MACH_MSG_TYPE_COPY_SEND; return;
		}
	}
	if (k == 0) {
		*name = t->sname;
		*disp = MACH_MSG_TYPE_COPY_SEND;
	} else if (k == 1) {
		*name = t->sname;
		*disp = MACH_MSG_TYPE_MOVE_SEND;
	} else if (k == 2) {
		int j = t->so[0] ? 0 : 1;
		*name = t->so[j];
		t->so[j] = 0;
		*disp = MACH_MSG_TYPE_MOVE_SEND_ONCE;
		if (!*name) {	/* both used: a send right then */
			*name = t->sname;
			*disp = MACH_MSG_TYPE_COPY_SEND;
		}
	} else {	/* our own port: made from the receive right */
		*name = t->rname;
		*disp = k == 3 ? MACH_MSG_TYPE_MAKE_SEND : MACH_MSG_TYPE_MAKE_SEND_ONCE;
	}
}

/* A reply right to reply port r (in A) for a header's local half. */
static void
reply_right(mach_port_name_t r, mach_port_name_t *name, mach_msg_type_name_t *disp, int allow_none)
{
	mach_port_type_t ty = 0;

	switch (pick(allow_none ? 5 : 4)) {
	case 0: *name = r; *disp = MACH_MSG_TYPE_MAKE_SEND; return;
	case 1: *name = r; *disp = MACH_MSG_TYPE_MAKE_SEND_ONCE; return;
	case 2:
		mach_port_type(ME, r, &ty);
		*name = r;
		*disp = (ty & MACH_PORT_TYPE_SEND) ? (pick(2) ? MACH_MSG_TYPE_COPY_SEND : MACH_MSG_TYPE_MOVE_SEND)
						   : MACH_MSG_TYPE_MAKE_SEND;
		return;
	case 3: {
		mach_msg_type_name_t gt;
		*name = MACH_PORT_NULL;
		if (mach_port_extract_right(ME, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, name, &gt) == KERN_SUCCESS) {
			*disp = MACH_MSG_TYPE_MOVE_SEND_ONCE;
			return;
		}
		*name = r;
		*disp = MACH_MSG_TYPE_MAKE_SEND_ONCE;
		return;
	}
	default: *name = MACH_PORT_NULL; *disp = 0; return;
	}
}

static uint32_t
body_size(void)
{
	switch (pick(6)) {
	case 0: return 0;
	case 1: return 4096 - 8 + 4 * pick(5);	/* around the fast path's bound */
	case 2: return 4 * pick(BODY_MAX / 4 + 1);
	default: return 4 * pick(17);
	}
}

/* Receive options and buffer size for a message of size bytes (header included). */
static void
rcv_options(uint32_t size, mach_msg_option_t *opt, uint32_t *rsize)
{
	uint32_t elems = pick(4), tsize = elems >= 2 ? 20 : elems >= 1 ? 12 : 8;

	*opt = MACH_RCV_MSG | MACH_RCV_TRAILER_ELEMENTS(elems);
	if (chance(30))
		*opt |= MACH_RCV_LARGE;
	if (chance(5))
		*opt |= MACH_RCV_INTERRUPT | MACH_RCV_NOTIFY;
	switch (pick(8)) {
	case 0: *rsize = size + tsize - 4 * (1 + pick(3)); break;	/* a little too small */
	case 1: *rsize = 4 * pick(HDR / 4 + 2); break;			/* maybe below a header */
	case 2: *rsize = BUF_MAX; break;
	case 3: *rsize = size + tsize - 4; break;			/* the trailer does not fit */
	default: *rsize = size + tsize + 4 * pick(5); break;
	}
	if (*rsize > BUF_MAX)
		*rsize = BUF_MAX;
}

static struct bigmsg sm;

static void
fill_message(uint32_t bsize, uint32_t step)
{
	for (uint32_t i = 0; i < bsize; i++)
		sm.body[i] = (uint8_t)(i ^ step ^ (i >> 8));
	sm.h.msgh_size = rnd();		/* the kernel sets it */
	sm.h.msgh_id = (mach_msg_id_t)rnd();
	sm.h.msgh_reserved = chance(10) ? rnd() : 0;
}

/* What the controller's test send did, into the digest. */
static void
dig_send(mach_msg_return_t mr)
{
	dig32("send_mr", mr);
}

/*
 * A message to a receiver that is already waiting on a port or a set with an
 * empty queue: one way, or an RPC whose reply the controller waits for on a
 * port (ra0: the reply is sure to come) or on a set (rset: the reply or a filler).
 */
static void
step_waiting(uint32_t step, char *what)
{
	int to_b = chance(60), rpc = pick(4);	/* 0, 1: one way; 2: RPC on ra0; 3: RPC on rset */
	int ti = to_b ? pick(3) : 3 + pick(2), use_set = 0;
	struct target *t;
	struct cmd c;
	mach_port_name_t dname, lname, wait_on, rcv_on = 0;
	mach_msg_type_name_t ddisp, ldisp;
	mach_msg_option_t opt = MACH_SEND_MSG;
	uint32_t bsize = body_size(), size, timeout = 0;
	mach_msg_return_t mr;
	struct manifold_kernel_stats s0, s1;

	/* where the receiver waits: a port not in a set, or the set of a member */
	if (tg[ti].in_set)
		use_set = 1;
	t = &tg[ti];
	wait_on = use_set ? (to_b ? bset : aset) : t->rname;
	drain(to_b, wait_on);	/* a set: all its members */
	if (status(owner(t), t->rname).mps_qlimit == 0 && rpc >= 2)
		rpc = 0;	/* a limit of 0 keeps a send right's message out: it only times out */
	if (rpc >= 2) {	/* nothing stale in the way of the reply, and room for it */
		drain(0, ra0);
		drain(0, rset);
	}

	memset(&c, 0, sizeof c);
	size = HDR + bsize;
	c.name = wait_on;
	rcv_options(size, &c.option, &c.rcv_size);
	if (chance(30)) {
		c.option |= MACH_RCV_TIMEOUT;
		c.timeout = 100000;	/* never reached: a message or a filler comes */
	}
	c.reply = rpc >= 2 || chance(50);
	c.reply_disp = chance(8) ? MACH_MSG_TYPE_MOVE_SEND_ONCE + pick(3) : 0;
	c.reply_local = chance(30) ? (pick(2) ? MACH_MSG_TYPE_MAKE_SEND : MACH_MSG_TYPE_MAKE_SEND_ONCE) : 0;
	c.reply_size = body_size();
	/* a one-way step's reply may find its port full: it must not wait for room */
	c.reply_option = rpc < 2 || chance(30) ? MACH_SEND_TIMEOUT : 0;
	c.filler = to_b ? b_fill : 0;
	c.filler_recv = rfill;
	if (rpc == 2) {	/* the reply must come: everything valid, the buffer big enough */
		c.reply_disp = 0;
		if (c.rcv_size < size + 20) {	/* the largest trailer, the sender's */
			c.rcv_size = size + 20 + 4 * pick(4);
			c.option &= ~MACH_RCV_LARGE;
		}
	}

	right_for(ti, &dname, &ddisp, rpc == 2 ? 0 : 8);
	if (rpc == 2)
		reply_right(ra0, &lname, &ldisp, 0);
	else if (rpc == 3 || chance(70))
		reply_right(ra1, &lname, &ldisp, 1);
	else
		reply_right(ra0, &lname, &ldisp, 1);
	if (rpc != 2 && chance(5)) {	/* a bad reply right */
		lname = chance(50) ? bad_name() : dead[pick(4)];
		ldisp = MACH_MSG_TYPE_COPY_SEND;
	}
	fill_message(bsize, step);
	sm.h.msgh_bits = MACH_MSGH_BITS(ddisp, ldisp);
	if (chance(3))
		sm.h.msgh_bits |= pick(2) ? MACH_MSGH_BITS_COMPLEX : 0x40000000u;
	sm.h.msgh_remote_port = dname;
	sm.h.msgh_local_port = lname;
	if (chance(30) || status(owner(t), t->rname).mps_qlimit == 0)
		opt |= MACH_SEND_TIMEOUT;
	if (rpc >= 2) {
		mach_msg_option_t ro;
		uint32_t rs;
		rcv_options(HDR + c.reply_size, &ro, &rs);
		opt |= ro | MACH_RCV_TIMEOUT;
		timeout = 100000;	/* as above: never reached */
		rcv_on = rpc == 2 ? ra0 : rset;
		size = HDR + bsize;
		memset((uint8_t *)&sm + size, FILL, sizeof sm - size);
		send_cmd(to_b, &c);
		wait_blocked(to_b ? bthread : a2_thread);
		s0 = stats();
		mr = mach_msg(&sm.h, opt, size, rs, rcv_on, timeout, 0);
		s1 = stats();
		dig_send(mr);
		if (mr == MACH_MSG_SUCCESS || (mr & 0xFFFFC000u) == 0x10004000u)	/* the receive's result */
			dig("reply", &sm, rs + GUARD);
	} else {
		send_cmd(to_b, &c);
		wait_blocked(to_b ? bthread : a2_thread);
		s0 = stats();
		mr = mach_msg(&sm.h, opt, size, 0, 0, 0, 0);
		s1 = stats();
		dig_send(mr);
	}
	if (s1.fastpath_hits != s0.fastpath_hits)
		fast_test_hits++;
	if ((mr & 0xFFFFC000u) == 0x10000000u && mr != MACH_MSG_SUCCESS) {	/* not sent: wake the receiver */
		struct target *w = use_set ? NULL : t;
		if (!w)
			for (int i = 0; i < NT; i++)
				if (tg[i].in_set && tg[i].in_b == to_b)
					w = &tg[i];
		/* through a send-once right, which no queue limit stops */
		mach_port_t got = MACH_PORT_NULL;
		mach_msg_type_name_t gt;
		mach_msg_header_t h = { 0 };
		mach_port_extract_right(owner(w), w->rname, MACH_MSG_TYPE_MAKE_SEND_ONCE, &got, &gt);
		h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
		h.msgh_remote_port = got;
		h.msgh_id = ID_FILLER;
		dig32("filler", mach_msg(&h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, HDR, 0, 0, 0, 0));
	}
	take_report();
	snprintf(what, 64, "wait %s%s %s body %u send %x rcv %x", to_b ? "B" : "A2", use_set ? " set" : "",
		 rpc < 2 ? "oneway" : rpc == 2 ? "rpc" : "rpc-set", (unsigned)bsize, (unsigned)mr, (unsigned)rp.rcv_mr);
}

/* A message with nobody waiting (maybe none), then a receive with a timeout on some name. */
static void
step_queued(uint32_t step, char *what, int send)
{
	int ti = pick(NT), to_b = send ? tg[ti].in_b : chance(50);
	struct cmd c;
	mach_port_name_t dname = 0, lname;
	mach_msg_type_name_t ddisp = 0, ldisp;
	mach_msg_option_t opt = MACH_SEND_MSG;
	uint32_t bsize = body_size(), timeout = 0;
	mach_msg_return_t mr = 0;

	if (send) {
		right_for(ti, &dname, &ddisp, 8);
		reply_right(pick(2) ? ra0 : ra1, &lname, &ldisp, 1);
		fill_message(bsize, step);
		sm.h.msgh_bits = MACH_MSGH_BITS(ddisp, ldisp);
		sm.h.msgh_remote_port = dname;
		sm.h.msgh_local_port = lname;
		if (chance(40)) {
			opt |= MACH_SEND_TIMEOUT;
			timeout = pick(4) ? 0 : 1 + pick(2);
		}
		/* a full queue would keep us waiting forever: only with a timeout */
		if (dname == tg[ti].sname || dname == tg[ti].rname)
			if ((ddisp == MACH_MSG_TYPE_COPY_SEND || ddisp == MACH_MSG_TYPE_MOVE_SEND ||
			     ddisp == MACH_MSG_TYPE_MAKE_SEND) &&
			    queued(ti) >= status(owner(&tg[ti]), tg[ti].rname).mps_qlimit)
				opt |= MACH_SEND_TIMEOUT;
		mr = mach_msg(&sm.h, opt, HDR + bsize, 0, 0, timeout, 0);
		dig_send(mr);
	}
	memset(&c, 0, sizeof c);
	switch (pick(6)) {
	case 0: c.name = to_b ? bset : aset; break;
	case 1: c.name = pick(2) ? bad_name() : (to_b ? bctl : ra0); break;	/* bad, or not ours to use */
	default: {
		int k = to_b ? pick(3) : 3 + pick(2);
		c.name = tg[send && tg[ti].in_b == to_b ? ti : k].rname;
	}
	}
	if (c.name == bctl)
		c.name = tg[0].rname;
	rcv_options(HDR + bsize, &c.option, &c.rcv_size);
	c.option |= MACH_RCV_TIMEOUT;
	c.timeout = pick(5) ? 0 : 1 + pick(2);
	c.reply = chance(50);
	c.reply_disp = chance(8) ? MACH_MSG_TYPE_MOVE_SEND_ONCE + pick(3) : 0;
	c.reply_local = chance(30) ? MACH_MSG_TYPE_MAKE_SEND_ONCE : 0;
	c.reply_size = body_size();
	c.reply_option = MACH_SEND_TIMEOUT;	/* a reply port's queue may be full */
	c.filler = to_b ? b_fill : 0;
	c.filler_recv = rfill;
	send_cmd(to_b, &c);
	take_report();
	snprintf(what, 64, "%s %s body %u send %x rcv %x", send ? "queued" : "receive", to_b ? "B" : "A2",
		 (unsigned)bsize, (unsigned)mr, (unsigned)rp.rcv_mr);
}

/* A port of B destroyed (A's rights to it become dead names) and a new one in its place. */
static void
step_kill(char *what)
{
	int ti = pick(3);
	struct target *t = &tg[ti];
	mach_port_name_t old = t->sname;

	dig32("destroy", mach_port_destroy(btask, t->rname));
	for (int j = 0; j < 4; j++)
		if (!dead[j] || pick(3) == 0) {
			if (dead[j])
				mach_port_destroy(ME, dead[j]);
			dead[j] = old;
			break;
		}
	for (int j = 0; j < 2; j++)
		if (t->so[j])
			mach_port_deallocate(ME, t->so[j]), t->so[j] = 0;
	t->sname = 0;
	dig32("allocate", mach_port_allocate(btask, MACH_PORT_RIGHT_RECEIVE, &t->rname));
	t->in_set = 0;
	snprintf(what, 64, "kill B port %d", ti);
}

static void
step_config(char *what)
{
	int ti = pick(NT);
	struct target *t = &tg[ti];

	if (pick(2)) {
		uint32_t q = 1 + pick(6);
		if (chance(15))
			q = 0;	/* no room even with a receiver waiting: the fast path once delivered */
		dig32("qlimit", mach_port_set_qlimit(owner(t), t->rname, q));
		snprintf(what, 64, "qlimit %d %u", ti, (unsigned)q);
	} else {
		mach_port_name_t set = t->in_b ? bset : aset;
		kern_return_t kr = mach_port_move_member(owner(t), t->rname, t->in_set ? MACH_PORT_NULL : set);
		dig32("move_member", kr);
		if (kr == KERN_SUCCESS)
			t->in_set = !t->in_set;
		snprintf(what, 64, "move %d %s", ti, t->in_set ? "in" : "out");
	}
}

/*
 * Rights the steps left lying about (reply rights received, send-once rights
 * made for replies): some given back, so that the spaces stay small. Only
 * names outside base[] (the names there after set-up) and A's inventory go.
 */
static mach_port_name_t base_a[64], base_b[64];
static uint32_t nbase_a, nbase_b;

static int
in_list(const mach_port_name_t *l, uint32_t n, mach_port_name_t x)
{
	for (uint32_t i = 0; i < n; i++)
		if (l[i] == x)
			return 1;
	return 0;
}

static int
inventory(mach_port_name_t x)
{
	for (int i = 0; i < NT; i++)
		if (x == tg[i].sname || x == tg[i].so[0] || x == tg[i].so[1] || x == tg[i].rname)
			return 1;
	return in_list(dead, 4, x);
}

static void
tidy(mach_port_t task, const mach_port_name_t *base, uint32_t nbase, int is_a)
{
	mach_port_name_t *names;
	mach_port_type_t *types;
	mach_msg_type_number_t n = 0, tn = 0;

	if (mach_port_names(task, &names, &n, &types, &tn) != KERN_SUCCESS)
		return;
	for (uint32_t i = 0; i < n; i++) {
		mach_port_urefs_t r = 0;
		if ((types[i] & MACH_PORT_TYPE_SEND) &&
		    mach_port_get_refs(task, names[i], MACH_PORT_RIGHT_SEND, &r) == KERN_SUCCESS && r > 8)
			mach_port_mod_refs(task, names[i], MACH_PORT_RIGHT_SEND, 4 - (int)r);
		if (in_list(base, nbase, names[i]) || (is_a && inventory(names[i])))
			continue;
		if (!is_a) {
			int ours = 0;
			for (int k = 0; k < 3; k++)
				ours |= names[i] == tg[k].rname;
			if (ours)
				continue;
		}
		if (n > 24 || chance(40))
			mach_port_deallocate(task, names[i]);
	}
	vm_deallocate(ME, (vm_address_t)names, n * sizeof *names);
	vm_deallocate(ME, (vm_address_t)types, tn * sizeof *types);
}

static void
record_base(mach_port_t task, mach_port_name_t *base, uint32_t *nbase)
{
	mach_port_name_t *names;
	mach_port_type_t *types;
	mach_msg_type_number_t n = 0, tn = 0;

	*nbase = 0;
	if (mach_port_names(task, &names, &n, &types, &tn) != KERN_SUCCESS)
		return;
	for (uint32_t i = 0; i < n && i < 64; i++)
		base[(*nbase)++] = names[i];
	vm_deallocate(ME, (vm_address_t)names, n * sizeof *names);
	vm_deallocate(ME, (vm_address_t)types, tn * sizeof *types);
}

static int
setup(void)
{
	mach_port_t host_priv = MACH_PORT_NULL, boot;
	mach_port_t *threads;
	mach_msg_type_number_t nth = 0;
	struct bigmsg m;
	uint32_t id;
	cthread_t a2;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &boot) != KERN_SUCCESS ||
	    mach_port_insert_right(ME, boot, boot, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    task_set_special_port(ME, TASK_BOOTSTRAP_PORT, boot) != KERN_SUCCESS ||
	    task_get_special_port(ME, TASK_HOST_PORT, &host_priv) != KERN_SUCCESS ||
	    trap_boot_module_start_port(host_priv, 1, MACH_PORT_NULL, &id, &btask) != KERN_SUCCESS)
		return -1;
	if (mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, boot, 10000, 0) != MACH_MSG_SUCCESS ||
	    m.h.msgh_id != ID_HELLO)
		return -2;
	rep = boot;
	bctl = m.h.msgh_remote_port;
	/* B is now blocked on its command port, and stays quiet but when told */
	if (task_threads(btask, &threads, &nth) != KERN_SUCCESS || nth != 1)
		return -3;
	bthread = threads[0];
	vm_deallocate(ME, (vm_address_t)threads, nth * sizeof *threads);

	a2_rep = rep;
	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &a2_ctl) != KERN_SUCCESS ||
	    mach_port_insert_right(ME, a2_ctl, a2_ctl, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    cthread_fork(&a2, a2_main, NULL) != KERN_SUCCESS)
		return -4;
	while (!a2_thread)
		thread_switch(MACH_PORT_NULL, 0, 0);
	wait_blocked(a2_thread);

	for (int i = 0; i < NT; i++) {
		tg[i].in_b = i < 3;
		if (mach_port_allocate(owner(&tg[i]), MACH_PORT_RIGHT_RECEIVE, &tg[i].rname) != KERN_SUCCESS)
			return -5;
		if (!tg[i].in_b)
			tg[i].sname = tg[i].rname;
	}
	if (mach_port_allocate(btask, MACH_PORT_RIGHT_PORT_SET, &bset) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &aset) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &rset) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &ra0) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &ra1) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &rfill) != KERN_SUCCESS ||
	    mach_port_move_member(ME, ra1, rset) != KERN_SUCCESS ||
	    mach_port_move_member(ME, rfill, rset) != KERN_SUCCESS ||
	    mach_port_move_member(btask, tg[2].rname, bset) != KERN_SUCCESS ||
	    mach_port_move_member(ME, tg[4].rname, aset) != KERN_SUCCESS)
		return -6;
	tg[2].in_set = tg[4].in_set = 1;
	b_fill = 0x7013;
	if (mach_port_insert_right(btask, b_fill, rfill, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS)
		return -7;
	/* dead names to send to: ports of B destroyed */
	for (int j = 0; j < 2; j++) {
		struct target t = { .in_b = 1 };
		if (mach_port_allocate(btask, MACH_PORT_RIGHT_RECEIVE, &t.rname) != KERN_SUCCESS ||
		    make_send_in_a(&t) != KERN_SUCCESS || mach_port_destroy(btask, t.rname) != KERN_SUCCESS)
			return -8;
		dead[j] = t.sname;
	}
	mach_port_deallocate(ME, host_priv);
	top_up();
	record_base(ME, base_a, &nbase_a);
	record_base(btask, base_b, &nbase_b);
	return 0;
}

int
main(int argc, char **argv)
{
	uint32_t steps = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1000, seed = 1;
	struct manifold_kernel_stats s0, s1;
	char what[64];
	int r;

	if (argc > 1 && strcmp(argv[1], "peer") == 0)
		return peer_main();
	if (argc > 2)
		seed = (uint32_t)strtoul(argv[2], NULL, 0);
	for (int i = 3; i < argc; i++) {
		if (strncmp(argv[i], "verbose=", 8) == 0)
			verbose_step = (uint32_t)strtoul(argv[i] + 8, NULL, 0);
	}
	r = setup();
	if (r) {
		printf("equivtest: set-up failed (%d)\n", r);
		trap_debug_exit(0x11);
	}
	s0 = stats();
	printf("equivtest: %u steps, seed %u, fast path %s\n", (unsigned)steps, (unsigned)seed,
	       s0.fastpath_enabled ? "on" : "off");
	suite_seed(seed * 2 + 1);	/* suite_seed keeps only odd seeds: 2 and 3 would be one stream */
	cur_step = ~0u - 1;
	dig_space("A", ME);
	dig_space("B", btask);
	items_len = 0;
	items[0] = 0;
	for (uint32_t i = 0; i < steps; i++) {
		uint32_t k = pick(100);
		cur_step = i;
		top_up();
		if (k < 55)
			step_waiting(i, what);
		else if (k < 80)
			step_queued(i, what, 1);
		else if (k < 88)
			step_queued(i, what, 0);
		else if (k < 91)
			step_kill(what);
		else
			step_config(what);
		if (chance(30))
			drain_all();
		tidy(ME, base_a, nbase_a, 1);
		tidy(btask, base_b, nbase_b, 0);
		dig_space("A", ME);
		dig_space("B", btask);
		printf("step %u %08x%08x %s\n", (unsigned)i, (unsigned)(digest >> 32), (unsigned)digest, what);
		printf("items %u%s\n", (unsigned)i, items);
		items_len = 0;
		items[0] = 0;
	}
	s1 = stats();
	printf("equivtest: fast path hits %u (test messages %u of %u steps)\n",
	       (unsigned)(s1.fastpath_hits - s0.fastpath_hits), (unsigned)fast_test_hits, (unsigned)steps);
	printf("equivtest: digest %08x%08x\n", (unsigned)(digest >> 32), (unsigned)digest);
	trap_debug_exit(0x10);
	return 0;
}

