/*
 * The ipc suite's cases of exception ports per exception type
 * (task_set_exception_ports, thread_set_exception_ports: kernel/ipc/exc_ports.c,
 * kernel/ipc/exception.c): each behavior delivered and answered, a thread's
 * port before its task's for its own types only, an error answer or a dead
 * port passing the exception on to the task's, bad arguments refused.
 * Included by ipctest.c after its helpers (start_thread, wait_dead_name,
 * handle_one_exception's recovered) and exc_catch.h's handlers.
 */
#ifndef EXC_PORTS_CASES_H
#define EXC_PORTS_CASES_H

/* A divide error (gcc would turn a C division by a variable into a compare) */
static void
worker_divide(void)
{
	__asm__ volatile("xorl %%ecx, %%ecx; divl %%ecx" ::: "eax", "ecx", "edx");
	for (;;)
		;
}

/* A receive right with a send right beside it, under one name. */
static mach_port_t
exc_new_port(void)
{
	mach_port_t p = new_port();

	mach_port_insert_right(ME, p, p, MACH_MSG_TYPE_MAKE_SEND);
	return p;
}

/*
 * Receives one exception request on port and answers it with exc_server's
 * reply, the handler answering `answer` (anything but KERN_SUCCESS: it does
 * nothing); a request whose handler failed has its rights given back, as
 * libmsg's loop does. Without send, the reply right is destroyed instead: a
 * handler that never answers.
 */
static mach_msg_return_t
exc_serve(mach_port_t port, void (*resume_at)(void), kern_return_t answer, bool send)
{
	static union {
		mach_msg_header_t h;
		uint8_t b[512];
	} in, out;
	mach_msg_return_t mr = mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, port, 5000, 0);

	if (mr != MACH_MSG_SUCCESS)
		return mr;
	exc_resume_at = resume_at;
	exc_answer = answer;
	if (!exc_server(&in.h, &out.h)) {
		exc_answer = KERN_SUCCESS;
		return MIG_BAD_ID;
	}
	exc_answer = KERN_SUCCESS;
	if (((mig_reply_error_t *)&out.h)->RetCode != KERN_SUCCESS) {
		in.h.msgh_remote_port = MACH_PORT_NULL;	/* the reply right: out's now */
		mach_msg_destroy(&in.h);
	}
	if (!send) {
		mach_port_deallocate(ME, out.h.msgh_remote_port);
		return MACH_MSG_SUCCESS;
	}
	return mach_msg(&out.h, MACH_SEND_MSG, out.h.msgh_size, 0, 0, 0, 0);
}

static mach_msg_return_t
exc_serve_one_answering(mach_port_t port, void (*resume_at)(void), kern_return_t answer)
{
	return exc_serve(port, resume_at, answer, true);
}

static mach_msg_return_t
exc_serve_one(mach_port_t port, void (*resume_at)(void))
{
	return exc_serve_one_answering(port, resume_at, KERN_SUCCESS);
}

/* A suspended thread of ours that will run fn with its own ports for mask; resume it. */
static mach_port_t
exc_thread(void (*fn)(void), exception_mask_t mask, mach_port_t port, exception_behavior_t behavior,
	   thread_state_flavor_t flavor)
{
	static uint32_t stack[1024] __attribute__((aligned(16)));
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;
	mach_port_t th = MACH_PORT_NULL;

	if (thread_create(ME, &th) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	if (mask && thread_set_exception_ports(th, mask, port, behavior, flavor) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &n);
	st.eip = (natural_t)(uintptr_t)fn;
	st.esp = (natural_t)(uintptr_t)&stack[1020];
	thread_set_state(th, i386_THREAD_STATE, (natural_t *)&st, n);
	return th;
}

/* The exception came to port, its handler sent th to recovered, and th ended there. */
static bool
exc_caught(mach_port_t port, mach_port_t th)
{
	return exc_serve_one(port, recovered) == MACH_MSG_SUCCESS && wait_dead_name(th) &&
	       recovered_flag == 0x600D;
}

/* The task's ports cleared, th and the ports of the case destroyed (MACH_PORT_NULL: none). */
static void
exc_case_done(mach_port_t th, mach_port_t a, mach_port_t b)
{
	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_ALL, MACH_PORT_NULL, EXCEPTION_DEFAULT, i386_THREAD_STATE),
		 KERN_SUCCESS);
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, a);
	if (b)
		mach_port_destroy(ME, b);
}

