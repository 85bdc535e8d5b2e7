# Shared by boot/efi, boot/netboot and boot/usb rules.mk, each of which
# includes it first (the guard makes the include order not matter).
# BOOT_KERNEL and BOOT_MODULES name what the real-hardware images boot; the
# first module is the bootstrap task. Each module's string is its file name
# without .elf, as in boot/grub.cfg.
ifndef BOOT_REALHW_MK
BOOT_REALHW_MK := 1

BOOT_KERNEL  ?= $(B)/kernel.elf
BOOT_MODULES ?= $(B)/servers/bootstrap.elf
GRUB_LIB     ?= /usr/lib/grub
EFI_LOADER   := $(B)/boot/efi/BOOTX64.EFI

# `module /boot/NAME.elf NAME` lines, for GRUB and our loader alike (printf format).
boot_module_lines = $(foreach m,$(BOOT_MODULES),module /boot/$(notdir $(m)) $(basename $(notdir $(m)))\n)

endif
