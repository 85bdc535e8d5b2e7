/*
 * Parser cases: each construct of the .defs subset is read into the right model, and
 * each kind of bad input gives exactly the expected `file:line: message`.
 */
#include <string.h>
#include "parser.h"
#include "test.h"

static bool
parse(const char *text, struct interface *itf, struct diag *diag)
{
	memset(diag, 0, sizeof(*diag));
	return parse_defs("t.defs", text, itf, diag);
}

static const struct arg *
find_arg(const struct routine *r, const char *name)
{
	for (size_t i = 0; i < r->nargs; i++)
		if (strcmp(r->args[i].name, name) == 0)
			return &r->args[i];
	return NULL;
}

static void
subsystem_name_and_base_are_read(void)
{
	struct interface itf;
	struct diag d;
	bool ok = parse("subsystem echo 2400;", &itf, &d);

	CHECK(ok);
	CHECK(strcmp(itf.name, "echo") == 0);
	CHECK_EQ(itf.base, 2400);
	CHECK_EQ(itf.nroutines, 0);
	interface_free(&itf);
}

static void
skip_consumes_a_routine_index(void)
{
	struct interface itf;
	struct diag d;
	bool ok = parse("subsystem s 100;\n"
	    "routine a(p: mach_port_t);\nskip;\nskip;\n"
	    "simpleroutine b(p: mach_port_t);\nroutine c(p: mach_port_t);\n", &itf, &d);

	CHECK(ok);
	CHECK_EQ(itf.nroutines, 3);
	CHECK_EQ(itf.routines[0].index, 0);
	CHECK_EQ(itf.routines[1].index, 3);
	CHECK(itf.routines[1].simple);
	CHECK_EQ(itf.routines[2].index, 4);
	interface_free(&itf);
}

static void
type_declarations_of_every_kind_are_modelled(void)
{
	struct interface itf;
	struct diag d;
	const struct type *t;
	bool ok = parse("subsystem s 1;\n"
	    "type i_t = int32_t;\ntype j_t = i_t;\ntype w_t = MACH_MSG_TYPE_INTEGER_64;\n"
	    "type v_t = array[16] of int32_t;\ntype b_t = array[*:1024] of uint8_t;\n"
	    "type n_t = c_string[*:64];\ntype l_t = c_string[8];\n"
	    "type o_t = ^array[] of uint8_t;\ntype q_t = ^array[*:10] of uint64_t;\n"
	    "type p_t = MACH_MSG_TYPE_MAKE_SEND_ONCE;\ntype r_t = mach_port_move_receive_t;\n"
	    "type c_t = array[*:64] of uint8_t, noclear;\ntype d_t = c_t;\n",
	    &itf, &d);

	CHECK(ok);
	t = types_find(&itf.types, "j_t");
	CHECK(t && t->kind == KIND_SCALAR && t->size == 4 && t->alias_of &&
	    strcmp(t->alias_of->name, "i_t") == 0);
	t = types_find(&itf.types, "w_t");
	CHECK(t && t->kind == KIND_SCALAR && t->size == 8);
	t = types_find(&itf.types, "v_t");
	CHECK(t && t->kind == KIND_ARRAY_FIXED && t->count == 16 && t->elem->size == 4);
	t = types_find(&itf.types, "b_t");
	CHECK(t && t->kind == KIND_ARRAY_BOUNDED && t->count == 1024 && !t->noclear);
	t = types_find(&itf.types, "c_t");
	CHECK(t && t->kind == KIND_ARRAY_BOUNDED && t->count == 64 && t->noclear);
	t = types_find(&itf.types, "d_t");
	CHECK(t && t->noclear);
	t = types_find(&itf.types, "n_t");
	CHECK(t && t->kind == KIND_STRING_BOUNDED && t->count == 64);
	t = types_find(&itf.types, "l_t");
	CHECK(t && t->kind == KIND_STRING_FIXED && t->count == 8);
	t = types_find(&itf.types, "o_t");
	CHECK(t && t->kind == KIND_OOL && t->count == TYPE_UNBOUNDED);
	t = types_find(&itf.types, "q_t");
	CHECK(t && t->kind == KIND_OOL && t->count == 10 && t->elem->size == 8);
	t = types_find(&itf.types, "p_t");
	CHECK(t && t->kind == KIND_PORT && t->disposition == 21);
	t = types_find(&itf.types, "r_t");
	CHECK(t && t->kind == KIND_PORT && t->disposition == 16);
	interface_free(&itf);
}

