/* The benchmark's workload: N openat(AT_FDCWD, PATH, O_RDONLY) + close pairs in a tight loop,
 * printing the mean nanoseconds per pair (CLOCK_MONOTONIC) on stdout. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: openloop N PATH [WARMUP]\n"
	                "  times N openat(AT_FDCWD, PATH, O_RDONLY)+close pairs after WARMUP\n"
	                "  untimed pairs (default N/10) and prints nanoseconds per pair\n");
	return 2;
}

static int parse_count(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return (errno || end == s || *end || *out < 0) ? -1 : 0;
}

/* One pair; any failure ends the run, so a missing file cannot pass for a fast syscall. */
static int open_close(const char *path)
{
	int fd = openat(AT_FDCWD, path, O_RDONLY);

	if (fd < 0) {
		fprintf(stderr, "openloop: %s: %s\n", path, strerror(errno));
		return -1;
	}
	close(fd);
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
	double t0, t1;

	if (argc < 3 || argc > 4 || parse_count(argv[1], &n) || n == 0)
		return usage();
	warmup = n / 10;
	if (argc == 4 && parse_count(argv[3], &warmup))
		return usage();

	/* Warm the dentry cache, the page tables and the CPU's caches before timing. */
	for (i = 0; i < warmup; i++)
		if (open_close(argv[2]))
			return 1;

	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (open_close(argv[2]))
			return 1;
	t1 = now_ns();

	printf("%.1f\n", (t1 - t0) / (double)n);
	return 0;
}
