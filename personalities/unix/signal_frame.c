/*
 * Linux's i386 signal frames, written on the process's stack below its esp
 * (16-byte aligned as the handler's first frame expects: (esp + 4) % 16 == 0).
 * With SA_SIGINFO, the rt frame (the handler gets sig, &info, &uc; its
 * return address is sa_restorer, which calls rt_sigreturn); without, the
 * old frame (sig, then the sigcontext; the restorer pops sig and calls
 * sigreturn). A program without SA_RESTORER returns into the few bytes of
 * code Linux also leaves in the frame (retcode). Both keep Linux's layout as
 * far as a handler may look (sig, the sigcontext, siginfo, ucontext, with
 * the alternate stack, where SA_ONSTACK puts the frame: sigaltstack). Above
 * the frame, as Linux puts it, the x87 and SSE state (fpstate, fpu.c); the
 * handler starts with a fresh set and sigreturn puts the saved one back (a
 * frame whose fpstate is 0 gives a fresh set, as Linux's does).
 *
 * sigreturn trusts nothing it reads back: the registers go through
 * thread_set_state's rules (user segments only; the kernel keeps its own),
 * and SIGKILL and SIGSTOP stay unblockable.
 */
#include <string.h>
#include "fpu.h"
#include "linux.h"
#include "signal.h"
#include "umem.h"

struct sigcontext {		/* struct sigcontext_32: 88 bytes */
	uint32_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t trapno, err, eip, cs, eflags, esp_at_signal, ss;
	uint32_t fpstate, oldmask, cr2;
};

struct ucontext {		/* 116 bytes */
	uint32_t flags, link;
	uint32_t ss_sp, ss_flags, ss_size;
	struct sigcontext mc;
	uint32_t sigmask[2];
};

struct siginfo {		/* 128 bytes; the fields of kill and SIGCHLD */
	int32_t signo, errno_, code;
	int32_t pid;
	uint32_t uid;
	int32_t status;
	uint32_t utime, stime;
	uint8_t pad[96];
};

struct rt_frame {
	uint32_t pretcode;
	int32_t sig;
	uint32_t pinfo, puc;
	struct siginfo info;
	struct ucontext uc;
	uint8_t retcode[8];
};

struct old_frame {
	uint32_t pretcode;
	int32_t sig;
	struct sigcontext sc;
	uint32_t extramask;	/* the mask's high word (Linux puts fpstate_unused before it) */
	uint8_t retcode[8];
};

_Static_assert(sizeof(struct sigcontext) == 88, "sigcontext_32 is 88 bytes");
_Static_assert(sizeof(struct siginfo) == 128, "siginfo is 128 bytes");
_Static_assert(offsetof(struct rt_frame, uc) == 144, "the rt frame's ucontext follows siginfo");

#define USER_CS 0x1B	/* what a Linux process sees in cs and ss; the kernel sets its own */
#define USER_DS 0x23
#define EFLAGS_DF_TF 0x0500u

/* mov $173,%eax; int $0x80 */
static const uint8_t rt_retcode[8] = { 0xB8, 0xAD, 0x00, 0x00, 0x00, 0xCD, 0x80, 0x00 };
/* pop %eax; mov $119,%eax; int $0x80 */
static const uint8_t old_retcode[8] = { 0x58, 0xB8, 0x77, 0x00, 0x00, 0x00, 0xCD, 0x80 };

static void
save(struct sigcontext *sc, const i386_thread_state_t *st, uint64_t mask)
{
	memset(sc, 0, sizeof *sc);
	sc->gs = st->gs, sc->fs = st->fs, sc->es = USER_DS, sc->ds = USER_DS;
	sc->edi = st->edi, sc->esi = st->esi, sc->ebp = st->ebp, sc->esp = st->esp;
	sc->ebx = st->ebx, sc->edx = st->edx, sc->ecx = st->ecx, sc->eax = st->eax;
	sc->eip = st->eip, sc->cs = USER_CS, sc->eflags = st->eflags, sc->esp_at_signal = st->esp, sc->ss = USER_DS;
	sc->oldmask = (uint32_t)mask;
}

