# The e1000 driver: its own files, frame.defs's demux and the interrupt messages' (device_intr.defs).

E1000_OBJS := $(patsubst %,$(B)/obj/%.o,$(wildcard servers/e1000/*.c)) \
	$(B)/obj/gen/servers/frame_server.c.o $(B)/obj/gen/mach/device_intr_server.c.o
$(B)/servers/e1000.elf: $(E1000_OBJS) $(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(user_link)

ALL += $(B)/servers/e1000.elf
