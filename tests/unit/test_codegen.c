/* saker-test-lib: saker_driver */
/* Tests for compiler/codegen/codegen.c: rulesets built by hand as predicates, compiled to a BPF object
 * (deterministically), then, as root, loaded into the kernel and driven with real opens whose
 * events must carry exactly the expected rule ids. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
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
#include "rt.h"
#include "stack.h"
#include "rules.h"
#include "saker/event.h"
#include "saker/event_fields.h"
#include "saker/fields.h"

#define NR_OPEN    2
#define NR_CREAT   85
#define NR_OPENAT  257
#define NR_OPENAT2 437
#define NR_PTRACE  101
#define NR_EXECVE  59
#define TEST_COMM  "sk_cg_test"

/* ---- building rulesets by hand ------------------------------------------------------- */

static sk_pred *p_new(sk_comp *c, enum sk_pred_kind k)
{
	sk_pred *p = sk_arena_alloc(c->arena, sizeof(*p));

	p->kind = k;
	p->field = -1;
	p->mask = ~(uint64_t)0;
	return p;
}

static sk_pred *p_strs(sk_comp *c, int field, enum sk_cmp cmp, size_t n, const char *const *v)
{
	sk_pred *p = p_new(c, SK_P_STR);

	p->field = field;
	p->cmp = cmp;
	p->n_strs = n;
	p->strs = sk_arena_alloc(c->arena, n * sizeof(*p->strs) + 1);
	p->str_lens = sk_arena_alloc(c->arena, n * sizeof(*p->str_lens) + 1);
	for (size_t i = 0; i < n; i++) {
		p->strs[i] = sk_arena_strdup(c->arena, v[i]);
		p->str_lens[i] = strlen(v[i]);
	}
	return p;
}

static sk_pred *p_str(sk_comp *c, int field, enum sk_cmp cmp, const char *s)
{
	return p_strs(c, field, cmp, 1, &s);
}

static sk_pred *p_int(sk_comp *c, int field, enum sk_cmp cmp, int64_t v)
{
	sk_pred *p = p_new(c, SK_P_INT);

	p->field = field;
	p->cmp = cmp;
	p->ival = v;
	return p;
}

static sk_pred *p_nrs(sk_comp *c, size_t n, const int *nrs)
{
	sk_pred *p = p_new(c, SK_P_SYSCALL);

	p->ivals = sk_arena_alloc(c->arena, n * sizeof(*p->ivals) + 1);
	for (size_t i = 0; i < n; i++)
		p->ivals[i] = sk_event_from_nr(SK_ARCH_X86_64, nrs[i]);
	p->n_ivals = n;
	return p;
}

/* AND/OR/NOT of the NULL-terminated arguments. */
static sk_pred *p_op(sk_comp *c, enum sk_pred_kind k, ...)
{
	sk_pred *p = p_new(c, k);
	va_list ap;
	sk_pred *kid;

	va_start(ap, k);
	while ((kid = va_arg(ap, sk_pred *)))
		sk_arena_push(c->arena, (void ***)&p->kids, &p->n_kids, kid);
	va_end(ap);
	return p;
}

static const int open_nrs[] = { NR_OPEN, NR_CREAT, NR_OPENAT, NR_OPENAT2 };

static sk_rule *add_rule(sk_comp *c, sk_pred *pred, size_t n, const int *nrs)
{
	sk_rule *r = sk_arena_alloc(c->arena, sizeof(*r));

	r->pred = pred;
	r->syscalls = sk_arena_alloc(c->arena, n * sizeof(int) + 1);
	for (size_t i = 0; i < n; i++)
		r->syscalls[i] = sk_event_from_nr(SK_ARCH_X86_64, nrs[i]);
	r->n_syscalls = n;
	sk_arena_push(c->arena, (void ***)&c->rules, &c->n_rules, r);
	return r;
}

/* "evt.type in (open family) and fd.name = PATH and evt.is_open_write" */
static sk_pred *write_rule(sk_comp *c, const char *path)
{
	return p_op(c, SK_P_AND, p_nrs(c, 4, open_nrs), p_str(c, SK_FLD_FD_NAME, SK_CMP_EQ, path),
		    p_int(c, SK_FLD_EVT_IS_OPEN_WRITE, SK_CMP_EQ, 1), NULL);
}

static void compile_ok(sk_comp *c, const char *emit_llvm, uint8_t **obj, size_t *len)
{
	int err = sk_codegen(c, emit_llvm, obj, len);

	if (err)
		sk_diag_render(c->diag, SK_DIAG_TEXT, stderr);
	assert_int_equal(err, 0);
	assert_non_null(*obj);
	assert_true(*len > 64);
	/* an ELF64 little-endian relocatable for EM_BPF (247) */
	assert_memory_equal(*obj, "\177ELF\2\1", 6);
	assert_int_equal((*obj)[18] | ((*obj)[19] << 8), 247);
}

/* ---- compile-only tests -------------------------------------------------------------- */

static void test_deterministic(void **state)
{
	uint8_t *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;

	(void)state;
	for (int round = 0; round < 2; round++) {
		sk_comp *c = sk_comp_new();

		add_rule(c, write_rule(c, "/etc/shadow"), 4, open_nrs);
		add_rule(c, p_str(c, SK_FLD_PROC_NAME, SK_CMP_GLOB, "ba[sz]h*"), 4, open_nrs);
		compile_ok(c, NULL, round ? &b : &a, round ? &blen : &alen);
		sk_comp_free(c);
	}
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(a);
	free(b);
}

/* The stack measure (stack.h) of a bundle: every program within 6.1's limit, the deepest chain
 * running through the interpreter into a path computation, and a bad object refused. */
static void test_stack_measure(void **state)
{
	struct sk_stack_report r;
	sk_comp *c = sk_comp_new();
	uint8_t *obj = NULL;
	size_t len = 0;
	char why[256];
	int found = 0;

	(void)state;
	add_rule(c, write_rule(c, "/etc/shadow"), 4, open_nrs);
	add_rule(c, p_str(c, SK_FLD_FD_NAME, SK_CMP_CONTAINS, "shadow"), 4, open_nrs);
	compile_ok(c, NULL, &obj, &len);
	assert_int_equal(sk_stack_measure(obj, len, &r, why, sizeof(why)), 0);
	assert_true(r.n_progs >= 4);
	for (size_t i = 0; i < r.n_progs; i++) {
		assert_true(r.progs[i].bytes >= 32 && r.progs[i].bytes % 32 == 0);
		assert_true(r.progs[i].bytes <= SK_STACK_LIMIT);
		assert_true(r.progs[i].frames >= 1 && r.progs[i].frames <= SK_STACK_FRAMES);
		if (!strcmp(r.progs[i].name, "saker_sys_exit_run")) {
			found = 1;
			/* the hook, the interpreter, a load and a path walk's step at least */
			assert_true(r.progs[i].frames >= 4);
			assert_non_null(strstr(r.progs[i].chain, "saker_sys_exit_run ("));
			assert_non_null(strstr(r.progs[i].chain, "sk_ix_round ("));
			assert_non_null(strstr(r.progs[i].chain, "_step ("));
		}
	}
	assert_true(found);
	for (size_t i = 0; i < r.n_progs; i++)
		assert_true(r.progs[i].bytes <= r.progs[r.worst].bytes);
	sk_stack_free(&r);
	/* not an object: a reason, no report */
	assert_int_equal(sk_stack_measure((const uint8_t *)"not an ELF file", 15, &r, why, sizeof(why)), -1);
	assert_true(why[0] != 0);
	assert_null(r.progs);
	/* an object cut short */
	assert_int_equal(sk_stack_measure(obj, 100, &r, why, sizeof(why)), -1);
	free(obj);
	sk_comp_free(c);
}

