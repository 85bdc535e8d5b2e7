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
 * A held read of a pipe is held on the pipe (its key: main.c), so a change
 * retries the reads that wait on it and the polls and selects that asked it
 * (sys_poll.c); a change of bytes or room only when one waits on this pipe
 * (watched: a held read of it, a poll that asked it). A held write or writev
 * waits in the pipe's queue of writers, held on its own process.
 * The two ends answer each other's held calls directly: a write into an
 * empty pipe a held read (hand_to_reader), a read that frees room the held
 * writes, oldest first (feed_writers), so that none is served again.
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
	bool watched;			/* [U] a held read or poll waits on it since the last retry */
	/* the last process whose read of it was held (its p->pipe_wait says whether it still waits) */
	struct process *reader;		/* [U] */
	/* the writes held for room, oldest first (p->pipe_next; each one's pipe_wait says whether it
	 * still waits, and a process on it has pipe_q pointing here) */
	struct process *wq;		/* [U] */
};

/* Something changed in pp: the held calls go again if one waits on it (each says so again if it still waits). */
static void
changed(struct pipe *pp)
{
	if (pp->watched) {
		pp->watched = false;
		server_retry_on(pp);
	}
}

static uint32_t
pipe_poll_read(struct file *f)
{
	struct pipe *pp = f->obj;

	pp->watched = true;	/* a poll that is held waits on it */
	return (pp->count ? LNX_POLLIN : 0) | (!pp->wr_open ? LNX_POLLHUP : 0);
}

static uint32_t
pipe_poll_write(struct file *f)
{
	struct pipe *pp = f->obj;

	pp->watched = true;
	if (!pp->rd_open)
		return LNX_POLLOUT | LNX_POLLERR;
	return PIPE_SIZE - pp->count >= PIPE_BUF_ ? LNX_POLLOUT : 0;
}

/* w leaves the queue of held writers it is on (its call ended, or it ended). */
static void
unqueue_slow(struct process *w)
{
	struct process **at = &w->pipe_q->wq;

	while (*at && *at != w)
		at = &(*at)->pipe_next;
	if (*at)
		*at = w->pipe_next;
	w->pipe_q = NULL;
	w->pipe_next = NULL;
}

static inline void
unqueue(struct process *w)
{
	if (w->pipe_q)
		unqueue_slow(w);
}

/* p's write waits for room in pp, behind the writers already waiting there (a replay keeps its place). */
static void
enqueue(struct pipe *pp, struct process *p)
{
	struct process **at = &pp->wq;

	if (p->pipe_q == pp)
		return;
	unqueue(p);
	while (*at)
		at = &(*at)->pipe_next;
	*at = p;
	p->pipe_q = pp;
	p->pipe_next = NULL;
}

/*
 * Whether w's held call is a write to pp still waiting for room, which a read
 * may go on with now (not a read of pp: a place kept by a write a signal
 * ended stays until w's next write, and w may read pp meanwhile).
 */
static bool
writer_waits(const struct pipe *pp, const struct process *w)
{
	return w->state == PROC_LIVE && w->held && w->pipe_wait == pp && !w->answered && !w->stopped &&
	       (w->call_nr == LNX_write || w->call_nr == LNX_writev);
}

/* Whether a writer queued before p (or any, p not queued) waits on pp: p's write goes behind it (FIFO). */
static bool
writers_ahead(const struct pipe *pp, const struct process *p)
{
	for (const struct process *w = pp->wq; w && w != p; w = w->pipe_next)
		if (writer_waits(pp, w) && !signal_interrupts(w))
			return true;
	return false;
}

/*
 * Where the byte at offset off of w's write lies in its memory, and how
 * many follow it there: write(2)'s one buffer, or writev's iovecs (read
 * again from its memory, a few at a time, since a held call keeps only
 * their address). -LNX_EFAULT: they are not readable, or shorter than the
 * call said (changed meanwhile).
 */
