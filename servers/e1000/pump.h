/*
 * Frames between the NIC's descriptors and the session's rings (pump.c):
 * received frames are copied from their DMA buffer into the RX ring, the
 * client's frames from the TX ring into transmit buffers. Without a session,
 * received frames are dropped and nothing is sent.
 */
#ifndef E1000_PUMP_H
#define E1000_PUMP_H

/* Everything the NIC received, into the RX ring while it has room. */
void pump_rx(void);
/* Everything in the TX ring, onto the wire while descriptors are free. */
void pump_tx(void);

#endif
