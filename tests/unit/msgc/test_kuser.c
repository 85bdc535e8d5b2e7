/*
 * The kernel's client target (msgc -K) against the user-space target, built for 32
 * bits so that a struct kmsg holds pointers where the kernel's does. kinds.defs'
 * requests built by kreq_* must be laid out as kinds_client.c's stubs lay them out,
 * must be served by the generated demultiplexer kinds_server after the copy-out a
 * receiving task gets, and the replies, copied in, must decode with kreply_* as the
 * user stubs decode them; malformed replies must be refused with the stubs' errors
 * and the out-parameters left alone. Here, not in the kernel: kzalloc and kfree
 * (counted, and able to fail), ports (a table: port i is name 0x100 + i), copy-out and
 * copy-in as kernel/ipc/msg.c does them for byte copies, and the user stubs' mach_msg
 * (it keeps the request and sends nothing). After each case no kernel block or
 * out-of-line region may be left.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kinds_client.h"
#include "kinds_handlers.h"
#include "kinds_kuser.h"
#include "ool_table.h"
#include "test.h"

#define NPORTS		16
#define NAME_BASE	0x100u
#define SERVER_NAME	0x2000u		/* the receiver's name for the port requests arrive on */
#define USER_REPLY_NAME	0x3000u
#define MSG_MAX		65536u

static struct port ports[NPORTS];
#define SERVER	(&ports[0])
#define REPLY	(&ports[15])

bool test_failed;
static char failure[512];

void
test_fail(const char *file, int line, const char *what)
{
	if (!test_failed)
		snprintf(failure, sizeof(failure), "%s:%d: %s", file, line, what);
	test_failed = true;
}

/* The kernel heap: its blocks are kept, to count them and free what a failed case left. */
#define KBLOCKS 64
static void *kblock[KBLOCKS];
static int kblocks;
static int kalloc_fails_in = -1;	/* this many more succeed, then one fails; -1: none */

void *
kzalloc(size_t size)
{
	void *p;
	int i;

	if (kalloc_fails_in == 0) {
		kalloc_fails_in = -1;
		return NULL;
	}
	if (kalloc_fails_in > 0)
		kalloc_fails_in--;
	for (i = 0; i < KBLOCKS && kblock[i] != NULL; i++)
		;
	p = calloc(1, size ? size : 1);
	if (p == NULL || i == KBLOCKS)
		abort();
	kblock[i] = p;
	kblocks++;
	return p;
}

void
kfree(void *p)
{
	for (int i = 0; p != NULL && i < KBLOCKS; i++) {
		if (kblock[i] == p) {
			kblock[i] = NULL;
			kblocks--;
			free(p);
			return;
		}
	}
	if (p != NULL)
		abort();	/* not a kernel block */
}

static void
kfree_all(void)
{
	for (int i = 0; i < KBLOCKS; i++)
		kfree(kblock[i]);
}

static mach_port_name_t
name_of(const struct port *p)
{
	return p ? NAME_BASE + (mach_port_name_t)(p - ports) : MACH_PORT_NULL;
}

static struct port *
port_of(mach_port_name_t name)
{
	return name >= NAME_BASE && name < NAME_BASE + NPORTS ? &ports[name - NAME_BASE] : NULL;
}

/* The right a disposition leaves in a message (msg.c's carried_by). */
static mach_msg_type_name_t
carried_by(mach_msg_type_name_t disposition)
{
	switch (disposition) {
	case MACH_MSG_TYPE_MOVE_RECEIVE:
		return MACH_MSG_TYPE_PORT_RECEIVE;
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		return MACH_MSG_TYPE_PORT_SEND_ONCE;
	default:
		return MACH_MSG_TYPE_PORT_SEND;
	}
}

static mach_msg_descriptor_t *
descriptors(mach_msg_header_t *m, uint32_t *count)
{
	mach_msg_body_t *body = (mach_msg_body_t *)(m + 1);

	*count = (m->msgh_bits & MACH_MSGH_BITS_COMPLEX) ? body->msgh_descriptor_count : 0;
	return (mach_msg_descriptor_t *)(body + 1);
}

/* kmsg_destroy for the copies of this test (bytes, port arrays); the ports are static. */
static void
destroy(struct kmsg *k)
{
	uint32_t n;
	mach_msg_descriptor_t *d = descriptors(k->msg, &n);

	for (uint32_t i = 0; i < n && i < 32; i++)
		if (k->kcopies & (1u << i))
			kfree((void *)(uintptr_t)d[i].out_of_line.address);
	kfree(k);
}

/* The user stubs' runtime: mach_msg keeps what a stub sends and fails the send. */
static uint8_t user_request[MSG_MAX];
static uint32_t user_request_size;

mach_msg_return_t
mach_msg(mach_msg_header_t *msg, mach_msg_option_t option, mach_msg_size_t send_size,
    mach_msg_size_t rcv_size, mach_port_t rcv_name, mach_msg_timeout_t timeout, mach_port_t notify)
{
	(void)option, (void)rcv_size, (void)rcv_name, (void)timeout, (void)notify;
	memcpy(user_request, msg, send_size);
	user_request_size = send_size;
	return MACH_SEND_INVALID_DEST;
}

mach_port_t
mig_get_reply_port(void)
{
	return USER_REPLY_NAME;
}

void
mig_dealloc_reply_port(mach_port_t reply_port)
{
	(void)reply_port;
}

/* The server loop's: a refused request's memory goes back (its ports are names only). */
void
mach_msg_destroy(mach_msg_header_t *m)
{
	uint32_t n;
	mach_msg_descriptor_t *d = descriptors(m, &n);

	for (uint32_t i = 0; i < n; i++)
		if (d[i].type.type == MACH_MSG_OOL_DESCRIPTOR ||
		    d[i].type.type == MACH_MSG_OOL_PORTS_DESCRIPTOR)
			ool_free((void *)(uintptr_t)d[i].out_of_line.address);
}

