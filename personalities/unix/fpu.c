/*
 * x87 and SSE state across signals and fork (fpu.h). The frame's first 112
 * bytes are the x87 state in fnsave's layout, which a handler may read
 * (sigcontext's fpstate points there), then a 16-bit status and the magic
 * 0x0000 that says the fxsave image follows, at byte 112, 16-byte aligned;
 * sigreturn takes that image (a frame whose magic is 0xffff has only the
 * fnsave part, whose x87 state is then taken into the current image).
 */
#include <stddef.h>
#include <string.h>
#include "fpu.h"
#include "process.h"

#define FX_FCW 0
#define FX_FSW 2
#define FX_FTW 4	/* abridged: one bit a register, 1 = not empty */
#define FX_FOP 6
#define FX_FIP 8
#define FX_FCS 12
#define FX_FDP 16
#define FX_FDS 20
#define FX_REG_BYTES 16	/* each st register's slot; the register is its first 10 */
#define ST_BYTES 10
#define MAGIC_FXSR 0x0000
#define MAGIC_FSAVE_ONLY 0xFFFF

/* fnsave's environment as Linux's struct _fpstate_32 starts */
struct fsave_env {
	uint32_t cw, sw, tag, ipoff, cssel, dataoff, datasel;
	uint8_t st[8][ST_BYTES];
	uint16_t status, magic;
};
_Static_assert(sizeof(struct fsave_env) == LNX_FPSTATE_FSAVE, "fnsave's part is 112 bytes");

static uint16_t
get16(const uint8_t *b, uint32_t off)
{
	uint16_t v;

	memcpy(&v, b + off, sizeof v);
	return v;
}

static uint32_t
get32(const uint8_t *b, uint32_t off)
{
	uint32_t v;

	memcpy(&v, b + off, sizeof v);
	return v;
}

bool
fpu_get(struct process *p, i386_fxsave_state_t *fx)
{
	mach_msg_type_number_t n = i386_FXSAVE_STATE_COUNT;

	return thread_get_state(p->thread, i386_FXSAVE_STATE, (natural_t *)fx, &n) == KERN_SUCCESS &&
	       n == i386_FXSAVE_STATE_COUNT;
}

bool
fpu_set(struct process *p, const i386_fxsave_state_t *fx)
{
	return thread_set_state(p->thread, i386_FXSAVE_STATE, (natural_t *)(uintptr_t)fx, i386_FXSAVE_STATE_COUNT) ==
	       KERN_SUCCESS;
}

void
fpu_reset(struct process *p)
{
	i386_fxsave_state_t fx;
	uint16_t fcw = 0x037F;
	uint32_t mxcsr = 0x1F80;

	memset(&fx, 0, sizeof fx);
	memcpy(fx.image + FX_FCW, &fcw, sizeof fcw);
	memcpy(fx.image + i386_FXSAVE_MXCSR, &mxcsr, sizeof mxcsr);
	(void)fpu_set(p, &fx);	/* a CPU without fxsave: the registers stay as they were */
}

void
fpu_copy(struct process *from, struct process *to)
{
	i386_fxsave_state_t fx;

	if (fpu_get(from, &fx))
		(void)fpu_set(to, &fx);
}

/* The full tag of a register that is not empty, from what it holds (as fnsave would give it). */
static uint32_t
tag_of(const uint8_t *reg)
{
	uint16_t exp = get16(reg, 8) & 0x7FFF;
	uint32_t lo = get32(reg, 0), hi = get32(reg, 4);

	if (exp == 0x7FFF)
		return 2;	/* special: infinity or NaN */
	if (exp == 0)
		return lo == 0 && hi == 0 ? 1 : 2;	/* zero, or a denormal */
	return hi & 0x80000000u ? 0 : 2;	/* valid, or unnormal */
}

void
fpu_to_frame(const i386_fxsave_state_t *fx, uint8_t frame[LNX_FPSTATE_SIZE])
{
	const uint8_t *im = fx->image;
	struct fsave_env env;
	uint16_t fsw = get16(im, FX_FSW);
	uint32_t top = (fsw >> 11) & 7, tag = 0;

	memset(&env, 0, sizeof env);
	/* fxsave's st slots are in stack order; the tag word is by physical register */
	for (uint32_t phys = 0; phys < 8; phys++) {
		uint32_t t = 3;	/* empty */
		if (im[FX_FTW] & (1u << phys))
			t = tag_of(im + i386_FXSAVE_ST0 + ((phys - top) & 7) * FX_REG_BYTES);
		tag |= t << (2 * phys);
	}
	env.cw = 0xFFFF0000u | get16(im, FX_FCW);
	env.sw = 0xFFFF0000u | fsw;
	env.tag = 0xFFFF0000u | tag;
	env.ipoff = get32(im, FX_FIP);
	env.cssel = get16(im, FX_FCS) | (uint32_t)(get16(im, FX_FOP) & 0x7FF) << 16;
	env.dataoff = get32(im, FX_FDP);
	env.datasel = 0xFFFF0000u | get16(im, FX_FDS);
	for (int i = 0; i < 8; i++)
		memcpy(env.st[i], im + i386_FXSAVE_ST0 + i * FX_REG_BYTES, ST_BYTES);
	env.status = fsw;
	env.magic = MAGIC_FXSR;
	memcpy(frame, &env, sizeof env);
	memcpy(frame + LNX_FPSTATE_FSAVE, im, sizeof fx->image);
	memset(frame + LNX_FPSTATE_FSAVE + 464, 0, 48);	/* no xsave state follows */
}

bool
fpu_frame_whole(const uint8_t frame[LNX_FPSTATE_SIZE])
{
	return get16(frame, offsetof(struct fsave_env, magic)) == MAGIC_FXSR;
}

bool
fpu_from_frame(const uint8_t frame[LNX_FPSTATE_SIZE], i386_fxsave_state_t *fx)
{
	struct fsave_env env;
	uint8_t *im = fx->image;
	uint16_t v16;
	uint8_t ftw = 0;

	memcpy(&env, frame, sizeof env);
	if (env.magic == MAGIC_FXSR) {
		memcpy(im, frame + LNX_FPSTATE_FSAVE, sizeof fx->image);
		return true;
	}
	if (env.magic != MAGIC_FSAVE_ONLY)
		return false;
	/* the x87 part into the image fx holds now (its SSE part stays) */
	v16 = (uint16_t)env.cw;
	memcpy(im + FX_FCW, &v16, 2);
	v16 = (uint16_t)env.sw;
	memcpy(im + FX_FSW, &v16, 2);
	for (uint32_t phys = 0; phys < 8; phys++)
		if (((env.tag >> (2 * phys)) & 3) != 3)
			ftw |= (uint8_t)(1u << phys);
	im[FX_FTW] = ftw;
	v16 = (uint16_t)(env.cssel >> 16);
	memcpy(im + FX_FOP, &v16, 2);
	memcpy(im + FX_FIP, &env.ipoff, 4);
	v16 = (uint16_t)env.cssel;
	memcpy(im + FX_FCS, &v16, 2);
	memcpy(im + FX_FDP, &env.dataoff, 4);
	v16 = (uint16_t)env.datasel;
	memcpy(im + FX_FDS, &v16, 2);
	for (int i = 0; i < 8; i++) {
		memset(im + i386_FXSAVE_ST0 + i * FX_REG_BYTES, 0, FX_REG_BYTES);
		memcpy(im + i386_FXSAVE_ST0 + i * FX_REG_BYTES, env.st[i], ST_BYTES);
	}
	return true;
}
