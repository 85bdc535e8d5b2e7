/*
 * The library's block device over a block driver (disk.h). Each call of the
 * library is one or more asynchronous requests (blk_read_request,
 * blk_write_request, blk_flush_request) answered on the disk's own reply
 * port, waited for here: the library is synchronous, but the requests are
 * the driver's asynchronous kind, so a driver that dies holding one tells us
 * at once by a send-once notification, and ids keep a late answer from
 * being taken for another request's.
 *
 * A driver that dies holding a request: the request is sent again, to the
 * next instance (the bootstrap keeps the service port, and reads and writes
 * are idempotent); after DISK_TRIES deaths, or an error answer
 * (BLK_IO_ERROR, BLK_DEVICE_GONE...), the call fails with -FS_EIO and the disk
 * keeps the named error in last_error. One request at a time per disk (its
 * mount's guard, srv.h); while a thread waits for the answer it lets go of
 * the server's lock, so other mounts' requests are served meanwhile.
 *
 * A disk that does not answer (a wedged driver, a client's port that never
 * replies) must not hold fs for ever: a request waits disk_wait_ms for its
 * answer and its send gives up after block.defs's waittime (a queue that stays
 * full); then the call fails with -FS_ETIMEDOUT and the disk is stuck. The
 * reply port is replaced, so nothing late reaches the next request. A stuck
 * disk's requests fail at once with -FS_ETIMEDOUT (the one wait held only
 * the requests for that mount); every DISK_PROBE_EVERY_MS one request
 * goes to the driver as a probe, waited for DISK_PROBE_WAIT_MS, and its answer
 * makes the disk well again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <mach/notify.h>
#include <manifold/blk.h>
#include <manifold/trap.h>
#include "block_client.h"
#include "block_reply_server.h"
#include "disk.h"
#include "fs_error.h"
#include "srv.h"

#define ME mach_task_self()
#define DISK_TRIES 3		/* a request goes at most this many times */
#define DISK_PROBE_EVERY_MS 5000
#define DISK_PROBE_WAIT_MS 200

uint32_t disk_wait_ms = 10000;	/* longer than a driver's restart */

static uint64_t
now_ms(void)
{
	uint64_t t = 0;

	trap_clock_uptime(&t);
	return t / 1000000;
}

/* What the reply port brought, filled by the block_reply handlers below; under srv_big_lock. */
static struct answer {
	bool got;
	uint64_t id;
	kern_return_t status;
	uint8_t *data;
	mach_msg_type_number_t size;
} answer;

kern_return_t
block_reply_do_blk_read_reply(mach_port_t reply, uint64_t id, kern_return_t status, uint8_t *data,
			      mach_msg_type_number_t size)
{
	answer = (struct answer){ .got = true, .id = id, .status = status, .data = data, .size = size };
	return KERN_SUCCESS;
}

kern_return_t
block_reply_do_blk_write_reply(mach_port_t reply, uint64_t id, kern_return_t status)
{
	answer = (struct answer){ .got = true, .id = id, .status = status };
	return KERN_SUCCESS;
}

static void
answer_free(void)
{
	if (answer.data)
		vm_deallocate(ME, (vm_address_t)answer.data, answer.size);
	answer.data = NULL;
}

static mach_port_t
new_reply_port(void)
{
	mach_port_t p = MACH_PORT_NULL;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	return p;
}

enum wait_result { GOT, DIED, TIMED_OUT };

/*
 * Waits for request id's answer (into `answer`) or the death of the driver
 * holding it; answers to other ids (a request given up before) are dropped.
 */
static enum wait_result
wait_answer(struct disk *d, uint64_t id, uint32_t wait_ms)
{
	union {
		mach_msg_header_t h;
		uint8_t b[BLOCK_REPLY_REQUEST_MAX_SIZE + sizeof(mach_msg_max_trailer_t) + 64];
	} in;
	union {
		mach_msg_header_t h;
		uint8_t b[BLOCK_REPLY_REPLY_MAX_SIZE + 64];
	} out;

	for (;;) {
		mach_msg_return_t mr;

		/* Other mounts' requests are served meanwhile; this one's guard keeps its instance ours. */
		if (!d->keep_lock)
			cthread_mutex_unlock(&srv_big_lock);
		mr = mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, d->reply, wait_ms,
			      MACH_PORT_NULL);
		if (!d->keep_lock)
			cthread_mutex_lock(&srv_big_lock);
		if (mr == MACH_RCV_TIMED_OUT) {
			mach_port_destroy(ME, d->reply);	/* a late answer dies with it */
			d->reply = new_reply_port();
			return TIMED_OUT;
		}
		if (mr != MACH_MSG_SUCCESS)
			continue;	/* too large: destroyed by the kernel; nothing of ours */
		if (in.h.msgh_id == MACH_NOTIFY_SEND_ONCE) {
			/* only the kernel makes these, for the one request we have out */
			mach_msg_destroy(&in.h);
			return DIED;
		}
		answer.got = false;
		answer.data = NULL;
		if (!block_reply_server(&in.h, &out.h) || !answer.got) {
			mach_msg_destroy(&in.h);
			continue;
		}
		if (answer.id == id)
			return GOT;
		answer_free();	/* an old request's */
	}
}

