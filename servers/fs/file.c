/*
 * Open files as ports (fs_file.defs). fs_open makes a receive right per
 * open file, in the server's port set, with a no-senders notification
 * requested on itself: the client's send right is the file, and when the
 * last one goes (closed, or the task died) the notification frees the slot
 * and the port. A handler finds its file by the port the request came on.
 *
 * The server keeps no file position: offsets are the client's. A mapped
 * file's stores reach it before any call here reads or changes it
 * (pager_settle, pager.c). Each open file holds its node (vfs_hold): a
 * file whose last link goes lives on until its last port goes (ext2 and FAT
 * alike; FAT keeps it in memory, fat_held.c), and a FAT file renamed while
 * held keeps its number (fat_held.c), so its ports go on as on ext2.
 */
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include "fs_file_server.h"
#include "srv.h"

#define ME mach_task_self()
#define FILE_MAX SRV_FILE_MAX	/* all clients together: EMFILE past it; each client quota_files */

struct open_file {
	mach_port_t port;	/* MACH_PORT_NULL: a free slot */
	struct vfs_node node;
	uint32_t flags;		/* fs_open's FS_O_* */
	uint32_t owner;		/* the client that opened it, charged for it (quota.c) */
	bool gone;		/* file_forget: EBADF from now on */
};

static struct open_file files[FILE_MAX];
static mach_port_t port_set;

void
file_init(mach_port_t set)
{
	port_set = set;
}

static struct open_file *
find(mach_port_t port)
{
	if (!MACH_PORT_VALID(port))
		return NULL;
	for (int i = 0; i < FILE_MAX; i++)
		if (files[i].port == port)
			return &files[i];
	return NULL;
}

bool
file_is_port(mach_port_t port)
{
	return find(port) != NULL;
}

int
file_count(void)
{
	int n = 0;

	for (int i = 0; i < FILE_MAX; i++)
		n += MACH_PORT_VALID(files[i].port);
	return n;
}

int
file_count_on(const struct fs *fs)
{
	int n = 0;

	for (int i = 0; i < FILE_MAX; i++)
		n += MACH_PORT_VALID(files[i].port) && files[i].node.fs == fs;
	return n;
}

void
file_forget(const struct vfs_node *n)
{
	pager_forget(n);
	for (int i = 0; i < FILE_MAX; i++)
		if (MACH_PORT_VALID(files[i].port) && files[i].node.fs == n->fs && files[i].node.ino == n->ino)
			files[i].gone = true;
}

/*
 * Whether port's senders are gone: a no-senders notification can be forged
 * by anyone holding a send right (libmsg takes it from any sender), and an
 * open file or a mapped object may have other holders. If not, the
 * notification is asked for again (the real one may have come before a new
 * send right was made, and then none would come).
 */
bool
srv_senders_gone(mach_port_t port)
{
	mach_port_status_t st;
	mach_msg_type_number_t n = MACH_PORT_RECEIVE_STATUS_COUNT;
	mach_port_t prev = MACH_PORT_NULL;

	if (mach_port_get_attributes(ME, port, MACH_PORT_RECEIVE_STATUS, (integer_t *)&st, &n) != KERN_SUCCESS ||
	    !st.mps_srights)
		return true;
	if (mach_port_request_notification(ME, port, MACH_NOTIFY_NO_SENDERS, 1, port, MACH_MSG_TYPE_MAKE_SEND_ONCE,
					   &prev) == KERN_SUCCESS &&
	    MACH_PORT_VALID(prev))
		mach_port_deallocate(ME, prev);
	return false;
}

void
file_no_senders(mach_port_t port)
{
	struct open_file *f = find(port);

	if (!f || !srv_senders_gone(port))
		return;
	struct vfs_node n = f->node;

	/* the slot goes first: the drop may wait for the mount (srv.h), and the file is closed */
	quota_give(QUOTA_FILES, f->owner);
	mach_port_destroy(ME, f->port);
	*f = (struct open_file){ 0 };
	vfs_drop(&n);	/* an unlinked file's blocks go with its last holder */
}

