/*
 * The `dev` suite: device access for driver tasks (device.defs) and the pci
 * server, from a driver the bootstrap started (its line says `driver`). Boot:
 * bootstrap, ns, console, pci (driver), the shell left for us (start=no
 * run=pci), then this program; QEMU with an e1000 on a restrict=on user net.
 * The CMOS real-time clock (ports 0x70-0x71, IRQ 8) is the device whose
 * interrupts the cases take: register A's rate, register B's periodic
 * interrupt enable (PIE), register C read to acknowledge at the device.
 * After every case the kernel's pages, ports and heap bytes and our names
 * are as before: resources a dead driver held come back.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/driver.h>
#include <manifold/error.h>
#include <manifold/msg.h>
#include <manifold/pci.h>
#include <manifold/trap.h>
#include "bootstrap_client.h"
#include "console_client.h"
#include "ns_client.h"
#include "pci_client.h"
#include "suite.h"

#define ME mach_task_self()
#define PAGE 4096u
#define SHELL_MODULE 4		/* shell.elf start=no run=pci: see tests/rules.mk */
#define RTC_IRQ 8
#define E1000_STATUS 0x08
#define DEVICE_NIRQ_FOR_TESTS 16	/* the first number that is no line (two 8259s) */

static mach_port_t device, ns, pci, bootstrap;
static uint8_t page_buf[PAGE] __attribute__((aligned(PAGE)));

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static uint8_t
cmos_read(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static void
cmos_write(uint8_t reg, uint8_t v)
{
	outb(0x70, reg);
	outb(0x71, v);
}

/* The RTC's periodic interrupt on (1024 Hz, rate 6) or off; register C read, so a new one can come. */
static void
rtc_periodic(int on)
{
	cmos_write(0x0A, (uint8_t)((cmos_read(0x0A) & 0xF0) | 6));
	cmos_write(0x0B, (uint8_t)(on ? cmos_read(0x0B) | 0x40 : cmos_read(0x0B) & ~0x40));
	cmos_read(0x0C);
}

struct intr_msg {
	mach_msg_header_t h;
	uint32_t irq, count;
	mach_msg_trailer_t trailer;
};

/* One message from port within timeout_ms: MACH_MSG_SUCCESS with it in *m, or the receive's error. */
static mach_msg_return_t
receive(mach_port_t port, struct intr_msg *m, uint32_t timeout_ms)
{
	return mach_msg(&m->h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof *m, port, timeout_ms, MACH_PORT_NULL);
}

static void
drop_port(mach_port_t p)
{
	mach_port_deallocate(ME, p);
	mach_port_mod_refs(ME, p, MACH_PORT_RIGHT_RECEIVE, -1);
}

/* ---- who may ask ---- */

static void
a_task_without_the_device_port_is_refused_every_call(void)
{
	mach_port_t host = mach_host_self(), p = MACH_PORT_NULL, ns_task = MACH_PORT_NULL;
	uint32_t a = 0, b = 0;

	CHECK_EQ(host_get_device_port(host, &p), KERN_INVALID_HOST);	/* the ordinary host port */
	/* a port that is not the device port: a kernel object that knows none of these ids */
	CHECK_EQ(device_io_port_grant(host, ME, 0x70, 2), MIG_BAD_ID);
	CHECK_EQ(device_intr_attach(host, ME, RTC_IRQ, host), MIG_BAD_ID);
	CHECK_EQ(device_intr_ack(host, ME, RTC_IRQ), MIG_BAD_ID);
	CHECK_EQ(device_intr_detach(host, ME, RTC_IRQ), MIG_BAD_ID);
	CHECK_EQ(device_map(host, ME, 0xFEBC0000u, PAGE, &a), MIG_BAD_ID);
	CHECK_EQ(device_dma_allocate(host, ME, PAGE, 0, &a, &b), MIG_BAD_ID);
	CHECK_EQ(device_map(MACH_PORT_NULL, ME, 0xFEBC0000u, PAGE, &a), MACH_SEND_INVALID_DEST);
	mach_port_deallocate(ME, host);
	/* the bootstrap gives the port to drivers only: ns is not one */
	CHECK_EQ(ns_lookup(ns, "/tasks/ns", &ns_task), KERN_SUCCESS);
	CHECK_EQ(bootstrap_device_port(bootstrap, ns_task, &p), KERN_NO_ACCESS);
	CHECK_EQ(bootstrap_device_port(bootstrap, ME, &p), KERN_SUCCESS);
	CHECK_EQ(p, device);		/* the same port: the same name */
	mach_port_deallocate(ME, p);
	/* nor does a driver get the clock's control port, which only a line with `clock` gets */
	p = MACH_PORT_NULL;
	CHECK_EQ(bootstrap_clock_control(bootstrap, ME, &p), KERN_NO_ACCESS);
	CHECK_EQ(bootstrap_clock_control(bootstrap, ns_task, &p), KERN_NO_ACCESS);
	CHECK_EQ(p, MACH_PORT_NULL);
	/* and writing PCI configuration needs it */
	CHECK_EQ(pci_config_write(pci, ns_task, 0, 3, 0, 0x04, 2, 0), KERN_NO_ACCESS);
	mach_port_deallocate(ME, ns_task);
}

static void
bad_requests_get_named_errors(void)
{
	mach_port_t port = port_with_send(), host = mach_host_self();
	uint32_t a = 0, b = 0;

	CHECK_EQ(device_intr_attach(device, ME, 0, port), KERN_NO_ACCESS);	/* the timer */
	CHECK_EQ(device_intr_attach(device, ME, 2, port), KERN_NO_ACCESS);	/* the cascade */
	CHECK_EQ(device_intr_attach(device, ME, 4, port), KERN_NO_ACCESS);	/* COM1 */
	CHECK_EQ(device_intr_attach(device, ME, 16, port), KERN_INVALID_ARGUMENT);
	CHECK_EQ(device_intr_attach(device, ME, RTC_IRQ, MACH_PORT_NULL), KERN_INVALID_ARGUMENT);
	CHECK_EQ(device_intr_attach(device, host, RTC_IRQ, port), KERN_INVALID_TASK);
	CHECK_EQ(device_intr_ack(device, ME, RTC_IRQ), KERN_INVALID_ARGUMENT);	/* not ours */
	CHECK_EQ(device_intr_detach(device, ME, RTC_IRQ), KERN_INVALID_ARGUMENT);
	CHECK_EQ(device_io_port_grant(device, ME, 0x20, 1), KERN_NO_ACCESS);	/* the PIC */
	CHECK_EQ(device_io_port_grant(device, ME, 0x3F0, 16), KERN_NO_ACCESS);	/* reaches COM1 */
	CHECK_EQ(device_io_port_grant(device, ME, 0xFFFF, 2), KERN_INVALID_ARGUMENT);
	CHECK_EQ(device_io_port_grant(device, ME, 0x80, 0), KERN_INVALID_ARGUMENT);
	CHECK_EQ(device_io_port_grant(device, host, 0x80, 1), KERN_INVALID_TASK);
	CHECK_EQ(device_map(device, ME, 0xFEBC0004u, PAGE, &a), KERN_INVALID_ARGUMENT);	/* unaligned */
	CHECK_EQ(device_map(device, ME, 0xFEBC0000u, 0, &a), KERN_INVALID_ARGUMENT);
	CHECK_EQ(device_map(device, ME, 0xFFFFF000u, 2 * PAGE, &a), KERN_INVALID_ARGUMENT);	/* wraps */
	CHECK_EQ(device_map(device, ME, 0x00100000u, PAGE, &a), KERN_INVALID_ADDRESS);	/* RAM */
	CHECK_EQ(device_dma_allocate(device, ME, 0, 0, &a, &b), KERN_INVALID_ARGUMENT);
	CHECK_EQ(device_dma_allocate(device, ME, 64u << 20, 0, &a, &b), KERN_RESOURCE_SHORTAGE);
	CHECK_EQ(device_dma_allocate(device, ME, PAGE, 0x1000, &a, &b), KERN_INVALID_ADDRESS);
	CHECK_EQ(device_dma_allocate(device, host, PAGE, 0, &a, &b), KERN_INVALID_TASK);
	mach_port_deallocate(ME, host);
	drop_port(port);
}

/* ---- I/O ports ---- */

static void
read_the_rtc(void)
{
	(void)inb(0x71);
	for (;;)
		;
}

static void
post_code_then_ud2(void)
{
	outb(0x80, 0x42);
	__asm__ volatile("ud2");
	for (;;)
		;
}

/* Starts a thread of child at fn with its exception port exc; the exception's trap number comes back. */
static int
trap_of_child_running(mach_port_t child, void (*fn)(void), mach_port_t exc)
{
	struct {
		mach_msg_header_t h;
		uint8_t body[512];
	} m;
	vm_address_t stack = 0;
	mach_port_t th = MACH_PORT_NULL;
	int32_t code0;

	if (vm_allocate(child, &stack, 4 * PAGE, 1) != KERN_SUCCESS ||
	    thread_at(child, (vm_address_t)fn, stack + 4 * PAGE - 16, &th) != KERN_SUCCESS)
		return -1;
	thread_set_special_port(th, THREAD_EXCEPTION_PORT, exc);
	thread_resume(th);
	if (mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, exc, 10000, MACH_PORT_NULL) != MACH_MSG_SUCCESS)
		return -2;
	/* header, body, thread and task descriptors, exception, code count, code[0] */
	memcpy(&code0, (uint8_t *)&m + 60, sizeof code0);
	thread_terminate(th);
	mach_msg_destroy(&m.h);
	mach_port_deallocate(ME, th);
	return code0;
}

