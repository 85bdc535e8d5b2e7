/*
 * A count of bytes with a limit, charged and credited atomically: the kernel
 * memory a task's queued messages hold (TASK_LIMIT_KMEM). Reference counted,
 * because a message outlives its sender: each charged message holds a
 * reference and credits what it was charged when it is received or destroyed.
 */
#ifndef KERN_LEDGER_H
#define KERN_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

struct ledger {
	uint32_t refs;		/* [A] */
	uint32_t used;		/* [A] */
	uint32_t limit;		/* [A] */
};

struct ledger *ledger_create(uint32_t limit);
void ledger_ref(struct ledger *l);
/* May free it: any context that may call kfree. */
void ledger_unref(struct ledger *l);
/* Adds bytes unless that passes the limit; false then, and nothing is charged. */
bool ledger_charge(struct ledger *l, uint32_t bytes);
void ledger_credit(struct ledger *l, uint32_t bytes);

/* Whether ledger_charge(l, bytes) would succeed now (a snapshot: charging is what counts). */
static inline bool
ledger_fits(struct ledger *l, uint32_t bytes)
{
	uint32_t used = __atomic_load_n(&l->used, __ATOMIC_RELAXED);

	return used <= l->limit && bytes <= l->limit - used;
}

#endif
