/*
 * The console server's second thread. It blocks in the console_read trap
 * (privileged: it names the host_priv right the bootstrap gave the server)
 * and passes each batch of typed bytes to the server's loop as a message, so
 * the loop waits in one place (mach_msg) for requests and for keys alike. It
 * uses only traps and a plain send: the runtime's reply port belongs to the loop.
 */
#include <string.h>
#include <mach/mach.h>
#include <manifold/trap.h>
#include "reader.h"

static mach_port_t to_loop, host_priv;
static uint32_t reader_stack[4096] __attribute__((aligned(16)));

static void
reader_loop(void)
{
	struct input_msg m;

	for (;;) {
		uint32_t n = 0;
		if (trap_console_read(host_priv, m.bytes, sizeof m.bytes, TRAP_CONSOLE_WAIT_FOREVER, &n) != KERN_SUCCESS)
			continue;
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
		m.h.msgh_size = sizeof m;
		m.h.msgh_remote_port = to_loop;
		m.h.msgh_local_port = MACH_PORT_NULL;
		m.h.msgh_id = INPUT_MSG_ID;
		m.count = n;
		mach_msg(&m.h, MACH_SEND_MSG, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
	}
}

kern_return_t
reader_start(mach_port_t input_port, mach_port_t priv)
{
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;
	mach_port_t th;
	kern_return_t kr;

	to_loop = input_port;
	host_priv = priv;
	kr = thread_create(mach_task_self(), &th);
	if (kr == KERN_SUCCESS)
		kr = thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &n);
	if (kr != KERN_SUCCESS)
		return kr;
	st.eip = (natural_t)(uintptr_t)reader_loop;
	st.esp = (natural_t)(uintptr_t)&reader_stack[4096 - 4];
	kr = thread_set_state(th, i386_THREAD_STATE, (natural_t *)&st, i386_THREAD_STATE_COUNT);
	if (kr == KERN_SUCCESS)
		kr = thread_resume(th);
	return kr;
}
