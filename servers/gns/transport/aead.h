/*
 * ChaCha20-Poly1305 (RFC 8439) in SSE2, for the transport's datagrams
 * (aead.c). The same arguments and results as BearSSL's br_poly1305_run,
 * so seal.c takes either and the tests hold one against the other; the
 * ChaCha20 argument is not used (aead.c has its own).
 */
#ifndef XPORT_AEAD_H
#define XPORT_AEAD_H

#include <bearssl.h>
#include <stddef.h>

/*
 * Encrypts (encrypt != 0) or decrypts `data` in place with key and 12-byte
 * iv (block counter from 1) and puts the 16-byte tag over aad and the
 * ciphertext in `tag`. Needs a CPU with SSE2 (seal.c asks cpuid through
 * br_chacha20_sse2_get).
 */
void aead_sse2_run(const void *key, const void *iv, void *data, size_t len, const void *aad, size_t aad_len,
		   void *tag, br_chacha20_run unused, int encrypt);

/*
 * Decrypts len bytes of ciphertext at ct into out (not overlapping unless the
 * same) and puts the tag over aad and ct in `tag`: the open without copying
 * the ciphertext first (seal.c's scratch).
 */
void aead_sse2_open(const void *key, const void *iv, const void *ct, void *out, size_t len, const void *aad,
		    size_t aad_len, void *tag);

#endif
