# The user runtime (crt0, trap stubs, newlib glue) and how every user program
# is compiled and linked: newlib's headers and libc, static, loaded at 4 MiB.

NEWLIB      := $(B)/newlib/install/i686-elf
NEWLIB_LIBC := $(NEWLIB)/lib/libc.a
NEWLIB_LIBM := $(NEWLIB)/lib/libm.a

USER_CFLAGS := $(filter-out -mgeneral-regs-only,$(GUEST_CFLAGS)) -nostdinc -D__DYNAMIC_REENT__ \
	-U__linux__ -U__gnu_linux__ -U__unix__ -Ulinux -Uunix \
	-isystem $(NEWLIB)/include -isystem $(shell $(CC) -m32 -print-file-name=include) \
	-Ikernel/include/abi -Ilibmsg/include -I$(B)/gen/mach -I$(B)/gen/servers
# -u: our newlib locks (runtime/newlib_locks.c) and __getreent (runtime/cthread.c) must be
# linked before libc offers its own.
USER_LD := $(LD) -m elf_i386 -static -nostdlib -z noexecstack -z max-page-size=4096 -u __retarget_lock_acquire \
	-u __getreent \
	-Ttext-segment=0x00400000 -e _start

# Rebuilt when the recipe changes (configure options).
$(NEWLIB_LIBC): tools/newlib.sh
	$(Q)tools/newlib.sh $(B)/newlib

RUNTIME_SRCS := $(wildcard libmsg/runtime/*.c libmsg/src/*.c) \
	$(filter-out libmsg/runtime/crt0.S,$(wildcard libmsg/runtime/*.S))
# msgc's stubs for the kernel's interfaces, and the exception, clock alarm and personality-syscall server skeletons
RUNTIME_GEN  := mach_port_client vm_map_client task_client thread_client host_client device_client clock_client clock_priv_client exc_server clock_reply_server syscall_server syscall_data_server memory_object_server memory_object_control_client
RUNTIME_OBJS := $(patsubst %,$(B)/obj/%.o,$(RUNTIME_SRCS)) \
	$(patsubst %,$(B)/obj/gen/mach/%.c.o,$(RUNTIME_GEN)) \
	$(foreach d,$(wildcard servers/*/*.defs),$(B)/obj/gen/servers/$(basename $(notdir $(d)))_client.c.o)
RUNTIME_LIB  := $(B)/libmsg/libruntime.a
CRT0         := $(B)/obj/libmsg/runtime/crt0.S.o


# User code needs newlib's headers installed first.
$(B)/obj/libmsg/%.c.o: libmsg/%.c $(NEWLIB_LIBC) | $(MACH_GEN_TYPES) $(SERVER_GEN_TYPES)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

# The four port-name calls that have traps (<manifold/traps.h>) are runtime/trap.c's, which tries
# the trap and then the RPC: msgc's stubs for them are the _rpc names.
MACH_PORT_TRAPPED := mach_port_allocate mach_port_deallocate mach_port_destroy mach_port_mod_refs
$(B)/obj/gen/mach/mach_port_client.c.o: USER_CFLAGS += $(foreach f,$(MACH_PORT_TRAPPED),-D$(f)=$(f)_rpc)
# (and rebuilt when the list changes: a stub built before it would clash with trap.c's)
$(B)/obj/gen/mach/mach_port_client.c.o: libmsg/rules.mk

$(B)/obj/gen/mach/%.c.o: $(B)/gen/mach/%.c $(NEWLIB_LIBC)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(B)/obj/libmsg/%.S.o: libmsg/%.S
	$(call msg,AS,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(GUEST_ASFLAGS) -c $< -o $@

$(RUNTIME_LIB): $(RUNTIME_OBJS)
	$(call msg,AR,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

# $(call user_program,OUTPUT,OBJECTS): links a static user program.
USER_LIBS = $(RUNTIME_LIB) $(NEWLIB_LIBM) $(NEWLIB_LIBC) $(RUNTIME_LIB) $(LIBGCC)
define user_link
	$(call msg,LD,$@)
	@mkdir -p $(@D)
	$(Q)$(USER_LD) -o $@ $(CRT0) $(filter-out $(CRT0),$(filter %.o,$^)) --start-group $(USER_LIBS) --end-group
endef