static void
restore(i386_thread_state_t *st, const struct sigcontext *sc)
{
	st->gs = sc->gs, st->fs = sc->fs;	/* thread_set_state keeps only the TLS selector, or flat data */
	st->edi = sc->edi, st->esi = sc->esi, st->ebp = sc->ebp, st->esp = sc->esp;
	st->ebx = sc->ebx, st->edx = sc->edx, st->ecx = sc->ecx, st->eax = sc->eax;
	st->eip = sc->eip;
	st->eflags = sc->eflags;	/* the kernel keeps only the user's flags */
}

/* Whether sp is on p's alternate stack (which grows down from ss_sp + ss_size), as Linux's on_sig_stack. */
static bool
on_altstack(const struct process *p, uint32_t sp)
{
	return !(p->ss_flags & LNX_SS_AUTODISARM) && sp > p->ss_sp && sp - p->ss_sp <= p->ss_size;
}

uint32_t
signal_altstack_flags(const struct process *p, uint32_t sp)
{
	if (!p->ss_size)
		return LNX_SS_DISABLE;
	return on_altstack(p, sp) ? LNX_SS_ONSTACK : 0;
}

int
signal_altstack_set(struct process *p, uint32_t sp, uint32_t ss_sp, uint32_t flags, uint32_t size)
{
	uint32_t mode = flags & ~LNX_SS_AUTODISARM;

	if (on_altstack(p, sp))
		return -LNX_EPERM;
	if (mode != LNX_SS_DISABLE && mode != LNX_SS_ONSTACK && mode != 0)
		return -LNX_EINVAL;
	if (mode == LNX_SS_DISABLE) {
		ss_sp = size = 0;
	} else if (size < LNX_MINSIGSTKSZ) {
		return -LNX_ENOMEM;
	}
	p->ss_sp = ss_sp;
	p->ss_size = size;
	p->ss_flags = flags;
	return 0;
}

/* The fields of kill's, sigqueue's, a timer's and SIGCHLD's siginfo the server keeps (sig_from's legend). */
static void
siginfo_fill(struct siginfo *i, int sig, const struct sig_from *from)
{
	i->signo = sig;
	i->code = from->code;
	i->pid = (int32_t)from->pid;
	i->uid = from->uid;
	i->status = from->status;
}

int
signal_siginfo_write(struct process *p, int sig, uint32_t at)
{
	struct siginfo i;

	memset(&i, 0, sizeof i);
	siginfo_fill(&i, sig, &p->sigfrom[sig - 1]);
	return umem_write(p, at, &i, sizeof i);
}

