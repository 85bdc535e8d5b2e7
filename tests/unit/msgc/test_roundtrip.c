/*
 * Round trips: every argument kind goes through a generated client stub, the fake
 * kernel and the generated demultiplexer to a handler and back, and arrives intact.
 * Also the client's own checks of its arguments and of the replies it receives.
 */
#include <string.h>
#include "fake_kernel.h"
#include "kinds_client.h"
#include "kinds_handlers.h"
#include "ool_table.h"
#include "test.h"

#define SERVER FAKE_SERVER_PORT

static void
start(void)
{
	fake_kernel_reset(kinds_server);
	memset(&kinds_state, 0, sizeof(kinds_state));
}

static void
integers_of_every_width_round_trip(void)
{
	int64_t sum = 0;
	uint32_t acc = 20;

	start();
	CHECK_EQ(kinds_ints(SERVER, -5, 60000, -100000, 1LL << 40, 1, &sum, &acc), KERN_SUCCESS);
	CHECK_EQ(sum, -5 + 60000 - 100000 + (1LL << 40) + 1);
	CHECK_EQ(acc, 41);	/* doubled by the server, plus one for the right port */
	CHECK_EQ(kinds_state.calls, 1);
	CHECK_EQ(fake.reply_ports_given, 1);
}

static void
request_layout_matches_the_readme(void)
{
	int64_t sum;
	uint32_t acc = 7, w[8];
	mach_msg_header_t h;

	start();
	CHECK_EQ(kinds_ints(SERVER, 1, 2, 3, 4, 0, &sum, &acc), KERN_SUCCESS);
	/* header, then each scalar in its own 4-byte slot, int64 in 8, in argument order */
	CHECK_EQ(fake.last_request_size, 24 + 4 + 4 + 4 + 8 + 4 + 4);
	memcpy(&h, fake.last_request, sizeof(h));
	CHECK_EQ(h.msgh_id, KINDS_INTS_ID);
	CHECK_EQ(h.msgh_bits, MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND));
	CHECK_EQ(h.msgh_remote_port, FAKE_REPLY_PORT);
	CHECK_EQ(h.msgh_local_port, SERVER);
	memcpy(w, fake.last_request + 24, sizeof(w));
	CHECK_EQ(w[0], 1);
	CHECK_EQ(w[1], 2);
	CHECK_EQ(w[2], 3);
	CHECK_EQ(w[3], 4);
	CHECK_EQ(w[4], 0);
	CHECK_EQ(w[5], 0);
	CHECK_EQ(w[6], 7);
}

static void
fixed_and_bounded_arrays_round_trip(void)
{
	int32_t v[4] = { 1, -2, 3, -4 }, rev[4] = { 0 };
	uint8_t data[64], echo[64];
	uint16_t s[8] = { 10, 20, 30 };
	mach_msg_type_number_t echoCnt = 64, sCnt = 3;

	start();
	for (int i = 0; i < 64; i++)
		data[i] = (uint8_t)(i * 7);
	CHECK_EQ(kinds_arrays(SERVER, v, data, 64, rev, echo, &echoCnt, s, &sCnt), KERN_SUCCESS);
	CHECK_EQ(rev[0], -4);
	CHECK_EQ(rev[3], 1);
	CHECK_EQ(echoCnt, 64);
	CHECK(memcmp(echo, data, 64) == 0);
	CHECK_EQ(sCnt, 4);
	CHECK_EQ(s[0], 11);
	CHECK_EQ(s[2], 31);
	CHECK_EQ(s[3], 0xbeef);
}

static void
empty_bounded_array_round_trips(void)
{
	int32_t v[4] = { 0 }, rev[4];
	uint8_t echo[64];
	uint16_t s[8];
	mach_msg_type_number_t echoCnt = 64, sCnt = 0;

	start();
	CHECK_EQ(kinds_arrays(SERVER, v, NULL, 0, rev, echo, &echoCnt, s, &sCnt), KERN_SUCCESS);
	CHECK_EQ(echoCnt, 0);
	CHECK_EQ(sCnt, 1);
}

