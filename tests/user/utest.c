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
#include <mach/mach.h>
#include <manifold/trap.h>
#include "syscall_server.h"

static volatile uint32_t secret = 0x5EC12E75;
static volatile int zero;
static volatile uint32_t shared_flag;

/*
 * A trap by sysenter whose ecx (the stack pointer that holds the second and
 * third arguments, <manifold/traps.h>) is `stack`: the kernel must refuse it
 * with KERN_INVALID_ADDRESS, and come back to edx with the other registers kept.
 */
static kern_return_t
sysenter_with_stack(uint32_t number, uint32_t a0, uint32_t stack)
{
	kern_return_t r;
	uint32_t kept = 0x5A5A1234, back;

	__asm__ volatile("pushl %%ebp\n\t"
			 "movl %%esp, %%ebp\n\t"	/* the real stack, for the way back */
			 "movl $1f, %%edx\n\t"
			 "sysenter\n"
			 "1:\tmovl %%ebp, %%esp\n\t"
			 "popl %%ebp"
			 : "=a"(r), "+c"(stack), "=S"(back)
			 : "0"(number), "b"(a0), "2"(kept)
			 : "edx", "edi", "memory", "cc");
	return back == kept ? r : KERN_FAILURE;
}

static int
bad_traps(void)
{
	uint64_t ns;
	uint32_t id = 0xDEADBEEF, count, bytes = 0xDEADBEEF;
	mach_port_t host = mach_host_self(), port = MACH_PORT_NULL;
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
	/* 14: the privileged traps, without the privileged host port */
	port = 0x1234;	/* an unset special port is success and MACH_PORT_NULL, as in Mach */
	CHECK(task_get_special_port(mach_task_self(), TASK_HOST_PORT, &port) == KERN_SUCCESS && port == MACH_PORT_NULL);
	CHECK(trap_boot_module_count(MACH_PORT_NULL, &count) == KERN_INVALID_HOST);
	CHECK(trap_boot_module_count(host, &count) == KERN_INVALID_HOST);	/* the ordinary host port */
	CHECK(trap_boot_module_info(mach_task_self(), 0, buf, sizeof buf, &bytes) == KERN_INVALID_HOST &&
	      bytes == 0xDEADBEEF);
	CHECK(trap_boot_module_start_port(host, 0, MACH_PORT_NULL, &id, &port) == KERN_INVALID_HOST &&
	      id == 0xDEADBEEF);
	CHECK(trap_boot_module_start_port(0xFFFFFF00, 0, host, &id, NULL) == KERN_INVALID_HOST);
	/* 20 */
	CHECK(trap_task_list(host, NULL, 0, &count) == KERN_INVALID_HOST);
	CHECK(trap_console_read(host, buf, sizeof buf, 0, &count) == KERN_INVALID_HOST);
	CHECK(trap_console_read(MACH_PORT_DEAD, buf, sizeof buf, 0, &count) == KERN_INVALID_HOST);
	CHECK(trap_debug_exit(0x55) == KERN_NO_ACCESS);
	/* 24: sysenter (the kernel suite boots with it) with a stack pointer that names no arguments,
	 * for a trap that takes its second and third there (console_write's length)... */
	CHECK(trap_raw(TRAP_fast_entry, 0, 0, 0, 0, 0) == KERN_SUCCESS);
	CHECK(sysenter_with_stack(TRAP_console_write, (uint32_t)"x", 0xC0000000) == KERN_INVALID_ADDRESS);
	CHECK(sysenter_with_stack(TRAP_console_write, (uint32_t)"x", 0x10000000) == KERN_INVALID_ADDRESS);
	CHECK(sysenter_with_stack(TRAP_console_write, (uint32_t)"x", 0xFFFFFFFC) == KERN_INVALID_ADDRESS);
	/* 28: ...while a trap of one argument never reads the stack */
	id = 0xDEADBEEF;
	CHECK(sysenter_with_stack(TRAP_task_self_id, (uint32_t)&id, 0xC0000000) == KERN_SUCCESS && id != 0xDEADBEEF);
	/* 29: and good calls still work afterwards */
	CHECK(trap_clock_uptime(&ns) == KERN_SUCCESS);
	CHECK(trap_task_self_id(&id) == KERN_SUCCESS && id != 0xDEADBEEF);
	/* 31: console_write_raw checks as console_write does */
	CHECK(trap_console_write_raw(NULL, 10) == KERN_INVALID_ADDRESS);
	CHECK(trap_console_write_raw((char *)0xC0100000, 10) == KERN_INVALID_ADDRESS);
	CHECK(trap_console_write_raw("x", 0x7FFFFFFF) == KERN_INVALID_ARGUMENT);
	CHECK(trap_console_write_raw("", 0) == KERN_SUCCESS);
	CHECK(trap_console_write("utest: bad traps survived\n", 26) == KERN_SUCCESS);
	return 0;
#undef CHECK
}

