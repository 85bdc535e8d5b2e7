/*
 * i386 page tables (see pmap.h). The kernel half of every page directory is a
 * copy of the kernel's: 4 MiB global pages for the direct map of RAM, and page
 * tables preallocated at boot for the heap and device windows. Nothing ever
 * changes a kernel directory entry after pmap_init(), so the copies stay true.
 */
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/lock_order.h>
#include <kern/spinlock.h>
#include "cpu.h"
#include "layout.h"
#include "pmap.h"

#define PTE_P		0x001
#define PTE_W		0x002
#define PTE_U		0x004
#define PTE_PWT		0x008
#define PTE_PCD		0x010
#define PTE_PS		0x080
#define PTE_G		0x100
#define PTE_OWNED	0x200	/* software bit: the mapping holds a page reference */
#define PTE_COW		0x400	/* software bit: read-only until written, then copied */
/*
 * Software bit: device or DMA memory (kernel/dev). Device memory is not in
 * the direct map, and neither kind may be copied, shared copy-on-write or
 * paged: the lookups that lead to P2V (pmap_lookup, pmap_present,
 * pmap_prepare_copy) do not see such a page.
 */
#define PTE_WIRED	0x800
#define PTE_ADDR	0xFFFFF000u

/*
 * How many entries a removal handles per hold of a pmap's lock (interrupts are
 * off meanwhile): each may free a page, about a hundred instructions, so a hold
 * stays well under the cost of one page copied.
 */
#define PMAP_PAGES_PER_HOLD 32

#define PDX(va)		((uint32_t)(va) >> 22)
#define PTX(va)		(((uint32_t)(va) >> 12) & 0x3FF)

/* [L] pmap->lock */
struct pmap {
	struct spinlock lock;
	paddr_t pgdir_pa;	/* [I] */
	uint32_t *pgdir;	/* [I] its direct-map address */
	uint32_t resident;	/* [L] owned user pages mapped */
	uint16_t ptcount[768];	/* [L] mappings in each user page table: freed at zero */
};

static struct pmap kpmap;
static uintptr_t devmap_next = DEVMAP_BASE;	/* [devmap_lock] */
static struct spinlock devmap_lock = SPINLOCK_INIT("devmap", LOCK_RANK_DEVMAP);

static paddr_t
alloc_table(void)
{
	paddr_t pa = page_alloc(PAGE_KERNEL | PAGE_ZERO);

	if (!pa)
		panic("pmap: out of memory for kernel page tables");
	return pa;
}

void
pmap_init(paddr_t phys_top)
{
	uint32_t *pd;

	kpmap.lock = (struct spinlock)SPINLOCK_INIT("kpmap", LOCK_RANK_PMAP);
	kpmap.pgdir_pa = alloc_table();
	kpmap.pgdir = pd = P2V(kpmap.pgdir_pa);
	if (phys_top > DIRECT_MAP_MAX)
		phys_top = DIRECT_MAP_MAX;
	for (paddr_t pa = 0; pa < phys_top; pa += 0x400000)
		pd[PDX(KERNEL_BASE + pa)] = pa | PTE_P | PTE_W | PTE_PS | PTE_G;
	for (uintptr_t va = KHEAP_BASE; va < KHEAP_BASE + KHEAP_SIZE; va += 0x400000)
		pd[PDX(va)] = alloc_table() | PTE_P | PTE_W;
	for (uintptr_t va = DEVMAP_BASE; va < DEVMAP_BASE + DEVMAP_SIZE; va += 0x400000)
		pd[PDX(va)] = alloc_table() | PTE_P | PTE_W;
	write_cr4(read_cr4() | 0x10 | 0x80);	/* PSE, PGE */
	write_cr3(kpmap.pgdir_pa);
}

struct pmap *
kernel_pmap(void)
{
	return &kpmap;
}

