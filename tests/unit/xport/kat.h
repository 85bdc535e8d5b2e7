/* Known answers for the cryptography, shared by the host and guest suites. */
#ifndef KAT_H
#define KAT_H

#include <stdbool.h>

/* RFC 8439 section 2.8.2's AEAD example through BearSSL, as seal.c calls it. */
bool kat_chacha20_poly1305(void);

#endif
