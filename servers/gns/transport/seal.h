/*
 * Cryptography, all of it from BearSSL: the per-session keys (HKDF-SHA256
 * over the cluster key and both handshake nonces), sealing a datagram with
 * ChaCha20-Poly1305 (header as associated data) or, auth-only, a Poly1305 tag
 * over header and clear payload, and the handshake's HMAC-SHA256 tag.
 */
#ifndef XPORT_SEAL_H
#define XPORT_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"
#include "xport.h"

struct seal_keys {
	uint8_t  tx[XPORT_KEY_SIZE]; /* what we send with */
	uint8_t  rx[XPORT_KEY_SIZE]; /* what the peer sends with */
	uint64_t session;            /* the session's id, never 0 */
};

/*
 * Both sides get the same two keys and id from the same inputs; `initiator`
 * says which of the two we are, so which key is tx.
 */
void seal_derive(const uint8_t cluster[XPORT_KEY_SIZE], uint32_t init_node, uint32_t resp_node,
		 const uint8_t init_nonce[WIRE_NONCE_SIZE], const uint8_t resp_nonce[WIRE_NONCE_SIZE],
		 bool initiator, struct seal_keys *out);

/* The key of the handshake's tags, the same on every node of the cluster. */
void seal_hello_key(const uint8_t cluster[XPORT_KEY_SIZE], uint8_t out[XPORT_KEY_SIZE]);

/* HELLO and REPLY: dgram is header and payload, len bytes; the tag goes after them. */
void seal_hello(const uint8_t key[XPORT_KEY_SIZE], uint8_t *dgram, size_t len);
bool seal_hello_check(const uint8_t key[XPORT_KEY_SIZE], const uint8_t *dgram, size_t len);

/*
 * DATA and ACK: encrypts (unless auth_only) the payload, after the header's
 * header_len bytes, in place and appends the tag.
 */
void seal_datagram(const uint8_t key[XPORT_KEY_SIZE], uint64_t pn, bool auth_only, uint8_t *dgram,
		   size_t header_len, size_t payload_len);

/*
 * Checks a DATA or ACK datagram's tag. The clear payload: `scratch` (at least
 * payload_len bytes) when it was encrypted, the datagram's own bytes when
 * auth-only. NULL when the tag is wrong; then nothing of it may be used.
 */
const uint8_t *seal_open(const uint8_t key[XPORT_KEY_SIZE], uint64_t pn, bool auth_only,
			 const uint8_t *dgram, size_t header_len, size_t payload_len, uint8_t *scratch);

/* Equal, in time that does not depend on where they differ. */
bool seal_equal(const void *a, const void *b, size_t len);

#endif