struct pmap *
pmap_create(void)
{
	struct pmap *p = kzalloc(sizeof *p);

	if (!p)
		return NULL;
	p->pgdir_pa = page_alloc(PAGE_USER | PAGE_ZERO);
	if (!p->pgdir_pa) {
		kfree(p);
		return NULL;
	}
	p->lock = (struct spinlock)SPINLOCK_INIT("pmap", LOCK_RANK_PMAP);
	p->pgdir = P2V(p->pgdir_pa);
	memcpy(&p->pgdir[PDX(KERNEL_BASE)], &kpmap.pgdir[PDX(KERNEL_BASE)],
	       (1024 - PDX(KERNEL_BASE)) * sizeof(uint32_t));
	return p;
}

/* Frees the owned pages, the page tables and the directory. The pmap must not be active. */
void
pmap_destroy(struct pmap *p)
{
	assert(p != &kpmap && read_cr3() != p->pgdir_pa);
	for (uint32_t i = 0; i < PDX(USER_TOP); i++) {
		uint32_t pde = p->pgdir[i], *pt;
		if (!(pde & PTE_P))
			continue;
		pt = P2V(pde & PTE_ADDR);
		for (int j = 0; j < 1024; j++)
			if ((pt[j] & PTE_P) && (pt[j] & PTE_OWNED))
				page_unref(pt[j] & PTE_ADDR);
		page_free(pde & PTE_ADDR);
	}
	page_free(p->pgdir_pa);
	kfree(p);
}

void
pmap_activate(struct pmap *p)
{
	if (read_cr3() != p->pgdir_pa)
		write_cr3(p->pgdir_pa);
}

int
pmap_enter(struct pmap *p, uintptr_t va, paddr_t pa, int prot)
{
	uint32_t f, *pde, *pt, old;

	assert(va < USER_TOP && !(va & (PAGE_SIZE - 1)));
	f = spin_lock_irqsave(&p->lock);
	pde = &p->pgdir[PDX(va)];
	if (!(*pde & PTE_P)) {
		paddr_t t = page_alloc(PAGE_USER | PAGE_ZERO);
		if (!t) {
			spin_unlock_irqrestore(&p->lock, f);
			return -1;
		}
		*pde = t | PTE_P | PTE_W | PTE_U;
	}
	pt = P2V(*pde & PTE_ADDR);
	old = pt[PTX(va)];
	if ((old & PTE_P) && (old & PTE_OWNED)) {
		page_unref(old & PTE_ADDR);
		p->resident--;
	}
	if (!(old & PTE_P))
		p->ptcount[PDX(va)]++;
	pt[PTX(va)] = pa | PTE_P | PTE_U | ((prot & PMAP_WRITE) ? PTE_W : 0) |
		      ((prot & PMAP_OWNED) ? PTE_OWNED : 0) | ((prot & PMAP_COW) ? PTE_COW : 0) |
		      ((prot & (PMAP_WIRED | PMAP_DEVICE)) ? PTE_WIRED : 0) | ((prot & PMAP_DEVICE) ? PTE_PCD | PTE_PWT : 0);
	if (prot & PMAP_OWNED)
		p->resident++;
	if (read_cr3() == p->pgdir_pa)
		invlpg(va);
	spin_unlock_irqrestore(&p->lock, f);
	return 0;
}

/*
 * Changes a mapped user page's access: PMAP_READ_OK lets user mode read it,
 * PMAP_WRITE write it; neither hides it from user mode (the page stays mapped
 * for the kernel, so protection can be restored without losing it).
 */
void
pmap_protect(struct pmap *p, uintptr_t va, int prot)
{
	uint32_t f, pde, *pte;

	f = spin_lock_irqsave(&p->lock);
	pde = p->pgdir[PDX(va)];
	if (pde & PTE_P) {
		pte = &((uint32_t *)P2V(pde & PTE_ADDR))[PTX(va)];
		if (*pte & PTE_P) {
			*pte &= ~(PTE_U | PTE_W);
			if (prot & (PMAP_READ_OK | PMAP_WRITE))
				*pte |= PTE_U;
			if ((prot & PMAP_WRITE) && !(*pte & PTE_COW))
				*pte |= PTE_W;	/* a copy-on-write page gets it on its first write */
			if (read_cr3() == p->pgdir_pa)
				invlpg(va);
		}
	}
	spin_unlock_irqrestore(&p->lock, f);
}

