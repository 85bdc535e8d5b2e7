/*
 * What msg.c shares with fastpath.c: the check of the rights a message names,
 * and the trailer a receiver asked for.
 */
#ifndef IPC_MSG_PRIVATE_H
#define IPC_MSG_PRIVATE_H

#include <kern/ipc.h>
#include <kern/ledger.h>
#include <kern/page.h>
#include <kern/task.h>

#define MAX_RIGHTS 64

/* The rights a message names: the header's two, then each port descriptor. */
struct right_use {
	mach_port_name_t name;
	mach_msg_type_name_t disp;
	struct port *port;		/* filled by the check */
	mach_port_name_t *slot;		/* where the message keeps the name (or the port) */
	uint8_t *disp_slot;		/* where it keeps the disposition, if per right */
	struct ipc_entry *entry;	/* filled by the check for the header's two under two names */
	bool dead;			/* the reply's or a body's send or send-once right under a dead
					 * name: it travels as MACH_PORT_DEAD (port NULL), a move taking
					 * one uref (ipc_check_rights_locked) */
};


static inline bool
ipc_is_send_disposition(mach_msg_type_name_t d)
{
	return d >= MACH_MSG_TYPE_MOVE_SEND && d <= MACH_MSG_TYPE_MAKE_SEND_ONCE;
}

/* Checks every right against the space; changes nothing. Caller holds the space's lock. */
mach_msg_return_t ipc_check_rights_locked(struct ipc_space *s, struct right_use *uses, int n);

/*
 * ipc_check_rights_locked's case of the header's two rights under two names
 * (every RPC), inline for the fast path: only each use's name and disp need
 * be set; port and entry are filled. Nothing to count, since one use of a
 * name never needs more than the right has (a send right has a user
 * reference at least).
 */
static inline __attribute__((always_inline)) mach_msg_return_t
ipc_check_header_rights_locked(struct ipc_space *s, struct right_use uses[2])
{
	for (int i = 0; i < 2; i++) {
		uses[i].port = NULL;
		uses[i].entry = NULL;
		if (MACH_PORT_VALID(uses[i].name) &&
		    right_check_entry_locked(s, uses[i].name, uses[i].disp, &uses[i].port, &uses[i].entry) !=
			    KERN_SUCCESS)
			return i == 0 ? MACH_SEND_INVALID_DEST : MACH_SEND_INVALID_REPLY;
	}
	return MACH_MSG_SUCCESS;
}

/*
 * Trailer the receiver asked for: the minimal one, with the sequence number,
 * or with the sender's identity too (elements 2 and more: msgh_sender.val[0]
 * is the sending task's id, as task_self_id and ps give it, 0 for the
 * kernel's own messages; val[1] is 0). Receivers use it to know a client
 * without trusting what the client says of itself.
 */
static inline mach_msg_size_t
ipc_trailer_size(mach_msg_option_t option)
{
	uint32_t elements = (option >> 24) & 0xF;

	if (elements >= MACH_RCV_TRAILER_SENDER)
		return (mach_msg_size_t)sizeof(mach_msg_security_trailer_t);
	return elements >= MACH_RCV_TRAILER_SEQNO ? (mach_msg_size_t)sizeof(mach_msg_seqno_trailer_t)
						  : (mach_msg_size_t)sizeof(mach_msg_trailer_t);
}
/*
 * Whether a message sent to dest with the remote disposition rdisp may go in
 * now: within the queue limit (a limit of 0 keeps a send right's message out
 * even with a receiver waiting, as in Mach), or a send-once message or a
 * kernel object's request, which never wait for room.
 */
static inline bool
ipc_queue_has_room_locked(const struct port *dest, mach_msg_type_name_t rdisp)
{
	return dest->msgcount < dest->qlimit || rdisp == MACH_MSG_TYPE_MOVE_SEND_ONCE ||
	       rdisp == MACH_MSG_TYPE_MAKE_SEND_ONCE || dest->kotype != KOBJ_NONE;
}

/*
 * The right a message came on, used up by its delivery (the receiver's entry,
 * or the kernel's hold, keeps dest): a send right released, a send-once right
 * used, not lost. dest locked. Every receive, slow or fast, ends so.
 */
static inline __attribute__((always_inline)) void
use_dest_right_locked(struct port *dest, mach_msg_type_name_t dest_type)
{
	if (dest_type == MACH_MSG_TYPE_PORT_SEND)
		port_release_send_locked(dest);
	else
		dest->sorights--;
	port_unref_locked(dest);
}

/* Whether t's queued messages must stop: free pages at (twice) the reserve. */
bool ipc_sender_short_of_pages(struct task *t);

/*
 * Whether the slow path could charge t for a simple message of size bytes
 * (MACH_SEND_NO_BUFFER otherwise): the fast path, which holds no kernel
 * memory, leaves such a send to it, so both give the sender the same answer.
 */
static inline bool
ipc_send_would_charge(struct task *t, mach_msg_size_t size)
{
	if (!t->kmem)
		return true;
	if (!ledger_fits(t->kmem, (uint32_t)sizeof(struct kmsg) + size))
		return false;
	return page_free_count() >= 2 * page_reserve_count() || !ipc_sender_short_of_pages(t);
}

/* A member of ps with a message queued, or NULL; ps locked (msg.c). */
struct port *ipc_pset_first_ready_locked(struct pset *ps);

/* fastpath.c */
/* MACH_MSG_SUCCESS when delivered straight into a waiting receiver's buffer, else IPC_FASTPATH_NO. */
#define IPC_FASTPATH_NO ((mach_msg_return_t)-1)
/* fastpath.c's RPC path: sent by the fast path, the receive is still to do */
#define IPC_FASTPATH_SENT ((mach_msg_return_t)-2)
/* fastpath.c's RPC path: a kernel object's request, in the caller's room, to serve (kobject_server_room) */
#define IPC_FASTPATH_KOBJECT ((mach_msg_return_t)-3)
mach_msg_return_t ipc_fastpath_send(struct task *t, uintptr_t umsg, mach_msg_option_t option,
				    mach_msg_size_t size);
/* fastpath.c: true when the answer is in the receive buffer of the thread that asked (kobject.c) */
bool ipc_fastpath_kernel_answer(struct kmsg *req, struct kmsg *out);
/*
 * A receiver's buffer, found writable as it begins to wait, takes what the
 * fast path delivers: the first bytes of it, as many as fit a page of body,
 * its header and the longest trailer.
 */
#define IPC_FASTPATH_RCV_MAX (sizeof(mach_msg_header_t) + PAGE_SIZE + sizeof(mach_msg_security_trailer_t))
/* fastpath.c: for a receive the fast path delivered, the header and trailer into buf, by the receiver */
mach_msg_return_t ipc_fastpath_received(struct thread *me, uintptr_t buf);
/*
 * msg.c: the send the fast path leaves (the reference for everything), for
 * ipc_send and ipc_send_receive (fastpath.c, where the RPC's fast path can
 * be inline).
 */
mach_msg_return_t ipc_send_slow(struct task *t, uintptr_t umsg, mach_msg_option_t option, mach_msg_size_t size,
				mach_msg_timeout_t timeout);

#endif
