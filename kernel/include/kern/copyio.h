/*
 * Moving bytes between the kernel and a task's user memory. Every user pointer
 * is checked page by page against the task's page tables before a byte moves,
 * so a bad pointer is an error code, never a kernel fault. The task's pmap
 * lock (interrupts off) is held for one page at a time, whatever the length.
 */
#ifndef KERN_COPYIO_H
#define KERN_COPYIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mach/kern_return.h>
#include <kern/task.h>


kern_return_t copyin(struct task *t, uintptr_t uaddr, void *kbuf, size_t len);
kern_return_t copyout(struct task *t, const void *kbuf, uintptr_t uaddr, size_t len);
/*
 * copyout of one word to the current task: what most traps' out-parameters
 * are. An aligned word below USER_TOP never straddles a page, so the store's
 * own fault recovery is the whole check: inline, as the null system call's
 * out-parameter is most of what it does. Anything else goes by copyout.
 */
kern_return_t arch_user_store(uint32_t uaddr, uint32_t value);	/* usercopy.S */
kern_return_t copyout_word_slow(uint32_t value, uintptr_t uaddr);
extern const uintptr_t copyout_word_last;	/* USER_TOP - 4 */
static inline kern_return_t
copyout_word(uint32_t value, uintptr_t uaddr)
{
	if (__builtin_expect(!(uaddr & 3) && uaddr <= copyout_word_last && curtask() != kernel_task, 1))
		return arch_user_store(uaddr, value);
	return copyout_word_slow(value, uaddr);
}
/* Whether copyout to [uaddr, uaddr+len) would succeed; writes nothing. */
kern_return_t copyout_check(struct task *t, uintptr_t uaddr, size_t len);
/* The same check without faulting anything in (cheap enough with IPC's locks held)... */
kern_return_t copyout_check_nofault(struct task *t, uintptr_t uaddr, size_t len);
/* ...and the fault-in, for when that check failed and the locks have been dropped. */
void copyout_prefault(struct task *t, uintptr_t uaddr, size_t len);
/*
 * How many bytes from uaddr (a range below USER_TOP, of the current user
 * task) may be written now: each page written once without a change, so that
 * a page not there yet, or shared copy-on-write, is made writable here, where
 * a fault may wait, not where the writer could not wait for it.
 */
static inline size_t
copyout_probe(uintptr_t uaddr, size_t len)
{
	kern_return_t arch_user_probe(uint32_t uaddr);	/* usercopy.S */
	uintptr_t a = uaddr, end = uaddr + len;

	while (a < end) {
		if (arch_user_probe(a) != KERN_SUCCESS)
			return a - uaddr;
		a = (a | 4095) + 1;	/* the next page */
	}
	return len;
}
/*
 * A user range pinned for writing: the pmap lock is held until copyout_unpin,
 * and the range's pages are where kva says in the direct map.
 */
#define USER_PIN_PAGES 3	/* a page of body, a header and a trailer, wherever they start */
struct user_pin {
	struct task *t;
	uintptr_t base, end;		/* the first page, and the end of the range */
	void *kva[USER_PIN_PAGES];
	uint32_t flags;
};
/* Never faults: false for a page not there or not writable. */
bool copyout_pin(struct task *t, uintptr_t uaddr, size_t len, struct user_pin *pin);
void copyout_pinned(struct user_pin *pin, const void *kbuf, uintptr_t uaddr, size_t len);
void copyout_unpin(struct user_pin *pin);
kern_return_t copy_user_to_user(struct task *from, uintptr_t src, struct task *to, uintptr_t dst, size_t len);

#endif
