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
