/*
 * The shell's `pci`: one line per PCI function, from the pci server's
 * pci_list, as `lspci -n` shows it (bus:slot.func, class and subclass,
 * vendor:device) followed by its BARs, with the sizes the server measured.
 */
#include <stdio.h>
#include <mach/mach.h>
#include <manifold/error.h>
#include <manifold/pci.h>
#include "commands.h"
#include "ns_client.h"
#include "pci_client.h"

/* A size as lspci writes it: 4K, 128K, 16M. */
static void
size_text(char *buf, size_t n, uint32_t size)
{
	if (size >= 1u << 20 && size % (1u << 20) == 0)
		snprintf(buf, n, "%uM", size >> 20);
	else if (size >= 1024 && size % 1024 == 0)
		snprintf(buf, n, "%uK", size >> 10);
	else
		snprintf(buf, n, "%u", size);
}

static void
print_function(const uint32_t *w)
{
	uint32_t loc = w[PCI_INFO_LOCATION], cls = w[PCI_INFO_CLASS];
	char line[256], size[16];
	int at;

	at = snprintf(line, sizeof line, "%02x:%02x.%x %04x: %04x:%04x (rev %02x)", PCI_BUS(loc), PCI_SLOT(loc),
		      PCI_FUNC(loc), cls >> 16, w[PCI_INFO_ID] & 0xFFFF, w[PCI_INFO_ID] >> 16, cls & 0xFF);
	for (int i = 0; i < 6 && at < (int)sizeof line; i++) {
		uint32_t bar = w[PCI_INFO_BAR0 + i];
		if (!w[PCI_INFO_SIZE0 + i])
			continue;
		size_text(size, sizeof size, w[PCI_INFO_SIZE0 + i]);
		at += snprintf(line + at, sizeof line - (size_t)at, " BAR%d=%s:%#x/%s", i,
			       PCI_BAR_IS_IO(bar) ? "io" : "mem", PCI_BAR_ADDRESS(bar), size);
	}
	printf("%s\n", line);
}

void
cmd_pci(int argc, char **argv)
{
	static uint32_t list[PCI_MAX_FUNCTIONS * PCI_INFO_WORDS];
	mach_msg_type_number_t n = PCI_MAX_FUNCTIONS * PCI_INFO_WORDS;
	uint32_t count = 0;
	mach_port_t pci;
	kern_return_t kr = ns_wait(commands_ns(), "/servers/pci", 2000, &pci);	/* it may be scanning still */

	if (kr == KERN_SUCCESS) {
		kr = pci_list(pci, &count, list, &n);
		mach_port_deallocate(mach_task_self(), pci);
	}
	if (kr != KERN_SUCCESS) {
		printf("shell: pci failed: %s\n", kern_return_name(kr));
		return;
	}
	for (uint32_t i = 0; i < count && (i + 1) * PCI_INFO_WORDS <= n; i++)
		print_function(&list[i * PCI_INFO_WORDS]);
}