static void
arguments_keep_direction_type_and_flags(void)
{
	struct interface itf;
	struct diag d;
	const struct routine *r;
	bool ok = parse("subsystem s 1;\ntype o_t = ^array[] of uint8_t;\n"
	    "routine r(server: mach_port_t; x: int32_t; out y: int16_t; inout z: uint8_t;\n"
	    "  in o: o_t, dealloc; out q: o_t, NotDealloc;\n"
	    "  in inline_arr: array[*:4] of uint8_t;);\n", &itf, &d);

	CHECK(ok);
	r = &itf.routines[0];
	CHECK_EQ(r->nargs, 7);
	CHECK(strcmp(r->args[0].name, "server") == 0);
	CHECK(find_arg(r, "x")->dir == DIR_IN);
	CHECK(find_arg(r, "y")->dir == DIR_OUT);
	CHECK(find_arg(r, "z")->dir == DIR_INOUT);
	CHECK(find_arg(r, "o")->dealloc);
	CHECK(!find_arg(r, "q")->dealloc);
	CHECK(find_arg(r, "inline_arr")->type->kind == KIND_ARRAY_BOUNDED);
	CHECK_EQ(find_arg(r, "z")->line, 3);
	interface_free(&itf);
}

static void
keywords_are_case_insensitive(void)
{
	struct interface itf;
	struct diag d;
	bool ok = parse("Subsystem s 1;\nType t = int32_t;\n"
	    "SimpleRoutine a(p: mach_port_t; IN x: t);\nRoutine b(p: mach_port_t; OUT y: t);\n",
	    &itf, &d);

	CHECK(ok);
	CHECK_EQ(itf.nroutines, 2);
	CHECK(itf.routines[0].simple && !itf.routines[1].simple);
	interface_free(&itf);
}

static void
imports_are_recorded_with_their_side(void)
{
	struct interface itf;
	struct diag d;
	bool ok = parse("subsystem s 1;\nimport \"a.h\";\nuimport <b.h>;\nsimport \"c.h\";\n",
	    &itf, &d);

	CHECK(ok);
	CHECK_EQ(itf.nimports, 3);
	CHECK(strcmp(itf.imports[0].file, "\"a.h\"") == 0 && itf.imports[0].side == IMPORT_BOTH);
	CHECK(strcmp(itf.imports[1].file, "<b.h>") == 0 && itf.imports[1].side == IMPORT_CLIENT);
	CHECK(itf.imports[2].side == IMPORT_SERVER);
	interface_free(&itf);
}

static void
comments_and_std_includes_are_skipped(void)
{
	struct interface itf;
	struct diag d;
	bool ok = parse("/* a\n * block */\n#include <mach/std_types.defs>\n"
	    "#include <mach/mach_types.defs> // MIG habit\nsubsystem s 1; // end\n"
	    "routine r(/* port */ p: mach_port_t);\n", &itf, &d);

	CHECK(ok);
	CHECK_EQ(itf.routines[0].line, 6);
	interface_free(&itf);
}

static void
waittime_applies_to_the_routines_that_follow(void)
{
	struct interface itf;
	struct diag d;
	bool ok = parse("subsystem s 1;\nroutine a(p: mach_port_t);\nWaitTime 500;\n"
	    "routine b(p: mach_port_t);\nwaittime my_timeout;\nsimpleroutine c(p: mach_port_t);\n"
	    "nowaittime;\nroutine e(p: mach_port_t);\n", &itf, &d);

	CHECK(ok);
	CHECK_EQ(itf.nroutines, 4);
	CHECK(strcmp(itf.routines[0].waittime, "") == 0);
	CHECK(strcmp(itf.routines[1].waittime, "500") == 0);
	CHECK(strcmp(itf.routines[2].waittime, "my_timeout") == 0);
	CHECK(strcmp(itf.routines[3].waittime, "") == 0);
	interface_free(&itf);
}

