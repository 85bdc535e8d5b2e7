# The disk images `make run` attaches (servers/fs/image/README.md): an ext2 root
# made by mke2fs -d from servers/fs/image/root/, and a FAT16 volume made by
# mkfs.fat + mcopy from servers/fs/image/dos/. Rebuilt when a file of their
# folder changes; a rebuild throws away what the guest wrote into them.

IMAGE_DIR := $(B)/images
ROOT_IMG := $(IMAGE_DIR)/root.img
DOS_IMG := $(IMAGE_DIR)/dos.img

$(ROOT_IMG): $(shell find servers/fs/image/root -type f)
	$(call msg,MKE2FS,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && mke2fs -q -F -t ext2 -b 1024 -E root_owner=0:0 -d servers/fs/image/root $@ 8M >/dev/null

$(DOS_IMG): $(shell find servers/fs/image/dos -type f)
	$(call msg,MKFS.FAT,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && mkfs.fat -F 16 -s 1 -n MANIFOLD -C $@ 4096 >/dev/null && mcopy -s -i $@ servers/fs/image/dos/* ::/

ALL += $(ROOT_IMG) $(DOS_IMG)
