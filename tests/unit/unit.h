/*
 * A tiny host test framework: UNIT_TEST(name) registers a case, EXPECT records
 * the first failure of a case, and unit_main.c runs them all and prints
 * `ok N - name` lines and `unit: N passed, N failed`.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdbool.h>
#include <stdio.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
	struct unit_test *next;
};

void unit_register(struct unit_test *t);
void unit_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define UNIT_TEST(name_)							\
	static void name_(void);						\
	static struct unit_test unit_##name_ = { #name_, name_, 0 };		\
	__attribute__((constructor)) static void register_##name_(void)	\
	{									\
		unit_register(&unit_##name_);					\
	}									\
	static void name_(void)

#define EXPECT(cond)								\
	do {									\
		if (!(cond))							\
			unit_fail(__FILE__, __LINE__, "expected %s", #cond);	\
	} while (0)

#define EXPECT_EQ(a, b)								\
	do {									\
		long long a_ = (long long)(a), b_ = (long long)(b);		\
		if (a_ != b_)							\
			unit_fail(__FILE__, __LINE__, "%s == %lld, expected %lld", #a, a_, b_); \
	} while (0)

#define EXPECT_STR(a, b)							\
	do {									\
		const char *a_ = (a), *b_ = (b);				\
		if (strcmp(a_, b_) != 0)					\
			unit_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a, a_, b_); \
	} while (0)

#endif
