/*
 * A process's memory, seen from the server: copies in and out through its
 * task port (vm_copy_to, either way). Each returns 0 or -LNX_EFAULT,
 * what the system call then answers: a bad pointer from a process is its
 * error, never the server's.
 */
#ifndef UNIX_UMEM_H
#define UNIX_UMEM_H

#include <stddef.h>
#include <stdint.h>
#include "process.h"

#define UMEM_MAX	(1024 * 1024)	/* the most one copy moves; callers loop for more */

int umem_read(struct process *p, uint32_t addr, void *buf, size_t len);
int umem_write(struct process *p, uint32_t addr, const void *buf, size_t len);
/* From one process's memory straight into another's, one kernel copy (a pipe's write into a waiting read). */
int umem_copy(struct process *from, uint32_t addr, struct process *to, uint32_t dst, size_t len);

/*
 * The bytes the kernel brought with the call being served (syscall_raise_data:
 * its task's syscall inputs, main.c), for whose memory at what address; len 0
 * when the call brought none. umem_read_str takes a path from here.
 */
struct umem_given {
	mach_port_t port;	/* the process's syscall port */
	uint32_t at, len;
	const char *bytes;
};
extern struct umem_given umem_given;

/*
 * Where the answer of a call that came as syscall_raise_data may put bytes
 * for the kernel to write into the caller as it resumes it (out_data, at most
 * SYSCALL_DATA_MAX), open only while such a call is served (main.c).
 */
struct umem_answer {
	mach_port_t port;	/* the process's syscall port; MACH_PORT_NULL: closed */
	char *data;
	natural_t *addr, *fault;
	mach_msg_type_number_t *len;
};
extern struct umem_answer umem_answer;

/*
 * A call's result written at addr as its last act (a struct stat): into the
 * answer when the call came with one open and it fits, which saves the copy,
 * the kernel then writing it or failing the call with -EFAULT; else as
 * umem_write. Once a call: a second goes by umem_write.
 */
int umem_write_answer(struct process *p, uint32_t addr, const void *buf, size_t len);

/*
 * A NUL-ended string at addr into buf (at most max bytes with its NUL): its
 * length, or -LNX_EFAULT, or -LNX_ENAMETOOLONG when it does not fit. The
 * last page read stays in cache, so that the strings of an argv, which lie
 * together, cost one vm_read between them; a cache is good for one call.
 */
struct umem_page {
	uint32_t va;		/* the page's address; 0: nothing cached, and no string read yet (umem.c) */
	uint8_t bytes[4096];
};
int umem_read_str(struct process *p, struct umem_page *cache, uint32_t addr, char *buf, size_t max);

#endif