static void
retry_applies_to_the_routines_that_follow(void)
{
	struct interface itf;
	struct diag d;
	bool ok = parse("subsystem s 1;\nroutine a(p: mach_port_t);\nretry;\n"
	    "routine b(p: mach_port_t; x: mach_port_t; y: mach_port_make_send_t);\nnoretry;\n"
	    "routine c(p: mach_port_t);\n", &itf, &d);

	CHECK(ok);
	CHECK_EQ(itf.nroutines, 3);
	CHECK(!itf.routines[0].retry);
	CHECK(itf.routines[1].retry);
	CHECK(!itf.routines[2].retry);
	interface_free(&itf);
}

/* Each bad input and the exact error it must produce. */
static const struct bad_case {
	const char *name, *text, *error;
} bad_cases[] = {
	{ "error_retry_of_a_moved_right", "subsystem a 1;\nretry;\nroutine r(p: mach_port_t;\n"
	  "x: mach_port_move_send_t);\n",
	  "t.defs:4: 'r' cannot be retried: 'x' moves a right" },
	{ "error_retry_of_deallocated_memory", "subsystem a 1;\ntype d = ^array[] of uint8_t;\nretry;\n"
	  "routine r(p: mach_port_t; x: d, dealloc);\n",
	  "t.defs:4: 'r' cannot be retried: 'x' is deallocated when sent" },
	{ "error_retry_of_a_simpleroutine", "subsystem a 1;\nretry;\nsimpleroutine r(p: mach_port_t);\n",
	  "t.defs:3: 'r' is a simpleroutine: only a routine with a reply can be retried" },
	{ "error_no_subsystem", "type t = int32_t;\n",
	  "t.defs:1: 'type' before the subsystem statement" },
	{ "error_empty_file", "\n\n",
	  "t.defs:3: no subsystem statement" },
	{ "error_second_subsystem", "subsystem a 1;\nsubsystem b 2;\n",
	  "t.defs:2: a second subsystem statement (the first is at line 1)" },
	{ "error_missing_semicolon", "subsystem a 1\nroutine r(p: mach_port_t);\n",
	  "t.defs:2: expected ';', found 'routine'" },
	{ "error_unknown_type", "subsystem a 1;\n\nroutine r(p: mach_port_t; x: foo_t);\n",
	  "t.defs:3: unknown type 'foo_t'" },
	{ "error_duplicate_type", "subsystem a 1;\ntype t = int32_t;\ntype t = int8_t;\n",
	  "t.defs:3: type 't' is already defined at line 2" },
	{ "error_redefined_predefined_type", "subsystem a 1;\ntype mach_port_t = int32_t;\n",
	  "t.defs:2: 'mach_port_t' is predefined and cannot be redefined" },
	{ "error_unterminated_comment", "subsystem a 1;\n/* no end\n\n",
	  "t.defs:2: unterminated comment" },
	{ "error_unexpected_character", "subsystem a 1;\ntype t = int32_t @;\n",
	  "t.defs:2: unexpected character '@'" },
	{ "error_unbounded_inline_array", "subsystem a 1;\ntype t = array[] of uint8_t;\n",
	  "t.defs:2: an inline array needs a bound: write array[*:N] of uint8_t, or "
	  "^array[] of uint8_t for out-of-line memory" },
	{ "error_fixed_array_of_ports", "subsystem a 1;\ntype t = array[4] of mach_port_t;\n",
	  "t.defs:2: an inline array of ports needs a bound and a count: write array[*:N] of "
	  "mach_port_t" },
	{ "error_unbounded_array_of_ports", "subsystem a 1;\ntype t = array[] of mach_port_t;\n",
	  "t.defs:2: an inline array of ports needs a bound and a count: write array[*:N] of "
	  "mach_port_t" },
	{ "error_inline_array_of_too_many_ports", "subsystem a 1;\ntype t = array[*:33] of mach_port_t;\n",
	  "t.defs:2: an inline array of 33 ports exceeds the limit of 32 (one descriptor each); "
	  "use ^array[*:33] of mach_port_t" },
	{ "error_array_of_polymorphic_ports", "subsystem a 1;\ntype t = array[*:4] of mach_port_poly_t;\n",
	  "t.defs:2: array elements must be scalars or ports of one disposition; "
	  "'mach_port_poly_t' is a port" },
	{ "error_inout_port_array", "subsystem a 1;\ntype t = array[*:4] of mach_port_t;\n"
	  "routine r(p: mach_port_t; inout x: t);\n",
	  "t.defs:3: inout is not supported for an inline array of ports ('x'); use an in and an "
	  "out argument" },
	{ "error_wide_inline_elements", "subsystem a 1;\ntype t = array[4] of int64_t;\n",
	  "t.defs:2: inline array elements must be 1, 2 or 4 bytes wide ('int64_t' is 8); "
	  "use ^array for wider elements" },
	{ "error_inline_array_too_large", "subsystem a 1;\ntype t = array[*:70000] of uint8_t;\n",
	  "t.defs:2: an inline array of 70000 'uint8_t' exceeds the 65536-byte inline limit; "
	  "use ^array" },
	{ "error_fixed_ool_array", "subsystem a 1;\ntype t = ^array[8] of uint8_t;\n",
	  "t.defs:2: fixed-size out-of-line arrays (^array[8]) are not supported; use "
	  "^array[] or ^array[*:8]" },
	{ "error_c_string_without_size", "subsystem a 1;\ntype t = c_string[];\n",
	  "t.defs:2: c_string needs a size: c_string[N] or c_string[*:N]" },
	{ "error_zero_bound", "subsystem a 1;\ntype t = array[*:0] of uint8_t;\n",
	  "t.defs:2: a size or bound must be at least 1" },
	{ "error_number_too_large", "subsystem a 99999999999;\n",
	  "t.defs:1: number is too large (the limit is 4294967295)" },
	{ "error_request_port_not_a_port", "subsystem a 1;\nroutine r(x: int32_t);\n",
	  "t.defs:2: the first argument of 'r' is the request port: an in argument with a "
	  "send right type such as mach_port_t, not a scalar" },
	{ "error_routine_without_arguments", "subsystem a 1;\nroutine r();\n",
	  "t.defs:2: 'r' needs at least its request port argument" },
	{ "error_out_in_simpleroutine",
	  "subsystem a 1;\nsimpleroutine r(p: mach_port_t;\n out x: int32_t);\n",
	  "t.defs:3: simpleroutine 'r' has no reply, so it cannot have out argument 'x'" },
	{ "error_inout_port", "subsystem a 1;\nroutine r(p: mach_port_t; inout q: mach_port_t);\n",
	  "t.defs:2: inout is not supported for a port ('q'); use an in and an out argument" },
	{ "error_dealloc_on_scalar", "subsystem a 1;\nroutine r(p: mach_port_t; x: int32_t, dealloc);\n",
	  "t.defs:2: dealloc applies only to out-of-line memory; 'x' is a scalar" },
	{ "error_same_count_on_scalar", "subsystem a 1;\ntype q = array[*:4] of int32_t;\n"
	  "routine r(p: mach_port_t; a: q; x: int32_t, SameCount);\n",
	  "t.defs:3: SameCount applies only to an inline array[*:N]; 'x' is a scalar" },
	{ "error_same_count_first", "subsystem a 1;\ntype q = array[*:4] of int32_t;\n"
	  "routine r(p: mach_port_t; a: q, SameCount);\n",
	  "t.defs:3: SameCount: 'a' must follow the inline array whose count it shares; 'p' is a port" },
	{ "error_same_count_other_way", "subsystem a 1;\ntype q = array[*:4] of int32_t;\n"
	  "routine r(p: mach_port_t; a: q; out b: q, SameCount);\n",
	  "t.defs:3: SameCount: 'b' and 'a' go different ways" },
	{ "error_same_count_other_bound", "subsystem a 1;\ntype q = array[*:4] of int32_t;\n"
	  "type h = array[*:8] of int32_t;\nroutine r(p: mach_port_t; a: q; b: h, SameCount);\n",
	  "t.defs:4: SameCount: 'b' holds up to 8, 'a' 4: the bounds must be equal" },
	{ "error_same_count_inout", "subsystem a 1;\ntype q = array[*:4] of int32_t;\n"
	  "routine r(p: mach_port_t; inout a: q; inout b: q, SameCount);\n",
	  "t.defs:3: SameCount is not supported on inout 'b'" },
	{ "error_duplicate_argument", "subsystem a 1;\nroutine r(p: mach_port_t; x: int32_t;\n"
	  "x: int8_t);\n", "t.defs:3: argument 'x' appears twice in 'r'" },
	{ "error_count_name_clash", "subsystem a 1;\ntype b = array[*:4] of uint8_t;\n"
	  "routine r(p: mach_port_t; d: b; dCnt: int32_t);\n",
	  "t.defs:3: arguments 'dCnt' and 'd' clash: the count of an array argument X is named XCnt" },
	{ "error_reserved_argument_name", "subsystem a 1;\nroutine r(p: mach_port_t; msgc_x: int32_t);\n",
	  "t.defs:2: argument names starting with 'msgc_' are reserved for generated code" },
	{ "error_c_keyword_argument", "subsystem a 1;\nroutine r(p: mach_port_t; int: int32_t);\n",
	  "t.defs:2: argument name 'int' is a C keyword" },
	{ "error_duplicate_routine", "subsystem a 1;\nroutine r(p: mach_port_t);\n\n"
	  "routine r(p: mach_port_t);\n", "t.defs:4: routine 'r' is already defined at line 2" },
	{ "error_unsupported_statement", "subsystem a 1;\nserverprefix do_;\n",
	  "t.defs:2: 'serverprefix' is not supported by msgc" },
	{ "error_unsupported_argument_kind", "subsystem a 1;\nroutine r(p: mach_port_t;\n"
	  "waittime t: int32_t);\n", "t.defs:3: argument kind 'waittime' is not supported by msgc" },
	{ "error_preprocessor_include", "#include \"my.defs\"\n",
	  "t.defs:1: msgc does not run the C preprocessor: only #include "
	  "<mach/std_types.defs> and <mach/mach_types.defs> are accepted" },
	{ "error_unterminated_import", "subsystem a 1;\nimport \"x.h;\n",
	  "t.defs:2: unterminated file name (missing \")" },
	{ "error_ctype_on_a_scalar", "subsystem a 1;\ntype t = int32_t ctype: int;\n",
	  "t.defs:2: ctype: is supported only for out-of-line memory (^array) and fixed inline arrays "
	  "(array[N])" },
	{ "error_ctype_on_a_bounded_array", "subsystem a 1;\ntype t = array[*:2] of int32_t, ctype: tv;\n",
	  "t.defs:2: ctype: is supported only for out-of-line memory (^array) and fixed inline arrays "
	  "(array[N])" },
	{ "error_ctype_with_noclear", "subsystem a 1;\ntype t = array[2] of int32_t, ctype: tv noclear;\n",
	  "t.defs:2: noclear and ctype: together: a structure is passed whole" },
	{ "error_type_options", "subsystem a 1;\ntype t = ^array[] of uint8_t, cusertype: int;\n",
	  "t.defs:2: type options other than ctype: and noclear (cusertype:, translations, dealloc) are "
	  "not supported by msgc" },
	{ "error_noclear_on_a_scalar", "subsystem a 1;\ntype t = int32_t, noclear;\n",
	  "t.defs:2: noclear is supported only for inline arrays" },
	{ "error_noclear_on_out_of_line_memory", "subsystem a 1;\ntype t = ^array[] of uint8_t noclear;\n",
	  "t.defs:2: noclear is supported only for inline arrays" },
	{ "error_waittime_without_a_time", "subsystem a 1;\n\nwaittime ;\n",
	  "t.defs:3: expected a time in milliseconds (a number or a C name), found ';'" },
	{ "error_waittime_before_subsystem", "waittime 10;\nsubsystem a 1;\n",
	  "t.defs:1: 'waittime' before the subsystem statement" },
};

