/*
 * The fast way into the kernel: sysenter, beside int 0x30 (both reach trap()
 * with the same struct trapframe; trapentry.S builds it, and leaves by
 * sysexit when the frame allows). The convention is in
 * <manifold/traps.h>. The boot option `sysenter=off` leaves it off, so that
 * the suites can run the int 0x30 path alone; the fast_entry trap tells
 * libmsg which way to come in.
 */
#include <kern/arch.h>
#include <kern/boot.h>
#include <kern/lib.h>
#include "gdt.h"

#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176
#define CPUID_SEP		(1u << 11)

bool sysenter_enabled;	/* [I] after boot */

extern char sysenter_entry[];

static void
wrmsr(uint32_t msr, uint32_t value)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"(value), "d"(0));
}

/* Whether the CPU has sysenter: the SEP bit, which the first Pentium Pro sets without having it. */
static bool
cpu_has_sysenter(void)
{
	uint32_t eax, ebx, ecx, edx;

	__asm__ volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(1));
	if (!(edx & CPUID_SEP))
		return false;
	return !(((eax >> 8) & 0xF) == 6 && ((eax >> 4) & 0xF) < 3 && (eax & 0xF) < 3);
}

void
sysenter_init(void)
{
	const char *opt = boot_option("sysenter");

	if ((opt && strcmp(opt, "off") == 0) || !cpu_has_sysenter())
		return;
	/* SYSENTER_ESP is where the TSS keeps the current thread's kernel stack
	 * (switch.c updates it): the entry's first load finds the stack there */
	wrmsr(MSR_SYSENTER_CS, SEG_KCODE);
	wrmsr(MSR_SYSENTER_ESP, (uint32_t)tss_kernel_stack_slot());
	wrmsr(MSR_SYSENTER_EIP, (uint32_t)sysenter_entry);
	sysenter_enabled = true;
}
