/*
 * The kobject suite's cases for a task's limits (manifold/task_limits.h):
 * task_get_limits and task_set_limits on our own task and on children, and
 * each limit refusing what would pass it with its named error, then allowing
 * it again once something is given back. Lowering our own limits would be for
 * good (nobody may raise a limit past the caller's own), so the cases lower a
 * child's.
 */
#ifndef KOBJ_LIMITS_H
#define KOBJ_LIMITS_H

#include <manifold/task_limits.h>
#include "kobj_calls.h"

KC_FN void
kl_get(mach_port_t task, uint32_t limits[TASK_LIMITS_COUNT], uint32_t usage[TASK_LIMITS_COUNT])
{
	natural_t l[8], u[8];
	mach_msg_type_number_t nl = 8, nu = 8;

	memset(limits, 0, TASK_LIMITS_COUNT * sizeof *limits);
	memset(usage, 0, TASK_LIMITS_COUNT * sizeof *usage);
	if (task_get_limits(task, l, &nl, u, &nu) != KERN_SUCCESS || nl != TASK_LIMITS_COUNT ||
	    nu != TASK_LIMITS_COUNT)
		return;
	memcpy(limits, l, TASK_LIMITS_COUNT * sizeof *limits);
	memcpy(usage, u, TASK_LIMITS_COUNT * sizeof *usage);
}

/* Sets one of task's limits, the others as they are. */
KC_FN kern_return_t
kl_set(mach_port_t task, int which, uint32_t value)
{
	uint32_t l[TASK_LIMITS_COUNT], u[TASK_LIMITS_COUNT];

	kl_get(task, l, u);
	l[which] = value;
	return task_set_limits(task, l, TASK_LIMITS_COUNT);
}

KC_CASE
limits_are_inherited_and_no_task_gives_more_than_it_has(void)
{
	uint32_t mine[TASK_LIMITS_COUNT], used[TASK_LIMITS_COUNT], l[TASK_LIMITS_COUNT], u[TASK_LIMITS_COUNT];
	uint32_t more[TASK_LIMITS_COUNT];
	mach_port_t child = MACH_PORT_NULL, grandchild = MACH_PORT_NULL;
	natural_t three[3] = { 1, 2, 3 };

	kl_get(KC_SELF, mine, used);
	CHECK(mine[TASK_LIMIT_NAMES] > 0 && mine[TASK_LIMIT_THREADS] > 0 && mine[TASK_LIMIT_KMEM] > 0);
	CHECK(used[TASK_LIMIT_THREADS] >= 1);
	CHECK(used[TASK_LIMIT_NAMES] >= 1 && used[TASK_LIMIT_NAMES] <= mine[TASK_LIMIT_NAMES]);
	CHECK_EQ(task_create(KC_SELF, 0, &child), KERN_SUCCESS);
	kl_get(KC_SELF, l, u);
	CHECK_EQ(u[TASK_LIMIT_TASKS], used[TASK_LIMIT_TASKS] + 1);	/* the child counts against us */
	kl_get(child, l, u);
	CHECK(memcmp(l, mine, sizeof l) == 0);			/* a child starts with its creator's */
	CHECK_EQ(u[TASK_LIMIT_THREADS], 0);
	CHECK_EQ(u[TASK_LIMIT_NAMES], 0);
	CHECK_EQ(u[TASK_LIMIT_KMEM], 0);
	/* lower a child's; its own children start from there */
	CHECK_EQ(kl_set(child, TASK_LIMIT_THREADS, 3), KERN_SUCCESS);
	CHECK_EQ(task_create(child, 0, &grandchild), KERN_SUCCESS);
	kl_get(grandchild, l, u);
	CHECK_EQ(l[TASK_LIMIT_THREADS], 3);
	kl_get(child, l, u);
	CHECK_EQ(u[TASK_LIMIT_TASKS], 1);
	kc_end_task(grandchild);
	kl_get(child, l, u);
	CHECK_EQ(u[TASK_LIMIT_TASKS], 0);			/* ended: no longer counted */
	/* we may raise it back up to ours, never past it */
	CHECK_EQ(kl_set(child, TASK_LIMIT_THREADS, mine[TASK_LIMIT_THREADS]), KERN_SUCCESS);
	memcpy(more, mine, sizeof more);
	more[TASK_LIMIT_KMEM] = mine[TASK_LIMIT_KMEM] + 1;
	CHECK_EQ(task_set_limits(child, more, TASK_LIMITS_COUNT), KERN_NO_ACCESS);
	CHECK_EQ(task_set_limits(KC_SELF, more, TASK_LIMITS_COUNT), KERN_NO_ACCESS);	/* nor our own */
	kl_get(child, l, u);
	CHECK(memcmp(l, mine, sizeof l) == 0);			/* a refusal changes nothing */
	CHECK_EQ(task_set_limits(child, three, 3), KERN_INVALID_ARGUMENT);
	CHECK_EQ(task_set_limits(KC_SELF, mine, TASK_LIMITS_COUNT), KERN_SUCCESS);	/* the same: allowed */
	kc_end_task(child);
	kl_get(KC_SELF, l, u);
	CHECK_EQ(u[TASK_LIMIT_TASKS], used[TASK_LIMIT_TASKS]);
}

