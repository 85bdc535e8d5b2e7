/*
 * msgc, the interface compiler: `msgc -o DIR FILE.defs` reads a MIG-like interface
 * file and writes the client stubs and server demultiplexer of gen.h into DIR;
 * `-k TYPE` the kernel's decoders instead, `-K` the kernel's client side.
 * Errors in the .defs file are printed as `file:line: message`; the exit status is
 * then 1. See README.md for the language and the generated code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gen.h"
#include "parser.h"

static char *
read_whole_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t size = 0, used = 0, n;

	if (f == NULL)
		return NULL;
	do {
		if (used + 4096 + 1 > size) {
			size = (size + 4096) * 2;
			text = realloc(text, size);
			if (text == NULL)
				abort();
		}
		n = fread(text + used, 1, size - used - 1, f);
		used += n;
	} while (n > 0);
	if (ferror(f)) {
		free(text);
		fclose(f);
		return NULL;
	}
	fclose(f);
	if (memchr(text, '\0', used) != NULL) {
		errno = EINVAL;	/* a NUL would end the text early, silently */
		free(text);
		return NULL;
	}
	text[used] = '\0';
	return text;
}

static int
usage(void)
{
	fprintf(stderr, "usage: msgc [-k 'C TYPE OF THE OBJECT' | -K] -o OUTDIR FILE.defs\n");
	return 1;
}

int
main(int argc, char **argv)
{
	struct interface itf;
	struct diag diag = { 0 };
	const char *outdir, *path;
	char *text;
	bool ok, kernel_client = false;

	if (argc == 5 && strcmp(argv[1], "-K") == 0) {
		kernel_client = true;	/* NAME_kuser.[ch] */
		argc--;
		argv++;
	} else if (argc == 6 && strcmp(argv[1], "-k") == 0 && argv[2][0] != '\0') {
		gen_kernel_object = argv[2];	/* the kernel target: NAME_kserver.[ch] */
		argc -= 2;
		argv += 2;
	}
	if (argc != 4 || strcmp(argv[1], "-o") != 0)
		return usage();
	outdir = argv[2];
	path = argv[3];
	text = read_whole_file(path);
	if (text == NULL) {
		fprintf(stderr, "msgc: cannot read %s: %s\n", path, strerror(errno));
		return 1;
	}
	ok = parse_defs(path, text, &itf, &diag);
	if (!ok)
		fprintf(stderr, "%s\n", diag.text);
	else
		ok = kernel_client ? gen_kernel_client(&itf, outdir) :
		    gen_kernel_object ? gen_kernel(&itf, outdir) : gen_all(&itf, outdir);
	interface_free(&itf);
	free(text);
	return ok ? 0 : 1;
}
