# The `blk` suite (tests/blk/run.sh): the block interface through the virtio-blk
# and ATA drivers, on disk images made and checked on the host (image.py).

$(B)/obj/tests/blk/%.c.o: tests/blk/%.c $(NEWLIB_LIBC) | $(MACH_GEN_TYPES) $(SERVER_GEN_TYPES)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(B)/tests/blktest.elf: $(B)/obj/tests/blk/blktest.c.o $(B)/obj/gen/servers/block_reply_server.c.o \
		$(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(user_link)

# The ata driver a second time, for the secondary channel by PIO: a module's task is
# named after its file, and the kill cases find each driver by its task's name.
$(B)/tests/ata_pio.elf: $(B)/servers/ata.elf
	$(Q)cp $< $@

ALL += $(B)/tests/blktest.elf $(B)/tests/ata_pio.elf
CHECK_SUITES += blk

# Three disks: vd0 (virtio-blk), hd0 (ata, primary master, DMA), hd1 (ata_pio, secondary
# master, PIO). hold=5000: a read of sector 5000 is answered 2 s late (blk_driver.h),
# when the kill cases kill the driver.
BLK_MODULES = $(B)/servers/bootstrap.elf,$(B)/servers/ns.elf,$(B)/servers/console.elf,$(B)/servers/pci.elf driver restart=always,$(B)/servers/virtio_blk.elf driver restart=always hold=5000,$(B)/servers/ata.elf driver restart=always hold=5000,$(B)/tests/ata_pio.elf driver restart=always hold=5000 drive=2 pio name=/servers/hd1,$(B)/tests/blktest.elf vd0=virtio_blk=0x11110000 hd0=ata=0x22220000=DMA hd1=ata_pio=0x33330000=PIO
check-blk:
	@tests/blk/run.sh $(B) "$(BLK_MODULES)"

# The same with the DMA drivers killed during random reads too: not in make check, for the
# kernel frees a dead driver's DMA pages while its device may still write into them
# (servers/virtio_blk/README.md, Known gaps); a run can end in a kernel panic.
check-blk-kill-dma:
	@tests/blk/run.sh $(B) "$(BLK_MODULES) kill_dma"
