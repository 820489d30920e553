/* The mixed workload: N iterations of an openat+close of PATH, a fork and exec of /bin/true
 * (waited for), and a TCP connect to 127.0.0.1 on a listening socket of its own (accepted and
 * both ends closed), printing the mean nanoseconds per iteration (CLOCK_MONOTONIC) on stdout.
 * Any failure ends the run, so a missing file or a refused connect cannot pass for speed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *prog = "mixedloop";
static const char *true_path = "/bin/true";

static int usage(void)
{
	fprintf(stderr, "usage: mixedloop N PATH [WARMUP]\n"
			"  times N iterations of openat+close of PATH, fork+exec of /bin/true and a\n"
			"  connect to 127.0.0.1, after WARMUP untimed ones (default N/10, at least 1),\n"
			"  and prints nanoseconds per iteration\n");
	return 2;
}

static int parse_count(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return (errno || end == s || *end || *out < 0) ? -1 : 0;
}

static int fail(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	return -1;
}

static int one(const char *path, int lsock, const struct sockaddr_in *addr)
{
	int fd = openat(AT_FDCWD, path, O_RDONLY);
	if (fd < 0)
		return fail(path);
	close(fd);

	pid_t pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		execl(true_path, "true", (char *)NULL);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return fail("/bin/true did not exit 0");

	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0)
		return fail("socket");
	if (connect(c, (const struct sockaddr *)addr, sizeof(*addr)))
		return close(c), fail("connect to 127.0.0.1");
	int a = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	if (a < 0)
		return close(c), fail("accept");
	close(a);
	close(c);
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n, warmup, i;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof(addr);

	if (argc < 3 || argc > 4 || parse_count(argv[1], &n) || n == 0)
		return usage();
	warmup = n / 10 ? n / 10 : 1;
	if (argc == 4 && parse_count(argv[3], &warmup))
		return usage();

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&addr, sizeof(addr)) || listen(l, 16) ||
	    getsockname(l, (struct sockaddr *)&addr, &alen))
		return fail("listening socket on 127.0.0.1") ? 1 : 1;

	for (i = 0; i < warmup; i++)
		if (one(argv[2], l, &addr))
			return 1;
	double t0 = now_ns();
	for (i = 0; i < n; i++)
		if (one(argv[2], l, &addr))
			return 1;
	double t1 = now_ns();
	printf("%.1f\n", (t1 - t0) / (double)n);
	return 0;
}
