# Manifold: one non-recursive Makefile. Each folder adds its part in a rules.mk.
# `make` builds everything into build/; `make run` boots it; `make check` tests it.
# V=1 shows the full commands.

B        := build
V        ?= 0
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2)
endif

# Install what a fresh machine lacks before anything is built: done while the Makefile
# is read, because under -j a prerequisite like setup-quiet would run beside the very
# builds that need its packages (newlib's source, gcc-multilib).
ifneq ($(filter-out clean format setup,$(or $(MAKECMDGOALS),all)),)
ifeq ($(MAKELEVEL),0)
$(shell tools/setup.sh --quiet >&2)
ifneq ($(.SHELLSTATUS),0)
$(error setup failed: tools/setup.sh could not install what the build needs)
endif
endif
endif

CC       := gcc
LD       := ld
OBJCOPY  := objcopy
NM       := nm
QEMU     := qemu-system-i386
# Recursive: on a fresh machine gcc-multilib arrives with setup, after parsing.
LIBGCC    = $(shell $(CC) -m32 -print-libgcc-file-name)

# Code that runs in the guest: 32-bit, freestanding, no SSE/x87 state to save yet.
# No frame pointer: ebp is a seventh register for the compiler (3 to 8 % of the
# in-guest bench rows); a panic's backtrace scans the stack instead
# (kernel/arch/i386/backtrace.c), and gdb unwinds from the DWARF of -g.
GUEST_CFLAGS := -m32 -march=i686 -std=gnu11 -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fomit-frame-pointer -mgeneral-regs-only \
	-O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -MMD -MP
GUEST_ASFLAGS := -m32 -g -MMD -MP
HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -MMD -MP

# Every suite adds its name here and defines a target check-<name> that prints
# `ok N - name` lines and ends with `<name>: N passed, N failed`.
CHECK_SUITES :=
# Every image the guest may need; `make all` builds them.
ALL :=
# What the suites need built before they run two at a time (so that no two
# suites build the same file at once).
CHECK_PREREQS :=

.PHONY: all run check setup debug iso clean format cluster cluster-stop
.SECONDARY:
all: setup-quiet build-all

