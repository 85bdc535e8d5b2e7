/*
 * The native trap list: one table that both the kernel's dispatcher and
 * libmsg's user stubs are generated from. A trap is `int $0x30` with the trap
 * number in eax and up to six arguments in ebx, ecx, edx, esi, edi, ebp; the
 * result (a kern_return_t) comes back in eax, and every other register as it
 * was. Out-parameters are user pointers, written only on success. (int 0x80 is
 * not ours: the Unix personality owns it.)
 *
 * The same traps come faster by `sysenter`, when the fast_entry trap says the
 * kernel takes it (it does unless booted with sysenter=off, or on a CPU
 * without it): eax, ebx, esi, edi and ebp as above; the second and third
 * arguments (int 0x30's ecx and edx) in the two words at the stack pointer,
 * second first; ecx holds that stack pointer and edx the address to go on at.
 * The result comes back in eax; ecx and edx are lost (they come back as the
 * stack pointer and that address), the rest as it was. The two stack words
 * are read only for a trap whose argc (below) is 2 or more; when they cannot
 * be read the trap returns KERN_INVALID_ADDRESS. A stub:
 *
 *	pushl	a2;  pushl	a1
 *	movl	%esp, %ecx;  movl	$1f, %edx
 *	sysenter
 *	1: addl	$8, %esp
 *
 * and for a trap of one argument or none, where nothing is read from the stack:
 *
 *	movl	%esp, %ecx;  movl	$1f, %edx
 *	sysenter
 *	1:
 *
 * The IPC and VM interfaces (mach_msg and the kernel RPCs) come with their own
 * issues; these are the boot-time traps: a debug console, exit, yield, time,
 * the boot modules the bootstrap task starts, and the test harness's exit.
 *
 * Privileged traps (boot_module_*, console_read, task_list) take as their
 * first argument the name of a send right to the privileged host port
 * (host_priv, as Mach calls it), a kernel object of its own, distinct from the
 * host port mach_host_self gives. Any other name, MACH_PORT_NULL included,
 * gets KERN_INVALID_HOST, as Mach's host_priv calls do, before any other
 * argument is looked at. The kernel gives a send right to it to the first
 * task alone, as that task's TASK_HOST_PORT special port, set before its first
 * instruction (task_get_special_port(mach_task_self(), TASK_HOST_PORT, &p));
 * that task passes it on with boot_module_start's host_port. A task created
 * by task_create or boot_module_start inherits no TASK_HOST_PORT.
 */
#ifndef MANIFOLD_TRAPS_H
#define MANIFOLD_TRAPS_H

#define MANIFOLD_TRAP_VECTOR 0x30

