#ifndef KERN_PANIC_H
#define KERN_PANIC_H

#include <stdbool.h>
#include <stdint.h>

void print_backtrace(uint32_t ebp, uint32_t eip);
/* Whether a panic has begun: its output may take locks their holder never lets go. */
bool panic_in_progress(void);
__attribute__((noreturn)) void panic_trap(const char *what, const void *frame);
/* arch: registers of a trap frame, or the current ones when frame is NULL */
void arch_print_registers(const void *frame);
uint32_t arch_frame_ebp(const void *frame);
uint32_t arch_frame_eip(const void *frame);

#endif
