/*
 * The pager of frame sessions' regions (libmsg/src/frame_pager.c), for NIC
 * drivers: a session's region is a memory object the driver gives its
 * client (servers/frame/README.md); its pages start zero-filled and the
 * kernel keeps them from then on, shared by both mappings. One thread serves
 * every region's pager port, because the driver's own first touch of a region
 * (frame_region_init) faults and waits for the pager.
 *
 * The pager defines libmsg's memory_object_do_* handlers: a program that
 * links it cannot be another kind of pager.
 */
#ifndef MANIFOLD_FRAME_PAGER_H
#define MANIFOLD_FRAME_PAGER_H

#include <stdint.h>
#include <mach/mach.h>

/* Starts the pager's thread; KERN_SUCCESS, or why not. Once per task. */
kern_return_t frame_pager_start(void);

/*
 * A new memory object served by the pager thread: *pager names its receive
 * right and a send right (for vm_map, and to hand to the client).
 */
kern_return_t frame_pager_create(mach_port_t *pager);

/* The object is done with (the client's mapping keeps the pages it has). */
void frame_pager_destroy(mach_port_t pager);

/* What the pager has served, for tests: page requests, and pages sent back (never, while mapped). */
extern volatile uint32_t frame_pager_requests, frame_pager_returns;

#endif
