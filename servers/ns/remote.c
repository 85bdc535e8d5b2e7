/*
 * Names across the cluster, ns's side (remote.h). Each name being asked
 * for has a slot; a cthread makes the one blocking call (xipc_resolve to
 * gns) and fills it, then wakes the loop, which serves the held lookup again
 * and takes the answer. Slots are shared between the loop and those threads
 * under `lock`; nothing else here is touched by another thread.
 */
#include <string.h>
#include <mach/mach.h>
#include <manifold/cthread.h>
#include <manifold/xipc.h>
#include "remote.h"
#include "xipc_client.h"

#define ME mach_task_self()
#define NAME_MAX 128

enum { FREE, ASKING, ANSWERED };

struct slot {
	int state;		/* [L] */
	char name[NAME_MAX];	/* [L] */
	kern_return_t kr;	/* [L] ANSWERED: xipc_resolve's */
	mach_port_t port;	/* [L] ANSWERED and kr 0: our send right */
	mach_port_t gns;	/* the asking thread's own right to gns */
};

static struct slot slots[REMOTE_MAX];
static struct cthread_mutex lock;	/* [L] */
static struct msg_server *loop;
static mach_port_t wake_port;

void
remote_init(struct msg_server *server, mach_port_t wake)
{
	loop = server;
	wake_port = wake;
}

bool
remote_name(const char *name)
{
	return strncmp(name, REMOTE_PREFIX, strlen(REMOTE_PREFIX)) == 0 && name[strlen(REMOTE_PREFIX)] != 0;
}

/* An empty message the loop receives (its id is no routine's: dropped), after which it serves held requests. */
static void
wake(void)
{
	mach_msg_header_t m = {0};

	m.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	m.msgh_size = sizeof m;
	m.msgh_remote_port = wake_port;
	m.msgh_id = 0x7fff0001;
	mach_msg(&m, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
}

static void *
ask(void *arg)
{
	struct slot *s = arg;
	mach_port_t port = MACH_PORT_NULL;
	mach_msg_type_name_t type;
	char name[NAME_MAX];
	kern_return_t kr;

	cthread_mutex_lock(&lock);
	memcpy(name, s->name, sizeof name);
	cthread_mutex_unlock(&lock);
	kr = xipc_resolve(s->gns, name, REMOTE_WAIT_MS - 500, &port, &type);
	mach_port_deallocate(ME, s->gns);
	cthread_mutex_lock(&lock);
	s->kr = kr;
	s->port = kr == KERN_SUCCESS ? port : MACH_PORT_NULL;
	s->state = ANSWERED;
	cthread_mutex_unlock(&lock);
	msg_retry_deferred(loop);
	wake();
	return NULL;
}

kern_return_t
remote_lookup(const char *name, mach_port_t gns, mach_port_t *port)
{
	struct slot *s = NULL, *free_slot = NULL;
	kern_return_t kr = MIG_NO_REPLY;
	cthread_t t;

	cthread_mutex_lock(&lock);
	for (int i = 0; i < REMOTE_MAX; i++) {
		if (slots[i].state != FREE && strcmp(slots[i].name, name) == 0)
			s = &slots[i];
		else if (slots[i].state == FREE && !free_slot)
			free_slot = &slots[i];
	}
	if (s && s->state == ANSWERED) {
		kr = s->kr == KERN_SUCCESS ? KERN_SUCCESS : KERN_INVALID_NAME;
		*port = s->port;
		s->state = FREE;
	} else if (!s && (msg_deferred_expired() || !free_slot || !MACH_PORT_VALID(gns))) {
		kr = KERN_INVALID_NAME;
	} else if (!s) {
		s = free_slot;
		strncpy(s->name, name, NAME_MAX - 1);
		s->name[NAME_MAX - 1] = 0;
		s->state = ASKING;
		s->gns = gns;
		mach_port_mod_refs(ME, gns, MACH_PORT_RIGHT_SEND, 1);	/* the thread's own */
		if (cthread_fork(&t, ask, s) != KERN_SUCCESS) {
			mach_port_deallocate(ME, gns);
			s->state = FREE;
			kr = KERN_INVALID_NAME;
		} else {
			cthread_detach(t);
		}
	} else if (msg_deferred_expired()) {
		kr = KERN_INVALID_NAME;	/* still asking: the answer waits in its slot for the next lookup */
	}
	cthread_mutex_unlock(&lock);
	if (kr == MIG_NO_REPLY && !msg_defer(REMOTE_WAIT_MS))
		kr = KERN_INVALID_NAME;
	return kr;
}
