# The `boot` suite (tests/boot/run.sh): PXE, USB and the UEFI loader under
# SeaBIOS and OVMF, and the framebuffer console read back from a screendump.

include boot/realhw.mk

CHECK_SUITES += boot

$(B)/tests/boot/fbtext: tests/boot/fbtext.c kernel/arch/i386/font8x8.c kernel/arch/i386/font8x8.h
	$(call msg,HOSTCC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O1 -g -Wall -Wextra -Werror -Ikernel/arch/i386 -o $@ \
		tests/boot/fbtext.c kernel/arch/i386/font8x8.c

.PHONY: check-boot
CHECK_PREREQS += $(NETBOOT_STAMP) $(USB_IMG) $(EFI_LOADER) $(B)/tests/boot/fbtext
check-boot: $(NETBOOT_STAMP) $(USB_IMG) $(EFI_LOADER) $(B)/tests/boot/fbtext
	@B=$(B) BOOT_KERNEL=$(BOOT_KERNEL) EFI_LOADER=$(EFI_LOADER) \
		FBTEXT=$(B)/tests/boot/fbtext tests/boot/run.sh
