/*
 * The registration table (reg.h): a fixed array, searched whole. It holds
 * at most a few hundred entries, and a search per bind or registration costs
 * nothing next to the messages that ask for it.
 */
#include <stddef.h>
#include <manifold/socket_codes.h>
#include "reg.h"

static struct reg regs[REG_MAX];

int
reg_check(uint32_t proto, uint32_t number)
{
	switch (proto) {
	case GNS_PROTO_UDP:
	case GNS_PROTO_TCP:
		return number >= 1 && number <= 65535 ? 0 : SOCK_EINVAL;
	case GNS_PROTO_ETHER:
		/* below 0x0600 the field is an 802.3 length, not a type */
		return number >= 0x0600 && number <= 0xffff ? 0 : SOCK_EINVAL;
	default:
		return SOCK_EPROTONOSUPPORT;
	}
}

struct reg *
reg_find(uint32_t proto, uint32_t number)
{
	for (int i = 0; i < REG_MAX; i++)
		if (regs[i].proto == proto && regs[i].number == number)
			return &regs[i];
	return NULL;
}

int
reg_claim(uint32_t proto, uint32_t number, void *holder, struct reg **out)
{
	int err = reg_check(proto, number);

	if (err)
		return err;
	if (reg_find(proto, number))
		return SOCK_EADDRINUSE;
	for (int i = 0; i < REG_MAX; i++) {
		if (regs[i].proto == 0) {
			regs[i].proto = proto;
			regs[i].number = number;
			regs[i].holder = holder;
			*out = &regs[i];
			return 0;
		}
	}
	return SOCK_ENOBUFS;
}

void
reg_release(struct reg *r)
{
	r->proto = 0;
	r->number = 0;
	r->holder = NULL;
}

int
reg_count(void)
{
	int n = 0;

	for (int i = 0; i < REG_MAX; i++)
		n += regs[i].proto != 0;
	return n;
}
