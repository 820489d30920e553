/* saker-test-lib: saker_rules */
/* The evaluator of reference on event records (DESIGN.md decision 3): field values from
 * hand-made records (runtime/event_fields.c), then rules' typed conditions evaluated on them
 * (runtime/cond_eval.c through runtime/event_cond.c, the path sakerd's residuals take), with the
 * planner's promise checked on every evaluation: rule => kernel part, rule <=> kernel part and
 * residual. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "saker/event_cond.h"
#include "event_test.h"
#include "rules.h"
#include "saker/event.h"
#include "saker/fields.h"

/* ---- events ------------------------------------------------------------------------------ */

/* A successful openat of PATH (NULL: a failed one, res -ENOENT, no path) by "bash". */
static struct saker_event *ev_open(const char *path, uint64_t flags)
{
	struct saker_event *ev = test_event_new(SK_EV_OPENAT);

	TEST_OPEN(ev)->flags = flags;
	ev->h.pid = 100;
	ev->h.tid = 101;
	ev->h.ppid = 1;
	ev->h.vpid = 10;
	ev->h.vtid = 11;
	ev->h.pvpid = 0;
	ev->h.uid = 1000;
	ev->h.gid = 1000;
	ev->h.loginuid = UINT32_MAX;
	ev->h.flags |= SAKER_EVF_PARENT;
	strcpy(ev->h.comm, "bash");
	strcpy(ev->h.pcomm, "systemd");
	test_event_str(ev, SAKER_STR_EXEPATH, "/usr/bin/bash");
	test_event_str(ev, SAKER_STR_FD_NAME, path);
	test_open_res(ev, path ? 3 : -ENOENT);
	return ev;
}

/* ---- field values ------------------------------------------------------------------------ */

static void expect_str(const struct saker_event *ev, int field, const char *want)
{
	char scratch[SK_FIELD_SCRATCH];
	struct sk_field_value v;

	sk_event_field(ev, field, &v, scratch);
	if (!want) {
		if (v.kind != SK_VAL_NA)
			fail_msg("%s: expected no value", sk_fields[field].name);
		return;
	}
	if (v.kind != SK_VAL_STR)
		fail_msg("%s: expected \"%s\", got kind %d", sk_fields[field].name, want, v.kind);
	if (v.len != strlen(want) || memcmp(v.s, want, v.len))
		fail_msg("%s: expected \"%s\", got \"%.*s\"", sk_fields[field].name, want, (int)v.len, v.s);
}

static void expect_int(const struct saker_event *ev, int field, int64_t want)
{
	char scratch[SK_FIELD_SCRATCH];
	struct sk_field_value v;

	sk_event_field(ev, field, &v, scratch);
	/* numbers and booleans compare as one signed 64-bit value here */
	int64_t got = v.kind == SK_VAL_I64 ? v.i : v.kind == SK_VAL_U64 ? (int64_t)v.u :
		      v.kind == SK_VAL_BOOL ? v.b : 0;
	if (v.kind != SK_VAL_I64 && v.kind != SK_VAL_U64 && v.kind != SK_VAL_BOOL)
		fail_msg("%s: expected %lld, got kind %d", sk_fields[field].name, (long long)want, v.kind);
	assert_int_equal(got, want);
}

static void expect_na(const struct saker_event *ev, int field)
{
	expect_str(ev, field, NULL);
}

