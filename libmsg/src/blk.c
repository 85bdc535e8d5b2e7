/*
 * Synchronous helpers over the block interface's stubs (<manifold/blk.h>,
 * servers/block/block.defs): a caller's buffer in, or out, in pieces of at
 * most BLK_MAX_SECTORS. The stubs themselves send a request again when the
 * driver died holding it (retry in the .defs).
 */
#include <string.h>
#include <mach/mach.h>
#include <manifold/blk.h>
#include "block_client.h"

kern_return_t
blk_geometry(mach_port_t disk, struct blk_geometry *g)
{
	struct blk_geometry t;
	kern_return_t kr = blk_info(disk, &t.sector_size, &t.sectors, &t.read_only, &t.max_sectors, t.name);

	if (kr == KERN_SUCCESS)
		*g = t;
	return kr;
}

kern_return_t
blk_read_sectors(mach_port_t disk, uint64_t lba, uint32_t count, void *buf)
{
	uint8_t *out = buf;

	while (count > 0) {
		uint32_t n = count < BLK_MAX_SECTORS ? count : BLK_MAX_SECTORS;
		uint8_t *data = NULL;
		mach_msg_type_number_t size = 0;
		kern_return_t kr = blk_read(disk, lba, n, &data, &size);

		if (kr != KERN_SUCCESS)
			return kr;
		/* A driver that answers with another size than asked is broken: say so, copy nothing. */
		if (size != n * BLK_SECTOR_SIZE) {
			vm_deallocate(mach_task_self(), (vm_address_t)data, size);
			return BLK_IO_ERROR;
		}
		memcpy(out, data, size);
		vm_deallocate(mach_task_self(), (vm_address_t)data, size);
		out += size;
		lba += n;
		count -= n;
	}
	return KERN_SUCCESS;
}

kern_return_t
blk_write_sectors(mach_port_t disk, uint64_t lba, uint32_t count, const void *buf)
{
	const uint8_t *in = buf;

	while (count > 0) {
		uint32_t n = count < BLK_MAX_SECTORS ? count : BLK_MAX_SECTORS;
		kern_return_t kr = blk_write(disk, lba, in, n * BLK_SECTOR_SIZE);

		if (kr != KERN_SUCCESS)
			return kr;
		in += n * BLK_SECTOR_SIZE;
		lba += n;
		count -= n;
	}
	return KERN_SUCCESS;
}
