/*
 * Converting between a user thread's trap frame and i386_thread_state_t, for
 * thread_get_state / thread_set_state and exception messages.
 */
#include <kern/sched.h>
#include <kern/thread_state.h>
#include "gdt.h"
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
	tf->ss = tf->ds = tf->es = tf->fs = tf->gs = SEG_UDATA;
	tf->err = 0;	/* every register as set: the way out is iret, never sysexit (trapentry.S) */
}