static void
strings_of_both_forms_round_trip(void)
{
	char upper[32], first[16], edit[32] = "draft";
	const char *longest = "abcdefghijklmnopqrstuvwxyz01234";	/* 31 + NUL = bound */

	start();
	CHECK_EQ(kinds_strings(SERVER, "fifteen chars..", longest, upper, first, edit),
	    KERN_SUCCESS);
	CHECK(strcmp(upper, "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234") == 0);
	CHECK(strcmp(first, "fifteen chars..") == 0);
	CHECK(strcmp(edit, "draft!") == 0);
	CHECK_EQ(kinds_strings(SERVER, "", "", upper, first, edit), KERN_SUCCESS);
	CHECK(strcmp(upper, "") == 0 && strcmp(first, "") == 0);
}

/* An inline port array: four descriptors whatever the count, nulls past it, the count inline. */
static void
port_lists_arrive_inline_and_come_back(void)
{
	mach_port_t given[4] = { 201, 202, 203, 204 }, back[4] = { 0 };
	mach_msg_type_number_t backCnt = 4;
	const mach_msg_port_descriptor_t *d;
	uint32_t count;

	start();
	CHECK_EQ(kinds_port_list(SERVER, given, 2, back, &backCnt), KERN_SUCCESS);
	CHECK_EQ(kinds_state.listCnt, 2);
	CHECK_EQ(kinds_state.list[0], 201);
	CHECK_EQ(kinds_state.list[1], 202);
	CHECK_EQ(backCnt, 2);
	CHECK_EQ(back[0], 202);
	CHECK_EQ(back[1], 201);
	d = (const mach_msg_port_descriptor_t *)(fake.last_request + 28);
	CHECK_EQ(d[0].name, 201);
	CHECK_EQ(d[0].disposition, MACH_MSG_TYPE_PORT_SEND);
	CHECK_EQ(d[1].name, 202);
	CHECK_EQ(d[2].name, MACH_PORT_NULL);
	CHECK_EQ(d[3].name, MACH_PORT_NULL);
	memcpy(&count, fake.last_request + 28 + 4 * sizeof(*d), sizeof(count));
	CHECK_EQ(count, 2);
	backCnt = 4;
	CHECK_EQ(kinds_port_list(SERVER, given, 4, back, &backCnt), KERN_SUCCESS);
	CHECK_EQ(backCnt, 4);
	CHECK_EQ(back[0], 204);
	CHECK_EQ(back[3], 201);
	backCnt = 4;
	CHECK_EQ(kinds_port_list(SERVER, given, 0, back, &backCnt), KERN_SUCCESS);
	CHECK_EQ(backCnt, 0);
	/* more than the bound: refused before anything is sent */
	CHECK_EQ(kinds_port_list(SERVER, given, 5, back, &backCnt), MIG_ARRAY_TOO_LARGE);
	CHECK_EQ(kinds_state.calls, 3);
	/* more than the caller has room for: refused, outputs untouched */
	backCnt = 1;
	back[0] = 77;
	CHECK_EQ(kinds_port_list(SERVER, given, 3, back, &backCnt), MIG_ARRAY_TOO_LARGE);
	CHECK_EQ(backCnt, 1);
	CHECK_EQ(back[0], 77);
	/* a handler whose count is over the bound: an error reply */
	kinds_state.overflow_outputs = true;
	backCnt = 4;
	CHECK_EQ(kinds_port_list(SERVER, given, 1, back, &backCnt), MIG_ARRAY_TOO_LARGE);
	kinds_state.overflow_outputs = false;
}

