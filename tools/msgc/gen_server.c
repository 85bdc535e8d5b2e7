/*
 * NAME_server.h/.c: the demultiplexer NAME_server(in, out) and one NAME_serve_ROUTINE
 * per routine. Each decodes the whole request first (complex bit, descriptor count
 * and kinds, every bound, string termination, no trailing bytes) and only then calls
 * the handler NAME_do_ROUTINE that the server author writes; a malformed request gets
 * an error reply and never reaches handler code. Helpers: msgc_runtime.h.
 *
 * The kernel target (NAME_kserver.h/.c, msgc -k) is the same decoder over a struct
 * kmsg, whose port descriptors hold struct port pointers and whose out-of-line
 * descriptors hold kernel copies (kern/msgc_kernel.h gives the same helpers for
 * it). Its handlers, kdo_ROUTINE, take the kernel object first. On success they
 * own the request's port rights; its out-of-line copies stay the request's (a
 * handler may take pages out of a virtual copy). Helpers: kern/msgc_kernel.h.
 */
#include <string.h>
#include "gen.h"

static void
gen_handler_prototype(FILE *f, const struct interface *itf, const struct routine *r,
    const char *end)
{
	fprintf(f, "kern_return_t%s%s_do_%s(\n", end[0] == ';' ? " " : "\n", itf->name,
	    r->name);
	gen_params(f, r, SIDE_SERVER);
	fprintf(f, "%s", end);
}

void
gen_server_header(FILE *f, const struct interface *itf)
{
	char guard[MSGC_NAME_MAX];

	gen_upper(itf->name, guard, sizeof(guard));
	gen_banner(f, itf);
	fprintf(f, "#ifndef %s_SERVER_H\n#define %s_SERVER_H\n\n", guard, guard);
	fprintf(f, "#include <stdbool.h>\n#include \"%s_types.h\"\n", itf->name);
	for (size_t i = 0; i < itf->nimports; i++)
		if (itf->imports[i].side == IMPORT_SERVER)
			fprintf(f, "#include %s\n", itf->imports[i].file);
	fprintf(f, "\n/*\n"
	    " * Serves one request: decodes in, calls the handler, and writes the reply to\n"
	    " * send in out (room for %s_REPLY_MAX_SIZE bytes). False if the id is not one of\n"
	    " * this interface's. out is an error reply (simple, RetCode not KERN_SUCCESS) when\n"
	    " * the request was malformed or the handler failed; the request's rights and\n"
	    " * memory are then still the caller's to destroy. Send nothing when out's\n"
	    " * remote port is MACH_PORT_NULL or its RetCode is MIG_NO_REPLY.\n"
	    " */\n", guard);
	fprintf(f, "bool %s_server(mach_msg_header_t *in, mach_msg_header_t *out);\n", itf->name);
	fprintf(f, "\n/* The handlers, written by the server author. */\n");
	for (size_t i = 0; i < itf->nroutines; i++) {
		fprintf(f, "\n");
		gen_handler_prototype(f, itf, &itf->routines[i], ";\n");
	}
	fprintf(f, "\n#endif\n");
}

