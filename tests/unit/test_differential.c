/* saker-test-lib: saker_driver */
/* Differential test: rules written as text go through the real front end and code generation
 * into the kernel; generated opens then run in a private directory, and for every event that
 * reaches user space each rule's kernel bit must equal the evaluator of reference on the rule's
 * kernel part (runtime/cond_eval.c, the one sakerd's residuals use), and no event the whole rule
 * matches may have been dropped. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel_test.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/openat2.h>

#include "codegen.h"
#include "saker/event_cond.h"
#include "rt.h"
#include "rules.h"
#include "saker/event.h"
#include "saker/event_fields.h"
#include "saker/fields.h"

#define NR_OPEN    2
#define NR_CREAT   85
#define NR_OPENAT  257
#define NR_OPENAT2 437
#define TEST_COMM  "sk_diff_test"
#define DEFAULT_SEED 0x5ac3d1ffull
#ifndef SAKER_DIFF_FILEOPS
#define DEFAULT_OPS  1000
#else
#define DEFAULT_OPS  200  /* opens: the calls of the file-op families are FILEOPS_CALLS */
#define FILEOPS_CALLS 1500
#endif
#define FD_BASE      100  /* the loop's opens get fds from here on (fd.num tests) */
#define DEEP_LEVELS  70   /* "d" directories below DIR/deep: past the old 64-step walk */
#define LONG_LEVELS  17   /* 255-byte directories below DIR/long: past a 4095-byte path */
#define KEEP_FDS     6    /* fds kept open for a while, so that fd.num varies */
#define MAX_SHOWN    3    /* mismatching events printed per rule */
#define PENDING      16   /* events whose records have not all arrived yet */
#define REC_WORDS    4096 /* 8-byte words of the longest record */

/* ---- the ruleset ------------------------------------------------------------------------- */

struct rule_src {
	const char *name;
	const char *cond; /* printf format: %1$s the directory, %2$d our tid, %3$d our pid,
			   * %4$d the first fd the loop hands out, %5$d that plus 4 */
};

/* Every operator the checker lowers, on every field an open fills. "mine" keeps other
 * processes' opens out; rule 0 makes every open of ours reach user space, so that the kernel's
 * 0 bits are checked as well as its 1 bits. */
#define CATCH_ALL { "catch-all for the test dir", \
	  "open_family and (fd.name startswith \"%1$s/\" or thread.tid = %2$d)" }
#ifndef SAKER_DIFF_FILEOPS
static const struct rule_src rule_srcs[] = {
	CATCH_ALL,
	{ "eq", "open_family and fd.name = \"%1$s/a\"" },
	{ "ne", "open_family and mine and fd.name != \"%1$s/a\"" },
	{ "not eq", "open_family and mine and not fd.name = \"%1$s/a\"" },
	{ "in list", "evt.type in (open, creat, openat2) and mine and fd.filename in (short_names)" },
	{ "startswith", "open_family and mine and fd.filename startswith ab" },
	{ "endswith", "open_family and mine and fd.name endswith bc" },
	{ "contains", "open_family and mine and fd.name contains \"/sub/\"" },
	{ "icontains", "open_family and mine and fd.name icontains \"/SUB/A\"" },
	{ "glob as prefix", "open_family and mine and fd.filename glob 'ab*'" },
	{ "glob as suffix", "open_family and mine and fd.name glob '*C'" },
	{ "glob as contains", "open_family and mine and fd.name glob '*bc*'" },
	{ "glob", "open_family and mine and fd.name glob '%1$s/*/[a-c]*'" },
	{ "glob ?", "open_family and mine and fd.filename glob 'a?'" },
	{ "glob range", "open_family and mine and fd.filename glob '*[A-Z]?'" },
	{ "glob escape", "open_family and mine and fd.filename glob '*\\\\**'" },
	{ "glob negated set", "open_family and mine and fd.filename glob '[!a]*[]b-]'" },
	{ "pmatch", "open_family and mine and fd.name pmatch (\"%1$s/sub\", \"%1$s/x\")" },
	{ "pmatch trailing slash", "open_family and mine and fd.name pmatch (\"%1$s/sub/\")" },
	{ "pmatch glob component", "open_family and mine and fd.name pmatch (\"%1$s/*/a\")" },
	{ "pmatch empty components", "open_family and mine and fd.name pmatch (\"/%1$s//Sub//\", \"//\")" },
	{ "pmatch globs", "open_family and mine and fd.name pmatch (\"%1$s/[sx]*/a?\", \"%1$s/S?b/*[!c]\")" },
	{ "pmatch filename", "open_family and mine and fd.filename pmatch (\"/ab\", \"a*c/\", \"x y\")" },
	{ "pmatch proc.name", "open_family and mine and proc.name pmatch (\"sk_diff_t?st\") and fd.name pmatch (\"%1$s/deep/d/d\")" },
	{ "directory eq", "open_family and mine and fd.directory = \"%1$s\"" },
	{ "directory endswith", "open_family and mine and fd.directory endswith /sub" },
	{ "directory pmatch", "open_family and mine and fd.directory pmatch (\"%1$s/deep\")" },
	{ "filename 255", "open_family and mine and fd.filename = long_name" },
	{ "long prefix", "open_family and mine and fd.name startswith long_prefix" },
	{ "long suffix", "open_family and mine and fd.name endswith long_suffix" },
	{ "long contains", "open_family and mine and fd.filename contains long_infix" },
	{ "long glob", "open_family and mine and fd.name glob long_glob" },
	{ "longer prefix", "open_family and mine and fd.name startswith longer_prefix" },
	{ "long directory", "open_family and mine and fd.directory = long_dir" },
	{ "long pmatch", "open_family and mine and fd.name pmatch long_pmatch" },
	{ "fd.num range", "open_family and mine and fd.num > %4$d and fd.num < %5$d" },
	{ "fd.num failed", "open_family and mine and fd.num = -1" },
	{ "rawres", "open_family and mine and evt.rawres < 0 and not evt.rawres in (-2, -17)" },
	{ "res in", "open_family and mine and evt.res in (ENOENT, EEXIST)" },
	{ "res startswith", "open_family and mine and evt.res startswith EN" },
	{ "res success", "open_family and mine and evt.res = SUCCESS and evt.failed = false" },
	{ "uid", "open_family and mine and user.uid = 0 and group.gid != 12345" },
	{ "uid compare", "open_family and mine and (user.uid > 1000 or user.uid <= 0)" },
	{ "is_open_write", "open_family and mine and evt.is_open_write = true" },
	{ "is_open_read", "open_family and mine and evt.is_open_read = true and not evt.is_open_write = true" },
	{ "O_TRUNC", "open_family and mine and evt.arg.flags contains O_TRUNC" },
	{ "O_APPEND or O_EXCL", "open_family and mine and (evt.arg.flags contains O_APPEND or evt.arg.flags contains O_EXCL)" },
	{ "flags in", "open_family and mine and evt.arg.flags in (\"O_WRONLY|O_CREAT|O_TRUNC\", O_RDONLY)" },
	{ "rawarg", "open_family and mine and evt.rawarg.flags in (0, 1, 2)" },
	{ "create", "open_family and mine and evt.is_open_create = true and evt.failed = false" },
	{ "nesting", "open_family and mine and (fd.filename startswith a or fd.filename endswith Z) and "
		     "not (evt.is_open_write = true and evt.arg.flags contains O_APPEND)" },
	{ "nesting 2", "open_family and mine and not (fd.typechar = d or (fd.type = file and fd.name contains /x/))" },
	{ "proc.name", "open_family and proc.name in (bash, " TEST_COMM ") and proc.name startswith sk_ and "
		       "proc.name icontains DIFF and fd.name startswith \"%1$s/\"" },
	{ "syscalls", "evt.type in (creat, open) and mine" },
	{ "not syscall", "open_family and evt.type != openat and mine" },
	{ "no path", "open_family and mine and not fd.name exists" },
	{ "process", "open_family and mine and container.id = host and proc.exepath endswith /test_differential "
		     "and proc.pid = %3$d and proc.ppid > 0 and user.loginuid = -1 and proc.pname exists" },
	{ "loginuid", "open_family and mine and user.loginuid in (4000000000, 1000) and user.loginuid > 2147483647" },
	{ "the dir", "open_family and mine and fd.name = \"%1$s\"" },
	{ "typechar", "open_family and mine and fd.typechar = d and fd.type != file" },
	{ "special chars", "open_family and mine and fd.filename icontains \"[1]\"" },
	{ "failed name", "open_family and mine and evt.failed = true and fd.name startswith \"%1$s/\"" },
	{ "failed directory", "open_family and mine and fd.num = -1 and fd.directory in (\"%1$s\", \"%1$s/sub\", /, /tmp)" },
	{ "open_file_failed", "evt.type in (open, openat, openat2) and mine and fd.typechar = f and fd.num = -1 and evt.res startswith E" },
	{ "failed, no filename or type", "open_family and mine and evt.failed = true and not fd.filename exists and not fd.type exists" },
	/* the process fields every event has: computed in the kernel, or captured for the residual */
	{ "proc.cwd", "open_family and mine and proc.cwd endswith / and proc.cwd startswith / and not proc.cwd contains //" },
	{ "proc.cwd in dir", "open_family and mine and (proc.cwd startswith \"%1$s/\" or fd.filename startswith a)" },
	{ "process numbers", "open_family and mine and proc.tty >= 0 and proc.sid >= 0 and proc.duration > 0 and "
			     "proc.duration < 36000000000000" },
	{ "process exe flags", "open_family and mine and proc.is_exe_from_memfd = false and proc.is_exe_upper_layer != true" },
	{ "captured args", "open_family and mine and proc.exe contains test_differential and proc.cmdline startswith "
			   TEST_COMM " and not proc.args contains sk_never_an_arg" },
	{ "captured ancestors", "open_family and mine and proc.aname[1] exists and not proc.aname in (sk_never_a_comm) and "
				"(proc.sname exists or proc.aname[8] exists or fd.name contains a)" },
	{ "captured parent", "open_family and mine and (not proc.pcmdline contains sk_never_an_arg or fd.filename = ab)" },
};
#else
/* test_differential_fileops: the file, cred and sys families (run_fileops), with a few opens.
 * One program with both rulesets would be more than the verifier explores. */