/*
 * Whether the kernel's request k is the user stub's request as sent: the same bytes,
 * but for what the kernel holds differently (rights carried instead of dispositions,
 * pointers instead of names and addresses).
 */
static bool
same_as_user_request(struct kmsg *k)
{
	mach_msg_header_t *u = (mach_msg_header_t *)user_request;
	mach_msg_descriptor_t *kd, *ud;
	uint32_t kn, un, off;

	if (k->size != user_request_size || k->msg->msgh_size != k->size ||
	    k->msg->msgh_id != u->msgh_id ||
	    k->msg->msgh_bits != (MACH_MSGH_BITS(carried_by(MACH_MSGH_BITS_REMOTE(u->msgh_bits)),
		MACH_MSGH_BITS_LOCAL(u->msgh_bits) ? carried_by(MACH_MSGH_BITS_LOCAL(u->msgh_bits)) : 0) |
		(u->msgh_bits & MACH_MSGH_BITS_COMPLEX)) ||
	    k->remote_type != MACH_MSGH_BITS_REMOTE(k->msg->msgh_bits) ||
	    k->local_type != MACH_MSGH_BITS_LOCAL(k->msg->msgh_bits))
		return false;
	kd = descriptors(k->msg, &kn);
	ud = descriptors(u, &un);
	if (kn != un)
		return false;
	for (uint32_t i = 0; i < kn; i++) {
		mach_msg_port_descriptor_t *kp = &kd[i].port, *up = &ud[i].port;
		mach_msg_ool_descriptor_t *ko = &kd[i].out_of_line, *uo = &ud[i].out_of_line;
		mach_msg_ool_ports_descriptor_t *ka = &kd[i].ool_ports, *ua = &ud[i].ool_ports;

		if (kd[i].type.type != ud[i].type.type)
			return false;
		if (kd[i].type.type == MACH_MSG_PORT_DESCRIPTOR &&
		    kp->disposition != carried_by(up->disposition))
			return false;
		if (kd[i].type.type == MACH_MSG_OOL_DESCRIPTOR &&
		    (ko->size != uo->size || ko->deallocate != uo->deallocate || ko->copy != uo->copy))
			return false;
		if (kd[i].type.type == MACH_MSG_OOL_PORTS_DESCRIPTOR &&
		    (ka->count != ua->count || ka->disposition != carried_by(ua->disposition) ||
			ka->deallocate != ua->deallocate || ka->copy != ua->copy))
			return false;
	}
	off = sizeof(mach_msg_header_t) + (kn ? sizeof(mach_msg_body_t) + kn * 12 : 0);
	return off <= k->size && memcmp((uint8_t *)k->msg + off, user_request + off, k->size - off) == 0;
}

/*
 * What the receiving task gets for k (msg.c's copy-out, for byte copies): names for
 * rights, fresh regions for copies. Consumes k.
 */
static void
copy_out(struct kmsg *k, mach_msg_header_t *m)
{
	uint32_t n;
	mach_msg_descriptor_t *d;

	memcpy(m, k->msg, k->size);
	m->msgh_bits = (k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) |
	    MACH_MSGH_BITS(k->local ? k->local_type : 0, k->remote_type);
	m->msgh_remote_port = name_of(k->local);
	m->msgh_local_port = SERVER_NAME;
	d = descriptors(m, &n);
	for (uint32_t i = 0; i < n; i++) {
		bool copied = i < 32 && (k->kcopies & (1u << i));

		if (d[i].type.type == MACH_MSG_PORT_DESCRIPTOR) {
			d[i].port.name = name_of((struct port *)(uintptr_t)d[i].port.name);
		} else if (d[i].type.type == MACH_MSG_OOL_DESCRIPTOR) {
			mach_msg_ool_descriptor_t *o = &d[i].out_of_line;
			void *region = NULL;
			if (copied) {
				region = ool_alloc(o->size);
				memcpy(region, (void *)(uintptr_t)o->address, o->size);
				kfree((void *)(uintptr_t)o->address);
			}
			o->address = (vm_address_t)(uintptr_t)region;
			o->deallocate = 0;
			o->copy = MACH_MSG_VIRTUAL_COPY;
		} else if (d[i].type.type == MACH_MSG_OOL_PORTS_DESCRIPTOR) {
			mach_msg_ool_ports_descriptor_t *o = &d[i].ool_ports;
			mach_port_name_t *names = NULL;
			if (copied) {
				struct port **a = (struct port **)(uintptr_t)o->address;
				names = ool_alloc(o->count * sizeof(mach_port_name_t));
				for (uint32_t j = 0; j < o->count; j++)
					names[j] = name_of(a[j]);
				kfree(a);
			}
			o->address = (vm_address_t)(uintptr_t)names;
			o->deallocate = 0;
		}
	}
	kfree(k);
}

/* What the kernel holds for a message the task sent (msg.c's copy-in, for byte copies). */
static struct kmsg *
copy_in(const mach_msg_header_t *m)
{
	struct kmsg *k = kzalloc(sizeof(*k) + m->msgh_size);
	mach_msg_descriptor_t *d;
	uint32_t n;

	memcpy(k->msg, m, m->msgh_size);
	k->size = m->msgh_size;
	k->remote = port_of(m->msgh_remote_port);
	k->remote_type = carried_by(MACH_MSGH_BITS_REMOTE(m->msgh_bits));
	d = descriptors(k->msg, &n);
	for (uint32_t i = 0; i < n; i++) {
		if (d[i].type.type == MACH_MSG_PORT_DESCRIPTOR) {
			d[i].port.name = (mach_port_name_t)(uintptr_t)port_of(d[i].port.name);
			d[i].port.disposition = (uint8_t)carried_by(d[i].port.disposition);
		} else if (d[i].type.type == MACH_MSG_OOL_DESCRIPTOR && d[i].out_of_line.size) {
			mach_msg_ool_descriptor_t *o = &d[i].out_of_line;
			void *copy = kzalloc(o->size), *region = (void *)(uintptr_t)o->address;
			memcpy(copy, region, o->size);
			if (o->deallocate)
				ool_free(region);
			o->address = (vm_address_t)(uintptr_t)copy;
			k->kcopies |= 1u << i;
		} else if (d[i].type.type == MACH_MSG_OOL_PORTS_DESCRIPTOR && d[i].ool_ports.count) {
			mach_msg_ool_ports_descriptor_t *o = &d[i].ool_ports;
			mach_port_name_t *names = (mach_port_name_t *)(uintptr_t)o->address;
			struct port **a = kzalloc(o->count * sizeof(*a));
			for (uint32_t j = 0; j < o->count; j++)
				a[j] = port_of(names[j]);
			if (o->deallocate)
				ool_free(names);
			o->address = (vm_address_t)(uintptr_t)a;
			o->disposition = (uint8_t)carried_by(o->disposition);
			k->kcopies |= 1u << i;
		}
	}
	return k;
}

