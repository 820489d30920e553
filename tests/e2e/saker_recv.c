/* saker_recv: the receivers the output tests deliver to, so that each output is tested against a
 * real peer: an HTTP/1.1 server that appends each POST body as a line, one that accepts and never
 * answers (a hung receiver), and a unix datagram socket like syslog's /dev/log. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: saker_recv http PORTFILE OUTFILE\n"
			"       saker_recv hang PORTFILE\n"
			"       saker_recv dgram SOCKET OUTFILE\n");
	return 2;
}

static int listen_any(const char *portfile)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		perror("saker_recv: listen");
		exit(1);
	}
	/* written whole, then renamed, so a reader never sees half a number */
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", portfile);
	FILE *f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", ntohs(a.sin_port)) < 0 || fclose(f) || rename(tmp, portfile)) {
		perror("saker_recv: port file");
		exit(1);
	}
	return fd;
}

/* One connection: requests until the peer closes. */
static void serve(int c, FILE *out)
{
	char buf[1 << 16];
	size_t have = 0;
	for (;;) {
		char *end = memmem(buf, have, "\r\n\r\n", 4);
		if (!end) {
			if (have == sizeof(buf))
				return;
			ssize_t n = read(c, buf + have, sizeof(buf) - have);
			if (n <= 0)
				return;
			have += (size_t)n;
			continue;
		}
		size_t hlen = (size_t)(end - buf) + 4, clen = 0;
		for (char *p = buf; p < end; p++)
			if ((p == buf || p[-1] == '\n') && !strncasecmp(p, "Content-Length:", 15))
				clen = strtoul(p + 15, NULL, 10);
		while (have < hlen + clen && have < sizeof(buf)) {
			ssize_t n = read(c, buf + have, sizeof(buf) - have);
			if (n <= 0)
				return;
			have += (size_t)n;
		}
		if (hlen + clen > have)
			return;
		fwrite(buf + hlen, 1, clen, out);
		fputc('\n', out);
		fflush(out);
		static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
		if (write(c, ok, sizeof(ok) - 1) < 0)
			return;
		memmove(buf, buf + hlen + clen, have - hlen - clen);
		have -= hlen + clen;
	}
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "http")) {
		FILE *out = fopen(argv[3], "a");
		int fd = listen_any(argv[2]);
		if (!out)
			return 1;
		for (;;) {
			int c = accept(fd, NULL, NULL);
			if (c < 0)
				continue;
			serve(c, out);
			close(c);
		}
	}
	if (argc == 3 && !strcmp(argv[1], "hang")) {
		int fd = listen_any(argv[2]);
		for (;;)
			accept(fd, NULL, NULL); /* kept open, never read, never answered */
	}
	if (argc == 4 && !strcmp(argv[1], "dgram")) {
		FILE *out = fopen(argv[3], "a");
		int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", argv[2]);
		unlink(argv[2]);
		if (!out || fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
			perror("saker_recv: dgram");
			return 1;
		}
		char buf[1 << 17];
		for (;;) {
			ssize_t n = recv(fd, buf, sizeof(buf), 0);
			if (n < 0)
				continue;
			fwrite(buf, 1, (size_t)n, out);
			fputc('\n', out);
			fflush(out);
		}
	}
	return usage();
}
