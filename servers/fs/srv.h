/*
 * The fs server's shared state and the functions its files share: the VFS
 * with its mounts (mounts.c), open files (file.c), fs.defs's handlers
 * (names.c). The server runs SRV_THREADS threads (main.c), and one lock,
 * srv_big_lock ([L]), covers everything here and the whole library: a
 * thread holds it while it serves a message, and lets go of it only while it
 * waits for a disk (disk.c) or for a mount's guard (mounts.c). A mount's
 * guard lets one thread at a time into its library instance, so a thread
 * waiting for a disk that does not answer holds back only the requests that
 * need that mount; the others are served meanwhile. A request that changes
 * names (or opens a file) also holds the mount's names lock, from its walk
 * to its answer, so that such requests on one mount do not interleave while
 * one waits for the disk (those on other mounts, and reads and writes through
 * open files, go on). Lock order: a names lock, then guards; a thread holds
 * at most one names lock and never waits for one inside a guard.
 */
#ifndef FS_SRV_H
#define FS_SRV_H

#include <mach/mach.h>
#include <manifold/cthread.h>
#include <manifold/fsc.h>
#include <manifold/msg.h>
#include <manifold/trap.h>
#include "disk.h"
#include "vfs.h"

#define SRV_CACHE_BLOCKS 256	/* each mount's buffer cache, unless cache= says */
#define SRV_FILE_MAX 256	/* open files, all clients together: EMFILE past it */
#define SRV_PAGER_MAX 32	/* mapped files' objects at once: ENOMEM past it */
#define SRV_THREADS 4		/* the loop's threads: one may wait for each of three stuck disks */

extern struct cthread_mutex srv_big_lock;

/*
 * A lock of the server's threads under srv_big_lock, taken in turn: while
 * threads wait, it goes to the one that waited longest, never to a newcomer
 * (a client that sends request after request cannot keep it from the
 * others). mounts.c's turn_take and turn_give.  [L]
 */
struct srv_turn {
	cthread_t owner;	/* or NULL */
	int waiting;
	uint32_t tail, head;	/* the next waiter's ticket; the ticket whose turn it is */
	struct cthread_cond cond;	/* broadcast when the owner lets go and someone waits */
};

/* A mounted disk: the library's instance and the disk under it.  [L] */
struct srv_mount {
	struct fs *fs;		/* NULL: a free slot (unless reserved) */
	bool reserved;		/* a mount is being made in it */
	struct disk *disk;
	char path[256];
	char disk_name[64];	/* what the mount was given: "/servers/vd0" */
	/* The instance's guard (fs.h): one thread inside at a time. */
	struct fs_guard guard;
	struct srv_turn inside;	/* the thread inside */
	int depth;		/* its enters not left yet */
	struct srv_turn names;	/* its names lock (fs.h): from a change's walk to its answer */
	struct cthread_cond idle;	/* broadcast when either is let go of and nobody waits */
};

extern struct vfs srv_vfs;
extern struct srv_mount srv_mounts[VFS_MAX_MOUNTS];
extern size_t srv_cache_blocks;
extern mach_port_t srv_service;	/* the fs.defs port (requests on any other are files') */
extern int64_t srv_epoch;	/* the time at boot, seconds since 1970 (epoch=) */

/* Milliseconds since boot. */
static inline uint64_t
srv_now_ms(void)
{
	uint64_t t = 0;

	trap_clock_uptime(&t);
	return t / 1000000;
}

/* FS_ERR_BASE + e for the library's -e; 0 stays KERN_SUCCESS. */
static inline kern_return_t
srv_kr(int err)
{
	return err == 0 ? KERN_SUCCESS : FS_ERR_BASE + (err < 0 ? -err : err);
}

/*
 * Mounts the file system on disk (a send right the mount takes over, also
 * on failure) at path: fstype "ext2", "fat" or "" (both tried). A library
 * error (negative), or a block error from the disk's first call.
 */
kern_return_t srv_mount_disk(const char *path, mach_port_t disk, const char *fstype, bool readonly,
			     const char *disk_name);
kern_return_t srv_unmount(const char *path);
struct srv_mount *srv_mount_of(const struct fs *fs);
/* Takes the names lock (fs.h) of the mount path most likely ends in (the
 * longest mount path before it), so that the VFS's walk need not be made
 * twice; the VFS takes the right one if it was not. */
void srv_names_guess(const char *path);
/* Lets go of the names lock this thread holds, if any: its request is done. */
void srv_names_release(void);
/* fs_stat_t's bytes (struct fsc_stat) for a struct fs_stat. */
void srv_stat_to_wire(const struct fs_stat *s, uint8_t *raw);

/* Whether port's send rights are all gone (a no-senders notification may be forged): file.c. */
bool srv_senders_gone(mach_port_t port);

/* Open files (file.c). */
void file_init(mach_port_t set);
bool file_is_port(mach_port_t port);
void file_no_senders(mach_port_t port);
/* Frees files whose senders are gone before their notification is served (a pool's order). */
void file_reap(void);
/* How many files are open on fs (an unmount waits for none). */
int file_count_on(const struct fs *fs);
/* Every open file of n's becomes EBADF: its last link went. */
void file_forget(const struct vfs_node *n);
kern_return_t file_open(const char *path, uint32_t flags, uint32_t mode, mach_port_t *port);
int file_count(void);

/* Mapped files: the pager of their memory objects (pager.c). */
/* The pager's port set and its thread; false without them. */
bool pager_init(void);
/* n's memory object (one per file), made if need be; writable: writes may go through mappings. */
kern_return_t pager_object(const struct vfs_node *n, bool writable, mach_port_t *object);
/* True if port was an object's (then freed). */
bool pager_no_senders(mach_port_t port);
void pager_reap(void);
/* The kernel's dirty pages of n's object written to the file; drop: its pages then dropped too. */
void pager_settle(const struct vfs_node *n, bool drop);
void pager_settle_all(void);
void pager_forget(const struct vfs_node *n);
int pager_count_on(const struct fs *fs);

/* Per-client quotas (quota.c): a client is a task id from the sender trailer. */
enum quota_kind { QUOTA_FILES, QUOTA_MAPS, QUOTA_KINDS };
extern uint32_t quota_files, quota_maps;
/* The client whose request is being served. */
uint32_t quota_client(void);
/* One more of kind k for client id: false (EDQUOT) at its quota. */
bool quota_take(enum quota_kind k, uint32_t id);
void quota_give(enum quota_kind k, uint32_t id);
uint32_t quota_held(enum quota_kind k, uint32_t id);

#endif
