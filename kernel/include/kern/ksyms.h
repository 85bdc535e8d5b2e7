/*
 * The kernel's own symbol table, linked into the image (section .ksyms) by a
 * second link pass, so that backtraces name functions without a debugger.
 */
#ifndef KERN_KSYMS_H
#define KERN_KSYMS_H

#include <stdint.h>

/* The function containing addr and the offset into it, or NULL. */
const char *ksym_lookup(uint32_t addr, uint32_t *offset);
void ksym_print(uint32_t addr);

#endif
