/*
 * libgcc's 64-bit divisions for a kernel built with -mregparm=3. gcc calls
 * them with registers, as it calls everything here, but Debian's libgcc.a
 * takes its arguments on the stack: kernel/rules.mk links only these six of
 * its objects, their entry points renamed __stack_*, and these functions,
 * compiled with registers, call them with the stack. A call to any other of
 * libgcc's functions fails the kernel's link.
 */
#include <stdint.h>
#include <kern/stack_args.h>

#define WRAP(ret, name, params, args)                                                                     \
	STACK_ARGS ret __stack_##name params;                                                             \
	ret __##name params;                                                                              \
	ret __##name params                                                                               \
	{                                                                                                  \
		return __stack_##name args;                                                               \
	}

WRAP(int64_t, divdi3, (int64_t a, int64_t b), (a, b))
WRAP(uint64_t, udivdi3, (uint64_t a, uint64_t b), (a, b))
WRAP(int64_t, moddi3, (int64_t a, int64_t b), (a, b))
WRAP(uint64_t, umoddi3, (uint64_t a, uint64_t b), (a, b))
WRAP(int64_t, divmoddi4, (int64_t a, int64_t b, int64_t *rem), (a, b, rem))
WRAP(uint64_t, udivmoddi4, (uint64_t a, uint64_t b, uint64_t *rem), (a, b, rem))