/* Lets a case corrupt the server's reply before the kernel takes it in. */
static void (*mutate_reply)(mach_msg_header_t *reply);

/*
 * The task's side of a request from the kernel: copy-out, the generated demux, and
 * the server loop's rules (tools/msgc/README.md). The reply as the kernel holds it,
 * or NULL when none is sent. Consumes request.
 */
static struct kmsg *
serve(struct kmsg *request)
{
	static union {
		mach_msg_header_t h;
		uint8_t bytes[KINDS_REQUEST_MAX_SIZE];
	} in;
	static union {
		mach_msg_header_t h;
		uint8_t bytes[KINDS_REPLY_MAX_SIZE + 64];	/* room for a case to lengthen it */
	} out;
	kern_return_t ret;
	bool error;

	copy_out(request, &in.h);
	kinds_server(&in.h, &out.h);
	memcpy(&ret, out.bytes + sizeof(mach_msg_header_t), sizeof(ret));
	error = !(out.h.msgh_bits & MACH_MSGH_BITS_COMPLEX) && ret != KERN_SUCCESS;
	if (error && ret != MIG_NO_REPLY)
		mach_msg_destroy(&in.h);
	if (out.h.msgh_remote_port == MACH_PORT_NULL || (error && ret == MIG_NO_REPLY))
		return NULL;
	if (out.h.msgh_remote_port != name_of(REPLY)) {
		test_fail(__FILE__, __LINE__, "the reply does not go to the kernel's reply port");
		return NULL;
	}
	if (mutate_reply)
		mutate_reply(&out.h);
	return copy_in(&out.h);
}

static struct kern_ool
kernel_copy(const void *data, uint32_t size)
{
	struct kern_ool o = { 0 };

	if (size) {
		o.copy = kzalloc(size);
		memcpy(o.copy, data, size);
		o.size = size;
	}
	return o;
}

static void
start(void)
{
	memset(&kinds_state, 0, sizeof(kinds_state));
	mutate_reply = NULL;
	kalloc_fails_in = -1;
	user_request_size = 0;
}

#define SEND MACH_MSG_TYPE_PORT_SEND
#define ONCE MACH_MSG_TYPE_PORT_SEND_ONCE

static void
requests_are_laid_out_as_the_user_stubs_lay_them_out(void)
{
	int32_t v[4] = { 1, -2, 3, -4 }, rev[4];
	uint8_t data[64], echo[64], blob[300];
	uint16_t s[8] = { 10, 20, 30 };
	uint32_t words[1024], total;
	mach_msg_type_number_t echoCnt = 64, sCnt = 3, copyCnt;
	char upper[32], first[16], edit[32] = "draft";
	mach_port_t given, given_once;
	struct kern_ool kblob, kwords;
	uint8_t *copy;
	int64_t sum;
	uint32_t acc = 20;
	int32_t y;
	struct kmsg *k;

	start();
	for (int i = 0; i < 64; i++)
		data[i] = (uint8_t)(i * 7);
	for (int i = 0; i < 300; i++)
		blob[i] = (uint8_t)i;
	for (uint32_t i = 0; i < 1024; i++)
		words[i] = i * 3;

	kinds_ints(SERVER_NAME, -5, 60000, -100000, 1LL << 40, 1, &sum, &acc);
	k = NULL;	/* a new kmsg, not a room */
	CHECK_EQ(kreq_kinds_ints(&k, SERVER, SEND, REPLY, ONCE, -5, 60000, -100000, 1LL << 40, 1, 20), KERN_SUCCESS);
	CHECK(same_as_user_request(k));
	destroy(k);

	kinds_arrays(SERVER_NAME, v, data, 64, rev, echo, &echoCnt, s, &sCnt);
	k = NULL;
	CHECK_EQ(kreq_kinds_arrays(&k, SERVER, SEND, REPLY, ONCE, v, data, 64, s, 3), KERN_SUCCESS);
	CHECK(same_as_user_request(k));
	destroy(k);

	kinds_strings(SERVER_NAME, "fifteen chars..", "a/path", upper, first, edit);
	k = NULL;
	CHECK_EQ(kreq_kinds_strings(&k, SERVER, SEND, REPLY, ONCE, "fifteen chars..", "a/path", "draft"),
	    KERN_SUCCESS);
	CHECK(same_as_user_request(k));
	destroy(k);

	kinds_ports(SERVER_NAME, 0x101, 0x102, 0x103, 0x104, 0x105, 0x106, &given, &given_once);
	k = NULL;
	CHECK_EQ(kreq_kinds_ports(&k, SERVER, SEND, REPLY, ONCE, &ports[1], &ports[2], &ports[3], &ports[4],
	    &ports[5], &ports[6]), KERN_SUCCESS);
	CHECK(same_as_user_request(k));
	destroy(k);

	kinds_ool(SERVER_NAME, blob, 300, words, 1024, &copy, &copyCnt, &total);
	kblob = kernel_copy(blob, 300);
	kwords = kernel_copy(words, sizeof(words));
	k = NULL;
	CHECK_EQ(kreq_kinds_ool(&k, SERVER, SEND, REPLY, ONCE, &kblob, 300, &kwords, 1024), KERN_SUCCESS);
	CHECK(same_as_user_request(k));
	destroy(k);

	kinds_notify(SERVER_NAME, 77, "note");
	k = NULL;
	CHECK_EQ(kreq_kinds_notify(&k, SERVER, SEND, 77, "note"), KERN_SUCCESS);
	CHECK(same_as_user_request(k));
	CHECK(k->local == NULL && k->local_type == 0);
	destroy(k);

	kinds_ping(SERVER_NAME);
	k = NULL;
	CHECK_EQ(kreq_kinds_ping(&k, SERVER, SEND, REPLY, ONCE), KERN_SUCCESS);
	CHECK(same_as_user_request(k));
	CHECK(k->remote == SERVER && k->local == REPLY);
	destroy(k);

	kinds_timed(SERVER_NAME, 21, &y);
	k = NULL;
	CHECK_EQ(kreq_kinds_timed(&k, SERVER, SEND, REPLY, ONCE, 21), KERN_SUCCESS);
	CHECK(same_as_user_request(k));
	destroy(k);

	/* an inline port array: four descriptors, nulls past the count, the count inline */
	{
		mach_port_t names[2] = { 0x101, 0x102 }, back[4];
		mach_msg_type_number_t backCnt = 4;
		struct port *list[2] = { &ports[1], &ports[2] };

		kinds_port_list(SERVER_NAME, names, 2, back, &backCnt);
		k = NULL;
		CHECK_EQ(kreq_kinds_port_list(&k, SERVER, SEND, REPLY, ONCE, list, 2), KERN_SUCCESS);
		CHECK(same_as_user_request(k));
		destroy(k);
		k = NULL;
		CHECK_EQ(kreq_kinds_port_list(&k, SERVER, SEND, REPLY, ONCE, list, 5), MIG_ARRAY_TOO_LARGE);
		CHECK(k == NULL);
	}
}

