/*
 * A disk for the file-system library: struct blkdev (blkdev.h) over a block
 * driver's service port (servers/block/block.defs), by its asynchronous
 * requests. disk.c; only it and main.c's glue know about ports.
 */
#ifndef FS_DISK_H
#define FS_DISK_H

#include <mach/mach.h>
#include "blkdev.h"

struct disk {
	struct blkdev dev;		/* first: the library's handle */
	mach_port_t port;		/* a send right to the driver's service port */
	mach_port_t reply;		/* our receive right; answers and send-once notifications */
	uint64_t next_id;
	uint32_t max_sectors;		/* per request: the driver's, and BLK_MAX_SECTORS */
	uint8_t *staging;		/* BLK_MAX_BYTES, page-aligned: what a write request carries */
	char name[64];			/* the driver's name for the disk */
	/* what went wrong, for people: counts, and the last error's code */
	uint32_t resent, failed;
	kern_return_t last_error;
	/* A disk that let a request go unanswered for disk_wait_ms: requests fail at
	 * once with ETIMEDOUT, but for a probe every DISK_PROBE_EVERY_MS. */
	bool stuck;
	uint64_t next_probe_ms;
	/* Waits for answers let go of the server's lock (srv.h), but while the
	 * mount is being made or ended: then nobody else may use the instance. */
	bool keep_lock;
};

/* How long a request waits for its answer (the module word disk_timeout=MS). */
extern uint32_t disk_wait_ms;

/*
 * A disk on port (the caller's send right, which the disk takes over).
 * Errors: blk_info's (BLK_DEVICE_GONE, MIG_SERVER_DIED...), KERN_RESOURCE_SHORTAGE,
 * KERN_INVALID_ARGUMENT (a sector size the library cannot use).
 */
kern_return_t disk_open(mach_port_t port, struct disk **out);
/* Lets go of the ports and frees d. */
void disk_close(struct disk *d);

#endif