static void
gen_locals(FILE *f, const struct routine *r, bool k)
{
	for (size_t i = 1; i < r->nargs; i++) {
		const struct arg *a = &r->args[i];
		const struct type *t = a->type;
		const char *e = type_c_elem(t);
		const char *n = a->name;
		bool in = a->dir == DIR_IN;

		if (t->kind == KIND_PORT) {
			/* Zeroed, so that a handler that forgets one leaks no stack contents. */
			if (k)
				fprintf(f, "\tstruct port *%s = NULL;\n", n);
			else
				fprintf(f, "\t%s %s%s;\n", t->c_name, n, in ? "" : " = MACH_PORT_NULL");
			if (t->poly)
				fprintf(f, "\tmach_msg_type_name_t %sPoly%s;\n", n, in ? "" : " = 0");
			continue;
		}
		if (t->kind == KIND_PORT_ARRAY) {
			/* zeroed: the ports past the count, and any a handler forgets */
			fprintf(f, "\t%s%s%s[%u] = { 0 };\n", k ? "struct port *" : e, k ? "" : " ", n,
			    t->count);
			if (in)
				fprintf(f, "\tmach_msg_type_number_t %sCnt;\n", n);
			else if (!a->same_count)
				fprintf(f, "\tmach_msg_type_number_t %sCnt = %u;\n", n, t->count);
			continue;
		}
		if (t->kind == KIND_OOL) {
			if (k && type_is_port_array(t))
				fprintf(f, "\tstruct port **%s = NULL;\n", n);
			else if (k)
				fprintf(f, "\tstruct kern_ool %s = { 0 };\n", n);
			else if (type_is_port_array(t))
				fprintf(f, "\t%s *%s = NULL;\n", e, n);
			else if (in)
				fprintf(f, "\tvoid *%s;\n", n);
			else if (t->ctype[0] != '\0')
				fprintf(f, "\t%s %s = 0;\n", t->ctype, n);
			else
				fprintf(f, "\t%s *%s = NULL;\n", e, n);
			fprintf(f, "\tmach_msg_type_number_t %sCnt%s;\n", n, in ? "" : " = 0");
			continue;
		}
		if (in) {
			switch (t->kind) {
			case KIND_SCALAR:
				fprintf(f, "\t%s %s;\n", t->c_name, n);
				break;
			case KIND_ARRAY_FIXED:
				fprintf(f, "\tconst %s *%s;\n", e, n);
				break;
			case KIND_ARRAY_BOUNDED:
				fprintf(f, "\tconst %s *%s;\n\tmach_msg_type_number_t %sCnt;\n", e, n, n);
				break;
			case KIND_STRING_FIXED:
			case KIND_STRING_BOUNDED:
				fprintf(f, "\tconst char *%s;\n", n);
				break;
			case KIND_PORT:
			case KIND_OOL:
			case KIND_PORT_ARRAY:
				break;
			}
			continue;
		}
		switch (t->kind) {
		case KIND_SCALAR:	/* (a structure: ctype: on a fixed array) */
			fprintf(f, "\t%s %s = %s;\n", t->c_name, n, t->ctype[0] != '\0' ? "{ 0 }" : "0");
			break;
		case KIND_ARRAY_FIXED:
			fprintf(f, "\t%s %s[%u]%s;\n", e, n, t->count, t->noclear ? "" : " = { 0 }");
			break;
		case KIND_ARRAY_BOUNDED:
			fprintf(f, "\t%s %s[%u]%s;\n", e, n, t->count, t->noclear ? "" : " = { 0 }");
			if (!a->same_count)
				fprintf(f, "\tmach_msg_type_number_t %sCnt = %u;\n", n, t->count);
			break;
		case KIND_STRING_FIXED:
		case KIND_STRING_BOUNDED:
			fprintf(f, "\tchar %s[%u] = \"\";\n", n, t->count);
			break;
		case KIND_PORT:
		case KIND_OOL:
		case KIND_PORT_ARRAY:
			break;
		}
	}
}