/* One fault by fn, its exception sent as behavior/flavor to the task's port for mask and answered there. */
static void
exc_one_behavior(void (*fn)(void), exception_mask_t mask, exception_behavior_t behavior,
		 thread_state_flavor_t flavor, int32_t exception)
{
	mach_port_t e = exc_new_port(), th;

	CHECK_EQ(task_set_exception_ports(ME, mask, e, behavior, flavor), KERN_SUCCESS);
	recovered_flag = 0;
	seen_behavior = seen_flavor = seen_exception = 0;
	th = start_thread(fn);
	CHECK(MACH_PORT_VALID(th));
	CHECK(exc_caught(e, th));
	CHECK_EQ(seen_behavior, behavior);
	CHECK_EQ(seen_exception, exception);
	if (behavior != EXCEPTION_DEFAULT)
		CHECK_EQ(seen_flavor, flavor);
	exc_case_done(th, e, MACH_PORT_NULL);
}

static void
exc_default_behavior_sends_exception_raise_and_the_handler_fixes_the_thread(void)
{
	exc_one_behavior(worker_null_write, EXC_MASK_BAD_ACCESS, EXCEPTION_DEFAULT, i386_THREAD_STATE,
			 EXC_BAD_ACCESS);
	CHECK_EQ(seen_code0, KERN_INVALID_ADDRESS);
	CHECK_EQ(seen_code1, 0x10);
}

static void
exc_state_behavior_sends_the_registers_and_takes_new_ones(void)
{
	exc_one_behavior(worker_divide, EXC_MASK_ARITHMETIC, EXCEPTION_STATE, i386_THREAD_STATE, EXC_ARITHMETIC);
}

static void
exc_state_identity_behavior_with_either_flavor(void)
{
	exc_one_behavior(worker_null_write, EXC_MASK_ALL, EXCEPTION_STATE_IDENTITY, i386_THREAD_STATE,
			 EXC_BAD_ACCESS);
	exc_one_behavior(worker_null_write, EXC_MASK_BAD_ACCESS, EXCEPTION_STATE_IDENTITY, i386_TLS_STATE,
			 EXC_BAD_ACCESS);
}

/* Each type goes to its own port: a bad access to one, a divide error to the other. */
static void
exc_each_type_goes_to_the_port_set_for_it(void)
{
	mach_port_t a = exc_new_port(), b = exc_new_port(), th;
	struct simple_msg m;

	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_BAD_ACCESS, a, EXCEPTION_DEFAULT, i386_THREAD_STATE),
		 KERN_SUCCESS);
	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_ARITHMETIC, b, EXCEPTION_STATE, i386_THREAD_STATE),
		 KERN_SUCCESS);
	recovered_flag = 0;
	th = start_thread(worker_divide);
	CHECK(exc_caught(b, th));
	CHECK_EQ(seen_behavior, EXCEPTION_STATE);
	CHECK_EQ(poll(a, &m), MACH_RCV_TIMED_OUT);
	mach_port_destroy(ME, th);
	recovered_flag = 0;
	th = start_thread(worker_null_write);
	CHECK(exc_caught(a, th));
	CHECK_EQ(seen_behavior, EXCEPTION_DEFAULT);
	CHECK_EQ(poll(b, &m), MACH_RCV_TIMED_OUT);
	exc_case_done(th, a, b);
}

/* The thread's port takes only the types it was set for; the rest go to the task's. */
static void
exc_thread_port_comes_first_for_its_own_types_only(void)
{
	mach_port_t te = exc_new_port(), ke = exc_new_port(), th;
	struct simple_msg m;

	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_ALL, ke, EXCEPTION_STATE_IDENTITY, i386_THREAD_STATE),
		 KERN_SUCCESS);
	recovered_flag = 0;
	th = exc_thread(worker_divide, EXC_MASK_ARITHMETIC, te, EXCEPTION_STATE, i386_THREAD_STATE);
	CHECK(MACH_PORT_VALID(th));
	thread_resume(th);
	CHECK(exc_caught(te, th));
	CHECK_EQ(seen_behavior, EXCEPTION_STATE);
	CHECK_EQ(poll(ke, &m), MACH_RCV_TIMED_OUT);
	mach_port_destroy(ME, th);

	recovered_flag = 0;
	th = exc_thread(worker_null_write, EXC_MASK_ARITHMETIC, te, EXCEPTION_STATE, i386_THREAD_STATE);
	CHECK(MACH_PORT_VALID(th));
	thread_resume(th);
	CHECK(exc_caught(ke, th));
	CHECK_EQ(seen_behavior, EXCEPTION_STATE_IDENTITY);
	CHECK_EQ(poll(te, &m), MACH_RCV_TIMED_OUT);
	exc_case_done(th, te, ke);
}

