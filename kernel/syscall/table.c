/*
 * The trap table, generated from the one list in <manifold/traps.h>.
 */
#include <kern/arch.h>
#include <kern/syscall.h>
#include <kern/vm_object.h>

typedef kern_return_t (*trap_handler)(const struct trap_args *);

static const trap_handler trap_table[TRAP_COUNT] = {
#define TRAP_ENTRY(n, name, argc) [n] = sys_##name,
	MANIFOLD_TRAPS(TRAP_ENTRY)
#undef TRAP_ENTRY
};

/*
 * Where time goes, for make bench's breakdown (kernel_stats). [A] per CPU, once
 * there are several. The cycle counts are taken only while a caller of
 * kernel_stats asked for them (KSTATS_TIMING_ON): two rdtsc and their sums
 * cost some 20 instructions a trap, a send and a switch, which every benchmark
 * row would otherwise pay.
 */
uint64_t stat_traps, stat_trap_cycles;
bool stat_timing;

/* fast_entry: whether traps may come by sysenter too (arch/i386/sysenter.c). */
kern_return_t
sys_fast_entry(const struct trap_args *args)
{
	(void)args;
	return sysenter_enabled ? KERN_SUCCESS : KERN_FAILURE;
}

kern_return_t
syscall_dispatch(uint32_t number, const struct trap_args *args)
{
	uint64_t t0 = stat_timing ? arch_cycles() : 0;
	kern_return_t kr;

	if (number >= TRAP_COUNT || !trap_table[number])
		return KERN_INVALID_ARGUMENT;
	kr = trap_table[number](args);
	if (pager_msg_pending)		/* what a call queued for pagers leaves with it */
		vm_object_flush();
	stat_traps++;
	if (stat_timing)
		stat_trap_cycles += arch_cycles() - t0;
	return kr;
}