static void test_field_paths(void **state)
{
	struct saker_event *ev = ev_open("/etc/ssh/sshd_config", 0);

	(void)state;
	expect_str(ev, SK_FLD_FD_NAME, "/etc/ssh/sshd_config");
	expect_str(ev, SK_FLD_FD_DIRECTORY, "/etc/ssh");
	expect_str(ev, SK_FLD_FD_FILENAME, "sshd_config");
	expect_str(ev, SK_FLD_FD_TYPECHAR, "f");
	expect_str(ev, SK_FLD_FD_TYPE, "file");
	expect_int(ev, SK_FLD_FD_NUM, 3);

	/* a file in the root, then the root itself */
	test_event_str(ev, SAKER_STR_FD_NAME, "/vmlinuz");
	expect_str(ev, SK_FLD_FD_DIRECTORY, "/");
	expect_str(ev, SK_FLD_FD_FILENAME, "vmlinuz");
	test_event_str(ev, SAKER_STR_FD_NAME, "/");
	TEST_OPEN(ev)->oflags |= SAKER_OPENF_DIR;
	expect_str(ev, SK_FLD_FD_DIRECTORY, "/");
	expect_str(ev, SK_FLD_FD_FILENAME, "");
	expect_str(ev, SK_FLD_FD_TYPECHAR, "d");
	expect_str(ev, SK_FLD_FD_TYPE, "directory");

	/* a failed open whose path the kernel could not read: no path fields, fd.num -1; as in
	 * Falco, typed 'f' all the same */
	free(ev);
	ev = ev_open(NULL, 0);
	expect_na(ev, SK_FLD_FD_NAME);
	expect_na(ev, SK_FLD_FD_DIRECTORY);
	expect_na(ev, SK_FLD_FD_FILENAME);
	expect_str(ev, SK_FLD_FD_TYPECHAR, "f");
	expect_na(ev, SK_FLD_FD_TYPE);
	expect_int(ev, SK_FLD_FD_NUM, -1);
	/* one that names the path the call passed: Falco has fd.name and fd.directory, but no
	 * fd.filename nor fd.type */
	test_event_str(ev, SAKER_STR_FD_NAME, "/etc/shadow");
	expect_str(ev, SK_FLD_FD_NAME, "/etc/shadow");
	expect_str(ev, SK_FLD_FD_DIRECTORY, "/etc");
	expect_na(ev, SK_FLD_FD_FILENAME);
	expect_na(ev, SK_FLD_FD_TYPE);
	expect_str(ev, SK_FLD_FD_TYPECHAR, "f");
	free(ev);
}

static void test_field_event(void **state)
{
	struct saker_event *ev = ev_open("/tmp/x", 01 | 0100 | 01000);

	(void)state;
	expect_str(ev, SK_FLD_EVT_TYPE, "openat");
	expect_str(ev, SK_FLD_EVT_DIR, "<");
	expect_str(ev, SK_FLD_EVT_ARG_FLAGS, "O_WRONLY|O_CREAT|O_TRUNC");
	expect_int(ev, SK_FLD_EVT_RAWARG_FLAGS, 01 | 0100 | 01000);
	expect_int(ev, SK_FLD_EVT_IS_OPEN_WRITE, 1);
	expect_int(ev, SK_FLD_EVT_IS_OPEN_READ, 0);
	expect_int(ev, SK_FLD_EVT_IS_OPEN_CREATE, 1);
	expect_str(ev, SK_FLD_EVT_RES, "SUCCESS");
	expect_int(ev, SK_FLD_EVT_RAWRES, 3);
	expect_int(ev, SK_FLD_EVT_FAILED, 0);

	TEST_OPEN(ev)->flags = 2; /* O_RDWR reads and writes */
	expect_int(ev, SK_FLD_EVT_IS_OPEN_WRITE, 1);
	expect_int(ev, SK_FLD_EVT_IS_OPEN_READ, 1);
	expect_str(ev, SK_FLD_EVT_ARG_FLAGS, "O_RDWR");
	TEST_OPEN(ev)->flags = 0;
	expect_str(ev, SK_FLD_EVT_ARG_FLAGS, "O_RDONLY");
	expect_int(ev, SK_FLD_EVT_IS_OPEN_READ, 1);

	/* creat: the kernel records the flags creat implies; the record is rendered as is */
	test_event_type(ev, SK_EV_CREAT);
	TEST_OPEN(ev)->flags = 01 | 0100 | 01000;
	expect_str(ev, SK_FLD_EVT_TYPE, "creat");
	expect_str(ev, SK_FLD_EVT_ARG_FLAGS, "O_WRONLY|O_CREAT|O_TRUNC");
	expect_int(ev, SK_FLD_EVT_IS_OPEN_CREATE, 1);

	test_open_res(ev, -EEXIST);
	expect_str(ev, SK_FLD_EVT_RES, "EEXIST");
	expect_int(ev, SK_FLD_EVT_FAILED, 1);
	expect_int(ev, SK_FLD_FD_NUM, -1);
	test_open_res(ev, -4000); /* no errno name: the number */
	expect_str(ev, SK_FLD_EVT_RES, "-4000");

	/* not an open: the open family's fields are missing (fields.def gives them to OPEN
	 * only), the tail and the path slot notwithstanding */
	test_event_type(ev, SK_EV_READ);
	test_open_res(ev, 5);
	expect_str(ev, SK_FLD_EVT_TYPE, "read");
	expect_na(ev, SK_FLD_EVT_ARG_FLAGS);
	expect_na(ev, SK_FLD_EVT_RAWARG_FLAGS);
	expect_na(ev, SK_FLD_FD_NUM);
	expect_na(ev, SK_FLD_FD_NAME);
	expect_na(ev, SK_FLD_EVT_IS_OPEN_WRITE);
	expect_na(ev, SK_FLD_EVT_IS_OPEN_READ);
	expect_int(ev, SK_FLD_EVT_RAWRES, 5);
	ev->h.event = SK_EV__COUNT;
	expect_na(ev, SK_FLD_EVT_TYPE);
	free(ev);
}

