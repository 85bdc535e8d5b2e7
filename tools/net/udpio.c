/*
 * udpio: UDP datagrams for the Linux network peer (tools/net/linux-peer.sh puts
 * it in the initramfs as /bin/udpio), since busybox's nc has no UDP. The
 * counterpart of the Manifold shell's udpgen and udpsink (servers/shell/bulk.c).
 *
 *   udpio send HOST PORT COUNT SIZE [echo] <data   COUNT datagrams of SIZE bytes
 *       of stdin; with echo, each must come back unchanged (resent until it does)
 *   udpio recv PORT COUNT [echo] >data            COUNT datagrams' bytes to
 *       stdout; with echo, each is sent back to where it came from
 *
 * Exits 0 once all COUNT went (or came), 1 otherwise, with a line saying why.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_DGRAM 1472
#define ECHO_TRIES 20		/* a second each */
#define FIRST_ECHO_TRIES 120	/* for the first datagram: the receiver may not be bound yet */
#define FIRST_WAIT_S 120	/* a receiver waits this long for the first datagram */
#define NEXT_WAIT_S 30

static void
wait_for(int s, int seconds)
{
	struct timeval tv = { seconds, 0 };
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

static int
send_all(int s, const struct sockaddr_in *to, unsigned count, unsigned size, int echo)
{
	char buf[MAX_DGRAM], back[MAX_DGRAM];

	for (unsigned i = 0; i < count; i++) {
		if (fread(buf, 1, size, stdin) != size) {
			fprintf(stderr, "udpio: stdin ended before datagram %u\n", i);
			return 1;
		}
		int ok = 0;
		int tries = !echo ? 1 : i ? ECHO_TRIES : FIRST_ECHO_TRIES;
		for (int try = 0; try < tries && !ok; try++) {
			if (sendto(s, buf, size, 0, (const struct sockaddr *)to, sizeof *to) != (ssize_t)size) {
				perror("udpio: sendto");
				sleep(1);	/* ICMP unreachable from a receiver not bound yet */
				continue;
			}
			ok = !echo;
			/* pass over whatever else comes back (a late echo of an earlier one) */
			ssize_t n;
			while (!ok && (n = recv(s, back, sizeof back, 0)) >= 0)
				ok = n == (ssize_t)size && memcmp(back, buf, size) == 0;
		}
		if (!ok) {
			fprintf(stderr, "udpio: datagram %u never came back\n", i);
			return 1;
		}
	}
	return 0;
}

static int
recv_all(int s, unsigned count, int echo)
{
	char buf[MAX_DGRAM + 1];
	struct sockaddr_in from;

	wait_for(s, FIRST_WAIT_S);
	for (unsigned i = 0; i < count; i++) {
		socklen_t len = sizeof from;
		ssize_t n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
		if (n < 0) {
			fprintf(stderr, "udpio: datagram %u did not come\n", i);
			return 1;
		}
		fwrite(buf, 1, (size_t)n, stdout);
		if (echo && sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, len) != n)
			perror("udpio: echo");
		wait_for(s, NEXT_WAIT_S);
	}
	return fflush(stdout) != 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0)
		return perror("udpio: socket"), 1;
	if (argc >= 6 && strcmp(argv[1], "send") == 0 && inet_pton(AF_INET, argv[2], &a.sin_addr) == 1) {
		unsigned size = (unsigned)atoi(argv[5]);
		if (size == 0 || size > MAX_DGRAM)
			return fprintf(stderr, "udpio: SIZE is 1 to %d\n", MAX_DGRAM), 1;
		a.sin_port = htons((unsigned short)atoi(argv[3]));
		wait_for(s, 1);
		return send_all(s, &a, (unsigned)atoi(argv[4]), size, argc > 6 && strcmp(argv[6], "echo") == 0);
	}
	if (argc >= 4 && strcmp(argv[1], "recv") == 0) {
		a.sin_port = htons((unsigned short)atoi(argv[2]));
		if (bind(s, (struct sockaddr *)&a, sizeof a) < 0)
			return perror("udpio: bind"), 1;
		return recv_all(s, (unsigned)atoi(argv[3]), argc > 4 && strcmp(argv[4], "echo") == 0);
	}
	fprintf(stderr, "usage: udpio send HOST PORT COUNT SIZE [echo] <data | udpio recv PORT COUNT [echo] >data\n");
	return 2;
}
