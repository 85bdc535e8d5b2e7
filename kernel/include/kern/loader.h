/*
 * Making a task from an ELF executable image in memory (a boot module).
 */
#ifndef KERN_LOADER_H
#define KERN_LOADER_H

#include <stddef.h>
#include <mach/kern_return.h>
#include <kern/elf.h>

struct port;
struct task;

#define USER_LOAD_MIN		0x00001000	/* page 0 stays unmapped: NULL faults */
#define USER_STACK_TOP		0xBFFFF000	/* one unmapped page below the kernel */
#define USER_STACKS_BOTTOM	(USER_STACK_TOP - 9 * (USER_STACK_SIZE + 4096))	/* room for 9 threads */
#define USER_STACK_SIZE		(64 * 1024)

/*
 * Creates a task running image with argv taken from cmdline. On success the
 * task is started and *out holds a reference. On failure nothing is left behind;
 * *why says what was wrong with the image when the result is KERN_INVALID_OBJECT.
 */
kern_return_t loader_start_task(const void *image, size_t size, const char *cmdline,
				struct task **out, enum elf_error *why);

/*
 * The same, the new task given parent's bootstrap port (parent may be NULL)
 * and a send right to host_port as its TASK_HOST_PORT (NULL: none) before its
 * first instruction. The caller keeps its own reference to host_port.
 */
kern_return_t loader_start_task_from(const void *image, size_t size, const char *cmdline, struct task *parent,
				     struct port *host_port, struct task **out, enum elf_error *why);

/* Another thread in t at the program's entry, with stack slot `slot` (1-8) and argv from cmdline. */
kern_return_t loader_add_thread(struct task *t, int slot, const char *cmdline);

#endif
