/*
 * Console input: the receive interrupt (arch/i386/uart.c) puts bytes in a ring;
 * readers block on a wait queue until a byte arrives or their time is up. The
 * ring is under its own lock, which the interrupt handler takes too (spin
 * locks disable interrupts); its wait queue, as every one, under sched_lock,
 * taken inside it.
 * When the ring is full the newest bytes are dropped: what a reader has not
 * taken yet is older and was typed first.
 */
#include <stdbool.h>
#include <kern/clock.h>
#include <kern/console_input.h>
#include <kern/lib.h>
#include <kern/lock_order.h>
#include <kern/sched.h>

/* [C] input_lock */
static struct spinlock input_lock = SPINLOCK_INIT("console input", LOCK_RANK_INPUT);
static char ring[CONSOLE_INPUT_SIZE];
static uint32_t head, tail;	/* [C] free-running: bytes queued are head - tail */
static uint32_t dropped;	/* [C] */
static struct waitq readers = { LIST_INIT(readers.threads) };	/* sched_lock */

static void
wake_readers_locked(void)
{
	spin_lock_irqoff(&sched_lock);
	waitq_wake_all_locked(&readers);
	spin_unlock_irqoff(&sched_lock);
}

void
console_input_put(char c)
{
	uint32_t f = spin_lock_irqsave(&input_lock);

	if (head - tail < CONSOLE_INPUT_SIZE)
		ring[head++ % CONSOLE_INPUT_SIZE] = c;
	else
		dropped++;
	wake_readers_locked();
	spin_unlock_irqrestore(&input_lock, f);
}

kern_return_t
console_input_read(char *kbuf, size_t len, bool wait, uint64_t timeout_ticks, size_t *got)
{
	uint64_t deadline = timeout_ticks ? clock_deadline(timeout_ticks) : 0;
	kern_return_t kr = KERN_SUCCESS;
	uint32_t f = spin_lock_irqsave(&input_lock);
	size_t n = 0;

	while (head == tail) {
		uint64_t now = clock_ticks();
		enum wake_reason why;
		if (!wait || (deadline && now >= deadline)) {
			kr = KERN_OPERATION_TIMED_OUT;
			break;
		}
		why = waitq_wait_under(&readers, deadline ? deadline - now : 0, &input_lock);
		if (why == WAKE_ABORTED) {
			kr = KERN_ABORTED;
			break;
		}
	}
	while (kr == KERN_SUCCESS && n < len && head != tail)
		kbuf[n++] = ring[tail++ % CONSOLE_INPUT_SIZE];
	spin_unlock_irqrestore(&input_lock, f);
	if (kr == KERN_SUCCESS)
		*got = n;
	return kr;
}

/*
 * Puts bytes a reader took back in front of the ring, for a reader that could
 * not deliver them (its buffer went away): they were typed first, so they go
 * first again. Bytes typed since that no longer fit are the ones dropped.
 */
void
console_input_unread(const char *kbuf, size_t n)
{
	uint32_t f = spin_lock_irqsave(&input_lock);

	while (n > 0) {
		if (head - tail == CONSOLE_INPUT_SIZE) {	/* the newest byte makes room */
			head--;
			dropped++;
		}
		ring[--tail % CONSOLE_INPUT_SIZE] = kbuf[--n];
	}
	wake_readers_locked();
	spin_unlock_irqrestore(&input_lock, f);
}

uint32_t
console_input_dropped(void)
{
	return dropped;
}
