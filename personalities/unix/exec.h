/*
 * Starting a program in a new process: the static i386 ELF image is checked
 * (elf.c), copied into a fresh task, given a stack laid out as Linux lays
 * one out (argc, argv, envp, the auxiliary vector) and a thread that starts
 * at its entry point with the process's syscall port set.
 */
#ifndef UNIX_EXEC_H
#define UNIX_EXEC_H

#include <stddef.h>
#include <stdint.h>
#include "image.h"
#include "process.h"

#define EXEC_ARGS_MAX	128		/* words of argv, and of envp */
#define EXEC_STRINGS_MAX (28 * 1024)	/* bytes of their strings together (Linux: E2BIG past its limit) */
#define EXEC_STACK_TOP	0xBFFFF000u	/* the stack's top; the last page below USER_TOP stays a guard */
#define EXEC_STACK_SIZE	(1024u * 1024)	/* the stack's reservation: pages come when touched */

/* Where a refused image's reason goes: one short line. */
struct exec_why {
	char text[96];
};

/*
 * The image into p's task, which is emptied first (execve: everything it
 * had goes), with a fresh stack; st gets the registers it starts with. 0, or
 * a negative Linux errno: -LNX_ENOEXEC (the image is refused: why says what is
 * wrong with it; nothing was changed), -LNX_E2BIG, -LNX_ENOMEM (the task may
 * be half-loaded: the caller ends it).
 */
int exec_image(struct process *p, const struct image *im, char *const argv[], int argc, char *const envp[],
	       int envc, struct exec_why *why, i386_thread_state_t *st);

/*
 * A new task for p (which has none yet) running im, started. 0, or
 * exec_image's errors; on an error the task is gone again.
 */
int exec_start(struct process *p, const struct image *im, char *const argv[], int argc, char *const envp[],
	       int envc, struct exec_why *why);

/*
 * What a new task of the server's needs before its thread runs: its syscall
 * port, no bootstrap port (forked: inherited, none already), our notification.
 */
int exec_task_setup(struct process *p, bool forked);

/* elf.c: the checks, and what exec needs from the headers. */
struct elf_load {
	uint32_t entry;
	uint32_t lo, hi;		/* page-aligned span of every PT_LOAD */
	uint32_t phdr, phnum;		/* the program headers' address once loaded, and their number */
};
int elf_check(const uint8_t *image, size_t size, struct elf_load *out, struct exec_why *why);
/* Copies every PT_LOAD's bytes into buf, which holds [lo, hi) and is zeroed. */
void elf_copy_segments(const uint8_t *image, const struct elf_load *l, uint8_t *buf);
/* The protection (VM_PROT_*) of the page at va: the union of the segments on it. */
uint32_t elf_page_prot(const uint8_t *image, uint32_t va);

#endif
