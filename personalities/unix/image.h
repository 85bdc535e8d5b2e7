/*
 * Program images and the read-only view of them the processes see, until the
 * file server exists: every boot module the bootstrap left alone (start=no)
 * is /bin/NAME, and so is every applet of the module named busybox (busybox
 * runs the applet its argv[0] names). /usr/bin, /sbin and /usr/sbin show the
 * same names, as Debian puts busybox's applets in all four. Each module is
 * read once (bootstrap_module_read) and kept for the server's life.
 */
#ifndef UNIX_IMAGE_H
#define UNIX_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <mach/mach.h>

struct image {
	char name[32];		/* the module's name: its first word on the boot line, without folders */
	const uint8_t *data;
	size_t size;
	char path[256];		/* an image read from fs (diskimage.c): its path, /proc/self/exe; "" for a module */
};

/* The module named name (loaded on first use), or NULL with why (KERN_INVALID_NAME: no such module). */
const struct image *image_module(const char *name, kern_return_t *why);
/*
 * The image at path, for exec and open: /bin/NAME and its three twins (a
 * module, else a busybox applet), /proc/self/exe (self's image). NULL with
 * -LNX_ENOENT, -LNX_ENAMETOOLONG.
 */
const struct image *image_lookup(const char *path, const struct image *self, int *err);

/*
 * The names /bin shows, as far as the server knows them: the modules read so
 * far (the bootstrap has no list of the others), then busybox's applets
 * that no module is named as (the unix suite's tty module and the tty applet).
 * Fills names (pointers into the images, which stay) up to max; their count.
 */
size_t image_names(const char **names, size_t max);

/*
 * diskimage.c: the image exec runs for path: fs's file (read whole, kept
 * while a process runs it or until a newer one is asked for), else
 * image_lookup's. NULL with -errno in *err (EACCES: no x bit, or not a
 * regular file; ENOMEM; fs's errors).
 */
const struct image *exec_lookup(const char *path, const struct image *self, int *err);

#endif
