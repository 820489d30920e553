/* Test helper for the file, cred and sys families (tests/e2e/test_fileops.sh): makes one of
 * their calls with the arguments given, prints its pid (as its own pid namespace numbers it:
 * the alert's proc.vpid) and then the call's result, and exits 0 whatever the call returned
 * (the rules alert on attempts too). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr,
		"usage: saker_fileops MODE ARGS...\n"
		"  memfd NAME FLAGS        memfd_create(NAME, FLAGS)\n"
		"  bpf CMD                 bpf(CMD, NULL, 0)\n"
		"  setuid UID              setuid(UID) in a child\n"
		"  setresuid R E S         setresuid(R, E, S) in a child\n"
		"  setgid GID              setgid(GID) in a child\n"
		"  finit FILE PARAMS       finit_module(open(FILE), PARAMS, 0)\n"
		"  init FILE PARAMS        init_module(FILE's bytes, PARAMS)\n"
		"  mount SRC DIR TYPE      mount(SRC, DIR, TYPE, 0, NULL) in a private mount namespace\n"
		"  fchmodat DIR NAME MODE  fchmodat(open(DIR), NAME, MODE, 0)\n");
	return 2;
}

/* Runs CALL's id change in a child, so that this process keeps its ids. */
static long in_child(long nr, long a, long b, long c)
{
	int st;
	pid_t p = fork();

	if (p == 0)
		_exit(syscall(nr, a, b, c) < 0 ? 1 : 0);
	if (p < 0 || waitpid(p, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	long r;

	if (!strcmp(m, "memfd") && argc == 4)
		r = syscall(SYS_memfd_create, argv[2], strtoul(argv[3], NULL, 0));
	else if (!strcmp(m, "bpf") && argc == 3)
		r = syscall(SYS_bpf, strtol(argv[2], NULL, 0), NULL, 0);
	else if (!strcmp(m, "setuid") && argc == 3)
		r = in_child(SYS_setuid, strtol(argv[2], NULL, 0), 0, 0);
	else if (!strcmp(m, "setgid") && argc == 3)
		r = in_child(SYS_setgid, strtol(argv[2], NULL, 0), 0, 0);
	else if (!strcmp(m, "setresuid") && argc == 5)
		r = in_child(SYS_setresuid, strtol(argv[2], NULL, 0), strtol(argv[3], NULL, 0),
			     strtol(argv[4], NULL, 0));
	else if (!strcmp(m, "finit") && argc == 4) {
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			perror(argv[2]);
			return 1;
		}
		r = syscall(SYS_finit_module, fd, argv[3], 0);
	} else if (!strcmp(m, "init") && argc == 4) {
		static char img[65536];
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, img, sizeof(img));

		if (n < 0) {
			perror(argv[2]);
			return 1;
		}
		r = syscall(SYS_init_module, img, (unsigned long)n, argv[3]);
	} else if (!strcmp(m, "mount") && argc == 5) {
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
			perror("private mount namespace");
			return 1;
		}
		r = mount(argv[2], argv[3], argv[4], 0, NULL);
	} else if (!strcmp(m, "fchmodat") && argc == 5) {
		int dfd = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd < 0) {
			perror(argv[2]);
			return 1;
		}
		r = syscall(SYS_fchmodat, dfd, argv[3], strtoul(argv[4], NULL, 8));
	} else {
		return usage();
	}
	printf("%d\n%ld\n", getpid(), r);
	return 0;
}
