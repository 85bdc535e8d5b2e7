/*
 * port.h in the guest: time from the kernel's clock_uptime trap, and a seed
 * from what an unprivileged task can find. The kernel offers no random
 * source yet, so the seed is RDRAND's when the CPU has it (QEMU's default
 * CPU does not; `-cpu max` and recent PCs do), mixed with the time stamp
 * counter read around traps whose length depends on interrupts and other
 * tasks, the uptime, and our task id. That is guesswork for an attacker on
 * real hardware but repeatable under QEMU -icount, where time is instructions:
 * servers/gns/README.md says what should replace it.
 */
#include <string.h>
#include <manifold/cycles.h>
#include <manifold/trap.h>
#include "port.h"
#include "siphash.h"

static bool held;
static uint64_t held_us;
static uint64_t last_us;	/* the latest reading, ours or the loop's: time never goes back */


/*
 * Outside the tick a reading of the clock is a trap of about 390
 * instructions, and gns wants one for each datagram in and out (two a node
 * and null RPC: servers/gns/README.md, Cost). So between two readings the
 * time stamp counter tells the time: its rate, measured over at least
 * RATE_SPAN_US between readings, turns the count since the last reading into
 * microseconds, while that count is below INTERP_CYCLES (2^20: a millisecond
 * at 1 GHz; under QEMU's -icount, where the counter is instructions, too).
 * Before the rate is known, past that count, or with a counter that went back
 * (another CPU's), the clock is read. The rate is measured again at each
 * reading RATE_SPAN_US after the last measurement's start, so it follows a
 * CPU whose counter changes pace; the error is that of the clock's step over
 * the span (the HPET's: nothing; 10 ms without one: a tenth of the
 * interpolated part at most).
 */
#define INTERP_CYCLES (1u << 20)
#define RATE_SPAN_US 100000
#define RATE_SPAN_MAX_US (1ull << 30)	/* longer spans (gns idle) start a new one: no overflow */

static uint64_t read_tsc, read_at_us;	/* the last reading of the clock, and the counter then */
static uint64_t span_tsc, span_us;	/* where the rate's measurement started */
static uint32_t us_per_cycle;		/* 2^32 times microseconds a cycle; 0: not measured yet */

static uint64_t
read_us(void)
{
	uint64_t c = msg_cycles(), us, ns = 0;

	if (us_per_cycle && c - read_tsc < INTERP_CYCLES) {
		us = read_at_us + ((uint64_t)(uint32_t)(c - read_tsc) * us_per_cycle >> 32);
	} else {
		trap_clock_uptime(&ns);
		us = ns / 1000;
		if (!span_tsc || c <= span_tsc || us < span_us || us - span_us > RATE_SPAN_MAX_US) {
			span_tsc = c;
			span_us = us;
		} else if (us - span_us >= RATE_SPAN_US) {
			uint64_t rate = ((us - span_us) << 32) / (c - span_tsc);
			us_per_cycle = rate <= UINT32_MAX ? (uint32_t)rate : 0; /* (a counter under 1 MHz: none) */
			span_tsc = c;
			span_us = us;
		}
		read_tsc = c;
		read_at_us = us;
	}
	if (us > last_us)
		last_us = us;
	return last_us;
}

uint64_t
port_now_us(void)
{
	return held ? held_us : read_us();
}

void
port_clock_hold_at(uint64_t us)
{
	/* the loop's reading may be up to a millisecond old (libmsg's now_us): older than one of ours since */
	if (us > last_us)
		last_us = us;
	held_us = last_us;
	held = true;
}

void
port_clock_hold(bool on)
{
	if (on)
		held_us = read_us();
	held = on;
}

static int
has_rdrand(void)
{
	uint32_t a = 1, b, c, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	return (c >> 30) & 1;
}

/* One RDRAND word; 0 when the CPU gave none after a few tries. */
static uint32_t
rdrand(void)
{
	for (int i = 0; i < 10; i++) {
		uint32_t v;
		uint8_t ok;

		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
		if (ok)
			return v;
	}
	return 0;
}

void
port_entropy(void *buf, size_t n)
{
	struct {
		uint64_t tsc[16];
		uint64_t uptime;
		uint32_t task, hw[8];
	} pool;
	uint8_t key[SIPHASH_KEY_SIZE] = { 0 };
	uint8_t *out = buf;

	memset(&pool, 0, sizeof pool);
	for (int i = 0; i < 16; i++) {
		pool.tsc[i] = msg_cycles();
		trap_thread_yield();
	}
	trap_clock_uptime(&pool.uptime);
	trap_task_self_id(&pool.task);
	if (has_rdrand())
		for (int i = 0; i < 8; i++)
			pool.hw[i] = rdrand();
	/* Condense the pool into n bytes: SipHash under a fixed key, one block per word out. */
	for (size_t i = 0; i < n; i += 8) {
		uint64_t w;

		key[0] = (uint8_t)i;
		w = siphash(key, &pool, sizeof pool);
		memcpy(out + i, &w, n - i < 8 ? n - i : 8);
	}
}
