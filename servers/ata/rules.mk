# The ATA driver: its own files and block.defs's demux (the handlers are libmsg's blk_serve.c).

ATA_OBJS := $(patsubst %,$(B)/obj/%.o,$(wildcard servers/ata/*.c)) \
	$(B)/obj/gen/servers/block_server.c.o
$(B)/servers/ata.elf: $(ATA_OBJS) $(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(user_link)

ALL += $(B)/servers/ata.elf
