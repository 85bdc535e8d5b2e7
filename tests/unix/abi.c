/*
 * A Linux program for the unix suite: the answers of the calls the Unix
 * server serves, where Linux's answer is the same whatever the machine
 * (errors for bad arguments, memory that works once given, the sysname).
 * One line per check; run.py compares the lines with the host's, where the
 * same binary runs on Linux itself.
 */
#include "lnx.h"

static int failures;

static void
put_num(long v)
{
	char buf[16], *p = buf + sizeof buf;
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;

	*--p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	lnx_puts(p);
}

static void
check(const char *what, long got, long want)
{
	lnx_puts(what);
	lnx_puts(": ");
	put_num(got);
	if (got != want) {
		lnx_puts(" (wanted ");
		put_num(want);
		lnx_puts(")");
		failures++;
	}
	lnx_puts("\n");
}

void __attribute__((noreturn))
_start(void)
{
	struct {	/* Linux's struct sysinfo on i386: 64 bytes */
		long uptime;
		unsigned long loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
		unsigned short procs, pad;
		unsigned long totalhigh, freehigh;
		unsigned int mem_unit;
		char rest[8];
	} si;
	unsigned long cur, end, text;
	unsigned char byte;
	long a;
	unsigned char buf[16];
	unsigned int desc[4] = { 3, 0, 0xFFFFF, 0x51 };	/* entry 3 is no TLS entry */
	unsigned int set[2] = { 1u << 9, 0 }, old[2];
	int ts[2];
	struct {
		unsigned long base, len;
	} iov[2] = { { (unsigned long)"wri", 3 }, { (unsigned long)"tev\n", 4 } };
	char uts[6 * 65];

	check("write from address 1", lnx_call(4, 1, 1, 5, 0, 0, 0), -14);
	check("write to descriptor 99", lnx_call(4, 99, (long)"x", 1, 0, 0, 0), -9);
	check("writev of two pieces", lnx_call(146, 1, (long)iov, 2, 0, 0, 0), 7);
	cur = (unsigned long)lnx_call(45, 0, 0, 0, 0, 0, 0);
	end = (unsigned long)lnx_call(45, (long)(cur + 8192), 0, 0, 0, 0, 0);
	check("brk grows by 8192", (long)(end - cur), 8192);
	((volatile char *)cur)[8191] = 7;
	check("the new heap holds a byte", ((volatile char *)cur)[8191], 7);
	a = lnx_call(192, 0, 8192, 3, 0x22, -1, 0);
	check("mmap2 anonymous is page-aligned", (a & 4095) == 0 && (unsigned long)a < 0xFFFFF000ul ? 0 : a, 0);
	((volatile int *)a)[2047] = 42;
	check("the mapping holds a word", ((volatile int *)a)[2047], 42);
	check("munmap of it", lnx_call(91, a, 8192, 0, 0, 0, 0), 0);
	check("munmap of an unaligned address", lnx_call(91, a + 1, 4096, 0, 0, 0, 0), -22);
	check("mprotect of an unaligned address", lnx_call(125, a + 1, 4096, 1, 0, 0, 0), -22);
	check("mmap2 of length 0", lnx_call(192, 0, 0, 3, 0x22, -1, 0), -22);
	check("uname", lnx_call(122, (long)uts, 0, 0, 0, 0, 0), 0);
	check("sysname is Linux", uts[0] == 'L' && uts[1] == 'i' && uts[2] == 'n' && uts[5] == 0, 1);
	check("uname to address 1", lnx_call(122, 1, 0, 0, 0, 0, 0), -14);
	check("clock_gettime monotonic", lnx_call(265, 1, (long)ts, 0, 0, 0, 0), 0);
	check("clock_gettime of clock 999", lnx_call(265, 999, (long)ts, 0, 0, 0, 0), -22);
	check("rt_sigprocmask blocks a signal", lnx_call(175, 0, (long)set, (long)old, 8, 0, 0), 0);
	check("rt_sigprocmask gives it back", lnx_call(175, 0, 0, (long)old, 8, 0, 0) == 0 && old[0] == set[0], 1);
	check("rt_sigprocmask with a 4-byte set", lnx_call(175, 0, (long)set, 0, 4, 0, 0), -22);
	check("rt_sigaction of signal 0", lnx_call(174, 0, 0, 0, 8, 0, 0), -22);
	check("set_thread_area of entry 3", lnx_call(243, (long)desc, 0, 0, 0, 0, 0), -22);
	check("getrandom of 16 bytes", lnx_call(355, (long)buf, 16, 0, 0, 0, 0), 16);
	check("getpid is positive", lnx_call(20, 0, 0, 0, 0, 0, 0) > 0, 1);
	check("getppid is positive", lnx_call(64, 0, 0, 0, 0, 0, 0) > 0, 1);
	check("sysinfo", lnx_call(116, (long)&si, 0, 0, 0, 0, 0), 0);
	check("sysinfo: uptime, memory and processes make sense", si.uptime >= 0 && si.mem_unit >= 1 &&
	      si.totalram > 0 && si.freeram > 0 && si.freeram <= si.totalram && si.procs >= 1, 1);
	check("sysinfo to address 1", lnx_call(116, 1, 0, 0, 0, 0, 0), -14);
	/*
	 * Text is a private mapping of the file: mprotect may make it writable,
	 * and a store then changes this process's copy only (the same byte back
	 * here, in the page running this code).
	 */
	text = (unsigned long)_start & ~4095ul;
	check("mprotect of its text page writable", lnx_call(125, (long)text, 4096, 7, 0, 0, 0), 0);
	byte = ((volatile unsigned char *)text)[16];
	((volatile unsigned char *)text)[16] = byte;
	check("the text page takes a store", ((volatile unsigned char *)text)[16] == byte, 1);
	check("mprotect of it back to read and execute", lnx_call(125, (long)text, 4096, 5, 0, 0, 0), 0);
	check("mprotect of a run past its text and data", lnx_call(125, (long)text, 64 << 20, 7, 0, 0, 0), -12);
	lnx_puts(failures ? "abi: some answers differ from Linux's\n" : "abi: every answer as Linux gives it\n");
	lnx_exit(failures != 0);
}
