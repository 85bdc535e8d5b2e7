# lwIP for gns, from Debian's source package (tools/lwip.sh fetches it into
# build/lwip/src; it is never committed), built twice with our port
# (servers/gns/lwip/): for the guest, into build/lwip/liblwip.a, and for the
# host unit tests (tests/unit/net/), as objects under AddressSanitizer and UBSan.
# `make lwip` fetches and builds; it does nothing when everything is there.

# The transport and BearSSL first: gns's objects need BEARSSL_GUEST in their prerequisites.
include servers/gns/transport/rules.mk

LWIP_DIR   := $(B)/lwip
LWIP_SRC   := $(LWIP_DIR)/src/src
LWIP_STAMP := $(LWIP_DIR)/src/.unpacked

# lwIP's core: IPv4, ARP and Ethernet, ICMP, raw, UDP, TCP, the DHCP client
# (a subset of its Filelists.mk: no DNS, IGMP, AutoIP, IPv6, or threaded APIs).
LWIP_FILES := core/init.c core/def.c core/inet_chksum.c core/ip.c core/mem.c core/memp.c \
	core/netif.c core/pbuf.c core/raw.c core/stats.c core/sys.c core/tcp.c core/tcp_in.c \
	core/tcp_out.c core/timeouts.c core/udp.c \
	core/ipv4/dhcp.c core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c core/ipv4/ip4_addr.c \
	core/ipv4/ip4_frag.c netif/ethernet.c
# Our port: shared by both builds, then each platform's clock and entropy.
LWIP_PORT_SRCS := servers/gns/lwip/sys.c servers/gns/lwip/random.c servers/gns/lwip/isn.c \
	servers/gns/lwip/siphash.c servers/gns/lwip/ether_hook.c servers/gns/lwip/syn_guard.c \
	servers/gns/lwip/chksum.c
LWIP_INCLUDES := -Iservers/gns/lwip -I$(LWIP_SRC)/include

$(LWIP_STAMP): tools/lwip.sh
	$(Q)rm -f $@ && tools/lwip.sh $(LWIP_DIR)

# lwIP's sources exist only once the stamp does: compile them by name, with the
# stamp order-only (their own dependencies come from -MMD after the first build).
LWIP_GUEST_OBJS := $(patsubst %.c,$(LWIP_DIR)/guest/%.o,$(LWIP_FILES))
LWIP_HOST_OBJS  := $(patsubst %.c,$(LWIP_DIR)/host/%.o,$(LWIP_FILES))

$(LWIP_DIR)/guest/%.o: | $(LWIP_STAMP) $(NEWLIB_LIBC)
	$(call msg,CC,lwip/$*.c)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) $(LWIP_INCLUDES) -c $(LWIP_SRC)/$*.c -o $@

$(LWIP_DIR)/host/%.o: | $(LWIP_STAMP)
	$(call msg,HOSTCC,lwip/$*.c)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(LWIP_INCLUDES) -c $(LWIP_SRC)/$*.c -o $@

# Our port's objects (and gns's files that tests/unit/net links): guest and host.
# (gns's own include the transport's headers and BearSSL's: cluster.c, proxy.c.)
$(B)/obj/gns-lwip/%.c.o: %.c $(NEWLIB_LIBC) | $(LWIP_STAMP) $(BEARSSL_GUEST) $(MACH_GEN_TYPES) $(SERVER_GEN_TYPES)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) $(LWIP_INCLUDES) $(XPORT_INCLUDE) -c $< -o $@

$(LWIP_DIR)/host/port/%.c.o: %.c | $(LWIP_STAMP)
	$(call msg,HOSTCC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(LWIP_INCLUDES) -Ilibmsg/include -c $< -o $@

LWIP_LIB := $(LWIP_DIR)/liblwip.a
$(LWIP_LIB): $(LWIP_GUEST_OBJS) $(patsubst %,$(B)/obj/gns-lwip/%.o,$(LWIP_PORT_SRCS) servers/gns/lwip/guest.c)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

.PHONY: lwip
lwip: $(LWIP_LIB) $(LWIP_HOST_OBJS)

ALL += $(LWIP_LIB)

include tests/unit/net/rules.mk

# gns itself: its files with lwIP's headers, the demuxes, lwIP, the transport and BearSSL.
GNS_SRCS := $(wildcard servers/gns/*.c)
GNS_OBJS := $(patsubst %,$(B)/obj/gns-lwip/%.o,$(GNS_SRCS)) $(B)/obj/gen/servers/frame_event_server.c.o \
	$(B)/obj/gen/servers/gns_server.c.o $(B)/obj/gen/servers/socket_server.c.o $(B)/obj/gen/servers/ping_server.c.o \
	$(B)/obj/gen/servers/xipc_server.c.o
$(B)/servers/gns.elf: $(GNS_OBJS) $(LWIP_LIB) $(XPORT_LIB) $(BEARSSL_GUEST) $(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(call msg,LD,$@)
	@mkdir -p $(@D)
	$(Q)$(USER_LD) -o $@ $(CRT0) $(GNS_OBJS) $(LWIP_LIB) $(XPORT_LIB) $(BEARSSL_GUEST) --start-group $(USER_LIBS) --end-group

ALL += $(B)/servers/gns.elf
