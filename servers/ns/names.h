/*
 * The name table of the name server (names.c).
 */
#ifndef NS_NAMES_H
#define NS_NAMES_H

#include <mach/mach.h>

/* Dead-name requests go to notify_port; name_registered runs after each registration. */
void names_init(mach_port_t notify_port, void (*name_registered)(void));
/*
 * Takes the names the bootstrap keeps (bootstrap_name), before serving: a
 * restarted name server answers as the last one did. boot is our bootstrap
 * port; nothing happens if it is not the bootstrap.
 */
void names_preload(mach_port_t boot);
/* A registered port died: its names go. */
void names_port_died(mach_port_name_t dead);

#endif
