/*
 * Out-of-line memory on a 64-bit host. A descriptor's address field has 32 bits, so
 * host tests keep a table of regions and put a handle there instead of a pointer;
 * msgc_ool_address and msgc_ool_pointer (msgc_runtime.h) translate. Owned regions
 * are what the fake kernel gives a receiver (like fresh pages); borrowed ones are a
 * sender's own buffers, registered only while a message is sent.
 */
#ifndef MSGC_OOL_TABLE_H
#define MSGC_OOL_TABLE_H

#include <stdint.h>
#include <mach/message.h>

/* A new region of size bytes that the receiver must release with ool_free. */
void *ool_alloc(uint32_t size);
/* Releases an owned region (vm_deallocate); ignores borrowed ones and NULL. */
void ool_free(void *p);
/* The handle of a region, or 0 when the address field does not name one. */
void *ool_lookup(vm_address_t handle);
/* Forgets every borrowed region; the fake kernel calls it after each copy-in. */
void ool_forget_borrowed(void);
/* Owned regions not yet freed: tests require zero after each case. */
int ool_live(void);
/* Frees every owned region (the fuzzer's per-input cleanup). */
void ool_free_all(void);

#endif
