/*
 * gns's clients (client.h). A client is a task: gns_socket and gns_register
 * carry the caller's task port, and the kernel answers TASK_ID_INFO on it at
 * once (kernel RPCs are served inside the send), so a right to anything else
 * is told apart without waiting for it. A task can only name itself or a
 * task whose port it holds, which is control of that task anyway; minting
 * identities costs a task each, which the kernel's own quotas bound.
 */
#include <string.h>
#include <mach/mach.h>
#include <manifold/socket.h>
#include <msgc_runtime.h>
#include "task_types.h"
#include "client.h"

#define ME mach_task_self()

static struct client clients[CLIENT_MAX];

/*
 * task_info(port, TASK_ID_INFO) with zero timeouts: msgc's stub would wait
 * for ever on a port whose receiver never answers.
 */
static bool
task_id_of(mach_port_t port, uint32_t *id)
{
	union {
		mach_msg_header_t head;
		uint8_t bytes[180];
	} m;
	struct msgc_writer w;
	struct msgc_reader r;
	mach_port_t reply = mig_get_reply_port();
	natural_t flavor = TASK_ID_INFO;
	const integer_t *out;
	mach_msg_type_number_t n;

	msgc_begin_request(&w, &m.head, port, MACH_MSG_TYPE_COPY_SEND, reply, TASK_INFO_ID, 0);
	msgc_put(&w, &flavor, sizeof flavor);
	if (msgc_call_timed(&m.head, w.at, sizeof m, reply, 0) != MACH_MSG_SUCCESS)
		return false;
	if (msgc_begin_reply(&r, &m.head, TASK_INFO_ID + 100, 0) != KERN_SUCCESS ||
	    (out = msgc_get_array(&r, sizeof(integer_t), 32, &n)) == NULL || !msgc_at_end(&r) ||
	    n != TASK_ID_INFO_COUNT) {
		mach_msg_destroy(&m.head);
		return false;
	}
	*id = (uint32_t)out[0];
	return true;
}

int
client_get(mach_port_t owner, struct client **out)
{
	struct client *free_slot = NULL;
	uint32_t id;

	for (int i = 0; i < CLIENT_MAX; i++) {
		/* one port has one name in our space: a known task is found by its name */
		if (MACH_PORT_VALID(owner) && clients[i].task == owner) {
			*out = &clients[i];
			return 0;
		}
		if (!MACH_PORT_VALID(clients[i].task) && !free_slot)
			free_slot = &clients[i];
	}
	if (!MACH_PORT_VALID(owner) || !task_id_of(owner, &id))
		return SOCK_EINVAL;
	if (!free_slot || mach_port_mod_refs(ME, owner, MACH_PORT_RIGHT_SEND, 1) != KERN_SUCCESS)
		return SOCK_ENOBUFS;
	memset(free_slot, 0, sizeof *free_slot);
	free_slot->task = owner;
	free_slot->task_id = id;
	*out = free_slot;
	return 0;
}

void
client_done(mach_port_t owner)
{
	mach_port_deallocate(ME, owner);
}

/* A client that holds nothing any more is forgotten. */
void
client_put(struct client *c)
{
	if (c->sockets > 0 || c->registrations > 0)
		return;
	mach_port_deallocate(ME, c->task);
	memset(c, 0, sizeof *c);
}

int
client_charge_socket(struct client *c)
{
	if (c->sockets >= GNS_CLIENT_SOCKETS)
		return SOCK_EDQUOT;
	c->sockets++;
	return 0;
}

int
client_charge_registration(struct client *c)
{
	if (c->registrations >= GNS_CLIENT_REGISTRATIONS)
		return SOCK_EDQUOT;
	c->registrations++;
	return 0;
}

void
client_release_socket(struct client *c)
{
	c->sockets--;
	client_put(c);
}

void
client_release_registration(struct client *c)
{
	c->registrations--;
	client_put(c);
}

int
client_count(void)
{
	int n = 0;

	for (int i = 0; i < CLIENT_MAX; i++)
		n += MACH_PORT_VALID(clients[i].task);
	return n;
}
