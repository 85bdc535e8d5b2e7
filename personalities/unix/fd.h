/*
 * Open files and descriptor tables. A struct file is what Linux calls an
 * open file description: its kind (the console, a pipe's end, a boot
 * module's image, /dev/null), its status flags and offset, shared by every
 * descriptor dup and fork made from it and counted by them. A process's
 * table maps descriptors to files, each with its close-on-exec bit.
 *   [U] unix_lock, as everything of the server's
 */
#ifndef UNIX_FD_H
#define UNIX_FD_H

#include <stdbool.h>
#include <stdint.h>
#include "process.h"

#define FD_MAX		256	/* descriptors a process may have (its RLIMIT_NOFILE) */
#define FD_CLOEXEC_BIT	1

struct file;

/* What each kind of file does; a missing read or write answers EBADF. */
struct file_ops {
	/* Moves up to len bytes between the process's memory at buf and the file: a count, -errno or SYS_DEFER. */
	int32_t (*read)(struct process *p, struct file *f, uint32_t buf, uint32_t len);
	int32_t (*write)(struct process *p, struct file *f, uint32_t buf, uint32_t len);
	/* What poll would say now: LNX_POLLIN, LNX_POLLOUT, LNX_POLLHUP, LNX_POLLERR. */
	uint32_t (*poll)(struct file *f);
	/* The last descriptor went. */
	void (*close)(struct file *f);
	/*
	 * What a change of what poll says is woken by (server_retry_on's key: a
	 * pipe, the tty, the sockets); NULL for a file that is always ready.
	 * A poll or select held on such files waits on those keys alone.
	 */
	const void *(*wake_key)(struct file *f);
	uint32_t mode;		/* stat's st_mode: type and permissions */
};

struct file {
	const struct file_ops *ops;
	int refs;			/* [U] descriptors naming it, in every table */
	uint32_t flags;			/* [U] O_ACCMODE, O_NONBLOCK, O_APPEND as open or fcntl set them */
	void *obj;			/* [U] the kind's own: a pipe, an image */
	uint64_t offset;		/* [U] where the next read starts (images) */
};

struct fdtable {
	struct file *file[FD_MAX];	/* [U] NULL: a free descriptor */
	uint8_t flags[FD_MAX];		/* [U] FD_CLOEXEC_BIT */
};

/* A new file of ops' kind with one reference (the caller's, to give to fd_install); NULL: no memory. */
struct file *file_new(const struct file_ops *ops, uint32_t flags, void *obj);
void file_ref(struct file *f);
void file_unref(struct file *f);

/* The file behind fd, or NULL (EBADF). */
struct file *fd_get(struct process *p, uint32_t fd);
/* Puts f (taking over the caller's reference) at the lowest free descriptor >= min: it, or -LNX_EMFILE. */
int32_t fd_install(struct process *p, struct file *f, uint32_t min, bool cloexec);
/* Puts f (with a new reference) at exactly fd, closing what was there. */
void fd_install_at(struct process *p, struct file *f, uint32_t fd, bool cloexec);
/* Closes fd: 0 or -LNX_EBADF. */
int32_t fd_close(struct process *p, uint32_t fd);

/* The table for a new process: 0, 1 and 2 on one console file. -LNX_ENOMEM. */
int fd_table_console(struct process *p);
/* c gets a copy of p's table, every file referenced once more. -LNX_ENOMEM. */
int fd_table_copy(struct process *c, struct process *p);
/* execve: the close-on-exec descriptors go. */
void fd_table_exec(struct process *p);
/* The process ended: every descriptor goes. */
void fd_table_free(struct process *p);

#endif
