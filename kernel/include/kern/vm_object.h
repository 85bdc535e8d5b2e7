/*
 * Memory objects backed by external pagers (OSF Mach 3.0's model). vm_map of a
 * memory object port makes (or finds) the kernel's vm_object for it: the pages
 * the pager has supplied, by offset, and the regions that map it. A fault on a
 * page the object lacks sends memory_object_data_request and waits; the pager
 * answers on the object's control port (a kernel object port). When the last
 * mapping goes, dirty and precious pages go back (data_return), then
 * memory_object_terminate, and the object is gone.
 *
 * Locking: [O] vm_object_lock, taken after map_lock, IPC's locks and sched_lock, before
 * pmap, kmem and page locks. Nothing holding it takes a port's lock or sched_lock: messages to
 * pagers are queued (pager_msg.c) and sent by vm_object_flush, which the
 * system-call exit and the fault path call with no lock held.
 */
#ifndef KERN_VM_OBJECT_H
#define KERN_VM_OBJECT_H

#include <stdbool.h>
#include <stdint.h>
#include <kern/list.h>
#include <kern/page.h>
#include <kern/sched.h>
#include <kern/spinlock.h>
#include <mach/kern_return.h>
#include <mach/message.h>
#include <mach/vm_types.h>

struct port;
struct kmsg;
struct task;
struct vm_region;
struct vcopy;

enum obj_page_state {
	OBJ_PAGE_REQUESTED,	/* data_request sent, nothing yet */
	OBJ_PAGE_RESIDENT,
	OBJ_PAGE_ERROR,		/* data_error: the next fault on it fails, once */
};

struct obj_page {
	struct list link;		/* [O] object->pages */
	uint32_t offset;		/* [O] page aligned */
	enum obj_page_state state;	/* [O] */
	paddr_t pa;			/* [O] RESIDENT: the page, one reference is the object's */
	bool dirty;			/* [O] written since supplied or last returned */
	bool precious;			/* [O] goes back to the pager even when clean */
	bool unlock_asked;		/* [O] data_unlock sent, no answer yet */
	vm_prot_t lock;			/* [O] accesses refused until the pager unlocks */
	kern_return_t error;		/* [O] ERROR: what the pager said */
	uint32_t pushed_gen;		/* [O] the copy_gen its old contents went to the copies at */
};

struct vm_object {
	struct list link;		/* [O] the list of live objects, to find one by pager */
	uint32_t refs;			/* [O] mappings, faults in progress, queued messages */
	uint32_t nmaps;			/* [O] regions mapping it; 0: terminated */
	bool terminated;		/* [O] */
	struct port *pager;		/* [I] a send right the object holds; NULL: internal */
	struct port *control;		/* [I] its control port (KOBJ_PAGER_CONTROL); NULL: internal */
	struct list pages;		/* [O] struct obj_page */
	struct list mappings;		/* [O] struct vm_region via obj_link */
	struct waitq waiters;		/* [S] faults waiting for a page or an unlock */
	uint32_t copy_gen;		/* [O] bumped when a copy of the object is made */
};

extern struct spinlock vm_object_lock;

/*
 * The object for a pager port, made (memory_object_init is queued) if there is
 * none. Takes over the send right to pager the caller carries; the object comes
 * back referenced. NULL: no memory.
 */
struct vm_object *vm_object_for_pager(struct port *pager);
/*
 * An internal object: no pager, pages zero-filled on first touch and freed
 * with the object. What shared anonymous memory (VM_INHERIT_SHARE) becomes at
 * fork, so that sharers find untouched pages in one place. Referenced; NULL:
 * no memory.
 */
struct vm_object *vm_object_internal(void);
/* Makes pa (a page of the caller's, writable) the object's page at offset. [O] not held. */
kern_return_t vm_object_adopt_page(struct vm_object *obj, uint32_t offset, paddr_t pa);
/*
 * leaving stops mapping the offsets [lo, hi) of an internal object: the pages
 * there that no other region maps are freed (nobody could reach them again).
 * [M] of leaving's task held.
 */