/* Takes one argument from the request; inout ones into their reply-side local. */
static void
gen_request_item(FILE *f, const struct arg *a, int pass)
{
	const struct type *t = a->type;
	const char *e = type_c_elem(t);
	const char *n = a->name;
	bool in = a->dir == DIR_IN;
	char bound[16];

	switch (t->kind) {
	case KIND_PORT_ARRAY:
		gen_port_array_get(f, a, type_received_right(t->elem), "", pass, "bad_request");
		return;
	case KIND_PORT:
		if (t->poly)
			fprintf(f, "\tif (!msgc_get_poly_port(&msgc_r, &%s, &%sPoly))\n", n, n);
		else
			fprintf(f, "\tif (!msgc_get_port(&msgc_r, %s, &%s))\n",
			    type_received_right(t), n);
		break;
	case KIND_OOL:
		if (type_is_port_array(t))
			fprintf(f, "\tif (!msgc_get_port_array(&msgc_r, %s, %s, &%s, &%sCnt))\n",
			    type_received_right(t->elem), gen_bound(t, bound, sizeof(bound)), n, n);
		else
			fprintf(f, "\tif (!msgc_get_ool(&msgc_r, sizeof(%s), %s, &%s, &%sCnt))\n", e,
			    gen_bound(t, bound, sizeof(bound)), n, n);
		break;
	case KIND_SCALAR:
		fprintf(f, "\tif (!msgc_get(&msgc_r, &%s, sizeof(%s)))\n", n, n);
		break;
	case KIND_ARRAY_FIXED:
		if (in)
			fprintf(f, "\tif ((%s = msgc_take(&msgc_r, %u * sizeof(%s))) == NULL)\n", n,
			    t->count, e);
		else
			fprintf(f, "\tif (!msgc_get(&msgc_r, %s, sizeof(%s)))\n", n, n);
		break;
	case KIND_ARRAY_BOUNDED:
		if (in)
			fprintf(f, "\tif ((%s = msgc_get_array(&msgc_r, sizeof(%s), %u, &%sCnt)) "
			    "== NULL)\n", n, e, t->count, n);
		else
			fprintf(f, "\tif (!msgc_get_array_copy(&msgc_r, sizeof(%s), %u, %s, "
			    "&%sCnt))\n", e, t->count, n, n);
		break;
	case KIND_STRING_FIXED:
	case KIND_STRING_BOUNDED:
		if (in)
			fprintf(f, "\tif ((%s = msgc_get_%sstring(&msgc_r, %u)) == NULL)\n", n,
			    t->kind == KIND_STRING_FIXED ? "fixed_" : "", t->count);
		else
			fprintf(f, "\tif (!msgc_get_string_copy(&msgc_r, %u, %s, %s))\n", t->count,
			    t->kind == KIND_STRING_FIXED ? "true" : "false", n);
		break;
	}
	fprintf(f, "\t\tgoto bad_request;\n");
}

static void
gen_call(FILE *f, const struct interface *itf, const struct routine *r, bool k)
{
	if (k)
		fprintf(f, "\tmsgc_ret = kdo_%s(msgc_object", r->name);
	else
		fprintf(f, "\tmsgc_ret = %s_do_%s(msgc_in->msgh_local_port", itf->name, r->name);
	for (size_t i = 1; i < r->nargs; i++) {
		const struct arg *a = &r->args[i];
		const struct type *t = a->type;
		const char *n = a->name;
		const char *amp = a->dir == DIR_IN ? "" : "&";

		switch (t->kind) {
		case KIND_SCALAR:
			fprintf(f, ", %s%s", amp, n);
			break;
		case KIND_PORT:
			fprintf(f, ", %s%s", amp, n);
			if (t->poly)
				fprintf(f, ", %s%sPoly", amp, n);
			break;
		case KIND_ARRAY_FIXED:
		case KIND_STRING_FIXED:
		case KIND_STRING_BOUNDED:
			fprintf(f, ", %s", n);
			break;
		case KIND_ARRAY_BOUNDED:
		case KIND_PORT_ARRAY:
			fprintf(f, ", %s", n);
			if (!a->same_count)
				fprintf(f, ", %s%sCnt", amp, n);
			break;
		case KIND_OOL:
			if (k && type_is_port_array(t))
				fprintf(f, ", %s%s, %s%sCnt", amp, n, amp, n);
			else if (k)
				fprintf(f, ", &%s, %s%sCnt", n, amp, n);
			else if (a->dir == DIR_IN && t->ctype[0] != '\0')
				fprintf(f, ", (%s)(uintptr_t)%s, %sCnt", t->ctype, n, n);
			else
				fprintf(f, ", %s%s, %s%sCnt", amp, n, amp, n);
			break;
		}
	}
	fprintf(f, ");\n");
}