/* The thread's handler answers an error: the task's handler gets the same exception and fixes it. */
static void
exc_error_answer_passes_the_exception_to_the_tasks_port(void)
{
	mach_port_t te = exc_new_port(), ke = exc_new_port(), th;

	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_BAD_ACCESS, ke, EXCEPTION_STATE, i386_THREAD_STATE),
		 KERN_SUCCESS);
	recovered_flag = 0;
	th = exc_thread(worker_null_write, EXC_MASK_ALL, te, EXCEPTION_DEFAULT, i386_THREAD_STATE);
	CHECK(MACH_PORT_VALID(th));
	thread_resume(th);
	CHECK_EQ(exc_serve_one_answering(te, recovered, KERN_FAILURE), MACH_MSG_SUCCESS);
	CHECK_EQ(seen_behavior, EXCEPTION_DEFAULT);
	seen_exception = 0;
	CHECK(exc_caught(ke, th));
	CHECK_EQ(seen_behavior, EXCEPTION_STATE);
	CHECK_EQ(seen_exception, EXC_BAD_ACCESS);
	CHECK_EQ(seen_code1, 0x10);
	exc_case_done(th, te, ke);
}

/* The thread's port is dead before the fault: the task's port gets the exception. */
static void
exc_dead_thread_port_passes_the_exception_to_the_tasks(void)
{
	mach_port_t te = exc_new_port(), ke = exc_new_port(), th;

	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_ALL, ke, EXCEPTION_STATE_IDENTITY, i386_THREAD_STATE),
		 KERN_SUCCESS);
	recovered_flag = 0;
	th = exc_thread(worker_null_write, EXC_MASK_BAD_ACCESS, te, EXCEPTION_DEFAULT, i386_THREAD_STATE);
	CHECK(MACH_PORT_VALID(th));
	mach_port_destroy(ME, te);	/* the kernel's send rights to it are dead names now */
	thread_resume(th);
	CHECK(exc_caught(ke, th));
	CHECK_EQ(seen_behavior, EXCEPTION_STATE_IDENTITY);
	exc_case_done(th, ke, MACH_PORT_NULL);
}

/* A bit outside EXC_MASK_ALL, an unknown behavior or a flavor that does not fit: refused, nothing set. */
static void
exc_ports_bad_arguments_are_refused(void)
{
	mach_port_t e = exc_new_port(), th, got = MACH_PORT_NULL;

	CHECK_EQ(thread_create(ME, &th), KERN_SUCCESS);
	CHECK_EQ(task_set_exception_ports(ME, 1u << 0, e, EXCEPTION_DEFAULT, i386_THREAD_STATE),
		 KERN_INVALID_ARGUMENT);
	CHECK_EQ(task_set_exception_ports(ME, 1u << EXC_TYPES_COUNT, e, EXCEPTION_DEFAULT, i386_THREAD_STATE),
		 KERN_INVALID_ARGUMENT);
	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_ALL, e, 0, i386_THREAD_STATE), KERN_INVALID_ARGUMENT);
	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_ALL, e, 4, i386_THREAD_STATE), KERN_INVALID_ARGUMENT);
	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_ALL, e, EXCEPTION_STATE, i386_FXSAVE_STATE),
		 KERN_INVALID_ARGUMENT);
	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_ALL, e, EXCEPTION_STATE, 99), KERN_INVALID_ARGUMENT);
	CHECK_EQ(thread_set_exception_ports(th, 0x80000000u, e, EXCEPTION_DEFAULT, i386_THREAD_STATE),
		 KERN_INVALID_ARGUMENT);
	CHECK_EQ(thread_set_exception_ports(th, EXC_MASK_ALL, e, 0x80000001, i386_THREAD_STATE),
		 KERN_INVALID_ARGUMENT);
	CHECK_EQ(thread_set_exception_ports(th, EXC_MASK_ALL, e, EXCEPTION_DEFAULT, 0), KERN_INVALID_ARGUMENT);
	CHECK_EQ(refs_of(e, MACH_PORT_RIGHT_SEND), 1);	/* the refused requests' rights came back */
	CHECK_EQ(task_get_special_port(ME, TASK_EXCEPTION_PORT, &got), KERN_SUCCESS);
	CHECK_EQ(got, MACH_PORT_NULL);
	CHECK_EQ(thread_get_special_port(th, THREAD_EXCEPTION_PORT, &got), KERN_SUCCESS);
	CHECK_EQ(got, MACH_PORT_NULL);
	/* an empty mask sets nothing (the right it carried goes: the leak check would see it) */
	CHECK_EQ(task_set_exception_ports(ME, 0, e, EXCEPTION_DEFAULT, i386_THREAD_STATE), KERN_SUCCESS);
	CHECK_EQ(task_get_special_port(ME, TASK_EXCEPTION_PORT, &got), KERN_SUCCESS);
	CHECK_EQ(got, MACH_PORT_NULL);
	thread_terminate(th);
	CHECK(wait_dead_name(th));
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, e);
}

/* What get or swap answered: four arrays and their one count (task.defs' SameCount, as in Mach). */
struct exc_got {
	uint32_t masks[EXC_TYPES_COUNT];
	mach_port_t ports[EXC_TYPES_COUNT];
	int32_t behaviors[EXC_TYPES_COUNT], flavors[EXC_TYPES_COUNT];
	mach_msg_type_number_t n;
};

