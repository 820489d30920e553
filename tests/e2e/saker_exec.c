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
 *                        reads a file long after it started)
 *   forge                calls, with the stack pointer where a fresh image has it (the
 *                        process's start_stack), calls that return 0 and share a number with an
 *                        exec of the other ABI: munmap (x86-64 11, i386 execve) and, through
 *                        int $0x80, oldolduname (i386 59, x86-64 execve) and timerfd_create
 *                        with descriptor 0 free (i386 322, x86-64 execveat). No exec happens;
 *                        none may be reported. */
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
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int usage(void)
{
	fprintf(stderr, "usage: saker_exec memfd|spawn|int80 PROG ARGS... | fail PATH | "
			"read-after SECS PATH | forge\n");
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

/* The process's start_stack: field 28 of /proc/self/stat (after the parenthesised name). */
static unsigned long start_stack(void)
{
	char buf[1024], *p;
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	unsigned long v = 0;

	if (f)
		fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	for (int field = 2; p && field < 28; field++)
		p = strchr(p + 1, ' ');
	if (p)
		v = strtoul(p + 1, NULL, 10);
	return v;
}

/* Syscall NR with arguments A, B, C and the stack pointer at SP, through the 64-bit entry
 * (syscall) or the i386 one (int $0x80); the stack is put back before anything else runs. */
static long call_at_sp(int i386, long nr, long a, long b, long c, unsigned long sp)
{
	long ret;

	if (i386)
		__asm__ volatile("mov %%rsp, %%r12\n\tmov %[sp], %%rsp\n\tint $0x80\n\tmov %%r12, %%rsp"
				 : "=a"(ret)
				 : "a"(nr), "b"(a), "c"(b), "d"(c), [sp] "r"(sp)
				 : "r12", "memory");
	else
		__asm__ volatile("mov %%rsp, %%r12\n\tmov %[sp], %%rsp\n\tsyscall\n\tmov %%r12, %%rsp"
				 : "=a"(ret)
				 : "a"(nr), "D"(a), "S"(b), "d"(c), [sp] "r"(sp)
				 : "r12", "rcx", "r11", "memory");
	return ret;
}

static int do_forge(void)
{
	unsigned long sp = start_stack();
	char *mem = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
			 -1, 0);
	long r1, r2, r3;

	if (!sp || mem == MAP_FAILED)
		return die("forge setup");
	/* munmap of the upper half: x86-64 11 */
	r1 = call_at_sp(0, 11, (long)(mem + (1 << 15)), 1 << 15, 0, sp);
	/* oldolduname(buf): i386 59 */
	r2 = call_at_sp(1, 59, (long)(unsigned long)mem, 0, 0, sp);
	/* timerfd_create(CLOCK_MONOTONIC, 0): i386 322, which returns 0 when 0 is the lowest free
	 * descriptor */
	close(0);
	r3 = call_at_sp(1, 322, CLOCK_MONOTONIC, 0, 0, sp);
	printf("%ld %ld %ld\n", r1, r2, r3);
	return r1 || r2 || r3;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "forge"))
		return do_forge();
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