/*
 * Frees the open files whose senders are all gone but whose notification is
 * not served yet: with a pool of threads a client's next request (an unmount,
 * an open at its quota) may be served before it. Called before refusing.
 */
void
file_reap(void)
{
	for (int i = 0; i < FILE_MAX; i++)
		if (MACH_PORT_VALID(files[i].port))
			file_no_senders(files[i].port);
}

static mach_port_t
new_file_port(void)
{
	mach_port_t p, prev;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	if (mach_port_request_notification(ME, p, MACH_NOTIFY_NO_SENDERS, 1, p, MACH_MSG_TYPE_MAKE_SEND_ONCE,
					   &prev) != KERN_SUCCESS ||
	    mach_port_move_member(ME, p, port_set) != KERN_SUCCESS) {
		mach_port_destroy(ME, p);
		return MACH_PORT_NULL;
	}
	return p;
}

/* The node path names for fs_open: made when asked, checked against the flags. */
static int
open_node(const char *path, uint32_t flags, uint32_t mode, struct vfs_node *n)
{
	uint32_t acc = flags & FS_O_ACCMODE;
	bool follow = !(flags & FS_O_NOFOLLOW);
	struct fs_stat st;
	int err = vfs_lookup_names(&srv_vfs, path, follow, n);	/* to the hold: no name goes meanwhile */

	if (err == -FS_ENOENT && (flags & FS_O_CREAT)) {
		err = vfs_create(&srv_vfs, path, FS_S_IFREG | (mode & 07777), n);
		if (err != -FS_EEXIST || (flags & FS_O_EXCL))
			return err;
		/* made meanwhile (the lookup ended where the names lock was not ours): open it */
		err = vfs_lookup_names(&srv_vfs, path, follow, n);
	}
	if (err)
		return err;
	if ((flags & FS_O_CREAT) && (flags & FS_O_EXCL))
		return -FS_EEXIST;
	err = vfs_getattr(n, &st);
	if (err)
		return err;
	if (FS_ISLNK(st.mode))
		return -FS_ELOOP;	/* FS_O_NOFOLLOW on a symbolic link, as Linux says */
	if ((flags & FS_O_DIRECTORY) && !FS_ISDIR(st.mode))
		return -FS_ENOTDIR;
	if (FS_ISDIR(st.mode) && acc != FS_O_RDONLY)
		return -FS_EISDIR;
	if (acc != FS_O_RDONLY && n->fs->readonly)
		return -FS_EROFS;
	if ((flags & FS_O_TRUNC) && acc != FS_O_RDONLY && FS_ISREG(st.mode) && st.size > 0) {
		pager_settle(n, true);	/* a mapping's pages go before the bytes they hold */
		return vfs_truncate(n, 0);
	}
	return 0;
}

