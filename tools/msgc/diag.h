/*
 * Diagnostics: msgc stops at the first error in a .defs file and reports it as
 * `file:line: message`. The text is kept in a buffer so that tests can compare it;
 * main prints it. Used by the lexer and the parser.
 */
#ifndef MSGC_DIAG_H
#define MSGC_DIAG_H

#include <stdbool.h>

struct diag {
	bool failed;
	char text[512];
};

/* Records the first error only: later ones are usually consequences of it. */
void diag_error(struct diag *d, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