/* A handler's out-values must fit the declared bounds before anything is sent. */
static bool
gen_reply_checks(FILE *f, const struct routine *r)
{
	bool any = false;

	for (size_t i = 1; i < r->nargs; i++) {
		const struct arg *a = &r->args[i];
		const struct type *t = a->type;

		if (!arg_in_reply(a) || a->same_count)	/* its chain's count is checked */
			continue;
		if (t->kind == KIND_ARRAY_BOUNDED || t->kind == KIND_PORT_ARRAY ||
		    (t->kind == KIND_OOL && t->count != TYPE_UNBOUNDED))
			fprintf(f, "\tif (%sCnt > %u)\n", a->name, t->count);
		else if (t->kind == KIND_OOL && t->elem->size > 1)
			fprintf(f, "\tif (%sCnt > UINT32_MAX / sizeof(%s))\n", a->name,
			    t->elem->c_name);
		else if (t->kind == KIND_STRING_FIXED || t->kind == KIND_STRING_BOUNDED)
			fprintf(f, "\tif (msgc_strnlen(%s, %u) == %u)\n", a->name, t->count,
			    t->count);
		else
			continue;
		fprintf(f, "\t\tgoto too_large;\n");
		any = true;
	}
	return any;
}

static void
gen_reply_item(FILE *f, const struct arg *a, bool k, int pass)
{
	const struct type *t = a->type;
	const char *e = type_c_elem(t);
	const char *n = a->name;

	switch (t->kind) {
	case KIND_PORT_ARRAY:
		gen_port_array_put(f, a, k ? type_received_right(t->elem) : t->elem->disposition_name, pass);
		break;
	case KIND_PORT:
		/* the kernel writes the right the receiver gets; a server, its disposition */
		if (t->poly)
			fprintf(f, "\tmsgc_put_port(&msgc_w, %s, %sPoly);\n", n, n);
		else
			fprintf(f, "\tmsgc_put_port(&msgc_w, %s, %s);\n", n,
			    k ? type_received_right(t) : t->disposition_name);
		break;
	case KIND_OOL:
		if (type_is_port_array(t))
			fprintf(f, "\tmsgc_put_port_array(&msgc_w, %s, %sCnt, %s, %s);\n", n, n,
			    k ? type_received_right(t->elem) : t->elem->disposition_name,
			    a->dealloc ? "true" : "false");
		else if (k)
			fprintf(f, "\tmsgc_put_ool(&msgc_w, &%s, %sCnt * sizeof(%s), %s);\n", n, n, e,
			    a->dealloc ? "true" : "false");
		else if (t->ctype[0] != '\0')
			fprintf(f, "\tmsgc_put_ool(&msgc_w, (const void *)(uintptr_t)%s, "
			    "%sCnt * sizeof(%s), %s);\n", n, n, e, a->dealloc ? "true" : "false");
		else
			fprintf(f, "\tmsgc_put_ool(&msgc_w, %s, %sCnt * sizeof(%s), %s);\n", n, n, e,
			    a->dealloc ? "true" : "false");
		break;
	case KIND_SCALAR:
	case KIND_ARRAY_FIXED:
		fprintf(f, "\tmsgc_put(&msgc_w, &%s, sizeof(%s));\n", n, n);
		break;
	case KIND_ARRAY_BOUNDED:
		fprintf(f, "\tmsgc_put_array(&msgc_w, %s, %sCnt, sizeof(%s));\n", n, a->count_name, e);
		break;
	case KIND_STRING_FIXED:
		fprintf(f, "\tmsgc_put_fixed_string(&msgc_w, %s, %u);\n", n, t->count);
		break;
	case KIND_STRING_BOUNDED:
		fprintf(f, "\tmsgc_put_string(&msgc_w, %s, %u);\n", n, t->count);
		break;
	}
}

