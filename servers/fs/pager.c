/*
 * Mapped files: fs as the external pager of each mapped file's memory object
 * (memory_object.defs; the kernel's side is kernel/vm/). file_map makes one
 * object port per file (kept while anyone holds a send right: the clients'
 * from file_map, the kernel's while it maps it), in the server's port set.
 *
 * data_request reads the pages through the library (the part past the end of
 * the file as zeroes) and supplies them; data_return writes a page back, never
 * past the file's size, so a store through a mapping reaches the file when
 * the kernel gives the page back: at the unmap (the last mapping's dirty pages
 * come back before terminate), or when fs asks for dirty pages. fs asks
 * (pager_settle) before it serves a read, write, stat, truncate or sync of a
 * mapped file, so those see every store made before them; before a write or a
 * truncate it also has the kernel drop its pages, so later faults read the
 * file anew. While it asks it receives on the object's port alone (out of the
 * set), so nothing else is served meanwhile.
 *
 * Anyone holding an object's send right (every client that mapped it) can
 * send to it, so a pager message is believed only if the kernel sent it: the
 * sender trailer's task id, 0 for the kernel's own messages (kern/ipc.h's
 * kmsg sender). Any other is refused with FS_ERR_EPERM, and the loop frees
 * the rights and memory it carried.
 */
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <mach/memory_object.h>
#include <mach/notify.h>
#include <manifold/msg.h>
#include "fs_file_server.h"
#include "memory_object_control_client.h"
#include "memory_object_server.h"
#include "srv.h"

#define ME mach_task_self()
#define PAGE 4096u
#define PAGER_MAX SRV_PAGER_MAX	/* mapped files at once; each client quota_maps of them */
#define SETTLE_WAIT_MS 5000	/* the kernel answers a lock_request at once; this is a bound */
#define SETTLE_SLACK_PAGES 64

struct mapped {
	mach_port_t port;	/* the object's port (receive right); MACH_PORT_NULL: free */
	mach_port_t control;	/* the kernel's control port, from init to terminate */
	struct vfs_node node;
	uint32_t owner;		/* the client whose file_map made it, charged for it (quota.c) */
	bool writable;		/* a file_map asked for writes, from a file open for writing */
	bool gone;		/* the file's last link went: pages come back as errors */
	bool completed;		/* [settle] the lock_request's answer came */
};

static struct mapped maps[PAGER_MAX];
static mach_port_t port_set;
/* serve_alone's message's sender, while it serves one (the loop's request is a client's then); -1: none */
static int64_t alone_sender = -1;

/* Whether the pager message being served came from the kernel. */
static bool
from_kernel(void)
{
	uint32_t id;

	if (alone_sender >= 0)
		return alone_sender == 0;
	return msg_request_sender(&id) && id == 0;
}

void
pager_init(mach_port_t set)
{
	port_set = set;
}

static struct mapped *
find(mach_port_t port)
{
	if (!MACH_PORT_VALID(port))
		return NULL;
	for (int i = 0; i < PAGER_MAX; i++)
		if (maps[i].port == port)
			return &maps[i];
	return NULL;
}

static struct mapped *
find_node(const struct vfs_node *n)
{
	for (int i = 0; i < PAGER_MAX; i++)
		if (MACH_PORT_VALID(maps[i].port) && maps[i].node.fs == n->fs && maps[i].node.ino == n->ino &&
		    !maps[i].gone)
			return &maps[i];
	return NULL;
}

/* m's object, if its send rights are really gone (a forged notification leaves it be): true if freed. */
static bool
release(struct mapped *m)
{
	if (!srv_senders_gone(m->port))
		return false;
	if (MACH_PORT_VALID(m->control))
		mach_port_deallocate(ME, m->control);
	mach_port_destroy(ME, m->port);
	vfs_drop(&m->node);	/* the object's hold on its file (pager_object) */
	quota_give(QUOTA_MAPS, m->owner);
	*m = (struct mapped){ 0 };
	return true;
}

bool
pager_no_senders(mach_port_t port)
{
	struct mapped *m = find(port);

	if (!m)
		return false;
	release(m);
	return true;
}

void
pager_forget(const struct vfs_node *n)
{
	for (int i = 0; i < PAGER_MAX; i++)
		if (MACH_PORT_VALID(maps[i].port) && maps[i].node.fs == n->fs && maps[i].node.ino == n->ino)
			maps[i].gone = true;
}

int
pager_count_on(const struct fs *fs)
{
	int n = 0;

	for (int i = 0; i < PAGER_MAX; i++)
		n += MACH_PORT_VALID(maps[i].port) && maps[i].node.fs == fs;
	return n;
}

