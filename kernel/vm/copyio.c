/*
 * copyin/copyout (see kern/copyio.h). Both check the whole range first and
 * copy only if all of it is accessible, so a failed copyout changes nothing.
 * Copies go through the kernel's direct map of physical memory.
 */
#include <kern/copyio.h>
#include <kern/lib.h>
#include <kern/task.h>
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

/* The pmap lock is held from the check to the end of the copy (see pmap_lock). */
kern_return_t
copyin(struct task *t, uintptr_t uaddr, void *kbuf, size_t len)
{
	uint32_t f = pmap_lock(t->pmap);
	kern_return_t kr = check_range(t, uaddr, len, false);

	if (kr == KERN_SUCCESS)
		copy_pages(t, uaddr, kbuf, len, false);
	pmap_unlock(t->pmap, f);
	return kr;
}

kern_return_t
copyout(struct task *t, const void *kbuf, uintptr_t uaddr, size_t len)
{
	uint32_t f = pmap_lock(t->pmap);
	kern_return_t kr = check_range(t, uaddr, len, true);

	if (kr == KERN_SUCCESS)
		copy_pages(t, uaddr, (char *)kbuf, len, true);
	pmap_unlock(t->pmap, f);
	return kr;
}

kern_return_t
copyout_check(struct task *t, uintptr_t uaddr, size_t len)
{
	return check_range(t, uaddr, len, true);
}

/*
 * Copies between two tasks' user memory, page piece by page piece through the
 * direct map, after checking both ranges (the IPC fast path's one copy).
 * Both pmaps are locked, in address order, for the whole copy.
 */
kern_return_t
copy_user_to_user(struct task *from, uintptr_t src, struct task *to, uintptr_t dst, size_t len)
{
	struct pmap *a = from->pmap, *b = to->pmap;
	uint32_t fa, fb = 0;
	kern_return_t kr;

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
	while (kr == KERN_SUCCESS && len) {
		size_t n = MIN(len, MIN(PAGE_SIZE - (src & (PAGE_SIZE - 1)), PAGE_SIZE - (dst & (PAGE_SIZE - 1))));
		paddr_t ps, pd;
		int prot;

		pmap_lookup(from->pmap, src, &ps, &prot);
		pmap_lookup(to->pmap, dst, &pd, &prot);
		memcpy(P2V(pd), P2V(ps), n);
		src += n;
		dst += n;
		len -= n;
	}
	if (b != a)
		pmap_unlock(b, fb);
	pmap_unlock(a, fa);
	return kr;
}