static void
exc_got_room(struct exc_got *g, mach_msg_type_number_t room)
{
	memset(g, 0, sizeof *g);
	g->n = room;
}

static kern_return_t
exc_task_get(mach_port_t task, exception_mask_t mask, struct exc_got *g)
{
	return task_get_exception_ports(task, mask, g->masks, &g->n, g->ports, g->behaviors, g->flavors);
}

static kern_return_t
exc_thread_get(mach_port_t th, exception_mask_t mask, struct exc_got *g)
{
	return thread_get_exception_ports(th, mask, g->masks, &g->n, g->ports, g->behaviors, g->flavors);
}

/* Whether entry i of g is the types mask with port, behavior, flavor (the right given back). */
static bool
exc_got_entry(struct exc_got *g, uint32_t i, exception_mask_t mask, mach_port_t port,
	      exception_behavior_t behavior, thread_state_flavor_t flavor)
{
	bool same = i < g->n && g->masks[i] == mask && g->ports[i] == port && g->behaviors[i] == behavior &&
		    g->flavors[i] == flavor;

	if (i < g->n && MACH_PORT_VALID(g->ports[i]))
		mach_port_deallocate(ME, g->ports[i]);
	return same;
}

/* Types with the same port, behavior and flavor come back as one entry; a type never set as DEFAULT with none. */
static void
exc_get_groups_types_by_port_behavior_and_flavor(void)
{
	mach_port_t a = exc_new_port(), b = exc_new_port();
	struct exc_got g;

	exc_got_room(&g, EXC_TYPES_COUNT);
	CHECK_EQ(exc_task_get(ME, EXC_MASK_ALL, &g), KERN_SUCCESS);
	CHECK_EQ(g.n, 1);
	CHECK(exc_got_entry(&g, 0, EXC_MASK_ALL, MACH_PORT_NULL, EXCEPTION_DEFAULT, i386_THREAD_STATE));
	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_ALL, a, EXCEPTION_STATE_IDENTITY, i386_THREAD_STATE),
		 KERN_SUCCESS);
	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_ARITHMETIC | EXC_MASK_BREAKPOINT, b, EXCEPTION_STATE,
					  i386_TLS_STATE), KERN_SUCCESS);
	exc_got_room(&g, EXC_TYPES_COUNT);
	CHECK_EQ(exc_task_get(ME, EXC_MASK_ALL, &g), KERN_SUCCESS);
	CHECK_EQ(g.n, 2);
	CHECK(exc_got_entry(&g, 0, EXC_MASK_ALL & ~(EXC_MASK_ARITHMETIC | EXC_MASK_BREAKPOINT), a,
			    EXCEPTION_STATE_IDENTITY, i386_THREAD_STATE));
	CHECK(exc_got_entry(&g, 1, EXC_MASK_ARITHMETIC | EXC_MASK_BREAKPOINT, b, EXCEPTION_STATE, i386_TLS_STATE));
	/* only the types asked for */
	exc_got_room(&g, EXC_TYPES_COUNT);
	CHECK_EQ(exc_task_get(ME, EXC_MASK_BREAKPOINT, &g), KERN_SUCCESS);
	CHECK_EQ(g.n, 1);
	CHECK(exc_got_entry(&g, 0, EXC_MASK_BREAKPOINT, b, EXCEPTION_STATE, i386_TLS_STATE));
	/* a caller with room for fewer entries than the answer: refused, its rights released */
	exc_got_room(&g, 1);
	CHECK_EQ(exc_task_get(ME, EXC_MASK_ALL, &g), MIG_ARRAY_TOO_LARGE);
	CHECK_EQ(refs_of(a, MACH_PORT_RIGHT_SEND), 1);
	CHECK_EQ(refs_of(b, MACH_PORT_RIGHT_SEND), 1);
	exc_got_room(&g, EXC_TYPES_COUNT);
	CHECK_EQ(exc_task_get(ME, 1u << 0, &g), KERN_INVALID_ARGUMENT);
	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_ALL, MACH_PORT_NULL, EXCEPTION_DEFAULT, i386_THREAD_STATE),
		 KERN_SUCCESS);
	mach_port_destroy(ME, a);
	mach_port_destroy(ME, b);
}

