# Servers: each servers/<name>/ is one user program, build/servers/<name>.elf.

SERVERS := bootstrap ns echo console shell pci

# An interface: servers/<folder>/<name>.defs -> build/gen/servers/<name>_*. A
# server's own is servers/<name>/<name>.defs; a folder may hold others (frame/).
SERVER_DEFS := $(wildcard servers/*/*.defs)
SERVER_GEN_TYPES := $(foreach d,$(SERVER_DEFS),$(B)/gen/servers/$(basename $(notdir $(d)))_types.h)
define server_defs_rule
$(B)/gen/servers/$(1)_types.h $(B)/gen/servers/$(1)_client.c $(B)/gen/servers/$(1)_server.c $(B)/gen/servers/$(1)_server.h $(B)/gen/servers/$(1)_client.h &: $(2) $(B)/tools/msgc
	$$(call msg,MSGC,$$<)
	@mkdir -p $$(@D)
	$$(Q)$(B)/tools/msgc -o $(B)/gen/servers $$<
endef
$(foreach d,$(SERVER_DEFS),$(eval $(call server_defs_rule,$(basename $(notdir $(d))),$(d))))

$(B)/obj/gen/servers/%.c.o: $(B)/gen/servers/%.c $(NEWLIB_LIBC)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

# A server links its own demux; every program gets the client stubs (libmsg).
SERVER_CLIENT_OBJS := $(foreach d,$(SERVER_DEFS),$(B)/obj/gen/servers/$(basename $(notdir $(d)))_client.c.o)

$(B)/obj/servers/%.c.o: servers/%.c $(NEWLIB_LIBC) | $(MACH_GEN_TYPES) $(SERVER_GEN_TYPES)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

define server_rule
$(B)/servers/$(1).elf: $(patsubst %,$(B)/obj/%.o,$(wildcard servers/$(1)/*.c)) \
		$(if $(wildcard servers/$(1)/$(1).defs),$(B)/obj/gen/servers/$(1)_server.c.o) \
		$(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$$(user_link)
ALL += $(B)/servers/$(1).elf
endef
$(foreach s,$(SERVERS),$(eval $(call server_rule,$(s))))

# The runtime includes servers' client headers (stdio through the console
# server): here, where SERVER_GEN_TYPES is known when the line is read.
$(RUNTIME_OBJS): | $(SERVER_GEN_TYPES)