/* No answer in time: the disk is stuck until a probe is answered. */
static int
stuck(struct disk *d, kern_return_t why)
{
	d->stuck = true;
	d->next_probe_ms = now_ms() + DISK_PROBE_EVERY_MS;
	d->last_error = why;
	d->failed++;
	return -FS_ETIMEDOUT;
}

/*
 * Sends a request by send(id) and waits for its answer, again after a
 * driver's death. 0 with `answer` holding a successful answer, -FS_EIO, or
 * -FS_ETIMEDOUT (no answer in time; at once while the disk is stuck).
 */
static int
transact(struct disk *d, kern_return_t (*send)(struct disk *d, uint64_t id, const void *arg), const void *arg)
{
	uint32_t wait_ms = disk_wait_ms;

	if (d->stuck) {
		if (now_ms() < d->next_probe_ms) {
			d->failed++;
			return -FS_ETIMEDOUT;
		}
		wait_ms = DISK_PROBE_WAIT_MS;	/* this request is the probe */
	}
	for (int tries = 0; tries < DISK_TRIES; tries++) {
		uint64_t id = ++d->next_id;
		kern_return_t kr;

		if (!MACH_PORT_VALID(d->reply)) {
			d->last_error = KERN_RESOURCE_SHORTAGE;
			break;
		}
		kr = send(d, id, arg);
		if (kr == MACH_SEND_TIMED_OUT)
			return stuck(d, kr);	/* its queue stayed full */
		if (kr != KERN_SUCCESS) {
			d->last_error = kr;	/* the port itself is gone */
			break;
		}
		switch (wait_answer(d, id, wait_ms)) {
		case GOT:
			d->stuck = false;	/* it answers again */
			if (answer.status == KERN_SUCCESS)
				return 0;
			d->last_error = answer.status;
			answer_free();
			d->failed++;
			return -FS_EIO;
		case DIED:
			d->resent++;
			d->last_error = MIG_SERVER_DIED;
			continue;
		case TIMED_OUT:
			return stuck(d, MACH_RCV_TIMED_OUT);
		}
	}
	d->failed++;
	return -FS_EIO;
}

struct rw {
	uint64_t lba;
	uint32_t count;
	const void *data;	/* writes */
};

static kern_return_t
send_read(struct disk *d, uint64_t id, const void *arg)
{
	const struct rw *r = arg;
	uint32_t ext[BLK_EXTENT_WORDS];

	blk_extent_set(ext, 0, r->lba, r->count);
	return blk_read_request(d->port, d->reply, id, ext, BLK_EXTENT_WORDS);
}

static kern_return_t
send_write(struct disk *d, uint64_t id, const void *arg)
{
	const struct rw *r = arg;
	uint32_t ext[BLK_EXTENT_WORDS];

	blk_extent_set(ext, 0, r->lba, r->count);
	return blk_write_request(d->port, d->reply, id, ext, BLK_EXTENT_WORDS, r->data,
				 r->count * d->dev.sector_size);
}

static kern_return_t
send_flush(struct disk *d, uint64_t id, const void *arg)
{
	return blk_flush_request(d->port, d->reply, id);
}

/* Copies len bytes from src into the pieces, starting at byte `at` of them all. */
static void
scatter(void *const *bufs, uint32_t piece, size_t at, const uint8_t *src, size_t len)
{
	while (len > 0) {
		size_t o = at % piece, n = piece - o < len ? piece - o : len;

		memcpy((uint8_t *)bufs[at / piece] + o, src, n);
		src += n;
		at += n;
		len -= n;
	}
}

