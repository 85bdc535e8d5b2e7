/*
 * The host interface (host.defs), served on the host port and on the
 * privileged host port alike: the handler that the generated decoder
 * (build/gen/kernel/host_kserver.c) calls; host_get_device_port,
 * host_set_time, host_adjust_time and host_get_clock_control answer on the
 * privileged one only (the time of day itself: kern/walltime.c). The clocks'
 * ports that host_get_clock_service and host_get_clock_control hand out are
 * kern/clock_rpc.c's; the calendar clock's control port is a right to set the
 * time of day that a server can be given without host_priv, whose holder
 * could reach every device too.
 */
#include <kern/clock_port.h>
#include <kern/device.h>
#include <kern/ipc.h>
#include <kern/lib.h>
#include <kern/page.h>
#include <kern/walltime.h>
#include <mach/thread_status.h>
#include <mach/clock_types.h>
#include "host_kserver.h"

kern_return_t
kdo_host_info(struct port *host, natural_t flavor, integer_t *host_info_out, mach_msg_type_number_t *host_info_outCnt)
{
	host_basic_info_data_t info;

	(void)host;
	if (flavor != HOST_BASIC_INFO)
		return KERN_INVALID_ARGUMENT;
	memset(&info, 0, sizeof info);
	info.max_cpus = info.avail_cpus = 1;
	info.memory_size = page_total_count() * 4096u;
	info.cpu_type = CPU_TYPE_I386;
	memcpy(host_info_out, &info, sizeof info);
	*host_info_outCnt = HOST_BASIC_INFO_COUNT;
	return KERN_SUCCESS;
}

/* A send right to p, for a reply. */
static kern_return_t
give_send(struct port *p, struct port **out)
{
	uint32_t f = ipc_begin();

	port_copy_send(p);
	*out = p;
	ipc_end(f);
	return KERN_SUCCESS;
}

kern_return_t
kdo_host_get_device_port(struct port *host, struct port **device)
{
	if (host != host_priv_port)
		return KERN_INVALID_HOST;
	return give_send(device_port, device);
}

kern_return_t
kdo_host_get_time(struct port *host, time_value_t *current_time)
{
	(void)host;
	walltime_ns_value(walltime_now_ns(), current_time);
	return KERN_SUCCESS;
}

kern_return_t
kdo_host_set_time(struct port *host, time_value_t new_time)
{
	if (host != host_priv_port)
		return KERN_INVALID_HOST;
	if (!walltime_value_valid(&new_time) || new_time.seconds < 0)
		return KERN_INVALID_ARGUMENT;
	walltime_set_ns(walltime_value_ns(&new_time));
	clock_calendar_set();
	return KERN_SUCCESS;
}

kern_return_t
kdo_host_adjust_time(struct port *host, time_value_t new_adjustment, time_value_t *old_adjustment)
{
	if (host != host_priv_port)
		return KERN_INVALID_HOST;
	if (!walltime_value_valid(&new_adjustment))
		return KERN_INVALID_ARGUMENT;
	walltime_ns_value(walltime_adjust_ns(walltime_value_ns(&new_adjustment)), old_adjustment);
	return KERN_SUCCESS;
}

kern_return_t
kdo_host_get_clock_control(struct port *host, integer_t clock_id, struct port **clock_ctrl)
{
	if (host != host_priv_port)
		return KERN_INVALID_HOST;
	if (clock_id != CALENDAR_CLOCK)
		return KERN_INVALID_ARGUMENT;
	return give_send(calendar_ctrl_port, clock_ctrl);
}

kern_return_t
kdo_host_get_clock_service(struct port *host, integer_t clock_id, struct port **clock_serv)
{
	struct port *p = clock_name_port(clock_id);

	(void)host;
	if (!p)
		return KERN_INVALID_VALUE;
	return give_send(p, clock_serv);
}
