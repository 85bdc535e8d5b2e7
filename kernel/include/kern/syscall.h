/*
 * The native trap dispatcher and the handlers it calls, one per entry in
 * <manifold/traps.h>. Handlers check every argument before they change anything.
 */
#ifndef KERN_SYSCALL_H
#define KERN_SYSCALL_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/kern_return.h>
#include <manifold/traps.h>
#include <kern/vm_object.h>

struct trap_args {
	uint32_t a[6];	/* ebx, ecx, edx, esi, edi, ebp */
};

typedef kern_return_t (*trap_handler)(const struct trap_args *);
/* From the one list in <manifold/traps.h>: each trap's handler (NULL: no such trap) and argc. */
extern const trap_handler trap_table[TRAP_COUNT];
extern const uint8_t trap_argc[TRAP_COUNT];

kern_return_t syscall_dispatch_timed(trap_handler h, const struct trap_args *args);
/*
 * What follows every trap's call: what the call queued for pagers goes, and
 * the trap is counted. The trap entries call mach_msg with both halves
 * (ipc_send_receive) without the table, then this.
 */
extern uint64_t stat_traps;
static inline void
syscall_done(void)
{
	if (pager_msg_pending)
		vm_object_flush();
	stat_traps++;
}

/*
 * kernel_stats' cycle counts are taken only while stat_timing is set
 * (KSTATS_TIMING_ON; syscall/table.c): by the dispatcher, mach_msg's send
 * half and the context switch.
 */
extern bool stat_timing;

/*
 * A trap's handler, by number: inline in both entries (the null system call's
 * cost is mostly what surrounds the handler).
 */
static inline kern_return_t
syscall_dispatch(uint32_t number, const struct trap_args *args)
{
	trap_handler h;
	kern_return_t kr;

	if (number >= TRAP_COUNT || !(h = trap_table[number]))
		return KERN_INVALID_ARGUMENT;
	kr = __builtin_expect(stat_timing, 0) ? syscall_dispatch_timed(h, args) : h(args);
	syscall_done();
	return kr;
}

#define TRAP_DECL(n, name, argc) kern_return_t sys_##name(const struct trap_args *args);
MANIFOLD_TRAPS(TRAP_DECL)
#undef TRAP_DECL

#endif
