/*
 * The `crash` suite: one test that panics on purpose, so the system suite can
 * check what a panic prints (message, registers, a backtrace with function
 * names). Booted only with `test=crash`.
 */
#include "ktest.h"

__attribute__((noinline)) static void
panic_from_nested_call(int why)
{
	if (why)
		panic("deliberate panic from the crash suite");
	__asm__ volatile("");
}

__attribute__((noinline)) static void
call_the_panicking_function(int why)
{
	panic_from_nested_call(why);
	__asm__ volatile("");	/* keep this frame: no tail call */
}

KTEST(crash, deliberate_panic_prints_a_backtrace)
{
	call_the_panicking_function(1);
	__asm__ volatile("");
}
