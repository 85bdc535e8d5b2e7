/*
 * Notifications: messages the kernel sends to a send-once right a task gave it
 * with mach_port_request_notification. Ids are OSF Mach 3.0's (octal 0100 base).
 * Every notification but port-destroyed is a simple message, its body after the
 * header; port-destroyed carries the receive right in a port descriptor.
 */
#ifndef MACH_NOTIFY_H
#define MACH_NOTIFY_H

#include <mach/message.h>

#define MACH_NOTIFY_FIRST		0100
#define MACH_NOTIFY_PORT_DELETED	(MACH_NOTIFY_FIRST + 001)	/* a send right's name went away */
#define MACH_NOTIFY_PORT_DESTROYED	(MACH_NOTIFY_FIRST + 005)	/* carries a receive right */
#define MACH_NOTIFY_NO_SENDERS		(MACH_NOTIFY_FIRST + 006)	/* the last send right is gone */
#define MACH_NOTIFY_SEND_ONCE		(MACH_NOTIFY_FIRST + 007)	/* a send-once right died unused */
#define MACH_NOTIFY_DEAD_NAME		(MACH_NOTIFY_FIRST + 010)	/* a send right's port died */
#define MACH_NOTIFY_LAST		(MACH_NOTIFY_FIRST + 015)

typedef struct {
	mach_msg_header_t not_header;
	mach_port_name_t not_port;	/* the name that was deleted or died */
	mach_msg_trailer_t trailer;
} mach_port_deleted_notification_t, mach_dead_name_notification_t;

typedef struct {
	mach_msg_header_t not_header;
	mach_port_mscount_t not_count;	/* the make-send count when the last sender left */
	mach_msg_trailer_t trailer;
} mach_no_senders_notification_t;

typedef struct {
	mach_msg_header_t not_header;
	mach_msg_trailer_t trailer;
} mach_send_once_notification_t;

typedef struct {
	mach_msg_header_t not_header;
	mach_msg_body_t not_body;
	mach_msg_port_descriptor_t not_port;	/* the receive right that was to be destroyed */
	mach_msg_trailer_t trailer;
} mach_port_destroyed_notification_t;

#endif
