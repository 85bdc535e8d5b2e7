/*
 * Command-line words: splitting a module's line into argv, finding `name=value`
 * options on the kernel's line, and naming a task after its file. Loaders differ
 * (QEMU puts the kernel's own file name first, GRUB does not), so all of this
 * is tolerant of extra words. Portable C, tested on the host.
 */
#include <kern/boot.h>
#include <kern/lib.h>

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Splits line in place at blanks; returns the number of words (at most max). */
int
cmdline_split(char *line, char **argv, int max)
{
	int n = 0;

	while (*line && n < max) {
		while (is_space(*line))
			*line++ = 0;
		if (!*line)
			break;
		argv[n++] = line;
		while (*line && !is_space(*line))
			line++;
	}
	if (*line)
		*line = 0;
	return n;
}

/* How many words line holds (what cmdline_split would find with no limit). */
int
cmdline_words(const char *line)
{
	int n = 0;

	while (*line) {
		while (is_space(*line))
			line++;
		if (!*line)
			break;
		n++;
		while (*line && !is_space(*line))
			line++;
	}
	return n;
}

/*
 * Finds the word `name` or `name=value` in line. Copies the value (empty for a
 * bare name) into value, truncated to size, and returns 1; returns 0 if absent.
 */
int
cmdline_lookup(const char *line, const char *name, char *value, size_t size)
{
	size_t nlen = strlen(name);

	while (*line) {
		const char *w, *end;
		while (is_space(*line))
			line++;
		w = line;
		while (*line && !is_space(*line))
			line++;
		end = line;
		if ((size_t)(end - w) >= nlen && strncmp(w, name, nlen) == 0 &&
		    (w + nlen == end || w[nlen] == '=')) {
			const char *v = w + nlen + (w + nlen < end);
			size_t vlen = (size_t)(end - v);
			if (size) {
				vlen = MIN(vlen, size - 1);
				memcpy(value, v, vlen);
				value[vlen] = 0;
			}
			return 1;
		}
	}
	return 0;
}

/* "/boot/servers/ns.elf args" names its task "ns". */
void
cmdline_task_name(const char *cmdline, char *name, size_t size)
{
	const char *w = cmdline, *end, *slash;
	size_t n;

	while (is_space(*w))
		w++;
	end = w;
	while (*end && !is_space(*end))
		end++;
	for (slash = w; slash < end; slash++)
		if (*slash == '/')
			w = slash + 1;
	n = (size_t)(end - w);
	if (n > 4 && strncmp(end - 4, ".elf", 4) == 0)
		n -= 4;
	if (n == 0) {
		w = "task";
		n = 4;
	}
	n = MIN(n, size - 1);
	memcpy(name, w, n);
	name[n] = 0;
}