/*
 * We hold 0x70-0x71 (main). A child made from us has its own, empty I/O
 * bitmap: its read of the RTC is a general-protection fault (trap 13), not
 * the port; a port granted to the child is its own.
 */
static void
io_ports_are_the_granted_tasks_alone(void)
{
	mach_port_t child = MACH_PORT_NULL, exc = port_with_send();

	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	CHECK_EQ(trap_of_child_running(child, read_the_rtc, exc), 13);
	CHECK_EQ(device_io_port_grant(device, child, 0x80, 1), KERN_SUCCESS);
	CHECK_EQ(trap_of_child_running(child, post_code_then_ud2, exc), 6);	/* the out went by: invalid opcode */
	CHECK_EQ(trap_of_child_running(child, read_the_rtc, exc), 13);		/* still not 0x70 */
	end_task_and_wait(child);
	drop_port(exc);
	(void)cmos_read(0x0C);		/* and ours still work */
}

/* ---- interrupts ---- */

static void
rtc_interrupts_arrive_as_messages_one_per_ack(void)
{
	mach_port_t port = port_with_send();
	struct intr_msg m;

	device_intr_detach(device, ME, RTC_IRQ);	/* a failed case before may have left it */
	CHECK_EQ(device_intr_attach(device, ME, RTC_IRQ, port), KERN_SUCCESS);
	rtc_periodic(1);
	for (uint32_t i = 1; i <= 5; i++) {
		CHECK_EQ(receive(port, &m, 10000), MACH_MSG_SUCCESS);
		CHECK_EQ(m.h.msgh_id, DEVICE_INTR_ID);
		CHECK_EQ(m.irq, RTC_IRQ);
		CHECK_EQ(m.count, i);			/* none taken while the line was masked */
		/* IRQF and PF: the clock did interrupt. The first may be an edge the 8259
		 * latched while the line was masked, before we started the clock. */
		CHECK((cmos_read(0x0C) & 0xC0) == 0xC0 || i == 1);
		/* the clock interrupts again at once, but the line is masked until our ack */
		CHECK_EQ(receive(port, &m, 30), MACH_RCV_TIMED_OUT);
		CHECK_EQ(device_intr_ack(device, ME, RTC_IRQ), KERN_SUCCESS);
	}
	rtc_periodic(0);
	CHECK_EQ(device_intr_detach(device, ME, RTC_IRQ), KERN_SUCCESS);
	CHECK_EQ(device_intr_detach(device, ME, RTC_IRQ), KERN_INVALID_ARGUMENT);
	drop_port(port);
}