/* The ptrace family: its fields from its tail; the open family's are missing there. */
static void test_field_ptrace(void **state)
{
	struct saker_event *ev = test_event_new(SK_EV_PTRACE);

	(void)state;
	TEST_PTRACE(ev)->request = 16;
	TEST_PTRACE(ev)->pid = 4321;
	expect_str(ev, SK_FLD_EVT_TYPE, "ptrace");
	expect_str(ev, SK_FLD_EVT_ARG_REQUEST, "PTRACE_ATTACH");
	expect_int(ev, SK_FLD_EVT_RAWARG_REQUEST, 16);
	expect_int(ev, SK_FLD_EVT_ARG_PID, 4321);
	expect_na(ev, SK_FLD_FD_NAME);
	expect_na(ev, SK_FLD_EVT_IS_OPEN_WRITE);
	TEST_PTRACE(ev)->request = 0x4206;
	expect_str(ev, SK_FLD_EVT_ARG_REQUEST, "PTRACE_SEIZE");
	/* a number ptrace.def has no name for */
	TEST_PTRACE(ev)->request = 10;
	expect_na(ev, SK_FLD_EVT_ARG_REQUEST);
	expect_int(ev, SK_FLD_EVT_RAWARG_REQUEST, 10);
	/* and an open has no ptrace fields */
	test_event_type(ev, SK_EV_OPENAT);
	expect_na(ev, SK_FLD_EVT_ARG_REQUEST);
	expect_na(ev, SK_FLD_EVT_ARG_PID);
	free(ev);
}

