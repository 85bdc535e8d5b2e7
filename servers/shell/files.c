/*
 * The shell's file commands, through the fs server (libmsg's <manifold/fsc.h>
 * and fs.defs's stubs): ls, cat, mount, umount, df, and the small changes
 * a person tries by hand (mkdir, rm, write, sync).
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/error.h>
#include <manifold/fsc.h>
#include "commands.h"
#include "fs_client.h"
#include "fs_file_client.h"
#include "ns_client.h"

static bool
fs_ok(kern_return_t kr, const char *what, const char *path)
{
	if (kr == KERN_SUCCESS)
		return true;
	printf("%s: %s: %s\n", what, path, kern_return_name(kr));
	return false;
}

static void
mode_text(uint32_t mode, char out[11])
{
	static const char types[16] = { '?', 'p', 'c', '?', 'd', '?', 'b', '?', '-', '?', 'l', '?', 's', '?', '?', '?' };
	const char *rwx = "rwxrwxrwx";

	out[0] = types[(mode >> 12) & 15];
	for (int i = 0; i < 9; i++)
		out[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
	out[10] = 0;
}

static void
print_entry(const char *path, const char *name)
{
	struct fsc_stat st;
	char mode[11], full[1024];
	kern_return_t kr;

	snprintf(full, sizeof full, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", name);
	kr = fsc_stat(full, 0, &st);
	if (kr != KERN_SUCCESS) {
		printf("?????????? %s (%s)\n", name, kern_return_name(kr));
		return;
	}
	mode_text(st.mode, mode);
	printf("%s %3u %8llu %s", mode, st.nlink, (unsigned long long)st.size, name);
	if ((st.mode & 0170000) == 0120000) {
		char target[1024];
		if (fs_readlink(fsc_server(), full, target) == KERN_SUCCESS)
			printf(" -> %s", target);
	}
	printf("\n");
}

void
cmd_ls(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/";
	static uint8_t buf[4096];
	mach_port_t dir;
	uint64_t cookie = 0;
	int n = 0;
	kern_return_t kr = fsc_open(path, FS_O_RDONLY | FS_O_DIRECTORY, 0, &dir);

	if (kr == FS_ERR_ENOTDIR) {
		print_entry("/", path[0] == '/' ? path + 1 : path);
		return;
	}
	if (!fs_ok(kr, "ls", path))
		return;
	for (;;) {
		mach_msg_type_number_t size = sizeof buf;
		uint64_t next = 0;
		size_t pos = 0;
		struct fsc_dirent d;

		kr = file_readdir(dir, cookie, buf, &size, &next);
		if (!fs_ok(kr, "ls", path) || size == 0)
			break;
		while (fsc_dirent_next(buf, size, &pos, &d) == 1) {
			print_entry(path, d.name);
			n++;
		}
		cookie = next;
	}
	fsc_close(dir);
	printf("%d entries\n", n);
}

void
cmd_cat(int argc, char **argv)
{
	static char buf[4096];
	mach_port_t f;
	uint64_t off = 0;
	kern_return_t kr;

	if (argc < 2) {
		printf("usage: cat PATH\n");
		return;
	}
	kr = fsc_open(argv[1], FS_O_RDONLY, 0, &f);
	if (!fs_ok(kr, "cat", argv[1]))
		return;
	for (;;) {
		size_t got = 0;
		kr = fsc_read(f, off, buf, sizeof buf, &got);
		if (!fs_ok(kr, "cat", argv[1]) || got == 0)
			break;
		fwrite(buf, 1, got, stdout);
		off += got;
	}
	fflush(stdout);
	fsc_close(f);
}

/* write PATH TEXT...: the words, space-separated, and a newline, as the file's whole contents. */
void
cmd_write(int argc, char **argv)
{
	char text[1024];
	size_t len = 0, written;
	mach_port_t f;
	kern_return_t kr;

	if (argc < 2) {
		printf("usage: write PATH TEXT...\n");
		return;
	}
	for (int i = 2; i < argc && len < sizeof text - 2; i++)
		len += (size_t)snprintf(text + len, sizeof text - len - 1, "%s%s", i > 2 ? " " : "", argv[i]);
	text[len++] = '\n';
	kr = fsc_open(argv[1], FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC, 0644, &f);
	if (!fs_ok(kr, "write", argv[1]))
		return;
	kr = fsc_write(f, 0, text, len, &written);
	fs_ok(kr, "write", argv[1]);
	fsc_close(f);
}

