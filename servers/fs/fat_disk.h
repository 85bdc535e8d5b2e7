/*
 * FAT's on-disk formats (FAT12, FAT16, FAT32 with VFAT long names), from
 * Microsoft's FAT specification: the BIOS parameter block's offsets, the
 * 32-byte directory entry and the long-name entry. Little-endian.
 */
#ifndef FS_FAT_DISK_H
#define FS_FAT_DISK_H

#include <stdint.h>

/* Offsets in the boot sector. */
#define BPB_BYTES_PER_SEC	11	/* 2 bytes */
#define BPB_SEC_PER_CLUS	13
#define BPB_RSVD_SEC		14	/* 2 */
#define BPB_NUM_FATS		16
#define BPB_ROOT_ENT		17	/* 2 */
#define BPB_TOT_SEC16		19	/* 2 */
#define BPB_FATSZ16		22	/* 2 */
#define BPB_TOT_SEC32		32	/* 4 */
#define BPB_FATSZ32		36	/* 4, FAT32 */
#define BPB_EXT_FLAGS		40	/* 2, FAT32: bit 7 = one active FAT (bits 0-3) */
#define BPB_ROOT_CLUS		44	/* 4, FAT32 */
#define BPB_FSINFO		48	/* 2, FAT32 */

/* FSInfo sector (FAT32). */
#define FSI_LEAD_SIG		0x41615252u	/* at 0 */
#define FSI_STRUC_SIG		0x61417272u	/* at 484 */
#define FSI_TRAIL_SIG		0xAA550000u	/* at 508 */
#define FSI_FREE_COUNT		488
#define FSI_NXT_FREE		492

#define FAT_ATTR_RO		0x01
#define FAT_ATTR_HIDDEN		0x02
#define FAT_ATTR_SYSTEM		0x04
#define FAT_ATTR_VOLUME		0x08
#define FAT_ATTR_DIR		0x10
#define FAT_ATTR_ARCHIVE	0x20
#define FAT_ATTR_LFN		0x0F	/* RO|HIDDEN|SYSTEM|VOLUME: a long-name entry */

#define FAT_DELETED		0xE5	/* name[0] of a free entry */
#define FAT_KANJI_E5		0x05	/* name[0] standing for a real 0xE5 */
#define FAT_CASE_LOWER_BASE	0x08	/* ntres: the base name shows in lower case */
#define FAT_CASE_LOWER_EXT	0x10

struct fat_dirent {
	uint8_t  name[11];	/* 8.3, space-padded, no dot */
	uint8_t  attr;
	uint8_t  ntres;
	uint8_t  crt_tenth;
	uint16_t crt_time;
	uint16_t crt_date;
	uint16_t acc_date;
	uint16_t clus_hi;	/* FAT32 only */
	uint16_t wrt_time;
	uint16_t wrt_date;
	uint16_t clus_lo;
	uint32_t size;
};

/* A long-name entry: 13 UCS-2 characters of the name, last part first. */
struct fat_lfn {
	uint8_t  ord;		/* sequence number 1..20; 0x40 on the last one */
	uint16_t name1[5];
	uint8_t  attr;		/* FAT_ATTR_LFN */
	uint8_t  type;		/* 0 */
	uint8_t  checksum;	/* of the short name that follows */
	uint16_t name2[6];
	uint16_t zero;		/* first cluster, always 0 */
	uint16_t name3[2];
} __attribute__((packed));

#define FAT_LFN_LAST		0x40
#define FAT_LFN_CHARS		13
#define FAT_LFN_MAX_ENTRIES	20	/* 255 characters */

_Static_assert(sizeof(struct fat_dirent) == 32, "directory entry");
_Static_assert(sizeof(struct fat_lfn) == 32, "long-name entry");

#endif