static const struct rule_src rule_srcs[] = {
	CATCH_ALL,
	/* rule FILEOPS_ALL sends every call of ours */
	{ "fileops catch-all", "fileops and mine" },
	{ "target eq", "fileops and mine and evt.arg.target = \"%1$s/fo/a\"" },
	{ "target in", "evt.type in (symlink, symlinkat) and mine and evt.arg.target in (a, \"../fo/a\", /etc/shadow, \"%1$s/fo/\")" },
	{ "linkpath", "fileops and mine and evt.arg.linkpath startswith \"%1$s/fo/s\"" },
	{ "oldpath pmatch", "fileops and mine and evt.arg.oldpath pmatch (\"%1$s/fo/sub\", \"%1$s/fo/a\")" },
	{ "newpath endswith", "fileops and mine and evt.arg.newpath endswith /b and evt.arg.oldpath exists" },
	{ "path glob", "fileops and mine and evt.arg.path glob '%1$s/fo/*'" },
	{ "name contains", "fileops and mine and evt.arg.name contains \"/sub/\"" },
	{ "filename eq", "fileops and mine and evt.arg.filename in (\"%1$s/fo/a\", \"%1$s/fo/sub/b\", \"%1$s/fo\")" },
	{ "pathname", "fileops and mine and evt.arg.pathname startswith \"%1$s/\" and evt.res = SUCCESS" },
	{ "mode", "fileops and mine and (evt.arg.mode in (420, 511) or evt.rawarg.mode > 448)" },
	{ "uid and gid", "fileops and (evt.arg.uid = 4294967295 or evt.rawarg.gid < 100 or evt.rawarg.uid = 65534)" },
	{ "re/res ids", "fileops and (evt.arg.ruid = 0 or evt.arg.euid > 1000 or evt.arg.suid exists or evt.arg.rgid = 4294967295 or evt.arg.egid != 5 or evt.arg.sgid = 7)" },
	{ "fd", "fileops and mine and (evt.arg.fd >= 3 or evt.rawarg.fd = -1)" },
	{ "bpf cmd", "fileops and mine and (evt.arg.cmd in (BPF_PROG_LOAD, BPF_MAP_CREATE) or evt.rawarg.cmd > 30)" },
	{ "bpf cmd contains", "fileops and mine and evt.arg.cmd contains GET_NEXT" },
	{ "mount", "fileops and (evt.arg.dev = none or evt.arg.dir startswith \"%1$s/fo\" or evt.arg.fstype = tmpfs)" },
	{ "memfd and uargs", "fileops and mine and (evt.arg.name startswith sk- or evt.arg.uargs contains \"x=\")" },
	{ "caps contains", "fileops and thread.cap_effective contains CAP_SYS_ADMIN and evt.failed = false" },
	{ "caps icontains", "fileops and thread.cap_effective icontains sys_adm and not thread.cap_inheritable contains CAP_BPF" },
	{ "caps none", "fileops and thread.cap_effective contains NOT_A_CAP" },
	{ "caps in user space", "fileops and thread.cap_effective startswith \"CAP_CHOWN CAP_DAC\" and thread.cap_inheritable exists" },
	{ "caps mask", "fileops and thread.cap_effective.mask < 2097152" },
	{ "fileops res", "fileops and mine and evt.res in (ENOENT, EEXIST, EBADF, EFAULT)" },
	{ "families mixed", "evt.type in (openat, symlinkat, unlinkat, setuid) and (mine or proc.pname = " TEST_COMM ") and (fd.name startswith \"%1$s/fo\" or evt.arg.linkpath startswith \"%1$s/fo\" or evt.arg.name exists or evt.arg.uid exists)" },
	{ "open flags on fileops", "evt.type in (openat, unlinkat, linkat) and mine and evt.arg.flags contains O_TRUNC" },
};
#endif
#define N_HAND (sizeof(rule_srcs) / sizeof(rule_srcs[0]))

/* The rulesets of the test: the first N_HAND_OF(n) rules above, then generated ones up to n
 * (rule 0, the catch-all, is in every one). */
#define N_HAND_OF(n) ((n) < N_HAND ? (n) : N_HAND)

/* Generated rule I (I >= N_HAND): the kinds a large ruleset has (=, in, startswith on paths and
 * names, proc.name, flags, fd numbers, and some no index selects), about the test directory's
 * files, so that some match and most do not. Deterministic in I. */
static char *gen_rule(sk_arena *a, size_t i, const char *dir, int first_fd)
{
	static const char *const names[] = { "a", "ab", "abc", "A", "Ab", "bc", "abbc", "x y", "a[1]",
					     "missing", "sub/a", "Sub/ab" };
	static const char *const subs[] = { "", "/sub", "/Sub", "/x", "/deep/d" };
	const size_t nn = sizeof(names) / sizeof(names[0]), ns = sizeof(subs) / sizeof(subs[0]);
	uint64_t h = (uint64_t)i * 0x9e3779b97f4a7c15ull;
	const char *nm = names[(h >> 8) % nn], *sb = subs[(h >> 16) % ns];
	/* most rules name files that do not exist: only one in 8 is about the pool's names */
	int real = (h >> 24) % 8 == 0;
	char *file = real ? sk_arena_printf(a, "%s", nm) : sk_arena_printf(a, "g%zu", i);

	switch (i % 9) {
	case 0:
		return sk_arena_printf(a, "open_family and fd.name = \"%s%s/%s\"", dir, sb, file);
	case 1:
		return sk_arena_printf(a, "open_family and mine and fd.name startswith \"%s%s/%s\"", dir,
				       sb, real ? sk_arena_printf(a, "%.1s", nm) : file);
	case 2:
		return sk_arena_printf(a, "open_family and mine and fd.filename in (\"%s\", g%zu_1, \"%s\", g%zu_2)",
				       file, i, names[(h >> 32) % nn], i);
	case 3:
		return sk_arena_printf(a, "evt.type in (openat, openat2) and proc.name = %s and "
				       "fd.name startswith \"%s%s\"", real ? TEST_COMM : file, dir, sb);
	case 4:
		return sk_arena_printf(a, "open_family and evt.is_open_write = true and fd.name = \"%s%s/%s\"",
				       dir, sb, file);
	case 5:
		return sk_arena_printf(a, "open_family and evt.arg.flags contains O_TRUNC and "
				       "fd.directory = \"%s%s\" and fd.filename startswith %s", dir, sb,
				       real ? sk_arena_printf(a, "%.1s", nm) : file);
	case 6:
		return sk_arena_printf(a, "open_family and mine and fd.num in (%d, %zu)",
				       first_fd + (int)((h >> 40) % 6), 100000 + i);
	case 7:
		return sk_arena_printf(a, "open_family and fd.name in (\"%s%s/%s\", \"%s/g%zu\") and "
				       "not evt.is_open_read = true", dir, sb, file, dir, i);
	default:
		/* no index: evaluated on every open, like any rule without a selective test */
		return sk_arena_printf(a, "open_family and mine and fd.filename endswith %s%s",
				       real ? "b" : file, real ? "c" : "z");
	}
}

static const char *rule_name(size_t i)
{
	static char buf[32];

	if (i < N_HAND)
		return rule_srcs[i].name;
	snprintf(buf, sizeof(buf), "gen %zu", i);
	return buf;
}

/* The long values rule_srcs names by these words, spelled out when the rules file is written. */
static const char *long_value(sk_arena *a, const char *dir, const char *word)
{
	char as[256], ls[256];

	memset(as, 'a', 255);
	as[255] = 0;
	memset(ls, 'L', 255);
	ls[255] = 0;
	if (!strcmp(word, "long_name"))      /* a whole long component */
		return sk_arena_printf(a, "\"%s\"", as);
	if (!strcmp(word, "long_prefix"))    /* across a 255-byte component */
		return sk_arena_printf(a, "\"%s/long/%s/LL\"", dir, ls);
	if (!strcmp(word, "long_suffix"))
		return sk_arena_printf(a, "\"%.254sb\"", as);
	if (!strcmp(word, "long_infix"))
		return sk_arena_printf(a, "\"%.255s\"", as);
	if (!strcmp(word, "longer_prefix"))  /* constants of several rows of the pattern table */
		return sk_arena_printf(a, "\"%s/long/%s/%s/%s/%s/\"", dir, ls, ls, ls, ls);
	if (!strcmp(word, "long_dir"))
		return sk_arena_printf(a, "\"%s/long/%s\"", dir, ls);
	if (!strcmp(word, "long_pmatch"))
		return sk_arena_printf(a, "(\"%s/long/%s/%s\", \"%s/long/L*L/L?%.60s\")", dir, ls, ls, dir,
				       ls);
	if (!strcmp(word, "long_glob"))
		return sk_arena_printf(a, "'*/L%.120s*/L*'", ls);
	return NULL;
}

