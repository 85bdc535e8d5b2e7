/*
 * The UEFI loader's shared declarations. efi_main (main.c) reads the config
 * (config.c) and files (file.c), stages the kernel (elf.c), builds the
 * Multiboot information (mbinfo.c), and leaves for 32-bit protected mode
 * (handoff.c, trampoline.S). Every buffer the kernel will see is allocated
 * below 4 GiB with alloc_pages(), where a GRUB-tested kernel expects it: the
 * boot information below 1 MiB, modules just above the kernel.
 */
#ifndef BOOT_EFI_LOADER_H
#define BOOT_EFI_LOADER_H

#include <efi.h>
#include <efilib.h>

#define LOADER_NAME   "Manifold UEFI loader"
#define MAX_MODULES   32
#define MAX_VARS      16
#define MAX_SEGMENTS  16
#define CONFIG_PATH   "/EFI/MANIFOLD/manifold.cfg"

/* A file read into memory below 4 GiB. */
struct blob {
	UINT8 *data;
	UINTN size;
};

struct boot_item {
	char *path;		/* as written in the config, '/'-separated */
	char *cmdline;		/* the text after the path, maybe empty; info_alloc'ed */
	struct blob file;
};

struct boot_config {
	struct boot_item kernel;
	struct boot_item modules[MAX_MODULES];
	UINTN nmodules;
};

/*
 * One kernel segment: the trampoline copies filesz bytes from src to dst and
 * zeroes the rest up to memsz, once paging is off. Layout shared with
 * trampoline.S.
 */
struct segment_copy {
	UINT32 dst, src, filesz, memsz;
};

struct kernel_image {
	UINT32 entry;		/* physical */
	UINT32 header_flags;	/* from its Multiboot header */
	struct segment_copy seg[MAX_SEGMENTS];
	UINTN nseg;
};

/* Where alloc_pages() looks for memory (all below 4 GiB). */
enum placement {
	BELOW_1M,	/* boot information, as GRUB and QEMU place it; else LOWEST */
	LOWEST,		/* lowest free RAM above 1 MiB: modules, next to the kernel */
	ANYWHERE,	/* staging copies the kernel never keeps */
};

/* main.c */
extern EFI_HANDLE loader_image;
EFI_STATUS fail(EFI_STATUS status, CHAR16 *fmt, ...);
void *alloc_pages(UINTN bytes, enum placement where);
void *info_alloc(UINTN bytes);
char *info_strdup(const char *s, UINTN len);
char *pool_strdup(const char *s, UINTN len);
UINTN str_len(const char *s);

/* file.c */
EFI_STATUS source_open(EFI_HANDLE image);
BOOLEAN source_is_network(void);
const char *source_mac(void);
#define FILE_OPTIONAL 1	/* missing: return EFI_NOT_FOUND without a message */
#define FILE_STAGING  2	/* a copy the kernel will not keep: place ANYWHERE */
EFI_STATUS file_read(const char *path, unsigned flags, struct blob *out);

/* config.c */
EFI_STATUS config_load(struct boot_config *cfg);
EFI_STATUS config_read_files(struct boot_config *cfg, BOOLEAN modules);

/* elf.c */
EFI_STATUS elf_stage(struct boot_item *kernel, struct kernel_image *img);

/* mbinfo.c */
struct mb_info;
EFI_STATUS mbinfo_build(struct boot_config *cfg, struct mb_info **out);
EFI_STATUS mbinfo_add_framebuffer(struct mb_info *mbi);
EFI_STATUS mbinfo_mmap_reserve(struct mb_info *mbi, UINTN descriptors);
void mbinfo_add_mmap(struct mb_info *mbi, EFI_MEMORY_DESCRIPTOR *map, UINTN size,
		     UINTN dsize);

/* handoff.c */
EFI_STATUS handoff(struct kernel_image *img, struct mb_info *mbi);

#endif
