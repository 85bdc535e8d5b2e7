/*
 * The boot information the arch code collected (modules, command line), and
 * the kernel's options on that command line.
 */
#include <kern/boot.h>
#include <kern/lib.h>

struct boot_module boot_modules[BOOT_MAX_MODULES];
uint32_t boot_module_count;
char boot_cmdline[BOOT_CMDLINE_MAX];
const char *boot_loader_name = "unknown loader";
uint32_t boot_ram_ignored_kib;

#define MAX_OPTIONS 16

/* Values handed out by boot_option(); they live as long as the kernel. */
static struct {
	char name[32];
	char value[64];
} options[MAX_OPTIONS];
static int noptions;

const char *
boot_option(const char *name)
{
	char value[64];

	for (int i = 0; i < noptions; i++)
		if (strcmp(options[i].name, name) == 0)
			return options[i].value;
	if (!cmdline_lookup(boot_cmdline, name, value, sizeof value) || noptions == MAX_OPTIONS)
		return NULL;
	strlcpy(options[noptions].name, name, sizeof options[0].name);
	strlcpy(options[noptions].value, value, sizeof options[0].value);
	return options[noptions++].value;
}
