/*
 * consoletest: the console server's cases of the `servers` suite, booted as
 * bootstrap, ns, console, consoletest (module 3) and `consoletest chatter`
 * (module 4, which a case asks the bootstrap to start). tests/servers/run.py types the line that the
 * stdin case asks for on the serial line, as a person would.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <mach/mach.h>
#include <manifold/cthread.h>
#include <manifold/trap.h>
#include "bootstrap_client.h"
#include "console_client.h"
#include "ns_client.h"
#include "suite.h"

#define ME mach_task_self()
#define CHATTER_MODULE 4
#define CHATTER_LINES 8

static mach_port_t ns, console;
static char recent[4096];

static void
sleep_ms(uint32_t ms)
{
	mach_port_t p = MACH_PORT_NULL;
	mach_msg_header_t h;

	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p);
	mach_msg(&h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof h, p, ms, 0);
	mach_port_destroy(ME, p);
}

/*
 * Only a holder of the privileged host port may take typed input, start boot
 * modules or list the tasks from the kernel: a task the bootstrap started
 * (this one) was given none, and no other name it holds will do.
 */
static void
a_task_without_host_priv_is_refused_the_privileged_traps(void)
{
	mach_port_t host = mach_host_self(), given = MACH_PORT_NULL, recv = MACH_PORT_NULL, task = MACH_PORT_NULL;
	char buf[8];
	uint32_t n = 0xDEADBEEF, id = 0xDEADBEEF;

	CHECK_EQ(task_get_special_port(ME, TASK_HOST_PORT, &given), KERN_SUCCESS);
	CHECK_EQ(given, MACH_PORT_NULL);	/* none given */
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &recv), KERN_SUCCESS);
	const mach_port_t names[] = { MACH_PORT_NULL, host, ME, console, recv, 0x12345, MACH_PORT_DEAD };
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
		CHECK_EQ(trap_console_read(names[i], buf, sizeof buf, 0, &n), KERN_INVALID_HOST);
		CHECK_EQ(trap_boot_module_start_port(names[i], CHATTER_MODULE, MACH_PORT_NULL, &id, &task),
			 KERN_INVALID_HOST);
		CHECK_EQ(trap_task_list(names[i], NULL, 0, &n), KERN_INVALID_HOST);
		CHECK_EQ(trap_boot_module_count(names[i], &n), KERN_INVALID_HOST);
		CHECK_EQ(trap_boot_module_info(names[i], 0, buf, sizeof buf, &n), KERN_INVALID_HOST);
	}
	CHECK_EQ(trap_boot_module_start(CHATTER_MODULE, &id), KERN_INVALID_HOST);
	CHECK(n == 0xDEADBEEF && id == 0xDEADBEEF && task == MACH_PORT_NULL);	/* nothing written */
	mach_port_deallocate(ME, host);
	mach_port_destroy(ME, recv);
}

static void
printf_goes_through_the_console_server(void)
{
	printf("consoletest: this line went through the console server\n");
	CHECK_EQ(console_recent(console, recent), KERN_SUCCESS);
	CHECK(strstr(recent, "consoletest: this line went through the console server\n"));
}

static void
a_partial_line_waits_then_goes_out_by_itself(void)
{
	write(1, "consoletest: partial", 20);
	CHECK_EQ(console_recent(console, recent), KERN_SUCCESS);
	CHECK(strstr(recent, "consoletest: partial") == NULL);	/* held: the line is not finished */
	sleep_ms(500);						/* CONSOLE_FLUSH_MS is 200 */
	CHECK_EQ(console_recent(console, recent), KERN_SUCCESS);
	CHECK(strstr(recent, "consoletest: partial"));
	write(1, " (rest)\n", 8);
}

static void
console_read_times_out_with_no_input(void)
{
	char line[64];
	mach_msg_type_number_t n = sizeof line;

	CHECK_EQ(console_read(console, sizeof line, 50, line, &n), KERN_OPERATION_TIMED_OUT);
	n = sizeof line;
	CHECK_EQ(console_read(console, 0, 50, line, &n), KERN_INVALID_ARGUMENT);
}

