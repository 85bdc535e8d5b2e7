# Servers: each servers/<name>/ is one user program, build/servers/<name>.elf.

SERVERS := bootstrap

$(B)/obj/servers/%.c.o: servers/%.c | $(NEWLIB_LIBC) $(MACH_GEN_TYPES)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

define server_rule
$(B)/servers/$(1).elf: $(patsubst %,$(B)/obj/%.o,$(wildcard servers/$(1)/*.c)) $(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$$(user_link)
ALL += $(B)/servers/$(1).elf
endef
$(foreach s,$(SERVERS),$(eval $(call server_rule,$(s))))
