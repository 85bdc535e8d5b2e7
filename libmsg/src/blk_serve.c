/*
 * block.defs's handlers for every disk driver (<manifold/blk_driver.h>).
 * Everything a client sends is checked here before the driver sees it: a
 * request the disk cannot do gets its named error and never reaches the
 * device. The asynchronous handlers answer on the request's send-once
 * right themselves and return KERN_SUCCESS, having released everything the
 * request brought (the loop must not destroy a right already used).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/blk.h>
#include <manifold/blk_driver.h>
#include <manifold/driver.h>
#include <manifold/msg.h>
#include "block_reply_client.h"
#include "block_server.h"

#define ME mach_task_self()

struct blk_disk *blk_disk;
/*
 * The pages asynchronous reads are answered from, kept from one answer to
 * the next and sent as a virtual copy (block_reply.defs): a client that has
 * let go of its copy by the next request leaves them ours alone, so filling
 * them again costs no page copy nor zero-fill. One request at a time.
 * blk_disk_args makes and touches them, before the driver checks in, so
 * that its pages are as many after its first reads as before.
 */
static uint8_t *answer_pages;
static uint8_t *buffer_alloc(uint32_t size);

void
blk_disk_args(struct blk_disk *d, int argc, char **argv, const char **path)
{
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "name=", 5) == 0 && argv[i][5] == '/')
			*path = argv[i] + 5;
		if (strncmp(argv[i], "hold=", 5) == 0) {
			d->hold = true;
			d->hold_lba = strtoull(argv[i] + 5, NULL, 0);
		}
	}
	if (!answer_pages && (answer_pages = buffer_alloc(BLK_MAX_BYTES)) != NULL)
		memset(answer_pages, 0, BLK_MAX_BYTES);
}

/* The tests' fault (blk_driver.h): a read that touched the held sector waits before its answer. */
static void
hold_if_asked(uint64_t lba, uint32_t count)
{
	if (blk_disk->hold && lba <= blk_disk->hold_lba && blk_disk->hold_lba - lba < count)
		msg_sleep_ms(BLK_HOLD_MS);
}

/* A run of sectors that lies on the disk: no sectors or too many is a bad request. */
static kern_return_t
check_run(uint64_t lba, uint32_t count)
{
	if (count == 0 || count > BLK_MAX_SECTORS)
		return BLK_BAD_REQUEST;
	if (lba >= blk_disk->sectors || count > blk_disk->sectors - lba)
		return BLK_OUT_OF_RANGE;
	return KERN_SUCCESS;
}

/* An extent list: whole triples, 1..BLK_EXTENTS_MAX of them, each on the disk, BLK_MAX_SECTORS in all. */
static kern_return_t
check_extents(const uint32_t *ext, mach_msg_type_number_t words, uint32_t *total)
{
	uint32_t n = words / BLK_EXTENT_WORDS, sum = 0;
	kern_return_t kr;

	if (words == 0 || words % BLK_EXTENT_WORDS != 0 || n > BLK_EXTENTS_MAX)
		return BLK_BAD_REQUEST;
	for (uint32_t i = 0; i < n; i++) {
		if ((kr = check_run(blk_extent_lba(ext, i), blk_extent_count(ext, i))) != KERN_SUCCESS)
			return kr;
		sum += blk_extent_count(ext, i);	/* each at most BLK_MAX_SECTORS: no overflow */
	}
	if (sum > BLK_MAX_SECTORS)
		return BLK_BAD_REQUEST;
	*total = sum;
	return KERN_SUCCESS;
}

/* Every extent in turn, buf holding their sectors back to back. */
static kern_return_t
transfer_extents(bool write, const uint32_t *ext, mach_msg_type_number_t words, uint8_t *buf)
{
	kern_return_t kr = KERN_SUCCESS;

	for (uint32_t i = 0; i < words / BLK_EXTENT_WORDS && kr == KERN_SUCCESS; i++) {
		uint32_t count = blk_extent_count(ext, i);

		kr = blk_disk->transfer(write, blk_extent_lba(ext, i), count, buf);
		if (kr == KERN_SUCCESS && !write)
			hold_if_asked(blk_extent_lba(ext, i), count);
		buf += count * BLK_SECTOR_SIZE;
	}
	return kr;
}

/* Zeroed pages for size bytes: what a read answers with, out of line. */
static uint8_t *
buffer_alloc(uint32_t size)
{
	vm_address_t a = 0;

	return vm_allocate(ME, &a, size, TRUE) == KERN_SUCCESS ? (uint8_t *)a : NULL;
}

kern_return_t
block_do_blk_info(mach_port_t server, uint32_t *sector_size, uint64_t *sectors, boolean_t *read_only,
		  uint32_t *max_sectors, char *name)
{
	*sector_size = BLK_SECTOR_SIZE;
	*sectors = blk_disk->sectors;
	*read_only = blk_disk->read_only;
	*max_sectors = BLK_MAX_SECTORS;
	strncpy(name, blk_disk->name, BLK_NAME_MAX - 1);
	name[BLK_NAME_MAX - 1] = '\0';
	return KERN_SUCCESS;
}

