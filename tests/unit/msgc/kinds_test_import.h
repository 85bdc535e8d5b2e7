/* Included by kinds_types.h to test import. */
#define KINDS_TEST_IMPORTED 1