/* Swap gives back what was there before its set, for the types asked for; the others stay. */
static void
exc_swap_gives_back_what_it_replaced(void)
{
	mach_port_t a = exc_new_port(), b = exc_new_port(), th;
	struct exc_got g;

	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_ALL, a, EXCEPTION_STATE_IDENTITY, i386_THREAD_STATE),
		 KERN_SUCCESS);
	exc_got_room(&g, EXC_TYPES_COUNT);
	CHECK_EQ(task_swap_exception_ports(ME, EXC_MASK_BAD_ACCESS, b, EXCEPTION_DEFAULT, i386_THREAD_STATE,
					   g.masks, &g.n, g.ports, g.behaviors, g.flavors),
		 KERN_SUCCESS);
	CHECK_EQ(g.n, 1);
	CHECK(exc_got_entry(&g, 0, EXC_MASK_BAD_ACCESS, a, EXCEPTION_STATE_IDENTITY, i386_THREAD_STATE));
	exc_got_room(&g, EXC_TYPES_COUNT);
	CHECK_EQ(exc_task_get(ME, EXC_MASK_ALL, &g), KERN_SUCCESS);
	CHECK_EQ(g.n, 2);
	CHECK(exc_got_entry(&g, 0, EXC_MASK_BAD_ACCESS, b, EXCEPTION_DEFAULT, i386_THREAD_STATE));
	CHECK(exc_got_entry(&g, 1, EXC_MASK_ALL & ~EXC_MASK_BAD_ACCESS, a, EXCEPTION_STATE_IDENTITY,
			    i386_THREAD_STATE));
	/* bad arguments: refused, nothing swapped */
	exc_got_room(&g, EXC_TYPES_COUNT);
	CHECK_EQ(task_swap_exception_ports(ME, EXC_MASK_ALL, a, 7, i386_THREAD_STATE, g.masks, &g.n, g.ports,
					   g.behaviors, g.flavors), KERN_INVALID_ARGUMENT);
	CHECK_EQ(refs_of(a, MACH_PORT_RIGHT_SEND), 1);
	/* the thread's own, the same way */
	CHECK_EQ(thread_create(ME, &th), KERN_SUCCESS);
	exc_got_room(&g, EXC_TYPES_COUNT);
	CHECK_EQ(thread_swap_exception_ports(th, EXC_MASK_ARITHMETIC, a, EXCEPTION_STATE, i386_TLS_STATE, g.masks,
					     &g.n, g.ports, g.behaviors, g.flavors),
		 KERN_SUCCESS);
	CHECK_EQ(g.n, 1);
	CHECK(exc_got_entry(&g, 0, EXC_MASK_ARITHMETIC, MACH_PORT_NULL, EXCEPTION_DEFAULT, i386_THREAD_STATE));
	exc_got_room(&g, EXC_TYPES_COUNT);
	CHECK_EQ(thread_swap_exception_ports(th, EXC_MASK_ALL, MACH_PORT_NULL, EXCEPTION_DEFAULT,
					     i386_THREAD_STATE, g.masks, &g.n, g.ports, g.behaviors, g.flavors), KERN_SUCCESS);
	CHECK_EQ(g.n, 2);
	CHECK(exc_got_entry(&g, 0, EXC_MASK_ALL & ~EXC_MASK_ARITHMETIC, MACH_PORT_NULL, EXCEPTION_DEFAULT,
			    i386_THREAD_STATE));
	CHECK(exc_got_entry(&g, 1, EXC_MASK_ARITHMETIC, a, EXCEPTION_STATE, i386_TLS_STATE));
	exc_got_room(&g, EXC_TYPES_COUNT);
	CHECK_EQ(exc_thread_get(th, EXC_MASK_ALL | 0x100, &g), KERN_INVALID_ARGUMENT);
	thread_terminate(th);
	CHECK(wait_dead_name(th));
	mach_port_destroy(ME, th);
	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_ALL, MACH_PORT_NULL, EXCEPTION_DEFAULT, i386_THREAD_STATE),
		 KERN_SUCCESS);
	mach_port_destroy(ME, a);
	mach_port_destroy(ME, b);
}

