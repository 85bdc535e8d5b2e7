/*
 * A program into a new process: a task of its own (task_create with nothing
 * inherited), its image copied in by vm_copy_to, the stack Linux's ELF loader
 * would build, and one thread started at the entry point once the task's
 * syscall port is set (before its first instruction, so its first `int 0x80`
 * comes here and is not a fault).
 *
 * The stack, from the top down (the i386 ABI's process start):
 *   strings: argv[], envp[], "i686", the program's name; 16 random bytes
 *   auxv pairs ending with AT_NULL; NULL-ended envp; NULL-ended argv; argc  <- esp
 * esp is 16-byte aligned, as the ABI asks of a process's first frame.
 */
#include <stdio.h>
#include <string.h>
#include <mach/thread_status.h>
#include <manifold/trap.h>
#include "exec.h"
#include "imagepager.h"
#include "linux.h"

#define ME mach_task_self()
#define PAGE 4096u
#define STACK_TOP EXEC_STACK_TOP
#define STACK_SIZE EXEC_STACK_SIZE
#define STACK_BUILD (EXEC_STRINGS_MAX + 4096u)	/* the top pages we fill: strings, vectors */
#define USER_LO 0x1000u
#define USER_HI 0xC0000000u
#define HWCAP_I686 0x0183FBFFu		/* fpu..cmov, mmx, fxsr, sse, sse2: what QEMU's CPUs have */

/* A stack image built downwards in buf, which stands for [STACK_TOP - STACK_BUILD, STACK_TOP). */
struct stack_image {
	uint8_t buf[STACK_BUILD];
	uint32_t sp;			/* user address of the lowest byte used */
	uint32_t arg_start, arg_end;	/* where the argument strings went */
	uint32_t env_start, env_end;	/* ...and the environment's */
	bool overflow;
};

static uint32_t
push_bytes(struct stack_image *s, const void *data, size_t len)
{
	uint32_t base = STACK_TOP - STACK_BUILD;

	if (s->overflow || len > s->sp - base) {
		s->overflow = true;
		return 0;
	}
	s->sp -= (uint32_t)len;
	memcpy(s->buf + (s->sp - base), data, len);
	return s->sp;
}

static void
push_word(struct stack_image *s, uint32_t w)
{
	push_bytes(s, &w, sizeof w);
}

/* 16 bytes for AT_RANDOM: the cycle counter and time mixed, good enough for a libc's canary until a random source exists. */
static void
random_bytes(uint8_t out[16])
{
	uint64_t ns = 0, x;

	trap_clock_uptime(&ns);
	x = ns ^ 0x9E3779B97F4A7C15ull;
	for (int i = 0; i < 16; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		out[i] = (uint8_t)x;
	}
}

