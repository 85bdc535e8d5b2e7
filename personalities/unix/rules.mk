# The Unix personality server: build/personalities/unix.elf, a user program
# like the servers (servers/rules.mk), with the syscall demux from libmsg's runtime.

UNIX_SRCS := $(wildcard personalities/unix/*.c)

$(B)/obj/personalities/%.c.o: personalities/%.c $(NEWLIB_LIBC) | $(MACH_GEN_TYPES) $(SERVER_GEN_TYPES)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(B)/personalities/unix.elf: $(patsubst %,$(B)/obj/%.o,$(UNIX_SRCS)) $(B)/obj/gen/mach/memory_object_client.c.o \
		$(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(user_link)

ALL += $(B)/personalities/unix.elf

# The Unix root image (`make run UNIX=1`, the unix suite's files boot): the
# ext2 root tree of servers/fs/image/root, with Debian's busybox-static:i386
# (apt-get download at build time: tools/bench/linux-kernel.sh) as
# /bin/busybox and a symbolic link for each applet where Debian puts it
# (busybox --list-full), /dev and /proc (the server's, not fs's), and the
# unix suite's files under /t (tests/unix/tree). Staged in build/, never committed.
UNIX_ROOT_DIR := $(B)/images/unix-root
UNIX_ROOT_IMG := $(B)/images/unix-root.img

$(UNIX_ROOT_IMG): $(shell find servers/fs/image/root tests/unix/tree -type f) $(LINUX_BENCH)/busybox \
		tests/unix/diff.sh
	$(call msg,MKE2FS,$@)
	$(Q)rm -rf $(UNIX_ROOT_DIR) && mkdir -p $(UNIX_ROOT_DIR)/bin $(UNIX_ROOT_DIR)/dev $(UNIX_ROOT_DIR)/proc \
		$(UNIX_ROOT_DIR)/t && cp -a servers/fs/image/root/. $(UNIX_ROOT_DIR)/ && \
		cp -a tests/unix/tree/. tests/unix/diff.sh $(UNIX_ROOT_DIR)/t/ && \
		find $(UNIX_ROOT_DIR) -name .keep -delete && \
		cp $(LINUX_BENCH)/busybox $(UNIX_ROOT_DIR)/bin/busybox && \
		for a in $$($(LINUX_BENCH)/busybox --list-full); do \
			mkdir -p $(UNIX_ROOT_DIR)/$$(dirname $$a); \
			[ -e $(UNIX_ROOT_DIR)/$$a ] || ln -s /bin/busybox $(UNIX_ROOT_DIR)/$$a; done
	$(Q)rm -f $@ && mke2fs -q -F -t ext2 -b 1024 -E root_owner=0:0 -d $(UNIX_ROOT_DIR) $@ 16M >/dev/null

unix-root: $(UNIX_ROOT_IMG)
.PHONY: unix-root
# the unix suite boots it (tests/unix/rules.mk is read before this file: its
# rule names the image by path, and make check builds it with the prerequisites)
CHECK_PREREQS += $(UNIX_ROOT_IMG)