/* SameCount: one count for a, b and given in C, one for sum and diff; each still travels. */
static void
same_count_arrays_share_their_first_arrays_count(void)
{
	int32_t a[4] = { 10, 20, 30, 40 }, b[4] = { 1, 2, 3, 4 }, sum[4] = { 0 }, diff[4] = { 0 };
	mach_port_t given[4] = { 211, 212, 213, 214 };
	mach_msg_type_number_t sumCnt = 4;

	start();
	CHECK_EQ(kinds_same_count(SERVER, a, 3, b, given, sum, &sumCnt, diff), KERN_SUCCESS);
	CHECK_EQ(sumCnt, 3);
	CHECK_EQ(sum[2], 33);
	CHECK_EQ(diff[2], 27);
	CHECK_EQ(diff[3], 0);
	CHECK_EQ(kinds_state.listCnt, 3);
	CHECK_EQ(kinds_state.list[2], 213);
	/* the bound is the first array's, for all */
	CHECK_EQ(kinds_same_count(SERVER, a, 5, b, given, sum, &sumCnt, diff), MIG_ARRAY_TOO_LARGE);
	/* room for fewer than the answer: refused, outputs untouched */
	sumCnt = 2;
	diff[0] = 77;
	CHECK_EQ(kinds_same_count(SERVER, a, 3, b, given, sum, &sumCnt, diff), MIG_ARRAY_TOO_LARGE);
	CHECK_EQ(sumCnt, 2);
	CHECK_EQ(diff[0], 77);
	/* a handler's count over the bound: an error reply */
	kinds_state.overflow_outputs = true;
	sumCnt = 4;
	CHECK_EQ(kinds_same_count(SERVER, a, 1, b, given, sum, &sumCnt, diff), MIG_ARRAY_TOO_LARGE);
	kinds_state.overflow_outputs = false;
	CHECK_EQ(kinds_state.calls, 3);
}

static void
structures_round_trip_as_their_arrays(void)
{
	kinds_pair_t given = { 7, -9 }, swapped = { 0, 0 }, both = { 100, 200 };
	const int32_t *wire;

	start();
	CHECK_EQ(kinds_pair(SERVER, given, &swapped, &both), KERN_SUCCESS);
	CHECK_EQ(swapped.first, -9);
	CHECK_EQ(swapped.second, 7);
	CHECK_EQ(both.first, 107);
	CHECK_EQ(both.second, 191);
	/* on the wire, each is its array: given's two words, then both's, after the header */
	wire = (const int32_t *)(fake.last_request + sizeof(mach_msg_header_t));
	CHECK_EQ(wire[0], 7);
	CHECK_EQ(wire[1], -9);
	CHECK_EQ(wire[2], 100);
	CHECK_EQ(wire[3], 200);
	/* a handler's error leaves the outputs as they were */
	kinds_state.fail_with = KERN_INVALID_VALUE;
	CHECK_EQ(kinds_pair(SERVER, given, &swapped, &both), KERN_INVALID_VALUE);
	kinds_state.fail_with = 0;
	CHECK_EQ(swapped.first, -9);
	CHECK_EQ(both.first, 107);
}

static void
ports_arrive_with_each_disposition(void)
{
	mach_port_t given = 0, given_once = 0;
	const mach_msg_port_descriptor_t *d;

	start();
	CHECK_EQ(kinds_ports(SERVER, 101, 102, 103, 104, 105, 106, &given, &given_once),
	    KERN_SUCCESS);
	CHECK_EQ(kinds_state.ports[0], 101);
	CHECK_EQ(kinds_state.ports[5], 106);
	CHECK_EQ(given, 102);
	CHECK_EQ(given_once, 107);
	/* the demux accepted each one because it carried the right the type promises */
	d = (const mach_msg_port_descriptor_t *)(fake.last_request + 28);
	CHECK_EQ(d[0].disposition, MACH_MSG_TYPE_PORT_SEND);	/* COPY_SEND */
	CHECK_EQ(d[1].disposition, MACH_MSG_TYPE_PORT_SEND);	/* MAKE_SEND */
	CHECK_EQ(d[2].disposition, MACH_MSG_TYPE_PORT_SEND);	/* MOVE_SEND */
	CHECK_EQ(d[3].disposition, MACH_MSG_TYPE_PORT_SEND_ONCE);	/* MAKE_SEND_ONCE */
	CHECK_EQ(d[4].disposition, MACH_MSG_TYPE_PORT_SEND_ONCE);	/* MOVE_SEND_ONCE */
	CHECK_EQ(d[5].disposition, MACH_MSG_TYPE_PORT_RECEIVE);	/* MOVE_RECEIVE */
}