static int
build_stack(struct stack_image *s, const struct elf_load *l, char *const argv[], int argc, char *const envp[],
	    int envc, const char *execfn)
{
	uint32_t argv_at[EXEC_ARGS_MAX], envp_at[EXEC_ARGS_MAX], platform, rnd, fn;
	uint8_t r[16];
	int nwords, i;

	if (argc > EXEC_ARGS_MAX || envc > EXEC_ARGS_MAX)
		return -1;
	s->sp = STACK_TOP;
	s->overflow = false;
	push_word(s, 0);	/* an end marker above everything */
	fn = push_bytes(s, execfn, strlen(execfn) + 1);
	for (i = envc - 1; i >= 0; i--)
		envp_at[i] = push_bytes(s, envp[i], strlen(envp[i]) + 1);
	for (i = argc - 1; i >= 0; i--)
		argv_at[i] = push_bytes(s, argv[i], strlen(argv[i]) + 1);
	s->arg_start = argc ? argv_at[0] : 0;
	s->arg_end = argc ? argv_at[argc - 1] + (uint32_t)strlen(argv[argc - 1]) + 1 : 0;
	s->env_start = envc ? envp_at[0] : 0;
	s->env_end = envc ? envp_at[envc - 1] + (uint32_t)strlen(envp[envc - 1]) + 1 : 0;
	platform = push_bytes(s, "i686", 5);
	random_bytes(r);
	s->sp &= ~15u;
	rnd = push_bytes(s, r, sizeof r);

	const uint32_t auxv[][2] = {
		{ LNX_AT_PHDR, l->phdr }, { LNX_AT_PHENT, 32 }, { LNX_AT_PHNUM, l->phnum },
		{ LNX_AT_PAGESZ, PAGE }, { LNX_AT_BASE, 0 }, { LNX_AT_FLAGS, 0 },
		{ LNX_AT_ENTRY, l->entry }, { LNX_AT_UID, 0 }, { LNX_AT_EUID, 0 },
		{ LNX_AT_GID, 0 }, { LNX_AT_EGID, 0 }, { LNX_AT_SECURE, 0 },
		{ LNX_AT_HWCAP, HWCAP_I686 }, { LNX_AT_CLKTCK, 100 }, { LNX_AT_PLATFORM, platform },
		{ LNX_AT_RANDOM, rnd }, { LNX_AT_EXECFN, fn }, { LNX_AT_NULL, 0 },
	};
	int nauxv = (int)(sizeof auxv / sizeof auxv[0]);

	/* align so that esp ends 16-byte aligned once everything below is pushed */
	nwords = 2 * nauxv + (envc + 1) + (argc + 1) + 1;
	s->sp = (s->sp - (uint32_t)nwords * 4) & ~15u;
	s->sp += (uint32_t)nwords * 4;
	for (i = nauxv - 1; i >= 0; i--) {
		push_word(s, auxv[i][1]);
		push_word(s, auxv[i][0]);
	}
	push_word(s, 0);
	for (i = envc - 1; i >= 0; i--)
		push_word(s, envp_at[i]);
	push_word(s, 0);
	for (i = argc - 1; i >= 0; i--)
		push_word(s, argv_at[i]);
	push_word(s, (uint32_t)argc);
	return s->overflow ? -1 : 0;
}

/*
 * An image's segments laid out as they are in memory, made once per image and
 * kept (under unix_lock, as every exec), with its runs of pages of one
 * protection, and served as a memory object by imagepager.c: an exec maps it
 * copy-on-write, and the process faults in the pages it touches (busybox's
 * `true`, a few dozen of 505). Without the object (no pager, no room), the
 * buffer is copied into the task whole with vm_copy_to.
 */
#define LAYOUTS_MAX 8
#define RUNS_MAX 8	/* runs of one protection: a static image has a few */

struct run {
	uint32_t va, end, prot;
};

static struct layout {
	const uint8_t *image;
	vm_address_t buf;
	uint32_t lo, size;
	mach_port_t object;	/* the pager's object of buf, or MACH_PORT_NULL */
	int nruns;		/* 0: more than RUNS_MAX, asked of the image page by page */
	struct run runs[RUNS_MAX];
} layouts[LAYOUTS_MAX];	/* [U] */

static void
layout_runs(struct layout *y, const struct elf_load *l)
{
	y->nruns = 0;
	for (uint32_t va = l->lo; va < l->hi;) {
		uint32_t prot = elf_page_prot(y->image, va), end = va + PAGE;

		while (end < l->hi && elf_page_prot(y->image, end) == prot)
			end += PAGE;
		if (y->nruns == RUNS_MAX) {
			y->nruns = 0;
			return;
		}
		y->runs[y->nruns++] = (struct run){ va, end, prot ? prot : VM_PROT_NONE };
		va = end;
	}
}