/* The rules file: shared lists and macros, then one rule per rule_srcs entry. */
static char *ruleset_yaml(sk_arena *a, const char *dir, int first_fd, size_t n)
{
	static const char *const words[] = { "long_name", "long_prefix", "long_suffix", "long_infix",
					     "long_glob", "longer_prefix", "long_dir", "long_pmatch" };
	char *buf = NULL, *y;
	size_t size = 0;
	/* one stream: appending to a printf'd copy is quadratic in the ruleset */
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	fprintf(f,
		"- macro: open_family\n  condition: evt.type in (open, openat, openat2, creat)\n"
		"- macro: mine\n  condition: proc.name = %s\n"
		"- macro: fileops\n  condition: evt.type in (symlink, symlinkat, link, linkat, unlink, "
		"unlinkat, rename, renameat, renameat2, mkdir, mkdirat, rmdir, chmod, fchmod, fchmodat, "
		"chown, fchown, lchown, fchownat, setuid, setgid, setreuid, setregid, setresuid, "
		"setresgid, mount, bpf, memfd_create, init_module, finit_module)\n"
		"- list: short_names\n  items: [a, ab, abc, A, \"x y\", \"a[1]\"]\n",
		TEST_COMM);
	for (size_t i = 0; i < N_HAND_OF(n); i++) {
		char *cond = sk_arena_printf(a, rule_srcs[i].cond, dir, (int)syscall(SYS_gettid),
					     (int)getpid(), first_fd, first_fd + 4);
		for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
			size_t cl = strlen(cond), wl = strlen(words[w]);
			if (cl > wl && !strcmp(cond + cl - wl, words[w]))
				cond = sk_arena_printf(a, "%.*s%s", (int)(cl - wl), cond,
						       long_value(a, dir, words[w]));
		}
		fprintf(f, "- rule: %s\n  desc: differential test rule\n  condition: >-\n    %s\n"
			"  output: \"%%fd.name\"\n  priority: debug\n", rule_srcs[i].name, cond);
	}
	for (size_t i = N_HAND; i < n; i++)
		fprintf(f, "- rule: %s\n  desc: generated\n  condition: >-\n    %s\n"
			"  output: \"%%fd.name\"\n  priority: debug\n", rule_name(i),
			gen_rule(a, i, dir, first_fd));
	assert_int_equal(fclose(f), 0);
	y = sk_arena_printf(a, "%s", buf);
	free(buf);
	return y;
}

/* ---- state ------------------------------------------------------------------------------- */

/* An event whose first records arrived, with the rule ids they named so far: more rules may
 * match than one record carries (SAKER_EVF_MORE). */
struct pending {
	int used;
	uint32_t tid, next_part;
	uint64_t ts_ns;
	unsigned char *kernel;   /* one per rule */
};

struct dir {
	char *abs;  /* absolute path as the test spells it (maybe through a symlink) */
	int fd;     /* open directory */
	int rel;    /* only reachable relative to FD: ABS does not fit PATH_MAX */
};

struct mismatch {
	unsigned long count;
	unsigned long kernel_true; /* of those, how many had the kernel bit set */
};

struct diff {
	char dir[64];
	pid_t pid, tid;
	int first_fd;
	sk_comp *c;
	/* kernel */
	struct bpf_object *obj;
	struct bpf_link *links[16];
	int n_links;
	struct ring_buffer *rb;
	int stats_fd;
	/* the event loop's findings */
	struct saker_event *ev;       /* decoded record */
	struct saker_event *last;     /* our last event, decoded from LAST_RAW */
	uint64_t *last_raw;           /* its record */
	struct pending pend[PENDING];
	int own;                      /* our events since the last drain */
	unsigned long events, foreign, decode_errors, missed, stray_bits, lost_parts;
	struct sk_cond_ctx *ctx;      /* the evaluator of reference (runtime/cond_eval.c) */
	struct sk_event_src src;      /* values read from the records, as sakerd reads them */
	unsigned long spurious_trunc;  /* whole paths marked SAKER_EVF_PATH_TRUNC */
	size_t n_rules;
	unsigned long *matched;
	struct mismatch *mism;
	const char *op;               /* the operation being checked, for messages */
	/* directories */
	struct dir dirs[64];
	int n_dirs;
	int keep[KEEP_FDS];
	char filler[FD_BASE];         /* fds held so that the loop's start at FD_BASE */
	uint64_t rng;
};

static uint64_t rnd(struct diff *d)
{
	/* xorshift64*: small, and the same sequence everywhere for a given seed */
	d->rng ^= d->rng >> 12;
	d->rng ^= d->rng << 25;
	d->rng ^= d->rng >> 27;
	return d->rng * 0x2545f4914f6cdd1dull;
}

static unsigned pick(struct diff *d, unsigned n)
{
	return (unsigned)(rnd(d) % n);
}

static int chance(struct diff *d, unsigned percent)
{
	return pick(d, 100) < percent;
}

static void show_event(const char *prefix, const struct saker_event *ev)
{
	char flags[256];
	const char *name = sk_event_name(ev->h.event);
	const struct saker_tail_open *t = SAKER_EVENT_TAIL(ev, open);
	const char *path = ev->str[SAKER_STR_FD_NAME] ? ev->str[SAKER_STR_FD_NAME] : "";

	sk_open_flags_render(t->flags, flags, sizeof(flags));
	fprintf(stderr,
		"%s%s res=%" PRId64 " flags=%s (%#" PRIx64 ") oflags=%#x hflags=%#x comm=%s pid=%u "
		"tid=%u uid=%u\n%s  path(%u%s)='%.300s%s'\n",
		prefix, name ? name : "?", (int64_t)ev->h.res, flags, (uint64_t)t->flags, t->oflags,
		ev->h.flags, ev->h.comm, ev->h.pid, ev->h.tid, ev->h.uid, prefix,
		ev->str_len[SAKER_STR_FD_NAME], ev->str[SAKER_STR_FD_NAME] ? "" : ", none", path,
		strlen(path) > 300 ? "..." : "");
}

/* The pending event EV's record belongs to (a new one for its first record), or NULL when its
 * earlier records were not seen. */
static struct pending *pending_of(struct diff *d, const struct saker_event *ev)
{
	struct pending *free_slot = NULL;

	for (int i = 0; i < PENDING; i++) {
		struct pending *p = &d->pend[i];

		if (!p->used) {
			free_slot = free_slot ? free_slot : p;
			continue;
		}
		if (p->tid == ev->h.tid && p->ts_ns == ev->h.ts_ns)
			return p->next_part == ev->h.part ? p : NULL;
	}
	if (ev->h.part || !free_slot)
		return NULL;
	{
		unsigned char *k = free_slot->kernel;

		memset(free_slot, 0, sizeof(*free_slot));
		memset(k, 0, d->n_rules);
		free_slot->kernel = k;
	}
	free_slot->used = 1;
	free_slot->tid = ev->h.tid;
	free_slot->ts_ns = ev->h.ts_ns;
	return free_slot;
}

/* Every rule's kernel verdict on the event of P (its records all arrived) against the
 * reference evaluator's (the one sakerd's residuals use) on EV, its last record: the kernel must
 * decide exactly the rule's kernel part, and never miss an event the whole rule matches. */
static void check_event(struct diff *d, const struct pending *p, const struct saker_event *ev)
{
	for (size_t i = 0; i < d->n_rules; i++) {
		int kernel = p->kernel[i];
		const sk_rule *r = d->c->rules[i];
		int ref = sk_event_cond_eval(&d->src, d->ctx, r->kernel, ev);
		int full = sk_event_cond_eval(&d->src, d->ctx, r->cond, ev);

		d->matched[i] += kernel;
		if (ref < 0 || full < 0)
			fail_msg("evaluator failed: %d %d", ref, full);
		if (full && !kernel && d->missed++ < MAX_SHOWN) {
			fprintf(stderr, "MISSED: rule %zu '%s' holds but the kernel dropped the event\n", i,
				rule_name(i));
			show_event("    ", ev);
		}
		if (kernel == ref)
			continue;
		if (d->mism[i].count == 0)
			fprintf(stderr, "MISMATCH rule %zu '%s', lowered to\n    %s\n", i, rule_name(i),
				sk_pred_to_string(d->c->arena, d->c->rules[i]->pred));
		if (d->mism[i].count++ < MAX_SHOWN) {
			fprintf(stderr, "  rule %zu: kernel %d, reference %d, after %s\n", i, kernel, ref,
				d->op ? d->op : "?");
			show_event("    ", ev);
		}
		d->mism[i].kernel_true += kernel;
	}
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct diff *d = ctx;
	struct saker_event *ev = d->ev;
	struct pending *p;

	if (saker_event_decode(data, size, ev)) {
		d->decode_errors++;
		return 0;
	}
	if (!(p = pending_of(d, ev))) {
		d->lost_parts++;
		return 0;
	}
	for (uint32_t j = 0; j < ev->h.n_rules; j++) {
		if (ev->rules[j] >= d->n_rules)
			d->stray_bits++;
		else
			p->kernel[ev->rules[j]] = 1;
	}
	p->next_part++;
	if (ev->h.flags & SAKER_EVF_MORE)
		return 0;
	d->events++;
	if (ev->h.pid == (uint32_t)d->pid && ev->h.tid == (uint32_t)d->tid) {
		d->own++;
		assert_true(size <= REC_WORDS * 8);
		memcpy(d->last_raw, data, size);
		assert_int_equal(saker_event_decode(d->last_raw, size, d->last), 0);
	} else {
		d->foreign++;
	}
	check_event(d, p, ev);
	p->used = 0;
	return 0;
}

