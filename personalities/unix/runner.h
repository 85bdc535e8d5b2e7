/*
 * The runner: starts the programs the server's command line names, one at a
 * time, each when the last has ended, and frames each one's console output
 * for the tests (tests/unix/run.py):
 *   unix: run K: <argv>            before it starts
 *   unix: run K: exit S            after it ended with exit status S
 *   unix: run K: signal N          after its task was killed (a fault)
 *   unix: run K: refused: <why>    an image that is not a program we run
 * and then `unix: all N runs done`. Command line words: `script=NAME`, a
 * boot module (start=no) whose lines are commands; `run=W1+W2+...`, one
 * command whose words are joined by '+'. A command's first word names the
 * boot module to run and is its argv[0].
 */
#ifndef UNIX_RUNNER_H
#define UNIX_RUNNER_H

int runner_start(int argc, char **argv);

#endif
