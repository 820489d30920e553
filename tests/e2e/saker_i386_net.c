/* saker_i386_net: i386 socket calls for tests/e2e/test_compat_net.sh, built by the test with
 * gcc -m32 -static. Each call is made with int $0x80 and its registers set by hand, through
 * socketcall (102) or the direct i386 numbers (socket 359, connect 362). Prints "pid=P" and
 * what it learnt, and exits 0 when the calls did what the mode expects.
 *   pair MODE    MODE socketcall or direct: socket, then connect to a listener on 127.0.0.1
 *                (made with the C library), prints lport and sport
 *   packet MODE  socket(AF_PACKET, SOCK_RAW, 0)
 *   connect MODE PORT  socket, then connect to 127.0.0.1:PORT; prints res=0 or res=-ERRNO and
 *                exits 0 either way */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NR_SOCKETCALL 102
#define NR_SOCKET     359
#define NR_CONNECT    362
#define SYS_SOCKET_   1
#define SYS_CONNECT_  3

static long int80(long nr, long bx, long cx, long dx)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(bx), "c"(cx), "d"(dx) : "memory");
	return ret;
}

static long i_socket(int sc, int dom, int type, int proto)
{
	unsigned long a[3] = { dom, type, proto };

	return sc ? int80(NR_SOCKETCALL, SYS_SOCKET_, (long)a, 0) : int80(NR_SOCKET, dom, type, proto);
}

static long i_connect(int sc, int fd, const struct sockaddr_in *sa)
{
	unsigned long a[3] = { fd, (unsigned long)sa, sizeof(*sa) };

	return sc ? int80(NR_SOCKETCALL, SYS_CONNECT_, (long)a, 0)
		  : int80(NR_CONNECT, fd, (long)sa, sizeof(*sa));
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int sc, l;
	long fd;

	if (argc < 3 || (strcmp(argv[2], "socketcall") && strcmp(argv[2], "direct")) ||
	    argc != (strcmp(argv[1], "connect") ? 3 : 4))
		return 2;
	sc = !strcmp(argv[2], "socketcall");
	printf("pid=%d\n", (int)getpid());
	if (!strcmp(argv[1], "packet")) {
		fd = i_socket(sc, AF_PACKET, SOCK_RAW, 0);
		printf("res=%ld\n", fd);
		return 0;
	}
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (!strcmp(argv[1], "connect")) {
		sa.sin_port = htons((unsigned short)atoi(argv[3]));
		fd = i_socket(sc, AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			return 1;
		printf("res=%ld\n", i_connect(sc, (int)fd, &sa));
		return 0;
	}
	if (strcmp(argv[1], "pair"))
		return 2;
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&sa, &len))
		return 1;
	fd = i_socket(sc, AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || i_connect(sc, (int)fd, &sa))
		return 1;
	len = sizeof(sa);
	if (getsockname((int)fd, (struct sockaddr *)&sa, &len))
		return 1;
	printf("lport=%d\n", ntohs(sa.sin_port));
	len = sizeof(sa);
	if (getpeername((int)fd, (struct sockaddr *)&sa, &len))
		return 1;
	printf("sport=%d\n", ntohs(sa.sin_port));
	return 0;
}