void
cmd_mkdir(int argc, char **argv)
{
	if (argc < 2 || !MACH_PORT_VALID(fsc_server()))
		printf("usage: mkdir PATH (and a file server)\n");
	else
		fs_ok(fs_mkdir(fsc_server(), argv[1], 0755), "mkdir", argv[1]);
}

void
cmd_rm(int argc, char **argv)
{
	if (argc < 2 || !MACH_PORT_VALID(fsc_server()))
		printf("usage: rm PATH (and a file server)\n");
	else
		fs_ok(fs_unlink(fsc_server(), argv[1]), "rm", argv[1]);
}

void
cmd_sync(int argc, char **argv)
{
	if (MACH_PORT_VALID(fsc_server()))
		fs_ok(fs_sync(fsc_server()), "sync", "/");
}

/* mount: the table; mount DIR DISK [ext2|fat] [ro]: one more. */
void
cmd_mount(int argc, char **argv)
{
	mach_port_t fs = fsc_server(), disk;
	kern_return_t kr;

	if (!MACH_PORT_VALID(fs)) {
		printf("mount: no file server\n");
		return;
	}
	if (argc >= 3) {
		kr = ns_lookup(commands_ns(), argv[2], &disk);
		if (!fs_ok(kr, "mount", argv[2]))
			return;
		kr = fs_mount(fs, argv[1], disk, argc > 3 && strcmp(argv[3], "ro") ? argv[3] : "",
			      (argc > 3 && strcmp(argv[argc - 1], "ro") == 0));
		mach_port_deallocate(mach_task_self(), disk);
		fs_ok(kr, "mount", argv[1]);
		return;
	}
	for (uint32_t i = 0;; i++) {
		char path[1024], type[1024], name[1024];
		boolean_t ro = FALSE;
		if (fs_mounts(fs, i, path, type, name, &ro) != KERN_SUCCESS)
			break;
		printf("%s on %s type %s (%s)\n", name, path, type, ro ? "ro" : "rw");
	}
}

void
cmd_umount(int argc, char **argv)
{
	if (argc < 2 || !MACH_PORT_VALID(fsc_server()))
		printf("usage: umount DIR (and a file server)\n");
	else
		fs_ok(fs_unmount(fsc_server(), argv[1]), "umount", argv[1]);
}

void
cmd_df(int argc, char **argv)
{
	mach_port_t fs = fsc_server();

	if (!MACH_PORT_VALID(fs)) {
		printf("df: no file server\n");
		return;
	}
	printf("%-16s %6s %10s %10s %10s %4s %s\n", "Filesystem", "Type", "1K-blocks", "Used", "Available", "Use%",
	       "Mounted on");
	for (uint32_t i = 0;; i++) {
		char path[1024], type[1024], name[1024];
		boolean_t ro = FALSE;
		struct fsc_statfs s;
		if (fs_mounts(fs, i, path, type, name, &ro) != KERN_SUCCESS)
			break;
		if (!fs_ok(fsc_statfs(path, &s), "df", path))
			continue;
		uint64_t total = s.blocks * s.bsize / 1024, avail = s.bfree * s.bsize / 1024;
		printf("%-16s %6s %10llu %10llu %10llu %3llu%% %s\n", name, type, (unsigned long long)total,
		       (unsigned long long)(total - avail), (unsigned long long)avail,
		       (unsigned long long)(total ? (total - avail) * 100 / total : 0), path);
	}
}
