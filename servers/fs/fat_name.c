/*
 * FAT names and times: which long names are allowed, short (8.3) names made
 * from long ones with a numeric tail, the long-name checksum, names compared
 * without case as FAT does, and DOS dates (local time is taken as UTC).
 */
#include <string.h>
#include "fat.h"

static bool
short_char_ok(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr("!#$%&'()-@^_`{}~", c));
}

/* UTF-8 to UCS-2 (the long name's encoding), with FAT's forbidden characters refused. */
int
fat_check_name(const char *name, size_t len, uint16_t *ucs, size_t *nucs)
{
	size_t n = 0;

	if (len == 0)
		return -FS_EINVAL;
	if (name[len - 1] == '.' || name[len - 1] == ' ')
		return -FS_EINVAL;	/* Windows drops these: the name would not round-trip */
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)name[i];
		uint32_t u;

		if (c < 0x80) {
			u = c;
			i++;
		} else if ((c & 0xE0) == 0xC0 && i + 1 < len && (name[i + 1] & 0xC0) == 0x80) {
			u = (uint32_t)(c & 0x1F) << 6 | (name[i + 1] & 0x3F);
			i += 2;
		} else if ((c & 0xF0) == 0xE0 && i + 2 < len && (name[i + 1] & 0xC0) == 0x80 &&
			   (name[i + 2] & 0xC0) == 0x80) {
			u = (uint32_t)(c & 0x0F) << 12 | (uint32_t)(name[i + 1] & 0x3F) << 6 | (name[i + 2] & 0x3F);
			i += 3;
		} else {
			return -FS_EINVAL;	/* not UTF-8, or outside the 16-bit range */
		}
		if (u < 0x20 || (u < 0x80 && strchr("\"*/:<>?\\|", (int)u)))
			return -FS_EINVAL;
		if (n == FS_NAME_MAX)
			return -FS_ENAMETOOLONG;
		ucs[n++] = (uint16_t)u;
	}
	*nucs = n;
	return 0;
}

size_t
fat_ucs_to_utf8(const uint16_t *ucs, size_t n, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		uint16_t u = ucs[i];

		if (u < 0x80 && o + 1 < size) {
			out[o++] = (char)u;
		} else if (u < 0x800 && o + 2 < size) {
			out[o++] = (char)(0xC0 | u >> 6);
			out[o++] = (char)(0x80 | (u & 0x3F));
		} else if (u >= 0x800 && o + 3 < size) {
			out[o++] = (char)(0xE0 | u >> 12);
			out[o++] = (char)(0x80 | ((u >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (u & 0x3F));
		}
	}
	out[o] = 0;
	return o;
}

uint8_t
fat_lfn_checksum(const uint8_t name[11])
{
	uint8_t sum = 0;

	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + name[i]);
	return sum;
}

/* name is already a valid upper-case 8.3 name: it needs no long-name entries. */
bool
fat_short_exact(const char *name, size_t len, uint8_t out[11])
{
	const char *dot = memchr(name, '.', len);
	size_t blen = dot ? (size_t)(dot - name) : len, elen = dot ? len - blen - 1 : 0;

	if (blen == 0 || blen > 8 || elen > 3 || (dot && elen == 0))
		return false;
	for (size_t i = 0; i < len; i++)
		if (name + i != dot && !short_char_ok((unsigned char)name[i]))
			return false;
	memset(out, ' ', 11);
	memcpy(out, name, blen);
	memcpy(out + 8, dot ? dot + 1 : "", elen);
	return true;
}

static char
to_short(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		c = (unsigned char)(c - 'a' + 'A');
	return short_char_ok(c) ? (char)c : '_';
}

/* The short name's basis (before a tail is added): upper case, no dots or spaces. */
void
fat_short_basis(const char *name, size_t len, uint8_t out[11])
{
	const char *last = NULL;
	size_t b = 0, e = 0;

	memset(out, ' ', 11);
	for (size_t i = 1; i < len; i++)
		if (name[i] == '.')
			last = name + i;
	for (const char *p = name; p < (last ? last : name + len) && b < 8; p++)
		if (*p != '.' && *p != ' ')
			out[b++] = (uint8_t)to_short((unsigned char)*p);
	for (const char *p = last ? last + 1 : name + len; p < name + len && e < 3; p++)
		if (*p != ' ' && *p != '.')
			out[8 + e++] = (uint8_t)to_short((unsigned char)*p);
	if (b == 0)
		out[0] = '_';
}

void
fat_short_tail(uint8_t name[11], unsigned n)
{
	char tail[12];
	size_t t = 0, b = 0;

	for (unsigned v = n; v; v /= 10)
		t++;
	tail[0] = '~';
	for (size_t i = t; i > 0; i--, n /= 10)
		tail[i] = (char)('0' + n % 10);
	t++;
	while (b < 8 && name[b] != ' ')
		b++;
	if (b > 8 - t)
		b = 8 - t;
	memcpy(name + b, tail, t);
	for (size_t i = b + t; i < 8; i++)
		name[i] = ' ';
}

size_t
fat_short_display(const struct fat_dirent *de, char *out)
{
	size_t n = 0;
	int b = 8, e = 3;

	while (b > 0 && de->name[b - 1] == ' ')
		b--;
	while (e > 0 && de->name[8 + e - 1] == ' ')
		e--;
	for (int i = 0; i < b; i++) {
		char c = (char)(i == 0 && de->name[0] == FAT_KANJI_E5 ? 0xE5 : de->name[i]);
		out[n++] = (de->ntres & FAT_CASE_LOWER_BASE) && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	if (e) {
		out[n++] = '.';
		for (int i = 0; i < e; i++) {
			char c = (char)de->name[8 + i];
			out[n++] = (de->ntres & FAT_CASE_LOWER_EXT) && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
		}
	}
	out[n] = 0;
	return n;
}

bool
fat_name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		char x = a[i], y = b[i];

		if (x >= 'a' && x <= 'z')
			x = (char)(x - 'a' + 'A');
		if (y >= 'a' && y <= 'z')
			y = (char)(y - 'a' + 'A');
		if (x != y)
			return false;
	}
	return true;
}

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

void
fat_time_to_dos(int64_t t, uint16_t *date, uint16_t *time)
{
	const int64_t first = 315532800;	/* 1980-01-01, the first date FAT can say */
	int64_t days, secs;
	int y = 1980, m = 0;

	if (t < first)
		t = first;
	days = (t - first) / 86400;
	secs = (t - first) % 86400;
	while (days >= (leap(y) ? 366 : 365) && y < 2107)
		days -= leap(y++) ? 366 : 365;
	while (m < 11 && days >= mdays[m] + (m == 1 && leap(y)))
		days -= mdays[m] + (m == 1 && leap(y)), m++;
	*date = (uint16_t)((y - 1980) << 9 | (m + 1) << 5 | (int)(days + 1));
	*time = (uint16_t)((secs / 3600) << 11 | (secs / 60 % 60) << 5 | (secs % 60) / 2);
}

int64_t
fat_time_from_dos(uint16_t date, uint16_t time)
{
	int y = 1980 + (date >> 9), m = (date >> 5) & 15, d = date & 31;
	int64_t days = 0;

	if (m < 1 || m > 12 || d < 1)
		return 315532800;
	for (int i = 1980; i < y; i++)
		days += leap(i) ? 366 : 365;
	for (int i = 0; i < m - 1; i++)
		days += mdays[i] + (i == 1 && leap(y));
	days += d - 1;
	return 315532800 + days * 86400 + (time >> 11) * 3600 + ((time >> 5) & 63) * 60 + (time & 31) * 2;
}
