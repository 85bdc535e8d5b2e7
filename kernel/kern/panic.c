/*
 * panic(): the kernel found one of its own invariants broken. Prints the message,
 * the registers and a symbolized backtrace on the console, then stops the
 * machine. Never the consequence of anything a user task did.
 */
#include <kern/arch.h>
#include <kern/lib.h>
#include <kern/panic.h>

static volatile int panicking;

bool
panic_in_progress(void)
{
	return panicking != 0;
}

static void
panic_start(void)
{
	__asm__ volatile("cli");
	if (panicking++) {	/* a panic while panicking: don't recurse */
		arch_halt();
	}
}

void
panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	panic_start();
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	kprintf("panic: %s\n", buf);
	arch_print_registers(NULL);
	print_backtrace((uint32_t)__builtin_frame_address(0), 0);	/* (panic keeps a frame for it) */
	kprintf("the system is halted\n");
	arch_halt();
}

void
panic_trap(const char *what, const void *frame)
{
	panic_start();
	kprintf("panic: %s in the kernel\n", what);
	arch_print_registers(frame);
	print_backtrace(arch_frame_sp(frame), arch_frame_eip(frame));
	kprintf("the system is halted\n");
	arch_halt();
}
