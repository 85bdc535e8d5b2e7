/*
 * Copies between the server and a process's memory. vm_read and vm_write work
 * on whole pages, so a write reads the pages around the bytes first and
 * writes them all back: a process has one thread, which waits in the kernel
 * while we do this, so nothing of its own changes those pages meanwhile.
 * (With threads, a per-process lock around the read-modify-write is needed,
 * or a mapped window onto the process's memory.)
 */
#include <string.h>
#include "linux.h"
#include "umem.h"

#define ME mach_task_self()
#define PAGE 4096u
#define USER_END 0xC0000000u

/* The whole pages around [addr, addr + len), or false when the range is not a user one. */
static bool
page_span(uint32_t addr, size_t len, uint32_t *lo, uint32_t *size)
{
	if (len == 0 || len > UMEM_MAX || addr >= USER_END || len > USER_END - addr)
		return false;
	*lo = addr & ~(PAGE - 1);
	*size = ((addr + (uint32_t)len + PAGE - 1) & ~(PAGE - 1)) - *lo;
	return true;
}

/* A copy of the whole pages around [addr, addr + len) in our space, or -LNX_EFAULT. */
static int
read_pages(struct process *p, uint32_t addr, size_t len, vm_offset_t *data, uint32_t *lo, uint32_t *size)
{
	mach_msg_type_number_t count = 0;

	if (!page_span(addr, len, lo, size))
		return -LNX_EFAULT;
	if (vm_read(p->task, *lo, *size, data, &count) != KERN_SUCCESS)
		return -LNX_EFAULT;
	if (count < *size) {
		vm_deallocate(ME, *data, count);
		return -LNX_EFAULT;
	}
	return 0;
}

int
umem_read(struct process *p, uint32_t addr, void *buf, size_t len)
{
	vm_offset_t data = 0;
	uint32_t lo, size;
	int r;

	if (len == 0)
		return 0;
	if ((r = read_pages(p, addr, len, &data, &lo, &size)) != 0)
		return r;
	memcpy(buf, (const char *)data + (addr - lo), len);
	vm_deallocate(ME, data, size);
	return 0;
}

int
umem_write(struct process *p, uint32_t addr, const void *buf, size_t len)
{
	vm_offset_t data = 0;
	uint32_t lo, size;
	kern_return_t kr;
	int r;

	if (len == 0)
		return 0;
	if ((r = read_pages(p, addr, len, &data, &lo, &size)) != 0)
		return r;
	memcpy((char *)data + (addr - lo), buf, len);
	kr = vm_write(p->task, lo, data, size);
	vm_deallocate(ME, data, size);
	return kr == KERN_SUCCESS ? 0 : -LNX_EFAULT;
}

int
umem_read_str(struct process *p, struct umem_page *cache, uint32_t addr, char *buf, size_t max)
{
	size_t n = 0;

	while (n < max) {
		uint32_t at = addr + (uint32_t)n, page = at & ~(PAGE - 1);
		int r;

		if (at < addr)
			return -LNX_EFAULT;	/* wrapped past the top */
		if (cache->va != page || page == 0) {
			cache->va = 0;
			if ((r = umem_read(p, page, cache->bytes, PAGE)) != 0)
				return r;
			cache->va = page;
		}
		for (uint32_t i = at - page; i < PAGE && n < max; i++) {
			buf[n] = (char)cache->bytes[i];
			if (buf[n] == '\0')
				return (int)n;
			n++;
		}
	}
	return -LNX_ENAMETOOLONG;
}
