/* saker-test-lib: saker_driver */
/* Tests for compiler/codegen.c: rulesets built by hand as predicates, compiled to a BPF object
 * (deterministically), then, as root, loaded into the kernel and driven with real opens whose
 * events must carry exactly the expected rule bits. */
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
#include "rules.h"
#include "saker/event.h"
#include "saker/fields.h"

#define NR_OPEN    2
#define NR_CREAT   85
#define NR_OPENAT  257
#define NR_OPENAT2 437
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

static void test_emit_llvm(void **state)
{
	char path[] = "/tmp/saker-cg-ll-XXXXXX";
	int fd = mkstemp(path);
	sk_comp *c = sk_comp_new();
	uint8_t *obj = NULL;
	size_t len = 0;
	char buf[1 << 16];
	ssize_t n;

	(void)state;
	assert_true(fd >= 0);
	add_rule(c, write_rule(c, "/etc/shadow"), 4, open_nrs);
	compile_ok(c, path, &obj, &len);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = 0;
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
	uint64_t matched[SAKER_RULE_WORDS];
	uint32_t valid;
	int64_t res;
	char path[SAKER_PATH_MAX];
	char exe[SAKER_PATH_MAX];
	char comm[SAKER_COMM_LEN];
	char cid[SAKER_CID_LEN];
	uint32_t pid, tid, uid, nr;
	uint64_t flags;
};

struct kern {
	struct bpf_object *obj;
	struct bpf_link *links[8];
	int n_links;
	struct ring_buffer *rb;
	int stats_fd;
	struct got got[32];
	int n_got;
	int foreign;   /* events of other processes (ignored) */
	pid_t child;   /* a child of ours whose events count as ours, or 0 */
	size_t insns;  /* instructions of the loaded program */
	uint32_t verified;
};

static int on_event(void *ctx, void *data, size_t size)
{
	static struct saker_event ev;
	struct kern *k = ctx;
	const struct saker_event *e = &ev;
	struct got *g;

	/* the record stops after the last string in use, terminated */
	assert_true(size >= offsetof(struct saker_event, path) && size <= sizeof(ev));
	memset(&ev, 0, sizeof(ev));
	memcpy(&ev, data, size);
	if (ev.valid & SAKER_EV_EXE)
		assert_int_equal(size, offsetof(struct saker_event, exepath) + ev.exe_len + 1);
	else
		assert_int_equal(size, offsetof(struct saker_event, path) + ev.path_len + 1);
	if (e->pid != (uint32_t)getpid() && (!k->child || e->pid != (uint32_t)k->child)) {
		k->foreign++;
		return 0;
	}
	assert_true(k->n_got < (int)(sizeof(k->got) / sizeof(k->got[0])));
	g = &k->got[k->n_got++];
	memcpy(g->matched, e->matched, sizeof(g->matched));
	g->valid = e->valid;
	g->res = e->res;
	g->pid = e->pid;
	g->tid = e->tid;
	g->uid = e->uid;
	g->nr = e->syscall_nr;
	g->flags = e->open_flags;
	memcpy(g->path, e->path, sizeof(g->path));
	memcpy(g->exe, e->exepath, sizeof(g->exe));
	memcpy(g->comm, e->comm, sizeof(g->comm));
	memcpy(g->cid, e->container_id, sizeof(g->cid));
	return 0;
}

static void kern_load(struct kern *k, const uint8_t *obj, size_t len)
{
	struct bpf_program *prog = NULL;
	struct bpf_map *m;
	struct bpf_prog_info info;
	uint32_t ilen = sizeof(info);

	memset(k, 0, sizeof(*k));
	k->obj = bpf_object__open_mem(obj, len, NULL);
	assert_non_null(k->obj);
	assert_int_equal(bpf_object__load(k->obj), 0);
	while ((prog = bpf_object__next_program(k->obj, prog))) {
		k->links[k->n_links] = bpf_program__attach(prog);
		assert_non_null(k->links[k->n_links]);
		k->n_links++;
		k->insns += bpf_program__insn_cnt(prog);
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &ilen))
			k->verified += info.verified_insns;
	}
	assert_true(k->n_links > 0);
	m = bpf_object__find_map_by_name(k->obj, SAKER_MAP_EVENTS);
	assert_non_null(m);
	k->rb = ring_buffer__new(bpf_map__fd(m), on_event, k, NULL);
	assert_non_null(k->rb);
	m = bpf_object__find_map_by_name(k->obj, SAKER_MAP_STATS);
	assert_non_null(m);
	k->stats_fd = bpf_map__fd(m);
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
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	uint64_t v[1024] = { 0 }, sum = 0;

	assert_true(ncpu > 0 && ncpu <= 1024);
	assert_int_equal(bpf_map_lookup_elem(k->stats_fd, &which, v), 0);
	for (long i = 0; i < ncpu; i++)
		sum += v[i];
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

