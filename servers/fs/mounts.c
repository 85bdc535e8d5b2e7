/*
 * The fs server's mounts: which disk each mounted file system is on, the
 * mount and unmount that go with the VFS's own table (vfs.c), each
 * instance's guard (srv.h: one thread inside it at a time), and fs.defs's
 * routines that are about whole file systems (fs_mount, fs_unmount,
 * fs_sync, fs_statfs).
 */#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <mach/mach.h>
#include "fs_server.h"
#include "srv.h"

struct vfs srv_vfs;
struct srv_mount srv_mounts[VFS_MAX_MOUNTS];
size_t srv_cache_blocks = SRV_CACHE_BLOCKS;
int64_t srv_epoch;	/* boot's time in seconds since 1970 (epoch= on the module line) */

static int64_t
now(void)
{
	return srv_epoch + (int64_t)time(NULL);	/* time(): seconds since boot, for now */
}

struct srv_mount *
srv_mount_of(const struct fs *fs)
{
	for (int i = 0; i < VFS_MAX_MOUNTS; i++)
		if (srv_mounts[i].fs == fs && fs)
			return &srv_mounts[i];
	return NULL;
}

/* Caller holds srv_big_lock, let go of while it waits its turn. */
static void
turn_take(struct srv_turn *t)
{
	uint32_t ticket;

	if (!t->owner && t->waiting == 0) {
		t->owner = cthread_self();
		return;
	}
	ticket = t->tail++;
	t->waiting++;
	while (t->owner || t->head != ticket)
		cthread_cond_wait(&t->cond, &srv_big_lock);
	t->head++;
	t->waiting--;
	t->owner = cthread_self();
	if (t->waiting)
		cthread_cond_broadcast(&t->cond);	/* the next ticket may have been woken before its turn */
}

static void
turn_give(struct srv_turn *t, struct cthread_cond *idle)
{
	t->owner = NULL;
	if (t->waiting)
		cthread_cond_broadcast(&t->cond);
	else
		cthread_cond_broadcast(idle);	/* an unmount waits for this */
}

static struct srv_mount *
mount_of_guard(struct fs_guard *g)
{
	return (struct srv_mount *)((char *)g - offsetof(struct srv_mount, guard));
}

/* Caller holds srv_big_lock; it is let go of while another thread is inside. */
static void
guard_enter(struct fs_guard *g)
{
	struct srv_mount *m = mount_of_guard(g);

	if (m->inside.owner != cthread_self())
		turn_take(&m->inside);
	m->depth++;
}

static void
guard_leave(struct fs_guard *g)
{
	struct srv_mount *m = mount_of_guard(g);

	if (--m->depth == 0)
		turn_give(&m->inside, &m->idle);
}

static bool
names_mine(struct fs_guard *g)
{
	return mount_of_guard(g)->names.owner == cthread_self();
}

/* Caller holds srv_big_lock and no guard; any other names lock of its is let go of first. */
static void
names_lock(struct fs_guard *g)
{
	srv_names_release();
	turn_take(&mount_of_guard(g)->names);
}

void
srv_names_release(void)
{
	cthread_t me = cthread_self();

	for (int i = 0; i < VFS_MAX_MOUNTS; i++) {
		struct srv_mount *m = &srv_mounts[i];

		if (m->fs && m->names.owner == me)
			turn_give(&m->names, &m->idle);
	}
}

void
srv_names_guess(const char *path)
{
	struct srv_mount *best = NULL;
	size_t best_len = 0;

	for (int i = 0; i < VFS_MAX_MOUNTS; i++) {
		struct srv_mount *m = &srv_mounts[i];
		size_t n = strlen(m->path);

		if (!m->fs || n < best_len || (best && n == best_len))
			continue;
		if (strcmp(m->path, "/") == 0 ||
		    (strncmp(path, m->path, n) == 0 && (path[n] == '/' || path[n] == 0)))
			best = m, best_len = n;
	}
	if (best)
		names_lock(&best->guard);
}

