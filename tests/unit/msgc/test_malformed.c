/*
 * Malformed messages. Requests are built by hand, as the kernel would deliver them,
 * and given to the generated demultiplexer: each must get an error reply and never
 * reach a handler. Replies are corrupted on their way back to a generated client
 * stub: each must be reported and destroyed, leaving the caller's outputs untouched.
 */
#include <stdint.h>
#include <string.h>
#include <msgc_runtime.h>
#include "fake_kernel.h"
#include "kinds_client.h"
#include "kinds_handlers.h"
#include "ool_table.h"
#include "test.h"

struct raw {
	union {
		mach_msg_header_t head;
		uint8_t bytes[8192];
	} m;
	uint32_t size;
};

/* A request as received: the reply right in remote, the server's port in local. */
static void
raw_begin(struct raw *r, mach_msg_id_t id, uint32_t descriptors)
{
	memset(r, 0, sizeof(*r));
	fake_kernel_reset(kinds_server);
	memset(&kinds_state, 0, sizeof(kinds_state));
	r->m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND);
	r->m.head.msgh_remote_port = FAKE_REPLY_PORT;
	r->m.head.msgh_local_port = FAKE_SERVER_PORT;
	r->m.head.msgh_id = id;
	r->size = sizeof(mach_msg_header_t);
	if (descriptors != 0) {
		r->m.head.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
		memcpy(r->m.bytes + r->size, &descriptors, 4);
		r->size += 4;
	}
}

static void
raw_bytes(struct raw *r, const void *p, uint32_t n)
{
	memcpy(r->m.bytes + r->size, p, n);
	r->size += (n + 3) & ~3u;
}

static void
raw_u32(struct raw *r, uint32_t v)
{
	raw_bytes(r, &v, 4);
}

static void
raw_port(struct raw *r, mach_port_t name, uint8_t right)
{
	mach_msg_port_descriptor_t d = { .name = name, .disposition = right,
		.type = MACH_MSG_PORT_DESCRIPTOR };

	raw_bytes(r, &d, sizeof(d));
}

static void
raw_ool(struct raw *r, uint32_t size)
{
	void *p = ool_alloc(size);
	mach_msg_ool_descriptor_t d = { .address = msgc_ool_address(p),
		.type = MACH_MSG_OOL_DESCRIPTOR, .size = size };

	memset(p, 0, size);
	raw_bytes(r, &d, sizeof(d));
}

/* Serves r; returns the reply's RetCode, KERN_SUCCESS for a successful reply. */
static kern_return_t
serve(struct raw *r, bool *known)
{
	static union {
		mach_msg_header_t head;
		uint8_t bytes[KINDS_REPLY_MAX_SIZE];
	} out;
	kern_return_t ret = KERN_SUCCESS;

	r->m.head.msgh_size = r->size;
	*known = kinds_server(&r->m.head, &out.head);
	if (out.head.msgh_id != (mach_msg_id_t)((uint32_t)r->m.head.msgh_id + 100) || out.head.msgh_size > sizeof(out))
		return -1;
	if (!(out.head.msgh_bits & MACH_MSGH_BITS_COMPLEX))
		memcpy(&ret, out.bytes + sizeof(mach_msg_header_t), sizeof(ret));
	if (ret != KERN_SUCCESS && ret != MIG_NO_REPLY)
		mach_msg_destroy(&r->m.head);	/* as the server loop does */
	return ret;
}

#define CHECK_REJECTED(r, code)                        \
	do {                                           \
		bool known_;                           \
		CHECK_EQ(serve(r, &known_), code);     \
		CHECK_EQ(kinds_state.calls, 0);        \
	} while (0)

/* A valid kinds_ints request, to cut and stretch. */
static void
ints_request(struct raw *r)
{
	raw_begin(r, KINDS_INTS_ID, 0);
	raw_u32(r, 1);		/* a */
	raw_u32(r, 2);		/* b */
	raw_u32(r, 3);		/* c */
	raw_u32(r, 4);		/* d, low */
	raw_u32(r, 0);		/* d, high */
	raw_u32(r, 1);		/* f */
	raw_u32(r, 9);		/* acc */
}

static void
hand_built_requests_are_accepted(void)
{
	struct raw r;
	bool known;

	ints_request(&r);
	CHECK_EQ(serve(&r, &known), KERN_SUCCESS);
	CHECK(known);
	CHECK_EQ(kinds_state.calls, 1);
}

