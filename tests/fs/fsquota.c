/*
 * The fs suite's second client (tests/fs/README.md): a task of its own, so
 * fs counts it apart from fstest. It waits until fstest registers
 * FSQUOTA_PATH in ns (fstest is then at its own quota of open files), opens
 * /docs/01-README until fs refuses, and sends fstest how many it got and the
 * error that stopped it; then it closes them and exits.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/fsc.h>
#include "fsquota.h"
#include "ns_client.h"

#define ME mach_task_self()
#define WAIT_ROUNDS 20		/* of 60 s each: the suite reaches its quota case within minutes */

int
main(void)
{
	static mach_port_t files[FSQUOTA_TRIES];
	struct fsquota_report r;
	mach_port_t ns = MACH_PORT_NULL, report = MACH_PORT_NULL;
	kern_return_t kr = KERN_FAILURE;

	task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns);
	for (int i = 0; i < WAIT_ROUNDS && kr != KERN_SUCCESS; i++)
		kr = ns_wait(ns, FSQUOTA_PATH, 60000, &report);
	if (kr != KERN_SUCCESS)
		return 1;
	memset(&r, 0, sizeof r);
	for (r.opened = 0; r.opened < FSQUOTA_TRIES; r.opened++) {
		r.stopped_by = fsc_open("/docs/01-README", FS_O_RDONLY, 0, &files[r.opened]);
		if (r.stopped_by != KERN_SUCCESS)
			break;
	}
	r.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	r.h.msgh_size = sizeof r;
	r.h.msgh_remote_port = report;
	r.h.msgh_id = FSQUOTA_MSG_ID;
	mach_msg(&r.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof r, 0, MACH_PORT_NULL, 5000, MACH_PORT_NULL);
	for (uint32_t i = 0; i < r.opened; i++)
		fsc_close(files[i]);
	return 0;
}
