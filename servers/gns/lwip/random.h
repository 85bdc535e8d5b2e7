/* The port's random generator (random.c); random_u32 is also lwIP's LWIP_RAND (arch/cc.h). */
#ifndef GNS_RANDOM_H
#define GNS_RANDOM_H

#include <stddef.h>
#include <stdint.h>

uint32_t random_u32(void);
uint64_t random_u64(void);
void random_bytes(void *buf, size_t n);

#endif
