/*
 * Images from boot modules and the /bin view of them (image.h). A name that
 * is no module is remembered as such, so that a shell searching its PATH asks
 * the bootstrap once per name. busybox's applet names are read from the
 * image itself: its table of names is one block of NUL-ended words that
 * starts "[", "[[" (the list is sorted) and ends with an empty word.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "bootstrap_client.h"
#include "image.h"
#include "linux.h"
#include "ns_client.h"

#define ME mach_task_self()
#define IMAGES_MAX 32
#define MISSING_MAX 64

static struct image images[IMAGES_MAX];	/* [U] */
static int nimages;
static char missing[MISSING_MAX][32];	/* [U] names the bootstrap said are no module */
static int nmissing;
static mach_port_t bootstrap = MACH_PORT_NULL;

static kern_return_t
find_bootstrap(void)
{
	mach_port_t ns;

	if (MACH_PORT_VALID(bootstrap))
		return KERN_SUCCESS;
	if (task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS)
		return KERN_INVALID_NAME;
	return ns_wait(ns, "/servers/bootstrap", 5000, &bootstrap);
}

const struct image *
image_module(const char *name, kern_return_t *why)
{
	struct image *im;
	vm_offset_t data;
	mach_msg_type_number_t size;

	if (strlen(name) >= sizeof images[0].name) {
		*why = KERN_INVALID_NAME;
		return NULL;
	}
	for (int i = 0; i < nimages; i++)
		if (strcmp(images[i].name, name) == 0)
			return &images[i];
	for (int i = 0; i < nmissing; i++)
		if (strcmp(missing[i], name) == 0) {
			*why = KERN_INVALID_NAME;
			return NULL;
		}
	if (nimages == IMAGES_MAX) {
		*why = KERN_RESOURCE_SHORTAGE;
		return NULL;
	}
	if ((*why = find_bootstrap()) != KERN_SUCCESS)
		return NULL;
	*why = bootstrap_module_read(bootstrap, (char *)name, (uint8_t **)&data, &size);
	if (*why != KERN_SUCCESS) {
		if (*why == KERN_INVALID_NAME && nmissing < MISSING_MAX)
			snprintf(missing[nmissing++], sizeof missing[0], "%s", name);
		return NULL;
	}
	im = &images[nimages++];
	snprintf(im->name, sizeof im->name, "%s", name);
	im->data = (const uint8_t *)data;
	im->size = size;
	return im;
}

/* Where busybox's name table starts in bb (found once: the image is kept), or bb->size if nowhere. */
static size_t
applet_table(const struct image *bb)
{
	static const char start[] = "\0[\0[[\0";
	static const struct image *found_in;
	static size_t found_at;

	if (found_in == bb)
		return found_at;
	found_in = bb;
	found_at = bb->size;
	for (size_t at = 0; at + sizeof start - 1 <= bb->size; at++)
		if (memcmp(bb->data + at, start, sizeof start - 1) == 0) {
			found_at = at + 1;
			break;
		}
	return found_at;
}

/*
 * busybox's applet names by hash, made at the first look-up: a walk of the
 * table compares some 400 names (about 15,000 instructions for "true", a
 * stat's or an exec's whole server share). Open addressing; a slot holds a
 * name's offset in the image plus one, 0 when empty. A table with more names
 * than APPLET_SLOTS / 2 is walked instead.
 */
#define APPLET_SLOTS 2048u

static const struct image *applets_of;	/* [U] the image the slots describe */
static uint32_t applet_slot[APPLET_SLOTS];	/* [U] */
static bool applets_hashed;		/* [U] */

static uint32_t
name_hash(const uint8_t *name, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ name[i]) * 16777619u;
	return h;
}

static void
hash_applets(const struct image *bb)
{
	size_t count = 0;

	applets_of = bb;
	applets_hashed = false;
	memset(applet_slot, 0, sizeof applet_slot);
	for (size_t w = applet_table(bb); w < bb->size && bb->data[w];) {
		size_t n = strnlen((const char *)bb->data + w, bb->size - w);
		uint32_t i = name_hash(bb->data + w, n) & (APPLET_SLOTS - 1);

		if (++count > APPLET_SLOTS / 2)
			return;	/* walked instead */
		while (applet_slot[i])
			i = (i + 1) & (APPLET_SLOTS - 1);
		applet_slot[i] = (uint32_t)w + 1;
		w += n + 1;
	}
	applets_hashed = true;
}

/* Whether name is one of busybox's applets (the name table, see the top of the file). */
static bool
is_applet(const struct image *bb, const char *name)
{
	size_t len = strlen(name);

	if (applets_of != bb)
		hash_applets(bb);
	if (applets_hashed) {
		for (uint32_t i = name_hash((const uint8_t *)name, len) & (APPLET_SLOTS - 1); applet_slot[i];
		     i = (i + 1) & (APPLET_SLOTS - 1)) {
			size_t w = applet_slot[i] - 1;

			if (strnlen((const char *)bb->data + w, bb->size - w) == len && memcmp(bb->data + w, name, len) == 0)
				return true;
		}
		return false;
	}
	for (size_t w = applet_table(bb); w < bb->size && bb->data[w];) {
		size_t n = strnlen((const char *)bb->data + w, bb->size - w);

		if (n == len && memcmp(bb->data + w, name, len) == 0)
			return true;
		w += n + 1;
	}
	return false;
}

const struct image *
image_lookup(const char *path, const struct image *self, int *err)
{
	static const char *const dirs[] = { "/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/" };
	const struct image *im, *bb;
	kern_return_t why;

	*err = -LNX_ENOENT;
	if (strcmp(path, "/proc/self/exe") == 0)
		return self;
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		size_t n = strlen(dirs[i]);
		const char *name = path + n;

		if (strncmp(path, dirs[i], n) != 0)
			continue;
		if (!*name || strchr(name, '/'))
			return NULL;
		if (strlen(name) >= sizeof images[0].name) {
			*err = -LNX_ENAMETOOLONG;
			return NULL;
		}
		if ((im = image_module(name, &why)) != NULL)
			return im;
		if ((bb = image_module("busybox", &why)) != NULL && is_applet(bb, name))
			return bb;
		return NULL;
	}
	return NULL;
}

/* Whether name is one of names[0, n). */
static bool
listed(const char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

size_t
image_names(const char **names, size_t max)
{
	const struct image *bb;
	kern_return_t why;
	size_t n = 0, modules;

	for (int i = 0; i < nimages && n < max; i++)
		names[n++] = images[i].name;
	modules = n;
	if (!(bb = image_module("busybox", &why)))
		return n;
	for (size_t w = applet_table(bb); w < bb->size && bb->data[w] && n < max;) {
		size_t len = strnlen((const char *)bb->data + w, bb->size - w);

		/* a name the image ends inside is no name; one a module has is listed once */
		if (w + len < bb->size && !listed(names, modules, (const char *)bb->data + w))
			names[n++] = (const char *)bb->data + w;
		w += len + 1;
	}
	return n;
}
