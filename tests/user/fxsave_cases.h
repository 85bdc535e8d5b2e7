/*
 * The ipc suite's cases of a thread's x87 and SSE registers (thread_get_state
 * and thread_set_state's i386_FXSAVE_STATE, arch/i386/switch.c): what a
 * personality saves in a signal frame and puts back at sigreturn. Included by
 * ipctest.c after its helpers (new_port, start_thread, wait_dead_name).
 * The suite is built for i686 without SSE, so no compiled code touches xmm0,
 * xmm1 or the x87 stack between the asm statements that load and read them.
 */
#ifndef FXSAVE_CASES_H
#define FXSAVE_CASES_H

static volatile uint32_t fx_in[4] = { 0x0F0E0D0C, 0x1B1A1918, 0x27262524, 0x33323130 };
static volatile uint32_t fx_out[4], fx_ready, fx_done, fx_mxcsr_seen;
static volatile uint8_t fx_st0_seen[10];
static mach_port_t fx_gate;

/* Loads xmm0 and st0, waits on fx_gate, then reports what its registers hold. */
static void
worker_fx(void)
{
	static const double one_and_a_half = 1.5;
	struct {
		mach_msg_header_t h;
		uint8_t room[128];
	} m;

	__asm__ volatile("movdqu %0, %%xmm0" : : "m"(fx_in));
	__asm__ volatile("fldl %0" : : "m"(one_and_a_half));
	fx_ready = 1;
	mach_msg(&m.h, MACH_RCV_MSG, 0, sizeof m, fx_gate, 0, 0);
	__asm__ volatile("movdqu %%xmm0, %0" : "=m"(fx_out));
	__asm__ volatile("fstpt %0" : "=m"(fx_st0_seen));
	__asm__ volatile("stmxcsr %0" : "=m"(fx_mxcsr_seen));
	fx_done = 0xD0E;
	thread_terminate(mach_thread_self());
	for (;;)
		;
}

/* 1.5 as the x87 keeps it: mantissa 0xC000000000000000, biased exponent 0x3FFF. */
static bool
is_one_and_a_half(const volatile uint8_t *ext)
{
	static const uint8_t want[10] = { 0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0x3F };

	for (int i = 0; i < 10; i++)
		if (ext[i] != want[i])
			return false;
	return true;
}

static void
fxsave_state_of_a_waiting_thread_is_read_and_set(void)
{
	i386_fxsave_state_t fx;
	mach_msg_type_number_t n = i386_FXSAVE_STATE_COUNT;
	struct simple_msg m;
	uint32_t mxcsr = 0xFFFFFFFF;
	mach_port_t th;
	bool same = true;

	fx_gate = new_port();
	fx_ready = fx_done = 0;
	th = start_thread(worker_fx);
	CHECK(MACH_PORT_VALID(th));
	for (int i = 0; i < 2000 && !fx_ready; i++)
		thread_switch(MACH_PORT_NULL, SWITCH_OPTION_NONE, 0);
	for (int i = 0; i < 2000; i++) {	/* until it waits on the gate */
		thread_basic_info_data_t bi;
		mach_msg_type_number_t bn = THREAD_BASIC_INFO_COUNT;
		if (thread_info(th, THREAD_BASIC_INFO, (integer_t *)&bi, &bn) == KERN_SUCCESS &&
		    bi.run_state == TH_STATE_WAITING)
			break;
		thread_switch(MACH_PORT_NULL, SWITCH_OPTION_NONE, 0);
	}
	CHECK_EQ(fx_ready, 1);
	CHECK_EQ(thread_get_state(th, i386_FXSAVE_STATE, (natural_t *)&fx, &n), KERN_SUCCESS);
	CHECK_EQ(n, i386_FXSAVE_STATE_COUNT);
	for (int i = 0; i < 16; i++)
		same &= fx.image[i386_FXSAVE_XMM0 + i] == ((const volatile uint8_t *)fx_in)[i];
	CHECK(same);
	CHECK(is_one_and_a_half(fx.image + i386_FXSAVE_ST0));
	/* a new xmm0, and an MXCSR with every bit set, reserved ones too (fxrstor would fault on them) */
	for (int i = 0; i < 16; i++)
		fx.image[i386_FXSAVE_XMM0 + i] = (uint8_t)(0xA0 + i);
	memcpy(fx.image + i386_FXSAVE_MXCSR, &mxcsr, sizeof mxcsr);
	CHECK_EQ(thread_set_state(th, i386_FXSAVE_STATE, (natural_t *)&fx, i386_FXSAVE_STATE_COUNT), KERN_SUCCESS);
	n = i386_FXSAVE_STATE_COUNT;
	CHECK_EQ(thread_get_state(th, i386_FXSAVE_STATE, (natural_t *)&fx, &n), KERN_SUCCESS);
	memcpy(&mxcsr, fx.image + i386_FXSAVE_MXCSR, sizeof mxcsr);
	CHECK_EQ(mxcsr & 0xFFFF0000u, 0);	/* the reserved bits went */
	CHECK_EQ(mxcsr & 0x1F80u, 0x1F80u);	/* the masks stayed */
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND_ONCE, 0);
	m.h.msgh_size = sizeof m.h;
	m.h.msgh_remote_port = fx_gate;
	m.h.msgh_local_port = MACH_PORT_NULL;
	m.h.msgh_id = 1;
	CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG, sizeof m.h, 0, MACH_PORT_NULL, 0, 0), MACH_MSG_SUCCESS);
	CHECK(wait_dead_name(th));
	CHECK_EQ(fx_done, 0xD0E);
	same = true;
	for (int i = 0; i < 16; i++)
		same &= ((const volatile uint8_t *)fx_out)[i] == 0xA0 + i;
	CHECK(same);
	CHECK_EQ(fx_mxcsr_seen, mxcsr);
	CHECK(is_one_and_a_half(fx_st0_seen));
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, fx_gate);
}

