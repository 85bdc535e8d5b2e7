/*
 * trap(): every interrupt, exception and native system call arrives here from
 * trapentry.S. Interrupts go to their handlers, the trap vector to the system
 * call table, and a fault ends the task that caused it (until the IPC issue
 * turns faults into exception messages). A fault in the kernel itself panics.
 * On the way back to user mode a thread may be preempted or told to exit.
 */
#include <kern/stack_args.h>
#include <kern/arch.h>
#include <kern/clock.h>
#include <kern/copyio.h>
#include <kern/device.h>
#include <kern/ipc.h>
#include <kern/vm_map.h>
#include <kern/lib.h>
#include <kern/panic.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <kern/task.h>
#include "cpu.h"
#include "layout.h"
#include "pic.h"
#include "trapframe.h"
#include "uart.h"
#include <mach/thread_status.h>

static const char *const fault_names[32] = {
	[T_DIVIDE] = "divide error",
	[T_DEBUG] = "debug exception",
	[T_NMI] = "non-maskable interrupt",
	[T_BREAKPOINT] = "breakpoint",
	[T_OVERFLOW] = "overflow",
	[T_BOUND] = "bound range exceeded",
	[T_INVALID_OP] = "invalid opcode",
	[T_NO_DEVICE] = "no floating-point unit",
	[T_DOUBLE_FAULT] = "double fault",
	[T_INVALID_TSS] = "invalid TSS",
	[T_NO_SEGMENT] = "segment not present",
	[T_STACK_FAULT] = "stack fault",
	[T_GPF] = "general protection fault",
	[T_PAGE_FAULT] = "page fault",
	[T_FPU_ERROR] = "floating-point error",
	[T_ALIGNMENT] = "alignment check",
	[T_MACHINE_CHECK] = "machine check",
	[T_SIMD] = "SIMD floating-point exception",
};

const char *
trap_name(uint32_t trapno)
{
	if (trapno < 32 && fault_names[trapno])
		return fault_names[trapno];
	return "unknown exception";
}

/* The Mach exception a trap raises. */
static int
exception_of(uint32_t trapno)
{
	switch (trapno) {
	case T_PAGE_FAULT:
	case T_NO_SEGMENT:
	case T_STACK_FAULT:
		return EXC_BAD_ACCESS;
	case T_DIVIDE:
	case T_OVERFLOW:
	case T_FPU_ERROR:
	case T_SIMD:
		return EXC_ARITHMETIC;
	case T_BREAKPOINT:
	case T_DEBUG:
		return EXC_BREAKPOINT;
	default:
		return EXC_BAD_INSTRUCTION;
	}
}

/*
 * A user fault: the exception port's handler may fix the thread; otherwise one
 * console line says which task died, of what, and where.
 */
static const char *
fault_reason(kern_return_t kr, uint32_t addr)
{
	if (addr >= 0xC0000000u)
		return "kernel memory";
	switch (kr) {
	case KERN_PROTECTION_FAILURE:
		return "protection violation";
	case KERN_RESOURCE_SHORTAGE:
		return "out of memory";
	case KERN_MEMORY_ERROR:
		return "the pager reported an error";
	case KERN_MEMORY_FAILURE:
		return "the pager is gone";
	default:
		return "not mapped";
	}
}

/*
 * A request made on the running thread's behalf got no answer: the one who
 * should answer went away, or the thread is being ended. Only the thread ends
 * (on its way back to user mode), with a line unless it was being ended anyway.
 */
static void
end_unanswered_thread(struct task *task, const char *who)
{
	uint32_t f;

	if (!curthread()->kill_pending)
		kprintf("task %u (%s): a thread ended: its %s never answered\n", task->id, task->name, who);
	f = spin_lock_irqsave(&sched_lock);
	thread_terminate_locked(curthread());
	spin_unlock_irqrestore(&sched_lock, f);
}