include tools/rules.mk
include kernel/rules.mk
include libmsg/rules.mk
include servers/rules.mk
include boot/rules.mk
include tests/rules.mk
-include $(wildcard tools/*/rules.mk boot/*/rules.mk tests/*/rules.mk servers/*/rules.mk personalities/*/rules.mk)

build-all: $(ALL)

# The boot modules `make run` loads, in order; the first is the bootstrap task. A module's
# arguments follow its file name after a ~ (a space inside one word of this list).
# gns takes the node's address from node=N (10.77.0.N) and the cluster key from key=
# (64 hex digits; RUN_KEY's default is a demonstration key, public like this file: give
# your own for anything else); the e1000 driver idles without a NIC.
RUN_NODE    ?= 1
RUN_KEY     ?= 6d616e69666f6c642064656d6f6e7374726174696f6e206b6579206f6e6c7921
RUN_BASE_MODULES := $(B)/servers/bootstrap.elf $(B)/servers/ns.elf~restart=always \
	$(B)/servers/console.elf~restart=always $(B)/servers/pci.elf~driver~restart=always \
	$(B)/servers/e1000.elf~driver~restart=always $(B)/servers/gns.elf~node=$(RUN_NODE)~key=$(RUN_KEY)~restart=always \
	$(B)/servers/echo.elf~restart=always $(B)/tests/hello.elf
# The disks and files (servers/fs/image/README.md): the ext2 root image on virtio-blk
# (/servers/vd0) at /, the FAT image on the primary ATA master (/servers/hd0) at /dos.
RUN_FS_MODULES := $(B)/servers/virtio_blk.elf~driver~restart=always $(B)/servers/ata.elf~driver~restart=always \
	$(B)/servers/fs.elf~root=/servers/vd0~mount=/dos:/servers/hd0:fat~epoch=$(shell date +%s)~restart=always
RUN_MODULES := $(RUN_BASE_MODULES) $(RUN_FS_MODULES) $(B)/servers/shell.elf~restart=always
# make run UNIX=1: the Unix personality with Debian's busybox sh on the console, in place of
# the shell, echo, hello and the network (personalities/unix/README.md): fs serves the Unix
# root image (busybox and its applets on an ext2 disk; busybox comes by apt) at /, and
# busybox sh -i runs from it.
ifeq ($(UNIX),1)
RUN_MODULES := $(B)/servers/bootstrap.elf $(B)/servers/ns.elf~restart=always \
	$(B)/servers/console.elf~restart=always $(B)/servers/pci.elf~driver~restart=always \
	$(B)/servers/virtio_blk.elf~driver~restart=always \
	$(B)/servers/fs.elf~root=/servers/vd0~epoch=$(shell date +%s)~restart=always \
	$(B)/personalities/unix.elf~fs~tasks=1024~clock~run=/bin/sh+-i
RUN_PREREQS := $(UNIX_ROOT_IMG)
RUN_DISKS = -drive if=none,id=root,file=$(UNIX_ROOT_IMG),format=raw \
	-device virtio-blk-pci,drive=root,disable-modern=on,addr=5
endif
RUN_CMDLINE ?=
RUN_MEM     ?= 64M
# The NIC: an e1000 on QEMU's user network with restrict=on, so nothing reaches the host's
# network (make cluster puts nodes on a LAN of their own).
RUN_NET     ?= -nic user,model=e1000,restrict=on

# virtio-blk in slot 5 gets IRQ 10 from SeaBIOS, the e1000 in slot 3 IRQ 11: no driver
# shares a line (the kernel gives an interrupt line to one driver).
RUN_DISKS   ?= -drive if=none,id=root,file=$(ROOT_IMG),format=raw \
	-device virtio-blk-pci,drive=root,disable-modern=on,addr=5 \
	-drive if=ide,index=0,media=disk,file=$(DOS_IMG),format=raw

run: setup-quiet build-all $(RUN_PREREQS)
	$(QEMU) -m $(RUN_MEM) -nographic -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=4 $(RUN_NET) $(RUN_DISKS) \
		-kernel $(B)/kernel.elf -append "$(RUN_CMDLINE)" \
		-initrd "$(call join_modules,$(RUN_MODULES))"

# make cluster N=4: N nodes (3 by default) on a vde_switch LAN (tools/cluster, README.md).
# Cluster nodes have no disks (they would share one image file): no fs.
CLUSTER_MODULES = $(subst ~node=$(RUN_NODE)~,~node=@NODE@~,$(RUN_BASE_MODULES) $(B)/servers/shell.elf~restart=always)
cluster: setup-quiet build-all
	@tools/cluster start $(or $(N),3) "$(call join_modules,$(CLUSTER_MODULES))"
cluster-stop:
	@tools/cluster stop

# tools/debug.sh's QEMU has no disks: make run's modules without the disks' drivers and fs.
debug: setup-quiet build-all
	tools/debug.sh $(B)/kernel.elf "$(call join_modules,$(RUN_BASE_MODULES) $(B)/servers/shell.elf~restart=always)"

check: setup-quiet build-all
	@$(MAKE) --no-print-directory check-prereqs
	@tools/check.sh $(CHECK_SUITES)

check-prereqs: $(CHECK_PREREQS)

setup:
	@tools/setup.sh
setup-quiet:
	@tools/setup.sh --quiet

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(B)/kernel* $(B)/servers $(B)/tests $(B)/libmsg $(B)/test $(B)/*.iso $(B)/boot $(B)/netboot $(B)/usb $(B)/*.img

# QEMU's -initrd takes "file args,file args"; a ~ in a word is a space.
comma := ,
empty :=
space := $(empty) $(empty)
join_modules = $(subst ~,$(space),$(subst $(space),$(comma),$(strip $(1))))

-include $(shell find $(B) -name '*.d' 2>/dev/null)