kern_return_t
file_open(const char *path, uint32_t flags, uint32_t mode, mach_port_t *port)
{
	struct open_file *f = NULL;
	struct vfs_node n;
	uint32_t who = quota_client();
	int err;

	if ((flags & ~FS_O_KNOWN) || (flags & FS_O_ACCMODE) == FS_O_ACCMODE)
		return srv_kr(-FS_EINVAL);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < FILE_MAX && !f; i++)
			if (!MACH_PORT_VALID(files[i].port))
				f = &files[i];
		if ((f && quota_held(QUOTA_FILES, who) < quota_files) || pass == 1)
			break;
		file_reap();	/* files closed whose notifications are not served yet */
		f = NULL;
	}
	if (!f)
		return FS_ERR_EMFILE;
	if (quota_held(QUOTA_FILES, who) >= quota_files)
		return FS_ERR_EDQUOT;	/* before open_node: a create at the quota makes nothing */
	srv_names_guess(path);
	err = open_node(path, flags, mode, &n);	/* may wait (disk, guard, names): */
	if (err)
		return srv_kr(err);
	err = vfs_hold(&n);
	if (err)
		return srv_kr(err);
	/* another thread's open may have taken the slot meanwhile: one found now is ours */
	f = NULL;
	for (int i = 0; i < FILE_MAX && !f; i++)
		if (!MACH_PORT_VALID(files[i].port))
			f = &files[i];
	if (!f || quota_held(QUOTA_FILES, who) >= quota_files) {
		vfs_drop(&n);
		return f ? FS_ERR_EDQUOT : FS_ERR_EMFILE;
	}
	f->port = new_file_port();
	if (!MACH_PORT_VALID(f->port) || !quota_take(QUOTA_FILES, who)) {
		if (MACH_PORT_VALID(f->port))
			mach_port_destroy(ME, f->port);
		f->port = MACH_PORT_NULL;
		vfs_drop(&n);
		return KERN_RESOURCE_SHORTAGE;
	}
	f->owner = who;
	f->node = n;
	f->flags = flags;
	f->gone = false;
	*port = f->port;	/* the reply makes the client's send right */
	return KERN_SUCCESS;
}

/* The file a request came on, if it may do what `need` says: 0, or an error for the reply. */
#define NEED_READ 1
#define NEED_WRITE 2
static kern_return_t
file_check(mach_port_t port, int need, struct open_file **out)
{
	struct open_file *f = find(port);
	uint32_t acc;

	if (!f || f->gone)
		return srv_kr(-FS_EBADF);
	acc = f->flags & FS_O_ACCMODE;
	if ((need & NEED_READ) && acc == FS_O_WRONLY)
		return srv_kr(-FS_EBADF);
	if ((need & NEED_WRITE) && acc == FS_O_RDONLY)
		return srv_kr(-FS_EBADF);
	*out = f;
	return KERN_SUCCESS;
}

static int
file_mode(struct open_file *f, uint32_t *mode, uint64_t *size)
{
	struct fs_stat st;
	int err = vfs_getattr(&f->node, &st);

	if (!err) {
		*mode = st.mode;
		*size = st.size;
	}
	return err;
}

static int
read_into(struct open_file *f, uint64_t offset, void *buf, uint32_t max, size_t *done)
{
	uint32_t mode;
	uint64_t size;
	int err;

	pager_settle(&f->node, false);	/* stores through a mapping first */
	err = file_mode(f, &mode, &size);
	if (!err && FS_ISDIR(mode))
		err = -FS_EISDIR;
	if (!err)
		err = vfs_read(&f->node, offset, buf, max, done);
	return err;
}

kern_return_t
fs_file_do_file_read(mach_port_t file, uint64_t offset, uint32_t max, uint8_t *data, mach_msg_type_number_t *dataCnt)
{
	struct open_file *f;
	size_t done = 0;
	kern_return_t kr = file_check(file, NEED_READ, &f);
	int err;

	if (kr != KERN_SUCCESS)
		return kr;
	if (max > FSC_INLINE_MAX)
		return srv_kr(-FS_EINVAL);
	err = read_into(f, offset, data, max, &done);
	if (err)
		return srv_kr(err);
	*dataCnt = (mach_msg_type_number_t)done;
	return KERN_SUCCESS;
}

/*
 * What file_read_ool answers from: pages kept from one read to the next, one
 * region per thread of the loop (its reply goes after the handler returns,
 * with the lock let go of), sent as a virtual copy. Its pages are the
 * client's too until it lets go of them (fsc_read does at once); the next
 * read's stores into them then find them ours alone and take a cheap fault,
 * where fresh pages for every read would each be zero-filled first.
 */
static cthread_key_t reply_key;
static bool reply_key_made;