static void
integers_round_trip_through_the_demux(void)
{
	struct kmsg *k;
	int64_t sum = 0;
	uint32_t acc = 0;

	start();
	k = NULL;
	CHECK_EQ(kreq_kinds_ints(&k, SERVER, SEND, REPLY, ONCE, -5, 60000, -100000, 1LL << 40, 1, 20), KERN_SUCCESS);
	k = serve(k);
	CHECK(k != NULL);
	CHECK_EQ(kreply_kinds_ints(k, &sum, &acc), KERN_SUCCESS);
	destroy(k);
	CHECK_EQ(sum, -5 + 60000 - 100000 + (1LL << 40) + 1);
	CHECK_EQ(acc, 41);	/* doubled by the server, plus one: it came on the server's port */
	CHECK_EQ(kinds_state.calls, 1);
}

static void
arrays_round_trip_through_the_demux(void)
{
	int32_t v[4] = { 1, -2, 3, -4 }, rev[4] = { 0 };
	uint8_t data[64], echo[64];
	uint16_t s[8] = { 10, 20, 30 };
	mach_msg_type_number_t echoCnt = 64, sCnt = 8;
	struct kmsg *k;

	start();
	for (int i = 0; i < 64; i++)
		data[i] = (uint8_t)(i * 7);
	k = NULL;
	CHECK_EQ(kreq_kinds_arrays(&k, SERVER, SEND, REPLY, ONCE, v, data, 64, s, 3), KERN_SUCCESS);
	k = serve(k);
	CHECK(k != NULL);
	CHECK_EQ(kreply_kinds_arrays(k, rev, echo, &echoCnt, s, &sCnt), KERN_SUCCESS);
	destroy(k);
	CHECK_EQ(rev[0], -4);
	CHECK_EQ(rev[3], 1);
	CHECK_EQ(echoCnt, 64);
	CHECK(memcmp(echo, data, 64) == 0);
	CHECK_EQ(sCnt, 4);
	CHECK_EQ(s[0], 11);
	CHECK_EQ(s[3], 0xbeef);
}

static void
strings_round_trip_through_the_demux(void)
{
	char upper[32], first[16], edit[32] = "";
	struct kmsg *k;

	start();
	k = NULL;
	CHECK_EQ(kreq_kinds_strings(&k, SERVER, SEND, REPLY, ONCE, "fifteen chars..",
	    "abcdefghijklmnopqrstuvwxyz01234", "draft"), KERN_SUCCESS);
	k = serve(k);
	CHECK(k != NULL);
	CHECK_EQ(kreply_kinds_strings(k, upper, first, edit), KERN_SUCCESS);
	destroy(k);
	CHECK(strcmp(upper, "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234") == 0);
	CHECK(strcmp(first, "fifteen chars..") == 0);
	CHECK(strcmp(edit, "draft!") == 0);
}

