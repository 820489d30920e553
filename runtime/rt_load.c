/* Putting a bundle into the kernel: check what its requires text asks of the running kernel,
 * open the BPF object from memory, size its per-rule counters, load it (turning a verifier
 * rejection into a readable reason), attach every program, and read the per-CPU counters back. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "reason.h"
#include "rt.h"

#define RT_LOG_SIZE (1u << 20) /* verifier log; the kernel keeps its tail when it overflows */
#define RT_LOG_TAIL_LINES 25

struct saker_rt_obj {
	struct bpf_object *obj;
	struct bpf_link **links;
	size_t n_links;
	struct bpf_map *events;
	struct bpf_map *stats;
	struct bpf_map *rule_stats;
	uint32_t n_rules;  /* slots of rule_stats */
	int ncpus;
};

#define say saker_reason

/* ---- requirements ------------------------------------------------------------------------- */

static int parse_version(const char *s, unsigned v[3])
{
	v[0] = v[1] = v[2] = 0;
	int n = sscanf(s, "%u.%u.%u", &v[0], &v[1], &v[2]);
	return n >= 1 ? 0 : -EINVAL;
}

static int cmp_version(const unsigned a[3], const unsigned b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

static const struct {
	const char *name;
	enum bpf_map_type type;
} map_types[] = {
	{ "ringbuf", BPF_MAP_TYPE_RINGBUF },
	{ "array", BPF_MAP_TYPE_ARRAY },
	{ "percpu_array", BPF_MAP_TYPE_PERCPU_ARRAY },
	{ "hash", BPF_MAP_TYPE_HASH },
	{ "percpu_hash", BPF_MAP_TYPE_PERCPU_HASH },
	{ "lru_hash", BPF_MAP_TYPE_LRU_HASH },
	{ "lpm_trie", BPF_MAP_TYPE_LPM_TRIE },
};

static int tracefs_has(const char *event)
{
	static const char *const roots[] = { "/sys/kernel/tracing/events",
					     "/sys/kernel/debug/tracing/events" };
	char path[512];
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", roots[i], event);
		if (access(path, F_OK) == 0)
			return 1;
	}
	return 0;
}

/* One "hook KIND/NAME" line. VMLINUX is loaded on first need. */
static int check_hook(const char *hook, struct btf **vmlinux, char *err, size_t esz)
{
	const char *slash = strchr(hook, '/');
	if (!slash)
		return say(err, esz, -EINVAL, "requires 'hook %s': not KIND/NAME", hook);
	size_t kl = (size_t)(slash - hook);
	const char *name = slash + 1;
	if ((kl == 6 && !strncmp(hook, "tp_btf", 6))) {
		if (!*vmlinux) {
			*vmlinux = btf__load_vmlinux_btf();
			if (!*vmlinux)
				return say(err, esz, -ENOTSUP,
					   "hook %s needs kernel BTF (/sys/kernel/btf/vmlinux), which this kernel lacks",
					   hook);
		}
		char tname[256];
		snprintf(tname, sizeof(tname), "btf_trace_%s", name);
		if (btf__find_by_name_kind(*vmlinux, tname, BTF_KIND_TYPEDEF) < 0)
			return say(err, esz, -ENOTSUP, "hook %s: this kernel has no such tracepoint",
				   hook);
		return 0;
	}
	if ((kl == 6 && !strncmp(hook, "raw_tp", 6)) ||
	    (kl == 14 && !strncmp(hook, "raw_tracepoint", 14)))
		return 0; /* raw tracepoints attach by name; a wrong name fails at attach */
	if ((kl == 10 && !strncmp(hook, "tracepoint", 10)) || (kl == 2 && !strncmp(hook, "tp", 2))) {
		if (!tracefs_has(""))
			return say(err, esz, -ENOTSUP,
				   "hook %s needs tracefs, which is not mounted (mount -t tracefs nodev /sys/kernel/tracing)",
				   hook);
		if (!tracefs_has(name))
			return say(err, esz, -ENOTSUP, "hook %s: this kernel has no such tracepoint",
				   hook);
		return 0;
	}
	return say(err, esz, -ENOTSUP, "requires 'hook %s': this sakerd does not know that kind of hook",
		   hook);
}

