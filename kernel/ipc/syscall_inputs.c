/*
 * A task's syscall inputs (<manifold/syscall_inputs.h>): which buffer of each
 * personality system call the kernel copies into its request, so that the
 * server need not fetch a few bytes with vm_copy_to. A table is immutable
 * once made and shared, by reference, between a task and those created from
 * it; setting a new one replaces the pointer under the task's lock, and with
 * it the task's bitmap of the calls it names (sysin_calls), which each
 * `int 0x80` reads without the lock.
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/syscall_inputs.h>
#include <kern/task.h>
#include "layout.h"

kern_return_t arch_user_copy(void *dst, const void *src, size_t len);	/* usercopy.S */

struct syscall_inputs {
	uint32_t refs;					/* [A] */
	uint32_t count;
	natural_t entries[SYSCALL_INPUTS_MAX];		/* as given */
	uint8_t slot[SYSCALL_INPUT_NR_MAX];		/* by call number: entry index + 1, 0 for none */
};

static void
inputs_unref(struct syscall_inputs *in)
{
	if (in && __atomic_sub_fetch(&in->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(in);
}

static bool
entry_valid(natural_t e)
{
	uint32_t max = SYSCALL_INPUT_MAXLEN(e);

	return (e >> 28) == 0 && SYSCALL_INPUT_ADDR(e) <= SYSCALL_REG_EBP && max <= SYSCALL_DATA_MAX;
}

kern_return_t
syscall_inputs_set(struct task *t, const natural_t *entries, uint32_t count)
{
	struct syscall_inputs *in = NULL, *old;
	uint32_t f, calls[SYSCALL_INPUT_NR_MAX / 32] = { 0 };

	if (count > SYSCALL_INPUTS_MAX)
		return KERN_INVALID_ARGUMENT;
	if (count) {
		if (!(in = kzalloc(sizeof *in)))
			return KERN_RESOURCE_SHORTAGE;
		in->refs = 1;
		in->count = count;
		for (uint32_t i = 0; i < count; i++) {
			natural_t e = entries[i];

			if (!entry_valid(e) || in->slot[SYSCALL_INPUT_NR(e)]) {	/* (bits 0-9 are always below 1,024) */
				kfree(in);
				return KERN_INVALID_ARGUMENT;
			}
			in->entries[i] = e;
			in->slot[SYSCALL_INPUT_NR(e)] = (uint8_t)(i + 1);
			calls[SYSCALL_INPUT_NR(e) / 32] |= 1u << (SYSCALL_INPUT_NR(e) % 32);
		}
	}
	f = spin_lock_irqsave(&t->lock);
	old = t->sysin;
	t->sysin = in;
	for (uint32_t w = 0; w < SYSCALL_INPUT_NR_MAX / 32; w++)
		__atomic_store_n(&t->sysin_calls[w], calls[w], __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&t->lock, f);
	inputs_unref(old);
	return KERN_SUCCESS;
}

void
syscall_inputs_get(struct task *t, natural_t *entries, uint32_t *count)
{
	uint32_t f = spin_lock_irqsave(&t->lock);
	struct syscall_inputs *in = t->sysin;

	*count = in ? in->count : 0;
	if (in)
		memcpy(entries, in->entries, in->count * sizeof *entries);
	spin_unlock_irqrestore(&t->lock, f);
}

void
syscall_inputs_inherit_locked(struct task *child, struct task *parent)
{
	assert_held(&parent->lock);
	child->sysin = parent->sysin;
	memcpy(child->sysin_calls, parent->sysin_calls, sizeof child->sysin_calls);
	if (child->sysin)
		__atomic_add_fetch(&child->sysin->refs, 1, __ATOMIC_RELAXED);
}

void
syscall_inputs_release(struct task *t)
{
	inputs_unref(t->sysin);
	t->sysin = NULL;
	memset(t->sysin_calls, 0, sizeof t->sysin_calls);
}

/* The argument register reg of s (SYSCALL_REG_*). */
static uint32_t
arg_reg(const i386_thread_state_t *s, uint32_t reg)
{
	switch (reg) {
	case SYSCALL_REG_EBX: return s->ebx;
	case SYSCALL_REG_ECX: return s->ecx;
	case SYSCALL_REG_EDX: return s->edx;
	case SYSCALL_REG_ESI: return s->esi;
	case SYSCALL_REG_EDI: return s->edi;
	default: return s->ebp;
	}
}

/*
 * Up to len bytes of our own memory from uaddr, a page at a time, so that a
 * page missing or unreadable ends the copy there; with string, it ends after
 * the first NUL too. How many bytes were copied.
 */
static uint32_t
copy_in_prefix(uint8_t *buf, uint32_t uaddr, uint32_t len, bool string)
{
	uint32_t n = 0;

	if (uaddr >= USER_TOP)
		return 0;
	len = MIN(len, USER_TOP - uaddr);
	while (n < len) {
		uint32_t at = uaddr + n, chunk = MIN(len - n, PAGE_SIZE - (at & (PAGE_SIZE - 1)));

		if (arch_user_copy(buf + n, (const void *)at, chunk) != KERN_SUCCESS)
			break;
		if (string) {
			const uint8_t *nul = memchr(buf + n, 0, chunk);

			if (nul)
				return (uint32_t)(nul - buf) + 1;
		}
		n += chunk;
	}
	return n;
}

bool
syscall_inputs_gather(struct task *t, const i386_thread_state_t *s, uint32_t *addr, uint8_t *buf, uint32_t *len)
{
	uint32_t f, kind, max, want;
	struct syscall_inputs *in;
	natural_t e = 0;
	bool named = false;

	f = spin_lock_irqsave(&t->lock);
	in = t->sysin;
	if (in && s->eax < SYSCALL_INPUT_NR_MAX && in->slot[s->eax]) {
		e = in->entries[in->slot[s->eax] - 1];
		named = true;
	}
	spin_unlock_irqrestore(&t->lock, f);
	*addr = 0;
	*len = 0;
	if (!named)
		return false;
	if (!SYSCALL_INPUT_MAXLEN(e))
		return true;	/* the answer only */
	*addr = arg_reg(s, SYSCALL_INPUT_ADDR(e));
	kind = SYSCALL_INPUT_LEN(e);
	max = SYSCALL_INPUT_MAXLEN(e);
	want = kind <= SYSCALL_REG_EBP ? MIN(arg_reg(s, kind), max) : max;
	*len = copy_in_prefix(buf, *addr, want, kind == SYSCALL_LEN_STRING);
	return true;
}

bool
syscall_outputs_apply(uint32_t addr, const void *data, uint32_t len)
{
	if (len == 0)
		return true;
	if (addr >= USER_TOP || len > USER_TOP - addr)
		return false;
	return arch_user_copy((void *)addr, data, len) == KERN_SUCCESS;
}