static void
out_of_line_memory_round_trips(void)
{
	uint8_t blob[300];
	uint32_t *words = ool_alloc(1024 * sizeof(uint32_t));
	uint8_t *copy = NULL;
	mach_msg_type_number_t copyCnt = 0;
	uint32_t total = 0, expect = 0;

	start();
	for (int i = 0; i < 300; i++)
		blob[i] = (uint8_t)i;
	for (uint32_t i = 0; i < 1024; i++)
		expect += words[i] = i * 3;
	/* words is sent with dealloc: the kernel takes it from us */
	CHECK_EQ(kinds_ool(SERVER, blob, 300, words, 1024, &copy, &copyCnt, &total), KERN_SUCCESS);
	CHECK_EQ(total, expect);
	CHECK_EQ(copyCnt, 300);
	CHECK(copy != NULL && copy != blob);
	for (int i = 0; i < 300; i++)
		CHECK_EQ(copy[i], (uint8_t)~i);
	CHECK_EQ(ool_live(), 1);	/* only the reply's copy, which is ours now */
	ool_free(copy);
}

static void
empty_out_of_line_memory_round_trips(void)
{
	uint8_t *copy = (uint8_t *)1;
	mach_msg_type_number_t copyCnt = 9;
	uint32_t total = 9;

	start();
	CHECK_EQ(kinds_ool(SERVER, NULL, 0, NULL, 0, &copy, &copyCnt, &total), KERN_SUCCESS);
	CHECK(copy == NULL);
	CHECK_EQ(copyCnt, 0);
	CHECK_EQ(total, 0);
}

static void
simpleroutine_is_delivered_without_a_reply(void)
{
	start();
	CHECK_EQ(kinds_notify(SERVER, 77, "note"), MACH_MSG_SUCCESS);
	CHECK_EQ(kinds_state.notify_code, 77);
	CHECK(strcmp(kinds_state.notify_note, "note") == 0);
	CHECK_EQ(fake.replies, 0);
	CHECK_EQ(fake.reply_ports_given, 0);
}

static void
smallest_routine_uses_smallest_messages(void)
{
	start();
	CHECK_EQ(kinds_ping(SERVER), KERN_SUCCESS);
	CHECK_EQ(fake.last_request_size, sizeof(mach_msg_header_t));
	CHECK_EQ(fake.replies, 1);
}

static void
handler_error_reaches_client_and_outputs_stay_untouched(void)
{
	int64_t sum = 12345;
	uint32_t acc = 6;

	start();
	kinds_state.fail_with = KERN_INVALID_ARGUMENT;
	CHECK_EQ(kinds_ints(SERVER, 1, 2, 3, 4, 1, &sum, &acc), KERN_INVALID_ARGUMENT);
	CHECK_EQ(sum, 12345);
	CHECK_EQ(acc, 6);
}

static void
handler_error_releases_request_memory(void)
{
	uint8_t blob[8] = { 0 };
	uint32_t words[2] = { 0 };
	uint8_t *copy = NULL;
	mach_msg_type_number_t copyCnt;
	uint32_t total;

	start();
	kinds_state.fail_with = KERN_RESOURCE_SHORTAGE;
	CHECK_EQ(kinds_ool(SERVER, blob, 8, words, 2, &copy, &copyCnt, &total),
	    KERN_RESOURCE_SHORTAGE);
	CHECK(copy == NULL);
	CHECK_EQ(ool_live(), 0);	/* the server loop destroyed the failed request */
}

static void
client_refuses_array_above_bound(void)
{
	int32_t v[4] = { 0 }, rev[4];
	uint8_t data[65] = { 0 }, echo[64];
	uint16_t s[8];
	mach_msg_type_number_t echoCnt = 64, sCnt = 9;

	start();
	CHECK_EQ(kinds_arrays(SERVER, v, data, 65, rev, echo, &echoCnt, s, &sCnt),
	    MIG_ARRAY_TOO_LARGE);
	sCnt = 8;
	CHECK_EQ(kinds_arrays(SERVER, v, data, 64, rev, echo, &echoCnt, s, &sCnt),
	    KERN_SUCCESS);
	sCnt = 9;
	CHECK_EQ(kinds_arrays(SERVER, v, data, 0, rev, echo, &echoCnt, s, &sCnt),
	    MIG_ARRAY_TOO_LARGE);
	CHECK_EQ(fake.requests, 1);
}

