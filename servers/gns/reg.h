/*
 * Protocol registrations (reg.c), as in Masix: who holds each UDP port, TCP
 * port and EtherType at gns. A holder is a socket bound to the port or an
 * explicit registration (gns_register); only its holder can bind a number.
 * Pure bookkeeping, no Mach and no lwIP, so the host tests run it as it is.
 * Only gns's loop thread calls it.
 */
#ifndef GNS_REG_H
#define GNS_REG_H

#include <stdint.h>

#define REG_MAX 128

struct reg {
	uint32_t proto;		/* GNS_PROTO_*; 0: a free slot */
	uint32_t number;
	void *holder;		/* the socket or registration port that holds it */
};

/* Whether number is one proto can register: SOCK_EINVAL, SOCK_EPROTONOSUPPORT, or 0. */
int reg_check(uint32_t proto, uint32_t number);

/*
 * Registers (proto, number) for holder: 0 and *out, else SOCK_EADDRINUSE
 * (someone holds it), SOCK_ENOBUFS (table full), or reg_check's error.
 */
int reg_claim(uint32_t proto, uint32_t number, void *holder, struct reg **out);

/* The registration of (proto, number), or NULL. */
struct reg *reg_find(uint32_t proto, uint32_t number);

/* Frees it: the number can be registered again. */
void reg_release(struct reg *r);

/* How many are held (tests, netstat). */
int reg_count(void);

#endif
