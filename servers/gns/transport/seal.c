/*
 * seal.h's operations: keys and the handshake's HMAC from BearSSL
 * (build/bearssl, tools/bearssl.sh); ChaCha20-Poly1305 from aead.c where the
 * CPU has SSE2 (QEMU's CPUs and every PC since 2004; the kernel keeps a
 * task's SSE state), else BearSSL's portable code. Of BearSSL's Poly1305s only
 * br_poly1305_ctmul_run is fast on i386 (NOTES.md); aead.c takes a null
 * RPC's request from 4,467 to 3,270 instructions in the guest (README.md).
 */
#include "seal.h"
#include "aead.h"

#include <bearssl.h>
#include <string.h>

#define LABEL_SESSION "manifold xport v1 session"
#define LABEL_HELLO   "manifold xport v1 hello"

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

void
seal_derive(const uint8_t cluster[XPORT_KEY_SIZE], uint32_t init_node, uint32_t resp_node,
	    const uint8_t init_nonce[WIRE_NONCE_SIZE], const uint8_t resp_nonce[WIRE_NONCE_SIZE],
	    bool initiator, struct seal_keys *out)
{
	br_hkdf_context hc;
	uint8_t salt[2 * WIRE_NONCE_SIZE], info[sizeof LABEL_SESSION - 1 + 8];
	uint8_t okm[2 * XPORT_KEY_SIZE + 8];

	/* The nonces make each session's keys new; the node ids bind them to the pair. */
	memcpy(salt, init_nonce, WIRE_NONCE_SIZE);
	memcpy(salt + WIRE_NONCE_SIZE, resp_nonce, WIRE_NONCE_SIZE);
	memcpy(info, LABEL_SESSION, sizeof LABEL_SESSION - 1);
	put32(info + sizeof LABEL_SESSION - 1, init_node);
	put32(info + sizeof LABEL_SESSION - 1 + 4, resp_node);
	br_hkdf_init(&hc, &br_sha256_vtable, salt, sizeof salt);
	br_hkdf_inject(&hc, cluster, XPORT_KEY_SIZE);
	br_hkdf_flip(&hc);
	br_hkdf_produce(&hc, info, sizeof info, okm, sizeof okm);

	/* okm: initiator-to-responder key, responder-to-initiator key, session id. */
	memcpy(out->tx, okm + (initiator ? 0 : XPORT_KEY_SIZE), XPORT_KEY_SIZE);
	memcpy(out->rx, okm + (initiator ? XPORT_KEY_SIZE : 0), XPORT_KEY_SIZE);
	uint64_t id = 0;
	for (int i = 0; i < 8; i++)
		id = id << 8 | okm[2 * XPORT_KEY_SIZE + i];
	out->session = id ? id : 1;
	memset(okm, 0, sizeof okm);
}

void
seal_hello_key(const uint8_t cluster[XPORT_KEY_SIZE], uint8_t out[XPORT_KEY_SIZE])
{
	br_hkdf_context hc;

	br_hkdf_init(&hc, &br_sha256_vtable, NULL, 0);
	br_hkdf_inject(&hc, cluster, XPORT_KEY_SIZE);
	br_hkdf_flip(&hc);
	br_hkdf_produce(&hc, LABEL_HELLO, sizeof LABEL_HELLO - 1, out, XPORT_KEY_SIZE);
}

static void
hello_tag(const uint8_t key[XPORT_KEY_SIZE], const uint8_t *dgram, size_t len, uint8_t tag[WIRE_TAG_SIZE])
{
	br_hmac_key_context kc;
	br_hmac_context hc;

	br_hmac_key_init(&kc, &br_sha256_vtable, key, XPORT_KEY_SIZE);
	br_hmac_init(&hc, &kc, WIRE_TAG_SIZE);
	br_hmac_update(&hc, dgram, len);
	br_hmac_out(&hc, tag);
}

void
seal_hello(const uint8_t key[XPORT_KEY_SIZE], uint8_t *dgram, size_t len)
{
	hello_tag(key, dgram, len, dgram + len);
}

bool
seal_hello_check(const uint8_t key[XPORT_KEY_SIZE], const uint8_t *dgram, size_t len)
{
	uint8_t tag[WIRE_TAG_SIZE];

	hello_tag(key, dgram, len, tag);
	return seal_equal(tag, dgram + len, WIRE_TAG_SIZE);
}

/*
 * The AEAD, chosen once: aead.c's SSE2 code where the CPU has SSE2, else
 * BearSSL's portable ChaCha20 under its Poly1305 (the same bytes: the tests).
 */
