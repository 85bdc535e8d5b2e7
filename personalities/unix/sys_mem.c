/*
 * A process's memory: the heap (brk) grows up from the end of its image,
 * anonymous mappings (mmap2) are found from MMAP_BASE up, as Linux's legacy
 * layout does, so that neither runs into the other soon. Every call is a
 * vm_* RPC on the process's task port: the kernel checks the addresses, and
 * whatever a process does to its own memory can only hurt itself.
 */
#include "linux.h"
#include "syscall.h"

#define PAGE 4096u
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))
#define MMAP_BASE 0x40000000u
#define BRK_MAX (MMAP_BASE - 0x01000000u)	/* the heap stops 16 MiB short of the mappings */

static vm_prot_t
vm_prot_of(uint32_t prot)
{
	return (prot & LNX_PROT_READ ? VM_PROT_READ : 0) | (prot & LNX_PROT_WRITE ? VM_PROT_WRITE : 0) |
	       (prot & LNX_PROT_EXEC ? VM_PROT_EXECUTE | VM_PROT_READ : 0);
}

/* brk(addr): the new break, or the old one when it cannot move (Linux's answer, not an errno). */
SYS(brk)
{
	uint32_t want = a[0], end;

	if (want < p->brk_start || want > BRK_MAX)
		return (int32_t)p->brk;
	end = PAGE_UP(want);
	if (end > p->brk_mapped) {
		vm_address_t at = p->brk_mapped;

		if (vm_allocate(p->task, &at, end - p->brk_mapped, FALSE) != KERN_SUCCESS)
			return (int32_t)p->brk;
	} else if (end < p->brk_mapped) {
		vm_deallocate(p->task, end, p->brk_mapped - end);
	}
	p->brk_mapped = end;
	p->brk = want;
	return (int32_t)want;
}

/* mmap2(addr, len, prot, flags, fd, pgoffset): anonymous memory only until files exist. */
SYS(mmap2)
{
	uint32_t addr = a[0], len = a[1], prot = a[2], flags = a[3];
	vm_address_t at;
	vm_prot_t vp = vm_prot_of(prot);

	if (len == 0 || len > 0xC0000000u || (flags & LNX_MAP_FIXED && addr & (PAGE - 1)))
		return -LNX_EINVAL;
	if (!(flags & LNX_MAP_ANONYMOUS))
		return -LNX_ENODEV;	/* no files to map yet */
	if (!(flags & (LNX_MAP_PRIVATE | LNX_MAP_SHARED)))
		return -LNX_EINVAL;
	len = PAGE_UP(len);
	if (flags & LNX_MAP_FIXED) {
		at = addr;
		vm_deallocate(p->task, addr, len);	/* MAP_FIXED replaces what was there */
		if (vm_allocate(p->task, &at, len, FALSE) != KERN_SUCCESS)
			return -LNX_ENOMEM;
	} else {
		at = addr >= MMAP_BASE && addr < 0xC0000000u ? (addr & ~(PAGE - 1)) : MMAP_BASE;	/* a hint */
		if (vm_allocate(p->task, &at, len, TRUE) != KERN_SUCCESS)
			return -LNX_ENOMEM;
	}
	if (vp != (VM_PROT_READ | VM_PROT_WRITE))
		vm_protect(p->task, at, len, FALSE, vp);
	return (int32_t)at;
}

SYS(munmap)
{
	if (a[0] & (PAGE - 1) || a[1] == 0)
		return -LNX_EINVAL;
	return vm_deallocate(p->task, a[0], PAGE_UP(a[1])) == KERN_SUCCESS ? 0 : -LNX_EINVAL;
}

SYS(mprotect)
{
	kern_return_t kr;

	if (a[0] & (PAGE - 1))
		return -LNX_EINVAL;
	if (a[1] == 0)
		return 0;
	kr = vm_protect(p->task, a[0], PAGE_UP(a[1]), FALSE, vm_prot_of(a[2]));
	return kr == KERN_SUCCESS ? 0 : kr == KERN_INVALID_ARGUMENT ? -LNX_EINVAL : -LNX_ENOMEM;
}
