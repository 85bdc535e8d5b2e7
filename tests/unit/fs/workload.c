/*
 * A random workload applied to the library's tree and to a host folder side
 * by side (fstest.h): creates, writes, truncates, renames (of files over
 * files and of folders), unlinks, folders made and removed, hard and
 * symbolic links (ext2), syncs. Each operation's outcome, success or the
 * error code, must be the same on both.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fstest.h"

#define MAXP 400

struct wl {
	struct vfs *v;
	const char *mirror;
	uint64_t rs;
	bool fat, no_dir_rename;
	char *files[MAXP], *dirs[MAXP], *links[MAXP];
	int nfiles, ndirs, nlinks;
	unsigned counter;
	int bad;
	char *why;
	size_t whylen;
	uint8_t *buf;
};

static uint64_t
rnd(struct wl *w, uint64_t n)
{
	return n ? fst_rand(&w->rs) % n : 0;
}

static void
add(char **v, int *n, const char *p)
{
	if (*n < MAXP)
		v[(*n)++] = strdup(p);
}

static void
drop(char **v, int *n, int i)
{
	free(v[i]);
	v[i] = v[--*n];
}

/* A new name: random characters (FAT: only what a long name may hold, in
 * lower case so that no two differ by case alone), then a unique number. */
static void
new_name(struct wl *w, char *out, size_t size)
{
	static const char fatc[] = "abcdefghijklmnopqrstuvwxyz0123456789 _-+,;=[]().~";
	static const char extc[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-+,;=[]().~:!#%";
	const char *cs = w->fat ? fatc : extc;
	size_t ncs = strlen(cs), len = 1 + rnd(w, rnd(w, 4) == 0 ? 60 : 10), i;

	if (!w->fat && rnd(w, 20) == 0)
		len = 200 + rnd(w, 40);	/* long ext2 names */
	out[0] = 'a' + (char)rnd(w, 26);
	for (i = 1; i < len && i < size - 16; i++)
		out[i] = cs[rnd(w, ncs)];
	snprintf(out + i, size - i, "%u%s", w->counter++, rnd(w, 3) == 0 ? ".txt" : "");
}

static void
host_path(struct wl *w, const char *p, char *out, size_t size)
{
	snprintf(out, size, "%s%s", w->mirror, p);
}

static void
child(const char *dir, const char *name, char *out, size_t size)
{
	snprintf(out, size, "%s/%s", dir, name);
}

static void
agree(struct wl *w, const char *what, const char *p, int host_errno, int err)
{
	if (-err == host_errno)
		return;
	if (w->bad++ == 0)
		snprintf(w->why, w->whylen, "%s %s: library %s, host %s", what, p, fs_error_name(err),
			 host_errno ? fs_error_name(host_errno) : "OK");
}

static int
herr(int r)
{
	return r < 0 ? errno : 0;
}

static void
fill(struct wl *w, size_t n)
{
	uint8_t c = (uint8_t)rnd(w, 256);

	for (size_t i = 0; i < n; i++)
		w->buf[i] = (uint8_t)(c + i * 7 + (i >> 9));
}

static void
do_write(struct wl *w, const char *p, uint64_t off, size_t n)
{
	char hp[1024];
	struct vfs_node node;
	size_t done = 0;
	int fd, err, he;

	host_path(w, p, hp, sizeof hp);
	fill(w, n);
	fd = open(hp, O_WRONLY);
	he = herr(fd < 0 ? -1 : (int)pwrite(fd, w->buf, n, (off_t)off) == (int)n ? 0 : -1);
	if (fd >= 0)
		close(fd);
	err = vfs_lookup(w->v, p, true, &node);
	if (!err)
		err = vfs_write(&node, off, w->buf, n, &done);
	if (!err && done != n)
		err = -FS_EIO;
	agree(w, "write", p, he, err);
}

static void
op_create(struct wl *w)
{
	char name[300], p[1024], hp[1024];
	const char *dir = w->dirs[rnd(w, w->ndirs)];
	int fd, he, err;

	if (w->nfiles >= MAXP - 1)
		return;
	new_name(w, name, sizeof name);
	child(dir, name, p, sizeof p);
	host_path(w, p, hp, sizeof hp);
	fd = open(hp, O_CREAT | O_EXCL | O_WRONLY, 0644);
	he = herr(fd);
	if (fd >= 0)
		close(fd);
	err = vfs_create(w->v, p, 0644, NULL);
	agree(w, "create", p, he, err);
	if (err)
		return;
	add(w->files, &w->nfiles, p);
	size_t n = rnd(w, 8) == 0 ? rnd(w, 200000) : rnd(w, 9000);
	if (n)
		do_write(w, p, 0, n);
}

static void
op_write(struct wl *w)
{
	const char *p;
	struct stat st;
	char hp[1024];

	if (!w->nfiles)
		return;
	p = w->files[rnd(w, w->nfiles)];
	host_path(w, p, hp, sizeof hp);
	if (stat(hp, &st) < 0)
		return;
	do_write(w, p, rnd(w, (uint64_t)st.st_size + 5000), rnd(w, 20000) + 1);
}

static void
op_truncate(struct wl *w)
{
	const char *p;
	struct stat st;
	struct vfs_node node;
	char hp[1024];
	uint64_t size;
	int err;

	if (!w->nfiles)
		return;
	p = w->files[rnd(w, w->nfiles)];
	host_path(w, p, hp, sizeof hp);
	if (stat(hp, &st) < 0)
		return;
	size = rnd(w, (uint64_t)st.st_size * 3 / 2 + 2);
	int he = herr(truncate(hp, (off_t)size));
	err = vfs_lookup(w->v, p, true, &node);
	if (!err)
		err = vfs_truncate(&node, size);
	agree(w, "truncate", p, he, err);
}

/* Unlinks a random name of the list (files or symbolic links). */
static void
unlink_one(struct wl *w, char **list, int *n, const char *what)
{
	char hp[1024];
	int i;

	if (!*n)
		return;
	i = (int)rnd(w, *n);
	host_path(w, list[i], hp, sizeof hp);
	int he = herr(unlink(hp));
	int err = vfs_unlink(w->v, list[i]);
	agree(w, what, list[i], he, err);
	if (!err)
		drop(list, n, i);
}

static void
op_rename_file(struct wl *w)
{
	char name[300], to[1024], hf[1024], ht[1024];
	int i, j = -1;

	if (!w->nfiles)
		return;
	i = (int)rnd(w, w->nfiles);
	if (rnd(w, 3) == 0 && w->nfiles > 1) {
		j = (int)rnd(w, w->nfiles);	/* over another file */
		snprintf(to, sizeof to, "%s", w->files[j]);
	} else {
		new_name(w, name, sizeof name);
		child(w->dirs[rnd(w, w->ndirs)], name, to, sizeof to);
	}
	host_path(w, w->files[i], hf, sizeof hf);
	host_path(w, to, ht, sizeof ht);
	int he = herr(rename(hf, ht));
	int err = vfs_rename(w->v, w->files[i], to);
	agree(w, "rename", w->files[i], he, err);
	if (err || i == j)
		return;
	/* With hard links the source may stay (same inode: rename does nothing). */
	struct stat st;
	bool src_gone = lstat(hf, &st) < 0;
	if (j >= 0) {
		if (src_gone)
			drop(w->files, &w->nfiles, i);
	} else {
		if (src_gone)
			drop(w->files, &w->nfiles, i);
		add(w->files, &w->nfiles, to);
	}
}

static void
op_mkdir(struct wl *w)
{
	char name[300], p[1024], hp[1024];

	if (w->ndirs >= 60)
		return;
	new_name(w, name, sizeof name);
	child(w->dirs[rnd(w, w->ndirs)], name, p, sizeof p);
	host_path(w, p, hp, sizeof hp);
	int he = herr(mkdir(hp, 0755));
	int err = vfs_mkdir(w->v, p, 0755);
	agree(w, "mkdir", p, he, err);
	if (!err)
		add(w->dirs, &w->ndirs, p);
}

static void
op_rmdir(struct wl *w)
{
	char hp[1024];
	int i;

	if (w->ndirs < 2)
		return;
	i = 1 + (int)rnd(w, w->ndirs - 1);
	host_path(w, w->dirs[i], hp, sizeof hp);
	int he = herr(rmdir(hp));
	if (he == EEXIST)
		he = ENOTEMPTY;
	int err = vfs_rmdir(w->v, w->dirs[i]);
	agree(w, "rmdir", w->dirs[i], he, err);
	if (!err)
		drop(w->dirs, &w->ndirs, i);
}

/* Renames path prefix from to to in a list. */
static void
reprefix(char **v, int n, const char *from, const char *to)
{
	size_t fl = strlen(from);

	for (int i = 0; i < n; i++)
		if (!strncmp(v[i], from, fl) && (v[i][fl] == '/' || v[i][fl] == 0)) {
			char p[2048];

			snprintf(p, sizeof p, "%s%s", to, v[i] + fl);
			free(v[i]);
			v[i] = strdup(p);
		}
}

static void
op_rename_dir(struct wl *w)
{
	char name[300], to[1024], hf[1024], ht[1024], from[1024];

	if (w->ndirs < 2)
		return;
	snprintf(from, sizeof from, "%s", w->dirs[1 + rnd(w, w->ndirs - 1)]);
	new_name(w, name, sizeof name);
	child(w->dirs[rnd(w, w->ndirs)], name, to, sizeof to);
	if (strlen(to) > 900)
		return;
	host_path(w, from, hf, sizeof hf);
	host_path(w, to, ht, sizeof ht);
	int he = herr(rename(hf, ht));
	int err = vfs_rename(w->v, from, to);
	agree(w, "rename dir", from, he, err);
	if (err)
		return;
	reprefix(w->dirs, w->ndirs, from, to);
	reprefix(w->files, w->nfiles, from, to);
	reprefix(w->links, w->nlinks, from, to);
}

static void
op_link(struct wl *w)
{
	char name[300], to[1024], hf[1024], ht[1024];
	int i;

	if (!w->nfiles)
		return;
	i = (int)rnd(w, w->nfiles);
	new_name(w, name, sizeof name);
	child(w->dirs[rnd(w, w->ndirs)], name, to, sizeof to);
	host_path(w, w->files[i], hf, sizeof hf);
	host_path(w, to, ht, sizeof ht);
	int he = herr(link(hf, ht));
	int err = vfs_link(w->v, w->files[i], to);
	agree(w, "link", to, he, err);
	if (!err)
		add(w->files, &w->nfiles, to);
}

static void
op_symlink(struct wl *w)
{
	char name[300], p[1024], hp[1024], target[400];
	size_t n = rnd(w, 2) ? 1 + rnd(w, 50) : 60 + rnd(w, 300);

	if (w->nlinks >= MAXP - 1)
		return;
	for (size_t i = 0; i < n; i++)
		target[i] = (char)('a' + rnd(w, 26));
	target[n] = 0;
	new_name(w, name, sizeof name);
	child(w->dirs[rnd(w, w->ndirs)], name, p, sizeof p);
	host_path(w, p, hp, sizeof hp);
	int he = herr(symlink(target, hp));
	int err = vfs_symlink(w->v, target, p);
	agree(w, "symlink", p, he, err);
	if (!err)
		add(w->links, &w->nlinks, p);
}

/* The files and folders already in the mirror join the lists. */
static void
scan(struct wl *w, const char *p)
{
	char hp[1024];
	FILE *f;
	char line[2048];

	host_path(w, p, hp, sizeof hp);
	snprintf(line, sizeof line, "cd '%s' && find . -mindepth 1 -not -path './lost+found*' -printf '%%y %%P\\n'", hp);
	f = popen(line, "r");
	while (f && fgets(line, sizeof line, f)) {
		char path[2100];

		line[strcspn(line, "\n")] = 0;
		snprintf(path, sizeof path, "%s/%s", p, line + 2);
		if (line[0] == 'f')
			add(w->files, &w->nfiles, path);
		else if (line[0] == 'd')
			add(w->dirs, &w->ndirs, path);
		else if (line[0] == 'l')
			add(w->links, &w->nlinks, path);
	}
	if (f)
		pclose(f);
}

int
fst_workload(struct vfs *v, const char *mirror, const char *top, unsigned seed, int ops, unsigned flags, char *why,
	     size_t whylen)
{
	struct wl *w = calloc(1, sizeof *w);
	int bad;

	w->v = v;
	w->mirror = mirror;
	w->rs = seed * 0x9E3779B97F4A7C15ull + 12345;
	w->fat = flags & FST_FAT;
	w->no_dir_rename = flags & FST_NO_DIR_RENAME;
	w->why = why;
	w->whylen = whylen;
	w->buf = malloc(256 * 1024);
	add(w->dirs, &w->ndirs, top);
	scan(w, top);
	for (int i = 0; i < ops; i++) {
		switch (rnd(w, w->fat ? 20 : 24)) {
		case 0: case 1: case 2: case 3: case 4: op_create(w); break;
		case 5: case 6: case 7: op_write(w); break;
		case 8: case 9: op_truncate(w); break;
		case 10: case 11: unlink_one(w, w->files, &w->nfiles, "unlink"); break;
		case 12: case 13: op_rename_file(w); break;
		case 14: op_mkdir(w); break;
		case 15: op_rmdir(w); break;
		case 16: if (!w->no_dir_rename) op_rename_dir(w); break;
		case 17: op_mkdir(w); break;
		case 18: op_create(w); break;
		case 19: if (v->mounts[0].fs->ops->sync(v->mounts[0].fs)) w->bad++; break;
		case 20: op_link(w); break;
		case 21: op_symlink(w); break;
		case 22: unlink_one(w, w->links, &w->nlinks, "unlink symlink"); break;
		default: op_link(w); break;
		}
	}
	/* The workload's paths are relative to the root: "" is "/". */
	bad = w->bad;
	for (int i = 0; i < w->nfiles; i++) free(w->files[i]);
	for (int i = 0; i < w->ndirs; i++) free(w->dirs[i]);
	for (int i = 0; i < w->nlinks; i++) free(w->links[i]);
	free(w->buf);
	free(w);
	return bad;
}
