/* Reads the saker_stats counters (include/saker/event.h) of a running sakerd from the kernel,
 * finding the map through the process's own file descriptors so that other saker instances on
 * the machine are never counted. Prints "seen=N matched=N lost=N path_trunc=N". */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "saker/event.h"

/* The map id behind fd FDNAME of PID, from its fdinfo; 0 when the fd is not a BPF map. */
static __u32 stats_fd_map_id(const char *pid, const char *fdname)
{
	char path[320], line[256];
	unsigned int id = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", pid, fdname);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "map_id: %u", &id) == 1)
			break;
	fclose(f);
	return id;
}

/* Sums each counter over the CPUs into TOTALS. */
static int stats_read(int fd, __u64 totals[SAKER_STAT__COUNT])
{
	int ncpu = libbpf_num_possible_cpus(), cpu;
	__u32 key;
	__u64 *vals;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (key = 0; key < SAKER_STAT__COUNT; key++) {
		totals[key] = 0;
		if (bpf_map_lookup_elem(fd, &key, vals)) {
			int err = -errno;
			free(vals);
			return err;
		}
		for (cpu = 0; cpu < ncpu; cpu++)
			totals[key] += vals[cpu];
	}
	free(vals);
	return 0;
}

int main(int argc, char **argv)
{
	char dirpath[64];
	struct dirent *de;
	int found = 0, err = 0;
	DIR *dir;

	if (argc != 2 || argv[1][strspn(argv[1], "0123456789")] != '\0') {
		fprintf(stderr, "usage: sakerstats PID\n");
		return 2;
	}
	snprintf(dirpath, sizeof(dirpath), "/proc/%s/fd", argv[1]);
	dir = opendir(dirpath);
	if (!dir) {
		fprintf(stderr, "sakerstats: %s: %s\n", dirpath, strerror(errno));
		return 2;
	}
	while (!found && (de = readdir(dir))) {
		struct bpf_map_info info;
		__u32 len = sizeof(info), id = stats_fd_map_id(argv[1], de->d_name);
		__u64 totals[SAKER_STAT__COUNT];
		int fd;

		if (!id)
			continue;
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    !strcmp(info.name, SAKER_MAP_STATS) &&
		    info.type == BPF_MAP_TYPE_PERCPU_ARRAY && info.value_size == sizeof(__u64)) {
			found = 1;
			err = stats_read(fd, totals);
			if (!err)
				printf("seen=%llu matched=%llu lost=%llu path_trunc=%llu\n",
				       (unsigned long long)totals[SAKER_STAT_SEEN],
				       (unsigned long long)totals[SAKER_STAT_MATCHED],
				       (unsigned long long)totals[SAKER_STAT_LOST],
				       (unsigned long long)totals[SAKER_STAT_PATH_TRUNC]);
		}
		close(fd);
	}
	closedir(dir);
	if (!found) {
		fprintf(stderr, "sakerstats: pid %s holds no '%s' map\n", argv[1], SAKER_MAP_STATS);
		return 1;
	}
	if (err) {
		fprintf(stderr, "sakerstats: cannot read '%s': %s\n", SAKER_MAP_STATS, strerror(-err));
		return 1;
	}
	return 0;
}
