/*
 * The kernel's calls case by case, each run on our own task port and again on
 * a child's (task_create, no memory, no threads): every routine of
 * mach_port.defs, vm_map.defs, task.defs, thread.defs and host.defs that the
 * kernel serves, its named errors, a malformed request for each routine, and
 * rights and memory that travel between us and the child. Results are checked
 * through the same interface (mach_port_type and mach_port_names of the
 * target, vm_read of the target). Included by the kobject suite
 * (tests/user/kobjtest.c): its table takes KOBJ_CALL_CASES. The cases of
 * KOBJ_CALL_CASES_FAILING are written for Mach's behaviour (OSF Mach 3 /
 * GNU Mach), which the kernel does not have yet; each says why it fails.
 * Every case gives back the pages, ports and names it takes.
 */
#ifndef KOBJ_CALLS_H
#define KOBJ_CALLS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/trap.h>
#include <manifold/syscall_inputs.h>
#include "suite.h"
#include "clock_reply_types.h"

#define KC_SELF mach_task_self()
#define KC_PAGE 4096u
/* Cases and helpers may go unused: a suite can leave the failing list out. */
#define KC_CASE static void __attribute__((unused))
#define KC_FN static __attribute__((unused))

/* ---- running a body on both targets ---- */

static char kc_failure[192], kc_failure_child[224];

KC_FN void
kc_end_task(mach_port_t task)
{
	end_task_and_wait(task);
}

/*
 * Runs body on our own task port, then on a fresh child's, which it then
 * terminates. A failure on the child says so, since the line is the same.
 */
KC_FN void
kc_both(void (*body)(mach_port_t target))
{
	mach_port_t child = MACH_PORT_NULL;

	body(KC_SELF);
	if (failed_line)
		return;
	if (task_create(KC_SELF, 0, &child) != KERN_SUCCESS) {
		failed_line = __LINE__;
		failed_what = "task_create for the child's turn";
		return;
	}
	body(child);
	if (failed_line) {
		snprintf(kc_failure_child, sizeof kc_failure_child, "%s [on the child]", failed_what);
		failed_what = kc_failure_child;
	}
	kc_end_task(child);
}

/* A case whose body runs once with target = our task, once with a child. */
#define KC_BOTH(name)							\
	static void name##_on(mach_port_t target);			\
	KC_CASE name(void) { kc_both(name##_on); }			\
	static void name##_on(mach_port_t target)

/* ---- a target's name space ---- */

#define KC_MAX_NAMES 256

struct kc_space {
	uint32_t n;
	mach_port_name_t name[KC_MAX_NAMES];
	mach_port_type_t type[KC_MAX_NAMES];
};

static struct kc_space kc_before, kc_after;

/* mach_port_names of target, copied out (the call's memory given back). */
KC_FN kern_return_t
kc_space_of(mach_port_t target, struct kc_space *s)
{
	mach_port_name_t *names = NULL;
	natural_t *types = NULL;
	mach_msg_type_number_t n = 0, tn = 0;
	kern_return_t kr = mach_port_names(target, &names, &n, &types, &tn);

	if (kr != KERN_SUCCESS)
		return kr;
	if (n != tn || n > KC_MAX_NAMES) {
		kr = KERN_FAILURE;
	} else {
		s->n = n;
		memcpy(s->name, names, n * sizeof *names);
		memcpy(s->type, types, n * sizeof *types);
	}
	if (n)
		vm_deallocate(KC_SELF, (vm_address_t)names, n * sizeof *names);
	if (tn)
		vm_deallocate(KC_SELF, (vm_address_t)types, tn * sizeof *types);
	return kr;
}

KC_FN int
kc_space_equal(const struct kc_space *a, const struct kc_space *b)
{
	if (a->n != b->n)
		return 0;
	for (uint32_t i = 0; i < a->n; i++)
		if (a->name[i] != b->name[i] || a->type[i] != b->type[i])
			return 0;
	return 1;
}

/* The type the snapshot gives name, 0 if it has no such name. */
KC_FN mach_port_type_t
kc_type_in(const struct kc_space *s, mach_port_name_t name)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (s->name[i] == name)
			return s->type[i];
	return 0;
}

/* mach_port_type of name in target, or 0 when the call fails. */
KC_FN mach_port_type_t
kc_type(mach_port_t target, mach_port_name_t name)
{
	mach_port_type_t t = 0;

	return mach_port_type(target, name, &t) == KERN_SUCCESS ? t : 0;
}

KC_FN mach_port_urefs_t
kc_refs(mach_port_t target, mach_port_name_t name, mach_port_right_t right)
{
	mach_port_urefs_t r = 0xDEAD;

	mach_port_get_refs(target, name, right, &r);
	return r;
}

/*
 * A name that denotes nothing in target's space, in a slot its table has
 * already (so allocating it does not grow the table).
 */
KC_FN mach_port_name_t
kc_unused_name(mach_port_t target)
{
	mach_port_name_t n;

	if (mach_port_allocate(target, MACH_PORT_RIGHT_DEAD_NAME, &n) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	mach_port_destroy(target, n);
	return (n & ~0xFFu) | ((n & 0xFFu) == 0x5A ? 0x5B : 0x5A);
}

/* A receive right's status (mach_port_get_attributes, MACH_PORT_RECEIVE_STATUS). */
KC_FN kern_return_t
kc_status(mach_port_t target, mach_port_name_t name, mach_port_status_t *st)
{
	mach_msg_type_number_t n = MACH_PORT_RECEIVE_STATUS_COUNT;

	memset(st, 0, sizeof *st);
	return mach_port_get_attributes(target, name, MACH_PORT_RECEIVE_STATUS, (integer_t *)st, &n);
}

KC_FN natural_t
kc_qlimit(mach_port_t target, mach_port_name_t name)
{
	mach_port_limits_t l = { 0xDEAD };
	mach_msg_type_number_t n = MACH_PORT_LIMITS_INFO_COUNT;

	mach_port_get_attributes(target, name, MACH_PORT_LIMITS_INFO, (integer_t *)&l, &n);
	return l.mpl_qlimit;
}

/* A port of ours: its receive right and one send right, under one name. */
KC_FN mach_port_t
kc_port(void)
{
	mach_port_t p = MACH_PORT_NULL;

	if (mach_port_allocate(KC_SELF, MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	mach_port_insert_right(KC_SELF, p, p, MACH_MSG_TYPE_MAKE_SEND);
	return p;
}

/* ---- messages ---- */

struct kc_msg {
	mach_msg_header_t h;
	uint32_t body[64];
};

/* A simple message with id to dest, which never waits for room. */
KC_FN mach_msg_return_t
kc_send(mach_port_t dest, mach_msg_type_name_t disp, mach_msg_id_t id)
{
	mach_msg_header_t h;

	memset(&h, 0, sizeof h);
	h.msgh_bits = MACH_MSGH_BITS(disp, 0);
	h.msgh_size = sizeof h;
	h.msgh_remote_port = dest;
	h.msgh_id = id;
	return mach_msg(&h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof h, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
}

/* Takes a message that is already queued on port (no wait). */
KC_FN mach_msg_return_t
kc_poll(mach_port_t port, struct kc_msg *m)
{
	memset(m, 0, sizeof *m);
	return mach_msg(&m->h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof *m, port, 0, MACH_PORT_NULL);
}

/* The id of the message queued on port, -1 if there is none. */
KC_FN mach_msg_id_t
kc_next_id(mach_port_t port)
{
	struct kc_msg m;

	if (kc_poll(port, &m) != MACH_MSG_SUCCESS)
		return -1;
	mach_msg_destroy(&m.h);
	return m.h.msgh_id;
}

/* ---- a target's memory ---- */

struct kc_region {
	kern_return_t kr;
	vm_address_t addr;
	vm_size_t size;
	vm_prot_t prot, max;
	vm_inherit_t inherit;
	boolean_t shared;
};

/* vm_region at or above addr in target. */
KC_FN struct kc_region
kc_region_at(mach_port_t target, vm_address_t addr)
{
	struct kc_region r;
	mach_port_t object = MACH_PORT_NULL;
	vm_offset_t offset;

	memset(&r, 0, sizeof r);
	r.addr = addr;
	r.kr = vm_region(target, &r.addr, &r.size, &r.prot, &r.max, &r.inherit, &r.shared, &object, &offset);
	if (MACH_PORT_VALID(object))
		mach_port_deallocate(KC_SELF, object);
	return r;
}

/* A hash of every region of target (start, size, protections, inheritance). */
KC_FN uint32_t
kc_map_digest(mach_port_t target)
{
	uint32_t h = 2166136261u;
	vm_address_t addr = 0;

	for (int i = 0; i < 1000; i++) {
		struct kc_region r = kc_region_at(target, addr);
		uint32_t v[5] = { r.addr, r.size, (uint32_t)r.prot, (uint32_t)r.max, r.inherit };

		if (r.kr != KERN_SUCCESS)
			break;
		for (int j = 0; j < 5; j++)
			h = (h ^ v[j]) * 16777619u;
		addr = r.addr + r.size;
		if (addr == 0)
			break;
	}
	return h;
}

/* Zero-filled memory in target, anywhere: its address, 0 on failure. */
KC_FN vm_address_t
kc_alloc(mach_port_t target, vm_size_t size)
{
	vm_address_t a = 0;

	return vm_allocate(target, &a, size, TRUE) == KERN_SUCCESS ? a : 0;
}

/* As kc_alloc, with a hole of a page after it, so that running past the end meets nothing. */
KC_FN vm_address_t
kc_alloc_guarded(mach_port_t target, vm_size_t size)
{
	vm_address_t a = kc_alloc(target, size + KC_PAGE);

	if (a)
		vm_deallocate(target, a + size, KC_PAGE);
	return a;
}

/* The word at addr in target, read with vm_read; 0xDEADDEAD when it cannot be read. */
KC_FN uint32_t
kc_word(mach_port_t target, vm_address_t addr)
{
	vm_offset_t data;
	mach_msg_type_number_t n;
	uint32_t v;

	if (vm_read(target, addr & ~(KC_PAGE - 1), KC_PAGE, &data, &n) != KERN_SUCCESS)
		return 0xDEADDEAD;
	v = *(uint32_t *)(data + (addr & (KC_PAGE - 1)));
	vm_deallocate(KC_SELF, data, n);
	return v;
}

/* Writes one word at addr in target: vm_write takes whole pages, so the page is read first. */
KC_FN kern_return_t
kc_poke(mach_port_t target, vm_address_t addr, uint32_t value)
{
	vm_offset_t data;
	mach_msg_type_number_t n;
	kern_return_t kr = vm_read(target, addr & ~(KC_PAGE - 1), KC_PAGE, &data, &n);

	if (kr != KERN_SUCCESS)
		return kr;
	*(uint32_t *)(data + (addr & (KC_PAGE - 1))) = value;
	kr = vm_write(target, addr & ~(KC_PAGE - 1), data, KC_PAGE);
	vm_deallocate(KC_SELF, data, n);
	return kr;
}

/* ---- threads that run in a target ---- */

/*
 * A page of i386 code that kc_code_page writes into a target, so that a
 * thread can run there whether the target is us or a child that has none of
 * our memory. Traps only: the code owns no stack and no runtime.
 *   KC_WAIT   mach_msg receive on the name patched in, result at KC_RESULT, then KC_SPIN
 *   KC_SPIN   adds one to KC_COUNT and yields, for ever
 *   KC_NUDGE  sends the message at KC_MSG (no reply wanted), counts and yields, for ever
 */
enum {
	KC_WAIT = 0x000,
	KC_SPIN = 0x040,
	KC_NUDGE = 0x080,
	KC_STACK = 0x7F0,
	KC_BUF = 0x800,
	KC_MSG = 0xE00,
	KC_RESULT = 0xF00,
	KC_COUNT = 0xF04,
	KC_UNTOUCHED = 0x5A5A5A5A,	/* KC_RESULT before the receive returns */
};

static uint8_t kc_code[KC_PAGE] __attribute__((aligned(4096)));

KC_FN uint8_t *
kc_op32(uint8_t *p, uint8_t op, uint32_t imm)
{
	*p++ = op;
	memcpy(p, &imm, 4);
	return p + 4;
}

KC_FN uint8_t *
kc_bytes(uint8_t *p, const char *b, int n)
{
	memcpy(p, b, (size_t)n);
	return p + n;
}

/* A short backward jump to start from p. */
KC_FN uint8_t *
kc_jmp_back(uint8_t *p, const uint8_t *start)
{
	p[0] = 0xEB;
	p[1] = (uint8_t)(int8_t)(start - (p + 2));
	return p + 2;
}

/*
 * Puts the code page into target at *base (anywhere), executable. rcv_name is
 * the name KC_WAIT receives on; nudge (may be NULL) the message KC_NUDGE sends.
 */
KC_FN kern_return_t
kc_code_page(mach_port_t target, mach_port_name_t rcv_name, const mach_msg_header_t *nudge, vm_address_t *base)
{
	vm_address_t b = 0;
	uint8_t *p, *start;
	kern_return_t kr = vm_allocate(target, &b, KC_PAGE, TRUE);
	uint32_t untouched = KC_UNTOUCHED;

	if (kr != KERN_SUCCESS)
		return kr;
	memset(kc_code, 0xCC, sizeof kc_code);	/* int3 anywhere else */
	p = kc_code + KC_WAIT;
	p = kc_op32(p, 0xB8, TRAP_mach_msg);			/* mov $10, %eax */
	p = kc_op32(p, 0xBB, b + KC_BUF);			/* mov $buf, %ebx */
	p = kc_op32(p, 0xB9, MACH_RCV_MSG);			/* mov $opt, %ecx */
	p = kc_bytes(p, "\x31\xD2", 2);				/* xor %edx, %edx */
	p = kc_op32(p, 0xBE, 0x100);				/* mov $256, %esi */
	p = kc_op32(p, 0xBF, rcv_name);				/* mov $name, %edi */
	p = kc_bytes(p, "\x31\xED\xCD\x30", 4);			/* xor %ebp, %ebp; int $0x30 */
	p = kc_op32(p, 0xA3, b + KC_RESULT);			/* mov %eax, result */
	p = kc_op32(p, 0xE9, KC_SPIN - (uint32_t)(p + 5 - kc_code));	/* jmp spin */

	start = p = kc_code + KC_SPIN;
	p = kc_bytes(p, "\xFF\x05", 2);				/* incl count */
	memcpy(p, &(uint32_t){ b + KC_COUNT }, 4);
	p += 4;
	p = kc_op32(p, 0xB8, TRAP_thread_yield);
	p = kc_bytes(p, "\xCD\x30", 2);
	p = kc_jmp_back(p, start);

	start = p = kc_code + KC_NUDGE;
	p = kc_op32(p, 0xB8, TRAP_mach_msg);
	p = kc_op32(p, 0xBB, b + KC_MSG);
	p = kc_op32(p, 0xB9, MACH_SEND_MSG);
	p = kc_op32(p, 0xBA, sizeof(mach_msg_header_t));	/* mov $24, %edx */
	p = kc_bytes(p, "\x31\xF6\x31\xFF\x31\xED\xCD\x30", 8);	/* xor esi, edi, ebp; int $0x30 */
	p = kc_bytes(p, "\xFF\x05", 2);
	memcpy(p, &(uint32_t){ b + KC_COUNT }, 4);
	p += 4;
	p = kc_op32(p, 0xB8, TRAP_thread_yield);
	p = kc_bytes(p, "\xCD\x30", 2);
	p = kc_jmp_back(p, start);

	memset(kc_code + KC_BUF, 0, KC_PAGE - KC_BUF);
	if (nudge)
		memcpy(kc_code + KC_MSG, nudge, sizeof *nudge);
	memcpy(kc_code + KC_RESULT, &untouched, 4);
	kr = vm_write(target, b, (vm_offset_t)kc_code, KC_PAGE);
	if (kr == KERN_SUCCESS)
		kr = vm_protect(target, b, KC_PAGE, FALSE, VM_PROT_ALL);
	if (kr != KERN_SUCCESS) {
		vm_deallocate(target, b, KC_PAGE);
		return kr;
	}
	*base = b;
	return KERN_SUCCESS;
}

/* A new thread in target, still suspended, that will start at eip. */
KC_FN kern_return_t
kc_thread_at(mach_port_t target, vm_address_t eip, vm_address_t esp, mach_port_t *th)
{
	return thread_at(target, eip, esp, th);
}

/* Ends the thread and waits until its port is dead (the kernel has freed it). */
KC_FN void
kc_end_thread(mach_port_t th)
{
	thread_terminate(th);
	wait_dead_name(th);
	mach_port_deallocate(KC_SELF, th);
}

/*
 * A suspended thread that keeps the target's thread count above zero while a
 * case ends its other threads: the kernel ends a task with its last thread,
 * Mach does not (see KOBJ_CALL_CASES_FAILING). Ended last, with kc_end_thread.
 */
KC_FN mach_port_t
kc_keeper(mach_port_t target)
{
	mach_port_t th = MACH_PORT_NULL;

	thread_create(target, &th);
	return th;
}

/* Yields until the word at addr in target is no longer old (a bounded wait); returns it. */
KC_FN uint32_t
kc_wait_change(mach_port_t target, vm_address_t addr, uint32_t old)
{
	uint32_t v = kc_word(target, addr);

	for (int i = 0; i < 3000 && v == old; i++) {
		thread_switch(MACH_PORT_NULL, SWITCH_OPTION_NONE, 0);
		v = kc_word(target, addr);
	}
	return v;
}

/* Yields n times, so that any thread that can run does. */
KC_FN void
kc_yield(int n)
{
	for (int i = 0; i < n; i++)
		thread_switch(MACH_PORT_NULL, SWITCH_OPTION_NONE, 0);
}

KC_FN thread_basic_info_data_t
kc_thread_info(mach_port_t th)
{
	thread_basic_info_data_t info;
	mach_msg_type_number_t n = THREAD_BASIC_INFO_COUNT;

	memset(&info, 0xFF, sizeof info);
	thread_info(th, THREAD_BASIC_INFO, (integer_t *)&info, &n);
	return info;
}

KC_FN task_basic_info_data_t
kc_task_info(mach_port_t task)
{
	task_basic_info_data_t info;
	mach_msg_type_number_t n = TASK_BASIC_INFO_COUNT;

	memset(&info, 0xFF, sizeof info);
	task_info(task, TASK_BASIC_INFO, (integer_t *)&info, &n);
	return info;
}

/*
 * How many threads task_threads lists for target, -1 on failure (as for a task
 * without threads: see the failing list); the rights and the list go back.
 */
KC_FN int
kc_thread_count(mach_port_t target, mach_port_t contains, int *found)
{
	thread_act_array_t list;
	mach_msg_type_number_t n = 0;

	if (task_threads(target, &list, &n) != KERN_SUCCESS)
		return -1;
	if (found)
		*found = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (found && list[i] == contains)
			*found = 1;
		mach_port_deallocate(KC_SELF, list[i]);
	}
	if (n)
		vm_deallocate(KC_SELF, (vm_address_t)list, n * sizeof *list);
	return (int)n;
}

/* Waits (bounded) for th to block in the kernel; returns whether it did. */
KC_FN int
kc_wait_blocked(mach_port_t th)
{
	for (int i = 0; i < 3000; i++) {
		if (kc_thread_info(th).run_state == TH_STATE_WAITING)
			return 1;
		thread_switch(MACH_PORT_NULL, SWITCH_OPTION_NONE, 0);
	}
	return 0;
}

/* ---- mach_port.defs ---- */

KC_BOTH(port_allocate_makes_receive_set_and_dead_name_rights_that_type_reports)
{
	static const struct {
		mach_port_right_t right;
		mach_port_type_t type;
	} kinds[] = {
		{ MACH_PORT_RIGHT_RECEIVE, MACH_PORT_TYPE_RECEIVE },
		{ MACH_PORT_RIGHT_PORT_SET, MACH_PORT_TYPE_PORT_SET },
		{ MACH_PORT_RIGHT_DEAD_NAME, MACH_PORT_TYPE_DEAD_NAME },
	};
	mach_port_name_t n[3], x = 0x777;
	mach_port_status_t st;

	for (int i = 0; i < 3; i++) {
		CHECK_EQ(mach_port_allocate(target, kinds[i].right, &n[i]), KERN_SUCCESS);
		CHECK(MACH_PORT_VALID(n[i]));
		CHECK_EQ(kc_type(target, n[i]), kinds[i].type);
	}
	CHECK(n[0] != n[1] && n[1] != n[2] && n[0] != n[2]);
	/* a new port: default queue limit, nothing queued, no senders made yet */
	CHECK_EQ(kc_status(target, n[0], &st), KERN_SUCCESS);
	CHECK_EQ(st.mps_qlimit, MACH_PORT_QLIMIT_DEFAULT);
	CHECK_EQ(st.mps_msgcount, 0);
	CHECK_EQ(st.mps_mscount, 0);
	CHECK_EQ(st.mps_srights, 0);
	CHECK_EQ(kc_refs(target, n[2], MACH_PORT_RIGHT_DEAD_NAME), 1);
	/* send and send-once rights are made from a receive right, never from nothing */
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_SEND, &x), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_SEND_ONCE, &x), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_allocate(target, 77, &x), KERN_INVALID_VALUE);
	CHECK_EQ(x, 0x777);		/* out-parameters are written only on success */
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(mach_port_destroy(target, n[i]), KERN_SUCCESS);
		CHECK_EQ(mach_port_type(target, n[i], &x), KERN_INVALID_NAME);
	}
}

KC_BOTH(port_names_lists_every_name_with_the_type_that_type_reports)
{
	mach_port_name_t r, s, d;

	CHECK_EQ(kc_space_of(target, &kc_before), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_PORT_SET, &s), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	CHECK_EQ(kc_space_of(target, &kc_after), KERN_SUCCESS);
	CHECK_EQ(kc_after.n, kc_before.n + 3);
	CHECK_EQ(kc_type_in(&kc_after, r), MACH_PORT_TYPE_RECEIVE);
	CHECK_EQ(kc_type_in(&kc_after, s), MACH_PORT_TYPE_PORT_SET);
	CHECK_EQ(kc_type_in(&kc_after, d), MACH_PORT_TYPE_DEAD_NAME);
	for (uint32_t i = 0; i < kc_before.n; i++)	/* nothing else moved */
		CHECK_EQ(kc_type_in(&kc_after, kc_before.name[i]), kc_before.type[i]);
	for (uint32_t i = 0; i < kc_after.n; i++) {	/* the two calls agree on every name */
		failed_val = kc_after.name[i];
		CHECK_EQ(kc_type(target, kc_after.name[i]), kc_after.type[i]);
	}
	mach_port_destroy(target, r);
	mach_port_destroy(target, s);
	mach_port_destroy(target, d);
	CHECK_EQ(kc_space_of(target, &kc_after), KERN_SUCCESS);
	CHECK(kc_space_equal(&kc_before, &kc_after));
}

