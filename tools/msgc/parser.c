/*
 * A recursive-descent parser for the MIG-like .defs subset of README.md. Keywords are
 * case-insensitive, as in MIG; names are not. Every check the generated code relies
 * on (bounds, element sizes, what the request port is, what a simpleroutine may
 * carry) happens here, so the generators never meet an invalid interface.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "parser.h"

struct parser {
	struct lexer lx;
	struct token cur;	/* the next token, not yet consumed */
	struct diag *diag;
	struct interface *itf;
	bool have_subsystem;
	int subsystem_line;
	uint32_t next_index;
	char waittime[MSGC_NAME_MAX];	/* applies to the routines that follow */
	bool retry;			/* so does retry; */
};

#define MAX_ROUTINES REPLY_ID_OFFSET

static bool
error_at(struct parser *p, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool
error_at(struct parser *p, int line, const char *fmt, ...)
{
	char text[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	diag_error(p->diag, p->lx.file, line, "%s", text);
	return false;
}

static bool
advance(struct parser *p)
{
	return lexer_next(&p->lx, &p->cur);
}

static bool
is_keyword(const struct token *t, const char *keyword)
{
	return t->kind == TOKEN_IDENT && strcasecmp(t->text, keyword) == 0;
}

static bool
is_punct(const struct token *t, char c)
{
	return t->kind == TOKEN_PUNCT && t->text[0] == c;
}

static bool
expected(struct parser *p, const char *what)
{
	char found[300];

	return error_at(p, p->cur.line, "expected %s, found %s", what,
	    token_describe(&p->cur, found, sizeof(found)));
}

static bool
expect_punct(struct parser *p, char c)
{
	char what[8] = { '\'', c, '\'', 0 };

	if (!is_punct(&p->cur, c))
		return expected(p, what);
	return advance(p);
}

static bool
expect_keyword(struct parser *p, const char *keyword)
{
	char what[64];

	if (!is_keyword(&p->cur, keyword)) {
		snprintf(what, sizeof(what), "'%s'", keyword);
		return expected(p, what);
	}
	return advance(p);
}

static bool
expect_name(struct parser *p, const char *what, char name[MSGC_NAME_MAX])
{
	if (p->cur.kind != TOKEN_IDENT)
		return expected(p, what);
	snprintf(name, MSGC_NAME_MAX, "%.*s", MSGC_NAME_MAX - 1, p->cur.text);
	return advance(p);
}

static bool
expect_number(struct parser *p, const char *what, uint32_t *n)
{
	if (p->cur.kind != TOKEN_NUMBER)
		return expected(p, what);
	*n = p->cur.number;
	return advance(p);
}

/* MIG features outside the subset: named, so the user knows it is not a typo. */
static const char *const unsupported_statements[] = {
	"serverprefix", "userprefix", "serverdemux", "rcsid", "error",
	"msgoption", "msgtype", "function", "procedure", "simpleprocedure",
	"kernelserver", "kerneluser",
};
static const char *const unsupported_arg_kinds[] = {
	"requestport", "replyport", "sreplyport", "ureplyport", "waittime", "msgoption",
	"msgseqno", "sectoken", "audittoken", "servercopy", "serverimpl", "userimpl",
};

static bool
in_list(const char *const *list, size_t n, const struct token *t)
{
	for (size_t i = 0; i < n; i++)
		if (is_keyword(t, list[i]))
			return true;
	return false;
}

static const char *const c_keywords[] = {
	"auto", "bool", "break", "case", "char", "const", "continue", "default", "do",
	"double", "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int",
	"long", "register", "restrict", "return", "short", "signed", "sizeof", "static",
	"struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
};

static bool
is_c_keyword(const char *name)
{
	for (size_t i = 0; i < sizeof(c_keywords) / sizeof(c_keywords[0]); i++)
		if (strcmp(name, c_keywords[i]) == 0)
			return true;
	return false;
}

/* Reads [N], [*:N], [] or [*]; an unbounded size is TYPE_UNBOUNDED. */
static bool
parse_dims(struct parser *p, bool *variable, uint32_t *count)
{
	if (!expect_punct(p, '['))
		return false;
	*variable = false;
	*count = TYPE_UNBOUNDED;
	if (is_punct(&p->cur, '*')) {
		*variable = true;
		if (!advance(p))
			return false;
		if (is_punct(&p->cur, ':')) {
			if (!advance(p) || !expect_number(p, "a bound", count))
				return false;
		}
	} else if (p->cur.kind == TOKEN_NUMBER) {
		*count = p->cur.number;
		if (!advance(p))
			return false;
	} else {
		*variable = true;
	}
	if (*count == 0)
		return error_at(p, p->cur.line, "a size or bound must be at least 1");
	return expect_punct(p, ']');
}

static bool parse_type_spec(struct parser *p, const struct type **out);

static bool
parse_array(struct parser *p, bool out_of_line, const struct type **out)
{
	int line = p->cur.line;
	const struct type *elem;
	struct type *t;
	bool variable;
	uint32_t count;

	if (!expect_keyword(p, "array") || !parse_dims(p, &variable, &count) ||
	    !expect_keyword(p, "of") || !parse_type_spec(p, &elem))
		return false;
	if (elem->kind == KIND_PORT && !elem->poly) {
		/* an array of port rights, all of one disposition */
		if (!out_of_line && (!variable || count == TYPE_UNBOUNDED))
			return error_at(p, line, "an inline array of ports needs a bound and a "
			    "count: write array[*:N] of %s", elem->name);
		if (!out_of_line && count > TYPE_PORT_ARRAY_LIMIT)
			return error_at(p, line, "an inline array of %u ports exceeds the limit of "
			    "%u (one descriptor each); use ^array[*:%u] of %s", count,
			    TYPE_PORT_ARRAY_LIMIT, count, elem->name);
	} else if (elem->kind != KIND_SCALAR) {
		return error_at(p, line, "array elements must be scalars or ports of one "
		    "disposition; '%s' is %s",
		    elem->name[0] ? elem->name : "this element type", type_kind_describe(elem));
	}
	if (out_of_line && !variable)
		return error_at(p, line, "fixed-size out-of-line arrays (^array[%u]) are not "
		    "supported; use ^array[] or ^array[*:%u]", count, count);
	if (!out_of_line && count == TYPE_UNBOUNDED)
		return error_at(p, line, "an inline array needs a bound: write array[*:N] of %s, "
		    "or ^array[] of %s for out-of-line memory", elem->name, elem->name);
	if (!out_of_line && elem->size > 4)
		return error_at(p, line, "inline array elements must be 1, 2 or 4 bytes wide "
		    "('%s' is %u); use ^array for wider elements", elem->name, elem->size);
	if (!out_of_line && (uint64_t)count * elem->size > TYPE_INLINE_LIMIT)
		return error_at(p, line, "an inline array of %u '%s' exceeds the %u-byte inline "
		    "limit; use ^array", count, elem->name, TYPE_INLINE_LIMIT);
	t = types_add(&p->itf->types);
	t->line = line;
	t->elem = elem;
	t->count = count;
	t->kind = out_of_line ? KIND_OOL : elem->kind == KIND_PORT ? KIND_PORT_ARRAY :
	    variable ? KIND_ARRAY_BOUNDED : KIND_ARRAY_FIXED;
	*out = t;
	return true;
}

static bool
parse_string(struct parser *p, const struct type **out)
{
	int line = p->cur.line;
	struct type *t;
	bool variable;
	uint32_t count;

	if (!advance(p) || !parse_dims(p, &variable, &count))
		return false;
	if (count == TYPE_UNBOUNDED)
		return error_at(p, line, "c_string needs a size: c_string[N] or c_string[*:N]");
	if (count > TYPE_INLINE_LIMIT)
		return error_at(p, line, "c_string of %u bytes exceeds the %u-byte inline limit",
		    count, TYPE_INLINE_LIMIT);
	t = types_add(&p->itf->types);
	t->line = line;
	t->count = count;
	t->kind = variable ? KIND_STRING_BOUNDED : KIND_STRING_FIXED;
	*out = t;
	return true;
}

static bool
parse_type_spec(struct parser *p, const struct type **out)
{
	if (is_punct(&p->cur, '^'))
		return advance(p) && parse_array(p, true, out);
	if (is_keyword(&p->cur, "array"))
		return parse_array(p, false, out);
	if (is_keyword(&p->cur, "c_string"))
		return parse_string(p, out);
	if (is_keyword(&p->cur, "struct"))
		return error_at(p, p->cur.line, "struct types are not supported by msgc; "
		    "use an array or several arguments");
	if (p->cur.kind != TOKEN_IDENT)
		return expected(p, "a type");
	*out = types_find(&p->itf->types, p->cur.text);
	if (*out == NULL)
		return error_at(p, p->cur.line, "unknown type '%s'", p->cur.text);
	return advance(p);
}

static bool
parse_type_decl(struct parser *p)
{
	char name[MSGC_NAME_MAX], ctype[MSGC_NAME_MAX] = "";
	bool noclear = false;
	int line = p->cur.line;
	const struct type *spec, *old;
	struct type *t;

	if (!advance(p) || !expect_name(p, "a type name", name))
		return false;
	old = types_find(&p->itf->types, name);
	if (old != NULL && old->predefined)
		return error_at(p, line, "'%s' is predefined and cannot be redefined", name);
	if (old != NULL)
		return error_at(p, line, "type '%s' is already defined at line %d", name,
		    old->line);
	if (!expect_punct(p, '=') || !parse_type_spec(p, &spec))
		return false;
	if (is_punct(&p->cur, ',') && !advance(p))
		return false;
	if (is_keyword(&p->cur, "ctype")) {
		/* MIG's ctype: for out-of-line memory, the C type of its address; for a fixed
		 * inline array, the C structure it is (Mach's time_value_t: struct[2] of integer_t) */
		if ((spec->kind != KIND_OOL || type_is_port_array(spec)) && spec->kind != KIND_ARRAY_FIXED)
			return error_at(p, p->cur.line, "ctype: is supported only for out-of-line "
			    "memory (^array) and fixed inline arrays (array[N])");
		if (!advance(p) || !expect_punct(p, ':') ||
		    !expect_name(p, "a C type name", ctype))
			return false;
	}
	if (is_keyword(&p->cur, "noclear")) {
		/*
		 * An out inline array the server's stub leaves as the stack had it:
		 * the handler writes every element it counts. For a hot routine's
		 * large buffer (gns's socket_recv: clearing 4 KiB is about 1,030
		 * instructions under -icount, twice a held call).
		 */
		if (spec->kind != KIND_ARRAY_FIXED && spec->kind != KIND_ARRAY_BOUNDED)
			return error_at(p, p->cur.line, "noclear is supported only for inline arrays");
		noclear = true;
		if (!advance(p))
			return false;
	}
	if (is_punct(&p->cur, ',') || is_keyword(&p->cur, "cusertype") ||
	    is_keyword(&p->cur, "cservertype") || is_keyword(&p->cur, "intran") ||
	    is_keyword(&p->cur, "outtran") || is_keyword(&p->cur, "destructor"))
		return error_at(p, p->cur.line, "type options other than ctype: and noclear (cusertype:, "
		    "translations, dealloc) are not supported by msgc");
	if (!expect_punct(p, ';'))
		return false;
	if (noclear && ctype[0] != '\0')
		return error_at(p, line, "noclear and ctype: together: a structure is passed whole");
	t = types_add(&p->itf->types);
	*t = *spec;
	if (ctype[0] != '\0')
		snprintf(t->ctype, sizeof(t->ctype), "%s", ctype);
	if (ctype[0] != '\0' && spec->kind == KIND_ARRAY_FIXED) {
		/* the array's bytes on the wire, one value of the structure in C (by value in,
		 * by pointer out), as a scalar travels; elem and count stay for the size check */
		t->kind = KIND_SCALAR;
		t->size = spec->count * spec->elem->size;
	}
	t->noclear = t->noclear || noclear;
	t->predefined = false;
	t->alias_of = spec->name[0] != '\0' ? spec : NULL;
	t->line = line;
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->c_name, sizeof(t->c_name), "%s", name);
	return true;
}

static bool check_same_count(struct parser *p, const struct routine *r, struct arg *a);

static bool
check_arg(struct parser *p, const struct routine *r, struct arg *a)
{
	const struct type *t = a->type;
	size_t len = strlen(a->name);

	if (strncmp(a->name, "msgc_", 5) == 0)
		return error_at(p, a->line, "argument names starting with 'msgc_' are reserved "
		    "for generated code");
	if (is_c_keyword(a->name))
		return error_at(p, a->line, "argument name '%s' is a C keyword", a->name);
	for (size_t i = 0; i < r->nargs; i++) {
		const struct arg *b = &r->args[i];
		size_t blen = strlen(b->name);
		bool b_counted = b->type->kind == KIND_ARRAY_BOUNDED || b->type->kind == KIND_OOL ||
		    b->type->kind == KIND_PORT_ARRAY;
		bool a_counted = t->kind == KIND_ARRAY_BOUNDED || t->kind == KIND_OOL ||
		    t->kind == KIND_PORT_ARRAY;

		if (strcmp(a->name, b->name) == 0)
			return error_at(p, a->line, "argument '%s' appears twice in '%s'",
			    a->name, r->name);
		if ((b_counted && len == blen + 3 && strncmp(a->name, b->name, blen) == 0 &&
			strcmp(a->name + blen, "Cnt") == 0) ||
		    (a_counted && blen == len + 3 && strncmp(b->name, a->name, len) == 0 &&
			strcmp(b->name + len, "Cnt") == 0))
			return error_at(p, a->line, "arguments '%s' and '%s' clash: the count "
			    "of an array argument X is named XCnt", a->name, b->name);
	}
	if (r->nargs == 0) {
		if (a->dir != DIR_IN || !type_is_send_right(t))
			return error_at(p, a->line, "the first argument of '%s' is the request "
			    "port: an in argument with a send right type such as mach_port_t, "
			    "not %s", r->name, a->dir != DIR_IN ? "an out argument" :
			    type_kind_describe(t));
		return true;
	}
	if (r->simple && a->dir != DIR_IN)
		return error_at(p, a->line, "simpleroutine '%s' has no reply, so it cannot "
		    "have %s argument '%s'", r->name, a->dir == DIR_OUT ? "out" : "inout",
		    a->name);
	if (a->dir == DIR_INOUT && type_is_descriptor(t))
		return error_at(p, a->line, "inout is not supported for %s ('%s'); use an in "
		    "and an out argument", type_kind_describe(t), a->name);
	if (a->dealloc && t->kind != KIND_OOL)
		return error_at(p, a->line, "dealloc applies only to out-of-line memory; '%s' "
		    "is %s", a->name, type_kind_describe(t));
	if (a->same_count)
		return check_same_count(p, r, a);
	return true;
}

/*
 * MIG's SameCount: a's count is the argument before it's (an inline array of
 * one direction and bound), so a has no count of its own in C; on the wire
 * each array keeps its count, and a receiver refuses counts that differ.
 */
static bool
check_same_count(struct parser *p, const struct routine *r, struct arg *a)
{
	const struct arg *b = &r->args[r->nargs - 1];
	uint32_t kind = a->type->kind;

	if (kind != KIND_ARRAY_BOUNDED && kind != KIND_PORT_ARRAY)
		return error_at(p, a->line, "SameCount applies only to an inline array[*:N]; '%s' "
		    "is %s", a->name, type_kind_describe(a->type));
	if (a->dir == DIR_INOUT)
		return error_at(p, a->line, "SameCount is not supported on inout '%s'", a->name);
	if (b->type->kind != KIND_ARRAY_BOUNDED && b->type->kind != KIND_PORT_ARRAY)
		return error_at(p, a->line, "SameCount: '%s' must follow the inline array whose "
		    "count it shares; '%s' is %s", a->name, b->name, type_kind_describe(b->type));
	if (b->dir != a->dir)
		return error_at(p, a->line, "SameCount: '%s' and '%s' go different ways", a->name,
		    b->name);
	if (b->type->count != a->type->count)
		return error_at(p, a->line, "SameCount: '%s' holds up to %u, '%s' %u: the bounds "
		    "must be equal", a->name, a->type->count, b->name, b->type->count);
	strcpy(a->count_name, b->count_name);
	return true;
}

static bool
parse_arg(struct parser *p, struct routine *r)
{
	struct arg a = { .dir = DIR_IN, .line = p->cur.line };

	if (in_list(unsupported_arg_kinds, sizeof(unsupported_arg_kinds) /
		sizeof(unsupported_arg_kinds[0]), &p->cur))
		return error_at(p, p->cur.line, "argument kind '%s' is not supported by msgc",
		    p->cur.text);
	if (is_keyword(&p->cur, "in") || is_keyword(&p->cur, "out") ||
	    is_keyword(&p->cur, "inout")) {
		a.dir = is_keyword(&p->cur, "in") ? DIR_IN :
		    is_keyword(&p->cur, "out") ? DIR_OUT : DIR_INOUT;
		if (!advance(p))
			return false;
	}
	if (!expect_name(p, "an argument name", a.name) || !expect_punct(p, ':') ||
	    !parse_type_spec(p, &a.type))
		return false;
	while (is_punct(&p->cur, ',')) {
		if (!advance(p))
			return false;
		if (is_keyword(&p->cur, "dealloc"))
			a.dealloc = true;
		else if (is_keyword(&p->cur, "notdealloc"))
			a.dealloc = false;
		else if (is_keyword(&p->cur, "SameCount"))
			a.same_count = true;
		else
			return expected(p, "'dealloc', 'notdealloc' or 'SameCount'");
		if (!advance(p))
			return false;
	}
	strcpy(a.count_name, a.name);
	if (!check_arg(p, r, &a))
		return false;
	r->args = realloc(r->args, (r->nargs + 1) * sizeof(*r->args));
	if (r->args == NULL)
		abort();
	r->args[r->nargs++] = a;
	return true;
}

static bool
claim_index(struct parser *p, int line)
{
	if (p->next_index >= MAX_ROUTINES)
		return error_at(p, line, "more than %d routines: reply ids (id + %d) would "
		    "collide with request ids", MAX_ROUTINES, REPLY_ID_OFFSET);
	p->next_index++;
	return true;
}

/*
 * A routine after retry; is sent a second time when its server died holding
 * it, so its request must be the same message again: every right in it
 * copied or made (never moved), no memory deallocated on sending, and a reply
 * to tell the death by.
 */
static bool
check_retry(struct parser *p, const struct routine *r)
{
	if (!r->retry)
		return true;
	if (r->simple)
		return error_at(p, r->line, "'%s' is a simpleroutine: only a routine with a reply can be "
		    "retried", r->name);
	for (size_t i = 1; i < r->nargs; i++) {
		const struct arg *a = &r->args[i];
		const struct type *t = (a->type->kind == KIND_OOL || a->type->kind == KIND_PORT_ARRAY) &&
		    a->type->elem->kind == KIND_PORT ? a->type->elem : a->type;
		if (a->dir == DIR_OUT)
			continue;
		if (a->dealloc)
			return error_at(p, a->line, "'%s' cannot be retried: '%s' is deallocated when sent",
			    r->name, a->name);
		if (t->kind == KIND_PORT && (t->poly || strstr(t->disposition_name, "_MOVE_") != NULL))
			return error_at(p, a->line, "'%s' cannot be retried: '%s' moves a right", r->name,
			    a->name);
	}
	return true;
}

static bool
parse_routine(struct parser *p, bool simple)
{
	struct interface *itf = p->itf;
	struct routine r = { .simple = simple, .line = p->cur.line, .index = p->next_index };
	bool ok;

	memcpy(r.waittime, p->waittime, sizeof(r.waittime));
	r.retry = p->retry;

	if (!advance(p) || !expect_name(p, "a routine name", r.name))
		return false;
	for (size_t i = 0; i < itf->nroutines; i++)
		if (strcmp(itf->routines[i].name, r.name) == 0)
			return error_at(p, r.line, "routine '%s' is already defined at line %d",
			    r.name, itf->routines[i].line);
	if (!claim_index(p, r.line))
		return false;
	ok = expect_punct(p, '(');
	if (ok && is_punct(&p->cur, ')'))
		ok = error_at(p, p->cur.line, "'%s' needs at least its request port argument",
		    r.name);
	while (ok) {
		ok = parse_arg(p, &r);
		if (!ok || !is_punct(&p->cur, ';'))
			break;
		ok = advance(p);
		if (ok && is_punct(&p->cur, ')'))	/* a ';' after the last argument */
			break;
	}
	ok = ok && expect_punct(p, ')') && expect_punct(p, ';') && check_retry(p, &r);
	if (!ok) {
		free(r.args);
		return false;
	}
	itf->routines = realloc(itf->routines, (itf->nroutines + 1) * sizeof(*itf->routines));
	if (itf->routines == NULL)
		abort();
	itf->routines[itf->nroutines++] = r;
	return true;
}

static bool
parse_subsystem(struct parser *p)
{
	int line = p->cur.line;

	if (p->have_subsystem)
		return error_at(p, line, "a second subsystem statement (the first is at line %d)",
		    p->subsystem_line);
	if (!advance(p))
		return false;
	if (is_keyword(&p->cur, "kernelserver") || is_keyword(&p->cur, "kerneluser"))
		return error_at(p, p->cur.line, "'%s' is not supported by msgc", p->cur.text);
	if (!expect_name(p, "a subsystem name", p->itf->name) ||
	    !expect_number(p, "the subsystem's base message id", &p->itf->base))
		return false;
	if (p->itf->base > INT32_MAX - MAX_ROUTINES - REPLY_ID_OFFSET)
		return error_at(p, line, "base id %u is too large: message ids are positive "
		    "32-bit integers", p->itf->base);
	p->have_subsystem = true;
	p->subsystem_line = line;
	return expect_punct(p, ';');
}

static bool
parse_import(struct parser *p, enum import_side side)
{
	struct interface *itf = p->itf;
	struct import imp = { .side = side };

	p->lx.angled_allowed = true;
	if (!advance(p))
		return false;
	p->lx.angled_allowed = false;
	if (p->cur.kind == TOKEN_QUOTED)
		snprintf(imp.file, sizeof(imp.file), "\"%s\"", p->cur.text);
	else if (p->cur.kind == TOKEN_ANGLED)
		snprintf(imp.file, sizeof(imp.file), "<%s>", p->cur.text);
	else
		return expected(p, "a file name in quotes or angle brackets");
	if (!advance(p) || !expect_punct(p, ';'))
		return false;
	itf->imports = realloc(itf->imports, (itf->nimports + 1) * sizeof(*itf->imports));
	if (itf->imports == NULL)
		abort();
	itf->imports[itf->nimports++] = imp;
	return true;
}

/* #include of Mach's standard .defs: their types are predefined here. */
static bool
parse_include(struct parser *p)
{
	int line = p->cur.line;

	if (!advance(p))
		return false;
	if (!is_keyword(&p->cur, "include"))
		return error_at(p, line, "msgc does not run the C preprocessor: only "
		    "#include <mach/std_types.defs> and <mach/mach_types.defs> are accepted");
	p->lx.angled_allowed = true;
	if (!advance(p))
		return false;
	p->lx.angled_allowed = false;
	if ((p->cur.kind != TOKEN_ANGLED && p->cur.kind != TOKEN_QUOTED) ||
	    (strcmp(p->cur.text, "mach/std_types.defs") != 0 &&
		strcmp(p->cur.text, "mach/mach_types.defs") != 0))
		return error_at(p, line, "msgc does not run the C preprocessor: only "
		    "#include <mach/std_types.defs> and <mach/mach_types.defs> are accepted");
	return advance(p);
}

/*
 * waittime N; (or a C name) gives the routines that follow a timeout: the
 * client stub waits at most N ms to send and for the reply. nowaittime; ends it.
 */
static bool
parse_waittime(struct parser *p)
{
	if (is_keyword(&p->cur, "nowaittime")) {
		p->waittime[0] = '\0';
		return advance(p) && expect_punct(p, ';');
	}
	if (!advance(p))
		return false;
	if (p->cur.kind == TOKEN_NUMBER)
		snprintf(p->waittime, sizeof(p->waittime), "%u", p->cur.number);
	else if (p->cur.kind == TOKEN_IDENT && !is_c_keyword(p->cur.text))
		snprintf(p->waittime, sizeof(p->waittime), "%.*s", MSGC_NAME_MAX - 1, p->cur.text);
	else
		return expected(p, "a time in milliseconds (a number or a C name)");
	return advance(p) && expect_punct(p, ';');
}

/* retry; marks the routines that follow as idempotent (check_retry); noretry; ends it. */
static bool
parse_retry(struct parser *p)
{
	p->retry = is_keyword(&p->cur, "retry");
	return advance(p) && expect_punct(p, ';');
}

static bool
parse_statement(struct parser *p)
{
	struct token *t = &p->cur;

	if (is_keyword(t, "subsystem"))
		return parse_subsystem(p);
	if (is_punct(t, '#'))
		return parse_include(p);
	if (in_list(unsupported_statements, sizeof(unsupported_statements) /
		sizeof(unsupported_statements[0]), t))
		return error_at(p, t->line, "'%s' is not supported by msgc", t->text);
	if (!is_keyword(t, "type") && !is_keyword(t, "routine") &&
	    !is_keyword(t, "simpleroutine") && !is_keyword(t, "skip") &&
	    !is_keyword(t, "import") && !is_keyword(t, "uimport") &&
	    !is_keyword(t, "simport") && !is_keyword(t, "waittime") && !is_keyword(t, "nowaittime") &&
	    !is_keyword(t, "retry") && !is_keyword(t, "noretry"))
		return expected(p, "a statement (subsystem, import, type, routine, "
		    "simpleroutine, skip, waittime, nowaittime, retry or noretry)");
	if (!p->have_subsystem)
		return error_at(p, t->line, "'%s' before the subsystem statement", t->text);
	if (is_keyword(t, "type"))
		return parse_type_decl(p);
	if (is_keyword(t, "routine"))
		return parse_routine(p, false);
	if (is_keyword(t, "simpleroutine"))
		return parse_routine(p, true);
	if (is_keyword(t, "skip"))
		return claim_index(p, t->line) && advance(p) && expect_punct(p, ';');
	if (is_keyword(t, "waittime") || is_keyword(t, "nowaittime"))
		return parse_waittime(p);
	if (is_keyword(t, "retry") || is_keyword(t, "noretry"))
		return parse_retry(p);
	if (is_keyword(t, "import"))
		return parse_import(p, IMPORT_BOTH);
	if (is_keyword(t, "uimport"))
		return parse_import(p, IMPORT_CLIENT);
	return parse_import(p, IMPORT_SERVER);
}

bool
parse_defs(const char *file, const char *text, struct interface *itf, struct diag *diag)
{
	struct parser p = { .diag = diag, .itf = itf };

	memset(itf, 0, sizeof(*itf));
	itf->defs_file = file;
	types_init(&itf->types);
	lexer_init(&p.lx, file, text, diag);
	if (!advance(&p))
		return false;
	while (p.cur.kind != TOKEN_END)
		if (!parse_statement(&p))
			return false;
	if (!p.have_subsystem)
		return error_at(&p, p.cur.line, "no subsystem statement");
	return true;
}