/* Unmaps a user page; frees it if the pmap owned it. */
void
pmap_remove(struct pmap *p, uintptr_t va)
{
	uint32_t f, pde, *pte;

	assert(va < USER_TOP && !(va & (PAGE_SIZE - 1)));
	f = spin_lock_irqsave(&p->lock);
	pde = p->pgdir[PDX(va)];
	if (pde & PTE_P) {
		pte = &((uint32_t *)P2V(pde & PTE_ADDR))[PTX(va)];
		if ((*pte & PTE_P) && (*pte & PTE_OWNED)) {
			page_unref(*pte & PTE_ADDR);
			p->resident--;
		}
		if (*pte & PTE_P)
			p->ptcount[PDX(va)]--;
		*pte = 0;
		if (p->ptcount[PDX(va)] == 0) {	/* the last mapping in this table went */
			p->pgdir[PDX(va)] = 0;
			page_free(pde & PTE_ADDR);
		}
		if (read_cr3() == p->pgdir_pa)
			invlpg(va);	/* also drops any cached copy of the freed table */
	}
	spin_unlock_irqrestore(&p->lock, f);
}

/*
 * The mappings of [lo, hi), PMAP_PAGES_PER_HOLD pages under the lock at a
 * time: what pmap_remove does for each mapped page, without looking up the
 * table again for every page. An absent or emptied table is skipped whole.
 */
void
pmap_remove_range(struct pmap *p, uintptr_t lo, uintptr_t hi)
{
	assert(hi <= USER_TOP && !(lo & (PAGE_SIZE - 1)) && !(hi & (PAGE_SIZE - 1)));
	while (lo < hi) {
		uintptr_t table_end = MIN(hi, (lo & ~0x3FFFFFu) + 0x400000);
		uintptr_t next = MIN(table_end, lo + PMAP_PAGES_PER_HOLD * PAGE_SIZE), va;
		uint32_t f = spin_lock_irqsave(&p->lock), pde = p->pgdir[PDX(lo)], *pt;
		bool current = read_cr3() == p->pgdir_pa;

		if (pde & PTE_P) {
			pt = P2V(pde & PTE_ADDR);
			for (va = lo; va < next && p->ptcount[PDX(lo)]; va += PAGE_SIZE) {
				uint32_t *pte = &pt[PTX(va)];
				if (!(*pte & PTE_P))
					continue;
				if (*pte & PTE_OWNED) {
					page_unref(*pte & PTE_ADDR);
					p->resident--;
				}
				p->ptcount[PDX(lo)]--;
				*pte = 0;
				if (current)
					invlpg(va);	/* also drops any cached copy of a table freed below */
			}
			if (p->ptcount[PDX(lo)] == 0) {	/* the last mapping in this table went */
				p->pgdir[PDX(lo)] = 0;
				page_free(pde & PTE_ADDR);
				next = table_end;
			}
		} else {
			next = table_end;
		}
		spin_unlock_irqrestore(&p->lock, f);
		lo = next;
	}
}

/*
 * Every user mapping and page table goes, PMAP_PAGES_PER_HOLD entries under
 * the lock at a time, with no per-page TLB shootdown: one reload of cr3 at the
 * end if the pmap is the current one. For a finished task, whose pages nobody
 * will touch through this pmap again.
 */
void
pmap_remove_all(struct pmap *p)
{
	for (uint32_t i = 0; i < PDX(USER_TOP); i++) {
		uint32_t pde = p->pgdir[i], *pt;

		if (!(pde & PTE_P))
			continue;
		pt = P2V(pde & PTE_ADDR);
		for (int j = 0; j < 1024; j += PMAP_PAGES_PER_HOLD) {
			uint32_t f = spin_lock_irqsave(&p->lock);
			for (int k = j; k < j + PMAP_PAGES_PER_HOLD; k++) {
				if ((pt[k] & PTE_P) && (pt[k] & PTE_OWNED)) {
					page_unref(pt[k] & PTE_ADDR);
					p->resident--;
				}
				pt[k] = 0;
			}
			spin_unlock_irqrestore(&p->lock, f);
		}
		uint32_t f = spin_lock_irqsave(&p->lock);
		p->pgdir[i] = 0;
		p->ptcount[i] = 0;
		page_free(pde & PTE_ADDR);
		spin_unlock_irqrestore(&p->lock, f);
	}
	if (read_cr3() == p->pgdir_pa)
		write_cr3(p->pgdir_pa);
}

