/* Putting a bundle into the kernel: check what its requires text asks of the running kernel,
 * open the BPF object from memory, size its per-rule counters, load it (turning a verifier
 * rejection into a readable reason), attach every program, and read the per-CPU counters back. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "reason.h"
#include "rt.h"
#include "rt_config.h"

#define RT_LOG_SIZE (1u << 20) /* verifier log; the kernel keeps its tail when it overflows */
#define RT_LOG_TAIL_LINES 25

struct saker_rt_obj {
	struct bpf_object *obj;
	struct bpf_link **links;   /* without a hook map: one per program */
	size_t n_links;
	struct bpf_map *events;
	struct bpf_map *stats;
	struct bpf_map *progs;     /* SAKER_MAP_PROGS, or NULL in an object without hook maps */
	struct bpf_map *hook_map[SAKER_HOOK__COUNT];     /* each hook's own map (event.h) */
	struct bpf_program *body[SAKER_HOOK__COUNT];     /* NULL: this object lacks the hook */
	struct bpf_program *dispatch[SAKER_HOOK__COUNT];
	struct bpf_link *hook_link[SAKER_HOOK__COUNT];   /* attached dispatchers, owned */
	struct bpf_map *rule_stats;
	struct bpf_map *procs;     /* SAKER_MAP_PROCS, the process table, or NULL */
	struct bpf_map *marks;     /* SAKER_MAP_MARKS, the threads' marks, or NULL */
	uint32_t n_rules;  /* slots of rule_stats */
	struct bpf_map *actions;   /* SAKER_MAP_RULE_ACTIONS, NULL in an object without one */
	struct bpf_map *enforce;   /* SAKER_MAP_ENFORCE */
	struct bpf_map *watch;       /* SAKER_MAP_WATCH, or NULL when no rule looks at opens */
	char **watch_paths;          /* the bundle's watched paths, by id */
	struct saker_watch_key *watch_keys; /* the file each names now */
	bool *watch_have;            /* ... when it names one */
	size_t n_watch;
	int ncpus;
	bool lsm;                    /* the LSM back end's hook loaded (docs/kernel.md, "Back ends") */
	char backend_note[300];      /* why the LSM back end is not in use, or "" */
};

static const char *const hook_names[SAKER_HOOK__COUNT] = {
#define HOOK_NAME(slot, name, map) [slot] = #name,
	SAKER_HOOKS(HOOK_NAME)
#undef HOOK_NAME
};

static const char *const hook_maps[SAKER_HOOK__COUNT] = {
#define HOOK_MAP(slot, name, map) [slot] = map,
	SAKER_HOOKS(HOOK_MAP)
#undef HOOK_MAP
};

#define say saker_reason

/* ---- the process table -------------------------------------------------------------------- */

/* The entry of process PID from /proc (its cmdline and start time), as the kernel makes them at
 * exec (include/saker/event.h). Returns 0, or -1 for a process gone or without arguments (a
 * kernel thread). */
static int proc_entry(const char *pid, struct saker_proc_entry *e)
{
	char path[300], stat[1024];
	ssize_t n;
	int fd;

	memset(e, 0, sizeof(*e));
	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, e->args, SAKER_ARGS_MAX - 1);
	close(fd);
	if (n <= 0)
		return -1;
	/* as the kernel reads the arg area: the last NUL is the end, a cut area has none */
	if (n < SAKER_ARGS_MAX - 1 && e->args[n - 1] == 0)
		n--;
	e->args[n] = 0;
	e->len = (uint32_t)n;
	e->e0 = (uint16_t)strnlen(e->args, (size_t)n);
	for (ssize_t i = e->e0 + 1; i < n; i++)
		if (!e->args[i])
			e->args[i] = ' ';
	/* field 22, the start in clock ticks since boot, after the ')' that ends the name */
	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	stat[n] = 0;
	const char *p = strrchr(stat, ')');
	unsigned long long start = 0;
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			  "%*d %*d %llu", &start) != 1)
		return -1;
	/* USER_HZ is 100 wherever /proc counts in ticks: the kernel compares at that grain */
	e->start_ns = start * SAKER_PROC_TICK_NS;
	e->src = SAKER_PROC_SRC_PROC;
	return 0;
}

/* The processes that exec'd before sakerd: the kernel fills the table at each exec only. */
static void fill_procs(struct bpf_map *m)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	struct saker_proc_entry e;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]) || proc_entry(de->d_name, &e))
			continue;
		uint32_t key = (uint32_t)strtoul(de->d_name, NULL, 10);
		bpf_map__update_elem(m, &key, sizeof(key), &e, sizeof(e), BPF_NOEXIST);
	}
	closedir(d);
}

