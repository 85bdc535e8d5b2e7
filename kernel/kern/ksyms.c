/*
 * Looking up kernel addresses in the symbol table that tools/ksyms.sh generates
 * from the first link (sorted by address) and the second link embeds.
 */
#include <kern/ksyms.h>
#include <kern/lib.h>

extern const uint32_t ksyms_count;
extern const uint32_t ksyms_addr[];
extern const uint32_t ksyms_name[];
extern const char ksyms_strings[];

const char *
ksym_lookup(uint32_t addr, uint32_t *offset)
{
	uint32_t lo = 0, hi = ksyms_count;

	if (hi == 0 || addr < ksyms_addr[0])
		return NULL;
	while (hi - lo > 1) {	/* the last symbol at or below addr */
		uint32_t mid = (lo + hi) / 2;
		if (ksyms_addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksyms_addr[lo];
	return ksyms_strings + ksyms_name[lo];
}

void
ksym_print(uint32_t addr)
{
	uint32_t off;
	const char *name = ksym_lookup(addr, &off);

	if (name)
		kprintf("  %#010x %s+%#x\n", addr, name, off);
	else
		kprintf("  %#010x ?\n", addr);
}