static void
ports_round_trip_and_their_rights_move_to_the_caller(void)
{
	struct port *given = NULL, *given_once = NULL;
	mach_msg_descriptor_t *d;
	struct kmsg *k;
	uint32_t n;

	start();
	k = NULL;
	CHECK_EQ(kreq_kinds_ports(&k, SERVER, SEND, REPLY, ONCE, &ports[1], &ports[2], &ports[3], &ports[4],
	    &ports[5], &ports[6]), KERN_SUCCESS);
	d = descriptors(k->msg, &n);
	CHECK_EQ(n, 6);
	CHECK(d[0].port.name == (uintptr_t)&ports[1] && d[5].port.name == (uintptr_t)&ports[6]);
	CHECK_EQ(d[1].port.disposition, MACH_MSG_TYPE_PORT_SEND);	/* MAKE_SEND: a send right */
	CHECK_EQ(d[3].port.disposition, MACH_MSG_TYPE_PORT_SEND_ONCE);
	CHECK_EQ(d[5].port.disposition, MACH_MSG_TYPE_PORT_RECEIVE);
	k = serve(k);
	CHECK(k != NULL);
	CHECK_EQ(kinds_state.ports[0], 0x101);	/* the demux took each one as the right its type names */
	CHECK_EQ(kinds_state.ports[5], 0x106);
	CHECK_EQ(kreply_kinds_ports(k, &given, &given_once), KERN_SUCCESS);
	CHECK(given == &ports[2]);		/* the server gives back copy + 1 and recv + 1 */
	CHECK(given_once == &ports[7]);
	d = descriptors(k->msg, &n);
	CHECK_EQ(n, 2);
	CHECK(d[0].port.name == MACH_PORT_NULL && d[1].port.name == MACH_PORT_NULL);	/* ours now */
	destroy(k);
}

static void
out_of_line_memory_round_trips_and_the_copy_moves_to_the_caller(void)
{
	uint8_t blob[300];
	uint32_t words[1024], total = 0, expect = 0;
	struct kern_ool kblob, kwords, copy = { 0 };
	mach_msg_type_number_t copyCnt = 0;
	struct kmsg *k;

	start();
	for (int i = 0; i < 300; i++)
		blob[i] = (uint8_t)i;
	for (uint32_t i = 0; i < 1024; i++)
		expect += words[i] = i * 3;
	kblob = kernel_copy(blob, 300);
	kwords = kernel_copy(words, sizeof(words));
	k = NULL;
	CHECK_EQ(kreq_kinds_ool(&k, SERVER, SEND, REPLY, ONCE, &kblob, 300, &kwords, 1024), KERN_SUCCESS);
	CHECK_EQ(k->kcopies, 3u);	/* the message took both copies */
	k = serve(k);
	CHECK(k != NULL);
	CHECK_EQ(kreply_kinds_ool(k, &copy, &copyCnt, &total), KERN_SUCCESS);
	CHECK_EQ(k->kcopies, 0u);
	destroy(k);
	CHECK_EQ(total, expect);
	CHECK_EQ(copyCnt, 300);
	CHECK(copy.copy != NULL && !copy.virt && copy.size == 300);
	for (int i = 0; i < 300; i++)
		CHECK_EQ(((uint8_t *)copy.copy)[i], (uint8_t)~i);
	kfree(copy.copy);
}

static void
empty_out_of_line_memory_round_trips(void)
{
	struct kern_ool none = { 0 }, copy = { (void *)1, true, 9 };
	mach_msg_type_number_t copyCnt = 9;
	uint32_t total = 9;
	struct kmsg *k;

	start();
	k = NULL;
	CHECK_EQ(kreq_kinds_ool(&k, SERVER, SEND, REPLY, ONCE, &none, 0, &none, 0), KERN_SUCCESS);
	CHECK_EQ(k->kcopies, 0u);
	k = serve(k);
	CHECK(k != NULL);
	CHECK_EQ(kreply_kinds_ool(k, &copy, &copyCnt, &total), KERN_SUCCESS);
	destroy(k);
	CHECK(copy.copy == NULL);
	CHECK_EQ(copyCnt, 0);
	CHECK_EQ(total, 0);
}

static void
one_way_message_is_served_without_a_reply(void)
{
	struct kmsg *k;

	start();
	k = NULL;
	CHECK_EQ(kreq_kinds_notify(&k, SERVER, ONCE, 77, "note"), KERN_SUCCESS);
	CHECK(k->remote == SERVER && k->remote_type == ONCE);
	CHECK(serve(k) == NULL);
	CHECK_EQ(kinds_state.notify_code, 77);
	CHECK(strcmp(kinds_state.notify_note, "note") == 0);
}

static void
smallest_routine_round_trips(void)
{
	struct kmsg *k;

	start();
	k = NULL;
	CHECK_EQ(kreq_kinds_ping(&k, SERVER, SEND, REPLY, ONCE), KERN_SUCCESS);
	CHECK_EQ(k->size, sizeof(mach_msg_header_t));
	k = serve(k);
	CHECK(k != NULL);
	CHECK_EQ(kreply_kinds_ping(k), KERN_SUCCESS);
	destroy(k);
}

/* The builders check what the stubs check, and take nothing when they refuse. */
static void
request_arguments_out_of_bounds_take_nothing(void)
{
	struct kmsg_room room;
	struct kmsg *k;
	uint8_t data[65] = { 0 };
	char label[16];
	struct kern_ool blob;

	start();
	k = &room.k;
	CHECK_EQ(kreq_kinds_arrays(&k, SERVER, SEND, REPLY, ONCE, (int32_t[4]){ 0 }, data, 65, NULL, 0),
	    MIG_ARRAY_TOO_LARGE);
	k = &room.k;
	CHECK_EQ(kreq_kinds_arrays(&k, SERVER, SEND, REPLY, ONCE, (int32_t[4]){ 0 }, data, 0,
	    (uint16_t[9]){ 0 }, 9), MIG_ARRAY_TOO_LARGE);
	memset(label, 'x', sizeof(label));	/* no NUL within its 16 bytes */
	k = &room.k;
	CHECK_EQ(kreq_kinds_strings(&k, SERVER, SEND, REPLY, ONCE, label, "", ""), MIG_ARRAY_TOO_LARGE);
	k = &room.k;
	CHECK_EQ(kreq_kinds_notify(&k, SERVER, SEND, 1,
	    "a note that is longer than thirty-two bytes"), MIG_ARRAY_TOO_LARGE);
	k = &room.k;
	CHECK_EQ(kreq_kinds_ool(&k, SERVER, SEND, REPLY, ONCE, &(struct kern_ool){ 0 }, 0,
	    &(struct kern_ool){ 0 }, 1025), MIG_ARRAY_TOO_LARGE);
	blob = kernel_copy(data, 64);
	k = &room.k;
	CHECK_EQ(kreq_kinds_ool(&k, SERVER, SEND, REPLY, ONCE, &blob, 65, &(struct kern_ool){ 0 }, 0),
	    KERN_INVALID_ARGUMENT);	/* the copy holds 64 bytes, not 65 */
	k = &room.k;
	CHECK_EQ(kreq_kinds_ool(&k, SERVER, SEND, REPLY, ONCE, &(struct kern_ool){ 0 }, 4,
	    &(struct kern_ool){ 0 }, 0), KERN_INVALID_ARGUMENT);	/* no copy for 4 bytes */
	CHECK(k == &room.k);
	CHECK_EQ(kblocks, 1);		/* only blob's copy, still ours */
	kfree(blob.copy);
}