/*
 * TRAP(number, name, argc, errors)
 *
 * console_write(const char *buf, size_t len)
 *	Writes to the kernel console, as one piece. len <= TRAP_CONSOLE_MAX.
 *	KERN_INVALID_ARGUMENT (len too large), KERN_INVALID_ADDRESS (buf unreadable).
 *	The serial line gets CR LF for each LF.
 * console_write_raw(const char *buf, size_t len)
 *	The same, but the bytes go to the serial line as they are (no CR before
 *	LF): for a terminal that does its own output processing (the Unix
 *	server's tty, through the console server).
 * task_exit(int status)
 *	Ends the calling task with status. Does not return.
 * thread_yield(void)
 *	Gives up the rest of the quantum. Always KERN_SUCCESS.
 * clock_uptime(uint64_t *ns)
 *	Nanoseconds since boot. KERN_INVALID_ADDRESS.
 * boot_module_count(mach_port_t host_priv, uint32_t *count)
 *	How many boot modules there are. KERN_INVALID_HOST, KERN_INVALID_ADDRESS.
 * boot_module_info(mach_port_t host_priv, uint32_t index, char *cmdline, size_t size,
 *		    uint32_t *bytes)
 *	The module's command line (file name first, truncated and terminated to
 *	fit size) and its length in bytes. KERN_INVALID_HOST,
 *	KERN_INVALID_ARGUMENT (bad index, size 0 or > 4096), KERN_INVALID_ADDRESS.
 * boot_module_start(mach_port_t host_priv, uint32_t index, mach_port_t host_port,
 *		     uint32_t *task_id, mach_port_t *task_port)
 *	Creates a task from the module's ELF image with its command line as argv;
 *	it inherits the caller's bootstrap port, and gets a copy of the send
 *	right host_port names as its TASK_HOST_PORT (MACH_PORT_NULL: none): how
 *	the bootstrap gives host_priv to the servers that need it. task_port may
 *	be NULL; otherwise it receives a send right to the new task's port.
 *	KERN_INVALID_HOST, KERN_INVALID_ARGUMENT (bad index), KERN_INVALID_ADDRESS,
 *	KERN_INVALID_NAME (host_port names nothing), KERN_INVALID_RIGHT
 *	(host_port is not a send right, or a dead name), KERN_INVALID_OBJECT (not
 *	a valid i386 ELF executable: the console says why), KERN_RESOURCE_SHORTAGE.
 * boot_module_read(mach_port_t host_priv, uint32_t index, uint32_t offset, void *buf, size_t len)
 *	Copies len bytes of the module's image from offset into buf: how a
 *	module that is data, not a Manifold program (a Linux binary for the
 *	Unix personality), reaches the task that wants it (the bootstrap's
 *	bootstrap_module_read). KERN_INVALID_HOST, KERN_INVALID_ARGUMENT (bad
 *	index, or offset and len not inside the image), KERN_INVALID_ADDRESS.
 * task_self_id(uint32_t *id)
 *	The calling task's number. KERN_INVALID_ADDRESS.
 * debug_exit(int code)
 *	Leaves QEMU through isa-debug-exit; only when the kernel was booted with
 *	`debug_exit` on its command line. KERN_NO_ACCESS otherwise.
 *
 * The Mach IPC traps follow OSF Mach 3.0's calls of the same names (without
 * the leading "mach_", in trap names only); their errors are the manual's.
 * mach_msg takes its sixth argument, the timeout, in ebp. The mach_port_*
 * and vm_* calls are RPCs on a task port (mach_port.defs, vm_map.defs), served
 * by the kernel, as in OSF Mach; the few below are traps too, for a task port
 * of this kernel, as xnu's kernel-RPC traps are (numbers 19-26 and 32-38 are
 * free since they stopped being traps).
 * mach_port_allocate(mach_port_t task, mach_port_right_t right, mach_port_name_t *name)
 * mach_port_deallocate(mach_port_t task, mach_port_name_t name)
 * mach_port_destroy(mach_port_t task, mach_port_name_t name)
 * mach_port_mod_refs(mach_port_t task, mach_port_name_t name, mach_port_right_t right,
 *		      mach_port_delta_t delta)
 *	mach_port.defs' routines of the same names without their messages, when
 *	task is a send right to one of this kernel's task ports: the same work
 *	and the same errors (the RPC's server does it with the same functions),
 *	and for allocate KERN_INVALID_ADDRESS, with no right made, where name
 *	cannot be written. For any other name they change nothing and return
 *	TRAP_BY_RPC; libmsg's mach_port_allocate, _deallocate, _destroy and
 *	_mod_refs try the trap and then send the RPC, which answers for an
 *	interposer's port, another node's task or a bad name.
 * vm_copy_to(mach_port_t target_task, vm_address_t address, vm_size_t size,
 *	      mach_port_t dest_task, vm_address_t dest_address)
 *	vm_map.defs' vm_copy_to without its messages, when both names are send
 *	rights to task ports of this kernel: the same copy, checks and errors
 *	(KERN_INVALID_TASK, KERN_INVALID_ADDRESS, KERN_PROTECTION_FAILURE,
 *	KERN_DEVICE_MEMORY, KERN_RESOURCE_SHORTAGE). For any other name it
 *	changes nothing and returns TRAP_BY_RPC: the caller sends the RPC, which
 *	answers for an interposer's port, another node's task or a bad name
 *	(libmsg's vm_copy_to_quick does both).
 * mach_thread_self(*name), mach_host_self(*name): send rights to the calling
 * thread's port and to the host port (the task, thread and host RPCs of
 * task.defs, thread.defs and host.defs go to these ports with mach_msg).
 * thread_switch(thread, option, time): yields the processor (to `thread` when it
 * names a ready thread of the caller's), as Mach's; KERN_INVALID_ARGUMENT.
 * fast_entry(void)
 *	KERN_SUCCESS when traps may come by sysenter (above), KERN_FAILURE when
 *	only int 0x30 works.
 * device_intr_ack(uint32_t irq)
 *	Unmasks interrupt line irq, which the calling task attached
 *	(device.defs' device_intr_attach) and whose device_intr message it has
 *	dealt with: device.defs' device_intr_ack for the line's owner itself,
 *	without the device port or a kernel RPC (a driver acks every interrupt).
 *	KERN_INVALID_ARGUMENT (irq is no line: 16 and up), KERN_NO_ACCESS (the
 *	line is not attached to the calling task).
 * kernel_stats(struct manifold_kernel_stats *, uint32_t flags)
 *	Counters for leak checks in tests: live ports, free pages, heap bytes;
 *	flags (KSTATS_*, below), after the counters are read: reset the
 *	interrupts-off figures; start or stop counting cycles in traps, sends and
 *	switches (off at boot: it costs every trap some 20 instructions).
 *	KERN_INVALID_ARGUMENT for another flag.
 * console_read(mach_port_t host_priv, char *buf, size_t len, uint32_t timeout_ms,
 *		uint32_t *count)
 *	Takes up to len bytes typed on the serial console (at least one) into buf
 *	and their number into *count. Blocks until input comes: timeout_ms 0 does
 *	not wait, TRAP_CONSOLE_WAIT_FOREVER waits for ever. Every reader sees a
 *	share of one stream: the console server is meant to be the only one.
 *	KERN_INVALID_HOST, KERN_INVALID_ARGUMENT (len 0 or > TRAP_CONSOLE_READ_MAX),
 *	KERN_INVALID_ADDRESS (buf or count not writable), KERN_OPERATION_TIMED_OUT
 *	(no input in time), KERN_ABORTED (the thread was aborted while waiting).
 * task_list(mach_port_t host_priv, struct manifold_task_summary *buf, uint32_t max,
 *	     uint32_t *count)
 *	What ps shows: a summary of each task (the kernel's included), oldest
 *	first, up to max of them in buf; *count says how many there are, which
 *	may be more. It gives no ports: looking is not touching.
 *	KERN_INVALID_HOST, KERN_INVALID_ARGUMENT (max > TRAP_TASK_LIST_MAX),
 *	KERN_INVALID_ADDRESS.
 * clock_sleep(mach_port_t clock_name, sleep_type_t sleep_type, uint32_t seconds,
 *	       int32_t nanoseconds, mach_timespec_t *wakeup_time)
 *	Mach's clock_sleep trap (libmsg's clock_sleep takes a mach_timespec_t):
 *	sleeps until the clock that clock_name is a send right to a name or
 *	control port of (host_get_clock_service, host_get_clock_control) reads
 *	the time given (TIME_ABSOLUTE) or that time from now (TIME_RELATIVE),
 *	to the scheduler's tick; a time past returns at once. *wakeup_time is
 *	the clock's time at the wake. KERN_INVALID_ARGUMENT (clock_name is no
 *	clock's), KERN_INVALID_VALUE (another sleep_type, nanoseconds outside 0
 *	to 999,999,999), KERN_INVALID_ADDRESS, KERN_ABORTED (the thread was
 *	aborted, or the calendar clock set while it slept on that clock).
 */