const char *saker_rt_strerror(int err)
{
	static __thread char buf[160];
	if (err < 0)
		err = -err;
	if (err >= __LIBBPF_ERRNO__START && err < __LIBBPF_ERRNO__END) {
		/* libbpf's words, and what each means for whoever reads sakerd's log */
		static const char *const more[] = {
			[LIBBPF_ERRNO__LIBELF - __LIBBPF_ERRNO__START] = "libelf failed on the BPF object",
			[LIBBPF_ERRNO__FORMAT - __LIBBPF_ERRNO__START] = "the BPF object's format is not valid",
			[LIBBPF_ERRNO__KVERSION - __LIBBPF_ERRNO__START] = "the BPF object's kernel version section is wrong",
			[LIBBPF_ERRNO__ENDIAN - __LIBBPF_ERRNO__START] = "the BPF object was built for the other byte order",
			[LIBBPF_ERRNO__INTERNAL - __LIBBPF_ERRNO__START] = "internal error in libbpf",
			[LIBBPF_ERRNO__RELOC - __LIBBPF_ERRNO__START] = "a relocation failed (a kernel type or field the object reads is not in this kernel's BTF)",
			[LIBBPF_ERRNO__LOAD - __LIBBPF_ERRNO__START] = "the kernel refused to load a program",
			[LIBBPF_ERRNO__VERIFY - __LIBBPF_ERRNO__START] = "the kernel verifier rejected a program",
			[LIBBPF_ERRNO__PROG2BIG - __LIBBPF_ERRNO__START] = "a program is too big for this kernel",
			[LIBBPF_ERRNO__KVER - __LIBBPF_ERRNO__START] = "the program's kernel version does not match this kernel",
			[LIBBPF_ERRNO__PROGTYPE - __LIBBPF_ERRNO__START] = "this kernel does not support the program's type",
			[LIBBPF_ERRNO__WRNGPID - __LIBBPF_ERRNO__START] = "wrong pid in a netlink message",
			[LIBBPF_ERRNO__INVSEQ - __LIBBPF_ERRNO__START] = "invalid netlink sequence",
			[LIBBPF_ERRNO__NLPARSE - __LIBBPF_ERRNO__START] = "cannot parse a netlink message",
		};
		unsigned i = (unsigned)(err - __LIBBPF_ERRNO__START);
		if (i < sizeof(more) / sizeof(more[0]) && more[i])
			snprintf(buf, sizeof(buf), "%s (libbpf error %d)", more[i], err);
		else if (libbpf_strerror(err, buf, sizeof(buf)))
			snprintf(buf, sizeof(buf), "libbpf error %d", err);
		return buf;
	}
	return strerror(err);
}

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
	{ "prog_array", BPF_MAP_TYPE_PROG_ARRAY },
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

/* Whether this kernel's BTF names tracepoint TP (VMLINUX loaded on first need); without BTF,
 * no. */