static void
request_without_memory_takes_nothing(void)
{
	struct kmsg *k;
	struct kern_ool blob;

	start();
	blob = kernel_copy("bytes", 5);
	kalloc_fails_in = 0;
	k = NULL;
	CHECK_EQ(kreq_kinds_ool(&k, SERVER, SEND, REPLY, ONCE, &blob, 5, &(struct kern_ool){ 0 }, 0),
	    KERN_RESOURCE_SHORTAGE);
	CHECK(k == NULL);
	kfree(blob.copy);
}

/*
 * A request built in the caller's room (as syscall_port.c builds its own) is
 * the same request, and no memory is taken for it; the room's old bytes,
 * padding included, never show.
 */
static void
request_built_in_a_room_is_the_same_and_takes_no_memory(void)
{
	char upper[32], first[16], edit[32] = "draft";
	struct kmsg_room room;
	struct kmsg *k;

	start();
	memset(&room, 0xa5, sizeof(room));
	kinds_strings(SERVER_NAME, "fifteen chars..", "a/path", upper, first, edit);
	k = &room.k;
	CHECK_EQ(kreq_kinds_strings(&k, SERVER, SEND, REPLY, ONCE, "fifteen chars..", "a/path", "draft"),
	    KERN_SUCCESS);
	CHECK(k == &room.k);
	CHECK_EQ(kblocks, 0);
	CHECK(same_as_user_request(k));
	CHECK(k->kcopies == 0 && k->payer == NULL && k->charge == 0 && k->sender == 0);
	CHECK(k->remote == SERVER && k->local == REPLY);
}

/* Serves a kinds_ports request whose reply mutate_reply may have changed, and decodes it. */
static kern_return_t
ports_reply(struct port **given, struct port **given_once, struct kmsg **reply)
{
	struct kmsg *k;

	k = NULL;
	if (kreq_kinds_ports(&k, SERVER, SEND, REPLY, ONCE, &ports[1], &ports[2], &ports[3], &ports[4],
	    &ports[5], &ports[6]) != KERN_SUCCESS)
		return KERN_FAILURE;
	*reply = serve(k);
	return *reply ? kreply_kinds_ports(*reply, given, given_once) : KERN_FAILURE;
}

static void
handler_error_is_returned_and_outputs_stay_untouched(void)
{
	struct port *given = (struct port *)1, *given_once = (struct port *)2;
	struct kmsg *reply;

	start();
	kinds_state.fail_with = KERN_INVALID_ARGUMENT;
	CHECK_EQ(ports_reply(&given, &given_once, &reply), KERN_INVALID_ARGUMENT);
	destroy(reply);
	CHECK(given == (struct port *)1 && given_once == (struct port *)2);
}

static void
wrong_id(mach_msg_header_t *m)
{
	m->msgh_id++;
}

static void
reply_with_another_id_is_a_mismatch(void)
{
	struct port *given = (struct port *)1, *given_once = (struct port *)2;
	struct kmsg *reply;

	start();
	mutate_reply = wrong_id;
	CHECK_EQ(ports_reply(&given, &given_once, &reply), MIG_REPLY_MISMATCH);
	destroy(reply);
	CHECK(given == (struct port *)1 && given_once == (struct port *)2);
}

static void
send_once_notification_is_not_the_reply(void)
{
	struct kmsg *k;
	int32_t y = 5;

	start();
	k = kzalloc(sizeof(*k) + sizeof(mach_msg_header_t));
	k->size = k->msg->msgh_size = sizeof(mach_msg_header_t);
	k->msg->msgh_id = 0107;		/* MACH_NOTIFY_SEND_ONCE: the handler died with the right */
	CHECK_EQ(kreply_kinds_timed(k, &y), MIG_REPLY_MISMATCH);
	CHECK_EQ(y, 5);
	destroy(k);
}

static void
no_complex_bit(mach_msg_header_t *m)
{
	m->msgh_bits &= ~MACH_MSGH_BITS_COMPLEX;
}

static void
port_of_another_right(mach_msg_header_t *m)
{
	mach_msg_port_descriptor_t *d = (mach_msg_port_descriptor_t *)((uint8_t *)m + 28);

	d[0].disposition = MACH_MSG_TYPE_MAKE_SEND_ONCE;	/* given: a send right */
}

static void
memory_for_a_port(mach_msg_header_t *m)
{
	mach_msg_port_descriptor_t *d = (mach_msg_port_descriptor_t *)((uint8_t *)m + 28);

	d[1].type = MACH_MSG_OOL_DESCRIPTOR;
}

static void
one_descriptor_less(mach_msg_header_t *m)
{
	((mach_msg_body_t *)(m + 1))->msgh_descriptor_count = 1;
	m->msgh_size -= sizeof(mach_msg_port_descriptor_t);
}

static void
trailing_word(mach_msg_header_t *m)
{
	memset((uint8_t *)m + m->msgh_size, 0, 4);
	m->msgh_size += 4;
}