/* Copies len bytes of the pieces, from byte `at` of them all, into dst. */
static void
gather(const void *const *bufs, uint32_t piece, size_t at, uint8_t *dst, size_t len)
{
	while (len > 0) {
		size_t o = at % piece, n = piece - o < len ? piece - o : len;

		memcpy(dst, (const uint8_t *)bufs[at / piece] + o, n);
		dst += n;
		at += n;
		len -= n;
	}
}

static int
disk_readv(struct blkdev *dev, uint64_t lba, uint32_t count, void *const *bufs, uint32_t piece)
{
	struct disk *d = (struct disk *)dev;
	size_t at = 0;

	while (count > 0) {
		struct rw r = { lba, count < d->max_sectors ? count : d->max_sectors, NULL };
		size_t bytes = (size_t)r.count * dev->sector_size;
		int err = transact(d, send_read, &r);

		if (err)
			return err;
		if (answer.size != bytes) {	/* a driver that answers another size is broken */
			d->last_error = BLK_IO_ERROR;
			d->failed++;
			answer_free();
			return -FS_EIO;
		}
		scatter(bufs, piece, at, answer.data, bytes);
		answer_free();
		at += bytes;
		lba += r.count;
		count -= r.count;
	}
	return 0;
}

static int
disk_read(struct blkdev *dev, uint64_t lba, uint32_t count, void *buf)
{
	return disk_readv(dev, lba, count, &buf, count * dev->sector_size);
}

/*
 * Writes go out of the disk's staging pages, page-aligned, so the request
 * carries them as a virtual copy; the driver lets go of its copy before it
 * answers, so the next gather into them takes no page copy.
 */
static int
disk_writev(struct blkdev *dev, uint64_t lba, uint32_t count, const void *const *bufs, uint32_t piece)
{
	struct disk *d = (struct disk *)dev;
	size_t at = 0;

	while (count > 0) {
		struct rw r = { lba, count < d->max_sectors ? count : d->max_sectors, d->staging };
		size_t bytes = (size_t)r.count * dev->sector_size;
		int err;

		gather(bufs, piece, at, d->staging, bytes);
		err = transact(d, send_write, &r);
		if (err)
			return err;
		at += bytes;
		lba += r.count;
		count -= r.count;
	}
	return 0;
}

static int
disk_write(struct blkdev *dev, uint64_t lba, uint32_t count, const void *buf)
{
	return disk_writev(dev, lba, count, &buf, count * dev->sector_size);
}

static int
disk_flush(struct blkdev *dev)
{
	return transact((struct disk *)dev, send_flush, NULL);
}

kern_return_t
disk_open(mach_port_t port, struct disk **out)
{
	struct blk_geometry g;
	struct disk *d;
	kern_return_t kr = blk_geometry(port, &g);

	if (kr != KERN_SUCCESS)
		return kr;
	if (g.sector_size < 512 || g.sector_size > 4096 || (g.sector_size & (g.sector_size - 1)) ||
	    g.sectors == 0)
		return KERN_INVALID_ARGUMENT;
	d = calloc(1, sizeof *d);
	if (!d)
		return KERN_RESOURCE_SHORTAGE;
	d->reply = new_reply_port();
	if (!MACH_PORT_VALID(d->reply)) {
		free(d);
		return KERN_RESOURCE_SHORTAGE;
	}
	if (vm_allocate(ME, (vm_address_t *)&d->staging, BLK_MAX_BYTES, TRUE) != KERN_SUCCESS) {
		mach_port_destroy(ME, d->reply);
		free(d);
		return KERN_RESOURCE_SHORTAGE;
	}
	d->port = port;
	d->dev.sector_size = g.sector_size;
	d->dev.sectors = g.sectors;
	d->dev.read = disk_read;
	d->dev.write = disk_write;
	d->dev.flush = disk_flush;
	d->dev.readv = disk_readv;
	d->dev.writev = disk_writev;
	d->max_sectors = BLK_MAX_BYTES / g.sector_size;
	if (g.max_sectors > 0 && g.max_sectors < d->max_sectors)
		d->max_sectors = g.max_sectors;
	g.name[sizeof g.name - 1] = 0;
	snprintf(d->name, sizeof d->name, "%s", g.name);
	*out = d;
	return KERN_SUCCESS;
}

void
disk_close(struct disk *d)
{
	mach_port_destroy(ME, d->reply);
	mach_port_deallocate(ME, d->port);
	vm_deallocate(ME, (vm_address_t)d->staging, BLK_MAX_BYTES);
	free(d);
}
