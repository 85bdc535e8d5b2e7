/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed pseudo-random function
 * of a short message, 64 bits out. The ISN hook and the random generator
 * rest on it; it is fast on i386 without SSE and small enough to check by eye.
 */
#ifndef GNS_SIPHASH_H
#define GNS_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_SIZE 16

uint64_t siphash(const uint8_t key[SIPHASH_KEY_SIZE], const void *msg, size_t len);

#endif
