# The in-guest `gns` suite: gns (node=3) with a pretend NIC driver,
# tests/net/nictest (nicdriver.c serves frame.defs and pages the rings).

$(B)/obj/tests/net/%.c.o: tests/net/%.c $(NEWLIB_LIBC) | $(MACH_GEN_TYPES) $(SERVER_GEN_TYPES)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(B)/tests/nictest.elf: $(B)/obj/tests/net/nictest.c.o $(B)/obj/tests/net/nicdriver.c.o $(B)/obj/tests/net/badframe.c.o \
		$(B)/obj/gen/servers/frame_server.c.o $(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(user_link)

# The net suite's hostile client of the e1000 driver (tests/net/nicclient.c).
$(B)/tests/nicclient.elf: $(B)/obj/tests/net/nicclient.c.o $(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(user_link)

ALL += $(B)/tests/nictest.elf $(B)/tests/nicclient.elf
CHECK_SUITES += gns

# The bad-frame case (issue 13) sends GNS_BAD_FRAMES malformed frames: issue 13's 100,000
# take about 2 s of the guest's time, then up to 15 s for lwIP's reassembly timer.
GNS_BAD_FRAMES ?= 100000
check-gns:
	@tools/qemu-test --suite gns --timeout 180 --log $(B)/test/gns.serial -- $(QEMU_TEST_ARGS) \
		-kernel $(B)/kernel.elf -append "debug_exit lockcheck" \
		-initrd "$(call join_modules,$(B)/servers/bootstrap.elf $(B)/servers/ns.elf \
			$(B)/tests/nictest.elf~frames=$(GNS_BAD_FRAMES) $(B)/servers/gns.elf~node=3)"

# The in-guest `sock` suite: gns's sockets and registrations (tests/net/socktest.c),
# with the console server (the shell's output is read back from it), the same
# pretend NIC, the wire's peer (wire.c) and socktest again as the client that a
# case kills (module 5, left for the suite to start), the shell with its network
# commands (module 6) and with ifconfig and netstat (7), socktest as another
# client served while the suite holds its whole quota (8), socktest as a second
# client holding its whole quota beside the suite's (9: sockquota_cases.h), and
# socktest as a client whose connections' peer never reads (10: sockshare_cases.h).
$(B)/tests/socktest.elf: $(B)/obj/tests/net/socktest.c.o $(B)/obj/tests/net/nicdriver.c.o \
		$(B)/obj/tests/net/wire.c.o $(B)/obj/gen/servers/frame_server.c.o $(CRT0) $(RUNTIME_LIB) \
		$(NEWLIB_LIBC)
	$(user_link)

ALL += $(B)/tests/socktest.elf
CHECK_SUITES += sock

check-sock:
	@tools/qemu-test --suite sock --timeout 240 --log $(B)/test/sock.serial -- $(QEMU_TEST_ARGS) \
		-kernel $(B)/kernel.elf -append "debug_exit lockcheck" \
		-initrd "$(call join_modules,$(B)/servers/bootstrap.elf $(B)/servers/ns.elf $(B)/servers/console.elf \
			$(B)/tests/socktest.elf $(B)/servers/gns.elf~node=3 $(B)/tests/socktest.elf~client~start=no \
			$(B)/servers/shell.elf~start=no~run=udpsend+10.77.0.9+6100+from+the+shell~run=nc+10.77.0.3+7004+hello+gns \
			$(B)/servers/shell.elf~start=no~run=ifconfig~run=netstat $(B)/tests/socktest.elf~served~start=no \
			$(B)/tests/socktest.elf~quota~start=no $(B)/tests/socktest.elf~hog~start=no)"
# The in-guest `net` suite (tests/net/run.py): two nodes on a vde_switch LAN with the e1000
# driver and gns: pings both ways, ifconfig and netstat, UDP and 16 MiB TCP echoes
# checked by MD5, the link pulled and put back (QEMU's set_link), the driver killed
# mid-ping and after, garbage frames, a Linux peer.
CHECK_SUITES += net
check-net: $(B)/net/peer.cpio
	@timeout 600 python3 tests/net/run.py $(B) --peer $(B)/bench/linux $(B)/net/peer.cpio > $(B)/test/net.serial 2>&1; rc=$$?; \
		cat $(B)/test/net.serial; exit $$rc