static bool kernel_has_tp(const char *tp, struct btf **vmlinux)
{
	char tname[256];
	if (!*vmlinux)
		*vmlinux = btf__load_vmlinux_btf();
	if (!*vmlinux)
		return false;
	snprintf(tname, sizeof(tname), "btf_trace_%s", tp);
	return btf__find_by_name_kind(*vmlinux, tname, BTF_KIND_TYPEDEF) >= 0;
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
		if (kernel_has_tp(name, vmlinux))
			return 0;
		if (!*vmlinux)
			return say(err, esz, -ENOTSUP,
				   "hook %s needs kernel BTF (/sys/kernel/btf/vmlinux), which this kernel lacks",
				   hook);
		return say(err, esz, -ENOTSUP, "hook %s: this kernel has no such tracepoint", hook);
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
		} else if (!strcmp(line, "watch")) {
			/* a path whose file the kernel side looks up (file identity): sakerd
			 * resolves it when it loads the object */
			if (val[0] != '/')
				ret = say(err, esz, -EINVAL, "requires 'watch %s': not an absolute path",
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

/* Finds the hook map and each hook's dispatcher and body; an object with the map must have
 * both programs of every hook it has, and nothing else. */
static int find_hooks(struct saker_rt_obj *o, char *err, size_t esz)
{
	struct bpf_program *prog;
	o->progs = bpf_object__find_map_by_name(o->obj, SAKER_MAP_PROGS);
	if (!o->progs)
		return 0;
	/* An object of an earlier saker has the hooks of its time, and maps sized to them: each
	 * hook's slot is its own, and the same in every version. */
	if (bpf_map__type(o->progs) != BPF_MAP_TYPE_PROG_ARRAY ||
	    bpf_map__max_entries(o->progs) <= SAKER_HOOK_SYS_EXIT ||
	    bpf_map__max_entries(o->progs) > SAKER_HOOK__COUNT)
		return say(err, esz, -EINVAL,
			   "the BPF object's map '%s' is not the hook map this sakerd knows (%d slots)",
			   SAKER_MAP_PROGS, SAKER_HOOK__COUNT);
	bpf_object__for_each_program(prog, o->obj) {
		const char *name = bpf_program__name(prog);
		size_t n = strlen(name), sl = strlen(SAKER_HOOK_BODY_SUFFIX);
		bool body = n > sl && !strcmp(name + n - sl, SAKER_HOOK_BODY_SUFFIX);
		int h;
		for (h = 0; h < SAKER_HOOK__COUNT; h++) {
			size_t hl = strlen(hook_names[h]);
			if (n == hl + (body ? sl : 0) && !strncmp(name, hook_names[h], hl))
				break;
		}
		if (h == SAKER_HOOK__COUNT)
			return say(err, esz, -EINVAL,
				   "the BPF object has a program '%s' for a hook this sakerd does not know",
				   name);
		if (body) {
			o->body[h] = prog;
			bpf_program__set_autoattach(prog, false);
		} else {
			o->dispatch[h] = prog;
		}
	}
	for (int h = 0; h < SAKER_HOOK__COUNT; h++) {
		if (!o->body[h] != !o->dispatch[h])
			return say(err, esz, -EINVAL, "the BPF object's hook '%s' lacks its %s",
				   hook_names[h], o->body[h] ? "dispatcher" : "body");
		if (!o->body[h])
			continue;
		o->hook_map[h] = bpf_object__find_map_by_name(o->obj, hook_maps[h]);
		if (!o->hook_map[h] || bpf_map__type(o->hook_map[h]) != BPF_MAP_TYPE_PROG_ARRAY ||
		    bpf_map__max_entries(o->hook_map[h]) <= (uint32_t)h ||
		    bpf_map__max_entries(o->hook_map[h]) > SAKER_HOOK__COUNT)
			return say(err, esz, -EINVAL,
				   "the BPF object's hook '%s' has no hook map '%s' with its slot %d",
				   hook_names[h], hook_maps[h], h);
	}
	return 0;
}

static int watch_load(struct saker_rt_obj *o, const char *requires, char *err, size_t esz);

/* The hooks of SAKER_HOOK_IF_KERNEL_HAS whose tracepoint this kernel lacks: their programs
 * stay out (each program's section is tp_btf/ and the tracepoint). */
static void skip_absent_tps(struct bpf_object *obj)
{
	struct btf *vmlinux = NULL;
	struct bpf_program *p;
	bpf_object__for_each_program(p, obj) {
		const char *sec = bpf_program__section_name(p);
		for (int h = 0; h < SAKER_HOOK__COUNT; h++) {
			const char *tp = SAKER_HOOK_IF_KERNEL_HAS(h);
			if (tp && !strncmp(sec, "tp_btf/", 7) && !strcmp(sec + 7, tp) &&
			    !kernel_has_tp(tp, &vmlinux))
				bpf_program__set_autoload(p, false);
		}
	}
	btf__free(vmlinux);
}

void saker_rt_skip_lsm(struct bpf_object *obj)
{
	struct bpf_program *p;
	bpf_object__for_each_program(p, obj) {
		const char *sec = bpf_program__section_name(p);
		if (!strncmp(sec, "lsm/", 4) || !strncmp(sec, "fexit/", 6))
			bpf_program__set_autoload(p, false);
	}
	skip_absent_tps(obj);
}

bool saker_rt_lsm_usable(char *why, size_t wsz)
{
	char buf[512];
	/* SAKER_LSM_LIST: another file to read the list from, for tests of the fallback below */
	const char *list = getenv("SAKER_LSM_LIST");
	if (!list || !*list)
		list = "/sys/kernel/security/lsm";
	int fd = open(list, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n < 0) {
		snprintf(why, wsz, "%s cannot be read (%s; is securityfs mounted?)", list, strerror(errno));
		return false;
	}
	buf[n] = 0;
	/* a comma-separated list; an LSM program attaches where "bpf" is missing, but never runs */
	for (char *save = NULL, *t = strtok_r(buf, ",\n", &save); t; t = strtok_r(NULL, ",\n", &save))
		if (!strcmp(t, "bpf"))
			return true;
	snprintf(why, wsz, "the kernel's active LSMs (%s: %.200s) do not include bpf", list, buf);
	return false;
}

/* SAKER_DEBUG_VERIFIER (docs/kernel.md, "Load time"), for work on the templates: "1" prints
 * the verifier's statistics of each program on stderr (its instructions and states, its time);
 * "PROG=FILE" writes PROG's whole log (every instruction it verified) to FILE instead. */
struct vdebug {
	size_t n;
	struct bpf_program **prog;
	char **buf;
	const char *full, *file;
};

#define VDEBUG_STATS (64u << 10)
#define VDEBUG_FULL  (512u << 20) /* the kernel takes at most 1 GiB less a byte */

static void vdebug_arm(struct vdebug *d, struct bpf_object *obj)
{
	const char *v = getenv("SAKER_DEBUG_VERIFIER"), *eq;
	struct bpf_program *prog;
	size_t n = 0;

	memset(d, 0, sizeof(*d));
	if (!v || !*v)
		return;
	eq = strchr(v, '=');
	if (eq) {
		d->full = strndup(v, (size_t)(eq - v));
		d->file = eq + 1;
	}
	bpf_object__for_each_program(prog, obj)
		n++;
	d->prog = calloc(n ? n : 1, sizeof(*d->prog));
	d->buf = calloc(n ? n : 1, sizeof(*d->buf));
	if (!d->prog || !d->buf)
		return;
	bpf_object__for_each_program(prog, obj) {
		bool full = d->full && !strcmp(d->full, bpf_program__name(prog));
		size_t size = full ? VDEBUG_FULL : VDEBUG_STATS;

		if (!bpf_program__autoload(prog) || (d->full && !full))
			continue;
		d->buf[d->n] = calloc(1, size);
		if (!d->buf[d->n]) {
			fprintf(stderr, "sakerd: verifier: no memory for %s's log (%zu bytes)\n",
				bpf_program__name(prog), size);
			continue;
		}
		bpf_program__set_log_buf(prog, d->buf[d->n], size);
		bpf_program__set_log_level(prog, full ? 2 : 4);
		d->prog[d->n++] = prog;
	}
	if (d->full && !d->n)
		fprintf(stderr, "sakerd: verifier: SAKER_DEBUG_VERIFIER names no program of this object that loads: '%s'\n",
			d->full);
}

static void vdebug_report(struct vdebug *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const char *name = bpf_program__name(d->prog[i]);
		char *log = d->buf[i];

		if (d->full) {
			FILE *f = fopen(d->file, "w");
			if (!f || fputs(log, f) < 0 || fclose(f))
				fprintf(stderr, "sakerd: verifier: cannot write %s's log to %s\n", name,
					d->file);
			else
				fprintf(stderr, "sakerd: verifier: %s's log is in %s\n", name, d->file);
		} else {
			char *save = NULL, *line = strtok_r(log, "\n", &save);

			fprintf(stderr, "sakerd: verifier: %s (%s):", name,
				bpf_program__section_name(d->prog[i]));
			for (const char *sep = " "; line; line = strtok_r(NULL, "\n", &save), sep = "; ")
				fprintf(stderr, "%s%s", sep, line);
			fputc('\n', stderr);
		}
		bpf_program__set_log_buf(d->prog[i], NULL, 0);
		free(log);
	}
	free(d->prog);
	free(d->buf);
	free((char *)d->full);
}

static int obj_load(struct saker_rt_obj **out, const struct saker_bundle *b, uint32_t ring_bytes,
		    const struct saker_rt_obj *prev, bool lsm, char *err, size_t esz);

int saker_rt_obj_load(struct saker_rt_obj **out, const struct saker_bundle *b, uint32_t ring_bytes,
		      const struct saker_rt_obj *prev, int want, char *err,
		      size_t esz)
{
	char why[300] = "";
	bool lsm;
	int ret;

	/* The back end stays what it was for the life of sakerd: the dispatchers are attached
	 * once, and a replacement shares their hook maps. */
	if (prev)
		lsm = prev->lsm, snprintf(why, sizeof(why), "%s", prev->backend_note);
	else if (want == SAKER_RT_BACKEND_TRACEPOINT)
		lsm = false, snprintf(why, sizeof(why), "--backend tracepoint");
	else
		lsm = saker_rt_lsm_usable(why, sizeof(why));
	if (!lsm && want == SAKER_RT_BACKEND_LSM && !prev)
		return say(err, esz, -EOPNOTSUPP, "--backend lsm: this kernel cannot run it: %s", why);
	ret = obj_load(out, b, ring_bytes, prev, lsm, err, esz);
	if (ret && lsm && want == SAKER_RT_BACKEND_AUTO && !prev) {
		/* the LSM programs are the likeliest to be refused (a kernel without the helpers,
		 * a sandbox that refuses LSM programs): the tracepoints alone, then */
		snprintf(why, sizeof(why), "%.280s", err);
		char *nl = strchr(why, '\n');
		if (nl)
			*nl = 0;
		ret = obj_load(out, b, ring_bytes, prev, false, err, esz);
	}
	if (!ret && !(*out)->lsm)
		snprintf((*out)->backend_note, sizeof((*out)->backend_note), "%s", why);
	return ret;
}

bool saker_rt_obj_lsm(const struct saker_rt_obj *o)
{
	return o->lsm;
}

const char *saker_rt_obj_backend_note(const struct saker_rt_obj *o)
{
	return o->backend_note;
}

static int obj_load(struct saker_rt_obj **out, const struct saker_bundle *b, uint32_t ring_bytes,
		    const struct saker_rt_obj *prev, bool lsm, char *err, size_t esz)
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
			  saker_rt_strerror(ret ? -ret : EINVAL));
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

	ret = find_hooks(o, err, esz);
	if (ret)
		goto fail;
	/* The optional hooks load only where they run, and those on a tracepoint this kernel lacks
	 * not at all: elsewhere their programs stay out, and the hook is not there. */
	skip_absent_tps(o->obj);
	bool deny = false;
	for (uint32_t r = 0; r < b->n_rules; r++)
		deny |= b->rules[r].action == SAKER_ACTION_DENY;
	/* An unused hook keeps its map (hook_map[h]): a later bundle that uses the hook shares it,
	 * and attaches the dispatcher then. */
	for (int h = 0; h < SAKER_HOOK__COUNT; h++) {
		if (!o->body[h])
			continue;
		bool unused = (SAKER_HOOK_OPTIONAL(h) && !lsm) || (SAKER_HOOK_DENY_ONLY(h) && !deny);
		bool absent = !bpf_program__autoload(o->body[h]) ||
			      !bpf_program__autoload(o->dispatch[h]);
		if (!unused && !absent)
			continue;
		bpf_program__set_autoload(o->body[h], false);
		bpf_program__set_autoload(o->dispatch[h], false);
		o->body[h] = o->dispatch[h] = NULL;
	}
	o->lsm = lsm && o->body[SAKER_HOOK_LSM_OPEN];
	/* The replacement shares the hook maps: the attached dispatchers read them. */
	for (int h = 0; prev && h < SAKER_HOOK__COUNT; h++) {
		if (!prev->hook_map[h] || !o->hook_map[h])
			continue;
		if ((ret = bpf_map__reuse_fd(o->hook_map[h], bpf_map__fd(prev->hook_map[h])))) {
			ret = say(err, esz, ret, "cannot share the hook map '%s': %s", hook_maps[h],
				  saker_rt_strerror(-ret));
			goto fail;
		}
	}
	/* The process table goes on from one bundle to the next. */
	o->procs = bpf_object__find_map_by_name(o->obj, SAKER_MAP_PROCS);
	if (o->procs && (bpf_map__type(o->procs) != BPF_MAP_TYPE_LRU_HASH ||
			 bpf_map__value_size(o->procs) != sizeof(struct saker_proc_entry)))
		o->procs = NULL;
	if (prev && prev->procs && o->procs &&
	    (ret = bpf_map__reuse_fd(o->procs, bpf_map__fd(prev->procs)))) {
		ret = say(err, esz, ret, "cannot share the process table: %s", strerror(-ret));
		goto fail;
	}
	/* So do the threads' marks: an exec between the two bundles' hooks is still reported. */
	o->marks = bpf_object__find_map_by_name(o->obj, SAKER_MAP_MARKS);
	if (o->marks && (bpf_map__type(o->marks) != BPF_MAP_TYPE_TASK_STORAGE ||
			 bpf_map__value_size(o->marks) != sizeof(uint32_t)))
		o->marks = NULL;
	if (prev && prev->marks && o->marks &&
	    (ret = bpf_map__reuse_fd(o->marks, bpf_map__fd(prev->marks)))) {
		ret = say(err, esz, ret, "cannot share the threads' marks: %s", strerror(-ret));
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
			  saker_rt_strerror(-ret));
		goto fail;
	}

	/* Enforcement: one action slot per rule too. Objects from before enforcement have none:
	 * they hold no rule that acts (the bundle decoder refuses actions it cannot run). */
	o->actions = bpf_object__find_map_by_name(o->obj, SAKER_MAP_RULE_ACTIONS);
	o->enforce = bpf_object__find_map_by_name(o->obj, SAKER_MAP_ENFORCE);
	if (o->actions && (bpf_map__type(o->actions) != BPF_MAP_TYPE_ARRAY ||
			   bpf_map__value_size(o->actions) != sizeof(struct saker_rule_action) ||
			   !o->enforce ||
			   bpf_map__value_size(o->enforce) != sizeof(struct saker_enforce))) {
		ret = say(err, esz, -EINVAL, "the BPF object's enforcement maps '%s' and '%s' are not what this sakerd expects",
			  SAKER_MAP_RULE_ACTIONS, SAKER_MAP_ENFORCE);
		goto fail;
	}
	if (o->actions && (ret = bpf_map__set_max_entries(o->actions, o->n_rules))) {
		ret = say(err, esz, ret, "cannot size the per-rule actions to %u rules: %s", o->n_rules,
			  strerror(-ret));
		goto fail;
	}

	if (ring_bytes && (ret = bpf_map__set_max_entries(o->events, ring_bytes))) {
		ret = say(err, esz, ret, "cannot size the ring buffer to %u bytes: %s", ring_bytes,
			  saker_rt_strerror(-ret));
		goto fail;
	}

	struct vdebug vd;
	vdebug_arm(&vd, o->obj);
	ret = bpf_object__load(o->obj);
	vdebug_report(&vd);
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
			    sec, saker_rt_strerror(-ret));
			append_log_tail(err, esz, log);
		} else if (pname && (!strncmp(sec, "lsm/", 4) || !strncmp(sec, "fexit/", 6))) {
			/* a kernel that lists bpf among its LSMs can still refuse LSM programs (a
			 * sandbox): auto falls back to the tracepoints on this */
			say(err, esz, ret, "the kernel refused program '%s' (%s): %s", pname, sec,
			    saker_rt_strerror(-ret));
		} else if (ret == -EPERM) {
			say(err, esz, ret, "cannot load the BPF object: permission denied (run as root, or with CAP_BPF and CAP_PERFMON)");
		} else {
			say(err, esz, ret, "cannot load the BPF object: %s", saker_rt_strerror(-ret));
			if (log[0])
				append_log_tail(err, esz, log);
		}
		goto fail;
	}

	if (o->procs && !(prev && prev->procs))
		fill_procs(o->procs);
	ret = watch_load(o, b->requires, err, esz);
	if (ret)
		goto fail;
	if (!o->progs) {
		/* an object without a hook map: every program attaches at once (no seamless reload) */
		size_t n_progs = 0;
		bpf_object__for_each_program(prog, o->obj)
			n_progs++;
		if (!n_progs) {
			ret = say(err, esz, -EINVAL, "the BPF object has no programs to attach");
			goto fail;
		}
		o->links = calloc(n_progs, sizeof(*o->links));
		if (!o->links) {
			ret = say(err, esz, -ENOMEM, "out of memory");
			goto fail;
		}
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

/* ---- file identity ------------------------------------------------------------------------ */

/* The file PATH names now, as the kernel numbers it; false when there is none. */
static bool watch_key(const char *path, struct saker_watch_key *k)
{
	struct stat st;
	memset(k, 0, sizeof(*k));
	if (stat(path, &st) != 0)
		return false;
	k->ino = st.st_ino;
	k->dev = (uint32_t)(major(st.st_dev) << 20 | minor(st.st_dev));
	return true;
}

/* Puts every watched path's file into the map, the first id of a file winning. */
static void watch_put(struct saker_rt_obj *o)
{
	for (size_t i = 0; i < o->n_watch; i++) {
		int32_t id = (int32_t)i;
		if (o->watch_have[i])
			bpf_map__update_elem(o->watch, &o->watch_keys[i], sizeof(o->watch_keys[i]), &id,
					     sizeof(id), BPF_NOEXIST);
	}
}

/* The watched paths of REQUIRES ("watch PATH" lines, in id order), resolved into O's map. */
static int watch_load(struct saker_rt_obj *o, const char *requires, char *err, size_t esz)
{
	o->watch = bpf_object__find_map_by_name(o->obj, SAKER_MAP_WATCH);
	for (const char *p = requires ? requires : ""; *p;) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > 6 && !strncmp(p, "watch ", 6)) {
			char **np = realloc(o->watch_paths, (o->n_watch + 1) * sizeof(*np));
			if (!np)
				return say(err, esz, -ENOMEM, "out of memory");
			o->watch_paths = np;
			if (!(np[o->n_watch] = strndup(p + 6, n - 6)))
				return say(err, esz, -ENOMEM, "out of memory");
			o->n_watch++;
		}
		p += n + (end ? 1 : 0);
	}
	if (!o->n_watch)
		return 0;
	o->watch_keys = calloc(o->n_watch, sizeof(*o->watch_keys));
	o->watch_have = calloc(o->n_watch, sizeof(*o->watch_have));
	if (!o->watch_keys || !o->watch_have)
		return say(err, esz, -ENOMEM, "out of memory");
	if (!o->watch)
		return 0; /* no rule looks at the opened files: nothing to look up */
	for (size_t i = 0; i < o->n_watch; i++)
		o->watch_have[i] = watch_key(o->watch_paths[i], &o->watch_keys[i]);
	watch_put(o);
	return 0;
}

