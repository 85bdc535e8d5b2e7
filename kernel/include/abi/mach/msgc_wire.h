/*
 * The message layout helpers that msgc's generated code shares between user space
 * (libmsg/include/msgc_runtime.h) and the kernel (kern/msgc_kernel.h): appending
 * inline items to a message and taking them out again with every bound checked.
 * The includer declares memcpy. A field of a size known when compiled goes by
 * __builtin_memcpy, a move even where the includer is built -ffreestanding
 * (which makes every memcpy a call). Layout: tools/msgc/README.md.
 */
#ifndef MACH_MSGC_WIRE_H
#define MACH_MSGC_WIRE_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/message.h>

static inline uint32_t
msgc_round4(uint32_t n)
{
	return (n + 3u) & ~3u;
}

static inline uint32_t
msgc_strnlen(const char *s, uint32_t max)
{
	uint32_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

/* Appends to a message. Generated code sizes its buffers for the largest message,
 * and checks every count before it appends, so appending cannot overflow. */
struct msgc_writer {
	uint8_t *base;
	uint32_t at;
	uint32_t desc;		/* kernel target: descriptors written so far */
	void *kmsg;		/* kernel target: the struct kmsg written */
};

/* Reads from a received message: at never passes end (the received msgh_size). */
struct msgc_reader {
	const uint8_t *base;
	uint32_t at;
	uint32_t end;
	uint32_t desc;		/* kernel target: descriptors read so far */
	void *kmsg;		/* kernel target: the struct kmsg read */
};

static inline void
msgc_put(struct msgc_writer *w, const void *src, uint32_t n)
{
	if (__builtin_constant_p(n))
		__builtin_memcpy(w->base + w->at, src, n);
	else if (n != 0)	/* an empty array may come as NULL, which memcpy must not see */
		(memcpy)(w->base + w->at, src, n);	/* the function, whatever the includer made of the name */
	w->at += n;
	while (w->at & 3u)	/* padding is zero so messages are deterministic */
		w->base[w->at++] = 0;
}

static inline void
msgc_put_u32(struct msgc_writer *w, uint32_t v)
{
	msgc_put(w, &v, sizeof(v));
}

/* A counted array: element count, then the elements. */
static inline void
msgc_put_array(struct msgc_writer *w, const void *data, uint32_t count, uint32_t elem_size)
{
	msgc_put_u32(w, count);
	msgc_put(w, data, count * elem_size);
}

/*
 * Strings: the caller has checked that s has a NUL within its max bytes (msgc_strnlen
 * < max). A c_string[*:max] is a length word (counting the NUL), then the bytes; a
 * c_string[N] is always N bytes, NUL-padded.
 */
static inline void
msgc_put_string(struct msgc_writer *w, const char *s, uint32_t max)
{
	uint32_t n = msgc_strnlen(s, max) + 1;

	msgc_put_u32(w, n);
	msgc_put(w, s, n);
}

static inline void
msgc_put_fixed_string(struct msgc_writer *w, const char *s, uint32_t size)
{
	uint32_t n = msgc_strnlen(s, size);

	memcpy(w->base + w->at, s, n);
	while (n < size)
		w->base[w->at + n++] = 0;
	w->at += size;
	while (w->at & 3u)
		w->base[w->at++] = 0;
}

/* Take n bytes (plus padding) in place; NULL if the message is too short. */
static inline const void *
msgc_take(struct msgc_reader *r, uint32_t n)
{
	const void *p = r->base + r->at;
	uint32_t padded = msgc_round4(n);

	if (padded < n || padded > r->end - r->at)
		return NULL;
	r->at += padded;
	return p;
}

static inline bool
msgc_get(struct msgc_reader *r, void *dst, uint32_t n)
{
	const void *p = msgc_take(r, n);

	if (p == NULL)
		return false;
	if (__builtin_constant_p(n))
		__builtin_memcpy(dst, p, n);
	else
		(memcpy)(dst, p, n);
	return true;
}

/* A counted array of at most bound elements, in place; NULL if malformed. */
static inline const void *
msgc_get_array(struct msgc_reader *r, uint32_t elem_size, uint32_t bound,
    mach_msg_type_number_t *count)
{
	uint32_t n;

	if (!msgc_get(r, &n, sizeof(n)) || n > bound)
		return NULL;
	*count = n;
	return msgc_take(r, n * elem_size);
}

/* Same, copied into a buffer of bound elements. */
static inline bool
msgc_get_array_copy(struct msgc_reader *r, uint32_t elem_size, uint32_t bound,
    void *data, mach_msg_type_number_t *count)
{
	const void *p = msgc_get_array(r, elem_size, bound, count);

	if (p == NULL)
		return false;
	memcpy(data, p, *count * elem_size);
	return true;
}

/* A counted string of at most max bytes: NUL at its end and nowhere before. */
static inline const char *
msgc_get_string(struct msgc_reader *r, uint32_t max)
{
	const char *s;
	uint32_t n;

	if (!msgc_get(r, &n, sizeof(n)) || n == 0 || n > max)
		return NULL;
	s = msgc_take(r, n);
	if (s == NULL || msgc_strnlen(s, n) != n - 1)
		return NULL;
	return s;
}

/* A c_string[N]: N bytes with a NUL somewhere in them. */
static inline const char *
msgc_get_fixed_string(struct msgc_reader *r, uint32_t size)
{
	const char *s = msgc_take(r, size);

	if (s == NULL || msgc_strnlen(s, size) == size)
		return NULL;
	return s;
}

/* Either string form, copied into a buffer of size bytes. */
static inline bool
msgc_get_string_copy(struct msgc_reader *r, uint32_t size, bool fixed, char *buffer)
{
	const char *s = fixed ? msgc_get_fixed_string(r, size) : msgc_get_string(r, size);

	if (s == NULL)
		return false;
	memcpy(buffer, s, msgc_strnlen(s, size) + 1);
	return true;
}

/* The whole message was consumed: nothing may trail the last item. */
static inline bool
msgc_at_end(const struct msgc_reader *r)
{
	return r->at == r->end;
}

#endif
