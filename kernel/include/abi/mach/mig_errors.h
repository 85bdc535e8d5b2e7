/*
 * Status codes of generated RPC stubs (msgc, like MIG before it), and the short reply
 * a server sends when a request fails: the header and a RetCode. These are negative so
 * they never collide with kern_return_t or mach_msg codes. Values are MIG's.
 */
#ifndef MACH_MIG_ERRORS_H
#define MACH_MIG_ERRORS_H

#include <mach/message.h>

#define MIG_TYPE_ERROR         (-300) /* the reply's layout or types are wrong */
#define MIG_REPLY_MISMATCH     (-301) /* the reply's id does not match the request */
#define MIG_REMOTE_ERROR       (-302) /* the server reported an error */
#define MIG_BAD_ID             (-303) /* the server does not know the request's id */
#define MIG_BAD_ARGUMENTS      (-304) /* the server rejected the request's layout */
#define MIG_NO_REPLY           (-305) /* a server routine's way to say "send no reply" */
#define MIG_EXCEPTION          (-306)
#define MIG_ARRAY_TOO_LARGE    (-307) /* an array exceeds its declared bound */
#define MIG_SERVER_DIED        (-308) /* the reply port got a dead-name or send-once notice */
#define MIG_TRAILER_ERROR      (-309)

/*
 * OSF's version carries an 8-byte NDR record before RetCode; Manifold has one data
 * representation (i386), so its messages have no NDR record anywhere.
 */
typedef struct {
	mach_msg_header_t Head;
	kern_return_t     RetCode;
} mig_reply_error_t;

_Static_assert(sizeof(mig_reply_error_t) == 28, "error reply is header + RetCode");

#endif