/*
 * Holding a pmap's lock keeps its mappings from changing: copyin/copyout hold
 * it from their check to the end of the copy, so the pages cannot be unmapped
 * (and freed) under them.
 */
uint32_t
pmap_lock(struct pmap *p)
{
	return spin_lock_irqsave(&p->lock);
}

void
pmap_unlock(struct pmap *p, uint32_t f)
{
	spin_unlock_irqrestore(&p->lock, f);
}

/* The entry that maps user address va, or 0. */
static uint32_t
user_pte(struct pmap *p, uintptr_t va)
{
	uint32_t pde;

	if (va >= USER_TOP)
		return 0;
	pde = p->pgdir[PDX(va)];
	if (!(pde & PTE_P))
		return 0;
	return ((uint32_t *)P2V(pde & PTE_ADDR))[PTX(va)];
}

bool
pmap_lookup(struct pmap *p, uintptr_t va, paddr_t *pa, int *prot)
{
	uint32_t pte = user_pte(p, va);

	if (!(pte & PTE_P) || !(pte & PTE_U) || (pte & PTE_WIRED))
		return false;
	*pa = (pte & PTE_ADDR) | (va & (PAGE_SIZE - 1));
	*prot = ((pte & PTE_W) ? PMAP_WRITE : PMAP_READ) | ((pte & PTE_COW) ? PMAP_COW : 0);
	return true;
}

/*
 * Where user address va is in the direct map, for a write by the kernel:
 * NULL unless a present, user, writable page of RAM is there. The IPC fast
 * path's one-page pin, which wants the answer without pmap_lookup's three
 * out-parameters. Caller holds p's lock.
 */
void *
pmap_writable_kva(struct pmap *p, uintptr_t va)
{
	uint32_t pte = user_pte(p, va);

	if ((pte & (PTE_P | PTE_U | PTE_W | PTE_WIRED)) != (PTE_P | PTE_U | PTE_W))
		return NULL;
	return P2V((pte & PTE_ADDR) | (va & (PAGE_SIZE - 1)));
}

/* Where user address va is in the direct map, for a read by the kernel: NULL unless a present, user page of RAM is there. */
const void *
pmap_readable_kva(struct pmap *p, uintptr_t va)
{
	uint32_t pte = user_pte(p, va);

	if ((pte & (PTE_P | PTE_U | PTE_WIRED)) != (PTE_P | PTE_U))
		return NULL;
	return P2V((pte & PTE_ADDR) | (va & (PAGE_SIZE - 1)));
}

/*
 * The page a DMA mapping holds at va (wired and owned: an allocated page the
 * device writes, never device memory), for the hold of vm/dma_hold.c. The
 * pmap's lock is not taken: the caller holds the map's, under which nothing
 * maps or unmaps a DMA page.
 */
bool
pmap_lookup_dma(struct pmap *p, uintptr_t va, paddr_t *pa)
{
	uint32_t pte = user_pte(p, va);

	if ((pte & (PTE_P | PTE_U | PTE_WIRED | PTE_OWNED)) != (PTE_P | PTE_U | PTE_WIRED | PTE_OWNED))
		return false;
	*pa = pte & PTE_ADDR;
	return true;
}

/*
 * The first address in [va, end) with a page mapped, or end: skips a whole page
 * table at a time where there is none, so walking a large, mostly untouched
 * region costs little.
 */
uintptr_t
pmap_next_mapped(struct pmap *p, uintptr_t va, uintptr_t end)
{
	while (va < end) {
		uint32_t pde = p->pgdir[PDX(va)];
		if (!(pde & PTE_P)) {
			va = (va & ~0x3FFFFFu) + 0x400000;
			continue;
		}
		if (((uint32_t *)P2V(pde & PTE_ADDR))[PTX(va)] & PTE_P)
			return va;
		va += PAGE_SIZE;
	}
	return end;
}