int saker_rt_check_requires(const char *requires, char *err, size_t esz)
{
	struct btf *vmlinux = NULL;
	char *copy = strdup(requires ? requires : ""), *save = NULL;
	int ret = 0;

	if (!copy)
		return say(err, esz, -ENOMEM, "out of memory");
	for (char *line = strtok_r(copy, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save)) {
		while (*line == ' ' || *line == '\t')
			line++;
		size_t n = strlen(line);
		while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
			line[--n] = 0;
		if (!n || line[0] == '#')
			continue;
		char *val = strpbrk(line, " \t");
		if (val) {
			*val++ = 0;
			while (*val == ' ' || *val == '\t')
				val++;
		} else {
			val = line + n;
		}

		if (!strcmp(line, "kernel")) {
			struct utsname u;
			unsigned want[3], have[3];
			if (parse_version(val, want) < 0)
				ret = say(err, esz, -EINVAL, "requires 'kernel %s': not a version", val);
			else if (uname(&u) < 0 || parse_version(u.release, have) < 0)
				ret = say(err, esz, -EIO, "cannot read the kernel version");
			else if (cmp_version(have, want) < 0)
				ret = say(err, esz, -ENOTSUP,
					  "this bundle needs kernel %s or newer; this kernel is %s", val,
					  u.release);
		} else if (!strcmp(line, "btf")) {
			if (strcmp(val, "0") && access("/sys/kernel/btf/vmlinux", R_OK) != 0)
				ret = say(err, esz, -ENOTSUP,
					  "this bundle needs kernel BTF (/sys/kernel/btf/vmlinux), which this kernel lacks");
		} else if (!strcmp(line, "hook")) {
			ret = check_hook(val, &vmlinux, err, esz);
		} else if (!strcmp(line, "map")) {
			size_t i;
			int probe;
			for (i = 0; i < sizeof(map_types) / sizeof(map_types[0]); i++)
				if (!strcmp(map_types[i].name, val))
					break;
			if (i == sizeof(map_types) / sizeof(map_types[0]))
				ret = say(err, esz, -ENOTSUP,
					  "requires 'map %s': this sakerd does not know that map type", val);
			else if ((probe = libbpf_probe_bpf_map_type(map_types[i].type, NULL)) != 1 &&
				 geteuid() != 0)
				/* The probe cannot tell "unsupported" from "not allowed"; the
				 * likelier cause for a non-root user is the second. */
				ret = say(err, esz, -EPERM,
					  "permission denied: loading BPF programs needs root (or CAP_BPF and CAP_PERFMON)");
			else if (probe != 1)
				ret = say(err, esz, -ENOTSUP,
					  "this bundle needs BPF maps of type %s, which this kernel does not offer",
					  val);
		} else if (!strcmp(line, "event_version")) {
			char *end;
			unsigned long v = strtoul(val, &end, 10);
			if (end == val || *end || v != SAKER_EVENT_VERSION)
				ret = say(err, esz, -ENOTSUP,
					  "this bundle sends event records of version %s; this sakerd reads version %d",
					  val, SAKER_EVENT_VERSION);
		} else {
			/* An unknown requirement may be one the kernel lacks: refuse rather than guess. */
			ret = say(err, esz, -ENOTSUP,
				  "requires '%s %s', which this sakerd does not know how to check", line,
				  val);
		}
	}
	btf__free(vmlinux);
	free(copy);
	return ret;
}

/* ---- loading ------------------------------------------------------------------------------ */

/* libbpf's own messages: sakerd reports failures itself, with the verifier log, so they are
 * kept out of stderr. */
