/*
 * The datagram header: its fields, its byte layout (README.md, Wire format)
 * and the checks that need no key. wire.c encodes and decodes; nothing here
 * knows about sessions or cryptography.
 */
#ifndef XPORT_WIRE_H
#define XPORT_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_VERSION     2 /* 1: the fixed 84-byte header */
#define WIRE_HEADER_MIN  16 /* version, type, flags, widths, session: every field zero */
#define WIRE_HEADER_MAX  84 /* every field at its widest */
#define WIRE_TAG_SIZE    16
#define WIRE_OVERHEAD_MAX (WIRE_HEADER_MAX + WIRE_TAG_SIZE)
#define WIRE_NONCE_SIZE  32 /* each side's handshake nonce */

enum wire_type {
	WIRE_HELLO = 1, /* initiator's nonce */
	WIRE_REPLY = 2, /* both nonces, from the responder */
	WIRE_DATA  = 3, /* one fragment of a message */
	WIRE_ACK   = 4, /* acknowledgements only */
};

#define WIRE_F_AUTH_ONLY 0x0001 /* payload in clear, tag over header and payload */
#define WIRE_F_KNOWN     WIRE_F_AUTH_ONLY

struct wire_header {
	uint8_t  version, type;
	uint16_t flags;
	uint32_t src, dst;       /* node ids */
	uint64_t session;        /* 0 in HELLO */
	uint64_t pn;             /* packet number: the nonce, and what replay is checked on */
	uint64_t dsn;            /* DATA: data sequence number, from 1; else 0 */
	uint64_t ack;            /* every dsn <= ack has been received */
	uint64_t sack;           /* bit i: dsn ack + 2 + i received as well */
	uint32_t window;         /* HELLO, REPLY: bytes their sender takes in flight; else 0 */
	uint32_t msg, prev;      /* DATA: message id (from 1), and the one to deliver before it */
	uint32_t port;           /* DATA: the destination's port */
	uint32_t msg_len;        /* DATA: the whole message's length */
	uint32_t frag, frags;    /* DATA: this fragment's index, and how many there are */
	uint16_t payload_len;    /* bytes between the header and the tag (not sent: the rest) */
	uint8_t  header_len;     /* wire_decode's: the header's bytes (wire_encode returns it) */
};

/* Writes h (but payload_len and header_len); returns the header's length. */
size_t wire_encode(const struct wire_header *h, uint8_t out[WIRE_HEADER_MAX]);

/*
 * Decodes and checks a whole datagram of `len` bytes: every field that can be
 * judged without a key or a session. XPORT_OK or XPORT_E_SHORT,
 * XPORT_E_VERSION, XPORT_E_MALFORMED; *h means nothing unless XPORT_OK.
 */
int wire_decode(const uint8_t *dgram, size_t len, uint32_t max_message, struct wire_header *h);

/*
 * The fragments of a message of len bytes in frags pieces: each but the last
 * is wire_frag_size bytes, the last holds the rest (never empty unless len is 0).
 */
uint32_t wire_frags_for(uint32_t len, uint32_t max_payload);
uint32_t wire_frag_size(uint32_t len, uint32_t frags);
uint32_t wire_frag_len(uint32_t len, uint32_t frags, uint32_t frag);

#endif