static void test_emit_llvm(void **state)
{
	char path[] = "/tmp/saker-cg-ll-XXXXXX";
	int fd = mkstemp(path);
	sk_comp *c = sk_comp_new();
	uint8_t *obj = NULL;
	size_t len = 0;
	/* the whole module: the rule tables' constants come before the functions */
	static char buf[1 << 22];
	ssize_t n, got = 0;

	(void)state;
	assert_true(fd >= 0);
	add_rule(c, write_rule(c, "/etc/shadow"), 4, open_nrs);
	compile_ok(c, path, &obj, &len);
	while ((n = read(fd, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += n;
	assert_true(got > 0);
	buf[got] = 0;
	/* the optimised module: the program is there, the accessors were inlined away */
	assert_non_null(strstr(buf, "@saker_sys_exit("));
	assert_null(strstr(buf, "define internal i32 @saker_str_len"));
	close(fd);
	unlink(path);
	free(obj);
	sk_comp_free(c);
}

static void expect_refused(sk_pred *bad, sk_comp *c, uint32_t off)
{
	uint8_t *obj = (uint8_t *)"x";
	size_t len = 1;
	unsigned line = 0, col = 0;
	static const char src[] = "- rule: x\n  condition: abc\n";

	bad->span.file = sk_diag_add_file(c->diag, "rules.yaml", src, sizeof(src) - 1);
	bad->span.off = off;
	bad->span.len = 3;
	add_rule(c, p_op(c, SK_P_AND, p_nrs(c, 1, &open_nrs[2]), bad, NULL), 1, &open_nrs[2]);
	assert_int_equal(sk_codegen(c, NULL, &obj, &len), -1);
	assert_null(obj);
	assert_int_equal(len, 0);
	assert_int_equal(sk_diag_error_count(c->diag), 1);
	sk_diag_position(c->diag, bad->span, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 14);
}

static void test_refuses_string_order(void **state)
{
	sk_comp *c = sk_comp_new();

	(void)state;
	expect_refused(p_str(c, SK_FLD_FD_NAME, SK_CMP_LT, "/etc"), c, 23);
	sk_comp_free(c);
}

static void test_refuses_long_pattern(void **state)
{
	sk_comp *c = sk_comp_new();
	char pat[400];

	(void)state;
	memset(pat, 'a', sizeof(pat) - 1);
	pat[sizeof(pat) - 1] = 0;
	expect_refused(p_str(c, SK_FLD_FD_NAME, SK_CMP_CONTAINS, pat), c, 23);
	sk_comp_free(c);
}

/* A pmatch glob component is matched element by element, at most 255 of them per pattern. */
static void test_refuses_long_pmatch_glob(void **state)
{
	sk_comp *c = sk_comp_new();
	char pat[400];

	(void)state;
	memset(pat, 'a', sizeof(pat) - 1);
	pat[0] = '/';
	pat[sizeof(pat) - 3] = '/';
	pat[sizeof(pat) - 2] = '*';
	pat[sizeof(pat) - 1] = 0;
	expect_refused(p_str(c, SK_FLD_FD_NAME, SK_CMP_PMATCH, pat), c, 23);
	sk_comp_free(c);
}

static void test_refuses_user_field(void **state)
{
	sk_comp *c = sk_comp_new();

	(void)state;
	expect_refused(p_str(c, SK_FLD_USER_NAME, SK_CMP_EQ, "root"), c, 23);
	sk_comp_free(c);
}


struct got {
	uint64_t rules;   /* bit i: the record named rule i (for i < 64) */
	uint32_t n_rules, part, flags, oflags;
	bool has_path, has_exe;
	int64_t res;
	char path[SAKER_PATH_MAX];
	char exe[SAKER_PATH_MAX];
	char comm[SAKER_COMM_LEN];
	char cid[SAKER_CID_LEN];
	uint32_t pid, tid, vpid, vtid, uid, nr, event, arch;
	uint64_t flags_arg;
	uint64_t raw[sizeof(struct saker_event_hdr) / 8 + 2048]; /* the record itself */
	size_t size;
};

struct kern {
	struct bpf_object *obj;
	struct bpf_link *links[16];
	int n_links;
	struct ring_buffer *rb;
	int stats_fd, rule_stats_fd;
	struct got got[64];
	int n_got;
	int foreign;   /* events of other processes (ignored) */
	pid_t child;   /* a child of ours whose events count as ours, or 0 */
	size_t insns;  /* instructions of the loaded program */
	uint32_t verified;
};

#define SK_VERIFY_BUDGET 100000 /* verified instructions per program, at most */

static int on_event(void *ctx, void *data, size_t size)
{
	static struct saker_event ev;
	struct kern *k = ctx;
	struct got *g;

	/* every record the kernel sends decodes, strictly */
	assert_int_equal(saker_event_decode(data, size, &ev), 0);
	if (ev.h.pid != (uint32_t)getpid() && (!k->child || ev.h.pid != (uint32_t)k->child)) {
		k->foreign++;
		return 0;
	}
	assert_true(k->n_got < (int)(sizeof(k->got) / sizeof(k->got[0])));
	g = &k->got[k->n_got++];
	memset(g, 0, offsetof(struct got, raw));
	for (uint32_t i = 0; i < ev.h.n_rules; i++)
		if (ev.rules[i] < 64)
			g->rules |= 1ull << ev.rules[i];
	g->n_rules = ev.h.n_rules;
	g->part = ev.h.part;
	g->flags = ev.h.flags;
	g->res = ev.h.res;
	g->pid = ev.h.pid;
	g->tid = ev.h.tid;
	g->vpid = ev.h.vpid;
	g->vtid = ev.h.vtid;
	g->uid = ev.h.uid;
	g->nr = ev.h.nr;
	g->event = ev.h.event;
	g->arch = ev.h.arch;
	if (ev.h.family == SK_FAM_OPEN) {
		g->flags_arg = SAKER_EVENT_TAIL(&ev, open)->flags;
		g->oflags = SAKER_EVENT_TAIL(&ev, open)->oflags;
	}
	g->has_path = ev.str[SAKER_STR_FD_NAME] != NULL;
	g->has_exe = ev.str[SAKER_STR_EXEPATH] != NULL;
	if (ev.str[SAKER_STR_FD_NAME])
		memcpy(g->path, ev.str[SAKER_STR_FD_NAME], ev.str_len[SAKER_STR_FD_NAME] + 1);
	if (ev.str[SAKER_STR_EXEPATH])
		memcpy(g->exe, ev.str[SAKER_STR_EXEPATH], ev.str_len[SAKER_STR_EXEPATH] + 1);
	memcpy(g->comm, ev.h.comm, sizeof(g->comm));
	memcpy(g->cid, ev.h.container_id, sizeof(g->cid));
	assert_true(size <= sizeof(g->raw));
	memcpy(g->raw, data, size);
	g->size = size;
	return 0;
}

/* The record G holds, decoded again (its pointers into G). */
static void got_event(const struct got *g, struct saker_event *ev)
{
	assert_int_equal(saker_event_decode(g->raw, g->size, ev), 0);
}

/* Loads and attaches OBJ, with a counter slot for each of its N_RULES rules. */
static void kern_load(struct kern *k, const uint8_t *obj, size_t len, size_t n_rules)
{
	struct bpf_program *prog = NULL;
	struct bpf_map *m;
	struct bpf_prog_info info;
	uint32_t ilen = sizeof(info);

	memset(k, 0, sizeof(*k));
	k->obj = bpf_object__open_mem(obj, len, NULL);
	assert_non_null(k->obj);
	m = bpf_object__find_map_by_name(k->obj, SAKER_MAP_RULE_STATS);
	assert_non_null(m);
	assert_int_equal(bpf_map__set_max_entries(m, (uint32_t)n_rules), 0);
	saker_rt_skip_lsm(k->obj);
	assert_int_equal(bpf_object__load(k->obj), 0);
	while ((prog = bpf_object__next_program(k->obj, prog))) {
		if (!bpf_program__autoload(prog))
			continue; /* the LSM back end's, or on a tracepoint this kernel lacks */
		assert_true(k->n_links < 16);
		k->links[k->n_links] = bpf_program__attach(prog);
		assert_non_null(k->links[k->n_links]);
		k->n_links++;
		k->insns += bpf_program__insn_cnt(prog);
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &ilen)) {
			k->verified += info.verified_insns;
			/* A body's verification is most of sakerd's start (docs/kernel.md, "Load
			 * time"): about 43,000 instructions each here, 290,000 before the record's
			 * strings and the interpreter's rounds became bpf_loop callbacks. A count,
			 * not a time: the same on every run of one kernel. */
			if (info.verified_insns > SK_VERIFY_BUDGET)
				fail_msg("program %s: %u instructions verified, more than the budget of %u",
					 bpf_program__name(prog), info.verified_insns, SK_VERIFY_BUDGET);
		}
	}
	assert_true(k->n_links > 0);
	m = bpf_object__find_map_by_name(k->obj, SAKER_MAP_EVENTS);
	assert_non_null(m);
	k->rb = ring_buffer__new(bpf_map__fd(m), on_event, k, NULL);
	assert_non_null(k->rb);
	m = bpf_object__find_map_by_name(k->obj, SAKER_MAP_STATS);
	assert_non_null(m);
	k->stats_fd = bpf_map__fd(m);
	k->rule_stats_fd = bpf_map__fd(bpf_object__find_map_by_name(k->obj, SAKER_MAP_RULE_STATS));
}

static void kern_close(struct kern *k)
{
	ring_buffer__free(k->rb);
	for (int i = 0; i < k->n_links; i++)
		bpf_link__destroy(k->links[i]);
	bpf_object__close(k->obj);
}

static uint64_t kern_stat(struct kern *k, uint32_t which)
{
	long ncpu = libbpf_num_possible_cpus();
	uint64_t v[1024] = { 0 }, sum = 0;

	assert_true(ncpu > 0 && ncpu <= 1024);
	assert_int_equal(bpf_map_lookup_elem(k->stats_fd, &which, v), 0);
	for (long i = 0; i < ncpu; i++)
		sum += v[i];
	return sum;
}

/* Rule RULE's kernel counters, summed over the CPUs. */
static struct saker_rule_stat kern_rule_stat(struct kern *k, uint32_t rule)
{
	long ncpu = libbpf_num_possible_cpus();
	struct saker_rule_stat v[1024], sum = { 0 };

	assert_true(ncpu > 0 && ncpu <= 1024);
	assert_int_equal(bpf_map_lookup_elem(k->rule_stats_fd, &rule, v), 0);
	for (long i = 0; i < ncpu; i++) {
		sum.matched += v[i].matched;
		sum.emitted += v[i].emitted;
		sum.lost += v[i].lost;
	}
	return sum;
}

/* Drains the ring buffer: the events of this process since the last call. */
static void kern_drain(struct kern *k)
{
	k->n_got = 0;
	assert_true(ring_buffer__consume(k->rb) >= 0);
}

static uint64_t bit(int rule)
{
	return 1ull << rule;
}

/* After one action: exactly one record whose rules are BITS (or none when BITS is 0). */
static const struct got *expect_one(struct kern *k, uint64_t bits, const char *what)
{
	kern_drain(k);
	if (!bits) {
		if (k->n_got)
			fail_msg("%s: expected no event, got %d (rules 0x%llx, path '%s')", what,
				 k->n_got, (unsigned long long)k->got[0].rules, k->got[0].path);
		return NULL;
	}
	if (k->n_got != 1)
		fail_msg("%s: expected one event, got %d", what, k->n_got);
	if (k->got[0].rules != bits)
		fail_msg("%s: rules 0x%llx, expected 0x%llx (path '%s')", what,
			 (unsigned long long)k->got[0].rules, (unsigned long long)bits, k->got[0].path);
	assert_int_equal(k->got[0].n_rules, __builtin_popcountll(bits));
	assert_int_equal(k->got[0].part, 0);
	assert_false(k->got[0].flags & SAKER_EVF_MORE);
	return &k->got[0];
}

/* Detaches K and frees it, OBJ and C, and removes the test's directory DIR. */
static void kern_done(struct kern *k, uint8_t *obj, sk_comp *c, const char *dir)
{
	char cmd[PATH_MAX + 16];

	kern_close(k);
	free(k);
	free(obj);
	sk_comp_free(c);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int xopen(const char *path, int flags)
{
	int fd = open(path, flags, 0644);

	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	return fd;
}

/* The kernel test's ruleset; R_* are the rule ids. */
enum { R_WRITE, R_PASSWD, R_GLOB, R_LOG, R_FAIL, R_NEVER, R_PMATCH, R_DIR, R_ICASE, R_FAILW,
       R_FAILD, R_NOPATH, R__N };

static void build_kernel_rules(sk_comp *c, const char *dir, const char *exe)
{
	static const int openat_nr[] = { NR_OPENAT };
	char *target = sk_arena_printf(c->arena, "%s/target", dir);
	const char *pm[] = { sk_arena_printf(c->arena, "%s/pm", dir), "/nonexistent/dir" };
	const char *failw[] = { sk_arena_printf(c->arena, "%s/secret", dir),
				sk_arena_printf(c->arena, "%s/gone", dir),
				sk_arena_printf(c->arena, "%s/sub/gone", dir) };

	/* R_WRITE: write opens of DIR/target, whatever the syscall and path spelling */
	add_rule(c, write_rule(c, target), 4, open_nrs);
	/* R_PASSWD: this process reading /etc/passwd */
	add_rule(c,
		 p_op(c, SK_P_AND, p_str(c, SK_FLD_FD_NAME, SK_CMP_EQ, "/etc/passwd"),
		      p_int(c, SK_FLD_EVT_IS_OPEN_READ, SK_CMP_EQ, 1),
		      p_str(c, SK_FLD_PROC_NAME, SK_CMP_EQ, TEST_COMM), NULL),
		 4, open_nrs);
	/* R_GLOB: a real glob (classes, '?', '*') within DIR */
	add_rule(c,
		 p_op(c, SK_P_AND, p_str(c, SK_FLD_FD_DIRECTORY, SK_CMP_EQ, dir),
		      p_str(c, SK_FLD_FD_FILENAME, SK_CMP_PREFIX, "glob"),
		      p_str(c, SK_FLD_FD_NAME, SK_CMP_GLOB, "*/glob-[a-c]?.t*t"), NULL),
		 4, open_nrs);
	/* R_LOG: suffix, contains, container id, uid and pid */
	add_rule(c,
		 p_op(c, SK_P_AND, p_str(c, SK_FLD_FD_FILENAME, SK_CMP_SUFFIX, ".log"),
		      p_str(c, SK_FLD_FD_NAME, SK_CMP_CONTAINS, "/sub/"),
		      p_str(c, SK_FLD_CONTAINER_ID, SK_CMP_EQ, "host"),
		      p_int(c, SK_FLD_USER_UID, SK_CMP_EQ, geteuid()),
		      p_int(c, SK_FLD_PROC_PID, SK_CMP_EQ, getpid()),
		      p_str(c, SK_FLD_FD_NAME, SK_CMP_PREFIX, dir), NULL),
		 4, open_nrs);
	/* R_FAIL: failed openat by this executable */
	add_rule(c,
		 p_op(c, SK_P_AND, p_int(c, SK_FLD_EVT_FAILED, SK_CMP_EQ, 1),
		      p_int(c, SK_FLD_FD_NUM, SK_CMP_EQ, -1),
		      p_int(c, SK_FLD_EVT_RAWRES, SK_CMP_EQ, -ENOENT),
		      p_str(c, SK_FLD_PROC_EXEPATH, SK_CMP_EQ, exe),
		      p_str(c, SK_FLD_PROC_NAME, SK_CMP_EQ, TEST_COMM), NULL),
		 1, openat_nr);
	/* R_NEVER: as in Falco, a failed open has no fd.filename and no fd.type, so even != is
	 * false */
	add_rule(c,
		 p_op(c, SK_P_AND, p_int(c, SK_FLD_EVT_FAILED, SK_CMP_EQ, 1),
		      p_op(c, SK_P_OR, p_str(c, SK_FLD_FD_FILENAME, SK_CMP_NE, "x"),
			   p_str(c, SK_FLD_FD_TYPE, SK_CMP_NE, "x"), NULL), NULL),
		 4, open_nrs);
	/* R_PMATCH: anything under DIR/pm */
	add_rule(c, p_op(c, SK_P_AND, p_strs(c, SK_FLD_FD_NAME, SK_CMP_PMATCH, 2, pm),
			 p_op(c, SK_P_NOT, p_int(c, SK_FLD_EVT_IS_OPEN_CREATE, SK_CMP_EQ, 0), NULL),
			 NULL),
		 4, open_nrs);
	/* R_DIR: directories opened in DIR */
	add_rule(c,
		 p_op(c, SK_P_AND, p_str(c, SK_FLD_FD_TYPECHAR, SK_CMP_EQ, "d"),
		      p_str(c, SK_FLD_FD_TYPE, SK_CMP_IN, "directory"),
		      p_str(c, SK_FLD_FD_NAME, SK_CMP_PREFIX, dir),
		      p_op(c, SK_P_OR, p_str(c, SK_FLD_PROC_NAME, SK_CMP_EQ, "nope"),
			   p_str(c, SK_FLD_PROC_NAME, SK_CMP_ICONTAINS, "cg_test"), NULL), NULL),
		 4, open_nrs);
	/* R_ICASE: case-insensitive contains */
	add_rule(c, p_str(c, SK_FLD_FD_NAME, SK_CMP_ICONTAINS, "/mixed-case"), 4, open_nrs);
	/* R_FAILW: failed write opens, by the absolute name the call meant */
	add_rule(c,
		 p_op(c, SK_P_AND, p_int(c, SK_FLD_EVT_FAILED, SK_CMP_EQ, 1),
		      p_int(c, SK_FLD_EVT_IS_OPEN_WRITE, SK_CMP_EQ, 1),
		      p_strs(c, SK_FLD_FD_NAME, SK_CMP_IN, 3, failw), NULL),
		 4, open_nrs);
	/* R_FAILD: failed opens in DIR/sub, typed 'f' as Falco types them */
	add_rule(c,
		 p_op(c, SK_P_AND, p_int(c, SK_FLD_FD_NUM, SK_CMP_EQ, -1),
		      p_str(c, SK_FLD_FD_DIRECTORY, SK_CMP_EQ, sk_arena_printf(c->arena, "%s/sub", dir)),
		      p_str(c, SK_FLD_FD_TYPECHAR, SK_CMP_EQ, "f"), NULL),
		 4, open_nrs);
	/* R_NOPATH: failed opens of ours with no fd.name at all, still typed 'f' */
	add_rule(c,
		 p_op(c, SK_P_AND, p_int(c, SK_FLD_EVT_FAILED, SK_CMP_EQ, 1),
		      p_op(c, SK_P_NOT, p_str(c, SK_FLD_FD_NAME, SK_CMP_PREFIX, "/"), NULL),
		      p_str(c, SK_FLD_FD_TYPECHAR, SK_CMP_EQ, "f"),
		      p_str(c, SK_FLD_PROC_NAME, SK_CMP_EQ, TEST_COMM), NULL),
		 4, open_nrs);
	assert_int_equal(c->n_rules, R__N);
}

/* In a child that is not root: a write open of DIR/secret (root's, mode 0600) must fail with
 * EACCES. Returns the child's pid once it is done. */
static pid_t denied_write(const char *path)
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int fd;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		fd = open(path, O_WRONLY);
		_exit(fd < 0 && errno == EACCES ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return pid;
}

/* Failed opens carry the path the call named: absolute, or joined with the cwd or the dirfd's
 * path, normalised as text; the rules see it like any other fd.name. */
static void test_failed_opens(struct kern *k, const char *dir)
{
	struct open_how how = { .flags = O_WRONLY };
	char buf[PATH_MAX + 64], cwd[PATH_MAX], up[PATH_MAX];
	const struct got *g;
	int fd, dfd;
	pid_t pid;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(buf, sizeof(buf), "%s/sub", dir);
	if (mkdir(buf, 0755))
		assert_int_equal(errno, EEXIST);
	/* an unprivileged write attempt on a file of root's: EACCES, and the rule still sees it */
	assert_int_equal(chmod(dir, 0755), 0);
	snprintf(buf, sizeof(buf), "%s/secret", dir);
	fd = open(buf, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	kern_drain(k);
	k->child = pid = denied_write(buf);
	g = expect_one(k, bit(R_FAILW), "write open refused (EACCES)");
	k->child = 0;
	assert_int_equal(g->res, -EACCES);
	assert_int_equal(g->uid, 65534);
	assert_int_equal(g->pid, pid);
	assert_string_equal(g->path, buf);

	/* relative to the cwd, through open(2) */
	assert_int_equal(chdir(dir), 0);
	assert_true(syscall(SYS_open, "gone", O_WRONLY) < 0);
	snprintf(buf, sizeof(buf), "%s/gone", dir);
	g = expect_one(k, bit(R_FAILW), "failed relative open");
	assert_int_equal(g->res, -ENOENT);
	assert_string_equal(g->path, buf);
	/* '..' cannot climb above the root, and a missing directory before a '..' is text */
	snprintf(up, sizeof(up), "../../../../../../../../..%s/./nodir/..//sub/gone", dir);
	assert_true(syscall(SYS_open, up, O_WRONLY) < 0);
	snprintf(buf, sizeof(buf), "%s/sub/gone", dir);
	g = expect_one(k, bit(R_FAILW) | bit(R_FAILD), "failed open with '..' above the root");
	assert_string_equal(g->path, buf);
	assert_int_equal(chdir(cwd), 0);

	/* relative to a dirfd, through openat2 */
	dfd = xopen(dir, O_RDONLY | O_DIRECTORY);
	kern_drain(k);
	assert_true(syscall(SYS_openat2, dfd, "sub/gone", &how, sizeof(how)) < 0);
	g = expect_one(k, bit(R_FAILW) | bit(R_FAILD), "failed open relative to a dirfd");
	assert_int_equal(g->nr, NR_OPENAT2);
	assert_string_equal(g->path, buf);
	/* '.', '..' and '//' in an absolute path, through creat(2) */
	snprintf(up, sizeof(up), "%s/./sub/..//nodir/./../gone", dir);
	assert_true(syscall(SYS_creat, up, 0644) < 0);
	snprintf(buf, sizeof(buf), "%s/gone", dir);
	g = expect_one(k, bit(R_FAILW), "failed creat with '.', '..' and '//'");
	assert_int_equal(g->nr, NR_CREAT);
	assert_string_equal(g->path, buf);
	/* '..' back out of a dirfd, and a trailing '/' */
	assert_true(openat(dfd, "sub/../sub//gone/", O_WRONLY) < 0);
	snprintf(buf, sizeof(buf), "%s/sub/gone", dir);
	g = expect_one(k, bit(R_FAILW) | bit(R_FAILD) | bit(R_FAIL),
		       "failed openat with '..' from a dirfd");
	assert_string_equal(g->path, buf);
	/* EEXIST on the file R_WRITE watches: the attempt alerts as Falco's would */
	snprintf(buf, sizeof(buf), "%s/target", dir);
	assert_true(open(buf, O_WRONLY | O_CREAT | O_EXCL, 0644) < 0);
	g = expect_one(k, bit(R_WRITE), "write open refused (EEXIST)");
	assert_int_equal(g->res, -EEXIST);
	assert_string_equal(g->path, buf);
	/* nothing to name: an unreadable string, a descriptor that is not open */
	assert_true(syscall(SYS_openat, AT_FDCWD, (void *)8, O_WRONLY) < 0);
	g = expect_one(k, bit(R_NOPATH), "unreadable path");
	assert_int_equal(g->res, -EFAULT);
	assert_false(g->has_path);
	assert_true(openat(1000000, "gone", O_WRONLY) < 0);
	g = expect_one(k, bit(R_NOPATH), "bad dirfd");
	assert_int_equal(g->res, -EBADF);
	assert_false(g->has_path);
	close(dfd);
	kern_drain(k);
}

/* An i386 syscall from this 64-bit process, through int $0x80: the compat entry, with i386
 * numbers and the i386 argument registers (pointers must be below 4 GiB). */
static long int80(long nr, long bx, long cx, long dx, long si, long di)
{
	long ret;

	asm volatile("int $0x80"
		     : "=a"(ret)
		     : "a"(nr), "b"(bx), "c"(cx), "d"(dx), "S"(si), "D"(di)
		     : "memory", "r8", "r9", "r10", "r11");
	return ret;
}

/* i386 calls are told apart from x86-64 ones by the task's compat status, numbered and read as
 * i386 calls: open (5) and openat (295) alert as their 64-bit twins; readlink (85, creat on
 * x86-64) and remap_file_pages (257, openat on x86-64) with registers set up like a write open
 * of the watched file do not. */
static void test_compat_calls(struct kern *k, const char *dir)
{
	char *low = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
			 -1, 0);
	char *target = low, *link = low + 4096, *buf = low + 6144;
	const struct got *g;
	long fd, n;
	int wfd;

	assert_true(low != MAP_FAILED);
	snprintf(target, 4096, "%s/target", dir);
	kern_drain(k);
	fd = int80(5, (long)target, O_WRONLY, 0, 0, 0);
	assert_true(fd >= 0);
	close((int)fd);
	g = expect_one(k, bit(R_WRITE), "i386 open(2)");
	assert_int_equal(g->event, SK_EV_OPEN);
	assert_int_equal(g->nr, 5);
	assert_int_equal(g->arch, SK_ARCH_I386);
	assert_true(g->flags & SAKER_EVF_COMPAT);
	assert_string_equal(g->path, target);
	assert_int_equal(g->flags_arg & O_ACCMODE, O_WRONLY);
	fd = int80(295, AT_FDCWD, (long)target, O_RDWR, 0, 0);
	assert_true(fd >= 0);
	close((int)fd);
	g = expect_one(k, bit(R_WRITE), "i386 openat(2)");
	assert_int_equal(g->event, SK_EV_OPENAT);
	assert_int_equal(g->nr, 295);
	assert_string_equal(g->path, target);
	fd = int80(5, (long)target, O_RDONLY, 0, 0, 0);
	assert_true(fd >= 0);
	close((int)fd);
	expect_one(k, 0, "i386 read open");

	/* readlink returns the length of the link's target: make it the number of a descriptor
	 * open on the watched file for writing, as creat would return it; edi holds the watched
	 * path, as creat's x86-64 path register would */
	wfd = open(target, O_WRONLY);
	assert_true(wfd >= 0);
	kern_drain(k);
	memset(buf, 'x', (size_t)wfd);
	buf[wfd] = 0;
	snprintf(link, 1024, "%s/fdlink", dir);
	assert_int_equal(symlink(buf, link), 0);
	n = int80(85, (long)link, (long)buf, 64, 0, (long)target);
	assert_int_equal(n, wfd);
	expect_one(k, 0, "i386 readlink (creat's x86-64 number)");
	/* remap_file_pages with edi = AT_FDCWD, esi = the watched path, edx = O_WRONLY: openat's
	 * x86-64 registers for a write open of it */
	n = int80(257, 0, 0, O_WRONLY, (long)target, AT_FDCWD);
	assert_true(n < 0);
	expect_one(k, 0, "i386 remap_file_pages (openat's x86-64 number)");
	close(wfd);
	unlink(link);
	munmap(low, 8192);
	kern_drain(k);
}

static void test_kernel_events(void **state)
{
	char dir[] = "/tmp/saker-cg-XXXXXX";
	char exe[PATH_MAX], buf[PATH_MAX + 64], cwd[PATH_MAX];
	ssize_t n;
	sk_comp *c;
	uint8_t *obj = NULL;
	size_t len = 0;
	struct kern *k;
	const struct got *g;
	int fd, dfd;
	struct open_how how = { .flags = O_WRONLY };

	(void)state;
	if (need_root()) {
		skip();
		return;
	}
	assert_non_null(mkdtemp(dir));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = 0;
	assert_int_equal(prctl(PR_SET_NAME, TEST_COMM), 0);
	assert_non_null(getcwd(cwd, sizeof(cwd)));

	c = sk_comp_new();
	build_kernel_rules(c, dir, exe);
	compile_ok(c, NULL, &obj, &len);
	k = calloc(1, sizeof(*k));
	assert_non_null(k);
	kern_load(k, obj, len, c->n_rules);
	fprintf(stderr, "[ info ] %d-rule program: %zu instructions, %u verified\n", R__N, k->insns,
		k->verified);

	snprintf(buf, sizeof(buf), "%s/target", dir);
	kern_drain(k);
	close(xopen(buf, O_WRONLY | O_CREAT));
	g = expect_one(k, bit(R_WRITE), "write open");
	assert_string_equal(g->path, buf);
	assert_int_equal(g->nr, NR_OPENAT);
	assert_int_equal(g->arch, SK_ARCH_X86_64);
	assert_int_equal(g->event, SK_EV_OPENAT);
	assert_false(g->flags & SAKER_EVF_COMPAT);
	assert_int_equal(g->flags_arg & O_ACCMODE, O_WRONLY);
	assert_true(g->has_path);
	assert_true(g->has_exe);
	assert_false(g->oflags & SAKER_OPENF_DIR);
	assert_string_equal(g->exe, exe);
	assert_string_equal(g->comm, TEST_COMM);
	assert_string_equal(g->cid, "host");
	assert_int_equal(g->pid, getpid());
	assert_int_equal(g->tid, syscall(SYS_gettid));
	assert_int_equal(g->uid, geteuid());
	assert_true(g->res >= 0);

	close(xopen(buf, O_RDONLY));
	expect_one(k, 0, "read open");

	assert_int_equal(chdir(dir), 0);
	close(xopen("target", O_RDWR));
	g = expect_one(k, bit(R_WRITE), "relative open");
	assert_string_equal(g->path, buf);
	assert_int_equal(chdir(cwd), 0);

	snprintf(buf, sizeof(buf), "%s/link", dir);
	assert_int_equal(symlink("target", buf), 0);
	close(xopen(buf, O_WRONLY));
	expect_one(k, bit(R_WRITE), "open through a symlink");

	dfd = xopen(dir, O_RDONLY | O_DIRECTORY);
	g = expect_one(k, bit(R_DIR), "directory open");
	assert_true(g->oflags & SAKER_OPENF_DIR);
	assert_string_equal(g->path, dir);
	fd = openat(dfd, "target", O_WRONLY);
	assert_true(fd >= 0);
	close(fd);
	expect_one(k, bit(R_WRITE), "open relative to a dirfd");

	snprintf(buf, sizeof(buf), "%s/target", dir);
	fd = syscall(SYS_openat2, AT_FDCWD, buf, &how, sizeof(how));
	assert_true(fd >= 0);
	close(fd);
	g = expect_one(k, bit(R_WRITE), "openat2");
	assert_int_equal(g->nr, NR_OPENAT2);
	fd = syscall(SYS_open, buf, O_WRONLY);
	assert_true(fd >= 0);
	close(fd);
	g = expect_one(k, bit(R_WRITE), "open(2)");
	assert_int_equal(g->nr, NR_OPEN);
	fd = syscall(SYS_creat, buf, 0644);
	assert_true(fd >= 0);
	close(fd);
	g = expect_one(k, bit(R_WRITE), "creat(2)");
	assert_int_equal(g->flags_arg, O_CREAT | O_WRONLY | O_TRUNC);
	how.flags = O_RDONLY;
	fd = syscall(SYS_openat2, dfd, "target", &how, sizeof(how));
	assert_true(fd >= 0);
	close(fd);
	expect_one(k, 0, "openat2 read");

	close(xopen("/etc/passwd", O_RDONLY));
	expect_one(k, bit(R_PASSWD), "/etc/passwd read");

	snprintf(buf, sizeof(buf), "%s/glob-b1.txt", dir);
	close(xopen(buf, O_WRONLY | O_CREAT));
	expect_one(k, bit(R_GLOB), "glob match");
	snprintf(buf, sizeof(buf), "%s/glob-d1.txt", dir);
	close(xopen(buf, O_WRONLY | O_CREAT));
	expect_one(k, 0, "glob class mismatch");
	snprintf(buf, sizeof(buf), "%s/glob-a12.txt", dir);
	close(xopen(buf, O_WRONLY | O_CREAT));
	expect_one(k, 0, "glob '?' mismatch");
	snprintf(buf, sizeof(buf), "%s/glob-cX.tnnt", dir);
	close(xopen(buf, O_WRONLY | O_CREAT));
	expect_one(k, bit(R_GLOB), "glob star match");

	snprintf(buf, sizeof(buf), "%s/sub", dir);
	assert_int_equal(mkdir(buf, 0755), 0);
	snprintf(buf, sizeof(buf), "%s/sub/app.log", dir);
	close(xopen(buf, O_WRONLY | O_CREAT));
	expect_one(k, bit(R_LOG), "suffix and contains");
	snprintf(buf, sizeof(buf), "%s/sub/app.txt", dir);
	close(xopen(buf, O_WRONLY | O_CREAT));
	expect_one(k, 0, "suffix mismatch");

	snprintf(buf, sizeof(buf), "%s/missing", dir);
	assert_true(open(buf, O_RDONLY) < 0);
	g = expect_one(k, bit(R_FAIL), "failed open");
	assert_int_equal(g->res, -ENOENT);
	/* the path the call named, as Falco has it */
	assert_true(g->has_path);
	assert_false(g->oflags & SAKER_OPENF_DIR);
	assert_false(g->flags & (SAKER_EVF_PATH_TRUNC | SAKER_EVF_ARG_TRUNC));
	assert_string_equal(g->path, buf);

	test_failed_opens(k, dir);

	snprintf(buf, sizeof(buf), "%s/pm", dir);
	assert_int_equal(mkdir(buf, 0755), 0);
	snprintf(buf, sizeof(buf), "%s/pm/x", dir);
	close(xopen(buf, O_WRONLY | O_CREAT));
	expect_one(k, bit(R_PMATCH), "pmatch below");
	snprintf(buf, sizeof(buf), "%s/pmx", dir);
	close(xopen(buf, O_WRONLY | O_CREAT));
	expect_one(k, 0, "pmatch sibling");

	snprintf(buf, sizeof(buf), "%s/MiXeD-Case", dir);
	close(xopen(buf, O_WRONLY | O_CREAT));
	expect_one(k, bit(R_ICASE), "icontains");

	test_compat_calls(k, dir);

	assert_int_equal(kern_stat(k, SAKER_STAT_LOST), 0);
	/* every rule's records were sent: the kernel's counters agree with what arrived */
	for (int r = 0; r < R__N; r++) {
		struct saker_rule_stat rs = kern_rule_stat(k, (uint32_t)r);

		assert_int_equal(rs.lost, 0);
		assert_int_equal(rs.matched, rs.emitted);
		assert_true(rs.matched > 0 || r == R_NEVER);
	}
	assert_true(kern_stat(k, SAKER_STAT_SEEN) >= kern_stat(k, SAKER_STAT_MATCHED));
	assert_true(kern_stat(k, SAKER_STAT_MATCHED) >= 24);

	close(dfd);
	kern_done(k, obj, c, dir);
}

/* More rules match one event than a record carries ids: the event comes as several records,
 * parts 0, 1, ..., all but the last marked MORE, and every rule is named exactly once. */
static void test_kernel_many_matches(void **state)
{
	enum { N = 3 * SAKER_REC_RULES - 5 };
	char dir[] = "/tmp/saker-cg-many-XXXXXX", path[PATH_MAX];
	static unsigned seen[N];
	struct saker_event first;
	sk_comp *c;
	uint8_t *obj = NULL;
	size_t len = 0;
	struct kern *k;
	unsigned ids = 0;

	(void)state;
	if (need_root()) {
		skip();
		return;
	}
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/many", dir);
	c = sk_comp_new();
	for (int i = 0; i < N; i++)
		add_rule(c, write_rule(c, path), 4, open_nrs);
	compile_ok(c, NULL, &obj, &len);
	k = calloc(1, sizeof(*k));
	assert_non_null(k);
	kern_load(k, obj, len, c->n_rules);
	kern_drain(k);
	close(xopen(path, O_WRONLY | O_CREAT));
	kern_drain(k);
	assert_int_equal(k->n_got, 3);
	got_event(&k->got[0], &first);
	for (int r = 0; r < k->n_got; r++) {
		struct saker_event ev;

		got_event(&k->got[r], &ev);
		assert_int_equal(ev.h.part, r);
		assert_int_equal(!!(ev.h.flags & SAKER_EVF_MORE), r < 2);
		assert_int_equal(ev.h.n_rules, r < 2 ? SAKER_REC_RULES : N - 2 * SAKER_REC_RULES);
		assert_string_equal(ev.str[SAKER_STR_FD_NAME], path);
		assert_int_equal(ev.h.ts_ns, first.h.ts_ns); /* one event: the same time */
		for (unsigned i = 0; i < ev.h.n_rules; i++) {
			assert_true(ev.rules[i] < N);
			seen[ev.rules[i]]++;
			ids++;
		}
	}
	assert_int_equal(ids, N);
	for (int i = 0; i < N; i++) {
		struct saker_rule_stat rs = kern_rule_stat(k, (uint32_t)i);

		assert_int_equal(seen[i], 1);
		assert_int_equal(rs.matched, 1);
		assert_int_equal(rs.emitted, 1);
		assert_int_equal(rs.lost, 0);
	}
	assert_int_equal(kern_stat(k, SAKER_STAT_RECORDS), 3);
	assert_int_equal(kern_stat(k, SAKER_STAT_MATCHED), 1);
	kern_done(k, obj, c, dir);
}

/* One rule per field the kernel computes, "the field has a value", on every hooked event: for
 * an open and for a ptrace call, each rule's verdict in the kernel equals the reference
 * evaluator's on the record, which reads fields.def's families. So each family's template
 * provides exactly the fields the table gives it, and codegen refuses none of them. */
/* The value of FIELD[ARG] in EV as text, "" when missing. */
static const char *ev_text(const struct saker_event *ev, int field, const char *arg, char *buf)
{
	static char scratch[SK_FIELD_SCRATCH];
	struct sk_field_value v;

	sk_event_field_arg(ev, field, arg, &v, scratch);
	switch (v.kind) {
	case SK_VAL_STR:
		snprintf(buf, PATH_MAX, "%s", v.s);
		break;
	case SK_VAL_I64:
		snprintf(buf, PATH_MAX, "%lld", (long long)v.i);
		break;
	case SK_VAL_U64:
		snprintf(buf, PATH_MAX, "%llu", (unsigned long long)v.u);
		break;
	case SK_VAL_BOOL:
		snprintf(buf, PATH_MAX, "%s", v.b ? "true" : "false");
		break;
	default:
		buf[0] = 0;
	}
	return buf;
}

/* The process fields of a record of this process, against what /proc and the C library say. */
static void check_process_fields(const struct saker_event *ev)
{
	char want[PATH_MAX], got[PATH_MAX], cmd[SAKER_ARGS_MAX], stat[1024], *p;
	ssize_t n;
	int fd, tty = -1;
	FILE *f;

	assert_true(ev->h.flags & SAKER_EVF_PROC);
	/* argv[0] and the rest of /proc/self/cmdline */
	fd = open("/proc/self/cmdline", O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, cmd, sizeof(cmd) - 1);
	close(fd);
	assert_true(n > 0);
	cmd[n] = 0;
	assert_string_equal(ev_text(ev, SK_FLD_PROC_EXE, NULL, got), cmd);
	for (ssize_t i = (ssize_t)strlen(cmd) + 1; i < n - 1; i++)
		if (!cmd[i])
			cmd[i] = ' ';
	assert_string_equal(ev_text(ev, SK_FLD_PROC_ARGS, NULL, got),
			    (size_t)n > strlen(cmd) + 1 ? cmd + strlen(cmd) + 1 : "");
	snprintf(want, sizeof(want), "%s%s%s", TEST_COMM,
		 (size_t)n > strlen(cmd) + 1 ? " " : "", (size_t)n > strlen(cmd) + 1 ? cmd + strlen(cmd) + 1 : "");
	assert_string_equal(ev_text(ev, SK_FLD_PROC_CMDLINE, NULL, got), want);
	assert_non_null(getcwd(want, sizeof(want) - 1));
	if (strcmp(want, "/"))
		strcat(want, "/");
	assert_string_equal(ev_text(ev, SK_FLD_PROC_CWD, NULL, got), want);
	snprintf(want, sizeof(want), "%d", (int)getsid(0));
	assert_string_equal(ev_text(ev, SK_FLD_PROC_SID, NULL, got), want);
	/* tty_nr, field 7 of /proc/self/stat */
	f = fopen("/proc/self/stat", "r");
	assert_non_null(f);
	assert_non_null(fgets(stat, sizeof(stat), f));
	fclose(f);
	p = strrchr(stat, ')');
	assert_non_null(p);
	assert_int_equal(sscanf(p + 1, " %*c %*d %*d %*d %d", &tty), 1);
	snprintf(want, sizeof(want), "%d", tty);
	assert_string_equal(ev_text(ev, SK_FLD_PROC_TTY, NULL, got), want);
	assert_true(atoll(ev_text(ev, SK_FLD_PROC_DURATION, NULL, got)) > 0);
	assert_string_equal(ev_text(ev, SK_FLD_PROC_IS_EXE_FROM_MEMFD, NULL, got), "false");
	/* the parent's name, as its /proc entry has it */
	snprintf(want, sizeof(want), "/proc/%d/comm", (int)getppid());
	f = fopen(want, "r");
	assert_non_null(f);
	assert_non_null(fgets(want, sizeof(want), f));
	fclose(f);
	want[strcspn(want, "\n")] = 0;
	assert_string_equal(ev_text(ev, SK_FLD_PROC_ANAME, "1", got), want);
	assert_string_equal(ev_text(ev, SK_FLD_PROC_ANAME, "0", got), TEST_COMM);
}

/* One pass of test_kernel_field_families over the kernel fields FIRST .. FIRST + 59 (a record
 * says which rules held in a 64-bit mask). Returns how many fields it checked. */
static size_t kernel_field_families_pass(size_t first)
{
	static const int hooked_nrs[] = { NR_OPEN, NR_CREAT, NR_OPENAT, NR_OPENAT2, NR_PTRACE,
					  SYS_symlinkat, SYS_linkat, SYS_renameat2, SYS_unlinkat,
					  SYS_mkdirat, SYS_fchmodat, SYS_fchown, SYS_chown, SYS_setuid,
					  SYS_setresgid, SYS_memfd_create, SYS_bpf, SYS_finit_module,
					  SYS_init_module, SYS_mount, NR_EXECVE };
	const size_t n_hooked = sizeof(hooked_nrs) / sizeof(hooked_nrs[0]);
	char *low;
	char dir[] = "/tmp/saker-cg-fam-XXXXXX", path[PATH_MAX];
	int fields[SK_FLD__COUNT];
	size_t n = 0, idx = 0;
	sk_comp *c;
	uint8_t *obj = NULL;
	size_t len = 0;
	struct kern *k;
	int checked[SK_FAM__COUNT] = { 0 };
	char low_path[PATH_MAX];

	assert_non_null(mkdtemp(dir));
	assert_int_equal(prctl(PR_SET_NAME, TEST_COMM), 0);
	c = sk_comp_new();
	for (int f = 0; f < SK_FLD__COUNT; f++) {
		const struct sk_field_info *fi = &sk_fields[f];
		sk_pred *p;

		if (fi->where != SK_W_KERNEL || !fi->k.families || (fi->k.kflags & SK_K_LOWERED))
			continue;
		if (idx++ < first || n >= 60)
			continue;
		if (fi->type == SK_T_STR)
			p = p_str(c, f, SK_CMP_PREFIX, "");
		else
			p = p_int(c, f, SK_CMP_GE, INT64_MIN);
		add_rule(c, p, n_hooked, hooked_nrs);
		fields[n++] = f;
	}
	if (!n) {
		sk_comp_free(c);
		rmdir(dir);
		return 0;
	}
	compile_ok(c, NULL, &obj, &len);
	k = calloc(1, sizeof(*k));
	assert_non_null(k);
	kern_load(k, obj, len, c->n_rules);
	kern_drain(k);
	snprintf(path, sizeof(path), "%s/f", dir);
	close(xopen(path, O_WRONLY | O_CREAT));
	assert_true(open(dir, O_RDONLY | O_DIRECTORY | O_EXCL | O_CREAT, 0644) < 0);
	assert_int_equal(ptrace(PTRACE_ATTACH, 999999999, 0, 0), -1);
	assert_true(int80(26, PTRACE_PEEKDATA, 999999999, 0, 0, 0) < 0); /* i386 ptrace */
	{
		/* a failed exec: an event of the exec family, the caller's process fields */
		char *const av[] = { "/nonexistent-saker-exec", NULL };
		assert_int_equal(execve(av[0], av, environ), -1);
	}
	/* the file, cred and sys families: a call of each kind, some failing, some unreadable */
	snprintf(path, sizeof(path), "%s/l", dir);
	assert_int_equal(symlinkat("../f", AT_FDCWD, path), 0);
	assert_true(syscall(SYS_linkat, AT_FDCWD, "nope", 1000000, "x", 0) < 0);
	snprintf(path, sizeof(path), "%s/l2", dir);
	assert_true(syscall(SYS_renameat2, AT_FDCWD, (char *)8, AT_FDCWD, path, 0) < 0);
	assert_true(syscall(SYS_unlinkat, AT_FDCWD, path, 0) < 0);
	assert_true(syscall(SYS_mkdirat, AT_FDCWD, dir, 0700) < 0);
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(syscall(SYS_fchmodat, AT_FDCWD, path, 0600), 0);
	assert_true(syscall(SYS_fchown, 1000000, -1, -1) < 0);
	assert_int_equal(syscall(SYS_setresgid, -1, -1, -1), 0);
	assert_int_equal(syscall(SYS_setuid, geteuid()), 0);
	int mfd = (int)syscall(SYS_memfd_create, "sk-fam", 0);
	assert_true(mfd >= 0);
	close(mfd);
	assert_true(syscall(SYS_bpf, 1000, NULL, 0) < 0);
	assert_true(syscall(SYS_finit_module, 1000000, "", 0) < 0);
	assert_true(syscall(SYS_init_module, (void *)8, 0UL, (char *)8) < 0);
	assert_true(syscall(SYS_mount, "none", (char *)8, "nosuchfs", 0, NULL) < 0);
	/* i386: chown with 16-bit ids (65535: unchanged), setuid's 16-bit id */
	low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	assert_true(low != MAP_FAILED);
	snprintf(low, 4096, "%s/f", dir);
	snprintf(low_path, sizeof(low_path), "%s/f", dir);
	assert_int_equal(int80(182, (long)low, 0xffff, 0xffff, 0, 0), 0);
	assert_true(int80(23, 0xffff, 0, 0, 0, 0) < 0); /* setuid(-1): EINVAL, nothing changes */
	munmap(low, 4096);
	kern_drain(k);
	assert_true(k->n_got >= 4);
	for (int r = 0; r < k->n_got; r++) {
		struct saker_event ev;

		got_event(&k->got[r], &ev);
		assert_false(ev.h.flags & SAKER_EVF_MORE);
		if (strcmp(ev.h.comm, TEST_COMM))
			continue;
		for (size_t i = 0; i < n; i++) {
			int kernel = (int)(k->got[r].rules >> i & 1);
			/* each rule is "the field has a value": what the record and the table say */
			char scratch[SK_FIELD_SCRATCH];
			struct sk_field_value v;
			sk_event_field(&ev, fields[i], &v, scratch);
			int ref = v.kind != SK_VAL_NA;

			if (kernel != ref)
				fail_msg("%s on %s: the kernel says %d, the field table and the record %d",
					 sk_fields[fields[i]].name, sk_event_name(ev.h.event), kernel, ref);
		}
		checked[ev.h.family]++;
		check_process_fields(&ev);
		if (ev.h.family == SK_FAM_EXEC) {
			const struct saker_tail_exec *t = SAKER_EVENT_TAIL(&ev, exec);

			assert_int_equal(ev.h.res, -ENOENT);
			assert_int_equal(t->xflags, SAKER_EXECF_ARGS);
			assert_int_equal(t->dirfd, -100);
		}
		if (ev.h.event == SK_EV_CHOWN && (ev.h.flags & SAKER_EVF_COMPAT)) {
			const struct saker_tail_file *t = SAKER_EVENT_TAIL(&ev, file);

			assert_int_equal(t->uid, 0xffffffffu);
			assert_int_equal(t->gid, 0xffffffffu);
			assert_string_equal(ev.str[SAKER_STR_ARG1], low_path);
		}
		if (ev.h.event == SK_EV_SYMLINKAT)
			assert_string_equal(ev.str[SAKER_STR_ARG1], "../f");
		if (ev.h.event == SK_EV_SETUID && (ev.h.flags & SAKER_EVF_COMPAT))
			assert_int_equal(SAKER_EVENT_TAIL(&ev, cred)->id[0], 0xffffffffu);
		if (ev.h.family == SK_FAM_PTRACE) {
			const struct saker_tail_ptrace *t = SAKER_EVENT_TAIL(&ev, ptrace);

			assert_int_equal(t->pid, 999999999);
			assert_true(t->request == PTRACE_ATTACH || t->request == PTRACE_PEEKDATA);
			assert_int_equal(!!(ev.h.flags & SAKER_EVF_COMPAT), t->request == PTRACE_PEEKDATA);
		}
	}
	assert_int_equal(checked[SK_FAM_OPEN], 2);
	assert_int_equal(checked[SK_FAM_PTRACE], 2);
	assert_int_equal(checked[SK_FAM_EXEC], 1);
	assert_int_equal(checked[SK_FAM_FILE], 8);  /* symlinkat ... fchown, and the i386 chown */
	assert_int_equal(checked[SK_FAM_CRED], 3);  /* setresgid, setuid, i386 setuid */
	assert_int_equal(checked[SK_FAM_SYS], 5);
	kern_done(k, obj, c, dir);
	return n;
}

static void test_kernel_field_families(void **state)
{
	size_t total = 0, n;

	(void)state;
	if (need_root()) {
		skip();
		return;
	}
	while ((n = kernel_field_families_pass(total)))
		total += n;
	assert_true(total >= 20);
}

/* Ten ordinary rules in one program: loads, and reports its size. */
static void test_kernel_ten_rules(void **state)
{
	static const char *const names[] = { "/etc/shadow", "/etc/sudoers", "/etc/pam.conf" };
	static const char *const shells[] = { "bash", "sh", "zsh", "dash" };
	sk_comp *c;
	uint8_t *obj = NULL, *one = NULL;
	size_t len = 0, one_len = 0;
	struct kern *k;

	(void)state;
	if (need_root()) {
		skip();
		return;
	}
	c = sk_comp_new();
	add_rule(c, write_rule(c, "/etc/shadow"), 4, open_nrs);
	compile_ok(c, NULL, &one, &one_len);
	k = calloc(1, sizeof(*k));
	assert_non_null(k);
	kern_load(k, one, one_len, c->n_rules);
	fprintf(stderr, "[ info ] 1-rule program: %zu instructions, %u verified\n", k->insns,
		k->verified);
	kern_close(k);
	sk_comp_free(c);

	c = sk_comp_new();
	add_rule(c, write_rule(c, "/etc/shadow"), 4, open_nrs);
	add_rule(c, p_op(c, SK_P_AND, p_strs(c, SK_FLD_FD_NAME, SK_CMP_IN, 3, names),
			 p_int(c, SK_FLD_EVT_IS_OPEN_READ, SK_CMP_EQ, 1),
			 p_op(c, SK_P_NOT, p_strs(c, SK_FLD_PROC_NAME, SK_CMP_IN, 4, shells), NULL),
			 NULL), 4, open_nrs);
	add_rule(c, p_str(c, SK_FLD_FD_DIRECTORY, SK_CMP_PMATCH, "/usr/bin"), 4, open_nrs);
	add_rule(c, p_op(c, SK_P_AND, p_str(c, SK_FLD_FD_NAME, SK_CMP_PREFIX, "/proc/"),
			 p_str(c, SK_FLD_FD_FILENAME, SK_CMP_EQ, "mem"), NULL), 4, open_nrs);
	add_rule(c, p_str(c, SK_FLD_FD_NAME, SK_CMP_SUFFIX, "/.ssh/authorized_keys"), 4, open_nrs);
	add_rule(c, p_str(c, SK_FLD_PROC_EXEPATH, SK_CMP_GLOB, "/tmp/*/[a-z]*"), 4, open_nrs);
	add_rule(c, p_op(c, SK_P_AND, p_str(c, SK_FLD_CONTAINER_ID, SK_CMP_NE, "host"),
			 p_str(c, SK_FLD_FD_NAME, SK_CMP_CONTAINS, "/kube"), NULL), 4, open_nrs);
	add_rule(c, p_op(c, SK_P_AND, p_int(c, SK_FLD_USER_LOGINUID, SK_CMP_GE, 1000),
			 p_str(c, SK_FLD_PROC_PNAME, SK_CMP_EQ, "sshd"), NULL), 4, open_nrs);
	add_rule(c, p_op(c, SK_P_AND, p_int(c, SK_FLD_EVT_IS_OPEN_CREATE, SK_CMP_EQ, 1),
			 p_str(c, SK_FLD_FD_NAME, SK_CMP_ICONTAINS, "/etc/cron"), NULL), 4, open_nrs);
	add_rule(c, p_op(c, SK_P_AND, p_int(c, SK_FLD_PROC_PPID, SK_CMP_EQ, 1),
			 p_str(c, SK_FLD_FD_TYPE, SK_CMP_EQ, "directory"), NULL), 4, open_nrs);
	compile_ok(c, NULL, &obj, &len);
	kern_load(k, obj, len, c->n_rules);
	fprintf(stderr, "[ info ] 10-rule program: %zu instructions, %u verified\n", k->insns,
		k->verified);
	kern_close(k);
	free(k);
	free(one);
	free(obj);
	sk_comp_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_emit_llvm),
		cmocka_unit_test(test_stack_measure),
		cmocka_unit_test(test_refuses_string_order),
		cmocka_unit_test(test_refuses_long_pattern),
		cmocka_unit_test(test_refuses_long_pmatch_glob),
		cmocka_unit_test(test_refuses_user_field),
		cmocka_unit_test(test_kernel_events),
		cmocka_unit_test(test_kernel_many_matches),
		cmocka_unit_test(test_kernel_field_families),
		cmocka_unit_test(test_kernel_ten_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