/* Whether anything is mapped at va, visible to user mode or not; its address in *pa. */
bool
pmap_present(struct pmap *p, uintptr_t va, paddr_t *pa)
{
	uint32_t pde = p->pgdir[PDX(va)], pte;

	if (va >= USER_TOP || !(pde & PTE_P))
		return false;
	pte = ((uint32_t *)P2V(pde & PTE_ADDR))[PTX(va)];
	*pa = pte & PTE_ADDR;
	return (pte & (PTE_P | PTE_WIRED)) == PTE_P;
}

/* Whether the page at va is mapped copy-on-write. */
bool
pmap_is_cow(struct pmap *p, uintptr_t va)
{
	uint32_t pde = p->pgdir[PDX(va)];

	return va < USER_TOP && (pde & PTE_P) && (((uint32_t *)P2V(pde & PTE_ADDR))[PTX(va)] & (PTE_P | PTE_COW)) ==
							  (PTE_P | PTE_COW);
}

/*
 * One look at the page at va for someone who wants a copy of it: a page only
 * this pmap writes (or already copy-on-write) is marked copy-on-write and
 * PMAP_COPY_COW returned; a page mapped writable here that others hold too (a
 * shared page, which copy-on-write here would not protect) is left as it is
 * and PMAP_COPY_SHARED returned. Its address in *pa either way.
 */
enum pmap_copy
pmap_prepare_copy(struct pmap *p, uintptr_t va, paddr_t *pa)
{
	enum pmap_copy res = PMAP_COPY_NONE;
	uint32_t f, pde, *pte;

	f = spin_lock_irqsave(&p->lock);
	pde = p->pgdir[PDX(va)];
	if (va < USER_TOP && (pde & PTE_P)) {
		pte = &((uint32_t *)P2V(pde & PTE_ADDR))[PTX(va)];
		if ((*pte & (PTE_P | PTE_OWNED | PTE_WIRED)) == (PTE_P | PTE_OWNED)) {
			*pa = *pte & PTE_ADDR;
			if (!(*pte & PTE_COW) && page_refs(*pa) > 1) {
				res = PMAP_COPY_SHARED;
			} else {
				res = PMAP_COPY_COW;
				*pte = (*pte & ~PTE_W) | PTE_COW;
				if (read_cr3() == p->pgdir_pa)
					invlpg(va);
			}
		}
	}
	spin_unlock_irqrestore(&p->lock, f);
	return res;
}

uint32_t
pmap_resident_count(const struct pmap *p)
{
	return p->resident;
}

static uint32_t *
kernel_pte(uintptr_t va)
{
	uint32_t pde = kpmap.pgdir[PDX(va)];

	assert((pde & PTE_P) && !(pde & PTE_PS));
	return &((uint32_t *)P2V(pde & PTE_ADDR))[PTX(va)];
}

void
pmap_kenter(uintptr_t va, paddr_t pa)
{
	*kernel_pte(va) = pa | PTE_P | PTE_W | PTE_G;
	invlpg(va);
}

paddr_t
pmap_kremove(uintptr_t va)
{
	uint32_t *pte = kernel_pte(va), old = *pte;

	*pte = 0;
	invlpg(va);
	return old & PTE_ADDR;
}

/* Whether a page of the heap or device window is mapped. */
bool
pmap_kmapped(uintptr_t va)
{
	return (*kernel_pte(va) & PTE_P) != 0;
}

/* Maps device memory (uncached) into the device window; NULL when it is full. */
void *
pmap_map_device(uint32_t phys, uint32_t size)
{
	uint32_t off = phys & (PAGE_SIZE - 1), f;
	uint32_t len = ROUND_UP(size + off, PAGE_SIZE);
	uintptr_t va;

	f = spin_lock_irqsave(&devmap_lock);
	if (len > DEVMAP_BASE + DEVMAP_SIZE - devmap_next) {
		spin_unlock_irqrestore(&devmap_lock, f);
		return NULL;
	}
	va = devmap_next;
	devmap_next += len;
	spin_unlock_irqrestore(&devmap_lock, f);
	for (uint32_t i = 0; i < len; i += PAGE_SIZE) {
		*kernel_pte(va + i) = ((phys - off) + i) | PTE_P | PTE_W | PTE_G | 0x10 /* PCD */;
		invlpg(va + i);
	}
	return (void *)(va + off);
}
