/*
 * execve: the program at a path of the read-only view (image.h) replaces the
 * caller's, in the same task and thread (exec.c empties the task and loads
 * the image; the reply's registers start it). A file starting `#!` names its
 * interpreter and one optional argument, as Linux reads it: the interpreter
 * runs with argv [interpreter, argument, path, argv[1]...]; an interpreter
 * that is a script itself is refused (ENOEXEC).
 *
 * Every check comes before the point of no return, so a failed execve leaves
 * the caller as it was; only a lack of memory while loading ends it (SIGKILL).
 */
#include <stdio.h>
#include <string.h>
#include "exec.h"
#include "fd.h"
#include "files.h"
#include "ptimer.h"
#include "signal.h"
#include "linux.h"
#include "syscall.h"
#include "umem.h"

#define SHEBANG_MAX	128	/* Linux reads this much of a script's first line (BINPRM_BUF_SIZE) */

/* What one execve copies in: one at a time, under unix_lock. */
static struct {
	struct umem_page words, strs;
	char raw[PATH_MAX_], path[PATH_MAX_], interp[SHEBANG_MAX], interp_path[PATH_MAX_];
	char strings[EXEC_STRINGS_MAX + 2 * SHEBANG_MAX];
	char *argv[EXEC_ARGS_MAX + 3], *envp[EXEC_ARGS_MAX + 1];
} x;

static int
read_word(struct process *p, uint32_t addr, uint32_t *w)
{
	char buf[4];
	uint32_t page = addr & ~4095u;

	if (addr & 3)
		return umem_read(p, addr, w, 4);	/* an odd array: no cache */
	if (x.words.va != page || page == 0) {
		x.words.va = 0;
		int r = umem_read(p, page, x.words.bytes, 4096);
		if (r)
			return r;
		x.words.va = page;
	}
	memcpy(buf, x.words.bytes + (addr - page), 4);
	memcpy(w, buf, 4);
	return 0;
}

/* A NULL-ended array of strings at addr into out[] (at most max), their text at *room; the count or -errno. */
static int
read_vector(struct process *p, uint32_t addr, char **out, int max, size_t *used)
{
	int n = 0;

	if (addr == 0)
		return 0;	/* Linux takes a NULL argv or envp as empty */
	for (;; n++) {
		uint32_t s;
		int r = read_word(p, addr + 4u * (uint32_t)n, &s);

		if (r)
			return r;
		if (s == 0)
			return n;
		if (n == max)
			return -LNX_E2BIG;
		r = umem_read_str(p, &x.strs, s, x.strings + *used, EXEC_STRINGS_MAX - *used);
		if (r < 0)
			return r == -LNX_ENAMETOOLONG ? -LNX_E2BIG : r;
		out[n] = x.strings + *used;
		*used += (size_t)r + 1;
	}
}

/*
 * A `#!` line: the interpreter and its optional argument, in x.interp. 0, or
 * -LNX_ENOEXEC when the line names nothing.
 */
static int
shebang(const struct image *im, char **interp, char **arg)
{
	size_t n = 2, len = 0;

	while (n < im->size && n < SHEBANG_MAX && im->data[n] != '\n' && len < sizeof x.interp - 1)
		x.interp[len++] = (char)im->data[n++];
	x.interp[len] = '\0';
	*interp = x.interp + strspn(x.interp, " \t");
	char *end = *interp + strcspn(*interp, " \t");
	*arg = NULL;
	if (*end) {
		*end++ = '\0';
		end += strspn(end, " \t");
		/* the rest of the line is one argument, trailing blanks off */
		size_t k = strlen(end);
		while (k && (end[k - 1] == ' ' || end[k - 1] == '\t'))
			end[--k] = '\0';
		if (k)
			*arg = end;
	}
	return **interp ? 0 : -LNX_ENOEXEC;
}

SYS(execve)
{
	const struct image *im;
	struct exec_why why = { "" };
	size_t used = 0;
	int r, argc, envc, err;

	x.words.va = x.strs.va = 0;
	if ((r = umem_read_str(p, &x.strs, a[0], x.raw, sizeof x.raw)) < 0)
		return r;
	if ((r = files_resolve(p, LNX_AT_FDCWD, x.raw, x.path)) != 0)
		return r;	/* "" is ENOENT there, as here */
	if ((argc = read_vector(p, a[1], x.argv + 2, EXEC_ARGS_MAX, &used)) < 0)
		return argc;
	if ((envc = read_vector(p, a[2], x.envp, EXEC_ARGS_MAX, &used)) < 0)
		return envc;
	if (!(im = exec_lookup(x.path, p->exe, &err)))
		return err;
	char **argv = x.argv + 2;
	if (im->size >= 2 && im->data[0] == '#' && im->data[1] == '!') {
		char *interp, *arg;

		if ((r = shebang(im, &interp, &arg)) != 0)
			return r;
		if ((r = files_resolve(p, LNX_AT_FDCWD, interp, x.interp_path)) != 0)
			return r;
		if (!(im = exec_lookup(x.interp_path, p->exe, &err)))
			return err;
		if (im->size >= 2 && im->data[0] == '#' && im->data[1] == '!')
			return -LNX_ENOEXEC;
		/* [interp, arg?, path, argv[1]...]: argv[0] goes, as Linux drops it */
		argv = x.argv + (arg ? 0 : 1);
		argv[0] = interp;
		if (arg)
			argv[1] = arg;
		argv[arg ? 2 : 1] = x.path;
		argc = (argc ? argc - 1 : 0) + (arg ? 3 : 2);
	} else if (argc == 0) {
		return -LNX_EINVAL;	/* a program with no argv[0]: Linux 6.1 allows it, busybox would crash on it */
	}
	r = exec_image(p, im, argv, argc, x.envp, envc, &why, p->regs);
	if (r == -LNX_ENOEXEC || r == -LNX_E2BIG)
		return r;	/* refused before anything changed */
	if (r != 0) {
		printf("unix: pid %u (%s): execve of %s failed while loading: %s\n", p->pid, p->name, x.path,
		       why.text);
		process_exit(p, LNX_SIGKILL);
		return r;
	}
	process_set_name(p, argv[0]);
	fd_table_exec(p);
	signal_exec(p);
	ptimer_drop(p);	/* POSIX: exec deletes a process's timers (alarm's stays) */
	p->execed = true;
	p->tid_address = 0;
	process_vfork_done(p);
	return 0;
}