static void test_field_process(void **state)
{
	struct saker_event *ev = ev_open("/x", 0);

	(void)state;
	expect_str(ev, SK_FLD_PROC_NAME, "bash");
	expect_str(ev, SK_FLD_PROC_PNAME, "systemd");
	expect_str(ev, SK_FLD_PROC_EXEPATH, "/usr/bin/bash");
	expect_int(ev, SK_FLD_PROC_PID, 100);
	expect_int(ev, SK_FLD_THREAD_TID, 101);
	expect_int(ev, SK_FLD_PROC_PPID, 1);
	expect_int(ev, SK_FLD_PROC_VPID, 10);
	expect_int(ev, SK_FLD_THREAD_VTID, 11);
	expect_int(ev, SK_FLD_PROC_PVPID, 0);
	expect_int(ev, SK_FLD_USER_UID, 1000);
	expect_int(ev, SK_FLD_GROUP_GID, 1000);
	expect_str(ev, SK_FLD_CONTAINER_ID, "host");
	/* loginuid: -1 while unset, whatever the field holds */
	expect_int(ev, SK_FLD_USER_LOGINUID, -1);
	ev->h.flags |= SAKER_EVF_LOGINUID;
	expect_int(ev, SK_FLD_USER_LOGINUID, -1);
	ev->h.loginuid = 1000;
	expect_int(ev, SK_FLD_USER_LOGINUID, 1000);
	ev->h.loginuid = 4000000000u; /* rendered unsigned, as the runtime prints it */
	expect_int(ev, SK_FLD_USER_LOGINUID, 4000000000ll);
	ev->h.flags &= ~(uint32_t)SAKER_EVF_LOGINUID;
	expect_int(ev, SK_FLD_USER_LOGINUID, -1);

	ev->h.flags |= SAKER_EVF_CONTAINER;
	strcpy(ev->h.container_id, "0123456789ab");
	expect_str(ev, SK_FLD_CONTAINER_ID, "0123456789ab");

	/* no parent, no executable: missing; a full 15-character comm */
	ev->h.flags &= ~(uint32_t)SAKER_EVF_PARENT;
	test_event_str(ev, SAKER_STR_EXEPATH, NULL);
	expect_na(ev, SK_FLD_PROC_PPID);
	expect_na(ev, SK_FLD_PROC_PVPID);
	expect_na(ev, SK_FLD_PROC_PNAME);
	expect_na(ev, SK_FLD_PROC_EXEPATH);
	memcpy(ev->h.comm, "0123456789abcdef", SAKER_COMM_LEN); /* unterminated: bounded */
	expect_str(ev, SK_FLD_PROC_NAME, "0123456789abcde");

	/* only user space knows these */
	expect_na(ev, SK_FLD_USER_NAME);
	expect_na(ev, SK_FLD_EVT_TIME);
	expect_na(ev, SK_FLD_CONTAINER_IMAGE_NAME);
	free(ev);
}

/* ---- predicates from rule text ----------------------------------------------------------- */

/* Checks COND (restricted to the open family, as every rule must be) with PRE's lists and
 * macros, and evaluates it on EV. */
static int eval_text(const char *pre, const char *cond, const struct saker_event *ev)
{
	sk_comp *c = sk_comp_new();
	char *y = sk_arena_printf(c->arena,
				  "%s- rule: R\n  desc: d\n  condition: >-\n    evt.type in (open, openat, openat2, creat) and (%s)\n"
				  "  output: o\n  priority: warning\n",
				  pre ? pre : "", cond);
	int rc = sk_load_string(c, "t.yaml", y, strlen(y));

	rc |= sk_expand(c);
	rc |= sk_check(c);
	if (rc || c->n_rules != 1) {
		sk_diag_render(c->diag, SK_DIAG_TEXT, stdout);
		sk_comp_free(c); /* fail_msg does not return */
		fail_msg("'%s' did not check", cond);
	}
	const sk_rule *r = c->rules[0];
	struct sk_cond_ctx *ctx;
	struct sk_event_src src;
	assert_int_equal(sk_cond_ctx_new(&ctx), 0);
	sk_event_src_init(&src, NULL, NULL);
	int full = sk_event_cond_eval(&src, ctx, r->cond, ev);
	int k = sk_event_cond_eval(&src, ctx, r->kernel, ev);
	int res = r->residual ? sk_event_cond_eval(&src, ctx, r->residual, ev) : 1;
	sk_event_src_fini(&src);
	sk_cond_ctx_free(ctx);
	if (full < 0 || k < 0 || res < 0)
		fail_msg("'%s': the evaluator failed (%d %d %d)", cond, full, k, res);
	/* the planner's promise, on this event: rule => K, and rule <=> K and R */
	if (full && !k)
		fail_msg("'%s': the rule holds but its kernel part does not", cond);
	if (full != (k && res))
		fail_msg("'%s': the rule says %d, kernel part and residual say %d", cond, full, k && res);
	sk_comp_free(c);
	return full;
}

