/*
 * Mapped files: fs as the external pager of each mapped file's memory object
 * (memory_object.defs; the kernel's side is kernel/vm/). file_map makes one
 * object port per file (kept while anyone holds a send right: the clients'
 * from file_map, the kernel's while it maps it), in the pager's port set.
 *
 * data_request reads the pages through the library (the part past the end of
 * the file as zeroes) and supplies them; data_return writes a page back, never
 * past the file's size, so a store through a mapping reaches the file when
 * the kernel gives the page back: at the unmap (the last mapping's dirty pages
 * come back before terminate), or when fs asks for dirty pages. fs asks
 * (pager_settle) before it serves a read, write, stat, truncate or sync of a
 * mapped file, so those see every store made before them; before a write or a
 * truncate it also has the kernel drop its pages, so later faults read the
 * file anew. The objects' ports are served by a thread of their own, in the
 * order the kernel sent (pager_init); a thread that asks waits until that
 * thread has served the answer.
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
#define PAGER_MARK_ID 0x4d41524b	/* settle's marker: not a memory_object.defs id */

/* A marker settle sends through an object's queue: served, everything queued before it was. */
struct mark {
	mach_msg_header_t h;
	uint32_t seq;
};

struct mapped {
	mach_port_t port;	/* the object's port (receive right); MACH_PORT_NULL: free */
	mach_port_t control;	/* the kernel's control port, from init to terminate */
	struct vfs_node node;
	uint32_t owner;		/* the client whose file_map made it, charged for it (quota.c) */
	bool writable;		/* a file_map asked for writes, from a file open for writing */
	bool gone;		/* the file's last link went: pages come back as errors */
	uint32_t marks_sent, marks_seen;	/* settle's markers through the object's queue */
};

static struct mapped maps[PAGER_MAX];
static mach_port_t port_set;
/*
 * Settling ([L], as all here): one thread at a time asks the kernel for an
 * object's dirty pages and waits until the pager thread has served the
 * answer, and with it every message the kernel queued before it.
 */
static bool settling;
static struct cthread_cond settled;	/* settling ended */
static struct cthread_cond served;	/* the pager thread served a message */

/* Whether the pager message being served came from the kernel. */
static bool
from_kernel(void)
{
	uint32_t id;

	return msg_request_sender(&id) && id == 0;
}

/* memory_object.defs under the server's lock; whoever waits for the pager hears of it. */
static bool
serve(mach_msg_header_t *in, mach_msg_header_t *out)
{
	bool known;

	cthread_mutex_lock(&srv_big_lock);
	known = memory_object_server(in, out);
	cthread_cond_broadcast(&served);
	cthread_mutex_unlock(&srv_big_lock);
	return known;
}

static void
no_senders(mach_port_t port)
{
	cthread_mutex_lock(&srv_big_lock);
	pager_no_senders(port);
	cthread_cond_broadcast(&served);
	cthread_mutex_unlock(&srv_big_lock);
}

static struct mapped *find(mach_port_t port);

/* settle's marker, only from ourselves (anyone else's is destroyed unseen). */
static bool
claim(mach_msg_header_t *in)
{
	static uint32_t me = UINT32_MAX;
	uint32_t sender;
	struct mapped *m;

	if (in->msgh_id != PAGER_MARK_ID)
		return false;
	if (me == UINT32_MAX)
		trap_task_self_id(&me);
	cthread_mutex_lock(&srv_big_lock);
	if (in->msgh_size >= sizeof(struct mark) && msg_trailer_sender(in, &sender) && sender == me &&
	    (m = find(in->msgh_local_port)) != NULL)
		m->marks_seen = ((struct mark *)in)->seq;
	cthread_cond_broadcast(&served);
	cthread_mutex_unlock(&srv_big_lock);
	mach_msg_destroy(in);
	return true;
}

static const msg_demux_t demuxes[] = { serve };
static struct msg_server pager_server = {
	.demuxes = demuxes,
	.ndemuxes = 1,
	.claim = claim,
	.max_request = MEMORY_OBJECT_REQUEST_MAX_SIZE,
	.max_reply = MEMORY_OBJECT_REPLY_MAX_SIZE,
	.no_senders = no_senders,
	.sender_ids = true,	/* pager messages believed only from the kernel */
};

static void *
pager_thread(void *arg)
{
	msg_server_run(&pager_server);
	return NULL;
}

/*
 * The objects' ports are a port set of their own, served by one thread: the
 * kernel's messages to an object are served in the order it sent them (an
 * unmap's data_returns before its terminate), which a pool would not keep.
 */
