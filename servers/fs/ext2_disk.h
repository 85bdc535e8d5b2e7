/*
 * ext2's on-disk formats, revision 1 (little-endian; the library runs on
 * little-endian machines only, i386 and the x86-64 test host). Offsets are the
 * specification's; fields past what ext2 uses are left as they are on disk.
 */
#ifndef FS_EXT2_DISK_H
#define FS_EXT2_DISK_H

#include <stdint.h>

#define EXT2_MAGIC		0xEF53
#define EXT2_SB_OFFSET		1024	/* bytes from the start of the device */
#define EXT2_ROOT_INO		2
#define EXT2_N_BLOCKS		15	/* 12 direct, single, double, triple indirect */
#define EXT2_NDIR		12
#define EXT2_LINK_MAX		32000
#define EXT2_VALID_FS		1	/* s_state: unmounted cleanly */
#define EXT2_INDEX_FL		0x1000	/* i_flags: hashed directory (we clear it on change) */
#define EXT2_XATTR_MAGIC	0xEA020000u

/* Features we can read and write; an unknown incompat feature refuses the
 * mount, an unknown ro_compat one makes it read-only. */
#define EXT2_FEATURE_INCOMPAT_FILETYPE	0x0002
#define EXT2_FEATURE_RO_COMPAT_SPARSE	0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE	0x0002
#define EXT2_INCOMPAT_SUPPORTED		EXT2_FEATURE_INCOMPAT_FILETYPE
#define EXT2_RO_COMPAT_SUPPORTED	(EXT2_FEATURE_RO_COMPAT_SPARSE | EXT2_FEATURE_RO_COMPAT_LARGE)

struct ext2_super {
	uint32_t inodes_count;		/* 0 */
	uint32_t blocks_count;
	uint32_t r_blocks_count;
	uint32_t free_blocks_count;
	uint32_t free_inodes_count;	/* 16 */
	uint32_t first_data_block;
	uint32_t log_block_size;	/* block size = 1024 << this */
	uint32_t log_frag_size;
	uint32_t blocks_per_group;	/* 32 */
	uint32_t frags_per_group;
	uint32_t inodes_per_group;
	uint32_t mtime;
	uint32_t wtime;			/* 48 */
	uint16_t mnt_count;
	uint16_t max_mnt_count;
	uint16_t magic;			/* 56 */
	uint16_t state;
	uint16_t errors;
	uint16_t minor_rev_level;
	uint32_t lastcheck;		/* 64 */
	uint32_t checkinterval;
	uint32_t creator_os;
	uint32_t rev_level;		/* 76 */
	uint16_t def_resuid;
	uint16_t def_resgid;
	uint32_t first_ino;		/* 84 */
	uint16_t inode_size;		/* 88 */
	uint16_t block_group_nr;
	uint32_t feature_compat;	/* 92 */
	uint32_t feature_incompat;
	uint32_t feature_ro_compat;	/* 100 */
	uint8_t  rest1[232 - 104];
	uint32_t last_orphan;		/* 232: the first inode of the orphan list */
	uint8_t  rest1b[348 - 236];
	uint16_t min_extra_isize;	/* 348 */
	uint16_t want_extra_isize;	/* 350 */
	uint8_t  rest2[1024 - 352];
};

struct ext2_group_desc {
	uint32_t block_bitmap;
	uint32_t inode_bitmap;
	uint32_t inode_table;
	uint16_t free_blocks_count;
	uint16_t free_inodes_count;
	uint16_t used_dirs_count;
	uint16_t flags;
	uint8_t  reserved[12];
};

struct ext2_inode {
	uint16_t mode;			/* 0 */
	uint16_t uid;
	uint32_t size;			/* 4: low 32 bits */
	uint32_t atime;
	uint32_t ctime;
	uint32_t mtime;			/* 16 */
	uint32_t dtime;
	uint16_t gid;			/* 24 */
	uint16_t links_count;
	uint32_t blocks;		/* 28: 512-byte units, indirect and xattr blocks too */
	uint32_t flags;			/* 32 */
	uint32_t osd1;
	uint32_t block[EXT2_N_BLOCKS];	/* 40 */
	uint32_t generation;		/* 100 */
	uint32_t file_acl;		/* 104: the extended attribute block */
	uint32_t size_high;		/* 108: regular files with large_file */
	uint32_t faddr;
	uint8_t  frag, fsize;		/* 116 */
	uint16_t pad;
	uint16_t uid_high, gid_high;	/* 120 */
	uint32_t reserved;
};

/* A directory entry's fixed part; the name follows, rec_len covers the next. */
struct ext2_dirent {
	uint32_t inode;			/* 0: an unused entry */
	uint16_t rec_len;
	uint8_t  name_len;
	uint8_t  file_type;
};
#define EXT2_DIRENT_SIZE(namelen) ((8u + (namelen) + 3u) & ~3u)

/* file_type values (with the filetype feature) */
enum { EXT2_FT_UNKNOWN, EXT2_FT_REG, EXT2_FT_DIR, EXT2_FT_CHR, EXT2_FT_BLK, EXT2_FT_FIFO,
       EXT2_FT_SOCK, EXT2_FT_SYMLINK };

_Static_assert(sizeof(struct ext2_super) == 1024, "superblock");
_Static_assert(sizeof(struct ext2_group_desc) == 32, "group descriptor");
_Static_assert(sizeof(struct ext2_inode) == 128, "inode");

#endif
