/* Helpers of the file-system tests (fstest.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fstest.h"
#include "unit.h"

uint64_t
fst_rand(uint64_t *s)
{
	/* xorshift64*: deterministic across hosts */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

uint8_t *
fst_load(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc(*size);
	if (p && fread(p, 1, *size, f) != *size)
		*size = 0;
	fclose(f);
	return p;
}

int64_t
fst_now(void)
{
	return (int64_t)time(NULL);
}

int
fst_sh(const char *fmt, ...)
{
	char cmd[4096], full[4200];
	va_list ap;
	int n, st;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof cmd)
		return -1;
	snprintf(full, sizeof full, "( %s )%s", cmd, getenv("FST_VERBOSE") ? "" : " >/dev/null 2>&1");
	st = system(full);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
cleanup(void)
{
	if (!getenv("FST_KEEP"))
		fst_sh("rm -rf /tmp/fslib-%d", (int)getpid());
}

/* Scratch folders go when the tests end (FST_KEEP=1 keeps them). */
const char *
fst_dir(const char *name)
{
	static char path[512];
	static bool registered;

	if (!registered) {
		atexit(cleanup);
		registered = true;
	}

	snprintf(path, sizeof path, "/tmp/fslib-%d/%s", (int)getpid(), name);
	fst_sh("rm -rf '%s' && mkdir -p '%s'", path, path);
	return path;
}

static void
write_file(const char *path, size_t size, uint64_t *rs)
{
	FILE *f = fopen(path, "wb");

	for (size_t i = 0; i < size; i++)
		fputc((int)(fst_rand(rs) >> 56), f);
	fclose(f);
}

void
fst_make_tree(const char *dir, unsigned seed, bool links)
{
	/* Sizes around 1 KiB and 4 KiB blocks, the 12 direct blocks, and far
	 * enough to need a double indirect block with 1 KiB blocks. */
	static const size_t sizes[] = { 0, 1, 511, 512, 1023, 1024, 1025, 4095, 4096, 4097, 12288, 12289,
					65536, 300000, 1100000 };
	uint64_t rs = seed * 7919ull + 1;
	char p[1024];

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		snprintf(p, sizeof p, "%s/file%zu.bin", dir, i);
		write_file(p, sizes[i], &rs);
	}
	snprintf(p, sizeof p, "%s/sub", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/sub/deeper", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/sub/deeper/A file with a long name, spaces & more.txt", dir);
	write_file(p, 3000, &rs);
	snprintf(p, sizeof p, "%s/many", dir);
	mkdir(p, 0755);
	for (int i = 0; i < 150; i++) {
		snprintf(p, sizeof p, "%s/many/entry-number-%03d-%s", dir, i, i % 2 ? "odd" : "even");
		write_file(p, (size_t)(fst_rand(&rs) % 3000), &rs);
	}
	snprintf(p, sizeof p, "%s/empty", dir);
	mkdir(p, 0755);
	if (links) {
		char t[400];

		snprintf(p, sizeof p, "%s/short-link", dir);
		symlink("file3.bin", p);
		memset(t, 'x', sizeof t);
		memcpy(t, "sub/../", 7);
		t[sizeof t - 1] = 0;
		snprintf(p, sizeof p, "%s/long-link", dir);
		symlink(t, p);	/* 399 bytes: a slow symlink */
		snprintf(p, sizeof p, "%s/sub/up", dir);
		symlink("../file5.bin", p);
		char q[1024];
		snprintf(p, sizeof p, "%s/file6.bin", dir);
		snprintf(q, sizeof q, "%s/sub/hard-link-to-6", dir);
		link(p, q);
	}
}

int
fst_mount(struct fst_mnt *m, const char *img, const char *type, bool readonly)
{
	struct fs_mount_opts o = { .readonly = readonly, .cache_blocks = 64, .now = fst_now };
	int err;

	vfs_init(&m->v);	/* a failed mount leaves an empty table, not garbage */
	err = imgdev_open(&m->dev, img);

	if (err)
		return err;
	err = strcmp(type, "ext2") == 0 ? ext2_mount(&m->dev.dev, &o, &m->fs) : fat_mount(&m->dev.dev, &o, &m->fs);
	if (err) {
		imgdev_close(&m->dev);
		return err;
	}
	vfs_mount(&m->v, "/", m->fs);
	return 0;
}

int
fst_unmount(struct fst_mnt *m)
{
	int err = m->fs->ops->unmount(m->fs);

	imgdev_close(&m->dev);
	return err;
}

#define WHY(...) (snprintf(why, whylen, __VA_ARGS__), -1)