#define MANIFOLD_TRAPS(TRAP)				\
	TRAP(1, console_write, 2)			\
	TRAP(2, task_exit, 1)				\
	TRAP(3, thread_yield, 0)			\
	TRAP(4, clock_uptime, 1)			\
	TRAP(5, boot_module_count, 2)			\
	TRAP(6, boot_module_info, 5)			\
	TRAP(7, boot_module_start, 5)			\
	TRAP(8, task_self_id, 1)			\
	TRAP(9, debug_exit, 1)				\
	TRAP(10, mach_msg, 6)				\
	TRAP(11, mach_reply_port, 1)			\
	TRAP(12, mach_task_self, 1)			\
	TRAP(13, device_intr_ack, 1)			\
	TRAP(14, vm_copy_to, 5)				\
	TRAP(15, mach_port_allocate, 3)			\
	TRAP(16, mach_port_deallocate, 2)		\
	TRAP(17, mach_port_destroy, 2)			\
	TRAP(18, mach_port_mod_refs, 4)			\
	TRAP(27, kernel_stats, 2)			\
	TRAP(28, mach_thread_self, 1)			\
	TRAP(29, mach_host_self, 1)			\
	TRAP(30, thread_switch, 3)			\
	TRAP(31, fast_entry, 0)				\
	TRAP(48, console_read, 5)			\
	TRAP(49, task_list, 4)				\
	TRAP(50, boot_module_read, 5)			\
	TRAP(51, console_write_raw, 2)			\
	TRAP(52, clock_sleep, 5)

