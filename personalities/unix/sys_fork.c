/*
 * fork, vfork and clone for processes: the child is a task made from the
 * caller's (task_create with inherited memory: the kernel's copy-on-write,
 * vm/fork.c), with one thread whose registers are the caller's at its
 * `int 0x80` but eax 0, the caller's TLS segment, and a syscall port of its
 * own. Its descriptors, signal dispositions and mask, process group and
 * session are copies of the caller's.
 *
 * vfork copies too (no memory is shared), but keeps Linux's order: the
 * caller's call is held until the child has exec'd or ended. clone with
 * CLONE_VM and CLONE_VFORK (how glibc's posix_spawn starts a child on a
 * stack of its own) is served the same way: the memory is copied, which a
 * child that only execs or exits cannot tell, but what it writes there
 * before (posix_spawn's error word) the parent does not see.
 * clone asking for shared memory otherwise, threads or namespaces is
 * refused: a process here is a task with one thread.
 */
#include <string.h>
#include "exec.h"
#include "fd.h"
#include "fpu.h"
#include "linux.h"
#include "syscall.h"
#include "umem.h"

#define ME mach_task_self()

#define CLONE_CSIGNAL		0x000000FFu
#define CLONE_SETTLS		0x00080000u
#define CLONE_PARENT_SETTID	0x00100000u
#define CLONE_CHILD_CLEARTID	0x00200000u
#define CLONE_CHILD_SETTID	0x01000000u
#define CLONE_VM		0x00000100u
#define CLONE_VFORK		0x00004000u
#define CLONE_PROCESS_FLAGS	(CLONE_CSIGNAL | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | \
				 CLONE_VFORK)

/* The child's task, thread and registers; 0 or -errno, and then nothing of the child is left but its slot. */
static int
make_child(struct process *p, struct process *c, uint32_t stack)
{
	i386_thread_state_t st = *p->regs;

	if (task_create(p->task, TRUE, &c->task) != KERN_SUCCESS)
		return -LNX_EAGAIN;	/* the kernel's TASK_LIMIT_TASKS for p's task, or short of pages */
	if (exec_task_setup(c, true) != 0 || thread_create(c->task, &c->thread) != KERN_SUCCESS)
		return -LNX_ENOMEM;
	c->tls = p->tls;	/* the parent's TLS segment, as set_thread_area left it */
	if (c->tls.base)
		thread_set_state(c->thread, i386_TLS_STATE, (natural_t *)&c->tls, i386_TLS_STATE_COUNT);
	st.eax = 0;
	if (stack)
		st.esp = stack;
	if (thread_set_state(c->thread, i386_THREAD_STATE, (natural_t *)&st, i386_THREAD_STATE_COUNT) != KERN_SUCCESS)
		return -LNX_ENOMEM;
	fpu_copy(p, c);	/* the parent's x87 and SSE registers, as Linux's child has them */
	return 0;
}

/* The fork itself; the child's pid, or -errno. */
static int32_t
do_fork(struct process *p, uint32_t flags, uint32_t stack, uint32_t ptid, uint32_t ctid)
{
	struct process *c = process_alloc(p->name, p->pid);
	int r;

	if (!c)
		return -LNX_EAGAIN;
	c->pgid = p->pgid;
	c->sid = p->sid;
	c->run = p->run;
	c->exe = p->exe;
	c->image_lo = p->image_lo;
	c->arg_start = p->arg_start;	/* the same strings in the copy of its memory */
	c->arg_end = p->arg_end;
	c->env_start = p->env_start;
	c->env_end = p->env_end;
	c->brk_start = p->brk_start;
	c->brk = p->brk;
	c->brk_mapped = p->brk_mapped;
	c->sigmask = p->sigmask;	/* and nothing pending: the child starts with none */
	memcpy(c->sigactions, p->sigactions, sizeof c->sigactions);
	c->ss_sp = p->ss_sp;	/* the alternate signal stack: the copy of memory has it too */
	c->ss_size = p->ss_size;
	c->ss_flags = p->ss_flags;
	memcpy(c->cwd, p->cwd, sizeof c->cwd);
	c->umask = p->umask;
	r = fd_table_copy(c, p);
	if (r == 0)
		r = make_child(p, c, stack);
	if (r == 0 && flags & CLONE_CHILD_SETTID)
		r = umem_write(c, ctid, &c->pid, sizeof c->pid);
	if (r == 0 && flags & CLONE_PARENT_SETTID)
		r = umem_write(p, ptid, &c->pid, sizeof c->pid);
	if (r == 0 && thread_resume(c->thread) != KERN_SUCCESS)
		r = -LNX_ENOMEM;
	if (r != 0) {
		process_discard(c);
		return r;
	}
	if (flags & CLONE_CHILD_CLEARTID)
		c->tid_address = ctid;
	if (flags & CLONE_VFORK) {
		c->vfork_parent = p->pid;
		p->vfork_child = c->pid;
	}
	return (int32_t)c->pid;
}

/*
 * The vfork caller's call, served again: held while its child neither
 * exec'd nor ended (sys_exec.c and process_exit clear the link).
 */
static int32_t
vfork_wait(struct process *p)
{
	uint32_t child = p->vfork_child;
	struct process *c = process_of_pid(child);

	if (c && c->state == PROC_LIVE && c->vfork_parent == p->pid) {
		p->wait_key = p;	/* process_vfork_done wakes it */
		return SYS_DEFER;
	}
	p->vfork_child = 0;
	return (int32_t)child;
}

SYS(fork)
{
	(void)a;
	return do_fork(p, LNX_SIGCHLD, 0, 0, 0);
}

SYS(vfork)
{
	int32_t r;

	(void)a;
	if (p->vfork_child)
		return vfork_wait(p);
	r = do_fork(p, LNX_SIGCHLD | CLONE_VFORK, 0, 0, 0);
	return r < 0 ? r : vfork_wait(p);
}

/* clone(flags, stack, parent_tidptr, tls, child_tidptr): i386's argument order. */
SYS(clone)
{
	uint32_t flags = a[0];
	int32_t r;

	if (p->vfork_child)
		return vfork_wait(p);
	if ((flags & CLONE_VM) && (flags & CLONE_VFORK))
		flags &= ~CLONE_VM;	/* the parent waits: a copy serves (see the top of the file) */
	if (flags & ~CLONE_PROCESS_FLAGS)
		return -LNX_EINVAL;	/* threads, shared memory or files, namespaces: not for a task each */
	r = do_fork(p, flags, a[1], a[2], a[4]);
	return r < 0 || !(flags & CLONE_VFORK) ? r : vfork_wait(p);
}
