/* saker_opener: the syscalls the end-to-end tests need, one way of reaching a file per mode, so
 * a test can show that each of them is seen (or not) by the kernel filter. Opens for writing use
 * O_WRONLY|O_APPEND and write nothing, so pointing one at /etc/shadow changes no data.
 * Prints its pid on stdout (the alert's proc.pid) and exits 0 when the syscall succeeded; the
 * ptrace mode prints its target's pid on a second line. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define WRITE_FLAGS (O_WRONLY | O_APPEND | O_CLOEXEC)

static int usage(void)
{
	fprintf(stderr,
		"usage: saker_opener MODE ARGS...\n"
		"  write PATH            open(PATH) for writing\n"
		"  read PATH             open(PATH) for reading\n"
		"  relative DIR NAME     chdir(DIR), then open(NAME) for writing\n"
		"  dirfd DIR NAME        openat(open(DIR), NAME) for writing\n"
		"  openat2 PATH          openat2(AT_FDCWD, PATH) for writing\n"
		"  legacy-open PATH      the open(2) syscall itself, for writing\n"
		"  handle PATH r|w       name_to_handle_at(PATH), then open_by_handle_at of it for\n"
		"                        reading or writing\n"
		"  many N PATH r|w       N opens (and closes) of PATH for reading or writing\n"
		"  seq N PREFIX US       opens PREFIX.0 .. PREFIX.N-1 for writing (creating them),\n"
		"                        sleeping US microseconds between two\n"
		"  ptrace-attach NAME    PTRACE_ATTACH to a child of its own (renamed NAME), then\n"
		"                        PTRACE_DETACH from it\n");
	return 2;
}

static int done(const char *what, int fd)
{
	if (fd < 0) {
		fprintf(stderr, "saker_opener: %s: %s\n", what, strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	const char *mode = argv[1];
	printf("%d\n", (int)getpid());
	fflush(stdout);

	if (!strcmp(mode, "write"))
		return done(argv[2], open(argv[2], WRITE_FLAGS));
	if (!strcmp(mode, "read"))
		return done(argv[2], open(argv[2], O_RDONLY | O_CLOEXEC));
	if (!strcmp(mode, "legacy-open"))
		return done(argv[2], (int)syscall(SYS_open, argv[2], WRITE_FLAGS));
	if (!strcmp(mode, "relative") && argc == 4) {
		if (chdir(argv[2]) < 0)
			return done(argv[2], -1);
		return done(argv[3], open(argv[3], WRITE_FLAGS));
	}
	if (!strcmp(mode, "dirfd") && argc == 4) {
		int dfd = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return done(argv[2], -1);
		int ret = done(argv[3], openat(dfd, argv[3], WRITE_FLAGS));
		close(dfd);
		return ret;
	}
	if (!strcmp(mode, "handle") && argc == 4) {
		/* the handle, then a descriptor on the same file system: PATH's directory */
		struct file_handle *fh = calloc(1, sizeof(*fh) + MAX_HANDLE_SZ);
		int mount_id, mfd, fd;

		if (!fh)
			return 1;
		fh->handle_bytes = MAX_HANDLE_SZ;
		if (name_to_handle_at(AT_FDCWD, argv[2], fh, &mount_id, 0) < 0)
			return done("name_to_handle_at", -1);
		char *dir = strdup(argv[2]), *slash = dir ? strrchr(dir, '/') : NULL;

		if (slash)
			slash[slash == dir] = 0;
		mfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		free(dir);
		if (mfd < 0)
			return done("the mount descriptor", -1);
		fd = open_by_handle_at(mfd, fh, strcmp(argv[3], "w") ? O_RDONLY | O_CLOEXEC : WRITE_FLAGS);
		close(mfd);
		free(fh);
		return done("open_by_handle_at", fd);
	}
	if (!strcmp(mode, "openat2")) {
		struct open_how how = { .flags = WRITE_FLAGS };
		return done(argv[2], (int)syscall(SYS_openat2, AT_FDCWD, argv[2], &how, sizeof(how)));
	}
	if (!strcmp(mode, "ptrace-attach")) {
		int status, ok;
		pid_t child = fork();
		if (child < 0)
			return done("fork", -1);
		if (child == 0) {
			prctl(PR_SET_NAME, argv[2]); /* a name the test can tell apart */
			pause();
			_exit(0);
		}
		printf("%d\n", (int)child);
		fflush(stdout);
		ok = ptrace(PTRACE_ATTACH, child, 0, 0) == 0 && waitpid(child, &status, 0) == child &&
		     ptrace(PTRACE_DETACH, child, 0, 0) == 0;
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		return ok ? 0 : done("ptrace", -1);
	}
	if (!strcmp(mode, "many") && argc == 5) {
		long n = strtol(argv[2], NULL, 10);
		int flags = argv[4][0] == 'w' ? WRITE_FLAGS | O_CREAT : O_RDONLY | O_CLOEXEC;
		for (long i = 0; i < n; i++) {
			int fd = open(argv[3], flags, 0600);
			if (fd < 0)
				return done(argv[3], fd);
			close(fd);
		}
		return 0;
	}
	if (!strcmp(mode, "seq") && argc == 5) {
		long n = strtol(argv[2], NULL, 10), us = strtol(argv[4], NULL, 10);
		char path[4096];
		for (long i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s.%ld", argv[3], i);
			int fd = open(path, WRITE_FLAGS | O_CREAT, 0600);
			if (fd < 0)
				return done(path, fd);
			close(fd);
			if (us)
				usleep((useconds_t)us);
		}
		return 0;
	}
	return usage();
}
