/*
 * Catching a thread's exception in a test program: msgc's exc_server calls the
 * handlers below, which note the exception and its two codes and resume the
 * thread at exc_resume_at (set by the program) instead of the faulting
 * instruction. ipctest and vmtest include it. exception_raise_state_identity's
 * is what the TASK_EXCEPTION_PORT special port gets; the other two, and
 * exc_answer (an error to answer instead), are for the per-type ports' cases
 * (exc_ports_cases.h): seen_behavior says which routine ran.
 */
#ifndef EXC_CATCH_H
#define EXC_CATCH_H

#include <stdbool.h>
#include <string.h>
#include <mach/mach.h>
#include "exc_server.h"

static volatile int32_t seen_exception, seen_code0, seen_code1, seen_behavior, seen_flavor;
static void (*exc_resume_at)(void);
static kern_return_t exc_answer = KERN_SUCCESS;	/* anything else: not handled, nothing kept */
/* Nonzero: the state behaviors answer in this flavor with these words (exc.defs' inout flavor). */
static int32_t exc_answer_flavor;
/* Set: called with the thread's port by exception_raise_state_identity's handler before it answers. */
static void (*exc_with_thread)(mach_port_t thread);
static natural_t exc_answer_words[32];
static mach_msg_type_number_t exc_answer_count;

static inline void
exc_answer_in(int32_t flavor, const void *words, mach_msg_type_number_t count)
{
	exc_answer_flavor = flavor;
	exc_answer_count = count;
	if (count)
		memcpy(exc_answer_words, words, count * sizeof(natural_t));
}

/* The state set with exc_answer_in, if any: true when it is the answer. */
static bool
exc_answer_other_flavor(int32_t *flavor, natural_t *new_state, mach_msg_type_number_t *new_stateCnt)
{
	if (!exc_answer_flavor)
		return false;
	*flavor = exc_answer_flavor;
	memcpy(new_state, exc_answer_words, exc_answer_count * sizeof(natural_t));
	*new_stateCnt = exc_answer_count;
	return true;
}

static void
exc_note(int32_t behavior, int32_t exception, const integer_t *code, mach_msg_type_number_t codeCnt)
{
	seen_behavior = behavior;
	seen_exception = exception;
	seen_code0 = codeCnt > 0 ? code[0] : -1;
	seen_code1 = codeCnt > 1 ? code[1] : -1;
}

/* Sends the thread to exc_resume_at through its port (the behaviors without i386_THREAD_STATE). */
static kern_return_t
exc_fix_by_port(mach_port_t thread)
{
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;
	kern_return_t kr = thread_get_state(thread, i386_THREAD_STATE, (natural_t *)&st, &n);

	if (kr != KERN_SUCCESS)
		return kr;
	st.eip = (natural_t)(uintptr_t)exc_resume_at;
	return thread_set_state(thread, i386_THREAD_STATE, (natural_t *)&st, n);
}

/* The registers as they were but eip, which goes to exc_resume_at (i386_THREAD_STATE only). */
static kern_return_t
exc_fix_state(int32_t flavor, const natural_t *old_state, mach_msg_type_number_t old_stateCnt,
	      natural_t *new_state, mach_msg_type_number_t *new_stateCnt)
{
	i386_thread_state_t st;

	if (flavor != i386_THREAD_STATE || old_stateCnt != i386_THREAD_STATE_COUNT)
		return KERN_INVALID_ARGUMENT;
	memcpy(&st, old_state, sizeof st);
	st.eip = (natural_t)(uintptr_t)exc_resume_at;
	memcpy(new_state, &st, sizeof st);
	*new_stateCnt = i386_THREAD_STATE_COUNT;
	return KERN_SUCCESS;
}

kern_return_t
exc_do_exception_raise(mach_port_t exception_port, mach_port_t thread, mach_port_t task, int32_t exception,
		       const integer_t *code, mach_msg_type_number_t codeCnt)
{
	kern_return_t kr;

	(void)exception_port;
	exc_note(EXCEPTION_DEFAULT, exception, code, codeCnt);
	seen_flavor = -1;
	if (exc_answer != KERN_SUCCESS)
		return exc_answer;
	kr = exc_fix_by_port(thread);
	mach_port_deallocate(mach_task_self(), thread);
	mach_port_deallocate(mach_task_self(), task);
	return kr;
}

kern_return_t
exc_do_exception_raise_state(mach_port_t exception_port, int32_t exception, const integer_t *code,
			     mach_msg_type_number_t codeCnt, int32_t *flavor, const natural_t *old_state,
			     mach_msg_type_number_t old_stateCnt, natural_t *new_state,
			     mach_msg_type_number_t *new_stateCnt)
{
	(void)exception_port;
	exc_note(EXCEPTION_STATE, exception, code, codeCnt);
	seen_flavor = *flavor;
	if (exc_answer != KERN_SUCCESS)
		return exc_answer;
	if (exc_answer_other_flavor(flavor, new_state, new_stateCnt))
		return KERN_SUCCESS;
	return exc_fix_state(*flavor, old_state, old_stateCnt, new_state, new_stateCnt);
}

kern_return_t
exc_do_exception_raise_state_identity(mach_port_t exception_port, mach_port_t thread, mach_port_t task,
				       int32_t exception, const integer_t *code, mach_msg_type_number_t codeCnt,
				       int32_t *flavorp, const natural_t *old_state, mach_msg_type_number_t old_stateCnt,
				       natural_t *new_state, mach_msg_type_number_t *new_stateCnt)
{
	int32_t flavor = *flavorp;	/* answered as it came */

	(void)exception_port;
	exc_note(EXCEPTION_STATE_IDENTITY, exception, code, codeCnt);
	seen_flavor = flavor;
	if (exc_answer != KERN_SUCCESS)
		return exc_answer;
	if (flavor == i386_TLS_STATE && old_stateCnt == i386_TLS_STATE_COUNT) {
		/* the segment as it was; the registers through the thread's port */
		kern_return_t kr = exc_fix_by_port(thread);

		mach_port_deallocate(mach_task_self(), thread);
		mach_port_deallocate(mach_task_self(), task);
		memcpy(new_state, old_state, old_stateCnt * sizeof *old_state);
		*new_stateCnt = old_stateCnt;
		return kr;
	}
	if (exc_with_thread)
		exc_with_thread(thread);
	mach_port_deallocate(mach_task_self(), thread);
	mach_port_deallocate(mach_task_self(), task);
	return exc_fix_state(flavor, old_state, old_stateCnt, new_state, new_stateCnt);
}

#endif
