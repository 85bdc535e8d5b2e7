/*
 * A process's memory: the heap (brk) grows up from the end of its image,
 * mappings (mmap2) are found from MMAP_BASE up, as Linux's legacy layout
 * does, so that neither runs into the other soon. Every call is a vm_* RPC
 * on the process's task port: the kernel checks the addresses, and whatever
 * a process does to its own memory can only hurt itself.
 * Files of fs's: MAP_PRIVATE is fresh memory filled with the file's bytes at
 * the call (the mapping's own from then on, as a private mapping's writes
 * are; later writes to the file do not show in it, which POSIX leaves open);
 * MAP_SHARED maps fs's memory object of the file (file_map: fs is its pager),
 * so every process mapping it, and read and write, see one set of pages.
 */
#include <stdio.h>
#include <manifold/fsc.h>
#include <manifold/trap.h>
#include "fd.h"
#include "fs_file_client.h"
#include "fsfile.h"
#include "linux.h"
#include "syscall.h"
#include "umem.h"

#define ME mach_task_self()
#define PAGE 4096u
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))
#define MMAP_BASE 0x40000000u
#define PRIVATE_MAX (4u << 20)	/* the most text mprotect makes writable at once: one vm_copy_to */
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

/* The fs file a mapping of fd is made from (Linux's checks, in its order): 0 and *port, or -errno. */
static int
map_source(struct process *p, uint32_t fd, uint32_t prot, uint32_t flags, mach_port_t *port)
{
	struct file *f = fd_get(p, fd);
	uint32_t acc;

	if (!f)
		return -LNX_EBADF;
	if (!fsfile_is(f) || fsfile_dir_path(f))
		return -LNX_ENODEV;	/* pipes, sockets, the console, folders, the view's images */
	acc = f->flags & LNX_O_ACCMODE;
	if (acc == LNX_O_WRONLY)
		return -LNX_EACCES;
	if ((flags & LNX_MAP_SHARED) && (prot & LNX_PROT_WRITE) && acc != LNX_O_RDWR)
		return -LNX_EACCES;
	*port = fsfile_port(f);
	return 0;
}

/* MAP_PRIVATE of a file: the bytes from off into the fresh memory at at (len bytes; past the end: zeroes) */
static int
fill_private(struct process *p, mach_port_t port, vm_address_t at, uint32_t len, uint64_t off)
{
	static uint8_t buf[65536];

	for (uint32_t done = 0; done < len;) {
		uint32_t n = len - done < sizeof buf ? len - done : sizeof buf;
		size_t got = 0;
		kern_return_t kr = fsc_read(port, off + done, buf, n, &got);
		int r;

		if (kr != KERN_SUCCESS && got == 0)
			return fsfile_err(kr);
		if (got && (r = umem_write(p, at + done, buf, (uint32_t)got)) != 0)
			return r;
		if (got < n)
			break;	/* the end of the file: the rest stays zero */
		done += n;
	}
	return 0;
}

/* MAP_SHARED of a file: fs's memory object for it, mapped at at (fixed) or found from at */
static int
map_shared(struct process *p, mach_port_t port, vm_address_t *at, uint32_t len, uint64_t off, vm_prot_t vp,
	   bool fixed)
{
	bool writable = vp & VM_PROT_WRITE;
	mach_port_t obj;
	kern_return_t kr = file_map(port, writable, &obj);

	if (kr != KERN_SUCCESS)
		return kr == FS_ERR_ENOMEM || kr == FS_ERR_EDQUOT ? -LNX_ENOMEM : fsfile_err(kr);
	if (off > 0xFFFFFFFFu) {
		mach_port_deallocate(mach_task_self(), obj);
		return -LNX_EINVAL;
	}
	if (fixed)
		vm_deallocate(p->task, *at, len);	/* MAP_FIXED replaces what was there */
	kr = vm_map(p->task, at, len, 0, !fixed, obj, (vm_offset_t)off, FALSE, vp,
		    writable ? VM_PROT_ALL : VM_PROT_READ | VM_PROT_EXECUTE, VM_INHERIT_SHARE);
	mach_port_deallocate(mach_task_self(), obj);	/* the kernel keeps its own while it maps it */
	return kr == KERN_SUCCESS ? 0 : -LNX_ENOMEM;
}

