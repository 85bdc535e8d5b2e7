/*
 * Images exec reads from fs (image.h's exec_lookup): the file is read whole
 * into the server's memory and kept in a small cache, by path, while its
 * inode, size and times stay the same (fs_stat before every exec says), so
 * that busybox, exec'd for nearly every command, is read from the disk once.
 * An entry whose file changed, or the oldest, goes when room is needed and
 * no process runs it (process_each); a full cache of running images refuses
 * the exec with ENOMEM.
 */
#include <stdio.h>
#include <string.h>
#include <manifold/fsc.h>
#include "fsfile.h"
#include "image.h"
#include "linux.h"
#include "process.h"

#define ME mach_task_self()
#define CACHE_MAX 8
#define DISK_IMAGE_MAX (16u * 1024u * 1024u)	/* bigger than any static program we run */

static struct entry {
	struct image im;
	struct fsc_stat st;	/* what the file was when read */
	uint64_t used;		/* a counter's value at the last exec: the least is the oldest */
	bool valid;
} cache[CACHE_MAX];		/* [U] */
static uint64_t clock_;

static void
mark_running(struct process *p, void *arg)
{
	bool *running = arg;

	for (int i = 0; i < CACHE_MAX; i++)
		if (p->state == PROC_LIVE && p->exe == &cache[i].im)
			running[i] = true;
}

static void
drop(struct entry *e)
{
	vm_deallocate(ME, (vm_address_t)e->im.data, e->im.size ? e->im.size : 1);
	e->valid = false;
}

/* A free slot: an empty one, else the oldest nobody runs (dropped). NULL: all run. */
static struct entry *
room(void)
{
	bool running[CACHE_MAX] = { false };
	struct entry *best = NULL;

	for (int i = 0; i < CACHE_MAX; i++)
		if (!cache[i].valid)
			return &cache[i];
	process_each(mark_running, running);
	for (int i = 0; i < CACHE_MAX; i++)
		if (!running[i] && (!best || cache[i].used < best->used))
			best = &cache[i];
	if (best)
		drop(best);
	return best;
}

static bool
same(const struct fsc_stat *a, const struct fsc_stat *b)
{
	return a->ino == b->ino && a->size == b->size && a->mtime == b->mtime && a->ctime == b->ctime;
}

/* path's file read whole into e. 0 or -errno. */
static int
load(struct entry *e, const char *path, const struct fsc_stat *st)
{
	mach_port_t file;
	vm_address_t data = 0;
	size_t got = 0;
	kern_return_t kr;
	const char *base = strrchr(path, '/') + 1;

	if ((kr = fsc_open(path, FS_O_RDONLY, 0, &file)) != KERN_SUCCESS)
		return fsfile_err(kr);
	if (vm_allocate(ME, &data, st->size ? st->size : 1, TRUE) != KERN_SUCCESS) {
		fsc_close(file);
		return -LNX_ENOMEM;
	}
	kr = fsc_read(file, 0, (void *)data, st->size, &got);
	fsc_close(file);
	if (kr != KERN_SUCCESS || got != st->size) {
		vm_deallocate(ME, data, st->size ? st->size : 1);
		return kr != KERN_SUCCESS ? fsfile_err(kr) : -LNX_EIO;	/* it changed under us */
	}
	memset(&e->im, 0, sizeof e->im);
	snprintf(e->im.name, sizeof e->im.name, "%s", base);
	snprintf(e->im.path, sizeof e->im.path, "%s", path);
	e->im.data = (const uint8_t *)data;
	e->im.size = st->size;
	e->st = *st;
	e->valid = true;
	return 0;
}

const struct image *
exec_lookup(const char *path, const struct image *self, int *err)
{
	struct fsc_stat st;
	struct entry *e = NULL;
	kern_return_t kr;

	if (!fsfile_owns(path))
		return image_lookup(path, self, err);
	if ((kr = fsc_stat(path, true, &st)) != KERN_SUCCESS) {
		*err = fsfile_err(kr);
		/* fs has no such file: the view's /bin images stay reachable */
		return *err == -LNX_ENOENT ? image_lookup(path, self, err) : NULL;
	}
	if ((st.mode & LNX_S_IFMT) != LNX_S_IFREG || !(st.mode & 0111)) {
		*err = -LNX_EACCES;
		return NULL;
	}
	if (st.size > DISK_IMAGE_MAX) {
		*err = -LNX_ENOMEM;
		return NULL;
	}
	if (strlen(path) >= sizeof cache[0].im.path) {
		*err = -LNX_ENAMETOOLONG;
		return NULL;
	}
	for (int i = 0; i < CACHE_MAX; i++) {
		if (!cache[i].valid || strcmp(cache[i].im.path, path) != 0)
			continue;
		if (same(&cache[i].st, &st)) {
			cache[i].used = ++clock_;
			return &cache[i].im;
		}
	}
	/* the same file under another name (busybox's links): one copy, the name it was first read by */
	for (int i = 0; i < CACHE_MAX; i++)
		if (cache[i].valid && same(&cache[i].st, &st)) {
			cache[i].used = ++clock_;
			return &cache[i].im;
		}
	if (!(e = room())) {
		*err = -LNX_ENOMEM;
		return NULL;
	}
	if ((*err = load(e, path, &st)) != 0)
		return NULL;
	e->used = ++clock_;
	return &e->im;
}
