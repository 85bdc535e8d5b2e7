/*
 * Files and descriptor tables (fd.h): reference counting of open files, and
 * the tables, which are the process's own (a copy at fork, pruned at exec).
 * The console, pipes and images are their own files (tty.c, pipe.c,
 * files.c); this file knows only their ops.
 */
#include <stdlib.h>
#include <string.h>
#include "fd.h"
#include "linux.h"
#include "tty.h"

struct file *
file_new(const struct file_ops *ops, uint32_t flags, void *obj)
{
	struct file *f = calloc(1, sizeof *f);

	if (!f)
		return NULL;
	f->ops = ops;
	f->refs = 1;
	f->flags = flags;
	f->obj = obj;
	return f;
}

void
file_ref(struct file *f)
{
	f->refs++;
}

void
file_unref(struct file *f)
{
	if (--f->refs > 0)
		return;
	if (f->ops->close)
		f->ops->close(f);
	free(f);
}

struct file *
fd_get(struct process *p, uint32_t fd)
{
	return p->fds && fd < FD_MAX ? p->fds->file[fd] : NULL;
}

int32_t
fd_install(struct process *p, struct file *f, uint32_t min, bool cloexec)
{
	for (uint32_t fd = min; fd < FD_MAX; fd++) {
		if (!p->fds->file[fd]) {
			p->fds->file[fd] = f;
			p->fds->flags[fd] = cloexec ? FD_CLOEXEC_BIT : 0;
			return (int32_t)fd;
		}
	}
	file_unref(f);
	return -LNX_EMFILE;
}

void
fd_install_at(struct process *p, struct file *f, uint32_t fd, bool cloexec)
{
	struct file *old = p->fds->file[fd];

	file_ref(f);
	p->fds->file[fd] = f;
	p->fds->flags[fd] = cloexec ? FD_CLOEXEC_BIT : 0;
	if (old)
		file_unref(old);	/* after: dup2(fd, fd) style races cannot free f */
}

int32_t
fd_close(struct process *p, uint32_t fd)
{
	struct file *f = fd_get(p, fd);

	if (!f)
		return -LNX_EBADF;
	p->fds->file[fd] = NULL;
	p->fds->flags[fd] = 0;
	file_unref(f);
	return 0;
}

int
fd_table_console(struct process *p)
{
	struct file *f;

	if (!(p->fds = calloc(1, sizeof *p->fds)))
		return -LNX_ENOMEM;
	if (!(f = tty_open())) {
		free(p->fds);
		p->fds = NULL;
		return -LNX_ENOMEM;
	}
	fd_install_at(p, f, 0, false);
	fd_install_at(p, f, 1, false);
	fd_install_at(p, f, 2, false);
	file_unref(f);	/* the three descriptors hold it */
	return 0;
}

int
fd_table_copy(struct process *c, struct process *p)
{
	if (!(c->fds = calloc(1, sizeof *c->fds)))
		return -LNX_ENOMEM;
	for (uint32_t fd = 0; fd < FD_MAX; fd++) {
		if (p->fds->file[fd]) {
			c->fds->file[fd] = p->fds->file[fd];
			c->fds->flags[fd] = p->fds->flags[fd];
			file_ref(c->fds->file[fd]);
		}
	}
	return 0;
}

void
fd_table_exec(struct process *p)
{
	for (uint32_t fd = 0; fd < FD_MAX; fd++)
		if (p->fds->file[fd] && (p->fds->flags[fd] & FD_CLOEXEC_BIT))
			fd_close(p, fd);
}

void
fd_table_free(struct process *p)
{
	if (!p->fds)
		return;
	for (uint32_t fd = 0; fd < FD_MAX; fd++)
		if (p->fds->file[fd])
			fd_close(p, fd);
	free(p->fds);
	p->fds = NULL;
}
