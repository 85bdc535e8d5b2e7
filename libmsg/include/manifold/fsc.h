/*
 * Files through the fs server (servers/fs/fs.defs, fs_file.defs): the
 * constants and wire layouts both sides share, and calls for programs and
 * personality servers (libmsg/src/fsc.c). An open file is a send right to a
 * port fs serves; it closes when its last send right goes, so a dead task's
 * files close. msgc's stubs (fs_client.h, fs_file_client.h) are there too
 * for a caller that wants them bare.
 *
 * fs answers with FS_ERR_BASE + an errno value (FS_ERR_ENOENT...); the fsc_*
 * calls return that kern_return_t, or the message layer's own code.
 * fsc_errno turns either into an errno value.
 */
#ifndef MANIFOLD_FSC_H
#define MANIFOLD_FSC_H

#include <stddef.h>
#include <stdint.h>
#include <mach/mach.h>

#define FSC_PATH "/servers/fs"	/* where fs checks in */

/*
 * fs's errors: a base no Mach, MIG, socket (0x4e00) or block (0x4f00) code
 * uses, plus the usual Unix number (servers/fs/fs_error.h).
 */
#define FS_ERR_BASE		0x5000
#define FS_ERR_EPERM		(FS_ERR_BASE + 1)	/* not on this file system (a link on FAT) */
#define FS_ERR_ENOENT		(FS_ERR_BASE + 2)
#define FS_ERR_EIO		(FS_ERR_BASE + 5)	/* the disk failed, or its driver died twice */
#define FS_ERR_EBADF		(FS_ERR_BASE + 9)	/* not open for that, or the file went */
#define FS_ERR_ENOMEM		(FS_ERR_BASE + 12)
#define FS_ERR_EACCES		(FS_ERR_BASE + 13)
#define FS_ERR_EBUSY		(FS_ERR_BASE + 16)
#define FS_ERR_EEXIST		(FS_ERR_BASE + 17)
#define FS_ERR_EXDEV		(FS_ERR_BASE + 18)
#define FS_ERR_ENOTDIR		(FS_ERR_BASE + 20)
#define FS_ERR_EISDIR		(FS_ERR_BASE + 21)
#define FS_ERR_EINVAL		(FS_ERR_BASE + 22)
#define FS_ERR_EMFILE		(FS_ERR_BASE + 24)	/* fs has as many files open as it keeps */
#define FS_ERR_EFBIG		(FS_ERR_BASE + 27)
#define FS_ERR_ENOSPC		(FS_ERR_BASE + 28)
#define FS_ERR_EROFS		(FS_ERR_BASE + 30)
#define FS_ERR_EMLINK		(FS_ERR_BASE + 31)
#define FS_ERR_ENAMETOOLONG	(FS_ERR_BASE + 36)
#define FS_ERR_ENOSYS		(FS_ERR_BASE + 38)
#define FS_ERR_ENOTEMPTY	(FS_ERR_BASE + 39)
#define FS_ERR_ELOOP		(FS_ERR_BASE + 40)
#define FS_ERR_ETIMEDOUT	(FS_ERR_BASE + 110)	/* a disk did not answer in time */
#define FS_ERR_EDQUOT		(FS_ERR_BASE + 122)	/* the client is at one of its quotas in fs */
#define FS_ERR_ECORRUPT		(FS_ERR_BASE + 117)	/* metadata on the disk failed a check */
#define FS_ERR_LAST		(FS_ERR_BASE + 0xff)

/* fs_open's flags: Linux's values, so a personality passes them through. */
#define FS_O_RDONLY	0x0
#define FS_O_WRONLY	0x1
#define FS_O_RDWR	0x2
#define FS_O_ACCMODE	0x3
#define FS_O_CREAT	0x40
#define FS_O_EXCL	0x80
#define FS_O_TRUNC	0x200
#define FS_O_APPEND	0x400
#define FS_O_DIRECTORY	0x10000
#define FS_O_NOFOLLOW	0x20000
#define FS_O_KNOWN	(FS_O_ACCMODE | FS_O_CREAT | FS_O_EXCL | FS_O_TRUNC | FS_O_APPEND | FS_O_DIRECTORY | FS_O_NOFOLLOW)

#define FSC_INLINE_MAX	4096u		/* file_data_t: larger reads and writes go out of line */
#define FSC_OOL_MAX	(1024u * 1024u)	/* file_ool_t */

/* fs_stat_t's and file_stat_t's 64 bytes. mode has the Unix type bits (0170000). */
struct fsc_stat {
	uint64_t ino;
	uint32_t mode, nlink, uid, gid;
	uint64_t size, blocks;		/* blocks: 512-byte units allocated */
	int64_t atime, mtime, ctime;	/* seconds since 1970 */
} __attribute__((packed));
_Static_assert(sizeof(struct fsc_stat) == 64, "fs_stat_t is 64 bytes");

/* fs_statfs's answer, in the first 40 of its 64 bytes. */
struct fsc_statfs {
	uint32_t bsize;
	uint64_t blocks, bfree, files, ffree;
	uint32_t name_max;
} __attribute__((packed));
_Static_assert(sizeof(struct fsc_statfs) <= 64, "fits fs_stat_t");

/*
 * file_readdir's records: ino (8 bytes), type (4: the Unix type bits, 0 when
 * the disk does not say), name length (4), the name, padding to 4 bytes.
 */
#define FSC_DIRENT_HEADER 16u
#define FSC_NAME_MAX 255u
struct fsc_dirent {
	uint64_t ino;
	uint32_t type;
	char name[FSC_NAME_MAX + 1];
};
/*
 * The record at *pos of a file_readdir answer of size bytes into *d; moves
 * *pos past it. 1: a record, 0: the end, -1: a malformed record.
 */
int fsc_dirent_next(const uint8_t *buf, size_t size, size_t *pos, struct fsc_dirent *d);

/* The errno value for a kern_return_t from fs or from the message layer. */
int fsc_errno(kern_return_t kr);
/* fs's service port, found in ns once (waiting up to 5 s); MACH_PORT_NULL if it is not there. */
mach_port_t fsc_server(void);

kern_return_t fsc_open(const char *path, uint32_t flags, uint32_t mode, mach_port_t *file);
/* Lets go of the file's send right (the server closes it on no-senders). */
void fsc_close(mach_port_t file);
/* Up to len bytes at off into buf, inline or out of line as len needs; *got 0 at the end. */
kern_return_t fsc_read(mach_port_t file, uint64_t off, void *buf, size_t len, size_t *got);
/* All len bytes at off (a short write is ENOSPC's); *written says how many went in. */
kern_return_t fsc_write(mach_port_t file, uint64_t off, const void *buf, size_t len, size_t *written);
kern_return_t fsc_fstat(mach_port_t file, struct fsc_stat *st);
kern_return_t fsc_stat(const char *path, int follow, struct fsc_stat *st);
kern_return_t fsc_statfs(const char *path, struct fsc_statfs *st);

#endif
