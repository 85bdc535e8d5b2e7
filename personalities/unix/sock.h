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

/* Sockets are gns's from now on; set is the loop's port set, for socket_notify's port. */
void sock_start(mach_port_t set);
/* The port socket_notify's messages come on (NULL: none, the ticker's way). */
extern mach_port_t sock_notify_port;
/*
 * A message on sock_notify_port: gns says a socket is ready (the calls held
 * on it, and the polls that asked it, go again), or a right it held died
 * unsent (gns is gone: every armed socket's calls go again, to learn it).
 * unix_lock held.
 */
void sock_notice(const mach_msg_header_t *in);
/* How many such messages came (the unix suite's run lines: held socket calls' wakes). */
extern uint32_t sock_notices;
/* How many ticks of the fallback ticker went to the loop (main.c). */
extern uint32_t sock_ticks;
/* Whether `net` said so. */
extern bool sock_enabled;

/* What a held socket call of gns's waits on with a gns older than socket_notify: the ticker wakes it (main.c). */
extern const char sock_key;

#endif
