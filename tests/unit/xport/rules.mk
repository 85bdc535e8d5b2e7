# Host tests of the inter-node transport (servers/gns/transport/) under
# AddressSanitizer and UBSan, linked with the host build of BearSSL (plain -O2:
# it is Debian's tested code, and the simulated wire moves 16 MiB through it).

XPORT_TEST_DIR := $(B)/unit-xport
XPORT_TEST_SRCS := $(wildcard tests/unit/xport/*.c) tests/unit/unit_main.c $(XPORT_SRCS)

$(XPORT_TEST_DIR)/%.o: %.c | $(BEARSSL_HOST)
	$(call msg,HOSTCC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) -Itests/unit $(XPORT_INCLUDE) -c $< -o $@

$(XPORT_TEST_DIR)/xport-tests: $(patsubst %.c,$(XPORT_TEST_DIR)/%.o,$(XPORT_TEST_SRCS)) $(BEARSSL_HOST)
	$(call msg,HOSTLD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $^

CHECK_SUITES += xport
CHECK_PREREQS += $(XPORT_TEST_DIR)/xport-tests

check-xport: $(XPORT_TEST_DIR)/xport-tests
	@$< xport
