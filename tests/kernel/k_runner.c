/*
 * The in-kernel test runner (see ktest.h), started by the init thread when the
 * kernel is booted with `test=SUITE`. After each test it lets the reaper finish
 * and checks for leaked pages and heap bytes. Ends QEMU through isa-debug-exit:
 * 0x10 when everything passed, 0x11 otherwise.
 */
#include <kern/arch.h>
#include <kern/boot.h>
#include <kern/clock.h>
#include <kern/console.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/loader.h>
#include <kern/page.h>
#include <kern/sched.h>
#include <kern/task.h>
#include "ktest.h"
#include "layout.h"

extern const struct ktest __ktest_start[], __ktest_end[];

static char failure[256];
static bool failed;
static uint32_t rand_state = 12345;

void
ktest_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (failed)
		return;
	failed = true;
	n = snprintf(failure, sizeof failure, "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(failure + n, sizeof failure - (size_t)n, fmt, ap);
	va_end(ap);
}

uint32_t
ktest_rand(void)
{
	rand_state = rand_state * 1103515245u + 12345u;
	return rand_state >> 8;
}

struct boot_module *
ktest_module(const char *name)
{
	for (uint32_t i = 0; i < boot_module_count; i++) {
		char n[32];
		cmdline_task_name(boot_modules[i].cmdline, n, sizeof n);
		if (strcmp(n, name) == 0)
			return &boot_modules[i];
	}
	return NULL;
}

struct task *
ktest_spawn_utest(const char *args)
{
	return ktest_spawn_utest_host(args, NULL);
}

struct task *
ktest_spawn_utest_host(const char *args, struct port *host_port)
{
	struct boot_module *m = ktest_module("utest");
	char line[BOOT_CMDLINE_MAX];
	enum elf_error why;
	struct task *t;

	if (!m) {
		ktest_fail(__FILE__, __LINE__, "no utest boot module");
		return NULL;
	}
	snprintf(line, sizeof line, "utest %s", args);
	if (loader_start_task_from(P2V(m->start), m->size, line, NULL, host_port, &t, &why) != KERN_SUCCESS) {
		ktest_fail(__FILE__, __LINE__, "cannot start utest %s", args);
		return NULL;
	}
	return t;
}

bool
ktest_wait_and_release(struct task *t, int *end, int *status)
{
	if (task_wait(t, 5 * HZ) < 0) {
		ktest_fail(__FILE__, __LINE__, "task %s did not die within 5 s", t->name);
		task_terminate(t, TASK_KILLED, 0);
		task_wait(t, 0);
		task_unref(t);
		return false;
	}
	if (end)
		*end = (int)t->end;
	if (status)
		*status = t->exit_status;
	task_unref(t);
	return true;
}

uint32_t
pages_free_excluding_heap(void)
{
	return page_free_count() + kmem_pages_mapped();
}

/* Pages in use, not counting those the heap holds (it keeps a few empty ones for reuse). */
static uint32_t
pages_in_use(void)
{
	return page_total_count() - page_free_count() - kmem_pages_mapped();
}

void
ktest_run_suite(const char *suite)
{
	int n = 0, passed = 0, nfailed = 0;

	kprintf("ktest: running the in-kernel suite %s\n", suite);
	for (const struct ktest *t = __ktest_start; t < __ktest_end; t++) {
		uint32_t pages_before;
		size_t heap_before;

		if (strcmp(t->suite, suite) != 0)
			continue;
		n++;
		failed = false;
		thread_sleep_ticks(2);	/* let the reaper finish the last test's tasks */
		pages_before = pages_in_use();
		heap_before = kmem_bytes_in_use();
		t->fn();
		thread_sleep_ticks(2);
		if (!failed && pages_in_use() != pages_before)
			ktest_fail(__FILE__, __LINE__, "leaked %d pages", (int)(pages_in_use() - pages_before));
		if (!failed && kmem_bytes_in_use() != heap_before)
			ktest_fail(__FILE__, __LINE__, "leaked %d heap bytes",
				   (int)(kmem_bytes_in_use() - heap_before));
		if (!failed && kmem_check() != HEAP_OK)
			ktest_fail(__FILE__, __LINE__, "kernel heap corrupted");
		if (failed) {
			kprintf("not ok %d - %s: %s\n", n, t->name, failure);
			nfailed++;
		} else {
			kprintf("ok %d - %s\n", n, t->name);
			passed++;
		}
	}
	kprintf("%s: %d passed, %d failed\n", suite, passed, nfailed);
	arch_debug_exit(nfailed || n == 0 ? 0x11 : 0x10);
	kprintf("%s: done (not under QEMU: halting here)\n", suite);
}
