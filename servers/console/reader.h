/* The input thread (reader.c): serial bytes from the kernel, as messages to the server's loop. */
#ifndef CONSOLE_READER_H
#define CONSOLE_READER_H

#include <stdint.h>
#include <mach/mach.h>

#define INPUT_MSG_ID 7900	/* outside console.defs' ids */
#define INPUT_CHUNK 128

struct input_msg {
	mach_msg_header_t h;
	uint32_t count;
	char bytes[INPUT_CHUNK];
};

/*
 * Starts the thread; it reads the serial line with host_priv (a send right to
 * the privileged host port) and sends what is typed to input_port (a send right of ours).
 */
kern_return_t reader_start(mach_port_t input_port, mach_port_t host_priv);

#endif