/* After one action: exactly one event whose rule bits are BITS (or none when BITS is 0). */
static const struct got *expect_one(struct kern *k, uint64_t bits, const char *what)
{
	kern_drain(k);
	if (!bits) {
		if (k->n_got)
			fail_msg("%s: expected no event, got %d (rules 0x%llx, path '%s')", what,
				 k->n_got, (unsigned long long)k->got[0].matched[0], k->got[0].path);
		return NULL;
	}
	if (k->n_got != 1)
		fail_msg("%s: expected one event, got %d", what, k->n_got);
	if (k->got[0].matched[0] != bits)
		fail_msg("%s: rules 0x%llx, expected 0x%llx (path '%s')", what,
			 (unsigned long long)k->got[0].matched[0], (unsigned long long)bits,
			 k->got[0].path);
	for (int w = 1; w < SAKER_RULE_WORDS; w++)
		assert_int_equal(k->got[0].matched[w], 0);
	return &k->got[0];
}

static int xopen(const char *path, int flags)
{
	int fd = open(path, flags, 0644);

	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	return fd;
}

/* The kernel test's ruleset; R_* are the rule bits. */
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
	assert_false(g->valid & SAKER_EV_PATH);
	assert_true(openat(1000000, "gone", O_WRONLY) < 0);
	g = expect_one(k, bit(R_NOPATH), "bad dirfd");
	assert_int_equal(g->res, -EBADF);
	assert_false(g->valid & SAKER_EV_PATH);
	close(dfd);
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
	kern_load(k, obj, len);
	fprintf(stderr, "[ info ] %d-rule program: %zu instructions, %u verified\n", R__N, k->insns,
		k->verified);

	snprintf(buf, sizeof(buf), "%s/target", dir);
	kern_drain(k);
	close(xopen(buf, O_WRONLY | O_CREAT));
	g = expect_one(k, bit(R_WRITE), "write open");
	assert_string_equal(g->path, buf);
	assert_int_equal(g->nr, NR_OPENAT);
	assert_int_equal(g->flags & O_ACCMODE, O_WRONLY);
	assert_true(g->valid & SAKER_EV_PATH);
	assert_true(g->valid & SAKER_EV_EXE);
	assert_false(g->valid & SAKER_EV_DIR);
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
	assert_true(g->valid & SAKER_EV_DIR);
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
	assert_int_equal(g->flags, O_CREAT | O_WRONLY | O_TRUNC);
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
	assert_true(g->valid & SAKER_EV_PATH);
	assert_false(g->valid & (SAKER_EV_DIR | SAKER_EV_PATH_TRUNC));
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

	assert_int_equal(kern_stat(k, SAKER_STAT_LOST), 0);
	assert_true(kern_stat(k, SAKER_STAT_SEEN) >= kern_stat(k, SAKER_STAT_MATCHED));
	assert_true(kern_stat(k, SAKER_STAT_MATCHED) >= 24);

	close(dfd);
	kern_close(k);
	free(k);
	free(obj);
	sk_comp_free(c);
	snprintf(buf, sizeof(buf), "rm -rf '%s'", dir);
	assert_int_equal(system(buf), 0);
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
	kern_load(k, one, one_len);
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
	kern_load(k, obj, len);
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
		cmocka_unit_test(test_refuses_string_order),
		cmocka_unit_test(test_refuses_long_pattern),
		cmocka_unit_test(test_refuses_long_pmatch_glob),
		cmocka_unit_test(test_refuses_user_field),
		cmocka_unit_test(test_kernel_events),
		cmocka_unit_test(test_kernel_ten_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