/* Each malformed ports reply is MIG_TYPE_ERROR; its rights stay in it, for destroy. */
static void
malformed_ports_replies_are_type_errors(void)
{
	void (*mutations[])(mach_msg_header_t *) = {
		no_complex_bit, port_of_another_right, memory_for_a_port, one_descriptor_less,
		trailing_word,
	};

	for (size_t i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++) {
		struct port *given = (struct port *)1, *given_once = (struct port *)2;
		struct kmsg *reply;
		uint32_t n;
		mach_msg_descriptor_t *d;

		start();
		mutate_reply = mutations[i];
		CHECK_EQ(ports_reply(&given, &given_once, &reply), MIG_TYPE_ERROR);
		CHECK(given == (struct port *)1 && given_once == (struct port *)2);
		d = descriptors(reply->msg, &n);
		if (n != 0 && d[0].type.type == MACH_MSG_PORT_DESCRIPTOR)
			CHECK(d[0].port.name == (uintptr_t)&ports[2]);	/* not taken */
		destroy(reply);
	}
}

static void
echo_count_above_bound(mach_msg_header_t *m)
{
	uint32_t count = 65;

	memcpy((uint8_t *)m + 28 + 16, &count, 4);	/* after RetCode and rev[4] */
}

static void
error_code_with_a_body(mach_msg_header_t *m)
{
	kern_return_t ret = KERN_FAILURE;

	memcpy((uint8_t *)m + 24, &ret, 4);
}

static kern_return_t
arrays_reply(mach_msg_type_number_t room, mach_msg_type_number_t *echoCnt, uint8_t *echo)
{
	int32_t v[4] = { 0 }, rev[4];
	uint8_t data[64] = { 0 };
	uint16_t s[8] = { 0 };
	mach_msg_type_number_t sCnt = 8;
	kern_return_t kr;
	struct kmsg *k;

	*echoCnt = room;
	k = NULL;
	if (kreq_kinds_arrays(&k, SERVER, SEND, REPLY, ONCE, v, data, 64, s, 0) != KERN_SUCCESS)
		return KERN_FAILURE;
	k = serve(k);
	if (k == NULL)
		return KERN_FAILURE;
	kr = kreply_kinds_arrays(k, rev, echo, echoCnt, s, &sCnt);
	destroy(k);
	return kr;
}

static void
inline_replies_are_checked_as_the_stubs_check_them(void)
{
	uint8_t echo[64];
	mach_msg_type_number_t echoCnt;

	start();
	CHECK_EQ(arrays_reply(10, &echoCnt, echo), MIG_ARRAY_TOO_LARGE);	/* 64 for room of 10 */
	CHECK_EQ(echoCnt, 10);
	mutate_reply = echo_count_above_bound;
	CHECK_EQ(arrays_reply(64, &echoCnt, echo), MIG_TYPE_ERROR);
	CHECK_EQ(echoCnt, 64);
	mutate_reply = error_code_with_a_body;	/* only a 28-byte reply is an error reply */
	CHECK_EQ(arrays_reply(64, &echoCnt, echo), MIG_TYPE_ERROR);
	mutate_reply = trailing_word;
	CHECK_EQ(arrays_reply(64, &echoCnt, echo), MIG_TYPE_ERROR);
	mutate_reply = NULL;
	CHECK_EQ(arrays_reply(64, &echoCnt, echo), KERN_SUCCESS);
	CHECK_EQ(echoCnt, 64);
}

static void
unterminated_string(mach_msg_header_t *m)
{
	uint8_t *p = (uint8_t *)m + 28;	/* upper: length word, then its bytes */
	uint32_t n;

	memcpy(&n, p, 4);
	p[4 + n - 1] = 'x';
}

static void
unterminated_string_in_a_reply_is_a_type_error(void)
{
	char upper[32] = "keep", first[16] = "keep", edit[32] = "keep";
	struct kmsg *k;

	start();
	mutate_reply = unterminated_string;
	k = NULL;
	CHECK_EQ(kreq_kinds_strings(&k, SERVER, SEND, REPLY, ONCE, "l", "p", "e"), KERN_SUCCESS);
	k = serve(k);
	CHECK(k != NULL);
	CHECK_EQ(kreply_kinds_strings(k, upper, first, edit), MIG_TYPE_ERROR);
	destroy(k);
	CHECK(strcmp(upper, "keep") == 0 && strcmp(first, "keep") == 0 && strcmp(edit, "keep") == 0);
}

static void
malformed_memory_reply_keeps_its_copy(void)
{
	struct kern_ool blob, copy = { (void *)1, false, 1 };
	mach_msg_type_number_t copyCnt = 1;
	uint32_t total = 1;
	struct kmsg *k;

	start();
	blob = kernel_copy("some bytes", 10);
	mutate_reply = trailing_word;	/* read up to its last item, then refused */
	k = NULL;
	CHECK_EQ(kreq_kinds_ool(&k, SERVER, SEND, REPLY, ONCE, &blob, 10, &(struct kern_ool){ 0 }, 0),
	    KERN_SUCCESS);
	k = serve(k);
	CHECK(k != NULL);
	CHECK_EQ(kreply_kinds_ool(k, &copy, &copyCnt, &total), MIG_TYPE_ERROR);
	CHECK(copy.copy == (void *)1 && copyCnt == 1 && total == 1);
	CHECK_EQ(k->kcopies, 1u);	/* still the reply's: destroy frees it */
	destroy(k);
}

/* A port list reply's count (its last word) set to what the case asks. */
static uint32_t port_list_count;

static void
port_list_count_is(mach_msg_header_t *m)
{
	memcpy((uint8_t *)m + m->msgh_size - 4, &port_list_count, 4);
}

/*
 * kinds_port_list of two rights, its reply decoded with room for room;
 * *backCnt and back[] as kreply left them. KERN_NOT_RECEIVER: the reply's
 * descriptors do not say where the rights went (to the caller on success,
 * kept by the reply otherwise).
 */