KC_CASE
a_full_name_space_refuses_new_names_with_no_space(void)
{
	mach_port_t child = MACH_PORT_NULL, p = kc_port(), got = MACH_PORT_NULL;
	mach_port_name_t name[4];

	CHECK(p);
	CHECK_EQ(task_create(KC_SELF, 0, &child), KERN_SUCCESS);
	CHECK_EQ(kl_set(child, TASK_LIMIT_NAMES, 4), KERN_SUCCESS);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(mach_port_allocate(child, MACH_PORT_RIGHT_RECEIVE, &name[i]), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(child, MACH_PORT_RIGHT_RECEIVE, &got), KERN_NO_SPACE);
	CHECK_EQ(mach_port_allocate_name(child, MACH_PORT_RIGHT_RECEIVE, 0x12345), KERN_NO_SPACE);
	CHECK_EQ(mach_port_insert_right(child, 0x4242, p, MACH_MSG_TYPE_MAKE_SEND), KERN_NO_SPACE);
	CHECK_EQ(kc_refs(KC_SELF, p, MACH_PORT_RIGHT_SEND), 1);	/* the refused right was not moved */
	CHECK_EQ(mach_port_destroy(child, name[2]), KERN_SUCCESS);
	CHECK_EQ(mach_port_insert_right(child, 0x4242, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	kc_end_task(child);
	mach_port_destroy(KC_SELF, p);
}

KC_CASE
thread_and_task_limits_refuse_with_resource_shortage(void)
{
	mach_port_t child = MACH_PORT_NULL, th[3], gc[3];

	CHECK_EQ(task_create(KC_SELF, 0, &child), KERN_SUCCESS);
	CHECK_EQ(kl_set(child, TASK_LIMIT_THREADS, 2), KERN_SUCCESS);
	CHECK_EQ(kl_set(child, TASK_LIMIT_TASKS, 2), KERN_SUCCESS);
	CHECK_EQ(thread_create(child, &th[0]), KERN_SUCCESS);
	CHECK_EQ(thread_create(child, &th[1]), KERN_SUCCESS);
	CHECK_EQ(thread_create(child, &th[2]), KERN_RESOURCE_SHORTAGE);
	kc_end_thread(th[1]);
	CHECK_EQ(thread_create(child, &th[1]), KERN_SUCCESS);	/* one went: room for one */
	CHECK_EQ(task_create(child, 0, &gc[0]), KERN_SUCCESS);
	CHECK_EQ(task_create(child, 1, &gc[1]), KERN_SUCCESS);
	CHECK_EQ(task_create(child, 0, &gc[2]), KERN_RESOURCE_SHORTAGE);
	kc_end_task(gc[0]);
	CHECK_EQ(task_create(child, 0, &gc[0]), KERN_SUCCESS);
	kc_end_task(gc[0]);
	kc_end_task(gc[1]);
	kc_end_thread(th[0]);
	kc_end_thread(th[1]);
	kc_end_task(child);
}

/* What the child's thread in the next case runs: sends 8 KiB messages until refused. */
static mach_port_name_t kl_dest;
static volatile uint32_t kl_sent, kl_result, kl_done;
static struct {
	mach_msg_header_t h;
	uint8_t body[8192];
} kl_msg;

static void
kl_sender(void)
{
	mach_msg_return_t mr;

	for (;;) {
		kl_msg.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
		kl_msg.h.msgh_size = sizeof kl_msg;
		kl_msg.h.msgh_remote_port = kl_dest;
		kl_msg.h.msgh_local_port = MACH_PORT_NULL;
		kl_msg.h.msgh_id = 7;
		mr = mach_msg(&kl_msg.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof kl_msg, 0, MACH_PORT_NULL, 0,
			      MACH_PORT_NULL);
		if (mr != MACH_MSG_SUCCESS)
			break;
		kl_sent++;
	}
	kl_result = mr;
	kl_done = 1;
	for (;;)
		thread_switch(MACH_PORT_NULL, SWITCH_OPTION_NONE, 0);
}

KC_CASE
queued_messages_are_charged_to_their_sender_until_received(void)
{
	mach_port_t child = MACH_PORT_NULL, p = kc_port(), th = MACH_PORT_NULL;
	mach_port_limits_t ql = { MACH_PORT_QLIMIT_MAX };
	uint32_t l[TASK_LIMITS_COUNT], u[TASK_LIMITS_COUNT], one;
	vm_address_t stack;
	struct kc_msg m;

	CHECK(p);
	CHECK_EQ(mach_port_set_attributes(KC_SELF, p, MACH_PORT_LIMITS_INFO, (integer_t *)&ql, 1), KERN_SUCCESS);
	kl_dest = 0x5151;
	kl_sent = kl_result = kl_done = 0;
	CHECK_EQ(task_create(KC_SELF, 1, &child), KERN_SUCCESS);	/* our code and data, copied */
	CHECK_EQ(mach_port_insert_right(child, kl_dest, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(kl_set(child, TASK_LIMIT_KMEM, 5 * 8192), KERN_SUCCESS);	/* room for 4 such messages */
	stack = kc_alloc(child, 4 * KC_PAGE);
	CHECK(stack);
	CHECK_EQ(kc_thread_at(child, (vm_address_t)kl_sender, stack + 4 * KC_PAGE - 16, &th), KERN_SUCCESS);
	CHECK_EQ(thread_resume(th), KERN_SUCCESS);
	CHECK_EQ(kc_wait_change(child, (vm_address_t)&kl_done, 0), 1);
	CHECK_EQ(kc_word(child, (vm_address_t)&kl_result), MACH_SEND_NO_BUFFER);
	CHECK_EQ(kc_word(child, (vm_address_t)&kl_sent), 4);
	kl_get(child, l, u);
	one = u[TASK_LIMIT_KMEM] / 4;
	CHECK(one > 8192 && one < 8192 + 512);		/* the body and a little of the kernel's own */
	CHECK_EQ(u[TASK_LIMIT_KMEM] % 4, 0);
	CHECK_EQ(kc_poll(p, &m), MACH_RCV_TOO_LARGE);	/* received (as too large for us): given back */
	kl_get(child, l, u);
	CHECK_EQ(u[TASK_LIMIT_KMEM], 3 * one);
	kc_end_thread(th);
	kc_end_task(child);
	mach_port_destroy(KC_SELF, p);			/* the rest go with the port */
}


/*
 * The next case: the child's thread sends one message with no body, and a
 * thread of ours waits for it in a receive, so the IPC fast path could take it.
 */
static volatile mach_msg_return_t kl_rcv_result;
static volatile int kl_receiving;
static mach_port_t kl_rcv_port;

static void
kl_small_sender(void)
{
	mach_msg_header_t h = { .msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0), .msgh_size = sizeof h,
				.msgh_remote_port = kl_dest, .msgh_id = 8 };

	kl_result = mach_msg(&h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof h, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
	kl_done = 1;
	for (;;)
		thread_switch(MACH_PORT_NULL, SWITCH_OPTION_NONE, 0);
}

static void *
kl_receiver(void *arg)
{
	struct kc_msg m;

	(void)arg;
	kl_receiving = 1;
	kl_rcv_result = mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, kl_rcv_port, 1000, MACH_PORT_NULL);
	return NULL;
}

/*
 * A sender the kernel could not charge for a queued message is refused with
 * MACH_SEND_NO_BUFFER even when a receiver is waiting and nothing would be
 * queued: the fast path answers as the slow path does (it delivered once).
 */
KC_CASE
a_sender_over_its_memory_limit_is_refused_by_a_waiting_receiver_too(void)
{
	mach_port_t child = MACH_PORT_NULL, p = kc_port(), th = MACH_PORT_NULL;
	vm_address_t stack;
	cthread_t r;

	CHECK(p);
	kl_rcv_port = p;
	kl_receiving = 0;
	kl_rcv_result = 0;
	kl_dest = 0x5151;
	kl_result = kl_done = 0;
	CHECK_EQ(task_create(KC_SELF, 1, &child), KERN_SUCCESS);
	CHECK_EQ(mach_port_insert_right(child, kl_dest, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(kl_set(child, TASK_LIMIT_KMEM, 16), KERN_SUCCESS);	/* less than any message */
	stack = kc_alloc(child, 4 * KC_PAGE);
	CHECK(stack);
	CHECK_EQ(kc_thread_at(child, (vm_address_t)kl_small_sender, stack + 4 * KC_PAGE - 16, &th), KERN_SUCCESS);
	CHECK_EQ(cthread_fork(&r, kl_receiver, NULL), KERN_SUCCESS);
	for (int i = 0; i < 1000 && !kl_receiving; i++)
		kc_yield(1);
	kc_yield(10);					/* it is blocked in its receive now */
	CHECK_EQ(thread_resume(th), KERN_SUCCESS);
	CHECK_EQ(kc_wait_change(child, (vm_address_t)&kl_done, 0), 1);
	CHECK_EQ(kc_word(child, (vm_address_t)&kl_result), MACH_SEND_NO_BUFFER);
	cthread_join(r);
	CHECK_EQ(kl_rcv_result, MACH_RCV_TIMED_OUT);	/* nothing came */
	kc_end_thread(th);
	kc_end_task(child);
	mach_port_destroy(KC_SELF, p);
}

/*
 * The page reserve is the kernel's (and the privileged tasks'): once user
 * pages are down to it, an ordinary task's name table cannot grow into it.
 * We (the first task, privileged) take user pages down to the reserve in one
 * child; another, not privileged, runs a loop of mach_reply_port traps (code
 * we write into it: a fork would share our pages copy-on-write, and our own
 * next write would find no page) until the kernel refuses a name.
 */
KC_CASE
an_ordinary_task_cannot_take_the_page_reserve(void)
{
	static uint8_t src[16 * KC_PAGE] __attribute__((aligned(4096)));
	static uint8_t code[KC_PAGE] __attribute__((aligned(4096)));
	mach_port_t hog = MACH_PORT_NULL, child = MACH_PORT_NULL, th = MACH_PORT_NULL;
	vm_address_t ua = 0, page, stack;
	uint32_t off = 0, least, *w;
	const uint32_t size = 64u << 20;

	memset(src, 3, sizeof src);
	CHECK_EQ(task_create(KC_SELF, 0, &child), KERN_SUCCESS);
	page = kc_alloc(child, KC_PAGE);
	stack = kc_alloc(child, KC_PAGE);
	CHECK(page && stack);
	/* loop: eax = 11 (mach_reply_port), ebx = &name; int 0x30; until eax != 0, counting; then done = 1 */
	memset(code, 0, sizeof code);
	{
		uint8_t *c = code;
		uint32_t name = page + 0x800, count = page + 0x804, done = page + 0x808;
		*c++ = 0xB8; memcpy(c, &(uint32_t){ 11 }, 4); c += 4;		/* mov $11, %eax */
		*c++ = 0xBB; memcpy(c, &name, 4); c += 4;			/* mov $name, %ebx */
		*c++ = 0xCD; *c++ = 0x30;					/* int $0x30 */
		*c++ = 0x85; *c++ = 0xC0;					/* test %eax, %eax */
		*c++ = 0x75; *c++ = 0x08;					/* jnz done */
		*c++ = 0xFF; *c++ = 0x05; memcpy(c, &count, 4); c += 4;	/* incl count */
		*c++ = 0xEB; *c++ = 0xE8;					/* jmp loop */
		*c++ = 0xC7; *c++ = 0x05; memcpy(c, &done, 4); c += 4;	/* done: movl $1, done */
		memcpy(c, &(uint32_t){ 1 }, 4); c += 4;
		*c++ = 0xEB; *c++ = 0xFE;					/* jmp . */
	}
	CHECK_EQ(vm_write(child, page, (vm_address_t)code, KC_PAGE), KERN_SUCCESS);
	CHECK_EQ(vm_write(child, stack, (vm_address_t)code, KC_PAGE), KERN_SUCCESS);	/* resident */
	CHECK_EQ(kc_thread_at(child, page, stack + KC_PAGE - 16, &th), KERN_SUCCESS);
	CHECK_EQ(task_create(KC_SELF, 0, &hog), KERN_SUCCESS);
	CHECK_EQ(vm_allocate(hog, &ua, size, 1), KERN_SUCCESS);
	while (off < size && vm_write(hog, ua + off, (vm_address_t)src, sizeof src) == KERN_SUCCESS)
		off += sizeof src;
	while (off < size && vm_write(hog, ua + off, (vm_address_t)src, KC_PAGE) == KERN_SUCCESS)
		off += KC_PAGE;
	CHECK(off > 0 && off < size);				/* user pages stopped at the reserve */
	CHECK_EQ(thread_resume(th), KERN_SUCCESS);
	kc_yield(2000);						/* (reading its memory would need pages) */
	least = stats().free_pages;
	kc_end_task(hog);					/* memory back */
	w = (uint32_t *)code;
	w[0] = kc_word(child, page + 0x804);
	w[1] = kc_word(child, page + 0x808);
	printf("# %u KiB of user pages; the other child made %u names, then none; %u pages were free\n",
	       off / 1024, w[0], least);
	CHECK_EQ(w[1], 1);					/* it was refused */
	CHECK(least >= 32);					/* the smallest reserve is whole */
	kc_end_thread(th);
	kc_end_task(child);
}

#define KOBJ_LIMIT_CASES(T)							\
	T(limits_are_inherited_and_no_task_gives_more_than_it_has)		\
	T(a_full_name_space_refuses_new_names_with_no_space)			\
	T(thread_and_task_limits_refuse_with_resource_shortage)		\
	T(queued_messages_are_charged_to_their_sender_until_received)		\
	T(a_sender_over_its_memory_limit_is_refused_by_a_waiting_receiver_too)	\
	T(an_ordinary_task_cannot_take_the_page_reserve)

#endif
