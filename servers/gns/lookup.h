/*
 * Names across the cluster (lookup.c), as Masix resolves them: a name under
 * /cluster/ that is not registered on this node is asked of every live peer;
 * a peer whose own ns holds it answers with the port's global identity, and
 * the asker makes a proxy for it. Names elsewhere are node-local: gns never
 * answers for them, so they never leave their node.
 */
#ifndef GNS_LOOKUP_H
#define GNS_LOOKUP_H

#include <stdint.h>
#include "carry.h"

#define LOOKUP_PREFIX "/cluster/"
#define LOOKUP_MAX 16	/* names being resolved at once */

/* A LOOKUP, FOUND or MISSING payload from peer's gns (kind read already). */
void lookup_input(uint32_t peer, uint8_t kind, struct carry_in *in);

/* The node will not answer: lookups waiting for it stop waiting. */
void lookup_node_died(uint32_t node);

#endif
