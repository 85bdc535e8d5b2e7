/*
 * xipc.defs's identity routines (the others: cluster.c for nodes and
 * stats, lookup.c for names): a port's global identity, a send right for
 * one, and the list of proxies and exports.
 */
#include <mach/mach.h>
#include <manifold/xipc.h>
#include "cluster.h"
#include "proxy.h"
#include "service.h"
#include "xipc_server.h"

kern_return_t
xipc_do_xipc_export(mach_port_t server, mach_port_t port, uint32_t *node, uint32_t *number, uint32_t *check_hi,
		    uint32_t *check_lo)
{
	struct gport g;
	int err;

	if (server != service_port() || !cluster_on()) {
		if (MACH_PORT_VALID(port))
			mach_port_deallocate(mach_task_self(), port);
		return server != service_port() ? XIPC_E_INVALID : XIPC_E_OFF;
	}
	if ((err = proxy_export(port, &g, 0)) != 0)	/* takes the right */
		return err;
	*node = g.node;
	*number = g.port;
	*check_hi = (uint32_t)(g.check >> 32);
	*check_lo = (uint32_t)g.check;
	return KERN_SUCCESS;
}

kern_return_t
xipc_do_xipc_proxies(mach_port_t server, uint32_t *count, uint32_t *words, mach_msg_type_number_t *wordsCnt)
{
	int max = (int)(*wordsCnt / XIPC_PROXY_WORDS), n;

	if (server != service_port())
		return XIPC_E_INVALID;
	if (!cluster_on())
		return XIPC_E_OFF;
	n = proxy_records(words, max);
	*count = (uint32_t)n;
	*wordsCnt = (mach_msg_type_number_t)((n < max ? n : max) * XIPC_PROXY_WORDS);
	return KERN_SUCCESS;
}

kern_return_t
xipc_do_xipc_import(mach_port_t server, uint32_t node, uint32_t number, uint32_t check_hi, uint32_t check_lo,
		    mach_port_t *port, mach_msg_type_name_t *portPoly)
{
	struct gport g = { .node = node, .port = number, .check = (uint64_t)check_hi << 32 | check_lo };
	bool make_send;
	int err;

	if (server != service_port())
		return XIPC_E_INVALID;
	if (!cluster_on())
		return XIPC_E_OFF;
	if ((err = proxy_import(&g, port, &make_send, false)) != 0)
		return err;
	*portPoly = make_send ? MACH_MSG_TYPE_MAKE_SEND : MACH_MSG_TYPE_COPY_SEND;
	return KERN_SUCCESS;
}
