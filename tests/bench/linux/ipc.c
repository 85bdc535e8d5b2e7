/*
 * Linux IPC benchmarks, the reference for Manifold's null_rpc, rpc_64b,
 * rpc_4k_inline, ool_64k, ool_1m and port_alloc_dealloc rows (pairing in
 * tests/bench/rows.tsv). Each RPC is a round trip between two processes: the
 * parent (the client, which does the timing) sends a request and waits for the
 * reply of a child that serves in a loop. The receivers do what Manifold's do
 * with the data (tests/bench/common/payload.c): the 64 B and 4 KiB RPCs are
 * echoed with the server's sum of the request in word 0, and the client reads
 * the whole reply; the bulk transfers send the payload one way, the server
 * reads every word (and for the _write rows writes one word per page) and
 * replies with the 4-byte sum, as Manifold's out-of-line rows do.
 *
 *   bench-ipc [ITERATIONS]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "measure.h"
#include "payload.h"

#define BIG (1u << 20)

static char *client_buf, *server_buf;

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r, n -= (size_t)r;
	}
	return 0;
}

/* Returns 0 when all n bytes came, 1 on end of file before any, -1 otherwise. */
static int
read_all(int fd, char *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 && got == 0)
			return 1;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* What a server does with a request, and what its reply is. */
enum work {
	ECHO_NULL,	/* nothing; the reply is the request's first rep bytes */
	ECHO_SUM,	/* reads every word; echoes with the sum in word 0 */
	SUM,		/* reads every word; the reply is the sum */
	SUM_WRITE,	/* SUM, then writes one word per page of what it read */
};

/* One client-server channel: a pair of pipes, or one socket pair. */
struct channel {
	const char *name;
	int cw, cr;      /* the client's write and read ends */
	int sw, sr;      /* the server's */
	size_t req, rep; /* bytes in a request and in a reply */
	enum work work;
	uint32_t sum;    /* payload_sum of the request */
	pid_t server;
};

static __attribute__((noreturn)) void
serve(struct channel *ch)
{
	uint32_t *data = (uint32_t *)server_buf, s;
	int r;

	close(ch->cw);
	if (ch->cr != ch->cw)
		close(ch->cr);
	while ((r = read_all(ch->sr, server_buf, ch->req)) == 0) {
		const char *reply = server_buf;

		if (ch->work != ECHO_NULL) {
			s = payload_sum(data, ch->req / 4);
			if (ch->work == SUM_WRITE)
				payload_write_pages(data, ch->req, s);
			if (ch->work == ECHO_SUM)
				data[0] = s;
			else
				reply = (const char *)&s;
		}
		if (write_all(ch->sw, reply, ch->rep) < 0)
			_exit(2);
	}
	_exit(r == 1 ? 0 : 3);
}

static int
channel_open(struct channel *ch, int use_socket, size_t req, size_t rep, enum work work)
{
	int a[2], b[2];

	if (use_socket) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, a) < 0)
			return -1;
		ch->cw = ch->cr = a[0];
		ch->sw = ch->sr = a[1];
	} else {
		if (pipe(a) < 0 || pipe(b) < 0)
			return -1;
		ch->cw = a[1], ch->sr = a[0];
		ch->sw = b[1], ch->cr = b[0];
	}
	ch->req = req, ch->rep = work == SUM || work == SUM_WRITE ? sizeof(uint32_t) : rep;
	ch->work = work;
	ch->sum = payload_sum((uint32_t *)client_buf, req / 4);
	ch->server = fork();
	if (ch->server < 0)
		return -1;
	if (ch->server == 0)
		serve(ch);
	close(ch->sw);
	if (ch->sr != ch->sw)
		close(ch->sr);
	return 0;
}

