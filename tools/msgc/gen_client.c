/*
 * NAME_client.h/.c: one stub per routine. A stub checks its own arguments, builds the
 * request, sends it with mach_msg (send and receive in one call, on the thread's reply
 * port), then checks the reply completely before it writes any out-parameter, so a
 * malformed reply leaves the caller's variables untouched. Helpers: msgc_runtime.h.
 *
 * The per-argument pieces are shared with the kernel's client target (gen_kuser.c):
 * with k set they write a struct kmsg's ports (struct port *, the right carried)
 * and out-of-line memory (struct kern_ool), as kern/msgc_kernel.h reads them.
 */
#include "gen.h"

#define MAX_TRAILER 20u	/* sizeof(mach_msg_max_trailer_t) */

static void
gen_prototype(FILE *f, const struct routine *r, const char *end)
{
	fprintf(f, "kern_return_t%s%s(\n", end[0] == ';' ? " " : "\n", r->name);
	gen_params(f, r, SIDE_CLIENT);
	fprintf(f, "%s", end);
}

void
gen_client_header(FILE *f, const struct interface *itf)
{
	char guard[MSGC_NAME_MAX];

	gen_upper(itf->name, guard, sizeof(guard));
	gen_banner(f, itf);
	fprintf(f, "#ifndef %s_CLIENT_H\n#define %s_CLIENT_H\n\n", guard, guard);
	fprintf(f, "#include \"%s_types.h\"\n", itf->name);
	for (size_t i = 0; i < itf->nimports; i++)
		if (itf->imports[i].side == IMPORT_CLIENT)
			fprintf(f, "#include %s\n", itf->imports[i].file);
	for (size_t i = 0; i < itf->nroutines; i++) {
		const struct routine *r = &itf->routines[i];
		uint32_t id = itf->base + r->index;

		if (r->simple)
			fprintf(f, "\n/* %s: one-way message %u; returns the send's status. */\n",
			    r->name, id);
		else
			fprintf(f, "\n/* %s: request %u, reply %u. */\n", r->name, id,
			    id + REPLY_ID_OFFSET);
		gen_prototype(f, r, ";\n");
	}
	fprintf(f, "\n#endif\n");
}

/* Checks on the caller's arguments: the request must be well formed when sent. */
void
gen_client_argument_check(FILE *f, const struct arg *a)
{
	const struct type *t = a->type;
	const char *deref = a->dir == DIR_IN ? "" : "*";
	char bound[16];

	if (!arg_in_request(a) || a->same_count)	/* SameCount: its chain's count is checked */
		return;
	if (t->kind == KIND_ARRAY_BOUNDED || t->kind == KIND_PORT_ARRAY ||
	    (t->kind == KIND_OOL && t->count != TYPE_UNBOUNDED))
		fprintf(f, "\tif (%s%sCnt > %u)\n\t\treturn MIG_ARRAY_TOO_LARGE;\n",
		    deref, a->count_name, t->count);
	else if (t->kind == KIND_OOL && t->elem->size > 1)
		fprintf(f, "\tif (%sCnt > UINT32_MAX / sizeof(%s))\n"
		    "\t\treturn MIG_ARRAY_TOO_LARGE;\n", a->name, t->elem->c_name);
	else if (t->kind == KIND_STRING_FIXED || t->kind == KIND_STRING_BOUNDED)
		fprintf(f, "\tif (msgc_strnlen(%s, %s) == %u)\n"
		    "\t\treturn MIG_ARRAY_TOO_LARGE;\n", a->name,
		    gen_bound(t, bound, sizeof(bound)), t->count);
}

