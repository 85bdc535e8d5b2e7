# The kernel: every .c and .S under kernel/ plus the in-kernel tests
# (tests/kernel/k_*.c), linked twice: the first link gives the addresses for the
# embedded symbol table, the second embeds it (it sits last, so nothing moves).

KERNEL_SRCS := $(shell find kernel -name '*.c' -o -name '*.S' | sort) \
	$(wildcard tests/kernel/k_*.c)
# The kernel side of the kernel's own interfaces: msgc -k decoders (kern/msgc_kernel.h),
# each with the C type of the object its port stands for.
KSERVER_OBJECT_mach_port := struct task *
KSERVER_OBJECT_vm_map := struct task *
KSERVER_OBJECT_memory_object_control := struct vm_object *
KSERVER_OBJECT_task := struct task *
KSERVER_OBJECT_thread := struct port *
KSERVER_OBJECT_host := struct port *
KSERVER_OBJECT_device := struct port *
KSERVER_OBJECT_clock_priv := struct port *
KSERVER_OBJECT_clock := struct port *
KSERVER_DEFS := mach_port vm_map task thread host memory_object_control device clock_priv clock
KSERVER_GEN := $(patsubst %,$(B)/gen/kernel/%_kserver.c,$(KSERVER_DEFS))
# The interfaces the kernel is a client of: msgc -K builds their requests as kmsgs
# and decodes their replies (pager_msg.c, exception.c, notify.c, dev/irq.c, syscall_port.c twice,
# kern/clock_alarm.c).
KUSER_DEFS := memory_object exc notify device_intr syscall syscall_data clock_reply
KUSER_GEN := $(patsubst %,$(B)/gen/kernel/%_kuser.c,$(KUSER_DEFS))
KERNEL_OBJS := $(patsubst %,$(B)/obj/%.o,$(KERNEL_SRCS)) \
	$(patsubst %,$(B)/obj/gen/kernel/%_kserver.c.o,$(KSERVER_DEFS)) \
	$(patsubst %,$(B)/obj/gen/kernel/%_kuser.c.o,$(KUSER_DEFS))
KERNEL_CFLAGS := $(GUEST_CFLAGS) -mregparm=3 -Ikernel/include -Ikernel/include/abi -Ikernel/arch/i386 \
	-Itests/kernel -I$(B)/gen/mach -I$(B)/gen/kernel

