/*
 * Messages held for a full queue (hold.c). A carried message whose
 * destination's queue is full at its home is not lost: deliver (proxy.c)
 * turns every right it names into one gns holds (so nothing it names can go
 * meanwhile) and hands it here; it is sent again from the cluster's tick,
 * in order per destination, and later messages to a destination with held
 * ones wait behind them. Bounded: HOLD_MAX messages and HOLD_BYTES bytes in
 * all, past which a message is refused as before (dest_full).
 */
#ifndef GNS_HOLD_H
#define GNS_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <mach/mach.h>
#include "gport.h"

#define HOLD_MAX 512
#define HOLD_BYTES (4u << 20)	/* inline bytes and out-of-line regions held */
#define HOLD_RETRY_MS 5		/* how soon a held message is tried again */
#define HOLD_PAUSE 32		/* held for one destination: its senders' proxies are paused (PAUSE) */

/* Messages held for dest (a port name of gns's). */
bool hold_pending(mach_port_t dest);

/* Room for a message of size bytes, ool of them out of line. */
bool hold_room(size_t size, size_t ool);

/*
 * Takes h (malloc'd, size bytes; ool bytes out of line) whose rights are
 * all gns's own (MOVE_SEND, MOVE_SEND_ONCE, MOVE_RECEIVE dispositions) and
 * out-of-line regions deallocate=1. The caller checked hold_room.
 */
void hold_add(mach_msg_header_t *h, size_t size, size_t ool);

/*
 * A message from node peer for dest (identity gid) was just held: past
 * HOLD_PAUSE held for dest, peer is told to pause its proxy (PAUSE), and
 * told to resume (RESUME) once dest's hold drained.
 */
void hold_note_sender(mach_port_t dest, const struct gport *gid, uint32_t peer);

/* Sends again what it can, in order per destination: ms until it wants to run again (0: nothing held). */
uint32_t hold_retry(void);

/* Messages and bytes held now (`nodes`' counters). */
size_t hold_count(void);

#endif
