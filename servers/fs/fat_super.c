#include "fs.h"
int fat_mount(struct blkdev *dev, const struct fs_mount_opts *opts, struct fs **out) { return -FS_EINVAL; }
