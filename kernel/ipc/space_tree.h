/*
 * What space.c uses of space_tree.c: a balanced tree of the names a space's
 * table cannot hold. Under the lock of the space it belongs to.
 */
#ifndef IPC_SPACE_TREE_H
#define IPC_SPACE_TREE_H

#include <kern/ipc_space.h>

struct space_tree_node {
	struct ipc_entry entry;		/* gen, collisions and next_free unused */
	mach_port_name_t name;
	struct space_tree_node *left, *right;
	int height;			/* of the subtree; a leaf is 1 */
	uint32_t names;			/* in the subtree, this one included */
};

struct space_tree_node *space_tree_lookup(struct space_tree_node *root, mach_port_name_t name);
struct space_tree_node *space_tree_next(struct space_tree_node *root, mach_port_name_t after);
uint32_t space_tree_count_range(const struct space_tree_node *root, mach_port_name_t lo, mach_port_name_t hi);
struct space_tree_node *space_tree_insert(struct space_tree_node *root, struct space_tree_node *n);
struct space_tree_node *space_tree_remove(struct space_tree_node *root, mach_port_name_t name,
					  struct space_tree_node **out);

#endif
