/*
 * The type table of types.h and facts about each kind: sizes on the wire, the C
 * spelling of values, the rights that ports turn into.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "types.h"

struct predefined_scalar {
	const char *name, *c_name;
	uint32_t size;
};

/* Integers by their C names, Mach's word types, and MIG's wire names for them. */
static const struct predefined_scalar scalars[] = {
	{ "int8_t", "int8_t", 1 },	{ "uint8_t", "uint8_t", 1 },
	{ "int16_t", "int16_t", 2 },	{ "uint16_t", "uint16_t", 2 },
	{ "int32_t", "int32_t", 4 },	{ "uint32_t", "uint32_t", 4 },
	{ "int64_t", "int64_t", 8 },	{ "uint64_t", "uint64_t", 8 },
	{ "char", "char", 1 },
	{ "boolean_t", "boolean_t", 4 },
	{ "natural_t", "natural_t", 4 },	{ "integer_t", "integer_t", 4 },
	{ "kern_return_t", "kern_return_t", 4 },
	{ "vm_address_t", "vm_address_t", 4 },	{ "vm_offset_t", "vm_offset_t", 4 },
	{ "vm_size_t", "vm_size_t", 4 },
	{ "mach_msg_type_number_t", "mach_msg_type_number_t", 4 },
	{ "mach_port_name_t", "mach_port_name_t", 4 },	/* a name only, no right moves */
	{ "MACH_MSG_TYPE_INTEGER_8", "int8_t", 1 },
	{ "MACH_MSG_TYPE_INTEGER_16", "int16_t", 2 },
	{ "MACH_MSG_TYPE_INTEGER_32", "int32_t", 4 },
	{ "MACH_MSG_TYPE_INTEGER_64", "int64_t", 8 },
	{ "MACH_MSG_TYPE_BOOLEAN", "boolean_t", 4 },
	{ "MACH_MSG_TYPE_CHAR", "char", 1 },
	{ "MACH_MSG_TYPE_BYTE", "uint8_t", 1 },
	{ "MACH_MSG_TYPE_PORT_NAME", "mach_port_name_t", 4 },
};

struct predefined_port {
	const char *name;
	uint32_t disposition;
	const char *disposition_name;
};

/* MIG's disposition names, and the port types of its std_types.defs. */
static const struct predefined_port ports[] = {
	{ "MACH_MSG_TYPE_MOVE_RECEIVE", 16, "MACH_MSG_TYPE_MOVE_RECEIVE" },
	{ "MACH_MSG_TYPE_MOVE_SEND", 17, "MACH_MSG_TYPE_MOVE_SEND" },
	{ "MACH_MSG_TYPE_MOVE_SEND_ONCE", 18, "MACH_MSG_TYPE_MOVE_SEND_ONCE" },
	{ "MACH_MSG_TYPE_COPY_SEND", 19, "MACH_MSG_TYPE_COPY_SEND" },
	{ "MACH_MSG_TYPE_MAKE_SEND", 20, "MACH_MSG_TYPE_MAKE_SEND" },
	{ "MACH_MSG_TYPE_MAKE_SEND_ONCE", 21, "MACH_MSG_TYPE_MAKE_SEND_ONCE" },
	{ "mach_port_t", 19, "MACH_MSG_TYPE_COPY_SEND" },
	{ "mach_port_move_receive_t", 16, "MACH_MSG_TYPE_MOVE_RECEIVE" },
	{ "mach_port_move_send_t", 17, "MACH_MSG_TYPE_MOVE_SEND" },
	{ "mach_port_move_send_once_t", 18, "MACH_MSG_TYPE_MOVE_SEND_ONCE" },
	{ "mach_port_copy_send_t", 19, "MACH_MSG_TYPE_COPY_SEND" },
	{ "mach_port_make_send_t", 20, "MACH_MSG_TYPE_MAKE_SEND" },
	{ "mach_port_make_send_once_t", 21, "MACH_MSG_TYPE_MAKE_SEND_ONCE" },
	/* Polymorphic: the caller chooses the disposition (argument xPoly). */
	{ "MACH_MSG_TYPE_POLYMORPHIC", 0, NULL },
	{ "mach_port_poly_t", 0, NULL },
};

