/* Included by kinds_types.h to test import. */
#define KINDS_TEST_IMPORTED 1

/* The C structure of kinds.defs's pair_t (array[2] of int32_t, ctype: kinds_pair_t). */
#include <stdint.h>
typedef struct {
	int32_t first, second;
} kinds_pair_t;
