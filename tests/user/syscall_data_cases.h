/*
 * The ipc suite's cases of syscall inputs (<manifold/syscall_inputs.h>,
 * kernel/ipc/syscall_inputs.c): a task with a table raises `int 0x80` as
 * syscall_raise_data, with the bytes its entry names, and the answer's bytes
 * land in the caller's memory before it goes on. Included by ipctest.c after
 * syscall_port_cases.h (serve_one_syscall, start_thread, new_port).
 */
#ifndef SYSCALL_DATA_CASES_H
#define SYSCALL_DATA_CASES_H

#include <manifold/syscall_inputs.h>
#include "syscall_data_server.h"

#define SD_CALLS 10
#define SD_PAGE 4096u

/* What the server saw of each call, and what it answers with. */
static struct {
	uint32_t eax, in_addr, in_len;
	uint8_t in[SYSCALL_DATA_MAX];
	uint32_t out_addr, out_len;	/* set before the call */
	uint8_t out[SYSCALL_DATA_MAX];
} sd_call[SD_CALLS];
static volatile uint32_t sd_served;	/* calls served as syscall_raise_data */

kern_return_t
syscall_data_do_syscall_raise_data(mach_port_t port, const natural_t *old_state, mach_msg_type_number_t old_stateCnt,
				   natural_t in_addr, const char *in_data, mach_msg_type_number_t in_dataCnt,
				   natural_t *new_state, mach_msg_type_number_t *new_stateCnt, natural_t *out_addr,
				   natural_t *out_fault, char *out_data, mach_msg_type_number_t *out_dataCnt)
{
	uint32_t i = sd_served;
	i386_thread_state_t st;

	(void)port;
	if (old_stateCnt != i386_THREAD_STATE_COUNT || i >= SD_CALLS || *out_dataCnt < sd_call[i].out_len)
		return KERN_INVALID_ARGUMENT;
	memcpy(&st, old_state, sizeof st);
	sd_call[i].eax = st.eax;
	sd_call[i].in_addr = in_addr;
	sd_call[i].in_len = in_dataCnt;
	memcpy(sd_call[i].in, in_data, in_dataCnt);
	st.eax = 100 + i;
	memcpy(new_state, &st, sizeof st);
	*new_stateCnt = i386_THREAD_STATE_COUNT;
	*out_addr = sd_call[i].out_addr;
	*out_fault = (natural_t)-14;
	memcpy(out_data, sd_call[i].out, sd_call[i].out_len);
	*out_dataCnt = sd_call[i].out_len;
	sd_served = i + 1;
	return KERN_SUCCESS;
}

static uint32_t
sd_int80(uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx)
{
	__asm__ volatile("int $0x80" : "+a"(eax), "+b"(ebx), "+c"(ecx), "+d"(edx) : : "memory", "cc");
	return eax;
}

static char sd_text[] = "hello, world";
static char sd_path[] = "path/x\0garbage";
static char sd_long_name[200];
static uint8_t sd_wide[SYSCALL_DATA_MAX + 72];
static uint8_t sd_into[SYSCALL_DATA_MAX + 8];
static uint32_t sd_edge;	/* 3 bytes before a page that is not there */
static volatile uint32_t sd_answer_only;
static volatile uint32_t sd_eax[SD_CALLS], sd_done;

static void
worker_syscall_data(void)
{
	sd_eax[0] = sd_int80(4, 1, (uint32_t)sd_text, 5);		/* a register's length */
	sd_eax[1] = sd_int80(4, 1, (uint32_t)sd_wide, sizeof sd_wide);	/* more than the entry's max */
	sd_eax[2] = sd_int80(5, (uint32_t)sd_path, 0, 0);		/* a string, with its NUL */
	sd_eax[3] = sd_int80(5, (uint32_t)sd_long_name, 0, 0);		/* a string longer than max */
	sd_eax[4] = sd_int80(4, 1, sd_edge, 10);			/* up to a missing page */
	sd_eax[5] = sd_int80(4, 1, 0xC0000000u, 10);			/* the kernel's */
	sd_eax[6] = sd_int80(6, 0, (uint32_t)sd_text, 0);		/* a fixed length */
	sd_eax[7] = sd_int80(98, (uint32_t)sd_text, 0, 0);		/* an entry of the answer only */
	sd_eax[8] = sd_int80(4, 1, (uint32_t)sd_text, 1);		/* its answer's bytes go nowhere */
	sd_eax[9] = sd_int80(99, 0, 0, 0);				/* no entry: syscall_raise */
	sd_done = 0xD0E;
	thread_terminate(mach_thread_self());
	for (;;)
		;
}