# The interfaces the kernel serves or calls: msgc turns each .defs into ids, sizes and
# (for libmsg) client stubs and server skeletons in build/gen/mach.
MACH_DEFS := $(wildcard kernel/include/abi/mach/*.defs)
MACH_GEN_TYPES := $(patsubst kernel/include/abi/mach/%.defs,$(B)/gen/mach/%_types.h,$(MACH_DEFS))
$(B)/gen/mach/%_types.h $(B)/gen/mach/%_client.c $(B)/gen/mach/%_server.c: kernel/include/abi/mach/%.defs $(B)/tools/msgc
	$(call msg,MSGC,$<)
	@mkdir -p $(@D)
	$(Q)$(MSGC) -o $(B)/gen/mach $<

$(B)/gen/kernel/%_kserver.c $(B)/gen/kernel/%_kserver.h &: kernel/include/abi/mach/%.defs $(B)/tools/msgc
	$(call msg,MSGC-K,$<)
	@mkdir -p $(@D)
	$(Q)$(MSGC) -k '$(KSERVER_OBJECT_$*)' -o $(B)/gen/kernel $<

$(B)/gen/kernel/%_kuser.c $(B)/gen/kernel/%_kuser.h &: kernel/include/abi/mach/%.defs $(B)/tools/msgc
	$(call msg,MSGC-K,$<)
	@mkdir -p $(@D)
	$(Q)$(MSGC) -K -o $(B)/gen/kernel $<

# The flags the kernel's objects were built with: a change of them (-mregparm=3 changes
# every call) rebuilds them all, so that a build/ from before never mixes conventions.
KERNEL_FLAGS_STAMP := $(B)/kernel/cflags
$(KERNEL_FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(KERNEL_CFLAGS)' | cmp -s - $@ || echo '$(KERNEL_CFLAGS)' > $@
.PHONY: FORCE
FORCE:

$(B)/obj/gen/kernel/%.c.o: $(B)/gen/kernel/%.c $(KERNEL_FLAGS_STAMP)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(B)/obj/kernel/%.c.o: kernel/%.c $(KERNEL_FLAGS_STAMP) | $(MACH_GEN_TYPES) $(KSERVER_GEN) $(KUSER_GEN)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

# kobject.c hands every clock port's request to clock_priv_kserver: kern/clock_rpc.c's,
# which sends it on to clock.defs' decoder or to clock_priv.defs', built under this name.
$(B)/obj/gen/kernel/clock_priv_kserver.c.o: $(B)/gen/kernel/clock_priv_kserver.c $(KERNEL_FLAGS_STAMP)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(KERNEL_CFLAGS) -Dclock_priv_kserver=clock_priv_decode -c $< -o $@

$(B)/obj/tests/kernel/%.c.o: tests/kernel/%.c $(KERNEL_FLAGS_STAMP)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(B)/obj/kernel/%.S.o: kernel/%.S
	$(call msg,AS,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(GUEST_ASFLAGS) -Ikernel/include -Ikernel/arch/i386 -c $< -o $@

$(B)/kernel/ksyms0.o: tools/ksyms.sh
	@mkdir -p $(@D)
	$(Q)tools/ksyms.sh > $(B)/kernel/ksyms0.S
	$(Q)$(CC) -m32 -c $(B)/kernel/ksyms0.S -o $@

KERNEL_LD := $(LD) -m elf_i386 -T linker.ld -nostdlib -z noexecstack -z max-page-size=4096

# libgcc's 64-bit divisions alone, renamed __stack_*, for kernel/arch/i386/libgcc_regparm.c
# to call with the stack (-mregparm=3: kern/stack_args.h). The kernel links nothing else
# of libgcc, so a call gcc makes to any other of its functions fails the link, not a boot.
KERNEL_LIBGCC_DIVS := divdi3 udivdi3 moddi3 umoddi3 divmoddi4 udivmoddi4
KERNEL_LIBGCC := $(B)/kernel/libgcc-stack.a
$(KERNEL_LIBGCC): kernel/rules.mk
	@rm -rf $(B)/kernel/libgcc && mkdir -p $(B)/kernel/libgcc
	$(Q)cd $(B)/kernel/libgcc && ar x $(LIBGCC) $(patsubst %,_%.o,$(KERNEL_LIBGCC_DIVS))
	$(Q)for o in $(patsubst %,$(B)/kernel/libgcc/_%.o,$(KERNEL_LIBGCC_DIVS)); do \
		objcopy $(foreach f,$(KERNEL_LIBGCC_DIVS),--redefine-sym __$(f)=__stack_$(f)) $$o || exit 1; done
	$(Q)rm -f $@ && ar rcs $@ $(patsubst %,$(B)/kernel/libgcc/_%.o,$(KERNEL_LIBGCC_DIVS))

$(B)/kernel.elf: $(KERNEL_OBJS) $(B)/kernel/ksyms0.o $(KERNEL_LIBGCC) linker.ld tools/ksyms.sh
	$(call msg,LD,$@)
	$(Q)$(KERNEL_LD) -o $(B)/kernel/pass1.elf $(KERNEL_OBJS) $(B)/kernel/ksyms0.o $(KERNEL_LIBGCC)
	$(Q)tools/ksyms.sh $(B)/kernel/pass1.elf > $(B)/kernel/ksyms.S
	$(Q)$(CC) -m32 -c $(B)/kernel/ksyms.S -o $(B)/kernel/ksyms.o
	$(Q)$(KERNEL_LD) -o $@ $(KERNEL_OBJS) $(B)/kernel/ksyms.o $(KERNEL_LIBGCC)
	$(Q)$(NM) -n $(B)/kernel/pass1.elf | grep -i ' t ' | grep -v ksyms > $(B)/kernel/pass1.sym
	$(Q)$(NM) -n $@ | grep -i ' t ' | grep -v ksyms > $(B)/kernel.sym
	$(Q)cmp -s $(B)/kernel/pass1.sym $(B)/kernel.sym || { echo "kernel: symbols moved between link passes" >&2; exit 1; }
	$(Q)objdump -d $@ > $(B)/kernel.lst

ALL += $(B)/kernel.elf
