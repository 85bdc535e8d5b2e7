/*
 * Pipes: a 64 KiB ring in the server (Linux's default capacity) between a
 * read end and a write end, each a struct file; bytes move straight between
 * a process's memory and the ring (umem.c: a kernel copy a piece). A read of
 * an empty pipe is held (SYS_DEFER) while a write end is open, and gives end
 * of file once none is; a write waits for room and, with no read end left,
 * fails with EPIPE and raises SIGPIPE. Writes of up to PIPE_BUF bytes go in
 * whole or not at all; longer ones may go in pieces, and the call's progress
 * is kept in the process (io_done) while it is held, so a write is never
 * done twice.
 * A held read or write of a pipe is held on the pipe (its key: main.c), so
 * a change retries the calls that wait on it and the polls and selects that
 * asked it (sys_poll.c); a change of bytes or room only when one waits on
 * this pipe (watched: a held read or write of it, a poll that asked it).
 * The two ends answer each other's held call directly where they can: a
 * write into an empty pipe a held read (hand_to_reader), a read that frees
 * room a held write (feed_writer), so that neither is served again.
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

struct pipe {
	uint8_t buf[PIPE_SIZE];
	uint32_t head, count;		/* [U] bytes buf[head..] (circularly) hold */
	bool rd_open, wr_open;		/* [U] the read end's and the write end's file are open */
	bool watched;			/* [U] a held call (read, write, poll) waits on it since the last retry */
	bool others;			/* [U] ...one that is not writer's held write (a read, a poll, another) */
	/* the last process whose read of it was held, and whose write(2) of it was held for room (each
	 * one's p->pipe_wait says whether it still waits) */
	struct process *reader, *writer;	/* [U] */
};

/* Something changed in pp: the held calls go again if one waits on it (each says so again if it still waits). */
static void
changed(struct pipe *pp)
{
	if (pp->watched) {
		pp->watched = false;
		pp->others = false;
		server_retry_on(pp);
	}
}

static uint32_t
pipe_poll_read(struct file *f)
{
	struct pipe *pp = f->obj;

	pp->watched = true;	/* a poll that is held waits on it */
	pp->others = true;
	return (pp->count ? LNX_POLLIN : 0) | (!pp->wr_open ? LNX_POLLHUP : 0);
}

static uint32_t
pipe_poll_write(struct file *f)
{
	struct pipe *pp = f->obj;

	pp->watched = true;
	pp->others = true;
	if (!pp->rd_open)
		return LNX_POLLOUT | LNX_POLLERR;
	return PIPE_SIZE - pp->count >= PIPE_BUF_ ? LNX_POLLOUT : 0;
}

/* Whether w's call is a write(2) held for room in pp, which a read may answer (w != p, the reader). */
static bool
writer_waits(const struct process *p, const struct pipe *pp, const struct process *w)
{
	return w && w != p && w->state == PROC_LIVE && w->held && w->pipe_wait == pp && w->call_nr == LNX_write &&
	       !w->answered && !w->stopped && !signal_interrupts(w);
}

/*
 * A read that made room in pp goes on with the write held for it, from the
 * reader's own handler: the writer's next bytes into the ring (a kernel
 * copy, as its own handler would have made) and, once they are all in, its
 * answer at once (server_answer_held; should the loop not hold it, its
 * replay only answers: p->answered), so that the writer is not served
 * again for each read. True when that was done, or when the room is still
 * too little for its write (PIPE_BUF's whole): it waits on with nothing to
 * retry. False: nothing done (no such writer, or its memory faults, which
 * its own replay then finds and answers).
 */
static bool
feed_writer(struct process *p, struct pipe *pp)
{
	struct process *w = pp->writer;
	uint32_t room = PIPE_SIZE - pp->count, left, n, tail, first;

	if (!writer_waits(p, pp, w))
		return false;
	if (w->pipe_len <= PIPE_BUF_ && room < w->pipe_len)
		return true;
	left = w->pipe_len - w->io_done;
	n = left < room ? left : room;
	tail = (pp->head + pp->count) % PIPE_SIZE;
	first = PIPE_SIZE - tail < n ? PIPE_SIZE - tail : n;
	if (umem_read(w, w->pipe_buf + w->io_done, pp->buf + tail, first) != 0)
		return false;
	if (n > first && umem_read(w, w->pipe_buf + w->io_done + first, pp->buf, n - first) != 0) {
		pp->count += first;	/* a short write of what went in: its replay finds the fault */
		w->io_done += first;
		return false;
	}
	pp->count += n;
	w->io_done += n;
	if (w->io_done < w->pipe_len)
		return true;	/* more than the room: it waits on */
	w->pipe_wait = NULL;
	pp->writer = NULL;
	if (!server_answer_held(w, (int32_t)w->pipe_len)) {
		w->answered = true;
		w->answer = (int32_t)w->pipe_len;
		server_retry_on(pp);	/* the writer's held write goes again, to answer */
	}
	return true;
}

