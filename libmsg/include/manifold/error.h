/*
 * Names for kern_return_t, mach_msg and MIG codes, for messages a person reads.
 */
#ifndef MANIFOLD_ERROR_H
#define MANIFOLD_ERROR_H

#include <mach/kern_return.h>

/* "KERN_INVALID_ADDRESS", "MACH_SEND_INVALID_DEST", "MIG_BAD_ID" and so on, for
 * every code our headers define; "unknown error" for others. */
const char *kern_return_name(kern_return_t kr);
const char *mach_error_string(kern_return_t kr);	/* the same, under Mach's name */

#endif
