/* saker-test-lib: saker_rules */
/* Checker tests: the shared tables, type checking, the kernel/residual plan, lowering to
 * predicates, event sets, outputs and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "saker/event.h"
#include "saker/fields.h"

/* Loads one rule with condition COND (and output OUT) and runs every pass. */
static sk_comp *run(const char *pre, const char *cond, const char *out, int *rc)
{
	sk_comp *c = sk_comp_new();
	char *y = sk_arena_printf(c->arena, "%s- rule: R\n  desc: d\n  condition: %s\n  output: \"%s\"\n  priority: warning\n",
				  pre ? pre : "", cond, out ? out : "%fd.name");
	*rc = sk_load_string(c, "t.yaml", y, strlen(y));
	*rc |= sk_expand(c);
	*rc |= sk_check(c);
	return c;
}

static void expect_pred(const char *pre, const char *cond, const char *want)
{
	int rc;
	sk_comp *c = run(pre, cond, NULL, &rc);
	if (rc || c->n_rules != 1) {
		sk_diag_render(c->diag, SK_DIAG_TEXT, stdout);
		fail_msg("'%s' did not check", cond);
	}
	assert_string_equal(sk_pred_to_string(c->arena, c->rules[0]->pred), want);
	assert_int_equal(c->rules[0]->plan, SAKER_PLAN_EXACT);
	sk_comp_free(c);
}

static void expect_errors(const char *pre, const char *cond, const char *out, size_t n)
{
	int rc;
	sk_comp *c = run(pre, cond, out, &rc);
	if (sk_diag_error_count(c->diag) != n) {
		sk_diag_render(c->diag, SK_DIAG_TEXT, stdout);
		fail_msg("'%s': expected %zu errors, got %zu", cond, n, sk_diag_error_count(c->diag));
	}
	assert_int_equal(c->n_rules, 0);
	sk_comp_free(c);
}

static void test_tables(void **state)
{
	(void)state;
	char buf[128];
	assert_int_equal(sk_field_lookup("fd.name"), SK_FLD_FD_NAME);
	assert_int_equal(sk_field_lookup("fd.nam"), -1);
	assert_string_equal(sk_fields[SK_FLD_USER_NAME].name, "user.name");
	assert_int_equal(sk_event_nr(SK_ARCH_X86_64, sk_event_lookup("openat")), 257);
	assert_int_equal(sk_event_nr(SK_ARCH_I386, sk_event_lookup("openat")), 295);
	assert_string_equal(sk_event_name(sk_event_from_nr(SK_ARCH_X86_64, 437)), "openat2");
	assert_int_equal(sk_event_from_nr(SK_ARCH_X86_64, 99999), -1);
	assert_int_equal(sk_event_lookup("no_such_syscall"), -1);
	assert_int_equal(sk_open_flags_render(01 | 0100 | 01000, buf, sizeof(buf)), 24);
	assert_string_equal(buf, "O_WRONLY|O_CREAT|O_TRUNC");
	sk_open_flags_render(0, buf, sizeof(buf));
	assert_string_equal(buf, "O_RDONLY");
	assert_int_equal(sk_open_flags_render(2 | 02000000, buf, 8), 7); /* truncated, terminated */
	assert_string_equal(buf, "O_RDWR|");
	assert_string_equal(sk_errno_name(2), "ENOENT");
	assert_int_equal(sk_errno_value("EACCES"), 13);
	assert_int_equal(sk_errno_value("ENOPE"), -1);
	assert_null(sk_errno_name(0));
	assert_int_equal(saker_priority_parse("INFO"), SAKER_PRIO_INFORMATIONAL);
	assert_int_equal(saker_priority_parse("Critical"), SAKER_PRIO_CRITICAL);
	assert_int_equal(saker_priority_parse("urgent"), -1);
	assert_string_equal(saker_priority_names[SAKER_PRIO_DEBUG], "Debug");
}

static void test_suggest(void **state)
{
	(void)state;
	assert_int_equal(sk_edit_distance("kitten", "sitting"), 3);
	assert_string_equal(sk_field_suggest("evt.user.name"), "user.name");
	assert_string_equal(sk_field_suggest("proc.nmae"), "proc.name");
	assert_null(sk_field_suggest("completely.different"));
}

