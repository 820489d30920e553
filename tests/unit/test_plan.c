/* saker-test-lib: saker_rules */
/* The planner's promise, on generated rules and events: for every rule, rule => K (the kernel
 * never drops an event the rule matches) and rule <=> K and R (sakerd's residual decides exactly
 * the rest). Conditions are random mixes of checks the kernel evaluates and checks only user
 * space can (user names, regex, transformers, field-to-field, big sets), under and/or/not;
 * events are hand-made records with random values, some fields missing. Everything is evaluated
 * by the evaluator of reference (runtime/cond_eval.c) through runtime/event_cond.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event_test.h"
#include "rules.h"
#include "saker/event_cond.h"
#include "saker/fields.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned pick(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Values the generated checks and events share, so that checks hold often enough. */
static const char *const paths[] = { "/etc/shadow", "/etc/passwd", "/tmp/x", "/var/log/a.log", "/etc" };
static const char *const names[] = { "bash", "cat", "sshd", "vi" };
static const char *const users[] = { "root", "alice", "bob" };

/* One random check: kernel-evaluable or not. */
static char *gen_check(sk_arena *a)
{
	switch (pick(16)) {
	case 0: return sk_arena_printf(a, "fd.name = %s", paths[pick(5)]);
	case 1: return sk_arena_printf(a, "fd.name startswith %s", pick(2) ? "/etc" : "/var");
	case 2: return sk_arena_printf(a, "proc.name in (%s, %s)", names[pick(4)], names[pick(4)]);
	case 3: return sk_arena_printf(a, "proc.pname = %s", names[pick(4)]);
	case 4: return sk_arena_printf(a, "evt.is_open_write = %s", pick(2) ? "true" : "false");
	case 5: return sk_arena_printf(a, "user.uid %s %u", pick(2) ? "=" : "<", pick(3) * 500);
	case 6: return sk_arena_printf(a, "fd.filename endswith %s", pick(2) ? ".log" : "dow");
	case 7: return sk_arena_printf(a, "evt.type = %s", pick(2) ? "openat" : "open");
	/* user space only */
	case 8: return sk_arena_printf(a, "user.name = %s", users[pick(3)]);
	case 9: return sk_arena_printf(a, "fd.name regex '%s'", pick(2) ? "/etc/.*" : "/tmp/.");
	case 10: return sk_arena_printf(a, "toupper(proc.name) = %s", pick(2) ? "BASH" : "CAT");
	case 11: return sk_arena_printf(a, "proc.name = val(proc.pname)");
	case 12: return sk_arena_printf(a, "fd.name in (/a, /b, /c, /d, /e, /f, /g, /h, %s)", paths[pick(5)]);
	case 13: return sk_arena_printf(a, "fd.name startswith anyof (/etc, %s)", pick(2) ? "/tmp" : "/usr");
	case 14: return sk_arena_printf(a, "group.name = %s", pick(2) ? "root" : "staff");
	default: return sk_arena_printf(a, "proc.exepath exists");
	}
}

static char *gen_expr(sk_arena *a, int depth)
{
	unsigned k = depth > 3 ? 0 : pick(5);
	if (k <= 1)
		return gen_check(a);
	if (k == 2)
		return sk_arena_printf(a, "not (%s)", gen_expr(a, depth + 1));
	return sk_arena_printf(a, "(%s %s %s)", gen_expr(a, depth + 1), k == 3 ? "and" : "or",
			       gen_expr(a, depth + 1));
}

/* User-space values for the test's events: user and group names from the ids. */
static void value(void *ctx, const struct saker_event *ev, int field, struct sk_field_value *v,
		  char scratch[SK_FIELD_SCRATCH])
{
	(void)ctx;
	sk_event_field(ev, field, v, scratch);
	if (field == SK_FLD_USER_NAME || field == SK_FLD_GROUP_NAME) {
		uint32_t id = field == SK_FLD_USER_NAME ? ev->h.uid : ev->h.gid;
		if (id == 4242)
			return; /* no such user: the value is missing */
		v->kind = SK_VAL_STR;
		v->s = users[id / 500 % 3];
		v->len = strlen(v->s);
	}
}