/*
 * A user fault: the exception port's handler may fix the thread; otherwise one
 * console line says which task died, of what, and where. As in Mach, a bad
 * access's code is what the fault returned (KERN_INVALID_ADDRESS,
 * KERN_PROTECTION_FAILURE, KERN_MEMORY_ERROR from a pager...), its subcode
 * the address; other exceptions carry the trap number.
 */
static void
user_fault(struct trapframe *tf, uint32_t cr2)
{
	struct task *task = curtask();
	uint32_t addr = tf->trapno == T_PAGE_FAULT ? cr2 : tf->err;
	integer_t code = (integer_t)tf->trapno;
	kern_return_t kr = KERN_SUCCESS;

	/* a page not touched yet, or a copy-on-write page written: not an error */
	if (tf->trapno == T_PAGE_FAULT) {
		kr = vm_fault(task, addr, (tf->err & 2) != 0);
		if (kr == KERN_SUCCESS)
			return;
		code = kr;
	}
	switch (exception_raise(curthread(), exception_of(tf->trapno), code, (integer_t)addr)) {
	case EXCEPTION_HANDLED:
		return;
	case EXCEPTION_NO_ANSWER:	/* the handler went away, or we are being ended: only this thread */
		end_unanswered_thread(task, "exception handler");
		return;
	case EXCEPTION_UNHANDLED:
		break;
	}

	if (tf->trapno == T_PAGE_FAULT) {
		kprintf("task %u (%s) killed: page fault at eip %#010x: %s %#010x (%s)\n", task->id,
			task->name, tf->eip, (tf->err & 2) ? "write to" : "read of", addr, fault_reason(kr, addr));
	} else if (tf->trapno == T_GPF && tf->err) {
		kprintf("task %u (%s) killed: general protection fault at eip %#010x (selector %#x)\n",
			task->id, task->name, tf->eip, tf->err);
	} else {
		kprintf("task %u (%s) killed: %s at eip %#010x\n", task->id, task->name,
			trap_name(tf->trapno), tf->eip);
	}
	task_terminate(task, TASK_FAULTED, (int)tf->trapno);
}

/*
 * `int 0x80`: a system call for the task's personality server, when the task
 * has a syscall port. Without one it is what it was before the vector
 * existed, a general-protection fault naming the vector (eip back on the
 * two-byte instruction, where the fault would have left it).
 */
static void
personality_syscall(struct trapframe *tf)
{
	struct task *task = curtask();
	bool had_port;

	switch (syscall_port_raise(curthread(), &had_port)) {
	case EXCEPTION_HANDLED:
		return;
	case EXCEPTION_NO_ANSWER:	/* the server went away, or we are being ended: only this thread */
		end_unanswered_thread(task, "syscall server");
		return;
	case EXCEPTION_UNHANDLED:
		break;
	}
	if (!had_port) {
		tf->trapno = T_GPF;
		tf->err = (T_PERSONALITY << 3) | 2;	/* an IDT selector, as the CPU reports it */
		tf->eip -= 2;
		user_fault(tf, 0);
		return;
	}
	kprintf("task %u (%s) killed: its syscall server refused int 0x80 at eip %#010x\n", task->id, task->name,
		tf->eip - 2);
	task_terminate(task, TASK_FAULTED, T_PERSONALITY);
}

/*
 * A page fault inside one of usercopy.S's routines: the current task's page,
 * brought in as the task's own access would (zero fill, copy-on-write, a
 * pager), and the routine goes on; or it ends at its fixup with the error.
 * With interrupts on where it ran, this may wait (the map's mutex, a pager);
 * under a spin lock it may not, as vm_fault knows. Never while the task's map
 * is held by this thread: that copy fails instead of taking the map again.
 */
struct usercopy_range { uintptr_t start, end, fixup; };
kern_return_t arch_user_load2(uint32_t uaddr, uint32_t out[2]);
extern const struct usercopy_range usercopy_ranges[], usercopy_ranges_end[];

