/*
 * Machine state of a thread (thread_get_state / thread_set_state) and the
 * information flavors of task_info, thread_info and host_info, with OSF Mach
 * 3.0's numbers for i386.
 */
#ifndef MACH_THREAD_STATUS_H
#define MACH_THREAD_STATUS_H

#include <mach/std_types.h>
#include <mach/exception_types.h>

#define i386_THREAD_STATE	1

typedef struct {
	natural_t eax, ebx, ecx, edx, edi, esi, ebp, esp;
	natural_t ss, eflags, eip, cs, ds, es, fs, gs;
} i386_thread_state_t;

#define i386_THREAD_STATE_COUNT	((mach_msg_type_number_t)(sizeof(i386_thread_state_t) / sizeof(natural_t)))

/*
 * Manifold's flavor (not OSF's): the thread's TLS segment, a data segment of
 * its own behind the one selector i386_TLS_SELECTOR, which the thread may load
 * into %gs or %fs (thread_set_state keeps that selector there; any other goes
 * back to the flat data segment). base is a user address; limit is 20 bits,
 * in bytes or, with i386_TLS_LIMIT_IN_PAGES, in 4 KiB pages (a Linux libc asks
 * for 0xFFFFF pages: the segment wraps, and paging still guards the kernel).
 * Until set, the segment is one byte at 0. A personality's set_thread_area.
 */
#define i386_TLS_STATE		32
#define i386_TLS_LIMIT_IN_PAGES	0x1u
#define i386_TLS_SELECTOR	0x33	/* GDT slot 6, ring 3 */
typedef struct {
	natural_t base;
	natural_t limit;
	natural_t flags;	/* i386_TLS_LIMIT_IN_PAGES or 0 */
} i386_tls_state_t;
#define i386_TLS_STATE_COUNT	((mach_msg_type_number_t)(sizeof(i386_tls_state_t) / sizeof(natural_t)))

/*
 * Manifold's flavor (not OSF's, whose i386_FLOAT_STATE is fnsave's 108 bytes
 * without SSE): the thread's x87 and SSE registers as fxsave lays them out,
 * 512 bytes (x87 control, status and abridged tag words, MXCSR at byte 24,
 * st0-st7 from byte 32, xmm0-xmm7 from byte 160). A personality saves it in a
 * signal frame and puts it back at sigreturn. Setting it clears MXCSR's
 * reserved bits (the CPU would refuse the image). Only on a CPU with fxsave.
 */
#define i386_FXSAVE_STATE	33
typedef struct {
	uint8_t image[512];
} i386_fxsave_state_t;
#define i386_FXSAVE_STATE_COUNT	((mach_msg_type_number_t)(sizeof(i386_fxsave_state_t) / sizeof(natural_t)))
#define i386_FXSAVE_MXCSR	24	/* byte offsets in the image */
#define i386_FXSAVE_ST0		32
#define i386_FXSAVE_XMM0	160

typedef struct {
	integer_t seconds;
	integer_t microseconds;
} time_value_t;

#define TASK_BASIC_INFO		5
typedef struct {
	integer_t suspend_count;
	integer_t base_priority;
	vm_size_t virtual_size;
	vm_size_t resident_size;	/* bytes */
	time_value_t user_time;		/* of its live threads */
	time_value_t system_time;
} task_basic_info_data_t;
#define TASK_BASIC_INFO_COUNT	((mach_msg_type_number_t)(sizeof(task_basic_info_data_t) / sizeof(natural_t)))

/*
 * Manifold's own flavor (not OSF's): the task's id, as ps and the task_list
 * trap show it. A server given a right can learn that it names a task, and
 * which, without waiting on it (gns's socket owners).
 */
#define TASK_ID_INFO		6
typedef struct {
	natural_t task_id;
} task_id_info_data_t;
#define TASK_ID_INFO_COUNT	((mach_msg_type_number_t)(sizeof(task_id_info_data_t) / sizeof(natural_t)))

#define THREAD_BASIC_INFO	3
#define TH_STATE_RUNNING	1
#define TH_STATE_STOPPED	2
#define TH_STATE_WAITING	3
#define TH_STATE_HALTED		5
typedef struct {
	time_value_t user_time;
	time_value_t system_time;
	integer_t cpu_usage;
	integer_t policy;
	integer_t run_state;
	integer_t flags;
	integer_t suspend_count;
	integer_t sleep_time;
} thread_basic_info_data_t;
#define THREAD_BASIC_INFO_COUNT	((mach_msg_type_number_t)(sizeof(thread_basic_info_data_t) / sizeof(natural_t)))

#define HOST_BASIC_INFO		1
#define CPU_TYPE_I386		7
typedef struct {
	integer_t max_cpus;
	integer_t avail_cpus;
	vm_size_t memory_size;		/* bytes */
	integer_t cpu_type;
	integer_t cpu_subtype;
} host_basic_info_data_t;
#define HOST_BASIC_INFO_COUNT	((mach_msg_type_number_t)(sizeof(host_basic_info_data_t) / sizeof(natural_t)))

/* Exception types: <mach/exception_types.h>, included above. */

/* thread_switch options */
#define SWITCH_OPTION_NONE	0
#define SWITCH_OPTION_DEPRESS	1
#define SWITCH_OPTION_WAIT	2

#endif
