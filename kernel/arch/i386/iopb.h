#ifndef IOPB_H
#define IOPB_H
#include <stdbool.h>
#include <kern/task.h>

extern bool iopb_map_on;	/* the TSS's bitmap is in use (iopb.c) */
void iopb_switch_slow(struct task *t);

/*
 * Switching to a thread of t: the TSS's I/O bitmap becomes t's, or none.
 * Interrupts off. Inline: nearly every switch is between tasks with no port
 * and the map off, which a look at two words tells.
 */
static inline void
iopb_switch(struct task *t)
{
	if (t->iobitmap || iopb_map_on)
		iopb_switch_slow(t);
}
#endif