static void check_text(const char *pre, const char *cond, const struct saker_event *ev, int want)
{
	int got = eval_text(pre, cond, ev);

	if (got != want)
		fail_msg("'%s' on %s (res %lld): got %d, expected %d", cond,
			 ev->str[SAKER_STR_FD_NAME] ? ev->str[SAKER_STR_FD_NAME] : "<no path>",
			 (long long)ev->h.res, got, want);
}

#define T(cond, ev, want) check_text(NULL, cond, ev, want)

static void test_missing_values(void **state)
{
	struct saker_event *ok = ev_open("/etc/shadow", 1), *failed = ev_open(NULL, 1);

	(void)state;
	T("fd.name = /etc/shadow", ok, 1);
	T("fd.name != /etc/passwd", ok, 1);
	/* a leaf on a missing value is false, whatever the comparison... */
	T("fd.name = /etc/shadow", failed, 0);
	T("fd.name != /etc/shadow", failed, 0);
	T("fd.name != /etc/passwd", failed, 0);
	T("fd.name startswith /", failed, 0);
	T("fd.name in (/a, /b)", failed, 0);
	T("fd.name pmatch (/)", failed, 0);
	T("fd.name glob '*'", failed, 0);
	T("fd.directory = /etc", failed, 0);
	T("fd.filename != x", failed, 0);
	T("fd.type != d", failed, 0);
	/* Falco types every failed open of the family 'f' */
	T("fd.typechar = f", failed, 1);
	T("fd.name exists", failed, 0);
	T("fd.name exists", ok, 1);
	/* ...but NOT works on the boolean */
	T("not fd.name = /etc/shadow", failed, 1);
	T("not fd.name != /etc/shadow", failed, 1);
	T("not fd.name exists", failed, 1);
	T("not fd.name = /etc/shadow", ok, 0);
	/* numbers: fd.num is there, -1, on a failed open; the parent may be missing */
	T("fd.num = -1", failed, 1);
	T("fd.num < 0", ok, 0);
	T("proc.ppid != 7", ok, 1);
	failed->h.flags &= ~(uint32_t)SAKER_EVF_PARENT;
	T("proc.ppid != 7", failed, 0);
	T("proc.pname != x", failed, 0);
	T("not proc.pname = x", failed, 1);
	T("proc.pname exists", failed, 0);
	T("proc.ppid exists", failed, 0);
	T("proc.ppid exists", ok, 1);
	free(ok);
	free(failed);
}

static void test_numbers(void **state)
{
	struct saker_event *ev = ev_open("/a", 0);

	(void)state;
	/* signed: the return value and fd.num go negative */
	test_open_res(ev, 7);
	T("fd.num = 7", ev, 1);
	T("fd.num >= 7 and fd.num <= 7 and fd.num > 6 and fd.num < 8", ev, 1);
	T("fd.num > 7 or fd.num < 7 or fd.num != 7", ev, 0);
	T("evt.rawres in (1, 7, 9)", ev, 1);
	T("evt.rawres in (1, 9)", ev, 0);
	test_open_res(ev, -ENOENT);
	test_event_str(ev, SAKER_STR_FD_NAME, NULL);
	T("evt.rawres < 0", ev, 1);
	T("evt.rawres = -2", ev, 1);
	T("evt.rawres > -3 and evt.rawres <= -2", ev, 1);
	T("evt.rawres >= 0", ev, 0);
	T("fd.num > -2", ev, 1);
	T("evt.failed = true", ev, 1);
	T("evt.failed = false", ev, 0);
	T("evt.failed != true", ev, 0);
	T("evt.res = ENOENT", ev, 1);
	T("evt.res != SUCCESS", ev, 1);
	T("evt.res in (EEXIST, ENOENT)", ev, 1);
	T("evt.res startswith EN", ev, 1);
	T("evt.res glob 'E*T'", ev, 1);
	T("evt.res = SUCCESS", ev, 0);
	T("evt.res != ENOENT", ev, 0);
	test_open_res(ev, -EEXIST);
	T("evt.res != ENOENT", ev, 1);
	T("evt.res contains XIS", ev, 1);
	/* unsigned fields and hexadecimal constants */
	T("user.uid = 1000 and group.gid = 0x3e8", ev, 1);
	T("user.uid in (0, 1000)", ev, 1);
	T("user.uid > 999 and user.uid < 1001", ev, 1);
	T("user.uid != 1000", ev, 0);
	T("user.loginuid = -1", ev, 1);
	T("user.loginuid < 0", ev, 1);
	T("proc.pid = 100 and thread.tid = 101", ev, 1);
	free(ev);
}

