# The inter-node transport (this folder's README.md) and BearSSL under it:
# tools/bearssl.sh fetches Debian's bearssl source into build/bearssl/src
# (never committed) and builds it with its own Makefile for the host
# (build/bearssl/host) and the guest (build/bearssl/guest). The transport is
# built for the guest as build/xport/libxport.a (gns will link it) and for the
# host unit tests (tests/unit/xport/rules.mk). `make bearssl` fetches and builds.

BEARSSL_DIR   := $(B)/bearssl
BEARSSL_HOST  := $(BEARSSL_DIR)/host/libbearssl.a
BEARSSL_GUEST := $(BEARSSL_DIR)/guest/libbearssl.a
BEARSSL_INC   := -I$(BEARSSL_DIR)/src/inc

$(BEARSSL_HOST): tools/bearssl.sh tools/debsrc.sh
	$(Q)tools/bearssl.sh $(BEARSSL_DIR) host
$(BEARSSL_GUEST): tools/bearssl.sh tools/debsrc.sh $(NEWLIB_LIBC)
	$(Q)tools/bearssl.sh $(BEARSSL_DIR) guest $(NEWLIB)

.PHONY: bearssl
bearssl: $(BEARSSL_HOST) $(BEARSSL_GUEST)

XPORT_SRCS    := $(wildcard servers/gns/transport/*.c)
XPORT_INCLUDE := -Iservers/gns/transport $(BEARSSL_INC)

# BearSSL's headers exist once a build of it does (order-only, as lwIP's stamp).
$(B)/obj/xport/%.c.o: %.c $(NEWLIB_LIBC) | $(BEARSSL_GUEST)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) $(XPORT_INCLUDE) -c $< -o $@

XPORT_LIB := $(B)/xport/libxport.a
$(XPORT_LIB): $(patsubst %,$(B)/obj/xport/%.o,$(XPORT_SRCS))
	$(call msg,AR,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

ALL += $(XPORT_LIB) $(BEARSSL_GUEST)

include tests/unit/xport/rules.mk
# (named dissector.mk, not rules.mk: it needs XPORT_SRCS, so it is read here, after them)
include tests/dissector/dissector.mk