/* ---- the kernel side --------------------------------------------------------------------- */

/* Loads the rules through every front-end pass; the rules must all check and keep their order. */
static sk_comp *front(const char *dir, int first_fd, size_t n)
{
	sk_comp *c = sk_comp_new();
	char *y;
	int rc;

	assert_non_null(c);
	y = ruleset_yaml(c->arena, dir, first_fd, n);
	/* SAKER_DIFF_YAML=FILE keeps the rules file, to reproduce with `saker compile FILE` */
	if (getenv("SAKER_DIFF_YAML")) {
		FILE *f = fopen(getenv("SAKER_DIFF_YAML"), "w");
		assert_non_null(f);
		fputs(y, f);
		fclose(f);
	}
	rc = sk_load_string(c, "diff.yaml", y, strlen(y));
	rc |= sk_expand(c);
	rc |= sk_check(c);
	if (rc || c->n_rules != n) {
		size_t got = c->n_rules;
		sk_diag_render(c->diag, SK_DIAG_TEXT, stderr);
		sk_comp_free(c); /* fail_msg does not return */
		fail_msg("the ruleset did not check: %zu of %zu rules", got, n);
	}
	for (size_t i = 0; i < n; i++)
		assert_string_equal(c->rules[i]->item->name, rule_name(i));
	return c;
}

/* Returns 0, or -1 after printing why code generation refused the ruleset. */
static int compile(sk_comp *c, uint8_t **obj, size_t *len)
{
	if (sk_codegen(c, NULL, obj, len)) {
		sk_diag_render(c->diag, SK_DIAG_TEXT, stderr);
		return -1;
	}
	return 0;
}

/* Returns 0, or -1 when the kernel refused the object (libbpf printed the verifier log). */
static int kern_load(struct diff *d, const uint8_t *obj, size_t len)
{
	struct bpf_program *prog = NULL;
	struct bpf_map *m;

	d->obj = bpf_object__open_mem(obj, len, NULL);
	assert_non_null(d->obj);
	m = bpf_object__find_map_by_name(d->obj, SAKER_MAP_RULE_STATS);
	assert_non_null(m);
	assert_int_equal(bpf_map__set_max_entries(m, (uint32_t)d->n_rules), 0);
	saker_rt_skip_lsm(d->obj);
	if (bpf_object__load(d->obj))
		return -1;
	while ((prog = bpf_object__next_program(d->obj, prog))) {
		if (!bpf_program__autoload(prog))
			continue; /* the LSM back end's, or on a tracepoint this kernel lacks */
		assert_true(d->n_links < 16);
		d->links[d->n_links] = bpf_program__attach(prog);
		assert_non_null(d->links[d->n_links]);
		d->n_links++;
	}
	assert_true(d->n_links > 0);
	m = bpf_object__find_map_by_name(d->obj, SAKER_MAP_EVENTS);
	assert_non_null(m);
	d->rb = ring_buffer__new(bpf_map__fd(m), on_event, d, NULL);
	assert_non_null(d->rb);
	m = bpf_object__find_map_by_name(d->obj, SAKER_MAP_STATS);
	assert_non_null(m);
	d->stats_fd = bpf_map__fd(m);
	return 0;
}

static void kern_close(struct diff *d)
{
	ring_buffer__free(d->rb); /* each is a no-op on NULL */
	for (int i = 0; i < d->n_links; i++)
		bpf_link__destroy(d->links[i]);
	bpf_object__close(d->obj);
}

static uint64_t kern_stat(struct diff *d, uint32_t which)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t v[1024] = { 0 }, sum = 0;

	assert_true(ncpu > 0 && ncpu <= 1024);
	assert_int_equal(bpf_map_lookup_elem(d->stats_fd, &which, v), 0);
	for (int i = 0; i < ncpu; i++)
		sum += v[i];
	return sum;
}

/* ---- the test directory ------------------------------------------------------------------ */

static int add_dir(struct diff *d, const char *abs, int fd)
{
	assert_true(d->n_dirs < (int)(sizeof(d->dirs) / sizeof(d->dirs[0])));
	assert_true(fd >= 0);
	d->dirs[d->n_dirs].abs = strdup(abs);
	assert_non_null(d->dirs[d->n_dirs].abs);
	d->dirs[d->n_dirs].fd = fd;
	return d->n_dirs++;
}

static void touch_at(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT, 0644);

	assert_true(fd >= 0);
	close(fd);
}

/* DIR with sub, Sub, x, deep (a chain of DEEP_LEVELS "d"), long (LONG_LEVELS 255-byte names),
 * a few files whose names are prefixes and suffixes of each other, and symlinks. */
static void setup_dir(struct diff *d)
{
	static const char *const files[] = { "a", "ab", "abc", "A", "Ab", "bc", "abbc", "x y", "a[1]" };
	static const char *const subdirs[] = { "sub", "Sub", "x", "deep", "long" };
	char path[PATH_MAX], name[256];
	int fd, next, rel = 0;

	strcpy(d->dir, "/tmp/saker-diff-XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	add_dir(d, d->dir, open(d->dir, O_RDONLY | O_DIRECTORY));
	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", d->dir, subdirs[i]);
		assert_int_equal(mkdir(path, 0755), 0);
		add_dir(d, path, open(path, O_RDONLY | O_DIRECTORY));
	}
	for (int i = 0; i < 3; i++)
		for (size_t j = 0; j < sizeof(files) / sizeof(files[0]); j++)
			touch_at(d->dirs[i].fd, files[j]); /* in DIR, sub and Sub */
	assert_int_equal(symlinkat("a", d->dirs[0].fd, "link-a"), 0);
	assert_int_equal(symlinkat("sub", d->dirs[0].fd, "dlink"), 0);
	assert_int_equal(symlinkat("nothing-here", d->dirs[0].fd, "dangle"), 0);
	assert_int_equal(symlinkat("loop", d->dirs[0].fd, "loop"), 0);
	assert_int_equal(symlinkat("../ab", d->dirs[1].fd, "up"), 0);
	snprintf(path, sizeof(path), "%s/abc", d->dir);
	assert_int_equal(symlinkat(path, d->dirs[0].fd, "abs"), 0);
	snprintf(path, sizeof(path), "%s/dlink", d->dir);
	add_dir(d, path, open(path, O_RDONLY | O_DIRECTORY)); /* through the symlink */

	/* deep: keep the levels around the walk limit */
	fd = d->dirs[4].fd;
	snprintf(path, sizeof(path), "%s/deep", d->dir);
	for (int lvl = 1; lvl <= DEEP_LEVELS; lvl++) {
		assert_int_equal(mkdirat(fd, "d", 0755), 0);
		next = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		assert_true(next >= 0);
		if (fd != d->dirs[4].fd)
			close(fd);
		fd = next;
		strcat(path, "/d");
		touch_at(fd, "a");
		if (lvl >= DEEP_LEVELS - 12 && lvl % 2 == 0) {
			add_dir(d, path, dup(fd));
		}
	}
	close(fd);

	/* long: names of 255 bytes until the path no longer fits the kernel's buffer */
	memset(name, 'L', 255);
	name[255] = 0;
	fd = d->dirs[5].fd;
	snprintf(path, sizeof(path), "%s/long", d->dir);
	for (int lvl = 1; lvl <= LONG_LEVELS; lvl++) {
		assert_int_equal(mkdirat(fd, name, 0755), 0);
		next = openat(fd, name, O_RDONLY | O_DIRECTORY);
		assert_true(next >= 0);
		if (fd != d->dirs[5].fd)
			close(fd);
		fd = next;
		if (strlen(path) + 257 < sizeof(path)) {
			strcat(path, "/");
			strcat(path, name);
		} else {
			rel = 1;
		}
		if (lvl == 1 || lvl >= LONG_LEVELS - 4)
			d->dirs[add_dir(d, path, dup(fd))].rel = rel;
	}
	close(fd);
}

/* ---- generated opens --------------------------------------------------------------------- */

/* A file name: one of the pool (prefixes and suffixes of each other, special characters, the
 * symlinks, lengths 254 to 256), or random characters of random length. */
