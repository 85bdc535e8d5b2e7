/*
 * The data the RPC and out-of-line rows carry, and the work a receiver does on
 * it, shared by both systems (tests/bench/linux/ and tests/bench/manifold/
 * compile this same file), so that a receiver pays for the same loop on both:
 * the figures then differ only by how the data got there.
 */
#ifndef BENCH_PAYLOAD_H
#define BENCH_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#define PAYLOAD_PAGE 4096u

/* Writes the pattern (every word different, none zero) to p[0..words). */
void payload_fill(uint32_t *p, size_t words);

/* The sum of p[0..words), modulo 2^32: the receiver reads every word. */
uint32_t payload_sum(const uint32_t *p, size_t words);

/* Writes v to the first word of every 4 KiB page of p[0..bytes), counted
 * from p: one store per page, the copy-on-write rows' write. */
void payload_write_pages(uint32_t *p, size_t bytes, uint32_t v);

#endif
