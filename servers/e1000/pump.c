/*
 * Frames between descriptors and rings (pump.h). The rings' indices and
 * lengths come from the client, who may be hostile: the ring library checks
 * them (a bad one is FRAME_RING_CORRUPT, and the session is over), and a
 * length the NIC cannot send is dropped here. Kicks follow the ring protocol
 * (frame_ring.h): a side that found nothing to do asked for one before it
 * slept, and only then does a message go.
 */
#include <mach/mach.h>
#include <manifold/frame_ring.h>
#include "e1000.h"
#include "pump.h"
#include "session.h"

void
pump_rx(void)
{
	bool put = false;

	for (;;) {
		const uint8_t *data = NULL;
		uint32_t flags = 0;
		int len = e1000_rx_peek(&nic, &data, &flags), err;

		if (len == 0)
			break;
		if (len < 0 || !MACH_PORT_VALID(session.port)) {
			nic.rx_dropped++;
			e1000_rx_release(&nic);
			continue;
		}
		err = frame_ring_put_flags(&session.end.out, data, (uint32_t)len, flags);
		if (err == FRAME_RING_FULL) {
			/* The frame waits in its descriptor until the client frees a slot and kicks us. */
			if (frame_ring_wait_for_space(&session.end.out))
				break;
			continue;
		}
		if (err < 0) {
			session_close("the client broke the RX ring");
			put = false;
			continue;	/* the frame is dropped with the session */
		}
		put = true;
		nic.rx_frames++;
		e1000_rx_release(&nic);
	}
	e1000_rx_flush(&nic);
	if (put && frame_ring_kick_consumer(&session.end.out))
		session_kick();
}

void
pump_tx(void)
{
	bool took = false, queued = false;

	while (MACH_PORT_VALID(session.port) && e1000_tx_space(&nic) >= TX_DESCS_PER_FRAME) {
		const uint8_t *data = NULL;
		int len = frame_ring_peek(&session.end.in, &data);

		if (len == FRAME_RING_EMPTY) {
			if (frame_ring_wait_for_frames(&session.end.in))
				break;	/* the client kicks us with its next frame */
			continue;
		}
		if (len < 0) {
			session_close("the client broke the TX ring");
			break;
		}
		if (len >= ETH_MIN && len <= ETH_MAX) {
			queued |= e1000_tx_put(&nic, data, (uint32_t)len, frame_ring_peeked_flags(&session.end.in));
		} else {
			nic.tx_dropped++;
		}
		frame_ring_consume(&session.end.in);
		took = true;
	}
	if (queued)
		e1000_tx_flush(&nic);
	/* With no descriptor free, TXDW brings us back when the NIC has sent some; else it stays off. */
	e1000_tx_wake(&nic, MACH_PORT_VALID(session.port) && e1000_tx_space(&nic) < TX_DESCS_PER_FRAME);
	if (took && MACH_PORT_VALID(session.port) && frame_ring_kick_producer(&session.end.in))
		session_kick();
}