static void gen_name(struct diff *d, char *out, size_t size)
{
	static const char *const pool[] = {
		"a", "ab", "abc", "A", "Ab", "AB", "abcZ", "b", "bc", "abbc", "x y", "a[1]", "s*tar",
		"q?", "Notes.TXT", "aC", "ba]", "link-a", "dlink/a", "dlink/abc", "dangle", "loop",
		"abs", "up", "sub", "sub/a", "sub/a/a", "Sub/ab", ".", "..", "sub/../ab", "", "missing",
		/* failures whose name is normalised as text: '.', '..' (also past a missing
		 * directory, a file, or the root), repeated and trailing '/' */
		"./missing", "sub/./../missing", "..//..//missing", "sub//gone/", "nodir/../a",
		"../../../../../../../../../../../tmp/gone", "a/..", "missing/../../x", "./", "sub/..",
		"dlink/../gone", ".//sub///./a/", "a/../../..",
	};
	static const char chars[] = "abcABCxyZ_.-[]*?\\ ";
	unsigned kind = pick(d, 100);
	size_t n;

	if (kind < 55) {
		snprintf(out, size, "%s", pool[pick(d, sizeof(pool) / sizeof(pool[0]))]);
		return;
	}
	if (kind < 62) {
		/* around NAME_MAX (and the rules' 255-byte constants), and shorter */
		n = (chance(d, 50) ? 254 : 99) + pick(d, 3);
		memset(out, 'a', n);
		if (chance(d, 50))
			out[n - 1] = 'b';
		out[n] = 0;
		return;
	}
	n = kind < 90 ? 1 + pick(d, 8) : 9 + pick(d, 260);
	if (n >= size)
		n = size - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = chars[pick(d, sizeof(chars) - 1)];
	out[n] = 0;
}