static int
source_run(struct process *w, uint32_t off, uint32_t *at, uint32_t *len)
{
	struct lnx_iovec iov[16];
	uint64_t base = 0;

	if (!w->pipe_iovn) {
		*at = w->pipe_buf + off;
		*len = w->pipe_len - off;
		return 0;
	}
	for (uint32_t i = 0; i < w->pipe_iovn; i += 16) {
		uint32_t k = w->pipe_iovn - i < 16 ? w->pipe_iovn - i : 16;
		int r = umem_read(w, w->pipe_buf + i * sizeof iov[0], iov, k * sizeof iov[0]);

		if (r != 0)
			return r;
		for (uint32_t j = 0; j < k; j++) {
			if (off < base + iov[j].len) {
				*at = iov[j].base + (uint32_t)(off - base);
				*len = (uint32_t)(base + iov[j].len - off);
				return 0;
			}
			base += iov[j].len;
		}
	}
	return -LNX_EFAULT;
}

/*
 * n bytes of w's write (n no more than the room), from its progress
 * (w->io_done) on, into the ring: a kernel copy for each run of its memory
 * and each of the ring's two pieces. 0, or the fault's error, what went in
 * before it counted in the pipe and in w->io_done.
 */
static int
fill(struct pipe *pp, struct process *w, uint32_t n)
{
	while (n) {
		uint32_t tail = (pp->head + pp->count) % PIPE_SIZE, at, run, m;
		int r;

		if ((r = source_run(w, w->io_done, &at, &run)) != 0)
			return r;
		m = n < run ? n : run;
		m = PIPE_SIZE - tail < m ? PIPE_SIZE - tail : m;
		if ((r = umem_read(w, at, pp->buf + tail, m)) != 0)
			return r;
		pp->count += m;
		w->io_done += m;
		n -= m;
	}
	return 0;
}

/* Whether a write of len bytes, done bytes of it in, waits with room bytes free (PIPE_BUF's go in whole). */
static inline bool
must_wait(uint32_t len, uint32_t done, uint32_t room)
{
	return room == 0 || (len <= PIPE_BUF_ && room < len - done);
}

/*
 * A read that made room in pp goes on with the writes held for it, in the
 * order they came, from the reader's own handler: each one's next bytes
 * into the ring (the kernel copies its own handler would have made) and,
 * once they are all in, its answer at once (server_answer_held; should the
 * loop not hold it, its replay only answers: p->answered), so that no
 * writer is served again for a read. The first that cannot finish stops
 * the walk: a write longer than the room takes what there is and waits on,
 * one of PIPE_BUF or less waits for its whole room, and those behind it wait
 * too. A writer a signal ends, or whose memory faults, is served again
 * (its replay answers what moved); a stopped one is passed over.
 */