/*
 * The device_intr_ack trap (driver_irq_ack): the line's owner unmasks it
 * without the device port; any other task, a line nobody attached, a line the
 * kernel keeps and a number that is no line get named errors, and a refused
 * ack leaves the line masked.
 */
static void
the_ack_trap_unmasks_the_callers_own_line_alone(void)
{
	mach_port_t child = MACH_PORT_NULL, theirs = port_with_send(), ours = port_with_send(), keeper = MACH_PORT_NULL;
	struct intr_msg m;

	device_intr_detach(device, ME, RTC_IRQ);	/* a failed case before may have left it */
	CHECK_EQ(trap_device_intr_ack(DEVICE_NIRQ_FOR_TESTS), KERN_INVALID_ARGUMENT);
	CHECK_EQ(trap_device_intr_ack(0xFFFFFFFFu), KERN_INVALID_ARGUMENT);
	CHECK_EQ(trap_device_intr_ack(RTC_IRQ), KERN_NO_ACCESS);	/* attached by nobody */
	CHECK_EQ(trap_device_intr_ack(0), KERN_NO_ACCESS);		/* the kernel's timer */
	/* another task's line: its first interrupt stays unacked, our ack is refused */
	CHECK_EQ(task_create(ME, 0, &child), KERN_SUCCESS);
	CHECK_EQ(thread_create(child, &keeper), KERN_SUCCESS);
	CHECK_EQ(device_intr_attach(device, child, RTC_IRQ, theirs), KERN_SUCCESS);
	rtc_periodic(1);
	CHECK_EQ(receive(theirs, &m, 10000), MACH_MSG_SUCCESS);
	CHECK_EQ(m.count, 1);
	cmos_read(0x0C);
	CHECK_EQ(trap_device_intr_ack(RTC_IRQ), KERN_NO_ACCESS);
	CHECK_EQ(receive(theirs, &m, 50), MACH_RCV_TIMED_OUT);	/* still masked */
	mach_port_deallocate(ME, keeper);
	end_task_and_wait(child);
	/* our own line: one message per trap ack, as with the RPC */
	CHECK_EQ(device_intr_attach(device, ME, RTC_IRQ, ours), KERN_SUCCESS);
	cmos_read(0x0C);
	for (uint32_t i = 1; i <= 4; i++) {
		CHECK_EQ(receive(ours, &m, 10000), MACH_MSG_SUCCESS);
		CHECK_EQ(m.count, i);
		cmos_read(0x0C);
		CHECK_EQ(receive(ours, &m, 30), MACH_RCV_TIMED_OUT);
		CHECK_EQ(driver_irq_ack(RTC_IRQ), KERN_SUCCESS);
	}
	rtc_periodic(0);
	CHECK_EQ(device_intr_detach(device, ME, RTC_IRQ), KERN_SUCCESS);
	CHECK_EQ(trap_device_intr_ack(RTC_IRQ), KERN_NO_ACCESS);	/* detached: ours no more */
	drop_port(theirs);
	drop_port(ours);
}