static const struct layout *
layout_of(const uint8_t *image, const struct elf_load *l)
{
	static int next;	/* [U] the slot to reuse when all are taken */
	struct layout *y;
	vm_address_t buf = 0;
	uint32_t size = l->hi - l->lo;

	for (int i = 0; i < LAYOUTS_MAX; i++)
		if (layouts[i].image == image && layouts[i].lo == l->lo && layouts[i].size == size)
			return &layouts[i];
	if (vm_allocate(ME, &buf, size, TRUE) != KERN_SUCCESS)
		return NULL;
	elf_copy_segments(image, l, (uint8_t *)buf);
	y = &layouts[next];
	next = (next + 1) % LAYOUTS_MAX;
	if (MACH_PORT_VALID(y->object))
		imagepager_retire(y->object);	/* the pager frees the buffer once no process maps it */
	else if (y->buf)
		vm_deallocate(ME, y->buf, y->size);
	*y = (struct layout){ image, buf, l->lo, size, imagepager_create(buf, size), 0, { { 0, 0, 0 } } };
	layout_runs(y, l);
	return y;
}

/*
 * The image into the task. With an object: each run of pages the image never
 * writes is the object's, mapped read-only and shared (a process can make it
 * no more than its protection, so nobody writes the object, and a fork enters
 * nothing for it: the child faults in what it reads); the writable runs (data,
 * bss: a few pages) are the process's own memory, copied in. Mapped with
 * copy-on-write instead, every fork of such a process would walk the object's
 * pages to protect them for the copy (fork_exit_wait 209,287 -> 291,898).
 * Without an object, the whole image is copied and each run protected.
 */
static int
load_image(mach_port_t task, const uint8_t *image, const struct elf_load *l)
{
	const struct layout *y = layout_of(image, l);
	vm_address_t at = l->lo;

	if (!y)
		return -LNX_ENOMEM;
	if (MACH_PORT_VALID(y->object) && y->nruns) {
		for (int i = 0; i < y->nruns; i++) {
			const struct run *u = &y->runs[i];
			uint32_t len = u->end - u->va;

			at = u->va;
			if (!(u->prot & VM_PROT_WRITE) ?
				    vm_map(task, &at, len, 0, FALSE, y->object, u->va - l->lo, FALSE, u->prot, u->prot,
					   VM_INHERIT_SHARE) != KERN_SUCCESS :
				    vm_allocate(task, &at, len, FALSE) != KERN_SUCCESS ||
					    vm_copy_to_quick(ME, y->buf + (u->va - l->lo), len, task, u->va) != KERN_SUCCESS ||
					    (u->prot != (VM_PROT_READ | VM_PROT_WRITE) &&
					     vm_protect(task, u->va, len, FALSE, u->prot) != KERN_SUCCESS))
				return -LNX_ENOMEM;
		}
		return 0;
	}
	if (vm_allocate(task, &at, y->size, FALSE) != KERN_SUCCESS ||
	    vm_copy_to_quick(ME, y->buf, y->size, task, l->lo) != KERN_SUCCESS)
		return -LNX_ENOMEM;
	for (uint32_t va = l->lo; va < l->hi;) {
		uint32_t prot = elf_page_prot(image, va), end = va + PAGE;

		while (end < l->hi && elf_page_prot(image, end) == prot)
			end += PAGE;
		if (prot != (VM_PROT_READ | VM_PROT_WRITE))
			vm_protect(task, va, end - va, FALSE, prot ? prot : VM_PROT_NONE);
		va = end;
	}
	return 0;
}

int
exec_image(struct process *p, const struct image *im, char *const argv[], int argc, char *const envp[], int envc,
	   struct exec_why *why, i386_thread_state_t *st)
{
	static struct stack_image stack;	/* one exec at a time: unix_lock */
	struct elf_load l;
	vm_address_t at = STACK_TOP - STACK_SIZE;
	size_t strings = 0;
	int r;

