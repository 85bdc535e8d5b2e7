/*
 * Kernel suite: console input. Bytes the receive interrupt queues reach a
 * reader in order; a waiting reader wakes when one comes; a reader with a
 * timeout gets KERN_OPERATION_TIMED_OUT; a full ring drops what comes after.
 * console_input_put is what the IRQ4 handler calls, so these run without a UART.
 */
#include <kern/clock.h>
#include <kern/console_input.h>
#include <kern/sched.h>
#include "ktest.h"

/* Empties the ring, so a case starts from nothing. */
static void
drain(void)
{
	char buf[64];
	size_t n;

	while (console_input_read(buf, sizeof buf, false, 0, &n) == KERN_SUCCESS)
		;
}

KTEST(kernel, console_input_comes_out_in_order)
{
	char buf[8] = { 0 };
	size_t n = 0;

	drain();
	console_input_put('l');
	console_input_put('s');
	console_input_put('\r');
	KEXPECT_EQ(console_input_read(buf, 2, false, 0, &n), KERN_SUCCESS);
	KEXPECT_EQ(n, 2);
	KEXPECT(buf[0] == 'l' && buf[1] == 's');
	KEXPECT_EQ(console_input_read(buf, sizeof buf, false, 0, &n), KERN_SUCCESS);
	KEXPECT_EQ(n, 1);
	KEXPECT_EQ(buf[0], '\r');
	KEXPECT_EQ(console_input_read(buf, sizeof buf, false, 0, &n), KERN_OPERATION_TIMED_OUT);
}

KTEST(kernel, console_read_times_out_after_its_ticks)
{
	char c;
	size_t n = 99;
	uint64_t t0;

	drain();
	t0 = clock_ticks();
	KEXPECT_EQ(console_input_read(&c, 1, true, 3, &n), KERN_OPERATION_TIMED_OUT);
	KEXPECT(clock_ticks() - t0 >= 3);
	KEXPECT(clock_ticks() - t0 < 20);
	KEXPECT_EQ(n, 99);	/* out-parameters only on success */
}

static volatile int reader_result = -1;
static volatile char reader_got;

static void
blocking_reader(void *arg)
{
	char c = 0;
	size_t n = 0;

	reader_result = console_input_read(&c, 1, true, 0, &n);
	reader_got = c;
}

KTEST(kernel, console_input_wakes_a_blocked_reader)
{
	drain();
	reader_result = -1;
	KEXPECT(thread_create_kernel("reader", blocking_reader, NULL, PRIO_KERNEL + 1));
	thread_sleep_ticks(3);
	KEXPECT_EQ(reader_result, -1);	/* blocked, not spinning past the empty ring */
	console_input_put('q');
	thread_sleep_ticks(3);
	KEXPECT_EQ(reader_result, KERN_SUCCESS);
	KEXPECT_EQ(reader_got, 'q');
}

KTEST(kernel, a_full_console_ring_drops_the_newest_bytes)
{
	static char buf[CONSOLE_INPUT_SIZE];
	uint32_t dropped0;
	size_t n = 0, total = 0;

	drain();
	dropped0 = console_input_dropped();
	for (int i = 0; i < CONSOLE_INPUT_SIZE + 10; i++)
		console_input_put((char)('a' + i % 26));
	KEXPECT_EQ(console_input_dropped() - dropped0, 10);
	while (console_input_read(buf + total, sizeof buf - total, false, 0, &n) == KERN_SUCCESS && n)
		total += n;
	KEXPECT_EQ(total, CONSOLE_INPUT_SIZE);
	KEXPECT_EQ(buf[0], 'a');
	KEXPECT_EQ(buf[CONSOLE_INPUT_SIZE - 1], (char)('a' + (CONSOLE_INPUT_SIZE - 1) % 26));
}
