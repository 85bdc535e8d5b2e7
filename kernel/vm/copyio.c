/*
 * copyin/copyout (see kern/copyio.h). Both check the whole range first and
 * copy only if all of it is accessible, so a failed copy changes nothing
 * (unless another thread of the task unmaps the range meanwhile: then the copy
 * stops at that page, with an error, as a user access would).
 * The current task's memory is copied through the MMU (arch/i386/usercopy.S:
 * a fault inside the copy brings the page in or ends the copy with an error,
 * trap.c); another task's goes through the kernel's direct map of physical
 * memory, a page at a time: the pmap lock, and so interrupts off, is held for
 * one page's lookup and copy, never for a whole range a task chose (but for
 * copy_quick's copy between two tasks, at most QUICK_PAGES pages of it).
 */
#include <kern/copyio.h>
#include <kern/lib.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include "layout.h"
#include "pmap.h"

/* Whether a user range lies below USER_TOP (len 0 included). */
static inline bool
user_range(uintptr_t uaddr, size_t len)
{
	return uaddr < USER_TOP && len <= USER_TOP - uaddr;
}

/* Whether a page is there for the access. Caller holds t's pmap lock. */
static kern_return_t
check_page_locked(struct task *t, uintptr_t va, bool write, paddr_t *pa)
{
	int prot;

	if (!pmap_lookup(t->pmap, va, pa, &prot))
		return KERN_INVALID_ADDRESS;
	if (write && !(prot & PMAP_WRITE))
		return KERN_PROTECTION_FAILURE;
	return KERN_SUCCESS;
}

/* Checks every page of the range, taking the pmap lock for one page at a time. */
static kern_return_t
check_range(struct task *t, uintptr_t uaddr, size_t len, bool write)
{
	if (len == 0)
		return KERN_SUCCESS;
	if (!user_range(uaddr, len))
		return KERN_INVALID_ADDRESS;
	for (uintptr_t va = ROUND_DOWN(uaddr, PAGE_SIZE); va < uaddr + len; va += PAGE_SIZE) {
		paddr_t pa;
		uint32_t f = pmap_lock(t->pmap);
		kern_return_t kr = check_page_locked(t, va, write, &pa);
		pmap_unlock(t->pmap, f);
		if (kr != KERN_SUCCESS)
			return kr;
	}
	return KERN_SUCCESS;
}

/*
 * Brings in the pages of a range the way a user access would (zero fill,
 * copy-on-write), so the check that follows sees them. Failures are left for
 * the check to report.
 */
static void
prefault(struct task *t, uintptr_t uaddr, size_t len, bool write)
{
	if (len == 0 || !user_range(uaddr, len))
		return;
	for (uintptr_t va = ROUND_DOWN(uaddr, PAGE_SIZE); va < uaddr + len; va += PAGE_SIZE) {
		paddr_t pa;
		uint32_t f = pmap_lock(t->pmap);
		kern_return_t kr = check_page_locked(t, va, write, &pa);
		pmap_unlock(t->pmap, f);
		if (kr != KERN_SUCCESS && vm_fault(t, va, write) != KERN_SUCCESS)
			return;	/* the check stops here too */
	}
}

/*
 * The common case pays nothing for faulting in: check first, and only when
 * the check fails bring the pages in and check once more.
 */
static kern_return_t
check_with_fault_in(struct task *t, uintptr_t uaddr, size_t len, bool write)
{
	kern_return_t kr = check_range(t, uaddr, len, write);

	if (kr != KERN_SUCCESS) {
		prefault(t, uaddr, len, write);
		kr = check_range(t, uaddr, len, write);
	}
	return kr;
}

/*
 * Copies between a checked user range and the kernel, one page piece under
 * the pmap lock at a time. Each page is looked up again under the lock: one
 * that changed since the check (copy-on-write after a fork) is faulted in
 * once more; one that is gone ends the copy with an error.
 */
static kern_return_t
copy_pages(struct task *t, uintptr_t uaddr, char *kbuf, size_t len, bool to_user)
{
	while (len) {
		size_t n = MIN(len, PAGE_SIZE - (uaddr & (PAGE_SIZE - 1)));
		kern_return_t kr;
		paddr_t pa;

		for (int try = 0;; try++) {
			uint32_t f = pmap_lock(t->pmap);
			kr = check_page_locked(t, uaddr, to_user, &pa);
			if (kr == KERN_SUCCESS) {
				if (to_user)
					memcpy(P2V(pa), kbuf, n);
				else
					memcpy(kbuf, P2V(pa), n);
			}
			pmap_unlock(t->pmap, f);
			if (kr == KERN_SUCCESS || try == 1)
				break;
			if (vm_fault(t, uaddr, to_user) != KERN_SUCCESS)
				break;
		}
		if (kr != KERN_SUCCESS)
			return kr;
		uaddr += n;
		kbuf += n;
		len -= n;
	}
	return KERN_SUCCESS;
}

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

