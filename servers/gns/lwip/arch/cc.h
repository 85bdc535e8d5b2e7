/*
 * lwIP's compiler and platform glue (lwIP's documented arch/cc.h), the
 * same for the guest (newlib) and the host tests (glibc): both give the C
 * headers lwIP includes by default, so only diagnostics, assertions and
 * randomness are ours. The platform side is port.h.
 */
#ifndef GNS_ARCH_CC_H
#define GNS_ARCH_CC_H

#include <stdint.h>
#include "random.h"

/* lwIP's DIAG and ASSERT macros pass printf-style arguments in parentheses. */
void port_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void port_assert_failed(const char *what, const char *file, int line) __attribute__((noreturn));

#define LWIP_PLATFORM_DIAG(x)		do { port_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x)		port_assert_failed((x), __FILE__, __LINE__)

/* Ephemeral ports and DHCP transaction ids come from here too. */
#define LWIP_RAND()			random_u32()

#endif
