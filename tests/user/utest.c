/*
 * utest: the user-mode half of the kernel suite. The in-kernel tests start it
 * with one argument naming what to do (fault in some way, spin, probe the
 * traps with bad arguments...) and judge it by how the task ends and what it
 * printed. Exit status 0 means every check inside passed; otherwise the number
 * of the first check that failed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <manifold/trap.h>

static volatile uint32_t secret = 0x5EC12E75;
static volatile int zero;
static volatile uint32_t shared_flag;

static int
bad_traps(void)
{
	uint64_t ns;
	uint32_t id = 0xDEADBEEF, count, bytes = 0xDEADBEEF;
	char buf[64];
	int check = 0;

#define CHECK(cond) do { check++; if (!(cond)) return check; } while (0)
	CHECK(trap_raw(0, 0, 0, 0, 0, 0) == KERN_INVALID_ARGUMENT);		/* 1: unknown numbers */
	CHECK(trap_raw(999, 1, 2, 3, 4, 5) == KERN_INVALID_ARGUMENT);
	CHECK(trap_raw(0xFFFFFFFF, 0, 0, 0, 0, 0) == KERN_INVALID_ARGUMENT);
	CHECK(trap_console_write(NULL, 10) == KERN_INVALID_ADDRESS);		/* 4: bad pointers */
	CHECK(trap_console_write((char *)0xC0100000, 10) == KERN_INVALID_ADDRESS);
	CHECK(trap_console_write((char *)0xBFFFFFF0, 64) == KERN_INVALID_ADDRESS);
	CHECK(trap_console_write("x", 0x7FFFFFFF) == KERN_INVALID_ARGUMENT);	/* 7: huge lengths */
	CHECK(trap_console_write("x", 0xFFFFFFFF) == KERN_INVALID_ARGUMENT);
	CHECK(trap_console_write((char *)0x10000000, 1) == KERN_INVALID_ADDRESS);	/* unmapped */
	CHECK(trap_clock_uptime(NULL) == KERN_INVALID_ADDRESS);
	CHECK(trap_clock_uptime((uint64_t *)0xC0000000) == KERN_INVALID_ADDRESS);
	/* 12: read-only memory (our own code) is not a place to write results */
	CHECK(trap_clock_uptime((uint64_t *)(uintptr_t)&bad_traps) == KERN_PROTECTION_FAILURE);
	CHECK(trap_task_self_id((uint32_t *)0xFFFFFFFC) == KERN_INVALID_ADDRESS);
	CHECK(trap_boot_module_count((uint32_t *)1) == KERN_INVALID_ADDRESS);
	CHECK(trap_boot_module_count(&count) == KERN_SUCCESS && count >= 1);
	CHECK(trap_boot_module_info(count, buf, sizeof buf, &bytes) == KERN_INVALID_ARGUMENT);
	CHECK(trap_boot_module_info(0, buf, 0, &bytes) == KERN_INVALID_ARGUMENT);
	CHECK(trap_boot_module_info(0, buf, 0x10000000, &bytes) == KERN_INVALID_ARGUMENT);
	/* 19: out-parameters are untouched when the call fails */
	CHECK(trap_boot_module_info(0, (char *)0xC0000000, sizeof buf, &bytes) == KERN_INVALID_ADDRESS &&
	      bytes == 0xDEADBEEF);
	CHECK(trap_boot_module_start(0xFFFF, &id) == KERN_INVALID_ARGUMENT && id == 0xDEADBEEF);
	CHECK(trap_boot_module_start(0, (uint32_t *)0xC0001000) == KERN_INVALID_ADDRESS);
	CHECK(trap_debug_exit(0x55) == KERN_NO_ACCESS);
	/* 23: and good calls still work afterwards */
	CHECK(trap_clock_uptime(&ns) == KERN_SUCCESS);
	CHECK(trap_task_self_id(&id) == KERN_SUCCESS && id != 0xDEADBEEF);
	CHECK(trap_console_write("utest: bad traps survived\n", 26) == KERN_SUCCESS);
	return 0;
#undef CHECK
}

int
main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	if (strcmp(what, "exit") == 0)
		return argc > 2 ? atoi(argv[2]) : 0;
	if (strcmp(what, "hello") == 0) {
		printf("utest: hello from task with %d args, last %s\n", argc, argv[argc - 1]);
		return 0;
	}
	if (strcmp(what, "spin") == 0)
		for (;;)
			secret++;
	if (strcmp(what, "null") == 0)
		return *(volatile int *)0;
	if (strcmp(what, "nullwrite") == 0) {
		*(volatile int *)0 = 1;
		return 0;
	}
	if (strcmp(what, "hlt") == 0)
		__asm__ volatile("hlt");
	if (strcmp(what, "cli") == 0)
		__asm__ volatile("cli");
	if (strcmp(what, "div0") == 0)
		return 10 / zero;
	if (strcmp(what, "gpf") == 0)	/* a selector past the end of the GDT */
		__asm__ volatile("movw $0x1233, %%ax; movw %%ax, %%ds" ::: "eax");
	if (strcmp(what, "int80") == 0)	/* not ours: only the Unix personality may take it */
		__asm__ volatile("int $0x80");
	if (strcmp(what, "ioport") == 0)
		__asm__ volatile("outb %%al, $0x80" ::: "eax");
	if (strcmp(what, "kread") == 0)
		return *(volatile int *)0xC0100000;
	if (strcmp(what, "kwrite") == 0) {
		*(volatile int *)0xC0100000 = 0;
		return 0;
	}
	if (strcmp(what, "textwrite") == 0) {
		*(volatile uint8_t *)(uintptr_t)&main = 0xC3;
		return 0;
	}
	if (strcmp(what, "secret") == 0) {	/* change our copy and keep running */
		secret = 0xAAAAAAAA;
		for (;;)
			trap_thread_yield();
	}
	if (strcmp(what, "peek") == 0)		/* another task's change must not show here */
		return secret == 0x5EC12E75 ? 0 : 1;
	if (strcmp(what, "threads") == 0) {	/* wait for the second thread's word */
		for (int i = 0; i < 1000000 && shared_flag != 0x7EAD2; i++)
			trap_thread_yield();
		return shared_flag == 0x7EAD2 ? 0 : 1;
	}
	if (strcmp(what, "thread2") == 0) {	/* the second thread: write, then idle */
		shared_flag = 0x7EAD2;
		for (;;)
			trap_thread_yield();
	}
	if (strcmp(what, "badtraps") == 0)
		return bad_traps();
	if (strcmp(what, "malloc") == 0) {
		char *p[64];
		for (int i = 0; i < 64; i++) {
			p[i] = malloc((size_t)(i * 97 + 1));
			if (!p[i])
				return 1;
			memset(p[i], i, (size_t)(i * 97 + 1));
		}
		for (int i = 0; i < 64; i++) {
			if (p[i][i * 97] != (char)i)
				return 2;
			free(p[i]);
		}
		printf("utest: malloc %d %s %x\n", 42, "ok", 0xbeef);
		return 0;
	}
	printf("utest: unknown mode '%s'\n", what);
	return 99;
}
