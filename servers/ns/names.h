/*
 * The name table and the waiting lookups of the name server (names.c).
 */
#ifndef NS_NAMES_H
#define NS_NAMES_H

#include <stdbool.h>
#include <mach/mach.h>

/* What ns sends its bootstrap port when it starts: local = a send right to its service. */
#define NS_HELLO_ID 5099

void names_init(mach_port_t notify_port);
/* A registered port died: its names go. */
void names_port_died(mach_port_name_t dead);

/* ns_wait for a name not registered yet: keeps the request; true if it did. */
bool waiters_take(mach_msg_header_t *request);
/* Milliseconds until the next waiter's time is up, 0 if none waits. */
uint32_t waiters_next_timeout(void);
/* Answers the waiters whose time is up. */
void waiters_expire(void);

#endif
