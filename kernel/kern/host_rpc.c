/*
 * The host interface (host.defs), served on the host port and on the
 * privileged host port alike: the handler that the generated decoder
 * (build/gen/kernel/host_kserver.c) calls; host_get_device_port answers on
 * the privileged one only.
 */
#include <kern/device.h>
#include <kern/ipc.h>
#include <kern/lib.h>
#include <kern/page.h>
#include <mach/thread_status.h>
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

kern_return_t
kdo_host_get_device_port(struct port *host, struct port **device)
{
	uint32_t f;

	if (host != host_priv_port)
		return KERN_INVALID_HOST;
	f = ipc_begin();
	port_copy_send(device_port);
	*device = device_port;
	ipc_end(f);
	return KERN_SUCCESS;
}
