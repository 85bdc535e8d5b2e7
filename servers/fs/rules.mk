# The file-system library (servers/fs/README.md): portable C with no Manifold
# calls, built for the host tests here; the fs server will link the same files.

FS_LIB_SRCS := servers/fs/fs_error.c servers/fs/bcache.c servers/fs/vfs.c \
	$(wildcard servers/fs/ext2_*.c) $(wildcard servers/fs/fat_*.c)

include tests/unit/fs/rules.mk
