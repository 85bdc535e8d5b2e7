/*
 * The fs suite's guest side (tests/fs/README.md): a client of the fs server
 * that tests/fs/run.sh boots with three disks the host made (fsimg.py):
 * vd0, ext2 at / (virtio-blk); hd0, FAT16 at /dos (ATA by DMA); hd1, an ext2
 * volume at /spare with a FAT12 one after it (ATA by PIO, the driver told to
 * hold a read of one sector of /spare/big: hold=).
 *
 * Every file of both trees is read back and hashed against the MANIFEST the
 * host wrote; the WORKLOAD runs on /w and /dos/w (the host then checks the
 * images); open files, named errors and malformed requests; the PIO driver
 * killed holding a read of fs's; corrupt ext2 and FAT volumes mounted and
 * walked. A case passes only if no name was left in our space.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <mach/mach.h>
#include <mach/notify.h>
#include <manifold/blk.h>
#include <manifold/blk_driver.h>
#include <manifold/cthread.h>
#include <manifold/error.h>
#include <manifold/fsc.h>
#include <manifold/msg.h>
#include "../../servers/shell/md5.h"
#include "../user/suite.h"
#include "fs_client.h"
#include "fs_file_client.h"
#include "fs_file_types.h"
#include "fs_types.h"
#include "fsquota.h"
#include "memory_object_client.h"
#include "ns_client.h"

#define ME mach_task_self()
#define BIG (512 * 1024)	/* the workload's largest write is 200,000 bytes */
#define SPARE_FAT_LBA 16384u	/* hd1: the FAT12 volume starts at 8 MiB */
#define SPARE_FAT_SECTORS 4096u
#define CORRUPT_REGION 1024u	/* sectors at the start of a volume the corrupt cases write into */
#define CORRUPT_RUNS 100	/* per file-system type */
#define QUOTA_FILES 64		/* fs's quotas per client (its defaults) */
#define QUOTA_MAPS 8

static mach_port_t fs, ns;
static uint8_t *big;		/* BIG bytes */

static bool
fs_named(kern_return_t kr)
{
	return kr > FS_ERR_BASE && kr <= FS_ERR_LAST;
}

/* ---- MANIFEST ---- */

struct entry {
	char path[300];
	char md5[33];		/* "L" for a symbolic link */
	char target[300];
	uint32_t size;
	bool seen;
};

static struct entry *entries;
static int nentries;

/* The whole of path into a malloc'd buffer, with a NUL after it. */
static kern_return_t
slurp(const char *path, char **out, size_t *size)
{
	struct fsc_stat st;
	mach_port_t f;
	size_t got = 0;
	kern_return_t kr = fsc_open(path, FS_O_RDONLY, 0, &f);

	if (kr != KERN_SUCCESS)
		return kr;
	kr = fsc_fstat(f, &st);
	if (kr == KERN_SUCCESS) {
		*out = malloc((size_t)st.size + 1);
		kr = fsc_read(f, 0, *out, (size_t)st.size, &got);
		(*out)[got] = 0;
		*size = got;
	}
	fsc_close(f);
	return kr;
}

static kern_return_t
load_manifest(const char *path)
{
	char *text, *line, *save = NULL;
	size_t size;
	kern_return_t kr = slurp(path, &text, &size);

	if (kr != KERN_SUCCESS)
		return kr;
	free(entries);
	entries = calloc(64, sizeof *entries);
	nentries = 0;
	for (line = strtok_r(text, "\n", &save); line && nentries < 64; line = strtok_r(NULL, "\n", &save)) {
		struct entry *e = &entries[nentries++];
		char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t2)
			continue;
		*t1 = *t2 = 0;
		snprintf(e->md5, sizeof e->md5, "%s", line);
		if (strcmp(line, "L") == 0)
			snprintf(e->target, sizeof e->target, "%s", t1 + 1);
		else
			e->size = (uint32_t)strtoul(t1 + 1, NULL, 10);
		snprintf(e->path, sizeof e->path, "%s", t2 + 1);
	}
	free(text);
	return KERN_SUCCESS;
}

static struct entry *
manifest_find(const char *rel)
{
	for (int i = 0; i < nentries; i++)
		if (strcmp(entries[i].path, rel) == 0)
			return &entries[i];
	return NULL;
}

/* ---- reading trees ---- */

/* path's bytes hashed, read in pieces of random sizes (inline and out of line). */
static kern_return_t
hash_file(const char *path, char hex[33], uint64_t *size)
{
	struct md5 m;
	mach_port_t f;
	uint64_t off = 0;
	kern_return_t kr = fsc_open(path, FS_O_RDONLY, 0, &f);

	if (kr != KERN_SUCCESS)
		return kr;
	md5_init(&m);
	for (;;) {
		size_t want = (rnd() & 1) ? 1 + rnd() % FSC_INLINE_MAX : 1 + rnd() % BIG, got = 0;
		kr = fsc_read(f, off, big, want, &got);
		if (kr != KERN_SUCCESS || got == 0)
			break;
		md5_update(&m, big, got);
		off += got;
	}
	fsc_close(f);
	md5_hex(&m, hex);
	*size = off;
	return kr;
}

struct walk {
	const char *base;	/* the tree's root: "/" or "/dos" */
	int files, links, bad;
	char why[200];
};

static void
walk_bad(struct walk *w, const char *fmt, const char *path, kern_return_t kr)
{
	if (w->bad++ == 0)
		snprintf(w->why, sizeof w->why, fmt, path, kern_return_name(kr));
}

/* Skipped at a tree's root: the mount points, the workload's folder and the host's notes. */
static bool
skipped(const char *rel)
{
	static const char *const names[] = { "/w", "/dos", "/spare", "/bad", "/MANIFEST", "/WORKLOAD", "/lost+found" };

	for (unsigned i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(rel, names[i]) == 0)
			return true;
	return false;
}

static void walk_dir(struct walk *w, const char *rel);

static void
walk_one(struct walk *w, const char *rel)
{
	char path[600], hex[33], target[sizeof(fs_path_t)];
	struct fsc_stat st;
	uint64_t size;
	struct entry *e = manifest_find(rel);
	kern_return_t kr;

	snprintf(path, sizeof path, "%s%s", strcmp(w->base, "/") ? w->base : "", rel);
	kr = fsc_stat(path, 0, &st);
	if (kr != KERN_SUCCESS)
		return walk_bad(w, "stat %s: %s", path, kr);
	switch (st.mode & 0170000) {
	case 0040000:
		walk_dir(w, rel);
		return;
	case 0120000:
		kr = fs_readlink(fs, path, target);
		if (kr != KERN_SUCCESS || !e || strcmp(e->md5, "L") || strcmp(e->target, target))
			return walk_bad(w, "the link %s: %s", path, kr);
		e->seen = true;
		w->links++;
		return;
	case 0100000:
		kr = hash_file(path, hex, &size);
		if (kr != KERN_SUCCESS)
			return walk_bad(w, "read %s: %s", path, kr);
		if (!e || e->seen || strcmp(e->md5, hex) || size != e->size || st.size != e->size)
			return walk_bad(w, "%s: not the manifest's bytes (%s)", path, KERN_SUCCESS);
		e->seen = true;
		w->files++;
		return;
	}
	walk_bad(w, "%s: a type the tree does not have (%s)", path, KERN_SUCCESS);
}

static void
walk_dir(struct walk *w, const char *rel)
{
	uint8_t buf[sizeof(file_dirents_t)];	/* one per level: the walk goes down inside the loop */
	char path[600];
	mach_port_t dir;
	uint64_t cookie = 0;
	kern_return_t kr;

	snprintf(path, sizeof path, "%s%s", strcmp(w->base, "/") ? w->base : "", rel[0] ? rel : "/");
	if ((kr = fsc_open(path, FS_O_RDONLY | FS_O_DIRECTORY, 0, &dir)) != KERN_SUCCESS)
		return walk_bad(w, "open %s: %s", path, kr);
	for (;;) {
		mach_msg_type_number_t size = sizeof buf;
		uint64_t next = 0;
		size_t pos = 0;
		struct fsc_dirent d;
		int r;

		kr = file_readdir(dir, cookie, buf, &size, &next);
		if (kr != KERN_SUCCESS) {
			walk_bad(w, "readdir %s: %s", path, kr);
			break;
		}
		if (size == 0)
			break;
		while ((r = fsc_dirent_next(buf, size, &pos, &d)) == 1) {
			char child[600];
			snprintf(child, sizeof child, "%s/%s", rel, d.name);
			if (rel[0] == 0 && skipped(child))
				continue;
			walk_one(w, child);
		}
		if (r < 0)
			walk_bad(w, "readdir %s: a malformed record (%s)", path, KERN_SUCCESS);
		cookie = next;
	}
	fsc_close(dir);
}

static void
tree_reads_back(const char *base, const char *manifest)
{
	struct walk w = { .base = base };
	int files = 0, links = 0;

	CHECK_EQ(load_manifest(manifest), KERN_SUCCESS);
	walk_dir(&w, "");
	if (w.bad)
		printf("# %s: %d problems; the first: %s\n", base, w.bad, w.why);
	CHECK_EQ(w.bad, 0);
	for (int i = 0; i < nentries; i++) {
		files += strcmp(entries[i].md5, "L") != 0;
		links += strcmp(entries[i].md5, "L") == 0;
		CHECK(entries[i].seen);
	}
	printf("# %s: %d files hashed, %d links read, as the manifest says\n", base, w.files, w.links);
	CHECK_EQ(w.files, files);
	CHECK_EQ(w.links, links);
}

static void
ext2_every_file_reads_back_byte_for_byte(void)
{
	tree_reads_back("/", "/MANIFEST");
}

static void
fat_every_file_reads_back_byte_for_byte(void)
{
	tree_reads_back("/dos", "/dos/MANIFEST");
}

static void
stat_gives_ext2_hard_links_two_names(void)
{
	struct fsc_stat a, b;

	CHECK_EQ(fsc_stat("/hardlink", 1, &a), KERN_SUCCESS);
	CHECK_EQ(fsc_stat("/docs/01-README", 1, &b), KERN_SUCCESS);
	CHECK_EQ(a.ino, b.ino);
	CHECK_EQ(a.nlink, 2);
	CHECK_EQ(fsc_stat("/symlink", 0, &a), KERN_SUCCESS);
	CHECK_EQ(a.mode & 0170000, 0120000);
	CHECK_EQ(fsc_stat("/symlink", 1, &a), KERN_SUCCESS);
	CHECK_EQ(a.mode & 0170000, 0040000);	/* it names a folder */
}

/* ---- the workload ---- */

/* fsimg.py's pattern(): byte i is byte i%4 of (i/4 * 0x9E3779B1 + seed * 0x85EBCA77). */
static void
pattern(uint8_t *b, uint32_t seed, uint32_t size)
{
	uint32_t base = seed * 0x85EBCA77u;

	for (uint32_t i = 0; i < size; i++)
		b[i] = (uint8_t)(((i / 4) * 0x9E3779B1u + base) >> (8 * (i % 4)));
}

