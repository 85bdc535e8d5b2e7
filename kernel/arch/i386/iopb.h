#ifndef IOPB_H
#define IOPB_H
struct task;
/* Switching to a thread of t: the TSS's I/O bitmap becomes t's, or none. Interrupts off. */
void iopb_switch(struct task *t);
#endif
