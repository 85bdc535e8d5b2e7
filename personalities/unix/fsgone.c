/*
 * Files removed while open (fsfile.h, fsgone_*): Linux keeps an unlinked
 * file's bytes (and a removed folder) until its last descriptor closes. fs
 * does so for ext2's files (ext2_orphan.c: the server leaves those to it),
 * but answers EBADF to the open ports of a folder removed while open and of
 * a FAT file unlinked while open. So for those, when a process removes the
 * last name of something the server has open, the server renames it to FSGONE_PREFIX<n> in the same folder instead, hides
 * such names from getdents64, counts it as having no link in fstat, and
 * removes the hidden name at the last close. What still shows: a folder that
 * holds a hidden name cannot be removed until it goes (ENOTEMPTY), and the
 * disk keeps the file if the server dies first.
 */
#include <stdio.h>
#include <string.h>
#include <manifold/fsc.h>
#include "files.h"
#include "fs_client.h"
#include "fs_file_client.h"
#include "fsfile.h"
#include "linux.h"

#define FSGONE_PREFIX ".unix-gone-"
#define GONE_MAX 64

static struct gone {
	uint64_t ino;
	bool dir;
	char path[PATH_MAX_];	/* the hidden name */
} gone[GONE_MAX];		/* [U] */
static int ngone;
static uint32_t counter;	/* [U] the next hidden name's number */

bool
fsgone_is(uint64_t ino)
{
	for (int i = 0; i < ngone; i++)
		if (gone[i].ino == ino)
			return true;
	return false;
}

bool
fsgone_hidden(const char *name)
{
	return strncmp(name, FSGONE_PREFIX, sizeof FSGONE_PREFIX - 1) == 0;
}

/*
 * Whether the mount holding path (absolute, plain) is ext2's: fs keeps an
 * ext2 file whose last name goes while open (ext2_orphan.c), so such a file
 * needs no hiding. Asked each time (mounts can change): only an unlink of a
 * file the server has open comes here.
 */
static bool
fs_keeps_unlinked(const char *path)
{
	static char at[PATH_MAX_], type[PATH_MAX_], disk[PATH_MAX_];
	size_t best = 0;
	bool ext2 = false, any = false;
	boolean_t ro;

	for (uint32_t i = 0; i < 64 && fs_mounts(fsfile_server, i, at, type, disk, &ro) == KERN_SUCCESS; i++) {
		size_t n = strcmp(at, "/") == 0 ? 0 : strlen(at);

		if (strncmp(path, at, n) != 0 || (path[n] != '/' && path[n] != '\0') || (any && n < best))
			continue;
		best = n, any = true;
		ext2 = strcmp(type, "ext2") == 0;
	}
	return ext2;
}

int
fsgone_hide(const char *path, bool dir)
{
	struct fsc_stat st;
	struct gone *g;
	const char *slash = strrchr(path, '/');
	kern_return_t kr;

	if (fsc_stat(path, false, &st) != KERN_SUCCESS || !fsfile_ino_open(st.ino))
		return 0;	/* not there (the call will say so), or nobody has it open */
	if (((st.mode & LNX_S_IFMT) == LNX_S_IFDIR) != dir)
		return 0;	/* the call's own error: EISDIR, ENOTDIR */
	if (!dir && st.nlink > 1)
		return 0;	/* another name keeps it */
	if (!dir && fs_keeps_unlinked(path))
		return 0;	/* fs keeps it while open, with no name, as Linux does */
	if (ngone == GONE_MAX)
		return 0;	/* no room to remember: removed as fs does it (EBADF to its open files) */
	g = &gone[ngone];
	snprintf(g->path, sizeof g->path, "%.*s/" FSGONE_PREFIX "%u", (int)(slash - path), path, counter++);
	if (strlen(g->path) >= PATH_MAX_ - 1)
		return 0;
	if (dir) {
		/* rmdir's own checks first: only an empty folder goes */
		mach_port_t d;
		uint8_t buf[FSC_INLINE_MAX];
		mach_msg_type_number_t n = sizeof buf;
		uint64_t next = 0;
		size_t pos = 0;
		struct fsc_dirent e;
		int any = 0;

		if ((kr = fsc_open(path, FS_O_RDONLY | FS_O_DIRECTORY, 0, &d)) != KERN_SUCCESS)
			return fsfile_err(kr);
		do {
			n = sizeof buf;
			pos = 0;
			kr = file_readdir(d, next, buf, &n, &next);
			while (kr == KERN_SUCCESS && fsc_dirent_next(buf, n, &pos, &e) > 0)
				any |= !fsgone_hidden(e.name) ? 1 : 2;
		} while (kr == KERN_SUCCESS && n > 0 && !(any & 1));
		fsc_close(d);
		if (kr != KERN_SUCCESS)
			return fsfile_err(kr);
		if (any)
			return -LNX_ENOTEMPTY;	/* hidden names too: they go when their files close */
	}
	if ((kr = fs_rename(fsfile_server, (char *)path, g->path)) != KERN_SUCCESS)
		return fsfile_err(kr);
	g->ino = st.ino;
	g->dir = dir;
	ngone++;
	return 1;
}

void
fsgone_last_close(uint64_t ino)
{
	for (int i = 0; i < ngone; i++) {
		if (gone[i].ino != ino)
			continue;
		if (gone[i].dir)
			fs_rmdir(fsfile_server, gone[i].path);
		else
			fs_unlink(fsfile_server, gone[i].path);
		gone[i] = gone[--ngone];
		return;
	}
}

void
fsgone_unhide(const char *path)
{
	/* the newest record is the one fsgone_hide just made */
	if (ngone == 0)
		return;
	if (fs_rename(fsfile_server, gone[ngone - 1].path, (char *)path) == KERN_SUCCESS)
		ngone--;
}