static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* Appends the last RT_LOG_TAIL_LINES lines of LOG to ERR. */
static void append_log_tail(char *err, size_t esz, const char *log)
{
	size_t n = strlen(log);
	while (n && log[n - 1] == '\n')
		n--;
	size_t start = n;
	int lines = 0;
	while (start > 0 && lines < RT_LOG_TAIL_LINES) {
		start--;
		if (log[start] == '\n')
			lines++;
	}
	if (log[start] == '\n')
		start++;
	size_t used = strlen(err);
	if (used + 32 < esz)
		snprintf(err + used, esz - used, "\nverifier log (last lines):\n%.*s", (int)(n - start),
			 log + start);
}

int saker_rt_obj_load(struct saker_rt_obj **out, const struct saker_bundle *b, uint32_t ring_bytes,
		      char *err, size_t esz)
{
	struct saker_rt_obj *o = NULL;
	char *log = NULL;
	struct bpf_program *prog;
	int ret;

	libbpf_set_print(quiet_print);
	o = calloc(1, sizeof(*o));
	log = calloc(1, RT_LOG_SIZE);
	if (!o || !log) {
		ret = say(err, esz, -ENOMEM, "out of memory");
		goto fail;
	}
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "saker", .kernel_log_buf = log,
		    .kernel_log_size = RT_LOG_SIZE);
	o->obj = bpf_object__open_mem(b->object, b->object_size, &oo);
	if (!o->obj) {
		ret = -errno;
		ret = say(err, esz, ret ? ret : -EINVAL, "the BPF object is not valid: %s",
			  strerror(ret ? -ret : EINVAL));
		goto fail;
	}
	o->events = bpf_object__find_map_by_name(o->obj, SAKER_MAP_EVENTS);
	o->stats = bpf_object__find_map_by_name(o->obj, SAKER_MAP_STATS);
	if (!o->events || bpf_map__type(o->events) != BPF_MAP_TYPE_RINGBUF) {
		ret = say(err, esz, -EINVAL, "the BPF object has no ring buffer map '%s'",
			  SAKER_MAP_EVENTS);
		goto fail;
	}
	if (!o->stats || bpf_map__type(o->stats) != BPF_MAP_TYPE_PERCPU_ARRAY ||
	    bpf_map__value_size(o->stats) != sizeof(uint64_t) ||
	    bpf_map__max_entries(o->stats) < SAKER_STAT__COUNT) {
		ret = say(err, esz, -EINVAL, "the BPF object has no per-CPU counter map '%s'",
			  SAKER_MAP_STATS);
		goto fail;
	}

	/* One counter slot per rule: the object cannot know how many rules its bundle has. */
	o->rule_stats = bpf_object__find_map_by_name(o->obj, SAKER_MAP_RULE_STATS);
	if (!o->rule_stats || bpf_map__type(o->rule_stats) != BPF_MAP_TYPE_PERCPU_ARRAY ||
	    bpf_map__value_size(o->rule_stats) != sizeof(struct saker_rule_stat)) {
		ret = say(err, esz, -EINVAL, "the BPF object has no per-rule counter map '%s'",
			  SAKER_MAP_RULE_STATS);
		goto fail;
	}
	o->n_rules = b->n_rules ? b->n_rules : 1;
	if ((ret = bpf_map__set_max_entries(o->rule_stats, o->n_rules))) {
		ret = say(err, esz, ret, "cannot size the per-rule counters to %u rules: %s", o->n_rules,
			  strerror(-ret));
		goto fail;
	}

	if (ring_bytes && (ret = bpf_map__set_max_entries(o->events, ring_bytes))) {
		ret = say(err, esz, ret, "cannot size the ring buffer to %u bytes: %s", ring_bytes,
			  strerror(-ret));
		goto fail;
	}

	ret = bpf_object__load(o->obj);
	if (ret) {
		/* Programs load in order; the first without an fd is the one refused. */
		const char *pname = NULL, *sec = NULL;
		bpf_object__for_each_program(prog, o->obj) {
			if (bpf_program__autoload(prog) && bpf_program__fd(prog) < 0) {
				pname = bpf_program__name(prog);
				sec = bpf_program__section_name(prog);
				break;
			}
		}
		if (log[0] && pname) {
			say(err, esz, ret, "the kernel verifier rejected program '%s' (%s): %s", pname,
			    sec, strerror(-ret));
			append_log_tail(err, esz, log);
		} else if (ret == -EPERM) {
			say(err, esz, ret, "cannot load the BPF object: permission denied (run as root, or with CAP_BPF and CAP_PERFMON)");
		} else {
			say(err, esz, ret, "cannot load the BPF object: %s", strerror(-ret));
			if (log[0])
				append_log_tail(err, esz, log);
		}
		goto fail;
	}

	size_t n_progs = 0;
	bpf_object__for_each_program(prog, o->obj)
		n_progs++;
	o->links = calloc(n_progs ? n_progs : 1, sizeof(*o->links));
	if (!o->links) {
		ret = say(err, esz, -ENOMEM, "out of memory");
		goto fail;
	}
	bpf_object__for_each_program(prog, o->obj) {
		struct bpf_link *l = bpf_program__attach(prog);
		if (!l) {
			ret = -errno;
			if (!ret)
				ret = -EINVAL;
			const char *sec = bpf_program__section_name(prog);
			say(err, esz, ret, "cannot attach program '%s' (%s): %s%s",
			    bpf_program__name(prog), sec, strerror(-ret),
			    !strncmp(sec, "tracepoint/", 11) || !strncmp(sec, "tp/", 3)
				    ? " (is tracefs mounted at /sys/kernel/tracing?)" : "");
			goto fail;
		}
		o->links[o->n_links++] = l;
	}
	if (!o->n_links) {
		ret = say(err, esz, -EINVAL, "the BPF object has no programs to attach");
		goto fail;
	}
	o->ncpus = libbpf_num_possible_cpus();
	if (o->ncpus <= 0) {
		ret = say(err, esz, -EIO, "cannot count the possible CPUs");
		goto fail;
	}
	free(log);
	*out = o;
	return 0;