void
gen_client_request_item(FILE *f, const struct arg *a, bool k, int pass)
{
	const struct type *t = a->type;
	const char *e = type_c_elem(t);
	const char *n = a->name;
	bool in = a->dir == DIR_IN;

	switch (t->kind) {
	case KIND_PORT_ARRAY:
		gen_port_array_put(f, a, k ? type_received_right(t->elem) : t->elem->disposition_name, pass);
		break;
	case KIND_PORT:
		/* the kernel writes the right the message carries; user space, its disposition */
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
		else if (t->ctype[0] != '\0' && !k)
			fprintf(f, "\tmsgc_put_ool(&msgc_w, (const void *)(uintptr_t)%s, "
			    "%sCnt * sizeof(%s), %s);\n", n, n, e, a->dealloc ? "true" : "false");
		else
			fprintf(f, "\tmsgc_put_ool(&msgc_w, %s, %sCnt * sizeof(%s), %s);\n", n, n,
			    e, a->dealloc ? "true" : "false");
		break;
	case KIND_SCALAR:
		fprintf(f, "\tmsgc_put(&msgc_w, %s%s, sizeof(%s%s));\n", in ? "&" : "", n,
		    in ? "" : "*", n);
		break;
	case KIND_ARRAY_FIXED:
		fprintf(f, "\tmsgc_put(&msgc_w, %s, %u * sizeof(%s));\n", n, t->count, e);
		break;
	case KIND_ARRAY_BOUNDED:
		fprintf(f, "\tmsgc_put_array(&msgc_w, %s, %s%sCnt, sizeof(%s));\n", n,
		    in ? "" : "*", a->count_name, e);
		break;
	case KIND_STRING_FIXED:
		fprintf(f, "\tmsgc_put_fixed_string(&msgc_w, %s, %u);\n", n, t->count);
		break;
	case KIND_STRING_BOUNDED:
		fprintf(f, "\tmsgc_put_string(&msgc_w, %s, %u);\n", n, t->count);
		break;
	}
}

void
gen_client_reply_local(FILE *f, const struct arg *a, bool k)
{
	const struct type *t = a->type;
	const char *e = type_c_elem(t);

	switch (t->kind) {
	case KIND_SCALAR:
	case KIND_PORT:
		if (k && t->kind == KIND_PORT)
			fprintf(f, "\tstruct port *msgc_%s;\n", a->name);
		else
			fprintf(f, "\t%s msgc_%s;\n", t->c_name, a->name);
		if (t->poly)
			fprintf(f, "\tmach_msg_type_name_t msgc_%sPoly;\n", a->name);
		break;
	case KIND_ARRAY_FIXED:
		fprintf(f, "\tconst %s *msgc_%s;\n", e, a->name);
		break;
	case KIND_ARRAY_BOUNDED:
		fprintf(f, "\tconst %s *msgc_%s;\n\tmach_msg_type_number_t msgc_%sCnt;\n",
		    e, a->name, a->name);
		break;
	case KIND_PORT_ARRAY:
		fprintf(f, "\t%s%smsgc_%s[%u];\n\tmach_msg_type_number_t msgc_%sCnt;\n",
		    k ? "struct port *" : e, k ? "" : " ", a->name, t->count, a->name);
		break;
	case KIND_STRING_FIXED:
	case KIND_STRING_BOUNDED:
		fprintf(f, "\tconst char *msgc_%s;\n", a->name);
		break;
	case KIND_OOL:
		if (k && type_is_port_array(t))
			fprintf(f, "\tstruct port **msgc_%s;\n", a->name);
		else if (k)
			fprintf(f, "\tstruct kern_ool msgc_%s;\n", a->name);
		else
			fprintf(f, "\t%s *msgc_%s;\n", type_is_port_array(t) ? "mach_port_t" : "void",
			    a->name);
		fprintf(f, "\tmach_msg_type_number_t msgc_%sCnt;\n", a->name);
		break;
	}
}

/* Takes one out-argument from the reply, into its msgc_ temporary (both targets). */
void
gen_client_reply_item(FILE *f, const struct arg *a, int pass)
{
	const struct type *t = a->type;
	const char *e = type_c_elem(t);
	const char *n = a->name;
	char bound[16];

	switch (t->kind) {
	case KIND_PORT_ARRAY:
		gen_port_array_get(f, a, type_received_right(t->elem), "msgc_", pass, "bad_reply");
		return;
	case KIND_PORT:
		if (t->poly)
			fprintf(f, "\tif (!msgc_get_poly_port(&msgc_r, &msgc_%s, &msgc_%sPoly))\n",
			    n, n);
		else
			fprintf(f, "\tif (!msgc_get_port(&msgc_r, %s, &msgc_%s))\n",
			    type_received_right(t), n);
		break;
	case KIND_OOL:
		if (type_is_port_array(t))
			fprintf(f, "\tif (!msgc_get_port_array(&msgc_r, %s, %s, &msgc_%s, &msgc_%sCnt))\n",
			    type_received_right(t->elem), gen_bound(t, bound, sizeof(bound)), n, n);
		else
			fprintf(f, "\tif (!msgc_get_ool(&msgc_r, sizeof(%s), %s, &msgc_%s, "
			    "&msgc_%sCnt))\n", e, gen_bound(t, bound, sizeof(bound)), n, n);
		break;
	case KIND_SCALAR:
		fprintf(f, "\tif (!msgc_get(&msgc_r, &msgc_%s, sizeof(msgc_%s)))\n", n, n);
		break;
	case KIND_ARRAY_FIXED:
		fprintf(f, "\tif ((msgc_%s = msgc_take(&msgc_r, %u * sizeof(%s))) == NULL)\n", n,
		    t->count, e);
		break;
	case KIND_ARRAY_BOUNDED:
		fprintf(f, "\tif ((msgc_%s = msgc_get_array(&msgc_r, sizeof(%s), %u, "
		    "&msgc_%sCnt)) == NULL)\n", n, e, t->count, n);
		break;
	case KIND_STRING_FIXED:
		fprintf(f, "\tif ((msgc_%s = msgc_get_fixed_string(&msgc_r, %u)) == NULL)\n", n,
		    t->count);
		break;
	case KIND_STRING_BOUNDED:
		fprintf(f, "\tif ((msgc_%s = msgc_get_string(&msgc_r, %u)) == NULL)\n", n,
		    t->count);
		break;
	}
	fprintf(f, "\t\tgoto bad_reply;\n");
}