kern_return_t
pager_object(const struct vfs_node *n, bool writable, mach_port_t *object)
{
	struct mapped *m = find_node(n);
	mach_port_t prev;

	if (!m) {
		for (int i = 0; i < PAGER_MAX && !m; i++)
			if (!MACH_PORT_VALID(maps[i].port))
				m = &maps[i];
		if (!m)
			return srv_kr(-FS_ENOMEM);
		uint32_t who = quota_client();

		if (!quota_take(QUOTA_MAPS, who))
			return FS_ERR_EDQUOT;
		/* the object holds its file: an unlinked file stays mappable while mapped */
		int err = vfs_hold(n);

		if (err) {
			quota_give(QUOTA_MAPS, who);
			return srv_kr(err);
		}
		if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &m->port) != KERN_SUCCESS) {
			m->port = MACH_PORT_NULL;
			vfs_drop(n);
			quota_give(QUOTA_MAPS, who);
			return KERN_RESOURCE_SHORTAGE;
		}
		/* no-senders: neither a client nor the kernel maps or holds it any more */
		if (mach_port_request_notification(ME, m->port, MACH_NOTIFY_NO_SENDERS, 1, m->port,
						   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev) != KERN_SUCCESS ||
		    mach_port_move_member(ME, m->port, port_set) != KERN_SUCCESS) {
			mach_port_destroy(ME, m->port);
			vfs_drop(n);
			quota_give(QUOTA_MAPS, who);
			*m = (struct mapped){ 0 };
			return KERN_RESOURCE_SHORTAGE;
		}
		m->node = *n;
		m->owner = who;
		m->control = MACH_PORT_NULL;
		m->writable = false;
		m->gone = false;
	}
	m->writable |= writable;
	*object = m->port;	/* the reply makes the caller's send right */
	return KERN_SUCCESS;
}

/* ---- the kernel's messages ---- */

