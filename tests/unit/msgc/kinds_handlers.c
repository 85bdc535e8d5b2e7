/* The handlers of kinds_handlers.h: each one's output is a simple function of its input. */
#include <string.h>
#include "kinds_handlers.h"
#include "fake_kernel.h"
#include "ool_table.h"

struct kinds_state kinds_state;

kern_return_t
kinds_do_kinds_ints(mach_port_t server, int8_t a, uint16_t b, count_t c, int64_t d, flag_t f,
    int64_t *sum, uint32_t *acc)
{
	kinds_state.calls++;
	if (kinds_state.fail_with)
		return kinds_state.fail_with;
	/* unsigned, so that any input the fuzzer sends has a defined sum */
	*sum = (int64_t)((uint64_t)a + b + (uint64_t)c + (uint64_t)d + (f ? 1 : 0));
	*acc = *acc * 2 + (server == FAKE_SERVER_PORT);
	return KERN_SUCCESS;
}

kern_return_t
kinds_do_kinds_arrays(mach_port_t server, const int32_t *v, const uint8_t *data,
    mach_msg_type_number_t dataCnt, int32_t *rev, uint8_t *echo,
    mach_msg_type_number_t *echoCnt, uint16_t *s, mach_msg_type_number_t *sCnt)
{
	(void)server;
	kinds_state.calls++;
	if (kinds_state.fail_with)
		return kinds_state.fail_with;
	for (int i = 0; i < 4; i++)
		rev[i] = v[3 - i];
	memcpy(echo, data, dataCnt);
	*echoCnt = kinds_state.overflow_outputs ? 65 : dataCnt;
	for (mach_msg_type_number_t i = 0; i < *sCnt; i++)
		s[i] = (uint16_t)(s[i] + 1);
	if (*sCnt < 8)
		s[(*sCnt)++] = 0xbeef;
	return KERN_SUCCESS;
}

kern_return_t
kinds_do_kinds_strings(mach_port_t server, const char *label, const char *path, char *upper,
    char *first, char *edit)
{
	size_t i;

	(void)server;
	kinds_state.calls++;
	if (kinds_state.fail_with)
		return kinds_state.fail_with;
	for (i = 0; path[i] != '\0'; i++)
		upper[i] = (char)(path[i] >= 'a' && path[i] <= 'z' ? path[i] - 32 : path[i]);
	upper[i] = '\0';
	memcpy(first, label, strlen(label) + 1);
	if (strlen(edit) < 31)
		strcat(edit, "!");
	if (kinds_state.overflow_outputs)
		memset(first, 'x', 16);
	return KERN_SUCCESS;
}

kern_return_t
kinds_do_kinds_ports(send_t server, send_t copy, make_send_t make, move_send_t move,
    once_t once, move_once_t move_once, receive_t recv, make_send_t *given,
    once_t *given_once)
{
	(void)server;
	kinds_state.calls++;
	if (kinds_state.fail_with)
		return kinds_state.fail_with;
	kinds_state.ports[0] = copy;
	kinds_state.ports[1] = make;
	kinds_state.ports[2] = move;
	kinds_state.ports[3] = once;
	kinds_state.ports[4] = move_once;
	kinds_state.ports[5] = recv;
	*given = copy + 1;
	*given_once = recv + 1;
	return KERN_SUCCESS;
}

kern_return_t
kinds_do_kinds_ool(mach_port_t server, uint8_t *blob, mach_msg_type_number_t blobCnt,
    uint32_t *words, mach_msg_type_number_t wordsCnt, uint8_t **copy,
    mach_msg_type_number_t *copyCnt, uint32_t *total)
{
	(void)server;
	kinds_state.calls++;
	if (kinds_state.fail_with)
		return kinds_state.fail_with;
	*total = 0;
	for (mach_msg_type_number_t i = 0; i < wordsCnt; i++)
		*total += words[i];
	*copy = NULL;
	if (blobCnt != 0) {
		*copy = ool_alloc(blobCnt);
		for (mach_msg_type_number_t i = 0; i < blobCnt; i++)
			(*copy)[i] = (uint8_t)~blob[i];
	}
	*copyCnt = blobCnt;
	ool_free(blob);		/* the handler owns what it received: vm_deallocate */
	ool_free(words);
	return KERN_SUCCESS;
}