/* Whether the request carries port rights (which a kernel handler takes on success). */
static bool
request_has_ports(const struct routine *r)
{
	for (size_t i = 1; i < r->nargs; i++)
		if (arg_in_request(&r->args[i]) && (r->args[i].type->kind == KIND_PORT ||
			r->args[i].type->kind == KIND_PORT_ARRAY || type_is_port_array(r->args[i].type)))
			return true;
	return false;
}

static void
gen_serve(FILE *f, const struct interface *itf, const struct routine *r, bool k)
{
	bool too_large;

	if (k)
		fprintf(f, "\nstatic void\n%s_kserve_%s(%s%smsgc_object, struct kmsg *msgc_in, "
		    "struct kmsg *msgc_out)\n{\n", itf->name, r->name, gen_kernel_object,
		    gen_kernel_object[strlen(gen_kernel_object) - 1] == '*' ? "" : " ");
	else
		fprintf(f, "\nstatic void\n%s_serve_%s(const mach_msg_header_t *msgc_in, "
		    "mach_msg_header_t *msgc_out)\n{\n", itf->name, r->name);
	fprintf(f, "\tstruct msgc_reader msgc_r;\n");
	if (!r->simple)
		fprintf(f, "\tstruct msgc_writer msgc_w;\n");
	fprintf(f, "\tkern_return_t msgc_ret;\n");
	gen_locals(f, r, k);
	fprintf(f, "\n\tif (!msgc_begin_read(&msgc_r, msgc_in, %u))\n\t\tgoto bad_request;\n",
	    routine_request_descriptors(r));
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 1; i < r->nargs; i++)
			if (arg_in_request(&r->args[i]) && gen_in_pass(r->args[i].type, pass))
				gen_request_item(f, &r->args[i], pass);
	fprintf(f, "\tif (!msgc_at_end(&msgc_r))\n\t\tgoto bad_request;\n");
	gen_same_count_checks(f, r, false, "", "bad_request");
	fprintf(f, "\n");
	gen_call(f, itf, r, k);
	if (r->simple) {
		if (k && request_has_ports(r))
			fprintf(f, "\tif (msgc_ret == KERN_SUCCESS)\n\t\tmsgc_request_taken(msgc_in);"
			    "\t/* the handler holds its rights now */\n");
		fprintf(f, "\tmsgc_reply_none(msgc_out, msgc_ret);\n\treturn;\n\n");
		fprintf(f, "bad_request:\n\tmsgc_reply_error(msgc_out, MIG_BAD_ARGUMENTS);\n}\n");
		return;
	}
	fprintf(f, "\tif (msgc_ret != KERN_SUCCESS) {\n"
	    "\t\tmsgc_reply_error(msgc_out, msgc_ret);\n\t\treturn;\n\t}\n");
	if (k && request_has_ports(r))
		fprintf(f, "\tmsgc_request_taken(msgc_in);\t/* the handler holds its rights now */\n");
	too_large = gen_reply_checks(f, r);
	fprintf(f, "\tmsgc_begin_reply_ok(&msgc_w, msgc_out, %u);\n",
	    routine_reply_descriptors(r));
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 1; i < r->nargs; i++)
			if (arg_in_reply(&r->args[i]) && gen_in_pass(r->args[i].type, pass))
				gen_reply_item(f, &r->args[i], k, pass);
	fprintf(f, "\tmsgc_end_reply_ok(&msgc_w, msgc_out);\n\treturn;\n\n");
	fprintf(f, "bad_request:\n\tmsgc_reply_error(msgc_out, MIG_BAD_ARGUMENTS);\n");
	if (too_large)
		fprintf(f, "\treturn;\ntoo_large:\n"
		    "\tmsgc_reply_error(msgc_out, MIG_ARRAY_TOO_LARGE);\n");
	fprintf(f, "}\n");
}

