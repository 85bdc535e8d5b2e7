/*
 * Protections and inheritance of memory regions, with OSF Mach 3.0's values,
 * and what vm_region reports.
 */
#ifndef MACH_VM_TYPES_H
#define MACH_VM_TYPES_H

#include <mach/std_types.h>

typedef int32_t vm_prot_t;
#define VM_PROT_NONE	0x0
#define VM_PROT_READ	0x1
#define VM_PROT_WRITE	0x2
#define VM_PROT_EXECUTE	0x4
#define VM_PROT_DEFAULT	(VM_PROT_READ | VM_PROT_WRITE)
#define VM_PROT_ALL	(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE)

typedef uint32_t vm_inherit_t;
#define VM_INHERIT_SHARE	0
#define VM_INHERIT_COPY		1
#define VM_INHERIT_NONE		2
#define VM_INHERIT_DEFAULT	VM_INHERIT_COPY

/* vm_region's answer (Mach returns these as separate out-parameters). */
struct vm_region_info {
	vm_address_t address;
	vm_size_t size;
	vm_prot_t protection;
	vm_prot_t max_protection;
	vm_inherit_t inheritance;
	uint32_t shared;
};

#endif
