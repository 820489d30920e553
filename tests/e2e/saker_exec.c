/* saker_exec: the execs of the end-to-end tests (tests/e2e/test_falco_exec.sh), each done the way
 * the behaviour it stands for does it. Exits 0 when the call did what the mode expects.
 *   memfd PROG ARGS...   copies PROG into a memfd (memfd_create) and runs it from there
 *                        (execveat with AT_EMPTY_PATH: fexecve), argv ARGS
 *   spawn PROG ARGS...   forks; the child execs PROG with argv ARGS; waits for it (a parent
 *                        named after this program's file, e.g. a copy called nginx)
 *   int80 PROG ARGS...   execve through the i386 entry (int $0x80, number 11) from this 64-bit
 *                        process: the new 64-bit image clears the compat state the call set
 *   fail PATH            execve of PATH, which must fail; prints the errno
 *   read-after SECS PATH sleeps SECS seconds, then opens PATH for reading (a server process that
 *                        reads a file long after it started) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int usage(void)
{
	fprintf(stderr, "usage: saker_exec memfd|spawn|int80 PROG ARGS... | fail PATH | "
			"read-after SECS PATH\n");
	return 2;
}

static int die(const char *what)
{
	fprintf(stderr, "saker_exec: %s: %s\n", what, strerror(errno));
	return 1;
}

static int do_memfd(char **argv)
{
	int in = open(argv[0], O_RDONLY | O_CLOEXEC), fd;
	struct stat st;

	if (in < 0 || fstat(in, &st))
		return die(argv[0]);
	fd = memfd_create("sk_payload", MFD_CLOEXEC);
	if (fd < 0)
		return die("memfd_create");
	for (off_t off = 0; off < st.st_size;) {
		ssize_t n = sendfile(fd, in, &off, (size_t)(st.st_size - off));
		if (n <= 0)
			return die("copy");
	}
	close(in);
	syscall(SYS_execveat, fd, "", argv + 1, environ, AT_EMPTY_PATH);
	return die("execveat");
}

static int do_spawn(char **argv)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return die("fork");
	if (!pid) {
		execv(argv[0], argv + 1);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* The strings and pointers of an i386 call must be 32-bit addresses. ARGV: PROG, then the new
 * image's argv. */
static int do_int80(int argc, char **argv)
{
	char *mem = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
			 -1, 0);
	unsigned *ptrs, *args, *env;
	char *strs;
	size_t pos = 0;
	long ret;

	if (mem == MAP_FAILED)
		return die("mmap");
	if (argc > 60)
		return usage();
	ptrs = (unsigned *)mem;      /* ptrs[i]: argv[i] copied */
	args = ptrs + 64;            /* the new argv: ptrs[1..] */
	env = args + 64;
	strs = mem + 1024;
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		if (pos + n > (1 << 16) - 2048)
			return usage();
		memcpy(strs + pos, argv[i], n);
		ptrs[i] = (unsigned)(unsigned long)(strs + pos);
		pos += n;
	}
	for (int i = 1; i < argc; i++)
		args[i - 1] = ptrs[i];
	args[argc - 1] = 0;
	env[0] = 0;
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(11L), "b"((long)ptrs[0]), "c"((long)(unsigned long)args),
			   "d"((long)(unsigned long)env)
			 : "memory");
	errno = (int)-ret;
	return die("int80 execve");
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	if (!strcmp(argv[1], "memfd") && argc >= 4)
		return do_memfd(argv + 2);
	if (!strcmp(argv[1], "spawn") && argc >= 4)
		return do_spawn(argv + 2);
	if (!strcmp(argv[1], "int80") && argc >= 4)
		return do_int80(argc - 2, argv + 2);
	if (!strcmp(argv[1], "fail")) {
		char *av[] = { argv[2], NULL };

		execve(argv[2], av, environ);
		printf("%d\n", errno);
		return 0;
	}
	if (!strcmp(argv[1], "read-after") && argc == 4) {
		int fd;

		sleep((unsigned)atoi(argv[2]));
		fd = open(argv[3], O_RDONLY);
		if (fd < 0)
			return die(argv[3]);
		close(fd);
		return 0;
	}
	return usage();
}
