/*
 * What the machine-independent kernel asks of kernel/arch/i386.
 */
#ifndef KERN_ARCH_H
#define KERN_ARCH_H

#include <stdbool.h>
#include <stdint.h>

struct thread;

#define EFLAGS_IF_BIT 0x200

/* Saves prev's kernel context and resumes next's, switching address space. */
void arch_thread_switch(struct thread *prev, struct thread *next);
/* Prepares a new thread's kernel stack so that its first switch-in runs sched_thread_start(). */
void arch_thread_init_kernel(struct thread *t);
/* ...and then returns to user mode at eip with the given stack pointer and eax. */
void arch_thread_init_user(struct thread *t, uint32_t eip, uint32_t esp, uint32_t eax);
void arch_idle(void);
void arch_idle_over(void);	/* an interrupt ends the halt: stop counting it idle (interrupts off) */
/* The timer (arch/i386/timer.c). Tickless: a counter keeps time without
 * interrupts (arch_timer_ns, since boot) and the next timer interrupt comes when
 * armed for (arch_timer_arm_ns, interrupts off); else HZ interrupts a second. */
bool arch_timer_tickless(void);
uint64_t arch_timer_ns(void);
void arch_timer_arm_ns(uint64_t ns);
void arch_debug_exit(int code);
void arch_halt(void) __attribute__((noreturn));
uint64_t arch_cycles(void);
bool arch_interrupts_enabled(void);
/* sysenter as a second way into the kernel (arch/i386/sysenter.c), unless booted with sysenter=off. */
void sysenter_init(void);
extern bool sysenter_enabled;

void sched_thread_start(void);

#endif