KC_BOTH(port_allocate_name_uses_the_chosen_name_and_refuses_a_taken_one)
{
	mach_port_name_t name = kc_unused_name(target), other;

	CHECK(MACH_PORT_VALID(name));
	CHECK_EQ(mach_port_allocate_name(target, MACH_PORT_RIGHT_RECEIVE, name), KERN_SUCCESS);
	CHECK_EQ(kc_type(target, name), MACH_PORT_TYPE_RECEIVE);
	CHECK_EQ(mach_port_allocate_name(target, MACH_PORT_RIGHT_PORT_SET, name), KERN_NAME_EXISTS);
	CHECK_EQ(kc_type(target, name), MACH_PORT_TYPE_RECEIVE);	/* the first right stays */
	CHECK_EQ(mach_port_allocate_name(target, MACH_PORT_RIGHT_RECEIVE, MACH_PORT_NULL), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_allocate_name(target, MACH_PORT_RIGHT_RECEIVE, MACH_PORT_DEAD), KERN_INVALID_VALUE);
	other = kc_unused_name(target);
	CHECK(MACH_PORT_VALID(other) && other != name);
	CHECK_EQ(mach_port_allocate_name(target, MACH_PORT_RIGHT_SEND, other), KERN_INVALID_VALUE);
	CHECK_EQ(kc_type(target, other), 0);
	CHECK_EQ(mach_port_allocate_name(target, MACH_PORT_RIGHT_DEAD_NAME, other), KERN_SUCCESS);
	CHECK_EQ(kc_type(target, other), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(kc_refs(target, other, MACH_PORT_RIGHT_DEAD_NAME), 1);
	CHECK_EQ(mach_port_destroy(target, name), KERN_SUCCESS);
	CHECK_EQ(mach_port_destroy(target, other), KERN_SUCCESS);
}

KC_BOTH(port_rename_moves_the_rights_and_frees_the_old_name)
{
	mach_port_name_t r, d, fresh;

	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	CHECK_EQ(mach_port_set_qlimit(target, r, 3), KERN_SUCCESS);	/* marks this port */
	fresh = kc_unused_name(target);
	CHECK_EQ(mach_port_rename(target, r, fresh), KERN_SUCCESS);
	CHECK_EQ(kc_type(target, r), 0);
	CHECK_EQ(kc_type(target, fresh), MACH_PORT_TYPE_RECEIVE);
	CHECK_EQ(kc_qlimit(target, fresh), 3);			/* the same port, renamed */
	CHECK_EQ(mach_port_rename(target, r, kc_unused_name(target)), KERN_INVALID_NAME);
	CHECK_EQ(mach_port_rename(target, fresh, MACH_PORT_NULL), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_rename(target, fresh, MACH_PORT_DEAD), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	CHECK_EQ(mach_port_rename(target, fresh, d), KERN_NAME_EXISTS);
	CHECK_EQ(kc_type(target, fresh), MACH_PORT_TYPE_RECEIVE);	/* neither moved */
	CHECK_EQ(kc_type(target, d), MACH_PORT_TYPE_DEAD_NAME);
	mach_port_destroy(target, fresh);
	mach_port_destroy(target, d);
}

KC_BOTH(port_destroy_removes_every_right_under_the_name)
{
	mach_port_name_t r, s, d;
	mach_port_t ours, watch;
	mach_msg_type_name_t got;

	/* receive and send rights under one name: our send right moved in joins it */
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	CHECK_EQ(mach_port_extract_right(target, r, MACH_MSG_TYPE_MAKE_SEND, &ours, &got), KERN_SUCCESS);
	if (target != KC_SELF) {
		CHECK_EQ(mach_port_insert_right(target, r, ours, MACH_MSG_TYPE_MOVE_SEND), KERN_SUCCESS);
	}
	CHECK_EQ(kc_type(target, r), MACH_PORT_TYPE_SEND_RECEIVE);
	CHECK_EQ(mach_port_extract_right(target, r, MACH_MSG_TYPE_MAKE_SEND, &watch, &got), KERN_SUCCESS);
	CHECK_EQ(mach_port_destroy(target, r), KERN_SUCCESS);
	CHECK_EQ(kc_type(target, r), 0);
	CHECK_EQ(mach_port_destroy(target, r), KERN_INVALID_NAME);
	if (target != KC_SELF) {	/* (on ourselves, watch was r itself) */
		CHECK_EQ(kc_type(KC_SELF, watch), MACH_PORT_TYPE_DEAD_NAME);	/* the port died with it */
		mach_port_deallocate(KC_SELF, watch);
	}
	/* a port set and a dead name of several references go whole */
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_PORT_SET, &s), KERN_SUCCESS);
	CHECK_EQ(mach_port_destroy(target, s), KERN_SUCCESS);
	CHECK_EQ(kc_type(target, s), 0);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	CHECK_EQ(mach_port_mod_refs(target, d, MACH_PORT_RIGHT_DEAD_NAME, 2), KERN_SUCCESS);
	CHECK_EQ(mach_port_destroy(target, d), KERN_SUCCESS);
	CHECK_EQ(kc_type(target, d), 0);
}

/* Where target holds rights to our port p: under p in our own space, under a new name in a child's. */
KC_FN mach_port_name_t
kc_name_for(mach_port_t target, mach_port_t p)
{
	return target == KC_SELF ? p : kc_unused_name(target);
}

