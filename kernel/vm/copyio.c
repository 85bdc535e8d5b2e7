/*
 * copyin/copyout (see kern/copyio.h). Both check the whole range first and
 * copy only if all of it is accessible, so a failed copyout changes nothing.
 * Copies go through the kernel's direct map of physical memory.
 */
#include <kern/copyio.h>
#include <kern/lib.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include "layout.h"
#include "pmap.h"

static kern_return_t
check_range(struct task *t, uintptr_t uaddr, size_t len, bool write)
{
	uintptr_t va;

	if (len == 0)
		return KERN_SUCCESS;
	if (uaddr >= USER_TOP || len > USER_TOP - uaddr)
		return KERN_INVALID_ADDRESS;
	for (va = ROUND_DOWN(uaddr, PAGE_SIZE); va < uaddr + len; va += PAGE_SIZE) {
		paddr_t pa;
		int prot;
		if (!pmap_lookup(t->pmap, va, &pa, &prot))
			return KERN_INVALID_ADDRESS;
		if (write && !(prot & PMAP_WRITE))
			return KERN_PROTECTION_FAILURE;
	}
	return KERN_SUCCESS;
}

static void
copy_pages(struct task *t, uintptr_t uaddr, char *kbuf, size_t len, bool to_user)
{
	while (len) {
		size_t n = MIN(len, PAGE_SIZE - (uaddr & (PAGE_SIZE - 1)));
		paddr_t pa;
		int prot;

		pmap_lookup(t->pmap, uaddr, &pa, &prot);
		if (to_user)
			memcpy(P2V(pa), kbuf, n);
		else
			memcpy(kbuf, P2V(pa), n);
		uaddr += n;
		kbuf += n;
		len -= n;
	}
}

/*
 * Brings in the pages of a range the way a user access would (zero fill,
 * copy-on-write), so the check that follows sees them. Failures are left for
 * the check to report.
 */
static void
prefault(struct task *t, uintptr_t uaddr, size_t len, bool write)
{
	if (len == 0 || uaddr >= USER_TOP || len > USER_TOP - uaddr)
		return;
	for (uintptr_t va = ROUND_DOWN(uaddr, PAGE_SIZE); va < uaddr + len; va += PAGE_SIZE) {
		paddr_t pa;
		int prot;
		if ((!pmap_lookup(t->pmap, va, &pa, &prot) || (write && !(prot & PMAP_WRITE))) &&
		    vm_fault(t, va, write) != KERN_SUCCESS)
			return;	/* the check stops here too */
	}
}

/*
 * The common case pays nothing for faulting in: check first, and only when
 * the check fails bring the pages in and check once more.
 */
#define WITH_FAULT_IN(t, uaddr, len, write, checked_op)			\
	do {								\
		for (int try_ = 0;; try_++) {				\
			uint32_t f_ = pmap_lock((t)->pmap);		\
			kr = check_range(t, uaddr, len, write);		\
			if (kr == KERN_SUCCESS)				\
				checked_op;				\
			pmap_unlock((t)->pmap, f_);			\
			if (kr == KERN_SUCCESS || try_ == 1)		\
				break;					\
			prefault(t, uaddr, len, write);			\
		}							\
	} while (0)

/*
 * The common case, a range within one page that is mapped as needed: one
 * page-table lookup, one copy. Returns false when the general path must decide.
 */
static bool
copy_one_page(struct task *t, uintptr_t uaddr, void *kbuf, size_t len, bool to_user)
{
	paddr_t pa;
	int prot;
	uint32_t f;
	bool ok;

	if (len == 0 || uaddr >= USER_TOP || (uaddr & (PAGE_SIZE - 1)) + len > PAGE_SIZE)
		return false;
	f = pmap_lock(t->pmap);
	ok = pmap_lookup(t->pmap, uaddr, &pa, &prot) && (!to_user || (prot & PMAP_WRITE));
	if (ok) {
		if (to_user)
			memcpy(P2V(pa), kbuf, len);
		else
			memcpy(kbuf, P2V(pa), len);
	}
	pmap_unlock(t->pmap, f);
	return ok;
}