static uint64_t gen_flags(struct diff *d)
{
	uint64_t f = pick(d, 3); /* O_RDONLY, O_WRONLY, O_RDWR */

	if (chance(d, 40))
		f |= O_CREAT;
	if (chance(d, 20))
		f |= O_TRUNC;
	if (chance(d, 20))
		f |= O_APPEND;
	if (chance(d, 15))
		f |= O_EXCL;
	if (chance(d, 30))
		f |= O_CLOEXEC;
	if (chance(d, 5))
		f |= O_DIRECTORY;
	if (chance(d, 5))
		f |= O_NOFOLLOW;
	if (chance(d, 3))
		f = O_PATH | (f & (O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
	return f;
}

struct op {
	int nr;
	int dirfd;          /* AT_FDCWD or a directory */
	char path[8192];
	uint64_t flags;     /* what the call was given */
	int bad_how;        /* openat2 with an unreadable struct open_how */
	int bad_path;       /* an unreadable path string */
	char desc[400];
};

/* Performs OP; returns the syscall's result (a negative errno on failure). */
static long run_op(struct op *o)
{
	struct open_how how = { .flags = o->flags, .mode = 0644 };
	const char *path = o->bad_path ? (const char *)8 : o->path;
	long r;

	errno = 0;
	switch (o->nr) {
	case NR_OPEN:
		r = syscall(SYS_open, path, (int)o->flags, 0644);
		break;
	case NR_CREAT:
		r = syscall(SYS_creat, path, 0644);
		break;
	case NR_OPENAT:
		r = syscall(SYS_openat, o->dirfd, path, (int)o->flags, 0644);
		break;
	default:
		if (!(o->flags & O_CREAT))
			how.mode = 0; /* openat2 refuses a mode without O_CREAT */
		r = syscall(SYS_openat2, o->dirfd, path, o->bad_how ? (void *)8 : (void *)&how,
			    sizeof(how));
		break;
	}
	return r < 0 ? -errno : r;
}

static void gen_op(struct diff *d, struct op *o)
{
	static const int nrs[] = { NR_OPEN, NR_CREAT, NR_OPENAT, NR_OPENAT2 };
	/* DIR, sub and Sub hold the files the rules name: favour them */
	const struct dir *dir = &d->dirs[pick(d, chance(d, 50) ? 3 : (unsigned)d->n_dirs)];
	char name[300];
	unsigned form = pick(d, 3); /* absolute, relative to the cwd, relative to a dirfd */

	memset(o, 0, sizeof(*o));
	o->nr = nrs[pick(d, 4)];
	o->flags = o->nr == NR_CREAT ? (O_CREAT | O_WRONLY | O_TRUNC) : gen_flags(d);
	o->bad_how = o->nr == NR_OPENAT2 && chance(d, 3);
	o->dirfd = AT_FDCWD;
	gen_name(d, name, sizeof(name));
	if ((o->nr == NR_OPEN || o->nr == NR_CREAT) && form == 2)
		form = 1;
	if (form == 0 && (dir->rel || strlen(dir->abs) + strlen(name) + 2 >= 4096))
		form = 1; /* too long for an absolute path */
	if (form == 0) {
		snprintf(o->path, sizeof(o->path), "%s/%s", dir->abs, name);
	} else {
		snprintf(o->path, sizeof(o->path), "%s", name);
		if (form == 1)
			assert_int_equal(fchdir(dir->fd), 0);
		else
			o->dirfd = chance(d, 3) ? 1000000 : dir->fd; /* EBADF for a relative path */
	}
	/* failed opens with nothing to name: EFAULT */
	o->bad_path = chance(d, 2);
	snprintf(o->desc, sizeof(o->desc), "%s(%s'%.120s%s', %#" PRIx64 "%s) in %.80s",
		 sk_event_name(sk_event_from_nr(SK_ARCH_X86_64, o->nr)), o->dirfd == AT_FDCWD ? "" : o->dirfd == 1000000 ?
		 "bad dirfd, " : "dirfd, ", o->bad_path ? "<unreadable>" : o->path,
		 strlen(o->path) > 120 ? "..." : "", o->flags, o->bad_how ? ", bad how" : "", dir->abs);
}

/* Falco's name for a failed open: PATH joined with BASE (the directory it is relative to),
 * then '.', '..' and empty components removed as text, never above the root. Returns the
 * number of components, or -1 when OUT (SIZE bytes) is too small. */
static int textual_path(const char *base, const char *path, char *out, size_t size)
{
	size_t o = 0, stack[4096], depth = 0;
	char joined[2 * PATH_MAX + 2];
	char *save = NULL, *comp;

	snprintf(joined, sizeof(joined), "%s/%s", path[0] == '/' ? "" : base, path);
	for (comp = strtok_r(joined, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		size_t n = strlen(comp);

		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			if (depth)
				o = stack[--depth];
			continue;
		}
		if (o + 1 + n + 1 > size || depth == sizeof(stack) / sizeof(stack[0]))
			return -1;
		stack[depth++] = o;
		out[o++] = '/';
		memcpy(out + o, comp, n);
		o += n;
	}
	if (!o)
		out[o++] = '/';
	out[o] = 0;
	return (int)depth;
}

/* A failed open names what the call asked for, made absolute from the kernel's own path of
 * its cwd or dirfd (the test spells some through a symlink, the kernel does not). */
static void check_failed_path(struct diff *d, const struct op *o)
{
	const struct saker_event *ev = d->last;
	const struct saker_tail_open *t = SAKER_EVENT_TAIL(ev, open);
	const char *path = ev->str[SAKER_STR_FD_NAME];
	char link[64], base[8192], want[8192];
	ssize_t n = 0;
	int comps = 0, base_comps = 0;

	/* no string, or no directory to be relative to: no name */
	if (o->bad_path || (o->path[0] != '/' && o->dirfd == 1000000)) {
		if (path)
			fail_msg("%s failed with nothing to name, yet the record has path '%.200s'",
				 o->desc, path);
		return;
	}
	if (!path)
		fail_msg("%s failed, and the record has no path", o->desc);
	if (t->oflags & SAKER_OPENF_DIR)
		fail_msg("%s failed, and the record says directory", o->desc);
	if (o->path[0] != '/') {
		if (o->dirfd == AT_FDCWD)
			snprintf(link, sizeof(link), "/proc/self/cwd");
		else
			snprintf(link, sizeof(link), "/proc/self/fd/%d", o->dirfd);
		n = readlink(link, base, sizeof(base) - 1);
	}
	if (n >= 0) {
		base[n] = 0;
		comps = textual_path(base, o->path, want, SAKER_PATH_MAX);
		for (ssize_t i = 0; i < n; i++)
			base_comps += base[i] == '/';
	}
	if (!(SAKER_EVENT_TAIL(ev, open)->oflags & SAKER_OPENF_NAME_CUT)) {
		/* the kernel could not have made it whole if it does not fit here */
		if (n < 0 || comps < 0)
			fail_msg("%s: path '%.200s' not marked truncated, but too long to be whole",
				 o->desc, path);
		if (strcmp(want, path))
			fail_msg("%s failed: path '%.300s', expected '%.300s'", o->desc, path, want);
		return;
	}
	/* a cut name is marked: SAKER_CUT_MARK, then the start of the name */
	if (strncmp(path, SAKER_CUT_MARK, SAKER_CUT_LEN) || path[SAKER_CUT_LEN] != '/' ||
	    strlen(path) != ev->str_len[SAKER_STR_FD_NAME] ||
	    !(SAKER_EVENT_TAIL(ev, open)->oflags & SAKER_OPENF_NAME_CUT))
		fail_msg("%s: truncated path '%.200s' is malformed", o->desc, path);
	/* marked cut, yet the walk of the directory (2048 components) and the path (4095 bytes,
	 * before '..' shortens it) had room (reported at the end, with the rest) */
	if (n >= 0 && comps >= 0 && base_comps < 2048 && n + 1 + strlen(o->path) < SAKER_PATH_MAX &&
	    d->spurious_trunc++ == 0)
		fprintf(stderr, "SPURIOUS TRUNCATION: '%s' is whole but marked cut\n", want);
}

/* The record of our open must say what happened: syscall, result, flags, path. */
static void check_own(struct diff *d, const struct op *o, long ret)
{
	const struct saker_event *ev = d->last;
	const struct saker_tail_open *t = SAKER_EVENT_TAIL(ev, open);
	const char *path = ev->str[SAKER_STR_FD_NAME];
	uint64_t want_flags = o->bad_how ? 0 : o->flags;
	char link[64], real[8192];
	ssize_t n;
	struct stat st;

	if (d->own != 1)
		fail_msg("%s: %d events of ours, expected 1 (so far: %lu malformed records, %lu parts "
			 "without their first; the kernel's counters: %" PRIu64 " records lost, %" PRIu64
			 " lost otherwise)",
			 o->desc, d->own, d->decode_errors, d->lost_parts, kern_stat(d, SAKER_STAT_LOST),
			 kern_stat(d, SAKER_STAT_LOST_OTHER));
	if (ev->h.nr != (uint32_t)o->nr || ev->h.event != sk_event_from_nr(SK_ARCH_X86_64, o->nr) ||
	    ev->h.arch != SK_ARCH_X86_64 || ev->h.res != ret || t->flags != want_flags ||
	    t->fd != (ret < 0 ? -1 : ret)) {
		show_event("    ", ev);
		fail_msg("%s returned %ld: the record says otherwise", o->desc, ret);
	}
	/* an unreadable open_how leaves the flags unknown, and the record must say so */
	if (!!(t->oflags & SAKER_OPENF_FLAGS_NA) != !!o->bad_how)
		fail_msg("%s: flags marked %s", o->desc,
			 o->bad_how ? "known, yet open_how was unreadable" : "unknown");
	if (ret < 0) {
		check_failed_path(d, o);
		return;
	}
	if (!path)
		fail_msg("%s: no path in the record", o->desc);
	assert_int_equal(fstat((int)ret, &st), 0);
	if (!!(t->oflags & SAKER_OPENF_DIR) != !!S_ISDIR(st.st_mode))
		fail_msg("%s: the directory bit is wrong", o->desc);
	/* the kernel's own idea of the path; too long for it means truncated for us too */
	snprintf(link, sizeof(link), "/proc/self/fd/%ld", ret);
	n = readlink(link, real, sizeof(real) - 1);
	if (n < 0) {
		if (!(ev->h.flags & SAKER_EVF_PATH_TRUNC))
			fail_msg("%s: readlink fails (%s) but the path is not marked truncated", o->desc,
				 strerror(errno));
		return;
	}
	real[n] = 0;
	if ((t->oflags & SAKER_OPENF_NAME_CUT) && !(ev->h.flags & SAKER_EVF_PATH_TRUNC))
		fail_msg("%s: fd.name marked cut, the record not", o->desc);
	if (!(t->oflags & SAKER_OPENF_NAME_CUT)) {
		if (strcmp(real, path))
			fail_msg("%s: path '%s', the kernel says '%s'", o->desc, path, real);
	} else {
		/* marked: SAKER_CUT_MARK, then the path's end */
		const char *tail = path + SAKER_CUT_LEN;
		size_t pl = strlen(tail);
		if (strncmp(path, SAKER_CUT_MARK, SAKER_CUT_LEN) ||
		    !(t->oflags & SAKER_OPENF_NAME_CUT) || (size_t)n < pl ||
		    strcmp(real + n - pl, tail) || tail[0] != '/')
			fail_msg("%s: truncated path '%s' is not a marked tail of '%s'", o->desc, path,
				 real);
		/* the whole path, yet marked cut (reported at the end, with the rest) */
		if ((size_t)n == pl && d->spurious_trunc++ == 0)
			fprintf(stderr, "SPURIOUS TRUNCATION: '%s' is whole but marked cut\n", real);
	}
}

/* A child sets its audit loginuid above 2^31 and opens DIR/a, so that the "loginuid" rule
 * sees an id whose sign bit is set. Returns 0, or -1 when this kernel does not let it. */
static int high_loginuid_open(struct diff *d)
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		char path[128];
		int fd = open("/proc/self/loginuid", O_WRONLY);
		int ok = fd >= 0 && write(fd, "4000000000", 10) == 10;

		if (fd >= 0)
			close(fd);
		snprintf(path, sizeof(path), "%s/a", d->dir);
		if (ok && (fd = open(path, O_RDONLY)) >= 0)
			close(fd);
		_exit(ok ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void drain(struct diff *d)
{
	d->own = 0;
	assert_true(ring_buffer__consume(d->rb) >= 0);
}

/* Keeps some fds open for a while, so that fd numbers vary. */
static void keep_or_close(struct diff *d, long fd)
{
	unsigned slot = pick(d, KEEP_FDS);

	if (fd < 0)
		return;
	if (!chance(d, 40)) {
		close((int)fd);
		return;
	}
	if (d->keep[slot] >= 0)
		close(d->keep[slot]);
	d->keep[slot] = (int)fd;
}

/* Detaches, closes every fd the test holds, removes the directory and frees D and O. */
static void diff_free(struct diff *d, struct op *o)
{
	char cmd[200];

	kern_close(d);
	sk_cond_ctx_free(d->ctx);
	sk_event_src_fini(&d->src);
	for (int i = 0; i < KEEP_FDS; i++)
		if (d->keep[i] >= 0)
			close(d->keep[i]);
	for (int fd = 0; fd < FD_BASE; fd++)
		if (d->filler[fd])
			close(fd);
	for (int i = 0; i < d->n_dirs; i++) {
		close(d->dirs[i].fd);
		free(d->dirs[i].abs);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", d->dir);
	sk_comp_free(d->c);
	for (int i = 0; i < PENDING; i++)
		free(d->pend[i].kernel);
	free(d->matched);
	free(d->mism);
	free(d->ev);
	free(d->last);
	free(d->last_raw);
	free(d);
	free(o);
}

#ifdef SAKER_DIFF_FILEOPS
/* ---- generated file, identity and system calls ------------------------------------------ */

struct fo {
	int dir_fd, sub_fd, file_fd;   /* DIR/fo, DIR/fo/sub, an open file in DIR/fo */
	char buf[4][PATH_MAX];
};

/* A path for the calls, in DIR/fo (the cwd): absolute, relative to the cwd or to a dirfd, with
 * '.', '..' and repeated slashes, or unreadable. Never a path outside DIR, nor a symlink to one
 * that exists: these calls rename, remove, chmod and chown what they name. */
static const char *fo_path(struct diff *d, struct fo *f, int k)
{
	static const char *const names[] = { "a", "b", "sub", "sub/b", "s1", "s2", "nope",
					     "sub/../a", "./sub//b", "../fo/a", "sub/", ".", "..",
					     "x y", "" };
	const char *n = names[pick(d, sizeof(names) / sizeof(names[0]))];

	if (chance(d, 3))
		return (const char *)8;
	if (chance(d, 30) && n[0] != '/')
		snprintf(f->buf[k], PATH_MAX, "%s/fo/%s", d->dir, n);
	else
		snprintf(f->buf[k], PATH_MAX, "%s", n);
	return f->buf[k];
}

static int fo_dirfd(struct diff *d, const struct fo *f)
{
	switch (pick(d, 5)) {
	case 0: return f->dir_fd;
	case 1: return f->sub_fd;
	case 2: return 1000000; /* EBADF */
	default: return AT_FDCWD;
	}
}

static long fo_id(struct diff *d)
{
	static const long ids[] = { 0, -1, 65534, 5, 7, 1001 };
	return ids[pick(d, sizeof(ids) / sizeof(ids[0]))];
}

static unsigned fo_mode(struct diff *d)
{
	static const unsigned modes[] = { 0644, 0777, 0700, 0750, 01777 };
	return modes[pick(d, sizeof(modes) / sizeof(modes[0]))];
}

/* Without CAP_SYS_ADMIN in the effective set (a child's, before its call). */
static void drop_sys_admin(void)
{
	struct { uint32_t version; int pid; } h = { 0x20080522, 0 }; /* _LINUX_CAPABILITY_VERSION_3 */
	struct { uint32_t effective, permitted, inheritable; } c[2];

	if (syscall(SYS_capget, &h, c) == 0) {
		c[0].effective &= ~(1u << 21);
		syscall(SYS_capset, &h, c);
	}
}

/* One call of the three families, chosen by OP, its arguments by D's generator. */
static long fo_call(struct diff *d, struct fo *f, unsigned op, char *desc, size_t dsize)
{
	static const char *const targets[] = { "a", "../fo/a", "/nonexistent-saker-diff/shadow", "" };
	static const long bpf_cmds[] = { 0, 5, 11, 12, 23, 7, 99, 1000 };
	const char *p0 = fo_path(d, f, 0), *p1 = fo_path(d, f, 1);
	const char *tg = chance(d, 5) ? (const char *)8 : targets[pick(d, 4)];

	if (chance(d, 15)) { /* an absolute target in DIR */
		snprintf(f->buf[2], PATH_MAX, "%s/fo/a", d->dir);
		tg = f->buf[2];
	}
	int d0 = fo_dirfd(d, f), d1 = fo_dirfd(d, f);
	long r = -1;

	snprintf(desc, dsize, "file op %u (%s, %s)", op, p0 == (const char *)8 ? "<unreadable>" : p0,
		 p1 == (const char *)8 ? "<unreadable>" : p1);
	errno = 0;
	switch (op) {
	case 0: r = syscall(SYS_symlink, tg, p1); break;
	case 1: r = syscall(SYS_symlinkat, tg, d1, p1); break;
	case 2: r = syscall(SYS_link, p0, p1); break;
	case 3: r = syscall(SYS_linkat, d0, p0, d1, p1, chance(d, 30) ? 0x400 : 0); break;
	case 4: r = syscall(SYS_unlink, p0); break;
	case 5: r = syscall(SYS_unlinkat, d0, p0, chance(d, 30) ? 0x200 : 0); break;
	case 6: r = syscall(SYS_rename, p0, p1); break;
	case 7: r = syscall(SYS_renameat, d0, p0, d1, p1); break;
	case 8: r = syscall(SYS_renameat2, d0, p0, d1, p1, (unsigned long)pick(d, 3)); break;
	case 9: r = syscall(SYS_mkdir, p0, fo_mode(d)); break;
	case 10: r = syscall(SYS_mkdirat, d0, p0, fo_mode(d)); break;
	case 11: r = syscall(SYS_rmdir, p0); break;
	case 12: r = syscall(SYS_chmod, p0, fo_mode(d)); break;
	case 13: r = syscall(SYS_fchmod, chance(d, 50) ? f->file_fd : f->dir_fd, fo_mode(d)); break;
	case 14: r = syscall(SYS_fchmodat, d0, p0, fo_mode(d)); break;
	case 15: r = syscall(SYS_chown, p0, fo_id(d), fo_id(d)); break;
	case 16: r = syscall(SYS_fchown, chance(d, 20) ? 1000000 : f->file_fd, fo_id(d), fo_id(d)); break;
	case 17: r = syscall(SYS_lchown, p0, fo_id(d), fo_id(d)); break;
	case 18: r = syscall(SYS_fchownat, d0, p0, fo_id(d), fo_id(d), chance(d, 30) ? 0x100 : 0); break;
	case 19:
		r = syscall(SYS_memfd_create, chance(d, 10) ? (const char *)8 : chance(d, 50) ? "sk-memfd" : "other",
			    (unsigned long)pick(d, 2));
		if (r >= 0)
			close((int)r);
		break;
	case 20:
		r = syscall(SYS_bpf, bpf_cmds[pick(d, sizeof(bpf_cmds) / sizeof(bpf_cmds[0]))], NULL, 0);
		if (r >= 0)
			close((int)r);
		break;
	case 21: r = syscall(SYS_finit_module, f->file_fd, chance(d, 50) ? "x=1" : "", 0); break;
	case 22: r = syscall(SYS_init_module, "not-a-module-image", 16UL, chance(d, 50) ? "x=1" : ""); break;
	}
	return r < 0 ? -errno : r;
}

/* An id change or a mount, which only a child may make: its events are ours too (mine). */
static void fo_child_call(struct diff *d, const struct fo *f, unsigned op, int drop)
{
	static const long nrs[] = { SYS_setuid, SYS_setgid, SYS_setreuid, SYS_setregid,
				    SYS_setresuid, SYS_setresgid };
	char mnt[PATH_MAX];
	long a = fo_id(d), b = fo_id(d), c = fo_id(d), nr = nrs[pick(d, 6)];
	int mtype = pick(d, 3), st;
	pid_t p;

	(void)f;
	snprintf(mnt, sizeof(mnt), "%s/fo/mnt", d->dir);
	p = fork();
	assert_true(p >= 0);
	if (p == 0) {
		if (drop)
			drop_sys_admin();
		if (op == 0) {
			syscall(nr, a, b, c);
		} else if (syscall(SYS_unshare, CLONE_NEWNS) == 0 &&
			   mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0) {
			mount(mtype ? "none" : (const char *)8, mnt, mtype == 2 ? "nosuchfs" : "tmpfs", 0, NULL);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(p, &st, 0), p);
}

/* N calls of the file, cred and sys families, in DIR/fo, some in children without
 * CAP_SYS_ADMIN; every record is checked by on_event (check_event) as the opens' are, and each
 * call of this thread must have reached user space (the catch-all rule). Returns the events of
 * this thread they gave. */
static unsigned long run_fileops(struct diff *d, unsigned long n)
{
	char path[PATH_MAX], desc[sizeof(((struct fo *)0)->buf[0]) * 2 + 64];
	static struct fo f;
	unsigned long own = 0, missing = 0;

	snprintf(path, sizeof(path), "%s/fo", d->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(chdir(path), 0);
	assert_int_equal(mkdir("sub", 0755), 0);
	assert_int_equal(mkdir("mnt", 0755), 0);
	touch_at(AT_FDCWD, "a");
	f.dir_fd = open(".", O_RDONLY | O_DIRECTORY);
	f.sub_fd = open("sub", O_RDONLY | O_DIRECTORY);
	f.file_fd = open("a", O_RDWR);
	assert_true(f.dir_fd >= 0 && f.sub_fd >= 0 && f.file_fd >= 0);
	drain(d);
	for (unsigned long i = 0; i < n; i++) {
		unsigned op = pick(d, 25);
		int drop = chance(d, 20);

		if (i % 40 == 0) { /* the calls remove and rename: put the names back */
			int fd;

			mkdir("sub", 0755);
			fd = openat(AT_FDCWD, "a", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
			if (fd < 0 && (unlink("a") == 0 || rmdir("a") == 0))
				fd = openat(AT_FDCWD, "a", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
			if (fd >= 0)
				close(fd);
			drain(d);
		}
		if (op >= 23) {
			snprintf(desc, sizeof(desc), "%s in a child", op == 23 ? "an id change" : "a mount");
			d->op = desc;
			fo_child_call(d, &f, op - 23, drop);
			drain(d);
			continue;
		}
		if (drop) {
			pid_t p = fork();
			int st;

			assert_true(p >= 0);
			if (p == 0) {
				drop_sys_admin();
				fo_call(d, &f, op, desc, sizeof(desc));
				_exit(0);
			}
			assert_int_equal(waitpid(p, &st, 0), p);
			d->op = "a file op in a child without CAP_SYS_ADMIN";
			drain(d);
			continue;
		}
		fo_call(d, &f, op, desc, sizeof(desc));
		d->op = desc;
		drain(d);
		own += d->own;
		if (d->own != 1 && missing++ < MAX_SHOWN)
			fprintf(stderr, "[ PROBLEM ] %s: %d events of ours, expected 1\n", desc, d->own);
	}
	close(f.dir_fd);
	close(f.sub_fd);
	close(f.file_fd);
	d->op = NULL;
	if (missing)
		fail_msg("%lu calls of the file-op families did not reach user space once", missing);
	return own;
}

#endif

/* ---- tests ------------------------------------------------------------------------------- */

/* Without root: string tests against the longest name a file can have, and against the longest
 * path the kernel side hands out, compile (they once overflowed the BPF stack). */
static void test_long_constants(void **state)
{
	static const char *const conds[] = {
		"fd.filename = \"%.255s\"", "fd.filename startswith \"%.255s\"",
		"fd.name endswith \"%.255s\"", "fd.name = \"/%.255s\"", "fd.name = \"/%.4094s\"",
		"fd.name startswith \"/%.4094s\"", "proc.exepath endswith \"%.4095s\"",
		"fd.directory in (\"/%.300s\", \"/%.2000s\", \"/%.254s\")",
		"fd.name pmatch (\"/%.255s/%.255s\", \"/%.200s/*\")",
		"fd.filename contains \"%.255s\"",
	};
	static char name[4096];
	int bad = 0;

	(void)state;
	memset(name, 'a', sizeof(name) - 1);
	for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++) {
		sk_comp *c = sk_comp_new();
		char *cond = sk_arena_printf(c->arena, conds[i], name, name, name);
		char *y = sk_arena_printf(c->arena,
			"- rule: long\n  desc: d\n  condition: evt.type = openat and %s\n"
			"  output: o\n  priority: debug\n", cond);
		uint8_t *obj = NULL;
		size_t len = 0;
		int rc = sk_load_string(c, "long.yaml", y, strlen(y));

		rc |= sk_expand(c);
		rc |= sk_check(c);
		assert_int_equal(rc, 0);
		if (compile(c, &obj, &len)) {
			fprintf(stderr, "  (for the long constant of '%.24s...')\n", conds[i]);
			bad++;
		} else if (geteuid() == 0) {
			/* and the verifier takes it */
			struct bpf_object *o = bpf_object__open_mem(obj, len, NULL);

			assert_non_null(o);
			saker_rt_skip_lsm(o);
			if (bpf_object__load(o)) {
				fprintf(stderr, "  (the kernel refused '%.24s...')\n", conds[i]);
				bad++;
			}
			bpf_object__close(o);
		}
		free(obj);
		sk_comp_free(c);
	}
	if (bad)
		fail_msg("%d rules on long constants do not compile", bad);
}

/* Without root: the whole ruleset checks and compiles, and its lowered form is what the kernel
 * test runs. */
static void test_ruleset_compiles(void **state)
{
	sk_comp *c = front("/tmp/saker-diff-none", 10, N_HAND);
	uint8_t *obj = NULL;
	size_t len = 0;

	(void)state;
	if (compile(c, &obj, &len)) {
		sk_comp_free(c);
		fail_msg("code generation refused the ruleset");
	}
	assert_true(len > 64);
	free(obj);
	sk_comp_free(c);
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

static void run_differential(size_t n_rules, unsigned long def_ops)
{
	struct diff *d;
	uint8_t *obj = NULL;
	size_t len = 0;
	char cwd[PATH_MAX];
	uint64_t seed = env_u64("SAKER_DIFF_SEED", DEFAULT_SEED);
	unsigned long n_ops = env_u64("SAKER_DIFF_OPS", def_ops), total = 0, failed_ops = 0;
	struct op *o;
	int probe;
	unsigned long base;

	if (need_root()) {
		skip();
		return;
	}
	fprintf(stderr, "[ info ] %zu rules, seed %#" PRIx64 ", %lu opens (SAKER_DIFF_SEED, SAKER_DIFF_OPS)\n",
		n_rules, seed, n_ops);
	d = calloc(1, sizeof(*d));
	assert_non_null(d);
	d->n_rules = n_rules;
	d->matched = calloc(n_rules, sizeof(*d->matched));
	d->mism = calloc(n_rules, sizeof(*d->mism));
	assert_non_null(d->matched);
	assert_non_null(d->mism);
	for (int i = 0; i < PENDING; i++) {
		d->pend[i].kernel = calloc(n_rules, 1);
		assert_non_null(d->pend[i].kernel);
	}
	o = calloc(1, sizeof(*o));
	assert_non_null(d);
	assert_non_null(o);
	assert_int_equal(sk_cond_ctx_new(&d->ctx), 0);
	sk_event_src_init(&d->src, NULL, NULL);
	d->ev = calloc(1, sizeof(*d->ev));
	d->last = calloc(1, sizeof(*d->last));
	d->last_raw = calloc(REC_WORDS, 8);
	assert_non_null(d->ev);
	assert_non_null(d->last);
	assert_non_null(d->last_raw);
	d->rng = seed ? seed : 1;
	d->pid = getpid();
	d->tid = (pid_t)syscall(SYS_gettid);
	for (int i = 0; i < KEEP_FDS; i++)
		d->keep[i] = -1;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(prctl(PR_SET_NAME, TEST_COMM), 0);
	setup_dir(d);
	d->first_fd = FD_BASE;

	d->c = front(d->dir, d->first_fd, n_rules);
	if (compile(d->c, &obj, &len)) {
		diff_free(d, o);
		fail_msg("code generation refused the ruleset");
	}
	if (kern_load(d, obj, len)) {
		diff_free(d, o);
		free(obj);
		fail_msg("the kernel refused the program (the verifier log is above)");
	}
	/* fill the fds below FD_BASE, so that the loop's fd numbers are known to the rules */
	do {
		probe = dup(0);
		assert_true(probe >= 0 && probe < FD_BASE);
		d->filler[probe] = 1;
	} while (probe < FD_BASE - 1);
	drain(d);
	base = d->events - d->foreign; /* ours before the loop (none expected) */

	for (unsigned long i = 0; i < n_ops; i++) {
		long ret;

		gen_op(d, o);
		d->op = o->desc;
		ret = run_op(o);
		drain(d);
		check_own(d, o, ret);
		total++;
		failed_ops += ret < 0;
		keep_or_close(d, ret);
	}
	drain(d);
#ifdef SAKER_DIFF_FILEOPS
	unsigned long before = d->events - d->foreign;
	unsigned long fo_own = run_fileops(d, FILEOPS_CALLS);
	/* the opens alone are counted below */
	base += d->events - d->foreign - before;
	fprintf(stderr, "[ info ] %lu calls of the file, cred and sys families of this thread\n", fo_own);
#endif
	assert_int_equal(chdir(cwd), 0);
	drain(d);
	int high_loginuid = high_loginuid_open(d) == 0;
	if (!high_loginuid)
		fprintf(stderr, "[ note ] could not set a loginuid above 2^31 here\n");
	drain(d);
	assert_int_equal(kern_stat(d, SAKER_STAT_LOST), 0);

	fprintf(stderr, "[ info ] %lu opens (%lu failed), %lu events (%lu of other processes), "
		"%lu path walks cut\n", total, failed_ops, d->events, d->foreign,
		(unsigned long)kern_stat(d, SAKER_STAT_PATH_TRUNC));
	unsigned long bad = 0;
	unsigned long never = 0;
	for (size_t i = 0; i < n_rules; i++) {
		if (d->mism[i].count)
			fprintf(stderr, "[ MISMATCH ] rule %zu '%s': %lu events disagree (kernel true in %lu)\n",
				i, rule_name(i), d->mism[i].count, d->mism[i].kernel_true);
		bad += d->mism[i].count != 0;
	}
	/* a rule the kernel never matched tests less than it seems: say so */
	for (size_t i = 0; i < N_HAND_OF(n_rules); i++)
		if (!d->matched[i])
			fprintf(stderr, "[ note ] rule %zu '%s' never matched\n", i, rule_srcs[i].name);
	for (size_t i = N_HAND; i < n_rules; i++)
		never += !d->matched[i];
	if (n_rules > N_HAND)
		fprintf(stderr, "[ info ] %lu of %zu generated rules matched some open\n",
			(unsigned long)(n_rules - N_HAND - never), n_rules - N_HAND);

	free(obj);

	/* every problem is listed before failing, so that one run shows them all */
	unsigned long problems = 0, own_total = d->events - d->foreign - base;
	if (own_total != total) /* the catch-all must see every open */
		problems += fprintf(stderr, "[ PROBLEM ] %lu events of ours for %lu opens\n", own_total, total) > 0;
	if (d->decode_errors)
		problems += fprintf(stderr, "[ PROBLEM ] %lu malformed records\n", d->decode_errors) > 0;
	if (d->missed)
		problems += fprintf(stderr, "[ PROBLEM ] %lu events a rule matches were dropped by the kernel\n",
				    d->missed) > 0;
	for (size_t i = 0; high_loginuid && i < N_HAND_OF(n_rules); i++)
		if (!strcmp(rule_srcs[i].name, "loginuid") && !d->matched[i])
			problems += fprintf(stderr, "[ PROBLEM ] the open with loginuid 4000000000 did "
					    "not match\n") > 0;
	if (d->stray_bits)
		problems += fprintf(stderr, "[ PROBLEM ] %lu rule ids beyond the last rule\n", d->stray_bits) > 0;
	if (d->lost_parts)
		problems += fprintf(stderr, "[ PROBLEM ] %lu records of events whose first records "
				    "did not arrive\n", d->lost_parts) > 0;
	if (d->spurious_trunc)
		problems += fprintf(stderr, "[ PROBLEM ] %lu whole paths marked truncated\n",
				    d->spurious_trunc) > 0;
	if (bad)
		problems += fprintf(stderr, "[ PROBLEM ] %lu of %zu rules disagree with the reference evaluator\n",
				    bad, n_rules) > 0;
	diff_free(d, o);
	if (problems)
		fail_msg("%lu problems (seed %#" PRIx64 ", %lu opens)", problems, seed, total);
}

/* The hand-written rules, then rulesets of 1, 10, 1,000 and 10,000 rules (fewer opens for the
 * big ones: the reference evaluator runs every rule on every event). */
static void test_differential(void **state)
{
	(void)state;
	run_differential(N_HAND, DEFAULT_OPS);
}

#ifndef SAKER_DIFF_FILEOPS
static void test_differential_1(void **state)
{
	(void)state;
	run_differential(1, DEFAULT_OPS);
}

static void test_differential_10(void **state)
{
	(void)state;
	run_differential(10, DEFAULT_OPS);
}

static void test_differential_1000(void **state)
{
	(void)state;
	run_differential(1000, DEFAULT_OPS * 3 / 10);
}

static void test_differential_10000(void **state)
{
	(void)state;
	run_differential(10000, DEFAULT_OPS / 10);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_constants),
		cmocka_unit_test(test_ruleset_compiles),
		cmocka_unit_test(test_differential),
#ifndef SAKER_DIFF_FILEOPS
		cmocka_unit_test(test_differential_1),
		cmocka_unit_test(test_differential_10),
		cmocka_unit_test(test_differential_1000),
		cmocka_unit_test(test_differential_10000),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
