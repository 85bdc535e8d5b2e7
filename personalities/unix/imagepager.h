/*
 * The images' pager (imagepager.c): a laid-out image as a memory object that
 * exec maps copy-on-write into a process, its pages kept by the kernel.
 */
#ifndef UNIX_IMAGEPAGER_H
#define UNIX_IMAGEPAGER_H

#include <stdint.h>
#include <mach/mach.h>

/* The pager's thread. 0, or -1 (then exec copies images: no objects). */
int imagepager_start(void);

/*
 * An object of size bytes (whole pages) whose contents are buf's, which must
 * stay unchanged until the object is retired and the kernel let it go (the
 * pager frees buf then, with vm_deallocate). Its port (a send right), or
 * MACH_PORT_NULL when there is no room or no pager.
 */
mach_port_t imagepager_create(vm_address_t buf, uint32_t size);

/* No new mapping will be made of it: buf and the port go once no process maps it. */
void imagepager_retire(mach_port_t object);

/* How many objects there are: a port name each in the server's space (at most 16). */
int imagepager_objects(void);

/* Requests refused since the start: not sent by the kernel. */
unsigned imagepager_refused(void);

/* The unix suite's check that forged requests are refused (the word `pagertest`): a console line. */
void imagepager_forgery_test(void);

#endif