kern_return_t
fs_file_do_file_read_ool(mach_port_t file, uint64_t offset, uint32_t max, uint8_t **data,
			 mach_msg_type_number_t *dataCnt)
{
	struct open_file *f;
	uint8_t *reply_pages;
	size_t done = 0;
	kern_return_t kr = file_check(file, NEED_READ, &f);
	int err;

	if (kr != KERN_SUCCESS)
		return kr;
	if (max == 0 || max > FSC_OOL_MAX)
		return srv_kr(-FS_EINVAL);
	if (!reply_key_made)
		reply_key_made = cthread_key_create(&reply_key) == KERN_SUCCESS;
	reply_pages = reply_key_made ? cthread_getspecific(reply_key) : NULL;
	if (!reply_pages) {
		vm_address_t a = 0;
		if (!reply_key_made || vm_allocate(ME, &a, FSC_OOL_MAX, TRUE) != KERN_SUCCESS)
			return srv_kr(-FS_ENOMEM);
		if (cthread_setspecific(reply_key, (void *)a) != KERN_SUCCESS) {
			vm_deallocate(ME, a, FSC_OOL_MAX);
			return srv_kr(-FS_ENOMEM);
		}
		reply_pages = (uint8_t *)a;
	}
	err = read_into(f, offset, reply_pages, max, &done);
	if (err)
		return srv_kr(err);
	*data = done ? reply_pages : NULL;
	*dataCnt = (mach_msg_type_number_t)done;
	return KERN_SUCCESS;
}

static kern_return_t
write_from(mach_port_t file, uint64_t offset, const uint8_t *data, mach_msg_type_number_t n, uint32_t *written)
{
	struct open_file *f;
	uint32_t mode;
	uint64_t size;
	size_t done = 0;
	kern_return_t kr = file_check(file, NEED_WRITE, &f);
	int err;

	if (kr != KERN_SUCCESS)
		return kr;
	pager_settle(&f->node, true);	/* mappings' stores first; their pages then read anew */
	err = file_mode(f, &mode, &size);
	if (!err && FS_ISDIR(mode))
		err = -FS_EISDIR;
	if (err)
		return srv_kr(err);
	if (f->flags & FS_O_APPEND)
		offset = size;
	err = vfs_write(&f->node, offset, data, n, &done);
	/* a disk that filled part way: the bytes that went in are the answer (fs_file.defs) */
	if (err == -FS_ENOSPC && done > 0)
		err = 0;
	if (err)
		return srv_kr(err);
	*written = (uint32_t)done;
	return KERN_SUCCESS;
}

kern_return_t
fs_file_do_file_write(mach_port_t file, uint64_t offset, const uint8_t *data, mach_msg_type_number_t dataCnt,
		      uint32_t *written)
{
	return write_from(file, offset, data, dataCnt, written);
}

kern_return_t
fs_file_do_file_write_ool(mach_port_t file, uint64_t offset, uint8_t *data, mach_msg_type_number_t dataCnt,
			  uint32_t *written)
{
	kern_return_t kr = write_from(file, offset, data, dataCnt, written);

	/* ours on success; on an error the loop destroys the request, memory and all */
	if (kr == KERN_SUCCESS && dataCnt > 0)
		vm_deallocate(ME, (vm_address_t)data, dataCnt);
	return kr;
}

kern_return_t
fs_file_do_file_stat(mach_port_t file, uint8_t *st)
{
	struct open_file *f;
	struct fs_stat s;
	kern_return_t kr = file_check(file, 0, &f);
	int err;

	if (kr != KERN_SUCCESS)
		return kr;
	pager_settle(&f->node, false);
	err = vfs_getattr(&f->node, &s);
	if (err)
		return srv_kr(err);
	srv_stat_to_wire(&s, st);
	return KERN_SUCCESS;
}

kern_return_t
fs_file_do_file_truncate(mach_port_t file, uint64_t size)
{
	struct open_file *f;
	uint32_t mode;
	uint64_t old;
	kern_return_t kr = file_check(file, NEED_WRITE, &f);
	int err;

	if (kr != KERN_SUCCESS)
		return kr;
	pager_settle(&f->node, true);
	err = file_mode(f, &mode, &old);
	if (!err && FS_ISDIR(mode))
		err = -FS_EISDIR;
	if (!err)
		err = vfs_truncate(&f->node, size);
	return srv_kr(err);
}