/* The special ports of before are EXC_MASK_ALL with EXCEPTION_STATE_IDENTITY and i386_THREAD_STATE. */
static void
exc_special_port_is_every_type_as_state_identity(void)
{
	mach_port_t e = exc_new_port(), th;
	struct exc_got g;

	CHECK_EQ(task_set_special_port(ME, TASK_EXCEPTION_PORT, e), KERN_SUCCESS);
	exc_got_room(&g, EXC_TYPES_COUNT);
	CHECK_EQ(exc_task_get(ME, EXC_MASK_ALL, &g), KERN_SUCCESS);
	CHECK_EQ(g.n, 1);
	CHECK(exc_got_entry(&g, 0, EXC_MASK_ALL, e, EXCEPTION_STATE_IDENTITY, i386_THREAD_STATE));
	CHECK_EQ(task_set_special_port(ME, TASK_EXCEPTION_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	CHECK_EQ(thread_create(ME, &th), KERN_SUCCESS);
	CHECK_EQ(thread_set_special_port(th, THREAD_EXCEPTION_PORT, e), KERN_SUCCESS);
	exc_got_room(&g, EXC_TYPES_COUNT);
	CHECK_EQ(exc_thread_get(th, EXC_MASK_ALL, &g), KERN_SUCCESS);
	CHECK_EQ(g.n, 1);
	CHECK(exc_got_entry(&g, 0, EXC_MASK_ALL, e, EXCEPTION_STATE_IDENTITY, i386_THREAD_STATE));
	thread_terminate(th);
	CHECK(wait_dead_name(th));
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, e);
}

static volatile uintptr_t second_bad_address = 0x20;

/* Where the handler sends a child's thread: a second fault (libmsg's calls would use our names). */
static void
worker_faults_again(void)
{
	*(volatile uint32_t *)second_bad_address = 1;
	for (;;)
		;
}

/*
 * task_create gives the child copies of its creator's exception ports, each
 * type's with its behavior and flavor (Mach's ipc_task_init): a fault in the
 * child goes to the handler its creator set, and the child's table shows it.
 */
static void
exc_a_child_task_inherits_its_creators_exception_ports(void)
{
	mach_port_t e = exc_new_port(), child = MACH_PORT_NULL, th = MACH_PORT_NULL;
	vm_address_t stack = 0;
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;
	struct exc_got g;

	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_BAD_ACCESS, e, EXCEPTION_STATE, i386_THREAD_STATE),
		 KERN_SUCCESS);
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	/* the child holds copies: ours may go */
	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_ALL, MACH_PORT_NULL, EXCEPTION_DEFAULT, i386_THREAD_STATE),
		 KERN_SUCCESS);
	exc_got_room(&g, EXC_TYPES_COUNT);
	CHECK_EQ(exc_task_get(child, EXC_MASK_ALL, &g), KERN_SUCCESS);
	CHECK_EQ(g.n, 2);
	CHECK(exc_got_entry(&g, 0, EXC_MASK_BAD_ACCESS, e, EXCEPTION_STATE, i386_THREAD_STATE));
	CHECK(exc_got_entry(&g, 1, EXC_MASK_ALL & ~EXC_MASK_BAD_ACCESS, MACH_PORT_NULL, EXCEPTION_DEFAULT,
			    i386_THREAD_STATE));
	/* a thread of the child writes to 0x10; the handler sends it on, to a write to 0x20 */
	CHECK_EQ(vm_allocate(child, &stack, 4 * 4096u, 1), KERN_SUCCESS);
	CHECK_EQ(thread_create(child, &th), KERN_SUCCESS);
	CHECK_EQ(thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &n), KERN_SUCCESS);
	st.eip = (natural_t)(uintptr_t)worker_null_write;
	st.esp = stack + 4 * 4096u - 16;
	CHECK_EQ(thread_set_state(th, i386_THREAD_STATE, (natural_t *)&st, n), KERN_SUCCESS);
	seen_behavior = seen_exception = seen_code1 = 0;
	CHECK_EQ(thread_resume(th), KERN_SUCCESS);
	CHECK_EQ(exc_serve_one(e, worker_faults_again), MACH_MSG_SUCCESS);
	CHECK_EQ(seen_behavior, EXCEPTION_STATE);
	CHECK_EQ(seen_exception, EXC_BAD_ACCESS);
	CHECK_EQ(seen_code1, 0x10);
	CHECK_EQ(exc_serve(e, NULL, KERN_FAILURE, false), MACH_MSG_SUCCESS);	/* never answered */
	CHECK_EQ(seen_code1, 0x20);			/* it went on where the handler said */
	CHECK(wait_dead_name(th));
	CHECK_EQ(type_of(child), MACH_PORT_TYPE_SEND);	/* only the thread ended */
	CHECK_EQ(task_terminate(child), KERN_SUCCESS);
	CHECK_EQ(refs_of(e, MACH_PORT_RIGHT_SEND), 1);	/* the child's copy went with it */
	mach_port_deallocate(ME, child);
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, e);
}

/*
 * TASK_EXCEPTION_PORT and THREAD_EXCEPTION_PORT read a port only where it
 * stands for every type as their set puts it (EXCEPTION_STATE_IDENTITY,
 * i386_THREAD_STATE), MACH_PORT_NULL where no type has one, and otherwise
 * KERN_INVALID_ARGUMENT, nothing written: get_exception_ports says what is
 * there. Before, EXC_BAD_ACCESS's port was read as if it stood for all.
 */
