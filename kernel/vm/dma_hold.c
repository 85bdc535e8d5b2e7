/*
 * DMA memory outlives its mapping for a while. A driver's device may still
 * write into the pages it was given after the driver unmapped them or died:
 * a transfer already started finishes, and a NIC keeps filling its receive
 * ring until someone turns bus mastering off (the pci server does, when it
 * learns the driver died). Freed at once, such a page could be given to
 * anyone (another task, a page table) and written by the device afterwards.
 * So a DMA region's pages are held here, each with a reference of its own,
 * for DMA_HOLD_TICKS after the region goes, and only then let go.
 *
 * The hold is a time, not a proof that the device stopped: the kernel does not
 * know which device a page was given to. Two seconds cover a transfer in
 * flight and the pci server's turn (it turns bus mastering off when it learns
 * the driver died), on a loaded machine too. What is held is bounded by
 * DEVICE_DMA_MAX per driver instance, and the bootstrap restarts a driver at
 * most a few times a minute.
 *
 * A kernel thread, "dma hold", lets the pages go when their time comes.
 */
#include <kern/clock.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/list.h>
#include <kern/lock_order.h>
#include <kern/page.h>
#include <kern/panic.h>
#include <kern/sched.h>
#include <kern/spinlock.h>
#include <kern/vm_map.h>

#define DMA_HOLD_TICKS (2 * HZ)

struct dma_hold {
	struct list link;	/* [dma_hold_lock] on holds, oldest first */
	uint64_t until;		/* clock_ticks() after which the pages may go */
	uint32_t n;
	paddr_t page[];
};

static struct list holds = LIST_INIT(holds);
static struct spinlock dma_hold_lock = SPINLOCK_INIT("dma hold", LOCK_RANK_DMAHOLD);
static struct waitq hold_wq;	/* [sched_lock] the thread waits for the oldest hold's time */

/* Takes the holds that expired off the list, then lets their pages go with no lock held. */
static void
expire(void)
{
	struct list done = LIST_INIT(done);
	uint64_t now = clock_ticks();
	uint32_t f = spin_lock_irqsave(&dma_hold_lock);
	struct list *l;

	while (!list_empty(&holds)) {
		struct dma_hold *h = list_entry(holds.next, struct dma_hold, link);
		if (h->until > now)
			break;
		list_remove(&h->link);
		list_push_back(&done, &h->link);
	}
	spin_unlock_irqrestore(&dma_hold_lock, f);
	while ((l = list_pop_front(&done)) != NULL) {
		struct dma_hold *h = list_entry(l, struct dma_hold, link);
		for (uint32_t i = 0; i < h->n; i++)
			page_unref(h->page[i]);
		kfree(h);
	}
}

/*
 * Holds the n pages (a reference each) that a DMA region being removed maps;
 * page[] is the caller's list of them. Without memory for the record the
 * pages are held for ever rather than freed early: a leak the driver's
 * quota bounds, never a page a device may still write.
 */
void
vm_dma_hold(const paddr_t *page, uint32_t n)
{
	struct dma_hold *h;
	uint32_t f;

	if (n == 0)
		return;
	for (uint32_t i = 0; i < n; i++)
		page_ref(page[i]);
	h = kmalloc(sizeof *h + n * sizeof(paddr_t));
	if (!h)
		return;
	h->until = clock_ticks() + DMA_HOLD_TICKS;
	h->n = n;
	memcpy(h->page, page, n * sizeof(paddr_t));
	f = spin_lock_irqsave(&dma_hold_lock);
	list_push_back(&holds, &h->link);
	spin_lock_irqoff(&sched_lock);
	waitq_wake_all_locked(&hold_wq);	/* the thread may be waiting with nothing held */
	spin_unlock_irqoff(&sched_lock);
	spin_unlock_irqrestore(&dma_hold_lock, f);
}

static void
hold_thread(void *arg)
{
	(void)arg;
	for (;;) {
		uint32_t f = spin_lock_irqsave(&dma_hold_lock);
		uint64_t now = clock_ticks(), wait = 0;	/* 0: until a hold comes */

		if (!list_empty(&holds)) {
			uint64_t until = list_entry(holds.next, struct dma_hold, link)->until;
			wait = until > now ? until - now : 1;
		}
		waitq_wait_under(&hold_wq, wait, &dma_hold_lock);
		spin_unlock_irqrestore(&dma_hold_lock, f);
		expire();
	}
}

void
vm_dma_hold_init(void)
{
	waitq_init(&hold_wq);
	if (!thread_create_kernel("dma hold", hold_thread, NULL, PRIO_KERNEL))
		panic("cannot start the dma hold thread");
}
