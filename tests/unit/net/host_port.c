/*
 * port.h on the host, for the unit tests: the monotonic clock, and the
 * kernel's random bytes (getrandom).
 */
#include <stdlib.h>
#include <time.h>
#include <sys/random.h>
#include "port.h"

uint64_t
port_now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

void
port_entropy(void *buf, size_t n)
{
	if (getrandom(buf, n, 0) != (ssize_t)n)
		abort();
}
