/*
 * The .defs lexer (see lexer.h). MIG runs the C preprocessor first; msgc does not,
 * so comments are handled here and '#' reaches the parser as punctuation.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "lexer.h"

void
lexer_init(struct lexer *lx, const char *file, const char *src, struct diag *diag)
{
	memset(lx, 0, sizeof(*lx));
	lx->file = file;
	lx->src = src;
	lx->line = 1;
	lx->diag = diag;
}

static bool
skip_space_and_comments(struct lexer *lx)
{
	const char *s = lx->src;

	for (;;) {
		if (s[lx->at] == '\n') {
			lx->line++;
			lx->at++;
		} else if (isspace((unsigned char)s[lx->at])) {
			lx->at++;
		} else if (s[lx->at] == '/' && s[lx->at + 1] == '/') {
			while (s[lx->at] != '\0' && s[lx->at] != '\n')
				lx->at++;
		} else if (s[lx->at] == '/' && s[lx->at + 1] == '*') {
			int start = lx->line;

			lx->at += 2;
			while (!(s[lx->at] == '*' && s[lx->at + 1] == '/')) {
				if (s[lx->at] == '\0') {
					diag_error(lx->diag, lx->file, start, "unterminated comment");
					return false;
				}
				if (s[lx->at] == '\n')
					lx->line++;
				lx->at++;
			}
			lx->at += 2;
		} else {
			return true;
		}
	}
}

static bool
lex_number(struct lexer *lx, struct token *t)
{
	const char *s = lx->src;
	unsigned base = 10;
	uint64_t v = 0;
	size_t start = lx->at;

	if (s[lx->at] == '0' && (s[lx->at + 1] == 'x' || s[lx->at + 1] == 'X')) {
		base = 16;
		lx->at += 2;
	}
	while (isxdigit((unsigned char)s[lx->at])) {
		int c = tolower((unsigned char)s[lx->at]);
		unsigned digit = isdigit(c) ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10);

		if (digit >= base)
			break;
		v = v * base + digit;
		if (v > UINT32_MAX) {
			diag_error(lx->diag, lx->file, lx->line, "number is too large (the limit is %u)",
			    UINT32_MAX);
			return false;
		}
		lx->at++;
	}
	if (isalnum((unsigned char)s[lx->at]) || s[lx->at] == '_' || lx->at == start + 2 * (base == 16)) {
		diag_error(lx->diag, lx->file, lx->line, "malformed number");
		return false;
	}
	t->kind = TOKEN_NUMBER;
	t->number = (uint32_t)v;
	snprintf(t->text, sizeof(t->text), "%.*s", (int)(lx->at - start), s + start);
	return true;
}

static bool
lex_delimited(struct lexer *lx, struct token *t, char close, enum token_kind kind)
{
	const char *s = lx->src;
	size_t start = ++lx->at;

	while (s[lx->at] != close) {
		if (s[lx->at] == '\0' || s[lx->at] == '\n') {
			diag_error(lx->diag, lx->file, lx->line, "unterminated file name (missing %c)",
			    close);
			return false;
		}
		lx->at++;
	}
	if (lx->at - start >= sizeof(t->text)) {
		diag_error(lx->diag, lx->file, lx->line, "file name is too long");
		return false;
	}
	t->kind = kind;
	snprintf(t->text, sizeof(t->text), "%.*s", (int)(lx->at - start), s + start);
	lx->at++;
	return true;
}

bool
lexer_next(struct lexer *lx, struct token *t)
{
	const char *s = lx->src;
	char c;

	memset(t, 0, sizeof(*t));
	if (!skip_space_and_comments(lx))
		return false;
	t->line = lx->line;
	c = s[lx->at];
	if (c == '\0') {
		t->kind = TOKEN_END;
		return true;
	}
	if (isalpha((unsigned char)c) || c == '_') {
		size_t start = lx->at;

		while (isalnum((unsigned char)s[lx->at]) || s[lx->at] == '_')
			lx->at++;
		if (lx->at - start >= MSGC_NAME_MAX) {
			diag_error(lx->diag, lx->file, lx->line,
			    "identifier is longer than %d characters", MSGC_NAME_MAX - 1);
			return false;
		}
		t->kind = TOKEN_IDENT;
		snprintf(t->text, sizeof(t->text), "%.*s", (int)(lx->at - start), s + start);
		return true;
	}
	if (isdigit((unsigned char)c))
		return lex_number(lx, t);
	if (c == '"')
		return lex_delimited(lx, t, '"', TOKEN_QUOTED);
	if (c == '<' && lx->angled_allowed)
		return lex_delimited(lx, t, '>', TOKEN_ANGLED);
	if (strchr(";:,=()[]*^#", c) != NULL) {
		t->kind = TOKEN_PUNCT;
		t->text[0] = c;
		lx->at++;
		return true;
	}
	if (isprint((unsigned char)c))
		diag_error(lx->diag, lx->file, lx->line, "unexpected character '%c'", c);
	else
		diag_error(lx->diag, lx->file, lx->line, "unexpected byte 0x%02x",
		    (unsigned char)c);
	return false;
}

const char *
token_describe(const struct token *t, char *buf, size_t size)
{
	switch (t->kind) {
	case TOKEN_END:
		snprintf(buf, size, "end of file");
		break;
	case TOKEN_QUOTED:
		snprintf(buf, size, "\"%s\"", t->text);
		break;
	case TOKEN_ANGLED:
		snprintf(buf, size, "<%s>", t->text);
		break;
	default:
		snprintf(buf, size, "'%s'", t->text);
		break;
	}
	return buf;
}