static int
try_mount(struct disk *d, const char *fstype, bool readonly, struct fs **fs)
{
	struct fs_mount_opts o = { .readonly = readonly, .cache_blocks = srv_cache_blocks, .now = now };
	int err;

	if (strcmp(fstype, "ext2") == 0)
		return ext2_mount(&d->dev, &o, fs);
	if (strcmp(fstype, "fat") == 0)
		return fat_mount(&d->dev, &o, fs);
	if (fstype[0] != 0)
		return -FS_EINVAL;
	err = ext2_mount(&d->dev, &o, fs);
	if (err == -FS_EINVAL || err == -FS_ECORRUPT)
		err = fat_mount(&d->dev, &o, fs);
	return err;
}

kern_return_t
srv_mount_disk(const char *path, mach_port_t port, const char *fstype, bool readonly, const char *disk_name)
{
	struct srv_mount *m = NULL;
	struct disk *d;
	struct fs *fs;
	kern_return_t kr;
	int err;

	for (int i = 0; i < VFS_MAX_MOUNTS && !m; i++)
		if (!srv_mounts[i].fs && !srv_mounts[i].reserved)
			m = &srv_mounts[i];
	if (!m || strlen(path) >= sizeof m->path) {
		mach_port_deallocate(mach_task_self(), port);
		return srv_kr(m ? -FS_ENAMETOOLONG : -FS_EBUSY);
	}
	/* The slot is ours while the lock is let go of: the disk's first answer may take 10 s. */
	m->reserved = true;
	cthread_mutex_unlock(&srv_big_lock);
	kr = disk_open(port, &d);
	cthread_mutex_lock(&srv_big_lock);
	m->reserved = false;
	if (kr != KERN_SUCCESS) {
		mach_port_deallocate(mach_task_self(), port);
		/* a port that never answers blk_info (or never takes it): block.defs's waittime */
		if (kr == MACH_RCV_TIMED_OUT || kr == MACH_SEND_TIMED_OUT)
			return srv_kr(-FS_ETIMEDOUT);
		return kr;
	}
	/* nobody else reaches the new instance until vfs_mount, so its disk waits keep the lock */
	d->keep_lock = true;
	err = try_mount(d, fstype, readonly, &fs);
	if (err == 0) {
		err = vfs_mount(&srv_vfs, path, fs);
		if (err)
			fs->ops->unmount(fs);
	}
	if (err) {
		disk_close(d);
		return srv_kr(err);
	}
	d->keep_lock = false;
	m->guard = (struct fs_guard){ guard_enter, guard_leave, names_mine, names_lock };
	fs->guard = &m->guard;
	m->fs = fs;
	m->disk = d;
	snprintf(m->path, sizeof m->path, "%s", path);
	snprintf(m->disk_name, sizeof m->disk_name, "%s", disk_name);
	return KERN_SUCCESS;
}

