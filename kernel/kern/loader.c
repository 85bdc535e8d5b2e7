/*
 * The ELF loader: checks the image (elf.c), copies each segment into fresh
 * pages of a new task, builds the initial user stack (argc, argv, an empty
 * envp, then the strings) and starts the first thread at the entry point.
 */
#include <kern/boot.h>
#include <kern/copyio.h>
#include <kern/ipc.h>
#include <kern/lib.h>
#include <kern/loader.h>
#include <kern/page.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include <mach/task_special_ports.h>
#include "layout.h"
#include "pmap.h"

#define MAX_ARGS 32

/* Returns the page that backs va, mapping a zeroed one first if needed. */
static paddr_t
page_for(struct task *t, uintptr_t va, bool writable)
{
	paddr_t pa;
	int prot;

	if (pmap_lookup(t->pmap, va, &pa, &prot)) {
		/* a page two segments share (text ending, data starting in it): the
		 * same page, made writable in place; entering it again would drop the
		 * mapping's reference and free a page still mapped */
		if (writable && !(prot & PMAP_WRITE))
			pmap_protect(t->pmap, va, PMAP_WRITE | PMAP_READ_OK);
		return pa & ~(PAGE_SIZE - 1);
	}
	pa = page_alloc(PAGE_USER | PAGE_ZERO);
	if (!pa)
		return 0;
	if (pmap_enter(t->pmap, va, pa, (writable ? PMAP_WRITE : 0) | PMAP_OWNED) < 0) {
		page_free(pa);
		return 0;
	}
	return pa;
}

static bool
load_segment(struct task *t, const uint8_t *image, const struct elf_segment *s)
{
	for (uintptr_t va = ROUND_DOWN(s->vaddr, PAGE_SIZE); va < s->vaddr + s->memsz; va += PAGE_SIZE) {
		paddr_t pa = page_for(t, va, s->writable);
		uintptr_t lo, hi;

		if (!pa)
			return false;
		/* the part of this page the file fills */
		lo = MAX(va, s->vaddr);
		hi = MIN(va + PAGE_SIZE, s->vaddr + s->filesz);
		if (lo < hi)
			memcpy((uint8_t *)P2V(pa) + (lo - va), image + s->offset + (lo - s->vaddr), hi - lo);
	}
	return true;
}

/*
 * Maps a stack whose top is `top` and writes argc/argv/envp and the strings at
 * its top; returns the new esp or 0.
 */
static uint32_t
build_stack(struct task *t, uint32_t top, const char *cmdline)
{
	char line[BOOT_CMDLINE_MAX], *argv[MAX_ARGS];
	uint32_t uargv[MAX_ARGS + 3];
	uint8_t frame[BOOT_CMDLINE_MAX + sizeof uargv + 16];
	uint32_t sp = top, strings, base;
	int argc;
	size_t used = 0;

	for (uintptr_t va = top - USER_STACK_SIZE; va < top; va += PAGE_SIZE)
		if (!page_for(t, va, true))
			return 0;
	if (vm_map_reserve(t, top - USER_STACK_SIZE, top, VM_PROT_DEFAULT) != KERN_SUCCESS)
		return 0;
	strlcpy(line, cmdline, sizeof line);
	argc = cmdline_split(line, argv, MAX_ARGS);
	if (argc == MAX_ARGS && cmdline_words(cmdline) > MAX_ARGS)	/* a limit said, not kept silently */
		kprintf("kernel: %s: only the first %d words of its command line are passed (argv)\n", argv[0],
			MAX_ARGS);

	/* strings first (highest), then the pointer block below them */
	strings = sp - ROUND_UP(strlen(cmdline) + 1 + MAX_ARGS, 16);
	uargv[0] = (uint32_t)argc;
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;
		memcpy(frame + used, argv[i], n);
		uargv[1 + i] = strings + (uint32_t)used;
		used += n;
	}
	uargv[1 + argc] = 0;		/* end of argv */
	uargv[2 + argc] = 0;		/* empty envp */
	if (copyout(t, frame, strings, used) != 0)
		return 0;
	base = ROUND_DOWN(strings - (uint32_t)((3 + argc) * 4), 16);
	if (copyout(t, uargv, base, (size_t)(3 + argc) * 4) != 0)
		return 0;
	return base;
}