static void
exc_special_port_reads_a_port_only_where_it_stands_for_every_type(void)
{
	mach_port_t e = exc_new_port(), b = exc_new_port(), th = MACH_PORT_NULL, got;

	/* every type set type by type as the special port sets them: the port reads back */
	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_ALL, e, EXCEPTION_STATE_IDENTITY, i386_THREAD_STATE),
		 KERN_SUCCESS);
	got = MACH_PORT_NULL;
	CHECK_EQ(task_get_special_port(ME, TASK_EXCEPTION_PORT, &got), KERN_SUCCESS);
	CHECK_EQ(got, e);
	mach_port_deallocate(ME, got);
	/* one type's port elsewhere */
	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_BAD_ACCESS, b, EXCEPTION_STATE_IDENTITY, i386_THREAD_STATE),
		 KERN_SUCCESS);
	got = 0x777;
	CHECK_EQ(task_get_special_port(ME, TASK_EXCEPTION_PORT, &got), KERN_INVALID_ARGUMENT);
	CHECK_EQ(got, 0x777);
	/* one port for all, with a behavior the special port does not set */
	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_ALL, e, EXCEPTION_DEFAULT, i386_THREAD_STATE), KERN_SUCCESS);
	CHECK_EQ(task_get_special_port(ME, TASK_EXCEPTION_PORT, &got), KERN_INVALID_ARGUMENT);
	/* some types with a port, the others with none */
	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_ALL, MACH_PORT_NULL, EXCEPTION_DEFAULT, i386_THREAD_STATE),
		 KERN_SUCCESS);
	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_ARITHMETIC, e, EXCEPTION_STATE_IDENTITY, i386_THREAD_STATE),
		 KERN_SUCCESS);
	CHECK_EQ(task_get_special_port(ME, TASK_EXCEPTION_PORT, &got), KERN_INVALID_ARGUMENT);
	CHECK_EQ(got, 0x777);
	/* what set_special_port put there reads back, and NULL clears */
	CHECK_EQ(task_set_special_port(ME, TASK_EXCEPTION_PORT, b), KERN_SUCCESS);
	CHECK_EQ(task_get_special_port(ME, TASK_EXCEPTION_PORT, &got), KERN_SUCCESS);
	CHECK_EQ(got, b);
	mach_port_deallocate(ME, got);
	CHECK_EQ(task_set_special_port(ME, TASK_EXCEPTION_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	CHECK_EQ(task_get_special_port(ME, TASK_EXCEPTION_PORT, &got), KERN_SUCCESS);
	CHECK_EQ(got, MACH_PORT_NULL);
	/* a thread's the same way */
	CHECK_EQ(thread_create(ME, &th), KERN_SUCCESS);
	CHECK_EQ(thread_set_exception_ports(th, EXC_MASK_ARITHMETIC, e, EXCEPTION_STATE_IDENTITY, i386_THREAD_STATE),
		 KERN_SUCCESS);
	got = 0x777;
	CHECK_EQ(thread_get_special_port(th, THREAD_EXCEPTION_PORT, &got), KERN_INVALID_ARGUMENT);
	CHECK_EQ(got, 0x777);
	CHECK_EQ(thread_set_special_port(th, THREAD_EXCEPTION_PORT, b), KERN_SUCCESS);
	CHECK_EQ(thread_get_special_port(th, THREAD_EXCEPTION_PORT, &got), KERN_SUCCESS);
	CHECK_EQ(got, b);
	mach_port_deallocate(ME, got);
	thread_terminate(th);
	CHECK(wait_dead_name(th));
	mach_port_destroy(ME, th);
	CHECK_EQ(refs_of(e, MACH_PORT_RIGHT_SEND), 1);	/* every right the kernel held is given back */
	CHECK_EQ(refs_of(b, MACH_PORT_RIGHT_SEND), 1);
	mach_port_destroy(ME, e);
	mach_port_destroy(ME, b);
}

static volatile uint32_t exc_gs_seen;

/* Reads 4 bytes through a TLS segment at 0: a fault at 4, which a handler mends with a segment over tls_words. */
static void
worker_gs_fault(void)
{
	i386_tls_state_t tls = { 0, 0xFFFFF, i386_TLS_LIMIT_IN_PAGES };
	uint16_t sel = i386_TLS_SELECTOR, flat;

	if (thread_set_state(mach_thread_self(), i386_TLS_STATE, (natural_t *)&tls, i386_TLS_STATE_COUNT) ==
	    KERN_SUCCESS) {
		__asm__ volatile("movw %%gs, %0" : "=r"(flat));
		__asm__ volatile("movw %0, %%gs" : : "r"(sel) : "memory");
		exc_gs_seen = gs_read(4);
		__asm__ volatile("movw %0, %%gs" : : "r"(flat) : "memory");
	}
	recovered();
}

/*
 * exc.defs' flavor is inout, as in OSF Mach: a handler given the registers
 * may answer another flavor, here a TLS segment, and the thread takes it as
 * thread_set_state would (xnu's exception_deliver sets the state in the
 * flavor that came back). A flavor no state has is an answer refused: the
 * exception goes on to the task's port.
 */
static void
exc_handler_may_answer_in_another_flavor(void)
{
	mach_port_t te = exc_new_port(), ke = exc_new_port(), th;
	i386_tls_state_t fixed = { (natural_t)(uintptr_t)tls_words, sizeof tls_words - 1, 0 };

	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_BAD_ACCESS, ke, EXCEPTION_STATE, i386_THREAD_STATE),
		 KERN_SUCCESS);
	recovered_flag = exc_gs_seen = 0;
	th = exc_thread(worker_gs_fault, EXC_MASK_BAD_ACCESS, te, EXCEPTION_STATE, i386_THREAD_STATE);
	CHECK(MACH_PORT_VALID(th));
	CHECK_EQ(thread_resume(th), KERN_SUCCESS);
	exc_answer_in(99, &fixed, i386_TLS_STATE_COUNT);
	CHECK_EQ(exc_serve_one(te, NULL), MACH_MSG_SUCCESS);
	CHECK_EQ(seen_flavor, i386_THREAD_STATE);
	CHECK_EQ(seen_code1, 4);
	seen_code1 = 0;
	exc_answer_in(i386_TLS_STATE, &fixed, i386_TLS_STATE_COUNT);
	CHECK_EQ(exc_serve_one(ke, NULL), MACH_MSG_SUCCESS);	/* the registers as they were: the load again */
	exc_answer_in(0, NULL, 0);
	CHECK_EQ(seen_code1, 4);
	CHECK(wait_dead_name(th));
	CHECK_EQ(exc_gs_seen, 0x7105EED2);
	CHECK_EQ(recovered_flag, 0x600D);
	exc_case_done(th, te, ke);
}