static kern_return_t
write_at(const char *path, uint32_t flags, uint64_t off, uint32_t seed, uint32_t size)
{
	mach_port_t f;
	size_t written = 0;
	kern_return_t kr = fsc_open(path, flags, 0644, &f);

	if (kr != KERN_SUCCESS)
		return kr;
	if (size > BIG)
		size = BIG;
	pattern(big, seed, size);
	kr = fsc_write(f, off, big, size, &written);
	if (kr == KERN_SUCCESS && written != size)
		kr = FS_ERR_EIO;
	fsc_close(f);
	return kr;
}

/* One WORKLOAD line under base; the code it gave. */
static kern_return_t
run_op(const char *base, char **w, int n)
{
	char a[600], b[600];
	mach_port_t f;
	kern_return_t kr;

	snprintf(a, sizeof a, "%s/%s", base, n > 1 ? w[1] : "");
	snprintf(b, sizeof b, "%s/%s", base, n > 2 ? w[2] : "");
	if (strcmp(w[0], "mkdir") == 0 && n == 2)
		return fs_mkdir(fs, a, 0755);
	if (strcmp(w[0], "write") == 0 && n == 4)
		return write_at(a, FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC, 0, strtoul(w[2], NULL, 10),
				strtoul(w[3], NULL, 10));
	if (strcmp(w[0], "pwrite") == 0 && n == 5)
		return write_at(a, FS_O_RDWR, strtoull(w[2], NULL, 10), strtoul(w[3], NULL, 10), strtoul(w[4], NULL, 10));
	if (strcmp(w[0], "append") == 0 && n == 4)
		return write_at(a, FS_O_WRONLY | FS_O_APPEND, 0, strtoul(w[2], NULL, 10), strtoul(w[3], NULL, 10));
	if (strcmp(w[0], "trunc") == 0 && n == 3) {
		if ((kr = fsc_open(a, FS_O_WRONLY, 0, &f)) != KERN_SUCCESS)
			return kr;
		kr = file_truncate(f, strtoull(w[2], NULL, 10));
		fsc_close(f);
		return kr;
	}
	if (strcmp(w[0], "rename") == 0 && n == 3)
		return fs_rename(fs, a, b);
	if (strcmp(w[0], "unlink") == 0 && n == 2)
		return fs_unlink(fs, a);
	if (strcmp(w[0], "rmdir") == 0 && n == 2)
		return fs_rmdir(fs, a);
	if (strcmp(w[0], "link") == 0 && n == 3)
		return fs_link(fs, a, b);
	if (strcmp(w[0], "symlink") == 0 && n == 3)
		return fs_symlink(fs, w[1], b);
	return KERN_INVALID_ARGUMENT;
}

static void
workload(const char *base, bool links)
{
	char *text, *line, *save = NULL;
	size_t size;
	int ops = 0;

	CHECK_EQ(slurp("/WORKLOAD", &text, &size), KERN_SUCCESS);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *w[8], *p, *s2 = NULL;
		int n = 0;
		kern_return_t want = KERN_SUCCESS, got;

		for (p = strtok_r(line, " ", &s2); p && n < 8; p = strtok_r(NULL, " ", &s2))
			w[n++] = p;
		if (n > 0 && w[0][0] == 'E') {
			want = FS_ERR_BASE + (kern_return_t)strtol(w[0] + 1, NULL, 10);
			memmove(w, w + 1, (size_t)--n * sizeof *w);
		}
		if (!links && n > 0 && (strcmp(w[0], "link") == 0 || strcmp(w[0], "symlink") == 0))
			want = FS_ERR_EPERM;
		got = run_op(base, w, n);
		ops++;
		if (got != want) {
			printf("# %s: operation %d (%s %s): %s, not %s\n", base, ops, w[0], n > 1 ? w[1] : "",
			       kern_return_name(got), kern_return_name(want));
			free(text);
			CHECK_EQ(got, want);
		}
	}
	free(text);
	CHECK_EQ(fs_sync(fs), KERN_SUCCESS);
	printf("# %s: %d operations as the model says (the host checks the image)\n", base, ops);
}

static void
workload_runs_on_ext2(void)
{
	workload("/w", true);
}

static void
workload_runs_on_fat(void)
{
	workload("/dos/w", false);
}

/* ---- open files ---- */

static void
open_files_are_ports_released_on_no_senders(void)
{
	static mach_port_t files[300];
	int n[2] = { 0, 0 };
	kern_return_t kr[2] = { KERN_SUCCESS, KERN_SUCCESS };

	/*
	 * fs keeps 64 open files per client (held_file is one of ours): past them
	 * EDQUOT, and closing gives every one back, so a second round opens as many.
	 */
	for (int round = 0; round < 2; round++) {
		for (n[round] = 0; n[round] < 300; n[round]++) {
			kr[round] = fsc_open("/docs/01-README", FS_O_RDONLY, 0, &files[n[round]]);
			if (kr[round] != KERN_SUCCESS)
				break;
		}
		for (int i = 0; i < n[round]; i++)
			fsc_close(files[i]);
		msg_sleep_ms(50);	/* the no-senders notifications reach fs before our next open */
	}
	CHECK_EQ(kr[0], FS_ERR_EDQUOT);
	CHECK_EQ(n[0], QUOTA_FILES - 1);
	CHECK_EQ(kr[1], FS_ERR_EDQUOT);
	CHECK_EQ(n[1], QUOTA_FILES - 1);
}

/*
 * Per-client quotas: we make QUOTA_MAPS mapped files' objects, then EDQUOT;
 * then, holding all QUOTA_FILES of our open files (EDQUOT past them, a
 * create refused makes no file), the second client (fsquota.c, a task of
 * its own) still opens its whole quota.
 */
