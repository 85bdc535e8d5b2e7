/*
 * ipcpeer: the other end of ipctest's two-task cases. It finds ipctest through
 * its bootstrap port (inherited from ipctest, which started it), sends it a
 * send right to its own service port, then serves the small protocol of
 * ipclib.h until told to exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include "ipclib.h"
#include "suite.h"

static mach_port_t service, next_hop;


static uint32_t
count_names(void)
{
	return port_name_count();
}

/* Takes one message off the service port, if any, and releases the rights it brought. */
static int
take_traffic(void)
{
	static union {
		struct port_msg pm;
		struct simple_msg sm;
	} m;
	mach_msg_return_t mr = mach_msg(&m.sm.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, service, 0, 0);

	if (mr != MACH_MSG_SUCCESS)
		return mr == MACH_RCV_TIMED_OUT ? 0 : -1;
	if (m.pm.h.msgh_id != PEER_TRAFFIC || !(m.pm.h.msgh_bits & MACH_MSGH_BITS_COMPLEX))
		return -1;
	if (m.pm.port.disposition == MACH_MSG_TYPE_PORT_RECEIVE)
		return mach_port_mod_refs(mach_task_self(), m.pm.port.name, MACH_PORT_RIGHT_RECEIVE, -1) ? -1 : 1;
	if (m.pm.port.name == MACH_PORT_DEAD)	/* a send right whose port died on the way */
		return 1;
	return mach_port_deallocate(mach_task_self(), m.pm.port.name) ? -1 : 1;
}

/*
 * A stress run: random sends of fresh rights (send rights and receive rights)
 * to random peers, random receives, and a check that the name space never
 * keeps what it gave away. Replies with the number of errors seen.
 */
static void
stress(struct stress_msg *req)
{
	mach_port_t me = mach_task_self(), peers[3];
	uint32_t base = count_names(), errors = 0, steps = req->steps, why[5] = { 0 };
	mach_port_t reply = req->h.msgh_remote_port;

	for (int i = 0; i < 3; i++)
		peers[i] = req->peer[i].name;
	suite_seed(req->seed);
	for (uint32_t step = 0; step < steps; step++) {
		uint32_t op = rnd() % 3;
		if (op == 0) {
			struct port_msg pm;
			mach_port_t tmp;
			int move_receive = rnd() % 2;
			mach_msg_return_t mr;
			if (mach_port_allocate(me, MACH_PORT_RIGHT_RECEIVE, &tmp) != KERN_SUCCESS) {
				errors++, why[0]++;
				continue;
			}
			memset(&pm, 0, sizeof pm);
			pm.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
			pm.h.msgh_remote_port = peers[rnd() % 3];
			pm.h.msgh_id = PEER_TRAFFIC;
			pm.body.msgh_descriptor_count = 1;
			pm.port.name = tmp;
			pm.port.disposition = move_receive ? MACH_MSG_TYPE_MOVE_RECEIVE : MACH_MSG_TYPE_MAKE_SEND;
			pm.port.type = MACH_MSG_PORT_DESCRIPTOR;
			mr = mach_msg(&pm.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof pm, 0, 0, 0, 0);
			if (mr != MACH_MSG_SUCCESS && mr != MACH_SEND_TIMED_OUT)
				errors++, why[1]++;
			/* a moved receive right is gone from here; anything else we destroy */
			if (!(move_receive && mr == MACH_MSG_SUCCESS))
				mach_port_destroy(me, tmp);
			else if (mach_port_destroy(me, tmp) != KERN_INVALID_NAME)
				errors++, why[2]++;
		} else if (op == 1) {
			if (take_traffic() < 0)
				errors++, why[3]++;
		} else if (count_names() > base + 2) {
			errors++, why[4]++;	/* something given away or released is still named here */
		}
	}
	if (errors)
		printf("ipcpeer: stress errors: allocate %u, send %u, moved-name %u, receive %u, names %u (base %u, now %u)\n",
		       why[0], why[1], why[2], why[3], why[4], base, count_names());
	struct simple_msg r;
	memset(&r.h, 0, sizeof r.h);
	r.h.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(req->h.msgh_bits), 0);
	r.h.msgh_remote_port = reply;
	r.h.msgh_id = PEER_STRESS + 100;
	r.data[0] = errors;
	mach_msg(&r.h, MACH_SEND_MSG, sizeof r.h + 4, 0, 0, 0, 0);
	for (int i = 0; i < 3; i++)
		mach_port_deallocate(me, peers[i]);
}

static void
reply(struct simple_msg *req, mach_msg_size_t size, mach_msg_id_t id)
{
	req->h.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(req->h.msgh_bits), 0);
	req->h.msgh_local_port = MACH_PORT_NULL;
	req->h.msgh_id = id;
	mach_msg(&req->h, MACH_SEND_MSG, size, 0, 0, 0, 0);
}

int
main(int argc, char **argv)
{
	static struct simple_msg m;
	mach_port_t boot;

	if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &boot) != KERN_SUCCESS || !boot)
		return 10;
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &service) != KERN_SUCCESS)
		return 11;
	if (send_simple(boot, MACH_MSG_TYPE_COPY_SEND, service, MACH_MSG_TYPE_MAKE_SEND, PEER_HELLO, NULL, 0))
		return 12;
	mach_port_deallocate(mach_task_self(), boot);
	for (;;) {
		mach_msg_return_t mr = mach_msg(&m.h, MACH_RCV_MSG, 0, sizeof m, service, 0, 0);
		mach_msg_size_t size = m.h.msgh_size;
		if (mr != MACH_MSG_SUCCESS)
			return 13;
		switch (m.h.msgh_id) {
		case PEER_ECHO:
			reply(&m, size, PEER_ECHO + 100);
			break;
		case PEER_EXIT:
			return 0;
		case PEER_CRASH:
			return *(volatile int *)0;
		case PEER_SET_NEXT: {
			struct port_msg *pm = (struct port_msg *)&m;
			next_hop = pm->port.name;
			break;
		}
		case PEER_RELAY: {
			static struct simple_msg fwd;
			mach_port_t r = mach_reply_port();
			uint32_t len = size - sizeof m.h;
			memcpy(fwd.data, m.data, len);
			fwd.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
			fwd.h.msgh_remote_port = next_hop;
			fwd.h.msgh_local_port = r;
			fwd.h.msgh_id = PEER_ECHO;
			if (mach_msg(&fwd.h, MACH_SEND_MSG | MACH_RCV_MSG, size, sizeof fwd, r, 0, 0) != MACH_MSG_SUCCESS)
				return 14;
			mach_port_destroy(mach_task_self(), r);
			memcpy(m.data, fwd.data, len);
			reply(&m, size, PEER_RELAY + 100);
			break;
		}
		case PEER_STRESS:
			stress((struct stress_msg *)&m);
			break;
		case PEER_TRAFFIC:	/* late traffic from another peer's run */
			if (m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX) {
				struct port_msg *pm = (struct port_msg *)&m;
				if (pm->port.disposition == MACH_MSG_TYPE_PORT_RECEIVE)
					mach_port_mod_refs(mach_task_self(), pm->port.name, MACH_PORT_RIGHT_RECEIVE, -1);
				else if (MACH_PORT_VALID(pm->port.name))
					mach_port_deallocate(mach_task_self(), pm->port.name);
			}
			break;
		case PEER_DROP_SEND:
			if (MACH_PORT_VALID(m.h.msgh_remote_port))
				mach_port_deallocate(mach_task_self(), m.h.msgh_remote_port);
			break;
		default:
			break;
		}
	}
}
