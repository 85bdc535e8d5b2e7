/*
 * The machine-dependent half of threads: building a new thread's first kernel
 * stack frame, and switching address space, TSS stack and registers.
 */
#include <kern/arch.h>
#include <kern/clock.h>
#include <kern/lib.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <kern/task.h>
#include "cpu.h"
#include "gdt.h"
#include "iopb.h"
#include "layout.h"
#include "pmap.h"
#include "trapframe.h"

void context_switch(uint32_t *save, uint32_t load);
static struct arch_thread fpu_initial;	/* [I] a freshly initialized x87 (and SSE) */
static bool fpu_fxsr;			/* [I] the CPU has fxsave: SSE is on for user threads */
static uint32_t fpu_mxcsr_mask;		/* [I] the MXCSR bits fxrstor takes (the rest fault) */

#define CPUID1_FXSR (1u << 24)
#define CPUID1_SSE (1u << 25)
#define CR4_OSFXSR (1u << 9)		/* SSE instructions work, state by fxsave */
#define CR4_OSXMMEXCPT (1u << 10)	/* SSE exceptions are #XM (a user fault), not #UD */

void
arch_fpu_init(void)
{
	uint32_t cr0 = read_cr0(), a, b, c, d;

	cr0 &= ~(1u << 2 | 1u << 3);	/* EM, TS: the FPU is there and usable */
	cr0 |= 1u << 1 | 1u << 5;	/* MP, NE: report x87 errors as exceptions */
	__asm__ volatile("mov %0, %%cr0; fninit" : : "r"(cr0) : "memory");
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1));
	/* Linux programs use SSE when cpuid offers it (glibc's string functions): it must work */
	fpu_fxsr = (d & (CPUID1_FXSR | CPUID1_SSE)) == (CPUID1_FXSR | CPUID1_SSE);
	if (fpu_fxsr) {
		write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
		__asm__ volatile("fxsave %0" : "=m"(*(uint8_t(*)[ARCH_FPU_BYTES])arch_fpu_area(&fpu_initial)));
		/* the image's MXCSR_MASK; 0 from a CPU that predates it means the default */
		memcpy(&fpu_mxcsr_mask, (uint8_t *)arch_fpu_area(&fpu_initial) + 28, sizeof fpu_mxcsr_mask);
		if (!fpu_mxcsr_mask)
			fpu_mxcsr_mask = 0xFFBF;
	} else {
		__asm__ volatile("fnsave %0" : "=m"(*(uint8_t(*)[ARCH_FPU_BYTES])arch_fpu_area(&fpu_initial)));
	}
}

static inline void
fpu_save(struct arch_thread *a)
{
	if (fpu_fxsr)
		__asm__ volatile("fxsave %0" : "=m"(*(uint8_t(*)[ARCH_FPU_BYTES])arch_fpu_area(a)));
	else
		__asm__ volatile("fnsave %0" : "=m"(*(uint8_t(*)[ARCH_FPU_BYTES])arch_fpu_area(a)));
}

static inline void
fpu_restore(struct arch_thread *a)
{
	if (fpu_fxsr)
		__asm__ volatile("fxrstor %0" : : "m"(*(uint8_t(*)[ARCH_FPU_BYTES])arch_fpu_area(a)));
	else
		__asm__ volatile("frstor %0" : : "m"(*(uint8_t(*)[ARCH_FPU_BYTES])arch_fpu_area(a)));
}

/*
 * A user thread's x87 and SSE registers as fxsave lays them out
 * (i386_FXSAVE_STATE): those saved when it last left the CPU, or, for the
 * thread running here, its registers now (the kernel never uses them). False
 * on a CPU without fxsave. Caller holds sched_lock.
 */
bool
thread_fxsave_get(struct thread *t, void *image)
{
	if (!fpu_fxsr)
		return false;
	if (t == curthread())
		fpu_save(&t->arch);
	memcpy(image, arch_fpu_area(&t->arch), ARCH_FPU_BYTES);
	return true;
}