bool saker_rt_obj_watch_refresh(struct saker_rt_obj *o)
{
	bool changed = false;
	struct saker_watch_key k;
	if (!o || !o->watch || !o->n_watch)
		return false;
	for (size_t i = 0; i < o->n_watch && !changed; i++) {
		bool have = watch_key(o->watch_paths[i], &k);
		changed = have != o->watch_have[i] ||
			  (have && memcmp(&k, &o->watch_keys[i], sizeof(k)));
	}
	if (!changed)
		return false;
	/* a path now names another file (replaced, renamed, created, removed): the new ones go
	 * in before the old ones leave, so a file still watched is never out of the map */
	struct saker_watch_key *old = malloc(o->n_watch * sizeof(*old));
	bool *had = malloc(o->n_watch * sizeof(*had));
	if (!old || !had) {
		free(old);
		free(had);
		return false;
	}
	memcpy(old, o->watch_keys, o->n_watch * sizeof(*old));
	memcpy(had, o->watch_have, o->n_watch * sizeof(*had));
	for (size_t i = 0; i < o->n_watch; i++)
		o->watch_have[i] = watch_key(o->watch_paths[i], &o->watch_keys[i]);
	watch_put(o);
	for (size_t i = 0; i < o->n_watch; i++) {
		bool still = false;
		if (!had[i])
			continue;
		for (size_t j = 0; j < o->n_watch && !still; j++)
			still = o->watch_have[j] && !memcmp(&old[i], &o->watch_keys[j], sizeof(old[i]));
		if (!still)
			bpf_map__delete_elem(o->watch, &old[i], sizeof(old[i]), 0);
	}
	free(old);
	free(had);
	return true;
}

