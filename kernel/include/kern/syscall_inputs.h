/*
 * A task's syscall inputs (kernel/ipc/syscall_inputs.c; the format is
 * <manifold/syscall_inputs.h>): set and read through task.defs, inherited by
 * the tasks created from it, used by syscall_port.c for each `int 0x80`.
 */
#ifndef KERN_SYSCALL_INPUTS_H
#define KERN_SYSCALL_INPUTS_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/kern_return.h>
#include <mach/thread_status.h>
#include <manifold/syscall_inputs.h>

struct task;

/* Replaces t's table with a copy of entries (count 0: none). KERN_INVALID_ARGUMENT, KERN_RESOURCE_SHORTAGE. */
kern_return_t syscall_inputs_set(struct task *t, const natural_t *entries, uint32_t count);
/* t's entries as given (SYSCALL_INPUTS_MAX room), and their number. */
void syscall_inputs_get(struct task *t, natural_t *entries, uint32_t *count);
/* A new task shares its creator's table; parent->lock held. */
void syscall_inputs_inherit_locked(struct task *child, struct task *parent);
/* The table's reference goes with the task. */
void syscall_inputs_release(struct task *t);
/*
 * For the current task t, whose thread trapped with registers s, a call that
 * syscall_inputs_may_name said t's table may name (the caller tests it, so
 * that a call it does not name costs no call): false if the table (if any)
 * has no entry for s->eax after all (the call goes as syscall_raise);
 * else the bytes the entry names, copied from t's memory into buf
 * (SYSCALL_DATA_MAX room), their address and their number (none for an
 * entry of the answer only). No lock held: a page may be faulted in.
 */
bool syscall_inputs_gather(struct task *t, const i386_thread_state_t *s, uint32_t *addr, uint8_t *buf,
			   uint32_t *len);
/*
 * Whether t's table may name call nr, read without t's lock, so that an
 * `int 0x80` of a call the table does not name costs a test: a table set
 * meanwhile counts from the next call, and a stale bit only sends the call to
 * syscall_inputs_gather's look under the lock.
 */
#define syscall_inputs_may_name(t, nr)                                                                        \
	((nr) < SYSCALL_INPUT_NR_MAX &&                                                                       \
	 (__atomic_load_n(&(t)->sysin_calls[(nr) / 32], __ATOMIC_RELAXED) >> ((nr) % 32) & 1))
/* An answer's out_data written at addr in the current task; false if it cannot be, wholly. */
bool syscall_outputs_apply(uint32_t addr, const void *data, uint32_t len);

#endif