static bool
usercopy_fault(struct trapframe *tf)
{
	uint32_t cr2 = read_cr2();
	struct task *t = curtask();
	kern_return_t kr = KERN_INVALID_ADDRESS;
	bool on = tf->eflags & EFLAGS_IF;
	const struct usercopy_range *r = usercopy_ranges;

	while (r < usercopy_ranges_end && (tf->eip < r->start || tf->eip >= r->end))
		r++;
	if (r == usercopy_ranges_end || cr2 >= USER_TOP)
		return false;
	if (!kmutex_held(&t->map_lock)) {
		if (on)
			irqoff_sti();
		kr = vm_fault(t, cr2, (tf->err & 2) != 0);
		if (on)
			irqoff_cli();
	}
	if (kr != KERN_SUCCESS) {
		/* the copy's error as copyio.c's check tells it: a write to a mapped page it
		 * may not write is a protection failure, anything else a bad address */
		tf->eip = r->fixup;
		tf->eax = (tf->err & 2) && copyout_check_nofault(t, cr2, 1) != KERN_INVALID_ADDRESS
				  ? KERN_PROTECTION_FAILURE : KERN_INVALID_ADDRESS;
	}
	return true;
}

/* What every trap does on its way back: whoever should run next runs, and a thread told to stop stops. */
static inline __attribute__((always_inline)) void
trap_end(bool from_user)
{
	if (sched_successor_pending())	/* a send's receiver, and no receive after it blocked */
		sched_successor_flush();
	if (sched_need_resched())
		sched_preempt();
	if (from_user)
		task_check_kill();
}

/* mach_msg with both halves and no timing asked for: an RPC's call, a server's answer and wait. */
static inline bool
is_rpc_shape(uint32_t option)
{
	return (option & (MACH_SEND_MSG | MACH_RCV_MSG)) == (MACH_SEND_MSG | MACH_RCV_MSG) && !stat_timing;
}

STACK_ARGS void
trap(struct trapframe *tf)
{
	uint32_t n = tf->trapno;

	if (n >= T_IRQ0 && n < T_IRQ0 + 16) {
		arch_idle_over();
		pic_eoi((int)(n - T_IRQ0));
		if (n == T_IRQ0)
			clock_tick();
		else if (n == T_IRQ0 + UART_IRQ)
			uart_interrupt();
		else
			device_irq_interrupt((int)(n - T_IRQ0));	/* a driver's line: masked, sent later */
	} else if (n == T_SYSCALL) {	/* by int 0x30 (sysenter comes through syscall_sysenter) */
		struct trap_args a = { { tf->ebx, tf->ecx, tf->edx, tf->esi, tf->edi, tf->ebp } };
		irqoff_sti();	/* sti and cli, seen by the interrupts-off measurement */
		if (tf->eax == TRAP_mach_msg && is_rpc_shape(a.a[1])) {
			tf->eax = (uint32_t)ipc_send_receive(a.a[0], a.a[1], a.a[2], a.a[3], a.a[4], a.a[5]);
			syscall_done();
		} else
			tf->eax = (uint32_t)syscall_dispatch(tf->eax, &a);
		irqoff_cli();
	} else if (n == T_PERSONALITY && trapframe_from_user(tf)) {
		irqoff_sti();
		personality_syscall(tf);
		irqoff_cli();
	} else if (trapframe_from_user(tf)) {
		/* with interrupts on, as a system call: a fault may take the map's
		 * mutex, wait for a pager, or copy a page */
		uint32_t cr2 = read_cr2();
		irqoff_sti();
		user_fault(tf, cr2);
		irqoff_cli();
	} else if (n == T_PAGE_FAULT && usercopy_fault(tf)) {
		return;		/* back into the copy, or to its fixup */
	} else {
		char what[64];
		if (n == T_PAGE_FAULT)
			snprintf(what, sizeof what, "page fault at %#010x (error %#x)", read_cr2(), tf->err);
		else
			snprintf(what, sizeof what, "%s (error %#x)", trap_name(n), tf->err);
		panic_trap(what, tf);
	}

	trap_end(trapframe_from_user(tf));
}

