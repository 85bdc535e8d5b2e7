/*
 * NAME_kuser.h/.c (msgc -K): the kernel as the client of an interface, for the
 * messages it sends to tasks (requests to pagers, exceptions, notifications). Per
 * routine:
 *   kreq_ROUTINE    builds the request as a struct kmsg, laid out byte for byte as
 *                   NAME_client.c lays it out, so a server's generated demux accepts it;
 *   kreply_ROUTINE  (routines, not simpleroutines) decodes a reply kmsg with the
 *                   checks of the user-space stub, and writes out-parameters only then.
 * Sending and waiting stay with the caller: the kernel queues its messages in ways a
 * stub cannot know (with no map lock held, to a thread that waits for its handler).
 * The per-argument pieces are gen_client.c's; helpers: kern/msgc_kernel.h.
 */
#include "gen.h"

/* An inout argument is a value in the request and an out-parameter of the reply. */
static struct arg
as_dir(const struct arg *a, enum direction dir)
{
	struct arg copy = *a;

	copy.dir = dir;
	return copy;
}

static void
gen_request_params(FILE *f, const struct routine *r, const char *end)
{
	fprintf(f, "\tstruct kmsg **msgc_request,\n");
	fprintf(f, "\tstruct port *%s,\n\tmach_msg_type_name_t msgc_dest_right", r->args[0].name);
	if (!r->simple)
		fprintf(f, ",\n\tstruct port *msgc_reply_port,\n\tmach_msg_type_name_t msgc_reply_right");
	for (size_t i = 1; i < r->nargs; i++) {
		struct arg in = as_dir(&r->args[i], DIR_IN);

		if (!arg_in_request(&r->args[i]))
			continue;
		fprintf(f, ",\n\t");
		gen_param(f, &in, SIDE_KERNEL);
	}
	fprintf(f, ")%s", end);
}

static void
gen_reply_params(FILE *f, const struct routine *r, const char *end)
{
	fprintf(f, "\tstruct kmsg *msgc_reply_kmsg");
	for (size_t i = 1; i < r->nargs; i++) {
		struct arg out = as_dir(&r->args[i], DIR_OUT);

		if (!arg_in_reply(&r->args[i]))
			continue;
		fprintf(f, ",\n\t");
		gen_param(f, &out, SIDE_KERNEL);
	}
	fprintf(f, ")%s", end);
}

void
gen_kuser_header(FILE *f, const struct interface *itf)
{
	char guard[MSGC_NAME_MAX];

	gen_upper(itf->name, guard, sizeof(guard));
	gen_banner(f, itf);
	fprintf(f, "#ifndef %s_KUSER_H\n#define %s_KUSER_H\n\n", guard, guard);
	fprintf(f, "#include <kern/msgc_kernel.h>\n#include \"%s_types.h\"\n", itf->name);
	fprintf(f, "\n/*\n"
	    " * The kernel's requests of this interface. kreq_ROUTINE builds one in a new\n"
	    " * kmsg, or in the caller's room when *msgc_request names one on entry (a\n"
	    " * struct kmsg_room's kmsg; NULL for a new kmsg: msgc_kmsg_in), and sets\n"
	    " * *msgc_request only on KERN_SUCCESS; the message then holds the\n"
	    " * destination right (msgc_dest_right: MACH_MSG_TYPE_PORT_SEND or _SEND_ONCE), the\n"
	    " * reply right, the right each port argument carries (the one its type names;\n"
	    " * NULL for none) and each out-of-line copy. Send it or destroy it\n"
	    " * (kmsg_destroy). On failure (MIG_ARRAY_TOO_LARGE, KERN_INVALID_ARGUMENT,\n"
	    " * KERN_RESOURCE_SHORTAGE) nothing was taken. No lock needed: nothing but the\n"
	    " * new kmsg changes.\n"
	    " *\n"
	    " * kreply_ROUTINE checks a reply as the user-space stub does: the id\n"
	    " * (MIG_REPLY_MISMATCH), an error reply (its RetCode), the layout (MIG_TYPE_ERROR),\n"
	    " * out arrays against *xCnt (MIG_ARRAY_TOO_LARGE). Only on KERN_SUCCESS does it\n"
	    " * write the out-parameters, and the reply's rights and copies move to them; the\n"
	    " * reply kmsg is the caller's to destroy either way.\n"
	    " */\n");
	for (size_t i = 0; i < itf->nroutines; i++) {
		const struct routine *r = &itf->routines[i];
		uint32_t id = itf->base + r->index;

		if (r->simple)
			fprintf(f, "\n/* %s: one-way message %u. */\n", r->name, id);
		else
			fprintf(f, "\n/* %s: request %u, reply %u. */\n", r->name, id,
			    id + REPLY_ID_OFFSET);
		fprintf(f, "kern_return_t kreq_%s(\n", r->name);
		gen_request_params(f, r, ";\n");
		if (!r->simple) {
			fprintf(f, "kern_return_t kreply_%s(\n", r->name);
			gen_reply_params(f, r, ";\n");
		}
	}
	fprintf(f, "\n#endif\n");
}