static void test_open_flags(void **state)
{
	struct saker_event *ev = ev_open("/a", 01 | 0100 | 02000); /* O_WRONLY|O_CREAT|O_APPEND */

	(void)state;
	T("evt.is_open_write = true", ev, 1);
	T("evt.is_open_read = true", ev, 0);
	T("evt.is_open_read = false", ev, 1);
	T("evt.is_open_create = true", ev, 1);
	T("evt.is_open_write != false", ev, 1);
	T("evt.arg.flags contains O_APPEND", ev, 1);
	T("evt.arg.flags contains O_TRUNC", ev, 0);
	T("evt.arg.flags contains O_WRONLY", ev, 1);
	T("evt.arg.flags contains O_RDONLY", ev, 0);
	T("evt.arg.flags contains O_RDWR", ev, 0);
	T("evt.arg.flags contains APPEND", ev, 1);  /* a part of a name */
	T("evt.arg.flags icontains o_creat", ev, 1);
	T("evt.arg.flags = O_WRONLY|O_CREAT|O_APPEND", ev, 1);
	T("evt.arg.flags = O_WRONLY|O_CREAT", ev, 0);
	T("evt.arg.flags != O_WRONLY|O_CREAT", ev, 1);
	T("evt.arg.flags in (O_RDONLY, O_WRONLY|O_CREAT|O_APPEND)", ev, 1);
	T("evt.rawarg.flags = 02101", ev, 0); /* octal is not a literal: 2101 decimal */
	T("evt.rawarg.flags = 1089", ev, 1);
	TEST_OPEN(ev)->flags = 0; /* O_RDONLY is the access mode 0, not a bit */
	T("evt.arg.flags contains O_RDONLY", ev, 1);
	T("evt.is_open_read = true and evt.is_open_write = false", ev, 1);
	TEST_OPEN(ev)->flags = 2 | 01000;
	T("evt.is_open_read = true and evt.is_open_write = true", ev, 1);
	T("evt.arg.flags contains O_TRUNC", ev, 1);
	/* creat: the implied flags the kernel recorded */
	test_event_type(ev, SK_EV_CREAT);
	TEST_OPEN(ev)->flags = 01 | 0100 | 01000;
	T("evt.arg.flags contains O_TRUNC and evt.is_open_create = true and evt.is_open_write = true",
	  ev, 1);
	free(ev);
}

