/*
 * I/O ports for driver tasks (kern/device.h): a task granted ports has its own
 * I/O permission bitmap (a bit per port, clear: allowed), and the one TSS
 * holds the bitmap of the task that runs. A switch to a task without one
 * turns the TSS's bitmap off (every port faults: IOPL is 0 for every user
 * thread, thread_state.c keeps it so); a switch to a driver copies its
 * bitmap in unless it is already there, and only its first io_bytes bytes,
 * where a port may be allowed. The kernel's own ports are never granted.
 *
 * iopb_lock guards the TSS's bitmap and `iopb_loaded`; a task's bitmap and
 * io_bytes are written under it (and device_lock, kernel/dev), so that the
 * switch, which holds sched_lock, reads them under it. Lock order:
 * sched_lock -> iopb_lock.
 */
#include <kern/device.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/lock_order.h>
#include <kern/sched.h>
#include <kern/spinlock.h>
#include <kern/task.h>
#include "gdt.h"
#include "iopb.h"

static struct spinlock iopb_lock = SPINLOCK_INIT("iopb", LOCK_RANK_IOPB);
const uint8_t *iopb_loaded;	/* [iopb_lock, read alone by the switch] the bitmap the TSS holds a
				 * copy of; NULL: none */
static uint32_t loaded_bytes;	/* [iopb_lock] the bytes of the TSS's bitmap that are not all ones */
bool iopb_map_on;		/* [iopb_lock, read alone by the switch] the TSS's bitmap is in use
				 * (per CPU, with the TSS, once there are several) */

/* Ports the kernel drives itself: the interrupt controllers, the timer, COM1. */
static const struct { uint16_t base, count; } kernel_ports[] = {
	{ 0x20, 2 }, { 0xA0, 2 }, { 0x40, 4 }, { 0x3F8, 8 },
};

/* Copies t's bitmap into the TSS. iopb_lock held. */
static void
load_locked(const struct task *t)
{
	uint8_t *map = tss_iomap();

	memcpy(map, t->iobitmap, t->io_bytes);
	if (loaded_bytes > t->io_bytes)
		memset(map + t->io_bytes, 0xFF, loaded_bytes - t->io_bytes);
	iopb_loaded = t->iobitmap;
	loaded_bytes = t->io_bytes;
}

/* iopb_switch's case of a task with ports, or the map still on (iopb.h looked unlocked). */
void
iopb_switch_slow(struct task *t)
{
	spin_lock_irqoff(&iopb_lock);
	if (t->iobitmap && iopb_loaded != t->iobitmap)
		load_locked(t);
	iopb_map_turn(t->iobitmap != NULL);
	spin_unlock_irqoff(&iopb_lock);
}

kern_return_t
arch_io_grant(struct task *t, uint32_t base, uint32_t count)
{
	uint8_t *fresh = NULL;
	uint32_t f;

	if (count == 0 || base > 0xFFFF || count > 0x10000 - base)
		return KERN_INVALID_ARGUMENT;
	for (size_t i = 0; i < sizeof kernel_ports / sizeof kernel_ports[0]; i++)
		if (base < kernel_ports[i].base + kernel_ports[i].count && kernel_ports[i].base < base + count)
			return KERN_NO_ACCESS;
	if (!t->iobitmap) {
		fresh = kmalloc(IOPB_BYTES);
		if (!fresh)
			return KERN_RESOURCE_SHORTAGE;
		memset(fresh, 0xFF, IOPB_BYTES);
	}
	f = spin_lock_irqsave(&iopb_lock);
	if (fresh)
		t->iobitmap = fresh;
	for (uint32_t port = base; port < base + count; port++)
		t->iobitmap[port / 8] &= (uint8_t)~(1u << (port % 8));
	t->io_bytes = MAX(t->io_bytes, (base + count + 7) / 8);
	if (iopb_loaded == t->iobitmap)
		iopb_loaded = NULL;		/* the TSS's copy is stale */
	if (t == curtask()) {		/* the caller's own task: from its next in or out on */
		load_locked(t);
		iopb_map_turn(true);
	}
	spin_unlock_irqrestore(&iopb_lock, f);
	return KERN_SUCCESS;
}

void
arch_io_release(struct task *t)
{
	uint32_t f = spin_lock_irqsave(&iopb_lock);
	uint8_t *map = t->iobitmap;

	if (iopb_loaded == map)
		iopb_loaded = NULL;		/* a later bitmap may be allocated at the same address */
	t->iobitmap = NULL;
	t->io_bytes = 0;
	spin_unlock_irqrestore(&iopb_lock, f);
	kfree(map);
}