static int attach_error(struct bpf_program *prog, char *err, size_t esz)
{
	int ret = -errno;
	if (!ret)
		ret = -EINVAL;
	const char *sec = bpf_program__section_name(prog);
	return say(err, esz, ret, "cannot attach program '%s' (%s): %s%s", bpf_program__name(prog),
		   sec, saker_rt_strerror(-ret),
		   !strncmp(sec, "tracepoint/", 11) || !strncmp(sec, "tp/", 3)
			   ? " (is tracefs mounted at /sys/kernel/tracing?)" : "");
}

int saker_rt_obj_start(struct saker_rt_obj *o, struct saker_rt_obj *prev, char *err, size_t esz)
{
	struct bpf_program *prog;
	int ret;

	if (!o->progs) {
		bpf_object__for_each_program(prog, o->obj) {
			struct bpf_link *l = bpf_program__attach(prog);
			if (!l)
				return attach_error(prog, err, esz);
			o->links[o->n_links++] = l;
		}
		return 0;
	}
	bool any = false;
	for (int h = 0; h < SAKER_HOOK__COUNT; h++)
		any |= o->body[h] != NULL;
	if (!any)
		return say(err, esz, -EINVAL, "the BPF object has no programs to attach");
	/* Hooks nobody attached yet get O's dispatcher first: its slot holds nothing or O's body,
	 * so it runs nothing old. */
	struct bpf_link *fresh[SAKER_HOOK__COUNT] = { 0 };
	for (int h = 0; h < SAKER_HOOK__COUNT; h++) {
		if (!o->dispatch[h] || o->hook_link[h] || (prev && prev->hook_link[h]))
			continue;
		fresh[h] = bpf_program__attach(o->dispatch[h]);
		if (!fresh[h]) {
			ret = attach_error(o->dispatch[h], err, esz);
			for (int k = 0; k < h; k++)
				bpf_link__destroy(fresh[k]);
			return ret;
		}
	}
	/* The switch: from the next event on, each hook runs O's body. The last slot goes first:
	 * the hooks that mark a thread for its sys_exit (the exec hook, the LSM ones) come after
	 * SAKER_HOOK_SYS_EXIT, so a new sys_exit body never runs while the old marking one does.
	 * A failed update puts PREV's bodies back, so PREV keeps running as it was. */
	int h;
	for (h = SAKER_HOOK__COUNT - 1; h >= 0; h--) {
		int fd = o->body[h] ? bpf_program__fd(o->body[h]) : -1;
		uint32_t slot = (uint32_t)h;
		if (fd >= 0 &&
		    bpf_map__update_elem(o->hook_map[h], &slot, sizeof(slot), &fd, sizeof(fd), BPF_ANY))
			break;
	}
	if (h >= 0) {
		ret = -errno;
		say(err, esz, ret, "cannot install the program of hook '%s': %s", hook_names[h],
		    saker_rt_strerror(-ret));
		for (uint32_t k = (uint32_t)h + 1; k < SAKER_HOOK__COUNT; k++) {
			int fd = prev && prev->body[k] ? bpf_program__fd(prev->body[k]) : -1;
			if (!o->hook_map[k])
				continue;
			if (fd >= 0)
				bpf_map__update_elem(o->hook_map[k], &k, sizeof(k), &fd, sizeof(fd),
						     BPF_ANY);
			else
				bpf_map__delete_elem(o->hook_map[k], &k, sizeof(k), 0);
		}
		for (int k = 0; k < SAKER_HOOK__COUNT; k++)
			bpf_link__destroy(fresh[k]);
		return ret;
	}
	for (h = 0; h < SAKER_HOOK__COUNT; h++) {
		uint32_t slot = (uint32_t)h;
		if (!o->body[h] && prev && prev->hook_link[h] && prev->hook_map[h])
			/* a hook the new bundle lacks: its dispatcher then finds an empty slot */
			bpf_map__delete_elem(prev->hook_map[h], &slot, sizeof(slot), 0);
		if (fresh[h]) {
			o->hook_link[h] = fresh[h];
		} else if (prev && prev->hook_link[h]) {
			o->hook_link[h] = prev->hook_link[h];
			prev->hook_link[h] = NULL;
		}
	}
	return 0;
}