static void test_lowering(void **state)
{
	(void)state;
	expect_pred(NULL, "evt.type = openat and fd.name = /etc/shadow",
		    "(evt.type in {openat} and (fd.name == \"/etc/shadow\" or fd.watch_id in {0} or fd.name_cut == 1))");
	expect_pred(NULL, "evt.type in (openat, open) and evt.is_open_write = true",
		    "(evt.type in {open, openat} and (evt.rawarg.flags & 0x3) in {1, 2})");
	expect_pred(NULL, "evt.type = open and evt.arg.flags contains O_TRUNC",
		    "(evt.type in {open} and (evt.rawarg.flags & 0x200) == 0x200)");
	expect_pred(NULL, "evt.type = open and evt.res = ENOENT and evt.dir = <",
		    "(evt.type in {open} and evt.rawres == -2)");
	expect_pred(NULL, "evt.type = open and evt.res != SUCCESS",
		    "(evt.type in {open} and not evt.rawres >= 0)");
	expect_pred(NULL, "evt.type = open and not (proc.name in (a, b) or proc.pid != 1)",
		    "(evt.type in {open} and not (proc.name in {\"a\", \"b\"} or proc.pid != 1))");
	expect_pred("- list: l\n  items: [x, y]\n- macro: m\n  condition: evt.type = creat\n",
		    "m and proc.name in (l, z)", "(evt.type in {creat} and proc.name in {\"x\", \"y\", \"z\"})");
	expect_pred(NULL, "evt.type = open and evt.res glob 'EACCE?'",
		    "(evt.type in {open} and evt.rawres == -13)");
	/* a value the field never renders is a warning and a false test, not an error */
	expect_pred(NULL, "evt.type = open and evt.arg.flags = 'O_CREAT|O_WRONLY'", "false");
	/* NOT is kept at the boolean level: the missing-value rule makes "not a = x" differ from
	 * "a != x" */
	expect_pred(NULL, "not (evt.type != openat or proc.name = a)",
		    "not (not evt.type in {openat} or proc.name == \"a\")");
}

/* Loads one rule and checks its plan: PLAN, its lowered kernel part, and whether the residual
 * holds a check on RES_FIELD (-1: no residual; -2: on a transformer). */
static void expect_plan(const char *cond, enum saker_plan plan, const char *kernel, int res_field)
{
	int rc;
	sk_comp *c = run(NULL, cond, NULL, &rc);
	if (rc || c->n_rules != 1) {
		sk_diag_render(c->diag, SK_DIAG_TEXT, stdout);
		fail_msg("'%s' did not check", cond);
	}
	const sk_rule *r = c->rules[0];
	if (r->plan != plan)
		fail_msg("'%s': plan %d, expected %d", cond, r->plan, plan);
	assert_string_equal(sk_pred_to_string(c->arena, r->pred), kernel);
	if (res_field == -1) {
		if (r->residual)
			fail_msg("'%s': unexpected residual", cond);
	} else {
		const sk_cexpr *x = r->residual;
		assert_non_null(x);
		/* the first check of the residual, depth first */
		while (x->kind != SK_C_CHECK)
			x = x->kids[0];
		if (res_field == -2)
			assert_int_equal(x->lhs->kind, SK_CO_XFORM);
		else
			assert_int_equal(x->lhs->field, res_field);
	}
	sk_comp_free(c);
}

