/*
 * ipctest: the `ipc` suite, run in the guest as the first task. Each case uses
 * the Mach calls as a program would and checks their results and error codes;
 * after every case the runner checks that the task's names and the kernel's
 * live ports are back where they were (no leaked rights). Two-task cases start
 * ipcpeer (boot module 1) through the bootstrap port. Ends QEMU through the
 * debug-exit trap (the kernel is booted with `debug_exit`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <manifold/trap.h>
#include <msgc_runtime.h>
#include "ipclib.h"
#include "exc_catch.h"
#include "suite.h"
#include "irqoff_window.h"

#define ME mach_task_self()

static mach_port_t
new_port(void)
{
	mach_port_t p = MACH_PORT_NULL;

	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p);
	return p;
}

static mach_port_type_t
type_of(mach_port_t name)
{
	mach_port_type_t t = 0;

	if (mach_port_type(ME, name, &t) != KERN_SUCCESS)
		return 0;
	return t;
}

static mach_port_urefs_t
refs_of(mach_port_t name, mach_port_right_t right)
{
	mach_port_urefs_t r = 0xFFFFFFFF;

	mach_port_get_refs(ME, name, right, &r);
	return r;
}

static mach_msg_return_t
receive(mach_port_t port, struct simple_msg *m, mach_msg_size_t size, mach_msg_option_t extra, mach_msg_timeout_t to)
{
	return mach_msg(&m->h, MACH_RCV_MSG | extra, 0, size, port, to, 0);
}

static mach_msg_return_t
poll(mach_port_t port, struct simple_msg *m)
{
	return receive(port, m, sizeof *m, MACH_RCV_TIMEOUT, 0);
}

/* pm: one port descriptor (name, disp) for box, which is made a send right as it goes. */
static void
port_msg_fill(struct port_msg *pm, mach_port_t box, mach_port_t name, mach_msg_type_name_t disp)
{
	memset(pm, 0, sizeof *pm);
	pm->h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	pm->h.msgh_remote_port = box;
	pm->body.msgh_descriptor_count = 1;
	pm->port.name = name;
	pm->port.disposition = disp;
	pm->port.type = MACH_MSG_PORT_DESCRIPTOR;
}

/*
 * Destroys every name but our task port, keep, and the reply port that the
 * mach_port_* RPCs themselves wait on.
 */
static void
destroy_names_but(mach_port_t keep)
{
	mach_port_name_t *names;
	mach_port_type_t *types;
	mach_msg_type_number_t n = 0, tn = 0;

	if (mach_port_names(ME, &names, &n, &types, &tn) != KERN_SUCCESS)
		return;
	for (uint32_t i = 0; i < n; i++)
		if (names[i] != ME && names[i] != keep && names[i] != mig_get_reply_port())
			mach_port_destroy(ME, names[i]);
	vm_deallocate(ME, (vm_address_t)names, n * sizeof *names);
	vm_deallocate(ME, (vm_address_t)types, tn * sizeof *types);
}

static uint32_t
count_names(void)
{
	return port_name_count();
}

static uint32_t
live_ports(void)
{
	return stats().live_ports;
}

/* ---- names and rights ---- */

static void
allocate_receive_right_gives_a_receive_name(void)
{
	mach_port_t p = new_port();

	CHECK(MACH_PORT_VALID(p));
	CHECK_EQ(type_of(p), MACH_PORT_TYPE_RECEIVE);
	CHECK_EQ(refs_of(p, MACH_PORT_RIGHT_RECEIVE), 1);
	CHECK_EQ(refs_of(p, MACH_PORT_RIGHT_SEND), 0);
	CHECK_EQ(mach_port_destroy(ME, p), KERN_SUCCESS);
	CHECK_EQ(type_of(p), 0);
}

static void
allocate_port_set_and_dead_name(void)
{
	mach_port_t s, d;

	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &s), KERN_SUCCESS);
	CHECK_EQ(type_of(s), MACH_PORT_TYPE_PORT_SET);
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	CHECK_EQ(type_of(d), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(refs_of(d, MACH_PORT_RIGHT_DEAD_NAME), 1);
	CHECK_EQ(mach_port_destroy(ME, s), KERN_SUCCESS);
	CHECK_EQ(mach_port_deallocate(ME, d), KERN_SUCCESS);
	CHECK_EQ(type_of(d), 0);
}

static void
allocate_with_bad_right_is_refused(void)
{
	mach_port_t p = 0x1234;
	uint32_t before = count_names();

	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_SEND, &p), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_allocate(ME, 77, &p), KERN_INVALID_VALUE);
	CHECK_EQ(p, 0x1234);
	CHECK_EQ(count_names(), before);
}

/* The calls are RPCs on a task port: other destinations fail as mach_msg and the kernel say. */
static void
calls_on_a_non_task_name_fail_with_a_named_error(void)
{
	mach_port_t p = new_port(), q, th = mach_thread_self(), host = mach_host_self();

	CHECK_EQ(mach_port_deallocate(0xFFFF00, p), MACH_SEND_INVALID_DEST);
	CHECK_EQ(mach_port_type(MACH_PORT_NULL, p, &q), MACH_SEND_INVALID_DEST);
	CHECK_EQ(mach_port_allocate(th, MACH_PORT_RIGHT_RECEIVE, &q), MIG_BAD_ID);
	CHECK_EQ(mach_port_allocate(host, MACH_PORT_RIGHT_RECEIVE, &q), MIG_BAD_ID);
	mach_port_deallocate(ME, th);
	mach_port_deallocate(ME, host);
	mach_port_destroy(ME, p);
}

static void
deallocate_errors_are_named(void)
{
	mach_port_t p = new_port();

	CHECK_EQ(mach_port_deallocate(ME, 0x7777701), KERN_INVALID_NAME);
	CHECK_EQ(mach_port_deallocate(ME, p), KERN_INVALID_RIGHT);	/* receive only */
	CHECK_EQ(mach_port_destroy(ME, 0x7777701), KERN_INVALID_NAME);
	mach_port_destroy(ME, p);
	CHECK_EQ(mach_port_deallocate(ME, p), KERN_INVALID_NAME);	/* a stale name */
}

static void
make_send_right_and_count_references(void)
{
	mach_port_t p = new_port();

	CHECK_EQ(mach_port_insert_right(ME, p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(type_of(p), MACH_PORT_TYPE_SEND_RECEIVE);
	CHECK_EQ(refs_of(p, MACH_PORT_RIGHT_SEND), 1);
	CHECK_EQ(mach_port_insert_right(ME, p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(refs_of(p, MACH_PORT_RIGHT_SEND), 2);
	CHECK_EQ(mach_port_mod_refs(ME, p, MACH_PORT_RIGHT_SEND, 3), KERN_SUCCESS);
	CHECK_EQ(refs_of(p, MACH_PORT_RIGHT_SEND), 5);
	CHECK_EQ(mach_port_deallocate(ME, p), KERN_SUCCESS);
	CHECK_EQ(refs_of(p, MACH_PORT_RIGHT_SEND), 4);
	CHECK_EQ(mach_port_mod_refs(ME, p, MACH_PORT_RIGHT_SEND, -4), KERN_SUCCESS);
	CHECK_EQ(type_of(p), MACH_PORT_TYPE_RECEIVE);
	mach_port_destroy(ME, p);
}

static void
mod_refs_errors_are_named(void)
{
	mach_port_t p = new_port();

	CHECK_EQ(mach_port_mod_refs(ME, p, MACH_PORT_RIGHT_SEND, 1), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_mod_refs(ME, p, MACH_PORT_RIGHT_RECEIVE, 1), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_mod_refs(ME, p, 9, 1), KERN_INVALID_VALUE);
	mach_port_insert_right(ME, p, p, MACH_MSG_TYPE_MAKE_SEND);
	CHECK_EQ(mach_port_mod_refs(ME, p, MACH_PORT_RIGHT_SEND, -2), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_mod_refs(ME, p, MACH_PORT_RIGHT_SEND, 0x10000), KERN_UREFS_OVERFLOW);
	CHECK_EQ(refs_of(p, MACH_PORT_RIGHT_SEND), 1);
	CHECK_EQ(mach_port_mod_refs(ME, 0x7777701, MACH_PORT_RIGHT_SEND, 1), KERN_INVALID_NAME);
	mach_port_destroy(ME, p);
}

static void
destroying_the_receive_right_leaves_a_dead_name(void)
{
	mach_port_t p = new_port();

	mach_port_insert_right(ME, p, p, MACH_MSG_TYPE_MAKE_SEND);
	mach_port_mod_refs(ME, p, MACH_PORT_RIGHT_SEND, 1);
	CHECK_EQ(mach_port_mod_refs(ME, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	CHECK_EQ(type_of(p), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(refs_of(p, MACH_PORT_RIGHT_DEAD_NAME), 2);
	CHECK_EQ(send_simple(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1, NULL, 0), MACH_SEND_INVALID_DEST);
	CHECK_EQ(mach_port_mod_refs(ME, p, MACH_PORT_RIGHT_DEAD_NAME, -2), KERN_SUCCESS);
	CHECK_EQ(type_of(p), 0);
}

static void
allocate_name_uses_the_chosen_name(void)
{
	mach_port_t want = 0x00ABC001, p = new_port();

	CHECK_EQ(mach_port_allocate_name(ME, MACH_PORT_RIGHT_RECEIVE, want), KERN_SUCCESS);
	CHECK_EQ(type_of(want), MACH_PORT_TYPE_RECEIVE);
	CHECK_EQ(mach_port_allocate_name(ME, MACH_PORT_RIGHT_RECEIVE, want), KERN_NAME_EXISTS);
	CHECK_EQ(mach_port_allocate_name(ME, MACH_PORT_RIGHT_RECEIVE, p), KERN_NAME_EXISTS);
	CHECK_EQ(mach_port_allocate_name(ME, MACH_PORT_RIGHT_RECEIVE, MACH_PORT_NULL), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_allocate_name(ME, MACH_PORT_RIGHT_RECEIVE, MACH_PORT_DEAD), KERN_INVALID_VALUE);
	mach_port_destroy(ME, want);
	mach_port_destroy(ME, p);
}

static void
rename_moves_the_rights(void)
{
	mach_port_t p = new_port(), q = new_port(), to = 0x00BCD001;
	struct simple_msg m;

	send_simple(p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 7, NULL, 0);
	CHECK_EQ(mach_port_rename(ME, p, to), KERN_SUCCESS);
	CHECK_EQ(type_of(p), 0);
	CHECK_EQ(type_of(to), MACH_PORT_TYPE_RECEIVE);
	CHECK_EQ(poll(to, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_local_port, to);	/* the receiver sees the new name */
	CHECK_EQ(mach_port_rename(ME, to, q), KERN_NAME_EXISTS);
	CHECK_EQ(mach_port_rename(ME, 0x7777701, 0x00BCE001), KERN_INVALID_NAME);
	mach_port_destroy(ME, to);
	mach_port_destroy(ME, q);
}

static void
names_lists_every_name_with_its_type(void)
{
	mach_port_name_t *names;
	mach_port_type_t *types;
	mach_msg_type_number_t n = 0, tn = 0;
	mach_port_t p = new_port(), s;
	int seen_p = 0, seen_s = 0, seen_self = 0;

	mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &s);
	CHECK_EQ(mach_port_names(ME, &names, &n, &types, &tn), KERN_SUCCESS);
	CHECK(n >= 3 && n == tn);
	for (uint32_t i = 0; i < n; i++) {
		seen_p += names[i] == p && types[i] == MACH_PORT_TYPE_RECEIVE;
		seen_s += names[i] == s && types[i] == MACH_PORT_TYPE_PORT_SET;
		seen_self += names[i] == ME && types[i] == MACH_PORT_TYPE_SEND;
	}
	CHECK(seen_p == 1 && seen_s == 1 && seen_self == 1);
	vm_deallocate(ME, (vm_address_t)names, n * sizeof *names);
	vm_deallocate(ME, (vm_address_t)types, tn * sizeof *types);
	mach_port_destroy(ME, p);
	mach_port_destroy(ME, s);
}

static void
extract_and_insert_rights(void)
{
	mach_port_t p = new_port(), got = 0, q = new_port();
	mach_msg_type_name_t t = 0;

	CHECK_EQ(mach_port_extract_right(ME, p, MACH_MSG_TYPE_MAKE_SEND, &got, &t), KERN_SUCCESS);
	CHECK_EQ(got, p);			/* merged with the receive right's name */
	CHECK_EQ(t, MACH_MSG_TYPE_PORT_SEND);
	CHECK_EQ(type_of(p), MACH_PORT_TYPE_SEND_RECEIVE);
	CHECK_EQ(mach_port_extract_right(ME, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &got, &t), KERN_SUCCESS);
	CHECK(got != p);			/* send-once rights never merge */
	CHECK_EQ(t, MACH_MSG_TYPE_PORT_SEND_ONCE);
	CHECK_EQ(type_of(got), MACH_PORT_TYPE_SEND_ONCE);
	CHECK_EQ(mach_port_deallocate(ME, got), KERN_SUCCESS);	/* sends a send-once notification to p */
	CHECK_EQ(mach_port_insert_right(ME, q, p, MACH_MSG_TYPE_COPY_SEND), KERN_NAME_EXISTS);
	CHECK_EQ(mach_port_insert_right(ME, 0x00CDE001, p, MACH_MSG_TYPE_COPY_SEND), KERN_RIGHT_EXISTS);
	CHECK_EQ(mach_port_insert_right(ME, 0x00CDE001, q, MACH_MSG_TYPE_COPY_SEND), MACH_SEND_INVALID_RIGHT);
	CHECK_EQ(mach_port_insert_right(ME, 0x00CDE001, 0x7777701, MACH_MSG_TYPE_COPY_SEND), MACH_SEND_INVALID_RIGHT);
	CHECK_EQ(mach_port_extract_right(ME, q, MACH_MSG_TYPE_COPY_SEND, &got, &t), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_extract_right(ME, q, 99, &got, &t), KERN_INVALID_VALUE);
	mach_port_destroy(ME, p);
	mach_port_destroy(ME, q);
}

static void
reply_port_and_task_self(void)
{
	mach_port_t r = mach_reply_port(), self = MACH_PORT_NULL;

	CHECK(MACH_PORT_VALID(r));
	CHECK_EQ(type_of(r), MACH_PORT_TYPE_RECEIVE);
	CHECK_EQ(type_of(ME), MACH_PORT_TYPE_SEND);
	CHECK_EQ(task_get_special_port(ME, TASK_KERNEL_PORT, &self), KERN_SUCCESS);
	CHECK_EQ(self, ME);			/* the same right, one more reference */
	mach_port_deallocate(ME, self);
	mach_port_destroy(ME, r);
}

/* ---- messages ---- */

static void
inline_message_round_trips_with_trailer(void)
{
	mach_port_t p = new_port();
	struct simple_msg m;
	uint32_t data[5] = { 1, 2, 3, 4, 0xFEEDFACE };
	mach_msg_trailer_t *tr;

	CHECK_EQ(send_simple(p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 4242, data, sizeof data), MACH_MSG_SUCCESS);
	memset(&m, 0, sizeof m);
	CHECK_EQ(poll(p, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, 4242);
	CHECK_EQ(m.h.msgh_size, sizeof m.h + sizeof data);
	CHECK_EQ(m.h.msgh_local_port, p);
	CHECK_EQ(m.h.msgh_remote_port, MACH_PORT_NULL);
	CHECK_EQ(MACH_MSGH_BITS_LOCAL(m.h.msgh_bits), MACH_MSG_TYPE_PORT_SEND);
	CHECK(memcmp(m.data, data, sizeof data) == 0);
	tr = (mach_msg_trailer_t *)((char *)&m + m.h.msgh_size);
	CHECK_EQ(tr->msgh_trailer_type, MACH_MSG_TRAILER_FORMAT_0);
	CHECK_EQ(tr->msgh_trailer_size, sizeof(mach_msg_trailer_t));
	mach_port_destroy(ME, p);
}

static void
messages_are_received_in_order_with_sequence_numbers(void)
{
	mach_port_t p = new_port();
	struct simple_msg m;

	mach_port_set_qlimit(ME, p, MACH_PORT_QLIMIT_MAX);
	for (uint32_t i = 0; i < 10; i++)
		CHECK_EQ(send_simple(p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, (mach_msg_id_t)(100 + i), &i, 4), MACH_MSG_SUCCESS);
	for (uint32_t i = 0; i < 10; i++) {
		mach_msg_seqno_trailer_t *tr;
		CHECK_EQ(receive(p, &m, sizeof m, MACH_RCV_TIMEOUT | MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SEQNO), 0),
			 MACH_MSG_SUCCESS);
		CHECK_EQ(m.h.msgh_id, 100 + i);
		CHECK_EQ(m.data[0], i);
		tr = (mach_msg_seqno_trailer_t *)((char *)&m + m.h.msgh_size);
		CHECK_EQ(tr->msgh_trailer_size, sizeof *tr);
		CHECK_EQ(tr->msgh_seqno, i);
	}
	CHECK_EQ(poll(p, &m), MACH_RCV_TIMED_OUT);
	mach_port_destroy(ME, p);
}

static void
receive_timeout_waits_then_fails(void)
{
	mach_port_t p = new_port();
	struct simple_msg m;
	uint64_t t0 = now_ms();

	CHECK_EQ(receive(p, &m, sizeof m, MACH_RCV_TIMEOUT, 50), MACH_RCV_TIMED_OUT);
	CHECK(now_ms() - t0 >= 50);
	CHECK(now_ms() - t0 < 500);
	/* short ones too, by the clock's own resolution (finer than a tick with the HPET):
	 * a timeout begun just before a tick's boundary must not end a tick early */
	for (int i = 0; i < 9; i++) {
		mach_msg_timeout_t ms = 10 + 5 * (i % 3);
		uint64_t a, b;

		trap_clock_uptime(&a);
		CHECK_EQ(receive(p, &m, sizeof m, MACH_RCV_TIMEOUT, ms), MACH_RCV_TIMED_OUT);
		trap_clock_uptime(&b);
		if (b - a < ms * 1000000ull)
			printf("# a %u ms timeout ended after %llu ns\n", (unsigned)ms, (unsigned long long)(b - a));
		CHECK(b - a >= ms * 1000000ull);
	}
	mach_port_destroy(ME, p);
}

static void
full_queue_makes_sends_time_out_and_keeps_rights(void)
{
	mach_port_t p = new_port(), r = new_port();
	struct simple_msg m;
	uint64_t t0;

	CHECK_EQ(mach_port_set_qlimit(ME, p, 1), KERN_SUCCESS);
	mach_port_insert_right(ME, p, p, MACH_MSG_TYPE_MAKE_SEND);
	mach_port_insert_right(ME, r, r, MACH_MSG_TYPE_MAKE_SEND);
	CHECK_EQ(send_simple(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1, NULL, 0), MACH_MSG_SUCCESS);
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MOVE_SEND);
	m.h.msgh_remote_port = p;
	m.h.msgh_local_port = r;
	m.h.msgh_id = 2;
	CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m.h, 0, 0, 0, 0), MACH_SEND_TIMED_OUT);
	t0 = now_ms();
	CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m.h, 0, 0, 30, 0), MACH_SEND_TIMED_OUT);
	CHECK(now_ms() - t0 >= 30);
	CHECK_EQ(refs_of(r, MACH_PORT_RIGHT_SEND), 1);	/* the failed sends moved nothing */
	/* a send-once message always fits */
	CHECK_EQ(send_simple(p, MACH_MSG_TYPE_MAKE_SEND_ONCE, 0, 0, 3, NULL, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(poll(p, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(poll(p, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, 3);
	CHECK_EQ(mach_port_set_qlimit(ME, p, MACH_PORT_QLIMIT_MAX + 1), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_set_qlimit(ME, ME, 3), KERN_INVALID_RIGHT);
	mach_port_destroy(ME, p);
	mach_port_destroy(ME, r);
}

static void
too_large_message_is_destroyed_or_kept_with_rcv_large(void)
{
	mach_port_t p = new_port(), r = new_port();
	struct simple_msg m;
	uint32_t data[16] = { 9 };

	mach_port_set_qlimit(ME, p, 4);
	CHECK_EQ(send_simple(p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 1, data, sizeof data), MACH_MSG_SUCCESS);
	CHECK_EQ(receive(p, &m, sizeof m.h + 8, MACH_RCV_TIMEOUT | MACH_RCV_LARGE, 0), MACH_RCV_TOO_LARGE);
	CHECK_EQ(m.h.msgh_size, sizeof m.h + sizeof data + sizeof(mach_msg_trailer_t));
	CHECK_EQ(receive(p, &m, m.h.msgh_size, MACH_RCV_TIMEOUT, 0), MACH_MSG_SUCCESS);
	/* without MACH_RCV_LARGE the message is destroyed, and the rights it carried with it */
	CHECK_EQ(send_simple(p, MACH_MSG_TYPE_MAKE_SEND, r, MACH_MSG_TYPE_MAKE_SEND, 2, data, sizeof data),
		 MACH_MSG_SUCCESS);
	CHECK_EQ(receive(p, &m, sizeof m.h + 8, MACH_RCV_TIMEOUT, 0), MACH_RCV_TOO_LARGE);
	CHECK_EQ(poll(p, &m), MACH_RCV_TIMED_OUT);
	mach_port_destroy(ME, p);
	mach_port_destroy(ME, r);
}

static void
malformed_sends_get_named_errors(void)
{
	mach_port_t p = new_port();
	struct simple_msg m;

	memset(&m, 0, sizeof m);
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	m.h.msgh_remote_port = p;
	CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG, 8, 0, 0, 0, 0), MACH_SEND_MSG_TOO_SMALL);
	CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG, sizeof m.h + 2, 0, 0, 0, 0), MACH_SEND_INVALID_HEADER);
	CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG, 0x100000, 0, 0, 0, 0), MACH_SEND_TOO_LARGE);
	CHECK_EQ(mach_msg((void *)0x10, MACH_SEND_MSG, sizeof m.h, 0, 0, 0, 0), MACH_SEND_INVALID_DATA);
	CHECK_EQ(mach_msg((void *)0xC0000000, MACH_SEND_MSG, sizeof m.h, 0, 0, 0, 0), MACH_SEND_INVALID_DATA);
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0) | 0x00FF0000;
	CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG, sizeof m.h, 0, 0, 0, 0), MACH_SEND_INVALID_HEADER);
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_RECEIVE, 0);
	CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG, sizeof m.h, 0, 0, 0, 0), MACH_SEND_INVALID_HEADER);
	m.h.msgh_bits = MACH_MSGH_BITS(99, 0);
	CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG, sizeof m.h, 0, 0, 0, 0), MACH_SEND_INVALID_HEADER);
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);	/* no send right yet */
	CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG, sizeof m.h, 0, 0, 0, 0), MACH_SEND_INVALID_DEST);
	m.h.msgh_remote_port = 0x7777701;
	CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG, sizeof m.h, 0, 0, 0, 0), MACH_SEND_INVALID_DEST);
	m.h.msgh_remote_port = MACH_PORT_NULL;
	CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG, sizeof m.h, 0, 0, 0, 0), MACH_SEND_INVALID_DEST);
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_COPY_SEND);
	m.h.msgh_remote_port = p;
	m.h.msgh_local_port = 0x7777701;
	CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG, sizeof m.h, 0, 0, 0, 0), MACH_SEND_INVALID_REPLY);
	CHECK_EQ(poll(p, &m), MACH_RCV_TIMED_OUT);	/* nothing got through */
	mach_port_destroy(ME, p);
}

