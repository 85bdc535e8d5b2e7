/*
 * Runs the msgc suite: parser, golden files, round trips and malformed messages.
 *   msgc_test GOLDEN_DIR SCRATCH_DIR       run every case
 *   msgc_test --seeds DIR                  write fuzzer seed requests and exit
 * After each case no out-of-line region may remain live (a leak check, as the guest
 * suites check free pages).
 */
#include <stdio.h>
#include <string.h>
#include "fake_kernel.h"
#include "ool_table.h"
#include "test.h"

bool test_failed;
static char failure[512];
const char *golden_dir;
const char *scratch_dir;

void write_seed_requests(const char *dir);

void
test_fail(const char *file, int line, const char *what)
{
	if (!test_failed)
		snprintf(failure, sizeof(failure), "%s:%d: %s", file, line, what);
	test_failed = true;
}

static void
run_table(const struct test *tests, size_t count, int *number, int *passed, int *failed)
{
	for (size_t i = 0; i < count; i++) {
		test_failed = false;
		fake_kernel_reset(NULL);
		tests[i].run();
		if (!test_failed && ool_live() != 0) {
			snprintf(failure, sizeof(failure), "%d out-of-line regions leaked",
			    ool_live());
			test_failed = true;
		}
		ool_free_all();
		++*number;
		if (test_failed) {
			printf("not ok %d - %s\n#   %s\n", *number, tests[i].name, failure);
			++*failed;
		} else {
			printf("ok %d - %s\n", *number, tests[i].name);
			++*passed;
		}
	}
}

int
main(int argc, char **argv)
{
	int number = 0, passed = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* keep the lines printed before a crash */
	if (argc == 3 && strcmp(argv[1], "--seeds") == 0) {
		write_seed_requests(argv[2]);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: msgc_test GOLDEN_DIR SCRATCH_DIR | --seeds DIR\n");
		return 2;
	}
	golden_dir = argv[1];
	scratch_dir = argv[2];
	run_table(parser_tests, parser_test_count, &number, &passed, &failed);
	run_table(golden_tests, golden_test_count, &number, &passed, &failed);
	run_table(roundtrip_tests, roundtrip_test_count, &number, &passed, &failed);
	run_table(malformed_tests, malformed_test_count, &number, &passed, &failed);
	printf("msgc: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