/* usercopy.S: 0, or KERN_INVALID_ADDRESS / KERN_PROTECTION_FAILURE from the fault it met */
kern_return_t arch_user_copy(void *dst, const void *src, size_t len);
kern_return_t arch_user_touch(uint32_t uaddr);	/* usercopy.S: a read of one byte */
kern_return_t arch_user_probe(uint32_t uaddr);	/* usercopy.S: a write that changes nothing */

kern_return_t
copyin(struct task *t, uintptr_t uaddr, void *kbuf, size_t len)
{
	kern_return_t kr;

	/* the current task's memory through the MMU: a fault brings a page in, or fails the copy */
	if (t == curtask() && t != kernel_task)
		return user_range(uaddr, len) ? arch_user_copy(kbuf, (const void *)uaddr, len) : KERN_INVALID_ADDRESS;
	if (copy_one_page(t, uaddr, kbuf, len, false))
		return KERN_SUCCESS;
	kr = check_with_fault_in(t, uaddr, len, false);
	if (kr == KERN_SUCCESS)
		kr = copy_pages(t, uaddr, kbuf, len, false);
	return kr;
}

kern_return_t
copyout(struct task *t, const void *kbuf, uintptr_t uaddr, size_t len)
{
	kern_return_t kr;

	/*
	 * The current task's memory through the MMU. A copy that fails changes
	 * nothing: within one page the first write is the one that faults, and a
	 * longer range is checked first (its pages brought in), as below.
	 */
	if (t == curtask() && t != kernel_task) {
		if (!user_range(uaddr, len))
			return KERN_INVALID_ADDRESS;
		if ((uaddr & (PAGE_SIZE - 1)) + len > PAGE_SIZE &&
		    (kr = check_with_fault_in(t, uaddr, len, true)) != KERN_SUCCESS)
			return kr;
		return arch_user_copy((void *)uaddr, kbuf, len);
	}
	if (copy_one_page(t, uaddr, (void *)kbuf, len, true))
		return KERN_SUCCESS;
	kr = check_with_fault_in(t, uaddr, len, true);
	if (kr == KERN_SUCCESS)
		kr = copy_pages(t, uaddr, (char *)kbuf, len, true);
	return kr;
}

const uintptr_t copyout_word_last = USER_TOP - 4;

/* copyout_word's way for a word its inline check does not take. */
kern_return_t
copyout_word_slow(uint32_t value, uintptr_t uaddr)
{
	return copyout(curtask(), &value, uaddr, sizeof value);
}

kern_return_t
copyout_check(struct task *t, uintptr_t uaddr, size_t len)
{
	return check_with_fault_in(t, uaddr, len, true);
}

kern_return_t
copyout_check_nofault(struct task *t, uintptr_t uaddr, size_t len)
{
	return check_range(t, uaddr, len, true);
}

void
copyout_prefault(struct task *t, uintptr_t uaddr, size_t len)
{
	prefault(t, uaddr, len, true);
}

/*
 * memmove through the direct map, a word at a time (byte loops cost four
 * instructions a byte). A destination above an overlapping source is copied
 * from the end.
 */
static void
move_piece(char *dst, const char *src, size_t n)
{
	size_t words = n >> 2, bytes = n & 3;
	char *d = dst + n - 4;
	const char *s = src + n - 4;

	if (dst <= src || dst >= src + n) {
		memcpy(dst, src, n);
		return;
	}
	__asm__ volatile("std\n\trep movsl\n\tmov %3, %%ecx\n\tadd $3, %%esi\n\tadd $3, %%edi\n\trep movsb\n\tcld"
			 : "+D"(d), "+S"(s), "+c"(words)
			 : "r"(bytes)
			 : "memory");
}

#define QUICK_PAGES 3	/* a 4 KiB body wherever it starts, and then some */

/*
 * A short copy between two ranges that do not overlap, when every page of
 * both is there already: each page looked up once, with both pmaps locked (in
 * address order) for the lookups and the copy, and nothing written unless all
 * are there. False, with nothing written, leaves it to copy_user_to_user's
 * general way, which checks, faults in and copies a piece at a time (a 4 KiB
 * IPC body cost some 1,170 instructions there beside 1,024 for the copy).
 */
