/*
 * The control block at the top of every cthread stack region, and how a
 * thread finds its own from %esp (cthread.c, cthread_sync.c and mig_support.c
 * share this; programs see only <manifold/cthread.h>).
 */
#ifndef CTHREAD_BLOCK_H
#define CTHREAD_BLOCK_H

#include <sys/reent.h>
#include <manifold/cthread.h>

/*
 * One thread.   [I] set before the thread runs   [T] only the thread itself
 *               [J] m, the join lock
 */
struct cthread {
	struct cthread *self;		/* [I] points here: a sanity check */
	uint32_t id;			/* [I] cthread_id */
	vm_address_t region;		/* [I] the stack region's base (its guard page) */
	mach_port_t kernel_port;	/* [I] send right to the thread's port (MACH_PORT_NULL for main) */
	mach_port_t reply_port;		/* [T] for mig_get_reply_port; freed by the joiner */
	cthread_fn_t fn;		/* [I] */
	void *arg;			/* [I] */
	void *result;			/* [J] */
	bool done;			/* [J] fn returned or cthread_exit was called */
	bool detached;			/* [J] nobody will join: the runtime reaps it */
	struct cthread *next_dead;	/* [G] the graveyard of ended detached threads (cthread.c) */
	struct cthread_mutex m;
	struct cthread_cond ended;	/* signalled when done is set */
	void *keys[CTHREAD_KEYS];	/* [T] */
	struct _reent *reent;		/* [I] newlib's per-thread state (errno...): main's is the global one */
	struct _reent own_reent;	/* [T] where reent points, for threads other than main */
} __attribute__((aligned(16)));

/* Which CTHREAD_STACK_SIZE-aligned slots of the address space hold cthread stacks. */
extern uint32_t cthread_stack_slots[];

/*
 * The reply port of threads the runtime did not start: main()'s, as before
 * threads existed, so such a thread is exactly as safe as it always was.
 */
extern mach_port_t *cthread_foreign_reply_port;

static inline struct cthread *
cthread_block_of(uintptr_t region)
{
	return (struct cthread *)(region + CTHREAD_STACK_SIZE - sizeof(struct cthread));
}

/*
 * The calling thread's block, or NULL on a stack the runtime did not make
 * (its bit in cthread_stack_slots is clear), so a foreign thread never reads
 * memory that may not be there.
 */
static inline struct cthread *
cthread_current(void)
{
	uintptr_t sp;
	uint32_t slot;

	__asm__("movl %%esp, %0" : "=r"(sp));
	slot = (uint32_t)(sp / CTHREAD_STACK_SIZE);
	if (!(__atomic_load_n(&cthread_stack_slots[slot / 32], __ATOMIC_RELAXED) & (1u << slot % 32)))
		return NULL;
	return cthread_block_of(sp & ~(uintptr_t)(CTHREAD_STACK_SIZE - 1));
}

#endif
