/*
 * The handle table of ool_table.h, and the host versions of the msgc OOL hooks.
 * Built for 32 bits (the kuser test), it only counts regions: addresses are pointers.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <msgc_runtime.h>
#include "ool_table.h"

#define REGIONS 256
#define HANDLE_BASE 0x10000000u	/* handles look like addresses, never 0 */
#define HANDLE_STEP 0x1000u

static struct region {
	void *p;
	bool owned;
} regions[REGIONS];

static vm_address_t
handle_of(int i)
{
	return HANDLE_BASE + (vm_address_t)i * HANDLE_STEP;
}

static vm_address_t
add(void *p, bool owned)
{
	for (int i = 0; i < REGIONS; i++) {
		if (regions[i].p == NULL) {
			regions[i].p = p;
			regions[i].owned = owned;
			return handle_of(i);
		}
	}
	abort();	/* a test that needs more regions is broken */
}

void *
ool_alloc(uint32_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		abort();
	add(p, true);
	return p;
}

void
ool_free(void *p)
{
	for (int i = 0; p != NULL && i < REGIONS; i++) {
		if (regions[i].p == p && regions[i].owned) {
			free(p);
			regions[i].p = NULL;
			return;
		}
	}
}

void *
ool_lookup(vm_address_t handle)
{
	uint32_t i = (handle - HANDLE_BASE) / HANDLE_STEP;

	if (handle < HANDLE_BASE || (handle - HANDLE_BASE) % HANDLE_STEP || i >= REGIONS)
		return NULL;
	return regions[i].p;
}

void
ool_forget_borrowed(void)
{
	for (int i = 0; i < REGIONS; i++)
		if (regions[i].p != NULL && !regions[i].owned)
			regions[i].p = NULL;
}

int
ool_live(void)
{
	int n = 0;

	for (int i = 0; i < REGIONS; i++)
		n += regions[i].p != NULL && regions[i].owned;
	return n;
}

void
ool_free_all(void)
{
	for (int i = 0; i < REGIONS; i++) {
		if (regions[i].p != NULL && regions[i].owned)
			free(regions[i].p);
		regions[i].p = NULL;
	}
}

#ifndef __i386__	/* a 32-bit build (the kuser test) has msgc_runtime.h's: addresses are pointers */
vm_address_t
msgc_ool_address(const void *p)
{
	if (p == NULL)
		return 0;
	for (int i = 0; i < REGIONS; i++)
		if (regions[i].p == p)
			return handle_of(i);
	return add((void *)p, false);
}

void *
msgc_ool_pointer(vm_address_t address)
{
	return ool_lookup(address);
}
#endif
