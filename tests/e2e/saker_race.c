/* saker_race: the descriptor race of tests/e2e/test_race.sh. One thread opens PATH for writing
 * N times (O_WRONLY|O_APPEND, nothing written); another keeps putting /dev/null on the
 * descriptor number those opens get and closing it again (dup2, close), so that some opens
 * have their descriptor replaced or closed between the kernel installing it and the syscall's
 * exit. Prints its pid, then the number of opens that succeeded. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static atomic_int stop;
static int null_fd, target;

static void *spoiler(void *arg)
{
	(void)arg;
	for (unsigned i = 0; !atomic_load_explicit(&stop, memory_order_relaxed); i++) {
		/* mostly closing, so that the opens keep getting this number; now and then the
		 * replacement */
		if (i % 8 == 0)
			dup2(null_fd, target);
		close(target);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	long n, ok = 0;

	if (argc != 3 || (n = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: saker_race N PATH\n");
		return 2;
	}
	printf("%d\n", (int)getpid());
	fflush(stdout);
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	/* the number the opens get: the lowest free one */
	target = open("/dev/null", O_RDONLY | O_CLOEXEC);
	close(target);
	if (null_fd < 0 || target < 0 || pthread_create(&t, NULL, spoiler, NULL))
		return 1;
	for (long i = 0; i < n; i++) {
		int fd = open(argv[2], O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd >= 0) {
			ok++;
			if (fd != target)
				close(fd);
		}
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	printf("%ld\n", ok);
	return 0;
}
