# Test programs and suites: the user-mode test programs (tests/user), broken
# boot modules for the loader's error paths, the in-guest `kernel` suite, the
# `system` scenarios (whole boots, ISO under BIOS and UEFI) and the host `unit` tests.

USER_PROGRAMS := utest hello ipctest ipcpeer equivtest vmtest libtest nstest consoletest kobjtest hostiletest \
	soaktest heartbeat fuzztest restarttest devtest xipctest scaletest

$(B)/obj/tests/user/%.c.o: tests/user/%.c $(NEWLIB_LIBC) | $(MACH_GEN_TYPES) $(SERVER_GEN_TYPES)
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

# hello, linked so that its text and data segments share a page (tests/user/sharedpage.ld):
# a valid file the loader must map with the page's protections merged.
$(B)/tests/sharedpage.elf: $(B)/obj/tests/user/hello.c.o tests/user/sharedpage.ld $(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(call msg,LD,$@)
	$(Q)$(LD) -m elf_i386 -static -nostdlib -z noexecstack -z max-page-size=4096 -u __retarget_lock_acquire \
		-u __getreent -T tests/user/sharedpage.ld -o $@ $(CRT0) $(B)/obj/tests/user/hello.c.o \
		--start-group $(USER_LIBS) --end-group

# Hand-made ELF files for the loader's checks (tests/kernel/mkelf.py says what each is).
CRAFTED_ELFS := $(patsubst %,$(B)/tests/crafted/%.elf,kspace wrapping stackseg overlap pastend)
$(CRAFTED_ELFS) &: tests/kernel/mkelf.py
	$(call msg,GEN,$(B)/tests/crafted)
	@mkdir -p $(B)/tests/crafted
	$(Q)python3 tests/kernel/mkelf.py $(B)/tests/crafted

ALL += $(patsubst %,$(B)/tests/%.elf,$(USER_PROGRAMS)) $(BAD_MODULES) $(B)/tests/sharedpage.elf $(CRAFTED_ELFS)

KTEST_MODULES := $(B)/tests/utest.elf $(BAD_MODULES) $(CRAFTED_ELFS)
QEMU_TEST_ARGS := -m 64M

# The ipc and vm suites end with a bound on how long interrupts stay off
# (irqoff_stats): under -icount shift=0 the time stamp counter counts guest
# instructions, so the figure repeats from run to run and host load is not in it.
IRQOFF_ARGS := -icount shift=0

CHECK_SUITES += kernel system unit ipc ipc-slowpath ipc-equiv vm kobject hostile soak-short fuzz libmsg servers restart-short dev

check-kernel:
	@tools/qemu-test --suite kernel --timeout 180 --log $(B)/test/kernel.serial -- $(QEMU_TEST_ARGS) \
		-kernel $(B)/kernel.elf -append "test=kernel lockcheck" \
		-initrd "$(call join_modules,$(KTEST_MODULES))"

check-ipc:
	@tools/qemu-test --suite ipc --timeout 300 --log $(B)/test/ipc.serial -- $(QEMU_TEST_ARGS) $(IRQOFF_ARGS) \
		-kernel $(B)/kernel.elf -append "debug_exit lockcheck irqoff_stats" \
		-initrd "$(B)/tests/ipctest.elf,$(B)/tests/ipcpeer.elf"

# The same cases with the IPC fast path off: both paths must give the same results.
check-ipc-slowpath:
	@tools/qemu-test --suite ipc-slowpath --timeout 300 --log $(B)/test/ipc-slowpath.serial -- \
		$(QEMU_TEST_ARGS) $(IRQOFF_ARGS) -kernel $(B)/kernel.elf -append "debug_exit lockcheck ipc_fastpath=off sysenter=off irqoff_stats" \
		-initrd "$(B)/tests/ipctest.elf,$(B)/tests/ipcpeer.elf"

# The fast path's equivalence test (tests/equiv/run.sh, tests/user/equivtest.c): the
# same random steps booted with the fast path on and off must give the same digest.
check-ipc-equiv:
	@tests/equiv/run.sh $(B) ipc-equiv 3000 600 1
check-ipc-equiv-long:
	@tests/equiv/run.sh $(B) ipc-equiv-long 20000 4000 1 2 3 4 5

# Without lockcheck: this suite bounds the longest stretch with interrupts off
# (one page's work), and the check's own work on every lock of a 256-page unmap
# would be counted in it. kobject, hostile and fuzz run the vm calls with it.
check-vm:
	@tools/qemu-test --suite vm --timeout 300 --log $(B)/test/vm.serial -- $(QEMU_TEST_ARGS) $(IRQOFF_ARGS) \
		-kernel $(B)/kernel.elf -append "debug_exit irqoff_stats" -initrd "$(B)/tests/vmtest.elf"

# Kernel objects: the task and thread RPCs and the lives of tasks and threads.
check-kobject:
	@tools/qemu-test --suite kobject --timeout 300 --log $(B)/test/kobject.serial -- $(QEMU_TEST_ARGS) \
		-kernel $(B)/kernel.elf -append "debug_exit lockcheck" -initrd "$(B)/tests/kobjtest.elf"

# Attacks on the node's resources, each from a child task, each ending at a limit (kernel/README.md, Limits).
check-hostile:
	@tools/qemu-test --suite hostile --timeout 600 --log $(B)/test/hostile.serial -- $(QEMU_TEST_ARGS) \
		-kernel $(B)/kernel.elf -append "debug_exit lockcheck" \
		-initrd "$(call join_modules,$(B)/tests/hostiletest.elf $(CRAFTED_ELFS) $(B)/tests/sharedpage.elf)"

# The soak (tests/soak/run.py): the mix for 30 s in make check, with heartbeats at most
# 4 s apart (the host runs another suite beside it); make check-soak: 10 minutes, 2 s.
check-soak-short:
	@python3 tests/soak/run.py $(B) 30 4 soak-short
check-soak:
	@python3 tests/soak/run.py $(B) 600 2 soak

# Random messages and kernel RPCs from forks (tests/user/fuzztest.c): a share in make check,
# 10,000,000 in make check-fuzz-long.
check-fuzz:
	@tools/qemu-test --suite fuzz --timeout 300 --log $(B)/test/fuzz.serial -- $(QEMU_TEST_ARGS) \
		-kernel $(B)/kernel.elf -append "debug_exit lockcheck" -initrd "$(B)/tests/fuzztest.elf 300000"
check-fuzz-long:
	@tools/qemu-test --suite fuzz --timeout 7200 --log $(B)/test/fuzz-long.serial -- $(QEMU_TEST_ARGS) \
		-kernel $(B)/kernel.elf -append "debug_exit lockcheck" -initrd "$(B)/tests/fuzztest.elf 10000000"

check-libmsg:
	@tools/qemu-test --suite libmsg --timeout 300 --log $(B)/test/libmsg.serial -- $(QEMU_TEST_ARGS) \
		-kernel $(B)/kernel.elf -append "debug_exit lockcheck" -initrd "$(B)/tests/libtest.elf"

# Three boots whose console tests/servers/run.py reads and types into: nstest
# (ns and echo), consoletest (the console server) and the shell.
check-servers:
	@timeout 900 python3 tests/servers/run.py $(B) > $(B)/test/servers.serial 2>&1; rc=$$?; \
		cat $(B)/test/servers.serial; exit $$rc

# The kill campaign (tests/user/restarttest.c): ns, console, echo and the shell killed at
# random while clients call them; 50 kills in make check, 1,000 in make check-restart.
RESTART_MODULES = $(B)/servers/bootstrap.elf,$(B)/servers/ns.elf restart=always,$(B)/servers/console.elf restart=always,$(B)/servers/echo.elf restart=always,$(B)/servers/shell.elf restart=always,$(B)/tests/restarttest.elf
check-restart-short:
	@tools/qemu-test --suite restart-short --timeout 300 --log $(B)/test/restart-short.serial -- $(QEMU_TEST_ARGS) \
		-kernel $(B)/kernel.elf -append "debug_exit lockcheck" -initrd "$(RESTART_MODULES) 50 restart-short"
check-restart:
	@tools/qemu-test --suite restart --timeout 1800 --log $(B)/test/restart.serial -- $(QEMU_TEST_ARGS) \
		-kernel $(B)/kernel.elf -append "debug_exit lockcheck" -initrd "$(RESTART_MODULES) 1000"

CHECK_PREREQS += $(B)/manifold.iso
check-system: $(B)/manifold.iso
	@tests/system/run.sh


# Device access and the pci server (tests/user/devtest.c): a driver the bootstrap started,
# the pci server, the shell's pci (a module devtest starts: index 4), and an e1000 on a
# user network that can reach nothing (restrict=on). Booted with hpet=off: its interrupt cases
# drive the RTC, whose IRQ 8 the HPET's legacy route takes (kernel/dev/irq.c).
DEV_MODULES = $(B)/servers/bootstrap.elf,$(B)/servers/ns.elf,$(B)/servers/console.elf,$(B)/servers/pci.elf driver restart=always,$(B)/servers/shell.elf start=no run=pci,$(B)/tests/devtest.elf driver
check-dev:
	@tools/qemu-test --suite dev --timeout 300 --log $(B)/test/dev.serial -- $(QEMU_TEST_ARGS) \
		-nic none -netdev user,id=n0,restrict=on -device e1000,netdev=n0 \
		-kernel $(B)/kernel.elf -append "debug_exit lockcheck hpet=off" -initrd "$(DEV_MODULES)"