fail:
	free(log);
	saker_rt_obj_free(o);
	return ret;
}

void saker_rt_obj_free(struct saker_rt_obj *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n_links; i++)
		bpf_link__destroy(o->links[i]);
	free(o->links);
	bpf_object__close(o->obj);
	free(o);
}

int saker_rt_obj_events_fd(const struct saker_rt_obj *o)
{
	return bpf_map__fd(o->events);
}

int saker_rt_obj_stats(const struct saker_rt_obj *o, uint64_t out[SAKER_STAT__COUNT])
{
	uint64_t *vals = calloc((size_t)o->ncpus, sizeof(uint64_t));
	int ret = 0;
	if (!vals)
		return -ENOMEM;
	for (uint32_t k = 0; k < SAKER_STAT__COUNT; k++) {
		out[k] = 0;
		if (bpf_map__lookup_elem(o->stats, &k, sizeof(k), vals,
					 (size_t)o->ncpus * sizeof(uint64_t), 0)) {
			ret = -errno;
			continue;
		}
		for (int c = 0; c < o->ncpus; c++)
			out[k] += vals[c];
	}
	free(vals);
	return ret;
}

int saker_rt_obj_rule_stats(const struct saker_rt_obj *o, struct saker_rule_stat *out, uint32_t n)
{
	struct saker_rule_stat *vals = calloc((size_t)o->ncpus, sizeof(*vals));
	int ret = 0;
	if (!vals)
		return -ENOMEM;
	if (n > o->n_rules)
		n = o->n_rules;
	for (uint32_t k = 0; k < n; k++) {
		memset(&out[k], 0, sizeof(out[k]));
		if (bpf_map__lookup_elem(o->rule_stats, &k, sizeof(k), vals,
					 (size_t)o->ncpus * sizeof(*vals), 0)) {
			ret = -errno;
			continue;
		}
		for (int c = 0; c < o->ncpus; c++) {
			out[k].matched += vals[c].matched;
			out[k].emitted += vals[c].emitted;
			out[k].lost += vals[c].lost;
		}
	}
	free(vals);
	return ret;
}
