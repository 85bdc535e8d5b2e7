/*
 * The names of a space that its table (space.c) cannot hold: an AVL tree keyed
 * by name. Mach keeps such names in a splay tree; a balanced tree bounds every
 * single call instead of their average, which matters under the space's lock with
 * interrupts off. Each node counts the names below it, so how many names lie
 * in a range costs two descents. Nodes never move, so an entry pointer stays
 * good until its name is removed. The caller allocates and frees the nodes;
 * nothing here does.
 */
#include <kern/ipc_space.h>
#include "space_tree.h"

static int
height(const struct space_tree_node *n)
{
	return n ? n->height : 0;
}

static uint32_t
names(const struct space_tree_node *n)
{
	return n ? n->names : 0;
}

/* n's height and name count, from its children's. */
static void
fix_height(struct space_tree_node *n)
{
	int l = height(n->left), r = height(n->right);

	n->height = 1 + (l > r ? l : r);
	n->names = 1 + names(n->left) + names(n->right);
}

static struct space_tree_node *
rotate_right(struct space_tree_node *n)
{
	struct space_tree_node *l = n->left;

	n->left = l->right;
	l->right = n;
	fix_height(n);
	fix_height(l);
	return l;
}

static struct space_tree_node *
rotate_left(struct space_tree_node *n)
{
	struct space_tree_node *r = n->right;

	n->right = r->left;
	r->left = n;
	fix_height(n);
	fix_height(r);
	return r;
}

/* n's subtrees are balanced and differ in height by at most 2: make n so too. */
static struct space_tree_node *
balance(struct space_tree_node *n)
{
	int b = height(n->left) - height(n->right);

	if (b > 1) {
		if (height(n->left->left) < height(n->left->right))
			n->left = rotate_left(n->left);
		return rotate_right(n);
	}
	if (b < -1) {
		if (height(n->right->right) < height(n->right->left))
			n->right = rotate_right(n->right);
		return rotate_left(n);
	}
	fix_height(n);
	return n;
}

struct space_tree_node *
space_tree_lookup(struct space_tree_node *root, mach_port_name_t name)
{
	while (root && root->name != name)
		root = name < root->name ? root->left : root->right;
	return root;
}

/* The node with the smallest name above `after`, or NULL. */
struct space_tree_node *
space_tree_next(struct space_tree_node *root, mach_port_name_t after)
{
	struct space_tree_node *best = NULL;

	while (root) {
		if (root->name > after) {
			best = root;
			root = root->left;
		} else {
			root = root->right;
		}
	}
	return best;
}

/* How many names are below `name`. */
static uint32_t
names_below(const struct space_tree_node *n, mach_port_name_t name)
{
	uint32_t below = 0;

	while (n) {
		if (n->name < name) {
			below += names(n->left) + 1;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return below;
}

/* How many names lie in [lo, hi] (hi < MACH_PORT_DEAD). */
uint32_t
space_tree_count_range(const struct space_tree_node *root, mach_port_name_t lo, mach_port_name_t hi)
{
	return names_below(root, hi + 1) - names_below(root, lo);
}

/* Adds n, whose name is not in the tree yet; returns the new root. */
struct space_tree_node *
space_tree_insert(struct space_tree_node *root, struct space_tree_node *n)
{
	if (!root) {
		n->left = n->right = NULL;
		n->height = 1;
		n->names = 1;
		return n;
	}
	if (n->name < root->name)
		root->left = space_tree_insert(root->left, n);
	else
		root->right = space_tree_insert(root->right, n);
	return balance(root);
}

static struct space_tree_node *
remove_min(struct space_tree_node *root, struct space_tree_node **min)
{
	if (!root->left) {
		*min = root;
		return root->right;
	}
	root->left = remove_min(root->left, min);
	return balance(root);
}

/* Takes the node named `name` out (into *out, NULL if absent); returns the new root. */
struct space_tree_node *
space_tree_remove(struct space_tree_node *root, mach_port_name_t name, struct space_tree_node **out)
{
	struct space_tree_node *m, *rest;

	if (!root) {
		*out = NULL;
		return NULL;
	}
	if (name < root->name) {
		root->left = space_tree_remove(root->left, name, out);
	} else if (name > root->name) {
		root->right = space_tree_remove(root->right, name, out);
	} else {
		*out = root;
		if (!root->left || !root->right)
			return root->left ? root->left : root->right;
		rest = remove_min(root->right, &m);	/* the successor takes root's place */
		m->left = root->left;
		m->right = rest;
		return balance(m);
	}
	return balance(root);
}
