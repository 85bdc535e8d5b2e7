/*
 * e1000: the driver task for Intel's 82540EM and 82545EM (QEMU's e1000 and
 * e1000-82545em), serving the frame interface (servers/frame/) to gns.
 *
 * It finds its NIC through the pci server, resets it before anything else
 * (a previous instance may have died with the NIC writing into its
 * buffers), reads the MAC, sets up the descriptor rings in DMA memory and
 * takes the NIC's interrupts as messages. Then it checks in as /servers/nic0
 * (or name=PATH): the bootstrap keeps that port across restarts, so a
 * client's right to it reaches the next instance, which a client opens a
 * new session on. The loop is libmsg's msg_server_run on a port set: the
 * service port (frame_open), the session port (frame_kick, frame_status),
 * the interrupt port and the notification port; after every message and
 * after TICK_MS without one the rings are pumped both ways, so a lost
 * doorbell costs at most a tick.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/cycles.h>
#include <manifold/driver.h>
#include <manifold/error.h>
#include <manifold/msg.h>
#include <manifold/pci.h>
#include "device_intr_server.h"
#include "frame_server.h"
#include "e1000.h"
#include "pump.h"
#include "session.h"

#define ME mach_task_self()
#define TICK_MS 500

struct e1000 nic;
mach_port_t service;				/* [I] frame_open comes here */
static mach_port_t device, irq_port;		/* [I] */
static bool link_was_up;

static const char *
model(void)
{
	return nic.device_id == E1000_DEV_82545EM ? "82545EM" : "82540EM";
}

static bool link_untold;	/* a change the client has not heard of yet (its link port was full) */

/* The link as STATUS says now: told (console, gns) when it changed. */
static void
link_check(void)
{
	uint32_t speed;
	bool up = e1000_link(&nic, &speed);

	if (up != link_was_up) {
		printf("e1000: link %s\n", up ? "up" : "down");
		link_untold = true;
	}
	link_was_up = up;
	if (link_untold)
		link_untold = !session_link(up, speed);
}

/*
 * The line stays masked from an interrupt until its ack. The ack waits for
 * the turn after the interrupt's: the client's kick (gns's, with what it
 * sends back, as TCP's acknowledgements) or ACK_WAIT_MS without a message.
 * Frames that arrive meanwhile wait in their descriptors and go with that
 * turn's pump, no interrupt each: with the ack at once, a TCP receiver whose
 * frames came one or two at a time (host timing) took an interrupt, a kick
 * and a turn of gns each, about five times the traps a kB.
 */
#define ACK_WAIT_MS 1
static bool ack_owed, interrupt_turn;

/*
 * Only while interrupts come close together (a stream, RPCs back to back):
 * an interrupt BUSY_CYCLES or more after the one before (an idle node's
 * heartbeats, some 60 a second from 15 peers) is acked at once, as it was
 * before, for each deferred ack costs a timer's wake when nothing follows
 * (check-scale's idle cost, 0.009 -> 0.011 host CPU-s/s a guest with every
 * ack deferred). The time stamp counter's cycles: 2 ms at 1 GHz, QEMU's
 * under -icount.
 */
#define BUSY_CYCLES 2000000u
static uint64_t last_interrupt;

/*
 * The NIC's causes (read, so cleared), both rings (RXT0, RXDMT0, RXO and
 * TXDW: a frame that came before the read is pumped, one after it
 * interrupts again), then the line.
 */
static void
irq_done(void)
{
	if (e1000_causes(&nic) & INT_LSC)
		link_check();
	pump_rx();
	pump_tx();
	ack_owed = false;
	driver_irq_ack(nic.irq);
}

