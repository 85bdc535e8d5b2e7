/*
 * Exception ports, per exception type, on a task and on each thread
 * (ipc/exc_ports.c): the table task_set_exception_ports and
 * thread_set_exception_ports write and ipc/exception.c reads. Every table is
 * guarded by the owning task's itk_lock.
 */
#ifndef KERN_EXC_PORTS_H
#define KERN_EXC_PORTS_H

#include <stdbool.h>
#include <mach/exception_types.h>
#include <mach/kern_return.h>

struct port;

/* What one exception type is sent as, and where. Slot 0 of a table is unused. */
struct exc_action {
	struct port *port;		/* a send right of its own, or NULL: none */
	exception_behavior_t behavior;	/* EXCEPTION_DEFAULT, _STATE, _STATE_IDENTITY */
	thread_state_flavor_t flavor;	/* i386_THREAD_STATE or i386_TLS_STATE */
};

/* KERN_INVALID_ARGUMENT unless mask is within EXC_MASK_ALL and behavior and flavor are known. */
kern_return_t exc_ports_check(exception_mask_t mask, exception_behavior_t behavior,
			      thread_state_flavor_t flavor);

/*
 * Caller holds the owner's itk_lock. Points every type in mask at port,
 * taking over the caller's one send right (copied for each further type;
 * NULL clears). What the slots held, and the caller's right if no slot took
 * it, go to old[] (EXC_TYPES_COUNT entries, NULL where none): the caller
 * destroys them with exc_ports_release once unlocked.
 */
void exc_ports_set_locked(struct exc_action *tab, exception_mask_t mask, struct port *port,
			  exception_behavior_t behavior, thread_state_flavor_t flavor, struct port **old);

/*
 * Caller holds the owner's itk_lock. mask's types grouped by equal port,
 * behavior and flavor, at most max groups (as Mach, the types past the last
 * group that fits are left out), a send right copied for each group's port.
 * Returns how many groups.
 */
uint32_t exc_ports_get_locked(const struct exc_action *tab, exception_mask_t mask, exception_mask_t *masks,
			      struct port **ports, exception_behavior_t *behaviors,
			      thread_state_flavor_t *flavors, uint32_t max);

/*
 * Caller holds the owner's itk_lock. What TASK_EXCEPTION_PORT and
 * THREAD_EXCEPTION_PORT read: false unless one port stands for every type
 * as their set puts it (EXCEPTION_STATE_IDENTITY, i386_THREAD_STATE), or
 * no type has one; else *port is that port with a send right copied, or NULL.
 */
bool exc_ports_special_locked(const struct exc_action *tab, struct port **port);

/*
 * Caller holds from's owner's itk_lock: every type's action copied into to
 * (slot 0 untouched), a send right copied for each port: task_create's
 * inheritance. to is the caller's until it puts the rights in a table.
 */
void exc_ports_copy_locked(const struct exc_action *from, struct exc_action *to);

/*
 * Caller holds the owner's itk_lock: the type's action, with a send right
 * copied; false when none. Inline: it is on every exception's path.
 */
void port_copy_send(struct port *p);
static inline bool
exc_ports_take_locked(const struct exc_action *tab, int exception, struct exc_action *out)
{
	if (exception <= 0 || exception >= EXC_TYPES_COUNT || !tab[exception].port)
		return false;
	*out = tab[exception];
	port_copy_send(out->port);
	return true;
}

/* Destroys the n send rights in old[] (NULLs skipped). No IPC lock held; inside ipc_begin. */
void exc_ports_release(struct port **old, uint32_t n);

#endif