static void
a_typed_line_comes_back_through_fgets(void)
{
	char line[128] = "";

	printf("consoletest: type a line, please\n");	/* run.py types "round trix<DEL>p<CR>" */
	CHECK(fgets(line, sizeof line, stdin) != NULL);
	CHECK(strcmp(line, "round trip\n") == 0);
	CHECK_EQ(console_recent(console, recent), KERN_SUCCESS);
	CHECK(strstr(recent, "round trix\b \bp\n"));	/* echoed, erased, echoed, newline */
}

/*
 * console_raw: typed bytes come as typed (DEL, ^C and CR among them), with
 * no echo; once the owner's port dies, lines are edited and echoed again.
 */
static void
raw_input_comes_as_typed_until_its_owner_dies(void)
{
	char got[16], line[64];
	const char *after;
	uint32_t have = 0;
	mach_port_t owner;

	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &owner), KERN_SUCCESS);
	CHECK_EQ(console_raw(console, owner), KERN_SUCCESS);
	printf("consoletest: type raw bytes, please\n");	/* run.py types "ab<DEL><^C><CR>" */
	while (have < 5) {
		mach_msg_type_number_t n = sizeof line;

		if (console_read(console, sizeof line, 10000, line, &n) != KERN_SUCCESS)
			break;
		for (mach_msg_type_number_t i = 0; i < n && have < sizeof got; i++)
			got[have++] = line[i];
	}
	CHECK_EQ(have, 5);
	CHECK(memcmp(got, "ab\x7f\x03\r", 5) == 0);
	CHECK_EQ(console_recent(console, recent), KERN_SUCCESS);
	after = strstr(recent, "type raw bytes, please\n");
	CHECK(after != NULL);
	CHECK(after && strstr(after, "ab") == NULL);	/* nothing echoed */
	CHECK_EQ(mach_port_destroy(ME, owner), KERN_SUCCESS);
	printf("consoletest: type an edited line again, please\n");	/* "editedd<DEL><DEL>x<CR>" */
	CHECK(fgets(line, sizeof line, stdin) != NULL);
	CHECK(strcmp(line, "editex\n") == 0);
}

/* Writes CHATTER_LINES lines in small pieces, yielding between them. */
static void
chatter(const char *who)
{
	for (int l = 0; l < CHATTER_LINES; l++) {
		char piece[32];
		snprintf(piece, sizeof piece, "%s line %d:", who, l);
		write(1, piece, strlen(piece));
		for (int p = 0; p < 6; p++) {
			thread_switch(MACH_PORT_NULL, 0, 0);
			write(p % 2 ? 2 : 1, " piece", 6);	/* stderr shares the line, as on a terminal */
		}
		write(1, " end\n", 5);
	}
}

/* Every line that mentions who must be exactly as chatter() meant it. */
static int
lines_whole(const char *text, const char *who, int *count)
{
	const char *p = text;

	*count = 0;
	while ((p = strstr(p, who)) != NULL) {
		char want[96];
		int l;
		if (sscanf(p + strlen(who), " line %d:", &l) != 1)
			return 0;
		snprintf(want, sizeof want, "%s line %d: piece piece piece piece piece piece end\n", who, l);
		if (strncmp(p, want, strlen(want)) != 0)
			return 0;
		(*count)++;
		p += strlen(want);
	}
	return 1;
}

static void
lines_from_two_tasks_are_not_interleaved(void)
{
	mach_port_t bootstrap, task = MACH_PORT_NULL;
	uint32_t id;
	int mine, theirs;

	CHECK_EQ(ns_lookup(ns, "/servers/bootstrap", &bootstrap), KERN_SUCCESS);
	CHECK_EQ(bootstrap_module_start(bootstrap, CHATTER_MODULE, &id, &task), KERN_SUCCESS);
	mach_port_deallocate(ME, bootstrap);
	chatter("[main]");
	CHECK(wait_dead_name(task));
	mach_port_deallocate(ME, task);
	CHECK_EQ(console_recent(console, recent), KERN_SUCCESS);
	CHECK(lines_whole(recent, "[main]", &mine));
	CHECK(lines_whole(recent, "[chatter]", &theirs));
	CHECK_EQ(mine, CHATTER_LINES);
	CHECK_EQ(theirs, CHATTER_LINES);
}