/*
 * The regions of the program's segments, page by page, each page with the
 * protections of every segment that covers it: a page text and data share is
 * readable, executable and writable, where the data needs it.
 */
static bool
reserve_segments(struct task *t, const struct elf_image *img)
{
	for (int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->seg[i];
		for (uint32_t va = ROUND_DOWN(s->vaddr, PAGE_SIZE); va < s->vaddr + s->memsz; va += PAGE_SIZE) {
			vm_prot_t prot = 0;
			for (int j = 0; j < img->nsegments; j++) {
				const struct elf_segment *o = &img->seg[j];
				if (va < o->vaddr + o->memsz && va + PAGE_SIZE > ROUND_DOWN(o->vaddr, PAGE_SIZE))
					prot |= o->writable ? VM_PROT_DEFAULT : VM_PROT_READ | VM_PROT_EXECUTE;
			}
			if (vm_map_reserve(t, va, va + PAGE_SIZE, prot) != KERN_SUCCESS)
				return false;
		}
	}
	return true;
}

kern_return_t
loader_start_task(const void *image, size_t size, const char *cmdline, struct task **out,
		  enum elf_error *why)
{
	return loader_start_task_from(image, size, cmdline, NULL, NULL, out, why);
}

/*
 * The same, the new task given before its first instruction parent's bootstrap
 * port (parent may be NULL) and a send right to host_port as its TASK_HOST_PORT
 * (NULL: none). The caller keeps its own reference to host_port.
 */
kern_return_t
loader_start_task_from(const void *image, size_t size, const char *cmdline, struct task *parent,
		       struct port *host_port, struct task **out, enum elf_error *why)
{
	struct elf_image img;
	struct task *t;
	char name[32];
	uint32_t esp, top = 0;

	*why = elf_parse(image, size, USER_LOAD_MIN, USER_STACKS_BOTTOM, &img);
	if (*why != ELF_OK)
		return KERN_INVALID_OBJECT;
	cmdline_task_name(cmdline, name, sizeof name);
	if (task_create(name, &t) < 0)
		return KERN_RESOURCE_SHORTAGE;
	for (int i = 0; i < img.nsegments; i++) {
		if (!load_segment(t, image, &img.seg[i]))
			goto fail;
		top = MAX(top, img.seg[i].vaddr + img.seg[i].memsz);
	}
	if (!reserve_segments(t, &img))
		goto fail;
	t->user_brk = ROUND_UP(top, PAGE_SIZE);
	t->user_entry = img.entry;
	if (parent)
		ipc_task_inherit(t, parent);
	if (host_port)
		ipc_task_set_special(t, TASK_HOST_PORT, host_port);
	esp = build_stack(t, USER_STACK_TOP, cmdline);
	if (!esp || !task_start_thread(t, img.entry, esp))
		goto fail;
	*out = t;
	return KERN_SUCCESS;
fail:
	task_terminate(t, TASK_KILLED, 0);	/* no thread: the reaper finishes it */
	task_unref(t);
	return KERN_RESOURCE_SHORTAGE;
}

/*
 * Starts another thread in a task the loader made, at the program's entry with
 * its own stack (slot 1, 2, ... below the first) and argv from cmdline. Until
 * thread_create exists (the IPC issue) this is how tests get multithreaded tasks.
 */
kern_return_t
loader_add_thread(struct task *t, int slot, const char *cmdline)
{
	uint32_t top = USER_STACK_TOP - (uint32_t)slot * (USER_STACK_SIZE + PAGE_SIZE), esp;

	if (slot < 1 || slot > 8)
		return KERN_INVALID_ARGUMENT;
	esp = build_stack(t, top, cmdline);
	if (!esp || !task_start_thread(t, t->user_entry, esp))
		return KERN_RESOURCE_SHORTAGE;
	return KERN_SUCCESS;
}