static void
client_refuses_strings_too_long(void)
{
	char upper[32], first[16], edit[32] = "";
	char path[40];

	start();
	memset(path, 'p', 32);
	path[32] = '\0';	/* 32 characters: no room for the NUL in c_string[*:32] */
	CHECK_EQ(kinds_strings(SERVER, "ok", path, upper, first, edit), MIG_ARRAY_TOO_LARGE);
	CHECK_EQ(kinds_strings(SERVER, "sixteen chars...", "ok", upper, first, edit),
	    MIG_ARRAY_TOO_LARGE);
	CHECK_EQ(fake.requests, 0);
}

static void
server_refuses_handler_output_above_bound(void)
{
	int32_t v[4] = { 0 }, rev[4] = { 9 };
	uint8_t echo[64];
	uint16_t s[8];
	mach_msg_type_number_t echoCnt = 64, sCnt = 0;
	char upper[32], first[16] = "keep", edit[32] = "";

	start();
	kinds_state.overflow_outputs = true;
	CHECK_EQ(kinds_arrays(SERVER, v, NULL, 0, rev, echo, &echoCnt, s, &sCnt),
	    MIG_ARRAY_TOO_LARGE);
	CHECK_EQ(rev[0], 9);
	CHECK_EQ(kinds_strings(SERVER, "a", "b", upper, first, edit), MIG_ARRAY_TOO_LARGE);
	CHECK(strcmp(first, "keep") == 0);
}

static void
out_array_beyond_caller_capacity_is_refused(void)
{
	int32_t v[4] = { 0 }, rev[4];
	uint8_t data[10] = { 0 }, echo[64];
	uint16_t s[8];
	mach_msg_type_number_t echoCnt = 5, sCnt = 0;

	start();
	CHECK_EQ(kinds_arrays(SERVER, v, data, 10, rev, echo, &echoCnt, s, &sCnt),
	    MIG_ARRAY_TOO_LARGE);
	CHECK_EQ(echoCnt, 5);
}

/* Writes one valid request per routine, for the fuzzer's seed corpus. */
void
write_seed_requests(const char *dir)
{
	int64_t sum;
	uint32_t acc = 1, total;
	int32_t v[4] = { 1, 2, 3, 4 }, rev[4];
	uint8_t data[16] = "0123456789abcde", echo[64], *copy;
	uint16_t s[8] = { 1, 2 };
	mach_msg_type_number_t echoCnt = 64, sCnt = 2, copyCnt;
	char upper[32], first[16], edit[32] = "edit";
	mach_port_t given, once;

	fake_kernel_reset(kinds_server);
	fake.seed_dir = dir;
	kinds_ints(SERVER, 1, 2, 3, 4, 1, &sum, &acc);
	kinds_arrays(SERVER, v, data, 16, rev, echo, &echoCnt, s, &sCnt);
	kinds_strings(SERVER, "label", "/a/path", upper, first, edit);
	kinds_ports(SERVER, 1, 2, 3, 4, 5, 6, &given, &once);
	kinds_ool(SERVER, data, 16, (const uint32_t *)(const void *)v, 4, &copy, &copyCnt,
	    &total);
	kinds_notify(SERVER, 5, "note");
	kinds_ping(SERVER);
}

static void
waittime_routines_give_up_and_others_wait(void)
{
	int32_t y = 0;

	start();
	CHECK_EQ(kinds_timed(SERVER, 21, &y), KERN_SUCCESS);	/* answered in time */
	CHECK_EQ(y, 42);
	CHECK_EQ(fake.last_option, MACH_SEND_MSG | MACH_RCV_MSG | MACH_SEND_TIMEOUT | MACH_RCV_TIMEOUT);
	CHECK_EQ(fake.last_timeout, 250);
	CHECK_EQ(kinds_timed_note(SERVER, 9), MACH_MSG_SUCCESS);
	CHECK_EQ(fake.last_option, MACH_SEND_MSG | MACH_SEND_TIMEOUT);
	CHECK_EQ(fake.last_timeout, 250);
	CHECK_EQ(kinds_untimed(SERVER), KERN_SUCCESS);		/* after nowaittime */
	CHECK_EQ(fake.last_option, MACH_SEND_MSG | MACH_RCV_MSG);
	fake.server_hangs = true;
	y = 7;
	CHECK_EQ(kinds_timed(SERVER, 1, &y), MACH_RCV_TIMED_OUT);	/* a hung server */
	CHECK_EQ(y, 7);
	CHECK_EQ(fake.reply_ports_dropped, 1);	/* a late reply cannot be taken for the next one's */
}

