/*
 * fs.defs's routines on paths: open, stat, and the changes to folders
 * (mkdir, unlink, rmdir, rename, link, symlink, readlink), each a VFS call
 * (vfs.c) answered with FS_ERR_BASE + its error. A request that came on an
 * open file's port instead of the service port is EBADF. The mount routines
 * are mounts.c's.
 *
 * A name whose removal takes a file's last link (unlink, a rename over it)
 * leaves a held file (ext2: open files and mapped objects hold theirs) as
 * it was, its bytes alive until the last holder goes (ext2 and FAT). Where
 * the file system cannot hold it, or for a folder (rmdir), the file's open
 * ports answer EBADF (file_forget): its number may be given to another file.
 * Each change holds its mount's names lock (srv.h) from its first walk to its
 * answer, so that changes on one folder never interleave.
 */
#include <string.h>
#include <mach/mach.h>
#include "fs_server.h"
#include "srv.h"

mach_port_t srv_service;

void
srv_stat_to_wire(const struct fs_stat *s, uint8_t *raw)
{
	struct fsc_stat w = { s->ino, s->mode, s->nlink, s->uid, s->gid, s->size, s->blocks,
			      s->atime, s->mtime, s->ctime };

	memcpy(raw, &w, sizeof w);
}

/*
 * Before a name goes: the node it names now (no link followed), so that its
 * open files can be forgotten if that was its last link. false if none. The
 * mount's names lock is held from here to the answer (srv.h): the name the
 * change removes is this node's.
 */
static bool
node_before(const char *path, struct vfs_node *n)
{
	return vfs_lookup_names(&srv_vfs, path, false, n) == 0;
}

/* After the name went: a node with no link left loses its open files, unless held. */
static void
forget_if_gone(const struct vfs_node *n)
{
	struct fs_stat st;

	if (vfs_getattr(n, &st) != 0)
		file_forget(n);
	else if ((st.nlink == 0 && !vfs_can_hold(n)) || (FS_ISDIR(st.mode) && st.nlink <= 1))
		file_forget(n);
}

kern_return_t
fs_do_fs_open(mach_port_t server, const char *path, uint32_t flags, uint32_t mode, mach_port_t *file)
{
	if (server != srv_service)
		return srv_kr(-FS_EBADF);
	return file_open(path, flags, mode, file);
}

kern_return_t
fs_do_fs_stat(mach_port_t server, const char *path, boolean_t follow, uint8_t *st)
{
	struct fs_stat s;
	int err;

	if (server != srv_service)
		return srv_kr(-FS_EBADF);
	err = vfs_stat(&srv_vfs, path, follow != 0, &s);
	if (err)
		return srv_kr(err);
	srv_stat_to_wire(&s, st);
	return KERN_SUCCESS;
}

kern_return_t
fs_do_fs_mkdir(mach_port_t server, const char *path, uint32_t mode)
{
	if (server != srv_service)
		return srv_kr(-FS_EBADF);
	srv_names_guess(path);
	return srv_kr(vfs_mkdir(&srv_vfs, path, mode & 07777));
}

kern_return_t
fs_do_fs_unlink(mach_port_t server, const char *path)
{
	struct vfs_node n;
	bool had;
	int err;

	if (server != srv_service)
		return srv_kr(-FS_EBADF);
	srv_names_guess(path);
	had = node_before(path, &n);
	err = vfs_unlink(&srv_vfs, path);
	if (!err && had)
		forget_if_gone(&n);
	return srv_kr(err);
}

kern_return_t
fs_do_fs_rmdir(mach_port_t server, const char *path)
{
	struct vfs_node n;
	bool had;
	int err;

	if (server != srv_service)
		return srv_kr(-FS_EBADF);
	srv_names_guess(path);
	had = node_before(path, &n);
	err = vfs_rmdir(&srv_vfs, path);
	if (!err && had)
		file_forget(&n);	/* a removed folder has no link left */
	return srv_kr(err);
}

kern_return_t
fs_do_fs_rename(mach_port_t server, const char *from, const char *to)
{
	struct vfs_node src, over;
	bool had_src, had_over;	/* a renamed file keeps its number, a FAT file's too (fat_held.c) */
	int err;

	if (server != srv_service)
		return srv_kr(-FS_EBADF);
	srv_names_guess(from);
	had_src = node_before(from, &src);
	had_over = node_before(to, &over);
	err = vfs_rename(&srv_vfs, from, to);
	if (err)
		return srv_kr(err);
	if (had_over && !(had_src && src.fs == over.fs && src.ino == over.ino))
		forget_if_gone(&over);
	return KERN_SUCCESS;
}

kern_return_t
fs_do_fs_link(mach_port_t server, const char *existing, const char *path)
{
	if (server != srv_service)
		return srv_kr(-FS_EBADF);
	srv_names_guess(path);
	return srv_kr(vfs_link(&srv_vfs, existing, path));
}

kern_return_t
fs_do_fs_symlink(mach_port_t server, const char *target, const char *path)
{
	if (server != srv_service)
		return srv_kr(-FS_EBADF);
	srv_names_guess(path);
	if (target[0] == 0)
		return srv_kr(-FS_EINVAL);
	return srv_kr(vfs_symlink(&srv_vfs, target, path));
}

kern_return_t
fs_do_fs_readlink(mach_port_t server, const char *path, char *target)
{
	size_t len = 0;
	int err;

	if (server != srv_service)
		return srv_kr(-FS_EBADF);
	/* fs_path_t holds 1023 bytes and the NUL; the library cuts a longer target at the size given */
	err = vfs_readlink(&srv_vfs, path, target, sizeof(fs_path_t), &len);
	if (!err && len >= sizeof(fs_path_t))
		err = -FS_ENAMETOOLONG;
	if (err)
		return srv_kr(err);
	target[len] = 0;
	return KERN_SUCCESS;
}
