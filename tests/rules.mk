# Test programs and suites: the user-mode test programs (tests/user), broken
# boot modules for the loader's error paths, the in-guest `kernel` suite, the
# `system` scenarios (whole boots, ISO under BIOS and UEFI) and the host `unit` tests.

USER_PROGRAMS := utest hello ipctest ipcpeer vmtest libtest nstest

$(B)/obj/tests/user/%.c.o: tests/user/%.c | $(NEWLIB_LIBC) $(MACH_GEN_TYPES) $(SERVER_GEN_TYPES)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(B)/tests/%.elf: $(B)/obj/tests/user/%.c.o $(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(user_link)

# Boot modules that must be refused with a clear message.
BAD_MODULES := $(B)/tests/notelf.bin $(B)/tests/truncated.elf $(B)/tests/x86_64.elf \
	$(B)/tests/wrongmachine.elf $(B)/tests/empty.bin
$(B)/tests/notelf.bin:
	@mkdir -p $(@D)
	$(Q)printf 'this is a text file, not a program\n' > $@
$(B)/tests/truncated.elf: $(B)/tests/utest.elf
	$(Q)head -c 300 $< > $@
$(B)/tests/x86_64.elf: tests/kernel/x86_64_prog.c
	$(call msg,CC,$@)
	$(Q)$(CC) -m64 -static -nostdlib -ffreestanding -fno-pic -no-pie -o $@ $<
# utest with e_machine (offset 18) set to 40, ARM
$(B)/tests/wrongmachine.elf: $(B)/tests/utest.elf
	$(Q)cp $< $@ && printf '\050\000' | dd of=$@ bs=1 seek=18 conv=notrunc status=none
$(B)/tests/empty.bin:
	@mkdir -p $(@D)
	$(Q): > $@

ALL += $(patsubst %,$(B)/tests/%.elf,$(USER_PROGRAMS)) $(BAD_MODULES)

KTEST_MODULES := $(B)/tests/utest.elf $(BAD_MODULES)
QEMU_TEST_ARGS := -m 64M

CHECK_SUITES += kernel system unit ipc ipc-slowpath vm libmsg servers

check-kernel:
	@tools/qemu-test --suite kernel --timeout 180 --log $(B)/test/kernel.serial -- $(QEMU_TEST_ARGS) \
		-kernel $(B)/kernel.elf -append "test=kernel" \
		-initrd "$(call join_modules,$(KTEST_MODULES))"

check-ipc:
	@tools/qemu-test --suite ipc --timeout 300 --log $(B)/test/ipc.serial -- $(QEMU_TEST_ARGS) \
		-kernel $(B)/kernel.elf -append "debug_exit" \
		-initrd "$(B)/tests/ipctest.elf,$(B)/tests/ipcpeer.elf"

# The same cases with the IPC fast path off: both paths must give the same results.
check-ipc-slowpath:
	@tools/qemu-test --suite ipc-slowpath --timeout 300 --log $(B)/test/ipc-slowpath.serial -- \
		$(QEMU_TEST_ARGS) -kernel $(B)/kernel.elf -append "debug_exit ipc_fastpath=off" \
		-initrd "$(B)/tests/ipctest.elf,$(B)/tests/ipcpeer.elf"

check-vm:
	@tools/qemu-test --suite vm --timeout 300 --log $(B)/test/vm.serial -- $(QEMU_TEST_ARGS) \
		-kernel $(B)/kernel.elf -append "debug_exit" -initrd "$(B)/tests/vmtest.elf"

check-libmsg:
	@tools/qemu-test --suite libmsg --timeout 300 --log $(B)/test/libmsg.serial -- $(QEMU_TEST_ARGS) \
		-kernel $(B)/kernel.elf -append "debug_exit" -initrd "$(B)/tests/libtest.elf"

# bootstrap starts ns, then nstest (module 2) with ns as its bootstrap port;
# module 3 is nstest's partner, which nstest starts itself; module 4 is echo.
check-servers:
	@tools/qemu-test --suite servers --timeout 300 --log $(B)/test/servers.serial -- $(QEMU_TEST_ARGS) \
		-kernel $(B)/kernel.elf -append "debug_exit" \
		-initrd "$(call join_modules,$(B)/servers/bootstrap.elf $(B)/servers/ns.elf $(B)/tests/nstest.elf)$(comma)$(B)/tests/nstest.elf late start=no$(comma)$(B)/servers/echo.elf restart=always"

CHECK_PREREQS += $(B)/manifold.iso
check-system: $(B)/manifold.iso
	@tests/system/run.sh