/* What the kernel must not get wrong about its own out-of-line arguments. */
static void
gen_kernel_argument_check(FILE *f, const struct arg *a)
{
	const struct type *t = a->type;

	if (!arg_in_request(a) || t->kind != KIND_OOL)
		return;
	if (type_is_port_array(t))
		fprintf(f, "\tif (%s == NULL && %sCnt != 0)\n", a->name, a->name);
	else
		fprintf(f, "\tif (!msgc_ool_holds(%s, %sCnt * sizeof(%s)))\n", a->name, a->name,
		    type_c_elem(t));
	fprintf(f, "\t\treturn KERN_INVALID_ARGUMENT;\n");
}

static void
gen_request(FILE *f, const struct routine *r)
{
	char id[MSGC_NAME_MAX + 8];

	fprintf(f, "\nkern_return_t\nkreq_%s(\n", r->name);
	gen_request_params(f, r, "\n{\n");
	fprintf(f, "\tstruct msgc_writer msgc_w;\n\tstruct kmsg *msgc_k;\n\n");
	for (size_t i = 1; i < r->nargs; i++) {
		struct arg in = as_dir(&r->args[i], DIR_IN);

		if (!arg_in_request(&r->args[i]))
			continue;
		gen_client_argument_check(f, &in);
		gen_kernel_argument_check(f, &in);
	}
	fprintf(f, "\tmsgc_k = msgc_kmsg_in(*msgc_request, %u);\n", routine_request_max(r));
	fprintf(f, "\tif (msgc_k == NULL)\n\t\treturn KERN_RESOURCE_SHORTAGE;\n");
	fprintf(f, "\tmsgc_begin_request(&msgc_w, msgc_k, %s, msgc_dest_right, %s, %s, %u);\n",
	    r->args[0].name, r->simple ? "NULL, 0" : "msgc_reply_port, msgc_reply_right",
	    gen_id_macro(r, id, sizeof(id)), routine_request_descriptors(r));
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 1; i < r->nargs; i++) {
			struct arg in = as_dir(&r->args[i], DIR_IN);

			if (arg_in_request(&r->args[i]) && gen_in_pass(in.type, pass))
				gen_client_request_item(f, &in, true, pass);
		}
	fprintf(f, "\tmsgc_end_request(&msgc_w, msgc_k);\n");
	fprintf(f, "\t*msgc_request = msgc_k;\n\treturn KERN_SUCCESS;\n}\n");
}

static void
gen_reply(FILE *f, const struct routine *r)
{
	char id[MSGC_NAME_MAX + 8];

	fprintf(f, "\nkern_return_t\nkreply_%s(\n", r->name);
	gen_reply_params(f, r, "\n{\n");
	fprintf(f, "\tstruct msgc_reader msgc_r;\n\tkern_return_t msgc_ret;\n");
	for (size_t i = 1; i < r->nargs; i++)
		if (arg_in_reply(&r->args[i]))
			gen_client_reply_local(f, &r->args[i], true);
	fprintf(f, "\n\tmsgc_ret = msgc_begin_reply(&msgc_r, msgc_reply_kmsg, %s + %d, %u);\n",
	    gen_id_macro(r, id, sizeof(id)), REPLY_ID_OFFSET, routine_reply_descriptors(r));
	fprintf(f, "\tif (msgc_ret != KERN_SUCCESS)\n\t\treturn msgc_ret;\n");
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 1; i < r->nargs; i++)
			if (arg_in_reply(&r->args[i]) && gen_in_pass(r->args[i].type, pass))
				gen_client_reply_item(f, &r->args[i], pass);
	fprintf(f, "\tif (!msgc_at_end(&msgc_r))\n\t\tgoto bad_reply;\n");
	gen_same_count_checks(f, r, true, "msgc_", "bad_reply");
	/* An out (or inout) array's count says on entry how much room the caller has. */
	for (size_t i = 1; i < r->nargs; i++) {
		const struct arg *a = &r->args[i];

		if (arg_in_reply(a) && !a->same_count &&
		    (a->type->kind == KIND_ARRAY_BOUNDED || a->type->kind == KIND_PORT_ARRAY))
			fprintf(f, "\tif (msgc_%sCnt > *%sCnt)\n\t\treturn MIG_ARRAY_TOO_LARGE;\n",
			    a->name, a->name);
	}
	if (routine_reply_descriptors(r) != 0)
		fprintf(f, "\tmsgc_reply_taken(msgc_reply_kmsg);\t/* its rights and copies are the caller's now */\n");
	for (size_t i = 1; i < r->nargs; i++)
		if (arg_in_reply(&r->args[i]))
			gen_client_copy_out(f, &r->args[i], true);
	fprintf(f, "\treturn KERN_SUCCESS;\n\nbad_reply:\n\treturn MIG_TYPE_ERROR;\n}\n");
}

void
gen_kuser_source(FILE *f, const struct interface *itf)
{
	gen_banner(f, itf);
	fprintf(f, "#include \"%s_kuser.h\"\n", itf->name);
	for (size_t i = 0; i < itf->nroutines; i++) {
		gen_request(f, &itf->routines[i]);
		if (!itf->routines[i].simple)
			gen_reply(f, &itf->routines[i]);
	}
}
