/*
 * A personality's system calls with their small buffers (syscall_data.defs).
 * In a task whose syscall inputs are set (task_set_syscall_inputs, task.defs)
 * an `int 0x80` whose number the table names goes as syscall_raise_data
 * instead of syscall_raise: the kernel copies, before it sends, up to
 * SYSCALL_DATA_MAX bytes of the buffer the entry names (in_data, from
 * in_addr), and applies the bytes the answer carries (out_data, to out_addr)
 * in the thread's own address space before it resumes it. A personality
 * server then needs no vm_copy_to for a write's few bytes, a path, a read's
 * answer or a struct stat. Calls the table does not name go as syscall_raise,
 * as in a task without a table.
 *
 * One entry per system call number, a natural_t each:
 *   bits 0-9    the call's number (eax), below SYSCALL_INPUT_NR_MAX
 *   bits 10-12  the register holding the buffer's address (SYSCALL_REG_*)
 *   bits 13-15  its length: a register (SYSCALL_REG_*), SYSCALL_LEN_FIXED
 *               (exactly `max` bytes) or SYSCALL_LEN_STRING (up to and with
 *               the first NUL, at most `max` bytes)
 *   bits 16-27  max: the most bytes copied, 0 to SYSCALL_DATA_MAX; 0 brings
 *               nothing, for a call whose answer only carries bytes (a read)
 *   bits 28-31  zero
 * in_data holds min(length, max) bytes, fewer if a page is missing or
 * unreadable from in_addr on (the server asks again with vm_copy_to, which
 * says why); a string's stops after its NUL. The table is inherited by every
 * task created from the task (as Mach's emulation vector was), so a server
 * sets it once on itself.
 */
#ifndef MANIFOLD_SYSCALL_INPUTS_H
#define MANIFOLD_SYSCALL_INPUTS_H

#define SYSCALL_DATA_MAX	256	/* bytes each way: a struct statx; the messages fit the kernel's room (KMSG_ROOM_BYTES) */
#define SYSCALL_INPUTS_MAX	64	/* entries in a table */
#define SYSCALL_INPUT_NR_MAX	1024	/* call numbers a table can name */

/* i386 registers, as the Linux i386 convention orders a call's arguments */
#define SYSCALL_REG_EBX		0
#define SYSCALL_REG_ECX		1
#define SYSCALL_REG_EDX		2
#define SYSCALL_REG_ESI		3
#define SYSCALL_REG_EDI		4
#define SYSCALL_REG_EBP		5
#define SYSCALL_LEN_FIXED	6
#define SYSCALL_LEN_STRING	7

#define SYSCALL_INPUT(nr, addr_reg, len, max) \
	((unsigned)(nr) | (unsigned)(addr_reg) << 10 | (unsigned)(len) << 13 | (unsigned)(max) << 16)
#define SYSCALL_INPUT_NR(e)	((e) & 0x3FFu)
#define SYSCALL_INPUT_ADDR(e)	((e) >> 10 & 7u)
#define SYSCALL_INPUT_LEN(e)	((e) >> 13 & 7u)
#define SYSCALL_INPUT_MAXLEN(e)	((e) >> 16 & 0xFFFu)

#endif
