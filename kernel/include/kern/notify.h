/*
 * The kernel's side of notifications (kernel/ipc/notify.c). _locked: the lock
 * of the port p whose state changes (and the space's, where one is named);
 * the notified port is never locked.
 */
#ifndef KERN_NOTIFY_H
#define KERN_NOTIFY_H

#include <kern/ipc.h>

/* A dead-name request: tell `notify` when the port behind `name` in `space` dies. */
struct dnrequest {
	union {
		struct list link;		/* [p] port->dnrequests */
		struct ipc_deferred deferred;	/* [D] or the deferred list, once it fired */
	};
	struct ipc_space *space;
	mach_port_name_t name;
	struct port *notify;		/* a send-once right the kernel holds */
};

/* p died: every dead-name request fires (its name counts the notification's user reference when it turns dead). */
void notify_port_died_locked(struct port *p);
void notify_no_senders_locked(struct port *p);
/* p's receive right to n (a send-once right it takes over); false if n cannot take it. */
bool notify_port_destroyed_locked(struct port *n, struct port *p);
/* name no longer denotes a right to p in s: cancel its request with a port-deleted notification. */
void notify_name_deleted_locked(struct ipc_space *s, mach_port_name_t name, struct port *p);
/* The dead-name request s registered for name on p, or NULL. */
struct dnrequest *notify_dnrequest_find_locked(struct ipc_space *s, mach_port_name_t name, struct port *p);
/* mach_port_rename: the request for old on p (if any) now names new. */
void notify_name_renamed_locked(struct ipc_space *s, mach_port_name_t old, mach_port_name_t new, struct port *p);
/* s is going away: drop every request it registered. */
void notify_space_gone_locked(struct ipc_space *s, struct port *p);
/* The notifications, built by msgc from notify.defs; each takes over the send-once right to dest. No lock needed. */
void notify_send_once(struct port *dest);
void notify_dead_name(struct port *dest, mach_port_name_t name);

#endif