static char too_many_routines[8192];

static void
error_more_than_100_routines(void)
{
	struct interface itf;
	struct diag d;
	size_t n = 0;

	n += (size_t)snprintf(too_many_routines, sizeof(too_many_routines), "subsystem a 1;\n");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(too_many_routines + n, sizeof(too_many_routines) - n,
		    "skip;\n");
	snprintf(too_many_routines + n, sizeof(too_many_routines) - n, "routine r(p: mach_port_t);\n");
	CHECK(!parse(too_many_routines, &itf, &d));
	interface_free(&itf);
	CHECK(strcmp(d.text, "t.defs:102: more than 100 routines: reply ids (id + 100) would "
	    "collide with request ids") == 0);
}

/* The runner calls cases in table order, so BAD(i) entries consume bad_cases in order. */
static size_t bad_index;

static void
run_bad_case(void)
{
	const struct bad_case *c = &bad_cases[bad_index++];
	struct interface itf;
	struct diag d;
	bool ok = parse(c->text, &itf, &d);

	interface_free(&itf);
	CHECK(!ok);
	if (strcmp(d.text, c->error) != 0) {
		char what[1200];

		snprintf(what, sizeof(what), "expected \"%s\", got \"%s\"", c->error, d.text);
		test_fail(__FILE__, __LINE__, what);
	}
}

