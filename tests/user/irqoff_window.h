/*
 * The interrupts-off end cases of the ipc and vm suites: each operation gets a
 * window of its own, opened and closed by irqoff_take() (suite.h), and the
 * worst figure is kept with the kernel addresses of its two ends.
 */
#ifndef IRQOFF_WINDOW_H
#define IRQOFF_WINDOW_H

#include "suite.h"

static uint32_t irq_worst, irq_from, irq_to;
static const char *irq_worst_op;

/* Closes the window of op: its figure joins the worst. */
static void
irq_window(const char *op)
{
	struct manifold_kernel_stats st = irqoff_take();

	if (st.irqoff_max_cycles > irq_worst) {
		irq_worst = st.irqoff_max_cycles;
		irq_from = st.irqoff_max_from;
		irq_to = st.irqoff_max_to;
		irq_worst_op = op;
	}
}

#endif