/* The NIC interrupted: the pumps after this message look at both rings; the ack waits if others came close before. */
kern_return_t
device_intr_do_device_intr(mach_port_t port, uint32_t irq, uint32_t count)
{
	uint64_t now = msg_cycles();
	bool busy = now - last_interrupt < BUSY_CYCLES;

	if (port != irq_port)
		return KERN_SUCCESS;	/* only the kernel holds a right to irq_port */
	last_interrupt = now;
	if (ack_owed)
		irq_done();	/* not expected: the line was masked */
	if (e1000_causes(&nic) & INT_LSC)
		link_check();
	if (!busy) {
		driver_irq_ack(nic.irq);	/* the pumps after this message look at both rings */
		return KERN_SUCCESS;
	}
	ack_owed = interrupt_turn = true;
	return KERN_SUCCESS;
}

/*
 * The rings once more, and the link: a change the LSC interrupt should have
 * told is seen here too, a watchdog on STATUS that drivers for real cards
 * keep. (The net suite's "no interrupt after set_link" was its own monitor
 * dropping the command: README.md, Known gaps.)
 */
static uint32_t
tick(void)
{
	if (ack_owed && !interrupt_turn) {
		irq_done();
		link_check();
		return TICK_MS;
	}
	pump_rx();
	pump_tx();
	if (ack_owed) {
		interrupt_turn = false;
		return ACK_WAIT_MS;
	}
	link_check();
	return TICK_MS;
}

static const msg_demux_t demuxes[] = { frame_server, device_intr_server };
static struct msg_server server = {
	.demuxes = demuxes,
	.ndemuxes = 2,
	.max_request = FRAME_REQUEST_MAX_SIZE > DEVICE_INTR_REQUEST_MAX_SIZE ? FRAME_REQUEST_MAX_SIZE
									     : DEVICE_INTR_REQUEST_MAX_SIZE,
	.max_reply = FRAME_REPLY_MAX_SIZE,
	.dead_name = session_dead_name,
	.no_senders = session_no_senders,
	.tick = tick,
	.tick_untimed = true,	/* a watchdog: no clock read a turn (two a round trip of udp_rr_remote) */
};

int
main(int argc, char **argv)
{
	const char *path = "/servers/nic0";
	mach_port_t pci = MACH_PORT_NULL, set = MACH_PORT_NULL, notify = MACH_PORT_NULL;
	uint32_t speed = 0, loc;
	kern_return_t kr;

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "name=", 5) == 0 && argv[i][5] == '/')
			path = argv[i] + 5;
	if (!driver_open("e1000", &device, &pci))
		return 1;
	if (!e1000_attach(&nic, pci, device)) {
		/* Nothing to drive: stay, so that restart=always does not start us again and again. */
		for (;;)
			msg_sleep_ms(0);
	}
	e1000_reset(&nic);
	e1000_read_mac(&nic);
	if (!e1000_claim(&nic, pci, device) || !e1000_dma_allocate(&nic, device))
		return 1;
	if ((kr = driver_irq_attach(device, nic.irq, &irq_port)) != KERN_SUCCESS) {
		printf("e1000: cannot attach IRQ %u: %s\n", nic.irq, mach_error_string(kr));
		return 1;
	}
	e1000_start(&nic);
	if (mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &set) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &notify) != KERN_SUCCESS ||
	    mach_port_move_member(ME, notify, set) != KERN_SUCCESS ||
	    mach_port_move_member(ME, irq_port, set) != KERN_SUCCESS || !session_init(set, notify)) {
		printf("e1000: no ports\n");
		return 1;
	}
	if (!driver_check_in(path, &service) || mach_port_move_member(ME, service, set) != KERN_SUCCESS) {
		printf("e1000: cannot register %s\n", path);
		return 1;
	}
	link_was_up = e1000_link(&nic, &speed);
	loc = nic.location;
	printf("e1000: %s at %02x:%02x.%x, IRQ %u, %02x:%02x:%02x:%02x:%02x:%02x, link %s; serving %s\n", model(),
	       PCI_BUS(loc), PCI_SLOT(loc), PCI_FUNC(loc), nic.irq, nic.mac[0], nic.mac[1], nic.mac[2],
	       nic.mac[3], nic.mac[4], nic.mac[5], link_was_up ? "up" : "down", path);
	server.port = set;
	server.notify_port = notify;
	msg_server_run(&server);
	return 1;
}