static uint64_t
fnv(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static int
compare_file(struct vfs *v, const char *vp, const char *hp, uint64_t size, char *why, size_t whylen)
{
	static uint8_t a[65536], b[65536];
	struct vfs_node n;
	uint64_t ha = 14695981039346656037ull, hb = ha, off = 0;
	int fd, err = vfs_lookup(v, vp, false, &n);

	if (err)
		return WHY("%s: %s", vp, fs_error_name(err));
	fd = open(hp, O_RDONLY);
	for (;;) {
		size_t got;
		ssize_t hg = read(fd, b, sizeof b);

		err = vfs_read(&n, off, a, sizeof a, &got);
		if (err) {
			close(fd);
			return WHY("%s: read at %llu: %s", vp, (unsigned long long)off, fs_error_name(err));
		}
		if ((ssize_t)got != hg) {
			close(fd);
			return WHY("%s: %zu bytes at %llu, host %zd", vp, got, (unsigned long long)off, hg);
		}
		if (got == 0)
			break;
		ha = fnv(ha, a, got);
		hb = fnv(hb, b, got);
		off += got;
	}
	close(fd);
	if (ha != hb || off != size)
		return WHY("%s: contents differ (hash %016llx, host %016llx)", vp, (unsigned long long)ha,
			   (unsigned long long)hb);
	return 0;
}

/* skip: names separated by '|' */
static bool
skipped(const char *skip, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = skip; p && *p; p += strcspn(p, "|"), p += *p == '|')
		if (strcspn(p, "|") == n && !strncmp(p, name, n))
			return true;
	return false;
}

int
fst_compare(struct vfs *v, const char *vpath, const char *host, const char *skip, char *why, size_t whylen)
{
	DIR *d = opendir(host);
	struct dirent *de;
	int count = 0, vcount = 0, err;
	char vp[2048], hp[2048];

	if (!d)
		return WHY("%s: cannot open", host);
	while ((de = readdir(d))) {
		struct stat hs;
		struct fs_stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || skipped(skip, de->d_name))
			continue;
		count++;
		snprintf(vp, sizeof vp, "%s/%s", strcmp(vpath, "/") ? vpath : "", de->d_name);
		snprintf(hp, sizeof hp, "%s/%s", host, de->d_name);
		lstat(hp, &hs);
		err = vfs_stat(v, vp, false, &st);
		if (err) {
			closedir(d);
			return WHY("%s: %s", vp, fs_error_name(err));
		}
		if ((st.mode & FS_S_IFMT) != (hs.st_mode & S_IFMT)) {
			closedir(d);
			return WHY("%s: mode %o, host %o", vp, st.mode, hs.st_mode);
		}
		if (S_ISREG(hs.st_mode))
			err = compare_file(v, vp, hp, (uint64_t)hs.st_size, why, whylen);
		else if (S_ISDIR(hs.st_mode))
			err = fst_compare(v, vp, hp, NULL, why, whylen);
		else if (S_ISLNK(hs.st_mode)) {
			char a[4096], b[4096];
			size_t al = 0;
			ssize_t bl = readlink(hp, b, sizeof b);

			err = vfs_readlink(v, vp, a, sizeof a, &al);
			if (err || (ssize_t)al != bl || memcmp(a, b, al))
				err = WHY("%s: link text differs (%s)", vp, fs_error_name(err));
		}
		if (err) {
			closedir(d);
			return err;
		}
	}
	closedir(d);
	struct vfs_node n;
	struct fs_dirent ent;
	uint64_t cookie = 0;
	err = vfs_lookup(v, vpath, true, &n);
	if (err)
		return WHY("%s: %s", vpath, fs_error_name(err));
	while ((err = vfs_readdir(&n, &cookie, &ent)) == 1)
		if (!skipped(skip, ent.name))
			vcount++;
	if (err < 0)
		return WHY("%s: readdir: %s", vpath, fs_error_name(err));
	if (vcount != count)
		return WHY("%s: %d entries, host %d", vpath, vcount, count);
	return 0;
}

static uint8_t read_buf[65536];

void
fst_read_sequential(const struct vfs_node *n, const uint8_t *want, size_t size)
{
	uint8_t *got = read_buf;
	size_t done = 0;

	for (size_t off = 0; off < size; off += sizeof read_buf) {
		size_t len = size - off < sizeof read_buf ? size - off : sizeof read_buf;

		EXPECT_EQ(vfs_read(n, off, got, len, &done), 0);
		EXPECT_EQ(done, len);
		if (memcmp(got, want + off, len) != 0) {
			unit_fail(__FILE__, __LINE__, "bytes differ in the 64 KiB at %zu", off);
			return;
		}
	}
}

void
fst_read_scattered(const struct vfs_node *n, const uint8_t *want, size_t size, uint64_t seed)
{
	uint8_t *got = read_buf;
	size_t done = 0;

	for (int i = 0; i < 200; i++) {
		size_t off = (size_t)(fst_rand(&seed) % size), len = 1 + (size_t)(fst_rand(&seed) % 9000);

		if (len > size - off)
			len = size - off;
		EXPECT_EQ(vfs_read(n, off, got, len, &done), 0);
		EXPECT_EQ(done, len);
		EXPECT_EQ(memcmp(got, want + off, len), 0);
	}
}
