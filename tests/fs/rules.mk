# The `fs` suite (tests/fs/run.sh): the fs server with three disks the host made
# (fsimg.py), a client in the guest (fstest.c) and a second one (fsquota.c, counted
# apart by fs's quotas), and the images checked on the host.
# fstest links memory_object.defs's client stubs to forge pager messages.

$(B)/obj/tests/fs/%.c.o: tests/fs/%.c $(NEWLIB_LIBC) | $(MACH_GEN_TYPES) $(SERVER_GEN_TYPES)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(B)/tests/fstest.elf: $(B)/obj/tests/fs/fstest.c.o $(B)/obj/servers/shell/md5.c.o \
		$(B)/obj/gen/mach/memory_object_client.c.o $(B)/obj/gen/servers/block_server.c.o $(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(user_link)

$(B)/tests/fsquota.elf: $(B)/obj/tests/fs/fsquota.c.o $(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(user_link)

ALL += $(B)/tests/fstest.elf $(B)/tests/fsquota.elf
CHECK_SUITES += fs

# vd0: ext2 at / (virtio-blk); hd0: FAT16 at /dos (ATA, DMA); hd1: ext2 at /spare with a
# FAT12 volume after it (ATA, PIO; the kill case's driver holds a read of @HOLD@, a
# sector of /spare/big, that run.sh puts in).
FS_MODULES = $(B)/servers/bootstrap.elf,$(B)/servers/ns.elf,$(B)/servers/console.elf,$(B)/servers/pci.elf driver restart=always,$(B)/servers/virtio_blk.elf driver restart=always,$(B)/servers/ata.elf driver restart=always,$(B)/tests/ata_pio.elf driver restart=always hold=@HOLD@ drive=2 pio name=/servers/hd1,$(B)/servers/fs.elf root=/servers/vd0 mount=/dos:/servers/hd0:fat mount=/spare:/servers/hd1:ext2 epoch=@EPOCH@ disk_timeout=5000,$(B)/tests/fsquota.elf,$(B)/tests/fstest.elf
check-fs: $(B)/tests/fstest.elf $(B)/tests/fsquota.elf $(B)/servers/fs.elf $(B)/tests/ata_pio.elf
	@tests/fs/run.sh $(B) "$(FS_MODULES)"

# The power-cut campaign (tests/fs/powercut.py): fscut's write workload, QEMU killed at
# random points, the images repaired and every synced file checked on the host.
# 10 cuts in make check (powercut-short), 100 in make check-powercut.
$(B)/tests/fscut.elf: $(B)/obj/tests/fs/fscut.c.o $(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(user_link)
$(B)/obj/tests/fs/fscut.c.o: tests/fs/cutgen.h
ALL += $(B)/tests/fscut.elf
POWERCUT_INPUTS := $(B)/kernel.elf $(B)/servers/bootstrap.elf $(B)/servers/ns.elf $(B)/servers/console.elf \
	$(B)/servers/pci.elf $(B)/servers/virtio_blk.elf $(B)/servers/ata.elf $(B)/servers/fs.elf $(B)/tests/fscut.elf
CHECK_SUITES += powercut-short
.PHONY: check-powercut-short check-powercut
check-powercut-short: $(POWERCUT_INPUTS)
	@tests/fs/powercut.py $(B) 10
check-powercut: $(POWERCUT_INPUTS)
	@tests/fs/powercut.py $(B) 100