static void
a_client_at_its_quota_leaves_room_for_others(void)
{
	static mach_port_t files[QUOTA_FILES + 8], objs[QUOTA_MAPS + 1];
	mach_port_t report = MACH_PORT_NULL, reg = MACH_PORT_NULL;
	struct fsc_stat st;
	int n = 0, nobj = 0;
	kern_return_t kr = KERN_SUCCESS;
	struct {
		struct fsquota_report r;
		mach_msg_max_trailer_t t;
	} in;

	CHECK_EQ(load_manifest("/MANIFEST"), KERN_SUCCESS);
	/* objects: one per file, each from a file of the manifest, until fs refuses */
	for (int i = 0; i < nentries && nobj <= QUOTA_MAPS; i++) {
		if (strcmp(entries[i].md5, "L") == 0 || entries[i].size == 0)
			continue;
		mach_port_t f;
		if (fsc_open(entries[i].path, FS_O_RDONLY, 0, &f) != KERN_SUCCESS)
			continue;
		kr = file_map(f, FALSE, &objs[nobj]);
		fsc_close(f);
		if (kr != KERN_SUCCESS)
			break;
		bool again = false;	/* a hard link's: the one object, counted once */
		for (int j = 0; j < nobj; j++)
			again |= objs[j] == objs[nobj];
		if (again)
			mach_port_deallocate(ME, objs[nobj]);
		else
			nobj++;
	}
	for (int i = 0; i < nobj; i++)
		mach_port_deallocate(ME, objs[i]);
	msg_sleep_ms(50);
	printf("# %d mapped files' objects, then %s\n", nobj, kern_return_name(kr));
	CHECK_EQ(kr, FS_ERR_EDQUOT);
	CHECK_EQ(nobj, QUOTA_MAPS);

	for (n = 0; n < QUOTA_FILES + 8; n++) {
		kr = fsc_open("/docs/01-README", FS_O_RDONLY, 0, &files[n]);
		if (kr != KERN_SUCCESS)
			break;
	}
	CHECK_EQ(kr, FS_ERR_EDQUOT);
	CHECK_EQ(n, QUOTA_FILES - 1);
	CHECK_EQ(fsc_open("/w/over-quota", FS_O_WRONLY | FS_O_CREAT, 0644, &files[n]), FS_ERR_EDQUOT);
	CHECK_EQ(fsc_stat("/w/over-quota", 1, &st), FS_ERR_ENOENT);

	/* the other client, while we stay at our quota */
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &report), KERN_SUCCESS);
	CHECK_EQ(mach_port_insert_right(ME, report, report, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	kr = ns_register(ns, FSQUOTA_PATH, report, &reg);
	mach_port_deallocate(ME, report);	/* ns holds its send right */
	mach_msg_return_t mr = kr == KERN_SUCCESS ? mach_msg(&in.r.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in,
							     report, 20000, MACH_PORT_NULL)
						  : MACH_RCV_INVALID_NAME;
	if (kr == KERN_SUCCESS) {
		ns_unregister(ns, FSQUOTA_PATH, reg);
		mach_port_deallocate(ME, reg);
	}
	mach_port_destroy(ME, report);
	for (int i = 0; i < n; i++)
		fsc_close(files[i]);
	msg_sleep_ms(50);
	CHECK_EQ(kr, KERN_SUCCESS);
	CHECK_EQ(mr, MACH_MSG_SUCCESS);
	CHECK_EQ(in.r.h.msgh_id, FSQUOTA_MSG_ID);
	printf("# the other client: %u files opened, then %s\n", in.r.opened, kern_return_name(in.r.stopped_by));
	CHECK_EQ(in.r.opened, QUOTA_FILES);
	CHECK_EQ(in.r.stopped_by, FS_ERR_EDQUOT);
}

/* A no-senders notification sent by a client, not the kernel, to a file's or an object's port. */
static mach_msg_return_t
forge_no_senders(mach_port_t port)
{
	mach_no_senders_notification_t m;

	memset(&m, 0, sizeof m);
	m.not_header.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.not_header.msgh_size = offsetof(mach_no_senders_notification_t, trailer);
	m.not_header.msgh_remote_port = port;
	m.not_header.msgh_id = MACH_NOTIFY_NO_SENDERS;
	m.not_count = 1;
	return mach_msg(&m.not_header, MACH_SEND_MSG | MACH_SEND_TIMEOUT, m.not_header.msgh_size, 0, MACH_PORT_NULL,
			1000, MACH_PORT_NULL);
}

/* fs believes a no-senders notification only when its port's send rights are really gone. */
static void
a_forged_no_senders_closes_nothing(void)
{
	mach_port_t f, obj;
	uint8_t st[64];
	vm_address_t a = 0;

	CHECK_EQ(fsc_open("/docs/01-README", FS_O_RDONLY, 0, &f), KERN_SUCCESS);
	CHECK_EQ(file_map(f, FALSE, &obj), KERN_SUCCESS);
	CHECK_EQ(forge_no_senders(f), MACH_MSG_SUCCESS);
	CHECK_EQ(forge_no_senders(obj), MACH_MSG_SUCCESS);
	kern_return_t kr = file_stat(f, st);
	kern_return_t mr = vm_map(ME, &a, 4096, 0, TRUE, obj, 0, FALSE, VM_PROT_READ, VM_PROT_READ, VM_INHERIT_NONE);
	uint8_t first = mr == KERN_SUCCESS ? *(volatile uint8_t *)a : 0;	/* fs still pages it */
	if (mr == KERN_SUCCESS)
		vm_deallocate(ME, a, 4096);
	mach_port_deallocate(ME, obj);
	fsc_close(f);
	CHECK_EQ(kr, KERN_SUCCESS);
	CHECK_EQ(mr, KERN_SUCCESS);
	/* /docs/01-README's one byte, as the manifest has it */
	struct entry *e;
	struct md5 m;
	char hex[33];
	CHECK_EQ(load_manifest("/MANIFEST"), KERN_SUCCESS);
	CHECK((e = manifest_find("/docs/01-README")) != NULL);
	md5_init(&m);
	md5_update(&m, &first, 1);
	md5_hex(&m, hex);
	CHECK(strcmp(hex, e->md5) == 0);
}

/*
 * Pager messages are the kernel's: a client holding a writable mapping's
 * object port forges data_return (the page full of 'F', dirty) and
 * data_request (its own port as the control), once while fs idles (its loop
 * serves it) and once just before a read (served while fs settles the
 * object). fs refuses them: the file keeps its bytes, nothing is supplied.
 */
static void
forged_pager_messages_are_refused(void)
{
	mach_port_t f, obj, ctl;
	static uint8_t page[4096], back[4096];
	size_t done = 0;
	struct {
		mach_msg_header_t h;
		uint8_t body[4096 + 256];
	} in;

	memset(page, 'A', sizeof page);
	CHECK_EQ(fsc_open("/w/forge", FS_O_RDWR | FS_O_CREAT | FS_O_TRUNC, 0644, &f), KERN_SUCCESS);
	CHECK_EQ(fsc_write(f, 0, page, sizeof page, &done), KERN_SUCCESS);
	CHECK_EQ(file_map(f, TRUE, &obj), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &ctl), KERN_SUCCESS);
	memset(page, 'F', sizeof page);
	for (int round = 0; round < 2; round++) {
		CHECK_EQ(mach_port_insert_right(ME, ctl, ctl, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
		CHECK_EQ(memory_object_data_return(obj, ctl, 0, page, sizeof page, TRUE, FALSE), KERN_SUCCESS);
		CHECK_EQ(mach_port_insert_right(ME, ctl, ctl, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
		CHECK_EQ(memory_object_data_request(obj, ctl, 0, 4096, VM_PROT_READ), KERN_SUCCESS);
		if (round == 0)
			msg_sleep_ms(200);	/* fs idle: its own loop serves them */
		memset(back, 0, sizeof back);
		CHECK_EQ(fsc_read(f, 0, back, sizeof back, &done), KERN_SUCCESS);
		CHECK_EQ(done, sizeof back);
		CHECK(back[0] == 'A' && memcmp(back, back + 1, sizeof back - 1) == 0);
		/* no data_supply (nor anything else) came to the forger's control port */
		CHECK_EQ(mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, ctl, 100, MACH_PORT_NULL),
			 MACH_RCV_TIMED_OUT);
	}
	mach_port_destroy(ME, ctl);
	mach_port_deallocate(ME, obj);
	fsc_close(f);
	CHECK_EQ(fs_unlink(fs, "/w/forge"), KERN_SUCCESS);
}

/* ext2's free blocks after a sync (what an orphan's blocks come back to). */
static uint64_t
root_bfree(void)
{
	struct fsc_statfs sf = { 0 };

	fs_sync(fs);
	fsc_statfs("/", &sf);
	return sf.bfree;
}

#define GONE_BYTES (128 * 1024)	/* 1 KiB blocks: 128 data blocks and an indirect one */
static void
a_file_unlinked_while_open_lives_until_closed(void)
{
	mach_port_t f, again;
	struct fsc_stat st;
	uint64_t free_open, free_closed = 0;
	size_t done = 0;
	static uint8_t back[GONE_BYTES];

	for (size_t i = 0; i < GONE_BYTES; i++)
		big[i] = (uint8_t)(i * 13 + (i >> 9));
	CHECK_EQ(fsc_open("/w/gone", FS_O_RDWR | FS_O_CREAT | FS_O_TRUNC, 0644, &f), KERN_SUCCESS);
	CHECK_EQ(fsc_write(f, 0, big, GONE_BYTES / 2, &done), KERN_SUCCESS);
	CHECK_EQ(fs_unlink(fs, "/w/gone"), KERN_SUCCESS);
	CHECK_EQ(fsc_open("/w/gone", FS_O_RDONLY, 0, &again), FS_ERR_ENOENT);
	/* no name, still a file: written past its old end and read back whole */
	CHECK_EQ(fsc_write(f, GONE_BYTES / 2, big + GONE_BYTES / 2, GONE_BYTES / 2, &done), KERN_SUCCESS);
	CHECK_EQ(fsc_fstat(f, &st), KERN_SUCCESS);
	CHECK_EQ(st.nlink, 0);
	CHECK_EQ(st.size, GONE_BYTES);
	free_open = root_bfree();
	CHECK_EQ(fsc_read(f, 0, back, GONE_BYTES, &done), KERN_SUCCESS);
	CHECK_EQ(done, GONE_BYTES);
	CHECK(memcmp(back, big, GONE_BYTES) == 0);
	fsc_close(f);
	/* the last port went: its blocks are free (the no-senders may come after a sync) */
	for (int i = 0; i < 100 && free_closed < free_open + GONE_BYTES / 1024; i++) {
		free_closed = root_bfree();
		if (free_closed < free_open + GONE_BYTES / 1024)
			msg_sleep_ms(10);
	}
	CHECK(free_closed >= free_open + GONE_BYTES / 1024);
}

/* FAT's free clusters after a sync. */
static uint64_t
dos_bfree(void)
{
	struct fsc_statfs sf = { 0 };

	fs_sync(fs);
	fsc_statfs("/dos", &sf);
	return sf.bfree;
}

/*
 * n files named by fmt (one %d), 4 KiB each of one letter from first on:
 * made, or (check) read back, compared and removed.
 */
static void
marked_files(const char *fmt, int n, char first, bool check)
{
	static uint8_t mine[4096];
	mach_port_t f;
	size_t done;
	char name[32];

	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof name, fmt, i);
		memset(mine, check ? 0 : first + i, sizeof mine);
		CHECK_EQ(fsc_open(name, check ? FS_O_RDONLY : FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC, 0644, &f),
			 KERN_SUCCESS);
		CHECK_EQ(check ? fsc_read(f, 0, mine, sizeof mine, &done) : fsc_write(f, 0, mine, sizeof mine, &done),
			 KERN_SUCCESS);
		fsc_close(f);
		CHECK_EQ(done, sizeof mine);
		if (check) {
			CHECK(mine[0] == first + i && mine[sizeof mine - 1] == first + i);
			CHECK_EQ(fs_unlink(fs, name), KERN_SUCCESS);
		}
	}
}

/*
 * The same on FAT, which has no inodes: the file's entry lives in fs's memory
 * (servers/fs/fat_held.c) and its number (its entry's place) is not given to
 * the names made meanwhile; its clusters come back at the close, and the
 * host's fsck.fat -n finds the volume clean at the end of the run.
 */
static void
a_fat_file_unlinked_while_open_lives_until_closed(void)
{
	mach_port_t f, again;
	struct fsc_stat st;
	struct fsc_statfs sf = { 0 };
	uint64_t free_open, free_closed = 0, clusters;
	size_t done = 0;
	static uint8_t back[GONE_BYTES];

	CHECK_EQ(fsc_statfs("/dos", &sf), KERN_SUCCESS);
	clusters = GONE_BYTES / sf.bsize;
	for (size_t i = 0; i < GONE_BYTES; i++)
		big[i] = (uint8_t)(i * 29 + (i >> 10));
	CHECK_EQ(fsc_open("/dos/Gone For Now.bin", FS_O_RDWR | FS_O_CREAT | FS_O_TRUNC, 0644, &f), KERN_SUCCESS);
	CHECK_EQ(fsc_write(f, 0, big, GONE_BYTES / 2, &done), KERN_SUCCESS);
	CHECK_EQ(fs_unlink(fs, "/dos/Gone For Now.bin"), KERN_SUCCESS);
	CHECK_EQ(fsc_open("/dos/Gone For Now.bin", FS_O_RDONLY, 0, &again), FS_ERR_ENOENT);
	/* new names in the same folder, written: none takes the open file's place */
	marked_files("/dos/NEW%d.TXT", 6, 'a', false);
	if (failed_line)
		return;
	/* no name, still a file: written past its old end and read back whole */
	CHECK_EQ(fsc_write(f, GONE_BYTES / 2, big + GONE_BYTES / 2, GONE_BYTES / 2, &done), KERN_SUCCESS);
	CHECK_EQ(fsc_fstat(f, &st), KERN_SUCCESS);
	CHECK_EQ(st.nlink, 0);
	CHECK_EQ(st.size, GONE_BYTES);
	free_open = dos_bfree();
	CHECK_EQ(fsc_read(f, 0, back, GONE_BYTES, &done), KERN_SUCCESS);
	CHECK_EQ(done, GONE_BYTES);
	CHECK(memcmp(back, big, GONE_BYTES) == 0);
	fsc_close(f);
	for (int i = 0; i < 100 && free_closed < free_open + clusters; i++) {
		free_closed = dos_bfree();
		if (free_closed < free_open + clusters)
			msg_sleep_ms(10);
	}
	printf("# /dos: %llu clusters free with the unlinked file open, %llu after its close\n",
	       (unsigned long long)free_open, (unsigned long long)free_closed);
	CHECK(free_closed >= free_open + clusters);
	/* the names made meanwhile hold their own bytes */
	marked_files("/dos/NEW%d.TXT", 6, 'a', true);
}

/*
 * A FAT file renamed while open (to another folder, then back to the root)
 * goes on answering through its port, as on ext2: its number is where it was
 * opened (servers/fs/fat_held.c), which a name made meanwhile does not take,
 * and stat by its new name gives that number.
 */
static void
a_fat_file_renamed_while_open_stays_open(void)
{
	mach_port_t f;
	struct fsc_stat st, by_name;
	size_t done = 0;
	static uint8_t back[GONE_BYTES];

	for (size_t i = 0; i < GONE_BYTES; i++)
		big[i] = (uint8_t)(i * 31 + (i >> 11));
	CHECK_EQ(fs_mkdir(fs, "/dos/Moved Here", 0755), KERN_SUCCESS);
	CHECK_EQ(fsc_open("/dos/Before The Move.bin", FS_O_RDWR | FS_O_CREAT | FS_O_TRUNC, 0644, &f),
		 KERN_SUCCESS);
	CHECK_EQ(fsc_write(f, 0, big, GONE_BYTES / 2, &done), KERN_SUCCESS);
	CHECK_EQ(fs_rename(fs, "/dos/Before The Move.bin", "/dos/Moved Here/After.bin"), KERN_SUCCESS);
	CHECK_EQ(fsc_write(f, GONE_BYTES / 2, big + GONE_BYTES / 2, GONE_BYTES / 4, &done), KERN_SUCCESS);
	marked_files("/dos/MOVE%d.TXT", 4, 'p', false);
	if (failed_line)
		return;
	CHECK_EQ(fs_rename(fs, "/dos/Moved Here/After.bin", "/dos/Renamed Twice.bin"), KERN_SUCCESS);
	CHECK_EQ(fsc_write(f, 3 * GONE_BYTES / 4, big + 3 * GONE_BYTES / 4, GONE_BYTES / 4, &done), KERN_SUCCESS);
	CHECK_EQ(fsc_fstat(f, &st), KERN_SUCCESS);
	CHECK_EQ(st.nlink, 1);
	CHECK_EQ(st.size, GONE_BYTES);
	CHECK_EQ(fsc_stat("/dos/Renamed Twice.bin", 1, &by_name), KERN_SUCCESS);
	CHECK_EQ(by_name.ino, st.ino);
	CHECK_EQ(fsc_read(f, 0, back, GONE_BYTES, &done), KERN_SUCCESS);
	CHECK_EQ(done, GONE_BYTES);
	CHECK(memcmp(back, big, GONE_BYTES) == 0);
	fsc_close(f);
	CHECK_EQ(fsc_open("/dos/Renamed Twice.bin", FS_O_RDONLY, 0, &f), KERN_SUCCESS);
	CHECK_EQ(fsc_read(f, 0, back, GONE_BYTES, &done), KERN_SUCCESS);
	fsc_close(f);
	CHECK(done == GONE_BYTES && memcmp(back, big, GONE_BYTES) == 0);
	marked_files("/dos/MOVE%d.TXT", 4, 'p', true);
	if (failed_line)
		return;
	CHECK_EQ(fs_unlink(fs, "/dos/Renamed Twice.bin"), KERN_SUCCESS);
	CHECK_EQ(fs_rmdir(fs, "/dos/Moved Here"), KERN_SUCCESS);
}

/* ---- several clients on one folder ---- */

/*
 * Three clients change one folder of a mount at once (creates, renames of
 * files and of folders into each other, unlinks, mkdir and rmdir) while a
 * fourth reads a big file of the same mount through its cache: the reader
 * holds the mount's guard while it waits for the disk, the clients queue
 * for it, and the guard goes in turn, one library call each, so the calls of
 * one request (a lookup, then a create; a rename's checks, then the rename)
 * meet the others' between them: only the mount's names lock keeps each
 * request whole (with it taken out, the ext2 case fails: a create's answer
 * ECORRUPT, and e2fsck finds the image unclean; the FAT case did not fail in
 * two runs). Every
 * answer must be one the operation may give alone (a create is never EEXIST,
 * a rename never a new name's EEXIST...), and the folder must empty at the end
 * (no cycle of folders); the host's e2fsck and fsck.fat at the end of the run
 * find the images clean.
 */
#define RACE_OPS 150
#define RACE_CLIENTS 3
struct racer {
	const char *top;	/* the folder, "/w/race" */
	uint32_t seed;
	int wrong;		/* answers an operation alone could not give */
	char what[96];		/* the first of them */
	volatile bool *stop;
};

static void
race_wrong(struct racer *r, const char *op, const char *a, kern_return_t kr)
{
	if (r->wrong++ == 0)
		snprintf(r->what, sizeof r->what, "%s %s: %s", op, a, kern_return_name(kr));
}

static bool
race_ok(kern_return_t kr, const kern_return_t *ok)
{
	for (; *ok != (kern_return_t)-1; ok++)
		if (kr == *ok)
			return true;
	return false;
}

static void *
race_client(void *arg)
{
	struct racer *r = arg;
	uint32_t x = r->seed;
	char a[64], b[64];
	static const kern_return_t created[] = { KERN_SUCCESS, -1 },
				   moved[] = { KERN_SUCCESS, FS_ERR_ENOENT, -1 },
				   dir_moved[] = { KERN_SUCCESS, FS_ERR_ENOENT, FS_ERR_EINVAL, FS_ERR_ENOTEMPTY, -1 },
				   removed[] = { KERN_SUCCESS, FS_ERR_ENOENT, -1 },
				   made[] = { KERN_SUCCESS, FS_ERR_EEXIST, -1 },
				   rmdired[] = { KERN_SUCCESS, FS_ERR_ENOENT, FS_ERR_ENOTEMPTY, -1 };

	for (int i = 0; i < RACE_OPS; i++) {
		uint32_t op, m, n;
		kern_return_t kr;
		mach_port_t f;
		size_t done;

		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		op = x % 8, m = (x >> 8) % 6, n = (x >> 16) % 6;
		snprintf(a, sizeof a, "%s/File %u", r->top, m % 3);	/* few names: the clients meet */
		snprintf(b, sizeof b, "%s/File %u", r->top, n % 3);
		switch (op) {
		case 6:
		case 7:
		case 0:
			kr = fsc_open(a, FS_O_RDWR | FS_O_CREAT, 0644, &f);
			if (kr == KERN_SUCCESS) {
				fsc_write(f, 0, "racing", 6, &done);
				fsc_close(f);
			}
			if (!race_ok(kr, created))
				race_wrong(r, "create", a, kr);
			break;
		case 1:
			if (!race_ok(kr = fs_rename(fs, a, b), moved))
				race_wrong(r, "rename to", b, kr);
			break;
		case 2:
			if (!race_ok(kr = fs_unlink(fs, a), removed))
				race_wrong(r, "unlink", a, kr);
			break;
		case 3:	/* one of two folders into the other: never both */
			snprintf(a, sizeof a, "%s/D%u", r->top, m % 2);
			snprintf(b, sizeof b, "%s/D%u/D%u", r->top, 1 - m % 2, m % 2);
			if (!race_ok(kr = fs_rename(fs, a, b), dir_moved))
				race_wrong(r, "rename dir to", b, kr);
			break;
		case 4:	/* and back up */
			snprintf(a, sizeof a, "%s/D%u/D%u", r->top, 1 - m % 2, m % 2);
			snprintf(b, sizeof b, "%s/D%u", r->top, m % 2);
			if (!race_ok(kr = fs_rename(fs, a, b), dir_moved))
				race_wrong(r, "rename dir up to", b, kr);
			break;
		default:
			snprintf(a, sizeof a, "%s/Sub %u", r->top, m % 3);
			kr = n % 2 ? fs_mkdir(fs, a, 0755) : fs_rmdir(fs, a);
			if (!race_ok(kr, n % 2 ? made : rmdired))
				race_wrong(r, n % 2 ? "mkdir" : "rmdir", a, kr);
			break;
		}
	}
	return NULL;
}

struct streamer {
	const char *path;
	volatile bool stop;
	int rounds;
};

static void *
race_stream(void *arg)
{
	struct streamer *s = arg;
	char hex[33];
	uint64_t size;

	while (!s->stop && hash_file(s->path, hex, &size) == KERN_SUCCESS)
		s->rounds++;
	return NULL;
}

/* Empties top (files, and the two folders in whichever order they ended) and removes it. */
static void
race_clean(const char *top)
{
	char a[64];

	for (int i = 0; i < 6; i++) {
		snprintf(a, sizeof a, "%s/File %d", top, i);
		fs_unlink(fs, a);
	}
	for (int i = 0; i < 3; i++) {
		snprintf(a, sizeof a, "%s/Sub %d", top, i);
		fs_rmdir(fs, a);
	}
	for (int i = 0; i < 2; i++) {
		snprintf(a, sizeof a, "%s/D%d/D%d", top, 1 - i, i);
		fs_rmdir(fs, a);
	}
	for (int i = 0; i < 2; i++) {
		snprintf(a, sizeof a, "%s/D%d", top, i);
		fs_rmdir(fs, a);
	}
	CHECK_EQ(fs_rmdir(fs, top), KERN_SUCCESS);
}

/*
 * The streamed file is on the race folder's own mount and every read of it
 * waits for the disk (the root's cache is 256 blocks of 1 KiB; FAT reads
 * whole sectors past its cache), holding the mount's guard meanwhile.
 */
#define RACE_STREAM_BYTES (400 * 1024)
static void
race_on(const char *top)
{
	struct racer r[RACE_CLIENTS];
	char stream[64];
	struct streamer st = { .path = stream, .stop = false };
	cthread_t t[RACE_CLIENTS], ts;
	char d[64];
	mach_port_t f;
	size_t done, stream_bytes = RACE_STREAM_BYTES;
	int wrong = 0;

	CHECK_EQ(fs_mkdir(fs, top, 0755), KERN_SUCCESS);
	for (int i = 0; i < 2; i++) {
		snprintf(d, sizeof d, "%s/D%d", top, i);
		CHECK_EQ(fs_mkdir(fs, d, 0755), KERN_SUCCESS);
	}
	snprintf(stream, sizeof stream, "%s-stream", top);
	for (size_t i = 0; i < stream_bytes; i++)
		big[i] = (uint8_t)(i * 17);
	CHECK_EQ(fsc_open(stream, FS_O_WRONLY | FS_O_CREAT, 0644, &f), KERN_SUCCESS);
	CHECK_EQ(fsc_write(f, 0, big, stream_bytes, &done), KERN_SUCCESS);
	CHECK_EQ(done, stream_bytes);
	fsc_close(f);
	CHECK_EQ(fs_sync(fs), KERN_SUCCESS);
	CHECK_EQ(cthread_fork(&ts, race_stream, &st), KERN_SUCCESS);
	for (int i = 0; i < RACE_CLIENTS; i++) {
		r[i] = (struct racer){ .top = top, .seed = 0x9e3779b9u * (i + 1) };
		CHECK_EQ(cthread_fork(&t[i], race_client, &r[i]), KERN_SUCCESS);
	}
	for (int i = 0; i < RACE_CLIENTS; i++)
		cthread_join(t[i]);
	st.stop = true;
	cthread_join(ts);
	for (int i = 0; i < RACE_CLIENTS; i++) {
		if (r[i].wrong)
			printf("# %s: client %d: %d wrong answers, the first %s\n", top, i, r[i].wrong, r[i].what);
		wrong += r[i].wrong;
	}
	printf("# %s: %d clients, %d operations each, the file read %d times meanwhile\n", top, RACE_CLIENTS,
	       RACE_OPS, st.rounds);
	race_clean(top);
	CHECK_EQ(fs_unlink(fs, stream), KERN_SUCCESS);
	CHECK_EQ(wrong, 0);
}

static void
clients_changing_one_ext2_folder_get_answers_as_alone(void)
{
	race_on("/w/race");
}

static void
clients_changing_one_fat_folder_get_answers_as_alone(void)
{
	race_on("/dos/race");
}

/* ---- named errors ---- */

static void
bad_calls_get_their_named_errors(void)
{
	mach_port_t f, d, w;
	uint8_t b[16];
	mach_msg_type_number_t n = sizeof b;
	uint64_t next;
	uint8_t st[64];
	char target[sizeof(fs_path_t)];
	uint32_t written;

	CHECK_EQ(fs_open(fs, "/docs/01-README", 0x40000000, 0, &f), FS_ERR_EINVAL);
	CHECK_EQ(fs_open(fs, "/docs/01-README", FS_O_ACCMODE, 0, &f), FS_ERR_EINVAL);
	CHECK_EQ(fs_open(fs, "/nothing/here", FS_O_RDONLY, 0, &f), FS_ERR_ENOENT);
	CHECK_EQ(fs_open(fs, "/docs/01-README/x", FS_O_RDONLY, 0, &f), FS_ERR_ENOTDIR);
	CHECK_EQ(fs_open(fs, "/docs", FS_O_WRONLY, 0, &f), FS_ERR_EISDIR);
	CHECK_EQ(fs_open(fs, "/docs/01-README", FS_O_RDONLY | FS_O_DIRECTORY, 0, &f), FS_ERR_ENOTDIR);
	CHECK_EQ(fs_open(fs, "/docs/01-README", FS_O_RDONLY | FS_O_CREAT | FS_O_EXCL, 0644, &f), FS_ERR_EEXIST);
	CHECK_EQ(fs_open(fs, "/symlink", FS_O_RDONLY | FS_O_NOFOLLOW, 0, &f), FS_ERR_ELOOP);
	CHECK_EQ(fs_mkdir(fs, "/docs", 0755), FS_ERR_EEXIST);
	CHECK_EQ(fs_rmdir(fs, "/docs"), FS_ERR_ENOTEMPTY);
	CHECK_EQ(fs_unlink(fs, "/docs"), FS_ERR_EISDIR);
	CHECK_EQ(fs_rename(fs, "/docs/01-README", "/dos/x"), FS_ERR_EXDEV);
	CHECK_EQ(fs_link(fs, "/dos/HELLO.TXT", "/dos/h2"), FS_ERR_ENOENT);
	CHECK_EQ(fs_link(fs, "/dos/MANIFEST", "/dos/h2"), FS_ERR_EPERM);
	CHECK_EQ(fs_link(fs, "/docs/01-README", "/dos/h2"), FS_ERR_EXDEV);
	CHECK_EQ(fs_readlink(fs, "/docs/01-README", target), FS_ERR_EINVAL);
	CHECK_EQ(fs_symlink(fs, "", "/w/empty-link"), FS_ERR_EINVAL);
	CHECK_EQ(fs_unmount(fs, "/"), FS_ERR_EBUSY);
	CHECK_EQ(fs_unmount(fs, "/docs"), FS_ERR_EINVAL);
	CHECK_EQ(fs_mount(fs, "/docs", fs, "ntfs", FALSE), FS_ERR_EINVAL);
	CHECK_EQ(fs_statfs(fs, "/nothing", st), FS_ERR_ENOENT);

	/* on an open file: what it was not opened for */
	CHECK_EQ(fsc_open("/docs/01-README", FS_O_RDONLY, 0, &f), KERN_SUCCESS);
	CHECK_EQ(file_write(f, 0, b, 4, &written), FS_ERR_EBADF);
	CHECK_EQ(file_truncate(f, 0), FS_ERR_EBADF);
	CHECK_EQ(file_read(f, 0, 5000, b, &n), FS_ERR_EINVAL);	/* more than file_data_t holds */
	CHECK_EQ(file_readdir(f, 0, b, &n, &next), FS_ERR_ENOTDIR);
	CHECK_EQ(file_setattr(f, 0x100, 0, 0, 0, 0, 0), FS_ERR_EINVAL);
	CHECK_EQ(file_map(f, TRUE, &d), FS_ERR_EACCES);	/* a writable mapping of a file open for reading */
	/* the service's routines on a file's port, and a file's on the service port */
	CHECK_EQ(fs_sync(f), FS_ERR_EBADF);
	CHECK_EQ(fs_open(f, "/docs", FS_O_RDONLY, 0, &d), FS_ERR_EBADF);
	n = sizeof b;
	CHECK_EQ(file_read(fs, 0, 4, b, &n), FS_ERR_EBADF);
	fsc_close(f);

	CHECK_EQ(fsc_open("/w/wo", FS_O_WRONLY | FS_O_CREAT, 0644, &w), KERN_SUCCESS);
	n = sizeof b;
	CHECK_EQ(file_read(w, 0, 4, b, &n), FS_ERR_EBADF);
	uint8_t *ool = NULL;
	n = 0;
	CHECK_EQ(file_read_ool(w, 0, 4096, &ool, &n), FS_ERR_EBADF);
	fsc_close(w);
	CHECK_EQ(fs_unlink(fs, "/w/wo"), KERN_SUCCESS);
	CHECK_EQ(fsc_open("/docs", FS_O_RDONLY, 0, &d), KERN_SUCCESS);
	n = sizeof b;
	CHECK_EQ(file_read(d, 0, 4, b, &n), FS_ERR_EISDIR);
	CHECK_EQ(file_read_ool(d, 0, 0, &ool, &n), FS_ERR_EINVAL);
	CHECK_EQ(file_map(d, FALSE, &f), FS_ERR_EISDIR);
	fsc_close(d);
}

/*
 * Every routine of fs.defs and fs_file.defs, sent bytes that are not its
 * arguments: MIG_BAD_ARGUMENTS each time, and an id past the last
 * MIG_BAD_ID; fs serves on after all of them.
 */
static void
malformed_requests_get_mig_bad_arguments(void)
{
	/* one buffer: mach_msg receives the reply where the request was */
	union {
		struct {
			mach_msg_header_t h;
			uint32_t junk[2];
		} req;
		mig_reply_error_t r;
		uint8_t b[512];
	} m;
#define req m.req
#define rep m
	mach_port_t f;
	struct {
		mach_port_t port;
		int first, last;
	} ranges[] = { { fs, FS_BASE_ID, FS_BASE_ID + 13 }, { MACH_PORT_NULL, FS_FILE_BASE_ID, FS_FILE_BASE_ID + 9 } };

	CHECK_EQ(fsc_open("/docs/01-README", FS_O_RDONLY, 0, &f), KERN_SUCCESS);
	ranges[1].port = f;
	for (int r = 0; r < 2; r++) {
		for (int id = ranges[r].first; id <= ranges[r].last + 1; id++) {
			mach_port_t reply = mig_get_reply_port();
			memset(&m, 0, sizeof m);
			req.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
			/* four bytes, or eight where four are the arguments (fs_mounts' index, file_map's flag) */
			bool four = (r == 0 && id == FS_MOUNTS_ID) || (r == 1 && id == FILE_MAP_ID);
			mach_msg_size_t size = sizeof req.h + (four ? 8 : 4);
			req.h.msgh_size = size;
			req.h.msgh_remote_port = ranges[r].port;
			req.h.msgh_local_port = reply;
			req.h.msgh_id = id;
			req.junk[0] = req.junk[1] = 0xdeadbeef;
			mach_msg_return_t mr = mach_msg(&req.h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, size,
							sizeof m, reply, 5000, MACH_PORT_NULL);
			if (mr != MACH_MSG_SUCCESS)
				fsc_close(f);
			CHECK_EQ(mr, MACH_MSG_SUCCESS);
			if (rep.r.Head.msgh_id != id + 100) {
				printf("# id %d: reply id %d size %u bits %#x code %d\n", id, rep.r.Head.msgh_id,
				       rep.r.Head.msgh_size, rep.r.Head.msgh_bits, rep.r.RetCode);
				fsc_close(f);
			}
			CHECK_EQ(rep.r.Head.msgh_id, id + 100);
			if (rep.r.RetCode != (id > ranges[r].last ? MIG_BAD_ID : MIG_BAD_ARGUMENTS)) {
				printf("# id %d: %s\n", id, kern_return_name(rep.r.RetCode));
				fsc_close(f);
			}
			CHECK_EQ(rep.r.RetCode, id > ranges[r].last ? MIG_BAD_ID : MIG_BAD_ARGUMENTS);
		}
	}
	fsc_close(f);
	struct fsc_stat st;
	CHECK_EQ(fsc_stat("/MANIFEST", 1, &st), KERN_SUCCESS);
#undef req
#undef rep
}

/* ---- mapped files ---- */

static bool
all_bytes(const uint8_t *p, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/*
 * fs as the pager of a file's memory object: a mapping reads the file (and
 * zeroes past its end); stores through it reach the file at the unmap, never
 * past its end; a read asks the kernel for stores still in a mapping; a
 * file_write is seen by a mapping made before it.
 */
static void
writes_through_a_mapping_reach_the_file(void)
{
	const uint32_t size = 10000, span = 3 * 4096;
	static uint8_t want[10000], got[12288];
	mach_port_t f, obj;
	vm_address_t a = 0;
	size_t n = 0, w = 0;
	uint8_t *p;

	CHECK_EQ(write_at("/mapped", FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC, 0, 99, size), KERN_SUCCESS);
	pattern(want, 99, size);
	CHECK_EQ(fsc_open("/mapped", FS_O_RDWR, 0, &f), KERN_SUCCESS);
	CHECK_EQ(file_map(f, TRUE, &obj), KERN_SUCCESS);
	CHECK_EQ(vm_map(ME, &a, span, 0, TRUE, obj, 0, FALSE, VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL,
			VM_INHERIT_NONE), KERN_SUCCESS);
	p = (uint8_t *)a;
	CHECK(memcmp(p, want, size) == 0);
	CHECK(all_bytes(p + size, 0, span - size));
	memset(p + 100, 0xA5, 100);
	memset(p + 8000, 0x5A, 100);
	memset(p + 11000, 0x77, 10);	/* past the end: not the file's */
	memset(want + 100, 0xA5, 100);
	memset(want + 8000, 0x5A, 100);
	CHECK_EQ(vm_deallocate(ME, a, span), KERN_SUCCESS);
	mach_port_deallocate(ME, obj);
	CHECK_EQ(fsc_read(f, 0, got, sizeof got, &n), KERN_SUCCESS);
	CHECK_EQ(n, size);
	CHECK(memcmp(got, want, size) == 0);

	/* mapped again: a store still in the mapping is what a read sees; a write is what the mapping sees */
	a = 0;
	CHECK_EQ(file_map(f, TRUE, &obj), KERN_SUCCESS);
	CHECK_EQ(vm_map(ME, &a, span, 0, TRUE, obj, 0, FALSE, VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL,
			VM_INHERIT_NONE), KERN_SUCCESS);
	p = (uint8_t *)a;
	CHECK(memcmp(p, want, size) == 0);
	p[5000] = 0x33;
	CHECK_EQ(fsc_read(f, 5000, got, 1, &n), KERN_SUCCESS);
	CHECK_EQ(got[0], 0x33);
	CHECK_EQ(fsc_write(f, 6000, "hello", 5, &w), KERN_SUCCESS);
	CHECK(memcmp(p + 6000, "hello", 5) == 0);
	CHECK_EQ(p[5000], 0x33);
	/* a second mapping of the one object (file_map again) shares its pages: each sees the other's stores */
	mach_port_t obj2;
	vm_address_t a2 = 0;
	CHECK_EQ(file_map(f, TRUE, &obj2), KERN_SUCCESS);
	CHECK_EQ(obj2, obj);	/* one object per file: the same port */
	CHECK_EQ(vm_map(ME, &a2, span, 0, TRUE, obj2, 0, FALSE, VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL,
			VM_INHERIT_NONE), KERN_SUCCESS);
	CHECK(a2 != a);
	((volatile uint8_t *)a2)[7000] = 0x44;
	CHECK_EQ(p[7000], 0x44);
	p[7001] = 0x55;
	CHECK_EQ(((volatile uint8_t *)a2)[7001], 0x55);
	CHECK_EQ(vm_deallocate(ME, a2, span), KERN_SUCCESS);
	mach_port_deallocate(ME, obj2);
	CHECK_EQ(vm_deallocate(ME, a, span), KERN_SUCCESS);
	mach_port_deallocate(ME, obj);
	CHECK_EQ(fsc_read(f, 7000, got, 2, &n), KERN_SUCCESS);
	CHECK_EQ(got[0], 0x44);
	CHECK_EQ(got[1], 0x55);
	fsc_close(f);
	CHECK_EQ(fs_unlink(fs, "/mapped"), KERN_SUCCESS);
}

/*
 * Two tasks mapping one file share its pages: ours, and a child's (an empty
 * task we map the object into, and read and write through the kernel:
 * vm_read, vm_write). Each sees the other's stores, and read() sees both
 * once the child is gone and our mapping is unmapped.
 */
static void
two_tasks_mapping_one_file_see_each_others_stores(void)
{
	const uint32_t span = 2 * 4096;
	mach_port_t f, obj, child;
	vm_address_t a = 0, c = 0, b = 0;
	mach_msg_type_number_t n = 0;
	uint8_t page[4096], got[2];
	size_t done = 0;
	kern_return_t kr;

	CHECK_EQ(write_at("/mapped2", FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC, 0, 5, span), KERN_SUCCESS);
	CHECK_EQ(fsc_open("/mapped2", FS_O_RDWR, 0, &f), KERN_SUCCESS);
	CHECK_EQ(file_map(f, TRUE, &obj), KERN_SUCCESS);
	CHECK_EQ(task_create(ME, FALSE, &child), KERN_SUCCESS);
	kr = vm_map(ME, &a, span, 0, TRUE, obj, 0, FALSE, VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL, VM_INHERIT_NONE);
	if (kr == KERN_SUCCESS)
		kr = vm_map(child, &c, span, 0, TRUE, obj, 0, FALSE, VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL,
			    VM_INHERIT_NONE);
	mach_port_deallocate(ME, obj);
	if (kr == KERN_SUCCESS) {
		((volatile uint8_t *)a)[10] = 0xC1;	/* ours, seen in the child's */
		kr = vm_read(child, c, 4096, &b, &n);
	}
	if (kr == KERN_SUCCESS) {
		memcpy(page, (void *)b, sizeof page);
		vm_deallocate(ME, b, n);
		uint8_t mine = page[10];
		memcpy(page, (void *)a + 4096, sizeof page);	/* the child's store, through our second page */
		page[20] = 0xC2;
		kr = vm_write(child, c + 4096, (vm_offset_t)page, sizeof page);
		if (kr == KERN_SUCCESS && (mine != 0xC1 || ((volatile uint8_t *)a)[4096 + 20] != 0xC2))
			kr = KERN_FAILURE;
	}
	task_terminate(child);
	wait_dead_name(child);
	mach_port_deallocate(ME, child);
	if (a)
		vm_deallocate(ME, a, span);
	CHECK_EQ(kr, KERN_SUCCESS);
	CHECK_EQ(fsc_read(f, 10, got, 1, &done), KERN_SUCCESS);
	CHECK_EQ(got[0], 0xC1);
	CHECK_EQ(fsc_read(f, 4096 + 20, got, 1, &done), KERN_SUCCESS);
	CHECK_EQ(got[0], 0xC2);
	fsc_close(f);
	CHECK_EQ(fs_unlink(fs, "/mapped2"), KERN_SUCCESS);
}

/* A file open for reading maps read-only, and reads as the file. */
static void
a_file_open_for_reading_maps_read_only(void)
{
	mach_port_t f, obj;
	vm_address_t a = 0;
	struct entry *e;
	char hex[33];
	struct md5 m;

	CHECK_EQ(load_manifest("/MANIFEST"), KERN_SUCCESS);
	CHECK((e = manifest_find("/src/15-data.bin")) != NULL);
	CHECK_EQ(fsc_open("/src/15-data.bin", FS_O_RDONLY, 0, &f), KERN_SUCCESS);
	CHECK_EQ(file_map(f, FALSE, &obj), KERN_SUCCESS);
	fsc_close(f);	/* the object outlives the open file */
	CHECK_EQ(vm_map(ME, &a, (e->size + 4095) & ~4095u, 0, TRUE, obj, 0, FALSE, VM_PROT_READ, VM_PROT_READ,
			VM_INHERIT_NONE), KERN_SUCCESS);
	mach_port_deallocate(ME, obj);
	md5_init(&m);
	md5_update(&m, (void *)a, e->size);
	md5_hex(&m, hex);
	CHECK_EQ(vm_deallocate(ME, a, (e->size + 4095) & ~4095u), KERN_SUCCESS);
	CHECK(strcmp(hex, e->md5) == 0);
}

/* ---- the driver killed ---- */

struct held_read {
	char hex[33];
	uint64_t size, took_ms;
	kern_return_t kr;
};

static void *
read_big(void *arg)
{
	struct held_read *r = arg;
	uint64_t t0 = now_ms();

	r->kr = hash_file("/spare/big", r->hex, &r->size);
	r->took_ms = now_ms() - t0;
	return NULL;
}

/*
 * The held block alone (fsimg.py: logical block 128 of /big, 4 KiB blocks),
 * by one read that starts there: not a file read in order, so no read-ahead
 * comes with it and the held sector is the read's own, whatever the cache's
 * runs (a read-ahead run's error is a hint the read that wants the block
 * retries, three sends of its own).
 */
#define BIG_HELD_OFF (128u * 4096u)

static void *
read_held_block(void *arg)
{
	struct held_read *r = arg;
	static uint8_t block[4096];
	uint64_t t0 = now_ms();
	size_t got = 0;
	mach_port_t f;

	r->kr = fsc_open("/spare/big", FS_O_RDONLY, 0, &f);
	if (r->kr == KERN_SUCCESS) {
		r->kr = fsc_read(f, BIG_HELD_OFF, block, sizeof block, &got);
		r->size = got;
		fsc_close(f);
	}
	r->took_ms = now_ms() - t0;
	return NULL;
}

static kern_return_t
kill_task(const char *name)
{
	char path[64];
	mach_port_t task = MACH_PORT_NULL;
	kern_return_t kr;

	snprintf(path, sizeof path, "/tasks/%s", name);
	if ((kr = ns_lookup(ns, path, &task)) != KERN_SUCCESS)
		return kr;
	kr = task_terminate(task);
	wait_dead_name(task);
	mach_port_deallocate(ME, task);
	return kr;
}

/*
 * The PIO driver holds a read of a sector of /spare/big for BLK_HOLD_MS
 * (hold= on its line) and is killed holding it: fs's disk sends the request
 * again to the next instance, which holds it too and answers, so the file
 * reads back whole and right, in more than one hold's time.
 */
static void
a_read_the_killed_driver_held_is_sent_again(void)
{
	struct held_read r = { .kr = KERN_FAILURE };
	struct entry *e;
	cthread_t t;

	CHECK_EQ(load_manifest("/spare/MANIFEST"), KERN_SUCCESS);
	CHECK((e = manifest_find("/big")) != NULL);
	CHECK_EQ(cthread_fork(&t, read_big, &r), KERN_SUCCESS);
	msg_sleep_ms(BLK_HOLD_MS / 2);
	kern_return_t kr = kill_task("ata_pio");
	cthread_join(t);
	CHECK_EQ(kr, KERN_SUCCESS);
	printf("# /spare/big: %s after %llu ms\n", kern_return_name(r.kr), (unsigned long long)r.took_ms);
	CHECK_EQ(r.kr, KERN_SUCCESS);
	CHECK_EQ(r.size, e->size);
	CHECK(strcmp(r.hex, e->md5) == 0);
	CHECK(r.took_ms >= BLK_HOLD_MS + BLK_HOLD_MS / 2);
}

/* The driver task now running as /tasks/name, waited for until it is not `not` (MACH_PORT_NULL: any). */
static mach_port_t
driver_task(const char *name, mach_port_t not, uint32_t wait_ms)
{
	char path[64];
	mach_port_t task = MACH_PORT_NULL;

	snprintf(path, sizeof path, "/tasks/%s", name);
	for (uint64_t t0 = now_ms(); now_ms() - t0 < wait_ms; msg_sleep_ms(20)) {
		if (ns_lookup(ns, path, &task) == KERN_SUCCESS) {
			if (task != not)
				return task;
			mach_port_deallocate(ME, task);
		}
	}
	return MACH_PORT_NULL;
}

/*
 * The PIO driver killed three times, each instance holding fs's read of
 * /spare/big's held block (freshly mounted: nothing cached): fs sends it at
 * most three times, so the third death fails the read with EIO, a named
 * error, and never with bytes; the next instance serves the whole file.
 */
static void
a_read_whose_driver_dies_three_times_fails_with_eio(void)
{
	struct held_read r = { .kr = KERN_FAILURE };
	mach_port_t disk, task = MACH_PORT_NULL;
	cthread_t t;
	kern_return_t kr = KERN_SUCCESS;
	int kills = 0;

	CHECK_EQ(load_manifest("/spare/MANIFEST"), KERN_SUCCESS);
	CHECK_EQ(fs_unmount(fs, "/spare"), KERN_SUCCESS);
	CHECK_EQ(ns_lookup(ns, "/servers/hd1", &disk), KERN_SUCCESS);
	kr = fs_mount(fs, "/spare", disk, "ext2", TRUE);
	mach_port_deallocate(ME, disk);
	CHECK_EQ(kr, KERN_SUCCESS);
	CHECK_EQ(cthread_fork(&t, read_held_block, &r), KERN_SUCCESS);
	for (; kills < 3 && kr == KERN_SUCCESS; kills++) {
		mach_port_t next = driver_task("ata_pio", task, 5000);
		if (MACH_PORT_VALID(task))
			mach_port_deallocate(ME, task);
		task = next;
		if (!MACH_PORT_VALID(task)) {
			kr = KERN_FAILURE;
			break;
		}
		/* the instance took the request and holds it (BLK_HOLD_MS): a new one starts in ~200 ms */
		msg_sleep_ms(kills == 0 ? BLK_HOLD_MS / 2 : BLK_HOLD_MS * 3 / 5);
		kr = task_terminate(task);
		wait_dead_name(task);
	}
	if (MACH_PORT_VALID(task))
		mach_port_deallocate(ME, task);
	cthread_join(t);
	printf("# /spare/big's held block with %d kills: %s after %llu ms\n", kills, kern_return_name(r.kr),
	       (unsigned long long)r.took_ms);
	CHECK_EQ(kr, KERN_SUCCESS);
	CHECK_EQ(r.kr, FS_ERR_EIO);
	/* the fourth instance answers */
	struct entry *e = manifest_find("/big");
	CHECK(e != NULL);
	r.kr = KERN_FAILURE;
	read_big(&r);
	CHECK_EQ(r.kr, KERN_SUCCESS);
	CHECK(strcmp(r.hex, e->md5) == 0);
}

/* ---- a disk that stops answering ---- */

/*
 * The fake disk: block.defs served by a thread of ours (libmsg's blk_serve)
 * over the FAT12 volume at 8 MiB of hd1, read-only, that stops answering
 * while fake_stalled: the request it holds, and every one queued behind it,
 * wait.
 */
static mach_port_t fake_backing;
static volatile bool fake_stalled;

static kern_return_t
fake_transfer(bool write, uint64_t lba, uint32_t count, void *buf)
{
	while (fake_stalled)
		msg_sleep_ms(20);
	if (write)
		return BLK_READ_ONLY;
	return blk_read_sectors(fake_backing, SPARE_FAT_LBA + lba, count, buf);
}

static kern_return_t
fake_flush(void)
{
	return KERN_SUCCESS;
}

static struct blk_disk fake_disk = {
	.sectors = SPARE_FAT_SECTORS,
	.read_only = true,
	.name = "fake disk (stalls)",
	.transfer = fake_transfer,
	.flush = fake_flush,
};

static void *
fake_serve(void *port)
{
	blk_serve((mach_port_t)(uintptr_t)port);	/* until the port is destroyed */
	return NULL;
}

/*
 * A second client while fs waits for a disk: a thread of ours that lists /
 * (open, readdir, close) again and again until told to stop, counting the
 * listings that came back right and the longest one.
 */
struct lister {
	volatile bool stop;
	volatile int answers, errors;
	volatile uint64_t longest_ms;
};

static void *
list_root(void *arg)
{
	struct lister *l = arg;
	static uint8_t ents[sizeof(file_dirents_t)];

	while (!l->stop) {
		mach_msg_type_number_t n = sizeof ents;
		uint64_t next, t0 = now_ms(), took;
		mach_port_t d;
		kern_return_t kr = fsc_open("/", FS_O_RDONLY | FS_O_DIRECTORY, 0, &d);

		if (kr == KERN_SUCCESS) {
			kr = file_readdir(d, 0, ents, &n, &next);
			fsc_close(d);
		}
		took = now_ms() - t0;
		if (kr == KERN_SUCCESS && n > 0)
			l->answers++;
		else
			l->errors++;
		if (took > l->longest_ms)
			l->longest_ms = took;
		msg_sleep_ms(10);
	}
	return NULL;
}

/*
 * fs on a disk that stops answering: a mount on a port that never answers
 * fails with ETIMEDOUT; a read on a mounted disk that stalls fails with
 * ETIMEDOUT after fs's disk_timeout (the suite's: 5 s), then fs serves its
 * other mounts at once, the stalled one's calls fail at once, and it unmounts.
 * Meanwhile fs answers other clients: a thread listing / gets its answers
 * all through the mount's 10 s and the read's 5 s (fs lets go of its lock
 * while it waits for a disk; a single-threaded fs answered none until then).
 */
static void
a_disk_that_never_answers_times_out(void)
{
	mach_port_t fake, silent, f = MACH_PORT_NULL, d;
	static struct lister lister;
	int before, during;
	cthread_t t, lt;
	static uint8_t ents[sizeof(file_dirents_t)];
	mach_msg_type_number_t n = sizeof ents;
	uint64_t next, t0, took, size;
	char name[300] = "", hex[33];
	static uint8_t buf[4096];
	size_t done = 0;
	kern_return_t kr;

	CHECK_EQ(fs_mkdir(fs, "/stuck", 0755), KERN_SUCCESS);
	/* a port nobody receives on: blk_info's waittime */
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &silent), KERN_SUCCESS);
	CHECK_EQ(mach_port_insert_right(ME, silent, silent, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	lister = (struct lister){ 0 };
	CHECK_EQ(cthread_fork(&lt, list_root, &lister), KERN_SUCCESS);
	msg_sleep_ms(100);
	t0 = now_ms();
	before = lister.answers;
	kr = fs_mount(fs, "/stuck", silent, "fat", TRUE);
	during = lister.answers - before;
	lister.stop = true;
	cthread_join(lt);
	printf("# a mount on a silent port: %s after %llu ms; meanwhile / listed %d times, the longest %llu ms\n",
	       kern_return_name(kr), (unsigned long long)(now_ms() - t0), during,
	       (unsigned long long)lister.longest_ms);
	mach_port_destroy(ME, silent);
	CHECK_EQ(kr, FS_ERR_ETIMEDOUT);
	CHECK(during >= 20);	/* about one every 10 ms for 10 s */
	CHECK_EQ(lister.errors, 0);

	CHECK_EQ(ns_lookup(ns, "/servers/hd1", &fake_backing), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &fake), KERN_SUCCESS);
	CHECK_EQ(mach_port_insert_right(ME, fake, fake, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	blk_disk = &fake_disk;
	fake_stalled = false;
	CHECK_EQ(cthread_fork(&t, fake_serve, (void *)(uintptr_t)fake), KERN_SUCCESS);
	CHECK_EQ(fs_mount(fs, "/stuck", fake, "fat", TRUE), KERN_SUCCESS);
	/* a file of the volume, found and opened before the stall (its data not read yet) */
	CHECK_EQ(fsc_open("/stuck", FS_O_RDONLY | FS_O_DIRECTORY, 0, &d), KERN_SUCCESS);
	kr = file_readdir(d, 0, ents, &n, &next);
	fsc_close(d);
	CHECK_EQ(kr, KERN_SUCCESS);
	for (uint32_t pos = 0; pos + FSC_DIRENT_HEADER <= n && !name[0];) {
		uint32_t type, len;
		memcpy(&type, ents + pos + 8, 4);
		memcpy(&len, ents + pos + 12, 4);
		if ((type & 0170000) == 0100000 && len < 200)
			snprintf(name, sizeof name, "/stuck/%.*s", (int)len, (char *)ents + pos + FSC_DIRENT_HEADER);
		pos += FSC_DIRENT_HEADER + ((len + 3) & ~3u);
	}
	CHECK(name[0] != 0);
	CHECK_EQ(fsc_open(name, FS_O_RDONLY, 0, &f), KERN_SUCCESS);

	lister = (struct lister){ 0 };
	CHECK_EQ(cthread_fork(&lt, list_root, &lister), KERN_SUCCESS);
	msg_sleep_ms(100);
	fake_stalled = true;
	t0 = now_ms();
	before = lister.answers;
	kr = fsc_read(f, 0, buf, sizeof buf, &done);
	during = lister.answers - before;
	took = now_ms() - t0;
	lister.stop = true;
	cthread_join(lt);
	printf("# read of %s on the stalled disk: %s after %llu ms; meanwhile / listed %d times, the longest %llu ms\n",
	       name, kern_return_name(kr), (unsigned long long)took, during, (unsigned long long)lister.longest_ms);
	CHECK_EQ(kr, FS_ERR_ETIMEDOUT);
	CHECK(took >= 4000 && took < 30000);
	CHECK(during >= 20);	/* about one every 10 ms for 5 s */
	CHECK_EQ(lister.errors, 0);
	/* fs goes on: the other mounts answer, and hash right */
	t0 = now_ms();
	CHECK_EQ(hash_file("/docs/01-README", hex, &size), KERN_SUCCESS);
	took = now_ms() - t0;
	CHECK_EQ(load_manifest("/MANIFEST"), KERN_SUCCESS);
	struct entry *e = manifest_find("/docs/01-README");
	CHECK(e != NULL && strcmp(hex, e->md5) == 0);
	CHECK(took < 2000);
	/* and the stalled disk's calls fail at once */
	t0 = now_ms();
	CHECK_EQ(fsc_read(f, 0, buf, sizeof buf, &done), FS_ERR_ETIMEDOUT);
	took = now_ms() - t0;
	printf("# again: %s after %llu ms\n", "FS_ERR_ETIMEDOUT", (unsigned long long)took);
	CHECK(took < 2000);
	fsc_close(f);
	CHECK_EQ(fs_unmount(fs, "/stuck"), KERN_SUCCESS);
	CHECK_EQ(fs_rmdir(fs, "/stuck"), KERN_SUCCESS);
	fake_stalled = false;
	mach_port_destroy(ME, fake);	/* the fake's loop ends */
	cthread_join(t);
	mach_port_deallocate(ME, fake_backing);
}

/* ---- corrupt volumes ---- */

static mach_port_t held_file;	/* open across the corrupt cases: a restarted fs would have lost it */

struct corrupt_stats {
	int refused, mounted, errors, calls;
};

/* Every call a walk of a corrupt tree makes must succeed or give a named fs error. */
static bool
walk_corrupt(const char *path, int depth, struct corrupt_stats *cs)
{
	static uint8_t buf[sizeof(file_dirents_t)];
	mach_port_t dir;
	uint64_t cookie = 0;
	kern_return_t kr = fsc_open(path, FS_O_RDONLY | FS_O_DIRECTORY, 0, &dir);

	cs->calls++;
	if (kr != KERN_SUCCESS) {
		cs->errors++;
		return fs_named(kr);
	}
	for (int rounds = 0; rounds < 64; rounds++) {
		mach_msg_type_number_t size = sizeof buf;
		uint64_t next = 0;
		size_t pos = 0;
		struct fsc_dirent d;
		uint8_t names[16][64];
		int nn = 0;

		kr = file_readdir(dir, cookie, buf, &size, &next);
		cs->calls++;
		if (kr != KERN_SUCCESS) {
			cs->errors++;
			fsc_close(dir);
			return fs_named(kr);
		}
		if (size == 0)
			break;
		while (fsc_dirent_next(buf, size, &pos, &d) == 1 && nn < 16)
			snprintf((char *)names[nn++], sizeof names[0], "%s", d.name);
		for (int i = 0; i < nn; i++) {
			char child[600];
			struct fsc_stat st;
			mach_port_t f;
			size_t got;
			snprintf(child, sizeof child, "%s/%s", path, names[i]);
			kr = fsc_stat(child, 0, &st);
			cs->calls++;
			if (kr != KERN_SUCCESS) {
				cs->errors++;
				if (!fs_named(kr))
					goto bad;
				continue;
			}
			if ((st.mode & 0170000) == 0040000 && depth < 6) {
				if (!walk_corrupt(child, depth + 1, cs))
					goto bad;
			} else if ((st.mode & 0170000) == 0100000) {
				kr = fsc_open(child, FS_O_RDONLY, 0, &f);
				cs->calls++;
				if (kr == KERN_SUCCESS) {
					kr = fsc_read(f, 0, big, 65536, &got);
					cs->calls++;
					fsc_close(f);
				}
				if (kr != KERN_SUCCESS) {
					cs->errors++;
					if (!fs_named(kr))
						goto bad;
				}
			}
		}
		if (next == cookie)
			break;
		cookie = next;
	}
	fsc_close(dir);
	return true;
bad:
	printf("# %s: %s\n", path, kern_return_name(kr));
	fsc_close(dir);
	return false;
}

/*
 * Random bytes written into the first CORRUPT_REGION sectors of hd1 (where
 * the superblock, descriptors, bitmaps, inode table, tables and first
 * folders are), the volume mounted read-only at /bad and walked, then the
 * sectors put back: CORRUPT_RUNS times.
 */
static void
corrupt_runs(const char *type)
{
	mach_port_t disk;
	uint8_t *save = malloc(CORRUPT_REGION * 512), sector[512];
	struct corrupt_stats cs = { 0 };
	uint8_t st[64];
	bool all_named = true;
	static uint16_t used[CORRUPT_REGION];
	int nused = 0, nlow = 0;

	CHECK(save != NULL);
	CHECK_EQ(ns_lookup(ns, "/servers/hd1", &disk), KERN_SUCCESS);
	if (blk_read_sectors(disk, 0, CORRUPT_REGION, save) != KERN_SUCCESS) {
		free(save);
		mach_port_deallocate(ME, disk);
		CHECK(false);
	}
	for (uint32_t i = 0; i < CORRUPT_REGION; i++)
		for (uint32_t j = 0; j < 512; j++)
			if (save[i * 512 + j]) {
				used[nused++] = (uint16_t)i;
				break;
			}
	while (nlow < nused && used[nlow] < 64)
		nlow++;
	printf("# %s: %d of the first %u sectors hold something, %d of the first 64\n", type, nused,
	       CORRUPT_REGION, nlow);
	for (int run = 0; run < CORRUPT_RUNS && all_named && nused > 0; run++) {
		uint32_t touched[16];
		int n = 4 + (int)(rnd() % 12);
		kern_return_t kr;

		for (int i = 0; i < n; i++) {
			/* sectors that hold something: metadata, mostly (an empty sector's change means little) */
			touched[i] = used[rnd() % nused];
			if ((i & 1) && nlow > 0)
				touched[i] = used[rnd() % nlow];	/* boot sector, superblock, descriptors, tables */
			memcpy(sector, save + touched[i] * 512, 512);
			uint32_t off = rnd() % 512, len = 1 + rnd() % 48;
			for (uint32_t j = 0; j < len && off + j < 512; j++)
				sector[off + j] = (uint8_t)rnd();
			blk_write_sectors(disk, touched[i], 1, sector);
		}
		kr = fs_mount(fs, "/bad", disk, type, TRUE);
		if (kr == KERN_SUCCESS) {
			cs.mounted++;
			all_named = walk_corrupt("/bad", 0, &cs);
			kr = fs_unmount(fs, "/bad");
			if (kr != KERN_SUCCESS)
				all_named = false;
		} else {
			cs.refused++;
			if (!fs_named(kr)) {
				printf("# run %d: the mount gave %s\n", run, kern_return_name(kr));
				all_named = false;
			}
		}
		for (int i = 0; i < n; i++)
			blk_write_sectors(disk, touched[i], 1, save + touched[i] * 512);
	}
	free(save);
	printf("# %s: %d corrupt volumes: %d refused at mount, %d mounted and walked; %d calls, %d named errors\n",
	       type, CORRUPT_RUNS, cs.refused, cs.mounted, cs.calls, cs.errors);
	CHECK(all_named);
	/* the fs that answered all that is the one that opened held_file */
	CHECK_EQ(file_stat(held_file, st), KERN_SUCCESS);
	/* and the volume as made mounts and reads */
	CHECK_EQ(fs_mount(fs, "/bad", disk, type, TRUE), KERN_SUCCESS);
	mach_port_deallocate(ME, disk);
	CHECK_EQ(fs_statfs(fs, "/bad", st), KERN_SUCCESS);
	CHECK_EQ(fs_unmount(fs, "/bad"), KERN_SUCCESS);
}

static void
corrupt_ext2_volumes_give_errors_not_a_crash(void)
{
	CHECK_EQ(fs_unmount(fs, "/spare"), KERN_SUCCESS);
	corrupt_runs("ext2");
}

static void
corrupt_fat_volumes_give_errors_not_a_crash(void)
{
	mach_port_t disk;
	static uint8_t chunk[BLK_MAX_BYTES];
	kern_return_t kr = KERN_SUCCESS;

	CHECK_EQ(ns_lookup(ns, "/servers/hd1", &disk), KERN_SUCCESS);
	/* the FAT12 volume at 8 MiB, copied over the start of the disk */
	for (uint32_t s = 0; s < SPARE_FAT_SECTORS && kr == KERN_SUCCESS; s += BLK_MAX_SECTORS) {
		kr = blk_read_sectors(disk, SPARE_FAT_LBA + s, BLK_MAX_SECTORS, chunk);
		if (kr == KERN_SUCCESS)
			kr = blk_write_sectors(disk, s, BLK_MAX_SECTORS, chunk);
	}
	mach_port_deallocate(ME, disk);
	CHECK_EQ(kr, KERN_SUCCESS);
	corrupt_runs("fat");
}

static void
unmount_and_sync_leave_the_disks_whole(void)
{
	struct fsc_stat st;

	CHECK_EQ(fs_unmount(fs, "/dos"), KERN_SUCCESS);
	CHECK_EQ(fsc_stat("/dos/MANIFEST", 1, &st), FS_ERR_ENOENT);
	CHECK_EQ(fs_sync(fs), KERN_SUCCESS);
}

static const struct test tests[] = {
	{ "ext2_every_file_reads_back_byte_for_byte", ext2_every_file_reads_back_byte_for_byte },
	{ "fat_every_file_reads_back_byte_for_byte", fat_every_file_reads_back_byte_for_byte },
	{ "stat_gives_ext2_hard_links_two_names", stat_gives_ext2_hard_links_two_names },
	{ "workload_runs_on_ext2", workload_runs_on_ext2 },
	{ "workload_runs_on_fat", workload_runs_on_fat },
	{ "open_files_are_ports_released_on_no_senders", open_files_are_ports_released_on_no_senders },
	{ "a_client_at_its_quota_leaves_room_for_others", a_client_at_its_quota_leaves_room_for_others },
	{ "a_forged_no_senders_closes_nothing", a_forged_no_senders_closes_nothing },
	{ "forged_pager_messages_are_refused", forged_pager_messages_are_refused },
	{ "a_file_unlinked_while_open_lives_until_closed", a_file_unlinked_while_open_lives_until_closed },
	{ "a_fat_file_unlinked_while_open_lives_until_closed", a_fat_file_unlinked_while_open_lives_until_closed },
	{ "a_fat_file_renamed_while_open_stays_open", a_fat_file_renamed_while_open_stays_open },
	{ "clients_changing_one_ext2_folder_get_answers_as_alone", clients_changing_one_ext2_folder_get_answers_as_alone },
	{ "clients_changing_one_fat_folder_get_answers_as_alone", clients_changing_one_fat_folder_get_answers_as_alone },
	{ "bad_calls_get_their_named_errors", bad_calls_get_their_named_errors },
	{ "malformed_requests_get_mig_bad_arguments", malformed_requests_get_mig_bad_arguments },
	{ "writes_through_a_mapping_reach_the_file", writes_through_a_mapping_reach_the_file },
	{ "two_tasks_mapping_one_file_see_each_others_stores", two_tasks_mapping_one_file_see_each_others_stores },
	{ "a_file_open_for_reading_maps_read_only", a_file_open_for_reading_maps_read_only },
	{ "a_read_the_killed_driver_held_is_sent_again", a_read_the_killed_driver_held_is_sent_again },
	{ "a_read_whose_driver_dies_three_times_fails_with_eio", a_read_whose_driver_dies_three_times_fails_with_eio },
	{ "a_disk_that_never_answers_times_out", a_disk_that_never_answers_times_out },
	{ "corrupt_ext2_volumes_give_errors_not_a_crash", corrupt_ext2_volumes_give_errors_not_a_crash },
	{ "corrupt_fat_volumes_give_errors_not_a_crash", corrupt_fat_volumes_give_errors_not_a_crash },
	{ "unmount_and_sync_leave_the_disks_whole", unmount_and_sync_leave_the_disks_whole },
};

/* Our own names only: fs's memory (its caches) grows as it reads, and is not ours to check. */
static uint32_t names_before;
static void
leaks_before(void)
{
	names_before = port_name_count();
}
static const char *
leaks_after(long long *delta)
{
	uint32_t now = port_name_count();

	*delta = (long long)now - names_before;
	return now == names_before ? NULL : "names were left in our space";
}
static const struct leak_check leaks = { leaks_before, leaks_after };

int
main(int argc, char **argv)
{
	task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns);
	big = malloc(BIG);
	fs = fsc_server();
	if (!MACH_PORT_VALID(fs) || !big) {
		printf("fs-guest: no file server\nfs-guest: 0 passed, 1 failed\n");
		return 1;
	}
	suite_seed(0x5eed);
	/* what the calls make once (reply ports), before the first leak check counts names */
	struct fsc_stat st;
	uint8_t *ool = NULL;
	mach_msg_type_number_t n = 0;
	if (fsc_open("/docs/01-README", FS_O_RDONLY, 0, &held_file) != KERN_SUCCESS || fsc_stat("/", 1, &st) ||
	    file_read_ool(held_file, 0, 1, &ool, &n) != KERN_SUCCESS) {
		printf("fs-guest: fs does not answer\nfs-guest: 0 passed, 1 failed\n");
		trap_debug_exit(0x11);
	}
	vm_deallocate(ME, (vm_address_t)ool, n);
	mig_get_reply_port();
	printf("# fs-guest: the fs server answers\n");	/* stdio's first line makes its ports */
	int fail = run_suite("fs-guest", tests, (int)(sizeof tests / sizeof *tests), &leaks);
	fsc_close(held_file);
	trap_debug_exit(fail ? 0x11 : 0x10);
	return fail;
}
