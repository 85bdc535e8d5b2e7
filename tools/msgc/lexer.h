/*
 * The lexer of .defs files: identifiers, numbers, "quoted" and <angle> file names,
 * and single-character punctuation. Comments (C and C++ style) and white space are
 * skipped. A token knows its line, for error messages. The parser is its only user.
 */
#ifndef MSGC_LEXER_H
#define MSGC_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "diag.h"

#define MSGC_NAME_MAX 64	/* identifiers, including the NUL */

enum token_kind {
	TOKEN_END,		/* end of file */
	TOKEN_IDENT,
	TOKEN_NUMBER,
	TOKEN_QUOTED,		/* "file.h": text holds what is between the quotes */
	TOKEN_ANGLED,		/* <file.h> */
	TOKEN_PUNCT,		/* one of ; : , = ( ) [ ] * ^ # */
};

struct token {
	enum token_kind kind;
	int line;
	uint32_t number;
	char text[256];
};

struct lexer {
	const char *file;
	const char *src;
	size_t at;
	int line;
	struct diag *diag;
	bool angled_allowed;	/* set by the parser after #include/import */
};

void lexer_init(struct lexer *lx, const char *file, const char *src, struct diag *diag);
/* False after a lexical error, which is recorded in lx->diag. */
bool lexer_next(struct lexer *lx, struct token *t);
/* How a token reads in an error message: 'name', '42', ';' or "end of file". */
const char *token_describe(const struct token *t, char *buf, size_t size);

#endif