static struct saker_event *gen_event(void)
{
	const bool open = pick(8) != 0;
	struct saker_event *ev = test_event_new(open ? (pick(2) ? SK_EV_OPENAT : SK_EV_OPEN) : SK_EV_PTRACE);
	ev->h.uid = pick(7) == 0 ? 4242 : pick(3) * 500;
	ev->h.gid = pick(3) * 500;
	ev->h.pid = 100;
	ev->h.tid = 100;
	strcpy(ev->h.comm, names[pick(4)]);
	if (pick(4)) {
		ev->h.flags |= SAKER_EVF_PARENT;
		strcpy(ev->h.pcomm, names[pick(4)]);
	}
	if (pick(3))
		test_event_str(ev, SAKER_STR_EXEPATH, "/usr/bin/x");
	if (open) {
		const char *p = pick(5) ? paths[pick(5)] : NULL;
		TEST_OPEN(ev)->flags = pick(3);
		test_event_str(ev, SAKER_STR_FD_NAME, p);
		test_open_res(ev, p ? 3 : -13);
	}
	return ev;
}

static void test_promise(void **state)
{
	(void)state;
	struct sk_cond_ctx *ctx;
	struct sk_event_src src;
	size_t rules = 0, partial = 0, events = 0, held = 0;

	assert_int_equal(sk_cond_ctx_new(&ctx), 0);
	sk_event_src_init(&src, value, NULL);
	for (int round = 0; round < 400; round++) {
		sk_comp *c = sk_comp_new();
		char *y = "";
		for (int i = 0; i < 8; i++)
			y = sk_arena_printf(c->arena,
					    "%s- rule: R%d\n  desc: d\n  condition: >-\n    evt.type in (open, openat, ptrace) and %s\n"
					    "  output: o\n  priority: warning\n",
					    y, i, gen_expr(c->arena, 0));
		int rc = sk_load_string(c, "gen.yaml", y, strlen(y));
		rc |= sk_expand(c);
		rc |= sk_check(c);
		if (rc || c->n_rules != 8) {
			sk_diag_render(c->diag, SK_DIAG_TEXT, stdout);
			fail_msg("generated rules did not check:\n%s", y);
		}
		for (int e = 0; e < 40; e++) {
			struct saker_event *ev = gen_event();
			for (size_t i = 0; i < c->n_rules; i++) {
				const sk_rule *r = c->rules[i];
				int full = sk_event_cond_eval(&src, ctx, r->cond, ev);
				int k = sk_event_cond_eval(&src, ctx, r->kernel, ev);
				int res = r->residual ? sk_event_cond_eval(&src, ctx, r->residual, ev) : 1;
				if (full < 0 || k < 0 || res < 0)
					fail_msg("evaluation failed (%d %d %d) for %s", full, k, res, r->item->name);
				if ((full && !k) || full != (k && res)) {
					char *kt = sk_cond_to_string(r->kernel), *rt = r->residual ? sk_cond_to_string(r->residual) : NULL;
					fail_msg("the plan breaks its promise on rule %s: rule %d, K %d, R %d\n"
						 "  rule: %s\n  K:    %s\n  R:    %s\n", r->item->name, full, k, res,
						 sk_expr_to_string(c->arena, r->item->ast), kt, rt ? rt : "-");
				}
				held += full;
			}
			events++;
			free(ev);
		}
		for (size_t i = 0; i < c->n_rules; i++)
			partial += c->rules[i]->residual != NULL;
		rules += c->n_rules;
		sk_cond_ctx_reset(ctx); /* before the trees it evaluated are freed */
		sk_comp_free(c);
	}
	sk_event_src_fini(&src);
	sk_cond_ctx_free(ctx);
	printf("[ info ] %zu rules (%zu with a residual) on %zu events each: the rule held %zu times\n",
	       rules, partial, events / 400, held);
	/* the generator must exercise both kinds of plan, and rules that hold */
	assert_true(partial > rules / 10 && partial < rules);
	assert_true(held > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_promise),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
