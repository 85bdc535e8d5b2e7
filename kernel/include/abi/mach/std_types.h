/*
 * Scalar types shared by every Mach interface: machine words, addresses, booleans.
 * This is the i386 ABI, so every type has a fixed width: the same header compiles in
 * the kernel, in user space (-m32 -ffreestanding) and in 64-bit host tools and tests,
 * and gives the same sizes everywhere. Neighbours: port.h, message.h, kern_return.h.
 */
#ifndef MACH_STD_TYPES_H
#define MACH_STD_TYPES_H

#include <stdint.h>
#include <stddef.h>

typedef uint32_t natural_t;     /* an unsigned machine word of the i386 ABI */
typedef int32_t  integer_t;     /* a signed machine word */
typedef uint32_t boolean_t;     /* 0 is false, anything else true */

/* Addresses and sizes in a task's address space: 32 bits even on a 64-bit host. */
typedef uint32_t vm_address_t;
typedef uint32_t vm_offset_t;
typedef uint32_t vm_size_t;

#ifndef TRUE
#define TRUE  1
#define FALSE 0
#endif

#endif