kern_return_t
memory_object_do_memory_object_init(mach_port_t mo, mach_port_t control, vm_size_t page_size)
{
	struct mapped *m = find(mo);

	if (!from_kernel())
		return FS_ERR_EPERM;	/* a client's forgery: the loop frees what it carried */
	if (!m || page_size != PAGE) {
		mach_port_deallocate(ME, control);
		return KERN_SUCCESS;
	}
	if (MACH_PORT_VALID(m->control))
		mach_port_deallocate(ME, m->control);
	m->control = control;	/* kept until terminate */
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_data_request(mach_port_t mo, mach_port_t control, vm_offset_t offset,
					    vm_size_t length, vm_prot_t access)
{
	struct mapped *m = find(mo);
	vm_address_t buf = 0;
	size_t done = 0;
	int err = -FS_EIO;

	if (!from_kernel())
		return FS_ERR_EPERM;	/* a client's forgery: the loop frees what it carried */
	length = (length + PAGE - 1) & ~(vm_size_t)(PAGE - 1);
	if (m && !m->gone && length > 0 && vm_allocate(ME, &buf, length, TRUE) == KERN_SUCCESS) {
		err = vfs_read(&m->node, offset, (void *)buf, length, &done);	/* zeroes past the end stay */
		if (!err)
			memory_object_data_supply(control, offset, (uint8_t *)buf, (mach_msg_type_number_t)length,
						  m->writable ? VM_PROT_NONE : VM_PROT_WRITE, FALSE, MACH_PORT_NULL);
		vm_deallocate(ME, buf, length);
	}
	if (err)
		memory_object_data_error(control, offset, length, KERN_MEMORY_ERROR);
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_data_unlock(mach_port_t mo, mach_port_t control, vm_offset_t offset,
					   vm_size_t length, vm_prot_t access)
{
	struct mapped *m = find(mo);

	if (!from_kernel())
		return FS_ERR_EPERM;	/* a client's forgery: the loop frees what it carried */
	/* a write to a page supplied write-locked: allowed only if a mapping for writing was asked for */
	if (m && m->writable && !m->gone)
		memory_object_lock_request(control, offset, length, MEMORY_OBJECT_RETURN_NONE, FALSE, VM_PROT_NONE,
					   MACH_PORT_NULL);
	else
		memory_object_data_error(control, offset, length, KERN_PROTECTION_FAILURE);
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_data_return(mach_port_t mo, mach_port_t control, vm_offset_t offset,
					   uint8_t *data, mach_msg_type_number_t count, boolean_t dirty,
					   boolean_t kernel_copy)
{
	struct mapped *m = find(mo);
	struct fs_stat st;
	size_t done;

	if (!from_kernel())
		return FS_ERR_EPERM;	/* a client's forgery: the loop frees what it carried */
	/* never past the end: a mapping's last page holds zeroes, or stores, beyond it */
	if (m && !m->gone && dirty && m->writable && vfs_getattr(&m->node, &st) == 0 && offset < st.size) {
		uint64_t n = st.size - offset < count ? st.size - offset : count;
		vfs_write(&m->node, offset, data, (size_t)n, &done);
	}
	vm_deallocate(ME, (vm_address_t)data, count);
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_lock_completed(mach_port_t reply_to, mach_port_t control, vm_offset_t offset,
					      vm_size_t length)
{
	struct mapped *m = find(reply_to);

	if (!from_kernel())
		return FS_ERR_EPERM;	/* a client's forgery: the loop frees what it carried */
	if (m)
		m->completed = true;
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_supply_completed(mach_port_t reply_to, mach_port_t control, vm_offset_t offset,
						vm_size_t length, kern_return_t result, vm_offset_t error_offset)
{
	if (!from_kernel())
		return FS_ERR_EPERM;	/* a client's forgery: the loop frees what it carried */
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_terminate(mach_port_t mo, mach_port_t control)
{
	struct mapped *m = find(mo);

	if (!from_kernel())
		return FS_ERR_EPERM;	/* a client's forgery: the loop frees what it carried */
	mach_port_deallocate(ME, control);
	if (m && MACH_PORT_VALID(m->control)) {
		mach_port_deallocate(ME, m->control);
		m->control = MACH_PORT_NULL;
	}
	return KERN_SUCCESS;
}

/* ---- settling: the kernel's dirty pages into the file ---- */

/*
 * Serves what waits on m's port, alone: the kernel's messages (a data_return
 * queued by an unmap, the answer to our lock_request), until the answer came
 * (ask) or nothing is left (no ask). A no-senders notification may free m:
 * then false (its port is gone, not to be put back in the set).
 */
static bool
serve_alone(struct mapped *m, bool ask)
{
	union {
		mach_msg_header_t h;
		uint8_t b[MEMORY_OBJECT_REQUEST_MAX_SIZE + sizeof(mach_msg_max_trailer_t) + 64];
	} in;
	union {
		mach_msg_header_t h;
		uint8_t b[MEMORY_OBJECT_REPLY_MAX_SIZE + 64];
	} out;
	mach_port_t port = m->port;

	for (;;) {
		mach_msg_return_t mr = mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT |
						MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SENDER), 0, sizeof in,
						port, ask && !m->completed ? SETTLE_WAIT_MS : 0, MACH_PORT_NULL);
		uint32_t sender;

		if (mr != MACH_MSG_SUCCESS)
			return true;	/* nothing more (or no answer in time: served as it is) */
		if (in.h.msgh_id == MACH_NOTIFY_NO_SENDERS) {
			mach_msg_destroy(&in.h);
			if (release(m))
				return false;
			continue;	/* forged: the object lives on */
		}
		alone_sender = msg_trailer_sender(&in.h, &sender) ? sender : UINT32_MAX;
		if (!memory_object_server(&in.h, &out.h))
			mach_msg_destroy(&in.h);
		else if (((mig_reply_error_t *)&out.h)->RetCode != KERN_SUCCESS &&
			 ((mig_reply_error_t *)&out.h)->RetCode != MIG_NO_REPLY)
			mach_msg_destroy(&in.h);	/* malformed or forged: its rights and memory are ours to free */
		alone_sender = -1;
	}
}

void
pager_settle(const struct vfs_node *n, bool drop)
{
	struct mapped *m = find_node(n);
	struct fs_stat st;
	bool ask;

	if (!m || mach_port_move_member(ME, m->port, MACH_PORT_NULL) != KERN_SUCCESS)
		return;
	m->completed = false;
	ask = MACH_PORT_VALID(m->control) && vfs_getattr(n, &st) == 0;
	/*
	 * The file's pages and SETTLE_SLACK_PAGES past its end: a mapping may reach
	 * beyond the end, whose pages (zeroes) a write or truncate makes stale.
	 */
	if (ask)
		ask = memory_object_lock_request(m->control, 0,
						 ((st.size + PAGE - 1) & ~(uint64_t)(PAGE - 1)) + SETTLE_SLACK_PAGES * PAGE,
						 MEMORY_OBJECT_RETURN_DIRTY, drop, VM_PROT_NONE, m->port) == KERN_SUCCESS;
	if (serve_alone(m, ask))
		mach_port_move_member(ME, m->port, port_set);
}

void
pager_settle_all(void)
{
	for (int i = 0; i < PAGER_MAX; i++)
		if (MACH_PORT_VALID(maps[i].port) && !maps[i].gone) {
			struct vfs_node n = maps[i].node;
			pager_settle(&n, false);
		}
}