/*
 * A driver dies holding IRQ 8, I/O ports, device memory and DMA memory: the
 * line is masked and free again (we attach it and its interrupts come to us),
 * and the leak check sees the bitmap and the DMA pages back.
 */
static void
a_dead_drivers_interrupt_and_memory_go_back(void)
{
	mach_port_t child = MACH_PORT_NULL, theirs = port_with_send(), ours = port_with_send(), keeper = MACH_PORT_NULL;
	uint32_t a = 0, b = 0, info[PCI_INFO_WORDS];
	mach_msg_type_number_t n = PCI_INFO_WORDS;
	struct intr_msg m;

	device_intr_detach(device, ME, RTC_IRQ);	/* a failed case before may have left it */
	CHECK_EQ(pci_find(pci, 0x8086, 0x100e, 0, info, &n), KERN_SUCCESS);
	CHECK_EQ(task_create(ME, 0, &child), KERN_SUCCESS);
	CHECK_EQ(thread_create(child, &keeper), KERN_SUCCESS);		/* suspended: a driver that waits */
	CHECK_EQ(device_intr_attach(device, child, RTC_IRQ, theirs), KERN_SUCCESS);
	CHECK_EQ(device_intr_attach(device, ME, RTC_IRQ, ours), KERN_RIGHT_EXISTS);
	CHECK_EQ(device_io_port_grant(device, child, 0x300, 32), KERN_SUCCESS);
	CHECK_EQ(device_map(device, child, PCI_BAR_ADDRESS(info[PCI_INFO_BAR0]), 128 * 1024, &a), KERN_SUCCESS);
	CHECK_EQ(device_dma_allocate(device, child, 64 * 1024, 0, &a, &b), KERN_SUCCESS);
	rtc_periodic(1);
	CHECK_EQ(receive(theirs, &m, 10000), MACH_MSG_SUCCESS);		/* the child's, never acked */
	CHECK_EQ(m.count, 1);
	mach_port_deallocate(ME, keeper);
	end_task_and_wait(child);
	CHECK_EQ(device_intr_attach(device, ME, RTC_IRQ, ours), KERN_SUCCESS);
	cmos_read(0x0C);	/* the clock may have stopped at an unread interrupt */
	CHECK_EQ(receive(ours, &m, 10000), MACH_MSG_SUCCESS);
	CHECK_EQ(m.count, 1);		/* a new attachment */
	rtc_periodic(0);
	CHECK_EQ(device_intr_detach(device, ME, RTC_IRQ), KERN_SUCCESS);
	CHECK_EQ(receive(theirs, &m, 0), MACH_RCV_TIMED_OUT);		/* nothing more went to the dead one's port */
	drop_port(theirs);
	drop_port(ours);
}