bool saker_rt_obj_attached(const struct saker_rt_obj *o)
{
	if (!o->progs)
		return o->n_links > 0;
	for (int h = 0; h < SAKER_HOOK__COUNT; h++) {
		if (!o->body[h])
			continue;
		struct bpf_link_info info;
		uint32_t len = sizeof(info);
		memset(&info, 0, sizeof(info));
		/* a link someone detached (bpftool link detach) reports no program */
		if (!o->hook_link[h] ||
		    bpf_obj_get_info_by_fd(bpf_link__fd(o->hook_link[h]), &info, &len) ||
		    info.prog_id == 0)
			return false;
	}
	return true;
}

size_t saker_rt_obj_progs(const struct saker_rt_obj *o, struct saker_rt_prog_info *out, size_t max)
{
	struct bpf_program *prog;
	size_t n = 0;
	bpf_object__for_each_program(prog, o->obj) {
		if (n < max) {
			struct bpf_prog_info info;
			uint32_t len = sizeof(info);
			memset(&info, 0, sizeof(info));
			memset(&out[n], 0, sizeof(out[n]));
			snprintf(out[n].name, sizeof(out[n].name), "%s", bpf_program__name(prog));
			if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) == 0) {
				out[n].run_cnt = info.run_cnt;
				out[n].run_time_ns = info.run_time_ns;
			}
		}
		n++;
	}
	return n;
}

