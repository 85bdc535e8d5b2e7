# The native UEFI loader: gnu-efi C code linked as a PE32+ application for
# x86_64 firmware, build/boot/efi/BOOTX64.EFI. gnu-efi's own recipe: build a
# position-independent ELF shared object against its crt0 and linker script,
# then let objcopy rewrite it as an EFI application.

include boot/realhw.mk

EFI_INC   ?= /usr/include/efi
EFI_LIBD  ?= /usr/lib
EFI_ARCH  := x86_64
EFI_CFLAGS := -I$(EFI_INC) -I$(EFI_INC)/$(EFI_ARCH) -I$(EFI_INC)/protocol \
	-std=gnu11 -O2 -g -fpic -fshort-wchar -mno-red-zone -ffreestanding \
	-fno-stack-protector -fno-stack-check -fno-strict-aliasing \
	-maccumulate-outgoing-args -DGNU_EFI_USE_MS_ABI \
	-Wall -Wextra -Werror -Wno-unused-parameter -MMD -MP
EFI_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic \
	-T $(EFI_LIBD)/elf_$(EFI_ARCH)_efi.lds -L$(EFI_LIBD)

EFI_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard boot/efi/*.c)) $(B)/boot/efi/trampoline.o

$(B)/boot/efi/%.o: boot/efi/%.c
	$(call msg,EFICC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

$(B)/boot/efi/%.o: boot/efi/%.S
	$(call msg,EFIAS,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

$(B)/boot/efi/BOOTX64.so: $(EFI_OBJS)
	$(call msg,EFILD,$@)
	$(Q)$(LD) $(EFI_LDFLAGS) $(EFI_LIBD)/crt0-efi-$(EFI_ARCH).o $^ -lefi -lgnuefi -o $@

# Only the sections the PE image needs; --subsystem=10 makes it an EFI application.
$(EFI_LOADER): $(B)/boot/efi/BOOTX64.so
	$(call msg,EFIAPP,$@)
	$(Q)$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
		-j .rela -j '.rel.*' -j '.rela.*' -j .reloc \
		--target efi-app-$(EFI_ARCH) --subsystem=10 $< $@

.PHONY: efi
efi: $(EFI_LOADER)
ALL += $(EFI_LOADER)