static void
malformed_receives_get_named_errors(void)
{
	mach_port_t p = new_port(), s;
	struct simple_msg m;

	CHECK_EQ(receive(0x7777701, &m, sizeof m, MACH_RCV_TIMEOUT, 0), MACH_RCV_INVALID_NAME);
	CHECK_EQ(receive(ME, &m, sizeof m, MACH_RCV_TIMEOUT, 0), MACH_RCV_INVALID_NAME);	/* a send right */
	send_simple(p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 5, NULL, 0);
	CHECK_EQ(mach_msg((void *)0x10, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 64, p, 0, 0), MACH_RCV_INVALID_DATA);
	CHECK_EQ(mach_msg((void *)0xBFFFFFF0, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 64, p, 0, 0), MACH_RCV_INVALID_DATA);
	CHECK_EQ(receive(p, &m, 8, MACH_RCV_TIMEOUT, 0), MACH_RCV_INVALID_DATA);
	CHECK_EQ(poll(p, &m), MACH_MSG_SUCCESS);	/* the message survived the bad receives */
	CHECK_EQ(m.h.msgh_id, 5);
	mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &s);
	mach_port_move_member(ME, p, s);
	CHECK_EQ(poll(p, &m), MACH_RCV_IN_SET);
	mach_port_destroy(ME, s);
	mach_port_destroy(ME, p);
}

