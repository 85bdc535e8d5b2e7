# Host tests of the inter-node transport (servers/gns/transport/) under
# AddressSanitizer and UBSan, linked with the host build of BearSSL (plain -O2:
# it is Debian's tested code, and the simulated wire moves 16 MiB through it).

XPORT_TEST_DIR := $(B)/unit-xport
# (and gns's encoding of what it carries, servers/gns/carry.c: test_carry.c; its tables, table.c)
XPORT_TEST_SRCS := $(wildcard tests/unit/xport/*.c) tests/unit/unit_main.c $(XPORT_SRCS) servers/gns/carry.c \
	servers/gns/table.c

$(XPORT_TEST_DIR)/%.o: %.c | $(BEARSSL_HOST)
	$(call msg,HOSTCC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) -Itests/unit $(XPORT_INCLUDE) -iquote servers/gns -c $< -o $@

$(XPORT_TEST_DIR)/xport-tests: $(patsubst %.c,$(XPORT_TEST_DIR)/%.o,$(XPORT_TEST_SRCS)) $(BEARSSL_HOST)
	$(call msg,HOSTLD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $^

CHECK_SUITES += xport
CHECK_PREREQS += $(XPORT_TEST_DIR)/xport-tests

check-xport: $(XPORT_TEST_DIR)/xport-tests
	@$< xport

# The same transport and BearSSL as the guest builds them, in a Manifold task
# (tests/user/xporttest.c, with this folder's simulated wire): `xport-guest`.
XPORT_GUEST_TEST_SRCS := tests/user/xporttest.c $(addprefix tests/unit/xport/,sim.c traffic.c kat.c)
$(B)/obj/xport-guest/%.c.o: %.c $(NEWLIB_LIBC) | $(BEARSSL_GUEST) $(MACH_GEN_TYPES) $(SERVER_GEN_TYPES)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) $(XPORT_INCLUDE) -Itests/unit/xport -Itests/user -c $< -o $@

$(B)/tests/xporttest.elf: $(patsubst %,$(B)/obj/xport-guest/%.o,$(XPORT_GUEST_TEST_SRCS)) $(XPORT_LIB) \
		$(BEARSSL_GUEST) $(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(call msg,LD,$@)
	$(Q)$(USER_LD) -o $@ $(CRT0) $(filter-out $(CRT0),$(filter %.o,$^)) $(XPORT_LIB) $(BEARSSL_GUEST) \
		--start-group $(USER_LIBS) --end-group

ALL += $(B)/tests/xporttest.elf
CHECK_SUITES += xport-guest

check-xport-guest:
	@tools/qemu-test --suite xport-guest --timeout 300 --log $(B)/test/xport-guest.serial -- $(QEMU_TEST_ARGS) \
		-kernel $(B)/kernel.elf -append "debug_exit lockcheck" -initrd "$(B)/tests/xporttest.elf"
