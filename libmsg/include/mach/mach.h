/*
 * The Mach calls of OSF Mach 3.0 that user programs make, with the manual's
 * names, argument order and error codes: the few traps Mach has
 * (kernel/include/abi/manifold/traps.h), and the kernel's RPCs.
 */
#ifndef MACH_MACH_H
#define MACH_MACH_H

#include <mach/kern_return.h>
#include <mach/message.h>
#include <mach/notify.h>
#include <mach/port.h>
#include <mach/mig_errors.h>
#include <mach/task_special_ports.h>
#include <mach/thread_status.h>
#include <mach/vm_types.h>

typedef mach_port_t task_t;
typedef mach_port_t ipc_space_t;
typedef mach_port_t *thread_act_array_t;

mach_msg_return_t mach_msg(mach_msg_header_t *msg, mach_msg_option_t option, mach_msg_size_t send_size,
			   mach_msg_size_t rcv_size, mach_port_name_t rcv_name, mach_msg_timeout_t timeout,
			   mach_port_name_t notify);
mach_port_t mach_reply_port(void);
/* The calling thread's reply port for RPCs (MIG's), made on first use. */
mach_port_t mig_get_reply_port(void);
/* Releases the rights in a received message's header and port descriptors. */
void mach_msg_destroy(mach_msg_header_t *msg);
mach_port_t mach_task_self(void);


/* A new send right to the calling thread's port / to the host port, each call. */
mach_port_t mach_thread_self(void);
mach_port_t mach_host_self(void);
kern_return_t thread_switch(mach_port_t thread, int option, mach_msg_timeout_t time);

/*
 * The kernel's RPC interfaces: stubs msgc generates from mach_port.defs (the
 * mach_port_* calls), vm_map.defs (the vm_* calls), task.defs, thread.defs,
 * host.defs, clock.defs and clock_priv.defs. Each takes the port of the object it acts on: any task's port works.
 */
#include "mach_port_client.h"
#include "vm_map_client.h"
#include "task_client.h"
#include "thread_client.h"
#include "host_client.h"
#include "device_client.h"
#include "clock_client.h"
#include "clock_priv_client.h"
#include "device_intr_types.h"

/* Mach's clock_sleep trap (<manifold/traps.h>): on a clock's name or control port. */
kern_return_t clock_sleep(mach_port_t clock_name, sleep_type_t sleep_type, mach_timespec_t sleep_time,
			  mach_timespec_t *wakeup_time);

#endif
