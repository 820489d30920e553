/* saker-test-lib: saker_rules */
/* Checker tests: the shared tables, lowering to predicates, syscall sets, outputs and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
		    "(evt.type in {openat} and fd.name == \"/etc/shadow\")");
	expect_pred(NULL, "evt.type in (openat, open) and evt.is_open_write = true",
		    "(evt.type in {open, openat} and (evt.rawarg.flags & 0x3) in {1, 2})");
	expect_pred(NULL, "evt.type = open and evt.arg.flags contains O_TRUNC",
		    "(evt.type in {open} and (evt.rawarg.flags & 0x200) == 0x200)");
	expect_pred(NULL, "evt.type = open and evt.res = ENOENT and evt.dir = <",
		    "(evt.type in {open} and evt.rawres == -2)");
	expect_pred(NULL, "evt.type = open and not (proc.name in (a, b) or proc.pid != 1)",
		    "(evt.type in {open} and not (proc.name in {\"a\", \"b\"} or proc.pid != 1))");
	expect_pred("- list: l\n  items: [x, y]\n- macro: m\n  condition: evt.type = creat\n",
		    "m and proc.name in (l, z)", "(evt.type in {creat} and proc.name in {\"x\", \"y\", \"z\"})");
	expect_pred(NULL, "evt.type = open and evt.res startswith E and evt.res glob 'EACCE?'",
		    "(evt.type in {open} and evt.rawres < 0 and evt.rawres == -13)");
	/* NOT is pushed through to the syscall leaves. */
	expect_pred(NULL, "not (evt.type != openat or proc.name = a)",
		    "not (not evt.type in {openat} or proc.name == \"a\")");
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
	expect_errors(NULL, "evt.type = execve", NULL, 1);
	expect_errors(NULL, "proc.name = x", NULL, 1);
	expect_errors(NULL, "evt.type = openat or proc.name = x", NULL, 1);
}

static void test_errors(void **state)
{
	(void)state;
	expect_errors(NULL, "openat and evt.dir = open and fd.flags.O_WRONLY = 1", "%(evt.user.name)", 4);
	expect_errors(NULL, "evt.type = opnat", NULL, 1);
	expect_errors(NULL, "evt.type = openat and proc.pid = abc", NULL, 1);
	expect_errors(NULL, "evt.type = openat and user.uid = -1", NULL, 1);
	expect_errors(NULL, "evt.type = openat and proc.pid contains 1", NULL, 1);
	expect_errors(NULL, "evt.type = openat and evt.is_open_write = 1", NULL, 1);
	expect_errors(NULL, "evt.type = openat and evt.res = ENOPE", NULL, 1);
	expect_errors(NULL, "evt.type = openat and evt.arg.flags contains 'O_RDONLY|O_CREAT'", NULL, 1);
	expect_errors(NULL, "evt.type = openat and evt.arg.flags = 'O_CREAT|O_WRONLY'", NULL, 1);
	expect_errors(NULL, "evt.type = openat and user.name = root", NULL, 1);
	expect_errors(NULL, "evt.type = openat and fd.name regex x", NULL, 1);
	expect_errors(NULL, "evt.type = openat and proc.name == oneof (a, b)", NULL, 1);
	expect_errors(NULL, "evt.type = openat and fd.name[1] = x", NULL, 1);
	expect_errors(NULL, "evt.type = openat and undefined_macro", NULL, 1);
	expect_errors("- macro: m\n  condition: m\n", "evt.type = openat and m", NULL, 1);
	expect_errors("- macro: m\n  condition: fd.nam = x\n", "evt.type = openat and (m or m)", NULL, 1);
	expect_errors(NULL, "evt.type = openat", "%", 1);
	expect_errors(NULL, "evt.type = openat", "%proc.nmae", 1);
	expect_errors(NULL, "evt.type = openat", "%toupper(proc.name)", 1);
	expect_errors(NULL, "evt.type = openat", "%fd.name[1]", 1);
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

static void test_max_rules(void **state)
{
	(void)state;
	sk_comp *c = sk_comp_new();
	char *y = "";
	for (int i = 0; i <= SAKER_MAX_RULES; i++)
		y = sk_arena_printf(c->arena, "%s- rule: R%d\n  desc: d\n  condition: evt.type = openat\n  output: x\n  priority: debug\n", y, i);
	assert_int_equal(sk_load_string(c, "t.yaml", y, strlen(y)), 0);
	assert_int_equal(sk_expand(c), 0);
	assert_int_equal(sk_check(c), -1);
	assert_int_equal(c->n_rules, SAKER_MAX_RULES);
	assert_int_equal(sk_diag_error_count(c->diag), 1);
	sk_comp_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_lowering),
		cmocka_unit_test(test_syscalls),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_output),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_max_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
