/* The shell's command table (commands.c). */
#ifndef SHELL_COMMANDS_H
#define SHELL_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/mach.h>

struct command {
	const char *name;
	const char *help;
	void (*run)(int argc, char **argv);
};

extern const struct command commands[];	/* ends with a NULL name */
void commands_init(mach_port_t name_server);
mach_port_t commands_ns(void);
kern_return_t kill_task(const char *name);	/* /tasks/NAME; KERN_INVALID_NAME: no such task */
/* pci.c */
void cmd_pci(int argc, char **argv);
/* net.c */
void cmd_udpsend(int argc, char **argv);
void cmd_udprecv(int argc, char **argv);
void cmd_nc(int argc, char **argv);
/* netinfo.c */
void cmd_ifconfig(int argc, char **argv);
void cmd_netstat(int argc, char **argv);
bool parse_ip(const char *s, uint32_t *ip);	/* a.b.c.d, in host byte order */
bool parse_port(const char *s, uint16_t *port);
void print_ip(uint32_t ip);
/* nodes.c */
void cmd_nodes(int argc, char **argv);
void cmd_proxies(int argc, char **argv);
/* bulk.c */
void cmd_tcpgen(int argc, char **argv);
void cmd_tcpsink(int argc, char **argv);
void cmd_udpgen(int argc, char **argv);
void cmd_udpsink(int argc, char **argv);
/* files.c */
void cmd_ls(int argc, char **argv);
void cmd_cat(int argc, char **argv);
void cmd_write(int argc, char **argv);
void cmd_mkdir(int argc, char **argv);
void cmd_rm(int argc, char **argv);
void cmd_sync(int argc, char **argv);
void cmd_mount(int argc, char **argv);
void cmd_umount(int argc, char **argv);
void cmd_df(int argc, char **argv);
/* ping.c */
void cmd_ping(int argc, char **argv);

#endif