static void test_plan(void **state)
{
	(void)state;
	expect_plan("evt.type = openat and fd.name = /etc/shadow", SAKER_PLAN_EXACT,
		    "(evt.type in {openat} and (fd.name == \"/etc/shadow\" or fd.watch_id in {0} or fd.name_cut == 1))", -1);
	/* a conjunct only user space knows: the residual */
	expect_plan("evt.type = openat and fd.name = /etc/shadow and user.name = root", SAKER_PLAN_PARTIAL,
		    "(evt.type in {openat} and (fd.name == \"/etc/shadow\" or fd.watch_id in {0} or fd.name_cut == 1))", SK_FLD_USER_NAME);
	/* A and (B or U): K = A, R = (B or U) */
	expect_plan("evt.type = open and proc.name = cat and (fd.name = /a or user.name = root)",
		    SAKER_PLAN_PARTIAL, "(evt.type in {open} and proc.name == \"cat\")", SK_FLD_FD_NAME);
	/* not (B and U) is weaker than not B: the kernel can only say "maybe" */
	expect_plan("evt.type = open and not (fd.name = /a and user.name = root)", SAKER_PLAN_USER,
		    "evt.type in {open}", SK_FLD_FD_NAME);
	/* not (B or U) implies not B: the kernel keeps it */
	expect_plan("evt.type = open and not (fd.name = /a or user.name = root)", SAKER_PLAN_PARTIAL,
		    "(evt.type in {open} and (not (fd.name == \"/a\" or fd.watch_id in {0}) or (fd.name_cut == 1 and not fd.watch_id in {0})))", SK_FLD_FD_NAME);
	/* operators and operands the kernel side does not evaluate */
	expect_plan("evt.type = open and fd.name regex '/etc/.*'", SAKER_PLAN_USER, "evt.type in {open}", SK_FLD_FD_NAME);
	expect_plan("evt.type = open and fd.name startswith anyof (/etc, /usr)", SAKER_PLAN_USER,
		    "evt.type in {open}", SK_FLD_FD_NAME);
	expect_plan("evt.type = open and proc.name = val(proc.pname)", SAKER_PLAN_USER, "evt.type in {open}",
		    SK_FLD_PROC_NAME);
	expect_plan("evt.type = open and toupper(proc.name) = CAT", SAKER_PLAN_USER, "evt.type in {open}", -2);
	expect_plan("evt.type = open and evt.arg.flags contains 'O_RDONLY|O_CREAT'", SAKER_PLAN_USER,
		    "evt.type in {open}", SK_FLD_EVT_ARG_FLAGS);
	/* a big string set is a lookup in the rule tables: it stays in the kernel */
	expect_plan("evt.type = open and fd.name in (/a, /b, /c, /d, /e, /f, /g, /h, /i)", SAKER_PLAN_EXACT,
		    "(evt.type in {open} and (fd.name in {\"/a\", \"/b\", \"/c\", \"/d\", \"/e\", "
		    "\"/f\", \"/g\", \"/h\", \"/i\"} or fd.watch_id in {0, 1, 2, 3, 4, 5, 6, 7, 8} or "
		    "fd.name_cut == 1))", -1);
	/* with code per rule, inline compares: the residual takes it whole */
	setenv("SAKER_TEST_INLINE_CODE", "1", 1);
	expect_plan("evt.type = open and fd.name in (/a, /b, /c, /d, /e, /f, /g, /h, /i)", SAKER_PLAN_USER,
		    "evt.type in {open}", SK_FLD_FD_NAME);
	unsetenv("SAKER_TEST_INLINE_CODE");
}

