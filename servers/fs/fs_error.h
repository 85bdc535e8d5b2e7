/*
 * The file-system library's error codes: negative FS_E* values returned by every
 * call (0 is success). The numbers are the usual Unix errno values, so a server
 * can hand them to a personality unchanged; fs_error_name() gives the name.
 */
#ifndef FS_ERROR_H
#define FS_ERROR_H

enum fs_error {
	FS_EPERM = 1,		/* the file system cannot do this (a hard link on FAT) */
	FS_ENOENT = 2,
	FS_EIO = 5,		/* the block device failed */
	FS_EBADF = 9,		/* the server: a file whose file system went */
	FS_ENOMEM = 12,
	FS_EACCES = 13,		/* the server: not open for that */
	FS_EBUSY = 16,		/* a mount point, or a mounted file system */
	FS_EEXIST = 17,
	FS_EXDEV = 18,		/* rename or link across file systems */
	FS_ENOTDIR = 20,
	FS_EISDIR = 21,
	FS_EINVAL = 22,
	FS_EFBIG = 27,
	FS_ENOSPC = 28,
	FS_EROFS = 30,		/* mounted read-only (unknown read-only features) */
	FS_EMLINK = 31,
	FS_ENAMETOOLONG = 36,
	FS_ENOSYS = 38,
	FS_ENOTEMPTY = 39,
	FS_ELOOP = 40,
	FS_ETIMEDOUT = 110,	/* the disk did not answer in time (the server's disks) */
	FS_EDQUOT = 122,	/* the server: a client at one of its quotas */
	FS_ECORRUPT = 117,	/* on-disk metadata failed a check (Linux's EUCLEAN) */
};

const char *fs_error_name(int err);	/* "ENOENT" for -FS_ENOENT or FS_ENOENT */

#endif
