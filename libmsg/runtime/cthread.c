/*
 * C threads: stacks, creation, exit and join, per-thread data. Mutexes and
 * condition variables are in cthread_sync.c; the block every thread keeps at
 * the top of its stack is in cthread_block.h. crt0 moves main() onto a
 * cthread stack through cthread_main_stack() before anything else runs.
 */
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include "cthread_block.h"

#define GUARD_SIZE	4096u
#define SLOTS		(uint32_t)(((uint64_t)1 << 32) / CTHREAD_STACK_SIZE)

uint32_t cthread_stack_slots[SLOTS / 32];
static mach_port_t no_main_reply_port;	/* when main() could not get a cthread stack */
mach_port_t *cthread_foreign_reply_port = &no_main_reply_port;
static uint32_t next_id = 1;		/* [A] */
/* [G] Ended detached threads, whose stacks and ports wait to be given back. */
static struct cthread_mutex graveyard_lock = CTHREAD_MUTEX_INITIALIZER;
static struct cthread *graveyard;

static void reap_graveyard(void);
static int32_t next_key;		/* [A] */

static void
mark_slot(vm_address_t region, bool on)
{
	uint32_t slot = region / CTHREAD_STACK_SIZE;

	if (on)
		__atomic_or_fetch(&cthread_stack_slots[slot / 32], 1u << slot % 32, __ATOMIC_RELEASE);
	else
		__atomic_and_fetch(&cthread_stack_slots[slot / 32], ~(1u << slot % 32), __ATOMIC_RELEASE);
}

/*
 * A CTHREAD_STACK_SIZE region aligned to its size, with a guard page at the
 * bottom. vm_allocate cannot align, so take twice the size and give back the
 * ends; the pages come only when the stack touches them.
 */
static kern_return_t
stack_alloc(vm_address_t *region)
{
	vm_address_t a = 0, base;
	kern_return_t kr = vm_allocate(mach_task_self(), &a, 2 * CTHREAD_STACK_SIZE, 1);

	if (kr != KERN_SUCCESS)
		return kr;
	base = (a + CTHREAD_STACK_SIZE - 1) & ~(vm_address_t)(CTHREAD_STACK_SIZE - 1);
	if (base > a)
		vm_deallocate(mach_task_self(), a, base - a);
	if (a + 2 * CTHREAD_STACK_SIZE > base + CTHREAD_STACK_SIZE)
		vm_deallocate(mach_task_self(), base + CTHREAD_STACK_SIZE, a + CTHREAD_STACK_SIZE - base);
	/* an overflow faults here instead of writing over someone else's memory */
	vm_protect(mach_task_self(), base, GUARD_SIZE, 0, VM_PROT_NONE);
	*region = base;
	return KERN_SUCCESS;
}

static struct cthread *
block_init(vm_address_t region)
{
	struct cthread *t = cthread_block_of(region);

	t->self = t;
	t->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	t->region = region;
	return t;
}

/*
 * Called by crt0 on the loader's stack: makes main()'s thread block and
 * returns the stack pointer to run main() with, or 0 to stay where we are
 * (then main is a foreign thread, and libmsg is single-threaded).
 */
uintptr_t
cthread_main_stack(void)
{
	vm_address_t region;
	struct cthread *t;

	if (stack_alloc(&region) != KERN_SUCCESS)
		return 0;
	t = block_init(region);
	t->reent = _impure_ptr;		/* exit() flushes and runs atexit from there */
	t->kernel_port = mach_thread_self();
	cthread_foreign_reply_port = &t->reply_port;
	mark_slot(region, true);
	return (uintptr_t)cthread_block_of(region);
}

/*
 * newlib (built with __DYNAMIC_REENT__) asks for the calling thread's state
 * here: each cthread has its own errno, strtok and rand state; a thread the
 * runtime did not start shares the global one, as before threads existed.
 */
struct _reent *
__getreent(void)
{
	struct cthread *t = cthread_current();

	return t ? t->reent : _impure_ptr;
}

/* A new thread's first frame: its block as the argument, no return address. */
static void __attribute__((noreturn))
cthread_start(struct cthread *t)
{
	cthread_exit(t->fn(t->arg));
}

kern_return_t
cthread_fork(cthread_t *thread, cthread_fn_t fn, void *arg)
{
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;
	vm_address_t region;
	struct cthread *t;
	uint32_t *sp;
	kern_return_t kr;

	reap_graveyard();	/* a stack given back may be the one we take */
	kr = stack_alloc(&region);
	if (kr != KERN_SUCCESS)
		return kr;
	t = block_init(region);
	_REENT_INIT_PTR(&t->own_reent);
	t->reent = &t->own_reent;
	t->fn = fn;
	t->arg = arg;
	kr = thread_create(mach_task_self(), &t->kernel_port);
	if (kr != KERN_SUCCESS)
		goto fail_stack;
	kr = thread_get_state(t->kernel_port, i386_THREAD_STATE, (natural_t *)&st, &n);
	if (kr != KERN_SUCCESS)
		goto fail_thread;
	/* cthread_start(t) as if called: t 16-byte aligned, a null return address below it */
	sp = (uint32_t *)t - 4;
	sp[0] = (uint32_t)(uintptr_t)t;
	sp[-1] = 0;
	st.eip = (natural_t)(uintptr_t)cthread_start;
	st.esp = (natural_t)(uintptr_t)(sp - 1);
	st.ebp = 0;
	kr = thread_set_state(t->kernel_port, i386_THREAD_STATE, (natural_t *)&st, n);
	if (kr != KERN_SUCCESS)
		goto fail_thread;
	mark_slot(region, true);	/* before it runs: it must find itself */
	kr = thread_resume(t->kernel_port);
	if (kr != KERN_SUCCESS) {
		mark_slot(region, false);
		goto fail_thread;
	}
	*thread = t;
	return KERN_SUCCESS;

fail_thread:
	thread_terminate(t->kernel_port);
	mach_port_destroy(mach_task_self(), t->kernel_port);
fail_stack:
	vm_deallocate(mach_task_self(), region, CTHREAD_STACK_SIZE);
	return kr;
}

