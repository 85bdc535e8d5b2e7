/*
 * The block interface's server side, shared by the disk drivers
 * (src/blk_serve.c): block.defs's handlers check every request against the
 * disk, move the data between the messages' out-of-line memory and the
 * caller's buffers, answer asynchronous requests on their reply rights, and
 * call the driver only for a transfer that is in range. A driver fills in a
 * struct blk_disk, points blk_disk at it, and calls blk_serve; it links
 * msgc's block_server demux, which calls the handlers here.
 */
#ifndef MANIFOLD_BLK_DRIVER_H
#define MANIFOLD_BLK_DRIVER_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/mach.h>
#include <manifold/blk.h>

/* One disk, in sectors of BLK_SECTOR_SIZE. [I] set before the first request. */
struct blk_disk {
	uint64_t sectors;		/* [I] */
	bool read_only;			/* [I] */
	char name[BLK_NAME_MAX];	/* [I] for blk_info */
	/*
	 * count (1..BLK_MAX_SECTORS) sectors from lba, checked to be on the
	 * disk, into buf (read) or from it (write). KERN_SUCCESS only when the
	 * device said every sector was done; BLK_IO_ERROR, BLK_DEVICE_GONE.
	 */
	kern_return_t (*transfer)(bool write, uint64_t lba, uint32_t count, void *buf);
	/* The device's write cache to the medium: KERN_SUCCESS, BLK_IO_ERROR, BLK_DEVICE_GONE. */
	kern_return_t (*flush)(void);
	/*
	 * A fault for the tests (the module word hold=LBA, blk_disk_args): a
	 * read of sector hold_lba is answered only BLK_HOLD_MS after the device
	 * finished it, so that a test can kill the driver holding a request.
	 */
	bool hold;			/* [I] */
	uint64_t hold_lba;		/* [I] */
};
#define BLK_HOLD_MS 2000

/* Serves block.defs on service with msg_server_run, one request at a time; returns its error. */
mach_msg_return_t blk_serve(mach_port_t service);

/*
 * The words of a driver's module line the shared layer knows: name=PATH (into
 * *path), hold=LBA. Also makes the pages asynchronous reads are answered from
 * (blk_serve.c): call it first, before the driver checks in.
 */
void blk_disk_args(struct blk_disk *d, int argc, char **argv, const char **path);

/* The disk the handlers serve: set by the driver before its loop starts. */
extern struct blk_disk *blk_disk;

#endif
