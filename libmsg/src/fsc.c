/*
 * Files for programs and personality servers (<manifold/fsc.h>): calls over
 * fs.defs and fs_file.defs. A read or write of more than FSC_INLINE_MAX bytes
 * goes out of line, in pieces of at most FSC_OOL_MAX. fs's errors carry their
 * errno value (FS_ERR_*); the message layer's own become the nearest errno.
 */
#include <errno.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/fsc.h>
#include "fs_client.h"
#include "fs_file_client.h"
#include "ns_client.h"

#define FSC_WAIT_MS 5000

static mach_port_t server;	/* found once; a restarted fs answers on the same port */

int
fsc_errno(kern_return_t kr)
{
	if (kr == KERN_SUCCESS)
		return 0;
	if (kr > FS_ERR_BASE && kr <= FS_ERR_LAST)
		return kr - FS_ERR_BASE;
	switch (kr) {
	case MACH_SEND_INVALID_DEST:
	case MACH_SEND_INVALID_RIGHT:
	case MIG_SERVER_DIED:
		return EBADF;	/* the file is closed, or fs died with it */
	case MACH_SEND_TIMED_OUT:
	case MACH_RCV_TIMED_OUT:
		return ETIMEDOUT;
	case KERN_RESOURCE_SHORTAGE:
	case KERN_NO_SPACE:
		return ENOMEM;
	case KERN_INVALID_ARGUMENT:
	case MIG_BAD_ARGUMENTS:
		return EINVAL;
	default:
		return EIO;
	}
}

mach_port_t
fsc_server(void)
{
	mach_port_t ns, port;

	if (MACH_PORT_VALID(server))
		return server;
	if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	if (ns_wait(ns, FSC_PATH, FSC_WAIT_MS, &port) == KERN_SUCCESS)
		server = port;
	mach_port_deallocate(mach_task_self(), ns);
	return server;
}

int
fsc_dirent_next(const uint8_t *buf, size_t size, size_t *pos, struct fsc_dirent *d)
{
	uint32_t len;

	if (*pos >= size)
		return 0;
	if (size - *pos < FSC_DIRENT_HEADER)
		return -1;
	memcpy(&d->ino, buf + *pos, 8);
	memcpy(&d->type, buf + *pos + 8, 4);
	memcpy(&len, buf + *pos + 12, 4);
	if (len == 0 || len > FSC_NAME_MAX || len > size - *pos - FSC_DIRENT_HEADER)
		return -1;
	memcpy(d->name, buf + *pos + FSC_DIRENT_HEADER, len);
	d->name[len] = 0;
	*pos += FSC_DIRENT_HEADER + ((len + 3) & ~3u);
	if (*pos > size)
		*pos = size;
	return 1;
}

kern_return_t
fsc_open(const char *path, uint32_t flags, uint32_t mode, mach_port_t *file)
{
	mach_port_t s = fsc_server();

	if (!MACH_PORT_VALID(s))
		return MACH_SEND_INVALID_DEST;
	if (strlen(path) >= sizeof(fs_path_t))
		return FS_ERR_ENAMETOOLONG;
	return fs_open(s, path, flags, mode, file);
}

void
fsc_close(mach_port_t file)
{
	mach_port_deallocate(mach_task_self(), file);
}

kern_return_t
fsc_read(mach_port_t file, uint64_t off, void *buf, size_t len, size_t *got)
{
	size_t done = 0;
	kern_return_t kr = KERN_SUCCESS;

	while (done < len) {
		size_t want = len - done;
		mach_msg_type_number_t n;

		if (want <= FSC_INLINE_MAX) {
			n = (mach_msg_type_number_t)want;	/* the stub refuses more than this */
			kr = file_read(file, off + done, (uint32_t)want, (uint8_t *)buf + done, &n);
		} else {
			uint8_t *data = NULL;
			n = 0;
			if (want > FSC_OOL_MAX)
				want = FSC_OOL_MAX;
			kr = file_read_ool(file, off + done, (uint32_t)want, &data, &n);
			if (kr == KERN_SUCCESS) {
				if (n > want)
					kr = MIG_BAD_ARGUMENTS;	/* a server that sends more than asked */
				else
					memcpy((uint8_t *)buf + done, data, n);
				vm_deallocate(mach_task_self(), (vm_address_t)data, n);
			}
		}
		if (kr != KERN_SUCCESS)
			break;
		done += n;
		if (n < want)
			break;	/* the end of the file */
	}
	*got = done;
	return kr;
}

kern_return_t
fsc_write(mach_port_t file, uint64_t off, const void *buf, size_t len, size_t *written)
{
	size_t done = 0;
	kern_return_t kr = KERN_SUCCESS;

	while (done < len) {
		size_t n = len - done;
		uint32_t w = 0;

		if (n <= FSC_INLINE_MAX) {
			kr = file_write(file, off + done, (const uint8_t *)buf + done, (mach_msg_type_number_t)n, &w);
		} else {
			if (n > FSC_OOL_MAX)
				n = FSC_OOL_MAX;
			kr = file_write_ool(file, off + done, (uint8_t *)buf + done, (mach_msg_type_number_t)n, &w);
		}
		if (kr == KERN_SUCCESS && w > n)
			kr = MIG_BAD_ARGUMENTS;
		if (kr != KERN_SUCCESS)
			break;
		done += w;
		if (w < n) {
			kr = FS_ERR_ENOSPC;
			break;
		}
	}
	*written = done;
	return kr;
}

kern_return_t
fsc_fstat(mach_port_t file, struct fsc_stat *st)
{
	return file_stat(file, (uint8_t *)st);
}

kern_return_t
fsc_stat(const char *path, int follow, struct fsc_stat *st)
{
	mach_port_t s = fsc_server();

	if (!MACH_PORT_VALID(s))
		return MACH_SEND_INVALID_DEST;
	if (strlen(path) >= sizeof(fs_path_t))
		return FS_ERR_ENAMETOOLONG;
	return fs_stat(s, path, follow != 0, (uint8_t *)st);
}

kern_return_t
fsc_statfs(const char *path, struct fsc_statfs *st)
{
	uint8_t raw[64];
	mach_port_t s = fsc_server();
	kern_return_t kr;

	if (!MACH_PORT_VALID(s))
		return MACH_SEND_INVALID_DEST;
	if (strlen(path) >= sizeof(fs_path_t))
		return FS_ERR_ENAMETOOLONG;
	kr = fs_statfs(s, path, raw);
	if (kr == KERN_SUCCESS)
		memcpy(st, raw, sizeof *st);
	return kr;
}