void vm_object_release_range(struct vm_object *obj, struct vm_region *leaving, uint32_t lo, uint32_t hi);
void vm_object_unref_locked(struct vm_object *obj);
/* pager's receive right is gone: faults waiting on its object fail now, not at their timeout. [S] held. */
void vm_object_pager_died_locked(struct port *pager);
void vm_object_unref(struct vm_object *obj);
/* A region starts (or stops) mapping obj; [M] held. */
void vm_object_add_mapping_locked(struct vm_object *obj, struct vm_region *r);
void vm_object_remove_mapping_locked(struct vm_region *r);

/*
 * object_copy.c. A copy (a private_copy region) of obj was just made: it must
 * keep seeing the object as it is now. [M] of the copy's task held.
 */
void vm_object_copy_made(struct vm_object *obj);
/* Before pg is written through a shared mapping: copies without their own page get one. [O] held. */
kern_return_t vm_object_push_locked(struct vm_object *obj, struct obj_page *pg);

/*
 * Calls fn on every region whose task maps the object's page pg itself (a
 * private copy's own page is not pg). [O] held.
 */
void vm_object_for_each_mapping_locked(struct vm_object *obj, struct obj_page *pg,
				       void (*fn)(struct vm_region *r, uint32_t va));
/* For the walk above: the page at va stops being writable, and keeps r's other access. */
void vm_region_write_protect(struct vm_region *r, uint32_t va);
/* Whether the page mapped at va (in r) is the object's own page, not a private copy. */
bool vm_object_maps_page(struct vm_region *r, uint32_t va);

/* What the object part of a fault decided (object_fault.c). */
enum obj_fault {
	OBJ_FAULT_DONE,		/* mapped, or kr says why not */
	OBJ_FAULT_WAIT,		/* wait for the pager (vm_object_wait), then fault again */
};
/* [M] held. On OBJ_FAULT_WAIT, *wait holds a reference and *offset the page's offset. */
enum obj_fault vm_object_fault_locked(struct task *t, struct vm_region *r, uint32_t va, bool write,
				      kern_return_t *kr, struct vm_object **wait, uint32_t *offset);
/*
 * Blocks until the page at offset changes state (or a second passes); drops the
 * reference. False: the thread was aborted (it is being killed).
 */
bool vm_object_wait(struct vm_object *obj, uint32_t offset);
/* A new page entry at offset (pa: its page, if any); NULL: no memory. [O] held. */
struct obj_page *vm_object_page_new_locked(struct vm_object *obj, uint32_t offset, enum obj_page_state state,
					   paddr_t pa);
/* The resident page at offset, or NULL. [O] held. */
struct obj_page *vm_object_page_locked(struct vm_object *obj, uint32_t offset);

/* object_control.c: a request sent to a control port (called from kobject_server). */
void vm_object_control_request(struct kmsg *k);

/* pager_msg.c: the queue of messages to pagers. [O] held for the queue calls. */
void pager_msg_queue_locked(struct vm_object *obj, int id, uint32_t w0, uint32_t w1, uint32_t w2);
/*
 * data_return of pa (a page of its own: a copy the object does not keep), with
 * the caller's reference on it. False: no memory for the message; nothing was
 * taken, and the caller still has the page.
 */
bool pager_msg_queue_return_locked(struct vm_object *obj, uint32_t offset, paddr_t pa, bool dirty);
/*
 * data_return of the page of pg, an entry just taken off obj's list (its
 * mappings gone): takes pg and its page. Cannot fail: pg's memory becomes the
 * message, so a page leaving its object always reaches its pager.
 */
void pager_msg_queue_page_locked(struct vm_object *obj, struct obj_page *pg);
/* lock_completed or supply_completed (nwords <= 4) to reply_to. No lock held: takes over that send-once right. */
void pager_msg_queue_completed(struct vm_object *obj, struct port *reply_to, mach_msg_id_t id, const uint32_t *w,
			       uint32_t nwords);
void pager_msg_queue_free_locked(struct vm_object *obj);
extern volatile bool pager_msg_pending;
/* Sends what is queued and frees dead objects. Call with no lock held. */
void vm_object_flush(void);

#endif
