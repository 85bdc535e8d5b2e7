/*
 * The CMOS real-time clock, read once at boot for the time of day
 * (kern/walltime.c). Its registers hold seconds to years, in BCD or binary,
 * 12- or 24-hour, as register B says; QEMU and Linux keep it in UTC. It is
 * never written: host_set_time moves the kernel's time of day only.
 * arch_cmos_read gives one register as it reads now (the kernel suite's
 * clock case watches the seconds turn over).
 */
#include <stdint.h>
#include <kern/walltime.h>
#include "cpu.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71

uint8_t
arch_cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (eras of 400 years). */
static int64_t
days_since_epoch(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned year_of_era, day_of_year, day_of_era;

	y -= m <= 2;	/* the year counted from March, so February's leap day ends it */
	era = (y >= 0 ? y : y - 399) / 400;
	year_of_era = (unsigned)(y - era * 400);
	day_of_year = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
	return era * 146097 + (int64_t)day_of_era - 719468;
}

int64_t
arch_rtc_seconds(void)
{
	static const uint8_t regs[7] = { 0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32 };	/* s m h day month year century */
	uint8_t r[7], again[7], b;
	bool pm, same = false;
	unsigned century;

	/* the same values twice, outside an update (whose values are half old, half new) */
	for (int tries = 0; tries < 1000 && !same; tries++) {
		if (arch_cmos_read(0x0A) & 0x80)
			continue;
		for (int i = 0; i < 7; i++)
			r[i] = arch_cmos_read(regs[i]);
		for (int i = 0; i < 7; i++)
			again[i] = arch_cmos_read(regs[i]);
		same = true;
		for (int i = 0; i < 7; i++)
			same = same && r[i] == again[i];
	}
	if (!same)
		return -1;
	b = arch_cmos_read(0x0B);
	pm = !(b & 0x02) && (r[2] & 0x80);
	r[2] &= 0x7F;
	if (!(b & 0x04))	/* BCD */
		for (int i = 0; i < 7; i++)
			r[i] = (uint8_t)((r[i] >> 4) * 10 + (r[i] & 0x0F));
	if (!(b & 0x02))	/* 12-hour: 12 AM is 0 */
		r[2] = (uint8_t)(r[2] % 12 + (pm ? 12 : 0));
	century = r[6] >= 19 && r[6] <= 30 ? r[6] : 20;
	if (r[0] > 59 || r[1] > 59 || r[2] > 23 || r[3] < 1 || r[3] > 31 || r[4] < 1 || r[4] > 12)
		return -1;
	return days_since_epoch(century * 100 + r[5], r[4], r[3]) * 86400 + r[2] * 3600 + r[1] * 60 + r[0];
}