#define BAD(i) { bad_cases[i].name, run_bad_case }

const struct test parser_tests[] = {
	{ "subsystem_name_and_base_are_read", subsystem_name_and_base_are_read },
	{ "skip_consumes_a_routine_index", skip_consumes_a_routine_index },
	{ "type_declarations_of_every_kind_are_modelled",
	  type_declarations_of_every_kind_are_modelled },
	{ "arguments_keep_direction_type_and_flags", arguments_keep_direction_type_and_flags },
	{ "keywords_are_case_insensitive", keywords_are_case_insensitive },
	{ "imports_are_recorded_with_their_side", imports_are_recorded_with_their_side },
	{ "comments_and_std_includes_are_skipped", comments_and_std_includes_are_skipped },
	{ "waittime_applies_to_the_routines_that_follow", waittime_applies_to_the_routines_that_follow },
	{ "retry_applies_to_the_routines_that_follow", retry_applies_to_the_routines_that_follow },
	{ "error_more_than_100_routines", error_more_than_100_routines },
	BAD(0), BAD(1), BAD(2), BAD(3), BAD(4), BAD(5), BAD(6), BAD(7), BAD(8), BAD(9),
	BAD(10), BAD(11), BAD(12), BAD(13), BAD(14), BAD(15), BAD(16), BAD(17), BAD(18),
	BAD(19), BAD(20), BAD(21), BAD(22), BAD(23), BAD(24), BAD(25), BAD(26), BAD(27),
	BAD(28), BAD(29), BAD(30), BAD(31), BAD(32), BAD(33), BAD(34), BAD(35), BAD(36), BAD(37), BAD(38), BAD(39),
	BAD(40), BAD(41), BAD(42), BAD(43), BAD(44), BAD(45), BAD(46), BAD(47), BAD(48), BAD(49), BAD(50),
};
const size_t parser_test_count = sizeof(parser_tests) / sizeof(parser_tests[0]);

_Static_assert(sizeof(bad_cases) / sizeof(bad_cases[0]) == 51,
    "every bad case needs a BAD(i) entry in parser_tests");