static void test_strings(void **state)
{
	struct saker_event *ev = ev_open("/Home/User/Notes.TXT", 0);

	(void)state;
	T("fd.name = /Home/User/Notes.TXT", ev, 1);
	T("fd.name = /Home/User/Notes.TX", ev, 0);
	T("fd.name = /Home/User/Notes.TXTT", ev, 0);
	T("fd.name in (/a, /Home/User/Notes.TXT, /b)", ev, 1);
	T("fd.name in (/a, /home/user/notes.txt)", ev, 0); /* in is exact */
	T("fd.filename in (Notes.TXT)", ev, 1);
	T("fd.name startswith /Home/", ev, 1);
	T("fd.name startswith /Home/User/Notes.TXT", ev, 1);
	T("fd.name startswith /Home/User/Notes.TXT/", ev, 0);
	T("fd.name startswith /home", ev, 0);
	T("fd.name startswith ''", ev, 1);
	T("fd.name endswith .TXT", ev, 1);
	T("fd.name endswith .txt", ev, 0);
	T("fd.name endswith x/Home/User/Notes.TXT", ev, 0);
	T("fd.filename endswith Notes.TXT", ev, 1);
	T("fd.name contains User/", ev, 1);
	T("fd.name contains user/", ev, 0);
	T("fd.name contains ''", ev, 1);
	T("fd.name icontains user/notes", ev, 1);
	T("fd.name icontains USER/NOTES.txt", ev, 1); /* the rule's text is folded too */
	T("fd.name icontains users", ev, 0);
	T("proc.name icontains BAS", ev, 1);
	T("fd.directory = /Home/User and fd.filename = Notes.TXT", ev, 1);
	T("fd.directory endswith User and fd.directory startswith /Home", ev, 1);
	T("fd.typechar = f and fd.type = file and container.id = host", ev, 1);
	T("proc.name = bash and proc.pname = systemd and proc.exepath = /usr/bin/bash", ev, 1);
	T("proc.name in (sh, bash)", ev, 1);
	T("proc.name = bas", ev, 0);
	free(ev);
}

static void test_glob(void **state)
{
	struct saker_event *ev = ev_open("/var/log/app-2.log", 0);

	(void)state;
	T("fd.name glob '/var/log/*.log'", ev, 1);
	T("fd.name glob '/var/*.log'", ev, 1); /* no FNM_PATHNAME: '*' crosses '/' */
	T("fd.name glob '*'", ev, 1);
	T("fd.name glob '/var/log/app-?.log'", ev, 1);
	T("fd.name glob '/var/log/app-??.log'", ev, 0);
	T("fd.name glob '/var/log/app-[0-3].log'", ev, 1);
	T("fd.name glob '/var/log/app-[!0-3].log'", ev, 0);
	T("fd.name glob '/var/log/app-[^a-z].log'", ev, 1);
	T("fd.name glob '/var/log/[[:alpha:]]pp-[[:digit:]].log'", ev, 1);
	T("fd.name glob '/var/log/app-\\\\2.log'", ev, 1); /* an escaped ordinary character */
	T("fd.name glob '/var/log'", ev, 0); /* the whole value */
	T("fd.name glob '*.LOG'", ev, 0);
	T("fd.filename glob 'app*'", ev, 1);
	T("fd.directory glob '/var/l?g'", ev, 1);
	test_event_str(ev, SAKER_STR_FD_NAME, "/tmp/a*b[1]");
	T("fd.name glob '*\\\\*b\\\\[1]'", ev, 1); /* escaped specials match themselves */
	T("fd.name glob '*[*]b[[]1]'", ev, 1);
	T("fd.name glob '/tmp/a\\\\*c*'", ev, 0);
	free(ev);
}

static void test_pmatch(void **state)
{
	struct saker_event *ev = ev_open("/var/run/docker.sock", 0);

	(void)state;
	T("fd.name pmatch (/var/run)", ev, 1);
	T("fd.name pmatch (/var/run/docker.sock)", ev, 1);
	T("fd.name pmatch (/var/ru)", ev, 0);            /* whole components only */
	T("fd.name pmatch (/var/run/docker)", ev, 0);
	T("fd.name pmatch (/etc, /usr/lib, /var)", ev, 1);
	T("fd.name pmatch (/etc, /usr/lib)", ev, 0);
	T("fd.name pmatch (/var/run/docker.sock/x)", ev, 0); /* longer than the path */
	T("fd.name pmatch (/)", ev, 1);
	T("fd.name pmatch (/var/run/)", ev, 1);          /* empty components do not count */
	T("fd.name pmatch (//var//run)", ev, 1);
	T("fd.name pmatch (/var/*/docker.sock)", ev, 1); /* a glob matches one component */
	T("fd.name pmatch (/*/run)", ev, 1);
	T("fd.name pmatch (/var/r?n)", ev, 1);
	T("fd.name pmatch (/var/[a-q]un)", ev, 0);
	T("fd.name pmatch (/*/docker.sock)", ev, 0);     /* '*' stays within its component */
	T("fd.directory pmatch (/var/run)", ev, 1);
	test_event_str(ev, SAKER_STR_FD_NAME, "/var/runx");
	T("fd.name pmatch (/var/run)", ev, 0);
	test_event_str(ev, SAKER_STR_FD_NAME, "/var");
	T("fd.name pmatch (/var/run)", ev, 0);
	T("fd.name pmatch (/var)", ev, 1);
	test_event_str(ev, SAKER_STR_FD_NAME, "/");
	T("fd.name pmatch (/)", ev, 1);
	T("fd.name pmatch (/var)", ev, 0);
	free(ev);
}

