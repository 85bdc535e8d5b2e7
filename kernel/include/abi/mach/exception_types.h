/*
 * Exception types, the masks that select them and how a handler is told
 * (OSF Mach 3.0's numbers): task_set_exception_ports and thread_set_exception_ports
 * (task.defs, thread.defs) name a port, a behavior and a state flavor per
 * type; exc.defs is what the kernel sends.
 */
#ifndef MACH_EXCEPTION_TYPES_H
#define MACH_EXCEPTION_TYPES_H

#include <mach/std_types.h>

#define EXC_BAD_ACCESS		1	/* page fault, segment violation */
#define EXC_BAD_INSTRUCTION	2	/* invalid or privileged instruction, GPF */
#define EXC_ARITHMETIC		3	/* divide error, overflow, x87 */
#define EXC_EMULATION		4	/* never raised by Manifold's kernel */
#define EXC_SOFTWARE		5	/* never raised by Manifold's kernel */
#define EXC_BREAKPOINT		6
#define EXC_TYPES_COUNT		7	/* one more than the largest type */

#define EXC_MASK_BAD_ACCESS	(1u << EXC_BAD_ACCESS)
#define EXC_MASK_BAD_INSTRUCTION (1u << EXC_BAD_INSTRUCTION)
#define EXC_MASK_ARITHMETIC	(1u << EXC_ARITHMETIC)
#define EXC_MASK_EMULATION	(1u << EXC_EMULATION)
#define EXC_MASK_SOFTWARE	(1u << EXC_SOFTWARE)
#define EXC_MASK_BREAKPOINT	(1u << EXC_BREAKPOINT)
#define EXC_MASK_ALL		(EXC_MASK_BAD_ACCESS | EXC_MASK_BAD_INSTRUCTION | EXC_MASK_ARITHMETIC | \
				 EXC_MASK_EMULATION | EXC_MASK_SOFTWARE | EXC_MASK_BREAKPOINT)

/* What the handler of a type is sent (exc.defs) */
#define EXCEPTION_DEFAULT		1	/* exception_raise: thread, task, type, codes */
#define EXCEPTION_STATE			2	/* exception_raise_state: type, codes, state in and out */
#define EXCEPTION_STATE_IDENTITY	3	/* exception_raise_state_identity: both */

typedef int32_t exception_type_t;
typedef uint32_t exception_mask_t;
typedef int32_t exception_behavior_t;
typedef int32_t thread_state_flavor_t;

#endif
