/*
 * fs, the file server (servers/fs/README.md). Mounts the file systems its
 * module line names, checks in as /servers/fs, then serves fs.defs on its
 * service port, fs_file.defs on every open file's port and memory_object.defs
 * on every mapped file's object port (pager.c), all in one port set, by
 * SRV_THREADS threads under one lock (srv.h): the library (vfs.c, the file
 * systems, the caches) is single-threaded, and a thread lets go of the lock
 * only while it waits for a disk, whose mount its guard keeps to itself
 * meanwhile. The module line:
 *
 *   root=DISK         the disk mounted at / (a block driver's name in ns:
 *                     /servers/vd0); without it fs serves with no root until
 *                     an fs_mount of "/"
 *   rootfs=TYPE       ext2 or fat (default: whichever the disk holds)
 *   mount=DIR:DISK[:TYPE]  one more mount (up to 8 of these), after the root
 *   ro                every boot-line mount read-only
 *   cache=N           each mount's buffer cache in blocks (default 256)
 *   epoch=SECONDS     the time at boot (seconds since 1970), for file times
 *   disk_timeout=MS   how long a disk request waits for its answer (default 10000)
 *   quota_files=N     open files per client (default 64), quota_maps=N mapped files' objects (8)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/error.h>
#include <manifold/msg.h>
#include "fs_file_server.h"
#include "fs_server.h"
#include "ns_client.h"
#include "srv.h"

#define ME mach_task_self()
#define DISK_WAIT_MS 10000	/* a driver started beside us registers within this */
#define MOUNT_ARGS_MAX 8
#define MAX2(a, b) ((a) > (b) ? (a) : (b))

struct boot_mount {
	char dir[256], disk[64], type[8];
};

struct config {
	struct boot_mount root;
	bool has_root, readonly;
	struct boot_mount more[MOUNT_ARGS_MAX];
	int nmore;
};

/* DIR:DISK[:TYPE] into m; false if it does not parse. */
static bool
parse_mount(const char *s, struct boot_mount *m)
{
	const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	size_t dl = c1 ? (size_t)(c1 - s) : 0, kl = c1 ? (c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1)) : 0;

	if (!c1 || dl == 0 || dl >= sizeof m->dir || kl == 0 || kl >= sizeof m->disk ||
	    (c2 && strlen(c2 + 1) >= sizeof m->type))
		return false;
	memcpy(m->dir, s, dl);
	m->dir[dl] = 0;
	memcpy(m->disk, c1 + 1, kl);
	m->disk[kl] = 0;
	snprintf(m->type, sizeof m->type, "%s", c2 ? c2 + 1 : "");
	return true;
}

static bool
parse_args(struct config *c, int argc, char **argv)
{
	memset(c, 0, sizeof *c);
	snprintf(c->root.dir, sizeof c->root.dir, "/");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "root=", 5) == 0 && strlen(a + 5) < sizeof c->root.disk) {
			snprintf(c->root.disk, sizeof c->root.disk, "%s", a + 5);
			c->has_root = true;
		} else if (strncmp(a, "rootfs=", 7) == 0 && strlen(a + 7) < sizeof c->root.type) {
			snprintf(c->root.type, sizeof c->root.type, "%s", a + 7);
		} else if (strncmp(a, "mount=", 6) == 0 && c->nmore < MOUNT_ARGS_MAX &&
			   parse_mount(a + 6, &c->more[c->nmore])) {
			c->nmore++;
		} else if (strcmp(a, "ro") == 0) {
			c->readonly = true;
		} else if (strncmp(a, "cache=", 6) == 0 && atoi(a + 6) >= 16) {
			srv_cache_blocks = (size_t)atoi(a + 6);
		} else if (strncmp(a, "epoch=", 6) == 0) {
			srv_epoch = atoll(a + 6);
		} else if (strncmp(a, "quota_files=", 12) == 0 && atoi(a + 12) >= 1) {
			quota_files = (uint32_t)atoi(a + 12);
		} else if (strncmp(a, "quota_maps=", 11) == 0 && atoi(a + 11) >= 1) {
			quota_maps = (uint32_t)atoi(a + 11);
		} else if (strncmp(a, "disk_timeout=", 13) == 0 && atoi(a + 13) >= 100) {
			disk_wait_ms = (uint32_t)atoi(a + 13);
		} else if (strcmp(a, "restart=always") != 0) {	/* the bootstrap's, seen here too */
			printf("fs: what is `%s`? (servers/fs/main.c lists the options)\n", a);
			return false;
		}
	}
	return true;
}