/*
 * Asks the kernel to end the calling thread with a request that wants no
 * reply: a reply would be left queued on a port nobody reads.
 */
static void __attribute__((noreturn))
terminate_self(mach_port_t kernel_port)
{
	mach_msg_header_t h = { 0 };

	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	h.msgh_size = sizeof h;
	h.msgh_remote_port = kernel_port;
	h.msgh_id = THREAD_TERMINATE_ID;
	mach_msg(&h, MACH_SEND_MSG, sizeof h, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
	for (;;)	/* the kernel ends us on the way back to user mode */
		thread_switch(MACH_PORT_NULL, SWITCH_OPTION_WAIT, 10);
}

void
cthread_exit(void *result)
{
	struct cthread *t = cthread_current();

	if (!t)
		terminate_self(mach_thread_self());
	if (t->id == 1)
		exit((int)(uintptr_t)result);	/* main's stack is never joined: end the task */
	_reclaim_reent(t->reent);	/* what newlib allocated for us (rand48, dtoa buffers...) */
	cthread_mutex_lock(&t->m);
	t->result = result;
	t->done = true;
	cthread_cond_broadcast(&t->ended);
	if (t->detached) {	/* still under t->m: cthread_detach cannot free us in between */
		cthread_mutex_lock(&graveyard_lock);
		t->next_dead = graveyard;
		graveyard = t;
		cthread_mutex_unlock(&graveyard_lock);
	}
	cthread_mutex_unlock(&t->m);
	terminate_self(t->kernel_port);	/* reaped only once the kernel has removed us */
}

/*
 * The thread said it is done, but may still be on its stack: it is gone once
 * the kernel has removed it (its port is then a dead name), and only then may
 * its stack be freed. It is past its last instruction of ours, so yielding to
 * it ends the wait soon.
 */
static bool
is_gone(mach_port_t kernel_port)
{
	mach_port_type_t type = 0;

	return mach_port_type(mach_task_self(), kernel_port, &type) != KERN_SUCCESS ||
	       type == MACH_PORT_TYPE_DEAD_NAME;
}

static void
wait_until_gone(mach_port_t kernel_port)
{
	while (!is_gone(kernel_port))
		thread_switch(MACH_PORT_NULL, SWITCH_OPTION_WAIT, 1);
}

/* Gives back an ended thread's ports and stack; the kernel has removed it. */
static void
release(struct cthread *t)
{
	mach_port_destroy(mach_task_self(), t->kernel_port);
	if (t->reply_port != MACH_PORT_NULL)
		mach_port_destroy(mach_task_self(), t->reply_port);
	cthread_mutex_destroy(&t->m);
	cthread_cond_destroy(&t->ended);
	mark_slot(t->region, false);
	vm_deallocate(mach_task_self(), t->region, CTHREAD_STACK_SIZE);
}

/* Releases the detached threads that have ended and that the kernel has removed. */
static void
reap_graveyard(void)
{
	struct cthread **link, *t, *gone = NULL;

	if (!__atomic_load_n(&graveyard, __ATOMIC_RELAXED))
		return;
	cthread_mutex_lock(&graveyard_lock);
	for (link = &graveyard; (t = *link) != NULL;) {
		if (is_gone(t->kernel_port)) {
			*link = t->next_dead;
			t->next_dead = gone;
			gone = t;
		} else {
			link = &t->next_dead;
		}
	}
	cthread_mutex_unlock(&graveyard_lock);
	while ((t = gone) != NULL) {
		gone = t->next_dead;
		release(t);
	}
}

void *
cthread_join(cthread_t t)
{
	void *result;

	cthread_mutex_lock(&t->m);
	while (!t->done)
		cthread_cond_wait(&t->ended, &t->m);
	result = t->result;
	cthread_mutex_unlock(&t->m);
	wait_until_gone(t->kernel_port);
	release(t);
	reap_graveyard();
	return result;
}

void
cthread_detach(cthread_t t)
{
	bool done;

	cthread_mutex_lock(&t->m);
	done = t->done;
	t->detached = !done;
	cthread_mutex_unlock(&t->m);
	if (done) {		/* it ended before we let it go: as a join would */
		wait_until_gone(t->kernel_port);
		release(t);
	}
	reap_graveyard();
}

cthread_t
cthread_self(void)
{
	return cthread_current();
}

uint32_t
cthread_id(cthread_t t)
{
	return t ? t->id : 0;
}

kern_return_t
cthread_key_create(cthread_key_t *key)
{
	int32_t k = __atomic_fetch_add(&next_key, 1, __ATOMIC_RELAXED);

	if (k >= CTHREAD_KEYS) {
		__atomic_fetch_sub(&next_key, 1, __ATOMIC_RELAXED);
		return KERN_RESOURCE_SHORTAGE;
	}
	*key = k;
	return KERN_SUCCESS;
}

kern_return_t
cthread_setspecific(cthread_key_t key, void *value)
{
	struct cthread *t = cthread_current();

	if (key < 0 || key >= CTHREAD_KEYS)
		return KERN_INVALID_ARGUMENT;
	if (!t)
		return KERN_FAILURE;
	t->keys[key] = value;
	return KERN_SUCCESS;
}

void *
cthread_getspecific(cthread_key_t key)
{
	struct cthread *t = cthread_current();

	return t && key >= 0 && key < CTHREAD_KEYS ? t->keys[key] : NULL;
}