/* ---- device and DMA memory ---- */

/* Sends [addr, addr + size) out of line to a port of ours, and drops it: the send's result. */
static mach_msg_return_t
send_out_of_line(vm_address_t addr, uint32_t size)
{
	struct {
		mach_msg_header_t h;
		mach_msg_body_t body;
		mach_msg_ool_descriptor_t ool;
		mach_msg_trailer_t trailer;
	} m;
	mach_port_t port = port_with_send();
	mach_msg_return_t mr;

	memset(&m, 0, sizeof m);
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	m.h.msgh_size = sizeof m - sizeof m.trailer;
	m.h.msgh_remote_port = port;
	m.body.msgh_descriptor_count = 1;
	m.ool.address = addr;
	m.ool.size = size;
	m.ool.copy = MACH_MSG_VIRTUAL_COPY;
	m.ool.type = MACH_MSG_OOL_DESCRIPTOR;
	mr = mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, m.h.msgh_size, 0, MACH_PORT_NULL, 1000, MACH_PORT_NULL);
	drop_port(port);	/* with what it queued */
	return mr;
}

static void
e1000_bar0_maps_uncached_and_refuses_copies(void)
{
	uint32_t info[PCI_INFO_WORDS], addr = 0, status;
	mach_msg_type_number_t n = PCI_INFO_WORDS, cnt = 0;
	vm_offset_t data = 0;
	mach_port_t child = MACH_PORT_NULL;
	vm_address_t at;

	CHECK_EQ(pci_find(pci, 0x8086, 0x100e, 0, info, &n), KERN_SUCCESS);
	CHECK(!PCI_BAR_IS_IO(info[PCI_INFO_BAR0]));
	CHECK_EQ(info[PCI_INFO_SIZE0], 128 * 1024);
	CHECK_EQ(device_map(device, ME, PCI_BAR_ADDRESS(info[PCI_INFO_BAR0]), info[PCI_INFO_SIZE0], &addr),
		 KERN_SUCCESS);
	status = *(volatile uint32_t *)(addr + E1000_STATUS);
	CHECK(status != 0xFFFFFFFFu);
	CHECK_EQ(status & 3, 3);		/* full duplex, link up: a NIC answers there */
	CHECK_EQ(vm_read(ME, addr, PAGE, &data, &cnt), KERN_DEVICE_MEMORY);
	CHECK_EQ(vm_write(ME, addr, (vm_offset_t)page_buf, PAGE), KERN_DEVICE_MEMORY);
	CHECK_EQ(vm_copy(ME, addr, PAGE, addr + PAGE), KERN_DEVICE_MEMORY);
	CHECK_EQ(send_out_of_line(addr, PAGE), MACH_SEND_INVALID_MEMORY);
	CHECK_EQ(send_out_of_line((vm_address_t)page_buf, PAGE), MACH_MSG_SUCCESS);	/* RAM goes */
	/* a child made with our memory does not get it */
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	at = addr;
	{
		vm_size_t size = 0;
		vm_prot_t p, m;
		vm_inherit_t in;
		boolean_t sh;
		mach_port_t name = MACH_PORT_NULL;
		vm_offset_t off;
		kern_return_t kr = vm_region(child, &at, &size, &p, &m, &in, &sh, &name, &off);
		CHECK(kr != KERN_SUCCESS || at >= addr + info[PCI_INFO_SIZE0]);
	}
	end_task_and_wait(child);
	CHECK_EQ(vm_deallocate(ME, addr, info[PCI_INFO_SIZE0]), KERN_SUCCESS);
}