static kern_return_t
port_list_reply(mach_msg_type_number_t room, struct port **back, mach_msg_type_number_t *backCnt)
{
	struct port *list[2] = { &ports[1], &ports[2] };
	mach_msg_descriptor_t *d;
	kern_return_t kr;
	struct kmsg *k = NULL;
	uint32_t n;

	*backCnt = room;
	if (kreq_kinds_port_list(&k, SERVER, SEND, REPLY, ONCE, list, 2) != KERN_SUCCESS)
		return KERN_FAILURE;
	k = serve(k);
	if (k == NULL)
		return KERN_FAILURE;
	kr = kreply_kinds_port_list(k, back, backCnt);
	d = descriptors(k->msg, &n);
	for (uint32_t i = 0; i < n; i++)	/* taken: the caller's; refused: still the reply's */
		if ((d[i].port.name != MACH_PORT_NULL) != (kr != KERN_SUCCESS && i < 2))
			kr = KERN_NOT_RECEIVER;
	destroy(k);
	return kr;
}

/*
 * The kernel as the client of a routine whose reply carries an inline port
 * array (Mach's exception_handler_array_t, which get_exception_ports answers
 * with): the rights move to the caller, and a reply the stub would refuse is
 * refused, its rights left to the reply's destroy.
 */
static void
port_array_reply_moves_its_rights_to_the_caller(void)
{
	struct port *back[4] = { NULL };
	mach_msg_type_number_t backCnt;

	start();
	CHECK_EQ(port_list_reply(4, back, &backCnt), KERN_SUCCESS);
	CHECK_EQ(backCnt, 2);
	CHECK(back[0] == &ports[2] && back[1] == &ports[1]);	/* the server gives them back reversed */
	CHECK(back[2] == NULL);
	CHECK_EQ(kinds_state.listCnt, 2);
	/* room for fewer than the answer: refused, nothing written */
	start();
	back[0] = back[1] = NULL;
	CHECK_EQ(port_list_reply(1, back, &backCnt), MIG_ARRAY_TOO_LARGE);
	CHECK_EQ(backCnt, 1);
	CHECK(back[0] == NULL);
	/* a right past the count, and a count above the bound */
	start();
	port_list_count = 1;
	mutate_reply = port_list_count_is;
	CHECK_EQ(port_list_reply(4, back, &backCnt), MIG_TYPE_ERROR);
	CHECK(back[0] == NULL && backCnt == 4);
	start();
	port_list_count = 5;
	mutate_reply = port_list_count_is;
	CHECK_EQ(port_list_reply(4, back, &backCnt), MIG_TYPE_ERROR);
	CHECK(back[0] == NULL && backCnt == 4);
}

static const struct test kuser_tests[] = {
	{ "kuser_requests_are_laid_out_as_the_user_stubs_lay_them_out",
	    requests_are_laid_out_as_the_user_stubs_lay_them_out },
	{ "kuser_integers_round_trip_through_the_demux", integers_round_trip_through_the_demux },
	{ "kuser_arrays_round_trip_through_the_demux", arrays_round_trip_through_the_demux },
	{ "kuser_strings_round_trip_through_the_demux", strings_round_trip_through_the_demux },
	{ "kuser_ports_round_trip_and_their_rights_move_to_the_caller",
	    ports_round_trip_and_their_rights_move_to_the_caller },
	{ "kuser_out_of_line_memory_round_trips_and_the_copy_moves_to_the_caller",
	    out_of_line_memory_round_trips_and_the_copy_moves_to_the_caller },
	{ "kuser_empty_out_of_line_memory_round_trips", empty_out_of_line_memory_round_trips },
	{ "kuser_one_way_message_is_served_without_a_reply", one_way_message_is_served_without_a_reply },
	{ "kuser_smallest_routine_round_trips", smallest_routine_round_trips },
	{ "kuser_request_arguments_out_of_bounds_take_nothing", request_arguments_out_of_bounds_take_nothing },
	{ "kuser_request_without_memory_takes_nothing", request_without_memory_takes_nothing },
	{ "kuser_handler_error_is_returned_and_outputs_stay_untouched",
	    handler_error_is_returned_and_outputs_stay_untouched },
	{ "kuser_reply_with_another_id_is_a_mismatch", reply_with_another_id_is_a_mismatch },
	{ "kuser_send_once_notification_is_not_the_reply", send_once_notification_is_not_the_reply },
	{ "kuser_malformed_ports_replies_are_type_errors", malformed_ports_replies_are_type_errors },
	{ "kuser_inline_replies_are_checked_as_the_stubs_check_them",
	    inline_replies_are_checked_as_the_stubs_check_them },
	{ "kuser_unterminated_string_in_a_reply_is_a_type_error",
	    unterminated_string_in_a_reply_is_a_type_error },
	{ "kuser_malformed_memory_reply_keeps_its_copy", malformed_memory_reply_keeps_its_copy },
	{ "kuser_port_array_reply_moves_its_rights_to_the_caller", port_array_reply_moves_its_rights_to_the_caller },
	{ "kuser_request_built_in_a_room_is_the_same_and_takes_no_memory",
	    request_built_in_a_room_is_the_same_and_takes_no_memory },
};

int
main(void)
{
	int passed = 0, failed = 0;
	size_t count = sizeof(kuser_tests) / sizeof(kuser_tests[0]);

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < count; i++) {
		test_failed = false;
		kuser_tests[i].run();
		if (!test_failed && (kblocks != 0 || ool_live() != 0)) {
			snprintf(failure, sizeof(failure), "leaked %d kernel blocks, %d regions", kblocks,
			    ool_live());
			test_failed = true;
		}
		kfree_all();
		ool_free_all();
		if (test_failed) {
			printf("not ok %zu - %s\n#   %s\n", i + 1, kuser_tests[i].name, failure);
			failed++;
		} else {
			printf("ok %zu - %s\n", i + 1, kuser_tests[i].name);
			passed++;
		}
	}
	printf("msgc-kuser: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
