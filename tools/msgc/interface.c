/*
 * Layout of requests and replies (see interface.h and tools/msgc/README.md):
 *   header, [body, descriptors in argument order], then inline items in argument
 *   order; a simple reply puts RetCode before its inline items.
 */
#include <stdlib.h>
#include "interface.h"

#define HEADER_SIZE 24u
#define BODY_SIZE 4u
#define DESCRIPTOR_SIZE 12u
#define RETCODE_SIZE 4u

void
interface_free(struct interface *itf)
{
	for (size_t i = 0; i < itf->nroutines; i++)
		free(itf->routines[i].args);
	free(itf->routines);
	free(itf->imports);
	types_free(&itf->types);
}

bool
arg_in_request(const struct arg *a)
{
	return a->dir == DIR_IN || a->dir == DIR_INOUT;
}

bool
arg_in_reply(const struct arg *a)
{
	return a->dir == DIR_OUT || a->dir == DIR_INOUT;
}

static uint32_t
count_descriptors(const struct routine *r, bool (*travels)(const struct arg *))
{
	uint32_t n = 0;

	for (size_t i = 1; i < r->nargs; i++)
		if (travels(&r->args[i]))
			n += type_descriptors(r->args[i].type);
	return n;
}

uint32_t
routine_request_descriptors(const struct routine *r)
{
	return count_descriptors(r, arg_in_request);
}

uint32_t
routine_reply_descriptors(const struct routine *r)
{
	return count_descriptors(r, arg_in_reply);
}

static uint32_t
inline_max(const struct routine *r, bool (*travels)(const struct arg *))
{
	uint32_t n = 0;

	for (size_t i = 1; i < r->nargs; i++)
		if (travels(&r->args[i]))
			n += type_inline_max(r->args[i].type);
	return n;
}

uint32_t
routine_request_max(const struct routine *r)
{
	uint32_t d = routine_request_descriptors(r);

	return HEADER_SIZE + (d ? BODY_SIZE + d * DESCRIPTOR_SIZE : 0) +
	    inline_max(r, arg_in_request);
}

uint32_t
routine_reply_max(const struct routine *r)
{
	uint32_t d = routine_reply_descriptors(r);

	return HEADER_SIZE + (d ? BODY_SIZE + d * DESCRIPTOR_SIZE : RETCODE_SIZE) +
	    inline_max(r, arg_in_reply);
}

uint32_t
interface_request_max(const struct interface *itf)
{
	uint32_t max = HEADER_SIZE;

	for (size_t i = 0; i < itf->nroutines; i++)
		if (routine_request_max(&itf->routines[i]) > max)
			max = routine_request_max(&itf->routines[i]);
	return max;
}

uint32_t
interface_reply_max(const struct interface *itf)
{
	uint32_t max = HEADER_SIZE + RETCODE_SIZE;

	for (size_t i = 0; i < itf->nroutines; i++)
		if (!itf->routines[i].simple && routine_reply_max(&itf->routines[i]) > max)
			max = routine_reply_max(&itf->routines[i]);
	return max;
}
