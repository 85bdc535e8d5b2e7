/*
 * The disks' contents, as tests/blk/image.py writes them on the host: word j
 * (0..127, little-endian) of sector i holds (i * 128 + j) ^ salt, so a sector
 * read from the wrong place, or a word out of place, shows. Sectors the
 * suite writes hold the same words ^ WRITTEN_SALT.
 */
#ifndef BLK_PATTERN_H
#define BLK_PATTERN_H

#include <stdint.h>

#define DISK_SECTORS	8192u		/* 4 MiB images */
#define WRITTEN_SALT	0x5a5a0000u

static inline uint32_t
pattern_word(uint64_t sector, uint32_t j, uint32_t salt)
{
	return ((uint32_t)sector * 128u + j) ^ salt;
}

#endif