int
signal_frame_push(struct process *p, int sig, const struct lnx_sigaction_rec *act, uint64_t old_mask)
{
	i386_thread_state_t *st = p->regs;
	const struct sig_from *from = &p->sigfrom[sig - 1];
	bool rt = act->flags & LNX_SA_SIGINFO;
	uint32_t size = rt ? sizeof(struct rt_frame) : sizeof(struct old_frame);
	uint32_t ss_flags = signal_altstack_flags(p, st->esp);
	/* X/Open's switch: SA_ONSTACK's handler on the alternate stack, unless on it already */
	uint32_t top = (act->flags & LNX_SA_ONSTACK) && ss_flags == 0 ? p->ss_sp + p->ss_size : st->esp;
	uint32_t sp, fpstate = 0;
	i386_fxsave_state_t fx;
	bool fpu = fpu_get(p, &fx);
	int r;

	if (top < LNX_FPSTATE_SIZE + LNX_FPSTATE_ALIGN + size + 32)
		return -LNX_EFAULT;
	if (fpu) {	/* the fxsave image 64-byte aligned, fnsave's part just below it: Linux's places */
		fpstate = ((top - 512) & ~(uint32_t)(LNX_FPSTATE_ALIGN - 1)) - LNX_FPSTATE_FSAVE;
		top = fpstate;
	}
	sp = ((top - size) & ~15u) - 4;
	if (rt) {
		struct rt_frame f;

		memset(&f, 0, sizeof f);
		f.sig = sig;
		f.pinfo = sp + (uint32_t)offsetof(struct rt_frame, info);
		f.puc = sp + (uint32_t)offsetof(struct rt_frame, uc);
		siginfo_fill(&f.info, sig, from);
		save(&f.uc.mc, st, old_mask);
		f.uc.mc.fpstate = fpstate;
		f.uc.sigmask[0] = (uint32_t)old_mask;
		f.uc.sigmask[1] = (uint32_t)(old_mask >> 32);
		f.uc.ss_sp = p->ss_sp;	/* rt_sigreturn sets it again */
		f.uc.ss_flags = ss_flags | (p->ss_flags & LNX_SS_AUTODISARM);
		f.uc.ss_size = p->ss_size;
		memcpy(f.retcode, rt_retcode, sizeof f.retcode);
		f.pretcode = act->flags & LNX_SA_RESTORER ? act->restorer : sp + (uint32_t)offsetof(struct rt_frame, retcode);
		if ((r = umem_write(p, sp, &f, sizeof f)) != 0)
			return r;
		st->edx = f.pinfo;
		st->ecx = f.puc;
	} else {
		struct old_frame f;

		memset(&f, 0, sizeof f);
		f.sig = sig;
		save(&f.sc, st, old_mask);
		f.sc.fpstate = fpstate;
		f.extramask = (uint32_t)(old_mask >> 32);
		memcpy(f.retcode, old_retcode, sizeof f.retcode);
		f.pretcode = act->flags & LNX_SA_RESTORER ? act->restorer
							   : sp + (uint32_t)offsetof(struct old_frame, retcode);
		if ((r = umem_write(p, sp, &f, sizeof f)) != 0)
			return r;
		st->edx = st->ecx = 0;
	}
	if (fpu) {
		uint8_t img[LNX_FPSTATE_SIZE];

		fpu_to_frame(&fx, img);
		if ((r = umem_write(p, fpstate, img, sizeof img)) != 0)
			return r;
		fpu_reset(p);	/* the handler's own, fresh */
	}
	if ((act->flags & LNX_SA_ONSTACK) && (p->ss_flags & LNX_SS_AUTODISARM))
		p->ss_sp = p->ss_size = p->ss_flags = 0;	/* until the frame's sigreturn */
	st->eax = (uint32_t)sig;
	st->esp = sp;
	st->eip = act->handler;
	st->eflags &= ~EFLAGS_DF_TF;
	return 0;
}

/* The x87 and SSE state a frame's fpstate names (none: a fresh set); -EFAULT for one it cannot read. */
static int
restore_fpu(struct process *p, uint32_t fpstate)
{
	uint8_t img[LNX_FPSTATE_SIZE];
	i386_fxsave_state_t fx;
	int r;

	if (!fpstate) {
		fpu_reset(p);
		return 0;
	}
	if ((r = umem_read(p, fpstate, img, sizeof img)) != 0)
		return r;
	/* fnsave's part alone changes only the x87 part of what the registers hold now */
	if (!fpu_frame_whole(img) && !fpu_get(p, &fx))
		return 0;	/* a CPU without fxsave: nothing was saved either */
	if (!fpu_from_frame(img, &fx))
		return -LNX_EFAULT;
	(void)fpu_set(p, &fx);	/* refused on a CPU without fxsave, where no frame had the image */
	return 0;
}

int
signal_frame_pop(struct process *p, bool rt, uint64_t *mask)
{
	i386_thread_state_t *st = p->regs;
	uint32_t fpstate;
	int r;

	if (rt) {
		struct ucontext uc;
		/* the restorer's ret popped pretcode: esp is the frame + 4 */
		uint32_t at = st->esp - 4 + (uint32_t)offsetof(struct rt_frame, uc);

		if ((r = umem_read(p, at, &uc, sizeof uc)) != 0)
			return r;
		/* the stack the frame saved, as Linux's restore_altstack: refused quietly while on one */
		(void)signal_altstack_set(p, st->esp, uc.ss_sp, uc.ss_flags, uc.ss_size);
		restore(st, &uc.mc);
		*mask = uc.sigmask[0] | (uint64_t)uc.sigmask[1] << 32;
		fpstate = uc.mc.fpstate;
	} else {
		struct old_frame f;
		/* pretcode and sig were popped: esp is the frame + 8 */
		uint32_t at = st->esp - 8;

		if ((r = umem_read(p, at, &f, sizeof f)) != 0)
			return r;
		restore(st, &f.sc);
		*mask = f.sc.oldmask | (uint64_t)f.extramask << 32;
		fpstate = f.sc.fpstate;
	}
	return restore_fpu(p, fpstate);
}
