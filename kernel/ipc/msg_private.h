/*
 * What msg.c shares with fastpath.c: the check of the rights a message names,
 * and the trailer a receiver asked for.
 */
#ifndef IPC_MSG_PRIVATE_H
#define IPC_MSG_PRIVATE_H

#include <kern/ipc.h>

#define MAX_RIGHTS 64

/* The rights a message names: the header's two, then each port descriptor. */
struct right_use {
	mach_port_name_t name;
	mach_msg_type_name_t disp;
	struct port *port;		/* filled by the check */
	mach_port_name_t *slot;		/* where the message keeps the name (or the port) */
	uint8_t *disp_slot;		/* where it keeps the disposition, if per right */
};


bool ipc_is_send_disposition(mach_msg_type_name_t d);
/* Checks every right against the space; changes nothing. Caller holds ipc_lock. */
mach_msg_return_t ipc_check_rights_locked(struct ipc_space *s, struct right_use *uses, int n);
mach_msg_size_t ipc_trailer_size(mach_msg_option_t option);

/* fastpath.c */
/* MACH_MSG_SUCCESS when delivered straight into a waiting receiver's buffer, else IPC_FASTPATH_NO. */
#define IPC_FASTPATH_NO ((mach_msg_return_t)-1)
mach_msg_return_t ipc_fastpath_send(struct task *t, uintptr_t umsg, mach_msg_option_t option,
				    mach_msg_size_t size);

#endif
