/*
 * Ledgers (kern/ledger.h): the compare-and-swap loop makes a charge and its
 * check against the limit one step, so two senders cannot both pass the last
 * free bytes.
 */
#include <kern/kmem.h>
#include <kern/ledger.h>
#include <kern/lib.h>

struct ledger *
ledger_create(uint32_t limit)
{
	struct ledger *l = kzalloc(sizeof *l);

	if (l) {
		l->refs = 1;
		l->limit = limit;
	}
	return l;
}

void
ledger_ref(struct ledger *l)
{
	__atomic_add_fetch(&l->refs, 1, __ATOMIC_RELAXED);
}

void
ledger_unref(struct ledger *l)
{
	if (__atomic_sub_fetch(&l->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		assert(l->used == 0);
		kfree(l);
	}
}

bool
ledger_charge(struct ledger *l, uint32_t bytes)
{
	uint32_t used = __atomic_load_n(&l->used, __ATOMIC_RELAXED);

	do {
		uint32_t limit = __atomic_load_n(&l->limit, __ATOMIC_RELAXED);
		if (bytes > limit || used > limit - bytes)
			return false;
	} while (!__atomic_compare_exchange_n(&l->used, &used, used + bytes, true, __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	return true;
}

void
ledger_credit(struct ledger *l, uint32_t bytes)
{
	uint32_t was = __atomic_fetch_sub(&l->used, bytes, __ATOMIC_ACQ_REL);

	assert(was >= bytes);
	(void)was;
}
