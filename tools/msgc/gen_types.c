/*
 * NAME_types.h: what both sides of an interface share. The C typedef of each declared
 * type, the id of each routine, and the largest request and reply, which size the
 * buffers of a server loop.
 */
#include <string.h>
#include "gen.h"

static void
gen_typedef(FILE *f, const struct type *t)
{
	if (t->alias_of != NULL) {
		fprintf(f, "typedef %s %s;\n", t->alias_of->c_name, t->name);
		return;
	}
	switch (t->kind) {
	case KIND_SCALAR:
		if (t->ctype[0] == '\0')
			break;	/* always declared as an alias */
		/* a fixed array passed as a C structure: the structure must be the array's bytes */
		if (strcmp(t->name, t->ctype) != 0)
			fprintf(f, "typedef %s %s;\n", t->ctype, t->name);
		fprintf(f, "_Static_assert(sizeof(%s) == %u * sizeof(%s), \"%s: the C structure "
		    "must be array[%u] of %s\");\n", t->ctype, t->count, t->elem->c_name, t->name,
		    t->count, t->elem->c_name);
		break;
	case KIND_PORT:
		break;	/* always declared as an alias */
	case KIND_ARRAY_FIXED:
	case KIND_ARRAY_BOUNDED:
	case KIND_PORT_ARRAY:
		fprintf(f, "typedef %s %s[%u];\n", t->elem->c_name, t->name, t->count);
		break;
	case KIND_STRING_FIXED:
	case KIND_STRING_BOUNDED:
		fprintf(f, "typedef char %s[%u];\n", t->name, t->count);
		break;
	case KIND_OOL:
		fprintf(f, "typedef %s *%s;\n", t->elem->c_name, t->name);
		break;
	}
}

void
gen_types_header(FILE *f, const struct interface *itf)
{
	char guard[MSGC_NAME_MAX], id[MSGC_NAME_MAX + 8];

	gen_upper(itf->name, guard, sizeof(guard));
	gen_banner(f, itf);
	fprintf(f, "#ifndef %s_TYPES_H\n#define %s_TYPES_H\n\n", guard, guard);
	fprintf(f, "#include <stdint.h>\n#include <mach/message.h>\n#include <mach/mig_errors.h>\n");
	for (size_t i = 0; i < itf->nimports; i++)
		if (itf->imports[i].side == IMPORT_BOTH)
			fprintf(f, "#include %s\n", itf->imports[i].file);
	fprintf(f, "\n");
	for (size_t i = 0; i < itf->types.count; i++)
		if (!itf->types.types[i]->predefined && itf->types.types[i]->name[0] != '\0')
			gen_typedef(f, itf->types.types[i]);
	fprintf(f, "\n/* Request ids; a reply's id is its request's plus %d. */\n",
	    REPLY_ID_OFFSET);
	fprintf(f, "#define %s_BASE_ID %u\n", guard, itf->base);
	for (size_t i = 0; i < itf->nroutines; i++)
		fprintf(f, "#define %s %u\n", gen_id_macro(&itf->routines[i], id, sizeof(id)),
		    itf->base + itf->routines[i].index);
	fprintf(f, "\n/* Largest messages, without the receive trailer. */\n");
	fprintf(f, "#define %s_REQUEST_MAX_SIZE %u\n", guard, interface_request_max(itf));
	fprintf(f, "#define %s_REPLY_MAX_SIZE %u\n", guard, interface_reply_max(itf));
	fprintf(f, "\n#endif\n");
}
