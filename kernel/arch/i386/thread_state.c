/*
 * Converting between a user thread's trap frame and i386_thread_state_t, for
 * thread_get_state / thread_set_state and exception messages; and the
 * thread's TLS segment (i386_TLS_STATE), whose selector is the one segment
 * register value a user may choose besides the flat ones.
 */
#include <kern/sched.h>
#include <kern/lib.h>
#include <kern/thread_state.h>
#include "gdt.h"
#include "layout.h"
#include "trapframe.h"

/* Flags a user may change: CF PF AF ZF SF TF DF OF. IF stays on, IOPL stays 0. */
#define EFLAGS_USER	0x00000DD5u

void
thread_state_get(struct thread *t, i386_thread_state_t *st)
{
	const struct trapframe *tf = t->user_tf;

	st->eax = tf->eax;
	st->ebx = tf->ebx;
	st->ecx = tf->ecx;
	st->edx = tf->edx;
	st->edi = tf->edi;
	st->esi = tf->esi;
	st->ebp = tf->ebp;
	st->esp = tf->esp;
	st->ss = tf->ss;
	st->eflags = tf->eflags;
	st->eip = tf->eip;
	st->cs = tf->cs;
	st->ds = tf->ds;
	st->es = tf->es;
	st->fs = tf->fs;
	st->gs = tf->gs;
}

void
thread_state_set(struct thread *t, const i386_thread_state_t *st)
{
	struct trapframe *tf = t->user_tf;

	tf->eax = st->eax;
	tf->ebx = st->ebx;
	tf->ecx = st->ecx;
	tf->edx = st->edx;
	tf->edi = st->edi;
	tf->esi = st->esi;
	tf->ebp = st->ebp;
	tf->esp = st->esp;
	tf->eip = st->eip;
	tf->eflags = (st->eflags & EFLAGS_USER) | 0x202;
	tf->cs = SEG_UCODE;
	tf->ss = tf->ds = tf->es = SEG_UDATA;
	/* the TLS selector stays (a personality's reply gives back what libc loaded); nothing else */
	tf->fs = st->fs == SEG_UTLS ? SEG_UTLS : SEG_UDATA;
	tf->gs = st->gs == SEG_UTLS ? SEG_UTLS : SEG_UDATA;
	tf->err = 0;	/* every register as set: the way out is iret, never sysexit (trapentry.S) */
}

void
thread_tls_get(struct thread *t, i386_tls_state_t *tls)
{
	tls->base = t->arch.tls_base;
	tls->limit = t->arch.tls_limit;
	tls->flags = t->arch.tls_flags;
}

kern_return_t
thread_tls_check(const i386_tls_state_t *tls)
{
	if (tls->flags & ~i386_TLS_LIMIT_IN_PAGES)
		return KERN_INVALID_ARGUMENT;
	if (tls->limit > 0xFFFFF)	/* a descriptor's limit field has 20 bits */
		return KERN_INVALID_ARGUMENT;
	if (tls->base >= USER_TOP)
		return KERN_INVALID_ADDRESS;
	return KERN_SUCCESS;
}

void
thread_tls_set(struct thread *t, const i386_tls_state_t *tls)
{
	t->arch.tls_base = tls->base;
	t->arch.tls_limit = tls->limit;
	t->arch.tls_flags = tls->flags;
	gdt_tls_descriptor(tls->base, tls->limit, tls->flags & i386_TLS_LIMIT_IN_PAGES, t->arch.tls);
	if (t == curthread())
		gdt_set_tls(t->arch.tls);	/* a thread setting its own: the switch is behind it */
}
