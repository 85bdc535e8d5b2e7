/*
 * Copies between the server and a process's memory: one kernel call each,
 * vm_copy_to from the process's task to ours or back, which copies the bytes
 * straight between the two address spaces, any alignment. (vm_read maps
 * whole pages into the server, and a write needed them read first: a pipe
 * round trip, four copies, cost 72,786 instructions that way, 40,594 this
 * way: README.md, Cost.) By its trap (vm_copy_to_quick), which does the RPC's
 * work without its two messages: 1,029 instructions for 64 bytes, where the
 * RPC costs 3,476 (make bench's copy_to rows).
 */
#include <string.h>
#include <manifold/syscall_inputs.h>
#include <manifold/trap.h>
#include "linux.h"
#include "umem.h"

#define ME mach_task_self()
#define PAGE 4096u
#define USER_END 0xC0000000u

/* Whether [addr, addr + len) is a user range a copy may be asked for. */
static bool
user_span(uint32_t addr, size_t len)
{
	return len <= UMEM_MAX && addr < USER_END && len <= USER_END - addr;
}

int
umem_read(struct process *p, uint32_t addr, void *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (!user_span(addr, len) || vm_copy_to_quick(p->task, addr, len, ME, (vm_address_t)buf) != KERN_SUCCESS)
		return -LNX_EFAULT;
	return 0;
}

int
umem_write(struct process *p, uint32_t addr, const void *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (!user_span(addr, len) || vm_copy_to_quick(ME, (vm_address_t)buf, len, p->task, addr) != KERN_SUCCESS)
		return -LNX_EFAULT;
	return 0;
}

int
umem_copy(struct process *from, uint32_t addr, struct process *to, uint32_t dst, size_t len)
{
	if (len == 0)
		return 0;
	if (!user_span(addr, len) || !user_span(dst, len) ||
	    vm_copy_to_quick(from->task, addr, len, to->task, dst) != KERN_SUCCESS)
		return -LNX_EFAULT;
	return 0;
}

/*
 * A call's first string (most calls have one: a path) is read on its own
 * first: up to STR_FIRST bytes, not past its page, where the page itself
 * costs a copy of 4 KiB (some 1,000 instructions more). When its NUL is not
 * there, or for the strings after it (an argv's, which lie together), the
 * page, which stays in the cache.
 */
#define STR_SHORT_DONE 1u	/* cache->va once a short read was made: pages from now on */
#define STR_FIRST 128u

static int
read_str_short(struct process *p, uint32_t addr, char *buf, size_t max)
{
	uint8_t first[STR_FIRST];
	uint32_t len = PAGE - (addr & (PAGE - 1));
	const uint8_t *nul;

	len = len < STR_FIRST ? len : STR_FIRST;
	len = len < max ? len : (uint32_t)max;
	if (addr == 0 || umem_read(p, addr, first, len) != 0 || !(nul = memchr(first, 0, len)))
		return -1;
	memcpy(buf, first, (size_t)(nul - first) + 1);
	return (int)(nul - first);
}

struct umem_given umem_given;
struct umem_answer umem_answer;

int
umem_write_answer(struct process *p, uint32_t addr, const void *buf, size_t len)
{
	if (umem_answer.port == MACH_PORT_NULL || umem_answer.port != p->port || len == 0 ||
	    len > SYSCALL_DATA_MAX || !user_span(addr, len))
		return umem_write(p, addr, buf, len);
	memcpy(umem_answer.data, buf, len);
	*umem_answer.addr = addr;
	*umem_answer.len = (mach_msg_type_number_t)len;
	*umem_answer.fault = (natural_t)-LNX_EFAULT;
	umem_answer.port = MACH_PORT_NULL;
	return 0;
}

int
umem_read_str(struct process *p, struct umem_page *cache, uint32_t addr, char *buf, size_t max)
{
	size_t n = 0;
	const char *nul;
	int r;

	/* the call's path, which the kernel brought in the request: no copy to make */
	if (cache->va == 0 && umem_given.len && umem_given.port == p->port && addr == umem_given.at &&
	    (nul = memchr(umem_given.bytes, 0, umem_given.len)) && (size_t)(nul - umem_given.bytes) < max) {
		memcpy(buf, umem_given.bytes, (size_t)(nul - umem_given.bytes) + 1);
		cache->va = STR_SHORT_DONE;
		return (int)(nul - umem_given.bytes);
	}
	if (cache->va == 0 && (r = read_str_short(p, addr, buf, max)) >= 0) {
		cache->va = STR_SHORT_DONE;
		return r;
	}

	while (n < max) {
		uint32_t at = addr + (uint32_t)n, page = at & ~(PAGE - 1);

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
