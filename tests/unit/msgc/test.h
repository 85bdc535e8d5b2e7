/*
 * A minimal test framework for the msgc suite: each test file exports a table of
 * named cases; test_main.c runs them all, checks for leaked out-of-line regions after
 * each, and prints `ok N - name` / `not ok N - name` and the summary line.
 */
#ifndef MSGC_TEST_H
#define MSGC_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct test {
	const char *name;
	void (*run)(void);
};

/* Set by CHECK when a case fails; the first failure's text is printed as a comment. */
extern bool test_failed;
void test_fail(const char *file, int line, const char *what);

#define CHECK(cond)                                          \
	do {                                                 \
		if (!(cond)) {                               \
			test_fail(__FILE__, __LINE__, #cond); \
			return;                              \
		}                                            \
	} while (0)

#define CHECK_EQ(a, b)                                                             \
	do {                                                                       \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);    \
		if (check_a_ != check_b_) {                                        \
			char check_text_[256];                                     \
			snprintf(check_text_, sizeof(check_text_), "%s == %s (%lld != %lld)", \
			    #a, #b, check_a_, check_b_);                           \
			test_fail(__FILE__, __LINE__, check_text_);                \
			return;                                                    \
		}                                                                  \
	} while (0)

extern const struct test parser_tests[];
extern const size_t parser_test_count;
extern const struct test golden_tests[];
extern const size_t golden_test_count;
extern const struct test roundtrip_tests[];
extern const size_t roundtrip_test_count;
extern const struct test malformed_tests[];
extern const size_t malformed_test_count;

/* Where the golden files are and where to write fresh output; from the command line. */
extern const char *golden_dir;
extern const char *scratch_dir;

#endif