kern_return_t
fs_file_do_file_setattr(mach_port_t file, uint32_t which, uint32_t mode, uint32_t uid, uint32_t gid, int64_t atime,
			int64_t mtime)
{
	struct open_file *f;
	struct fs_setattr sa = { which, mode & 07777, uid, gid, atime, mtime };
	kern_return_t kr = file_check(file, 0, &f);

	if (kr != KERN_SUCCESS)
		return kr;
	if (which & ~(FS_SET_MODE | FS_SET_UID | FS_SET_GID | FS_SET_ATIME | FS_SET_MTIME))
		return srv_kr(-FS_EINVAL);
	if (f->node.fs->readonly)
		return srv_kr(-FS_EROFS);
	return srv_kr(vfs_setattr(&f->node, &sa));
}

kern_return_t
fs_file_do_file_readdir(mach_port_t file, uint64_t cookie, uint8_t *entries, mach_msg_type_number_t *entriesCnt,
			uint64_t *next)
{
	struct open_file *f;
	struct fs_dirent *d;
	uint32_t mode;
	uint64_t size, c = cookie;
	size_t pos = 0;
	kern_return_t kr = file_check(file, 0, &f);
	int err;

	if (kr != KERN_SUCCESS)
		return kr;
	err = file_mode(f, &mode, &size);
	if (!err && !FS_ISDIR(mode))
		err = -FS_ENOTDIR;
	if (err)
		return srv_kr(err);
	d = malloc(sizeof *d);
	if (!d)
		return srv_kr(-FS_ENOMEM);
	for (;;) {
		uint64_t before = c;
		uint32_t len;
		int r = vfs_readdir(&f->node, &c, d);

		if (r < 0) {
			free(d);
			return srv_kr(r);
		}
		if (r == 0)
			break;
		len = (uint32_t)strlen(d->name);
		if (pos + FSC_DIRENT_HEADER + ((len + 3) & ~3u) > sizeof(file_dirents_t)) {
			c = before;	/* the next call starts with this entry */
			break;
		}
		memcpy(entries + pos, &d->ino, 8);
		memcpy(entries + pos + 8, &d->type, 4);
		memcpy(entries + pos + 12, &len, 4);
		memcpy(entries + pos + FSC_DIRENT_HEADER, d->name, len);
		memset(entries + pos + FSC_DIRENT_HEADER + len, 0, ((len + 3) & ~3u) - len);
		pos += FSC_DIRENT_HEADER + ((len + 3) & ~3u);
	}
	free(d);
	*entriesCnt = (mach_msg_type_number_t)pos;
	*next = c;
	return KERN_SUCCESS;
}

kern_return_t
fs_file_do_file_sync(mach_port_t file)
{
	struct open_file *f;
	kern_return_t kr = file_check(file, 0, &f);

	if (kr != KERN_SUCCESS)
		return kr;
	pager_settle(&f->node, false);
	return srv_kr(vfs_fs_sync(f->node.fs));
}

kern_return_t
fs_file_do_file_map(mach_port_t file, boolean_t writable, mach_port_t *object)
{
	struct open_file *f;
	kern_return_t kr = file_check(file, 0, &f);

	uint32_t mode;
	uint64_t size;
	int err;

	if (kr != KERN_SUCCESS)
		return kr;
	err = file_mode(f, &mode, &size);
	if (!err && !FS_ISREG(mode))
		err = FS_ISDIR(mode) ? -FS_EISDIR : -FS_EINVAL;
	if (!err && writable && ((f->flags & FS_O_ACCMODE) == FS_O_RDONLY || f->node.fs->readonly))
		err = -FS_EACCES;
	if (err)
		return srv_kr(err);
	return pager_object(&f->node, writable != 0, object);
}