KC_BOTH(port_deallocate_releases_one_send_reference_at_a_time)
{
	mach_port_t p = kc_port();
	mach_port_name_t name = kc_name_for(target, p), so = kc_unused_name(target), r, d;
	mach_port_type_t left = target == KC_SELF ? MACH_PORT_TYPE_RECEIVE : 0;
	struct kc_msg m;

	CHECK(p);
	if (target == KC_SELF)
		mach_port_deallocate(KC_SELF, p);	/* just the receive right, as in a child */
	CHECK_EQ(mach_port_insert_right(target, name, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(mach_port_mod_refs(target, name, MACH_PORT_RIGHT_SEND, 2), KERN_SUCCESS);
	CHECK_EQ(kc_refs(target, name, MACH_PORT_RIGHT_SEND), 3);
	CHECK_EQ(mach_port_deallocate(target, name), KERN_SUCCESS);
	CHECK_EQ(kc_refs(target, name, MACH_PORT_RIGHT_SEND), 2);
	CHECK_EQ(mach_port_deallocate(target, name), KERN_SUCCESS);
	CHECK_EQ(mach_port_deallocate(target, name), KERN_SUCCESS);
	CHECK_EQ(kc_type(target, name), left);		/* the send right is gone */
	/* a send-once right goes at once, and tells its port so */
	CHECK_EQ(mach_port_insert_right(target, so, p, MACH_MSG_TYPE_MAKE_SEND_ONCE), KERN_SUCCESS);
	CHECK_EQ(kc_type(target, so), MACH_PORT_TYPE_SEND_ONCE);
	CHECK_EQ(mach_port_deallocate(target, so), KERN_SUCCESS);
	CHECK_EQ(kc_type(target, so), 0);
	CHECK_EQ(kc_poll(p, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
	/* a dead name has references like a send right */
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	CHECK_EQ(mach_port_mod_refs(target, d, MACH_PORT_RIGHT_DEAD_NAME, 1), KERN_SUCCESS);
	CHECK_EQ(mach_port_deallocate(target, d), KERN_SUCCESS);
	CHECK_EQ(kc_type(target, d), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(mach_port_deallocate(target, d), KERN_SUCCESS);
	CHECK_EQ(kc_type(target, d), 0);
	/* receive rights and port sets are not deallocated: they are destroyed */
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	CHECK_EQ(mach_port_deallocate(target, r), KERN_INVALID_RIGHT);
	CHECK_EQ(kc_type(target, r), MACH_PORT_TYPE_RECEIVE);
	mach_port_destroy(target, r);
	CHECK_EQ(mach_port_deallocate(target, kc_unused_name(target)), KERN_INVALID_NAME);
	mach_port_destroy(KC_SELF, p);
}

KC_BOTH(port_get_refs_counts_user_references_per_kind_of_right)
{
	mach_port_name_t r, s, d;
	mach_port_urefs_t refs = 0x999;

	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_PORT_SET, &s), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	CHECK_EQ(kc_refs(target, r, MACH_PORT_RIGHT_RECEIVE), 1);
	CHECK_EQ(kc_refs(target, r, MACH_PORT_RIGHT_SEND), 0);		/* a right the name lacks: 0 */
	CHECK_EQ(kc_refs(target, r, MACH_PORT_RIGHT_SEND_ONCE), 0);
	CHECK_EQ(kc_refs(target, r, MACH_PORT_RIGHT_PORT_SET), 0);
	CHECK_EQ(kc_refs(target, s, MACH_PORT_RIGHT_PORT_SET), 1);
	CHECK_EQ(kc_refs(target, s, MACH_PORT_RIGHT_RECEIVE), 0);
	CHECK_EQ(mach_port_mod_refs(target, d, MACH_PORT_RIGHT_DEAD_NAME, 4), KERN_SUCCESS);
	CHECK_EQ(kc_refs(target, d, MACH_PORT_RIGHT_DEAD_NAME), 5);
	CHECK_EQ(mach_port_get_refs(target, r, MACH_PORT_RIGHT_NUMBER, &refs), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_get_refs(target, kc_unused_name(target), MACH_PORT_RIGHT_SEND, &refs), KERN_INVALID_NAME);
	CHECK_EQ(refs, 0x999);
	mach_port_destroy(target, r);
	mach_port_destroy(target, s);
	mach_port_destroy(target, d);
}

KC_BOTH(port_mod_refs_adds_and_takes_references_within_bounds)
{
	mach_port_name_t r, s, d;

	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	CHECK_EQ(mach_port_mod_refs(target, d, MACH_PORT_RIGHT_DEAD_NAME, 2), KERN_SUCCESS);
	CHECK_EQ(mach_port_mod_refs(target, d, MACH_PORT_RIGHT_DEAD_NAME, -4), KERN_INVALID_VALUE);
	CHECK_EQ(kc_refs(target, d, MACH_PORT_RIGHT_DEAD_NAME), 3);	/* unchanged */
	CHECK_EQ(mach_port_mod_refs(target, d, MACH_PORT_RIGHT_DEAD_NAME, 0x7FFFFFFF), KERN_UREFS_OVERFLOW);
	CHECK_EQ(kc_refs(target, d, MACH_PORT_RIGHT_DEAD_NAME), 3);
	CHECK_EQ(mach_port_mod_refs(target, d, MACH_PORT_RIGHT_DEAD_NAME, -3), KERN_SUCCESS);
	CHECK_EQ(kc_type(target, d), 0);				/* the last one takes the name */
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	CHECK_EQ(mach_port_mod_refs(target, r, MACH_PORT_RIGHT_RECEIVE, 1), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_mod_refs(target, r, MACH_PORT_RIGHT_SEND, 1), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_mod_refs(target, r, MACH_PORT_RIGHT_NUMBER, 1), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_mod_refs(target, r, MACH_PORT_RIGHT_RECEIVE, 0), KERN_SUCCESS);
	CHECK_EQ(kc_type(target, r), MACH_PORT_TYPE_RECEIVE);
	CHECK_EQ(mach_port_mod_refs(target, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	CHECK_EQ(kc_type(target, r), 0);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_PORT_SET, &s), KERN_SUCCESS);
	CHECK_EQ(mach_port_mod_refs(target, s, MACH_PORT_RIGHT_PORT_SET, -1), KERN_SUCCESS);
	CHECK_EQ(kc_type(target, s), 0);
	CHECK_EQ(mach_port_mod_refs(target, s, MACH_PORT_RIGHT_PORT_SET, -1), KERN_INVALID_NAME);
}

KC_BOTH(port_queue_limit_set_either_way_is_what_get_attributes_reports)
{
	mach_port_name_t r;
	mach_port_t s;
	mach_msg_type_name_t got;
	mach_port_limits_t l = { 2 };
	mach_port_status_t st;
	mach_msg_type_number_t n = 1;

	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	CHECK_EQ(kc_qlimit(target, r), MACH_PORT_QLIMIT_DEFAULT);
	CHECK_EQ(mach_port_set_qlimit(target, r, MACH_PORT_QLIMIT_MAX), KERN_SUCCESS);
	CHECK_EQ(kc_qlimit(target, r), MACH_PORT_QLIMIT_MAX);
	CHECK_EQ(mach_port_set_qlimit(target, r, MACH_PORT_QLIMIT_MAX + 1), KERN_INVALID_VALUE);
	CHECK_EQ(kc_qlimit(target, r), MACH_PORT_QLIMIT_MAX);
	CHECK_EQ(mach_port_set_attributes(target, r, MACH_PORT_LIMITS_INFO, (integer_t *)&l, 1), KERN_SUCCESS);
	CHECK_EQ(kc_qlimit(target, r), 2);
	l.mpl_qlimit = MACH_PORT_QLIMIT_MAX + 1;
	CHECK_EQ(mach_port_set_attributes(target, r, MACH_PORT_LIMITS_INFO, (integer_t *)&l, 1), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_set_attributes(target, r, MACH_PORT_RECEIVE_STATUS, (integer_t *)&l, 1),
		 KERN_INVALID_ARGUMENT);
	CHECK_EQ(mach_port_get_attributes(target, r, 99, (integer_t *)&l, &n), KERN_INVALID_ARGUMENT);
	CHECK_EQ(kc_qlimit(target, r), 2);
	/* and the limit holds: a third message finds no room */
	CHECK_EQ(mach_port_extract_right(target, r, MACH_MSG_TYPE_MAKE_SEND, &s, &got), KERN_SUCCESS);
	CHECK_EQ(kc_send(s, MACH_MSG_TYPE_COPY_SEND, 1), MACH_MSG_SUCCESS);
	CHECK_EQ(kc_send(s, MACH_MSG_TYPE_COPY_SEND, 2), MACH_MSG_SUCCESS);
	CHECK_EQ(kc_send(s, MACH_MSG_TYPE_COPY_SEND, 3), MACH_SEND_TIMED_OUT);
	CHECK_EQ(kc_status(target, r, &st), KERN_SUCCESS);
	CHECK_EQ(st.mps_msgcount, 2);
	CHECK_EQ(mach_port_destroy(target, r), KERN_SUCCESS);	/* with its queued messages */
	if (target != KC_SELF)
		mach_port_deallocate(KC_SELF, s);
}

KC_BOTH(port_make_send_count_is_set_and_counted_as_receive_status_reports)
{
	mach_port_name_t r, d;
	mach_port_t s1, s2;
	mach_msg_type_name_t got;
	mach_port_status_t st;

	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	CHECK_EQ(mach_port_extract_right(target, r, MACH_MSG_TYPE_MAKE_SEND, &s1, &got), KERN_SUCCESS);
	CHECK_EQ(mach_port_extract_right(target, r, MACH_MSG_TYPE_MAKE_SEND, &s2, &got), KERN_SUCCESS);
	CHECK_EQ(s1, s2);				/* one name for our rights to one port */
	CHECK_EQ(kc_status(target, r, &st), KERN_SUCCESS);
	CHECK_EQ(st.mps_mscount, 2);			/* each make-send counts */
	CHECK(st.mps_srights);
	CHECK_EQ(mach_port_set_mscount(target, r, 7), KERN_SUCCESS);
	CHECK_EQ(kc_status(target, r, &st), KERN_SUCCESS);
	CHECK_EQ(st.mps_mscount, 7);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	CHECK_EQ(mach_port_set_mscount(target, d, 1), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_set_mscount(target, kc_unused_name(target), 1), KERN_INVALID_NAME);
	if (target == KC_SELF) {
		mach_port_mod_refs(KC_SELF, r, MACH_PORT_RIGHT_SEND, -2);
	} else {
		mach_port_deallocate(KC_SELF, s1);
		mach_port_deallocate(KC_SELF, s2);
	}
	CHECK_EQ(kc_status(target, r, &st), KERN_SUCCESS);
	CHECK_EQ(st.mps_srights, 0);
	mach_port_destroy(target, r);
	mach_port_destroy(target, d);
}

KC_BOTH(port_move_member_puts_a_receive_right_in_a_set_and_takes_it_out)
{
	mach_port_name_t r, s, d;
	mach_port_status_t st;

	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_PORT_SET, &s), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	CHECK_EQ(kc_status(target, r, &st), KERN_SUCCESS);
	CHECK_EQ(st.mps_pset, 0);
	CHECK_EQ(mach_port_move_member(target, r, s), KERN_SUCCESS);
	CHECK_EQ(kc_status(target, r, &st), KERN_SUCCESS);
	CHECK(st.mps_pset != 0);
	if (target == KC_SELF) {	/* a message to the member is received through the set */
		struct kc_msg m;
		mach_port_insert_right(KC_SELF, r, r, MACH_MSG_TYPE_MAKE_SEND);
		CHECK_EQ(kc_send(r, MACH_MSG_TYPE_MOVE_SEND, 0x5E7), MACH_MSG_SUCCESS);
		CHECK_EQ(kc_poll(s, &m), MACH_MSG_SUCCESS);
		CHECK_EQ(m.h.msgh_id, 0x5E7);
		CHECK_EQ(m.h.msgh_local_port, r);
	}
	CHECK_EQ(mach_port_move_member(target, r, MACH_PORT_NULL), KERN_SUCCESS);
	CHECK_EQ(kc_status(target, r, &st), KERN_SUCCESS);
	CHECK_EQ(st.mps_pset, 0);
	CHECK_EQ(mach_port_move_member(target, r, MACH_PORT_NULL), KERN_NOT_IN_SET);
	CHECK_EQ(mach_port_move_member(target, s, s), KERN_INVALID_RIGHT);	/* a set is no member */
	CHECK_EQ(mach_port_move_member(target, d, s), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_move_member(target, r, r), KERN_INVALID_RIGHT);	/* nor a port a set */
	CHECK_EQ(mach_port_move_member(target, r, d), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_move_member(target, kc_unused_name(target), s), KERN_INVALID_NAME);
	CHECK_EQ(mach_port_move_member(target, r, kc_unused_name(target)), KERN_INVALID_NAME);
	/* destroying a set lets its members go, whole */
	CHECK_EQ(mach_port_move_member(target, r, s), KERN_SUCCESS);
	CHECK_EQ(mach_port_destroy(target, s), KERN_SUCCESS);
	CHECK_EQ(kc_status(target, r, &st), KERN_SUCCESS);
	CHECK_EQ(st.mps_pset, 0);
	CHECK_EQ(kc_type(target, r), MACH_PORT_TYPE_RECEIVE);
	mach_port_destroy(target, r);
	mach_port_destroy(target, d);
}

KC_BOTH(port_insert_right_puts_each_kind_of_right_under_the_chosen_name)
{
	mach_port_t p, q = kc_port();
	mach_port_name_t name, so, other;
	mach_port_type_t with = 0;
	struct kc_msg m;

	CHECK_EQ(mach_port_allocate(KC_SELF, MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);
	CHECK(q);
	name = kc_name_for(target, p);
	if (target == KC_SELF)
		with = MACH_PORT_TYPE_RECEIVE;
	CHECK_EQ(mach_port_insert_right(target, name, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(kc_type(target, name), MACH_PORT_TYPE_SEND | with);
	CHECK_EQ(mach_port_insert_right(target, name, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(kc_refs(target, name, MACH_PORT_RIGHT_SEND), 2);	/* a second send right adds a reference */
	so = kc_unused_name(target);
	CHECK_EQ(mach_port_insert_right(target, so, p, MACH_MSG_TYPE_MAKE_SEND_ONCE), KERN_SUCCESS);
	CHECK_EQ(kc_type(target, so), MACH_PORT_TYPE_SEND_ONCE);
	/* errors, none of which leaves anything in the target */
	CHECK_EQ(kc_space_of(target, &kc_before), KERN_SUCCESS);
	CHECK_EQ(mach_port_insert_right(target, MACH_PORT_NULL, p, MACH_MSG_TYPE_MAKE_SEND), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_insert_right(target, MACH_PORT_DEAD, p, MACH_MSG_TYPE_MAKE_SEND), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_insert_right(target, kc_unused_name(target), MACH_PORT_NULL, MACH_MSG_TYPE_COPY_SEND),
		 KERN_INVALID_CAPABILITY);
	CHECK_EQ(mach_port_insert_right(target, name, q, MACH_MSG_TYPE_MAKE_SEND), KERN_NAME_EXISTS);
	other = kc_unused_name(target);
	CHECK_EQ(mach_port_insert_right(target, other, p, MACH_MSG_TYPE_MAKE_SEND), KERN_RIGHT_EXISTS);
	CHECK_EQ(kc_space_of(target, &kc_after), KERN_SUCCESS);
	CHECK(kc_space_equal(&kc_before, &kc_after));
	CHECK_EQ(kc_next_id(q), -1);				/* the refused rights just went */
	/* the rights work: the send-once one is used up by a message */
	mach_port_destroy(target, so);
	CHECK_EQ(kc_poll(p, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);		/* destroyed unused: its port hears */
	CHECK_EQ(mach_port_mod_refs(target, name, MACH_PORT_RIGHT_SEND, -2), KERN_SUCCESS);
	CHECK_EQ(kc_type(target, name), with);
	mach_port_destroy(KC_SELF, p);
	mach_port_destroy(KC_SELF, q);
}

KC_BOTH(port_extract_right_gives_us_each_kind_of_right_to_the_targets_port)
{
	mach_port_name_t r, d;
	mach_port_t s = 0x777, so, rr;
	mach_msg_type_name_t got = 0;
	mach_port_status_t st;
	struct kc_msg m;

	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	CHECK_EQ(mach_port_extract_right(target, kc_unused_name(target), MACH_MSG_TYPE_MAKE_SEND, &s, &got),
		 KERN_INVALID_NAME);
	CHECK_EQ(mach_port_extract_right(target, r, 99, &s, &got), KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_extract_right(target, r, MACH_MSG_TYPE_COPY_SEND, &s, &got), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_extract_right(target, r, MACH_MSG_TYPE_MOVE_SEND_ONCE, &s, &got), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_extract_right(target, d, MACH_MSG_TYPE_MAKE_SEND, &s, &got), KERN_INVALID_RIGHT);
	CHECK_EQ(s, 0x777);
	CHECK_EQ(mach_port_extract_right(target, r, MACH_MSG_TYPE_MAKE_SEND, &s, &got), KERN_SUCCESS);
	CHECK_EQ(got, MACH_MSG_TYPE_PORT_SEND);
	CHECK(kc_type(KC_SELF, s) & MACH_PORT_TYPE_SEND);
	CHECK_EQ(kc_send(s, MACH_MSG_TYPE_COPY_SEND, 0x1234), MACH_MSG_SUCCESS);
	CHECK_EQ(mach_port_extract_right(target, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &got), KERN_SUCCESS);
	CHECK_EQ(got, MACH_MSG_TYPE_PORT_SEND_ONCE);
	CHECK_EQ(kc_type(KC_SELF, so), MACH_PORT_TYPE_SEND_ONCE);
	CHECK_EQ(kc_send(so, MACH_MSG_TYPE_MOVE_SEND_ONCE, 0x1235), MACH_MSG_SUCCESS);
	CHECK_EQ(kc_type(KC_SELF, so), 0);			/* used up */
	CHECK_EQ(kc_status(target, r, &st), KERN_SUCCESS);
	CHECK_EQ(st.mps_msgcount, 2);				/* both reached the target's port */
	/* the receive right itself: it joins our send right's name, messages and all */
	CHECK_EQ(mach_port_extract_right(target, r, MACH_MSG_TYPE_MOVE_RECEIVE, &rr, &got), KERN_SUCCESS);
	CHECK_EQ(got, MACH_MSG_TYPE_PORT_RECEIVE);
	CHECK_EQ(rr, s);
	CHECK_EQ(kc_type(KC_SELF, s), MACH_PORT_TYPE_SEND_RECEIVE);
	if (target != KC_SELF)
		CHECK_EQ(kc_type(target, r), 0);
	CHECK_EQ(kc_poll(s, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, 0x1234);
	CHECK_EQ(kc_poll(s, &m), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, 0x1235);
	mach_port_destroy(KC_SELF, s);
	mach_port_destroy(target, d);
}

/* The notification queued on n: its id and the word that follows the header. */
KC_FN mach_msg_id_t
kc_notification(mach_port_t n, uint32_t *word)
{
	struct kc_msg m;

	if (kc_poll(n, &m) != MACH_MSG_SUCCESS)
		return -1;
	*word = m.body[0];
	mach_msg_destroy(&m.h);
	return m.h.msgh_id;
}

KC_BOTH(port_no_senders_notification_comes_when_the_last_send_right_goes)
{
	mach_port_name_t r, d;
	mach_port_t s, n = kc_port(), prev = 0x777;
	mach_msg_type_name_t got;
	uint32_t word = 0;

	CHECK(n);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	CHECK_EQ(mach_port_extract_right(target, r, MACH_MSG_TYPE_MAKE_SEND, &s, &got), KERN_SUCCESS);
	if (target != KC_SELF)	/* the send right lives in the target, beside the receive right */
		CHECK_EQ(mach_port_insert_right(target, r, s, MACH_MSG_TYPE_MOVE_SEND), KERN_SUCCESS);
	CHECK_EQ(mach_port_request_notification(target, r, MACH_NOTIFY_NO_SENDERS, 0, n,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	CHECK_EQ(prev, MACH_PORT_NULL);
	CHECK_EQ(kc_next_id(n), -1);				/* a sender is left */
	CHECK_EQ(mach_port_deallocate(target, r), KERN_SUCCESS);	/* the last one */
	CHECK_EQ(kc_notification(n, &word), MACH_NOTIFY_NO_SENDERS);
	CHECK_EQ(word, 1);					/* the make-send count */
	/* with no senders and sync at most the make-send count, it comes at once */
	CHECK_EQ(mach_port_request_notification(target, r, MACH_NOTIFY_NO_SENDERS, 1, n,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	CHECK_EQ(kc_notification(n, &word), MACH_NOTIFY_NO_SENDERS);
	/* a later request replaces one that waits, and gives its right back */
	CHECK_EQ(mach_port_request_notification(target, r, MACH_NOTIFY_NO_SENDERS, 2, n,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	CHECK_EQ(kc_next_id(n), -1);
	CHECK_EQ(mach_port_request_notification(target, r, MACH_NOTIFY_NO_SENDERS, 2, n,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	CHECK_EQ(kc_type(KC_SELF, prev), MACH_PORT_TYPE_SEND_ONCE);
	CHECK_EQ(mach_port_deallocate(KC_SELF, prev), KERN_SUCCESS);
	CHECK_EQ(kc_notification(n, &word), MACH_NOTIFY_SEND_ONCE);
	CHECK_EQ(mach_port_request_notification(target, r, MACH_NOTIFY_NO_SENDERS, 0, MACH_PORT_NULL,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);	/* cancel */
	CHECK_EQ(kc_type(KC_SELF, prev), MACH_PORT_TYPE_SEND_ONCE);
	mach_port_deallocate(KC_SELF, prev);
	CHECK_EQ(kc_notification(n, &word), MACH_NOTIFY_SEND_ONCE);
	/* errors */
	prev = 0x777;
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	CHECK_EQ(mach_port_request_notification(target, d, MACH_NOTIFY_NO_SENDERS, 0, n,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_request_notification(target, r, 99, 0, n, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
		 KERN_INVALID_VALUE);
	CHECK_EQ(mach_port_request_notification(target, r, MACH_NOTIFY_NO_SENDERS, 0, n,
						MACH_MSG_TYPE_MAKE_SEND, &prev), KERN_INVALID_CAPABILITY);
	CHECK_EQ(prev, 0x777);
	CHECK_EQ(kc_next_id(n), MACH_NOTIFY_SEND_ONCE);		/* two refused send-once rights, */
	CHECK_EQ(kc_next_id(n), MACH_NOTIFY_SEND_ONCE);		/* destroyed unused */
	CHECK_EQ(kc_next_id(n), -1);
	mach_port_destroy(target, r);
	mach_port_destroy(target, d);
	mach_port_destroy(KC_SELF, n);
}

/*
 * A port whose receive right a helper task holds, so that the target's send
 * right is just that (under our own name, a receive right would keep the name).
 */
KC_FN kern_return_t
kc_foreign_port(mach_port_t *helper, mach_port_name_t *there, mach_port_t *send)
{
	mach_msg_type_name_t got;
	kern_return_t kr = task_create(KC_SELF, 0, helper);

	if (kr == KERN_SUCCESS)
		kr = mach_port_allocate(*helper, MACH_PORT_RIGHT_RECEIVE, there);
	if (kr == KERN_SUCCESS)
		kr = mach_port_extract_right(*helper, *there, MACH_MSG_TYPE_MAKE_SEND, send, &got);
	return kr;
}

KC_BOTH(port_deleted_and_dead_name_notifications_name_the_targets_right)
{
	mach_port_t helper, s, n = kc_port(), prev = 0x777;
	mach_port_name_t there, a, b;
	uint32_t word = 0;

	CHECK(n);
	CHECK_EQ(kc_foreign_port(&helper, &there, &s), KERN_SUCCESS);
	/* a: the target's send right, watched, then deallocated: port deleted */
	a = target == KC_SELF ? s : kc_unused_name(target);
	if (target != KC_SELF)
		CHECK_EQ(mach_port_insert_right(target, a, s, MACH_MSG_TYPE_COPY_SEND), KERN_SUCCESS);
	CHECK_EQ(mach_port_request_notification(target, a, MACH_NOTIFY_DEAD_NAME, 0, n,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	CHECK_EQ(prev, MACH_PORT_NULL);
	CHECK_EQ(mach_port_deallocate(target, a), KERN_SUCCESS);
	CHECK_EQ(kc_notification(n, &word), MACH_NOTIFY_PORT_DELETED);
	CHECK_EQ(word, a);
	/* b: watched, then its port dies: the name turns dead and the watcher hears */
	if (target == KC_SELF) {
		mach_msg_type_name_t got;
		CHECK_EQ(mach_port_extract_right(helper, there, MACH_MSG_TYPE_MAKE_SEND, &b, &got), KERN_SUCCESS);
	} else {
		b = kc_unused_name(target);
		CHECK_EQ(mach_port_insert_right(target, b, s, MACH_MSG_TYPE_MOVE_SEND), KERN_SUCCESS);
	}
	CHECK_EQ(mach_port_request_notification(target, b, MACH_NOTIFY_DEAD_NAME, 0, n,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	CHECK_EQ(kc_next_id(n), -1);
	CHECK_EQ(mach_port_destroy(helper, there), KERN_SUCCESS);
	CHECK_EQ(kc_notification(n, &word), MACH_NOTIFY_DEAD_NAME);
	CHECK_EQ(word, b);
	CHECK(kc_type(target, b) & MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(mach_port_destroy(target, b), KERN_SUCCESS);
	/* a dead-name request needs a send, send-once or dead name */
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_PORT_SET, &a), KERN_SUCCESS);
	CHECK_EQ(mach_port_request_notification(target, a, MACH_NOTIFY_DEAD_NAME, 0, MACH_PORT_NULL,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_INVALID_RIGHT);
	mach_port_destroy(target, a);
	kc_end_task(helper);
	mach_port_destroy(KC_SELF, n);
}

KC_BOTH(port_calls_on_a_name_that_denotes_nothing_are_invalid_name)
{
	mach_port_name_t r, stale, none = kc_unused_name(target);
	mach_port_type_t t;
	mach_port_urefs_t refs;
	mach_port_t prev, got;
	mach_msg_type_name_t gotPoly;
	mach_port_limits_t l = { 1 };
	mach_msg_type_number_t n = 1;

	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_DEAD_NAME, &stale), KERN_SUCCESS);
	CHECK_EQ(mach_port_destroy(target, stale), KERN_SUCCESS);	/* a name that was, once */
	CHECK_EQ(kc_space_of(target, &kc_before), KERN_SUCCESS);
	for (int i = 0; i < 3; i++) {
		mach_port_name_t x = i == 0 ? none : i == 1 ? stale : MACH_PORT_NULL;
		failed_val = i;
		CHECK_EQ(mach_port_type(target, x, &t), KERN_INVALID_NAME);
		CHECK_EQ(mach_port_rename(target, x, kc_unused_name(target)), KERN_INVALID_NAME);
		CHECK_EQ(mach_port_destroy(target, x), KERN_INVALID_NAME);
		CHECK_EQ(mach_port_deallocate(target, x), KERN_INVALID_NAME);
		CHECK_EQ(mach_port_get_refs(target, x, MACH_PORT_RIGHT_SEND, &refs), KERN_INVALID_NAME);
		CHECK_EQ(mach_port_mod_refs(target, x, MACH_PORT_RIGHT_SEND, 1), KERN_INVALID_NAME);
		CHECK_EQ(mach_port_set_qlimit(target, x, 1), KERN_INVALID_NAME);
		CHECK_EQ(mach_port_set_mscount(target, x, 1), KERN_INVALID_NAME);
		CHECK_EQ(mach_port_move_member(target, x, MACH_PORT_NULL), KERN_INVALID_NAME);
		CHECK_EQ(mach_port_request_notification(target, x, MACH_NOTIFY_DEAD_NAME, 0, MACH_PORT_NULL,
							MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_INVALID_NAME);
		CHECK_EQ(mach_port_extract_right(target, x, MACH_MSG_TYPE_MAKE_SEND, &got, &gotPoly),
			 KERN_INVALID_NAME);
		CHECK_EQ(mach_port_get_attributes(target, x, MACH_PORT_LIMITS_INFO, (integer_t *)&l, &n),
			 KERN_INVALID_NAME);
		CHECK_EQ(mach_port_set_attributes(target, x, MACH_PORT_LIMITS_INFO, (integer_t *)&l, 1),
			 KERN_INVALID_NAME);
	}
	CHECK_EQ(mach_port_move_member(target, r, none), KERN_INVALID_NAME);	/* the set's name */
	CHECK_EQ(kc_space_of(target, &kc_after), KERN_SUCCESS);
	CHECK(kc_space_equal(&kc_before, &kc_after));
	mach_port_destroy(target, r);
}

KC_BOTH(port_calls_on_the_wrong_kind_of_right_are_invalid_right)
{
	mach_port_name_t r, s, d;
	mach_port_t prev, got;
	mach_msg_type_name_t gotPoly;
	mach_port_limits_t l = { 1 };
	mach_msg_type_number_t n = 1;

	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_PORT_SET, &s), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	CHECK_EQ(kc_space_of(target, &kc_before), KERN_SUCCESS);
	CHECK_EQ(mach_port_deallocate(target, r), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_deallocate(target, s), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_mod_refs(target, r, MACH_PORT_RIGHT_SEND, 1), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_mod_refs(target, d, MACH_PORT_RIGHT_RECEIVE, -1), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_mod_refs(target, s, MACH_PORT_RIGHT_DEAD_NAME, 1), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_set_qlimit(target, s, 1), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_set_qlimit(target, d, 1), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_set_mscount(target, s, 1), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_get_attributes(target, s, MACH_PORT_LIMITS_INFO, (integer_t *)&l, &n), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_set_attributes(target, d, MACH_PORT_LIMITS_INFO, (integer_t *)&l, 1), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_move_member(target, s, s), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_move_member(target, r, r), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_request_notification(target, s, MACH_NOTIFY_NO_SENDERS, 0, MACH_PORT_NULL,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_request_notification(target, s, MACH_NOTIFY_DEAD_NAME, 0, MACH_PORT_NULL,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_extract_right(target, r, MACH_MSG_TYPE_COPY_SEND, &got, &gotPoly), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_extract_right(target, r, MACH_MSG_TYPE_MOVE_SEND, &got, &gotPoly), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_extract_right(target, s, MACH_MSG_TYPE_MAKE_SEND, &got, &gotPoly), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_extract_right(target, s, MACH_MSG_TYPE_MOVE_RECEIVE, &got, &gotPoly), KERN_INVALID_RIGHT);
	CHECK_EQ(mach_port_extract_right(target, d, MACH_MSG_TYPE_MAKE_SEND, &got, &gotPoly), KERN_INVALID_RIGHT);
	CHECK_EQ(kc_space_of(target, &kc_after), KERN_SUCCESS);
	CHECK(kc_space_equal(&kc_before, &kc_after));
	mach_port_destroy(target, r);
	mach_port_destroy(target, s);
	mach_port_destroy(target, d);
}

/* ---- vm_map.defs ---- */

KC_BOTH(vm_allocate_places_zero_filled_memory_that_region_reports)
{
	vm_address_t a = 0, b;
	struct kc_region r;

	CHECK_EQ(vm_allocate(target, &a, 3 * KC_PAGE + 100, TRUE), KERN_SUCCESS);
	CHECK(a != 0 && (a & (KC_PAGE - 1)) == 0);
	r = kc_region_at(target, a);
	CHECK_EQ(r.kr, KERN_SUCCESS);
	CHECK_EQ(r.addr, a);
	CHECK_EQ(r.size, 4 * KC_PAGE);			/* whole pages */
	CHECK_EQ(r.prot, VM_PROT_DEFAULT);
	CHECK_EQ(r.max, VM_PROT_ALL);
	CHECK_EQ(r.inherit, VM_INHERIT_DEFAULT);
	CHECK_EQ(r.shared, 0);
	CHECK_EQ(kc_word(target, a), 0);
	CHECK_EQ(kc_word(target, a + 4 * KC_PAGE - 4), 0);
	/* fixed: exactly where asked, in a hole of the right size */
	CHECK_EQ(vm_deallocate(target, a + KC_PAGE, KC_PAGE), KERN_SUCCESS);
	b = a + KC_PAGE;
	CHECK_EQ(vm_allocate(target, &b, KC_PAGE, FALSE), KERN_SUCCESS);
	CHECK_EQ(b, a + KC_PAGE);
	CHECK_EQ(kc_word(target, b), 0);
	CHECK_EQ(vm_deallocate(target, a, 4 * KC_PAGE), KERN_SUCCESS);
	r = kc_region_at(target, a);
	CHECK(r.kr != KERN_SUCCESS || r.addr != a);
}

KC_BOTH(vm_allocate_refuses_occupied_ranges_and_addresses_outside_user_space)
{
	vm_address_t a = kc_alloc(target, 2 * KC_PAGE), b;
	uint32_t digest, pages;

	CHECK(a);
	digest = kc_map_digest(target);
	pages = free_pages_with_heap();
	b = a + KC_PAGE;
	CHECK_EQ(vm_allocate(target, &b, KC_PAGE, FALSE), KERN_NO_SPACE);
	CHECK_EQ(b, a + KC_PAGE);				/* untouched on failure */
	b = a - KC_PAGE;
	CHECK_EQ(vm_allocate(target, &b, 2 * KC_PAGE, FALSE), KERN_NO_SPACE);	/* overlaps the start */
	b = 0xC0000000;
	CHECK_EQ(vm_allocate(target, &b, KC_PAGE, FALSE), KERN_INVALID_ADDRESS);
	b = 0xBFFFF000;
	CHECK_EQ(vm_allocate(target, &b, 2 * KC_PAGE, FALSE), KERN_INVALID_ADDRESS);
	b = 0;
	CHECK_EQ(vm_allocate(target, &b, 0xBFFFF000, TRUE), KERN_NO_SPACE);	/* larger than any gap */
	CHECK_EQ(b, 0);
	CHECK_EQ(kc_map_digest(target), digest);
	CHECK_EQ(free_pages_with_heap(), pages);
	vm_deallocate(target, a, 2 * KC_PAGE);
}

KC_BOTH(vm_deallocate_unmaps_the_range_and_only_it)
{
	vm_address_t a = kc_alloc(target, 3 * KC_PAGE), data;
	mach_msg_type_number_t n;
	struct kc_region r;

	CHECK(a);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(kc_poke(target, a + i * KC_PAGE, 0x100 + i), KERN_SUCCESS);
	CHECK_EQ(vm_deallocate(target, a + KC_PAGE, KC_PAGE), KERN_SUCCESS);
	r = kc_region_at(target, a);
	CHECK_EQ(r.addr, a);
	CHECK_EQ(r.size, KC_PAGE);
	r = kc_region_at(target, a + KC_PAGE);
	CHECK_EQ(r.addr, a + 2 * KC_PAGE);			/* the hole is skipped */
	CHECK_EQ(vm_read(target, a + KC_PAGE, KC_PAGE, &data, &n), KERN_INVALID_ADDRESS);
	CHECK_EQ(kc_word(target, a), 0x100);
	CHECK_EQ(kc_word(target, a + 2 * KC_PAGE), 0x102);
	CHECK_EQ(vm_deallocate(target, a + KC_PAGE, KC_PAGE), KERN_SUCCESS);	/* a hole again: nothing to do */
	CHECK_EQ(vm_deallocate(target, a, 3 * KC_PAGE), KERN_SUCCESS);		/* across the hole */
	CHECK_EQ(vm_read(target, a, KC_PAGE, &data, &n), KERN_INVALID_ADDRESS);
	CHECK_EQ(vm_read(target, a + 2 * KC_PAGE, KC_PAGE, &data, &n), KERN_INVALID_ADDRESS);
}

KC_BOTH(vm_protect_lowers_access_and_the_maximum_caps_it)
{
	vm_address_t a = kc_alloc_guarded(target, 2 * KC_PAGE);
	static uint32_t word[KC_PAGE / 4] __attribute__((aligned(4096)));
	struct kc_region r;
	uint32_t digest;

	CHECK(a);
	CHECK_EQ(kc_poke(target, a, 0xAB), KERN_SUCCESS);
	CHECK_EQ(vm_protect(target, a, KC_PAGE, FALSE, VM_PROT_READ), KERN_SUCCESS);
	r = kc_region_at(target, a);
	CHECK_EQ(r.size, KC_PAGE);				/* split from the second page */
	CHECK_EQ(r.prot, VM_PROT_READ);
	CHECK_EQ(r.max, VM_PROT_ALL);
	CHECK_EQ(vm_write(target, a, (vm_offset_t)word, KC_PAGE), KERN_PROTECTION_FAILURE);
	CHECK_EQ(kc_word(target, a), 0xAB);			/* still readable, unchanged */
	/* the maximum only goes down, and takes the current protection with it */
	CHECK_EQ(vm_protect(target, a + KC_PAGE, KC_PAGE, TRUE, VM_PROT_READ), KERN_SUCCESS);
	r = kc_region_at(target, a + KC_PAGE);
	CHECK_EQ(r.max, VM_PROT_READ);
	CHECK_EQ(r.prot, VM_PROT_READ);
	digest = kc_map_digest(target);
	CHECK_EQ(vm_protect(target, a + KC_PAGE, KC_PAGE, FALSE, VM_PROT_DEFAULT), KERN_PROTECTION_FAILURE);
	CHECK_EQ(vm_protect(target, a + KC_PAGE, KC_PAGE, TRUE, VM_PROT_ALL), KERN_PROTECTION_FAILURE);
	CHECK_EQ(vm_protect(target, a, KC_PAGE, FALSE, 0x80), KERN_INVALID_ARGUMENT);
	CHECK_EQ(vm_protect(target, a, 3 * KC_PAGE, FALSE, VM_PROT_READ), KERN_INVALID_ADDRESS);	/* past the end */
	CHECK_EQ(kc_map_digest(target), digest);
	CHECK_EQ(vm_protect(target, a, KC_PAGE, FALSE, VM_PROT_DEFAULT), KERN_SUCCESS);	/* back up to the maximum */
	CHECK_EQ(vm_write(target, a, (vm_offset_t)word, KC_PAGE), KERN_SUCCESS);
	CHECK_EQ(vm_deallocate(target, a, 2 * KC_PAGE), KERN_SUCCESS);
}

KC_BOTH(vm_inherit_is_recorded_per_range_and_decides_what_a_new_task_gets)
{
	vm_address_t a = kc_alloc_guarded(target, 3 * KC_PAGE), data;
	mach_msg_type_number_t n;
	mach_port_t gc;
	uint32_t digest;

	CHECK(a);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(kc_poke(target, a + i * KC_PAGE, 0x200 + i), KERN_SUCCESS);
	CHECK_EQ(vm_inherit(target, a + KC_PAGE, KC_PAGE, VM_INHERIT_NONE), KERN_SUCCESS);
	CHECK_EQ(vm_inherit(target, a + 2 * KC_PAGE, KC_PAGE, VM_INHERIT_SHARE), KERN_SUCCESS);
	CHECK_EQ(kc_region_at(target, a).inherit, VM_INHERIT_COPY);
	CHECK_EQ(kc_region_at(target, a).size, KC_PAGE);
	CHECK_EQ(kc_region_at(target, a + KC_PAGE).inherit, VM_INHERIT_NONE);
	CHECK_EQ(kc_region_at(target, a + 2 * KC_PAGE).inherit, VM_INHERIT_SHARE);
	digest = kc_map_digest(target);
	CHECK_EQ(vm_inherit(target, a, KC_PAGE, 7), KERN_INVALID_ARGUMENT);
	CHECK_EQ(vm_inherit(target, a, 4 * KC_PAGE, VM_INHERIT_NONE), KERN_INVALID_ADDRESS);
	CHECK_EQ(kc_map_digest(target), digest);
	CHECK_EQ(task_create(target, TRUE, &gc), KERN_SUCCESS);
	CHECK_EQ(kc_word(gc, a), 0x200);				/* copied */
	CHECK_EQ(vm_read(gc, a + KC_PAGE, KC_PAGE, &data, &n), KERN_INVALID_ADDRESS);	/* left out */
	CHECK_EQ(kc_poke(target, a + 2 * KC_PAGE, 0x2222), KERN_SUCCESS);
	CHECK_EQ(kc_word(gc, a + 2 * KC_PAGE), 0x2222);		/* shared */
	CHECK_EQ(kc_poke(target, a, 0x1111), KERN_SUCCESS);
	CHECK_EQ(kc_word(gc, a), 0x200);				/* the copy stays as it was */
	kc_end_task(gc);
	CHECK_EQ(vm_deallocate(target, a, 3 * KC_PAGE), KERN_SUCCESS);
}

KC_BOTH(vm_write_then_vm_read_give_the_bytes_back)
{
	static uint8_t src[2 * KC_PAGE] __attribute__((aligned(4096)));
	vm_address_t a = kc_alloc_guarded(target, 2 * KC_PAGE), data;
	mach_msg_type_number_t n = 0;
	uint32_t pages;

	CHECK(a);
	for (unsigned i = 0; i < sizeof src; i++)
		src[i] = (uint8_t)(i * 7 + 3);
	CHECK_EQ(vm_write(target, a, (vm_offset_t)src, KC_PAGE), KERN_SUCCESS);
	CHECK_EQ(vm_read(target, a, 2 * KC_PAGE, &data, &n), KERN_SUCCESS);
	CHECK_EQ(n, 2 * KC_PAGE);
	CHECK(data != a || target != KC_SELF);			/* a copy, not the original */
	CHECK_EQ(memcmp((void *)data, src, KC_PAGE), 0);
	CHECK_EQ(((uint32_t *)data)[KC_PAGE / 4], 0);		/* the second page was never written */
	vm_deallocate(KC_SELF, data, n);
	CHECK_EQ(vm_read(target, a, 100, &data, &n), KERN_SUCCESS);	/* any size */
	CHECK_EQ(n, 100);
	CHECK_EQ(memcmp((void *)data, src, 100), 0);
	vm_deallocate(KC_SELF, data, KC_PAGE);
	/* errors change nothing: no bytes, no pages */
	pages = free_pages_with_heap();
	CHECK_EQ(vm_write(target, a + KC_PAGE, (vm_offset_t)src, 2 * KC_PAGE), KERN_INVALID_ADDRESS);
	CHECK_EQ(kc_word(target, a + KC_PAGE), 0);		/* not even the mapped page */
	CHECK_EQ(vm_read(target, a + KC_PAGE, 2 * KC_PAGE, &data, &n), KERN_INVALID_ADDRESS);
	CHECK_EQ(vm_read(target, 0xC0000000, KC_PAGE, &data, &n), KERN_INVALID_ADDRESS);
	CHECK_EQ(free_pages_with_heap(), pages);
	CHECK_EQ(vm_protect(target, a, KC_PAGE, FALSE, VM_PROT_READ), KERN_SUCCESS);
	CHECK_EQ(vm_write(target, a, (vm_offset_t)src + KC_PAGE, KC_PAGE), KERN_PROTECTION_FAILURE);
	CHECK_EQ(kc_word(target, a), ((uint32_t *)src)[0]);
	CHECK_EQ(vm_deallocate(target, a, 2 * KC_PAGE), KERN_SUCCESS);
}

KC_BOTH(vm_copy_copies_within_the_target_and_checks_both_ranges)
{
	vm_address_t a = kc_alloc(target, 4 * KC_PAGE);
	uint32_t digest;

	CHECK(a);
	CHECK_EQ(kc_poke(target, a + 8, 0xC0C0), KERN_SUCCESS);
	CHECK_EQ(vm_copy(target, a, KC_PAGE, a + 2 * KC_PAGE), KERN_SUCCESS);
	CHECK_EQ(kc_word(target, a + 2 * KC_PAGE + 8), 0xC0C0);
	CHECK_EQ(kc_poke(target, a + 8, 0xD0D0), KERN_SUCCESS);
	CHECK_EQ(kc_word(target, a + 2 * KC_PAGE + 8), 0xC0C0);	/* a copy, not a mapping */
	CHECK_EQ(vm_deallocate(target, a + 3 * KC_PAGE, KC_PAGE), KERN_SUCCESS);
	CHECK_EQ(kc_poke(target, a + KC_PAGE + 8, 0xE0E0), KERN_SUCCESS);	/* (see the failing list for a page never touched) */
	CHECK_EQ(vm_protect(target, a + KC_PAGE, KC_PAGE, FALSE, VM_PROT_READ), KERN_SUCCESS);
	digest = kc_map_digest(target);
	CHECK_EQ(vm_copy(target, a, KC_PAGE, a + 3 * KC_PAGE), KERN_INVALID_ADDRESS);	/* into a hole */
	CHECK_EQ(vm_copy(target, a + 3 * KC_PAGE, KC_PAGE, a), KERN_INVALID_ADDRESS);	/* from a hole */
	CHECK_EQ(vm_copy(target, a, KC_PAGE, a + KC_PAGE), KERN_PROTECTION_FAILURE);	/* into read-only */
	CHECK_EQ(kc_word(target, a + KC_PAGE + 8), 0xE0E0);
	CHECK_EQ(kc_map_digest(target), digest);
	CHECK_EQ(vm_deallocate(target, a, 3 * KC_PAGE), KERN_SUCCESS);
}

KC_BOTH(vm_region_walks_the_targets_map_up_to_no_space)
{
	vm_address_t a = kc_alloc(target, 3 * KC_PAGE), addr = 0, last = 0, size = 0x555;
	vm_prot_t p, m;
	vm_inherit_t in;
	boolean_t sh;
	mach_port_t obj;
	vm_offset_t off;
	struct kc_region r;
	int n = 0, saw_a = 0, saw_b = 0;

	CHECK(a);
	CHECK_EQ(vm_deallocate(target, a + KC_PAGE, KC_PAGE), KERN_SUCCESS);	/* a, hole, b */
	for (;;) {
		r = kc_region_at(target, addr);
		if (r.kr != KERN_SUCCESS)
			break;
		CHECK(r.addr >= addr && r.addr >= last);	/* in order, never overlapping */
		CHECK(r.size > 0 && (r.size & (KC_PAGE - 1)) == 0);
		saw_a |= r.addr == a && r.size == KC_PAGE;
		saw_b |= r.addr == a + 2 * KC_PAGE && r.size == KC_PAGE;
		last = addr = r.addr + r.size;
		CHECK(++n < 1000);
	}
	CHECK_EQ(r.kr, KERN_NO_SPACE);
	CHECK(saw_a && saw_b);
	if (target != KC_SELF)
		CHECK_EQ(n, 2);				/* a child's map holds what we put there, only */
	CHECK_EQ(kc_region_at(target, a + KC_PAGE).addr, a + 2 * KC_PAGE);	/* from a hole: the next one */
	addr = last;
	CHECK_EQ(vm_region(target, &addr, &size, &p, &m, &in, &sh, &obj, &off), KERN_NO_SPACE);
	CHECK_EQ(addr, last);					/* untouched on failure */
	CHECK_EQ(size, 0x555);
	vm_deallocate(target, a, 3 * KC_PAGE);
}

KC_BOTH(vm_map_without_a_memory_object_maps_zero_fill_memory)
{
	vm_address_t a = 0, b;
	struct kc_region r;
	uint32_t digest;

	CHECK_EQ(vm_map(target, &a, 2 * KC_PAGE, 0xFFFF, TRUE, MACH_PORT_NULL, 0, FALSE, VM_PROT_READ, VM_PROT_DEFAULT,
			VM_INHERIT_NONE), KERN_SUCCESS);
	CHECK(a != 0);
	CHECK_EQ(a & 0xFFFF, 0);				/* the mask's bits clear */
	r = kc_region_at(target, a);
	CHECK_EQ(r.addr, a);
	CHECK_EQ(r.size, 2 * KC_PAGE);
	CHECK_EQ(r.prot, VM_PROT_READ);
	CHECK_EQ(r.max, VM_PROT_DEFAULT);
	CHECK_EQ(r.inherit, VM_INHERIT_NONE);
	CHECK_EQ(kc_word(target, a + KC_PAGE), 0);
	digest = kc_map_digest(target);
	b = a;
	CHECK_EQ(vm_map(target, &b, KC_PAGE, 0, FALSE, MACH_PORT_NULL, 0, FALSE, VM_PROT_DEFAULT, VM_PROT_ALL,
			VM_INHERIT_COPY), KERN_NO_SPACE);
	b = 0;
	CHECK_EQ(vm_map(target, &b, KC_PAGE, 0, TRUE, KC_SELF, 0, FALSE, VM_PROT_DEFAULT, VM_PROT_ALL,
			VM_INHERIT_COPY), KERN_INVALID_ARGUMENT);	/* a kernel object is no pager */
	CHECK_EQ(vm_map(target, &b, 0, 0, TRUE, MACH_PORT_NULL, 0, FALSE, VM_PROT_DEFAULT, VM_PROT_ALL,
			VM_INHERIT_COPY), KERN_INVALID_ARGUMENT);
	CHECK_EQ(vm_map(target, &b, KC_PAGE, 0, TRUE, MACH_PORT_NULL, 0, FALSE, VM_PROT_ALL, VM_PROT_READ,
			VM_INHERIT_COPY), KERN_INVALID_ARGUMENT);	/* above the maximum */
	CHECK_EQ(vm_map(target, &b, KC_PAGE, 0, TRUE, MACH_PORT_NULL, 0, FALSE, VM_PROT_DEFAULT, VM_PROT_ALL, 9),
		 KERN_INVALID_ARGUMENT);
	CHECK_EQ(b, 0);
	CHECK_EQ(kc_map_digest(target), digest);
	CHECK_EQ(vm_deallocate(target, a, 2 * KC_PAGE), KERN_SUCCESS);
}

/* ---- task.defs ---- */

KC_BOTH(task_create_makes_an_empty_task_or_one_with_the_targets_memory)
{
	vm_address_t a = kc_alloc(target, KC_PAGE);
	mach_port_name_t r;
	mach_port_t e, f;

	CHECK(a);
	CHECK_EQ(kc_poke(target, a, 0xC0FFEE), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	CHECK_EQ(task_create(target, FALSE, &e), KERN_SUCCESS);
	CHECK(MACH_PORT_VALID(e) && e != target);
	CHECK_EQ(kc_region_at(e, 0).kr, KERN_NO_SPACE);		/* no memory at all */
	CHECK_EQ(task_create(target, TRUE, &f), KERN_SUCCESS);
	CHECK_EQ(kc_region_at(f, a).addr, a);
	CHECK_EQ(kc_word(f, a), 0xC0FFEE);				/* the target's memory */
	CHECK(!(kc_type(f, r) & MACH_PORT_TYPE_RECEIVE));		/* but not its rights */
	CHECK(!(kc_type(e, r) & MACH_PORT_TYPE_RECEIVE));
	CHECK_EQ(kc_task_info(e).suspend_count, 0);
	kc_end_task(e);
	kc_end_task(f);
	mach_port_destroy(target, r);
	vm_deallocate(target, a, KC_PAGE);
}

KC_BOTH(task_create_hands_the_targets_bootstrap_port_on)
{
	mach_port_t p = kc_port(), saved = MACH_PORT_NULL, got = MACH_PORT_NULL, gc;
	kern_return_t had = task_get_special_port(target, TASK_BOOTSTRAP_PORT, &saved);

	CHECK(p);
	CHECK_EQ(task_set_special_port(target, TASK_BOOTSTRAP_PORT, p), KERN_SUCCESS);
	CHECK_EQ(task_get_special_port(target, TASK_BOOTSTRAP_PORT, &got), KERN_SUCCESS);
	CHECK_EQ(got, p);					/* our name for it */
	CHECK_EQ(task_create(target, FALSE, &gc), KERN_SUCCESS);
	got = MACH_PORT_NULL;
	CHECK_EQ(task_get_special_port(gc, TASK_BOOTSTRAP_PORT, &got), KERN_SUCCESS);
	CHECK_EQ(got, p);
	CHECK_EQ(kc_refs(KC_SELF, p, MACH_PORT_RIGHT_SEND), 3);	/* ours and the two we were given */
	kc_end_task(gc);
	CHECK_EQ(task_set_special_port(target, TASK_BOOTSTRAP_PORT, had == KERN_SUCCESS ? saved : MACH_PORT_NULL),
		 KERN_SUCCESS);
	if (had == KERN_SUCCESS && MACH_PORT_VALID(saved))
		mach_port_deallocate(KC_SELF, saved);
	mach_port_destroy(KC_SELF, p);
}

/* int 0x80's port (kernel/ipc/syscall_port.c): kept as set, and a child starts without one. */
KC_BOTH(task_syscall_port_is_kept_and_never_inherited)
{
	mach_port_t p = kc_port(), got = MACH_PORT_NULL, gc;

	CHECK(p);
	CHECK_EQ(task_set_special_port(target, TASK_SYSCALL_PORT, p), KERN_SUCCESS);
	CHECK_EQ(task_get_special_port(target, TASK_SYSCALL_PORT, &got), KERN_SUCCESS);
	CHECK_EQ(got, p);
	mach_port_deallocate(KC_SELF, got);
	CHECK_EQ(task_create(target, FALSE, &gc), KERN_SUCCESS);
	got = 0x777;
	CHECK_EQ(task_get_special_port(gc, TASK_SYSCALL_PORT, &got), KERN_SUCCESS);
	CHECK_EQ(got, MACH_PORT_NULL);	/* a child's personality is for its server to give */
	kc_end_task(gc);
	CHECK_EQ(task_set_special_port(target, TASK_SYSCALL_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	got = 0x777;
	CHECK_EQ(task_get_special_port(target, TASK_SYSCALL_PORT, &got), KERN_SUCCESS);
	CHECK_EQ(got, MACH_PORT_NULL);
	mach_port_destroy(KC_SELF, p);
}

KC_BOTH(task_special_ports_give_the_task_port_and_what_set_put_there)
{
	mach_port_t k = MACH_PORT_NULL, p = kc_port(), n = kc_port(), got = 0x777, saved = MACH_PORT_NULL, prev;
	mach_port_urefs_t refs = kc_refs(KC_SELF, target, MACH_PORT_RIGHT_SEND);
	kern_return_t had = task_get_special_port(target, TASK_EXCEPTION_PORT, &saved);
	uint32_t word;

	CHECK(p && n);
	CHECK_EQ(task_get_special_port(target, TASK_KERNEL_PORT, &k), KERN_SUCCESS);
	CHECK_EQ(k, target);					/* the task's own port, as we name it */
	CHECK_EQ(kc_refs(KC_SELF, target, MACH_PORT_RIGHT_SEND), refs + 1);
	mach_port_deallocate(KC_SELF, k);
	CHECK_EQ(task_set_special_port(target, TASK_EXCEPTION_PORT, p), KERN_SUCCESS);
	got = MACH_PORT_NULL;
	CHECK_EQ(task_get_special_port(target, TASK_EXCEPTION_PORT, &got), KERN_SUCCESS);
	CHECK_EQ(got, p);
	mach_port_deallocate(KC_SELF, got);
	/* the kernel keeps a send right of its own, which clearing the port gives up */
	mach_port_deallocate(KC_SELF, p);
	CHECK_EQ(mach_port_request_notification(KC_SELF, p, MACH_NOTIFY_NO_SENDERS, 0, n,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	CHECK_EQ(kc_next_id(n), -1);
	CHECK_EQ(task_set_special_port(target, TASK_EXCEPTION_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	CHECK_EQ(kc_notification(n, &word), MACH_NOTIFY_NO_SENDERS);
	got = 0x777;
	CHECK_EQ(task_get_special_port(target, 99, &got), KERN_INVALID_ARGUMENT);
	CHECK_EQ(got, 0x777);
	CHECK_EQ(task_set_special_port(target, 99, n), KERN_INVALID_ARGUMENT);
	CHECK_EQ(kc_refs(KC_SELF, n, MACH_PORT_RIGHT_SEND), 1);
	CHECK_EQ(task_set_special_port(target, TASK_EXCEPTION_PORT, had == KERN_SUCCESS ? saved : MACH_PORT_NULL),
		 KERN_SUCCESS);
	if (had == KERN_SUCCESS && MACH_PORT_VALID(saved))
		mach_port_deallocate(KC_SELF, saved);
	mach_port_destroy(KC_SELF, p);
	mach_port_destroy(KC_SELF, n);
}

KC_BOTH(task_info_reports_basic_info_and_the_pages_it_holds)
{
	static uint8_t two[2 * KC_PAGE] __attribute__((aligned(4096)));
	task_basic_info_data_t info;
	mach_msg_type_number_t n = TASK_BASIC_INFO_COUNT;
	vm_address_t a = kc_alloc(target, 4 * KC_PAGE);
	vm_size_t before;

	CHECK(a);
	CHECK_EQ(task_info(target, TASK_BASIC_INFO, (integer_t *)&info, &n), KERN_SUCCESS);
	CHECK_EQ(n, TASK_BASIC_INFO_COUNT);
	CHECK_EQ(info.suspend_count, 0);
	before = info.resident_size;
	if (target != KC_SELF)
		CHECK_EQ(before, 0);				/* allocated, never touched */
	CHECK_EQ(vm_write(target, a, (vm_offset_t)two, 2 * KC_PAGE), KERN_SUCCESS);
	info = kc_task_info(target);
	if (target != KC_SELF)
		CHECK_EQ(info.resident_size, 2 * KC_PAGE);
	else
		CHECK(info.resident_size >= before + 2 * KC_PAGE);
	CHECK_EQ(vm_deallocate(target, a, 4 * KC_PAGE), KERN_SUCCESS);
	if (target != KC_SELF)
		CHECK_EQ(kc_task_info(target).resident_size, 0);
	n = TASK_BASIC_INFO_COUNT;
	CHECK_EQ(task_info(target, 999, (integer_t *)&info, &n), KERN_INVALID_ARGUMENT);
}

/*
 * Suspending ourselves needs somebody else to resume us: a child whose
 * thread keeps sending task_resume to our task port (a right we gave it),
 * wanting no reply. Until we are suspended each of those fails unseen.
 */
KC_CASE
task_suspend_of_ourselves_holds_us_until_another_task_resumes_us(void)
{
	mach_port_t child, th;
	mach_port_name_t our_name;
	mach_msg_header_t resume;
	vm_address_t code;

	CHECK_EQ(task_create(KC_SELF, FALSE, &child), KERN_SUCCESS);
	our_name = kc_unused_name(child);
	CHECK_EQ(mach_port_insert_right(child, our_name, KC_SELF, MACH_MSG_TYPE_COPY_SEND), KERN_SUCCESS);
	memset(&resume, 0, sizeof resume);
	resume.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	resume.msgh_size = sizeof resume;
	resume.msgh_remote_port = our_name;
	resume.msgh_id = TASK_RESUME_ID;
	CHECK_EQ(kc_code_page(child, MACH_PORT_NULL, &resume, &code), KERN_SUCCESS);
	CHECK_EQ(kc_thread_at(child, code + KC_NUDGE, code + KC_STACK, &th), KERN_SUCCESS);
	CHECK_EQ(thread_resume(th), KERN_SUCCESS);
	CHECK(kc_wait_change(child, code + KC_COUNT, 0) != 0);	/* it runs */
	CHECK_EQ(task_suspend(KC_SELF), KERN_SUCCESS);		/* returns once we run again */
	CHECK_EQ(kc_task_info(KC_SELF).suspend_count, 0);
	CHECK_EQ(task_resume(KC_SELF), KERN_FAILURE);		/* nothing left to undo */
	mach_port_deallocate(KC_SELF, th);
	kc_end_task(child);
}

KC_CASE
task_suspend_stops_a_childs_threads_until_as_many_resumes(void)
{
	mach_port_t child, th;
	vm_address_t code;
	uint32_t c1, c2;

	CHECK_EQ(task_create(KC_SELF, FALSE, &child), KERN_SUCCESS);
	CHECK_EQ(kc_code_page(child, MACH_PORT_NULL, NULL, &code), KERN_SUCCESS);
	CHECK_EQ(kc_thread_at(child, code + KC_SPIN, code + KC_STACK, &th), KERN_SUCCESS);
	CHECK_EQ(thread_resume(th), KERN_SUCCESS);
	CHECK(kc_wait_change(child, code + KC_COUNT, 0) != 0);
	CHECK_EQ(task_suspend(child), KERN_SUCCESS);
	CHECK_EQ(task_suspend(child), KERN_SUCCESS);
	CHECK_EQ(kc_task_info(child).suspend_count, 2);
	CHECK_EQ(kc_thread_info(th).suspend_count, 0);		/* the task's count, not the thread's */
	CHECK_EQ(kc_thread_info(th).run_state, TH_STATE_STOPPED);
	c1 = kc_word(child, code + KC_COUNT);
	kc_yield(30);
	CHECK_EQ(kc_word(child, code + KC_COUNT), c1);		/* it does not run */
	CHECK_EQ(task_resume(child), KERN_SUCCESS);
	kc_yield(30);
	CHECK_EQ(kc_word(child, code + KC_COUNT), c1);		/* one suspension is left */
	CHECK_EQ(task_resume(child), KERN_SUCCESS);
	c2 = kc_wait_change(child, code + KC_COUNT, c1);
	CHECK(c2 != c1);					/* it runs again */
	CHECK_EQ(kc_task_info(child).suspend_count, 0);
	CHECK_EQ(task_resume(child), KERN_FAILURE);
	mach_port_deallocate(KC_SELF, th);
	kc_end_task(child);
}

KC_CASE
task_terminate_ends_the_childs_threads_rights_and_memory(void)
{
	static uint8_t two[2 * KC_PAGE] __attribute__((aligned(4096)));
	uint32_t pages = free_pages_with_heap();
	mach_port_t child, th, s;
	mach_port_name_t r;
	mach_msg_type_name_t got;
	vm_address_t code, a, data;
	mach_msg_type_number_t n;

	CHECK_EQ(task_create(KC_SELF, FALSE, &child), KERN_SUCCESS);
	CHECK_EQ(kc_code_page(child, MACH_PORT_NULL, NULL, &code), KERN_SUCCESS);
	CHECK_EQ(kc_thread_at(child, code + KC_SPIN, code + KC_STACK, &th), KERN_SUCCESS);
	CHECK_EQ(thread_resume(th), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(child, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	CHECK_EQ(mach_port_extract_right(child, r, MACH_MSG_TYPE_MAKE_SEND, &s, &got), KERN_SUCCESS);
	a = kc_alloc(child, 2 * KC_PAGE);
	CHECK(a);
	CHECK_EQ(vm_write(child, a, (vm_offset_t)two, 2 * KC_PAGE), KERN_SUCCESS);
	CHECK(kc_wait_change(child, code + KC_COUNT, 0) != 0);
	CHECK_EQ(task_terminate(child), KERN_SUCCESS);
	CHECK(wait_dead_name(child));
	CHECK(wait_dead_name(th));				/* its thread is gone */
	CHECK(wait_dead_name(s));				/* its receive right died */
	CHECK_EQ(vm_read(child, a, KC_PAGE, &data, &n), MACH_SEND_INVALID_DEST);
	CHECK_EQ(mach_port_type(child, r, &got), MACH_SEND_INVALID_DEST);
	CHECK_EQ(thread_resume(th), MACH_SEND_INVALID_DEST);
	CHECK_EQ(task_terminate(child), MACH_SEND_INVALID_DEST);
	mach_port_deallocate(KC_SELF, child);
	mach_port_deallocate(KC_SELF, th);
	mach_port_deallocate(KC_SELF, s);
	CHECK_EQ(free_pages_with_heap(), pages);				/* its memory went back */
}

KC_BOTH(thread_create_makes_a_suspended_thread_that_task_threads_lists)
{
	mach_port_t keeper = kc_keeper(target), th;
	int before = kc_thread_count(target, MACH_PORT_NULL, NULL), found = 0;
	thread_basic_info_data_t info;
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;

	CHECK(MACH_PORT_VALID(keeper));
	CHECK(before >= 1);
	if (target != KC_SELF)
		CHECK_EQ(before, 1);				/* the keeper alone */
	CHECK_EQ(thread_create(target, &th), KERN_SUCCESS);
	CHECK(MACH_PORT_VALID(th));
	CHECK_EQ(kc_thread_count(target, th, &found), before + 1);
	CHECK(found);						/* listed under the name we have */
	info = kc_thread_info(th);
	CHECK_EQ(info.suspend_count, 1);
	CHECK_EQ(info.run_state, TH_STATE_STOPPED);
	CHECK_EQ(thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &n), KERN_SUCCESS);
	CHECK_EQ(st.eip, 0);					/* nothing set yet */
	CHECK_EQ(st.esp, 0);
	kc_end_thread(th);
	CHECK_EQ(kc_thread_count(target, MACH_PORT_NULL, NULL), before);
	kc_end_thread(keeper);
}

/* ---- thread.defs, on a thread of the target ---- */

KC_BOTH(thread_set_state_then_get_state_round_trip_the_registers)
{
	mach_port_t th;
	i386_thread_state_t st, back;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;

	CHECK_EQ(thread_create(target, &th), KERN_SUCCESS);
	CHECK_EQ(thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &n), KERN_SUCCESS);
	CHECK_EQ(n, i386_THREAD_STATE_COUNT);
	st.eax = 0x11111111;
	st.ebx = 0x22222222;
	st.ecx = 0x33333333;
	st.edx = 0x44444444;
	st.edi = 0x55555555;
	st.esi = 0x66666666;
	st.ebp = 0x77777777;
	st.esp = 0x10000FF0;
	st.eip = 0x10001000;
	st.eflags |= 0x3000;					/* IOPL 3: not a user's to take */
	CHECK_EQ(thread_set_state(th, i386_THREAD_STATE, (natural_t *)&st, n), KERN_SUCCESS);
	memset(&back, 0, sizeof back);
	CHECK_EQ(thread_get_state(th, i386_THREAD_STATE, (natural_t *)&back, &n), KERN_SUCCESS);
	CHECK_EQ(back.eax, st.eax);
	CHECK_EQ(back.ebx, st.ebx);
	CHECK_EQ(back.ecx, st.ecx);
	CHECK_EQ(back.edx, st.edx);
	CHECK_EQ(back.edi, st.edi);
	CHECK_EQ(back.esi, st.esi);
	CHECK_EQ(back.ebp, st.ebp);
	CHECK_EQ(back.esp, st.esp);
	CHECK_EQ(back.eip, st.eip);
	CHECK_EQ(back.cs, st.cs);
	CHECK_EQ(back.eflags & 0x3000, 0);
	/* refused flavors and counts change nothing */
	n = i386_THREAD_STATE_COUNT;
	CHECK_EQ(thread_get_state(th, 99, (natural_t *)&st, &n), KERN_INVALID_ARGUMENT);
	st.eax = 0;
	CHECK_EQ(thread_set_state(th, 99, (natural_t *)&st, i386_THREAD_STATE_COUNT), KERN_INVALID_ARGUMENT);
	CHECK_EQ(thread_set_state(th, i386_THREAD_STATE, (natural_t *)&st, 5), KERN_INVALID_ARGUMENT);
	n = i386_THREAD_STATE_COUNT;
	CHECK_EQ(thread_get_state(th, i386_THREAD_STATE, (natural_t *)&back, &n), KERN_SUCCESS);
	CHECK_EQ(back.eax, 0x11111111);
	kc_end_thread(th);
}

KC_BOTH(thread_resume_runs_a_thread_and_thread_suspend_stops_it)
{
	vm_address_t code;
	mach_port_t th;
	thread_basic_info_data_t info;
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;
	uint32_t c1;

	mach_port_t keeper = kc_keeper(target);

	CHECK_EQ(kc_code_page(target, MACH_PORT_NULL, NULL, &code), KERN_SUCCESS);
	CHECK_EQ(kc_thread_at(target, code + KC_SPIN, code + KC_STACK, &th), KERN_SUCCESS);
	CHECK_EQ(thread_suspend(th), KERN_SUCCESS);
	CHECK_EQ(kc_thread_info(th).suspend_count, 2);		/* thread_create's, and ours */
	CHECK_EQ(thread_resume(th), KERN_SUCCESS);
	kc_yield(20);
	CHECK_EQ(kc_word(target, code + KC_COUNT), 0);		/* still held once */
	CHECK_EQ(thread_resume(th), KERN_SUCCESS);
	CHECK(kc_wait_change(target, code + KC_COUNT, 0) != 0);	/* now it runs */
	info = kc_thread_info(th);
	CHECK_EQ(info.suspend_count, 0);
	CHECK(info.run_state != TH_STATE_STOPPED);
	CHECK_EQ(thread_resume(th), KERN_FAILURE);		/* not suspended */
	CHECK_EQ(thread_suspend(th), KERN_SUCCESS);
	c1 = kc_word(target, code + KC_COUNT);
	kc_yield(30);
	CHECK_EQ(kc_word(target, code + KC_COUNT), c1);
	CHECK_EQ(kc_thread_info(th).run_state, TH_STATE_STOPPED);
	CHECK_EQ(thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &n), KERN_SUCCESS);
	CHECK(st.eip >= code + KC_SPIN && st.eip < code + KC_NUDGE);	/* stopped in its loop */
	kc_end_thread(th);
	CHECK_EQ(vm_deallocate(target, code, KC_PAGE), KERN_SUCCESS);
	kc_end_thread(keeper);
}

KC_BOTH(thread_abort_ends_a_wait_in_the_kernel_with_rcv_interrupted)
{
	mach_port_name_t r;
	vm_address_t code;
	mach_port_t th;
	mach_port_t keeper = kc_keeper(target);
	uint32_t c;

	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	CHECK_EQ(kc_code_page(target, r, NULL, &code), KERN_SUCCESS);
	CHECK_EQ(kc_thread_at(target, code + KC_WAIT, code + KC_STACK, &th), KERN_SUCCESS);
	CHECK_EQ(thread_resume(th), KERN_SUCCESS);
	CHECK(kc_wait_blocked(th));				/* in mach_msg, nothing to receive */
	CHECK_EQ(kc_word(target, code + KC_RESULT), KC_UNTOUCHED);
	CHECK_EQ(thread_abort(th), KERN_SUCCESS);
	CHECK_EQ(kc_wait_change(target, code + KC_RESULT, KC_UNTOUCHED), MACH_RCV_INTERRUPTED);
	c = kc_wait_change(target, code + KC_COUNT, 0);
	CHECK(c != 0);						/* and it went on from there */
	CHECK_EQ(thread_abort(th), KERN_SUCCESS);		/* no wait to end: it just goes on */
	CHECK(kc_wait_change(target, code + KC_COUNT, c) != c);
	kc_end_thread(th);
	mach_port_destroy(target, r);
	CHECK_EQ(vm_deallocate(target, code, KC_PAGE), KERN_SUCCESS);
	kc_end_thread(keeper);
}

KC_BOTH(thread_special_ports_give_the_thread_port_and_the_exception_port_set)
{
	mach_port_t th, k = MACH_PORT_NULL, p = kc_port(), n = kc_port(), got = 0x777, prev;
	mach_port_urefs_t refs;
	uint32_t word;

	CHECK(p && n);
	CHECK_EQ(thread_create(target, &th), KERN_SUCCESS);
	refs = kc_refs(KC_SELF, th, MACH_PORT_RIGHT_SEND);
	CHECK_EQ(thread_get_special_port(th, THREAD_KERNEL_PORT, &k), KERN_SUCCESS);
	CHECK_EQ(k, th);
	CHECK_EQ(kc_refs(KC_SELF, th, MACH_PORT_RIGHT_SEND), refs + 1);
	mach_port_deallocate(KC_SELF, k);
	CHECK_EQ(thread_set_special_port(th, THREAD_EXCEPTION_PORT, p), KERN_SUCCESS);
	CHECK_EQ(thread_get_special_port(th, THREAD_EXCEPTION_PORT, &got), KERN_SUCCESS);
	CHECK_EQ(got, p);
	mach_port_deallocate(KC_SELF, got);
	/* clearing it gives the kernel's send right up */
	mach_port_deallocate(KC_SELF, p);
	CHECK_EQ(mach_port_request_notification(KC_SELF, p, MACH_NOTIFY_NO_SENDERS, 0, n,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	CHECK_EQ(thread_set_special_port(th, THREAD_EXCEPTION_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	CHECK_EQ(kc_notification(n, &word), MACH_NOTIFY_NO_SENDERS);
	got = 0x777;
	CHECK_EQ(thread_get_special_port(th, 99, &got), KERN_INVALID_ARGUMENT);
	CHECK_EQ(got, 0x777);
	CHECK_EQ(thread_set_special_port(th, 99, n), KERN_INVALID_ARGUMENT);
	/* and so does the thread's end */
	mach_port_insert_right(KC_SELF, p, p, MACH_MSG_TYPE_MAKE_SEND);
	CHECK_EQ(thread_set_special_port(th, THREAD_EXCEPTION_PORT, p), KERN_SUCCESS);
	mach_port_deallocate(KC_SELF, p);
	CHECK_EQ(mach_port_request_notification(KC_SELF, p, MACH_NOTIFY_NO_SENDERS, 0, n,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	CHECK_EQ(kc_next_id(n), -1);
	kc_end_thread(th);
	CHECK_EQ(kc_notification(n, &word), MACH_NOTIFY_NO_SENDERS);
	mach_port_destroy(KC_SELF, p);
	mach_port_destroy(KC_SELF, n);
}

KC_BOTH(thread_terminate_ends_a_running_thread_and_its_port_dies)
{
	vm_address_t code;
	mach_port_t th, keeper = kc_keeper(target);
	int before;
	uint32_t c;

	CHECK_EQ(kc_code_page(target, MACH_PORT_NULL, NULL, &code), KERN_SUCCESS);
	CHECK_EQ(kc_thread_at(target, code + KC_SPIN, code + KC_STACK, &th), KERN_SUCCESS);
	CHECK_EQ(thread_resume(th), KERN_SUCCESS);
	CHECK(kc_wait_change(target, code + KC_COUNT, 0) != 0);
	before = kc_thread_count(target, MACH_PORT_NULL, NULL);
	CHECK_EQ(thread_terminate(th), KERN_SUCCESS);
	CHECK(wait_dead_name(th));
	c = kc_word(target, code + KC_COUNT);
	kc_yield(30);
	CHECK_EQ(kc_word(target, code + KC_COUNT), c);		/* it runs no more */
	CHECK_EQ(kc_thread_count(target, MACH_PORT_NULL, NULL), before - 1);
	CHECK_EQ(thread_resume(th), MACH_SEND_INVALID_DEST);
	CHECK_EQ(kc_task_info(target).suspend_count, 0);	/* the task goes on */
	mach_port_deallocate(KC_SELF, th);
	CHECK_EQ(vm_deallocate(target, code, KC_PAGE), KERN_SUCCESS);
	kc_end_thread(keeper);
}

/* ---- host.defs ---- */

KC_CASE
host_info_reports_the_machine_and_refuses_other_flavors(void)
{
	mach_port_t host = mach_host_self(), again;
	mach_port_urefs_t refs = kc_refs(KC_SELF, host, MACH_PORT_RIGHT_SEND);
	host_basic_info_data_t hi;
	mach_msg_type_number_t n = HOST_BASIC_INFO_COUNT;

	CHECK(MACH_PORT_VALID(host));
	again = mach_host_self();
	CHECK_EQ(again, host);					/* one name, one more reference */
	CHECK_EQ(kc_refs(KC_SELF, host, MACH_PORT_RIGHT_SEND), refs + 1);
	CHECK_EQ(host_info(host, HOST_BASIC_INFO, (integer_t *)&hi, &n), KERN_SUCCESS);
	CHECK_EQ(n, HOST_BASIC_INFO_COUNT);
	CHECK_EQ(hi.cpu_type, CPU_TYPE_I386);
	CHECK(hi.max_cpus >= 1);
	CHECK(hi.avail_cpus >= 1 && hi.avail_cpus <= hi.max_cpus);
	CHECK(hi.memory_size >= free_pages_with_heap() * KC_PAGE);
	n = 32;
	CHECK_EQ(host_info(host, 99, (integer_t *)&hi, &n), KERN_INVALID_ARGUMENT);
	mach_port_deallocate(KC_SELF, host);
	mach_port_deallocate(KC_SELF, again);
}

/* The uptime in nanoseconds (the kernel's clock trap). */
KC_FN uint64_t
kc_uptime_ns(void)
{
	uint64_t ns = 0;

	trap_clock_uptime(&ns);
	return ns;
}

KC_FN int64_t
kc_tv_us(time_value_t tv)
{
	return (int64_t)tv.seconds * 1000000 + tv.microseconds;
}

KC_CASE
host_time_is_read_on_either_port_and_moved_on_the_privileged_one(void)
{
	mach_port_t host = mach_host_self(), host_priv = MACH_PORT_NULL;
	time_value_t t0, t1, t2, bad = { 100, 1000000 }, before_1970 = { -1, 0 }, old, zero = { 0, 0 };
	time_value_t later = { 2000000000, 250000 }, slow = { -1, 0 };	/* slow: minus one second */
	uint64_t u0, u1, u2, u3, up0;
	int64_t left_us, lo, hi;

	CHECK_EQ(task_get_special_port(KC_SELF, TASK_HOST_PORT, &host_priv), KERN_SUCCESS);
	CHECK(host_priv != host);
	up0 = kc_uptime_ns();
	CHECK_EQ(host_get_time(host, &t0), KERN_SUCCESS);
	CHECK(t0.seconds > 1000000000);	/* the RTC's: QEMU keeps it in UTC, after 2001 */
	CHECK(t0.microseconds >= 0 && t0.microseconds < 1000000);
	CHECK_EQ(host_get_time(host_priv, &t1), KERN_SUCCESS);
	CHECK(kc_tv_us(t1) >= kc_tv_us(t0));

	/* setting it: the privileged port only, a normalized time after 1970 only */
	CHECK_EQ(host_set_time(host, later), KERN_INVALID_HOST);
	CHECK_EQ(host_adjust_time(host, zero, &old), KERN_INVALID_HOST);
	CHECK_EQ(host_set_time(host_priv, bad), KERN_INVALID_ARGUMENT);
	CHECK_EQ(host_set_time(host_priv, before_1970), KERN_INVALID_ARGUMENT);
	CHECK_EQ(host_adjust_time(host_priv, bad, &old), KERN_INVALID_ARGUMENT);
	CHECK_EQ(host_get_time(host, &t1), KERN_SUCCESS);
	CHECK(t1.seconds < 2000000000);
	CHECK_EQ(host_set_time(host_priv, later), KERN_SUCCESS);
	CHECK_EQ(host_get_time(host, &t1), KERN_SUCCESS);
	CHECK(kc_tv_us(t1) >= kc_tv_us(later) && kc_tv_us(t1) < kc_tv_us(later) + 2000000);

	/* a slew of minus one second: what is left of it is what the time since says, 500 us a second */
	u0 = kc_uptime_ns();
	CHECK_EQ(host_adjust_time(host_priv, slow, &old), KERN_SUCCESS);
	u1 = kc_uptime_ns();
	CHECK_EQ(kc_tv_us(old), 0);
	CHECK_EQ(host_get_time(host, &t1), KERN_SUCCESS);
	for (int i = 0; i < 20; i++) {	/* slowed, never backward */
		CHECK_EQ(host_get_time(host, &t2), KERN_SUCCESS);
		CHECK(kc_tv_us(t2) >= kc_tv_us(t1));
		t1 = t2;
	}
	msg_sleep_ms(300);
	u2 = kc_uptime_ns();
	CHECK_EQ(host_adjust_time(host_priv, zero, &old), KERN_SUCCESS);
	u3 = kc_uptime_ns();
	left_us = kc_tv_us(old);
	lo = -1000000 + (int64_t)((u2 - u1) / 2000000);	/* applied at least (u2 - u1) / 2,000 */
	hi = -1000000 + (int64_t)((u3 - u0) / 2000000) + 1;
	CHECK(left_us < 0);
	CHECK(left_us >= lo - 1 && left_us <= hi);
	CHECK(old.microseconds >= 0 && old.microseconds < 1000000);	/* normalized: -1 s + n us */

	/* back to the RTC's time, as the boot had it */
	CHECK_EQ(host_get_time(host, &t2), KERN_SUCCESS);
	t2.seconds = t0.seconds + (integer_t)((kc_uptime_ns() - up0) / 1000000000u);
	CHECK_EQ(host_set_time(host_priv, t2), KERN_SUCCESS);
	mach_port_deallocate(KC_SELF, host);
	mach_port_deallocate(KC_SELF, host_priv);
}

KC_CASE
the_calendar_clock_is_set_by_its_control_port(void)
{
	mach_port_t host = mach_host_self(), host_priv = MACH_PORT_NULL, ctrl = MACH_PORT_NULL, again;
	mach_timespec_t later = { 2100000000u, 750000000 }, bad = { 2100000000u, 1000000000 }, neg = { 1, -1 };
	time_value_t t0, t1;
	uint64_t up0;

	CHECK_EQ(task_get_special_port(KC_SELF, TASK_HOST_PORT, &host_priv), KERN_SUCCESS);
	/* the privileged host port gives it, for the calendar clock alone */
	CHECK_EQ(host_get_clock_control(host, CALENDAR_CLOCK, &ctrl), KERN_INVALID_HOST);
	CHECK_EQ(host_get_clock_control(host_priv, SYSTEM_CLOCK, &ctrl), KERN_INVALID_ARGUMENT);
	CHECK_EQ(host_get_clock_control(host_priv, 7, &ctrl), KERN_INVALID_ARGUMENT);
	CHECK_EQ(ctrl, MACH_PORT_NULL);
	CHECK_EQ(host_get_clock_control(host_priv, CALENDAR_CLOCK, &ctrl), KERN_SUCCESS);
	CHECK(MACH_PORT_VALID(ctrl) && ctrl != host && ctrl != host_priv);
	CHECK_EQ(host_get_clock_control(host_priv, CALENDAR_CLOCK, &again), KERN_SUCCESS);
	CHECK_EQ(again, ctrl);	/* one port: the same name, another user reference */
	mach_port_deallocate(KC_SELF, again);

	up0 = kc_uptime_ns();
	CHECK_EQ(host_get_time(host, &t0), KERN_SUCCESS);
	CHECK_EQ(clock_set_time(ctrl, bad), KERN_INVALID_VALUE);
	CHECK_EQ(clock_set_time(ctrl, neg), KERN_INVALID_VALUE);
	CHECK_EQ(host_get_time(host, &t1), KERN_SUCCESS);
	CHECK(t1.seconds < 2100000000);		/* neither moved it */
	CHECK_EQ(clock_set_time(ctrl, later), KERN_SUCCESS);
	CHECK_EQ(host_get_time(host, &t1), KERN_SUCCESS);
	CHECK(kc_tv_us(t1) >= 2100000000LL * 1000000 + 750000 && kc_tv_us(t1) < 2100000002LL * 1000000);
	/* the host ports know no clock_priv routine, nor the control port a host one */
	CHECK_EQ(clock_set_time(host_priv, later), MIG_BAD_ID);
	CHECK_EQ(clock_set_time(host, later), MIG_BAD_ID);
	CHECK_EQ(host_get_time(ctrl, &t1), MIG_BAD_ID);

	/* back to the RTC's time, as the boot had it */
	later.tv_sec = (unsigned int)t0.seconds + (unsigned int)((kc_uptime_ns() - up0) / 1000000000u);
	later.tv_nsec = t0.microseconds * 1000;
	CHECK_EQ(clock_set_time(ctrl, later), KERN_SUCCESS);
	mach_port_deallocate(KC_SELF, ctrl);
	mach_port_deallocate(KC_SELF, host);
	mach_port_deallocate(KC_SELF, host_priv);
}

KC_FN uint64_t
kc_ts_ns(mach_timespec_t t)
{
	return (uint64_t)t.tv_sec * NSEC_PER_SEC + (uint64_t)t.tv_nsec;
}

KC_CASE
the_clock_service_ports_read_the_clocks_and_sleep_on_them(void)
{
	mach_port_t host = mach_host_self(), host_priv = MACH_PORT_NULL, sys = MACH_PORT_NULL, cal = MACH_PORT_NULL;
	mach_port_t ctrl = MACH_PORT_NULL, again;
	mach_timespec_t t, t1, woke, rel = { 0, 50000000 }, bad_ns = { 0, 1000000000 }, past = { 0, 0 };
	time_value_t tv, old, zero = { 0, 0 }, slow = { -1, 0 }, bad = { 0, 1000000 };
	integer_t attr[4];
	mach_msg_type_number_t cnt;
	uint64_t u0, u1;

	CHECK_EQ(task_get_special_port(KC_SELF, TASK_HOST_PORT, &host_priv), KERN_SUCCESS);
	/* either host port gives them; there is no third clock */
	CHECK_EQ(host_get_clock_service(host, 2, &sys), KERN_INVALID_VALUE);
	CHECK_EQ(host_get_clock_service(host_priv, -1, &sys), KERN_INVALID_VALUE);
	CHECK_EQ(sys, MACH_PORT_NULL);
	CHECK_EQ(host_get_clock_service(host, SYSTEM_CLOCK, &sys), KERN_SUCCESS);
	CHECK_EQ(host_get_clock_service(host_priv, CALENDAR_CLOCK, &cal), KERN_SUCCESS);
	CHECK(MACH_PORT_VALID(sys) && MACH_PORT_VALID(cal) && sys != cal && sys != host && cal != host_priv);
	CHECK_EQ(host_get_clock_service(host, CALENDAR_CLOCK, &again), KERN_SUCCESS);
	CHECK_EQ(again, cal);	/* one port a clock */
	mach_port_deallocate(KC_SELF, again);
	CHECK_EQ(host_get_clock_control(host_priv, CALENDAR_CLOCK, &ctrl), KERN_SUCCESS);
	CHECK(ctrl != cal);

	/* the system clock is the uptime trap's; the calendar clock is host_get_time's, in nanoseconds */
	u0 = kc_uptime_ns();
	CHECK_EQ(clock_get_time(sys, &t), KERN_SUCCESS);
	u1 = kc_uptime_ns();
	CHECK(t.tv_nsec >= 0 && t.tv_nsec < NSEC_PER_SEC);
	CHECK(kc_ts_ns(t) >= u0 && kc_ts_ns(t) <= u1);
	CHECK_EQ(host_get_time(host, &tv), KERN_SUCCESS);
	CHECK_EQ(clock_get_time(cal, &t), KERN_SUCCESS);
	CHECK(t.tv_nsec >= 0 && t.tv_nsec < NSEC_PER_SEC);
	CHECK((int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000 >= kc_tv_us(tv));
	CHECK(t.tv_sec <= (unsigned int)tv.seconds + 1);
	CHECK_EQ(clock_get_time(ctrl, &t1), KERN_SUCCESS);	/* the control port reads it too, as Mach's */
	CHECK(kc_ts_ns(t1) >= kc_ts_ns(t));

	/* the attributes: sleeps end on the scheduler's tick (10 ms); no clock is mapped, nor is 99 a flavor */
	cnt = 4;
	CHECK_EQ(clock_get_attributes(sys, CLOCK_ALARM_CURRES, attr, &cnt), KERN_SUCCESS);
	CHECK_EQ(cnt, 1);
	CHECK_EQ(attr[0], 10000000);
	cnt = 4;
	CHECK_EQ(clock_get_attributes(cal, CLOCK_ALARM_MAXRES, attr, &cnt), KERN_SUCCESS);
	CHECK_EQ(attr[0], 10000000);
	cnt = 4;
	CHECK_EQ(clock_get_attributes(cal, CLOCK_GET_TIME_RES, attr, &cnt), KERN_SUCCESS);
	CHECK(attr[0] >= 1 && attr[0] <= 10000000);
	cnt = 4;
	CHECK_EQ(clock_get_attributes(sys, CLOCK_MAP_TIME_RES, attr, &cnt), KERN_INVALID_VALUE);
	CHECK_EQ(clock_get_attributes(sys, 99, attr, &cnt), KERN_INVALID_VALUE);

	/* a name port changes nothing: clock_priv's routines get MIG_BAD_ID there, as clock's do on a host port */
	CHECK_EQ(clock_set_time(cal, t), MIG_BAD_ID);
	CHECK_EQ(clock_adjust_time(sys, zero, &old), MIG_BAD_ID);
	CHECK_EQ(host_get_time(sys, &tv), MIG_BAD_ID);
	CHECK_EQ(clock_get_time(host, &t), MIG_BAD_ID);

	/* clock_adjust_time is host_adjust_time's slew, by the control port */
	CHECK_EQ(clock_adjust_time(ctrl, bad, &old), KERN_INVALID_VALUE);
	CHECK_EQ(clock_adjust_time(ctrl, slow, &old), KERN_SUCCESS);
	CHECK_EQ(kc_tv_us(old), 0);
	CHECK_EQ(clock_adjust_time(ctrl, zero, &old), KERN_SUCCESS);
	CHECK(kc_tv_us(old) < 0 && kc_tv_us(old) > -1000000 - 1);
	CHECK(kc_tv_us(old) <= -900000);	/* 500 us a second: the calls between took far less than 200 s */
	CHECK_EQ(host_adjust_time(host_priv, old, &tv), KERN_SUCCESS);	/* the host port sees the same slew */
	CHECK_EQ(kc_tv_us(tv), 0);
	CHECK_EQ(clock_adjust_time(ctrl, zero, &old), KERN_SUCCESS);
	CHECK(kc_tv_us(old) < 0);

	/* clock_sleep: on a clock's port only, a known sleep type and normalized time, a writable answer */
	CHECK_EQ(clock_sleep(host, TIME_RELATIVE, rel, &woke), KERN_INVALID_ARGUMENT);
	CHECK_EQ(clock_sleep(MACH_PORT_NULL, TIME_RELATIVE, rel, &woke), KERN_INVALID_ARGUMENT);
	CHECK_EQ(clock_sleep(sys, 2, rel, &woke), KERN_INVALID_VALUE);
	CHECK_EQ(clock_sleep(sys, TIME_RELATIVE, bad_ns, &woke), KERN_INVALID_VALUE);
	CHECK_EQ(clock_sleep(sys, TIME_RELATIVE, rel, (mach_timespec_t *)8), KERN_INVALID_ADDRESS);
	/* a relative sleep wakes after its time, and says when */
	u0 = kc_uptime_ns();
	CHECK_EQ(clock_sleep(sys, TIME_RELATIVE, rel, &woke), KERN_SUCCESS);
	u1 = kc_uptime_ns();
	CHECK(u1 - u0 >= 50000000);
	CHECK(kc_ts_ns(woke) >= u0 + 50000000 && kc_ts_ns(woke) <= u1);
	/* an absolute one at 30 ms from now, and one in the past: at once */
	t.tv_sec = (unsigned int)((u1 + 30000000) / NSEC_PER_SEC);
	t.tv_nsec = (int)((u1 + 30000000) % NSEC_PER_SEC);
	CHECK_EQ(clock_sleep(sys, TIME_ABSOLUTE, t, &woke), KERN_SUCCESS);
	CHECK(kc_ts_ns(woke) >= kc_ts_ns(t));
	u0 = kc_uptime_ns();
	CHECK_EQ(clock_sleep(sys, TIME_ABSOLUTE, past, &woke), KERN_SUCCESS);
	CHECK(kc_ts_ns(woke) >= u0 && kc_ts_ns(woke) < u0 + 10000000);
	/* on the calendar clock, by its name port and by its control port */
	CHECK_EQ(clock_get_time(cal, &t), KERN_SUCCESS);
	CHECK_EQ(clock_sleep(cal, TIME_RELATIVE, rel, &woke), KERN_SUCCESS);
	CHECK(kc_ts_ns(woke) >= kc_ts_ns(t) + 50000000);
	t = woke;
	t.tv_nsec = (t.tv_nsec + 20000000) % NSEC_PER_SEC;
	t.tv_sec += t.tv_nsec < woke.tv_nsec;
	CHECK_EQ(clock_sleep(ctrl, TIME_ABSOLUTE, t, &woke), KERN_SUCCESS);
	CHECK(kc_ts_ns(woke) >= kc_ts_ns(t));

	mach_port_deallocate(KC_SELF, ctrl);
	mach_port_deallocate(KC_SELF, sys);
	mach_port_deallocate(KC_SELF, cal);
	mach_port_deallocate(KC_SELF, host);
	mach_port_deallocate(KC_SELF, host_priv);
}

/* Waits up to ms for a message on port. */
KC_FN mach_msg_return_t
kc_recv_ms(mach_port_t port, struct kc_msg *m, mach_msg_timeout_t ms)
{
	memset(m, 0, sizeof *m);
	return mach_msg(&m->h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof *m, port, ms, MACH_PORT_NULL);
}

/* A clock_alarm_reply's (clock_reply.defs) time: its words after the code and the type. */
KC_FN uint64_t
kc_alarm_ns(const struct kc_msg *m)
{
	return (uint64_t)m->body[2] * NSEC_PER_SEC + m->body[3];
}

KC_CASE
clock_alarms_reply_on_their_port_when_due(void)
{
	mach_port_t host = mach_host_self(), sys = MACH_PORT_NULL, cal = MACH_PORT_NULL, p = kc_port(), q = kc_port();
	mach_timespec_t rel = { 0, 50000000 }, bad_ns = { 0, 1000000000 }, past = { 0, 0 };
	mach_timespec_t soon = { 0, 20000000 }, later = { 0, 80000000 }, later_far = { 3600, 0 };
	struct kc_msg m;
	uint64_t u0, u1;
	int n;

	CHECK(p && q);
	CHECK_EQ(host_get_clock_service(host, SYSTEM_CLOCK, &sys), KERN_SUCCESS);
	CHECK_EQ(host_get_clock_service(host, CALENDAR_CLOCK, &cal), KERN_SUCCESS);
	CHECK_EQ(clock_alarm(sys, 2, rel, p), KERN_INVALID_VALUE);
	CHECK_EQ(clock_alarm(sys, TIME_RELATIVE, bad_ns, p), KERN_INVALID_VALUE);
	CHECK_EQ(clock_alarm(sys, TIME_RELATIVE, rel, MACH_PORT_NULL), KERN_INVALID_ARGUMENT);
	CHECK_EQ(clock_alarm(host, TIME_RELATIVE, rel, p), MIG_BAD_ID);
	for (n = 0; n < 3; n++) {	/* none left an alarm: the send-once rights they made died unused, as Mach says */
		CHECK_EQ(kc_recv_ms(p, &m, 100), MACH_MSG_SUCCESS);
		CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
	}
	CHECK_EQ(kc_recv_ms(p, &m, 100), MACH_RCV_TIMED_OUT);

	/* 50 ms on the system clock: not before, and then the reply says when */
	u0 = kc_uptime_ns();
	CHECK_EQ(clock_alarm(sys, TIME_RELATIVE, rel, p), KERN_SUCCESS);
	CHECK_EQ(kc_poll(p, &m), MACH_RCV_TIMED_OUT);
	CHECK_EQ(kc_recv_ms(p, &m, 5000), MACH_MSG_SUCCESS);
	u1 = kc_uptime_ns();
	CHECK_EQ(m.h.msgh_id, CLOCK_ALARM_REPLY_ID);
	CHECK_EQ(m.h.msgh_size, sizeof(mach_msg_header_t) + 16);
	CHECK_EQ((kern_return_t)m.body[0], KERN_SUCCESS);
	CHECK_EQ(m.body[1], TIME_RELATIVE);
	CHECK(u1 - u0 >= 50000000);
	CHECK(kc_alarm_ns(&m) >= u0 + 50000000 && kc_alarm_ns(&m) <= u1);
	/* a time past goes off at once */
	CHECK_EQ(clock_alarm(sys, TIME_ABSOLUTE, past, p), KERN_SUCCESS);
	CHECK_EQ(kc_recv_ms(p, &m, 1000), MACH_MSG_SUCCESS);
	CHECK_EQ(m.body[1], TIME_ABSOLUTE);
	/* the later asked first: they come in the order they are due, each on its clock */
	CHECK_EQ(clock_alarm(cal, TIME_RELATIVE, later, p), KERN_SUCCESS);
	CHECK_EQ(clock_alarm(sys, TIME_RELATIVE, soon, p), KERN_SUCCESS);
	CHECK_EQ(kc_recv_ms(p, &m, 5000), MACH_MSG_SUCCESS);
	CHECK(m.body[2] < 1000000000u);		/* the system clock's: since boot */
	CHECK_EQ(kc_recv_ms(p, &m, 5000), MACH_MSG_SUCCESS);
	CHECK(m.body[2] > 1000000000u);		/* the calendar clock's: since 1970 */

	/* CLOCK_ALARM_TASK_MAX of one task wait at once, no more (the table's CLOCK_ALARM_MAX are
	 * shared by every task); each then goes off */
	for (n = 0; n < CLOCK_ALARM_TASK_MAX; n++)
		CHECK_EQ(clock_alarm(sys, TIME_RELATIVE, rel, p), KERN_SUCCESS);
	CHECK_EQ(clock_alarm(sys, TIME_RELATIVE, rel, p), KERN_RESOURCE_SHORTAGE);
	CHECK_EQ(kc_poll(p, &m), MACH_MSG_SUCCESS);		/* the refused one's right died at once */
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
	for (n = 0; n < CLOCK_ALARM_TASK_MAX; n++) {
		CHECK_EQ(kc_recv_ms(p, &m, 5000), MACH_MSG_SUCCESS);
		CHECK_EQ(m.h.msgh_id, CLOCK_ALARM_REPLY_ID);
	}
	CHECK_EQ(kc_recv_ms(p, &m, 100), MACH_RCV_TIMED_OUT);
	/* far-off alarms whose port died hold no slot: the next alarm takes theirs */
	for (n = 0; n < CLOCK_ALARM_TASK_MAX; n++)
		CHECK_EQ(clock_alarm(sys, TIME_RELATIVE, later_far, q), KERN_SUCCESS);
	CHECK_EQ(clock_alarm(sys, TIME_RELATIVE, later_far, p), KERN_RESOURCE_SHORTAGE);
	CHECK_EQ(kc_recv_ms(p, &m, 1000), MACH_MSG_SUCCESS);
	CHECK_EQ(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
	mach_port_destroy(KC_SELF, q);
	for (n = 0; n < CLOCK_ALARM_TASK_MAX; n++)
		CHECK_EQ(clock_alarm(sys, TIME_RELATIVE, soon, p), KERN_SUCCESS);
	for (n = 0; n < CLOCK_ALARM_TASK_MAX; n++) {
		CHECK_EQ(kc_recv_ms(p, &m, 5000), MACH_MSG_SUCCESS);
		CHECK_EQ(m.h.msgh_id, CLOCK_ALARM_REPLY_ID);
	}
	q = kc_port();
	CHECK(q);

	/* an alarm whose port died first: its reply goes nowhere, and nothing of it is left (the case's leak check) */
	CHECK_EQ(clock_alarm(sys, TIME_RELATIVE, soon, q), KERN_SUCCESS);
	mach_port_destroy(KC_SELF, q);
	msg_sleep_ms(100);

	mach_port_destroy(KC_SELF, p);
	mach_port_deallocate(KC_SELF, sys);
	mach_port_deallocate(KC_SELF, cal);
	mach_port_deallocate(KC_SELF, host);
}

/* ---- errors common to every routine ---- */

static kern_return_t kc_got;

/* Inside a kc_*_calls function: the call must answer want, else the line is returned. */
#define KC_WANT(call)							\
	do {								\
		kern_return_t kr_ = (call);				\
		if (kr_ != want) {					\
			kc_got = kr_;					\
			return __LINE__;				\
		}							\
	} while (0)

/* Fails the case when a kc_*_calls function found a call that did not answer as wanted. */
#define KC_CHECK_CALLS(expr)						\
	do {								\
		int line_ = (expr);					\
		if (line_) {						\
			snprintf(kc_failure, sizeof kc_failure,		\
				 "%s: the call at line %d answered %#x", #expr, line_, (unsigned)kc_got); \
			failed_line = __LINE__;				\
			failed_what = kc_failure;			\
			failed_val = kc_got;				\
			return;						\
		}							\
	} while (0)

/* Every routine of mach_port.defs, vm_map.defs and task.defs sent to dest: 0 if each answered want. */
KC_FN int
kc_task_calls(mach_port_t dest, kern_return_t want)
{
	static uint32_t word;
	mach_port_name_t *names, name = 0x1234;
	natural_t *types;
	mach_msg_type_number_t n, tn, cnt;
	mach_port_type_t t;
	mach_port_urefs_t refs;
	mach_port_t port;
	mach_msg_type_name_t poly;
	integer_t info[32] = { 1 };
	vm_address_t a = 0x3B000000;
	vm_size_t size;
	vm_prot_t p, m;
	vm_inherit_t in;
	boolean_t sh;
	vm_offset_t off, data;
	thread_act_array_t list;

	KC_WANT(mach_port_names(dest, &names, &n, &types, &tn));
	KC_WANT(mach_port_type(dest, name, &t));
	KC_WANT(mach_port_rename(dest, name, 0x2234));
	KC_WANT(mach_port_allocate_name(dest, MACH_PORT_RIGHT_DEAD_NAME, 0x2234));
	KC_WANT(mach_port_allocate(dest, MACH_PORT_RIGHT_DEAD_NAME, &name));
	KC_WANT(mach_port_destroy(dest, name));
	KC_WANT(mach_port_deallocate(dest, name));
	KC_WANT(mach_port_get_refs(dest, name, MACH_PORT_RIGHT_SEND, &refs));
	KC_WANT(mach_port_mod_refs(dest, name, MACH_PORT_RIGHT_SEND, 1));
	KC_WANT(mach_port_set_qlimit(dest, name, 1));
	KC_WANT(mach_port_set_mscount(dest, name, 1));
	KC_WANT(mach_port_move_member(dest, name, MACH_PORT_NULL));
	KC_WANT(mach_port_request_notification(dest, name, MACH_NOTIFY_DEAD_NAME, 0, MACH_PORT_NULL,
					       MACH_MSG_TYPE_MAKE_SEND_ONCE, &port));
	KC_WANT(mach_port_insert_right(dest, name, MACH_PORT_NULL, MACH_MSG_TYPE_COPY_SEND));
	KC_WANT(mach_port_extract_right(dest, name, MACH_MSG_TYPE_MAKE_SEND, &port, &poly));
	cnt = 16;
	KC_WANT(mach_port_get_attributes(dest, name, MACH_PORT_LIMITS_INFO, info, &cnt));
	KC_WANT(mach_port_set_attributes(dest, name, MACH_PORT_LIMITS_INFO, info, 1));
	KC_WANT(vm_region(dest, &a, &size, &p, &m, &in, &sh, &port, &off));
	KC_WANT(vm_allocate(dest, &a, KC_PAGE, FALSE));
	KC_WANT(vm_deallocate(dest, a, KC_PAGE));
	KC_WANT(vm_protect(dest, a, KC_PAGE, FALSE, VM_PROT_READ));
	KC_WANT(vm_inherit(dest, a, KC_PAGE, VM_INHERIT_NONE));
	KC_WANT(vm_read(dest, a, KC_PAGE, &data, &cnt));
	KC_WANT(vm_write(dest, a, (vm_offset_t)&word, 4));
	KC_WANT(vm_copy(dest, a, KC_PAGE, a + KC_PAGE));
	KC_WANT(vm_map(dest, &a, KC_PAGE, 0, FALSE, MACH_PORT_NULL, 0, FALSE, VM_PROT_DEFAULT, VM_PROT_ALL,
		       VM_INHERIT_COPY));
	KC_WANT(task_create(dest, FALSE, &port));
	KC_WANT(task_threads(dest, &list, &cnt));
	cnt = 32;
	KC_WANT(task_info(dest, TASK_BASIC_INFO, info, &cnt));
	KC_WANT(task_resume(dest));
	KC_WANT(task_get_special_port(dest, TASK_BOOTSTRAP_PORT, &port));
	KC_WANT(task_set_special_port(dest, TASK_BOOTSTRAP_PORT, MACH_PORT_NULL));
	KC_WANT(thread_create(dest, &port));
	KC_WANT(task_suspend(dest));
	KC_WANT(task_terminate(dest));
	return 0;
}

/* Every routine of thread.defs sent to dest: 0 if each answered want. */
KC_FN int
kc_thread_calls(mach_port_t dest, kern_return_t want)
{
	natural_t state[32] = { 0 };
	integer_t info[32];
	mach_msg_type_number_t cnt = 32;
	mach_port_t port;

	KC_WANT(thread_get_state(dest, i386_THREAD_STATE, state, &cnt));
	KC_WANT(thread_set_state(dest, i386_THREAD_STATE, state, i386_THREAD_STATE_COUNT));
	KC_WANT(thread_resume(dest));
	KC_WANT(thread_abort(dest));
	cnt = 32;
	KC_WANT(thread_info(dest, THREAD_BASIC_INFO, info, &cnt));
	KC_WANT(thread_get_special_port(dest, THREAD_KERNEL_PORT, &port));
	KC_WANT(thread_set_special_port(dest, THREAD_EXCEPTION_PORT, MACH_PORT_NULL));
	KC_WANT(thread_suspend(dest));
	KC_WANT(thread_terminate(dest));
	return 0;
}

KC_FN int
kc_host_calls(mach_port_t dest, kern_return_t want)
{
	integer_t info[32];
	mach_msg_type_number_t cnt = 32;
	time_value_t tv = { 0, 0 }, old;
	mach_timespec_t ts = { 0, 0 };
	mach_port_t port;

	KC_WANT(host_info(dest, HOST_BASIC_INFO, info, &cnt));
	KC_WANT(host_get_time(dest, &tv));
	KC_WANT(host_set_time(dest, tv));
	KC_WANT(host_adjust_time(dest, tv, &old));
	KC_WANT(host_get_clock_control(dest, CALENDAR_CLOCK, &port));
	KC_WANT(clock_set_time(dest, ts));
	KC_WANT(clock_adjust_time(dest, tv, &old));
	KC_WANT(host_get_clock_service(dest, SYSTEM_CLOCK, &port));
	KC_WANT(clock_get_time(dest, &ts));
	cnt = 1;
	KC_WANT(clock_get_attributes(dest, CLOCK_GET_TIME_RES, info, &cnt));
	KC_WANT(clock_alarm(dest, TIME_RELATIVE, ts, MACH_PORT_NULL));
	return 0;
}

KC_CASE
every_call_on_a_dead_tasks_or_threads_name_is_invalid_dest(void)
{
	mach_port_t child, th;
	uint32_t pages;

	CHECK_EQ(task_create(KC_SELF, FALSE, &child), KERN_SUCCESS);
	CHECK_EQ(thread_create(child, &th), KERN_SUCCESS);
	CHECK_EQ(task_terminate(child), KERN_SUCCESS);
	CHECK(wait_dead_name(child));
	CHECK(wait_dead_name(th));
	CHECK_EQ(kc_space_of(KC_SELF, &kc_before), KERN_SUCCESS);
	pages = free_pages_with_heap();
	KC_CHECK_CALLS(kc_task_calls(child, MACH_SEND_INVALID_DEST));
	KC_CHECK_CALLS(kc_thread_calls(th, MACH_SEND_INVALID_DEST));
	KC_CHECK_CALLS(kc_host_calls(child, MACH_SEND_INVALID_DEST));
	KC_CHECK_CALLS(kc_task_calls(MACH_PORT_NULL, MACH_SEND_INVALID_DEST));
	KC_CHECK_CALLS(kc_thread_calls(MACH_PORT_DEAD, MACH_SEND_INVALID_DEST));
	CHECK_EQ(kc_space_of(KC_SELF, &kc_after), KERN_SUCCESS);
	CHECK(kc_space_equal(&kc_before, &kc_after));		/* no name came or went */
	CHECK_EQ(free_pages_with_heap(), pages);
	mach_port_deallocate(KC_SELF, child);
	mach_port_deallocate(KC_SELF, th);
}

KC_BOTH(routines_sent_to_the_wrong_kind_of_object_get_mig_bad_id)
{
	mach_port_t th, host = mach_host_self();
	thread_basic_info_data_t info;

	CHECK_EQ(thread_create(target, &th), KERN_SUCCESS);
	CHECK_EQ(kc_space_of(target, &kc_before), KERN_SUCCESS);
	KC_CHECK_CALLS(kc_task_calls(th, MIG_BAD_ID));		/* task-port routines to a thread */
	KC_CHECK_CALLS(kc_task_calls(host, MIG_BAD_ID));		/* ...and to the host */
	KC_CHECK_CALLS(kc_thread_calls(target, MIG_BAD_ID));	/* thread routines to a task */
	KC_CHECK_CALLS(kc_thread_calls(host, MIG_BAD_ID));
	KC_CHECK_CALLS(kc_host_calls(target, MIG_BAD_ID));		/* host_info to a task */
	KC_CHECK_CALLS(kc_host_calls(th, MIG_BAD_ID));
	CHECK_EQ(kc_space_of(target, &kc_after), KERN_SUCCESS);
	CHECK(kc_space_equal(&kc_before, &kc_after));
	info = kc_thread_info(th);				/* nothing reached the thread */
	CHECK_EQ(info.suspend_count, 1);
	CHECK_EQ(info.run_state, TH_STATE_STOPPED);
	CHECK_EQ(kc_task_info(target).suspend_count, 0);
	kc_end_thread(th);
	mach_port_deallocate(KC_SELF, host);
}

/* ---- malformed requests ---- */

/*
 * A routine's request as msgc lays it out: at most one descriptor, then
 * inline words. kc_spoil makes it malformed in one way at a time.
 */
struct kc_req {
	mach_msg_id_t id;
	char desc;		/* 0; 'p' a port (COPY_SEND of kc_bait); 'o' a few out-of-line bytes */
	uint8_t send_only;	/* the port must be a send right: a send-once right is malformed */
	uint8_t as_is;		/* malformed already: sent only as it is */
	uint8_t nwords;
	uint32_t w[132];	/* up to thread_set_state of 129 words and its two */
};

enum kc_spoil {
	KC_AS_IS,		/* the row is malformed by itself */
	KC_SHORT,		/* the last inline word missing */
	KC_LONG,		/* one word too many */
	KC_FLIP_COMPLEX,	/* the complex bit on a simple routine, off on a complex one (no descriptor) */
	KC_OOL_INSTEAD,		/* out-of-line bytes where a word or a port belongs (a port where bytes belong) */
	KC_EXTRA_DESC,		/* a second descriptor */
	KC_SEND_ONCE,		/* a send-once right where a send right belongs */
	KC_SPOILS
};

struct kc_raw {
	mach_msg_header_t h;
	uint32_t b[144];
};

static mach_port_t kc_bait, kc_so_port;		/* the rights malformed requests carry */
static uint32_t kc_ool_bytes[2] = { 0x0D15EA5E, 0x0BADF00D };
static int kc_so_sent;				/* send-once rights sent, each to come back as a notification */

KC_FN uint32_t *
kc_put_port(uint32_t *b, mach_port_t name, mach_msg_type_name_t disp)
{
	mach_msg_port_descriptor_t d;

	memset(&d, 0, sizeof d);
	d.name = name;
	d.disposition = (uint8_t)disp;
	d.type = MACH_MSG_PORT_DESCRIPTOR;
	memcpy(b, &d, sizeof d);
	return b + sizeof d / 4;
}

KC_FN uint32_t *
kc_put_ool(uint32_t *b)
{
	mach_msg_ool_descriptor_t d;

	memset(&d, 0, sizeof d);
	d.address = (vm_address_t)(uintptr_t)kc_ool_bytes;
	d.size = sizeof kc_ool_bytes;
	d.copy = MACH_MSG_PHYSICAL_COPY;
	d.type = MACH_MSG_OOL_DESCRIPTOR;
	memcpy(b, &d, sizeof d);
	return b + sizeof d / 4;
}

/* r spoiled as how, in m, to dest: its size, or 0 when that spoil does not apply to r. */
KC_FN mach_msg_size_t
kc_spoil(struct kc_raw *m, const struct kc_req *r, enum kc_spoil how, mach_port_t dest, mach_port_t reply)
{
	uint32_t *b = m->b, *count = NULL, nwords = r->nwords, first = 0;
	int complex = r->desc != 0;

	if ((how == KC_AS_IS) != (r->as_is != 0))
		return 0;
	if ((how == KC_SHORT && nwords == 0) || (how == KC_EXTRA_DESC && !r->desc) ||
	    (how == KC_SEND_ONCE && !r->send_only))
		return 0;
	memset(m, 0, sizeof *m);
	if (how == KC_SHORT)
		nwords--;
	if (how == KC_FLIP_COMPLEX)
		complex = !complex;
	if (how == KC_OOL_INSTEAD) {
		complex = 1;
		if (!r->desc && nwords) {	/* the first word travels out of line instead */
			first = 1;
			nwords--;
		}
	}
	if (complex) {
		count = b++;
		*count = 0;
	}
	if (how == KC_OOL_INSTEAD) {
		b = r->desc == 'o' ? kc_put_port(b, kc_bait, MACH_MSG_TYPE_COPY_SEND) : kc_put_ool(b);
		*count = 1;
	} else if (complex && r->desc) {
		if (r->desc == 'o')
			b = kc_put_ool(b);
		else if (how == KC_SEND_ONCE)
			b = kc_put_port(b, kc_so_port, MACH_MSG_TYPE_MAKE_SEND_ONCE);
		else
			b = kc_put_port(b, kc_bait, MACH_MSG_TYPE_COPY_SEND);
		*count = 1;
		if (how == KC_EXTRA_DESC) {
			b = kc_put_port(b, kc_bait, MACH_MSG_TYPE_COPY_SEND);
			*count = 2;
		}
	}
	memcpy(b, r->w + first, nwords * 4);
	b += nwords;
	if (how == KC_LONG)
		*b++ = 0;
	m->h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) |
			 (complex ? MACH_MSGH_BITS_COMPLEX : 0);
	m->h.msgh_remote_port = dest;
	m->h.msgh_local_port = reply;
	m->h.msgh_id = r->id;
	m->h.msgh_size = (mach_msg_size_t)(sizeof m->h + (uint32_t)(b - m->b) * 4);
	return m->h.msgh_size;
}

#define KC_NO_ANSWER	0x7E570001	/* nothing came back on the reply port */
#define KC_NOT_AN_ERROR	0x7E570002	/* an answer that is not an error reply: the request was served */
#define KC_TWO_ANSWERS	0x7E570003

/* Sends m (size bytes) and takes its answer from reply: the error reply's RetCode. */
KC_FN kern_return_t
kc_ask(struct kc_raw *m, mach_msg_size_t size, mach_port_t reply)
{
	mach_msg_id_t id = m->h.msgh_id;
	kern_return_t ret = KC_NOT_AN_ERROR;
	struct kc_msg in;
	mach_msg_return_t mr = mach_msg(&m->h, MACH_SEND_MSG, size, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);

	if (mr != MACH_MSG_SUCCESS)
		return mr;
	if (kc_poll(reply, &in) != MACH_MSG_SUCCESS)	/* the kernel answers before the send returns */
		return KC_NO_ANSWER;
	if (in.h.msgh_id == id + 100 && !(in.h.msgh_bits & MACH_MSGH_BITS_COMPLEX) &&
	    in.h.msgh_size == sizeof(mig_reply_error_t))
		ret = (kern_return_t)in.body[0];
	else
		mach_msg_destroy(&in.h);
	if (kc_poll(reply, &in) == MACH_MSG_SUCCESS) {
		mach_msg_destroy(&in.h);
		return KC_TWO_ANSWERS;
	}
	return ret;
}

/*
 * Sends every row of the table to dest, spoiled each way that applies, then
 * each unknown id as a bare header. Every answer must be an error reply:
 * MIG_BAD_ARGUMENTS, or MIG_BAD_ID for the unknown ids. Returns 0, or
 * (row + 1) * 16 + spoil of the first that was not (kc_got says what came).
 */
KC_FN int
kc_run_malformed(mach_port_t dest, mach_port_t reply, const struct kc_req *rows, int nrows,
		 const mach_msg_id_t *unknown, int nunknown)
{
	static struct kc_raw m;

	for (int i = 0; i < nrows; i++) {
		for (int how = 0; how < KC_SPOILS; how++) {
			mach_msg_size_t size = kc_spoil(&m, &rows[i], (enum kc_spoil)how, dest, reply);
			if (!size)
				continue;
			kc_got = kc_ask(&m, size, reply);
			if (how == KC_SEND_ONCE && kc_got != MACH_SEND_INVALID_DEST)
				kc_so_sent++;
			if (kc_got != MIG_BAD_ARGUMENTS)
				return (i + 1) * 16 + how;
		}
	}
	for (int i = 0; i < nunknown; i++) {
		struct kc_req bare;
		memset(&bare, 0, sizeof bare);
		bare.id = unknown[i];
		kc_spoil(&m, &bare, KC_LONG, dest, reply);
		m.h.msgh_size = sizeof m.h;
		kc_got = kc_ask(&m, sizeof m.h, reply);
		if (kc_got != MIG_BAD_ID)
			return (nrows + 1 + i) * 16;
	}
	return 0;
}

#define KC_CHECK_TABLE(expr)						\
	do {								\
		int at_ = (expr);					\
		if (at_) {						\
			snprintf(kc_failure, sizeof kc_failure,		\
				 "request %d spoiled as %d answered %#x, not an error", \
				 at_ / 16 - 1, at_ % 16, (unsigned)kc_got); \
			failed_line = __LINE__;				\
			failed_what = kc_failure;			\
			failed_val = kc_got;				\
			return;						\
		}							\
	} while (0)

/* The rights the requests carry, and a reply port of their own. */
KC_FN mach_port_t
kc_table_begin(void)
{
	kc_bait = kc_port();
	kc_so_port = kc_port();
	kc_so_sent = 0;
	return mach_reply_port();
}

/*
 * After a table: every right the refused requests carried was released
 * (each send-once one with its notification), none kept. 0 when all is well.
 */
KC_FN int
kc_table_end(mach_port_t reply)
{
	mach_port_status_t st;
	int bad = 0, notes = 0;

	while (kc_next_id(kc_so_port) == MACH_NOTIFY_SEND_ONCE)
		notes++;
	bad |= (notes != kc_so_sent) << 0;
	bad |= (kc_refs(KC_SELF, kc_bait, MACH_PORT_RIGHT_SEND) != 1) << 1;
	bad |= (kc_status(KC_SELF, kc_bait, &st) != KERN_SUCCESS || st.mps_msgcount != 0) << 2;
	bad |= (kc_status(KC_SELF, kc_so_port, &st) != KERN_SUCCESS || st.mps_msgcount != 0 || st.mps_sorights != 0) << 3;
	mach_port_destroy(KC_SELF, kc_bait);
	mach_port_destroy(KC_SELF, kc_so_port);
	mach_port_destroy(KC_SELF, reply);
	return bad;
}

KC_BOTH(malformed_mach_port_requests_get_bad_arguments_and_change_nothing)
{
	static const mach_msg_id_t unknown[] = { 3209, 3212, 3217, 3218, 3221, 3299 };
	static struct kc_req rows[20];
	mach_port_name_t vr, vs, vd, fresh;
	mach_port_t reply;
	uint32_t pages;
	int n = 0;

	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_RECEIVE, &vr), KERN_SUCCESS);
	CHECK_EQ(mach_port_set_qlimit(target, vr, 3), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_PORT_SET, &vs), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_DEAD_NAME, &vd), KERN_SUCCESS);
	fresh = kc_unused_name(target);
	/* each well formed, each of a kind the target would notice if it were served */
	rows[n++] = (struct kc_req){ .id = MACH_PORT_NAMES_ID };
	rows[n++] = (struct kc_req){ .id = MACH_PORT_TYPE_ID, .nwords = 1, .w = { vr } };
	rows[n++] = (struct kc_req){ .id = MACH_PORT_RENAME_ID, .nwords = 2, .w = { vr, fresh } };
	rows[n++] = (struct kc_req){ .id = MACH_PORT_ALLOCATE_NAME_ID, .nwords = 2,
				     .w = { MACH_PORT_RIGHT_RECEIVE, fresh } };
	rows[n++] = (struct kc_req){ .id = MACH_PORT_ALLOCATE_ID, .nwords = 1, .w = { MACH_PORT_RIGHT_RECEIVE } };
	rows[n++] = (struct kc_req){ .id = MACH_PORT_DESTROY_ID, .nwords = 1, .w = { vr } };
	rows[n++] = (struct kc_req){ .id = MACH_PORT_DEALLOCATE_ID, .nwords = 1, .w = { vd } };
	rows[n++] = (struct kc_req){ .id = MACH_PORT_GET_REFS_ID, .nwords = 2, .w = { vd, MACH_PORT_RIGHT_DEAD_NAME } };
	rows[n++] = (struct kc_req){ .id = MACH_PORT_MOD_REFS_ID, .nwords = 3,
				     .w = { vd, MACH_PORT_RIGHT_DEAD_NAME, 1 } };
	rows[n++] = (struct kc_req){ .id = MACH_PORT_SET_QLIMIT_ID, .nwords = 2, .w = { vr, 1 } };
	rows[n++] = (struct kc_req){ .id = MACH_PORT_SET_MSCOUNT_ID, .nwords = 2, .w = { vr, 9 } };
	rows[n++] = (struct kc_req){ .id = MACH_PORT_MOVE_MEMBER_ID, .nwords = 2, .w = { vr, vs } };
	rows[n++] = (struct kc_req){ .id = MACH_PORT_REQUEST_NOTIFICATION_ID, .desc = 'p', .nwords = 3,
				     .w = { vr, MACH_NOTIFY_NO_SENDERS, 0 } };
	rows[n++] = (struct kc_req){ .id = MACH_PORT_INSERT_RIGHT_ID, .desc = 'p', .nwords = 1, .w = { fresh } };
	rows[n++] = (struct kc_req){ .id = MACH_PORT_EXTRACT_RIGHT_ID, .nwords = 2, .w = { vr, MACH_MSG_TYPE_MAKE_SEND } };
	rows[n++] = (struct kc_req){ .id = MACH_PORT_GET_ATTRIBUTES_ID, .nwords = 2, .w = { vr, MACH_PORT_LIMITS_INFO } };
	rows[n++] = (struct kc_req){ .id = MACH_PORT_SET_ATTRIBUTES_ID, .nwords = 4,
				     .w = { vr, MACH_PORT_LIMITS_INFO, 1, 1 } };
	/* counted arrays: a count beyond the message, a count above the bound of 16 */
	rows[n++] = (struct kc_req){ .id = MACH_PORT_SET_ATTRIBUTES_ID, .as_is = 1, .nwords = 4,
				     .w = { vr, MACH_PORT_LIMITS_INFO, 2, 1 } };
	rows[n] = (struct kc_req){ .id = MACH_PORT_SET_ATTRIBUTES_ID, .as_is = 1, .nwords = 20,
				   .w = { vr, MACH_PORT_LIMITS_INFO, 17 } };
	for (int i = 3; i < 20; i++)
		rows[n].w[i] = 1;
	n++;
	reply = kc_table_begin();
	CHECK(kc_bait && kc_so_port && reply);
	CHECK_EQ(kc_space_of(target, &kc_before), KERN_SUCCESS);
	pages = free_pages_with_heap();
	KC_CHECK_TABLE(kc_run_malformed(target, reply, rows, n, unknown, (int)(sizeof unknown / sizeof unknown[0])));
	CHECK_EQ(kc_space_of(target, &kc_after), KERN_SUCCESS);
	CHECK(kc_space_equal(&kc_before, &kc_after));
	CHECK_EQ(kc_qlimit(target, vr), 3);
	CHECK_EQ(kc_refs(target, vd, MACH_PORT_RIGHT_DEAD_NAME), 1);
	CHECK_EQ(free_pages_with_heap(), pages);
	CHECK_EQ(kc_table_end(reply), 0);
	mach_port_destroy(target, vr);
	mach_port_destroy(target, vs);
	mach_port_destroy(target, vd);
}

KC_BOTH(malformed_vm_map_requests_get_bad_arguments_and_change_nothing)
{
	static const mach_msg_id_t unknown[] = { 3806, 3809, 3810, 3811, 3814, 3899 };
	static struct kc_req rows[12];
	vm_address_t va = kc_alloc(target, 2 * KC_PAGE);
	mach_port_t reply;
	uint32_t pages, digest;
	int n = 0;

	CHECK(va);
	CHECK_EQ(kc_poke(target, va, 0x77), KERN_SUCCESS);
	rows[n++] = (struct kc_req){ .id = VM_REGION_ID, .nwords = 1, .w = { va } };
	rows[n++] = (struct kc_req){ .id = VM_ALLOCATE_ID, .nwords = 3, .w = { 0, KC_PAGE, TRUE } };
	rows[n++] = (struct kc_req){ .id = VM_DEALLOCATE_ID, .nwords = 2, .w = { va, KC_PAGE } };
	rows[n++] = (struct kc_req){ .id = VM_PROTECT_ID, .nwords = 4, .w = { va, KC_PAGE, FALSE, VM_PROT_READ } };
	rows[n++] = (struct kc_req){ .id = VM_INHERIT_ID, .nwords = 3, .w = { va, KC_PAGE, VM_INHERIT_NONE } };
	rows[n++] = (struct kc_req){ .id = VM_READ_ID, .nwords = 2, .w = { va, KC_PAGE } };
	rows[n++] = (struct kc_req){ .id = VM_WRITE_ID, .desc = 'o', .nwords = 1, .w = { va } };
	rows[n++] = (struct kc_req){ .id = VM_COPY_ID, .nwords = 3, .w = { va + KC_PAGE, KC_PAGE, va } };
	rows[n++] = (struct kc_req){ .id = VM_MAP_ID, .desc = 'p', .send_only = 1, .nwords = 9,
				     .w = { 0, KC_PAGE, 0, TRUE, 0, FALSE, VM_PROT_DEFAULT, VM_PROT_ALL,
					    VM_INHERIT_COPY } };
	rows[n++] = (struct kc_req){ .id = VM_COPY_TO_ID, .desc = 'p', .nwords = 3, .w = { va, KC_PAGE, va + KC_PAGE } };
	reply = kc_table_begin();
	CHECK(kc_bait && kc_so_port && reply);
	digest = kc_map_digest(target);
	pages = free_pages_with_heap();
	KC_CHECK_TABLE(kc_run_malformed(target, reply, rows, n, unknown, (int)(sizeof unknown / sizeof unknown[0])));
	CHECK_EQ(kc_map_digest(target), digest);
	CHECK_EQ(free_pages_with_heap(), pages);
	CHECK_EQ(kc_word(target, va), 0x77);			/* nothing written or copied over */
	CHECK_EQ(kc_table_end(reply), 0);
	CHECK_EQ(vm_deallocate(target, va, 2 * KC_PAGE), KERN_SUCCESS);
}

KC_BOTH(malformed_task_requests_get_bad_arguments_and_change_nothing)
{
	static const mach_msg_id_t unknown[] = { TASK_BASE_ID + 13, TASK_BASE_ID + 99 };
	static struct kc_req rows[20];
	natural_t inputs[SYSCALL_INPUTS_MAX];
	mach_msg_type_number_t ninputs = SYSCALL_INPUTS_MAX;
	mach_port_t reply, boot0 = MACH_PORT_NULL, boot1 = MACH_PORT_NULL, keeper = kc_keeper(target);
	kern_return_t had0, had1;
	int n = 0, threads;
	uint32_t pages;

	rows[n++] = (struct kc_req){ .id = TASK_CREATE_ID, .nwords = 1, .w = { FALSE } };
	rows[n++] = (struct kc_req){ .id = TASK_BASE_ID + 2 };	/* task_threads */
	rows[n++] = (struct kc_req){ .id = TASK_INFO_ID, .nwords = 1, .w = { TASK_BASIC_INFO } };
	rows[n++] = (struct kc_req){ .id = TASK_RESUME_ID };
	rows[n++] = (struct kc_req){ .id = TASK_GET_SPECIAL_PORT_ID, .nwords = 1, .w = { TASK_KERNEL_PORT } };
	rows[n++] = (struct kc_req){ .id = TASK_SET_SPECIAL_PORT_ID, .desc = 'p', .send_only = 1, .nwords = 1,
				     .w = { TASK_BOOTSTRAP_PORT } };
	rows[n++] = (struct kc_req){ .id = THREAD_CREATE_ID };
	rows[n++] = (struct kc_req){ .id = TASK_GET_LIMITS_ID };
	/* task_set_limits' counted array: a count beyond the message, a count above the bound of 8 */
	rows[n++] = (struct kc_req){ .id = TASK_SET_LIMITS_ID, .as_is = 1, .nwords = 2, .w = { 2, 1 } };
	rows[n] = (struct kc_req){ .id = TASK_SET_LIMITS_ID, .as_is = 1, .nwords = 10, .w = { 9 } };
	for (int i = 1; i < 10; i++)
		rows[n].w[i] = 1;
	n++;
	rows[n++] = (struct kc_req){ .id = TASK_GET_SYSCALL_INPUTS_ID };
	rows[n++] = (struct kc_req){ .id = TASK_SET_SYSCALL_INPUTS_ID, .nwords = 2,
				     .w = { 1, SYSCALL_INPUT(4, SYSCALL_REG_ECX, SYSCALL_REG_EDX, 16) } };
	/* its counted array too: beyond the message, above the bound of 64 */
	rows[n++] = (struct kc_req){ .id = TASK_SET_SYSCALL_INPUTS_ID, .as_is = 1, .nwords = 2, .w = { 2, 1 } };
	rows[n] = (struct kc_req){ .id = TASK_SET_SYSCALL_INPUTS_ID, .as_is = 1, .nwords = 66, .w = { 65 } };
	for (int i = 1; i < 66; i++)
		rows[n].w[i] = SYSCALL_INPUT(i, SYSCALL_REG_EBX, SYSCALL_LEN_FIXED, 4);
	n++;
	if (target != KC_SELF) {	/* served by mistake, these would stop the suite itself */
		rows[n++] = (struct kc_req){ .id = TASK_SUSPEND_ID };
		rows[n++] = (struct kc_req){ .id = TASK_TERMINATE_ID };
	}
	threads = kc_thread_count(target, MACH_PORT_NULL, NULL);
	had0 = task_get_special_port(target, TASK_BOOTSTRAP_PORT, &boot0);
	reply = kc_table_begin();
	CHECK(kc_bait && kc_so_port && reply);
	CHECK_EQ(kc_space_of(KC_SELF, &kc_before), KERN_SUCCESS);
	pages = free_pages_with_heap();
	KC_CHECK_TABLE(kc_run_malformed(target, reply, rows, n, unknown, 2));
	CHECK_EQ(kc_space_of(KC_SELF, &kc_after), KERN_SUCCESS);
	CHECK(kc_space_equal(&kc_before, &kc_after));		/* no task or thread came back to us */
	CHECK_EQ(free_pages_with_heap(), pages);
	CHECK_EQ(kc_task_info(target).suspend_count, 0);	/* alive, running */
	CHECK(threads >= 1);
	CHECK_EQ(kc_thread_count(target, MACH_PORT_NULL, NULL), threads);	/* none made */
	CHECK_EQ(task_get_syscall_inputs(target, inputs, &ninputs), KERN_SUCCESS);
	CHECK_EQ(ninputs, 0);					/* no table was set */
	had1 = task_get_special_port(target, TASK_BOOTSTRAP_PORT, &boot1);
	CHECK_EQ(had1, had0);
	CHECK_EQ(boot1, boot0);
	if (had0 == KERN_SUCCESS && MACH_PORT_VALID(boot0)) {
		mach_port_deallocate(KC_SELF, boot0);
		mach_port_deallocate(KC_SELF, boot1);
	}
	CHECK_EQ(kc_table_end(reply), 0);
	kc_end_thread(keeper);
}

KC_BOTH(malformed_thread_requests_get_bad_arguments_and_change_nothing)
{
	static const mach_msg_id_t unknown[] = { THREAD_BASE_ID + 9, THREAD_BASE_ID + 99 };
	static struct kc_req rows[12];
	i386_thread_state_t st;
	mach_msg_type_number_t cnt = i386_THREAD_STATE_COUNT;
	mach_port_t th, reply, exc0 = MACH_PORT_NULL, exc1 = MACH_PORT_NULL;
	kern_return_t had0, had1;
	vm_address_t code;
	thread_basic_info_data_t info;
	uint32_t pages, eip;
	int n = 0;
	mach_port_t keeper = kc_keeper(target);

	/* should a request be served by mistake and resume it, it only counts */
	CHECK_EQ(kc_code_page(target, MACH_PORT_NULL, NULL, &code), KERN_SUCCESS);
	CHECK_EQ(kc_thread_at(target, code + KC_SPIN, code + KC_STACK, &th), KERN_SUCCESS);
	CHECK_EQ(thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &cnt), KERN_SUCCESS);
	eip = st.eip;
	rows[n++] = (struct kc_req){ .id = THREAD_TERMINATE_ID };
	rows[n++] = (struct kc_req){ .id = THREAD_GET_STATE_ID, .nwords = 1, .w = { i386_THREAD_STATE } };
	rows[n] = (struct kc_req){ .id = THREAD_SET_STATE_ID, .nwords = 2 + 16, .w = { i386_THREAD_STATE, 16 } };
	memcpy(&rows[n].w[2], &st, sizeof st);
	rows[n].w[2] = 0xE1E1;				/* eax, should it land */
	n++;
	rows[n++] = (struct kc_req){ .id = THREAD_SUSPEND_ID };
	rows[n++] = (struct kc_req){ .id = THREAD_RESUME_ID };
	rows[n++] = (struct kc_req){ .id = THREAD_ABORT_ID };
	rows[n++] = (struct kc_req){ .id = THREAD_INFO_ID, .nwords = 1, .w = { THREAD_BASIC_INFO } };
	rows[n++] = (struct kc_req){ .id = THREAD_GET_SPECIAL_PORT_ID, .nwords = 1, .w = { THREAD_KERNEL_PORT } };
	rows[n++] = (struct kc_req){ .id = THREAD_SET_SPECIAL_PORT_ID, .desc = 'p', .send_only = 1, .nwords = 1,
				     .w = { THREAD_EXCEPTION_PORT } };
	/* the state's count: beyond the message, above the bound of 128 (i386_FXSAVE_STATE's) */
	rows[n] = rows[2];
	rows[n].as_is = 1;
	rows[n].w[1] = 17;
	n++;
	rows[n] = (struct kc_req){ .id = THREAD_SET_STATE_ID, .as_is = 1, .nwords = 131, .w = { i386_THREAD_STATE, 129 } };
	n++;
	had0 = thread_get_special_port(th, THREAD_EXCEPTION_PORT, &exc0);
	reply = kc_table_begin();
	CHECK(kc_bait && kc_so_port && reply);
	CHECK_EQ(kc_space_of(KC_SELF, &kc_before), KERN_SUCCESS);
	pages = free_pages_with_heap();
	KC_CHECK_TABLE(kc_run_malformed(th, reply, rows, n, unknown, 2));
	CHECK_EQ(kc_space_of(KC_SELF, &kc_after), KERN_SUCCESS);
	CHECK(kc_space_equal(&kc_before, &kc_after));
	CHECK_EQ(free_pages_with_heap(), pages);
	info = kc_thread_info(th);
	CHECK_EQ(info.suspend_count, 1);			/* never suspended, resumed or ended */
	CHECK_EQ(info.run_state, TH_STATE_STOPPED);
	CHECK_EQ(kc_word(target, code + KC_COUNT), 0);		/* never ran */
	cnt = i386_THREAD_STATE_COUNT;
	CHECK_EQ(thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &cnt), KERN_SUCCESS);
	CHECK_EQ(st.eip, eip);
	CHECK(st.eax != 0xE1E1);
	had1 = thread_get_special_port(th, THREAD_EXCEPTION_PORT, &exc1);
	CHECK_EQ(had1, had0);
	CHECK_EQ(exc1, exc0);
	CHECK_EQ(kc_table_end(reply), 0);
	kc_end_thread(th);
	CHECK_EQ(vm_deallocate(target, code, KC_PAGE), KERN_SUCCESS);
	kc_end_thread(keeper);
}

KC_CASE
malformed_host_requests_get_bad_arguments_and_change_nothing(void)
{
	static const mach_msg_id_t unknown[] = { HOST_BASE_ID + 7, HOST_BASE_ID + 99 };
	static struct kc_req rows[7];
	mach_port_t host = mach_host_self(), reply;
	uint32_t pages;

	rows[0] = (struct kc_req){ .id = HOST_INFO_ID, .nwords = 1, .w = { HOST_BASIC_INFO } };
	rows[1] = (struct kc_req){ .id = HOST_GET_DEVICE_PORT_ID, .nwords = 0 };
	rows[2] = (struct kc_req){ .id = HOST_GET_TIME_ID, .nwords = 0 };
	rows[3] = (struct kc_req){ .id = HOST_SET_TIME_ID, .nwords = 2, .w = { 2000000000, 0 } };
	rows[4] = (struct kc_req){ .id = HOST_ADJUST_TIME_ID, .nwords = 2, .w = { 5, 0 } };
	rows[5] = (struct kc_req){ .id = HOST_GET_CLOCK_CONTROL_ID, .nwords = 1, .w = { CALENDAR_CLOCK } };
	rows[6] = (struct kc_req){ .id = HOST_GET_CLOCK_SERVICE_ID, .nwords = 1, .w = { SYSTEM_CLOCK } };
	reply = kc_table_begin();
	CHECK(kc_bait && kc_so_port && reply);
	CHECK_EQ(kc_space_of(KC_SELF, &kc_before), KERN_SUCCESS);
	pages = free_pages_with_heap();
	KC_CHECK_TABLE(kc_run_malformed(host, reply, rows, 7, unknown, 2));
	CHECK_EQ(kc_space_of(KC_SELF, &kc_after), KERN_SUCCESS);
	CHECK(kc_space_equal(&kc_before, &kc_after));
	CHECK_EQ(free_pages_with_heap(), pages);
	CHECK_EQ(kc_table_end(reply), 0);
	mach_port_deallocate(KC_SELF, host);
}

/* ---- rights and memory that travel ---- */

KC_CASE
a_receive_right_moved_into_a_child_and_back_keeps_its_queued_messages(void)
{
	mach_port_t child, p = kc_port(), back = MACH_PORT_NULL;
	mach_port_name_t there;
	mach_msg_type_name_t got = 0;
	mach_port_status_t st;

	CHECK(p);
	CHECK_EQ(task_create(KC_SELF, FALSE, &child), KERN_SUCCESS);
	CHECK_EQ(mach_port_set_qlimit(KC_SELF, p, 7), KERN_SUCCESS);
	CHECK_EQ(kc_send(p, MACH_MSG_TYPE_COPY_SEND, 1), MACH_MSG_SUCCESS);
	CHECK_EQ(kc_send(p, MACH_MSG_TYPE_COPY_SEND, 2), MACH_MSG_SUCCESS);
	there = kc_unused_name(child);
	CHECK_EQ(mach_port_insert_right(child, there, p, MACH_MSG_TYPE_MOVE_RECEIVE), KERN_SUCCESS);
	CHECK_EQ(kc_type(KC_SELF, p), MACH_PORT_TYPE_SEND);	/* we keep our send right */
	CHECK_EQ(kc_type(child, there), MACH_PORT_TYPE_RECEIVE);
	CHECK_EQ(kc_status(child, there, &st), KERN_SUCCESS);
	CHECK_EQ(st.mps_msgcount, 2);				/* the queue went with it */
	CHECK_EQ(st.mps_qlimit, 7);
	CHECK_EQ(kc_send(p, MACH_MSG_TYPE_COPY_SEND, 3), MACH_MSG_SUCCESS);	/* our right reaches it there */
	CHECK_EQ(kc_status(child, there, &st), KERN_SUCCESS);
	CHECK_EQ(st.mps_msgcount, 3);
	CHECK_EQ(mach_port_extract_right(child, there, MACH_MSG_TYPE_MOVE_RECEIVE, &back, &got), KERN_SUCCESS);
	CHECK_EQ(got, MACH_MSG_TYPE_PORT_RECEIVE);
	CHECK_EQ(back, p);					/* the same port: it joins our send right */
	CHECK_EQ(kc_type(child, there), 0);
	CHECK_EQ(kc_type(KC_SELF, p), MACH_PORT_TYPE_SEND_RECEIVE);
	CHECK_EQ(kc_next_id(p), 1);				/* in order, none lost */
	CHECK_EQ(kc_next_id(p), 2);
	CHECK_EQ(kc_next_id(p), 3);
	CHECK_EQ(kc_next_id(p), -1);
	kc_end_task(child);
	mach_port_destroy(KC_SELF, p);
}

KC_CASE
a_send_right_given_to_a_child_counts_as_a_sender_until_the_child_dies(void)
{
	mach_port_t child, p = kc_port(), n = kc_port(), prev;
	mach_port_name_t there;
	mach_port_status_t st;
	uint32_t word;

	CHECK(p && n);
	CHECK_EQ(task_create(KC_SELF, FALSE, &child), KERN_SUCCESS);
	there = kc_unused_name(child);
	CHECK_EQ(mach_port_insert_right(child, there, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(mach_port_deallocate(KC_SELF, p), KERN_SUCCESS);	/* the child's is the only one */
	CHECK_EQ(kc_status(KC_SELF, p, &st), KERN_SUCCESS);
	CHECK(st.mps_srights);
	CHECK_EQ(mach_port_request_notification(KC_SELF, p, MACH_NOTIFY_NO_SENDERS, 0, n,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	CHECK_EQ(kc_next_id(n), -1);
	kc_end_task(child);
	CHECK_EQ(kc_notification(n, &word), MACH_NOTIFY_NO_SENDERS);
	mach_port_destroy(KC_SELF, p);
	mach_port_destroy(KC_SELF, n);
}

KC_CASE
vm_read_of_a_forked_child_sees_its_memory_as_it_was_at_the_fork(void)
{
	enum { N = 16 };
	vm_address_t a = kc_alloc(KC_SELF, N * KC_PAGE), data;
	mach_msg_type_number_t n;
	mach_port_t child, gc;
	uint32_t before;

	CHECK(a);
	for (int i = 0; i < N; i++)
		((volatile uint32_t *)(a + i * KC_PAGE))[0] = 0xF00 + i;
	before = free_pages_with_heap();
	CHECK_EQ(task_create(KC_SELF, TRUE, &child), KERN_SUCCESS);
	CHECK(before - free_pages_with_heap() < N);			/* shared copy-on-write, not copied */
	((volatile uint32_t *)a)[0] = 0xAAA;			/* our write makes our copy... */
	CHECK_EQ(kc_word(child, a), 0xF00);			/* ...and the child keeps the old page */
	CHECK_EQ(vm_read(child, a + KC_PAGE, 2 * KC_PAGE, &data, &n), KERN_SUCCESS);
	CHECK_EQ(n, 2 * KC_PAGE);
	CHECK_EQ(((uint32_t *)data)[0], 0xF01);
	CHECK_EQ(((uint32_t *)data)[KC_PAGE / 4], 0xF02);
	vm_deallocate(KC_SELF, data, n);
	CHECK_EQ(kc_poke(child, a + 3 * KC_PAGE, 0xBBB), KERN_SUCCESS);
	CHECK_EQ(((volatile uint32_t *)(a + 3 * KC_PAGE))[0], 0xF03);	/* its writes stay its own */
	CHECK_EQ(task_create(child, TRUE, &gc), KERN_SUCCESS);		/* a fork of the child */
	CHECK_EQ(kc_word(gc, a), 0xF00);
	CHECK_EQ(kc_word(gc, a + 3 * KC_PAGE), 0xBBB);
	kc_end_task(gc);
	kc_end_task(child);
	vm_deallocate(KC_SELF, a, N * KC_PAGE);
}

/*
 * ---- Mach's behaviour that the kernel does not have (KOBJ_CALL_CASES_FAILING) ----
 * Each is written as OSF Mach 3 / GNU Mach behave, and looks before it checks,
 * so that what it made is given back even when it fails; the list at the end
 * says why each fails.
 */

KC_BOTH(special_ports_never_set_are_given_as_null)
{
	mach_port_t saved = MACH_PORT_NULL, task_got = 0x777, thread_got = 0x777, th = MACH_PORT_NULL;
	kern_return_t had = task_get_special_port(target, TASK_EXCEPTION_PORT, &saved), task_kr, thread_kr;

	task_set_special_port(target, TASK_EXCEPTION_PORT, MACH_PORT_NULL);
	task_kr = task_get_special_port(target, TASK_EXCEPTION_PORT, &task_got);
	task_set_special_port(target, TASK_EXCEPTION_PORT, had == KERN_SUCCESS ? saved : MACH_PORT_NULL);
	if (had == KERN_SUCCESS && MACH_PORT_VALID(saved))
		mach_port_deallocate(KC_SELF, saved);
	CHECK_EQ(thread_create(target, &th), KERN_SUCCESS);
	thread_kr = thread_get_special_port(th, THREAD_EXCEPTION_PORT, &thread_got);
	kc_end_thread(th);
	CHECK_EQ(task_kr, KERN_SUCCESS);
	CHECK_EQ(task_got, MACH_PORT_NULL);
	CHECK_EQ(thread_kr, KERN_SUCCESS);
	CHECK_EQ(thread_got, MACH_PORT_NULL);
}

KC_BOTH(a_new_task_starts_with_an_empty_name_space)
{
	mach_port_t gc;
	kern_return_t kr;

	CHECK_EQ(task_create(target, FALSE, &gc), KERN_SUCCESS);
	kr = kc_space_of(gc, &kc_after);
	kc_end_task(gc);
	CHECK_EQ(kr, KERN_SUCCESS);
	CHECK_EQ(kc_after.n, 0);
}

KC_CASE
a_task_outlives_its_last_thread(void)
{
	mach_port_t child, th;
	vm_address_t a = 0;
	kern_return_t info_kr, alloc_kr;
	integer_t info[32];
	mach_msg_type_number_t n = 32;

	CHECK_EQ(task_create(KC_SELF, FALSE, &child), KERN_SUCCESS);
	CHECK_EQ(thread_create(child, &th), KERN_SUCCESS);
	kc_end_thread(th);
	info_kr = task_info(child, TASK_BASIC_INFO, info, &n);
	alloc_kr = vm_allocate(child, &a, KC_PAGE, TRUE);
	kc_end_task(child);
	CHECK_EQ(info_kr, KERN_SUCCESS);
	CHECK_EQ(alloc_kr, KERN_SUCCESS);
}

/* How many tasks the kernel keeps, dead or alive (the task_list trap, as ps uses it). */
KC_FN uint32_t
kc_tasks_kept(void)
{
	struct manifold_task_summary one;
	uint32_t count = 0;

	static mach_port_t host_priv;	/* the suite runs as the first task, which holds it */

	if (!host_priv)
		task_get_special_port(mach_task_self(), TASK_HOST_PORT, &host_priv);
	trap_task_list(host_priv, &one, 1, &count);
	return count;
}

KC_CASE
a_terminated_task_is_freed_once_nothing_refers_to_it(void)
{
	uint32_t tasks = kc_tasks_kept(), heap = stats().heap_bytes;
	mach_port_t child, th;

	CHECK_EQ(task_create(KC_SELF, FALSE, &child), KERN_SUCCESS);
	CHECK_EQ(kc_tasks_kept(), tasks + 1);
	CHECK_EQ(thread_create(child, &th), KERN_SUCCESS);
	mach_port_deallocate(KC_SELF, th);
	kc_end_task(child);			/* our names for it are dead: they hold nothing */
	CHECK_EQ(kc_tasks_kept(), tasks);
	CHECK_EQ(stats().heap_bytes, heap);
}

KC_CASE
task_threads_of_a_task_without_threads_is_an_empty_list(void)
{
	mach_port_t child;
	thread_act_array_t list = NULL;
	mach_msg_type_number_t n = 77;
	kern_return_t kr;

	CHECK_EQ(task_create(KC_SELF, FALSE, &child), KERN_SUCCESS);
	kr = task_threads(child, &list, &n);
	kc_end_task(child);
	if (kr == KERN_SUCCESS && n)
		vm_deallocate(KC_SELF, (vm_address_t)list, n * sizeof *list);
	CHECK_EQ(kr, KERN_SUCCESS);
	CHECK_EQ(n, 0);
}

KC_BOTH(dead_name_request_on_a_dead_name_wants_sync_and_adds_a_reference)
{
	mach_port_name_t d;
	mach_port_t n = kc_port(), prev = 0x777;
	kern_return_t without_sync, with_sync;
	mach_msg_id_t first, second;
	mach_port_urefs_t refs;
	uint32_t word = 0;

	CHECK(n);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	without_sync = mach_port_request_notification(target, d, MACH_NOTIFY_DEAD_NAME, 0, n,
						      MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	if (without_sync == KERN_SUCCESS && MACH_PORT_VALID(prev))
		mach_port_deallocate(KC_SELF, prev);	/* the right handed back */
	first = kc_next_id(n);				/* the refused right, destroyed */
	with_sync = mach_port_request_notification(target, d, MACH_NOTIFY_DEAD_NAME, 1, n,
						   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	second = kc_notification(n, &word);		/* at once */
	refs = kc_refs(target, d, MACH_PORT_RIGHT_DEAD_NAME);
	mach_port_destroy(target, d);
	mach_port_destroy(KC_SELF, n);
	CHECK_EQ(without_sync, KERN_INVALID_ARGUMENT);
	CHECK_EQ(first, MACH_NOTIFY_SEND_ONCE);
	CHECK_EQ(with_sync, KERN_SUCCESS);
	CHECK_EQ(second, MACH_NOTIFY_DEAD_NAME);
	CHECK_EQ(word, d);
	CHECK_EQ(refs, 2);				/* the notification's reference */
}

KC_BOTH(a_dead_name_request_shows_in_the_type_and_its_notification_adds_a_reference)
{
	mach_port_t helper, s, n = kc_port(), prev;
	mach_port_name_t there, b;
	mach_port_urefs_t refs;
	mach_port_type_t t;
	uint32_t word = 0;

	CHECK(n);
	CHECK_EQ(kc_foreign_port(&helper, &there, &s), KERN_SUCCESS);
	b = target == KC_SELF ? s : kc_unused_name(target);
	if (target != KC_SELF)
		CHECK_EQ(mach_port_insert_right(target, b, s, MACH_MSG_TYPE_MOVE_SEND), KERN_SUCCESS);
	CHECK_EQ(mach_port_request_notification(target, b, MACH_NOTIFY_DEAD_NAME, 0, n,
						MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	t = kc_type(target, b);
	mach_port_destroy(helper, there);
	kc_notification(n, &word);
	refs = kc_refs(target, b, MACH_PORT_RIGHT_DEAD_NAME);
	mach_port_destroy(target, b);
	kc_end_task(helper);
	mach_port_destroy(KC_SELF, n);
	CHECK_EQ(t, MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_DNREQUEST);
	CHECK_EQ(refs, 2);				/* its own and the notification's */
}

KC_BOTH(port_destroyed_notification_hands_a_dying_receive_right_back)
{
	mach_port_name_t r;
	mach_port_t n = kc_port(), prev = 0x777;
	kern_return_t kr;
	struct kc_msg m;
	mach_msg_return_t mr;

	CHECK(n);
	CHECK_EQ(mach_port_allocate(target, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	kr = mach_port_request_notification(target, r, MACH_NOTIFY_PORT_DESTROYED, 0, n,
					    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	mach_port_destroy(target, r);
	while (kc_poll(n, &m) == MACH_MSG_SUCCESS && m.h.msgh_id != MACH_NOTIFY_PORT_DESTROYED)
		mach_msg_destroy(&m.h);			/* the refused right's notification */
	mr = m.h.msgh_id == MACH_NOTIFY_PORT_DESTROYED ? MACH_MSG_SUCCESS : MACH_RCV_TIMED_OUT;
	if (mr == MACH_MSG_SUCCESS)
		mach_msg_destroy(&m.h);			/* the receive right it carries */
	mach_port_destroy(KC_SELF, n);
	CHECK_EQ(kr, KERN_SUCCESS);
	CHECK_EQ(mr, MACH_MSG_SUCCESS);
	CHECK(m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX);
}

KC_BOTH(task_info_virtual_size_counts_memory_not_touched_yet)
{
	task_basic_info_data_t before = kc_task_info(target), after;
	vm_address_t a = kc_alloc(target, 16 * KC_PAGE);

	CHECK(a);
	after = kc_task_info(target);
	vm_deallocate(target, a, 16 * KC_PAGE);
	CHECK_EQ(after.virtual_size, before.virtual_size + 16 * KC_PAGE);
	CHECK(after.virtual_size > after.resident_size);
}

KC_BOTH(allocate_name_takes_any_name_but_null_and_dead)
{
	mach_port_name_t gen0 = kc_unused_name(target) & ~0xFFu;
	kern_return_t index0_kr, gen0_kr;

	index0_kr = mach_port_allocate_name(target, MACH_PORT_RIGHT_DEAD_NAME, 0x42);
	if (index0_kr == KERN_SUCCESS)
		mach_port_destroy(target, 0x42);
	gen0_kr = mach_port_allocate_name(target, MACH_PORT_RIGHT_DEAD_NAME, gen0);
	if (gen0_kr == KERN_SUCCESS)
		mach_port_destroy(target, gen0);
	CHECK_EQ(index0_kr, KERN_SUCCESS);
	CHECK_EQ(gen0_kr, KERN_SUCCESS);
}

/* On a child only: replacing our own kernel port would redirect our own calls. */
KC_CASE
kernel_special_ports_of_a_task_and_a_thread_can_be_replaced(void)
{
	mach_port_t child, th, p = kc_port(), task_got = MACH_PORT_NULL, thread_got = MACH_PORT_NULL;
	kern_return_t task_kr, thread_kr;

	CHECK(p);
	CHECK_EQ(task_create(KC_SELF, FALSE, &child), KERN_SUCCESS);
	CHECK_EQ(thread_create(child, &th), KERN_SUCCESS);
	task_kr = task_set_special_port(child, TASK_KERNEL_PORT, p);
	if (task_kr == KERN_SUCCESS)
		task_get_special_port(child, TASK_KERNEL_PORT, &task_got);
	thread_kr = thread_set_special_port(th, THREAD_KERNEL_PORT, p);
	if (thread_kr == KERN_SUCCESS)
		thread_get_special_port(th, THREAD_KERNEL_PORT, &thread_got);
	mach_port_deallocate(KC_SELF, th);
	kc_end_task(child);
	mach_port_destroy(KC_SELF, p);
	CHECK_EQ(task_kr, KERN_SUCCESS);
	CHECK_EQ(task_got, p);
	CHECK_EQ(thread_kr, KERN_SUCCESS);
	CHECK_EQ(thread_got, p);
}

KC_BOTH(vm_allocate_of_size_zero_succeeds_and_allocates_nothing)
{
	vm_address_t a = 0x5000;
	uint32_t digest = kc_map_digest(target);

	CHECK_EQ(vm_allocate(target, &a, 0, TRUE), KERN_SUCCESS);
	CHECK_EQ(a, 0);
	CHECK_EQ(kc_map_digest(target), digest);
}

KC_BOTH(vm_calls_round_unaligned_addresses_to_whole_pages)
{
	vm_address_t a = kc_alloc_guarded(target, 2 * KC_PAGE), b, data = 0;
	mach_msg_type_number_t n = 0;
	kern_return_t read_kr, dealloc_kr, alloc_kr;
	uint32_t word = 0;
	vm_size_t left;

	CHECK(a);
	CHECK_EQ(kc_poke(target, a + 8, 0xABC), KERN_SUCCESS);
	read_kr = vm_read(target, a + 8, 4, &data, &n);		/* any address */
	if (read_kr == KERN_SUCCESS) {
		word = *(uint32_t *)data;
		vm_deallocate(KC_SELF, data, n);
	}
	dealloc_kr = vm_deallocate(target, a + KC_PAGE + 100, 8);	/* the page that holds it */
	left = kc_region_at(target, a).size;
	b = a + KC_PAGE + 100;
	alloc_kr = vm_allocate(target, &b, 8, FALSE);			/* truncated to its page */
	vm_deallocate(target, a, 2 * KC_PAGE);
	CHECK_EQ(read_kr, KERN_SUCCESS);
	CHECK_EQ(n, 4);
	CHECK_EQ(word, 0xABC);
	CHECK_EQ(dealloc_kr, KERN_SUCCESS);
	CHECK_EQ(left, KC_PAGE);
	CHECK_EQ(alloc_kr, KERN_SUCCESS);
	CHECK_EQ(b, a + KC_PAGE);
}

KC_BOTH(vm_deallocate_outside_user_space_clips_to_the_map)
{
	uint32_t digest = kc_map_digest(target);

	CHECK_EQ(vm_deallocate(target, 0xC0000000, KC_PAGE), KERN_SUCCESS);
	CHECK_EQ(kc_map_digest(target), digest);
}

KC_BOTH(vm_read_of_a_no_access_page_is_protection_failure)
{
	vm_address_t a = kc_alloc(target, KC_PAGE), data;
	mach_msg_type_number_t n;
	kern_return_t kr;

	CHECK(a);
	CHECK_EQ(vm_protect(target, a, KC_PAGE, FALSE, VM_PROT_NONE), KERN_SUCCESS);
	kr = vm_read(target, a, KC_PAGE, &data, &n);
	if (kr == KERN_SUCCESS)
		vm_deallocate(KC_SELF, data, n);
	vm_deallocate(target, a, KC_PAGE);
	CHECK_EQ(kr, KERN_PROTECTION_FAILURE);
}

KC_BOTH(writes_into_a_read_only_page_never_touched_are_protection_failure)
{
	static uint32_t page[KC_PAGE / 4] __attribute__((aligned(4096)));
	vm_address_t a = kc_alloc(target, 2 * KC_PAGE);
	kern_return_t write_kr, copy_kr;

	CHECK(a);
	CHECK_EQ(vm_protect(target, a + KC_PAGE, KC_PAGE, FALSE, VM_PROT_READ), KERN_SUCCESS);
	write_kr = vm_write(target, a + KC_PAGE, (vm_offset_t)page, KC_PAGE);
	copy_kr = vm_copy(target, a, KC_PAGE, a + KC_PAGE);
	vm_deallocate(target, a, 2 * KC_PAGE);
	CHECK_EQ(write_kr, KERN_PROTECTION_FAILURE);
	CHECK_EQ(copy_kr, KERN_PROTECTION_FAILURE);
}

/*
 * ---- the lists ----
 * A suite's table takes them with its own row macro, e.g.
 *	#define ROW(f) { #f, f },
 *	static const struct test tests[] = { ... KOBJ_CALL_CASES(ROW) };
 * KOBJ_CALL_CASES must pass. A case of KOBJ_CALL_CASES_FAILING moves to it once
 * the kernel behaves as Mach does there.
 */

#define KOBJ_CALL_CASES(T)							\
	T(port_allocate_makes_receive_set_and_dead_name_rights_that_type_reports) \
	T(port_names_lists_every_name_with_the_type_that_type_reports)		\
	T(port_allocate_name_uses_the_chosen_name_and_refuses_a_taken_one)	\
	T(port_rename_moves_the_rights_and_frees_the_old_name)			\
	T(port_destroy_removes_every_right_under_the_name)			\
	T(port_deallocate_releases_one_send_reference_at_a_time)		\
	T(port_get_refs_counts_user_references_per_kind_of_right)		\
	T(port_mod_refs_adds_and_takes_references_within_bounds)		\
	T(port_queue_limit_set_either_way_is_what_get_attributes_reports)	\
	T(port_make_send_count_is_set_and_counted_as_receive_status_reports)	\
	T(port_move_member_puts_a_receive_right_in_a_set_and_takes_it_out)	\
	T(port_insert_right_puts_each_kind_of_right_under_the_chosen_name)	\
	T(port_extract_right_gives_us_each_kind_of_right_to_the_targets_port)	\
	T(port_no_senders_notification_comes_when_the_last_send_right_goes)	\
	T(port_deleted_and_dead_name_notifications_name_the_targets_right)	\
	T(port_calls_on_a_name_that_denotes_nothing_are_invalid_name)		\
	T(port_calls_on_the_wrong_kind_of_right_are_invalid_right)		\
	T(vm_allocate_places_zero_filled_memory_that_region_reports)		\
	T(vm_allocate_refuses_occupied_ranges_and_addresses_outside_user_space)	\
	T(vm_deallocate_unmaps_the_range_and_only_it)				\
	T(vm_protect_lowers_access_and_the_maximum_caps_it)			\
	T(vm_inherit_is_recorded_per_range_and_decides_what_a_new_task_gets)	\
	T(vm_write_then_vm_read_give_the_bytes_back)				\
	T(vm_copy_copies_within_the_target_and_checks_both_ranges)		\
	T(vm_region_walks_the_targets_map_up_to_no_space)			\
	T(vm_map_without_a_memory_object_maps_zero_fill_memory)			\
	T(task_create_makes_an_empty_task_or_one_with_the_targets_memory)	\
	T(task_create_hands_the_targets_bootstrap_port_on)			\
	T(task_syscall_port_is_kept_and_never_inherited)			\
	T(task_special_ports_give_the_task_port_and_what_set_put_there)		\
	T(task_info_reports_basic_info_and_the_pages_it_holds)			\
	T(task_suspend_of_ourselves_holds_us_until_another_task_resumes_us)	\
	T(task_suspend_stops_a_childs_threads_until_as_many_resumes)		\
	T(task_terminate_ends_the_childs_threads_rights_and_memory)		\
	T(thread_create_makes_a_suspended_thread_that_task_threads_lists)	\
	T(thread_set_state_then_get_state_round_trip_the_registers)		\
	T(thread_resume_runs_a_thread_and_thread_suspend_stops_it)		\
	T(thread_abort_ends_a_wait_in_the_kernel_with_rcv_interrupted)		\
	T(thread_special_ports_give_the_thread_port_and_the_exception_port_set)	\
	T(thread_terminate_ends_a_running_thread_and_its_port_dies)		\
	T(host_info_reports_the_machine_and_refuses_other_flavors)		\
	T(host_time_is_read_on_either_port_and_moved_on_the_privileged_one)	\
	T(the_calendar_clock_is_set_by_its_control_port)	\
	T(the_clock_service_ports_read_the_clocks_and_sleep_on_them)	\
	T(clock_alarms_reply_on_their_port_when_due)			\
	T(every_call_on_a_dead_tasks_or_threads_name_is_invalid_dest)		\
	T(routines_sent_to_the_wrong_kind_of_object_get_mig_bad_id)		\
	T(malformed_mach_port_requests_get_bad_arguments_and_change_nothing)	\
	T(malformed_vm_map_requests_get_bad_arguments_and_change_nothing)	\
	T(malformed_task_requests_get_bad_arguments_and_change_nothing)		\
	T(malformed_thread_requests_get_bad_arguments_and_change_nothing)	\
	T(malformed_host_requests_get_bad_arguments_and_change_nothing)		\
	T(a_receive_right_moved_into_a_child_and_back_keeps_its_queued_messages) \
	T(a_send_right_given_to_a_child_counts_as_a_sender_until_the_child_dies) \
	T(special_ports_never_set_are_given_as_null)	\
	T(task_threads_of_a_task_without_threads_is_an_empty_list)	\
	T(a_terminated_task_is_freed_once_nothing_refers_to_it)	\
	T(dead_name_request_on_a_dead_name_wants_sync_and_adds_a_reference)	\
	T(a_dead_name_request_shows_in_the_type_and_its_notification_adds_a_reference)	\
	T(task_info_virtual_size_counts_memory_not_touched_yet)	\
	T(allocate_name_takes_any_name_but_null_and_dead)	\
	T(vm_allocate_of_size_zero_succeeds_and_allocates_nothing)	\
	T(vm_deallocate_outside_user_space_clips_to_the_map)	\
	T(a_task_outlives_its_last_thread)	\
	T(a_new_task_starts_with_an_empty_name_space)	\
	T(port_destroyed_notification_hands_a_dying_receive_right_back)	\
	T(kernel_special_ports_of_a_task_and_a_thread_can_be_replaced)	\
	T(vm_read_of_a_forked_child_sees_its_memory_as_it_was_at_the_fork)	\
	T(vm_read_of_a_no_access_page_is_protection_failure)			\
	T(writes_into_a_read_only_page_never_touched_are_protection_failure)

#define KOBJ_CALL_CASES_FAILING(T)						\
	/* FAILS: KERN_INVALID_ARGUMENT, a deviation kernel/README.md names;	\
	   Mach truncates and rounds (vm_user.c), and vm_read takes any address */ \
	T(vm_calls_round_unaligned_addresses_to_whole_pages)			\

#endif