/* ...and set, MXCSR's reserved bits cleared (fxrstor faults on them, in the kernel). */
bool
thread_fxsave_set(struct thread *t, const void *image)
{
	uint8_t *area = arch_fpu_area(&t->arch);
	uint32_t mxcsr;

	if (!fpu_fxsr)
		return false;
	memcpy(area, image, ARCH_FPU_BYTES);
	memcpy(&mxcsr, area + i386_FXSAVE_MXCSR, sizeof mxcsr);
	mxcsr &= fpu_mxcsr_mask;
	memcpy(area + i386_FXSAVE_MXCSR, &mxcsr, sizeof mxcsr);
	if (t == curthread())
		fpu_restore(&t->arch);
	return true;
}

extern char thread_trampoline[];

/* The words context_switch pops, then its return address. */
struct switch_frame {
	uint32_t edi, esi, ebx, ebp;
	uint32_t ret;
};

void
arch_thread_init_kernel(struct thread *t)
{
	uint32_t top = (uint32_t)t->kstack + KSTACK_SIZE;
	struct switch_frame *sf = (struct switch_frame *)(top - sizeof *sf - 16);

	memset(sf, 0, sizeof *sf);
	sf->ret = (uint32_t)thread_trampoline;
	t->ksp = (uint32_t)sf;
}

void
arch_thread_init_user(struct thread *t, uint32_t eip, uint32_t esp, uint32_t eax)
{
	uint32_t top = (uint32_t)t->kstack + KSTACK_SIZE;
	struct trapframe *tf = (struct trapframe *)(top - sizeof *tf);
	struct switch_frame *sf = (struct switch_frame *)tf - 1;

	memset(tf, 0, sizeof *tf);
	tf->cs = SEG_UCODE;
	tf->ds = tf->es = tf->ss = SEG_UDATA;
	tf->fs = tf->gs = SEG_UDATA;
	tf->eflags = 0x202;	/* IF */
	tf->eip = eip;
	tf->esp = esp;
	tf->eax = eax;
	t->user_tf = tf;
	memcpy(arch_fpu_area(&t->arch), arch_fpu_area(&fpu_initial), ARCH_FPU_BYTES);	/* each at its own alignment */
	gdt_tls_descriptor(0, 0, false, t->arch.tls);
	memset(sf, 0, sizeof *sf);
	sf->ret = (uint32_t)thread_trampoline;
	t->ksp = (uint32_t)sf;
}

uint64_t stat_switches, stat_switch_cycles;
static uint64_t switch_started;	/* [A] per CPU: when the switch the next thread finishes began */

void
arch_thread_switch(struct thread *prev, struct thread *next)
{
	if (prev->user_tf)
		fpu_save(&prev->arch);
	if (next->user_tf) {
		fpu_restore(&next->arch);
		gdt_set_tls(next->arch.tls);	/* read when its %gs is popped on the way out */
	}
	pmap_activate(next->task->pmap);
	tss_set_kernel_stack((uint32_t)next->kstack + KSTACK_SIZE);
	iopb_switch(next->task);
	stat_switches++;
	/* from here to where the next thread resumes, read by that thread (a
	 * switch begun before timing was turned on counts nothing) */
	switch_started = stat_timing ? rdtsc() : 0;
	context_switch(&prev->ksp, next->ksp);
	if (stat_timing && switch_started)
		stat_switch_cycles += rdtsc() - switch_started;
}

/*
 * Halted time: from just before the hlt to the entry of the interrupt that
 * ends it (trap calls arch_idle_over first), so that the interrupt's own work
 * counts as busy. One CPU today: these become per-CPU with the others.
 */
uint64_t stat_idle_cycles;
static uint64_t idle_since;	/* 0 unless halted in arch_idle; interrupts off to touch */

void
arch_idle(void)
{
	irqoff_end();
	idle_since = rdtsc();	/* sti's shadow covers the hlt: no interrupt comes between */
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	arch_idle_over();
	irqoff_begin();
}

void
arch_idle_over(void)
{
	if (idle_since) {
		stat_idle_cycles += rdtsc() - idle_since;
		idle_since = 0;
		clock_idle_over();	/* whatever the interrupt wakes runs with ticks */
	}
}

void
arch_debug_exit(int code)
{
	qemu_debug_exit((uint8_t)code);
}

void
arch_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

uint64_t
arch_cycles(void)
{
	return rdtsc();
}

bool
arch_interrupts_enabled(void)
{
	return (read_eflags() & EFLAGS_IF) != 0;
}
