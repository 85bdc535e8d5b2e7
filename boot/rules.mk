# Boot images: the hybrid BIOS+UEFI ISO made with grub-mkrescue. (The netboot
# tree, the USB image and the gnu-efi loader live in boot/*/rules.mk.)

ISO_MODULES := $(B)/servers/bootstrap.elf $(B)/tests/hello.elf $(B)/tests/utest.elf

$(B)/manifold.iso: $(B)/kernel.elf $(ISO_MODULES) boot/grub.cfg
	$(call msg,ISO,$@)
	$(Q)rm -rf $(B)/iso && mkdir -p $(B)/iso/boot/grub
	$(Q)cp $(B)/kernel.elf $(ISO_MODULES) $(B)/iso/boot/
	$(Q)cp boot/grub.cfg $(B)/iso/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $@ $(B)/iso >$(B)/iso.log 2>&1 || { cat $(B)/iso.log; exit 1; }

iso: setup-quiet $(B)/manifold.iso
