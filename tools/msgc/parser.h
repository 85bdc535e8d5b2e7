/*
 * The .defs parser: reads one interface (see README.md for the grammar) into a
 * struct interface and checks everything the generators rely on. It stops at the
 * first error, recorded in diag as `file:line: message`.
 */
#ifndef MSGC_PARSER_H
#define MSGC_PARSER_H

#include <stdbool.h>
#include "diag.h"
#include "interface.h"

/*
 * Parses text, read from file (the name is used in messages). Whether or not it
 * succeeds, the caller frees itf with interface_free.
 */
bool parse_defs(const char *file, const char *text, struct interface *itf, struct diag *diag);

#endif
