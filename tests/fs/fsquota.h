/* What fstest and its second client (fsquota.c) say to each other. */
#ifndef TESTS_FS_FSQUOTA_H
#define TESTS_FS_FSQUOTA_H

#include <mach/mach.h>

#define FSQUOTA_PATH "/tests/fs-quota"	/* fstest's report port, registered when it is at its quota */
#define FSQUOTA_MSG_ID 0x5100
#define FSQUOTA_TRIES 100			/* more than fs's quota_files */

struct fsquota_report {
	mach_msg_header_t h;
	uint32_t opened;		/* files the client opened before the refusal */
	kern_return_t stopped_by;	/* fs's answer to the next (FS_ERR_EDQUOT) */
};

#endif