static void
header_dispositions_move_the_right_rights(void)
{
	mach_port_t p = new_port(), r = new_port(), got;
	struct simple_msg m;

	mach_port_insert_right(ME, r, r, MACH_MSG_TYPE_MAKE_SEND);
	mach_port_mod_refs(ME, r, MACH_PORT_RIGHT_SEND, 1);	/* 2 send references */
	/* COPY_SEND reply: the sender keeps its references, the receiver gets one */
	send_simple(p, MACH_MSG_TYPE_MAKE_SEND, r, MACH_MSG_TYPE_COPY_SEND, 1, NULL, 0);
	CHECK_EQ(refs_of(r, MACH_PORT_RIGHT_SEND), 2);
	CHECK_EQ(poll(p, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_remote_port, r);	/* merged into our own name */
	CHECK_EQ(MACH_MSGH_BITS_REMOTE(m.h.msgh_bits), MACH_MSG_TYPE_PORT_SEND);
	CHECK_EQ(refs_of(r, MACH_PORT_RIGHT_SEND), 3);
	/* MOVE_SEND: one reference leaves with the message, and comes back on receipt */
	send_simple(p, MACH_MSG_TYPE_MAKE_SEND, r, MACH_MSG_TYPE_MOVE_SEND, 2, NULL, 0);
	CHECK_EQ(refs_of(r, MACH_PORT_RIGHT_SEND), 2);
	CHECK_EQ(poll(p, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(refs_of(r, MACH_PORT_RIGHT_SEND), 3);
	/* MAKE_SEND_ONCE: the receiver gets a new send-once name */
	send_simple(p, MACH_MSG_TYPE_MAKE_SEND, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, 3, NULL, 0);
	CHECK_EQ(poll(p, &m), MACH_MSG_SUCCESS);
	got = m.h.msgh_remote_port;
	CHECK(got != r);
	CHECK_EQ(MACH_MSGH_BITS_REMOTE(m.h.msgh_bits), MACH_MSG_TYPE_PORT_SEND_ONCE);
	CHECK_EQ(type_of(got), MACH_PORT_TYPE_SEND_ONCE);
	/* MOVE_SEND_ONCE as destination: the right is used up */
	CHECK_EQ(send_simple(got, MACH_MSG_TYPE_MOVE_SEND_ONCE, 0, 0, 4, NULL, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(type_of(got), 0);
	CHECK_EQ(poll(r, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, 4);
	CHECK_EQ(MACH_MSGH_BITS_LOCAL(m.h.msgh_bits), MACH_MSG_TYPE_PORT_SEND_ONCE);
	/* moving more references than there are is refused before anything moves */
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND, MACH_MSG_TYPE_MOVE_SEND);
	m.h.msgh_remote_port = r;
	m.h.msgh_local_port = r;
	mach_port_mod_refs(ME, r, MACH_PORT_RIGHT_SEND, -2);	/* one left */
	CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG, sizeof m.h, 0, 0, 0, 0), MACH_SEND_INVALID_REPLY);
	CHECK_EQ(refs_of(r, MACH_PORT_RIGHT_SEND), 1);
	mach_port_destroy(ME, p);
	mach_port_destroy(ME, r);
}

static void
port_descriptors_carry_every_disposition(void)
{
	static const mach_msg_type_name_t disps[] = {
		MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MOVE_SEND,
		MACH_MSG_TYPE_MAKE_SEND_ONCE, MACH_MSG_TYPE_MOVE_SEND_ONCE, MACH_MSG_TYPE_MOVE_RECEIVE,
	};
	static const mach_msg_type_name_t want[] = {
		MACH_MSG_TYPE_PORT_SEND, MACH_MSG_TYPE_PORT_SEND, MACH_MSG_TYPE_PORT_SEND,
		MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_PORT_RECEIVE,
	};
	mach_port_t box = new_port();

	for (unsigned i = 0; i < sizeof disps / sizeof disps[0]; i++) {
		mach_port_t x = new_port(), name = x;
		struct port_msg pm;
		struct simple_msg m;
		mach_msg_type_name_t t;

		if (disps[i] == MACH_MSG_TYPE_COPY_SEND || disps[i] == MACH_MSG_TYPE_MOVE_SEND)
			mach_port_insert_right(ME, x, x, MACH_MSG_TYPE_MAKE_SEND);
		if (disps[i] == MACH_MSG_TYPE_MOVE_SEND_ONCE)
			mach_port_extract_right(ME, x, MACH_MSG_TYPE_MAKE_SEND_ONCE, &name, &t);
		memset(&pm, 0, sizeof pm);
		pm.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
		pm.h.msgh_remote_port = box;
		pm.h.msgh_id = 50 + (int)i;
		pm.body.msgh_descriptor_count = 1;
		pm.port.name = name;
		pm.port.disposition = (uint8_t)disps[i];
		pm.port.type = MACH_MSG_PORT_DESCRIPTOR;
		CHECK_EQ(mach_msg(&pm.h, MACH_SEND_MSG, sizeof pm, 0, 0, 0, 0), MACH_MSG_SUCCESS);
		CHECK_EQ(poll(box, &m), MACH_MSG_SUCCESS);
		memcpy(&pm, &m, sizeof pm);
		CHECK(pm.h.msgh_bits & MACH_MSGH_BITS_COMPLEX);
		CHECK_EQ(pm.port.disposition, want[i]);
		if (want[i] == MACH_MSG_TYPE_PORT_RECEIVE) {
			CHECK(type_of(x) == 0);		/* the old name went with the right */
			CHECK_EQ(type_of(pm.port.name), MACH_PORT_TYPE_RECEIVE);
			mach_port_destroy(ME, pm.port.name);
		} else {
			if (want[i] == MACH_MSG_TYPE_PORT_SEND)
				CHECK_EQ(pm.port.name, x);	/* merged with the receive right */
			else
				CHECK_EQ(type_of(pm.port.name), MACH_PORT_TYPE_SEND_ONCE);
			if (pm.port.name != x)
				mach_port_deallocate(ME, pm.port.name);
			mach_port_destroy(ME, x);
		}
	}
	mach_port_destroy(ME, box);
}

static void
bad_descriptors_are_refused(void)
{
	mach_port_t box = new_port(), x = new_port();
	struct port_msg pm;
	struct simple_msg m;

	port_msg_fill(&pm, box, x, MACH_MSG_TYPE_COPY_SEND);	/* x has no send right */
	CHECK_EQ(mach_msg(&pm.h, MACH_SEND_MSG, sizeof pm, 0, 0, 0, 0), MACH_SEND_INVALID_RIGHT);
	pm.port.disposition = 3;
	CHECK_EQ(mach_msg(&pm.h, MACH_SEND_MSG, sizeof pm, 0, 0, 0, 0), MACH_SEND_INVALID_TYPE);
	pm.port.disposition = MACH_MSG_TYPE_MAKE_SEND;
	pm.port.type = 9;
	CHECK_EQ(mach_msg(&pm.h, MACH_SEND_MSG, sizeof pm, 0, 0, 0, 0), MACH_SEND_INVALID_TYPE);
	pm.port.type = MACH_MSG_PORT_DESCRIPTOR;
	pm.body.msgh_descriptor_count = 5;
	CHECK_EQ(mach_msg(&pm.h, MACH_SEND_MSG, sizeof pm, 0, 0, 0, 0), MACH_SEND_MSG_TOO_SMALL);
	pm.body.msgh_descriptor_count = 0xFFFFFFFF;
	CHECK_EQ(mach_msg(&pm.h, MACH_SEND_MSG, sizeof pm, 0, 0, 0, 0), MACH_SEND_MSG_TOO_SMALL);
	CHECK_EQ(mach_msg(&pm.h, MACH_SEND_MSG, sizeof pm.h, 0, 0, 0, 0), MACH_SEND_MSG_TOO_SMALL);
	/* the same receive right moved twice in one message */
	pm.body.msgh_descriptor_count = 1;
	pm.port.disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
	pm.h.msgh_remote_port = x;
	pm.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	CHECK_EQ(mach_msg(&pm.h, MACH_SEND_MSG, sizeof pm, 0, 0, 0, 0), MACH_SEND_INVALID_RIGHT);
	CHECK_EQ(type_of(x), MACH_PORT_TYPE_RECEIVE);
	CHECK_EQ(poll(box, &m), MACH_RCV_TIMED_OUT);
	mach_port_destroy(ME, box);
	mach_port_destroy(ME, x);
}

/* Sends dead (q) in one port descriptor of disposition disp to box; takes it back into *got (MACH_MSG_SUCCESS). */
static mach_msg_return_t
send_port_back(mach_port_t box, mach_port_t q, mach_msg_type_name_t disp, mach_msg_port_descriptor_t *got)
{
	struct port_msg pm;
	struct simple_msg m;
	mach_msg_return_t mr;

	port_msg_fill(&pm, box, q, disp);
	if ((mr = mach_msg(&pm.h, MACH_SEND_MSG, sizeof pm, 0, 0, 0, 0)) != MACH_MSG_SUCCESS)
		return mr;
	if ((mr = poll(box, &m)) == MACH_MSG_SUCCESS)
		memcpy(got, (const uint8_t *)&m + sizeof m.h + sizeof(mach_msg_body_t), sizeof *got);
	return mr;
}

/*
 * A dead name sent in the body or as the reply right, as a send or send-once
 * right, travels as MACH_PORT_DEAD, as Mach's copyin takes it (a reply that
 * carries a task port that died meanwhile still goes): a move takes one user
 * reference of the dead name, a copy none; a disposition that needs the
 * receive right is refused, and so is a move past the references there are.
 */
static void
dead_names_travel_as_dead(void)
{
	mach_port_t box = new_port(), q = new_port();
	mach_msg_port_descriptor_t got;
	struct {
		mach_msg_header_t h;
		mach_msg_body_t body;
		mach_msg_port_descriptor_t port[2];
	} two;
	struct simple_msg m;

	CHECK_EQ(mach_port_insert_right(ME, q, q, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(mach_port_mod_refs(ME, q, MACH_PORT_RIGHT_SEND, 2), KERN_SUCCESS);
	CHECK_EQ(mach_port_mod_refs(ME, q, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	CHECK_EQ(type_of(q), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(refs_of(q, MACH_PORT_RIGHT_DEAD_NAME), 3);
	CHECK_EQ(send_port_back(box, q, MACH_MSG_TYPE_COPY_SEND, &got), MACH_MSG_SUCCESS);
	CHECK_EQ(got.name, MACH_PORT_DEAD);
	CHECK_EQ(got.disposition, MACH_MSG_TYPE_PORT_SEND);
	CHECK_EQ(refs_of(q, MACH_PORT_RIGHT_DEAD_NAME), 3);
	CHECK_EQ(send_port_back(box, q, MACH_MSG_TYPE_MOVE_SEND, &got), MACH_MSG_SUCCESS);
	CHECK_EQ(got.name, MACH_PORT_DEAD);
	CHECK_EQ(refs_of(q, MACH_PORT_RIGHT_DEAD_NAME), 2);
	CHECK_EQ(send_port_back(box, q, MACH_MSG_TYPE_MOVE_SEND_ONCE, &got), MACH_MSG_SUCCESS);
	CHECK_EQ(got.name, MACH_PORT_DEAD);
	CHECK_EQ(got.disposition, MACH_MSG_TYPE_PORT_SEND_ONCE);
	CHECK_EQ(refs_of(q, MACH_PORT_RIGHT_DEAD_NAME), 1);
	CHECK_EQ(send_port_back(box, q, MACH_MSG_TYPE_MAKE_SEND, &got), MACH_SEND_INVALID_RIGHT);
	CHECK_EQ(send_port_back(box, q, MACH_MSG_TYPE_MOVE_RECEIVE, &got), MACH_SEND_INVALID_RIGHT);
	/* two moves of a dead name with one reference: refused, nothing taken */
	memset(&two, 0, sizeof two);
	two.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	two.h.msgh_remote_port = box;
	two.body.msgh_descriptor_count = 2;
	for (int i = 0; i < 2; i++) {
		two.port[i].name = q;
		two.port[i].disposition = MACH_MSG_TYPE_MOVE_SEND;
		two.port[i].type = MACH_MSG_PORT_DESCRIPTOR;
	}
	CHECK_EQ(mach_msg(&two.h, MACH_SEND_MSG, sizeof two, 0, 0, 0, 0), MACH_SEND_INVALID_RIGHT);
	CHECK_EQ(refs_of(q, MACH_PORT_RIGHT_DEAD_NAME), 1);
	CHECK_EQ(poll(box, &m), MACH_RCV_TIMED_OUT);
	/* as the reply right too: a copy leaves the reference, a move takes it */
	CHECK_EQ(mach_port_mod_refs(ME, q, MACH_PORT_RIGHT_DEAD_NAME, 1), KERN_SUCCESS);
	CHECK_EQ(send_simple(box, MACH_MSG_TYPE_MAKE_SEND, q, MACH_MSG_TYPE_COPY_SEND, 7, NULL, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(poll(box, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_remote_port, MACH_PORT_DEAD);
	CHECK_EQ(MACH_MSGH_BITS_REMOTE(m.h.msgh_bits), MACH_MSG_TYPE_PORT_SEND);
	CHECK_EQ(refs_of(q, MACH_PORT_RIGHT_DEAD_NAME), 2);
	CHECK_EQ(send_simple(box, MACH_MSG_TYPE_MAKE_SEND, q, MACH_MSG_TYPE_MOVE_SEND, 8, NULL, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(poll(box, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_remote_port, MACH_PORT_DEAD);
	CHECK_EQ(refs_of(q, MACH_PORT_RIGHT_DEAD_NAME), 1);
	CHECK_EQ(send_simple(box, MACH_MSG_TYPE_MAKE_SEND, q, MACH_MSG_TYPE_MAKE_SEND_ONCE, 9, NULL, 0),
		 MACH_SEND_INVALID_REPLY);	/* making a right needs the receive right */
	/* MACH_PORT_DEAD itself as the reply: its type travels with it */
	CHECK_EQ(send_simple(box, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_DEAD, MACH_MSG_TYPE_MOVE_SEND_ONCE, 10, NULL, 0),
		 MACH_MSG_SUCCESS);
	CHECK_EQ(poll(box, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, 10);
	CHECK_EQ(m.h.msgh_remote_port, MACH_PORT_DEAD);
	CHECK_EQ(MACH_MSGH_BITS_REMOTE(m.h.msgh_bits), MACH_MSG_TYPE_PORT_SEND_ONCE);
	/* the last reference moved: the name is gone */
	CHECK_EQ(send_port_back(box, q, MACH_MSG_TYPE_MOVE_SEND, &got), MACH_MSG_SUCCESS);
	CHECK_EQ(got.name, MACH_PORT_DEAD);
	CHECK_EQ(type_of(q), 0);
	mach_port_destroy(ME, box);
}

static void
queued_rights_die_with_the_port(void)
{
	mach_port_t box = new_port(), x = new_port();
	uint32_t live = live_ports();
	struct port_msg pm;

	port_msg_fill(&pm, box, x, MACH_MSG_TYPE_MOVE_RECEIVE);
	CHECK_EQ(mach_msg(&pm.h, MACH_SEND_MSG, sizeof pm, 0, 0, 0, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(type_of(x), 0);
	CHECK_EQ(live_ports(), live);
	mach_port_destroy(ME, box);	/* the receive right in the queued message dies too */
	CHECK_EQ(live_ports(), live - 2);
}

static void
port_set_receives_from_any_member(void)
{
	mach_port_t s, a = new_port(), b = new_port();
	struct simple_msg m;

	mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &s);
	CHECK_EQ(mach_port_move_member(ME, a, s), KERN_SUCCESS);
	CHECK_EQ(mach_port_move_member(ME, b, s), KERN_SUCCESS);
	send_simple(b, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 22, NULL, 0);
	CHECK_EQ(poll(s, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, 22);
	CHECK_EQ(m.h.msgh_local_port, b);
	send_simple(a, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 11, NULL, 0);
	CHECK_EQ(poll(s, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_local_port, a);
	CHECK_EQ(poll(s, &m), MACH_RCV_TIMED_OUT);
	CHECK_EQ(mach_port_move_member(ME, a, MACH_PORT_NULL), KERN_SUCCESS);
	CHECK_EQ(mach_port_move_member(ME, a, MACH_PORT_NULL), KERN_NOT_IN_SET);
	CHECK_EQ(mach_port_move_member(ME, s, a), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_move_member(ME, a, 0x7777701), KERN_INVALID_NAME);
	send_simple(a, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 33, NULL, 0);
	CHECK_EQ(poll(s, &m), MACH_RCV_TIMED_OUT);	/* a left the set */
	CHECK_EQ(poll(a, &m), MACH_MSG_SUCCESS);
	mach_port_destroy(ME, s);
	CHECK_EQ(poll(b, &m), MACH_RCV_TIMED_OUT);	/* b is usable on its own again */
	mach_port_destroy(ME, a);
	mach_port_destroy(ME, b);
}

/* ---- notifications ---- */

static void
dead_name_notification_when_the_port_dies(void)
{
	mach_port_t p = new_port(), n = new_port(), prev = 1, send;
	mach_msg_type_name_t t;
	struct simple_msg m;
	mach_dead_name_notification_t *dn = (void *)&m;

	mach_port_extract_right(ME, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &send, &t);
	CHECK_EQ(mach_port_request_notification(ME, send, MACH_NOTIFY_DEAD_NAME, 0, n,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	CHECK_EQ(prev, MACH_PORT_NULL);
	mach_port_destroy(ME, p);
	CHECK_EQ(poll(n, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_DEAD_NAME);
	CHECK_EQ(dn->not_port, send);
	CHECK_EQ(type_of(send), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(refs_of(send, MACH_PORT_RIGHT_DEAD_NAME), 2);	/* one came with the notification */
	mach_port_mod_refs(ME, send, MACH_PORT_RIGHT_DEAD_NAME, -2);
	mach_port_destroy(ME, n);
}

static void
port_deleted_notification_when_the_name_goes(void)
{
	mach_port_t p = new_port(), n = new_port(), prev, send;
	mach_msg_type_name_t t;
	struct simple_msg m;
	mach_dead_name_notification_t *dn = (void *)&m;

	mach_port_extract_right(ME, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &send, &t);
	mach_port_request_notification(ME, send, MACH_NOTIFY_DEAD_NAME, 0, n, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	mach_port_deallocate(ME, send);
	CHECK_EQ(poll(n, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_PORT_DELETED);
	CHECK_EQ(dn->not_port, send);
	CHECK_EQ(poll(p, &m), MACH_MSG_SUCCESS);	/* and the unused send-once right said so */
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
	mach_port_destroy(ME, p);
	mach_port_destroy(ME, n);
}

static void
no_senders_notification_when_the_last_send_right_goes(void)
{
	mach_port_t p = new_port(), n = new_port(), prev = 1;
	struct simple_msg m;
	mach_no_senders_notification_t *ns = (void *)&m;

	mach_port_insert_right(ME, p, p, MACH_MSG_TYPE_MAKE_SEND);
	mach_port_insert_right(ME, p, p, MACH_MSG_TYPE_MAKE_SEND);
	CHECK_EQ(mach_port_request_notification(ME, p, MACH_NOTIFY_NO_SENDERS, 0, n, MACH_MSG_TYPE_MAKE_SEND_ONCE,
						&prev), KERN_SUCCESS);
	CHECK_EQ(prev, MACH_PORT_NULL);
	mach_port_deallocate(ME, p);
	CHECK_EQ(poll(n, &m), MACH_RCV_TIMED_OUT);	/* one reference left */
	mach_port_deallocate(ME, p);
	CHECK_EQ(poll(n, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_NO_SENDERS);
	CHECK_EQ(ns->not_count, 2);
	mach_port_destroy(ME, p);
	mach_port_destroy(ME, n);
}

static void
send_once_notification_when_the_right_is_destroyed(void)
{
	mach_port_t p = new_port(), so;
	mach_msg_type_name_t t;
	struct simple_msg m;

	mach_port_extract_right(ME, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &t);
	CHECK_EQ(mach_port_destroy(ME, so), KERN_SUCCESS);
	CHECK_EQ(poll(p, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
	CHECK_EQ(MACH_MSGH_BITS_LOCAL(m.h.msgh_bits), MACH_MSG_TYPE_PORT_SEND_ONCE);
	mach_port_destroy(ME, p);
}

static void
notification_requests_are_checked(void)
{
	mach_port_t p = new_port(), n = new_port(), prev = 5;

	CHECK_EQ(mach_port_request_notification(ME, p, 12345, 0, n, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
		 KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_request_notification(ME, p, MACH_NOTIFY_DEAD_NAME, 0, n, MACH_MSG_TYPE_MAKE_SEND_ONCE,
						&prev), KERN_INVALID_RIGHT);	/* receive right only */
	CHECK_EQ(mach_port_request_notification(ME, n, MACH_NOTIFY_NO_SENDERS, 0, ME, MACH_MSG_TYPE_MAKE_SEND_ONCE,
						&prev), MACH_SEND_INVALID_RIGHT);	/* no receive right to make it from */
	CHECK_EQ(mach_port_request_notification(ME, n, MACH_NOTIFY_NO_SENDERS, 0, n, MACH_MSG_TYPE_MAKE_SEND,
						&prev), KERN_INVALID_CAPABILITY);	/* not a send-once right */
	CHECK_EQ(mach_port_request_notification(ME, 0x7777701, MACH_NOTIFY_NO_SENDERS, 0, n,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_INVALID_NAME);
	CHECK_EQ(prev, 5);
	mach_port_destroy(ME, p);
	mach_port_destroy(ME, n);
}

/* ---- kernel objects ---- */

static void
malformed_kernel_requests_get_error_replies(void)
{
	mach_port_t r = mach_reply_port();
	struct simple_msg m;
	mig_reply_error_t *e = (void *)&m;

	uint32_t junk[3] = { 1, 2, 3 };

	CHECK_EQ(send_simple(ME, MACH_MSG_TYPE_COPY_SEND, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, 3499, NULL, 0),
		 MACH_MSG_SUCCESS);
	CHECK_EQ(poll(r, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, 3599);
	CHECK_EQ(e->RetCode, MIG_BAD_ID);
	/* task_create with a body of the wrong size */
	CHECK_EQ(send_simple(ME, MACH_MSG_TYPE_COPY_SEND, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, 3400, junk, 12),
		 MACH_MSG_SUCCESS);
	CHECK_EQ(poll(r, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(e->RetCode, MIG_BAD_ARGUMENTS);
	mach_port_destroy(ME, r);
}


static void
task_and_host_info(void)
{
	task_basic_info_data_t ti;
	task_id_info_data_t tid;
	host_basic_info_data_t hi;
	mach_msg_type_number_t n = TASK_BASIC_INFO_COUNT;
	mach_port_t host = mach_host_self();

	CHECK_EQ(task_info(ME, TASK_BASIC_INFO, (integer_t *)&ti, &n), KERN_SUCCESS);
	CHECK_EQ(n, TASK_BASIC_INFO_COUNT);
	CHECK(ti.resident_size >= 8 * 4096);
	CHECK_EQ(ti.suspend_count, 0);
	n = 32;
	CHECK_EQ(task_info(ME, 999, (integer_t *)&ti, &n), KERN_INVALID_ARGUMENT);
	n = TASK_ID_INFO_COUNT;
	CHECK_EQ(task_info(ME, TASK_ID_INFO, (integer_t *)&tid, &n), KERN_SUCCESS);
	CHECK_EQ(n, TASK_ID_INFO_COUNT);
	CHECK(tid.task_id >= 1);	/* the kernel's own is 0 */
	n = HOST_BASIC_INFO_COUNT;
	CHECK_EQ(host_info(host, HOST_BASIC_INFO, (integer_t *)&hi, &n), KERN_SUCCESS);
	CHECK_EQ(hi.cpu_type, CPU_TYPE_I386);
	CHECK_EQ(hi.max_cpus, 1);
	CHECK(hi.memory_size >= 16u << 20);
	CHECK_EQ(host_info(ME, HOST_BASIC_INFO, (integer_t *)&hi, &n), MIG_BAD_ID);	/* a task port */
	mach_port_deallocate(ME, host);
}

static volatile uint32_t worker_count, worker_flag;
static volatile mach_msg_return_t worker_result;
static mach_port_t worker_port;

static void
worker_spin(void)
{
	for (;;)
		worker_count++;
}

static void
worker_flag_and_end(void)
{
	worker_flag = 0xF1A9;
	thread_terminate(mach_thread_self());
	for (;;)
		;
}

static void
worker_receive(void)
{
	struct simple_msg m;

	worker_result = mach_msg(&m.h, MACH_RCV_MSG, 0, sizeof m, worker_port, 0, 0);
	worker_flag = 1;
	thread_terminate(mach_thread_self());
	for (;;)
		;
}

/* A new thread of ours running fn on its own stack. */
static mach_port_t
start_thread(void (*fn)(void))
{
	static uint32_t stacks[4][2048] __attribute__((aligned(16)));
	static int next;
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;
	mach_port_t th = MACH_PORT_NULL;

	if (thread_create(ME, &th) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	if (thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &n) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	st.eip = (natural_t)(uintptr_t)fn;
	st.esp = (natural_t)(uintptr_t)&stacks[next++ % 4][2040];
	if (thread_set_state(th, i386_THREAD_STATE, (natural_t *)&st, i386_THREAD_STATE_COUNT) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	if (thread_resume(th) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	return th;
}

static void
thread_create_set_state_resume_runs_code(void)
{
	mach_port_t th;
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;

	worker_flag = 0;
	th = start_thread(worker_flag_and_end);
	CHECK(MACH_PORT_VALID(th));
	CHECK(wait_dead_name(th));
	CHECK_EQ(worker_flag, 0xF1A9);
	CHECK_EQ(thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &n), MACH_SEND_INVALID_DEST);
	/* the worker's mach_thread_self() added a reference under the same name */
	CHECK_EQ(refs_of(th, MACH_PORT_RIGHT_DEAD_NAME), 2);
	mach_port_destroy(ME, th);
}

static void
suspended_thread_stops_and_resumed_thread_goes_on(void)
{
	mach_port_t th;
	thread_basic_info_data_t info;
	mach_msg_type_number_t n = THREAD_BASIC_INFO_COUNT;
	uint32_t c;

	worker_count = 0;
	th = start_thread(worker_spin);
	CHECK(MACH_PORT_VALID(th));
	while (worker_count < 1000)
		thread_switch(MACH_PORT_NULL, 0, 0);
	CHECK_EQ(thread_suspend(th), KERN_SUCCESS);
	thread_switch(MACH_PORT_NULL, 0, 0);
	c = worker_count;
	for (int i = 0; i < 20; i++)
		thread_switch(MACH_PORT_NULL, 0, 0);
	CHECK_EQ(worker_count, c);		/* it did not run while suspended */
	CHECK_EQ(thread_info(th, THREAD_BASIC_INFO, (integer_t *)&info, &n), KERN_SUCCESS);
	CHECK_EQ(info.run_state, TH_STATE_STOPPED);
	CHECK_EQ(info.suspend_count, 1);
	CHECK_EQ(thread_resume(th), KERN_SUCCESS);
	CHECK_EQ(thread_resume(th), KERN_FAILURE);	/* not suspended any more */
	while (worker_count == c)
		thread_switch(MACH_PORT_NULL, 0, 0);
	CHECK_EQ(thread_terminate(th), KERN_SUCCESS);
	CHECK(wait_dead_name(th));
	mach_port_deallocate(ME, th);
}

static void
thread_abort_interrupts_a_blocked_receive(void)
{
	mach_port_t th;

	worker_port = new_port();
	worker_flag = 0;
	th = start_thread(worker_receive);
	CHECK(MACH_PORT_VALID(th));
	for (int i = 0; i < 10; i++)
		thread_switch(MACH_PORT_NULL, 0, 0);
	CHECK_EQ(worker_flag, 0);		/* it is waiting */
	CHECK_EQ(thread_abort(th), KERN_SUCCESS);
	CHECK(wait_dead_name(th));
	CHECK_EQ(worker_flag, 1);
	CHECK_EQ(worker_result, MACH_RCV_INTERRUPTED);
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, worker_port);
}

static void
thread_state_requests_are_checked(void)
{
	mach_port_t self = mach_thread_self();
	i386_thread_state_t st;
	natural_t big[32];
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;

	CHECK_EQ(thread_get_state(self, i386_THREAD_STATE, (natural_t *)&st, &n), KERN_SUCCESS);
	CHECK(st.eip >= 0x00400000 && st.eip < 0x10000000);	/* where we trapped */
	CHECK_EQ(st.cs & 3, 3);
	n = i386_THREAD_STATE_COUNT;
	CHECK_EQ(thread_get_state(self, 77, (natural_t *)&st, &n), KERN_INVALID_ARGUMENT);
	CHECK_EQ(thread_set_state(self, i386_THREAD_STATE, big, 5), KERN_INVALID_ARGUMENT);
	CHECK_EQ(thread_set_state(self, 77, big, i386_THREAD_STATE_COUNT), KERN_INVALID_ARGUMENT);
	CHECK_EQ(thread_resume(self), KERN_FAILURE);
	mach_port_deallocate(ME, self);
}

static void
task_create_and_terminate_through_the_task_port(void)
{
	mach_port_t child = MACH_PORT_NULL, th;
	task_basic_info_data_t ti;
	mach_msg_type_number_t n = TASK_BASIC_INFO_COUNT;
	uint32_t live = live_ports();

	CHECK_EQ(task_create(ME, 0, &child), KERN_SUCCESS);
	CHECK_EQ(type_of(child), MACH_PORT_TYPE_SEND);
	CHECK_EQ(task_info(child, TASK_BASIC_INFO, (integer_t *)&ti, &n), KERN_SUCCESS);
	CHECK_EQ(ti.resident_size, 0);
	CHECK_EQ(thread_create(child, &th), KERN_SUCCESS);	/* suspended: never runs */
	CHECK_EQ(task_suspend(child), KERN_SUCCESS);
	CHECK_EQ(task_resume(child), KERN_SUCCESS);
	CHECK_EQ(task_resume(child), KERN_FAILURE);
	CHECK_EQ(task_terminate(child), KERN_SUCCESS);
	CHECK(wait_dead_name(th));
	for (int i = 0; i < 100 && type_of(child) != MACH_PORT_TYPE_DEAD_NAME; i++)
		thread_switch(MACH_PORT_NULL, 0, 0);
	CHECK_EQ(type_of(child), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(task_terminate(child), MACH_SEND_INVALID_DEST);
	mach_port_deallocate(ME, child);
	mach_port_deallocate(ME, th);
	CHECK_EQ(live_ports(), live);
}


static void
get_refs_for_each_kind_of_right(void)
{
	mach_port_t s, d, p = new_port(), so;
	mach_msg_type_name_t t;
	mach_port_urefs_t r;

	mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &s);
	mach_port_allocate(ME, MACH_PORT_RIGHT_DEAD_NAME, &d);
	mach_port_mod_refs(ME, d, MACH_PORT_RIGHT_DEAD_NAME, 4);
	mach_port_extract_right(ME, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &t);
	CHECK_EQ(refs_of(s, MACH_PORT_RIGHT_PORT_SET), 1);
	CHECK_EQ(refs_of(d, MACH_PORT_RIGHT_DEAD_NAME), 5);
	CHECK_EQ(refs_of(so, MACH_PORT_RIGHT_SEND_ONCE), 1);
	CHECK_EQ(refs_of(p, MACH_PORT_RIGHT_RECEIVE), 1);
	CHECK_EQ(refs_of(p, MACH_PORT_RIGHT_PORT_SET), 0);
	CHECK_EQ(mach_port_get_refs(ME, p, 12, &r), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_get_refs(ME, 0x7777701, MACH_PORT_RIGHT_SEND, &r), KERN_INVALID_NAME);
	mach_port_destroy(ME, s);
	mach_port_destroy(ME, d);
	mach_port_destroy(ME, so);
	{
		struct simple_msg m;
		poll(p, &m);	/* the send-once notification */
	}
	mach_port_destroy(ME, p);
}

static void
a_new_request_returns_the_previous_one(void)
{
	mach_port_t p = new_port(), n1 = new_port(), n2 = new_port(), prev = 1;
	struct simple_msg m;

	mach_port_insert_right(ME, p, p, MACH_MSG_TYPE_MAKE_SEND);
	CHECK_EQ(mach_port_request_notification(ME, p, MACH_NOTIFY_NO_SENDERS, 0, n1, MACH_MSG_TYPE_MAKE_SEND_ONCE,
						&prev), KERN_SUCCESS);
	CHECK_EQ(prev, MACH_PORT_NULL);
	CHECK_EQ(mach_port_request_notification(ME, p, MACH_NOTIFY_NO_SENDERS, 0, n2, MACH_MSG_TYPE_MAKE_SEND_ONCE,
						&prev), KERN_SUCCESS);
	CHECK(MACH_PORT_VALID(prev));
	CHECK_EQ(type_of(prev), MACH_PORT_TYPE_SEND_ONCE);	/* the right for n1 came back */
	mach_port_deallocate(ME, prev);
	CHECK_EQ(poll(n1, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
	CHECK_EQ(mach_port_request_notification(ME, p, MACH_NOTIFY_NO_SENDERS, 0, MACH_PORT_NULL,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);	/* cancel */
	CHECK(MACH_PORT_VALID(prev));
	mach_port_deallocate(ME, prev);
	CHECK_EQ(poll(n2, &m), MACH_MSG_SUCCESS);
	mach_port_deallocate(ME, p);	/* the last send right: nobody asked, nobody hears */
	CHECK_EQ(poll(n1, &m), MACH_RCV_TIMED_OUT);
	CHECK_EQ(poll(n2, &m), MACH_RCV_TIMED_OUT);
	mach_port_destroy(ME, p);
	mach_port_destroy(ME, n1);
	mach_port_destroy(ME, n2);
}

static void
task_self_trap_adds_references_to_one_name(void)
{
	mach_port_t a = 0, b = 0;
	mach_port_urefs_t r0 = refs_of(ME, MACH_PORT_RIGHT_SEND);

	CHECK_EQ(trap_raw(TRAP_mach_task_self, (uint32_t)&a, 0, 0, 0, 0), KERN_SUCCESS);
	CHECK_EQ(trap_raw(TRAP_mach_task_self, (uint32_t)&b, 0, 0, 0, 0), KERN_SUCCESS);
	CHECK_EQ(a, ME);
	CHECK_EQ(b, ME);
	CHECK_EQ(refs_of(ME, MACH_PORT_RIGHT_SEND), r0 + 2);
	CHECK_EQ(trap_raw(TRAP_mach_task_self, 0xC0000000, 0, 0, 0, 0), KERN_INVALID_ADDRESS);
	mach_port_mod_refs(ME, ME, MACH_PORT_RIGHT_SEND, -2);
	CHECK_EQ(refs_of(ME, MACH_PORT_RIGHT_SEND), r0);
}

/* ---- more queues, sets and threads ---- */

static mach_port_t set_for_workers;
static volatile uint32_t served[2];

static void
set_worker(int me)
{
	struct simple_msg m;

	while (mach_msg(&m.h, MACH_RCV_MSG, 0, sizeof m, set_for_workers, 0, 0) == MACH_MSG_SUCCESS) {
		if (m.h.msgh_id == 999)
			break;
		served[me]++;
		thread_switch(MACH_PORT_NULL, 0, 0);
	}
	thread_terminate(mach_thread_self());
}

static void set_worker0(void) { set_worker(0); }
static void set_worker1(void) { set_worker(1); }

static void
several_server_threads_receive_from_one_port_set(void)
{
	mach_port_t a = new_port(), b = new_port(), t0, t1;

	mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &set_for_workers);
	mach_port_move_member(ME, a, set_for_workers);
	mach_port_move_member(ME, b, set_for_workers);
	served[0] = served[1] = 0;
	t0 = start_thread(set_worker0);
	t1 = start_thread(set_worker1);
	CHECK(MACH_PORT_VALID(t0) && MACH_PORT_VALID(t1));
	for (int i = 0; i < 3; i++)
		thread_switch(MACH_PORT_NULL, 0, 0);	/* both are waiting now */
	for (int i = 0; i < 20; i++) {
		CHECK_EQ(send_simple(i % 2 ? a : b, MACH_MSG_TYPE_MAKE_SEND, 0, 0, i, NULL, 0), MACH_MSG_SUCCESS);
		thread_switch(MACH_PORT_NULL, 0, 0);
	}
	for (int i = 0; i < 100 && served[0] + served[1] < 20; i++)
		thread_switch(MACH_PORT_NULL, 0, 0);
	CHECK_EQ(served[0] + served[1], 20);
	CHECK(served[0] > 0 && served[1] > 0);	/* both threads took a share */
	send_simple(a, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 999, NULL, 0);
	send_simple(b, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 999, NULL, 0);
	CHECK(wait_dead_name(t0) && wait_dead_name(t1));
	mach_port_destroy(ME, t0);
	mach_port_destroy(ME, t1);
	mach_port_destroy(ME, set_for_workers);
	mach_port_destroy(ME, a);
	mach_port_destroy(ME, b);
}

static mach_port_t full_port;
static volatile mach_msg_return_t blocked_send_result;

static void
blocked_sender(void)
{
	blocked_send_result = send_simple(full_port, MACH_MSG_TYPE_COPY_SEND, 0, 0, 2, NULL, 0);
	worker_flag = 1;
	thread_terminate(mach_thread_self());
}

static void
blocked_sender_wakes_when_the_queue_has_room(void)
{
	mach_port_t th;
	struct simple_msg m;

	full_port = new_port();
	mach_port_insert_right(ME, full_port, full_port, MACH_MSG_TYPE_MAKE_SEND);
	mach_port_set_qlimit(ME, full_port, 1);
	send_simple(full_port, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1, NULL, 0);
	worker_flag = 0;
	th = start_thread(blocked_sender);
	for (int i = 0; i < 10; i++)
		thread_switch(MACH_PORT_NULL, 0, 0);
	CHECK_EQ(worker_flag, 0);		/* blocked on the full queue */
	CHECK_EQ(poll(full_port, &m), MACH_MSG_SUCCESS);
	CHECK(wait_dead_name(th));
	CHECK_EQ(worker_flag, 1);
	CHECK_EQ(blocked_send_result, MACH_MSG_SUCCESS);
	CHECK_EQ(poll(full_port, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, 2);
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, full_port);
}

static void
aborted_blocked_sender_gets_send_interrupted(void)
{
	mach_port_t th;
	struct simple_msg m;

	full_port = new_port();
	mach_port_insert_right(ME, full_port, full_port, MACH_MSG_TYPE_MAKE_SEND);
	mach_port_set_qlimit(ME, full_port, 0);	/* nothing but send-once messages fit */
	worker_flag = 0;
	th = start_thread(blocked_sender);
	for (int i = 0; i < 10; i++)
		thread_switch(MACH_PORT_NULL, 0, 0);
	CHECK_EQ(worker_flag, 0);
	CHECK_EQ(thread_abort(th), KERN_SUCCESS);
	CHECK(wait_dead_name(th));
	CHECK_EQ(blocked_send_result, MACH_SEND_INTERRUPTED);
	CHECK_EQ(poll(full_port, &m), MACH_RCV_TIMED_OUT);
	CHECK_EQ(send_simple(full_port, MACH_MSG_TYPE_MAKE_SEND_ONCE, 0, 0, 3, NULL, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(poll(full_port, &m), MACH_MSG_SUCCESS);
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, full_port);
}

static void
hundreds_of_names_grow_the_table_and_go(void)
{
	static mach_port_t p[300];
	uint32_t n0 = count_names();

	for (int i = 0; i < 300; i++) {
		CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p[i]), KERN_SUCCESS);
		for (int j = 0; j < i; j += 37)
			CHECK(p[j] != p[i]);
	}
	CHECK_EQ(count_names(), n0 + 300);
	for (int i = 0; i < 300; i++)
		CHECK_EQ(mach_port_destroy(ME, p[i]), KERN_SUCCESS);
	CHECK_EQ(count_names(), n0);
	CHECK_EQ(type_of(p[0]), 0);		/* freed names are not valid any more */
}

static void
odd_destinations_and_options(void)
{
	mach_port_t s, so, p = new_port();
	mach_msg_type_name_t t;
	struct simple_msg m;

	mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &s);
	CHECK_EQ(send_simple(s, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1, NULL, 0), MACH_SEND_INVALID_DEST);
	mach_port_extract_right(ME, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &t);
	CHECK_EQ(send_simple(so, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1, NULL, 0), MACH_SEND_INVALID_DEST);
	CHECK_EQ(mach_msg(&m.h, 0, 0, 0, 0, 0, 0), MACH_MSG_SUCCESS);	/* neither send nor receive */
	CHECK_EQ(receive(s, &m, sizeof m, MACH_RCV_TIMEOUT, 0), MACH_RCV_TIMED_OUT);
	mach_port_deallocate(ME, so);		/* its send-once notification goes to p */
	CHECK_EQ(poll(p, &m), MACH_MSG_SUCCESS);
	mach_port_destroy(ME, s);
	mach_port_destroy(ME, p);
}

static void
null_and_dead_names_in_descriptors_pass_through(void)
{
	mach_port_t box = new_port();
	struct port_msg pm;
	struct simple_msg m;
	mach_port_t names[2] = { MACH_PORT_NULL, MACH_PORT_DEAD };

	for (int i = 0; i < 2; i++) {
		port_msg_fill(&pm, box, names[i], MACH_MSG_TYPE_COPY_SEND);
		CHECK_EQ(mach_msg(&pm.h, MACH_SEND_MSG, sizeof pm, 0, 0, 0, 0), MACH_MSG_SUCCESS);
		CHECK_EQ(poll(box, &m), MACH_MSG_SUCCESS);
		memcpy(&pm, &m, sizeof pm);
		CHECK_EQ(pm.port.name, names[i]);
	}
	mach_port_destroy(ME, box);
}

/* ---- memory: vm_allocate and out-of-line regions ---- */

static void
vm_allocate_and_deallocate_regions(void)
{
	vm_address_t a = 0, b;
	uint32_t free0 = free_pages_with_heap();
	volatile uint32_t *w;

	CHECK_EQ(vm_allocate(ME, &a, 3 * 4096, 1), KERN_SUCCESS);
	CHECK(a >= 0x10000000 && (a & 4095) == 0);
	w = (volatile uint32_t *)a;
	CHECK_EQ(w[0] + w[1024] + w[2047] + w[3071], 0);	/* zero filled */
	w[3071] = 7;
	CHECK(free_pages_with_heap() <= free0 - 3);
	b = a;
	CHECK_EQ(vm_allocate(ME, &b, 4096, 0), KERN_NO_SPACE);	/* in use */
	CHECK_EQ(vm_deallocate(ME, a + 4096, 4096), KERN_SUCCESS);	/* a hole in the middle */
	b = a + 4096;
	CHECK_EQ(vm_allocate(ME, &b, 4096, 0), KERN_SUCCESS);	/* the hole is free again */
	CHECK_EQ(b, a + 4096);
	CHECK_EQ(w[1024], 0);
	CHECK_EQ(w[3071], 7);
	CHECK_EQ(vm_deallocate(ME, a, 3 * 4096), KERN_SUCCESS);
	CHECK_EQ(free_pages_with_heap(), free0);	/* the pages are back, and the page table */
	b = 0;
	CHECK_EQ(vm_allocate(ME, &b, 0, 1), KERN_SUCCESS);	/* nothing, at 0, as in Mach */
	CHECK_EQ(b, 0);
	b = 0x20000001;
	CHECK_EQ(vm_allocate(ME, &b, 4096, 0), KERN_INVALID_ARGUMENT);
	b = 0xC0000000;
	CHECK_EQ(vm_allocate(ME, &b, 4096, 0), KERN_INVALID_ADDRESS);
	b = 0;
	CHECK_EQ(vm_allocate(ME, &b, 0xF0000000, 1), KERN_NO_SPACE);
	CHECK_EQ(vm_deallocate(ME, 0x20000001, 4096), KERN_INVALID_ARGUMENT);
	CHECK_EQ(vm_deallocate(ME, 0xFFFFF000, 0x2000), KERN_SUCCESS);	/* clipped to user space: nothing */
	CHECK_EQ(vm_allocate(0xFFFF00, &b, 4096, 1), MACH_SEND_INVALID_DEST);	/* not a name of ours */
}

struct ool_msg {
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_ool_descriptor_t ool;
	mach_msg_trailer_t trailer;
};

static mach_msg_return_t
send_ool(mach_port_t dest, const void *addr, uint32_t size, int dealloc)
{
	struct ool_msg m;

	memset(&m, 0, sizeof m);
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	m.h.msgh_remote_port = dest;
	m.h.msgh_id = 77;
	m.body.msgh_descriptor_count = 1;
	m.ool.address = (vm_address_t)(uintptr_t)addr;
	m.ool.size = size;
	m.ool.deallocate = (uint8_t)dealloc;
	m.ool.copy = MACH_MSG_VIRTUAL_COPY;
	m.ool.type = MACH_MSG_OOL_DESCRIPTOR;
	return mach_msg(&m.h, MACH_SEND_MSG, sizeof m - sizeof m.trailer, 0, 0, 0, 0);
}

static void
out_of_line_memory_round_trips(void)
{
	uint32_t free0 = free_pages_with_heap();
	mach_port_t p = new_port();
	static uint8_t data[3 * 4096 + 100];
	struct ool_msg m;

	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7);
	CHECK_EQ(send_ool(p, data, sizeof data, 0), MACH_MSG_SUCCESS);
	data[0] = 0xEE;		/* the message has its own copy */
	CHECK_EQ(mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, p, 0, 0), MACH_MSG_SUCCESS);
	CHECK(m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX);
	CHECK_EQ(m.ool.type, MACH_MSG_OOL_DESCRIPTOR);
	CHECK_EQ(m.ool.size, sizeof data);
	CHECK(m.ool.address != (vm_address_t)(uintptr_t)data && (m.ool.address & 4095) == 0);
	CHECK_EQ(((uint8_t *)m.ool.address)[0], 0);
	CHECK_EQ(((uint8_t *)m.ool.address)[sizeof data - 1], (uint8_t)((sizeof data - 1) * 7));
	CHECK_EQ(memcmp((uint8_t *)m.ool.address + 1, data + 1, sizeof data - 1), 0);
	CHECK_EQ(vm_deallocate(ME, m.ool.address, m.ool.size), KERN_SUCCESS);
	CHECK_EQ(send_ool(p, NULL, 0, 0), MACH_MSG_SUCCESS);	/* an empty region */
	CHECK_EQ(mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, p, 0, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(m.ool.address, 0);
	CHECK_EQ(m.ool.size, 0);
	mach_port_destroy(ME, p);
	CHECK_EQ(free_pages_with_heap(), free0);
}

static void
out_of_line_deallocate_option_frees_the_senders_region(void)
{
	mach_port_t p = new_port();
	vm_address_t a = 0, again;
	struct ool_msg m;

	CHECK_EQ(vm_allocate(ME, &a, 2 * 4096, 1), KERN_SUCCESS);
	((volatile uint32_t *)a)[5] = 0xD00D;
	CHECK_EQ(send_ool(p, (void *)a, 2 * 4096, 1), MACH_MSG_SUCCESS);
	again = a;
	CHECK_EQ(vm_allocate(ME, &again, 2 * 4096, 0), KERN_SUCCESS);	/* the range is free now */
	CHECK_EQ(((volatile uint32_t *)a)[5], 0);
	CHECK_EQ(mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, p, 0, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(((uint32_t *)m.ool.address)[5], 0xD00D);
	vm_deallocate(ME, m.ool.address, m.ool.size);
	vm_deallocate(ME, a, 2 * 4096);
	mach_port_destroy(ME, p);
}

static void
out_of_line_errors_deliver_nothing(void)
{
	mach_port_t p = new_port();
	struct simple_msg m;
	uint32_t heap0 = stats().heap_bytes;

	CHECK_EQ(send_ool(p, (void *)0x10000, 64 * 1024 * 1024, 0), MACH_SEND_TOO_LARGE);
	CHECK_EQ(send_ool(p, (void *)0x7000000, 8192, 0), MACH_SEND_INVALID_MEMORY);	/* unmapped */
	CHECK_EQ(send_ool(p, (void *)0xBFFFF000, 8192, 0), MACH_SEND_INVALID_MEMORY);	/* into the kernel */
	CHECK_EQ(poll(p, &m), MACH_RCV_TIMED_OUT);
	CHECK_EQ(stats().heap_bytes, heap0);	/* no kernel copy left behind */
	mach_port_destroy(ME, p);
}

static void
queued_out_of_line_memory_dies_with_the_port(void)
{
	struct manifold_kernel_stats s0 = stats();
	mach_port_t p = new_port();
	static uint8_t data[64 * 1024];

	CHECK_EQ(send_ool(p, data, sizeof data, 0), MACH_MSG_SUCCESS);
	CHECK(stats().heap_bytes >= s0.heap_bytes + sizeof data);
	mach_port_destroy(ME, p);
	CHECK_EQ(stats().heap_bytes, s0.heap_bytes);
}

struct ports_msg {
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_ool_ports_descriptor_t ports;
	mach_msg_trailer_t trailer;
};

static mach_msg_return_t
send_port_array(mach_port_t dest, mach_port_t *names, uint32_t count, mach_msg_type_name_t disp)
{
	struct ports_msg m;

	memset(&m, 0, sizeof m);
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	m.h.msgh_remote_port = dest;
	m.h.msgh_id = 88;
	m.body.msgh_descriptor_count = 1;
	m.ports.address = (vm_address_t)(uintptr_t)names;
	m.ports.count = count;
	m.ports.disposition = (uint8_t)disp;
	m.ports.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	return mach_msg(&m.h, MACH_SEND_MSG, sizeof m - sizeof m.trailer, 0, 0, 0, 0);
}

static void
out_of_line_port_arrays_carry_rights(void)
{
	mach_port_t box = new_port(), p[4], arr[6];
	struct ports_msg m;
	mach_port_t *got;

	for (int i = 0; i < 4; i++)
		p[i] = new_port();
	arr[0] = p[0], arr[1] = p[1], arr[2] = MACH_PORT_NULL, arr[3] = p[2], arr[4] = MACH_PORT_DEAD, arr[5] = p[3];
	CHECK_EQ(send_port_array(box, arr, 6, MACH_MSG_TYPE_MAKE_SEND), MACH_MSG_SUCCESS);
	CHECK_EQ(mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, box, 0, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(m.ports.count, 6);
	CHECK_EQ(m.ports.disposition, MACH_MSG_TYPE_PORT_SEND);
	got = (mach_port_t *)m.ports.address;
	CHECK(got != arr);
	CHECK_EQ(got[0], p[0]);
	CHECK_EQ(got[2], MACH_PORT_NULL);
	CHECK_EQ(got[4], MACH_PORT_DEAD);
	CHECK_EQ(got[5], p[3]);
	CHECK_EQ(type_of(p[1]), MACH_PORT_TYPE_SEND_RECEIVE);
	for (int i = 0; i < 6; i++)
		if (MACH_PORT_VALID(got[i]))
			mach_port_deallocate(ME, got[i]);
	vm_deallocate(ME, m.ports.address, 6 * sizeof(mach_port_t));
	/* receive rights, moved in an array, come back under new names */
	arr[0] = p[0], arr[1] = p[1];
	CHECK_EQ(send_port_array(box, arr, 2, MACH_MSG_TYPE_MOVE_RECEIVE), MACH_MSG_SUCCESS);
	CHECK_EQ(type_of(p[0]), 0);
	CHECK_EQ(mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, box, 0, 0), MACH_MSG_SUCCESS);
	got = (mach_port_t *)m.ports.address;
	CHECK_EQ(m.ports.disposition, MACH_MSG_TYPE_PORT_RECEIVE);
	CHECK_EQ(type_of(got[0]), MACH_PORT_TYPE_RECEIVE);
	CHECK_EQ(type_of(got[1]), MACH_PORT_TYPE_RECEIVE);
	mach_port_destroy(ME, got[0]);
	mach_port_destroy(ME, got[1]);
	vm_deallocate(ME, m.ports.address, 2 * sizeof(mach_port_t));
	mach_port_destroy(ME, p[2]);
	mach_port_destroy(ME, p[3]);
	mach_port_destroy(ME, box);
}

static void
bad_port_arrays_are_refused(void)
{
	mach_port_t box = new_port(), x = new_port();
	static mach_port_t many[100];
	struct simple_msg m;
	uint32_t heap0 = stats().heap_bytes;

	for (int i = 0; i < 100; i++)
		many[i] = x;
	CHECK_EQ(send_port_array(box, many, 100, MACH_MSG_TYPE_MAKE_SEND), MACH_SEND_TOO_LARGE);
	CHECK_EQ(send_port_array(box, (mach_port_t *)0x7000000, 4, MACH_MSG_TYPE_MAKE_SEND), MACH_SEND_INVALID_MEMORY);
	CHECK_EQ(send_port_array(box, many, 2, MACH_MSG_TYPE_COPY_SEND), MACH_SEND_INVALID_RIGHT);
	CHECK_EQ(send_port_array(box, many, 2, MACH_MSG_TYPE_MOVE_RECEIVE), MACH_SEND_INVALID_RIGHT);	/* twice */
	CHECK_EQ(send_port_array(box, many, 2, 7), MACH_SEND_INVALID_TYPE);
	CHECK_EQ(type_of(x), MACH_PORT_TYPE_RECEIVE);
	CHECK_EQ(poll(box, &m), MACH_RCV_TIMED_OUT);
	CHECK_EQ(stats().heap_bytes, heap0);
	/* a queued array's rights die with the port it waits on */
	CHECK_EQ(send_port_array(box, many, 3, MACH_MSG_TYPE_MAKE_SEND), MACH_MSG_SUCCESS);
	mach_port_destroy(ME, box);
	CHECK_EQ(type_of(x), MACH_PORT_TYPE_RECEIVE);
	mach_port_destroy(ME, x);
}

static void
task_threads_lists_the_tasks_threads(void)
{
	thread_act_array_t list;
	mach_msg_type_number_t n = 0;
	mach_port_t self = mach_thread_self(), th;
	int found = 0;

	CHECK_EQ(task_threads(ME, &list, &n), KERN_SUCCESS);
	CHECK_EQ(n, 1);
	CHECK_EQ(list[0], self);
	mach_port_deallocate(ME, list[0]);
	vm_deallocate(ME, (vm_address_t)(uintptr_t)list, n * sizeof *list);
	CHECK_EQ(thread_create(ME, &th), KERN_SUCCESS);
	CHECK_EQ(task_threads(ME, &list, &n), KERN_SUCCESS);
	CHECK_EQ(n, 2);
	for (uint32_t i = 0; i < n; i++) {
		found += list[i] == th;
		mach_port_deallocate(ME, list[i]);
	}
	CHECK_EQ(found, 1);
	vm_deallocate(ME, (vm_address_t)(uintptr_t)list, n * sizeof *list);
	thread_terminate(th);
	CHECK(wait_dead_name(th));
	mach_port_destroy(ME, th);
	mach_port_deallocate(ME, self);
}

/* ---- exceptions ---- */

static volatile uint32_t recovered_flag;

static void
recovered(void)
{
	recovered_flag = 0x600D;
	thread_terminate(mach_thread_self());
	for (;;)
		;
}

static volatile uintptr_t bad_address = 0x10;

static void
worker_null_write(void)
{
	*(volatile uint32_t *)bad_address = 1;
	for (;;)
		;
}

/* Receives one exception request on port and answers it through exc_server. */
static mach_msg_return_t
handle_one_exception(mach_port_t port)
{
	static union {
		mach_msg_header_t h;
		uint8_t b[512];
	} in, out;
	mach_msg_return_t mr = mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, port, 5000, 0);

	if (mr != MACH_MSG_SUCCESS)
		return mr;
	exc_resume_at = recovered;	/* the handler sends the thread there */
	if (!exc_server(&in.h, &out.h))
		return MIG_BAD_ID;
	return mach_msg(&out.h, MACH_SEND_MSG, out.h.msgh_size, 0, 0, 0, 0);
}

static void
exception_handler_fixes_the_thread_and_it_resumes(void)
{
	mach_port_t e = new_port(), th;

	mach_port_insert_right(ME, e, e, MACH_MSG_TYPE_MAKE_SEND);
	CHECK_EQ(task_set_special_port(ME, TASK_EXCEPTION_PORT, e), KERN_SUCCESS);
	recovered_flag = 0;
	th = start_thread(worker_null_write);
	CHECK(MACH_PORT_VALID(th));
	CHECK_EQ(handle_one_exception(e), MACH_MSG_SUCCESS);
	CHECK(wait_dead_name(th));
	CHECK_EQ(recovered_flag, 0x600D);
	CHECK_EQ(seen_exception, EXC_BAD_ACCESS);
	CHECK_EQ(seen_code0, KERN_INVALID_ADDRESS);	/* what the fault returned, as in Mach */
	CHECK_EQ(seen_code1, 0x10);		/* at this address */
	CHECK_EQ(task_set_special_port(ME, TASK_EXCEPTION_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, e);
}

#include "syscall_port_cases.h"
#include "syscall_data_cases.h"
#include "tls_cases.h"
#include "fxsave_cases.h"
#include "exc_ports_cases.h"

static void
thread_exception_port_comes_before_the_tasks(void)
{
	mach_port_t te = new_port(), ke = new_port(), th, got;
	struct simple_msg m;

	mach_port_insert_right(ME, te, te, MACH_MSG_TYPE_MAKE_SEND);
	mach_port_insert_right(ME, ke, ke, MACH_MSG_TYPE_MAKE_SEND);
	task_set_special_port(ME, TASK_EXCEPTION_PORT, ke);
	recovered_flag = 0;
	CHECK_EQ(thread_create(ME, &th), KERN_SUCCESS);
	CHECK_EQ(thread_set_special_port(th, THREAD_EXCEPTION_PORT, te), KERN_SUCCESS);
	CHECK_EQ(thread_get_special_port(th, THREAD_EXCEPTION_PORT, &got), KERN_SUCCESS);
	CHECK_EQ(got, te);
	mach_port_deallocate(ME, got);
	CHECK_EQ(thread_set_special_port(th, 99, te), KERN_INVALID_ARGUMENT);
	{
		i386_thread_state_t st;
		mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;
		static uint32_t stack[1024];
		thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &n);
		st.eip = (natural_t)(uintptr_t)worker_null_write;
		st.esp = (natural_t)(uintptr_t)&stack[1020];
		thread_set_state(th, i386_THREAD_STATE, (natural_t *)&st, n);
		thread_resume(th);
	}
	CHECK_EQ(handle_one_exception(te), MACH_MSG_SUCCESS);
	CHECK(wait_dead_name(th));
	CHECK_EQ(recovered_flag, 0x600D);
	CHECK_EQ(poll(ke, &m), MACH_RCV_TIMED_OUT);	/* the task's port heard nothing */
	task_set_special_port(ME, TASK_EXCEPTION_PORT, MACH_PORT_NULL);
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, te);
	mach_port_destroy(ME, ke);
}

/* ---- two tasks ---- */

static mach_port_t boot_port;
static uint32_t peer_task_id;	/* the last peer's, as task_self_id gives it */

/* Starts ipcpeer and returns a send right to its service port. */
static mach_port_t
start_peer(void)
{
	struct simple_msg m;

	if (trap_boot_module_start(1, &peer_task_id) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	if (receive(boot_port, &m, sizeof m, MACH_RCV_TIMEOUT, 5000) != MACH_MSG_SUCCESS || m.h.msgh_id != PEER_HELLO)
		return MACH_PORT_NULL;
	return m.h.msgh_remote_port;
}

static mach_msg_return_t
rpc(mach_port_t dest, mach_msg_id_t id, const void *data, uint32_t len, struct simple_msg *m)
{
	mach_port_t r = mach_reply_port();
	mach_msg_return_t mr;

	m->h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m->h.msgh_remote_port = dest;
	m->h.msgh_local_port = r;
	m->h.msgh_id = id;
	memcpy(m->data, data, len);
	mr = mach_msg(&m->h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof m->h + len, sizeof *m, r, 5000, 0);
	mach_port_destroy(ME, r);
	return mr;
}

/* Tells the peer to exit and waits until its port is dead (its task is gone). */
static void
stop_peer(mach_port_t peer)
{
	mach_port_t n = mach_reply_port(), prev;
	struct simple_msg m;

	mach_port_request_notification(ME, peer, MACH_NOTIFY_DEAD_NAME, 1, n, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	send_simple(peer, MACH_MSG_TYPE_COPY_SEND, 0, 0, PEER_EXIT, NULL, 0);
	receive(n, &m, sizeof m, MACH_RCV_TIMEOUT, 5000);
	mach_port_destroy(ME, peer);	/* the dead name, with the notification's reference */
	mach_port_destroy(ME, n);
}

static void
rpc_with_another_task_echoes_payloads(void)
{
	mach_port_t peer = start_peer();
	static struct simple_msg m;
	static uint32_t data[1024];

	CHECK(MACH_PORT_VALID(peer));
	for (uint32_t i = 0; i < 1024; i++)
		data[i] = i * 2654435761u;
	CHECK_EQ(rpc(peer, PEER_ECHO, NULL, 0, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, PEER_ECHO + 100);
	CHECK_EQ(rpc(peer, PEER_ECHO, data, 64, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_size, sizeof m.h + 64);
	CHECK(memcmp(m.data, data, 64) == 0);
	CHECK_EQ(rpc(peer, PEER_ECHO, data, 4096, &m), MACH_MSG_SUCCESS);
	CHECK(memcmp(m.data, data, 4096) == 0);
	for (int i = 0; i < 200; i++)
		CHECK_EQ(rpc(peer, PEER_ECHO, &i, 4, &m), MACH_MSG_SUCCESS);
	stop_peer(peer);
}

/*
 * A receiver that asks for two trailer elements learns who sent: the sending
 * task's id, 0 for the kernel's messages; by the fast path (a waiting
 * receiver) and the slow one (a queued message) alike.
 */
static void
sender_trailer_names_the_sending_task(void)
{
	const mach_msg_option_t sender = MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SENDER);
	mach_port_t p = new_port(), so = MACH_PORT_NULL, peer, r;
	mach_msg_type_name_t type;
	static struct simple_msg m;
	mach_msg_security_trailer_t *tr;
	uint32_t me = 0;

	CHECK_EQ(trap_task_self_id(&me), KERN_SUCCESS);
	CHECK_EQ(send_simple(p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 1, NULL, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(receive(p, &m, sizeof m, MACH_RCV_TIMEOUT | sender, 0), MACH_MSG_SUCCESS);
	tr = (mach_msg_security_trailer_t *)((char *)&m + m.h.msgh_size);
	CHECK_EQ(tr->msgh_trailer_size, sizeof *tr);
	CHECK_EQ(tr->msgh_sender.val[0], me);
	CHECK_EQ(tr->msgh_sender.val[1], 0);

	/* the kernel's own: a send-once notification */
	CHECK_EQ(mach_port_extract_right(ME, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &type), KERN_SUCCESS);
	CHECK_EQ(mach_port_deallocate(ME, so), KERN_SUCCESS);
	CHECK_EQ(receive(p, &m, sizeof m, MACH_RCV_TIMEOUT | sender, 1000), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
	tr = (mach_msg_security_trailer_t *)((char *)&m + m.h.msgh_size);
	CHECK_EQ(tr->msgh_sender.val[0], 0);

	/* another task's reply, into our waiting receive */
	peer = start_peer();
	CHECK(MACH_PORT_VALID(peer));
	CHECK(peer_task_id != 0 && peer_task_id != me);
	r = mach_reply_port();
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.h.msgh_remote_port = peer;
	m.h.msgh_local_port = r;
	m.h.msgh_id = PEER_ECHO;
	CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT | sender, sizeof m.h, sizeof m, r, 5000, 0),
		 MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, PEER_ECHO + 100);
	tr = (mach_msg_security_trailer_t *)((char *)&m + m.h.msgh_size);
	CHECK_EQ(tr->msgh_trailer_size, sizeof *tr);
	CHECK_EQ(tr->msgh_sender.val[0], peer_task_id);
	mach_port_destroy(ME, r);
	stop_peer(peer);
	mach_port_destroy(ME, p);
}

/*
 * A send-once right with a dead-name request, moved to a receiver of ours
 * that waits (the fast path, when it is on): the name goes, and with it the
 * request, whose port-deleted notification is recorded while the fast path
 * holds the receiver's pmap lock. The xipc suite's lockcheck found that order
 * first (ipc_defer_lock is a leaf for it, kern/lock_order.h).
 */
static void
fast_path_moves_a_right_with_a_dead_name_request(void)
{
	mach_port_t th, so = MACH_PORT_NULL, n = new_port(), prev = MACH_PORT_NULL;
	mach_msg_type_name_t type;
	struct manifold_kernel_stats before, after;
	static struct simple_msg m;

	worker_port = new_port();
	worker_flag = 0;
	th = start_thread(worker_receive);
	CHECK(MACH_PORT_VALID(th));
	for (int i = 0; i < 10; i++)
		thread_switch(MACH_PORT_NULL, 0, 0);	/* it waits in its receive */
	CHECK_EQ(mach_port_extract_right(ME, worker_port, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &type), KERN_SUCCESS);
	CHECK_EQ(mach_port_request_notification(ME, so, MACH_NOTIFY_DEAD_NAME, 0, n, MACH_MSG_TYPE_MAKE_SEND_ONCE,
						&prev), KERN_SUCCESS);
	CHECK_EQ(type_of(so), MACH_PORT_TYPE_SEND_ONCE | MACH_PORT_TYPE_DNREQUEST);
	before = stats();
	memset(&m, 0, sizeof m);
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
	m.h.msgh_size = sizeof m.h;
	m.h.msgh_remote_port = so;
	m.h.msgh_id = 4711;
	CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG, sizeof m.h, 0, MACH_PORT_NULL, 0, 0), MACH_MSG_SUCCESS);
	after = stats();
	if (before.fastpath_enabled)
		CHECK_EQ(after.fastpath_hits - before.fastpath_hits, 1);
	CHECK(wait_dead_name(th));
	CHECK_EQ(worker_flag, 1);
	CHECK_EQ(worker_result, MACH_MSG_SUCCESS);
	CHECK_EQ(receive(n, &m, sizeof m, MACH_RCV_TIMEOUT, 1000), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_PORT_DELETED);
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, worker_port);
	mach_port_destroy(ME, n);
}

/*
 * A request to a kernel object by hand (mach_port_type, id 3201, on our task
 * port): its header's rights are committed as the slow path commits them, by
 * whichever path carries it (fastpath.c builds a simple one in a room on the
 * kernel stack). A copied send right comes back, a moved one is used up, one
 * name for destination and reply gives two copies, both released (the answer
 * goes to the task port, which takes it as a request and has no one to answer);
 * a body on a page that is not there is MACH_SEND_INVALID_DATA with nothing
 * taken.
 */
static void
kernel_object_request_rights_commit_as_the_slow_path_does(void)
{
	struct {
		mach_msg_header_t h;
		union {
			mach_port_name_t name;				/* the request's */
			struct { kern_return_t ret; mach_port_type_t type; } out;	/* the answer's */
		};
		uint8_t room[64];
	} m;
	mach_port_t task = mach_task_self(), r = new_port();
	mach_port_urefs_t refs = refs_of(task, MACH_PORT_RIGHT_SEND);
	vm_address_t two = 0;
	mach_msg_header_t *edge;

	for (int move = 0; move < 2; move++) {
		if (move)
			CHECK_EQ(mach_port_mod_refs(ME, task, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
		memset(&m, 0, sizeof m);
		m.h.msgh_bits = MACH_MSGH_BITS(move ? MACH_MSG_TYPE_MOVE_SEND : MACH_MSG_TYPE_COPY_SEND,
					       MACH_MSG_TYPE_MAKE_SEND_ONCE);
		m.h.msgh_remote_port = task;
		m.h.msgh_local_port = r;
		m.h.msgh_id = 3201;
		m.name = r;
		CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof m.h + 4, sizeof m, r,
				  5000, 0), MACH_MSG_SUCCESS);
		CHECK_EQ(m.h.msgh_id, 3301);
		CHECK_EQ(m.h.msgh_size, sizeof m.h + 8);
		CHECK_EQ(m.out.ret, KERN_SUCCESS);
		CHECK_EQ(m.out.type, MACH_PORT_TYPE_RECEIVE);
		CHECK_EQ(refs_of(task, MACH_PORT_RIGHT_SEND), refs);
	}
	/* one name for both: two copies of the send right travel, and both come back */
	memset(&m, 0, sizeof m);
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_COPY_SEND);
	m.h.msgh_remote_port = m.h.msgh_local_port = task;
	m.h.msgh_id = 3201;
	m.name = r;
	CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof m.h + 4, sizeof m, r, 10, 0),
		 MACH_RCV_TIMED_OUT);
	CHECK_EQ(refs_of(task, MACH_PORT_RIGHT_SEND), refs);
	CHECK_EQ(type_of(r), MACH_PORT_TYPE_RECEIVE);
	/* the body on a page that is not there: refused before anything is taken */
	CHECK_EQ(vm_allocate(ME, &two, 2 * 4096, 1), KERN_SUCCESS);
	CHECK_EQ(vm_deallocate(ME, two + 4096, 4096), KERN_SUCCESS);
	edge = (mach_msg_header_t *)(two + 4096 - sizeof *edge);
	edge->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	edge->msgh_remote_port = task;
	edge->msgh_local_port = r;
	edge->msgh_id = 3201;
	CHECK_EQ(mach_msg(edge, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof *edge + 4, sizeof *edge, r, 10, 0),
		 MACH_SEND_INVALID_DATA);
	CHECK_EQ(refs_of(task, MACH_PORT_RIGHT_SEND), refs);
	{
		mach_port_status_t st = { 0 };
		mach_msg_type_number_t n = MACH_PORT_RECEIVE_STATUS_COUNT;
		CHECK_EQ(mach_port_get_attributes(ME, r, MACH_PORT_RECEIVE_STATUS, (integer_t *)&st, &n), KERN_SUCCESS);
		CHECK_EQ(st.mps_sorights, 0);	/* no send-once right was made for a reply */
	}
	CHECK_EQ(vm_deallocate(ME, two, 4096), KERN_SUCCESS);
	mach_port_destroy(ME, r);
}

/* A worker that receives once on worker_port into worker_buf (a region the case chose). */
static vm_address_t worker_buf;

static void
worker_receive_into_buf(void)
{
	worker_result = mach_msg((mach_msg_header_t *)worker_buf, MACH_RCV_MSG, 0, 256, worker_port, 0, 0);
	worker_flag = 1;
	thread_terminate(mach_thread_self());
	for (;;)
		;
}

/*
 * A receiver already waiting takes a message by the fast path when its buffer
 * can be written: a page not touched yet (zero-fill) is made writable as the
 * wait begins, and the header and trailer arrive. A buffer on a read-only
 * page gets what the slow path gives, MACH_RCV_INVALID_DATA with the message
 * left queued, where a second receive into good memory finds it, its rights
 * still in it. The receiver writes the header and trailer itself
 * (ipc_fastpath_received), so both must be checked here.
 */
static void
fast_path_receiver_buffer_untouched_or_read_only(void)
{
	mach_port_t th, r = new_port();
	struct manifold_kernel_stats before, after;
	static struct simple_msg m;
	mach_msg_security_trailer_t *tr;
	vm_address_t region = 0;

	CHECK_EQ(vm_allocate(ME, &region, 2 * 4096, 1), KERN_SUCCESS);
	for (int ro = 0; ro < 2; ro++) {
		worker_port = new_port();
		worker_flag = 0;
		worker_buf = region + (vm_address_t)ro * 4096;
		if (ro)
			CHECK_EQ(vm_protect(ME, worker_buf, 4096, 0, VM_PROT_READ), KERN_SUCCESS);
		th = start_thread(worker_receive_into_buf);
		CHECK(MACH_PORT_VALID(th));
		for (int i = 0; i < 10; i++)
			thread_switch(MACH_PORT_NULL, 0, 0);	/* it waits in its receive */
		before = stats();
		memset(&m, 0, sizeof m);
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
		m.h.msgh_remote_port = worker_port;
		m.h.msgh_local_port = r;
		m.h.msgh_id = 4712 + ro;
		m.data[0] = 0x5eed0000u + (uint32_t)ro;
		CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG, sizeof m.h + 4, 0, MACH_PORT_NULL, 0, 0), MACH_MSG_SUCCESS);
		after = stats();
		CHECK(wait_dead_name(th));
		CHECK_EQ(worker_flag, 1);
		if (!ro) {
			mach_msg_header_t *h = (mach_msg_header_t *)worker_buf;
			if (before.fastpath_enabled)
				CHECK_EQ(after.fastpath_hits - before.fastpath_hits, 1);
			CHECK_EQ(worker_result, MACH_MSG_SUCCESS);
			CHECK_EQ(h->msgh_id, 4712);
			CHECK_EQ(h->msgh_size, sizeof m.h + 4);
			CHECK_EQ(MACH_MSGH_BITS_REMOTE(h->msgh_bits), MACH_MSG_TYPE_PORT_SEND_ONCE);
			CHECK_EQ(type_of(h->msgh_remote_port), MACH_PORT_TYPE_SEND_ONCE);
			CHECK_EQ(((uint32_t *)(h + 1))[0], 0x5eed0000u);
			tr = (mach_msg_security_trailer_t *)((char *)h + h->msgh_size);
			CHECK_EQ(tr->msgh_trailer_type, MACH_MSG_TRAILER_FORMAT_0);
			CHECK_EQ(tr->msgh_trailer_size, sizeof(mach_msg_trailer_t));	/* no trailer elements asked for */
			CHECK_EQ(((uint32_t *)((char *)tr + sizeof(mach_msg_trailer_t)))[0], 0);	/* nothing past it */
			mach_port_deallocate(ME, h->msgh_remote_port);
		} else {
			CHECK_EQ(after.fastpath_hits, before.fastpath_hits);
			CHECK_EQ(worker_result, MACH_RCV_INVALID_DATA);
			CHECK_EQ(receive(worker_port, &m, sizeof m, MACH_RCV_TIMEOUT, 0), MACH_MSG_SUCCESS);
			CHECK_EQ(m.h.msgh_id, 4713);
			CHECK_EQ(m.data[0], 0x5eed0001u);
			CHECK_EQ(type_of(m.h.msgh_remote_port), MACH_PORT_TYPE_SEND_ONCE);
			mach_port_deallocate(ME, m.h.msgh_remote_port);
		}
		mach_port_destroy(ME, th);
		mach_port_destroy(ME, worker_port);
	}
	CHECK_EQ(vm_deallocate(ME, region, 2 * 4096), KERN_SUCCESS);
	mach_port_destroy(ME, r);
}

/*
 * A worker for the two cases below: takes one request on worker_port, then
 * answers it with a message the fast path does not carry (a right in a
 * descriptor), or aborts the thread that asked.
 */
static mach_port_t worker_victim;	/* the thread worker_aborts_the_caller aborts */

static void
worker_answers_with_a_right(void)
{
	static struct {
		mach_msg_header_t h;
		uint8_t room[128];
	} in;
	static struct port_msg out;

	worker_result = mach_msg(&in.h, MACH_RCV_MSG, 0, sizeof in, worker_port, 0, 0);
	if (worker_result == MACH_MSG_SUCCESS) {
		memset(&out, 0, sizeof out);
		out.h.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(in.h.msgh_bits), 0) | MACH_MSGH_BITS_COMPLEX;
		out.h.msgh_size = sizeof out;
		out.h.msgh_remote_port = in.h.msgh_remote_port;
		out.h.msgh_id = in.h.msgh_id + 100;
		out.body.msgh_descriptor_count = 1;
		out.port.name = worker_port;
		out.port.disposition = MACH_MSG_TYPE_MAKE_SEND;
		out.port.type = MACH_MSG_PORT_DESCRIPTOR;
		worker_result = mach_msg(&out.h, MACH_SEND_MSG, sizeof out, 0, MACH_PORT_NULL, 0, 0);
	}
	worker_flag = 1;
	thread_terminate(mach_thread_self());
	for (;;)
		;
}

static void
worker_aborts_the_caller(void)
{
	static struct simple_msg in;

	worker_result = mach_msg(&in.h, MACH_RCV_MSG, 0, sizeof in, worker_port, 0, 0);
	if (worker_result == MACH_MSG_SUCCESS) {
		worker_result = thread_abort(worker_victim);
		mach_port_deallocate(ME, in.h.msgh_remote_port);	/* the reply right, unused */
	}
	worker_flag = 1;
	thread_terminate(mach_thread_self());
	for (;;)
		;
}

/* A request by SEND|RCV to a waiting worker, with its reply port; what mach_msg returned. */
static mach_msg_return_t
call_worker(mach_port_t reply, void *buf, mach_msg_size_t size, struct manifold_kernel_stats *before)
{
	mach_msg_header_t *h = buf;

	for (int i = 0; i < 10; i++)
		thread_switch(MACH_PORT_NULL, 0, 0);	/* it waits in its receive */
	*before = stats();
	memset(buf, 0, size);
	h->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	h->msgh_size = sizeof *h;
	h->msgh_remote_port = worker_port;
	h->msgh_local_port = reply;
	h->msgh_id = 4242;
	return mach_msg(h, MACH_SEND_MSG | MACH_RCV_MSG, sizeof *h, size, reply, 0, 0);
}

/*
 * The caller of an RPC whose request took the fast path waits for its reply
 * there (fastpath.c, ipc_fastpath_rpc); a reply the slow path carries (it has
 * a right in a descriptor) is handed to it there, and ipc_receive, which
 * finishes the receive, takes that message before it looks at any queue.
 */
static void
rpc_caller_gets_a_reply_the_slow_path_carried(void)
{
	mach_port_t th, reply = new_port();
	static struct {
		struct port_msg m;
		uint8_t trailer[64];
	} r;
	struct manifold_kernel_stats before, after;

	worker_port = new_port();
	worker_flag = 0;
	th = start_thread(worker_answers_with_a_right);
	CHECK(MACH_PORT_VALID(th));
	CHECK_EQ(call_worker(reply, &r, sizeof r, &before), MACH_MSG_SUCCESS);
	after = stats();
	if (before.fastpath_enabled)
		CHECK(after.fastpath_hits - before.fastpath_hits >= 1);	/* the request */
	CHECK_EQ(r.m.h.msgh_id, 4342);
	CHECK(r.m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX);
	CHECK_EQ(r.m.body.msgh_descriptor_count, 1);
	CHECK_EQ(r.m.port.name, worker_port);	/* a send right, under the receive right's name */
	CHECK_EQ(r.m.port.disposition, MACH_MSG_TYPE_PORT_SEND);
	CHECK(wait_dead_name(th));
	CHECK_EQ(worker_flag, 1);
	CHECK_EQ(worker_result, MACH_MSG_SUCCESS);
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, worker_port);
	mach_port_destroy(ME, reply);
}

/* The sequence number the next message received on port gets. */
static mach_port_seqno_t
next_seqno(mach_port_t port)
{
	mach_port_status_t st = { 0 };
	mach_msg_type_number_t n = MACH_PORT_RECEIVE_STATUS_COUNT;

	mach_port_get_attributes(ME, port, MACH_PORT_RECEIVE_STATUS, (integer_t *)&st, &n);
	return st.mps_seqno;
}

/*
 * A kernel object's answer goes behind what its reply port already holds and
 * takes the port's next sequence number, whether the kernel writes it
 * straight into the caller's buffer (ipc_fastpath_kernel_answer, when the
 * port holds nothing) or queues it: with a message queued on the stub's reply
 * port, the stub gets that one (a mismatch) and the answer waits behind it.
 */
static void
kernel_answer_comes_behind_what_its_reply_port_holds(void)
{
	mach_port_t rp = mig_get_reply_port();
	mach_msg_header_t h = { 0 };
	mach_port_type_t type = 0;
	mach_port_seqno_t s0;
	struct manifold_kernel_stats before, after;
	static struct {
		mach_msg_header_t h;
		uint8_t rest[256];
	} r;

	/* nothing queued: answered, one sequence number used */
	s0 = next_seqno(rp);
	before = stats();
	CHECK_EQ(mach_port_type(ME, rp, &type), KERN_SUCCESS);
	after = stats();
	CHECK(type & MACH_PORT_TYPE_RECEIVE);
	CHECK_EQ(next_seqno(rp), s0 + 2);	/* the answer, then get_attributes' own */
	if (before.fastpath_enabled)
		CHECK(after.fastpath_hits != before.fastpath_hits);	/* into the buffer */

	/* one message queued first: the stub takes it, the answer stays behind it */
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND_ONCE, 0);
	h.msgh_size = sizeof h;
	h.msgh_remote_port = rp;
	h.msgh_id = 4711;
	s0 = next_seqno(rp);	/* (its own answer took s0) */
	CHECK_EQ(mach_msg(&h, MACH_SEND_MSG, sizeof h, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL), MACH_MSG_SUCCESS);
	CHECK_EQ(mach_port_type(ME, rp, &type), MIG_REPLY_MISMATCH);	/* it got 4711, s0 + 1 */
	/* no stub may run now: its receive on rp would take the answer */
	CHECK_EQ(mach_msg(&r.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT | MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SEQNO),
			  0, sizeof r, rp, 0, MACH_PORT_NULL),
		 MACH_MSG_SUCCESS);
	CHECK_EQ(r.h.msgh_id, MACH_PORT_TYPE_ID + 100);
	CHECK_EQ(r.h.msgh_local_port, rp);
	CHECK_EQ(MACH_MSGH_BITS_LOCAL(r.h.msgh_bits), MACH_MSG_TYPE_PORT_SEND_ONCE);
	CHECK_EQ(((mach_msg_seqno_trailer_t *)((uint8_t *)&r + r.h.msgh_size))->msgh_seqno, s0 + 2);
	CHECK_EQ(mach_msg(&r.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof r, rp, 0, MACH_PORT_NULL),
		 MACH_RCV_TIMED_OUT);	/* nothing else */
}

/* The same caller, aborted while it waits for the reply: MACH_RCV_INTERRUPTED, as from any receive. */
static void
rpc_caller_aborted_while_it_waits_for_the_reply(void)
{
	mach_port_t th, reply = new_port();
	static struct simple_msg m;
	struct manifold_kernel_stats before;

	worker_port = new_port();
	worker_flag = 0;
	worker_victim = mach_thread_self();
	th = start_thread(worker_aborts_the_caller);
	CHECK(MACH_PORT_VALID(th));
	CHECK_EQ(call_worker(reply, &m, sizeof m, &before), MACH_RCV_INTERRUPTED);
	CHECK(wait_dead_name(th));
	CHECK_EQ(worker_flag, 1);
	CHECK_EQ(worker_result, KERN_SUCCESS);
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, worker_port);
	mach_port_destroy(ME, reply);
	mach_port_deallocate(ME, worker_victim);
}

static void
rpc_takes_the_fast_path_exactly_when_it_is_on(void)
{
	mach_port_t peer = start_peer();
	static struct simple_msg m;
	struct manifold_kernel_stats before = stats(), after;

	CHECK(MACH_PORT_VALID(peer));
	for (int i = 0; i < 20; i++) {
		CHECK_EQ(rpc(peer, PEER_ECHO, &i, 4, &m), MACH_MSG_SUCCESS);
		CHECK_EQ(m.data[0], (uint32_t)i);
	}
	after = stats();
	printf("# fast path %s: %u of 40 messages took it\n", before.fastpath_enabled ? "on" : "off",
	       after.fastpath_hits - before.fastpath_hits);
	if (before.fastpath_enabled)
		CHECK(after.fastpath_hits - before.fastpath_hits >= 20);	/* at least every request */
	else
		CHECK_EQ(after.fastpath_hits, before.fastpath_hits);
	stop_peer(peer);
}

static volatile uint32_t spins;
static mach_port_t echo_port;	/* worker_echoes serves it */

static void
worker_spins(void)
{
	for (;;)
		spins++;
}

/* A server's loop as libmsg's: each answer sent with the next receive. Ends when echo_port goes. */
static void
worker_echoes(void)
{
	static struct {
		mach_msg_header_t h;
		uint8_t room[64];
	} m;
	mach_msg_return_t mr = mach_msg(&m.h, MACH_RCV_MSG, 0, sizeof m, echo_port, 0, 0);

	while (mr == MACH_MSG_SUCCESS) {
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(m.h.msgh_bits), 0);
		m.h.msgh_size = sizeof m.h;
		m.h.msgh_local_port = MACH_PORT_NULL;
		m.h.msgh_id += 100;
		mr = mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG, sizeof m.h, sizeof m, echo_port, 0, 0);
	}
	worker_result = mr;
	thread_terminate(mach_thread_self());
	for (;;)
		;
}

/*
 * A client and a server that answer each other hand the CPU back and forth
 * without the run queue (the receiver is the sender's successor, sched.c):
 * they share one time slice, and a thread of their priority that only
 * computes still gets its turn when it runs out, while the pair keeps its pace.
 */
static void
rpc_ping_pong_leaves_time_for_a_busy_thread(void)
{
	mach_port_t server, spinner, reply = new_port();
	static struct {
		mach_msg_header_t h;
		uint8_t room[64];
	} m;
	uint64_t start = 0, now = 0;
	uint32_t before, calls = 0;

	echo_port = new_port();
	server = start_thread(worker_echoes);
	spinner = start_thread(worker_spins);
	CHECK(MACH_PORT_VALID(server) && MACH_PORT_VALID(spinner));
	trap_clock_uptime(&start);
	before = spins;
	do {
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
		m.h.msgh_size = sizeof m.h;
		m.h.msgh_remote_port = echo_port;
		m.h.msgh_local_port = reply;
		m.h.msgh_id = 1;
		if (mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG, sizeof m.h, sizeof m, reply, 0, 0) != MACH_MSG_SUCCESS ||
		    m.h.msgh_id != 101)
			break;
		calls++;
		trap_clock_uptime(&now);
	} while (now - start < 400000000ull);	/* 400 ms: eight time slices */
	printf("# %u RPCs in 400 ms, the busy thread counted %u\n", calls, spins - before);
	CHECK(now - start >= 400000000ull);
	CHECK(spins != before);
	CHECK(calls >= 400);	/* not one call a slice */
	CHECK_EQ(thread_terminate(spinner), KERN_SUCCESS);
	CHECK(wait_dead_name(spinner));
	mach_port_destroy(ME, echo_port);	/* the server's receive fails: it ends */
	CHECK(wait_dead_name(server));
	mach_port_destroy(ME, spinner);
	mach_port_destroy(ME, server);
	mach_port_destroy(ME, reply);
}

static void
rpc_along_a_chain_of_three_tasks(void)
{
	mach_port_t b = start_peer(), c = start_peer();
	struct port_msg pm;
	static struct simple_msg m;
	uint32_t v = 0xC4A1;

	CHECK(MACH_PORT_VALID(b) && MACH_PORT_VALID(c));
	memset(&pm, 0, sizeof pm);
	pm.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	pm.h.msgh_remote_port = b;
	pm.h.msgh_id = PEER_SET_NEXT;
	pm.body.msgh_descriptor_count = 1;
	pm.port.name = c;
	pm.port.disposition = MACH_MSG_TYPE_COPY_SEND;
	pm.port.type = MACH_MSG_PORT_DESCRIPTOR;
	CHECK_EQ(mach_msg(&pm.h, MACH_SEND_MSG, sizeof pm, 0, 0, 0, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(rpc(b, PEER_RELAY, &v, 4, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, PEER_RELAY + 100);
	CHECK_EQ(m.data[0], v);
	stop_peer(b);
	stop_peer(c);
}

static void
dead_peer_leaves_a_dead_name_and_a_notification(void)
{
	mach_port_t peer = start_peer(), n = new_port(), prev;
	struct simple_msg m;

	CHECK(MACH_PORT_VALID(peer));
	CHECK_EQ(mach_port_request_notification(ME, peer, MACH_NOTIFY_DEAD_NAME, 0, n, MACH_MSG_TYPE_MAKE_SEND_ONCE,
						&prev), KERN_SUCCESS);
	send_simple(peer, MACH_MSG_TYPE_COPY_SEND, 0, 0, PEER_CRASH, NULL, 0);
	CHECK_EQ(receive(n, &m, sizeof m, MACH_RCV_TIMEOUT, 5000), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_DEAD_NAME);
	CHECK_EQ(type_of(peer), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(rpc(peer, PEER_ECHO, NULL, 0, &m), MACH_SEND_INVALID_DEST);
	CHECK_EQ(refs_of(peer, MACH_PORT_RIGHT_DEAD_NAME), 2);	/* one came with the notification */
	mach_port_destroy(ME, peer);
	mach_port_destroy(ME, n);
}

static void
no_senders_when_the_other_task_lets_go(void)
{
	mach_port_t peer = start_peer(), p = new_port(), n = new_port(), prev;
	struct simple_msg m;

	CHECK(MACH_PORT_VALID(peer));
	mach_port_request_notification(ME, p, MACH_NOTIFY_NO_SENDERS, 0, n, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	/* the peer receives a send right to p, then deallocates it */
	CHECK_EQ(send_simple(peer, MACH_MSG_TYPE_COPY_SEND, p, MACH_MSG_TYPE_MAKE_SEND, PEER_DROP_SEND, NULL, 0),
		 MACH_MSG_SUCCESS);
	CHECK_EQ(receive(n, &m, sizeof m, MACH_RCV_TIMEOUT, 5000), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_NO_SENDERS);
	stop_peer(peer);
	mach_port_destroy(ME, p);
	mach_port_destroy(ME, n);
}

static void
blocked_receive_wakes_when_a_message_arrives(void)
{
	mach_port_t peer = start_peer(), r = mach_reply_port();
	struct simple_msg m;

	CHECK(MACH_PORT_VALID(peer));
	/* the peer can only answer after we block in receive */
	CHECK_EQ(send_simple(peer, MACH_MSG_TYPE_COPY_SEND, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, PEER_ECHO, NULL, 0),
		 MACH_MSG_SUCCESS);
	CHECK_EQ(mach_msg(&m.h, MACH_RCV_MSG, 0, sizeof m, r, 0, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, PEER_ECHO + 100);
	stop_peer(peer);
	mach_port_destroy(ME, r);
}

static void
three_tasks_trade_rights_at_random_without_leaks(void)
{
	uint32_t live = live_ports();
	mach_port_t peers[3], r = mach_reply_port();
	struct stress_msg sm;
	struct simple_msg m;

	for (int i = 0; i < 3; i++) {
		peers[i] = start_peer();
		CHECK(MACH_PORT_VALID(peers[i]));
	}
	for (int i = 0; i < 3; i++) {
		memset(&sm, 0, sizeof sm);
		sm.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) |
				 MACH_MSGH_BITS_COMPLEX;
		sm.h.msgh_remote_port = peers[i];
		sm.h.msgh_local_port = r;
		sm.h.msgh_id = PEER_STRESS;
		sm.body.msgh_descriptor_count = 3;
		for (int j = 0; j < 3; j++) {
			sm.peer[j].name = peers[j];
			sm.peer[j].disposition = MACH_MSG_TYPE_COPY_SEND;
			sm.peer[j].type = MACH_MSG_PORT_DESCRIPTOR;
		}
		sm.steps = 3000;
		sm.seed = 0x9E3779B9u * (uint32_t)(i + 1);
		CHECK_EQ(mach_msg(&sm.h, MACH_SEND_MSG, sizeof sm, 0, 0, 0, 0), MACH_MSG_SUCCESS);
	}
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(receive(r, &m, sizeof m, MACH_RCV_TIMEOUT, 20000), MACH_MSG_SUCCESS);
		CHECK_EQ(m.h.msgh_id, PEER_STRESS + 100);
		CHECK_EQ(m.data[0], 0);		/* the peer's own checks all held */
	}
	for (int i = 0; i < 3; i++)
		stop_peer(peers[i]);
	mach_port_destroy(ME, r);
	CHECK_EQ(live_ports(), live);		/* every port the run made is gone */
}

/* ---- stress and fuzz ---- */


static void
random_rights_traffic_keeps_invariants(void)
{
	enum { NP = 8 };
	mach_port_t ports[NP];
	uint32_t queued[NP] = { 0 };
	uint32_t live = live_ports();
	static struct simple_msg m;

	for (int i = 0; i < NP; i++) {
		ports[i] = new_port();
		mach_port_set_qlimit(ME, ports[i], MACH_PORT_QLIMIT_MAX);
	}
	for (int step = 0; step < 4000; step++) {
		int a = (int)(rnd() % NP), b = (int)(rnd() % NP);
		switch (rnd() % 4) {
		case 0:		/* a message to a, carrying a send right to b */
		case 1:
			if (queued[a] < MACH_PORT_QLIMIT_MAX) {
				CHECK_EQ(send_simple(ports[a], MACH_MSG_TYPE_MAKE_SEND, ports[b], MACH_MSG_TYPE_MAKE_SEND,
						     b, &step, 4), MACH_MSG_SUCCESS);
				queued[a]++;
			}
			break;
		case 2:		/* receive from a: the right we get must name b */
			if (queued[a]) {
				CHECK_EQ(poll(ports[a], &m), MACH_MSG_SUCCESS);
				CHECK_EQ(m.h.msgh_remote_port, ports[m.h.msgh_id]);
				CHECK_EQ(mach_port_deallocate(ME, m.h.msgh_remote_port), KERN_SUCCESS);
				queued[a]--;
			} else {
				CHECK_EQ(poll(ports[a], &m), MACH_RCV_TIMED_OUT);
			}
			break;
		case 3:		/* no send rights may be left over anywhere */
			CHECK_EQ(type_of(ports[a]), MACH_PORT_TYPE_RECEIVE);
			break;
		}
	}
	for (int i = 0; i < NP; i++)
		mach_port_destroy(ME, ports[i]);
	CHECK_EQ(live_ports(), live);
}

static int
known_send_error(mach_msg_return_t mr)
{
	return mr == MACH_MSG_SUCCESS || (mr >= MACH_SEND_IN_PROGRESS && mr <= MACH_SEND_INVALID_TRAILER) ||
	       (mr >= MACH_RCV_IN_PROGRESS && mr <= MACH_RCV_INVALID_TRAILER);
}

static void
fuzz_100000_random_mach_msg_and_port_calls(void)
{
	static uint32_t buf[512];
	mach_port_t p = new_port(), s;
	uint32_t live = live_ports();

	mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &s);
	mach_port_insert_right(ME, p, p, MACH_MSG_TYPE_MAKE_SEND);
	mach_port_set_qlimit(ME, p, MACH_PORT_QLIMIT_MAX);
	for (int i = 0; i < 100000; i++) {
		/* not our task port's name: losing it would end the suite, not test the kernel */
		mach_port_t names[] = { p, s, rnd() | 1, MACH_PORT_NULL, MACH_PORT_DEAD, rnd(), p + 0x100 };
		mach_port_t name = names[rnd() % 7];
		mach_msg_return_t mr;

		for (int j = 0; j < 16; j++)
			buf[j] = rnd();
		if (rnd() % 2) {	/* something close to a real header */
			buf[0] = MACH_MSGH_BITS(15 + rnd() % 8, rnd() % 4 ? 0 : 15 + rnd() % 8) |
				 (rnd() % 3 ? 0 : MACH_MSGH_BITS_COMPLEX);
			buf[2] = names[rnd() % 7];
			buf[3] = rnd() % 2 ? MACH_PORT_NULL : names[rnd() % 7];
			buf[6] = rnd() % 4;
			buf[8] = (rnd() % 2) ? names[rnd() % 7] : rnd();
		}
		switch (rnd() % 3) {
		case 0:
			mr = mach_msg((mach_msg_header_t *)buf, MACH_SEND_MSG | MACH_SEND_TIMEOUT, rnd() % 2 ? rnd() % 80 : rnd(),
				      0, 0, 0, 0);
			break;
		case 1:
			mr = mach_msg((mach_msg_header_t *)buf, MACH_RCV_MSG | MACH_RCV_TIMEOUT | (rnd() & MACH_RCV_LARGE), 0,
				      rnd() % 2 ? sizeof buf : rnd(), name, 0, 0);
			if (mr == MACH_MSG_SUCCESS && MACH_PORT_VALID(((mach_msg_header_t *)buf)->msgh_remote_port) &&
			    ((mach_msg_header_t *)buf)->msgh_remote_port != p)
				mach_port_deallocate(ME, ((mach_msg_header_t *)buf)->msgh_remote_port);
			break;
		default:
			if (name == ME)
				name = p;
			mr = (mach_msg_return_t)trap_raw(10 + rnd() % 20, rnd() % 2 ? ME : rnd(), name, rnd() % 6,
							 rnd() % 2 ? 0 : rnd(), rnd() % 2 ? 0 : (uint32_t)buf);
			mr = MACH_MSG_SUCCESS;	/* any kern_return_t will do: we only need the kernel up */
			break;
		}
		if (!known_send_error(mr)) {
			failed_line = __LINE__;
			failed_what = "mach_msg returned an unknown code";
			failed_val = mr;
			return;
		}
	}
	/* whatever the fuzzer did to our rights, clean up and count */
	destroy_names_but(boot_port);
	CHECK(live_ports() <= live);
	CHECK_EQ(type_of(ME), MACH_PORT_TYPE_SEND);
}


/*
 * Random and malformed requests to kernel objects: a victim task (made with
 * task_create, with one suspended thread), its thread, and the host. Any reply
 * will do; the kernel must stay up and keep its books.
 */
static void
fuzz_20000_random_kernel_rpcs(void)
{
	mach_port_t victim = MACH_PORT_NULL, vthread = MACH_PORT_NULL, host = mach_host_self();
	mach_port_t r = mach_reply_port();
	static uint32_t buf[64];
	static mach_port_t warm[1024];
	uint32_t live, pages, heap;
	int replies = 0;

	/* our name table at the size the fuzz's rights make it grow to: that is not a leak */
	for (int i = 0; i < 1024; i++)
		mach_port_allocate(ME, MACH_PORT_RIGHT_DEAD_NAME, &warm[i]);
	for (int i = 0; i < 1024; i++)
		mach_port_deallocate(ME, warm[i]);
	live = live_ports();
	pages = free_pages_with_heap();
	heap = stats().heap_bytes;

	CHECK_EQ(task_create(ME, 0, &victim), KERN_SUCCESS);
	CHECK_EQ(thread_create(victim, &vthread), KERN_SUCCESS);
	for (int i = 0; i < 20000; i++) {
		mach_port_t targets[3] = { victim, vthread, host };
		mach_msg_header_t *h = (mach_msg_header_t *)buf;
		uint32_t words = rnd() % 20;
		mach_msg_return_t mr;
		/* task, thread, host, exc, mach_port, vm_map; ids past each interface's end too */
		int base[6] = { 3400, 3600, 200, 2400, 3200, 3800 };

		for (uint32_t j = 0; j < 24; j++)
			buf[j] = rnd() % 4 ? rnd() % 40 : rnd();
		h->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) |
			       (rnd() % 4 ? 0 : MACH_MSGH_BITS_COMPLEX);
		h->msgh_remote_port = targets[rnd() % 3];
		h->msgh_local_port = r;
		h->msgh_id = base[rnd() % 6] + (int)(rnd() % 22);
		if (h->msgh_remote_port == victim && h->msgh_id == 3401)
			h->msgh_id = 3402;	/* keep the victim alive to the end */
		mr = mach_msg(h, MACH_SEND_MSG, sizeof *h + words * 4, 0, 0, 0, 0);
		if (mr == MACH_MSG_SUCCESS &&
		    mach_msg(h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof buf, r, 0, 0) == MACH_MSG_SUCCESS) {
			replies++;
			if (h->msgh_id == 3500 && (h->msgh_bits & MACH_MSGH_BITS_COMPLEX))
				task_terminate(((mach_msg_port_descriptor_t *)(buf + 7))->name);	/* a new task */
			mach_msg_destroy(h);	/* whatever rights and memory the reply brought */
		}
	}
	CHECK(replies > 1000);
	CHECK_EQ(task_terminate(victim), KERN_SUCCESS);
	CHECK(wait_dead_name(vthread));
	mach_port_destroy(ME, vthread);
	mach_port_destroy(ME, victim);
	mach_port_destroy(ME, r);
	mach_port_deallocate(ME, host);
	/* names the fuzz may have received (special ports, new tasks...) */
	destroy_names_but(boot_port);
	/* the victim's other threads are reaped in the background */
	for (int i = 0; i < 2000 && (live_ports() > live || free_pages_with_heap() != pages); i++)
		thread_switch(MACH_PORT_NULL, 0, 0);
	CHECK(live_ports() <= live);
	CHECK_EQ(free_pages_with_heap(), pages);			/* every page the replies and the victim held */
	CHECK((int)(stats().heap_bytes - heap) <= 0);	/* (something of an earlier case may go meanwhile) */
}

/* ---- any name a task chooses; dead-name requests as Mach has them ---- */

/* The name of p's table slot under its next generation: not in use while p holds the slot. */
static mach_port_t
sibling_of(mach_port_t p)
{
	return (p & ~0xFFu) | ((p & 0xFF) % 255 + 1);
}

/* How often mach_port_names lists name with exactly this type (-1: it failed). */
static int
listed_with_type(mach_port_t name, mach_port_type_t type)
{
	mach_port_name_t *names;
	mach_port_type_t *types;
	mach_msg_type_number_t n = 0, tn = 0;
	int seen = 0;

	if (mach_port_names(ME, &names, &n, &types, &tn) != KERN_SUCCESS)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		seen += names[i] == name && types[i] == type;
	vm_deallocate(ME, (vm_address_t)names, n * sizeof *names);
	vm_deallocate(ME, (vm_address_t)types, tn * sizeof *types);
	return seen;
}

static void
allocate_name_takes_any_name_but_null_and_dead(void)
{
	mach_port_t p = new_port(), q = new_port();
	const mach_port_t odd[] = { 1000, 1, 111, 0x100, 0xFFFFFFFE, 0x7FFFFF00, 0xFFFF0042, sibling_of(p) };
	const int n = (int)(sizeof odd / sizeof odd[0]);
	uint32_t n0 = count_names(), heap;
	struct simple_msg m;

	/* the first name outside the table may keep a spare node for later ones */
	CHECK_EQ(mach_port_allocate_name(ME, MACH_PORT_RIGHT_DEAD_NAME, 1000), KERN_SUCCESS);
	CHECK_EQ(mach_port_deallocate(ME, 1000), KERN_SUCCESS);
	heap = stats().heap_bytes;
	for (int i = 0; i < n; i++) {
		CHECK_EQ(mach_port_allocate_name(ME, MACH_PORT_RIGHT_RECEIVE, odd[i]), KERN_SUCCESS);
		CHECK_EQ(type_of(odd[i]), MACH_PORT_TYPE_RECEIVE);
	}
	for (int i = 0; i < n; i++)
		CHECK_EQ(mach_port_allocate_name(ME, MACH_PORT_RIGHT_DEAD_NAME, odd[i]), KERN_NAME_EXISTS);
	CHECK_EQ(count_names(), n0 + (uint32_t)n);
	CHECK_EQ(type_of(p), MACH_PORT_TYPE_RECEIVE);	/* its sibling left p alone */
	for (int i = 0; i < n; i++)
		CHECK_EQ(listed_with_type(odd[i], MACH_PORT_TYPE_RECEIVE), 1);
	/* messages reach every one, and the receiver sees the chosen name */
	for (int i = 0; i < n; i++) {
		CHECK_EQ(send_simple(odd[i], MACH_MSG_TYPE_MAKE_SEND, 0, 0, 70 + i, NULL, 0), MACH_MSG_SUCCESS);
		CHECK_EQ(poll(odd[i], &m), MACH_MSG_SUCCESS);
		CHECK_EQ(m.h.msgh_id, 70 + i);
		CHECK_EQ(m.h.msgh_local_port, odd[i]);
	}
	/* a send right received for a chosen name's port lands on that name */
	CHECK_EQ(send_simple(q, MACH_MSG_TYPE_MAKE_SEND, 1000, MACH_MSG_TYPE_MAKE_SEND, 5, NULL, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(poll(q, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_remote_port, 1000);
	CHECK_EQ(type_of(1000), MACH_PORT_TYPE_SEND_RECEIVE);
	CHECK_EQ(mach_port_insert_right(ME, 0xFFFFFFFE, 0xFFFFFFFE, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(type_of(0xFFFFFFFE), MACH_PORT_TYPE_SEND_RECEIVE);
	CHECK_EQ(mach_port_allocate_name(ME, MACH_PORT_RIGHT_RECEIVE, MACH_PORT_NULL), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_allocate_name(ME, MACH_PORT_RIGHT_RECEIVE, MACH_PORT_DEAD), KERN_INVALID_VALUE);
	for (int i = 0; i < n; i++) {
		CHECK_EQ(mach_port_destroy(ME, odd[i]), KERN_SUCCESS);
		CHECK_EQ(type_of(odd[i]), 0);
	}
	CHECK_EQ(type_of(p), MACH_PORT_TYPE_RECEIVE);
	CHECK_EQ(count_names(), n0);
	CHECK((int)(stats().heap_bytes - heap) <= 0);	/* (something of an earlier case may go meanwhile) */
	mach_port_destroy(ME, p);
	mach_port_destroy(ME, q);
}

static void
automatic_names_never_take_a_chosen_one(void)
{
	static mach_port_t auto_names[4400];
	const uint32_t far = 4000;	/* a slot the table reaches only in this case */
	mach_port_t p = new_port(), chosen = sibling_of(p), q;
	uint32_t n0 = count_names();

	/* p's slot, next generation: the slot's next automatic name */
	CHECK_EQ(mach_port_allocate_name(ME, MACH_PORT_RIGHT_DEAD_NAME, chosen), KERN_SUCCESS);
	CHECK_EQ(mach_port_destroy(ME, p), KERN_SUCCESS);
	q = new_port();
	CHECK(q != chosen);
	CHECK_EQ(type_of(chosen), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(type_of(q), MACH_PORT_TYPE_RECEIVE);
	/* every name of one slot, and one name of three more, past the end of the table */
	for (uint32_t g = 1; g <= 255; g++)
		CHECK_EQ(mach_port_allocate_name(ME, MACH_PORT_RIGHT_DEAD_NAME, (far << 8) | g), KERN_SUCCESS);
	for (uint32_t s = far + 1; s <= far + 3; s++)
		CHECK_EQ(mach_port_allocate_name(ME, MACH_PORT_RIGHT_DEAD_NAME, (s << 8) | 1), KERN_SUCCESS);
	/* the table grows over them */
	for (int i = 0; i < 4400; i++) {
		CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &auto_names[i]), KERN_SUCCESS);
		CHECK(auto_names[i] >> 8 != far);
		CHECK((auto_names[i] & 0xFF) != 1 || auto_names[i] >> 8 <= far || auto_names[i] >> 8 > far + 3);
		CHECK(auto_names[i] != chosen);
	}
	for (uint32_t g = 1; g <= 255; g++)
		CHECK_EQ(type_of((far << 8) | g), MACH_PORT_TYPE_DEAD_NAME);
	for (uint32_t s = far + 1; s <= far + 3; s++)
		CHECK_EQ(type_of((s << 8) | 1), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(count_names(), n0 + 1 + 255 + 3 + 4400);
	/* one of the slot's names goes: the slot serves again, and never twice */
	CHECK_EQ(mach_port_deallocate(ME, (far << 8) | 7), KERN_SUCCESS);
	for (int i = 0; i < 4400; i++)
		CHECK_EQ(mach_port_destroy(ME, auto_names[i]), KERN_SUCCESS);
	for (int i = 0; i < 4400; i++) {
		CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_DEAD_NAME, &auto_names[i]), KERN_SUCCESS);
		CHECK(auto_names[i] >> 8 != far || (auto_names[i] & 0xFF) == 7);
	}
	for (int i = 0; i < 4400; i++)
		CHECK_EQ(mach_port_deallocate(ME, auto_names[i]), KERN_SUCCESS);
	for (uint32_t g = 1; g <= 255; g++)
		if (g != 7)
			CHECK_EQ(mach_port_deallocate(ME, (far << 8) | g), KERN_SUCCESS);
	for (uint32_t s = far + 1; s <= far + 3; s++)
		CHECK_EQ(mach_port_deallocate(ME, (s << 8) | 1), KERN_SUCCESS);
	CHECK_EQ(mach_port_deallocate(ME, chosen), KERN_SUCCESS);
	mach_port_destroy(ME, q);
	CHECK_EQ(count_names(), n0 - 1);	/* p went */
}

static void
rename_takes_any_name_but_null_and_dead(void)
{
	mach_port_t p = new_port(), q = new_port(), from = p;
	const mach_port_t to[] = { 111, 0xFFFFFFFE, 0x100, sibling_of(q), 0x00BCD001 };
	struct simple_msg m;
	uint32_t n0 = count_names();

	for (uint32_t i = 0; i < sizeof to / sizeof to[0]; i++) {
		CHECK_EQ(send_simple(from, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 90 + (int)i, NULL, 0), MACH_MSG_SUCCESS);
		CHECK_EQ(mach_port_rename(ME, from, to[i]), KERN_SUCCESS);
		CHECK_EQ(type_of(from), 0);
		CHECK_EQ(type_of(to[i]), MACH_PORT_TYPE_RECEIVE);
		CHECK_EQ(poll(to[i], &m), MACH_MSG_SUCCESS);
		CHECK_EQ(m.h.msgh_id, 90 + (int)i);
		CHECK_EQ(m.h.msgh_local_port, to[i]);	/* the queued message follows the name */
		CHECK_EQ(count_names(), n0);
		from = to[i];
	}
	CHECK_EQ(type_of(q), MACH_PORT_TYPE_RECEIVE);
	CHECK_EQ(mach_port_rename(ME, q, 111), KERN_SUCCESS);
	CHECK_EQ(mach_port_rename(ME, 111, from), KERN_NAME_EXISTS);
	CHECK_EQ(mach_port_rename(ME, from, 111), KERN_NAME_EXISTS);
	CHECK_EQ(mach_port_rename(ME, from, MACH_PORT_NULL), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_rename(ME, from, MACH_PORT_DEAD), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_rename(ME, 0xFFFFFFFE, 0x200), KERN_INVALID_NAME);
	CHECK_EQ(mach_port_destroy(ME, from), KERN_SUCCESS);
	CHECK_EQ(mach_port_destroy(ME, 111), KERN_SUCCESS);
	CHECK_EQ(count_names(), n0 - 2);
}

static void
dying_task_frees_its_chosen_names(void)
{
	uint32_t live = live_ports();
	mach_port_t child = MACH_PORT_NULL, send[3], n = new_port(), prev;
	const mach_port_t names[3] = { 1000, 0xFFFFFFFE, 0x100 };
	mach_msg_type_name_t t;
	struct simple_msg m;

	CHECK_EQ(task_create(ME, 0, &child), KERN_SUCCESS);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(mach_port_allocate_name(child, MACH_PORT_RIGHT_RECEIVE, names[i]), KERN_SUCCESS);
		CHECK_EQ(mach_port_extract_right(child, names[i], MACH_MSG_TYPE_MAKE_SEND, &send[i], &t), KERN_SUCCESS);
		CHECK_EQ(mach_port_request_notification(ME, send[i], MACH_NOTIFY_DEAD_NAME, 0, n,
							MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	}
	/* the child holds a send right to our port under a chosen name too */
	CHECK_EQ(mach_port_insert_right(child, 0x7FFFFF00, n, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(task_terminate(child), KERN_SUCCESS);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(receive(n, &m, sizeof m, MACH_RCV_TIMEOUT, 5000), MACH_MSG_SUCCESS);
		CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_DEAD_NAME);
	}
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(type_of(send[i]), MACH_PORT_TYPE_DEAD_NAME);
		CHECK_EQ(mach_port_destroy(ME, send[i]), KERN_SUCCESS);
	}
	for (int i = 0; i < 100 && type_of(child) != MACH_PORT_TYPE_DEAD_NAME; i++)
		thread_switch(MACH_PORT_NULL, 0, 0);
	CHECK_EQ(type_of(child), MACH_PORT_TYPE_DEAD_NAME);
	mach_port_deallocate(ME, child);
	mach_port_destroy(ME, n);
	for (int i = 0; i < 2000 && live_ports() > live; i++)	/* the task goes in the background */
		thread_switch(MACH_PORT_NULL, 0, 0);
	CHECK_EQ(live_ports(), live);
}

/* A model of the space: chosen and automatic names, renames and deallocations at random. */
static void
random_chosen_and_automatic_names_never_clash(void)
{
	static mach_port_name_t used[1024];
	mach_port_name_t *names;
	mach_port_type_t *types;
	uint32_t nused = 0, nforeign, n0 = count_names();
	mach_msg_type_number_t n = 0, tn = 0;

	/* the names the suite holds already: never chosen away from it */
	CHECK_EQ(mach_port_names(ME, &names, &n, &types, &tn), KERN_SUCCESS);
	CHECK(n <= 256);
	for (uint32_t i = 0; i < n; i++)
		used[nused++] = names[i];
	vm_deallocate(ME, (vm_address_t)names, n * sizeof *names);
	vm_deallocate(ME, (vm_address_t)types, tn * sizeof *types);
	nforeign = nused;
	suite_seed(0x5A3E);
	for (int step = 0; step < 6000; step++) {
		uint32_t r = rnd(), slot = 1 + rnd() % 80, gen = rnd() % 5;
		mach_port_name_t cand = r % 8 == 0 ? rnd() : r % 8 == 1 ? (rnd() & 0xFF) : ((slot << 8) | gen);
		uint32_t at = nused, pick = nforeign + (nused > nforeign ? rnd() % (nused - nforeign) : 0);
		mach_port_name_t got = MACH_PORT_NULL;

		for (uint32_t i = 0; i < nused; i++)
			if (used[i] == cand)
				at = i;
		if (!MACH_PORT_VALID(cand))
			continue;
		switch (r % 5) {
		case 0:	/* a chosen name */
			if (nused == 1024)
				break;
			CHECK_EQ(mach_port_allocate_name(ME, MACH_PORT_RIGHT_DEAD_NAME, cand),
				 at < nused ? KERN_NAME_EXISTS : KERN_SUCCESS);
			if (at == nused)
				used[nused++] = cand;
			break;
		case 1:	/* an automatic one */
			if (nused == 1024)
				break;
			CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_DEAD_NAME, &got), KERN_SUCCESS);
			for (uint32_t i = 0; i < nused; i++)
				CHECK(used[i] != got);
			used[nused++] = got;
			break;
		case 2:	/* one goes */
			if (pick >= nused)
				break;
			CHECK_EQ(mach_port_deallocate(ME, used[pick]), KERN_SUCCESS);
			CHECK_EQ(type_of(used[pick]), 0);
			used[pick] = used[--nused];
			break;
		case 3:	/* one is renamed */
			if (pick >= nused)
				break;
			CHECK_EQ(mach_port_rename(ME, used[pick], cand), at < nused ? KERN_NAME_EXISTS : KERN_SUCCESS);
			if (at == nused)
				used[pick] = cand;
			break;
		default:	/* one is looked at */
			if (at >= nforeign)
				CHECK_EQ(type_of(cand), at < nused ? MACH_PORT_TYPE_DEAD_NAME : 0);
		}
		if (step % 500 == 0)
			CHECK_EQ(count_names(), n0 + nused - nforeign);
	}
	CHECK_EQ(count_names(), n0 + nused - nforeign);
	while (nused > nforeign)
		CHECK_EQ(mach_port_deallocate(ME, used[--nused]), KERN_SUCCESS);
}

static void
rename_carries_the_dead_name_request_to_the_new_name(void)
{
	mach_port_t p = new_port(), n = new_port(), so, prev, to = 0x00BCD001;
	mach_msg_type_name_t t;
	struct simple_msg m;
	mach_dead_name_notification_t *dn = (void *)&m;

	mach_port_extract_right(ME, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &t);
	CHECK_EQ(mach_port_request_notification(ME, so, MACH_NOTIFY_DEAD_NAME, 0, n, MACH_MSG_TYPE_MAKE_SEND_ONCE,
						&prev), KERN_SUCCESS);
	CHECK_EQ(mach_port_rename(ME, so, to), KERN_SUCCESS);
	CHECK_EQ(mach_port_destroy(ME, p), KERN_SUCCESS);
	CHECK_EQ(poll(n, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_DEAD_NAME);
	CHECK_EQ(dn->not_port, to);
	CHECK_EQ(type_of(to), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(mach_port_destroy(ME, to), KERN_SUCCESS);
	mach_port_destroy(ME, n);
}

static void
type_shows_a_dead_name_request_while_it_is_registered(void)
{
	mach_port_t child = MACH_PORT_NULL, r, send, so, p = new_port(), n = new_port(), prev = 1;
	mach_msg_type_name_t t;
	struct simple_msg m;
	mach_dead_name_notification_t *dn = (void *)&m;
	const mach_port_type_t so_dn = MACH_PORT_TYPE_SEND_ONCE | MACH_PORT_TYPE_DNREQUEST;

	/* a send-once right, registered, cancelled, registered again, then its port dies */
	mach_port_extract_right(ME, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &t);
	CHECK_EQ(mach_port_request_notification(ME, so, MACH_NOTIFY_DEAD_NAME, 0, n, MACH_MSG_TYPE_MAKE_SEND_ONCE,
						&prev), KERN_SUCCESS);
	CHECK_EQ(type_of(so), so_dn);
	CHECK_EQ(listed_with_type(so, so_dn), 1);
	CHECK_EQ(mach_port_request_notification(ME, so, MACH_NOTIFY_DEAD_NAME, 0, MACH_PORT_NULL,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	CHECK(MACH_PORT_VALID(prev));
	CHECK_EQ(type_of(so), MACH_PORT_TYPE_SEND_ONCE);
	CHECK_EQ(mach_port_deallocate(ME, prev), KERN_SUCCESS);	/* a send-once notification to n */
	CHECK_EQ(poll(n, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
	CHECK_EQ(mach_port_request_notification(ME, so, MACH_NOTIFY_DEAD_NAME, 0, n, MACH_MSG_TYPE_MAKE_SEND_ONCE,
						&prev), KERN_SUCCESS);
	CHECK_EQ(mach_port_destroy(ME, p), KERN_SUCCESS);
	CHECK_EQ(poll(n, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_DEAD_NAME);
	CHECK_EQ(dn->not_port, so);
	CHECK_EQ(type_of(so), MACH_PORT_TYPE_DEAD_NAME);	/* the request went with the notification */
	CHECK_EQ(refs_of(so, MACH_PORT_RIGHT_DEAD_NAME), 2);	/* and brought a reference */
	CHECK_EQ(mach_port_mod_refs(ME, so, MACH_PORT_RIGHT_DEAD_NAME, -2), KERN_SUCCESS);
	CHECK_EQ(type_of(so), 0);

	/* a send right with three references, to a port another task receives from */
	CHECK_EQ(task_create(ME, 0, &child), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(child, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	CHECK_EQ(mach_port_extract_right(child, r, MACH_MSG_TYPE_MAKE_SEND, &send, &t), KERN_SUCCESS);
	CHECK_EQ(mach_port_mod_refs(ME, send, MACH_PORT_RIGHT_SEND, 2), KERN_SUCCESS);
	CHECK_EQ(mach_port_request_notification(ME, send, MACH_NOTIFY_DEAD_NAME, 0, n, MACH_MSG_TYPE_MAKE_SEND_ONCE,
						&prev), KERN_SUCCESS);
	CHECK_EQ(type_of(send), MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_DNREQUEST);
	CHECK_EQ(listed_with_type(send, MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_DNREQUEST), 1);
	CHECK_EQ(mach_port_destroy(child, r), KERN_SUCCESS);
	CHECK_EQ(poll(n, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_DEAD_NAME);
	CHECK_EQ(dn->not_port, send);
	CHECK_EQ(type_of(send), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(refs_of(send, MACH_PORT_RIGHT_DEAD_NAME), 4);
	CHECK_EQ(mach_port_mod_refs(ME, send, MACH_PORT_RIGHT_DEAD_NAME, -4), KERN_SUCCESS);
	CHECK_EQ(task_terminate(child), KERN_SUCCESS);
	for (int i = 0; i < 100 && type_of(child) != MACH_PORT_TYPE_DEAD_NAME; i++)
		thread_switch(MACH_PORT_NULL, 0, 0);
	CHECK_EQ(type_of(child), MACH_PORT_TYPE_DEAD_NAME);
	mach_port_deallocate(ME, child);
	mach_port_destroy(ME, n);
}

/*
 * The request is an RPC: the send-once right moves into it when it is sent, so
 * the name is gone by the time the kernel looks it up. Refused, the request is
 * destroyed with the right it carried (a send-once notification), as in Mach.
 */
static void
request_whose_notify_right_is_the_name_itself_is_refused(void)
{
	mach_port_t p = new_port(), so, prev = 5;
	mach_msg_type_name_t t;
	struct simple_msg m;
	mach_port_type_t type;

	mach_port_extract_right(ME, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &t);
	CHECK_EQ(mach_port_request_notification(ME, so, MACH_NOTIFY_DEAD_NAME, 0, so, MACH_MSG_TYPE_MOVE_SEND_ONCE,
						&prev), KERN_INVALID_NAME);
	CHECK_EQ(prev, 5);
	CHECK_EQ(mach_port_type(ME, so, &type), KERN_INVALID_NAME);	/* nothing registered under it */
	CHECK_EQ(poll(p, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
	CHECK_EQ(mach_port_destroy(ME, p), KERN_SUCCESS);
}

static void
dead_name_request_on_a_dead_name_needs_sync(void)
{
	mach_port_t d, so, n = new_port(), prev = 5;
	mach_msg_type_name_t t;
	struct simple_msg m;
	mach_dead_name_notification_t *dn = (void *)&m;

	mach_port_allocate(ME, MACH_PORT_RIGHT_DEAD_NAME, &d);
	CHECK_EQ(mach_port_request_notification(ME, d, MACH_NOTIFY_DEAD_NAME, 0, n, MACH_MSG_TYPE_MAKE_SEND_ONCE,
						&prev), KERN_INVALID_ARGUMENT);
	CHECK_EQ(prev, 5);
	/* the refused request was destroyed with the send-once right it carried (as in Mach) */
	CHECK_EQ(poll(n, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
	CHECK_EQ(poll(n, &m), MACH_RCV_TIMED_OUT);
	CHECK_EQ(mach_port_request_notification(ME, d, MACH_NOTIFY_DEAD_NAME, 1, MACH_PORT_NULL,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_INVALID_ARGUMENT);
	CHECK_EQ(refs_of(d, MACH_PORT_RIGHT_DEAD_NAME), 1);
	CHECK_EQ(prev, 5);
	mach_port_extract_right(ME, n, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &t);
	/* with sync, the notification comes at once, with a reference for the name */
	CHECK_EQ(mach_port_request_notification(ME, d, MACH_NOTIFY_DEAD_NAME, 1, so, MACH_MSG_TYPE_MOVE_SEND_ONCE,
						&prev), KERN_SUCCESS);
	CHECK_EQ(prev, MACH_PORT_NULL);
	CHECK_EQ(type_of(so), 0);
	CHECK_EQ(type_of(d), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(refs_of(d, MACH_PORT_RIGHT_DEAD_NAME), 2);
	CHECK_EQ(poll(n, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_DEAD_NAME);
	CHECK_EQ(dn->not_port, d);
	/* a name at the most references cannot take one more */
	CHECK_EQ(mach_port_mod_refs(ME, d, MACH_PORT_RIGHT_DEAD_NAME, 0xFFFF - 2), KERN_SUCCESS);
	CHECK_EQ(mach_port_request_notification(ME, d, MACH_NOTIFY_DEAD_NAME, 1, n, MACH_MSG_TYPE_MAKE_SEND_ONCE,
						&prev), KERN_UREFS_OVERFLOW);
	CHECK_EQ(poll(n, &m), MACH_MSG_SUCCESS);	/* only the refused request's right, destroyed */
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
	CHECK_EQ(poll(n, &m), MACH_RCV_TIMED_OUT);
	CHECK_EQ(refs_of(d, MACH_PORT_RIGHT_DEAD_NAME), 0xFFFF);
	CHECK_EQ(mach_port_destroy(ME, d), KERN_SUCCESS);
	mach_port_destroy(ME, n);
}

/*
 * Interrupts off, bounded: nothing a task asks of IPC keeps them off longer
 * than IRQOFF_BOUND guest instructions (the kernel is booted with
 * irqoff_stats, QEMU with -icount shift=0, where rdtsc counts instructions).
 * The bound is one page copied (1,024 rep movsl steps, plus the check of the
 * pages around it) and a fixed overhead: the most the slow path does under
 * sched_lock (rights, queue, wake-up, the switch to the receiver and its way
 * out of the lock), which measured about 3,000 instructions. Long messages
 * (64 KiB inline, 4 MiB out of line, port arrays, a message destroyed as too
 * large, a buffer faulted in on receive) each get a window of their own, opened
 * and closed by irqoff_take(). The same bound holds on a large space
 * (irq_large_space): a table grown to 20,000 names, a far chosen name, 2,000
 * send rights to another task's ports in the reverse hash, then copyouts that
 * make or join names, mach_port_names, rename, the names going, and another
 * task's 2,000 names going with it. What the suite did before and what the
 * cleanup does (vm_deallocate of 4 MiB, in map.c) is printed, not checked.
 */
#define IRQOFF_BOUND (4096 + 4096)

struct irq_msg {
	mach_msg_header_t h;
	uint8_t body[65536];
	mach_msg_seqno_trailer_t trailer;
};
static struct irq_msg irq_req, irq_wrk;
static mach_port_t irq_service;

/* Echoes each request's body to its send-once reply right; id 2 ends it. */
static void
irq_echo(void)
{
	for (;;) {
		mach_msg_size_t n;
		if (mach_msg(&irq_wrk.h, MACH_RCV_MSG, 0, sizeof irq_wrk, irq_service, 0, 0) != MACH_MSG_SUCCESS ||
		    irq_wrk.h.msgh_id == 2)
			break;
		n = irq_wrk.h.msgh_size;
		irq_wrk.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
		irq_wrk.h.msgh_local_port = MACH_PORT_NULL;
		mach_msg(&irq_wrk.h, MACH_SEND_MSG, n, 0, 0, 0, 0);
	}
	thread_terminate(mach_thread_self());
	for (;;)
		;
}


/* The same, with the window's own figure printed (and the console's line left out of the next). */
static void
irq_window_shown(const char *op)
{
	struct manifold_kernel_stats st = irqoff_take();

	if (st.irqoff_max_cycles > irq_worst) {
		irq_worst = st.irqoff_max_cycles;
		irq_from = st.irqoff_max_from;
		irq_to = st.irqoff_max_to;
		irq_worst_op = op;
	}
	printf("# %s: %u, from %#x to %#x\n", op, st.irqoff_max_cycles, st.irqoff_max_from, st.irqoff_max_to);
	irqoff_take();
}

#define BIG_NAMES 20000
#define BIG_SENDS 2000
#define FAR_NAME 0x7F000001u

/*
 * A large space: every operation on it keeps interrupts off no longer than on
 * a small one (no scan of the table, the tree or the reverse hash).
 */
static void
irq_large_space(void)
{
	static mach_port_t dead[BIG_NAMES], theirs[BIG_SENDS], ours[BIG_SENDS], arr[4];
	mach_port_t child, box = new_port(), got;
	mach_port_name_t *names;
	mach_port_type_t *types;
	mach_msg_type_number_t n, tn;
	static struct ports_msg pm;
	mach_msg_type_name_t t;

	irqoff_take();
	for (int i = 0; i < BIG_NAMES; i++)
		CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_DEAD_NAME, &dead[i]), KERN_SUCCESS);
	irq_window_shown("mach_port_allocate, the table growing to 20,000 names");
	CHECK_EQ(mach_port_allocate_name(ME, MACH_PORT_RIGHT_RECEIVE, FAR_NAME), KERN_SUCCESS);
	CHECK_EQ(mach_port_insert_right(ME, FAR_NAME, FAR_NAME, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	irq_window_shown("mach_port_allocate_name and insert_right of a far name");
	/* send rights whose receive rights another task holds: each a new name, found by the hash */
	CHECK_EQ(task_create(ME, 0, &child), KERN_SUCCESS);
	for (int i = 0; i < BIG_SENDS; i++)
		CHECK_EQ(mach_port_allocate(child, MACH_PORT_RIGHT_RECEIVE, &theirs[i]), KERN_SUCCESS);
	irqoff_take();
	for (int i = 0; i < BIG_SENDS; i++)
		CHECK_EQ(mach_port_extract_right(child, theirs[i], MACH_MSG_TYPE_MAKE_SEND, &ours[i], &t),
			 KERN_SUCCESS);
	irq_window_shown("send rights copied out into it, as new names");
	for (int i = 0; i < BIG_SENDS; i += 7) {
		CHECK_EQ(mach_port_extract_right(child, theirs[i], MACH_MSG_TYPE_MAKE_SEND, &got, &t),
			 KERN_SUCCESS);
		CHECK_EQ(got, ours[i]);
	}
	irq_window_shown("send rights copied out again, joining their names");
	CHECK_EQ(refs_of(ours[0], MACH_PORT_RIGHT_SEND), 2);
	/* a message's rights: two send rights and a receive right join their names */
	arr[0] = ours[1];
	arr[1] = ours[BIG_SENDS - 1];
	CHECK_EQ(send_port_array(box, arr, 2, MACH_MSG_TYPE_COPY_SEND), MACH_MSG_SUCCESS);
	arr[0] = FAR_NAME;
	CHECK_EQ(send_port_array(box, arr, 1, MACH_MSG_TYPE_MOVE_RECEIVE), MACH_MSG_SUCCESS);
	irqoff_take();
	CHECK_EQ(mach_msg(&pm.h, MACH_RCV_MSG, 0, sizeof pm, box, 0, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(((mach_port_t *)pm.ports.address)[0], ours[1]);
	CHECK_EQ(((mach_port_t *)pm.ports.address)[1], ours[BIG_SENDS - 1]);
	CHECK_EQ(mach_msg(&pm.h, MACH_RCV_MSG, 0, sizeof pm, box, 0, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(((mach_port_t *)pm.ports.address)[0], FAR_NAME);
	irq_window_shown("a message's rights joining their names");
	vm_deallocate(ME, pm.ports.address, sizeof(mach_port_t));
	CHECK_EQ(type_of(FAR_NAME), MACH_PORT_TYPE_SEND_RECEIVE);
	CHECK_EQ(refs_of(ours[1], MACH_PORT_RIGHT_SEND), 2);
	irqoff_take();
	CHECK_EQ(mach_port_names(ME, &names, &n, &types, &tn), KERN_SUCCESS);
	irq_window_shown("mach_port_names");
	CHECK_EQ(n, count_names());
	CHECK(n > BIG_NAMES + BIG_SENDS && n == tn);
	CHECK_EQ(names[n - 1], FAR_NAME);	/* the tree's names come last */
	CHECK_EQ(types[n - 1], MACH_PORT_TYPE_SEND_RECEIVE);
	vm_deallocate(ME, (vm_address_t)names, n * sizeof *names);
	vm_deallocate(ME, (vm_address_t)types, tn * sizeof *types);
	/* their ports die: mach_port_names finds 2,000 dead names */
	irqoff_take();
	CHECK_EQ(task_terminate(child), KERN_SUCCESS);
	irq_window_shown("task_terminate of a task with 2,000 names");
	CHECK_EQ(mach_port_names(ME, &names, &n, &types, &tn), KERN_SUCCESS);
	irq_window_shown("mach_port_names, its send rights turning into dead names");
	CHECK_EQ(types[1 + BIG_NAMES], MACH_PORT_TYPE_DEAD_NAME);
	vm_deallocate(ME, (vm_address_t)names, n * sizeof *names);
	vm_deallocate(ME, (vm_address_t)types, tn * sizeof *types);
	mach_port_destroy(ME, child);
	/* half the names go; a rename out to the tree and back into a free slot */
	irqoff_take();
	for (int i = 0; i < BIG_NAMES; i += 2)
		CHECK_EQ(mach_port_destroy(ME, dead[i]), KERN_SUCCESS);
	irq_window_shown("mach_port_destroy of half the names");
	CHECK_EQ(mach_port_rename(ME, dead[BIG_NAMES / 2 + 1], 0x7E000001), KERN_SUCCESS);
	CHECK_EQ(mach_port_rename(ME, 0x7E000001, dead[BIG_NAMES / 2]), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate_name(ME, MACH_PORT_RIGHT_DEAD_NAME, dead[BIG_NAMES / 4]), KERN_SUCCESS);
	irq_window_shown("mach_port_rename and allocate_name into free slots");
	CHECK_EQ(type_of(dead[BIG_NAMES / 2]), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(mach_port_destroy(ME, dead[BIG_NAMES / 2]), KERN_SUCCESS);
	CHECK_EQ(mach_port_destroy(ME, dead[BIG_NAMES / 4]), KERN_SUCCESS);
	for (int i = 1; i < BIG_NAMES; i += 2)
		if (i != BIG_NAMES / 2 + 1)
			CHECK_EQ(mach_port_destroy(ME, dead[i]), KERN_SUCCESS);
	for (int i = 0; i < BIG_SENDS; i++)
		CHECK_EQ(mach_port_destroy(ME, ours[i]), KERN_SUCCESS);
	CHECK_EQ(mach_port_destroy(ME, FAR_NAME), KERN_SUCCESS);
	mach_port_destroy(ME, box);
	irq_window_shown("the other names going");
}

/*
 * A port with 2,000 messages queued (send-once: no queue limit), some with
 * memory out of line, destroyed: its messages go a batch at a time (the
 * reaper's, kernel/ipc/port.c), with interrupts on between batches.
 */
static void
irq_many_queued(void)
{
	static uint8_t data[8192];
	mach_port_t q = new_port();
	struct ool_msg om;

	memset(data, 7, sizeof data);
	for (int i = 0; i < 2000; i++) {
		memset(&om, 0, sizeof om);
		om.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND_ONCE, 0) | MACH_MSGH_BITS_COMPLEX;
		om.h.msgh_size = sizeof om;
		om.h.msgh_remote_port = q;
		om.body.msgh_descriptor_count = 1;
		om.ool.address = (vm_address_t)data;
		om.ool.size = i % 4 ? 0 : sizeof data;
		om.ool.copy = MACH_MSG_PHYSICAL_COPY;
		om.ool.type = MACH_MSG_OOL_DESCRIPTOR;
		CHECK_EQ(mach_msg(&om.h, MACH_SEND_MSG, sizeof om, 0, 0, 0, 0), MACH_MSG_SUCCESS);
	}
	irqoff_take();
	CHECK_EQ(mach_port_destroy(ME, q), KERN_SUCCESS);
	irq_window_shown("destroying a port with 2,000 messages queued");
}

static void
interrupts_stay_off_at_most_a_page_copy_in_ipc(void)
{
	struct manifold_kernel_stats st = irqoff_take();
	static const uint32_t sizes[] = { 64, 4096, 4096 + 4, 16384 + 12, 65536 };
	mach_port_t reply = new_port(), box = new_port(), arr[32], th, p = new_port();
	vm_address_t big = 0, fresh = 0;
	static struct ports_msg pm;
	struct ool_msg om;

	if (!st.irqoff_enabled || !tsc_counts_instructions()) {
		printf("# skipped: needs the irqoff_stats boot option and QEMU -icount shift=0\n");
		mach_port_destroy(ME, reply), mach_port_destroy(ME, box), mach_port_destroy(ME, p);
		return;
	}
	printf("# before this case (not checked): %u instructions, from %#x to %#x (build/kernel.sym)\n",
	       st.irqoff_max_cycles, st.irqoff_max_from, st.irqoff_max_to);
	irq_service = new_port();
	th = start_thread(irq_echo);
	CHECK(MACH_PORT_VALID(th));
	irq_worst = 0;
	irqoff_take();
	/* RPCs of every size: the fast path up to a page of body, the slow path above */
	for (int round = 0; round < 3; round++)
		for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
			mach_msg_size_t n = sizeof irq_req.h + sizes[i];
			memset(irq_req.body, (int)i + 1, sizes[i]);
			irq_req.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
			irq_req.h.msgh_remote_port = irq_service;
			irq_req.h.msgh_local_port = reply;
			irq_req.h.msgh_id = 1;
			CHECK_EQ(mach_msg(&irq_req.h, MACH_SEND_MSG | MACH_RCV_MSG, n, sizeof irq_req, reply, 0, 0),
				 MACH_MSG_SUCCESS);	/* the reply comes back in the same buffer */
			CHECK_EQ(irq_req.h.msgh_size, n);
			CHECK_EQ(irq_req.body[sizes[i] - 1], (uint8_t)(i + 1));
		}
	irq_window("RPCs of 64 B to 64 KiB");
	/* 4 MiB out of line, mapped into the receiver; then destroyed as too large */
	CHECK_EQ(vm_allocate(ME, &big, 4 << 20, 1), KERN_SUCCESS);
	for (uint32_t o = 0; o < (4u << 20); o += 4096)
		((volatile uint8_t *)big)[o] = (uint8_t)(o >> 12);
	irqoff_take();
	CHECK_EQ(send_ool(box, (void *)big, 4 << 20, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(mach_msg(&om.h, MACH_RCV_MSG, 0, sizeof om, box, 0, 0), MACH_MSG_SUCCESS);
	irq_window("4 MiB out of line");
	CHECK_EQ(((volatile uint8_t *)om.ool.address)[1023 * 4096], (uint8_t)1023);
	CHECK_EQ(vm_deallocate(ME, om.ool.address, om.ool.size), KERN_SUCCESS);
	st = irqoff_take();
	printf("# vm_deallocate of the 4 MiB region received (not checked): %u\n", st.irqoff_max_cycles);
	irqoff_take();	/* console_write holds its lock for the whole line */
	CHECK_EQ(send_ool(box, (void *)big, 4 << 20, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(mach_msg(&om.h, MACH_RCV_MSG, 0, sizeof om.h, box, 0, 0), MACH_RCV_TOO_LARGE);
	irq_window("4 MiB out of line, too large");
	/* an unaligned region, copied; a bad buffer, then one not touched yet */
	CHECK_EQ(send_ool(box, (void *)(big + 100), 65536, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(mach_msg(&om.h, MACH_RCV_MSG, 0, sizeof om, box, 0, 0), MACH_MSG_SUCCESS);
	irq_window("64 KiB out of line, copied");
	CHECK_EQ(vm_deallocate(ME, om.ool.address, om.ool.size), KERN_SUCCESS);
	irqoff_take();
	CHECK_EQ(vm_allocate(ME, &fresh, 17 * 4096, 1), KERN_SUCCESS);
	memset(irq_req.body, 7, 65536);
	irq_req.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	irq_req.h.msgh_remote_port = box;
	irq_req.h.msgh_local_port = MACH_PORT_NULL;
	CHECK_EQ(mach_msg(&irq_req.h, MACH_SEND_MSG, sizeof irq_req.h + 65536, 0, 0, 0, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(mach_msg((mach_msg_header_t *)fresh, MACH_RCV_MSG, 0, sizeof irq_req, box, 0, 0), MACH_MSG_SUCCESS);
	irq_window("64 KiB into a buffer not touched yet");
	CHECK_EQ(((uint8_t *)fresh)[sizeof irq_req.h + 65535], 7);
	CHECK_EQ(mach_msg(&irq_req.h, MACH_SEND_MSG, sizeof irq_req.h + 65536, 0, 0, 0, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(vm_protect(ME, fresh + 16 * 4096, 4096, 0, VM_PROT_READ), KERN_SUCCESS);
	irqoff_take();
	CHECK_EQ(mach_msg((mach_msg_header_t *)fresh, MACH_RCV_MSG, 0, sizeof irq_req, box, 0, 0), MACH_RCV_INVALID_DATA);
	irq_window("64 KiB refused by a bad buffer");
	CHECK_EQ(vm_protect(ME, fresh + 16 * 4096, 4096, 0, VM_PROT_READ | VM_PROT_WRITE), KERN_SUCCESS);
	CHECK_EQ(mach_msg((mach_msg_header_t *)fresh, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof irq_req, box, 0, 0),
		 MACH_MSG_SUCCESS);	/* it stayed queued */
	CHECK_EQ(vm_deallocate(ME, fresh, 17 * 4096), KERN_SUCCESS);
	/* a port array of send-once rights */
	for (int i = 0; i < 32; i++)
		arr[i] = i % 8 ? MACH_PORT_NULL : p;
	irqoff_take();
	CHECK_EQ(send_port_array(box, arr, 32, MACH_MSG_TYPE_MAKE_SEND_ONCE), MACH_MSG_SUCCESS);
	CHECK_EQ(mach_msg(&pm.h, MACH_RCV_MSG, 0, sizeof pm, box, 0, 0), MACH_MSG_SUCCESS);
	irq_window("a port array");
	CHECK_EQ(pm.ports.count, 32);
	for (int i = 0; i < 32; i++)
		if (MACH_PORT_VALID(((mach_port_t *)pm.ports.address)[i]))
			mach_port_destroy(ME, ((mach_port_t *)pm.ports.address)[i]);
	vm_deallocate(ME, pm.ports.address, 32 * sizeof(mach_port_t));
	CHECK_EQ(vm_deallocate(ME, big, 4 << 20), KERN_SUCCESS);
	irq_req.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	irq_req.h.msgh_remote_port = irq_service;
	irq_req.h.msgh_id = 2;
	CHECK_EQ(mach_msg(&irq_req.h, MACH_SEND_MSG, sizeof irq_req.h, 0, 0, 0, 0), MACH_MSG_SUCCESS);
	CHECK(wait_dead_name(th));
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, irq_service);
	mach_port_destroy(ME, reply);
	mach_port_destroy(ME, box);
	mach_port_destroy(ME, p);
	irq_large_space();
	irq_many_queued();
	printf("# worst: %u instructions (%s), from %#x to %#x; bound %u\n", irq_worst, irq_worst_op, irq_from,
	       irq_to, IRQOFF_BOUND);
	CHECK(irq_worst <= IRQOFF_BOUND);
}

/*
 * A port-destroyed request: the receive right, instead of dying, comes to the
 * request's port in a notification, the same port with its queued messages.
 * A request whose port is the port itself would only make a cycle: it dies.
 */
static void
port_destroyed_request_hands_the_receive_right_back_with_its_queue(void)
{
	static union {
		mach_port_destroyed_notification_t pd;
		struct simple_msg m;
	} u;
	mach_port_t p = new_port(), n = new_port(), prev = 5, got;
	struct simple_msg m;
	uint32_t live;

	CHECK_EQ(mach_port_request_notification(ME, p, MACH_NOTIFY_PORT_DESTROYED, 0, n, MACH_MSG_TYPE_MAKE_SEND_ONCE,
						&prev), KERN_SUCCESS);
	CHECK_EQ(prev, MACH_PORT_NULL);
	CHECK_EQ(send_simple(p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, 4242, NULL, 0), MACH_MSG_SUCCESS);
	live = live_ports();
	CHECK_EQ(mach_port_destroy(ME, p), KERN_SUCCESS);
	CHECK_EQ(live_ports(), live);				/* not destroyed: in transit */
	CHECK_EQ(receive(n, &u.m, sizeof u, MACH_RCV_TIMEOUT, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(u.pd.not_header.msgh_id, MACH_NOTIFY_PORT_DESTROYED);
	CHECK(u.pd.not_header.msgh_bits & MACH_MSGH_BITS_COMPLEX);
	CHECK_EQ(u.pd.not_body.msgh_descriptor_count, 1);
	CHECK_EQ(u.pd.not_port.disposition, MACH_MSG_TYPE_PORT_RECEIVE);
	got = u.pd.not_port.name;
	CHECK_EQ(type_of(got), MACH_PORT_TYPE_RECEIVE);
	CHECK_EQ(poll(got, &m), MACH_MSG_SUCCESS);		/* its queue came along */
	CHECK_EQ(m.h.msgh_id, 4242);
	/* no request now: destroyed for good */
	CHECK_EQ(mach_port_destroy(ME, got), KERN_SUCCESS);
	CHECK_EQ(live_ports(), live - 1);
	/* a request naming the port itself: a cycle, so it dies, and the send-once right with it */
	p = new_port();
	CHECK_EQ(mach_port_request_notification(ME, p, MACH_NOTIFY_PORT_DESTROYED, 0, p, MACH_MSG_TYPE_MAKE_SEND_ONCE,
						&prev), KERN_SUCCESS);
	CHECK_EQ(mach_port_destroy(ME, p), KERN_SUCCESS);
	CHECK_EQ(live_ports(), live - 1);
	CHECK_EQ(poll(n, &m), MACH_RCV_TIMED_OUT);
	CHECK_EQ(mach_port_destroy(ME, n), KERN_SUCCESS);
}

/* ---- ports whose receive rights are queued on each other ---- */

/*
 * A message carrying one receive right (in a port descriptor, or alone in a
 * port array when in_array) to dest, through the right dest_disp, and with
 * ool_size bytes out of line unless 0: the bytes start off a page boundary, so
 * the kernel copies them (into fresh pages past 64 KiB, else into its heap).
 */
struct recv_right_msg {
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_port_descriptor_t port;
	mach_msg_ool_ports_descriptor_t array;
	mach_msg_ool_descriptor_t ool;
};

static uint8_t cycle_data[256 * 1024];

static mach_msg_return_t
send_receive_right(mach_port_t dest, mach_msg_type_name_t dest_disp, mach_port_t right, bool in_array,
		   uint32_t ool_size)
{
	static mach_port_t array[1];
	struct recv_right_msg m;

	memset(&m, 0, sizeof m);
	m.h.msgh_bits = MACH_MSGH_BITS(dest_disp, 0) | MACH_MSGH_BITS_COMPLEX;
	m.h.msgh_remote_port = dest;
	m.h.msgh_id = 90;
	m.body.msgh_descriptor_count = 3;
	m.port.name = in_array ? MACH_PORT_NULL : right;
	m.port.disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
	m.port.type = MACH_MSG_PORT_DESCRIPTOR;
	array[0] = right;
	m.array.address = (vm_address_t)(uintptr_t)array;
	m.array.count = in_array ? 1 : 0;
	m.array.disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
	m.array.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	m.ool.address = (vm_address_t)(uintptr_t)(cycle_data + 12);
	m.ool.size = ool_size;
	m.ool.copy = MACH_MSG_PHYSICAL_COPY;
	m.ool.type = MACH_MSG_OOL_DESCRIPTOR;
	return mach_msg(&m.h, MACH_SEND_MSG, sizeof m, 0, 0, 0, 0);
}

/* What a cycle case must give back: every port, page and byte of kernel heap. */
struct kernel_use {
	uint32_t ports, pages, heap;
};

static struct kernel_use
kernel_use_now(void)
{
	struct manifold_kernel_stats s = stats();

	return (struct kernel_use){ s.live_ports, s.free_pages + s.heap_pages, s.heap_bytes };	/* the heap keeps a few */
}

/* Whether the kernel is back to u, giving it a while in case something goes in the background. */
static bool
kernel_use_back_to(struct kernel_use u)
{
	struct kernel_use now = kernel_use_now();

	for (int i = 0; i < 200 && (now.ports != u.ports || now.pages != u.pages || now.heap != u.heap); i++) {
		thread_switch(MACH_PORT_NULL, 0, 0);
		now = kernel_use_now();
	}
	if (now.ports != u.ports || now.pages != u.pages || now.heap != u.heap)
		printf("    kernel use: ports %u -> %u, free pages %u -> %u, heap %u -> %u\n", u.ports, now.ports,
		       u.pages, now.pages, u.heap, now.heap);
	return now.ports == u.ports && now.pages == u.pages && now.heap == u.heap;
}

/*
 * n ports (2 or 3) in a ring: port i's receive right is queued on port i+1,
 * the last one's on the first, which closes the ring; the closing right
 * travels in a port array. Each message also carries ool_size bytes out of
 * line, and port 0 has a bystander port's receive right queued on it. Nothing
 * can ever receive any of it: the send that closes the ring succeeds, as in
 * Mach, and destroys the message, so the ports die at once and everything
 * they held goes.
 */
static void
cycle_of_ports_is_freed(int n, uint32_t ool_size)
{
	mach_port_t p[3], bystander;
	struct kernel_use before;

	memset(cycle_data, 0x5A, sizeof cycle_data);	/* faulted in before we count pages */
	before = kernel_use_now();
	for (int i = 0; i < n; i++) {
		p[i] = new_port();
		CHECK_EQ(mach_port_insert_right(ME, p[i], p[i], MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	}
	bystander = new_port();
	CHECK_EQ(send_receive_right(p[0], MACH_MSG_TYPE_COPY_SEND, bystander, false, ool_size), MACH_MSG_SUCCESS);
	for (int i = 0; i + 1 < n; i++) {
		CHECK_EQ(send_receive_right(p[i + 1], MACH_MSG_TYPE_COPY_SEND, p[i], false, ool_size),
			 MACH_MSG_SUCCESS);
		CHECK_EQ(type_of(p[i]), MACH_PORT_TYPE_SEND);	/* in transit */
	}
	CHECK_EQ(send_receive_right(p[0], MACH_MSG_TYPE_COPY_SEND, p[n - 1], true, ool_size), MACH_MSG_SUCCESS);
	for (int i = 0; i < n; i++) {
		CHECK_EQ(type_of(p[i]), MACH_PORT_TYPE_DEAD_NAME);	/* the ring died as it closed */
		CHECK_EQ(mach_port_deallocate(ME, p[i]), KERN_SUCCESS);
	}
	CHECK(kernel_use_back_to(before));
}

static void
cycle_of_two_ports_is_freed(void)
{
	cycle_of_ports_is_freed(2, 0);
}

static void
cycle_of_two_ports_with_200k_out_of_line_each_is_freed(void)
{
	cycle_of_ports_is_freed(2, 200 * 1024);
}

static void
cycle_of_three_ports_is_freed(void)
{
	cycle_of_ports_is_freed(3, 0);
}

static void
cycle_of_three_ports_with_out_of_line_memory_is_freed(void)
{
	cycle_of_ports_is_freed(3, 40 * 1024);	/* the kernel's copies in its heap */
	cycle_of_ports_is_freed(3, 200 * 1024);	/* ...in fresh pages */
}

/*
 * A port's receive right sent to the port itself (through a send-once right,
 * the only other name a task can have for its own port), behind a message
 * with memory out of line: the port dies at once.
 */
static void
receive_right_queued_on_its_own_port_is_freed(void)
{
	struct kernel_use before;
	mach_port_t p, so;
	mach_msg_type_name_t t;

	memset(cycle_data, 0x5A, sizeof cycle_data);
	before = kernel_use_now();
	p = new_port();
	CHECK_EQ(mach_port_insert_right(ME, p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(send_ool(p, cycle_data + 12, 200 * 1024, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(mach_port_extract_right(ME, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &t), KERN_SUCCESS);
	CHECK_EQ(send_receive_right(so, MACH_MSG_TYPE_MOVE_SEND_ONCE, p, false, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(type_of(so), 0);
	CHECK_EQ(type_of(p), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(mach_port_deallocate(ME, p), KERN_SUCCESS);
	CHECK(kernel_use_back_to(before));
	/* the same through a port array and a send right */
	before = kernel_use_now();
	p = new_port();
	CHECK_EQ(mach_port_extract_right(ME, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &t), KERN_SUCCESS);
	CHECK_EQ(send_receive_right(so, MACH_MSG_TYPE_MOVE_SEND_ONCE, p, true, 40 * 1024), MACH_MSG_SUCCESS);
	CHECK_EQ(type_of(p), 0);
	CHECK(kernel_use_back_to(before));
}

/*
 * Receive rights queued in a chain that is not a ring are received as ever:
 * a's right queued on b, b's on c; c receives b, b then receives a.
 */
static void
chain_of_receive_rights_in_transit_is_received(void)
{
	struct kernel_use before = kernel_use_now();
	mach_port_t a = new_port(), b = new_port(), c = new_port(), got_b, got_a;
	static union {
		struct recv_right_msg r;
		uint8_t b[512];
	} in;

	CHECK_EQ(mach_port_insert_right(ME, b, b, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(send_receive_right(b, MACH_MSG_TYPE_COPY_SEND, a, false, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(send_receive_right(c, MACH_MSG_TYPE_MAKE_SEND, b, false, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(type_of(b), MACH_PORT_TYPE_SEND);
	CHECK_EQ(mach_msg(&in.r.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, c, 0, 0), MACH_MSG_SUCCESS);
	got_b = in.r.port.name;
	CHECK_EQ(got_b, b);	/* joins our send right */
	CHECK_EQ(type_of(b), MACH_PORT_TYPE_SEND_RECEIVE);
	CHECK_EQ(mach_msg(&in.r.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, b, 0, 0), MACH_MSG_SUCCESS);
	got_a = in.r.port.name;
	CHECK_EQ(type_of(got_a), MACH_PORT_TYPE_RECEIVE);
	/* a's queue can hold b's right again: no ring */
	CHECK_EQ(send_receive_right(got_a, MACH_MSG_TYPE_MAKE_SEND, b, false, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(type_of(got_a), MACH_PORT_TYPE_RECEIVE);
	CHECK_EQ(type_of(b), MACH_PORT_TYPE_SEND);
	mach_port_deallocate(ME, b);
	mach_port_destroy(ME, got_a);
	mach_port_destroy(ME, c);
	CHECK(kernel_use_back_to(before));
}

/*
 * A chain of 2000 ports, each one's receive right queued on the next: the
 * last one's death takes them all, however deep, and the kernel's stack
 * does not follow the chain down.
 */
static void
deep_chain_of_receive_rights_dies_with_its_last_port(void)
{
	struct kernel_use before = kernel_use_now();
	mach_port_t below = new_port(), p = MACH_PORT_NULL;

	for (int i = 0; i < 2000; i++) {
		p = new_port();
		CHECK_EQ(send_receive_right(p, MACH_MSG_TYPE_MAKE_SEND, below, false, 0), MACH_MSG_SUCCESS);
		below = p;
	}
	CHECK_EQ(mach_port_destroy(ME, p), KERN_SUCCESS);
	CHECK(kernel_use_back_to(before));
}

/*
 * The kernel follows a chain of rights in transit 256 ports up at most
 * (IPC_TRANSIT_DEPTH_MAX, with interrupts off): a receive right sent to a port
 * deeper than that is refused, and stays where it was.
 */
static void
send_into_a_chain_too_deep_to_follow_is_refused(void)
{
	static mach_port_t q[258];
	struct kernel_use before = kernel_use_now();
	mach_port_t root = new_port(), dest = root;

	CHECK_EQ(mach_port_insert_right(ME, root, root, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	for (int i = 0; i < 258; i++) {
		q[i] = new_port();
		CHECK_EQ(mach_port_insert_right(ME, q[i], q[i], MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
		CHECK_EQ(send_receive_right(dest, MACH_MSG_TYPE_COPY_SEND, q[i], false, 0),
			 i < 257 ? MACH_MSG_SUCCESS : MACH_SEND_NO_BUFFER);
		dest = q[i];
	}
	CHECK_EQ(type_of(q[257]), MACH_PORT_TYPE_SEND_RECEIVE);	/* refused: still ours */
	CHECK_EQ(type_of(q[256]), MACH_PORT_TYPE_SEND);
	for (int i = 0; i < 257; i++)
		CHECK_EQ(mach_port_deallocate(ME, q[i]), KERN_SUCCESS);
	CHECK_EQ(mach_port_destroy(ME, q[257]), KERN_SUCCESS);
	CHECK_EQ(mach_port_destroy(ME, root), KERN_SUCCESS);	/* the whole chain with it */
	CHECK(kernel_use_back_to(before));
}

/* ---- a thread whose exception is never answered ends alone ---- */

/* Waits until the exception request sits in port's queue. */
static bool
wait_for_queued(mach_port_t port)
{
	for (int i = 0; i < 20000; i++) {
		mach_port_status_t st;
		mach_msg_type_number_t n = MACH_PORT_RECEIVE_STATUS_COUNT;
		if (mach_port_get_attributes(ME, port, MACH_PORT_RECEIVE_STATUS, (integer_t *)&st, &n) ==
			KERN_SUCCESS && st.mps_msgcount > 0)
			return true;
		thread_switch(MACH_PORT_NULL, 0, 0);
	}
	return false;
}

/*
 * A thread faults into a handler (our exception port) that does with the
 * request what how says; the thread must end and we, its task, must not.
 */
enum no_answer { TERMINATE_THE_THREAD, DESTROY_THE_REQUEST, DESTROY_THE_PORT };

static void
exception_left_unanswered(enum no_answer how)
{
	static union {
		mach_msg_header_t h;
		uint8_t b[512];
	} in;
	mach_port_t e = new_port(), th;
	uint32_t live = live_ports();

	mach_port_insert_right(ME, e, e, MACH_MSG_TYPE_MAKE_SEND);
	CHECK_EQ(task_set_special_port(ME, TASK_EXCEPTION_PORT, e), KERN_SUCCESS);
	th = start_thread(worker_null_write);
	CHECK(MACH_PORT_VALID(th));
	CHECK(wait_for_queued(e));
	if (how == DESTROY_THE_PORT) {
		CHECK_EQ(task_set_special_port(ME, TASK_EXCEPTION_PORT, MACH_PORT_NULL), KERN_SUCCESS);
		CHECK_EQ(mach_port_destroy(ME, e), KERN_SUCCESS);	/* with the request in it */
	} else {
		CHECK_EQ(mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, e, 5000, 0), MACH_MSG_SUCCESS);
		if (how == TERMINATE_THE_THREAD)
			CHECK_EQ(thread_terminate(th), KERN_SUCCESS);	/* while it waits for the answer */
		mach_msg_destroy(&in.h);				/* the reply right goes unused */
		CHECK_EQ(task_set_special_port(ME, TASK_EXCEPTION_PORT, MACH_PORT_NULL), KERN_SUCCESS);
		CHECK_EQ(mach_port_destroy(ME, e), KERN_SUCCESS);
	}
	CHECK(wait_dead_name(th));		/* the thread is gone, and we are still here */
	CHECK_EQ(mach_port_destroy(ME, th), KERN_SUCCESS);
	CHECK_EQ(live_ports(), live - 1);	/* e */
}

static void
a_thread_terminated_while_its_exception_waits_ends_alone(void)
{
	exception_left_unanswered(TERMINATE_THE_THREAD);
}

static void
a_thread_whose_exception_request_is_destroyed_unanswered_ends_alone(void)
{
	exception_left_unanswered(DESTROY_THE_REQUEST);
}

static void
a_thread_whose_exception_port_dies_with_the_request_queued_ends_alone(void)
{
	exception_left_unanswered(DESTROY_THE_PORT);
}

static const struct test tests[] = {
#define T(f) { #f, f }
	T(allocate_receive_right_gives_a_receive_name),
	T(allocate_port_set_and_dead_name),
	T(allocate_with_bad_right_is_refused),
	T(calls_on_a_non_task_name_fail_with_a_named_error),
	T(deallocate_errors_are_named),
	T(make_send_right_and_count_references),
	T(mod_refs_errors_are_named),
	T(destroying_the_receive_right_leaves_a_dead_name),
	T(allocate_name_uses_the_chosen_name),
	T(rename_moves_the_rights),
	T(names_lists_every_name_with_its_type),
	T(extract_and_insert_rights),
	T(reply_port_and_task_self),
	T(inline_message_round_trips_with_trailer),
	T(messages_are_received_in_order_with_sequence_numbers),
	T(receive_timeout_waits_then_fails),
	T(full_queue_makes_sends_time_out_and_keeps_rights),
	T(too_large_message_is_destroyed_or_kept_with_rcv_large),
	T(malformed_sends_get_named_errors),
	T(malformed_receives_get_named_errors),
	T(header_dispositions_move_the_right_rights),
	T(port_descriptors_carry_every_disposition),
	T(bad_descriptors_are_refused),
	T(dead_names_travel_as_dead),
	T(queued_rights_die_with_the_port),
	T(port_set_receives_from_any_member),
	T(dead_name_notification_when_the_port_dies),
	T(port_deleted_notification_when_the_name_goes),
	T(no_senders_notification_when_the_last_send_right_goes),
	T(send_once_notification_when_the_right_is_destroyed),
	T(notification_requests_are_checked),
	T(malformed_kernel_requests_get_error_replies),
	T(task_and_host_info),
	T(thread_create_set_state_resume_runs_code),
	T(suspended_thread_stops_and_resumed_thread_goes_on),
	T(thread_abort_interrupts_a_blocked_receive),
	T(thread_state_requests_are_checked),
	T(task_create_and_terminate_through_the_task_port),
	T(get_refs_for_each_kind_of_right),
	T(a_new_request_returns_the_previous_one),
	T(task_self_trap_adds_references_to_one_name),
	T(several_server_threads_receive_from_one_port_set),
	T(blocked_sender_wakes_when_the_queue_has_room),
	T(aborted_blocked_sender_gets_send_interrupted),
	T(hundreds_of_names_grow_the_table_and_go),
	T(odd_destinations_and_options),
	T(null_and_dead_names_in_descriptors_pass_through),
	T(vm_allocate_and_deallocate_regions),
	T(out_of_line_memory_round_trips),
	T(out_of_line_deallocate_option_frees_the_senders_region),
	T(out_of_line_errors_deliver_nothing),
	T(queued_out_of_line_memory_dies_with_the_port),
	T(out_of_line_port_arrays_carry_rights),
	T(bad_port_arrays_are_refused),
	T(task_threads_lists_the_tasks_threads),
	T(exception_handler_fixes_the_thread_and_it_resumes),
	T(thread_exception_port_comes_before_the_tasks),
	T(exc_default_behavior_sends_exception_raise_and_the_handler_fixes_the_thread),
	T(exc_state_behavior_sends_the_registers_and_takes_new_ones),
	T(exc_state_identity_behavior_with_either_flavor),
	T(exc_each_type_goes_to_the_port_set_for_it),
	T(exc_thread_port_comes_first_for_its_own_types_only),
	T(exc_error_answer_passes_the_exception_to_the_tasks_port),
	T(exc_dead_thread_port_passes_the_exception_to_the_tasks),
	T(exc_ports_bad_arguments_are_refused),
	T(exc_get_groups_types_by_port_behavior_and_flavor),
	T(exc_swap_gives_back_what_it_replaced),
	T(exc_special_port_is_every_type_as_state_identity),
	T(exc_a_child_task_inherits_its_creators_exception_ports),
	T(exc_special_port_reads_a_port_only_where_it_stands_for_every_type),
	T(exc_handler_may_answer_in_another_flavor),
	T(exc_fxsave_state_goes_by_the_thread_port_not_in_the_message),
	T(syscall_port_carries_the_registers_both_ways),
	T(syscall_port_unanswered_call_ends_only_the_thread),
	T(syscall_port_answer_by_the_fast_path_is_checked_like_any),
	T(syscall_port_malformed_request_is_refused_by_the_server),
	T(syscall_inputs_are_checked_kept_and_inherited),
	T(syscall_data_carries_a_calls_buffers_both_ways),
	T(tls_segment_reads_through_gs_across_traps_and_switches),
	T(tls_bad_segments_get_named_errors),
	T(tls_selector_is_the_one_segment_a_state_may_choose),
	T(fxsave_state_of_a_waiting_thread_is_read_and_set),
	T(fxsave_state_of_the_calling_thread_is_its_registers_now),
	T(fxsave_state_of_the_wrong_size_is_refused),
	T(rpc_with_another_task_echoes_payloads),
	T(sender_trailer_names_the_sending_task),
	T(fast_path_moves_a_right_with_a_dead_name_request),
	T(fast_path_receiver_buffer_untouched_or_read_only),
	T(kernel_object_request_rights_commit_as_the_slow_path_does),
	T(rpc_caller_gets_a_reply_the_slow_path_carried),
	T(rpc_caller_aborted_while_it_waits_for_the_reply),
	T(kernel_answer_comes_behind_what_its_reply_port_holds),
	T(rpc_takes_the_fast_path_exactly_when_it_is_on),
	T(rpc_ping_pong_leaves_time_for_a_busy_thread),
	T(rpc_along_a_chain_of_three_tasks),
	T(dead_peer_leaves_a_dead_name_and_a_notification),
	T(no_senders_when_the_other_task_lets_go),
	T(blocked_receive_wakes_when_a_message_arrives),
	T(random_rights_traffic_keeps_invariants),
	T(three_tasks_trade_rights_at_random_without_leaks),
	T(fuzz_20000_random_kernel_rpcs),
	T(fuzz_100000_random_mach_msg_and_port_calls),
	T(allocate_name_takes_any_name_but_null_and_dead),
	T(automatic_names_never_take_a_chosen_one),
	T(rename_takes_any_name_but_null_and_dead),
	T(dying_task_frees_its_chosen_names),
	T(random_chosen_and_automatic_names_never_clash),
	T(rename_carries_the_dead_name_request_to_the_new_name),
	T(type_shows_a_dead_name_request_while_it_is_registered),
	T(request_whose_notify_right_is_the_name_itself_is_refused),
	T(dead_name_request_on_a_dead_name_needs_sync),
	T(port_destroyed_request_hands_the_receive_right_back_with_its_queue),
	T(cycle_of_two_ports_is_freed),
	T(cycle_of_two_ports_with_200k_out_of_line_each_is_freed),
	T(cycle_of_three_ports_is_freed),
	T(cycle_of_three_ports_with_out_of_line_memory_is_freed),
	T(receive_right_queued_on_its_own_port_is_freed),
	T(chain_of_receive_rights_in_transit_is_received),
	T(deep_chain_of_receive_rights_dies_with_its_last_port),
	T(send_into_a_chain_too_deep_to_follow_is_refused),
	T(a_thread_terminated_while_its_exception_waits_ends_alone),
	T(a_thread_whose_exception_request_is_destroyed_unanswered_ends_alone),
	T(a_thread_whose_exception_port_dies_with_the_request_queued_ends_alone),
	T(interrupts_stay_off_at_most_a_page_copy_in_ipc),
};

static uint32_t names_before, live_before;

static void
leaks_before(void)
{
	names_before = count_names();
	live_before = live_ports();
}

static const char *
leaks_after(long long *delta)
{
	if (count_names() != names_before) {
		*delta = (long long)count_names() - names_before;
		return "names in the space changed (leaked or lost rights)";
	}
	if (live_ports() != live_before) {
		*delta = (long long)live_ports() - live_before;
		return "live ports in the kernel changed (leaked ports)";
	}
	return NULL;
}

int
main(void)
{
	static const struct leak_check leaks = { leaks_before, leaks_after };
	int fail;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &boot_port) != KERN_SUCCESS ||
	    mach_port_insert_right(ME, boot_port, boot_port, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    task_set_special_port(ME, TASK_BOOTSTRAP_PORT, boot_port) != KERN_SUCCESS) {
		printf("ipc: cannot set up the bootstrap port\n");
		trap_debug_exit(0x11);
	}
	fail = run_suite(stats().fastpath_enabled ? "ipc" : "ipc-slowpath", tests,
			 (int)(sizeof tests / sizeof tests[0]), &leaks);
	trap_debug_exit(fail ? 0x11 : 0x10);
	return fail != 0;
}