static void test_syscalls(void **state)
{
	(void)state;
	int rc;
	sk_comp *c = run(NULL, "(evt.type in (open, openat, execve) and evt.type != execve) or (evt.type = creat and fd.name = x)",
			 NULL, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(c->rules[0]->n_syscalls, 3);
	assert_int_equal(c->rules[0]->syscalls[0], SK_EV_CREAT);
	assert_int_equal(c->rules[0]->syscalls[1], SK_EV_OPEN);
	assert_int_equal(c->rules[0]->syscalls[2], SK_EV_OPENAT);
	sk_comp_free(c);
	/* rules that need events the kernel side does not capture are left out, with a warning */
	const char *left[] = { "evt.type = kill", "proc.name = x", "evt.type = openat or proc.name = x",
			       "evt.type = openat and proc.vpgid.name contains x" };
	for (size_t i = 0; i < sizeof(left) / sizeof(left[0]); i++) {
		c = run(NULL, left[i], NULL, &rc);
		assert_int_equal(rc, 0);
		assert_int_equal(sk_diag_error_count(c->diag), 0);
		assert_int_equal(c->n_rules, 0);
		assert_int_equal(c->n_left_out, 1);
		assert_true(c->left_out[0]->n_missing > 0);
		sk_comp_free(c);
	}
}

static void test_errors(void **state)
{
	(void)state;
	expect_errors(NULL, "openat and evt.dir = open and fd.flags.O_WRONLY = 1", "%(evt.user.name)", 3);
	expect_errors(NULL, "evt.type = opnat", NULL, 1);
	expect_errors(NULL, "evt.type = openat and proc.pid = abc", NULL, 1);
	expect_errors(NULL, "evt.type = openat and user.uid = -1", NULL, 1);
	expect_errors(NULL, "evt.type = openat and proc.pid contains 1", NULL, 1);
	expect_errors(NULL, "evt.type = openat and evt.is_open_write = 1", NULL, 1);
	expect_errors(NULL, "evt.type = openat and proc.pid in (1, x, 3)", NULL, 1);
	expect_errors(NULL, "evt.type = openat and fd.name[1] = x", NULL, 1);
	expect_errors(NULL, "evt.type = openat and proc.aname[x] = bash", NULL, 1);
	expect_errors(NULL, "evt.type = openat and evt.arg = x", NULL, 1);
	expect_errors(NULL, "evt.type = openat and proc.name > 1 and proc.pid startswith 1", NULL, 1);
	expect_errors(NULL, "evt.type = openat and fd.name bcontains 414", NULL, 1);
	expect_errors(NULL, "evt.type = openat and proc.pid = val(proc.name)", NULL, 1);
	expect_errors(NULL, "evt.type = openat and fd.name pmatch val(proc.name)", NULL, 1);
	expect_errors(NULL, "evt.type = openat and proc.pid = oneof (1, 2)", NULL, 1);
	expect_errors(NULL, "evt.type = openat and nosuch(proc.name) = x", NULL, 1);
	expect_errors(NULL, "evt.type = openat and fd.ip = 10.0.0.300", NULL, 1);
	expect_errors(NULL, "evt.type = openat and undefined_macro", NULL, 1);
	expect_errors("- macro: m\n  condition: m\n", "evt.type = openat and m", NULL, 1);
	expect_errors("- macro: m\n  condition: fd.nam = x\n", "evt.type = openat and (m or m)", NULL, 1);
	expect_errors(NULL, "evt.type = openat", "%", 1);
	expect_errors(NULL, "evt.type = openat", "%proc.nmae", 1);
	expect_errors(NULL, "evt.type = openat", "%fd.name[1]", 1);
	expect_errors(NULL, "evt.type = openat", "%fd.ip", 1);
}

static void test_output(void **state)
{
	(void)state;
	int rc;
	sk_comp *c = run(NULL, "evt.type = openat", "*start%proc.nameand%10fd.name %user.name.", &rc);
	assert_int_equal(rc, 0);
	sk_rule *r = c->rules[0];
	assert_int_equal(r->n_segs, 7);
	assert_string_equal(r->segs[0].text, "start");
	assert_int_equal(r->segs[0].field, -1);
	assert_int_equal(r->segs[1].field, SK_FLD_PROC_NAME);
	assert_string_equal(r->segs[2].text, "and");
	assert_int_equal(r->segs[3].field, SK_FLD_FD_NAME);
	assert_int_equal(r->segs[3].width, 10);
	assert_int_equal(r->segs[4].field, -1);
	assert_int_equal(r->segs[5].field, SK_FLD_USER_NAME);
	assert_string_equal(r->segs[6].text, ".");
	sk_comp_free(c);
}

static void test_limits(void **state)
{
	(void)state;
	/* Each macro uses the previous one twice: expansion must stop, not exhaust memory. */
	sk_comp *c = sk_comp_new();
	char *y = sk_arena_strdup(c->arena, "- macro: m0\n  condition: evt.type = openat\n");
	for (int i = 1; i < 40; i++)
		y = sk_arena_printf(c->arena, "%s- macro: m%d\n  condition: m%d and m%d\n", y, i, i - 1, i - 1);
	y = sk_arena_printf(c->arena, "%s- rule: R\n  desc: d\n  condition: m39\n  output: x\n  priority: debug\n", y);
	assert_int_equal(sk_load_string(c, "t.yaml", y, strlen(y)), 0);
	assert_int_equal(sk_expand(c), -1);
	sk_check(c);
	assert_int_equal(c->n_rules, 0);
	sk_comp_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_lowering),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_syscalls),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_output),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