/*
 * A routine after retry; whose server died holding the request (the kernel's
 * send-once notification comes instead of the reply) sends it once more; a
 * second death, or a routine without retry, gives MIG_SERVER_DIED.
 */
static void
retry_routines_are_sent_again_once_when_the_server_died(void)
{
	int32_t y = 0;

	start();
	fake.server_deaths = 1;
	CHECK_EQ(kinds_again(SERVER, 41, &y), KERN_SUCCESS);
	CHECK_EQ(y, 42);
	CHECK_EQ(fake.requests, 2);		/* the same request, twice */
	CHECK_EQ(kinds_state.calls, 1);		/* served by the second server only */
	fake.server_deaths = 2;
	y = 7;
	CHECK_EQ(kinds_again(SERVER, 1, &y), MIG_SERVER_DIED);
	CHECK_EQ(y, 7);
	CHECK_EQ(fake.requests, 4);		/* not a third time */
	fake.server_deaths = 1;
	CHECK_EQ(kinds_untimed(SERVER), MIG_SERVER_DIED);	/* no retry: the caller hears of it */
	CHECK_EQ(fake.requests, 5);
	fake.server_deaths = 0;
	CHECK_EQ(kinds_untimed(SERVER), KERN_SUCCESS);
}

const struct test roundtrip_tests[] = {
	{ "integers_of_every_width_round_trip", integers_of_every_width_round_trip },
	{ "request_layout_matches_the_readme", request_layout_matches_the_readme },
	{ "fixed_and_bounded_arrays_round_trip", fixed_and_bounded_arrays_round_trip },
	{ "empty_bounded_array_round_trips", empty_bounded_array_round_trips },
	{ "strings_of_both_forms_round_trip", strings_of_both_forms_round_trip },
	{ "structures_round_trip_as_their_arrays", structures_round_trip_as_their_arrays },
	{ "ports_arrive_with_each_disposition", ports_arrive_with_each_disposition },
	{ "port_lists_arrive_inline_and_come_back", port_lists_arrive_inline_and_come_back },
	{ "same_count_arrays_share_their_first_arrays_count", same_count_arrays_share_their_first_arrays_count },
	{ "out_of_line_memory_round_trips", out_of_line_memory_round_trips },
	{ "empty_out_of_line_memory_round_trips", empty_out_of_line_memory_round_trips },
	{ "simpleroutine_is_delivered_without_a_reply",
	  simpleroutine_is_delivered_without_a_reply },
	{ "smallest_routine_uses_smallest_messages", smallest_routine_uses_smallest_messages },
	{ "handler_error_reaches_client_and_outputs_stay_untouched",
	  handler_error_reaches_client_and_outputs_stay_untouched },
	{ "handler_error_releases_request_memory", handler_error_releases_request_memory },
	{ "client_refuses_array_above_bound", client_refuses_array_above_bound },
	{ "client_refuses_strings_too_long", client_refuses_strings_too_long },
	{ "server_refuses_handler_output_above_bound", server_refuses_handler_output_above_bound },
	{ "out_array_beyond_caller_capacity_is_refused",
	  out_array_beyond_caller_capacity_is_refused },
	{ "waittime_routines_give_up_and_others_wait", waittime_routines_give_up_and_others_wait },
	{ "retry_routines_are_sent_again_once_when_the_server_died",
	  retry_routines_are_sent_again_once_when_the_server_died },
};
const size_t roundtrip_test_count = sizeof(roundtrip_tests) / sizeof(roundtrip_tests[0]);
