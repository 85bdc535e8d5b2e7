/*
 * The test server behind kinds.defs: handlers that compute something checkable from
 * every argument, count their calls (a malformed request must never reach one), and
 * can be told to fail or to return out-of-bounds values.
 */
#ifndef MSGC_KINDS_HANDLERS_H
#define MSGC_KINDS_HANDLERS_H

#include "kinds_server.h"

struct kinds_state {
	int calls;
	kern_return_t fail_with;	/* returned instead of doing the work, if set */
	bool overflow_outputs;		/* counts above bounds, strings unterminated */
	mach_port_t ports[6];		/* what kinds_ports received */
	mach_port_t list[4];		/* what kinds_port_list (or kinds_same_count) received, */
	mach_msg_type_number_t listCnt;	/* and how many */
	int32_t notify_code;
	char notify_note[32];
};

extern struct kinds_state kinds_state;

#endif
