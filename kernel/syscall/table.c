/*
 * The trap table, generated from the one list in <manifold/traps.h>.
 */
#include <kern/arch.h>
#include <kern/ipc.h>
#include <kern/syscall.h>
#include <kern/vm_object.h>

const trap_handler trap_table[TRAP_COUNT] = {
#define TRAP_ENTRY(n, name, argc) [n] = sys_##name,
	MANIFOLD_TRAPS(TRAP_ENTRY)
#undef TRAP_ENTRY
};

const uint8_t trap_argc[TRAP_COUNT] = {
#define TRAP_ARGC(n, name, argc) [n] = argc,
	MANIFOLD_TRAPS(TRAP_ARGC)
#undef TRAP_ARGC
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

/* The same call, timed: kept out of the way of every untimed trap. */
__attribute__((noinline)) kern_return_t
syscall_dispatch_timed(trap_handler h, const struct trap_args *args)
{
	uint64_t t0 = arch_cycles();
	kern_return_t kr = h(args);

	stat_trap_cycles += arch_cycles() - t0;
	return kr;
}
