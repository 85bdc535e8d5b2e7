# Host tests of the file-system library (servers/fs/), under AddressSanitizer
# and UBSan: suite `fslib`. They make images with mke2fs and mkfs.fat, check
# them with e2fsck and fsck.fat and read them with debugfs and mtools
# (e2fsprogs, dosfstools, mtools: tools/setup.sh).

FSLIB_DIR    := $(B)/unit-fs
FSLIB_CFLAGS := $(HOST_CFLAGS) -Iservers/fs -Itests/unit -Itests/unit/fs

$(FSLIB_DIR)/%.o: %.c
	$(call msg,HOSTCC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(FSLIB_CFLAGS) -c $< -o $@

$(FSLIB_DIR)/fs-tests: $(patsubst %.c,$(FSLIB_DIR)/%.o,$(FS_LIB_SRCS) $(wildcard tests/unit/fs/*.c) \
		tests/unit/unit_main.c)
	$(call msg,HOSTLD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $^

CHECK_SUITES += fslib
CHECK_PREREQS += $(FSLIB_DIR)/fs-tests
ALL += $(FSLIB_DIR)/fs-tests

check-fslib: $(FSLIB_DIR)/fs-tests
	@$< fslib