bool
pager_init(void)
{
	cthread_t t;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &port_set) != KERN_SUCCESS)
		return false;
	pager_server.port = port_set;
	if (cthread_fork(&t, pager_thread, NULL) != KERN_SUCCESS)
		return false;
	cthread_detach(t);
	return true;
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
	struct vfs_node n = m->node;

	if (MACH_PORT_VALID(m->control))
		mach_port_deallocate(ME, m->control);
	mach_port_destroy(ME, m->port);
	quota_give(QUOTA_MAPS, m->owner);
	*m = (struct mapped){ 0 };	/* before the drop, which may wait for the mount (srv.h) */
	vfs_drop(&n);	/* the object's hold on its file (pager_object) */
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

/* As file_reap: objects whose senders are gone, their notification not served yet. */
void
pager_reap(void)
{
	for (int i = 0; i < PAGER_MAX; i++)
		if (MACH_PORT_VALID(maps[i].port))
			release(&maps[i]);
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
		uint32_t who = quota_client();
		bool full = true;
		/* the object holds its file: an unlinked file stays mappable while mapped */
		int err = vfs_hold(n);

		if (err)
			return srv_kr(err);
		/* the hold may have waited for the mount's guard: another thread may have made it */
		if ((m = find_node(n)) != NULL) {
			vfs_drop(n);
			goto made;
		}
		for (int i = 0; i < PAGER_MAX && full; i++)
			full = MACH_PORT_VALID(maps[i].port);
		if (full || quota_held(QUOTA_MAPS, who) >= quota_maps)
			pager_reap();	/* objects let go of, their notifications not served yet */
		for (int i = 0; i < PAGER_MAX && !m; i++)
			if (!MACH_PORT_VALID(maps[i].port))
				m = &maps[i];
		if (!m || !quota_take(QUOTA_MAPS, who)) {
			vfs_drop(n);
			return m ? FS_ERR_EDQUOT : srv_kr(-FS_ENOMEM);
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
		    mach_port_move_member(ME, m->port, port_set) != KERN_SUCCESS) {	/* the pager thread's */
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
made:
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
	if (!from_kernel())
		return FS_ERR_EPERM;	/* a client's forgery: the loop frees what it carried */
	mach_port_deallocate(ME, control);	/* settle waits for its marker, queued behind this */
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

static void settle(struct mapped *m, const struct vfs_node *n, bool drop);

void
pager_settle(const struct vfs_node *n, bool drop)
{
	struct mapped *m;

	while (settling)
		cthread_cond_wait(&settled, &srv_big_lock);
	m = find_node(n);	/* after the wait: the object may have gone */
	if (m) {
		settling = true;
		settle(m, n, drop);
		settling = false;
		cthread_cond_broadcast(&settled);
	}
}

static void
settle(struct mapped *m, const struct vfs_node *n, bool drop)
{
	mach_port_t port = m->port;
	uint64_t until = srv_now_ms() + SETTLE_WAIT_MS, now;
	struct mark mk = { { MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0), sizeof mk, port, MACH_PORT_NULL, 0,
			     PAGER_MARK_ID },
			   ++m->marks_sent };
	struct fs_stat st;
	mach_msg_return_t mr;

	/*
	 * The file's pages and SETTLE_SLACK_PAGES past its end: a mapping may reach
	 * beyond the end, whose pages (zeroes) a write or truncate makes stale. The
	 * kernel serves the request at once, queueing the dirty pages (and its
	 * answer) on the object's port before it returns.
	 */
	if (MACH_PORT_VALID(m->control) && vfs_getattr(n, &st) == 0)
		(void)memory_object_lock_request(m->control, 0,
						 ((st.size + PAGE - 1) & ~(uint64_t)(PAGE - 1)) + SETTLE_SLACK_PAGES * PAGE,
						 MEMORY_OBJECT_RETURN_DIRTY, drop, VM_PROT_NONE, m->port);
	/* then a marker behind them (and behind an unmap's pages queued before): once the pager
	 * thread serves it, it has served everything before */
	cthread_mutex_unlock(&srv_big_lock);
	mr = mach_msg(&mk.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof mk, 0, MACH_PORT_NULL, SETTLE_WAIT_MS,
		      MACH_PORT_NULL);
	cthread_mutex_lock(&srv_big_lock);
	if (mr != MACH_MSG_SUCCESS)
		return;
	while (m->port == port && m->marks_seen != mk.seq && (now = srv_now_ms()) < until)
		cthread_cond_timedwait(&served, &srv_big_lock, (uint32_t)(until - now));
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
