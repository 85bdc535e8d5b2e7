# The Unix personality server: build/personalities/unix.elf, a user program
# like the servers (servers/rules.mk), with the syscall demux from libmsg's runtime.

UNIX_SRCS := $(wildcard personalities/unix/*.c)

$(B)/obj/personalities/%.c.o: personalities/%.c $(NEWLIB_LIBC) | $(MACH_GEN_TYPES) $(SERVER_GEN_TYPES)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(B)/personalities/unix.elf: $(patsubst %,$(B)/obj/%.o,$(UNIX_SRCS)) $(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(user_link)

ALL += $(B)/personalities/unix.elf