static void
feed_writers(struct pipe *pp)
{
	struct process *w, *next;

	for (w = pp->wq; w; w = next) {
		uint32_t room = PIPE_SIZE - pp->count, left;

		next = w->pipe_next;
		if (!w->held) {
			unqueue(w);	/* its call ended another way (a signal's answer) */
			continue;
		}
		if (!writer_waits(pp, w))
			continue;
		if (signal_interrupts(w)) {
			server_retry_process(w);
			continue;
		}
		if (must_wait(w->pipe_len, w->io_done, room))
			return;
		left = w->pipe_len - w->io_done;
		if (fill(pp, w, left < room ? left : room) != 0) {
			server_retry_process(w);
			continue;
		}
		if (w->io_done < w->pipe_len)
			return;	/* more than the room: it waits on */
		unqueue(w);
		w->pipe_wait = NULL;
		if (!server_answer_held(w, (int32_t)w->pipe_len)) {
			w->answered = true;
			w->answer = (int32_t)w->pipe_len;
			server_retry_process(w);	/* its held write goes again, to answer */
		}
	}
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
	if (pp->wq)
		feed_writers(pp);
	changed(pp);	/* a poll waiting for room */
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
static inline __attribute__((always_inline)) bool
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

/*
 * p's write of p->pipe_len bytes (write(2)'s buffer or writev's iovecs:
 * p->pipe_buf, p->pipe_iovn), from its progress on. It waits for room while
 * the pipe is full, while a write of PIPE_BUF or less has not its whole room,
 * and behind the writers already waiting (FIFO: a read goes on with them in
 * order, feed_writers); held on its own process (its signals wake it, the
 * read end's close, and the read that answers it), not on the pipe, so a
 * read that makes room serves no writer again.
 */
static int32_t
put(struct process *p, struct file *f, struct pipe *pp)
{
	uint32_t len = p->pipe_len;

	if (!p->replay)
		unqueue(p);	/* a new call: a place kept by one a signal ended goes */
	if (!pp->rd_open) {
		unqueue(p);
		signal_raise(p, LNX_SIGPIPE);
		return p->io_done ? (int32_t)p->io_done : -LNX_EPIPE;
	}
	while (p->io_done < len) {
		uint32_t left = len - p->io_done, room = PIPE_SIZE - pp->count;
		int r;

		if (f->flags & LNX_O_NONBLOCK) {
			if (must_wait(len, p->io_done, room))
				return p->io_done ? (int32_t)p->io_done : -LNX_EAGAIN;
		} else if (must_wait(len, p->io_done, room) || (pp->wq && writers_ahead(pp, p))) {
			if (signal_interrupts(p)) {
				unqueue(p);
				return p->io_done ? (int32_t)p->io_done : -LNX_EINTR;
			}
			enqueue(pp, p);
			p->pipe_wait = pp;
			p->wait_key = p;
			return SYS_DEFER;
		}
		if (!p->pipe_iovn && hand_to_reader(p, pp, p->pipe_buf + p->io_done, left))
			continue;
		r = fill(pp, p, left < room ? left : room);
		if (p->io_done > len - left)
			changed(pp);	/* a reader waiting for bytes */
		if (r != 0) {
			unqueue(p);
			return p->io_done ? (int32_t)p->io_done : r;
		}
	}
	unqueue(p);
	return (int32_t)len;
}

static int32_t
pipe_write(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	struct pipe *pp = f->obj;

	/* a round trip's way first: a held read of the empty pipe takes it all (hand_to_reader) */
	if (pp->reader && !p->io_done && !p->pipe_q && hand_to_reader(p, pp, buf, len) && p->io_done == len)
		return (int32_t)len;
	p->pipe_buf = buf;
	p->pipe_len = len;
	p->pipe_iovn = 0;
	return put(p, f, pp);
}

int32_t
pipe_writev(struct process *p, struct file *f, uint32_t iov, uint32_t n, uint32_t total)
{
	p->pipe_buf = iov;
	p->pipe_len = total;
	p->pipe_iovn = n;
	return put(p, f, f->obj);
}

static const void *
pipe_wake_key(struct file *f)
{
	return f->obj;	/* the pipe: what its held reads and writes wait on */
}

static void
pipe_free_if_unused(struct pipe *pp)
{
	if (pp->rd_open || pp->wr_open)
		return;
	while (pp->wq)	/* writers whose calls ended another way, not yet taken off */
		unqueue(pp->wq);
	free(pp);
}

void
pipe_forget(struct process *p)
{
	unqueue(p);
}

static void
pipe_close_read(struct file *f)
{
	struct pipe *pp = f->obj;

	pp->rd_open = false;
	for (struct process *w = pp->wq; w; w = w->pipe_next)
		server_retry_process(w);	/* a writer waiting for room gets EPIPE */
	server_retry_on(pp);	/* and a poll for writing POLLERR */
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

bool
pipe_is_write_end(const struct file *f)
{
	return f->ops == &write_end;
}

int
pipe_create(uint32_t flags, struct file **rd, struct file **wr)
{
	struct pipe *pp = malloc(sizeof *pp);

	if (!pp)
		return -LNX_ENFILE;
	pp->head = pp->count = 0;
	pp->rd_open = pp->wr_open = true;
	pp->watched = false;
	pp->reader = NULL;
	pp->wq = NULL;
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
