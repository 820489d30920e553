/* Loads and attaches every program of the floor object (floor.bpf.o), prints "ready" once they
 * are attached, and holds them until SIGTERM or SIGINT. */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#define FLOOR_MAX_LINKS 8

static int floor_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Default object: floor.bpf.o beside this executable. */
static int floor_default_obj(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	if ((size_t)snprintf(buf, size, "%s/floor.bpf.o", dirname(exe)) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[FLOOR_MAX_LINKS];
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	char path[PATH_MAX];
	int nlinks = 0, sig, err, i;
	sigset_t set;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: floor [OBJECT]   (default: floor.bpf.o beside floor)\n");
		return 2;
	}
	if (argc == 2)
		snprintf(path, sizeof(path), "%s", argv[1]);
	else if ((err = floor_default_obj(path, sizeof(path)))) {
		fprintf(stderr, "floor: cannot find floor.bpf.o: %s\n", strerror(-err));
		return 2;
	}

	/* Block the signals before attaching so none is lost between "ready" and sigwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);

	libbpf_set_print(floor_libbpf_print);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		err = -errno;
		fprintf(stderr, "floor: %s: cannot open: %s\n", path, strerror(-err));
		return 2;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "floor: %s: cannot load: %s\n", path, strerror(-err));
		goto out;
	}
	bpf_object__for_each_program(prog, obj) {
		if (nlinks == FLOOR_MAX_LINKS) {
			fprintf(stderr, "floor: %s: more than %d programs\n", path, FLOOR_MAX_LINKS);
			err = -E2BIG;
			goto out;
		}
		links[nlinks] = bpf_program__attach(prog);
		if (!links[nlinks]) {
			err = -errno;
			fprintf(stderr, "floor: program '%s': cannot attach: %s\n",
			        bpf_program__name(prog), strerror(-err));
			goto out;
		}
		nlinks++;
	}

	printf("ready: %d program(s) attached\n", nlinks);
	fflush(stdout);
	sigwait(&set, &sig);
	err = 0;
out:
	for (i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return err ? 2 : 0;
}
