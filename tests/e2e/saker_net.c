/* saker_net: network system calls for the end-to-end tests of the network and dup families
 * (tests/e2e/test_net.sh, test_falco_net.sh). Prints "pid=P" and what it learnt (ports) on
 * stdout, one "key=value" per line, and exits 0 when the calls did what the mode expects.
 * Static when the test builds it for a container image. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr,
		"usage: saker_net MODE ARGS...\n"
		"  pair IP            listens on IP (v4 or v6) at an ephemeral port, connects to it and\n"
		"                     accepts: prints lport (the client's) and sport (the server's)\n"
		"  connect IP PORT    a TCP connect to IP:PORT; exits 0 whether it succeeds or not and\n"
		"                     prints res=0 or the errno\n"
		"  udp IP PORT        sendto IP:PORT from an unconnected UDP socket\n"
		"  udp3 IP PORT PORT2 three sendto on one socket: PORT, PORT again, PORT2\n"
		"  packet             socket(AF_PACKET, SOCK_RAW, 0) (may fail without CAP_NET_RAW)\n"
		"  redirect IP        as pair, then dup2 of the connected socket onto 0, 1 and 2\n"
		"  dupfile PATH       opens PATH and dup2s it onto 1\n");
	return 2;
}

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int family;
};

static int parse(const char *ip, int port, struct addr *a)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->ss;

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, ip, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		a->len = sizeof(*in);
	} else if (inet_pton(AF_INET6, ip, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		a->len = sizeof(*in6);
	} else {
		return -1;
	}
	a->family = a->ss.ss_family;
	return 0;
}

static int port_of(int fd, int peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&ss, &len))
		return -1;
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* A connected pair through a listener on IP; *CLIENT gets the connecting end. */
static int pair(const char *ip, int *client)
{
	struct addr a;
	int l, c, s;

	if (parse(ip, 0, &a))
		return -1;
	l = socket(a.family, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a.ss, a.len) || listen(l, 1))
		return -1;
	if (a.family == AF_INET)
		((struct sockaddr_in *)&a.ss)->sin_port = htons(port_of(l, 0));
	else
		((struct sockaddr_in6 *)&a.ss)->sin6_port = htons(port_of(l, 0));
	c = socket(a.family, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a.ss, a.len))
		return -1;
	s = accept(l, NULL, NULL);
	if (s < 0)
		return -1;
	printf("lport=%d\nsport=%d\n", port_of(c, 0), port_of(c, 1));
	*client = c;
	return 0;
}

int main(int argc, char **argv)
{
	struct addr a;
	int fd;

	if (argc < 2)
		return usage();
	printf("pid=%d\n", (int)getpid());
	fflush(stdout);
	if (!strcmp(argv[1], "pair") && argc == 3)
		return pair(argv[2], &fd) ? 1 : 0;
	if (!strcmp(argv[1], "connect") && argc == 4) {
		if (parse(argv[2], atoi(argv[3]), &a))
			return usage();
		fd = socket(a.family, SOCK_STREAM, 0);
		if (fd < 0)
			return 1;
		if (connect(fd, (struct sockaddr *)&a.ss, a.len))
			printf("res=%d\n", errno);
		else
			printf("res=0\nlport=%d\n", port_of(fd, 0));
		return 0;
	}
	if (!strcmp(argv[1], "udp") && argc == 4) {
		if (parse(argv[2], atoi(argv[3]), &a))
			return usage();
		fd = socket(a.family, SOCK_DGRAM, 0);
		if (fd < 0 || sendto(fd, "x", 1, 0, (struct sockaddr *)&a.ss, a.len) != 1)
			return 1;
		return 0;
	}
	if (!strcmp(argv[1], "udp3") && argc == 5) {
		/* three sends on one socket: to PORT, to PORT again, to PORT2 */
		if (parse(argv[2], atoi(argv[3]), &a))
			return usage();
		fd = socket(a.family, SOCK_DGRAM, 0);
		if (fd < 0 || sendto(fd, "x", 1, 0, (struct sockaddr *)&a.ss, a.len) != 1 ||
		    sendto(fd, "x", 1, 0, (struct sockaddr *)&a.ss, a.len) != 1 ||
		    parse(argv[2], atoi(argv[4]), &a) ||
		    sendto(fd, "x", 1, 0, (struct sockaddr *)&a.ss, a.len) != 1)
			return 1;
		return 0;
	}
	if (!strcmp(argv[1], "packet") && argc == 2) {
		fd = socket(AF_PACKET, SOCK_RAW, 0);
		printf("res=%d\n", fd < 0 ? errno : 0);
		return 0;
	}
	if (!strcmp(argv[1], "redirect") && argc == 3) {
		if (pair(argv[2], &fd))
			return 1;
		fflush(stdout);
		if (dup2(fd, 0) != 0 || dup2(fd, 1) != 1 || dup2(fd, 2) != 2)
			return 1;
		return 0;
	}
	if (!strcmp(argv[1], "dupfile") && argc == 3) {
		fflush(stdout);
		fd = open(argv[2], O_WRONLY | O_APPEND);
		if (fd < 0 || dup2(fd, 1) != 1)
			return 1;
		return 0;
	}
	return usage();
}