static void
mount_from_boot(mach_port_t ns, const struct boot_mount *m, bool readonly)
{
	mach_port_t disk;
	kern_return_t kr = ns_wait(ns, m->disk, DISK_WAIT_MS, &disk);

	if (kr != KERN_SUCCESS) {
		printf("fs: no disk %s (%s); %s not mounted\n", m->disk, kern_return_name(kr), m->dir);
		return;
	}
	kr = srv_mount_disk(m->dir, disk, m->type, readonly, m->disk);
	if (kr != KERN_SUCCESS) {
		printf("fs: %s on %s: %s\n", m->disk, m->dir,
		       kr > FS_ERR_BASE && kr <= FS_ERR_LAST ? fs_error_name(kr - FS_ERR_BASE) : kern_return_name(kr));
		return;
	}
	struct vfs_node n;
	vfs_lookup(&srv_vfs, m->dir, true, &n);
	printf("fs: %s (%s) mounted on %s%s\n", m->disk, n.fs->type, m->dir, n.fs->readonly ? " read-only" : "");
}

struct cthread_mutex srv_big_lock = CTHREAD_MUTEX_INITIALIZER;

/* An open file's last send right went (the objects' are pager.c's). */
static void
no_senders(mach_port_t port)
{
	cthread_mutex_lock(&srv_big_lock);
	file_no_senders(port);
	cthread_mutex_unlock(&srv_big_lock);
}

/* fs.defs and fs_file.defs, under the server's lock (memory_object.defs: pager.c's thread). */
static bool
serve(mach_msg_header_t *in, mach_msg_header_t *out)
{
	bool known;

	cthread_mutex_lock(&srv_big_lock);
	known = fs_server(in, out) || fs_file_server(in, out);
	srv_names_release();	/* the request is done (srv.h) */
	cthread_mutex_unlock(&srv_big_lock);
	return known;
}

static const msg_demux_t demuxes[] = { serve };
static struct msg_server server = {
	.demuxes = demuxes,
	.ndemuxes = 1,
	.nthreads = SRV_THREADS,
	.max_request = MAX2(FS_REQUEST_MAX_SIZE, FS_FILE_REQUEST_MAX_SIZE),
	.max_reply = MAX2(FS_REPLY_MAX_SIZE, FS_FILE_REPLY_MAX_SIZE),
	.no_senders = no_senders,
	.sender_ids = true,	/* who sent: quotas per client */
};

int
main(int argc, char **argv)
{
	struct config c;
	mach_port_t set, ns = MACH_PORT_NULL, reg;

	if (!parse_args(&c, argc, argv))
		return 1;
	vfs_init(&srv_vfs);
	if (mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &set) != KERN_SUCCESS) {
		printf("fs: no port set\n");
		return 1;
	}
	file_init(set);
	if (!pager_init()) {
		printf("fs: no pager thread\n");
		return 1;
	}
	task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns);
	cthread_mutex_lock(&srv_big_lock);
	if (c.has_root)
		mount_from_boot(ns, &c.root, c.readonly);
	for (int i = 0; i < c.nmore; i++)
		mount_from_boot(ns, &c.more[i], c.readonly);
	cthread_mutex_unlock(&srv_big_lock);

	srv_service = msg_service_checkin(FSC_PATH);
	if (!MACH_PORT_VALID(srv_service)) {
		/* a boot without a bootstrap that keeps ports: our own, in ns */
		if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &srv_service) != KERN_SUCCESS ||
		    mach_port_insert_right(ME, srv_service, srv_service, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
		    ns_register(ns, FSC_PATH, srv_service, &reg) != KERN_SUCCESS) {
			printf("fs: cannot register %s\n", FSC_PATH);
			return 1;
		}
	}
	mach_port_move_member(ME, srv_service, set);
	server.port = set;
	printf("fs: serving %s\n", FSC_PATH);
	msg_server_run(&server);
	return 1;
}