/* Closing the client's ends is the server's end of file; 0 when it exited cleanly. */
static int
channel_close(struct channel *ch)
{
	int status;

	close(ch->cw);
	if (ch->cr != ch->cw)
		close(ch->cr);
	if (waitpid(ch->server, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int
rpc_op(void *arg)
{
	struct channel *ch = arg;
	uint32_t *data = (uint32_t *)client_buf, w0 = data[0], got;

	if (write_all(ch->cw, client_buf, ch->req) < 0)
		return -1;
	if (read_all(ch->cr, client_buf, ch->rep) != 0)
		return -1;
	switch (ch->work) {
	case ECHO_NULL:
		return 0;
	case ECHO_SUM:
		got = payload_sum(data, ch->rep / 4);
		if (data[0] != ch->sum || got != ch->sum - w0 + ch->sum) {
			printf("FAIL %s: the server summed 0x%lx, the reply sums to 0x%lx; sent 0x%lx\n", ch->name,
			       (unsigned long)data[0], (unsigned long)got, (unsigned long)ch->sum);
			return -1;
		}
		data[0] = w0;
		return 0;
	default:
		got = data[0];
		data[0] = w0;	/* the reply landed on the request's first word */
		if (got != ch->sum) {
			printf("FAIL %s: the server summed 0x%lx, we sent 0x%lx\n", ch->name, (unsigned long)got,
			       (unsigned long)ch->sum);
			return -1;
		}
		return 0;
	}
}

static int
bench_channel(const char *name, unsigned iters, int use_socket, size_t req, size_t rep, enum work work)
{
	struct channel ch = { .name = name };
	int r;

	if (channel_open(&ch, use_socket, req, rep, work) < 0) {
		printf("FAIL %s: cannot set up: %s\n", name, strerror(errno));
		return -1;
	}
	r = bench_loop(name, "insns", iters, rpc_op, &ch);
	if (channel_close(&ch) < 0) {
		printf("FAIL %s: the server did not end cleanly\n", name);
		r = -1;
	}
	return r;
}

/*
 * Futex ping-pong: one word in memory shared by both processes says whose turn
 * it is; each side sets it to the other's value, wakes the other and sleeps
 * until the word comes back. Not FUTEX_PRIVATE: the word is in two address spaces.
 */
enum { CLIENT_TURN, SERVER_TURN, STOP };

static long
futex(int *word, int op, int val)
{
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

static void
wait_while(int *word, int val)
{
	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == val)
		futex(word, FUTEX_WAIT, val);
}

static void
hand_over(int *word, int val)
{
	__atomic_store_n(word, val, __ATOMIC_RELEASE);
	futex(word, FUTEX_WAKE, 1);
}

static int
futex_op(void *arg)
{
	int *turn = arg;

	hand_over(turn, SERVER_TURN);
	wait_while(turn, SERVER_TURN);
	return 0;
}

static int
bench_futex(const char *name, unsigned iters)
{
	int *turn, status, r;
	pid_t pid;

	turn = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (turn == MAP_FAILED)
		return -1;
	*turn = CLIENT_TURN;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		for (;;) {
			wait_while(turn, CLIENT_TURN);
			if (__atomic_load_n(turn, __ATOMIC_ACQUIRE) == STOP)
				_exit(0);
			hand_over(turn, CLIENT_TURN);
		}
	}
	r = bench_loop(name, "insns", iters, futex_op, turn);
	hand_over(turn, STOP);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		r = -1;
	munmap(turn, 4096);
	return r;
}

/* The analogue of allocating and destroying a port: a pipe's two ends. */
static int
pipe_op(void *arg)
{
	int fd[2];

	if (pipe(fd) < 0)
		return -1;
	close(fd[0]);
	close(fd[1]);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned iters = bench_iters(argc, argv, 10000);
	int bad = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	client_buf = malloc(BIG);
	server_buf = malloc(BIG);
	if (client_buf == NULL || server_buf == NULL)
		return 1;
	/* touched now, so that no benchmark pays for their first faults */
	payload_fill((uint32_t *)client_buf, BIG / 4);
	memset(server_buf, 's', BIG);

	bad |= bench_channel("null_rpc_pipe", iters, 0, 1, 1, ECHO_NULL);
	bad |= bench_channel("null_rpc_unix", iters, 1, 1, 1, ECHO_NULL);
	bad |= bench_futex("null_rpc_futex", iters);
	bad |= bench_channel("rpc_64b_pipe", iters, 0, 64, 64, ECHO_SUM);
	bad |= bench_channel("rpc_4k_pipe", iters, 0, 4096, 4096, ECHO_SUM);
	bad |= bench_channel("ool_64k_pipe", iters, 0, 64 << 10, 0, SUM);
	bad |= bench_channel("ool_1m_pipe", iters, 0, BIG, 0, SUM);
	bad |= bench_channel("ool_64k_write_pipe", iters, 0, 64 << 10, 0, SUM_WRITE);
	bad |= bench_channel("ool_1m_write_pipe", iters, 0, BIG, 0, SUM_WRITE);
	bad |= bench_loop("pipe_create_close", "insns", iters, pipe_op, NULL);
	return bad ? 1 : 0;
}
