/*
 * Sockets through gns (libmsg's <manifold/socket.h>, servers/gns): when the
 * server's command line has the word `net`, AF_INET stream and datagram
 * sockets are gns's, each a struct file holding gns's send right for it;
 * without it (no gns in the boot) every socket call answers -ENOSYS, so that
 * nothing waits for a gns that will not come.
 *   [U] unix_lock, as everything of the server's
 */
#ifndef UNIX_SOCK_H
#define UNIX_SOCK_H

#include <stdbool.h>
#include <mach/mach.h>

/* Sockets are gns's from now on; wake is the loop's wake port (main.c), for the ticker. */
void sock_start(void);
/* Whether `net` said so. */
extern bool sock_enabled;

/* What a held socket call of gns's waits on: the ticker wakes it (main.c). */
extern const char sock_key;

#endif
