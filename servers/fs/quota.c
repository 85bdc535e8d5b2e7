/*
 * Per-client quotas. A client is a task, named by the id the kernel writes
 * into each request's sender trailer (msg_server's sender_ids, main.c): a
 * send right passed on stays counted to the task that opened. What one
 * client may hold of fs's shared tables is bounded, so that a client at its
 * quota leaves room for the others: open files (quota_files of FILE_MAX) and
 * mapped files' objects it made (quota_maps of PAGER_MAX). Past a quota the
 * call answers FS_ERR_EDQUOT; the tables' own ends stay EMFILE and ENOMEM.
 *
 * fs holds nothing else for a client between requests: it serves one request
 * at a time, defers none, and the memory of an out-of-line answer leaves with
 * the answer; so there is no other count to bound.
 */
#include "srv.h"

uint32_t quota_files = 64;	/* quota_files=N on the module line */
uint32_t quota_maps = 8;	/* quota_maps=N */

/* Every entry holds at least one file or object: no more than the tables hold. */
#define CLIENTS_MAX (SRV_FILE_MAX + SRV_PAGER_MAX)

static struct client {
	uint32_t id;
	uint32_t held[QUOTA_KINDS];	/* all 0: a free entry */
} clients[CLIENTS_MAX];

static bool
unused(const struct client *c)
{
	for (int k = 0; k < QUOTA_KINDS; k++)
		if (c->held[k])
			return false;
	return true;
}

static struct client *
find(uint32_t id, bool make)
{
	struct client *free_slot = NULL;

	for (int i = 0; i < CLIENTS_MAX; i++) {
		if (unused(&clients[i])) {
			if (!free_slot)
				free_slot = &clients[i];
		} else if (clients[i].id == id) {
			return &clients[i];
		}
	}
	if (make && free_slot)
		free_slot->id = id;
	return make ? free_slot : NULL;
}

uint32_t
quota_client(void)
{
	uint32_t id;

	/* without a trailer (not the server's loop): one client for all such callers */
	return msg_request_sender(&id) ? id : UINT32_MAX;
}

bool
quota_take(enum quota_kind k, uint32_t id)
{
	struct client *c = find(id, true);
	uint32_t limit = k == QUOTA_FILES ? quota_files : quota_maps;

	if (!c || c->held[k] >= limit)
		return false;
	c->held[k]++;
	return true;
}

void
quota_give(enum quota_kind k, uint32_t id)
{
	struct client *c = find(id, false);

	if (c && c->held[k] > 0)
		c->held[k]--;
}

uint32_t
quota_held(enum quota_kind k, uint32_t id)
{
	struct client *c = find(id, false);

	return c ? c->held[k] : 0;
}