/*
 * A system call by sysenter (trapentry.S): trap()'s T_SYSCALL case without
 * first asking what kind of trap came, and an RPC's mach_msg straight to the
 * IPC code. Arguments 1 and 2 are on the user's stack (<manifold/traps.h>),
 * read only for a trap that takes them: most take one argument or none, and
 * their stubs push nothing.
 */
static inline bool
stack_args(const struct trapframe *tf, uint32_t a12[2])
{
	return tf->esp <= USER_TOP - 8 && arch_user_load2(tf->esp, a12) == KERN_SUCCESS;
}

STACK_ARGS void
syscall_sysenter(struct trapframe *tf)
{
	uint32_t n = tf->eax, a12[2];

	irqoff_sti();
	if (n == TRAP_mach_msg) {	/* first: the one trap whose cost is the benchmark's */
		if (!stack_args(tf, a12)) {
			tf->eax = KERN_INVALID_ADDRESS;
		} else if (is_rpc_shape(a12[0])) {
			tf->eax = (uint32_t)ipc_send_receive(tf->ebx, a12[0], a12[1], tf->esi, tf->edi, tf->ebp);
			syscall_done();
		} else {
			struct trap_args a = { { tf->ebx, a12[0], a12[1], tf->esi, tf->edi, tf->ebp } };
			tf->eax = (uint32_t)syscall_dispatch(n, &a);
		}
	} else {	/* the stack read only for a trap that takes arguments 1 or 2 */
		struct trap_args a = { { tf->ebx, 0, 0, tf->esi, tf->edi, tf->ebp } };
		bool on_stack = n < TRAP_COUNT && trap_argc[n] > 1;

		tf->eax = !on_stack || stack_args(tf, &a.a[1]) ? (uint32_t)syscall_dispatch(n, &a)
							       : KERN_INVALID_ADDRESS;
	}
	irqoff_cli();
	trap_end(true);	/* sysenter comes from user mode only */
}

void
arch_print_registers(const void *frame)
{
	const struct trapframe *tf = frame;

	if (tf) {
		kprintf("  eax %08x ebx %08x ecx %08x edx %08x\n", tf->eax, tf->ebx, tf->ecx, tf->edx);
		kprintf("  esi %08x edi %08x ebp %08x esp %08x\n", tf->esi, tf->edi, tf->ebp,
			tf->kernel_esp + 20);
		kprintf("  eip %08x cs %04x eflags %08x trap %u err %#x\n", tf->eip, tf->cs, tf->eflags,
			tf->trapno, tf->err);
	}
	if (!tf) {	/* a panic() call: the registers as they are here */
		uint32_t r[8];
		__asm__ volatile("mov %%eax, 0(%0); mov %%ebx, 4(%0); mov %%ecx, 8(%0); mov %%edx, 12(%0);"
				 "mov %%esi, 16(%0); mov %%edi, 20(%0); mov %%ebp, 24(%0); mov %%esp, 28(%0)"
				 : : "r"(r) : "memory");
		kprintf("  eax %08x ebx %08x ecx %08x edx %08x\n", r[0], r[1], r[2], r[3]);
		kprintf("  esi %08x edi %08x ebp %08x esp %08x eflags %08x\n", r[4], r[5], r[6], r[7],
			read_eflags());
	}
	kprintf("  cr0 %08x cr2 %08x cr3 %08x cr4 %08x\n", read_cr0(), read_cr2(), read_cr3(), read_cr4());
	if (curthread())
		kprintf("  thread %s (task %s)\n", curthread()->name,
			curthread()->task ? curthread()->task->name : "?");
}

uint32_t arch_frame_eip(const void *frame) { return ((const struct trapframe *)frame)->eip; }
