/*
 * Pipes: a 64 KiB ring in the server (Linux's default capacity) between a
 * read end and a write end, each a struct file. A read of an empty pipe is
 * held (SYS_DEFER) while a write end is open, and gives end of file once none
 * is; a write waits for room and, with no read end left, fails with EPIPE
 * and raises SIGPIPE. Writes of up to PIPE_BUF bytes go in whole or not at
 * all; longer ones may go in pieces, and the call's progress is kept in the
 * process (io_done) while it is held, so a write is never done twice.
 * Every change that a held call may wait for retries the held calls: a
 * change of bytes or room only when one waits on this pipe (watched: a held
 * read or write of it, a poll that asked it), for a retry serves every held
 * call again (a pipe round trip served 8 calls for 4 with each change
 * retrying: pipe_rr_unix 40,594 -> 38,160).
 */
#include <stdlib.h>
#include <string.h>
#include "fd.h"
#include "linux.h"
#include "pipe.h"
#include "signal.h"
#include "syscall.h"
#include "umem.h"

#define PIPE_SIZE	65536u
#define PIPE_BUF_	4096u	/* writes this small are atomic (POSIX's PIPE_BUF) */
#define CHUNK		4096u

struct pipe {
	uint8_t buf[PIPE_SIZE];
	uint32_t head, count;		/* [U] bytes buf[head..] (circularly) hold */
	bool reader, writer;		/* [U] the read end's and the write end's file are open */
	bool watched;			/* [U] a held call (read, write, poll) waits on it since the last retry */
};

/* Something changed in pp: the held calls go again if one waits on it (each says so again if it still waits). */
static void
changed(struct pipe *pp)
{
	if (pp->watched) {
		pp->watched = false;
		server_retry_held();
	}
}

static uint32_t
pipe_poll_read(struct file *f)
{
	struct pipe *pp = f->obj;

	pp->watched = true;	/* a poll that is held waits on it */
	return (pp->count ? LNX_POLLIN : 0) | (!pp->writer ? LNX_POLLHUP : 0);
}

static uint32_t
pipe_poll_write(struct file *f)
{
	struct pipe *pp = f->obj;

	pp->watched = true;
	if (!pp->reader)
		return LNX_POLLOUT | LNX_POLLERR;
	return PIPE_SIZE - pp->count >= PIPE_BUF_ ? LNX_POLLOUT : 0;
}

static int32_t
pipe_read(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	struct pipe *pp = f->obj;
	uint8_t chunk[CHUNK];
	uint32_t n, first;
	int r;

	if (pp->count == 0) {
		if (!pp->writer)
			return 0;
		if (f->flags & LNX_O_NONBLOCK)
			return -LNX_EAGAIN;
		pp->watched = true;
		return SYS_DEFER;
	}
	n = len < pp->count ? len : pp->count;
	n = n < CHUNK ? n : CHUNK;	/* a short read is a read: the caller asks again */
	first = PIPE_SIZE - pp->head < n ? PIPE_SIZE - pp->head : n;
	memcpy(chunk, pp->buf + pp->head, first);
	memcpy(chunk + first, pp->buf, n - first);
	if ((r = umem_write(p, buf, chunk, n)) != 0)
		return r;	/* the bytes stay in the pipe */
	pp->head = (pp->head + n) % PIPE_SIZE;
	pp->count -= n;
	changed(pp);	/* a writer waiting for room */
	return (int32_t)n;
}

static int32_t
pipe_write(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	struct pipe *pp = f->obj;
	uint8_t chunk[CHUNK];

	if (!pp->reader) {
		signal_raise(p, LNX_SIGPIPE);
		return p->io_done ? (int32_t)p->io_done : -LNX_EPIPE;
	}
	while (p->io_done < len) {
		uint32_t left = len - p->io_done, room = PIPE_SIZE - pp->count, n, tail, first;
		int r;

		if (room == 0 || (len <= PIPE_BUF_ && room < len)) {
			if (f->flags & LNX_O_NONBLOCK)
				return p->io_done ? (int32_t)p->io_done : -LNX_EAGAIN;
			if (signal_interrupts(p))
				return p->io_done ? (int32_t)p->io_done : -LNX_EINTR;
			pp->watched = true;
			return SYS_DEFER;
		}
		n = left < room ? left : room;
		n = n < CHUNK ? n : CHUNK;
		if ((r = umem_read(p, buf + p->io_done, chunk, n)) != 0)
			return p->io_done ? (int32_t)p->io_done : r;
		tail = (pp->head + pp->count) % PIPE_SIZE;
		first = PIPE_SIZE - tail < n ? PIPE_SIZE - tail : n;
		memcpy(pp->buf + tail, chunk, first);
		memcpy(pp->buf, chunk + first, n - first);
		pp->count += n;
		p->io_done += n;
		changed(pp);	/* a reader waiting for bytes */
	}
	return (int32_t)len;
}

static void
pipe_free_if_unused(struct pipe *pp)
{
	if (!pp->reader && !pp->writer)
		free(pp);
}

static void
pipe_close_read(struct file *f)
{
	struct pipe *pp = f->obj;

	pp->reader = false;
	server_retry_held();	/* a writer waiting for room gets EPIPE */
	pipe_free_if_unused(pp);
}

static void
pipe_close_write(struct file *f)
{
	struct pipe *pp = f->obj;

	pp->writer = false;
	server_retry_held();	/* a reader waiting for bytes gets end of file */
	pipe_free_if_unused(pp);
}

static const struct file_ops read_end = {
	.read = pipe_read, .poll = pipe_poll_read, .close = pipe_close_read, .mode = LNX_S_IFIFO | 0600,
};
static const struct file_ops write_end = {
	.write = pipe_write, .poll = pipe_poll_write, .close = pipe_close_write, .mode = LNX_S_IFIFO | 0600,
};

int
pipe_create(uint32_t flags, struct file **rd, struct file **wr)
{
	struct pipe *pp = malloc(sizeof *pp);

	if (!pp)
		return -LNX_ENFILE;
	pp->head = pp->count = 0;
	pp->reader = pp->writer = true;
	pp->watched = false;
	*rd = file_new(&read_end, LNX_O_RDONLY | (flags & LNX_O_NONBLOCK), pp);
	*wr = file_new(&write_end, LNX_O_WRONLY | (flags & LNX_O_NONBLOCK), pp);
	if (!*rd || !*wr) {
		free(*rd);
		free(*wr);
		free(pp);
		return -LNX_ENFILE;
	}
	return 0;
}
