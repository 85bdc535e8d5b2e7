# `make netboot`: the PXE tree build/netboot, served as-is by any TFTP server.
#   boot/grub/i386-pc/core.0        BIOS PXE boot file (GRUB)
#   boot/grub/x86_64-efi/core.efi   UEFI PXE boot file (GRUB)
#   EFI/BOOT/BOOTX64.EFI            UEFI PXE boot file (our gnu-efi loader)
#   boot/kernel.elf, boot/*.elf     the kernel and the boot modules
#   boot/nodes/<MAC>.cfg            optional per-node identity (set node=N ...)
# What goes in: BOOT_KERNEL and BOOT_MODULES (boot/realhw.mk).

include boot/realhw.mk

NETBOOT := $(B)/netboot
NETBOOT_STAMP := $(NETBOOT)/.stamp

# grub-mknetdir rewrites the whole GRUB tree, so it runs only when GRUB or the
# configuration changes; the kernel and modules are copied every time.
$(NETBOOT)/boot/grub/i386-pc/core.0: boot/netboot/rules.mk
	$(call msg,MKNET,$(NETBOOT)/boot/grub/i386-pc)
	@mkdir -p $(NETBOOT)
	$(Q)grub-mknetdir --net-directory=$(NETBOOT) --subdir=boot/grub \
		-d $(GRUB_LIB)/i386-pc >/dev/null
	@touch $@

# After the BIOS tree, never beside it: both write the tree's shared locale and
# fonts, and two at once under make -j lost a file ("cannot delete ... nl.mo~").
$(NETBOOT)/boot/grub/x86_64-efi/core.efi: boot/netboot/rules.mk | $(NETBOOT)/boot/grub/i386-pc/core.0
	$(call msg,MKNET,$(NETBOOT)/boot/grub/x86_64-efi)
	@mkdir -p $(NETBOOT)
	$(Q)grub-mknetdir --net-directory=$(NETBOOT) --subdir=boot/grub \
		-d $(GRUB_LIB)/x86_64-efi >/dev/null
	@touch $@

$(NETBOOT_STAMP): $(NETBOOT)/boot/grub/i386-pc/core.0 $(NETBOOT)/boot/grub/x86_64-efi/core.efi \
		boot/netboot/grub.cfg.in boot/netboot/manifold.cfg.in $(EFI_LOADER) \
		$(BOOT_KERNEL) $(BOOT_MODULES)
	$(call msg,NETBOOT,$(NETBOOT))
	@mkdir -p $(NETBOOT)/boot/nodes $(NETBOOT)/boot/keys $(NETBOOT)/EFI/BOOT $(NETBOOT)/EFI/MANIFOLD
	$(Q)cp $(BOOT_KERNEL) $(NETBOOT)/boot/kernel.elf
	$(Q)cp $(BOOT_MODULES) $(NETBOOT)/boot/
	$(Q)cp $(EFI_LOADER) $(NETBOOT)/EFI/BOOT/BOOTX64.EFI
	$(Q)printf '$(boot_module_lines)' >$(NETBOOT)/.modules
	$(Q)sed -e '/@MODULE_LINES@/{r $(NETBOOT)/.modules' -e 'd}' boot/netboot/grub.cfg.in \
		>$(NETBOOT)/boot/grub/grub.cfg
	$(Q)sed -e '/@MODULE_LINES@/{r $(NETBOOT)/.modules' -e 'd}' boot/netboot/manifold.cfg.in \
		>$(NETBOOT)/EFI/MANIFOLD/manifold.cfg
	@# A development key, made once; a real cluster puts its own here.
	$(Q)[ -s $(NETBOOT)/boot/keys/cluster.key ] || \
		head -c 32 /dev/urandom >$(NETBOOT)/boot/keys/cluster.key
	@touch $@

.PHONY: netboot
netboot: $(NETBOOT_STAMP)

ALL += $(NETBOOT_STAMP)
