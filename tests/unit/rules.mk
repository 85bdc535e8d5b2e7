# Host unit tests of the kernel's portable code (formatting, the heap, ELF
# checks, command lines, a task's port name space) and of the Unix server's
# line discipline, under AddressSanitizer and UBSan.

UNIT_KERNEL_SRCS := kernel/kern/format.c kernel/vm/heap.c kernel/kern/elf.c kernel/kern/cmdline.c kernel/kern/strlcpy.c \
	kernel/ipc/space.c kernel/ipc/space_tree.c kernel/ipc/space_rhash.c
# and the Unix server's line discipline, which needs nothing of the server but two hooks (test_ldisc.c)
UNIT_UNIX_SRCS := personalities/unix/ldisc.c
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_CFLAGS := $(HOST_CFLAGS) -Ikernel/include -Ikernel/include/abi -Itests/unit \
	-Dvsnprintf=k_vsnprintf -Dsnprintf=k_snprintf -fno-builtin

# its headers for these two alone: the server's signal.h, process.h... are no host's
$(B)/unit/personalities/unix/ldisc.o $(B)/unit/tests/unit/test_ldisc.o: UNIT_CFLAGS += -iquote personalities/unix

$(B)/unit/%.o: %.c
	$(call msg,HOSTCC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(UNIT_CFLAGS) -c $< -o $@

$(B)/unit/unit-tests: $(patsubst %.c,$(B)/unit/%.o,$(UNIT_KERNEL_SRCS) $(UNIT_UNIX_SRCS) $(UNIT_SRCS))
	$(call msg,HOSTLD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $^

ALL += $(B)/unit/unit-tests

check-unit: $(B)/unit/unit-tests
	@$(B)/unit/unit-tests unit