static void
unknown_id_gets_bad_id(void)
{
	struct raw r;
	bool known = true;

	ints_request(&r);
	r.m.head.msgh_id = KINDS_BASE_ID - 1;
	CHECK_EQ(serve(&r, &known), MIG_BAD_ID);
	CHECK(!known);
	r.m.head.msgh_id = KINDS_INTS_ID + 100;	/* a reply id is not a request */
	CHECK_EQ(serve(&r, &known), MIG_BAD_ID);
	CHECK_EQ(kinds_state.calls, 0);
}

static void
largest_id_gets_bad_id(void)
{
	struct raw r;

	ints_request(&r);
	r.m.head.msgh_id = INT32_MAX;	/* found by the fuzzer: id + 100 overflowed */
	CHECK_REJECTED(&r, MIG_BAD_ID);
}

static void
skipped_id_gets_bad_id(void)
{
	struct raw r;

	ints_request(&r);
	r.m.head.msgh_id = KINDS_BASE_ID + 2;	/* the skip in kinds.defs */
	CHECK_REJECTED(&r, MIG_BAD_ID);
}

static void
truncated_request_is_rejected(void)
{
	struct raw r;

	ints_request(&r);
	r.size -= 4;
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

static void
request_with_trailing_bytes_is_rejected(void)
{
	struct raw r;

	ints_request(&r);
	raw_u32(&r, 0);
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

static void
request_size_not_a_multiple_of_four_is_rejected(void)
{
	struct raw r;

	ints_request(&r);
	r.size -= 2;
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

static void
request_shorter_than_a_header_is_rejected(void)
{
	struct raw r;

	ints_request(&r);
	r.size = 20;
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

static void
ports_request(struct raw *r, uint32_t count, uint8_t last_right)
{
	raw_begin(r, KINDS_PORTS_ID, count);
	for (int i = 0; i < 5; i++)
		raw_port(r, 100 + (mach_port_t)i, i < 3 ? MACH_MSG_TYPE_PORT_SEND :
		    MACH_MSG_TYPE_PORT_SEND_ONCE);
	raw_port(r, 105, last_right);
}

static void
hand_built_ports_request_is_accepted(void)
{
	struct raw r;
	bool known;

	ports_request(&r, 6, MACH_MSG_TYPE_PORT_RECEIVE);
	CHECK_EQ(serve(&r, &known), KERN_SUCCESS);
	CHECK_EQ(kinds_state.calls, 1);
}

static void
missing_complex_bit_is_rejected(void)
{
	struct raw r;

	ports_request(&r, 6, MACH_MSG_TYPE_PORT_RECEIVE);
	r.m.head.msgh_bits &= ~MACH_MSGH_BITS_COMPLEX;
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

static void
complex_bit_on_simple_request_is_rejected(void)
{
	struct raw r;

	ints_request(&r);
	r.m.head.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

static void
wrong_descriptor_count_is_rejected(void)
{
	struct raw r;

	ports_request(&r, 5, MACH_MSG_TYPE_PORT_RECEIVE);
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
	ports_request(&r, 7, MACH_MSG_TYPE_PORT_RECEIVE);
	raw_port(&r, 106, MACH_MSG_TYPE_PORT_SEND);
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
	CHECK(fake.rights_destroyed >= 7);	/* the server loop released them all */
}

static void
wrong_port_right_is_rejected(void)
{
	struct raw r;

	ports_request(&r, 6, MACH_MSG_TYPE_PORT_SEND);	/* a send right, not receive */
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

static void
memory_where_a_port_is_expected_is_rejected(void)
{
	struct raw r;

	raw_begin(&r, KINDS_PORTS_ID, 6);
	raw_ool(&r, 8);
	for (int i = 0; i < 5; i++)
		raw_port(&r, 1, MACH_MSG_TYPE_PORT_SEND);
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

/*
 * A kinds_same_count request: given's four descriptors (names of them set),
 * then a (aCnt words), b (bCnt words) and given's count, each count inline.
 */
static void
same_count_request(struct raw *r, uint32_t aCnt, uint32_t bCnt, uint32_t givenCnt)
{
	raw_begin(r, KINDS_SAME_COUNT_ID, 4);
	for (uint32_t i = 0; i < 4; i++)
		raw_port(r, i < givenCnt ? 0x310 + i : MACH_PORT_NULL, MACH_MSG_TYPE_PORT_SEND);
	raw_u32(r, aCnt);
	for (uint32_t i = 0; i < aCnt; i++)
		raw_u32(r, i);
	raw_u32(r, bCnt);
	for (uint32_t i = 0; i < bCnt; i++)
		raw_u32(r, i);
	raw_u32(r, givenCnt);
}

static void
same_count_arrays_of_equal_counts_are_accepted(void)
{
	struct raw r;
	bool known;

	same_count_request(&r, 2, 2, 2);
	CHECK_EQ(serve(&r, &known), KERN_SUCCESS);
	CHECK_EQ(kinds_state.calls, 1);
	CHECK_EQ(kinds_state.list[1], 0x311);
}

/* SameCount arrays whose counts differ: no count the handler could be given for them all */
static void
same_count_arrays_of_other_counts_are_rejected(void)
{
	struct raw r;

	same_count_request(&r, 3, 2, 3);
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
	same_count_request(&r, 2, 2, 1);
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

/* A kinds_port_list request: four port descriptors, the first count of them set, then the count. */
static void
port_list_request(struct raw *r, uint32_t count, uint32_t names)
{
	raw_begin(r, KINDS_PORT_LIST_ID, 4);
	for (uint32_t i = 0; i < 4; i++)
		raw_port(r, i < names ? 0x300 + i : MACH_PORT_NULL, MACH_MSG_TYPE_PORT_SEND);
	raw_u32(r, count);
}

static void
hand_built_port_list_request_is_accepted(void)
{
	struct raw r;
	bool known;

	port_list_request(&r, 2, 2);
	CHECK_EQ(serve(&r, &known), KERN_SUCCESS);
	CHECK_EQ(kinds_state.calls, 1);
	CHECK_EQ(kinds_state.listCnt, 2);
	CHECK_EQ(kinds_state.list[1], 0x301);
}

static void
port_list_count_above_bound_is_rejected(void)
{
	struct raw r;

	port_list_request(&r, 5, 4);
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

/* A right past the count would reach no handler, and no one would release it but the loop */
static void
port_list_right_past_its_count_is_rejected(void)
{
	struct raw r;

	port_list_request(&r, 1, 2);
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

static void
port_list_with_too_few_descriptors_is_rejected(void)
{
	struct raw r;

	raw_begin(&r, KINDS_PORT_LIST_ID, 3);
	for (int i = 0; i < 3; i++)
		raw_port(&r, 0x300, MACH_MSG_TYPE_PORT_SEND);
	raw_u32(&r, 3);
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

static void
port_list_with_a_wrong_right_is_rejected(void)
{
	struct raw r;

	port_list_request(&r, 2, 2);
	((mach_msg_port_descriptor_t *)(r.m.bytes + 28))[1].disposition = MACH_MSG_TYPE_PORT_SEND_ONCE;
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

static void
ool_request(struct raw *r, uint32_t blob_size, uint32_t words_size)
{
	raw_begin(r, KINDS_OOL_ID, 2);
	raw_ool(r, blob_size);
	raw_ool(r, words_size);
}

static void
hand_built_ool_request_is_accepted(void)
{
	struct raw r;
	bool known;

	ool_request(&r, 10, 4096);
	CHECK_EQ(serve(&r, &known), KERN_SUCCESS);
	CHECK_EQ(kinds_state.calls, 1);
	ool_free_all();		/* the reply's memory; nobody receives it here */
}

static void
port_where_memory_is_expected_is_rejected(void)
{
	struct raw r;

	raw_begin(&r, KINDS_OOL_ID, 2);
	raw_port(&r, 5, MACH_MSG_TYPE_PORT_SEND);
	raw_ool(&r, 4);
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

static void
ool_size_not_whole_elements_is_rejected(void)
{
	struct raw r;

	ool_request(&r, 10, 6);	/* words are 4 bytes */
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

static void
ool_above_bound_is_rejected(void)
{
	struct raw r;

	ool_request(&r, 10, 1025 * 4);
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

/* kinds_strings: label is c_string[16], path and edit c_string[*:32]. */
static void
strings_request(struct raw *r, const void *label, uint32_t path_count, const char *path)
{
	raw_begin(r, KINDS_STRINGS_ID, 0);
	raw_bytes(r, label, 16);
	raw_u32(r, path_count);
	raw_bytes(r, path, path_count);
	raw_u32(r, 2);
	raw_bytes(r, "e", 2);
}

static void
hand_built_strings_request_is_accepted(void)
{
	struct raw r;
	bool known;
	char label[16] = "label";

	strings_request(&r, label, 5, "path");
	CHECK_EQ(serve(&r, &known), KERN_SUCCESS);
	CHECK_EQ(kinds_state.calls, 1);
}

static void
unterminated_fixed_string_is_rejected(void)
{
	struct raw r;
	char label[16];

	memset(label, 'L', sizeof(label));
	strings_request(&r, label, 5, "path");
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

static void
unterminated_counted_string_is_rejected(void)
{
	struct raw r;

	strings_request(&r, "label\0\0\0\0\0\0\0\0\0\0", 4, "path");
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

static void
string_with_inner_nul_is_rejected(void)
{
	struct raw r;

	strings_request(&r, "label\0\0\0\0\0\0\0\0\0\0", 5, "pa\0h");
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

static void
string_count_above_bound_is_rejected(void)
{
	struct raw r;
	char path[40] = "path";

	strings_request(&r, "label\0\0\0\0\0\0\0\0\0\0", 33, path);
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

static void
empty_string_count_is_rejected(void)
{
	struct raw r;

	strings_request(&r, "label\0\0\0\0\0\0\0\0\0\0", 0, "");
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

/* kinds_arrays: v is int32_t[4], data array[*:64] of uint8_t, s array[*:8] of uint16_t. */
static void
array_count_above_bound_is_rejected(void)
{
	struct raw r;
	uint8_t zeros[80] = { 0 };

	raw_begin(&r, KINDS_ARRAYS_ID, 0);
	raw_bytes(&r, zeros, 16);
	raw_u32(&r, 65);
	raw_bytes(&r, zeros, 65);
	raw_u32(&r, 0);
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

static void
array_count_beyond_message_is_rejected(void)
{
	struct raw r;
	uint8_t zeros[16] = { 0 };

	raw_begin(&r, KINDS_ARRAYS_ID, 0);
	raw_bytes(&r, zeros, 16);
	raw_u32(&r, 60);	/* within the bound, but only 8 bytes follow */
	raw_u32(&r, 0);
	raw_u32(&r, 0);
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

static void
malformed_one_way_message_reaches_no_handler(void)
{
	struct raw r;

	raw_begin(&r, KINDS_NOTIFY_ID, 0);
	r.m.head.msgh_remote_port = MACH_PORT_NULL;
	r.m.head.msgh_bits = MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND);
	raw_u32(&r, 5);
	raw_u32(&r, 3);
	raw_bytes(&r, "abc", 3);	/* no NUL */
	CHECK_REJECTED(&r, MIG_BAD_ARGUMENTS);
}

/* Reply corruptions, applied by the fake kernel before it delivers a reply. */
static void
change_reply_id(mach_msg_header_t *m)
{
	m->msgh_id++;
}

static void
truncate_reply(mach_msg_header_t *m)
{
	m->msgh_size -= 4;
}

static void
clear_complex_bit(mach_msg_header_t *m)
{
	m->msgh_bits &= ~MACH_MSGH_BITS_COMPLEX;
}

static void
make_second_port_a_send_right(mach_msg_header_t *m)
{
	mach_msg_port_descriptor_t *d = (void *)((uint8_t *)m + 28);

	d[1].disposition = MACH_MSG_TYPE_MAKE_SEND;	/* the type says send-once */
}

static void
turn_memory_into_a_port(mach_msg_header_t *m)
{
	mach_msg_descriptor_t *d = (void *)((uint8_t *)m + 28);
	mach_msg_port_descriptor_t port = { .name = 77,
		.disposition = MACH_MSG_TYPE_COPY_SEND, .type = MACH_MSG_PORT_DESCRIPTOR };

	ool_free(ool_lookup(d->out_of_line.address));
	d->port = port;
}

static void
grow_reply(mach_msg_header_t *m)
{
	m->msgh_size = 256;
}

static void
error_code_with_data(mach_msg_header_t *m)
{
	kern_return_t bad = KERN_FAILURE;

	memcpy(m + 1, &bad, sizeof(bad));
}

/* kinds_same_count's reply of three: diff's count one less and its last word gone, sum's as it was. */
static void
shorten_same_count_diff(mach_msg_header_t *m)
{
	uint32_t two = 2;

	memcpy((uint8_t *)m + 28 + 4 + 3 * 4, &two, 4);	/* after RetCode, sum's count and words */
	m->msgh_size -= 4;
}

static void
start_client(fake_mutator_fn mutate)
{
	fake_kernel_reset(kinds_server);
	memset(&kinds_state, 0, sizeof(kinds_state));
	fake.mutate_reply = mutate;
}

/* A reply whose SameCount arrays came with counts that differ: a type error, outputs untouched. */
static void
same_count_reply_of_other_counts_is_a_type_error(void)
{
	int32_t a[3] = { 1, 2, 3 }, b[3] = { 1, 1, 1 }, sum[4] = { 0 }, diff[4] = { 0 };
	mach_port_t given[3] = { MACH_PORT_NULL, MACH_PORT_NULL, MACH_PORT_NULL };
	mach_msg_type_number_t sumCnt = 4;

	start_client(shorten_same_count_diff);
	CHECK_EQ(kinds_same_count(FAKE_SERVER_PORT, a, 3, b, given, sum, &sumCnt, diff), MIG_TYPE_ERROR);
	CHECK_EQ(sumCnt, 4);
	CHECK_EQ(sum[0], 0);
}

static void
reply_with_wrong_id_is_a_mismatch(void)
{
	int64_t sum = 5;
	uint32_t acc = 6;

	start_client(change_reply_id);
	CHECK_EQ(kinds_ints(FAKE_SERVER_PORT, 1, 2, 3, 4, 1, &sum, &acc), MIG_REPLY_MISMATCH);
	CHECK_EQ(sum, 5);
	CHECK_EQ(acc, 6);
}

static void
truncated_reply_is_a_type_error(void)
{
	int64_t sum = 5;
	uint32_t acc = 6;

	start_client(truncate_reply);
	CHECK_EQ(kinds_ints(FAKE_SERVER_PORT, 1, 2, 3, 4, 1, &sum, &acc), MIG_TYPE_ERROR);
	CHECK_EQ(sum, 5);
	CHECK_EQ(acc, 6);
}

static void
reply_without_complex_bit_is_a_type_error(void)
{
	mach_port_t given = 1, once = 2;

	start_client(clear_complex_bit);
	CHECK_EQ(kinds_ports(FAKE_SERVER_PORT, 1, 2, 3, 4, 5, 6, &given, &once), MIG_TYPE_ERROR);
	CHECK_EQ(given, 1);
	CHECK_EQ(once, 2);
}

static void
reply_with_wrong_right_is_destroyed(void)
{
	mach_port_t given = 1, once = 2;

	start_client(make_second_port_a_send_right);
	CHECK_EQ(kinds_ports(FAKE_SERVER_PORT, 1, 2, 3, 4, 5, 6, &given, &once), MIG_TYPE_ERROR);
	CHECK_EQ(given, 1);
	CHECK_EQ(once, 2);
	CHECK_EQ(fake.rights_destroyed, 2);	/* both rights the bad reply carried */
}

static void
reply_with_wrong_descriptor_kind_is_a_type_error(void)
{
	uint8_t blob[4] = { 1, 2, 3, 4 };
	uint8_t *copy = NULL;
	mach_msg_type_number_t copyCnt = 0;
	uint32_t total = 0;

	start_client(turn_memory_into_a_port);
	CHECK_EQ(kinds_ool(FAKE_SERVER_PORT, blob, 4, NULL, 0, &copy, &copyCnt, &total),
	    MIG_TYPE_ERROR);
	CHECK(copy == NULL);
}

static void
reply_larger_than_buffer_drops_reply_port(void)
{
	start_client(grow_reply);
	CHECK_EQ(kinds_ping(FAKE_SERVER_PORT), MACH_RCV_TOO_LARGE);
	CHECK_EQ(fake.reply_ports_dropped, 1);
}

static void
reply_with_error_code_and_data_is_a_type_error(void)
{
	int64_t sum = 5;
	uint32_t acc = 6;

	start_client(error_code_with_data);
	CHECK_EQ(kinds_ints(FAKE_SERVER_PORT, 1, 2, 3, 4, 1, &sum, &acc), MIG_TYPE_ERROR);
	CHECK_EQ(sum, 5);
}

static void
error_reply_to_complex_routine_returns_its_code(void)
{
	mach_port_t given = 1, once = 2;

	start_client(NULL);
	kinds_state.fail_with = KERN_NO_SPACE;
	CHECK_EQ(kinds_ports(FAKE_SERVER_PORT, 1, 2, 3, 4, 5, 6, &given, &once), KERN_NO_SPACE);
	CHECK_EQ(given, 1);
}

const struct test malformed_tests[] = {
	{ "hand_built_requests_are_accepted", hand_built_requests_are_accepted },
	{ "unknown_id_gets_bad_id", unknown_id_gets_bad_id },
	{ "largest_id_gets_bad_id", largest_id_gets_bad_id },
	{ "skipped_id_gets_bad_id", skipped_id_gets_bad_id },
	{ "truncated_request_is_rejected", truncated_request_is_rejected },
	{ "request_with_trailing_bytes_is_rejected", request_with_trailing_bytes_is_rejected },
	{ "request_size_not_a_multiple_of_four_is_rejected",
	  request_size_not_a_multiple_of_four_is_rejected },
	{ "request_shorter_than_a_header_is_rejected", request_shorter_than_a_header_is_rejected },
	{ "hand_built_ports_request_is_accepted", hand_built_ports_request_is_accepted },
	{ "missing_complex_bit_is_rejected", missing_complex_bit_is_rejected },
	{ "complex_bit_on_simple_request_is_rejected", complex_bit_on_simple_request_is_rejected },
	{ "wrong_descriptor_count_is_rejected", wrong_descriptor_count_is_rejected },
	{ "wrong_port_right_is_rejected", wrong_port_right_is_rejected },
	{ "memory_where_a_port_is_expected_is_rejected",
	  memory_where_a_port_is_expected_is_rejected },
	{ "hand_built_port_list_request_is_accepted", hand_built_port_list_request_is_accepted },
	{ "port_list_count_above_bound_is_rejected", port_list_count_above_bound_is_rejected },
	{ "same_count_arrays_of_equal_counts_are_accepted", same_count_arrays_of_equal_counts_are_accepted },
	{ "same_count_arrays_of_other_counts_are_rejected", same_count_arrays_of_other_counts_are_rejected },
	{ "port_list_right_past_its_count_is_rejected", port_list_right_past_its_count_is_rejected },
	{ "port_list_with_too_few_descriptors_is_rejected", port_list_with_too_few_descriptors_is_rejected },
	{ "port_list_with_a_wrong_right_is_rejected", port_list_with_a_wrong_right_is_rejected },
	{ "hand_built_ool_request_is_accepted", hand_built_ool_request_is_accepted },
	{ "port_where_memory_is_expected_is_rejected", port_where_memory_is_expected_is_rejected },
	{ "ool_size_not_whole_elements_is_rejected", ool_size_not_whole_elements_is_rejected },
	{ "ool_above_bound_is_rejected", ool_above_bound_is_rejected },
	{ "hand_built_strings_request_is_accepted", hand_built_strings_request_is_accepted },
	{ "unterminated_fixed_string_is_rejected", unterminated_fixed_string_is_rejected },
	{ "unterminated_counted_string_is_rejected", unterminated_counted_string_is_rejected },
	{ "string_with_inner_nul_is_rejected", string_with_inner_nul_is_rejected },
	{ "string_count_above_bound_is_rejected", string_count_above_bound_is_rejected },
	{ "empty_string_count_is_rejected", empty_string_count_is_rejected },
	{ "array_count_above_bound_is_rejected", array_count_above_bound_is_rejected },
	{ "array_count_beyond_message_is_rejected", array_count_beyond_message_is_rejected },
	{ "malformed_one_way_message_reaches_no_handler",
	  malformed_one_way_message_reaches_no_handler },
	{ "reply_with_wrong_id_is_a_mismatch", reply_with_wrong_id_is_a_mismatch },
	{ "same_count_reply_of_other_counts_is_a_type_error", same_count_reply_of_other_counts_is_a_type_error },
	{ "truncated_reply_is_a_type_error", truncated_reply_is_a_type_error },
	{ "reply_without_complex_bit_is_a_type_error", reply_without_complex_bit_is_a_type_error },
	{ "reply_with_wrong_right_is_destroyed", reply_with_wrong_right_is_destroyed },
	{ "reply_with_wrong_descriptor_kind_is_a_type_error",
	  reply_with_wrong_descriptor_kind_is_a_type_error },
	{ "reply_larger_than_buffer_drops_reply_port", reply_larger_than_buffer_drops_reply_port },
	{ "reply_with_error_code_and_data_is_a_type_error",
	  reply_with_error_code_and_data_is_a_type_error },
	{ "error_reply_to_complex_routine_returns_its_code",
	  error_reply_to_complex_routine_returns_its_code },
};
const size_t malformed_test_count = sizeof(malformed_tests) / sizeof(malformed_tests[0]);