/* The console server's task as registered now (a live right), or MACH_PORT_NULL. */
static mach_port_t
console_task(void)
{
	mach_port_t t = MACH_PORT_NULL;
	mach_port_type_t type = 0;

	for (int i = 0; i < 500; i++) {	/* the bootstrap registers a new task a little later */
		if (ns_lookup(ns, "/tasks/console", &t) == KERN_SUCCESS) {
			if (mach_port_type(ME, t, &type) == KERN_SUCCESS && type == MACH_PORT_TYPE_SEND)
				return t;
			mach_port_deallocate(ME, t);
		}
		sleep_ms(10);
	}
	return MACH_PORT_NULL;
}

#define DYING_LINES 200
static volatile uint32_t dying_printed;

static void *
print_dying_lines(void *arg)
{
	int bad = 0;

	for (uint32_t i = 1; i <= DYING_LINES; i++) {
		bad += printf("[dying] %u\n", (unsigned)i) < 0;
		fflush(stdout);
		dying_printed = i;
	}
	return (void *)(intptr_t)bad;
}

/*
 * The console server killed while a thread prints numbered lines (it is
 * restarted: restart=always): every line shows once or twice, never not at
 * all (run.py counts them on the serial line), none fails, and the new
 * server answers through the port we had.
 */
static void
lines_written_while_the_console_server_dies_show_once_or_twice(void)
{
	mach_port_t task = console_task();
	cthread_t t;

	CHECK(MACH_PORT_VALID(task));
	CHECK_EQ(cthread_fork(&t, print_dying_lines, NULL), KERN_SUCCESS);
	while (dying_printed < DYING_LINES / 4)
		thread_switch(MACH_PORT_NULL, 0, 0);
	CHECK_EQ(task_terminate(task), KERN_SUCCESS);
	CHECK_EQ((intptr_t)cthread_join(t), 0);
	CHECK_EQ(dying_printed, DYING_LINES);
	CHECK_EQ(console_recent(console, recent), KERN_SUCCESS);	/* the new server, same port */
	CHECK(strstr(recent, "[dying] 1\n") == NULL);		/* ...whose ring started after the kill */
	mach_port_deallocate(ME, task);
}

/*
 * A console server that stops answering (here: suspended) must not hang the
 * tasks that print: console_write gives up after its waittime (10 s) and the
 * line goes to the kernel console instead. Last: from here on our output
 * takes the kernel's route.
 */
static void
a_hung_console_server_does_not_hang_printf(void)
{
	mach_port_t server_task = MACH_PORT_NULL;
	uint64_t t0, t1;

	server_task = console_task();
	CHECK(MACH_PORT_VALID(server_task));
	fflush(stdout);
	CHECK_EQ(task_suspend(server_task), KERN_SUCCESS);
	trap_clock_uptime(&t0);
	printf("consoletest: written while the console server hangs\n");
	fflush(stdout);
	trap_clock_uptime(&t1);
	CHECK_EQ(task_resume(server_task), KERN_SUCCESS);
	mach_port_deallocate(ME, server_task);
	CHECK(t1 - t0 >= 9000000000ull);	/* it waited for the server... */
	CHECK(t1 - t0 < 30000000000ull);	/* ...but not for ever */
}

static const struct test tests[] = {
#define T(f) { #f, f }
	T(a_task_without_host_priv_is_refused_the_privileged_traps),
	T(printf_goes_through_the_console_server),
	T(a_partial_line_waits_then_goes_out_by_itself),
	T(console_read_times_out_with_no_input),
	T(a_typed_line_comes_back_through_fgets),
	T(raw_input_comes_as_typed_until_its_owner_dies),
	T(lines_from_two_tasks_are_not_interleaved),
	T(lines_written_while_the_console_server_dies_show_once_or_twice),
	T(a_hung_console_server_does_not_hang_printf),
};

int
main(int argc, char **argv)
{
	int fail;

	if (argc > 1 && strcmp(argv[1], "chatter") == 0) {
		chatter("[chatter]");
		return 0;
	}
	if (task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS ||
	    ns_lookup(ns, "/servers/console", &console) != KERN_SUCCESS) {
		printf("console: no console server\n");
		trap_debug_exit(0x11);
	}
	fail = run_suite("console", tests, (int)(sizeof tests / sizeof tests[0]), NULL);
	trap_debug_exit(fail ? 0x11 : 0x10);
	return fail != 0;
}