	if (elf_check(im->data, im->size, &l, why) != 0)
		return -LNX_ENOEXEC;
	for (int i = 0; i < argc; i++)
		strings += strlen(argv[i]) + 1;
	for (int i = 0; i < envc; i++)
		strings += strlen(envp[i]) + 1;
	if (argc > EXEC_ARGS_MAX || envc > EXEC_ARGS_MAX || strings > EXEC_STRINGS_MAX ||
	    build_stack(&stack, &l, argv, argc, envp, envc, argv[0]) != 0) {
		snprintf(why->text, sizeof why->text, "arguments and environment too large");
		return -LNX_E2BIG;
	}
	/* the point of no return: what the task had goes (nothing, for a new one) */
	vm_deallocate(p->task, USER_LO, USER_HI - USER_LO);
	r = load_image(p->task, im->data, &l);
	if (r == 0 && (vm_allocate(p->task, &at, STACK_SIZE, FALSE) != KERN_SUCCESS ||
		       vm_copy_to_quick(ME, (vm_address_t)stack.buf + (stack.sp - (STACK_TOP - STACK_BUILD)), STACK_TOP - stack.sp,
				  p->task, stack.sp) != KERN_SUCCESS))
		r = -LNX_ENOMEM;
	if (r != 0) {
		snprintf(why->text, sizeof why->text, "no memory for the process");
		return r;
	}
	p->image_lo = l.lo;
	p->arg_start = stack.arg_start;
	p->arg_end = stack.arg_end;
	p->env_start = stack.env_start;
	p->env_end = stack.env_end;
	p->ss_sp = p->ss_size = p->ss_flags = 0;	/* no alternate signal stack in a new program */
	p->brk_start = p->brk = p->brk_mapped = l.hi;
	p->exe = im;
	/* Linux starts a process with its general registers zero; edx 0 says no rtld_fini */
	memset(st, 0, sizeof *st);
	st->eip = l.entry;
	st->esp = stack.sp;
	st->eflags = 0x202;
	return 0;
}

int
exec_task_setup(struct process *p, bool forked)
{
	mach_port_t prev;

	/*
	 * A Linux process reaches the system through its system calls only, not
	 * ns through an inherited right; a forked one inherited its parent's
	 * bootstrap port (the only special port a child inherits), which is none.
	 */
	if ((!forked && task_set_special_port(p->task, TASK_BOOTSTRAP_PORT, MACH_PORT_NULL) != KERN_SUCCESS) ||
	    task_set_special_port(p->task, TASK_SYSCALL_PORT, p->port) != KERN_SUCCESS)
		return -LNX_ENOMEM;
	/* a fault that kills it tells us (process_task_died) */
	if (mach_port_request_notification(ME, p->task, MACH_NOTIFY_DEAD_NAME, 1, server_notify_port,
					   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev) != KERN_SUCCESS)
		return -LNX_ENOMEM;
	return 0;
}

int
exec_start(struct process *p, const struct image *im, char *const argv[], int argc, char *const envp[], int envc,
	   struct exec_why *why)
{
	i386_thread_state_t st;
	int r;

	if (task_create(ME, FALSE, &p->task) != KERN_SUCCESS) {
		snprintf(why->text, sizeof why->text, "no memory for the process");
		return -LNX_ENOMEM;
	}
	r = exec_image(p, im, argv, argc, envp, envc, why, &st);
	if (r == 0 && (exec_task_setup(p, false) != 0 || thread_create(p->task, &p->thread) != KERN_SUCCESS ||
		       thread_set_state(p->thread, i386_THREAD_STATE, (natural_t *)&st, i386_THREAD_STATE_COUNT) !=
			       KERN_SUCCESS ||
		       thread_resume(p->thread) != KERN_SUCCESS)) {
		snprintf(why->text, sizeof why->text, "no memory for the process");
		r = -LNX_ENOMEM;
	}
	if (r != 0) {
		task_terminate(p->task);
		mach_port_deallocate(ME, p->task);
		if (MACH_PORT_VALID(p->thread))
			mach_port_deallocate(ME, p->thread);
		p->task = p->thread = MACH_PORT_NULL;
	}
	return r;
}
