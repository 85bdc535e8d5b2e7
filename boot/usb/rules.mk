# `make usb`: build/manifold-usb.img, a GPT disk image to dd onto a USB stick.
# Its EFI system partition (FAT32) holds our gnu-efi loader as
# \EFI\BOOT\BOOTX64.EFI for UEFI machines, and GRUB's BIOS path (boot.img in
# the MBR, core.img in a BIOS boot partition, modules and grub.cfg in
# /boot/grub) for legacy ones; both load /boot/kernel.elf and the modules.
# Built without root: mkfs.fat and mtools fill the FAT image, mkdisk.py
# wraps it in the partition table.

include boot/realhw.mk

USB_IMG  := $(B)/manifold-usb.img
USB_DIR  := $(B)/usb
USB_ESP_KIB := 61440
# What BIOS GRUB needs before it can read /boot/grub from the FAT partition.
USB_GRUB_MODULES := biosdisk part_gpt fat search search_fs_file configfile normal \
	multiboot serial echo

$(USB_DIR)/core.img: boot/usb/early.cfg boot/usb/rules.mk
	$(call msg,GRUBIMG,$@)
	@mkdir -p $(dir $@)
	$(Q)grub-mkimage -O i386-pc -d $(GRUB_LIB)/i386-pc -c boot/usb/early.cfg \
		-p /boot/grub -o $@ $(USB_GRUB_MODULES)

$(USB_DIR)/esp.img: $(EFI_LOADER) $(BOOT_KERNEL) $(BOOT_MODULES) \
		boot/usb/grub.cfg.in boot/usb/manifold.cfg.in boot/usb/rules.mk
	$(call msg,ESP,$@)
	@mkdir -p $(USB_DIR)/files
	$(Q)rm -f $@ && mkfs.fat -C -F 32 -s 1 -n MANIFOLD $@ $(USB_ESP_KIB) >/dev/null
	$(Q)printf '$(boot_module_lines)' >$(USB_DIR)/modules
	$(Q)sed -e '/@MODULE_LINES@/{r $(USB_DIR)/modules' -e 'd}' boot/usb/grub.cfg.in \
		>$(USB_DIR)/files/grub.cfg
	$(Q)sed -e '/@MODULE_LINES@/{r $(USB_DIR)/modules' -e 'd}' boot/usb/manifold.cfg.in \
		>$(USB_DIR)/files/manifold.cfg
	$(Q)echo 'Marks the partition that holds Manifold (see early.cfg).' \
		>$(USB_DIR)/files/manifold-usb.tag
	$(Q)head -c 32 /dev/urandom >$(USB_DIR)/files/cluster.key
	$(Q)mmd -i $@ ::/EFI ::/EFI/BOOT ::/EFI/MANIFOLD ::/boot ::/boot/grub \
		::/boot/grub/i386-pc ::/boot/keys
	$(Q)mcopy -i $@ $(EFI_LOADER) ::/EFI/BOOT/BOOTX64.EFI
	$(Q)mcopy -i $@ $(USB_DIR)/files/manifold.cfg ::/EFI/MANIFOLD/manifold.cfg
	$(Q)mcopy -i $@ $(BOOT_KERNEL) ::/boot/kernel.elf
	$(Q)mcopy -i $@ $(BOOT_MODULES) ::/boot/
	$(Q)mcopy -i $@ $(USB_DIR)/files/grub.cfg $(USB_DIR)/files/manifold-usb.tag ::/boot/grub/
	$(Q)mcopy -i $@ $(USB_DIR)/files/cluster.key ::/boot/keys/
	$(Q)mcopy -i $@ $(GRUB_LIB)/i386-pc/*.mod $(GRUB_LIB)/i386-pc/*.lst ::/boot/grub/i386-pc/

$(USB_IMG): $(USB_DIR)/esp.img $(USB_DIR)/core.img boot/usb/mkdisk.py
	$(call msg,USBIMG,$@)
	$(Q)python3 boot/usb/mkdisk.py $@ $(USB_DIR)/esp.img $(GRUB_LIB)/i386-pc/boot.img \
		$(USB_DIR)/core.img

.PHONY: usb
usb: $(USB_IMG)

ALL += $(USB_IMG)
