/*
 * Names across the cluster (lookup.h): xipc_resolve's handler, which asks
 * the peers and waits for them as a deferred request (msg_defer: gns's loop
 * never blocks), and the answers to other nodes' questions, from this node's
 * ns. Only gns's loop thread runs this.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/msg.h>
#include <manifold/xipc.h>
#include "cluster.h"
#include "lookup.h"
#include "ns_client.h"
#include "proxy.h"
#include "service.h"
#include "sock.h"
#include "xipc_server.h"

#define ME mach_task_self()

struct lookup {
	bool used;
	char name[CARRY_NAME_MAX];
	uint32_t req;
	uint32_t asked[8], waiting[8];	/* bit per node: asked, and not answered yet */
	bool found;
	struct gport gid;
};

static struct lookup lookups[LOOKUP_MAX];

static bool
valid_name(const char *name, size_t len)
{
	return len > strlen(LOOKUP_PREFIX) && len < CARRY_NAME_MAX && strncmp(name, LOOKUP_PREFIX, strlen(LOOKUP_PREFIX)) == 0 &&
	       memchr(name, 0, len) == NULL;
}

static bool
none_waiting(const struct lookup *l)
{
	for (int i = 0; i < 8; i++)
		if (l->waiting[i])
			return false;
	return true;
}

static void
ask(uint32_t node, void *arg)
{
	struct lookup *l = arg;
	struct carry_out o = {0};
	size_t len = strlen(l->name);

	carry_put8(&o, CARRY_LOOKUP);
	carry_put32(&o, l->req);
	carry_put32(&o, (uint32_t)len);
	carry_put_bytes(&o, l->name, len);
	if (!o.failed && cluster_send(node, 0, o.p, o.len) == 0) {
		l->asked[node / 32] |= 1u << (node % 32);
		l->waiting[node / 32] |= 1u << (node % 32);
	}
	carry_out_free(&o);
}

kern_return_t
xipc_do_xipc_resolve(mach_port_t server, const char *name, uint32_t timeout_ms, mach_port_t *port,
		     mach_msg_type_name_t *portPoly)
{
	struct lookup *l = NULL, *free_slot = NULL;
	bool make_send;
	int err;

	if (server != service_port())
		return XIPC_E_INVALID;
	if (!cluster_on())
		return XIPC_E_OFF;
	if (!valid_name(name, strlen(name)))
		return XIPC_E_INVALID;
	for (int i = 0; i < LOOKUP_MAX; i++) {
		if (lookups[i].used && strcmp(lookups[i].name, name) == 0)
			l = &lookups[i];
		else if (!lookups[i].used && !free_slot)
			free_slot = &lookups[i];
	}
	if (!l) {
		if (msg_deferred_expired())
			return XIPC_E_NOT_FOUND;
		if (!free_slot)
			return XIPC_E_FULL;
		l = free_slot;
		memset(l, 0, sizeof *l);
		l->used = true;
		strcpy(l->name, name);
		cluster_random(&l->req, sizeof l->req);
		xipc_stat[XIPC_STAT_LOOKUPS]++;
		cluster_foreach_alive(ask, l);
	}
	if (l->found) {
		err = proxy_import(&l->gid, port, &make_send, true);
		l->used = false;
		if (err)
			return err;
		*portPoly = make_send ? MACH_MSG_TYPE_MAKE_SEND : MACH_MSG_TYPE_COPY_SEND;
		return KERN_SUCCESS;
	}
	if (none_waiting(l) || msg_deferred_expired()) {
		l->used = false;
		return XIPC_E_NOT_FOUND;
	}
	if (!msg_defer(timeout_ms)) {
		l->used = false;
		return XIPC_E_FULL;
	}
	return MIG_NO_REPLY;
}

/* Another node asks: our ns's answer, as a global identity. */
static void
answer(uint32_t peer, struct carry_in *in)
{
	uint32_t req = carry_get32(in), len = carry_get32(in);
	const uint8_t *bytes = len < CARRY_NAME_MAX ? carry_get_bytes(in, len) : NULL;
	struct carry_out o = {0};
	char name[CARRY_NAME_MAX];
	mach_port_t ns, port;
	struct gport g;
	bool found = false;

	if (!bytes || in->off != in->len || !valid_name((const char *)bytes, len)) {
		xipc_stat[XIPC_STAT_R_MALFORMED]++;
		return;
	}
	memcpy(name, bytes, len);
	name[len] = 0;
	if (task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns) == KERN_SUCCESS && MACH_PORT_VALID(ns)) {
		/* only what this node's ns holds (ns_lookup would ask us back for a /cluster/ name) */
		if (ns_lookup_local(ns, name, &port) == KERN_SUCCESS && proxy_export(port, &g, peer) == 0)
			found = true;
		mach_port_deallocate(ME, ns);
	}
	xipc_stat[XIPC_STAT_LOOKUPS_ANSWERED]++;
	carry_put8(&o, found ? CARRY_FOUND : CARRY_MISSING);
	carry_put32(&o, req);
	if (found)
		carry_put_gid(&o, &g);
	if (!o.failed)
		cluster_send(peer, 0, o.p, o.len);
	carry_out_free(&o);
}

void
lookup_input(uint32_t peer, uint8_t kind, struct carry_in *in)
{
	uint32_t req;
	struct gport g;

	if (kind == CARRY_LOOKUP) {
		answer(peer, in);
		return;
	}
	req = carry_get32(in);
	if (kind == CARRY_FOUND)
		carry_get_gid(in, &g);
	if (in->bad || in->off != in->len || peer >= 256) {
		xipc_stat[XIPC_STAT_R_MALFORMED]++;
		return;
	}
	for (int i = 0; i < LOOKUP_MAX; i++) {
		struct lookup *l = &lookups[i];
		if (!l->used || l->req != req || !(l->waiting[peer / 32] & (1u << (peer % 32))))
			continue;
		l->waiting[peer / 32] &= ~(1u << (peer % 32));
		if (kind == CARRY_FOUND && !l->found) {
			l->found = true;
			l->gid = g;
			kind = CARRY_MISSING;	/* taken */
		}
		if (l->found || none_waiting(l))
			msg_retry_deferred(sock_server());
	}
	/* an answer nobody takes (a second FOUND, a lookup given up): the grant goes back */
	if (kind == CARRY_FOUND)
		proxy_release(&g, 1);
}

void
lookup_node_died(uint32_t node)
{
	if (node >= 256)
		return;
	for (int i = 0; i < LOOKUP_MAX; i++) {
		struct lookup *l = &lookups[i];
		if (l->used && (l->waiting[node / 32] & (1u << (node % 32)))) {
			l->waiting[node / 32] &= ~(1u << (node % 32));
			if (none_waiting(l))
				msg_retry_deferred(sock_server());
		}
	}
}