static void
syscall_inputs_are_checked_kept_and_inherited(void)
{
	natural_t good[3] = {
		SYSCALL_INPUT(4, SYSCALL_REG_ECX, SYSCALL_REG_EDX, SYSCALL_DATA_MAX),
		SYSCALL_INPUT(5, SYSCALL_REG_EBX, SYSCALL_LEN_STRING, 64),
		SYSCALL_INPUT(1023, SYSCALL_REG_EBP, SYSCALL_LEN_FIXED, 1),
	};
	natural_t bad[] = {
		SYSCALL_INPUT(4, 6, SYSCALL_REG_EDX, 16),		/* no such address register */
		SYSCALL_INPUT(4, SYSCALL_REG_ECX, SYSCALL_REG_EDX, SYSCALL_DATA_MAX + 1),	/* past SYSCALL_DATA_MAX */
		SYSCALL_INPUT(4, SYSCALL_REG_ECX, SYSCALL_REG_EDX, 16) | 1u << 28,
	};
	natural_t twice[2] = { good[0], SYSCALL_INPUT(4, SYSCALL_REG_EBX, SYSCALL_LEN_FIXED, 8) };
	natural_t full[SYSCALL_INPUTS_MAX], got[SYSCALL_INPUTS_MAX];
	mach_msg_type_number_t n = SYSCALL_INPUTS_MAX;
	mach_port_t child = MACH_PORT_NULL;

	CHECK_EQ(task_get_syscall_inputs(ME, got, &n), KERN_SUCCESS);
	CHECK_EQ(n, 0);		/* none at first */
	CHECK_EQ(task_set_syscall_inputs(ME, good, 3), KERN_SUCCESS);
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_EQ(task_set_syscall_inputs(ME, &bad[i], 1), KERN_INVALID_ARGUMENT);
	CHECK_EQ(task_set_syscall_inputs(ME, twice, 2), KERN_INVALID_ARGUMENT);
	n = SYSCALL_INPUTS_MAX;
	CHECK_EQ(task_get_syscall_inputs(ME, got, &n), KERN_SUCCESS);
	CHECK_EQ(n, 3);		/* a refused table changed nothing */
	CHECK(memcmp(got, good, sizeof good) == 0);
	CHECK_EQ(task_create(ME, FALSE, &child), KERN_SUCCESS);
	CHECK_EQ(task_set_syscall_inputs(ME, NULL, 0), KERN_SUCCESS);
	n = SYSCALL_INPUTS_MAX;
	CHECK_EQ(task_get_syscall_inputs(child, got, &n), KERN_SUCCESS);
	CHECK_EQ(n, 3);		/* inherited, and kept when ours went */
	CHECK(memcmp(got, good, sizeof good) == 0);
	n = SYSCALL_INPUTS_MAX;
	CHECK_EQ(task_get_syscall_inputs(ME, got, &n), KERN_SUCCESS);
	CHECK_EQ(n, 0);
	for (unsigned i = 0; i < SYSCALL_INPUTS_MAX; i++)
		full[i] = SYSCALL_INPUT(i * 7, SYSCALL_REG_EBX, SYSCALL_LEN_FIXED, 4);
	CHECK_EQ(task_set_syscall_inputs(child, full, SYSCALL_INPUTS_MAX), KERN_SUCCESS);
	n = SYSCALL_INPUTS_MAX;
	CHECK_EQ(task_get_syscall_inputs(child, got, &n), KERN_SUCCESS);
	CHECK_EQ(n, SYSCALL_INPUTS_MAX);
	CHECK(memcmp(got, full, sizeof full) == 0);
	CHECK_EQ(task_terminate(child), KERN_SUCCESS);
	CHECK(wait_dead_name(child));
	mach_port_destroy(ME, child);
}

