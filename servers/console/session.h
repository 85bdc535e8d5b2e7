/* Sessions: one per client task, each holding that client's partial line (session.c). */
#ifndef CONSOLE_SESSION_H
#define CONSOLE_SESSION_H

#include <stdint.h>
#include <mach/mach.h>

#define CONSOLE_LINE_MAX 512	/* a partial line this long goes out anyway */
#define CONSOLE_FLUSH_MS 200	/* ...and so does one this old */
#define MAX_SESSIONS 64

struct session {
	mach_port_t port;	/* receive right; MACH_PORT_NULL: slot free */
	uint32_t len;		/* bytes of a partial line held in buf */
	uint64_t held_since_ms;	/* when the partial line's first byte came */
	char buf[CONSOLE_LINE_MAX];
};

/* A new session port (receive right, member of set); NULL when all slots are taken. */
struct session *session_create(mach_port_t set);
struct session *session_find(mach_port_t port);
/* Writes out the partial line, frees the slot, destroys the port. */
void session_destroy(struct session *s);
void session_write(struct session *s, const char *text, uint32_t n, uint64_t now_ms);
void session_flush(struct session *s);
/* Flushes partial lines older than CONSOLE_FLUSH_MS; returns ms until the next is due (0: none held). */
uint32_t session_flush_old(uint64_t now_ms);

#endif