static volatile uint32_t fx_exc_saw_xmm0;

/* Loads xmm0 with fx_in and writes to 0x10. */
static void
worker_fx_fault(void)
{
	__asm__ volatile("movdqu %0, %%xmm0" : : "m"(fx_in));
	*(volatile uint32_t *)bad_address = 1;
	for (;;)
		;
}

/* Where the handler sends it: what xmm0 holds now. */
static void
worker_fx_resumed(void)
{
	__asm__ volatile("movdqu %%xmm0, %0" : "=m"(fx_out));
	recovered();
}

/* The handler's look at the waiting thread: its xmm0 read and replaced through the thread's port. */
static void
exc_fx_through_the_port(mach_port_t thread)
{
	i386_fxsave_state_t fx;
	mach_msg_type_number_t n = i386_FXSAVE_STATE_COUNT;

	if (thread_get_state(thread, i386_FXSAVE_STATE, (natural_t *)&fx, &n) != KERN_SUCCESS)
		return;
	fx_exc_saw_xmm0 = memcmp(fx.image + i386_FXSAVE_XMM0, (const void *)fx_in, 16) == 0;
	for (int i = 0; i < 16; i++)
		fx.image[i386_FXSAVE_XMM0 + i] = (uint8_t)(0xA0 + i);
	thread_set_state(thread, i386_FXSAVE_STATE, (natural_t *)&fx, n);
}

/*
 * i386_FXSAVE_STATE is no exception flavor: its 128 words do not fit exc.defs'
 * 32, OSF Mach 3's own bound on i386 (its float state, fnsave's, fits; xnu
 * raised the bound to 144 for its own). A handler that wants the x87 and SSE
 * registers reads and sets them through the thread's port while the thread
 * waits for its answer, and answers the registers as usual.
 */
static void
exc_fxsave_state_goes_by_the_thread_port_not_in_the_message(void)
{
	mach_port_t e = exc_new_port(), th;
	bool same = true;

	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_BAD_ACCESS, e, EXCEPTION_STATE, i386_FXSAVE_STATE),
		 KERN_INVALID_ARGUMENT);
	CHECK_EQ(task_set_exception_ports(ME, EXC_MASK_BAD_ACCESS, e, EXCEPTION_STATE_IDENTITY, i386_THREAD_STATE),
		 KERN_SUCCESS);
	recovered_flag = fx_exc_saw_xmm0 = 0;
	memset((void *)fx_out, 0, sizeof fx_out);
	exc_with_thread = exc_fx_through_the_port;
	th = start_thread(worker_fx_fault);
	CHECK(MACH_PORT_VALID(th));
	CHECK_EQ(exc_serve_one(e, worker_fx_resumed), MACH_MSG_SUCCESS);
	exc_with_thread = NULL;
	CHECK(wait_dead_name(th));
	CHECK_EQ(recovered_flag, 0x600D);
	CHECK_EQ(fx_exc_saw_xmm0, 1);
	for (int i = 0; i < 16; i++)
		same &= ((const volatile uint8_t *)fx_out)[i] == 0xA0 + i;
	CHECK(same);
	exc_case_done(th, e, MACH_PORT_NULL);
}

#endif