/*
 * Three pages of DMA memory; the e1000 proves their physical address: its
 * transmit ring goes in the third page, at phys + 2 pages, a frame in the
 * first, and after the send the NIC writes the descriptor's DD bit where we
 * see it. Bus mastering is switched on through the pci server (a driver's
 * pci_config_write) and back off.
 */
static void
dma_memory_is_contiguous_at_the_address_it_says(void)
{
	uint32_t info[PCI_INFO_WORDS], regs = 0, addr = 0, phys = 0, command = 0, loc;
	mach_msg_type_number_t n = PCI_INFO_WORDS;
	volatile uint32_t *r;
	volatile uint8_t *desc;
	int done = 0;

	CHECK_EQ(device_dma_allocate(device, ME, 3 * PAGE, 0, &addr, &phys), KERN_SUCCESS);
	CHECK_EQ(phys % PAGE, 0);
	for (uint32_t i = 0; i < 3 * PAGE; i += 4)
		CHECK_EQ(*(volatile uint32_t *)(addr + i), 0);	/* zeroed */
	CHECK_EQ(pci_find(pci, 0x8086, 0x100e, 0, info, &n), KERN_SUCCESS);
	loc = info[PCI_INFO_LOCATION];
	CHECK_EQ(device_map(device, ME, PCI_BAR_ADDRESS(info[PCI_INFO_BAR0]), info[PCI_INFO_SIZE0], &regs),
		 KERN_SUCCESS);
	CHECK_EQ(pci_config_read(pci, PCI_BUS(loc), PCI_SLOT(loc), PCI_FUNC(loc), 0x04, 2, &command), KERN_SUCCESS);
	CHECK_EQ(pci_config_write(pci, device, PCI_BUS(loc), PCI_SLOT(loc), PCI_FUNC(loc), 0x04, 2, command | 0x6),
		 KERN_SUCCESS);		/* memory space and bus master */
	/* a 60-byte broadcast frame in page 0, one descriptor of a ring of 8 in page 2 */
	memset((void *)addr, 0xFF, 12);
	*(volatile uint16_t *)(addr + 12) = 0x0608;
	desc = (volatile uint8_t *)(addr + 2 * PAGE);
	*(volatile uint32_t *)desc = phys;		/* buffer address, low and high */
	*(volatile uint32_t *)(desc + 4) = 0;
	*(volatile uint16_t *)(desc + 8) = 60;		/* length */
	desc[11] = 0x01 | 0x02 | 0x08;			/* EOP, IFCS, RS: report status */
	r = (volatile uint32_t *)regs;
	r[0x3800 / 4] = phys + 2 * PAGE;		/* TDBAL, TDBAH, TDLEN, TDH, TDT */
	r[0x3804 / 4] = 0;
	r[0x3808 / 4] = 128;
	r[0x3810 / 4] = 0;
	r[0x3818 / 4] = 0;
	r[0x400 / 4] = 0x2 | 0x8;			/* TCTL: EN, PSP */
	r[0x3818 / 4] = 1;				/* the tail moves past our descriptor: send */
	for (int i = 0; i < 100000 && !done; i++) {
		done = desc[12] & 0x01;			/* DD */
		if (!done)
			thread_switch(MACH_PORT_NULL, 0, 0);
	}
	r[0x400 / 4] = 0;
	pci_config_write(pci, device, PCI_BUS(loc), PCI_SLOT(loc), PCI_FUNC(loc), 0x04, 2, command);
	CHECK_EQ(vm_deallocate(ME, regs, info[PCI_INFO_SIZE0]), KERN_SUCCESS);
	CHECK(done);
	/* RAM, so not mappable as a device; and never copied */
	CHECK_EQ(device_map(device, ME, phys, PAGE, &regs), KERN_INVALID_ADDRESS);
	CHECK_EQ(vm_read(ME, addr, PAGE, &(vm_offset_t){ 0 }, &n), KERN_DEVICE_MEMORY);
	CHECK_EQ(vm_deallocate(ME, addr, 3 * PAGE), KERN_SUCCESS);
}

