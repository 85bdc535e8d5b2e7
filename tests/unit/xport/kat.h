/* Known answers for the cryptography, shared by the host and guest suites. */
#ifndef KAT_H
#define KAT_H

#include <stdbool.h>

/*
 * RFC 8439 section 2.8.2's AEAD example through BearSSL's portable code and
 * through aead.c's SSE2 code, as seal.c calls them: both must give it.
 */
bool kat_chacha20_poly1305(void);

/*
 * aead.c against BearSSL on n pseudo-random cases (keys, nonces, associated
 * data of 0 to 119 bytes, data of 0 to 1,499), both ways, the decryptions
 * out of place too (aead_sse2_open): how many differ.
 */
int kat_aead_sse2_differs(int n);

#endif
