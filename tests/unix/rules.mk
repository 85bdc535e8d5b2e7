# The `unix` suite (tests/unix/run.py): Debian's busybox-static and the
# suite's own raw Linux programs run by the Unix personality server
# (personalities/unix), their output compared with the same binaries run on
# the host. The Linux programs are built by the host gcc for i386 Linux with
# no libc, so that they run in both places.

UNIX_TEST_PROGS := $(B)/tests/unix/enosys.elf $(B)/tests/unix/garbage.elf $(B)/tests/unix/abi.elf \
	$(B)/tests/unix/proc.elf $(B)/tests/unix/fds.elf $(B)/tests/unix/sig.elf \
	$(B)/tests/unix/files.elf $(B)/tests/unix/socks.elf $(B)/tests/unix/callfuzz.elf \
	$(B)/tests/unix/tty.elf

$(B)/tests/unix/%.elf: tests/unix/%.c tests/unix/lnx.h tests/unix/util.h
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -m32 -static -nostdlib -ffreestanding -fno-pic -no-pie -fno-stack-protector -O2 -o $@ $<

ALL += $(UNIX_TEST_PROGS)

CHECK_SUITES += unix
CHECK_PREREQS += $(LINUX_BENCH)/busybox
check-unix: $(B)/kernel.elf $(B)/personalities/unix.elf $(B)/servers/gns.elf $(B)/images/unix-root.img $(B)/servers/fs.elf $(B)/servers/pci.elf $(B)/servers/virtio_blk.elf $(UNIX_TEST_PROGS) $(BAD_MODULES) $(LINUX_BENCH)/busybox
	@timeout 900 python3 tests/unix/run.py $(B) $(LINUX_BENCH)/busybox > $(B)/test/unix.serial 2>&1; rc=$$?; \
		cat $(B)/test/unix.serial; exit $$rc

# The call fuzz's long run (tests/unix/fuzz-long-runs.txt): 100,000 file calls in one
# process, every answer compared with Linux's; about 10-15 minutes, so not in make check.
check-unix-fuzz-long: $(B)/kernel.elf $(B)/personalities/unix.elf $(B)/servers/gns.elf $(B)/images/unix-root.img $(B)/servers/fs.elf $(B)/servers/pci.elf $(B)/servers/virtio_blk.elf $(UNIX_TEST_PROGS) $(LINUX_BENCH)/busybox
	@mkdir -p $(B)/test/unix
	@UNIX_TAG=-long UNIX_ONLY=fuzz-long timeout 3600 python3 tests/unix/run.py $(B) $(LINUX_BENCH)/busybox > $(B)/test/unix-fuzz-long.serial 2>&1; rc=$$?; \
		grep -E '^(ok|not ok|unix: [0-9]+ passed)' $(B)/test/unix-fuzz-long.serial; exit $$rc
