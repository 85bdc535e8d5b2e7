/*
 * Catching a thread's exception in a test program: msgc's exc_server calls the
 * handler below, which notes the exception and its two codes and resumes the
 * thread at exc_resume_at (set by the program) instead of the faulting
 * instruction. ipctest and vmtest include it.
 */
#ifndef EXC_CATCH_H
#define EXC_CATCH_H

#include <string.h>
#include <mach/mach.h>
#include "exc_server.h"

static volatile int32_t seen_exception, seen_code0, seen_code1;
static void (*exc_resume_at)(void);

kern_return_t
exc_do_exception_raise_state_identity(mach_port_t exception_port, mach_port_t thread, mach_port_t task,
				       int32_t exception, const integer_t *code, mach_msg_type_number_t codeCnt,
				       int32_t flavor, const natural_t *old_state, mach_msg_type_number_t old_stateCnt,
				       natural_t *new_state, mach_msg_type_number_t *new_stateCnt)
{
	i386_thread_state_t st;

	(void)exception_port;
	seen_exception = exception;
	seen_code0 = codeCnt > 0 ? code[0] : -1;
	seen_code1 = codeCnt > 1 ? code[1] : -1;
	mach_port_deallocate(mach_task_self(), thread);
	mach_port_deallocate(mach_task_self(), task);
	if (flavor != i386_THREAD_STATE || old_stateCnt != i386_THREAD_STATE_COUNT)
		return KERN_INVALID_ARGUMENT;
	memcpy(&st, old_state, sizeof st);
	st.eip = (natural_t)(uintptr_t)exc_resume_at;
	memcpy(new_state, &st, sizeof st);
	*new_stateCnt = i386_THREAD_STATE_COUNT;
	return KERN_SUCCESS;
}

#endif
