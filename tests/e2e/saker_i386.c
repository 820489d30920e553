/* saker_i386: i386 system calls for the end-to-end tests, built by the test itself with gcc -m32
 * (tests/e2e/test_compat.sh), so that the kernel side sees calls through the compat entry with
 * i386 numbers and registers. Each call is made with int $0x80 and its registers set by hand.
 * Opens for writing use O_WRONLY|O_APPEND and write nothing. Prints its pid on stdout and exits
 * 0 when the call did what the mode expects. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NR_OPEN             5
#define NR_READLINK         85   /* creat on x86-64 */
#define NR_REMAP_FILE_PAGES 257  /* openat on x86-64 */
#define NR_OPENAT           295
#define NR_SETUID           23   /* 16-bit ids */
#define NR_SETRESUID        164  /* 16-bit ids */
#define NR_SETRESUID32      208
#define NR_SETUID32         213
#define WRITE_FLAGS         (O_WRONLY | O_APPEND)

/* int $0x80 with eax = NR and ebx, ecx, edx, esi, edi as given (ebp untouched). */
static long int80(long nr, long bx, long cx, long dx, long si, long di)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(bx), "c"(cx), "d"(dx), "S"(si), "D"(di)
			 : "memory");
	return ret;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: saker_i386 MODE ARGS...\n"
		"  open PATH            i386 open (5) of PATH for writing\n"
		"  openat PATH          i386 openat (295) of PATH for writing\n"
		"  sysenter PATH        i386 open (5) of PATH for writing through the C library's\n"
		"                       syscall(), which enters the kernel with sysenter\n"
		"  readlink PATH LINK   opens PATH for writing as fd N, makes LINK a symlink whose\n"
		"                       target is N bytes long, then i386 readlink (85) of LINK, which\n"
		"                       returns N, with edi = PATH as x86-64 creat would read it\n"
		"  remap PATH           i386 remap_file_pages (257) with edi = AT_FDCWD, esi = PATH,\n"
		"                       edx = O_WRONLY|O_APPEND, as x86-64 openat would read them\n"
		"  setuid UID           i386 setuid (23, 16-bit ids) of UID\n"
		"  setuid32 UID         i386 setuid32 (213) of UID\n"
		"  setresuid X          i386 setresuid (164) of 65535 three times (unchanged)\n"
		"  setresuid32 X        i386 setresuid32 (208) of -1 three times (unchanged)\n");
	return 2;
}

static int fail(const char *what, long ret)
{
	fprintf(stderr, "saker_i386: %s: %s\n", what, ret < 0 ? strerror((int)-ret) : "unexpected");
	return 1;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[1] : "";
	long r;

	if (argc < 3)
		return usage();
	printf("%d\n", (int)getpid());
	fflush(stdout);
	if (!strcmp(mode, "open") || !strcmp(mode, "openat")) {
		r = mode[4] ? int80(NR_OPENAT, AT_FDCWD, (long)argv[2], WRITE_FLAGS, 0, 0)
			    : int80(NR_OPEN, (long)argv[2], WRITE_FLAGS, 0, 0, 0);
		if (r < 0)
			return fail(argv[2], r);
		close((int)r);
		return 0;
	}
	if (!strcmp(mode, "sysenter")) {
		r = syscall(SYS_open, argv[2], WRITE_FLAGS);
		if (r < 0)
			return fail(argv[2], -errno);
		close((int)r);
		return 0;
	}
	if (!strcmp(mode, "readlink") && argc == 4) {
		char target[64], buf[64];
		long fd = int80(NR_OPEN, (long)argv[2], WRITE_FLAGS, 0, 0, 0);

		if (fd < 0 || fd >= (long)sizeof(target))
			return fail(argv[2], fd);
		memset(target, 'x', (size_t)fd);
		target[fd] = 0;
		if (symlink(target, argv[3]) < 0)
			return fail(argv[3], -errno);
		r = int80(NR_READLINK, (long)argv[3], (long)buf, sizeof(buf), 0, (long)argv[2]);
		close((int)fd);
		return r == fd ? 0 : fail("readlink", r);
	}
	/* the id calls, each asking for no change (the caller's own uid, or "unchanged"): 16-bit
	 * ones and their "32" twins */
	if (!strcmp(mode, "setuid") || !strcmp(mode, "setuid32")) {
		r = int80(mode[6] ? NR_SETUID32 : NR_SETUID, atol(argv[2]), 0, 0, 0, 0);
		return r < 0 ? fail(mode, r) : 0;
	}
	if (!strcmp(mode, "setresuid") || !strcmp(mode, "setresuid32")) {
		long keep = mode[9] ? -1 : 0xffff;

		r = int80(mode[9] ? NR_SETRESUID32 : NR_SETRESUID, keep, keep, keep, 0, 0);
		return r < 0 ? fail(mode, r) : 0;
	}
	if (!strcmp(mode, "remap")) {
		r = int80(NR_REMAP_FILE_PAGES, 0, 0, WRITE_FLAGS, (long)argv[2], AT_FDCWD);
		return r < 0 ? 0 : fail("remap_file_pages", r);
	}
	return usage();
}
