/*
 * Memory objects (memory_object.defs, memory_object_control.defs): the values
 * of lock_request's should_return, with OSF Mach 3.0's numbers.
 */
#ifndef MACH_MEMORY_OBJECT_H
#define MACH_MEMORY_OBJECT_H

#define MEMORY_OBJECT_RETURN_NONE	0	/* give back nothing */
#define MEMORY_OBJECT_RETURN_DIRTY	1	/* the pages written since supplied (and precious ones) */
#define MEMORY_OBJECT_RETURN_ALL	2	/* every resident page */

#endif