static void
syscall_data_carries_a_calls_buffers_both_ways(void)
{
	natural_t table[4] = {
		SYSCALL_INPUT(4, SYSCALL_REG_ECX, SYSCALL_REG_EDX, SYSCALL_DATA_MAX),
		SYSCALL_INPUT(5, SYSCALL_REG_EBX, SYSCALL_LEN_STRING, 64),
		SYSCALL_INPUT(6, SYSCALL_REG_ECX, SYSCALL_LEN_FIXED, 8),
		SYSCALL_INPUT(98, SYSCALL_REG_EBX, SYSCALL_LEN_FIXED, 0),
	};
	mach_port_t sp = new_port(), th;
	vm_address_t two = 0;

	CHECK_EQ(vm_allocate(ME, &two, 2 * SD_PAGE, TRUE), KERN_SUCCESS);
	CHECK_EQ(vm_deallocate(ME, two + SD_PAGE, SD_PAGE), KERN_SUCCESS);
	memcpy((void *)(two + SD_PAGE - 3), "xyz", 3);
	sd_edge = (uint32_t)(two + SD_PAGE - 3);
	memset(sd_long_name, 'a', sizeof sd_long_name - 1);
	for (unsigned i = 0; i < sizeof sd_wide; i++)
		sd_wide[i] = (uint8_t)(i + 1);
	memset(sd_call, 0, sizeof sd_call);
	memset(sd_into, 0xEE, sizeof sd_into);
	sd_call[0].out_addr = (uint32_t)sd_into + 2;	/* a read's answer: unaligned, SYSCALL_DATA_MAX bytes */
	sd_call[0].out_len = SYSCALL_DATA_MAX;
	for (unsigned i = 0; i < SYSCALL_DATA_MAX; i++)
		sd_call[0].out[i] = (uint8_t)(0x80 ^ i);
	sd_call[7].out_addr = (uint32_t)&sd_answer_only;	/* an answer's bytes with nothing brought */
	sd_call[7].out_len = 4;
	memcpy(sd_call[7].out, "\x78\x56\x34\x12", 4);
	sd_call[8].out_addr = 0xC0000000u;		/* nowhere: the call answers out_fault */
	sd_call[8].out_len = 4;
	sd_served = sc_plain = sd_done = sd_answer_only = 0;
	mach_port_insert_right(ME, sp, sp, MACH_MSG_TYPE_MAKE_SEND);
	CHECK_EQ(task_set_syscall_inputs(ME, table, 4), KERN_SUCCESS);
	CHECK_EQ(task_set_special_port(ME, TASK_SYSCALL_PORT, sp), KERN_SUCCESS);
	th = start_thread(worker_syscall_data);
	CHECK(MACH_PORT_VALID(th));
	for (int i = 0; i < 10; i++)
		CHECK_EQ(serve_one_syscall(sp, true), MACH_MSG_SUCCESS);
	CHECK(wait_dead_name(th));
	CHECK_EQ(sd_done, 0xD0E);
	CHECK_EQ(sd_served, 9);
	CHECK_EQ(sc_plain, 1);		/* the call the table does not name */
	/* what came */
	CHECK_EQ(sd_call[0].in_addr, (uint32_t)sd_text);
	CHECK_EQ(sd_call[0].in_len, 5);
	CHECK(memcmp(sd_call[0].in, "hello", 5) == 0);
	CHECK_EQ(sd_call[1].in_len, SYSCALL_DATA_MAX);
	CHECK(memcmp(sd_call[1].in, sd_wide, SYSCALL_DATA_MAX) == 0);
	CHECK_EQ(sd_call[2].in_len, 7);
	CHECK(memcmp(sd_call[2].in, "path/x", 7) == 0);
	CHECK_EQ(sd_call[3].in_len, 64);
	CHECK_EQ(sd_call[3].in[63], 'a');
	CHECK_EQ(sd_call[4].in_addr, sd_edge);
	CHECK_EQ(sd_call[4].in_len, 3);
	CHECK(memcmp(sd_call[4].in, "xyz", 3) == 0);
	CHECK_EQ(sd_call[5].in_addr, 0xC0000000u);
	CHECK_EQ(sd_call[5].in_len, 0);
	CHECK_EQ(sd_call[6].in_len, 8);
	CHECK(memcmp(sd_call[6].in, "hello, w", 8) == 0);
	CHECK_EQ(sd_call[7].eax, 98);
	CHECK_EQ(sd_call[7].in_addr, 0);
	CHECK_EQ(sd_call[7].in_len, 0);
	CHECK_EQ(sd_answer_only, 0x12345678);
	/* what went back */
	for (unsigned i = 0; i < 8; i++)
		CHECK_EQ(sd_eax[i], 100 + i);
	CHECK_EQ(sd_eax[8], (uint32_t)-14);
	CHECK_EQ(sd_eax[9], 99000);	/* syscall_port_cases.h's personality: 1000 * eax + ebx */
	CHECK_EQ(sd_into[0], 0xEE);
	CHECK_EQ(sd_into[1], 0xEE);
	for (unsigned i = 0; i < SYSCALL_DATA_MAX; i++)
		CHECK_EQ(sd_into[2 + i], (uint8_t)(0x80 ^ i));
	CHECK_EQ(sd_into[SYSCALL_DATA_MAX + 2], 0xEE);
	/* without the table, the same port gets syscall_raise again */
	CHECK_EQ(task_set_syscall_inputs(ME, NULL, 0), KERN_SUCCESS);
	mach_port_destroy(ME, th);
	sc_done = 0;
	th = start_thread(worker_int80);
	CHECK(MACH_PORT_VALID(th));
	CHECK_EQ(serve_one_syscall(sp, true), MACH_MSG_SUCCESS);
	CHECK(wait_dead_name(th));
	CHECK_EQ(sc_plain, 2);
	CHECK_EQ(sc_result[0], 7005);
	CHECK_EQ(task_set_special_port(ME, TASK_SYSCALL_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	vm_deallocate(ME, two, SD_PAGE);
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, sp);
}

#endif