/* mmap2(addr, len, prot, flags, fd, pgoffset): anonymous memory, or a file of fs's */
SYS(mmap2)
{
	uint32_t addr = a[0], len = a[1], prot = a[2], flags = a[3];
	uint64_t off = (uint64_t)a[5] * PAGE;
	mach_port_t port = MACH_PORT_NULL;
	bool file = !(flags & LNX_MAP_ANONYMOUS);
	vm_address_t at;
	vm_prot_t vp = vm_prot_of(prot);
	int r;

	if (len == 0 || len > 0xC0000000u || (flags & LNX_MAP_FIXED && addr & (PAGE - 1)))
		return -LNX_EINVAL;
	if (!(flags & (LNX_MAP_PRIVATE | LNX_MAP_SHARED)))
		return -LNX_EINVAL;
	if (file && (r = map_source(p, a[4], prot, flags, &port)) != 0)
		return r;
	len = PAGE_UP(len);
	if (file && (flags & LNX_MAP_SHARED)) {
		at = flags & LNX_MAP_FIXED ? addr
		     : addr >= MMAP_BASE && addr < 0xC0000000u ? (addr & ~(PAGE - 1)) : MMAP_BASE;
		if ((r = map_shared(p, port, &at, len, off, vp, flags & LNX_MAP_FIXED)) != 0)
			return r;
		return (int32_t)at;
	}
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
	if (file && (r = fill_private(p, port, at, len, off)) != 0) {
		vm_deallocate(p->task, at, len);
		return r;
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

/*
 * The image's runs that exec mapped from the pager's object are shared and
 * at most readable and executable (exec.c), where Linux maps a program's
 * text privately, so that mprotect may make it writable. Asked for that,
 * the range becomes the process's own memory: its bytes copied out, the
 * range given back and allocated again, the bytes copied in (Linux copies
 * a page at its first store; here the whole range at once). Only inside
 * the image ([image_lo, brk_start)); nothing is lost before the new
 * memory is there but by a kernel short of pages, which ends the process.
 * -LNX_EACCES: a range that cannot be read (no page of the image is such).
 */
static int
privatize(struct process *p, uint32_t va, uint32_t len)
{
	vm_address_t tmp = 0, at = va;

	if (vm_allocate(ME, &tmp, len, TRUE) != KERN_SUCCESS)
		return -LNX_ENOMEM;
	if (vm_copy_to_quick(p->task, va, len, ME, tmp) != KERN_SUCCESS) {
		vm_deallocate(ME, tmp, len);
		return -LNX_EACCES;
	}
	if (vm_deallocate(p->task, va, len) != KERN_SUCCESS || vm_allocate(p->task, &at, len, FALSE) != KERN_SUCCESS ||
	    vm_copy_to_quick(ME, tmp, len, p->task, va) != KERN_SUCCESS) {
		vm_deallocate(ME, tmp, len);
		printf("unix: pid %u: no memory for its text made writable: killed\n", p->pid);
		process_exit(p, LNX_SIGKILL);
		return -LNX_ENOMEM;
	}
	vm_deallocate(ME, tmp, len);
	return 0;
}

SYS(mprotect)
{
	uint32_t len = PAGE_UP(a[1]);
	vm_prot_t prot = vm_prot_of(a[2]);
	kern_return_t kr;
	int r;

	if (a[0] & (PAGE - 1))
		return -LNX_EINVAL;
	if (a[1] == 0)
		return 0;
	kr = vm_protect(p->task, a[0], len, FALSE, prot);
	if (kr == KERN_PROTECTION_FAILURE && (prot & VM_PROT_WRITE) && a[0] >= p->image_lo && len <= PRIVATE_MAX &&
	    a[0] + len <= p->brk_start && a[0] + len > a[0]) {
		if ((r = privatize(p, a[0], len)) != 0)
			return r;
		kr = vm_protect(p->task, a[0], len, FALSE, prot);
	}
	if (kr == KERN_PROTECTION_FAILURE)
		return -LNX_EACCES;
	return kr == KERN_SUCCESS ? 0 : kr == KERN_INVALID_ARGUMENT ? -LNX_EINVAL : -LNX_ENOMEM;
}
