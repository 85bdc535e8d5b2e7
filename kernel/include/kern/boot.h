/*
 * What the boot loader handed over, in a form the rest of the kernel can use
 * without knowing about Multiboot: the kernel command line and its options, and
 * the boot modules (the first is the bootstrap task's image).
 */
#ifndef KERN_BOOT_H
#define KERN_BOOT_H

#include <stddef.h>
#include <stdint.h>
#include <kern/page.h>

#define BOOT_MAX_MODULES	32
#define BOOT_CMDLINE_MAX	256

struct boot_module {
	paddr_t start;
	uint32_t size;
	char cmdline[BOOT_CMDLINE_MAX];	/* file name first, then arguments */
};

extern struct boot_module boot_modules[BOOT_MAX_MODULES];
extern uint32_t boot_module_count;
extern char boot_cmdline[BOOT_CMDLINE_MAX];
extern const char *boot_loader_name;
/* RAM the memory map offered above what the kernel maps (layout.h's DIRECT_MAP_MAX), in KiB: unused. */
extern uint32_t boot_ram_ignored_kib;

/* The value of `name=value` on the kernel command line, "" for a bare `name`, or NULL. */
const char *boot_option(const char *name);

/* Pure helpers (kern/cmdline.c), tested on the host. */
int cmdline_split(char *line, char **argv, int max);
int cmdline_words(const char *line);
int cmdline_lookup(const char *line, const char *name, char *value, size_t size);
void cmdline_task_name(const char *cmdline, char *name, size_t size);

#endif