enum manifold_trap {
#define TRAP_ENUM(n, name, argc) TRAP_##name = n,
	MANIFOLD_TRAPS(TRAP_ENUM)
#undef TRAP_ENUM
	TRAP_COUNT
};

/* A trap that leaves the call to the RPC of the same name (vm_copy_to): no trap or kernel RPC returns it (MIG's own errors are -300 and below). */
#define TRAP_BY_RPC		(-1)
#define TRAP_CONSOLE_MAX	65536
#define TRAP_CONSOLE_READ_MAX	4096
#define TRAP_CONSOLE_WAIT_FOREVER	0xFFFFFFFFu
#define TRAP_TASK_LIST_MAX	256

#ifndef __ASSEMBLER__
#include <stdint.h>

/* One task, as task_list gives it. */
struct manifold_task_summary {
	uint32_t id;			/* the task's number (task_self_id); 0 is the kernel */
	char name[32];			/* its module's file name, or its parent's for task_create */
	uint32_t dying;			/* 1 once it is being terminated */
	uint32_t threads;
	uint32_t resident_pages;	/* pages its map holds */
	uint32_t cpu_ms;		/* time its threads have run */
	uint32_t limits[4];		/* TASK_LIMITS_COUNT: its limits (manifold/task_limits.h; the
					 * kernel's are 0xFFFFFFFF, none) */
	uint32_t usage[4];		/* ...and what it uses of each */
};

#define KSTATS_RESET_IRQOFF	1u
#define KSTATS_TIMING_ON	2u
#define KSTATS_TIMING_OFF	4u

struct manifold_kernel_stats {
	uint32_t live_ports;
	uint32_t free_pages;		/* in the page pool: what a task could still get */
	uint32_t heap_bytes;		/* handed out by kmalloc */
	uint32_t fastpath_enabled;	/* the IPC fast path is on (boot option ipc_fastpath) */
	uint32_t fastpath_hits;		/* messages it delivered */
	/* Where time goes (TSC cycles; guest instructions under QEMU -icount),
	 * the cycles only while KSTATS_TIMING_ON is in force: */
	uint32_t traps;			/* native traps taken */
	uint32_t trap_cycles_lo, trap_cycles_hi;	/* spent inside trap handlers */
	uint32_t msg_send_cycles_lo, msg_send_cycles_hi;	/* ...of which the send half of mach_msg */
	uint32_t switches;		/* context switches */
	uint32_t switch_cycles_lo, switch_cycles_hi;	/* ...spent switching */
	/* Interrupts off, when the kernel is booted with irqoff_stats: the longest
	 * stretch (TSC cycles, saturated) since boot or the last reset (kernel_stats
	 * with KSTATS_RESET_IRQOFF reads, then resets), the kernel code
	 * addresses that turned them off and back on (see build/kernel.sym), and
	 * how many stretches ended. */
	uint32_t irqoff_enabled;
	uint32_t irqoff_max_cycles;
	uint32_t irqoff_max_from, irqoff_max_to;
	uint32_t irqoff_stretches;
	/* Pages the kernel heap holds: its blocks' and up to 16 empty ones it
	 * keeps for reuse (not in free_pages). */
	uint32_t heap_pages;
	/* Halted in the idle loop, from its hlt to the interrupt that ends it (TSC
	 * cycles): what the rest of a span was busy, when a figure must leave idling
	 * out (make bench's remote rows, tests/bench/README.md). */
	uint32_t idle_cycles_lo, idle_cycles_hi;
	/* Timer interrupts taken since boot; whether the clock is tickless (an
	 * HPET keeps time, and an idle CPU takes an interrupt only when a sleeper is
	 * due: kernel/sched/clock.c) or counts the 8254's HZ ticks. */
	uint32_t timer_interrupts;
	uint32_t clock_tickless;
};
#endif
#define TRAP_CMDLINE_MAX	4096

#endif
