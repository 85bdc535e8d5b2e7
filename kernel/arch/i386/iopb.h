#ifndef IOPB_H
#define IOPB_H
#include <stdbool.h>
#include <kern/task.h>

#include "gdt.h"

extern bool iopb_map_on;		/* the TSS's bitmap is in use (iopb.c) */
extern const uint8_t *iopb_loaded;	/* the bitmap the TSS holds a copy of (iopb.c) */
void iopb_switch_slow(struct task *t);

/* The TSS's bitmap looked at, or not: one store (the CPU reads the map's base at each in or out). */
static inline void
iopb_map_turn(bool on)
{
	iopb_map_on = on;
	*tss_iomap_base = on ? tss_iomap_base_on : tss_iomap_base_off;
}

/*
 * Switching to a thread of t: the TSS's I/O bitmap becomes t's, or none.
 * Interrupts off. Inline: nearly every switch is between tasks with no port
 * and the map off, which a look at two words tells; and a switch between a
 * task with ports whose bitmap the TSS still holds (a server that reads the
 * clock's ports, say) and tasks with none only turns the map on or off.
 * Unlocked: iopb_lock's holders (a grant, a release) keep interrupts off, and
 * one CPU runs (with several, the TSS and these words become per CPU).
 */
static inline void
iopb_switch(struct task *t)
{
	const uint8_t *map = t->iobitmap;

	if (!map) {
		if (iopb_map_on)
			iopb_map_turn(false);
	} else if (map == iopb_loaded) {
		if (!iopb_map_on)
			iopb_map_turn(true);
	} else {
		iopb_switch_slow(t);
	}
}
#endif
