#ifndef KERN_PANIC_H
#define KERN_PANIC_H

#include <stdbool.h>
#include <stdint.h>

/* eip (if not 0), then the return addresses on the stack from sp up (arch: backtrace.c) */
void print_backtrace(uint32_t sp, uint32_t eip);
/* Whether a panic has begun: its output may take locks their holder never lets go. */
bool panic_in_progress(void);
__attribute__((noreturn)) void panic_trap(const char *what, const void *frame);
/* arch: registers of a trap frame, or the current ones when frame is NULL */
void arch_print_registers(const void *frame);
/* where the stack the trap interrupted goes on */
uint32_t arch_frame_sp(const void *frame);
uint32_t arch_frame_eip(const void *frame);

#endif
