/*
 * Golden tests: the code generated for echo.defs must equal golden/ byte for byte,
 * so every change to the generators is reviewed as a change to generated code.
 * `make msgc-golden-update` rewrites golden/ after an intended change.
 */
#include <stdlib.h>
#include <string.h>
#include "gen.h"
#include "parser.h"
#include "test.h"

#define ECHO_DEFS "tests/unit/msgc/echo.defs"

static char *
read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = malloc((size_t)n + 1);
	if (text != NULL && fread(text, 1, (size_t)n, f) != (size_t)n) {
		free(text);
		text = NULL;
	}
	fclose(f);
	if (text != NULL) {
		text[n] = '\0';
		*size = (size_t)n;
	}
	return text;
}

/* Generates once per run, into the scratch directory. */
static bool
generate_echo(void)
{
	static int state;	/* 0 not yet, 1 done, -1 failed */
	struct interface itf;
	struct diag d = { 0 };
	size_t size;
	char *text;

	if (state != 0)
		return state > 0;
	state = -1;
	text = read_file(ECHO_DEFS, &size);
	if (text == NULL)
		return false;
	gen_kernel_object = NULL;
	if (parse_defs(ECHO_DEFS, text, &itf, &d) && gen_all(&itf, scratch_dir)) {
		gen_kernel_object = "void *";	/* the kernel target, as msgc -k 'void *' */
		if (gen_kernel(&itf, scratch_dir) && gen_kernel_client(&itf, scratch_dir))
			state = 1;	/* and the kernel's client side, as msgc -K */
		gen_kernel_object = NULL;
	}
	interface_free(&itf);
	free(text);
	return state > 0;
}

static void
compare(const char *suffix)
{
	char golden[4096], fresh[4096];
	size_t golden_size = 0, fresh_size = 0;
	char *a, *b;
	bool same;

	CHECK(generate_echo());
	snprintf(golden, sizeof(golden), "%s/echo%s", golden_dir, suffix);
	snprintf(fresh, sizeof(fresh), "%s/echo%s", scratch_dir, suffix);
	a = read_file(golden, &golden_size);
	b = read_file(fresh, &fresh_size);
	same = a != NULL && b != NULL && golden_size == fresh_size &&
	    memcmp(a, b, golden_size) == 0;
	free(a);
	free(b);
	if (!same) {
		char what[9000];

		snprintf(what, sizeof(what), "%s differs from %s (diff them; if the change is "
		    "intended, run make msgc-golden-update)", fresh, golden);
		test_fail(__FILE__, __LINE__, what);
	}
}

static void golden_types_header(void) { compare("_types.h"); }
static void golden_client_header(void) { compare("_client.h"); }
static void golden_client_source(void) { compare("_client.c"); }
static void golden_server_header(void) { compare("_server.h"); }
static void golden_server_source(void) { compare("_server.c"); }
static void golden_kserver_header(void) { compare("_kserver.h"); }
static void golden_kserver_source(void) { compare("_kserver.c"); }
static void golden_kuser_header(void) { compare("_kuser.h"); }
static void golden_kuser_source(void) { compare("_kuser.c"); }

const struct test golden_tests[] = {
	{ "golden_echo_types_h", golden_types_header },
	{ "golden_echo_client_h", golden_client_header },
	{ "golden_echo_client_c", golden_client_source },
	{ "golden_echo_server_h", golden_server_header },
	{ "golden_echo_server_c", golden_server_source },
	{ "golden_echo_kserver_h", golden_kserver_header },
	{ "golden_echo_kserver_c", golden_kserver_source },
	{ "golden_echo_kuser_h", golden_kuser_header },
	{ "golden_echo_kuser_c", golden_kuser_source },
};
const size_t golden_test_count = sizeof(golden_tests) / sizeof(golden_tests[0]);