void saker_rt_obj_free(struct saker_rt_obj *o)
{
	if (!o)
		return;
	for (int h = 0; h < SAKER_HOOK__COUNT; h++)
		bpf_link__destroy(o->hook_link[h]);
	for (size_t i = 0; i < o->n_links; i++)
		bpf_link__destroy(o->links[i]);
	free(o->links);
	for (size_t i = 0; i < o->n_watch; i++)
		free(o->watch_paths[i]);
	free(o->watch_paths);
	free(o->watch_keys);
	free(o->watch_have);
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

int saker_rt_obj_set_actions(struct saker_rt_obj *o, const uint8_t *actions, uint32_t n, char *err,
			     size_t esz)
{
	bool any = false;
	for (uint32_t k = 0; k < n; k++)
		any |= actions[k] != SAKER_ACTION_ALERT;
	if (any && !o->actions)
		return say(err, esz, -EINVAL, "the BPF object cannot enforce (it has no map '%s')",
			   SAKER_MAP_RULE_ACTIONS);
	if (!o->enforce)
		return 0;
	/* who is never acted on: this process, by its pid namespace and its pid there; and
	 * which hooks run (the tracepoints leave to the LSM hook the opens it took) */
	struct stat st;
	if (stat("/proc/self/ns/pid", &st))
		return say(err, esz, -errno, "cannot read this process's pid namespace (/proc/self/ns/pid): %s",
			   strerror(errno));
	struct saker_enforce self = { .self_pidns = st.st_ino, .self_vpid = (__u32)getpid(),
				      .backend = o->lsm ? SAKER_BACKEND_LSM : 0 };
	for (uint32_t k = 0; o->lsm && k < n; k++)
		if (actions[k] == SAKER_ACTION_DENY)
			self.backend |= SAKER_BACKEND_DENY;
	uint32_t zero = 0;
	if (bpf_map__update_elem(o->enforce, &zero, sizeof(zero), &self, sizeof(self), 0))
		return say(err, esz, -errno, "cannot set the enforcement guard: %s", strerror(errno));
	if (!any)
		return 0;
	for (uint32_t k = 0; k < n && k < o->n_rules; k++) {
		struct saker_rule_action a = { .action = actions[k] };
		if (bpf_map__update_elem(o->actions, &k, sizeof(k), &a, sizeof(a), 0))
			return say(err, esz, -errno, "cannot set the action of rule %u: %s", k, strerror(errno));
	}
	return 0;
}

int saker_rt_obj_rule_actions(const struct saker_rt_obj *o, struct saker_rule_action *out, uint32_t n)
{
	int ret = 0;
	for (uint32_t k = 0; k < n; k++) {
		memset(&out[k], 0, sizeof(out[k]));
		if (o->actions && k < o->n_rules &&
		    bpf_map__lookup_elem(o->actions, &k, sizeof(k), &out[k], sizeof(out[k]), 0))
			ret = -errno;
	}
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
			out[k].cut += vals[c].cut;
			out[k].evals += vals[c].evals;
			out[k].cost_ns += vals[c].cost_ns;
			out[k].samples += vals[c].samples;
		}
	}
	free(vals);
	return ret;
}
