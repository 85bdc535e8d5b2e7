# The virtio-blk driver: its own files and block.defs's demux (the handlers are libmsg's blk_serve.c).

VIRTIO_BLK_OBJS := $(patsubst %,$(B)/obj/%.o,$(wildcard servers/virtio_blk/*.c)) \
	$(B)/obj/gen/servers/block_server.c.o
$(B)/servers/virtio_blk.elf: $(VIRTIO_BLK_OBJS) $(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(user_link)

ALL += $(B)/servers/virtio_blk.elf