kern_return_t
kinds_do_kinds_notify(mach_port_t server, int32_t code, const char *note)
{
	(void)server;
	kinds_state.calls++;
	kinds_state.notify_code = code;
	memcpy(kinds_state.notify_note, note, strlen(note) + 1);
	return kinds_state.fail_with;
}

kern_return_t
kinds_do_kinds_ping(mach_port_t server)
{
	(void)server;
	kinds_state.calls++;
	return kinds_state.fail_with;
}

kern_return_t
kinds_do_kinds_timed(mach_port_t server, int32_t x, int32_t *y)
{
	(void)server;
	kinds_state.calls++;
	*y = (int32_t)((uint32_t)x * 2u);	/* the fuzzer sends any x */
	return kinds_state.fail_with;
}

kern_return_t
kinds_do_kinds_timed_note(mach_port_t server, int32_t code)
{
	(void)server;
	kinds_state.calls++;
	kinds_state.notify_code = code;
	return kinds_state.fail_with;
}

kern_return_t
kinds_do_kinds_untimed(mach_port_t server)
{
	(void)server;
	kinds_state.calls++;
	return kinds_state.fail_with;
}

kern_return_t
kinds_do_kinds_again(mach_port_t server, int32_t x, int32_t *y)
{
	(void)server;
	kinds_state.calls++;
	*y = (int32_t)((uint32_t)x + 1u);	/* the fuzzer sends any x, INT32_MAX too */
	return kinds_state.fail_with;
}

/* Keeps the list and sends it back reversed (overflow_outputs: a count of 5). */
kern_return_t
kinds_do_kinds_port_list(mach_port_t server, const mach_port_t *given, mach_msg_type_number_t givenCnt,
    mach_port_t *back, mach_msg_type_number_t *backCnt)
{
	(void)server;
	kinds_state.calls++;
	if (kinds_state.fail_with)
		return kinds_state.fail_with;
	kinds_state.listCnt = givenCnt;
	for (mach_msg_type_number_t i = 0; i < givenCnt; i++) {
		kinds_state.list[i] = given[i];
		back[givenCnt - 1 - i] = given[i];
	}
	*backCnt = kinds_state.overflow_outputs ? 5 : givenCnt;
	return KERN_SUCCESS;
}

kern_return_t
kinds_do_kinds_same_count(mach_port_t server, const int32_t *a, mach_msg_type_number_t aCnt, const int32_t *b,
    const mach_port_t *given, int32_t *sum, mach_msg_type_number_t *sumCnt, int32_t *diff)
{
	(void)server;
	kinds_state.calls++;
	if (kinds_state.fail_with)
		return kinds_state.fail_with;
	kinds_state.listCnt = aCnt;
	for (mach_msg_type_number_t i = 0; i < aCnt; i++) {
		kinds_state.list[i] = given[i];
		/* wrapping, as the fuzzer's values may overflow (UBSan: signed overflow is undefined) */
		sum[i] = (int32_t)((uint32_t)a[i] + (uint32_t)b[i]);
		diff[i] = (int32_t)((uint32_t)a[i] - (uint32_t)b[i]);
	}
	*sumCnt = kinds_state.overflow_outputs ? 5 : aCnt;
	return KERN_SUCCESS;
}

kern_return_t
kinds_do_kinds_pair(mach_port_t server, kinds_pair_t given, kinds_pair_t *swapped, kinds_pair_t *both)
{
	(void)server;
	kinds_state.calls++;
	if (kinds_state.fail_with)
		return kinds_state.fail_with;
	swapped->first = given.second;
	swapped->second = given.first;
	/* wrapping, as the fuzzer's values may overflow */
	both->first = (int32_t)((uint32_t)both->first + (uint32_t)given.first);
	both->second = (int32_t)((uint32_t)both->second + (uint32_t)given.second);
	return KERN_SUCCESS;
}
