/*
 * Names for kern_return_t codes, for messages a person reads.
 */
#ifndef MANIFOLD_ERROR_H
#define MANIFOLD_ERROR_H

#include <mach/kern_return.h>

/* "KERN_INVALID_ADDRESS" and so on; "unknown error" for codes it does not know. */
const char *kern_return_name(kern_return_t kr);

#endif