void
gen_client_copy_out(FILE *f, const struct arg *a, bool k)
{
	const struct type *t = a->type;
	const char *e = type_c_elem(t);
	const char *n = a->name;

	switch (t->kind) {
	case KIND_SCALAR:
	case KIND_PORT:
		fprintf(f, "\t*%s = msgc_%s;\n", n, n);
		if (t->poly)
			fprintf(f, "\t*%sPoly = msgc_%sPoly;\n", n, n);
		break;
	case KIND_ARRAY_FIXED:
		fprintf(f, "\tmemcpy(%s, msgc_%s, %u * sizeof(%s));\n", n, n, t->count, e);
		break;
	case KIND_ARRAY_BOUNDED:
		fprintf(f, "\tmemcpy(%s, msgc_%s, msgc_%sCnt * sizeof(%s));\n", n, n, n, e);
		if (!a->same_count)
			fprintf(f, "\t*%sCnt = msgc_%sCnt;\n", n, n);
		break;
	case KIND_PORT_ARRAY:
		fprintf(f, "\tmemcpy(%s, msgc_%s, msgc_%sCnt * sizeof(*%s));\n", n, n, n, n);
		if (!a->same_count)
			fprintf(f, "\t*%sCnt = msgc_%sCnt;\n", n, n);
		break;
	case KIND_STRING_FIXED:
	case KIND_STRING_BOUNDED:
		fprintf(f, "\tmemcpy(%s, msgc_%s, msgc_strnlen(msgc_%s, %u) + 1);\n", n, n, n,
		    t->count);
		break;
	case KIND_OOL:
		if (t->ctype[0] != '\0' && !k)
			fprintf(f, "\t*%s = (%s)(uintptr_t)msgc_%s;\n", n, t->ctype, n);
		else
			fprintf(f, "\t*%s = msgc_%s;\n", n, n);
		fprintf(f, "\t*%sCnt = msgc_%sCnt;\n", n, n);
		break;
	}
}

