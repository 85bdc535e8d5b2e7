/* Command-line handling (kernel/kern/cmdline.c). */
#include <string.h>
#include <kern/boot.h>
#include "unit.h"

UNIT_TEST(cmdline_split_handles_blanks_and_limits)
{
	char line[] = "  /boot/ns.elf   restart=always\tdebug  ";
	char *argv[4];

	EXPECT_EQ(cmdline_split(line, argv, 4), 3);
	EXPECT_STR(argv[0], "/boot/ns.elf");
	EXPECT_STR(argv[1], "restart=always");
	EXPECT_STR(argv[2], "debug");

	char two[] = "a b c d";
	EXPECT_EQ(cmdline_split(two, argv, 2), 2);
	EXPECT_STR(argv[1], "b");

	char none[] = "   ";
	EXPECT_EQ(cmdline_split(none, argv, 4), 0);
}

UNIT_TEST(cmdline_lookup_finds_options_and_flags)
{
	char v[16];
	const char *line = "build/kernel.elf test=kernel debug_exit node=3 testing=no";

	EXPECT_EQ(cmdline_lookup(line, "test", v, sizeof v), 1);
	EXPECT_STR(v, "kernel");
	EXPECT_EQ(cmdline_lookup(line, "debug_exit", v, sizeof v), 1);
	EXPECT_STR(v, "");
	EXPECT_EQ(cmdline_lookup(line, "debug", v, sizeof v), 0);
	EXPECT_EQ(cmdline_lookup(line, "node", v, 2), 1);
	EXPECT_STR(v, "3");
	EXPECT_EQ(cmdline_lookup(line, "key", v, sizeof v), 0);
	EXPECT_EQ(cmdline_lookup("", "test", v, sizeof v), 0);
}

UNIT_TEST(cmdline_task_name_is_the_file_name)
{
	char n[8];

	cmdline_task_name("/boot/servers/console.elf restart=always", n, sizeof n);
	EXPECT_STR(n, "console");
	cmdline_task_name("ns", n, sizeof n);
	EXPECT_STR(n, "ns");
	cmdline_task_name("build/tests/utest.elf spin", n, sizeof n);
	EXPECT_STR(n, "utest");
	cmdline_task_name("", n, sizeof n);
	EXPECT_STR(n, "task");
	cmdline_task_name("a/verylongname.elf", n, sizeof n);
	EXPECT_STR(n, "verylon");
}
