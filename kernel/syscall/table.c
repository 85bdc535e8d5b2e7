/*
 * The trap table, generated from the one list in <manifold/traps.h>.
 */
#include <kern/syscall.h>

typedef kern_return_t (*trap_handler)(const struct trap_args *);

static const trap_handler trap_table[TRAP_COUNT] = {
#define TRAP_ENTRY(n, name, argc) [n] = sys_##name,
	MANIFOLD_TRAPS(TRAP_ENTRY)
#undef TRAP_ENTRY
};

kern_return_t
syscall_dispatch(uint32_t number, const struct trap_args *args)
{
	if (number >= TRAP_COUNT || !trap_table[number])
		return KERN_INVALID_ARGUMENT;
	return trap_table[number](args);
}
