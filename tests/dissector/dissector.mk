# The `dissector` suite (tests/dissector/run.py): tools/wireshark/manifold.lua
# read by tshark on a capture of two transports on the simulated wire, in
# auth-only mode (what gns carries decoded) and encrypted (nothing of it
# shown). Host only, about 2 s.
DISSECTOR_DIR := $(B)/dissector
DISSECTOR_SRCS := tests/dissector/capture.c tests/unit/xport/sim.c $(XPORT_SRCS) servers/gns/carry.c

$(DISSECTOR_DIR)/%.o: %.c | $(BEARSSL_HOST)
	$(call msg,HOSTCC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) -Itests/unit $(XPORT_INCLUDE) -iquote servers/gns -iquote tests/unit/xport -c $< -o $@

$(DISSECTOR_DIR)/capture: $(patsubst %.c,$(DISSECTOR_DIR)/%.o,$(DISSECTOR_SRCS)) $(BEARSSL_HOST)
	$(call msg,HOSTLD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $^

CHECK_SUITES += dissector
CHECK_PREREQS += $(DISSECTOR_DIR)/capture

check-dissector: $(DISSECTOR_DIR)/capture
	@python3 tests/dissector/run.py $<
