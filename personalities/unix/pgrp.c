/*
 * Orphaned process groups (POSIX's job control): a group is orphaned when
 * no member has a parent in another group of the same session, so no shell
 * is left that could continue it. Init (the server) is nobody's such parent,
 * as Linux's global init is not. What follows from it:
 *  - a group that a process's end orphans, and that has a stopped member,
 *    gets SIGHUP and then SIGCONT (else it would stay stopped for good);
 *  - SIGTSTP, SIGTTIN and SIGTTOU do not stop a member of an orphaned group
 *    (signal.c), and the tty answers such a group's background read, and its
 *    write under TOSTOP, with EIO (tty.c).
 */
#include "linux.h"
#include "pgrp.h"
#include "signal.h"

struct orphan_find {
	uint32_t pgrp;
	bool kept;		/* a member's parent keeps the group from being orphaned */
	bool stopped;		/* a member is stopped */
};

static void
orphan_one(struct process *q, void *arg)
{
	struct orphan_find *o = arg;
	struct process *parent;

	if (q->state != PROC_LIVE || q->pgid != o->pgrp)
		return;
	o->stopped |= q->stopped;
	if (q->ppid == INIT_PID || !(parent = process_of_pid(q->ppid)) || parent->state != PROC_LIVE)
		return;
	if (parent->pgid != o->pgrp && parent->sid == q->sid)
		o->kept = true;
}

bool
pgrp_orphaned(uint32_t pgrp)
{
	struct orphan_find o = { pgrp, false, false };

	process_each(orphan_one, &o);
	return !o.kept;
}

/* Whether p's end may orphan group g: p is a member's parent in g's session but not in g. */
static bool
may_orphan(const struct process *p, const struct process *member)
{
	return member->state == PROC_LIVE && member->pgid != p->pgid && member->sid == p->sid;
}

struct exit_scan {
	struct process *dead;
	struct pgrp_exit *e;
};

static void
note_group(struct pgrp_exit *e, uint32_t pgrp)
{
	for (uint32_t i = 0; i < e->n; i++)
		if (e->pgrp[i] == pgrp)
			return;
	if (e->n < PGRP_EXIT_MAX)
		e->pgrp[e->n++] = pgrp;
}

static void
child_group(struct process *c, void *arg)
{
	struct exit_scan *s = arg;

	if (c->ppid == s->dead->pid && may_orphan(s->dead, c))
		note_group(s->e, c->pgid);
}

void
pgrp_exit_begin(struct process *p, struct pgrp_exit *e)
{
	struct process *parent = p->ppid == INIT_PID ? NULL : process_of_pid(p->ppid);
	struct exit_scan s = { p, e };

	e->n = 0;
	/* p's own group, when p's parent is outside it: p may have been the member keeping it */
	if (parent && parent->state == PROC_LIVE && parent->pgid != p->pgid && parent->sid == p->sid)
		note_group(e, p->pgid);
	/* its children's groups: p may have been the parent keeping them */
	process_each(child_group, &s);
}

void
pgrp_exit_end(const struct pgrp_exit *e)
{
	for (uint32_t i = 0; i < e->n; i++) {
		struct orphan_find o = { e->pgrp[i], false, false };

		process_each(orphan_one, &o);
		if (!o.kept && o.stopped) {
			signal_group(e->pgrp[i], LNX_SIGHUP);
			signal_group(e->pgrp[i], LNX_SIGCONT);
		}
	}
}
