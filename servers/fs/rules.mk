# The file-system library (servers/fs/README.md): portable C with no Manifold
# calls, built for the host tests here; the fs server will link the same files.

FS_LIB_SRCS := servers/fs/fs_error.c servers/fs/bcache.c servers/fs/vfs.c \
	$(wildcard servers/fs/ext2_*.c) $(wildcard servers/fs/fat_*.c)

include tests/unit/fs/rules.mk

# The fs server: the library, its own files (main.c and the glue: srv.h), and the
# demuxes of fs.defs, fs_file.defs and block_reply.defs (the disks' answers).
FS_SERVER_SRCS := $(filter-out $(FS_LIB_SRCS),$(wildcard servers/fs/*.c))
FS_OBJS := $(patsubst %,$(B)/obj/%.o,$(FS_LIB_SRCS) $(FS_SERVER_SRCS)) \
	$(B)/obj/gen/servers/fs_server.c.o $(B)/obj/gen/servers/fs_file_server.c.o \
	$(B)/obj/gen/servers/block_reply_server.c.o
$(B)/servers/fs.elf: $(FS_OBJS) $(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(user_link)

ALL += $(B)/servers/fs.elf
include servers/fs/image/rules.mk