/*
 * Run by a kernel test that gave this task the privileged host port (its
 * TASK_HOST_PORT): the privileged traps work, and still check their arguments.
 */
static int
privileged_traps(void)
{
	mach_port_t hp = MACH_PORT_NULL, host = mach_host_self(), recv = MACH_PORT_NULL, port = MACH_PORT_NULL;
	struct manifold_task_summary tasks[4];
	host_basic_info_data_t info;
	mach_msg_type_number_t info_count = HOST_BASIC_INFO_COUNT;
	uint32_t id = 0xDEADBEEF, count = 0, bytes = 0xDEADBEEF, n = 0xDEADBEEF;
	char buf[64];
	int check = 0;

#define CHECK(cond) do { check++; if (!(cond)) return check; } while (0)
	CHECK(task_get_special_port(mach_task_self(), TASK_HOST_PORT, &hp) == KERN_SUCCESS);	/* 1 */
	CHECK(hp != host);
	CHECK(host_info(hp, HOST_BASIC_INFO, (integer_t *)&info, &info_count) == KERN_SUCCESS &&
	      info.memory_size > 0);		/* host_priv answers what the host port answers */
	CHECK(trap_boot_module_count(host, &count) == KERN_INVALID_HOST);	/* only hp will do */
	CHECK(trap_boot_module_count(hp, (uint32_t *)1) == KERN_INVALID_ADDRESS);	/* 5 */
	CHECK(trap_boot_module_count(hp, &count) == KERN_SUCCESS && count >= 1);
	CHECK(trap_boot_module_info(hp, count, buf, sizeof buf, &bytes) == KERN_INVALID_ARGUMENT);
	CHECK(trap_boot_module_info(hp, 0, buf, 0, &bytes) == KERN_INVALID_ARGUMENT);
	CHECK(trap_boot_module_info(hp, 0, buf, 0x10000000, &bytes) == KERN_INVALID_ARGUMENT);
	/* 10: out-parameters are untouched when the call fails */
	CHECK(trap_boot_module_info(hp, 0, (char *)0xC0000000, sizeof buf, &bytes) == KERN_INVALID_ADDRESS &&
	      bytes == 0xDEADBEEF);
	CHECK(trap_boot_module_info(hp, 0, buf, sizeof buf, &bytes) == KERN_SUCCESS && strstr(buf, "utest"));
	CHECK(trap_boot_module_start_port(hp, 0xFFFF, MACH_PORT_NULL, &id, NULL) == KERN_INVALID_ARGUMENT &&
	      id == 0xDEADBEEF);
	CHECK(trap_boot_module_start_port(hp, 0, MACH_PORT_NULL, (uint32_t *)0xC0001000, NULL) ==
	      KERN_INVALID_ADDRESS);
	CHECK(trap_boot_module_start_port(hp, 0, MACH_PORT_NULL, &id, (mach_port_t *)0xC0001000) ==
	      KERN_INVALID_ADDRESS);
	/* 15: the right the new task is to get must be a send right of ours */
	CHECK(trap_boot_module_start_port(hp, 0, 0xFFFFFF00, &id, &port) == KERN_INVALID_NAME);
	CHECK(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &recv) == KERN_SUCCESS);
	CHECK(trap_boot_module_start_port(hp, 0, recv, &id, &port) == KERN_INVALID_RIGHT);
	CHECK(id == 0xDEADBEEF && port == MACH_PORT_NULL);
	mach_port_destroy(mach_task_self(), recv);
	CHECK(trap_task_list(hp, NULL, 0, &n) == KERN_SUCCESS && n >= 2);
	/* 20 */
	CHECK(trap_task_list(hp, tasks, TRAP_TASK_LIST_MAX + 1, &n) == KERN_INVALID_ARGUMENT);
	CHECK(trap_task_list(hp, tasks, 4, &n) == KERN_SUCCESS && tasks[0].id == 0);
	CHECK(trap_console_read(hp, buf, 0, 0, &n) == KERN_INVALID_ARGUMENT);
	CHECK(trap_console_read(hp, buf, TRAP_CONSOLE_READ_MAX + 1, 0, &n) == KERN_INVALID_ARGUMENT);
	CHECK(trap_console_read(hp, NULL, 8, 0, &n) == KERN_INVALID_ADDRESS);
	/* 25 */
	CHECK(trap_console_read(hp, (char *)0xC0001000, 8, 0, &n) == KERN_INVALID_ADDRESS);
	CHECK(trap_console_read(hp, buf, 8, 0, (uint32_t *)0xC0001000) == KERN_INVALID_ADDRESS);
	CHECK(trap_console_read(hp, (char *)(uintptr_t)&privileged_traps, 8, 0, &n) == KERN_INVALID_ADDRESS);
	CHECK(trap_console_read(hp, buf, 8, 0, &n) == KERN_OPERATION_TIMED_OUT);	/* nobody types here */
	/* 29: boot_module_read: inside the image only; module 0 is this program, an ELF file */
	CHECK(trap_boot_module_info(hp, 0, buf, sizeof buf, &bytes) == KERN_SUCCESS);
	CHECK(trap_boot_module_read(hp, count, 0, buf, 4) == KERN_INVALID_ARGUMENT);
	CHECK(trap_boot_module_read(hp, 0, bytes - 2, buf, 4) == KERN_INVALID_ARGUMENT);
	CHECK(trap_boot_module_read(hp, 0, 0xFFFFFFF0, buf, 0x20) == KERN_INVALID_ARGUMENT);	/* wraps */
	CHECK(trap_boot_module_read(hp, 0, 0, (void *)0xC0001000, 4) == KERN_INVALID_ADDRESS);
	CHECK(trap_boot_module_read(host, 0, 0, buf, 4) == KERN_INVALID_HOST);
	memset(buf, 0, sizeof buf);
	CHECK(trap_boot_module_read(hp, 0, 0, buf, 4) == KERN_SUCCESS && memcmp(buf, "\177ELF", 4) == 0);
	CHECK(trap_boot_module_read(hp, 0, bytes - 4, buf, 4) == KERN_SUCCESS);	/* the last bytes */
	mach_port_deallocate(mach_task_self(), hp);
	mach_port_deallocate(mach_task_self(), host);
	CHECK(trap_boot_module_count(hp, &count) == KERN_INVALID_HOST);	/* the name is gone */
	CHECK(trap_console_write("utest: privileged traps work\n", 29) == KERN_SUCCESS);
	return 0;
