/*
 * ACPI's system description tables, read only to find where devices are
 * (ACPI specification 6.x, chapter 5.2): the RSDP found where a PC BIOS leaves
 * it (the first KiB of the EBDA, then 0xE0000-0xFFFFF on 16-byte
 * boundaries), its RSDT, or its XSDT when it has one below 4 GiB, and the
 * table with a given signature in it. Every structure's checksum is checked
 * before anything in it is believed; a table that fails is skipped.
 *
 * Tables below DIRECT_MAP_MAX are read through the direct map; one above it
 * (a machine with more memory keeps them near its top) through a device
 * window, which stays mapped: there are a few tables, read at boot.
 * Under UEFI without a legacy BIOS area there is no RSDP to find here
 * (multiboot 1 does not pass one): acpi_find says so and callers fall back.
 */
#include <kern/lib.h>
#include "acpi.h"
#include "layout.h"
#include "pmap.h"

#define SDT_HEADER_BYTES 36
#define SDT_TABLES_MAX	 64	/* entries of the RSDT/XSDT looked at */
#define TABLE_BYTES_MAX	 (64u * 1024u)	/* a longer table is not one of ours */

static bool
sums_to_zero(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;

	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0;
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t
le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* len bytes of physical memory at phys, readable; NULL when no window is left. */
static const uint8_t *
phys_view(uint32_t phys, uint32_t len)
{
	if (phys < DIRECT_MAP_MAX && len <= DIRECT_MAP_MAX - phys)
		return P2V(phys);
	return pmap_map_device(phys, len);
}

/* The RSDP in [from, from + len): 20 bytes (and 36 for revision 2 on) that sum to zero. */
static const uint8_t *
rsdp_in(uint32_t from, uint32_t len)
{
	const uint8_t *p = P2V(from);

	for (uint32_t off = 0; off + 20 <= len; off += 16) {
		const uint8_t *r = p + off;

		if (memcmp(r, "RSD PTR ", 8) != 0 || !sums_to_zero(r, 20))
			continue;
		if (r[15] >= 2 && (off + 36 > len || le32(r + 20) < 36 || !sums_to_zero(r, 36)))
			continue;
		return r;
	}
	return NULL;
}

static const uint8_t *
find_rsdp(void)
{
	uint32_t ebda = (uint32_t)*(const uint16_t *)P2V(0x40E) << 4;	/* the BIOS data area's word */
	const uint8_t *r = NULL;

	if (ebda >= 0x80000 && ebda < 0xA0000)
		r = rsdp_in(ebda, 1024);
	return r ? r : rsdp_in(0xE0000, 0x20000);
}

/* The table at phys, whole, when its signature is sig and its header and checksum hold; NULL otherwise. */
static const uint8_t *
table_at(uint64_t phys, const char sig[4], uint32_t *len)
{
	const uint8_t *h;

	if (phys == 0 || phys > 0xFFFFFFFFull - SDT_HEADER_BYTES)
		return NULL;
	/* the header alone first: most tables looked at are not the one */
	h = phys_view((uint32_t)phys, SDT_HEADER_BYTES);
	if (!h || memcmp(h, sig, 4) != 0)
		return NULL;
	*len = le32(h + 4);
	if (*len < SDT_HEADER_BYTES || *len > TABLE_BYTES_MAX || phys + *len - 1 > 0xFFFFFFFFull)
		return NULL;
	h = phys_view((uint32_t)phys, *len);
	return h && sums_to_zero(h, *len) ? h : NULL;
}

bool
acpi_find(const char sig[4], const uint8_t **table, uint32_t *len)
{
	const uint8_t *rsdp = find_rsdp(), *sdt;
	uint32_t sdt_len, entry = 4;
	uint64_t sdt_phys;

	if (!rsdp)
		return false;
	sdt_phys = le32(rsdp + 16);
	if (rsdp[15] >= 2 && le64(rsdp + 24) != 0 && le64(rsdp + 24) <= 0xFFFFFFFFull) {
		sdt_phys = le64(rsdp + 24);	/* the XSDT: 64-bit entries */
		entry = 8;
	}
	sdt = table_at(sdt_phys, entry == 8 ? "XSDT" : "RSDT", &sdt_len);
	if (!sdt)
		return false;
	for (uint32_t i = 0; i < SDT_TABLES_MAX && SDT_HEADER_BYTES + (i + 1) * entry <= sdt_len; i++) {
		const uint8_t *e = sdt + SDT_HEADER_BYTES + i * entry;

		if ((*table = table_at(entry == 8 ? le64(e) : le32(e), sig, len)) != NULL)
			return true;
	}
	return false;
}

bool
acpi_hpet_base(uint32_t *phys)
{
	const uint8_t *t;
	uint32_t len;
	uint64_t base;

	/* header, block id, then the base's Generic Address Structure: space (0: memory) at 40, address at 44 */
	if (!acpi_find("HPET", &t, &len) || len < 56 || t[40] != 0)
		return false;
	base = le64(t + 44);
	if (base == 0 || base > 0xFFFFFFFFull - 0x400 || (base & 0x3FF))
		return false;
	*phys = (uint32_t)base;
	return true;
}
