/*
 * Console input: bytes received on the serial line wait in a ring until a
 * reader takes them (the console_read trap; in practice the console server).
 */
#ifndef KERN_CONSOLE_INPUT_H
#define KERN_CONSOLE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mach/kern_return.h>

#define CONSOLE_INPUT_SIZE 1024	/* bytes the ring holds; more are dropped until it is read */

/* From the receive interrupt: queue one byte and wake the readers. */
void console_input_put(char c);

/*
 * Takes up to len bytes (at least one) into kbuf, waiting for the first one:
 * not at all when wait is false, up to timeout_ticks when it is not 0, else
 * for ever. KERN_OPERATION_TIMED_OUT when nothing came; KERN_ABORTED when the
 * thread was aborted (its task is being terminated).
 */
kern_return_t console_input_read(char *kbuf, size_t len, bool wait, uint64_t timeout_ticks, size_t *got);

/* Bytes dropped because the ring was full (tests). */
/* Gives back the first n bytes a read took, when they could not be delivered. */
void console_input_unread(const char *kbuf, size_t n);
uint32_t console_input_dropped(void);

#endif
