/*
 * echo: the example server of libmsg/README.md. It checks in with the
 * bootstrap, which keeps its service port across restarts and registers it as
 * /servers/echo, then serves echo.defs through libmsg's loop with a pool of
 * ECHO_THREADS threads. The handlers below are
 * all a server author writes; they run concurrently, so shared state is
 * atomic or under a mutex.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/cthread.h>
#include <manifold/msg.h>
#include "echo_server.h"

#define ECHO_THREADS 4

static uint32_t answered;	/* [A] */

/* echo_pair's meeting point: arrivals counts requests, odd ones wait for the next. */
static struct cthread_mutex pair_lock = CTHREAD_MUTEX_INITIALIZER;
static struct cthread_cond pair_came = CTHREAD_COND_INITIALIZER;
static uint32_t arrivals;	/* [pair_lock] */

kern_return_t
echo_do_echo_text(mach_port_t server, const char *text, char *reply, uint32_t *count)
{
	strcpy(reply, text);	/* msgc checked it fits: both are c_string[*:256] */
	*count = __atomic_add_fetch(&answered, 1, __ATOMIC_RELAXED);
	return KERN_SUCCESS;
}

kern_return_t
echo_do_echo_data(mach_port_t server, uint8_t *data, mach_msg_type_number_t dataCnt, uint8_t **copy,
		  mach_msg_type_number_t *copyCnt)
{
	__atomic_add_fetch(&answered, 1, __ATOMIC_RELAXED);
	*copy = data;		/* ours now; `dealloc` in echo.defs moves it on to the client */
	*copyCnt = dataCnt;
	return KERN_SUCCESS;
}

kern_return_t
echo_do_echo_port(mach_port_t server, mach_port_t port, mach_port_t *same)
{
	__atomic_add_fetch(&answered, 1, __ATOMIC_RELAXED);
	*same = port;		/* the reply copies our right; we release the one we got */
	return KERN_SUCCESS;
}

kern_return_t
echo_do_echo_pair(mach_port_t server, uint32_t *paired, uint32_t *thread)
{
	uint32_t me;

	__atomic_add_fetch(&answered, 1, __ATOMIC_RELAXED);
	cthread_mutex_lock(&pair_lock);
	me = ++arrivals;
	if (me % 2 == 0) {
		cthread_cond_broadcast(&pair_came);	/* the partner of the odd arrival before us */
		*paired = 1;
	} else {
		while (arrivals == me && cthread_cond_timedwait(&pair_came, &pair_lock, 2000))
			;
		*paired = arrivals != me;
		if (!*paired)
			arrivals++;	/* nobody came: the next arrival starts a new pair */
	}
	cthread_mutex_unlock(&pair_lock);
	*thread = cthread_id(cthread_self());
	return KERN_SUCCESS;
}

static const msg_demux_t demuxes[] = { echo_server };
static struct msg_server server = {
	.demuxes = demuxes,
	.ndemuxes = 1,
	.max_request = ECHO_REQUEST_MAX_SIZE,
	.max_reply = ECHO_REPLY_MAX_SIZE,
	.nthreads = ECHO_THREADS,
};

int
main(int argc, char **argv)
{
	/* the port outlives us: the bootstrap keeps it, and registers /servers/echo */
	server.port = msg_service_checkin("/servers/echo");
	if (!MACH_PORT_VALID(server.port)) {
		printf("echo: no service port from the bootstrap\n");
		return 1;
	}
	printf("echo: serving /servers/echo\n");
	msg_server_run(&server);
	return 1;
}