static void
dma_memory_stops_at_the_tasks_quota(void)
{
	uint32_t a1 = 0, a2 = 0, p = 0;

	CHECK_EQ(device_dma_allocate(device, ME, 3u << 20, 0, &a1, &p), KERN_SUCCESS);
	CHECK_EQ(device_dma_allocate(device, ME, 2u << 20, 0, &a2, &p), KERN_RESOURCE_SHORTAGE);
	CHECK_EQ(vm_deallocate(ME, a1, 3u << 20), KERN_SUCCESS);
	CHECK_EQ(device_dma_allocate(device, ME, 2u << 20, 0x01000000u, &a2, &p), KERN_SUCCESS);
	CHECK(p + (2u << 20) <= 0x01000000u);		/* below the limit asked for */
	CHECK_EQ(vm_deallocate(ME, a2, 2u << 20), KERN_SUCCESS);
}

/* ---- pci ---- */

static int
listed(const uint32_t *list, uint32_t count, uint32_t id)
{
	for (uint32_t i = 0; i < count; i++)
		if (list[i * PCI_INFO_WORDS + PCI_INFO_ID] == id)
			return 1;
	return 0;
}

static void
pci_lists_the_bridge_the_piix_and_the_nic(void)
{
	static uint32_t list[PCI_MAX_FUNCTIONS * PCI_INFO_WORDS];
	mach_msg_type_number_t n = PCI_MAX_FUNCTIONS * PCI_INFO_WORDS;
	uint32_t count = 0, value = 0, info[PCI_INFO_WORDS];

	CHECK_EQ(pci_list(pci, &count, list, &n), KERN_SUCCESS);
	CHECK_EQ(n, count * PCI_INFO_WORDS);
	CHECK(listed(list, count, 0x12378086u));	/* i440FX host bridge */
	CHECK(listed(list, count, 0x70008086u));	/* PIIX3 */
	CHECK(listed(list, count, 0x100e8086u));	/* 82540EM */
	CHECK_EQ(pci_config_read(pci, 0, 0, 0, 0x00, 4, &value), KERN_SUCCESS);
	CHECK_EQ(value, 0x12378086u);
	CHECK_EQ(pci_config_read(pci, 0, 0, 0, 0x02, 2, &value), KERN_SUCCESS);
	CHECK_EQ(value, 0x1237);
	CHECK_EQ(pci_config_read(pci, 0, 0, 0, 0x01, 2, &value), KERN_INVALID_ARGUMENT);	/* unaligned */
	CHECK_EQ(pci_config_read(pci, 0, 32, 0, 0x00, 4, &value), KERN_INVALID_ARGUMENT);
	n = PCI_INFO_WORDS;
	CHECK_EQ(pci_find(pci, 0x8086, 0x100e, 1, info, &n), KERN_INVALID_NAME);	/* only one */
}

/*
 * The shell's `pci`, run by a shell module we start (run=pci), read back from
 * the console server. main() runs it before the cases: the console server
 * keeps two ports for a while after a module that printed is gone, which
 * the leak check would count against this case.
 */
static char shell_output[4096];
static kern_return_t shell_result = KERN_FAILURE;

static void
run_the_shells_pci(void)
{
	mach_port_t console = MACH_PORT_NULL, shell = MACH_PORT_NULL;
	uint32_t id = 0;

	if ((shell_result = ns_lookup(ns, "/servers/console", &console)) != KERN_SUCCESS)
		return;
	shell_result = bootstrap_module_start(bootstrap, SHELL_MODULE, &id, &shell);
	if (shell_result == KERN_SUCCESS) {
		shell_result = wait_dead_name(shell) ? KERN_SUCCESS : KERN_OPERATION_TIMED_OUT;
		mach_port_deallocate(ME, shell);
	}
	if (shell_result == KERN_SUCCESS)
		shell_result = console_recent(console, shell_output);
	mach_port_deallocate(ME, console);
}