static bool
copy_quick(struct task *from, uintptr_t src, struct task *to, uintptr_t dst, size_t len)
{
	uintptr_t s0 = ROUND_DOWN(src, PAGE_SIZE), d0 = ROUND_DOWN(dst, PAGE_SIZE);
	const char *s[QUICK_PAGES];
	char *d[QUICK_PAGES];
	struct pmap *a = from->pmap, *b = to->pmap;
	uint32_t ns, nd, fa, fb = 0, i;
	bool ok = true;

	if (len == 0 || !user_range(src, len) || !user_range(dst, len) || (from == to && src < dst + len && dst < src + len))
		return false;
	ns = (src + len - 1 - s0) / PAGE_SIZE + 1;
	nd = (dst + len - 1 - d0) / PAGE_SIZE + 1;
	if (ns > QUICK_PAGES || nd > QUICK_PAGES)
		return false;
	if (a > b) {
		struct pmap *x = a;
		a = b;
		b = x;
	}
	fa = pmap_lock(a);
	if (b != a)
		fb = pmap_lock(b);
	for (i = 0; i < ns && ok; i++)
		ok = (s[i] = pmap_readable_kva(from->pmap, s0 + i * PAGE_SIZE)) != NULL;
	for (i = 0; i < nd && ok; i++)
		ok = (d[i] = pmap_writable_kva(to->pmap, d0 + i * PAGE_SIZE)) != NULL;
	while (ok && len) {
		uint32_t so = src - s0, dof = dst - d0;
		size_t n = MIN(len, MIN(PAGE_SIZE - (so & (PAGE_SIZE - 1)), PAGE_SIZE - (dof & (PAGE_SIZE - 1))));

		memcpy(d[dof / PAGE_SIZE] + (dof & (PAGE_SIZE - 1)), s[so / PAGE_SIZE] + (so & (PAGE_SIZE - 1)), n);
		src += n;
		dst += n;
		len -= n;
	}
	if (b != a)
		pmap_unlock(b, fb);
	pmap_unlock(a, fa);
	return ok;
}

/*
 * copy_quick where one side is the current task's (out: the source, the
 * IPC fast path's and a server's answer; else the destination): that side
 * is read or written through the MMU, so that only the other task's pages
 * are looked up, and the copy goes in pieces cut at that task's page ends
 * alone. Interrupts stay off from the probe of the current task's pages (a
 * read, or a write that changes nothing, of each, which brings in what the
 * access would) to the copy's end, so that no sibling thread can unmap one
 * between and the copy cannot fault: nothing is written unless all is there.
 * False, with nothing written, as copy_quick's.
 */
static inline __attribute__((always_inline)) bool
copy_quick_current(bool out, struct task *other, uintptr_t src, uintptr_t dst, size_t len)
{
	uintptr_t mine = out ? src : dst, theirs = out ? dst : src, o0 = ROUND_DOWN(theirs, PAGE_SIZE);
	char *o[QUICK_PAGES];
	uint32_t no, f, fo, i;
	bool ok = true;

	no = (theirs + len - 1 - o0) / PAGE_SIZE + 1;
	if (no > QUICK_PAGES)
		return false;
	f = irq_save_off();
	for (uintptr_t va = ROUND_DOWN(mine, PAGE_SIZE); va < mine + len && ok; va += PAGE_SIZE)
		ok = (out ? arch_user_touch(va) : arch_user_probe(va)) == KERN_SUCCESS;
	if (!ok) {
		irq_restore(f);
		return false;
	}
	fo = pmap_lock(other->pmap);
	for (i = 0; i < no && ok; i++)
		ok = (o[i] = out ? pmap_writable_kva(other->pmap, o0 + i * PAGE_SIZE)
				 : (char *)pmap_readable_kva(other->pmap, o0 + i * PAGE_SIZE)) != NULL;
	for (i = 0; ok && len; i++) {
		uint32_t off = i ? 0 : theirs - o0;
		size_t n = MIN(len, PAGE_SIZE - off);

		ok = (out ? arch_user_copy(o[i] + off, (const void *)mine, n)
			  : arch_user_copy((void *)mine, o[i] + off, n)) == KERN_SUCCESS;
		mine += n;
		len -= n;
	}
	pmap_unlock(other->pmap, fo);
	irq_restore(f);
	return ok;
}

/*
 * Copies between two tasks' user memory (the IPC fast path's one copy,
 * vm_copy), page piece by page piece through the direct map, after checking
 * both ranges. Overlapping ranges of one task are copied as memmove does.
 * Both pmaps are locked, in address order, for one piece at a time; a short
 * copy whose pages are all there goes in one hold (copy_quick).
 */
