# Host tests of the network foundation, under AddressSanitizer and UBSan
# (included from servers/gns/rules.mk, after lwIP's variables):
#   frame: the frame rings (libmsg/src/frame_ring.c, frame_region.c)
#   lwip:  lwIP with our port, frame_netif and udp_direct, three stacks in one process
# Each stack is node.c with lwIP and the port linked into one relocatable
# object, copied with every symbol it defines renamed with a prefix (a_, b_,
# c_): lwIP keeps its state in globals, so one copy can be one stack only.

NET_DIR    := $(B)/unit-net
NET_CFLAGS := $(HOST_CFLAGS) -Ilibmsg/include -Itests/unit -Itests/unit/net -Iservers/gns $(LWIP_INCLUDES)

$(NET_DIR)/%.o: %.c | $(LWIP_STAMP)
	$(call msg,HOSTCC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(NET_CFLAGS) -c $< -o $@

FRAME_RING_SRCS := libmsg/src/frame_ring.c libmsg/src/frame_region.c

$(NET_DIR)/frame-tests: $(patsubst %.c,$(NET_DIR)/%.o,tests/unit/net/test_frame_ring.c tests/unit/unit_main.c \
		$(FRAME_RING_SRCS))
	$(call msg,HOSTLD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $^ -lpthread

NODE_SRCS := tests/unit/net/node.c tests/unit/net/host_port.c servers/gns/frame_netif.c servers/gns/sock_rx.c \
	servers/gns/udp_direct.c \
	$(LWIP_PORT_SRCS) \
	$(FRAME_RING_SRCS)

$(NET_DIR)/node.o: $(patsubst %.c,$(NET_DIR)/%.o,$(NODE_SRCS)) $(LWIP_HOST_OBJS)
	$(call msg,LD,$@)
	$(Q)$(LD) -r -o $@ $^

$(NET_DIR)/node-%.o: $(NET_DIR)/node.o
	$(call msg,OBJCOPY,$@)
	$(Q)$(NM) -P -g --defined-only $< | awk '{ print $$1 " $*_" $$1 }' >$@.syms
	$(Q)$(OBJCOPY) --redefine-syms=$@.syms $< $@

$(NET_DIR)/lwip-tests: $(patsubst %.c,$(NET_DIR)/%.o,tests/unit/net/test_lwip_pair.c tests/unit/net/test_port.c \
		tests/unit/unit_main.c servers/gns/lwip/siphash.c servers/gns/lwip/chksum.c servers/gns/config.c $(FRAME_RING_SRCS) \
		tests/unit/net/test_reg.c servers/gns/reg.c) \
		$(NET_DIR)/node-a.o $(NET_DIR)/node-b.o $(NET_DIR)/node-c.o
	$(call msg,HOSTLD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $^

CHECK_SUITES += frame lwip
CHECK_PREREQS += $(NET_DIR)/frame-tests $(NET_DIR)/lwip-tests

check-frame: $(NET_DIR)/frame-tests
	@$< frame
check-lwip: $(NET_DIR)/lwip-tests
	@$< lwip