kern_return_t
srv_unmount(const char *path)
{
	struct vfs_node n;
	struct srv_mount *m;
	struct fs *fs;
	int err = vfs_lookup(&srv_vfs, path, true, &n);

	if (err)
		return srv_kr(err);
	m = srv_mount_of(n.fs);
	if (!m || n.ino != n.fs->root)
		return srv_kr(vfs_unmount(&srv_vfs, path, &fs));	/* not a mount's root: the VFS's error */
	/*
	 * Inside the guard, with nobody waiting for it, and the lock kept from
	 * there on (keep_lock): nobody can reach the instance any more, and
	 * nobody holds a node of it (its files and objects are none).
	 */
	srv_names_release();
	while (m->fs == n.fs && (m->inside.owner || m->inside.waiting || m->names.owner || m->names.waiting))
		cthread_cond_wait(&m->idle, &srv_big_lock);	/* threads holding its nodes finish first */
	if (m->fs != n.fs)
		return srv_kr(-FS_ENOENT);	/* unmounted meanwhile */
	guard_enter(&m->guard);
	file_reap();	/* closed, their notifications still queued: not open any more */
	pager_reap();
	if (m->inside.waiting > 0 || file_count_on(n.fs) > 0 || pager_count_on(n.fs) > 0) {
		guard_leave(&m->guard);
		return srv_kr(-FS_EBUSY);
	}
	m->disk->keep_lock = true;
	err = vfs_unmount(&srv_vfs, path, &fs);
	if (err) {
		m->disk->keep_lock = false;
		guard_leave(&m->guard);
		return srv_kr(err);
	}
	err = fs->ops->unmount(fs);	/* syncs; the instance is gone even when that failed */
	guard_leave(&m->guard);
	disk_close(m->disk);
	/* nobody waits: kept for the slot's next mount */
	struct cthread_cond inside = m->inside.cond, idle = m->idle, names = m->names.cond;

	*m = (struct srv_mount){ 0 };
	m->inside.cond = inside;
	m->idle = idle;
	m->names.cond = names;
	cthread_cond_broadcast(&m->idle);	/* another unmount of it waiting finds it gone */
	return srv_kr(err);
}

kern_return_t
fs_do_fs_mount(mach_port_t server, const char *path, mach_port_t disk, const char *fstype, boolean_t readonly)
{
	if (server != srv_service)
		return srv_kr(-FS_EBADF);
	if (!MACH_PORT_VALID(disk))
		return srv_kr(-FS_EINVAL);
	if (strcmp(fstype, "ext2") != 0 && strcmp(fstype, "fat") != 0 && fstype[0] != 0) {
		mach_port_deallocate(mach_task_self(), disk);
		return srv_kr(-FS_EINVAL);
	}
	return srv_mount_disk(path, disk, fstype, readonly, "(a client's)");
}

kern_return_t
fs_do_fs_unmount(mach_port_t server, const char *path)
{
	if (server != srv_service)
		return srv_kr(-FS_EBADF);
	return srv_unmount(path);
}

kern_return_t
fs_do_fs_sync(mach_port_t server)
{
	if (server != srv_service)
		return srv_kr(-FS_EBADF);
	pager_settle_all();	/* stores through mappings first */
	return srv_kr(vfs_sync(&srv_vfs));
}

kern_return_t
fs_do_fs_statfs(mach_port_t server, const char *path, uint8_t *raw)
{
	struct vfs_node n;
	struct fs_statfs s;
	struct fsc_statfs w;
	int err;

	if (server != srv_service)
		return srv_kr(-FS_EBADF);
	err = vfs_lookup(&srv_vfs, path, true, &n);
	if (!err)
		err = vfs_fs_statfs(n.fs, &s);
	if (err)
		return srv_kr(err);
	w = (struct fsc_statfs){ s.bsize, s.blocks, s.bfree, s.files, s.ffree, s.name_max };
	memset(raw, 0, sizeof(fs_stat_t));
	memcpy(raw, &w, sizeof w);
	return KERN_SUCCESS;
}

kern_return_t
fs_do_fs_mounts(mach_port_t server, uint32_t index, char *path, char *fstype, char *disk, boolean_t *readonly)
{
	if (server != srv_service)
		return srv_kr(-FS_EBADF);
	/* the VFS's order: the root first, then each mount in the order made (an unmount moves the last) */
	if (index >= (uint32_t)srv_vfs.nmounts)
		return srv_kr(-FS_ENOENT);
	struct fs *fs = srv_vfs.mounts[index].fs;
	struct srv_mount *m = srv_mount_of(fs);
	snprintf(path, sizeof(fs_path_t), "%s", m ? m->path : "?");
	snprintf(fstype, sizeof(fs_path_t), "%s", fs->type);
	snprintf(disk, sizeof(fs_path_t), "%s", m ? m->disk_name : "?");
	*readonly = fs->readonly;
	return KERN_SUCCESS;
}
