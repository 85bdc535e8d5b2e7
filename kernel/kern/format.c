/*
 * vsnprintf for the kernel: %d %i %u %x %X %o %p %s %c %%, with '-', '0', '#'
 * and width, precision on strings, and the l, ll, z length modifiers. Portable C:
 * tests/unit builds it on the host too.
 */
#include <kern/lib.h>

struct out {
	char *buf;
	size_t size, len;
};

static void
put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void
put_padded(struct out *o, const char *s, size_t n, int width, bool left, char pad)
{
	int fill;

	if (!left && pad == '0' && n && (*s == '-')) {
		put(o, *s++);
		n--;
		width--;
	} else if (!left && pad == '0' && n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		put(o, *s++);
		put(o, *s++);
		n -= 2;
		width -= 2;
	}
	fill = width > (int)n ? width - (int)n : 0;
	if (!left)
		while (fill-- > 0)
			put(o, pad);
	while (n--)
		put(o, *s++);
	if (left)
		while (fill-- > 0)
			put(o, ' ');
}

static size_t
utoa(char *tmp, unsigned long long v, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char rev[24];
	size_t n = 0, i;

	do {
		rev[n++] = digits[v % base];
		v /= base;
	} while (v);
	for (i = 0; i < n; i++)
		tmp[i] = rev[n - 1 - i];
	return n;
}

int
vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		bool left = false, is_signed = false, upper = false, alt = false;
		char pad = ' ', tmp[26];
		int width = 0, prec = -1, lng = 0;
		unsigned base = 10;
		unsigned long long v;
		size_t n;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '#')
				alt = true;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng += *fmt == 'z' ? (sizeof(size_t) == sizeof(long) ? 1 : 0) : 1;

		switch (*fmt) {
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			put_padded(&o, tmp, 1, width, left, ' ');
			continue;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			n = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
			put_padded(&o, s, n, width, left, ' ');
			continue;
		}
		case '%':
			put(&o, '%');
			continue;
		case 'p':
			v = (uintptr_t)va_arg(ap, void *);
			tmp[0] = '0';
			tmp[1] = 'x';
			n = 2 + utoa(tmp + 2, v, 16, false);
			put_padded(&o, tmp, n, width, left, ' ');
			continue;
		case 'd':
		case 'i':
			is_signed = true;
			break;
		case 'u':
			break;
		case 'X':
			upper = true;
			/* fall through */
		case 'x':
			base = 16;
			break;
		case 'o':
			base = 8;
			break;
		default:	/* unknown conversion: show it rather than eat arguments */
			put(&o, '%');
			if (*fmt)
				put(&o, *fmt);
			else
				fmt--;
			continue;
		}
		if (lng >= 2)
			v = is_signed ? (unsigned long long)va_arg(ap, long long) : va_arg(ap, unsigned long long);
		else if (lng == 1)
			v = is_signed ? (unsigned long long)(long long)va_arg(ap, long) : va_arg(ap, unsigned long);
		else
			v = is_signed ? (unsigned long long)(long long)va_arg(ap, int) : va_arg(ap, unsigned int);
		n = 0;
		if (is_signed && (long long)v < 0) {
			tmp[n++] = '-';
			v = -v;
		} else if (alt && base == 16) {
			tmp[n++] = '0';
			tmp[n++] = upper ? 'X' : 'x';
		}
		n += utoa(tmp + n, v, base, upper);
		put_padded(&o, tmp, n, width, left, left ? ' ' : pad);
	}
	if (size)
		o.buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int
snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