typedef void (*aead_open_fn)(const void *key, const void *iv, const void *ct, void *out, size_t len, const void *aad,
			     size_t aad_len, void *tag);

static br_poly1305_run aead_run;
static br_chacha20_run aead_chacha;
static aead_open_fn aead_open_run;	/* the open out of place: decrypted into the caller's scratch */

/* BearSSL's decrypts in place: the ciphertext is copied to out first. */
static void
portable_open(const void *key, const void *iv, const void *ct, void *out, size_t len, const void *aad,
	      size_t aad_len, void *tag)
{
	if (out != ct)
		memcpy(out, ct, len);
	br_poly1305_ctmul_run(key, iv, out, len, aad, aad_len, tag, br_chacha20_ct_run, 0);
}

static void
aead_choose(void)
{
	if (aead_run)
		return;
	if (br_chacha20_sse2_get()) {
		aead_chacha = br_chacha20_sse2_run;
		aead_open_run = aead_sse2_open;
		aead_run = aead_sse2_run;
	} else {
		aead_chacha = br_chacha20_ct_run;
		aead_open_run = portable_open;
		aead_run = br_poly1305_ctmul_run;
	}
}

static void
aead(const uint8_t key[XPORT_KEY_SIZE], const uint8_t iv[12], void *data, size_t len, const void *aad,
     size_t aad_len, uint8_t tag[WIRE_TAG_SIZE], int encrypt)
{
	aead_choose();
	aead_run(key, iv, data, len, aad, aad_len, tag, aead_chacha, encrypt);
}

/*
 * The packet number is unique per key (each direction has its own), so is the
 * nonce: four zero bytes, then pn big-endian, in 32-bit halves (on i386 a
 * memset call and a loop of 64-bit shifts were some 100 instructions a datagram).
 */
static void
make_iv(uint64_t pn, uint8_t iv[12])
{
	uint32_t hi = (uint32_t)(pn >> 32), lo = (uint32_t)pn;

	iv[0] = iv[1] = iv[2] = iv[3] = 0;
	iv[4] = (uint8_t)(hi >> 24);
	iv[5] = (uint8_t)(hi >> 16);
	iv[6] = (uint8_t)(hi >> 8);
	iv[7] = (uint8_t)hi;
	iv[8] = (uint8_t)(lo >> 24);
	iv[9] = (uint8_t)(lo >> 16);
	iv[10] = (uint8_t)(lo >> 8);
	iv[11] = (uint8_t)lo;
}

void
seal_datagram(const uint8_t key[XPORT_KEY_SIZE], uint64_t pn, bool auth_only, uint8_t *dgram,
	      size_t header_len, size_t payload_len)
{
	uint8_t iv[12];
	uint8_t *payload = dgram + header_len, *tag = payload + payload_len;

	make_iv(pn, iv);
	if (auth_only) /* nothing to encrypt: header and payload are all associated data */
		aead(key, iv, payload, 0, dgram, header_len + payload_len, tag, 1);
	else
		aead(key, iv, payload, payload_len, dgram, header_len, tag, 1);
}

const uint8_t *
seal_open(const uint8_t key[XPORT_KEY_SIZE], uint64_t pn, bool auth_only, const uint8_t *dgram,
	  size_t header_len, size_t payload_len, uint8_t *scratch)
{
	uint8_t iv[12], tag[WIRE_TAG_SIZE];
	const uint8_t *payload = dgram + header_len;

	make_iv(pn, iv);
	if (auth_only) {
		aead(key, iv, scratch, 0, dgram, header_len + payload_len, tag, 0);
		return seal_equal(tag, payload + payload_len, WIRE_TAG_SIZE) ? payload : NULL;
	}
	/* Decrypt into scratch: the caller sees clear bytes only once the tag is right. */
	aead_choose();
	aead_open_run(key, iv, payload, scratch, payload_len, dgram, header_len, tag);
	if (!seal_equal(tag, payload + payload_len, WIRE_TAG_SIZE)) {
		memset(scratch, 0, payload_len);
		return NULL;
	}
	return scratch;
}

/* Constant time: every byte looked at whatever differs; four at a time while four remain. */
bool
seal_equal(const void *a, const void *b, size_t len)
{
	const uint8_t *x = a, *y = b;
	uint32_t diff = 0;
	size_t i = 0;

	for (; i + 4 <= len; i += 4) {
		uint32_t u, v;
		__builtin_memcpy(&u, x + i, 4);
		__builtin_memcpy(&v, y + i, 4);
		diff |= u ^ v;
	}
	for (; i < len; i++)
		diff |= (uint32_t)(x[i] ^ y[i]);
	return diff == 0;
}