#undef CHECK
}

/* int80refused's personality server, which refuses every call. */
kern_return_t
syscall_do_syscall_raise(mach_port_t port, const natural_t *old_state, mach_msg_type_number_t old_stateCnt,
			 natural_t *new_state, mach_msg_type_number_t *new_stateCnt)
{
	(void)port, (void)old_state, (void)old_stateCnt, (void)new_state, (void)new_stateCnt;
	return KERN_FAILURE;
}

static void
int80_caller(void)
{
	__asm__ volatile("int $0x80" : : "a"(1) : "memory");
	printf("utest: int 0x80 came back\n");
	for (;;)
		;
}

/*
 * A task that is its own personality server and answers its thread's int 0x80
 * with an error: the kernel ends the task (the kernel suite checks how). A
 * return is a failure: the number of the step that went wrong.
 */
static int
int80_refused(void)
{
	static uint32_t stack[1024];
	static union {
		mach_msg_header_t h;
		uint8_t b[512];
	} in, out;
	mach_port_t me = mach_task_self(), p, th;
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;

	if (mach_port_allocate(me, MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS ||
	    mach_port_insert_right(me, p, p, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    task_set_special_port(me, TASK_SYSCALL_PORT, p) != KERN_SUCCESS)
		return 1;
	if (thread_create(me, &th) != KERN_SUCCESS ||
	    thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &n) != KERN_SUCCESS)
		return 2;
	st.eip = (natural_t)(uintptr_t)int80_caller;
	st.esp = (natural_t)(uintptr_t)&stack[1020];
	if (thread_set_state(th, i386_THREAD_STATE, (natural_t *)&st, i386_THREAD_STATE_COUNT) != KERN_SUCCESS ||
	    thread_resume(th) != KERN_SUCCESS)
		return 3;
	if (mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, p, 5000, 0) != MACH_MSG_SUCCESS)
		return 4;
	if (!syscall_server(&in.h, &out.h) || mach_msg(&out.h, MACH_SEND_MSG, out.h.msgh_size, 0, 0, 0, 0) != MACH_MSG_SUCCESS)
		return 5;
	mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, p, 5000, 0);	/* killed meanwhile */
	return 6;
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
	if (strcmp(what, "int80") == 0)	/* without a syscall port: a general-protection fault */
		__asm__ volatile("int $0x80");
	if (strcmp(what, "int80refused") == 0)
		return int80_refused();
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
	if (strcmp(what, "privtraps") == 0)
		return privileged_traps();
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
