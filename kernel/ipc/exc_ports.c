/*
 * Exception port tables: one action (port, behavior, flavor) per exception
 * type, on each task and each thread, under the task's itk_lock. The calls
 * that set and read them are task_rpc.c's and thread_rpc.c's; exception.c
 * sends by them. Each slot holds its own send right, so one port set for
 * EXC_MASK_ALL is six rights the kernel holds, which all go when cleared.
 * A slot without a port reads as EXCEPTION_DEFAULT and i386_THREAD_STATE
 * whatever was set with it, so that what get returns can always be set back.
 */
#include <kern/exc_ports.h>
#include <kern/ipc.h>
#include <mach/thread_status.h>

kern_return_t
exc_ports_check(exception_mask_t mask, exception_behavior_t behavior, thread_state_flavor_t flavor)
{
	if (mask & ~EXC_MASK_ALL)
		return KERN_INVALID_ARGUMENT;
	if (behavior != EXCEPTION_DEFAULT && behavior != EXCEPTION_STATE && behavior != EXCEPTION_STATE_IDENTITY)
		return KERN_INVALID_ARGUMENT;
	if (flavor != i386_THREAD_STATE && flavor != i386_TLS_STATE)	/* what fits exc.defs' 32 words */
		return KERN_INVALID_ARGUMENT;
	return KERN_SUCCESS;
}

void
exc_ports_set_locked(struct exc_action *tab, exception_mask_t mask, struct port *port,
		     exception_behavior_t behavior, thread_state_flavor_t flavor, struct port **old)
{
	bool given = false;	/* the caller's right is in a slot */

	old[0] = NULL;
	for (int i = 1; i < EXC_TYPES_COUNT; i++) {
		old[i] = NULL;
		if (!(mask & (1u << i)))
			continue;
		old[i] = tab[i].port;
		if (port && given)
			port_copy_send(port);
		given = true;
		tab[i].port = port;
		tab[i].behavior = behavior;
		tab[i].flavor = flavor;
	}
	if (!given)
		old[0] = port;
}

uint32_t
exc_ports_get_locked(const struct exc_action *tab, exception_mask_t mask, exception_mask_t *masks,
		     struct port **ports, exception_behavior_t *behaviors, thread_state_flavor_t *flavors,
		     uint32_t max)
{
	uint32_t n = 0, j;

	for (int i = 1; i < EXC_TYPES_COUNT; i++) {
		struct exc_action a = tab[i];

		if (!(mask & (1u << i)))
			continue;
		if (!a.port) {
			a.behavior = EXCEPTION_DEFAULT;
			a.flavor = i386_THREAD_STATE;
		}
		for (j = 0; j < n; j++)
			if (ports[j] == a.port && behaviors[j] == a.behavior && flavors[j] == a.flavor)
				break;
		if (j < n) {
			masks[j] |= 1u << i;
			continue;
		}
		if (n == max)
			break;
		masks[n] = 1u << i;
		ports[n] = a.port;
		behaviors[n] = a.behavior;
		flavors[n] = a.flavor;
		if (ports[n])
			port_copy_send(ports[n]);
		n++;
	}
	return n;
}

bool
exc_ports_special_locked(const struct exc_action *tab, struct port **port)
{
	struct port *p = tab[1].port;

	for (int i = 1; i < EXC_TYPES_COUNT; i++)
		if (tab[i].port != p ||
		    (p && (tab[i].behavior != EXCEPTION_STATE_IDENTITY || tab[i].flavor != i386_THREAD_STATE)))
			return false;
	if (p)
		port_copy_send(p);
	*port = p;
	return true;
}

void
exc_ports_copy_locked(const struct exc_action *from, struct exc_action *to)
{
	for (int i = 1; i < EXC_TYPES_COUNT; i++) {
		to[i] = from[i];
		if (to[i].port)
			port_copy_send(to[i].port);
	}
}

void
exc_ports_release(struct port **old, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (old[i])
			right_destroy_carried(old[i], MACH_MSG_TYPE_PORT_SEND);
}
