/*
 * MD5 (RFC 1321), for the shell's bulk transfers (bulk.c): the Linux peer's
 * busybox md5sum prints the same digest of the same bytes, so a stream can
 * be checked end to end across the two systems. Integrity, not security.
 */
#ifndef SHELL_MD5_H
#define SHELL_MD5_H

#include <stddef.h>
#include <stdint.h>

struct md5 {
	uint32_t h[4];
	uint64_t len;		/* bytes taken so far */
	uint8_t block[64];	/* the partial block, len % 64 bytes of it */
};

void md5_init(struct md5 *m);
void md5_update(struct md5 *m, const void *data, size_t len);
/* The digest as 32 lowercase hex digits and a NUL, as md5sum prints it. */
void md5_hex(struct md5 *m, char hex[33]);

#endif
