/*
 * The ipc suite's cases of a thread's TLS segment (thread_set_state's
 * i386_TLS_STATE, arch/i386/thread_state.c): the segment a personality sets
 * for Linux's set_thread_area, which the thread loads into %gs. Included by
 * ipctest.c after its helpers (start_thread, wait_dead_name).
 */
#ifndef TLS_CASES_H
#define TLS_CASES_H

static volatile uint32_t tls_words[2] = { 0x7105EED1, 0x7105EED2 };
static volatile uint32_t tls_seen[3], tls_done;

static uint32_t
gs_read(uint32_t offset)
{
	uint32_t v;

	__asm__ volatile("movl %%gs:(%1), %0" : "=r"(v) : "r"(offset) : "memory");
	return v;
}

/* Sets its own segment over tls_words, loads it and reads through it across a trap and a switch. */
static void
worker_tls(void)
{
	i386_tls_state_t tls = { (natural_t)(uintptr_t)tls_words, sizeof tls_words - 1, 0 };
	uint16_t sel = i386_TLS_SELECTOR, flat;

	if (thread_set_state(mach_thread_self(), i386_TLS_STATE, (natural_t *)&tls, i386_TLS_STATE_COUNT) ==
	    KERN_SUCCESS) {
		__asm__ volatile("movw %%gs, %0" : "=r"(flat));
		__asm__ volatile("movw %0, %%gs" : : "r"(sel) : "memory");
		tls_seen[0] = gs_read(0);
		thread_switch(MACH_PORT_NULL, SWITCH_OPTION_NONE, 0);	/* another thread runs meanwhile */
		tls_seen[1] = gs_read(4);
		__asm__ volatile("movw %%gs, %0" : "=r"(sel));
		tls_seen[2] = sel;
		__asm__ volatile("movw %0, %%gs" : : "r"(flat) : "memory");
	}
	tls_done = 0xD0E;
	thread_terminate(mach_thread_self());
	for (;;)
		;
}

static void
tls_segment_reads_through_gs_across_traps_and_switches(void)
{
	mach_port_t th;

	tls_done = 0;
	tls_seen[0] = tls_seen[1] = tls_seen[2] = 0;
	th = start_thread(worker_tls);
	CHECK(MACH_PORT_VALID(th));
	CHECK(wait_dead_name(th));
	CHECK_EQ(tls_done, 0xD0E);
	CHECK_EQ(tls_seen[0], 0x7105EED1);
	CHECK_EQ(tls_seen[1], 0x7105EED2);
	CHECK_EQ(tls_seen[2], i386_TLS_SELECTOR);
	mach_port_destroy(ME, th);
}

static void
tls_bad_segments_get_named_errors(void)
{
	mach_port_t th = MACH_PORT_NULL;
	i386_tls_state_t tls = { 0x1000, 0xFFF, 0 }, got;
	mach_msg_type_number_t n = i386_TLS_STATE_COUNT;

	CHECK_EQ(thread_create(ME, &th), KERN_SUCCESS);
	tls.base = 0xC0000000;	/* the kernel's */
	CHECK_EQ(thread_set_state(th, i386_TLS_STATE, (natural_t *)&tls, i386_TLS_STATE_COUNT), KERN_INVALID_ADDRESS);
	tls.base = 0x1000;
	tls.limit = 0x100000;	/* 21 bits */
	CHECK_EQ(thread_set_state(th, i386_TLS_STATE, (natural_t *)&tls, i386_TLS_STATE_COUNT), KERN_INVALID_ARGUMENT);
	tls.limit = 0xFFFFF;
	tls.flags = 2;		/* no such flag */
	CHECK_EQ(thread_set_state(th, i386_TLS_STATE, (natural_t *)&tls, i386_TLS_STATE_COUNT), KERN_INVALID_ARGUMENT);
	tls.flags = i386_TLS_LIMIT_IN_PAGES;
	CHECK_EQ(thread_set_state(th, i386_TLS_STATE, (natural_t *)&tls, 2), KERN_INVALID_ARGUMENT);
	/* what a Linux libc asks for: 4 GiB from base, wrapping */
	CHECK_EQ(thread_set_state(th, i386_TLS_STATE, (natural_t *)&tls, i386_TLS_STATE_COUNT), KERN_SUCCESS);
	CHECK_EQ(thread_get_state(th, i386_TLS_STATE, (natural_t *)&got, &n), KERN_SUCCESS);
	CHECK_EQ(n, i386_TLS_STATE_COUNT);
	CHECK_EQ(got.base, 0x1000);
	CHECK_EQ(got.limit, 0xFFFFF);
	CHECK_EQ(got.flags, i386_TLS_LIMIT_IN_PAGES);
	CHECK_EQ(thread_terminate(th), KERN_SUCCESS);
	mach_port_destroy(ME, th);
}

/* thread_set_state keeps the TLS selector in fs and gs (a personality's reply); any other goes flat. */
static void
tls_selector_is_the_one_segment_a_state_may_choose(void)
{
	mach_port_t th = MACH_PORT_NULL;
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;
	uint32_t flat;

	CHECK_EQ(thread_create(ME, &th), KERN_SUCCESS);
	CHECK_EQ(thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &n), KERN_SUCCESS);
	flat = st.ds;
	st.gs = i386_TLS_SELECTOR;
	st.fs = 0x2B;		/* the TSS's selector, ring 3 */
	CHECK_EQ(thread_set_state(th, i386_THREAD_STATE, (natural_t *)&st, i386_THREAD_STATE_COUNT), KERN_SUCCESS);
	CHECK_EQ(thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &n), KERN_SUCCESS);
	CHECK_EQ(st.gs, i386_TLS_SELECTOR);
	CHECK_EQ(st.fs, flat);
	st.gs = 0x08;		/* the kernel's code */
	CHECK_EQ(thread_set_state(th, i386_THREAD_STATE, (natural_t *)&st, i386_THREAD_STATE_COUNT), KERN_SUCCESS);
	CHECK_EQ(thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &n), KERN_SUCCESS);
	CHECK_EQ(st.gs, flat);
	CHECK_EQ(thread_terminate(th), KERN_SUCCESS);
	mach_port_destroy(ME, th);
}

#endif