kern_return_t
copy_user_to_user(struct task *from, uintptr_t src, struct task *to, uintptr_t dst, size_t len)
{
	struct pmap *a = from->pmap, *b = to->pmap;
	struct task *me = curtask();
	kern_return_t kr;
	bool quick, backward;

	if (from == to || !len || !user_range(src, len) || !user_range(dst, len))
		quick = copy_quick(from, src, to, dst, len);
	else if (from == me)	/* (each way its own copy of the code: the direction known where it is compiled) */
		quick = copy_quick_current(true, to, src, dst, len);
	else if (to == me)
		quick = copy_quick_current(false, from, src, dst, len);
	else
		quick = copy_quick(from, src, to, dst, len);
	if (quick)
		return KERN_SUCCESS;
	kr = check_with_fault_in(from, src, len, false);
	if (kr == KERN_SUCCESS)
		kr = check_with_fault_in(to, dst, len, true);
	if (a > b) {
		struct pmap *x = a;
		a = b;
		b = x;
	}
	/* within one task a destination above an overlapping source is copied from the end (vm_copy) */
	backward = from == to && src < dst && dst - src < len;
	if (backward) {
		src += len;
		dst += len;
	}
	while (kr == KERN_SUCCESS && len) {
		uintptr_t s, d;
		size_t n;

		if (backward) {
			n = MIN(len, MIN(((src - 1) & (PAGE_SIZE - 1)) + 1, ((dst - 1) & (PAGE_SIZE - 1)) + 1));
			s = src - n;
			d = dst - n;
		} else {
			n = MIN(len, MIN(PAGE_SIZE - (src & (PAGE_SIZE - 1)), PAGE_SIZE - (dst & (PAGE_SIZE - 1))));
			s = src;
			d = dst;
		}
		for (int try = 0;; try++) {
			paddr_t ps, pd;
			uint32_t fa = pmap_lock(a), fb = b != a ? pmap_lock(b) : 0;
			kr = check_page_locked(from, s, false, &ps);
			if (kr == KERN_SUCCESS)
				kr = check_page_locked(to, d, true, &pd);
			if (kr == KERN_SUCCESS)
				move_piece(P2V(pd), P2V(ps), n);	/* both pieces may be in one page */
			if (b != a)
				pmap_unlock(b, fb);
			pmap_unlock(a, fa);
			if (kr == KERN_SUCCESS || try == 1)
				break;
			/* changed since the check: fault both in again, once */
			if (vm_fault(from, s, false) != KERN_SUCCESS || vm_fault(to, d, true) != KERN_SUCCESS)
				break;
		}
		if (backward) {
			src -= n;
			dst -= n;
		} else {
			src += n;
			dst += n;
		}
		len -= n;
	}
	return kr;
}

/*
 * Pinning a user range for writing: checks it, keeps the task's pmap locked,
 * so the range stays mapped until unpinned, and notes where each of its
 * pages is in the direct map; the writes in between need no check or lookup
 * of their own. For the IPC fast path, which must know a receiver's buffer is
 * good before it moves any right; a range of at most USER_PIN_PAGES pages
 * (interrupts stay off while it is pinned). It never faults a page in: its
 * callers hold spin locks, or are an interrupt's handler, and a fault may
 * wait for a pager. False for a page not there or not writable (a
 * copy-on-write one): the slow path's receive brings it in.
 */
bool
copyout_pin(struct task *t, uintptr_t uaddr, size_t len, struct user_pin *pin)
{
	uintptr_t first = ROUND_DOWN(uaddr, PAGE_SIZE);
	uint32_t n = 0;

	if (len == 0 || !user_range(uaddr, len) || (uaddr + len - 1 - first) / PAGE_SIZE >= USER_PIN_PAGES)
		return false;
	pin->flags = pmap_lock(t->pmap);
	for (uintptr_t va = first; va < uaddr + len; va += PAGE_SIZE)
		if (!(pin->kva[n++] = pmap_writable_kva(t->pmap, va))) {	/* one look a page */
			pmap_unlock(t->pmap, pin->flags);
			return false;
		}
	pin->t = t;
	pin->base = first;
	pin->end = uaddr + len;
	return true;
}

/* Writes into a pinned range (within what copyout_pin checked): no lock to take, none to fail. */
void
copyout_pinned(struct user_pin *pin, const void *kbuf, uintptr_t uaddr, size_t len)
{
	const char *k = kbuf;
	uint32_t off = uaddr - pin->base;

	assert(uaddr >= pin->base && len <= pin->end - uaddr);
	if (off + len <= PAGE_SIZE) {	/* within the first page */
		memcpy((char *)pin->kva[0] + off, k, len);
		return;
	}
	while (len) {
		size_t n;

		off = uaddr - pin->base;
		n = MIN(len, PAGE_SIZE - (off & (PAGE_SIZE - 1)));

		memcpy((char *)pin->kva[off / PAGE_SIZE] + (off & (PAGE_SIZE - 1)), k, n);
		uaddr += n;
		k += n;
		len -= n;
	}
}

void
copyout_unpin(struct user_pin *pin)
{
	pmap_unlock(pin->t->pmap, pin->flags);
}
