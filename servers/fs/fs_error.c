/* Names of the library's error codes (fs_error.h). */
#include "fs_error.h"

const char *
fs_error_name(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0: return "OK";
	case FS_EPERM: return "EPERM";
	case FS_ENOENT: return "ENOENT";
	case FS_EIO: return "EIO";
	case FS_EBADF: return "EBADF";
	case FS_ENOMEM: return "ENOMEM";
	case FS_EACCES: return "EACCES";
	case FS_EBUSY: return "EBUSY";
	case FS_EEXIST: return "EEXIST";
	case FS_EXDEV: return "EXDEV";
	case FS_ENOTDIR: return "ENOTDIR";
	case FS_EISDIR: return "EISDIR";
	case FS_EINVAL: return "EINVAL";
	case FS_EFBIG: return "EFBIG";
	case FS_ENOSPC: return "ENOSPC";
	case FS_EROFS: return "EROFS";
	case FS_EMLINK: return "EMLINK";
	case FS_ENAMETOOLONG: return "ENAMETOOLONG";
	case FS_ENOSYS: return "ENOSYS";
	case FS_ENOTEMPTY: return "ENOTEMPTY";
	case FS_ELOOP: return "ELOOP";
	case FS_ETIMEDOUT: return "ETIMEDOUT";
	case FS_EDQUOT: return "EDQUOT";
	case FS_ECORRUPT: return "ECORRUPT";
	default: return "E?";
	}
}