static void
the_shells_pci_prints_lspci_lines(void)
{
	CHECK_EQ(shell_result, KERN_SUCCESS);
	CHECK(strstr(shell_output, "00:00.0 0600: 8086:1237") != NULL);
	CHECK(strstr(shell_output, "00:01.0 0601: 8086:7000") != NULL);
	CHECK(strstr(shell_output, " 0200: 8086:100e (rev 03) BAR0=mem:0xfebc0000/128K") != NULL);
}

/*
 * The pci server killed: the bootstrap starts it again (restart=always), and
 * the new instance gets its configuration ports again at its checkin, or its
 * scan would fault and pci_list would never be answered. Our right to
 * /servers/pci reaches it (pci_list is retried after the death). The last
 * case, and without the leak check: a new instance's ports (its task's, its
 * console session) are not the old one's.
 */
static int skip_leak_check;

static void
a_restarted_pci_server_gets_its_ports_again(void)
{
	static uint32_t list[PCI_MAX_FUNCTIONS * PCI_INFO_WORDS];
	mach_msg_type_number_t n = PCI_MAX_FUNCTIONS * PCI_INFO_WORDS;
	mach_port_t task = MACH_PORT_NULL;
	uint32_t count = 0;

	skip_leak_check = 1;
	CHECK_EQ(ns_lookup(ns, "/tasks/pci", &task), KERN_SUCCESS);
	end_task_and_wait(task);
	CHECK_EQ(pci_list(pci, &count, list, &n), KERN_SUCCESS);
	CHECK(listed(list, count, 0x100e8086u));
}

#define T(name) { #name, name }
static const struct test tests[] = {
	T(a_task_without_the_device_port_is_refused_every_call),
	T(bad_requests_get_named_errors),
	T(io_ports_are_the_granted_tasks_alone),
	T(rtc_interrupts_arrive_as_messages_one_per_ack),
	T(the_ack_trap_unmasks_the_callers_own_line_alone),
	T(a_dead_drivers_interrupt_and_memory_go_back),
	T(e1000_bar0_maps_uncached_and_refuses_copies),
	T(dma_memory_is_contiguous_at_the_address_it_says),
	T(dma_memory_stops_at_the_tasks_quota),
	T(pci_lists_the_bridge_the_piix_and_the_nic),
	T(the_shells_pci_prints_lspci_lines),
	T(a_restarted_pci_server_gets_its_ports_again),
};

/*
 * The servers beside us (the console's sessions, the bootstrap's and ns's
 * bookkeeping) finish a dead task's business a little after it is gone, and
 * the kernel holds DMA pages for 2 s after their region went (the device may
 * still write them: kernel/vm/dma_hold.c): the counts are looked at again, up
 * to 4 s, before a difference counts.
 */
static const char *
leaks_after_settling(long long *delta)
{
	const char *what = NULL;

	if (skip_leak_check)
		return NULL;
	for (int i = 0; i < 80 && (what = kernel_leaks_after(delta)) != NULL; i++) {
		mach_port_t p = port_with_send();
		struct intr_msg m;
		receive(p, &m, 50);	/* a sleep */
		drop_port(p);
	}
	return what;
}
static const struct leak_check leaks = { kernel_leaks_before, leaks_after_settling };

int
main(int argc, char **argv)
{
	kern_return_t kr;
	int fail;

	if ((kr = msg_device_port(&device)) != KERN_SUCCESS ||
	    (kr = task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns)) != KERN_SUCCESS ||
	    (kr = ns_wait(ns, "/servers/bootstrap", 5000, &bootstrap)) != KERN_SUCCESS ||
	    (kr = ns_wait(ns, "/servers/pci", 5000, &pci)) != KERN_SUCCESS ||
	    (kr = device_io_port_grant(device, ME, 0x70, 2)) != KERN_SUCCESS) {
		printf("devtest: cannot start: %s\n", kern_return_name(kr));
		trap_debug_exit(0x11);
	}
	rtc_periodic(0);
	printf("devtest: a driver, with the device port\n");	/* our console session, before the leak checks */
	run_the_shells_pci();
	fail = run_suite("dev", tests, (int)(sizeof tests / sizeof tests[0]), &leaks);
	trap_debug_exit(fail ? 0x11 : 0x10);
	return fail;
}