static void test_syscalls_and_logic(void **state)
{
	struct saker_event *ev = ev_open("/a/b", 01);

	(void)state;
	T("evt.type = openat", ev, 1);
	T("evt.type in (open, creat)", ev, 0);
	T("evt.type != openat", ev, 0);
	T("not evt.type in (open, openat2)", ev, 1);
	test_event_type(ev, SK_EV_OPENAT2);
	T("evt.type = openat2 and evt.dir = <", ev, 1);
	test_event_type(ev, SK_EV_OPEN);
	T("evt.type = open", ev, 1);
	/* and/or/not nesting, with macros and lists expanded on the way */
	T("(fd.name = /a/b or fd.name = /x) and not (proc.name = sh or user.uid = 0)", ev, 1);
	T("not (fd.name = /a/b and evt.is_open_write = true)", ev, 0);
	T("not not fd.filename = b", ev, 1);
	T("fd.name = /x or (fd.directory = /a and (proc.name = sh or not proc.name = zsh))", ev, 1);
	check_text("- list: names\n  items: [x, b]\n- macro: m\n  condition: fd.filename in (names)\n",
		   "m and not fd.filename = x", ev, 1);
	check_text("- list: names\n  items: []\n", "fd.filename in (names)", ev, 0);
	T("fd.name = /a/b and (evt.dir = '>' or user.uid = 1000)", ev, 1);
	free(ev);
}

/* What only the residual evaluates: string ordering (the kernel does not), a bare number or
 * boolean compared as its rendering, fields of another family. */
static void test_residual_only(void **state)
{
	struct saker_event *ev = ev_open("/etc/ab", 2);

	(void)state;
	/* after '<' the language takes numbers or another field: strings order by bytes */
	T("fd.name < val(proc.exepath)", ev, 1);      /* "/etc/ab" < "/usr/bin/bash" */
	T("proc.exepath < val(fd.name)", ev, 0);
	T("fd.name <= val(fd.name)", ev, 1);
	T("fd.name < val(fd.name)", ev, 0);
	T("fd.directory < val(fd.name)", ev, 1);      /* "/etc" is a prefix of "/etc/ab" */
	T("fd.name regex '/etc/a.'", ev, 1);
	T("fd.name regex '/etc/a'", ev, 0); /* a full match, as RE2's */
	T("toupper(fd.name) = /ETC/AB", ev, 1);
	T("fd.name startswith anyof (/usr, /etc)", ev, 1);
	T("proc.name = val(proc.pname)", ev, 0);
	T("evt.arg.request exists", ev, 0); /* a ptrace field: missing on an open */
	T("not evt.arg.request exists", ev, 1);
	free(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_paths),
		cmocka_unit_test(test_field_event),
		cmocka_unit_test(test_field_ptrace),
		cmocka_unit_test(test_field_process),
		cmocka_unit_test(test_missing_values),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_open_flags),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_pmatch),
		cmocka_unit_test(test_syscalls_and_logic),
		cmocka_unit_test(test_residual_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