kern_return_t
block_do_blk_read(mach_port_t server, uint64_t lba, uint32_t count, uint8_t **data, mach_msg_type_number_t *dataCnt)
{
	kern_return_t kr = check_run(lba, count);
	uint8_t *buf;

	if (kr != KERN_SUCCESS)
		return kr;
	if ((buf = buffer_alloc(count * BLK_SECTOR_SIZE)) == NULL)
		return KERN_RESOURCE_SHORTAGE;
	if ((kr = blk_disk->transfer(false, lba, count, buf)) != KERN_SUCCESS) {
		vm_deallocate(ME, (vm_address_t)buf, count * BLK_SECTOR_SIZE);
		return kr;
	}
	hold_if_asked(lba, count);
	*data = buf;	/* sent with dealloc: the pages leave us with the reply */
	*dataCnt = count * BLK_SECTOR_SIZE;
	return KERN_SUCCESS;
}

kern_return_t
block_do_blk_write(mach_port_t server, uint64_t lba, uint8_t *data, mach_msg_type_number_t dataCnt)
{
	kern_return_t kr;

	if (dataCnt == 0 || dataCnt % BLK_SECTOR_SIZE != 0)
		return BLK_BAD_REQUEST;
	if ((kr = check_run(lba, dataCnt / BLK_SECTOR_SIZE)) != KERN_SUCCESS)
		return kr;
	if (blk_disk->read_only)
		return BLK_READ_ONLY;
	if ((kr = blk_disk->transfer(true, lba, dataCnt / BLK_SECTOR_SIZE, data)) != KERN_SUCCESS)
		return kr;	/* the loop destroys the request, data with it */
	vm_deallocate(ME, (vm_address_t)data, dataCnt);
	return KERN_SUCCESS;
}

kern_return_t
block_do_blk_flush(mach_port_t server)
{
	return blk_disk->flush();
}

/* Sends an answer on a send-once right; a client that is gone leaves a dead name to let go. */
static void
answer_read(mach_port_t reply, uint64_t id, kern_return_t status, uint8_t *buf, uint32_t size)
{
	if (blk_read_reply(reply, id, status, buf, size) != KERN_SUCCESS)
		mach_port_deallocate(ME, reply);
}

static void
answer_write(mach_port_t reply, uint64_t id, kern_return_t status)
{
	if (blk_write_reply(reply, id, status) != KERN_SUCCESS)
		mach_port_deallocate(ME, reply);
}

kern_return_t
block_do_blk_read_request(mach_port_t server, mach_port_t reply, uint64_t id, const uint32_t *extents,
			  mach_msg_type_number_t extentsCnt)
{
	uint32_t total = 0, size;
	kern_return_t kr = check_extents(extents, extentsCnt, &total);
	uint8_t *buf = NULL;

	if (kr != KERN_SUCCESS) {
		answer_read(reply, id, kr, NULL, 0);
		return KERN_SUCCESS;
	}
	size = total * BLK_SECTOR_SIZE;
	if (!answer_pages && (answer_pages = buffer_alloc(BLK_MAX_BYTES)) == NULL) {
		answer_read(reply, id, KERN_RESOURCE_SHORTAGE, NULL, 0);
		return KERN_SUCCESS;
	}
	buf = answer_pages;
	if ((kr = transfer_extents(false, extents, extentsCnt, buf)) != KERN_SUCCESS) {
		/* Sectors read before the failure are never sent: the answer is the error alone. */
		answer_read(reply, id, kr, NULL, 0);
		return KERN_SUCCESS;
	}
	answer_read(reply, id, KERN_SUCCESS, buf, size);
	return KERN_SUCCESS;
}

kern_return_t
block_do_blk_write_request(mach_port_t server, mach_port_t reply, uint64_t id, const uint32_t *extents,
			   mach_msg_type_number_t extentsCnt, uint8_t *data, mach_msg_type_number_t dataCnt)
{
	uint32_t total = 0;
	kern_return_t kr = check_extents(extents, extentsCnt, &total);

	if (kr == KERN_SUCCESS && dataCnt != total * BLK_SECTOR_SIZE)
		kr = BLK_BAD_REQUEST;
	if (kr == KERN_SUCCESS && blk_disk->read_only)
		kr = BLK_READ_ONLY;
	if (kr == KERN_SUCCESS)
		kr = transfer_extents(true, extents, extentsCnt, data);
	if (data != NULL && dataCnt > 0)
		vm_deallocate(ME, (vm_address_t)data, dataCnt);
	answer_write(reply, id, kr);
	return KERN_SUCCESS;
}

kern_return_t
block_do_blk_flush_request(mach_port_t server, mach_port_t reply, uint64_t id)
{
	answer_write(reply, id, blk_disk->flush());
	return KERN_SUCCESS;
}

mach_msg_return_t
blk_serve(mach_port_t service)
{
	static const msg_demux_t demuxes[] = { block_server };
	static struct msg_server server = {
		.demuxes = demuxes,
		.ndemuxes = 1,
		.max_request = BLOCK_REQUEST_MAX_SIZE,
		.max_reply = BLOCK_REPLY_MAX_SIZE,
	};

	server.port = service;
	return msg_server_run(&server);
}