struct type *
types_add(struct type_table *table)
{
	struct type *t = calloc(1, sizeof(*t));

	if (t == NULL)
		abort();
	if (table->count == table->capacity) {
		table->capacity = table->capacity ? table->capacity * 2 : 64;
		table->types = realloc(table->types, table->capacity * sizeof(*table->types));
		if (table->types == NULL)
			abort();
	}
	table->types[table->count++] = t;
	return t;
}

void
types_init(struct type_table *table)
{
	memset(table, 0, sizeof(*table));
	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
		struct type *t = types_add(table);

		snprintf(t->name, sizeof(t->name), "%s", scalars[i].name);
		snprintf(t->c_name, sizeof(t->c_name), "%s", scalars[i].c_name);
		t->kind = KIND_SCALAR;
		t->predefined = true;
		t->size = scalars[i].size;
	}
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		struct type *t = types_add(table);

		snprintf(t->name, sizeof(t->name), "%s", ports[i].name);
		snprintf(t->c_name, sizeof(t->c_name), "mach_port_t");
		t->kind = KIND_PORT;
		t->predefined = true;
		t->size = 4;
		t->disposition = ports[i].disposition;
		t->disposition_name = ports[i].disposition_name;
		t->poly = ports[i].disposition_name == NULL;
	}
}

void
types_free(struct type_table *table)
{
	for (size_t i = 0; i < table->count; i++)
		free(table->types[i]);
	free(table->types);
	memset(table, 0, sizeof(*table));
}

const struct type *
types_find(const struct type_table *table, const char *name)
{
	for (size_t i = 0; i < table->count; i++)
		if (table->types[i]->name[0] != '\0' && strcmp(table->types[i]->name, name) == 0)
			return table->types[i];
	return NULL;
}

const char *
type_received_right(const struct type *t)
{
	switch (t->disposition) {
	case 16:
		return "MACH_MSG_TYPE_PORT_RECEIVE";
	case 18:
	case 21:
		return "MACH_MSG_TYPE_PORT_SEND_ONCE";
	default:
		return "MACH_MSG_TYPE_PORT_SEND";
	}
}

bool
type_is_send_right(const struct type *t)
{
	return t->kind == KIND_PORT && t->disposition >= 17 && t->disposition <= 21;
}

static uint32_t
round4(uint32_t n)
{
	return (n + 3u) & ~3u;
}

uint32_t
type_inline_max(const struct type *t)
{
	switch (t->kind) {
	case KIND_SCALAR:
		return round4(t->size);
	case KIND_ARRAY_FIXED:
		return round4(t->count * t->elem->size);
	case KIND_ARRAY_BOUNDED:
		return 4 + round4(t->count * t->elem->size);
	case KIND_STRING_FIXED:
		return round4(t->count);
	case KIND_STRING_BOUNDED:
		return 4 + round4(t->count);
	case KIND_PORT_ARRAY:
		return 4;
	case KIND_PORT:
	case KIND_OOL:
		break;
	}
	return 0;
}

bool
type_is_descriptor(const struct type *t)
{
	return t->kind == KIND_PORT || t->kind == KIND_OOL || t->kind == KIND_PORT_ARRAY;
}

uint32_t
type_descriptors(const struct type *t)
{
	if (t->kind == KIND_PORT_ARRAY)
		return t->count;
	return type_is_descriptor(t) ? 1 : 0;
}

bool
type_is_port_array(const struct type *t)
{
	return t->kind == KIND_OOL && t->elem->kind == KIND_PORT;
}

const char *
type_c_elem(const struct type *t)
{
	switch (t->kind) {
	case KIND_ARRAY_FIXED:
	case KIND_ARRAY_BOUNDED:
	case KIND_OOL:
	case KIND_PORT_ARRAY:
		return t->elem->c_name;
	case KIND_STRING_FIXED:
	case KIND_STRING_BOUNDED:
		return "char";
	case KIND_SCALAR:
	case KIND_PORT:
		break;
	}
	return t->c_name;
}

const char *
type_kind_describe(const struct type *t)
{
	static const char *const names[] = {
		[KIND_SCALAR] = "a scalar",
		[KIND_PORT] = "a port",
		[KIND_ARRAY_FIXED] = "a fixed array",
		[KIND_ARRAY_BOUNDED] = "a bounded array",
		[KIND_STRING_FIXED] = "a string",
		[KIND_STRING_BOUNDED] = "a string",
		[KIND_OOL] = "out-of-line memory",
		[KIND_PORT_ARRAY] = "an inline array of ports",
	};
	return names[t->kind];
}
