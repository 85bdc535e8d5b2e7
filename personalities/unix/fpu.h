/*
 * A process's x87 and SSE registers (the kernel's i386_FXSAVE_STATE), kept
 * as Linux keeps them: saved in a signal's frame and put back by sigreturn,
 * a fresh set for the handler, and the parent's copied into a fork's child
 * (exec starts a new thread, which starts with a fresh set).
 */
#ifndef UNIX_FPU_H
#define UNIX_FPU_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/thread_status.h>

struct process;

/* Linux's i386 signal-frame fpstate with FXSR: fnsave's layout (112 bytes), then fxsave's image. */
#define LNX_FPSTATE_FSAVE 112
#define LNX_FPSTATE_SIZE (LNX_FPSTATE_FSAVE + 512)
#define LNX_FPSTATE_ALIGN 64	/* where Linux puts the fxsave image */

bool fpu_get(struct process *p, i386_fxsave_state_t *fx);
bool fpu_set(struct process *p, const i386_fxsave_state_t *fx);
/* fninit's state with SSE's defaults: what a handler starts with, and a frame without fpstate restores */
void fpu_reset(struct process *p);
void fpu_copy(struct process *from, struct process *to);

/*
 * fx as the frame carries it, and back: false for a frame whose magic is
 * neither fxsave's nor fnsave's. A frame with fxsave's image gives all of fx;
 * one with fnsave's part alone (fpu_frame_whole false) only its x87 part,
 * the rest staying what fx held.
 */
void fpu_to_frame(const i386_fxsave_state_t *fx, uint8_t frame[LNX_FPSTATE_SIZE]);
bool fpu_frame_whole(const uint8_t frame[LNX_FPSTATE_SIZE]);
bool fpu_from_frame(const uint8_t frame[LNX_FPSTATE_SIZE], i386_fxsave_state_t *fx);

#endif