/* The calling thread's own: its registers as they are now, and set at once. */
static void
fxsave_state_of_the_calling_thread_is_its_registers_now(void)
{
	static const uint32_t c[4] = { 0xC1C2C3C4, 0xC5C6C7C8, 0xC9CACBCC, 0xCDCECFD0 };
	static uint32_t got[4];
	i386_fxsave_state_t fx;
	mach_msg_type_number_t n = i386_FXSAVE_STATE_COUNT;
	mach_port_t me = mach_thread_self();
	bool same = true;

	__asm__ volatile("movdqu %0, %%xmm1" : : "m"(c));
	CHECK_EQ(thread_get_state(me, i386_FXSAVE_STATE, (natural_t *)&fx, &n), KERN_SUCCESS);
	CHECK(memcmp(fx.image + i386_FXSAVE_XMM0 + 16, c, 16) == 0);
	for (int i = 0; i < 16; i++)
		fx.image[i386_FXSAVE_XMM0 + 16 + i] = (uint8_t)(0x50 + i);
	CHECK_EQ(thread_set_state(me, i386_FXSAVE_STATE, (natural_t *)&fx, i386_FXSAVE_STATE_COUNT), KERN_SUCCESS);
	__asm__ volatile("movdqu %%xmm1, %0" : "=m"(got));
	for (int i = 0; i < 16; i++)
		same &= ((const uint8_t *)got)[i] == 0x50 + i;
	CHECK(same);
	mach_port_deallocate(ME, me);
}

static void
fxsave_state_of_the_wrong_size_is_refused(void)
{
	i386_fxsave_state_t fx;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;	/* room for 16 words only */
	mach_port_t th = MACH_PORT_NULL;

	memset(&fx, 0, sizeof fx);
	CHECK_EQ(thread_create(ME, &th), KERN_SUCCESS);
	CHECK_EQ(thread_set_state(th, i386_FXSAVE_STATE, (natural_t *)&fx, 16), KERN_INVALID_ARGUMENT);
	CHECK(thread_get_state(th, i386_FXSAVE_STATE, (natural_t *)&fx, &n) != KERN_SUCCESS);
	n = i386_FXSAVE_STATE_COUNT;
	CHECK_EQ(thread_get_state(th, i386_FXSAVE_STATE, (natural_t *)&fx, &n), KERN_SUCCESS);
	CHECK_EQ(fx.image[0], 0x7F);	/* a new thread's x87: fninit's control word, 0x037F */
	CHECK_EQ(fx.image[1], 0x03);
	CHECK_EQ(thread_terminate(th), KERN_SUCCESS);
	mach_port_destroy(ME, th);
}

#endif