static void
gen_stub(FILE *f, const struct routine *r)
{
	const struct arg *dest = &r->args[0];
	uint32_t request_size = routine_request_max(r);
	uint32_t reply_size = routine_reply_max(r) + MAX_TRAILER;
	uint32_t buffer = r->simple || request_size > reply_size ? request_size : reply_size;
	bool caller_capacity = false;
	char id[MSGC_NAME_MAX + 8];

	gen_id_macro(r, id, sizeof(id));
	fprintf(f, "\n");
	gen_prototype(f, r, "\n{\n");
	fprintf(f, "\tunion {\n\t\tmach_msg_header_t head;\n");
	fprintf(f, "\t\tuint8_t bytes[%u];\t/* %s */\n\t} msgc_msg%s;\n", buffer,
	    r->simple ? "the request" : "the request, or the reply and its trailer",
	    r->retry ? ", msgc_again" : "");
	fprintf(f, "\tstruct msgc_writer msgc_w;\n");
	if (!r->simple) {
		fprintf(f, "\tstruct msgc_reader msgc_r;\n");
		fprintf(f, "\tmach_port_t msgc_reply_port;\n\tkern_return_t msgc_ret;\n");
		for (size_t i = 1; i < r->nargs; i++)
			if (arg_in_reply(&r->args[i]))
				gen_client_reply_local(f, &r->args[i], false);
	}
	fprintf(f, "\n");
	for (size_t i = 1; i < r->nargs; i++)
		gen_client_argument_check(f, &r->args[i]);
	if (!r->simple)
		fprintf(f, "\tmsgc_reply_port = mig_get_reply_port();\n");
	fprintf(f, "\tmsgc_begin_request(&msgc_w, &msgc_msg.head, %s, %s, %s, %s, %u);\n",
	    dest->name, dest->type->disposition_name,
	    r->simple ? "MACH_PORT_NULL" : "msgc_reply_port", id,
	    routine_request_descriptors(r));
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 1; i < r->nargs; i++)
			if (arg_in_request(&r->args[i]) && gen_in_pass(r->args[i].type, pass))
				gen_client_request_item(f, &r->args[i], false, pass);
	if (r->simple) {
		if (r->waittime[0])
			fprintf(f, "\treturn msgc_send_timed(&msgc_msg.head, msgc_w.at, "
			    "(mach_msg_timeout_t)(%s));\n}\n", r->waittime);
		else
			fprintf(f, "\treturn msgc_send(&msgc_msg.head, msgc_w.at);\n}\n");
		return;
	}
	if (r->retry)
		fprintf(f, "\tmsgc_ret = msgc_call_retry(&msgc_msg.head, msgc_w.at, sizeof(msgc_msg), "
		    "msgc_reply_port, &msgc_again.head, (mach_msg_timeout_t)(%s));\n",
		    r->waittime[0] ? r->waittime : "0");
	else if (r->waittime[0])
		fprintf(f, "\tmsgc_ret = msgc_call_timed(&msgc_msg.head, msgc_w.at, sizeof(msgc_msg), "
		    "msgc_reply_port, (mach_msg_timeout_t)(%s));\n", r->waittime);
	else
		fprintf(f, "\tmsgc_ret = msgc_call(&msgc_msg.head, msgc_w.at, sizeof(msgc_msg), "
		    "msgc_reply_port);\n");
	fprintf(f, "\tif (msgc_ret != MACH_MSG_SUCCESS)\n\t\treturn msgc_ret;\n");
	fprintf(f, "\tmsgc_ret = msgc_begin_reply(&msgc_r, &msgc_msg.head, %s + %d, %u);\n", id,
	    REPLY_ID_OFFSET, routine_reply_descriptors(r));
	fprintf(f, "\tif (msgc_ret != KERN_SUCCESS)\n\t\treturn msgc_ret;\n");
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 1; i < r->nargs; i++)
			if (arg_in_reply(&r->args[i]) && gen_in_pass(r->args[i].type, pass))
				gen_client_reply_item(f, &r->args[i], pass);
	fprintf(f, "\tif (!msgc_at_end(&msgc_r))\n\t\tgoto bad_reply;\n");
	gen_same_count_checks(f, r, true, "msgc_", "bad_reply");
	/* An out array's count says on entry how many elements the caller has room for. */
	for (size_t i = 1; i < r->nargs; i++) {
		const struct arg *a = &r->args[i];

		if (a->dir == DIR_OUT && !a->same_count && (a->type->kind == KIND_ARRAY_BOUNDED ||
			a->type->kind == KIND_PORT_ARRAY)) {
			fprintf(f, "\tif (msgc_%sCnt > *%sCnt)\n\t\tgoto too_large;\n", a->name,
			    a->name);
			caller_capacity = true;
		}
	}
	for (size_t i = 1; i < r->nargs; i++)
		if (arg_in_reply(&r->args[i]))
			gen_client_copy_out(f, &r->args[i], false);
	fprintf(f, "\treturn KERN_SUCCESS;\n\n");
	fprintf(f, "bad_reply:\n\tmach_msg_destroy(&msgc_msg.head);\n\treturn MIG_TYPE_ERROR;\n");
	if (caller_capacity)
		fprintf(f, "too_large:\n\tmach_msg_destroy(&msgc_msg.head);\n"
		    "\treturn MIG_ARRAY_TOO_LARGE;\n");
	fprintf(f, "}\n");
}

void
gen_client_source(FILE *f, const struct interface *itf)
{
	gen_banner(f, itf);
	fprintf(f, "#include <msgc_runtime.h>\n#include \"%s_client.h\"\n", itf->name);
	for (size_t i = 0; i < itf->nroutines; i++)
		gen_stub(f, &itf->routines[i]);
}