/* The pmap lock is held from the check to the end of the copy (see pmap_lock). */
kern_return_t
copyin(struct task *t, uintptr_t uaddr, void *kbuf, size_t len)
{
	kern_return_t kr;

	if (copy_one_page(t, uaddr, kbuf, len, false))
		return KERN_SUCCESS;
	WITH_FAULT_IN(t, uaddr, len, false, copy_pages(t, uaddr, kbuf, len, false));
	return kr;
}

kern_return_t
copyout(struct task *t, const void *kbuf, uintptr_t uaddr, size_t len)
{
	kern_return_t kr;

	if (copy_one_page(t, uaddr, (void *)kbuf, len, true))
		return KERN_SUCCESS;
	WITH_FAULT_IN(t, uaddr, len, true, copy_pages(t, uaddr, (char *)kbuf, len, true));
	return kr;
}

kern_return_t
copyout_check(struct task *t, uintptr_t uaddr, size_t len)
{
	kern_return_t kr;

	WITH_FAULT_IN(t, uaddr, len, true, (void)0);
	return kr;
}

/*
 * Copies between two tasks' user memory, page piece by page piece through the
 * direct map, after checking both ranges (the IPC fast path's one copy).
 * Overlapping ranges of one task are copied as memmove does.
 * Both pmaps are locked, in address order, for the whole copy.
 */
kern_return_t
copy_user_to_user(struct task *from, uintptr_t src, struct task *to, uintptr_t dst, size_t len)
{
	struct pmap *a = from->pmap, *b = to->pmap;
	uint32_t fa, fb = 0;
	kern_return_t kr;
	bool backward;

	if (check_range(from, src, len, false) != KERN_SUCCESS)	/* unlocked: only a hint */
		prefault(from, src, len, false);
	if (check_range(to, dst, len, true) != KERN_SUCCESS)
		prefault(to, dst, len, true);
	if (a > b) {
		struct pmap *x = a;
		a = b;
		b = x;
	}
	fa = pmap_lock(a);
	if (b != a)
		fb = pmap_lock(b);
	kr = check_range(from, src, len, false);
	if (kr == KERN_SUCCESS)
		kr = check_range(to, dst, len, true);
	/* within one task a destination above an overlapping source is copied from the end (vm_copy) */
	backward = from == to && src < dst && dst - src < len;
	if (backward) {
		src += len;
		dst += len;
	}
	while (kr == KERN_SUCCESS && len) {
		size_t n;
		paddr_t ps, pd;
		int prot;

		if (backward) {
			n = MIN(len, MIN(((src - 1) & (PAGE_SIZE - 1)) + 1, ((dst - 1) & (PAGE_SIZE - 1)) + 1));
			src -= n;
			dst -= n;
		} else {
			n = MIN(len, MIN(PAGE_SIZE - (src & (PAGE_SIZE - 1)), PAGE_SIZE - (dst & (PAGE_SIZE - 1))));
		}
		pmap_lookup(from->pmap, src, &ps, &prot);
		pmap_lookup(to->pmap, dst, &pd, &prot);
		memmove(P2V(pd), P2V(ps), n);	/* both pieces may be in one page */
		if (!backward) {
			src += n;
			dst += n;
		}
		len -= n;
	}
	if (b != a)
		pmap_unlock(b, fb);
	pmap_unlock(a, fa);
	return kr;
}

/*
 * Pinning a user range for writing: checks it (faulting pages in if needed) and
 * keeps the task's pmap locked, so the range stays mapped until unpinned; the
 * writes in between need no check of their own. For the IPC fast path, which
 * must know a receiver's buffer is good before it moves any right.
 */
bool
copyout_pin(struct task *t, uintptr_t uaddr, size_t len, uint32_t *flags)
{
	for (int try = 0; try < 2; try++) {
		*flags = pmap_lock(t->pmap);
		if (check_range(t, uaddr, len, true) == KERN_SUCCESS)
			return true;
		pmap_unlock(t->pmap, *flags);
		prefault(t, uaddr, len, true);
	}
	return false;
}

/* Writes into a pinned range (within what copyout_pin checked). */
void
copyout_pinned(struct task *t, const void *kbuf, uintptr_t uaddr, size_t len)
{
	copy_pages(t, uaddr, (char *)kbuf, len, true);
}

void
copyout_unpin(struct task *t, uint32_t flags)
{
	pmap_unlock(t->pmap, flags);
}