static int32_t
pipe_read(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	struct pipe *pp = f->obj;
	uint32_t n, first;
	int r;

	if (pp->count == 0) {
		if (!pp->wr_open)
			return 0;
		if (f->flags & LNX_O_NONBLOCK)
			return -LNX_EAGAIN;
		pp->watched = true;
		pp->others = true;
		p->wait_key = pp;
		pp->reader = p;
		p->pipe_wait = pp;
		p->pipe_buf = buf;
		p->pipe_len = len;
		return SYS_DEFER;
	}
	/* straight from the ring, in its two pieces at most: a kernel copy each */
	n = len < pp->count ? len : pp->count;
	first = PIPE_SIZE - pp->head < n ? PIPE_SIZE - pp->head : n;
	if ((r = umem_write(p, buf, pp->buf + pp->head, first)) != 0)
		return r;	/* the bytes stay in the pipe */
	if (n > first && umem_write(p, buf + first, pp->buf, n - first) != 0)
		n = first;	/* a short read: the rest stays */
	pp->head = (pp->head + n) % PIPE_SIZE;
	pp->count -= n;
	if (!feed_writer(p, pp) || pp->others)
		changed(pp);	/* a writer waiting for room, or another who waits on it */
	return (int32_t)n;
}

/*
 * A write into an empty pipe whose read is held goes straight from the
 * writer's memory into the reader's (one kernel copy, where the ring costs
 * two: one in, one out at the read's replay) and answers that read at once
 * (server_answer_held, main.c: no replay of it); should the loop not hold
 * it, its replay only sends the answer (p->answered). Only for a reader
 * that still waits on this pipe and that nothing else is about to end (a
 * signal, a stop). False: nothing moved (a bad pointer on either side is
 * found again by the ring's own copies, which name whose it was).
 */
static bool
hand_to_reader(struct process *p, struct pipe *pp, uint32_t buf, uint32_t n)
{
	struct process *r = pp->reader;

	if (pp->count || !r || r->state != PROC_LIVE || !r->held || r->pipe_wait != pp || r->answered ||
	    r->stopped || r == p || signal_interrupts(r))
		return false;
	n = n < r->pipe_len ? n : r->pipe_len;
	n = n < PIPE_SIZE ? n : PIPE_SIZE;	/* no more than the ring would have held for it */
	if (umem_copy(p, buf, r, r->pipe_buf, n) != 0)
		return false;
	r->pipe_wait = NULL;
	p->io_done += n;
	pp->reader = NULL;
	if (!server_answer_held(r, (int32_t)n)) {
		r->answered = true;
		r->answer = (int32_t)n;
		server_retry_on(pp);	/* the reader's held read goes again, to answer */
	}
	return true;
}

static int32_t
pipe_write(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	struct pipe *pp = f->obj;

	if (!pp->rd_open) {
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
			if (p->call_nr == LNX_write && (!pp->writer || pp->writer == p ||
							       !writer_waits(NULL, pp, pp->writer))) {
				pp->writer = p;	/* a read that makes room goes on with it (feed_writer) */
				p->pipe_wait = pp;
				p->pipe_buf = buf;
				p->pipe_len = len;
			} else {
				pp->others = true;	/* writev's, or a second writer's: served again */
			}
			pp->watched = true;
			p->wait_key = pp;
			return SYS_DEFER;
		}
		if (hand_to_reader(p, pp, buf + p->io_done, left))
			continue;
		/* straight into the ring's free space, two pieces at most, committed together (PIPE_BUF) */
		n = left < room ? left : room;
		tail = (pp->head + pp->count) % PIPE_SIZE;
		first = PIPE_SIZE - tail < n ? PIPE_SIZE - tail : n;
		if ((r = umem_read(p, buf + p->io_done, pp->buf + tail, first)) != 0)
			return p->io_done ? (int32_t)p->io_done : r;
		if (n > first && umem_read(p, buf + p->io_done + first, pp->buf, n - first) != 0)
			n = first;	/* the rest faults: a short write of what went in */
		pp->count += n;
		p->io_done += n;
		changed(pp);	/* a reader waiting for bytes */
	}
	return (int32_t)len;
}

static const void *
pipe_wake_key(struct file *f)
{
	return f->obj;	/* the pipe: what its held reads and writes wait on */
}

static void
pipe_free_if_unused(struct pipe *pp)
{
	if (!pp->rd_open && !pp->wr_open)
		free(pp);
}

static void
pipe_close_read(struct file *f)
{
	struct pipe *pp = f->obj;

	pp->rd_open = false;
	server_retry_on(pp);	/* a writer waiting for room gets EPIPE */
	pipe_free_if_unused(pp);
}

static void
pipe_close_write(struct file *f)
{
	struct pipe *pp = f->obj;

	pp->wr_open = false;
	server_retry_on(pp);	/* a reader waiting for bytes gets end of file */
	pipe_free_if_unused(pp);
}

static const struct file_ops read_end = {
	.read = pipe_read, .poll = pipe_poll_read, .close = pipe_close_read, .wake_key = pipe_wake_key,
	.mode = LNX_S_IFIFO | 0600,
};
static const struct file_ops write_end = {
	.write = pipe_write, .poll = pipe_poll_write, .close = pipe_close_write, .wake_key = pipe_wake_key,
	.mode = LNX_S_IFIFO | 0600,
};

int
pipe_create(uint32_t flags, struct file **rd, struct file **wr)
{
	struct pipe *pp = malloc(sizeof *pp);

	if (!pp)
		return -LNX_ENFILE;
	pp->head = pp->count = 0;
	pp->rd_open = pp->wr_open = true;
	pp->watched = pp->others = false;
	pp->reader = pp->writer = NULL;
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