void
gen_server_source(FILE *f, const struct interface *itf)
{
	char id[MSGC_NAME_MAX + 8];

	gen_banner(f, itf);
	fprintf(f, "#include <msgc_runtime.h>\n#include \"%s_server.h\"\n", itf->name);
	for (size_t i = 0; i < itf->nroutines; i++)
		gen_serve(f, itf, &itf->routines[i], false);
	fprintf(f, "\nbool\n%s_server(mach_msg_header_t *in, mach_msg_header_t *out)\n{\n",
	    itf->name);
	fprintf(f, "\tmsgc_prepare_reply(in, out);\n\tswitch (in->msgh_id) {\n");
	for (size_t i = 0; i < itf->nroutines; i++) {
		const struct routine *r = &itf->routines[i];

		fprintf(f, "\tcase %s:\n\t\t%s_serve_%s(in, out);\n\t\treturn true;\n",
		    gen_id_macro(r, id, sizeof(id)), itf->name, r->name);
	}
	fprintf(f, "\tdefault:\n\t\tmsgc_reply_error(out, MIG_BAD_ID);\n\t\treturn false;\n"
	    "\t}\n}\n");
}

static const char *
object_space(void)
{
	return gen_kernel_object[strlen(gen_kernel_object) - 1] == '*' ? "" : " ";
}

void
gen_kserver_header(FILE *f, const struct interface *itf)
{
	char guard[MSGC_NAME_MAX];

	gen_upper(itf->name, guard, sizeof(guard));
	gen_banner(f, itf);
	fprintf(f, "#ifndef %s_KSERVER_H\n#define %s_KSERVER_H\n\n", guard, guard);
	fprintf(f, "#include <kern/msgc_kernel.h>\n#include \"%s_types.h\"\n", itf->name);
	fprintf(f, "\n/*\n"
	    " * Serves one request that reached a kernel object's port: decodes in, calls\n"
	    " * the handler, and writes the reply in out (room for %s_REPLY_MAX_SIZE\n"
	    " * bytes). False if the id is not one of this interface's. out is an error\n"
	    " * reply when the request was malformed or the handler failed; the request's\n"
	    " * rights and memory are then still in, for the caller to destroy. Nothing is\n"
	    " * sent when out's RetCode is MIG_NO_REPLY.\n"
	    " */\n", guard);
	fprintf(f, "bool %s_kserver(%s%smsgc_object, struct kmsg *in, struct kmsg *out);\n",
	    itf->name, gen_kernel_object, object_space());
	fprintf(f, "\n/* The handlers, in the kernel. */\n");
	for (size_t i = 0; i < itf->nroutines; i++) {
		const struct routine *r = &itf->routines[i];

		fprintf(f, "\nkern_return_t kdo_%s(\n", r->name);
		gen_params(f, r, SIDE_KERNEL);
		fprintf(f, ";\n");
	}
	fprintf(f, "\n#endif\n");
}

void
gen_kserver_source(FILE *f, const struct interface *itf)
{
	char id[MSGC_NAME_MAX + 8];

	gen_banner(f, itf);
	fprintf(f, "#include \"%s_kserver.h\"\n", itf->name);
	for (size_t i = 0; i < itf->nroutines; i++)
		gen_serve(f, itf, &itf->routines[i], true);
	fprintf(f, "\nbool\n%s_kserver(%s%smsgc_object, struct kmsg *in, struct kmsg *out)\n{\n",
	    itf->name, gen_kernel_object, object_space());
	fprintf(f, "\tmsgc_prepare_reply(in, out);\n\tswitch (in->msg->msgh_id) {\n");
	for (size_t i = 0; i < itf->nroutines; i++) {
		const struct routine *r = &itf->routines[i];

		fprintf(f, "\tcase %s:\n\t\t%s_kserve_%s(msgc_object, in, out);\n\t\treturn true;\n",
		    gen_id_macro(r, id, sizeof(id)), itf->name, r->name);
	}
	fprintf(f, "\tdefault:\n\t\tmsgc_reply_error(out, MIG_BAD_ID);\n\t\treturn false;\n"
	    "\t}\n}\n");
}
