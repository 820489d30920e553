/* saker-test-lib: saker_rules */
/* Loader tests: items, keys, redefinition, rejected keys and byte-exact positions in scalars. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rules.h"

static sk_comp *load(const char *yaml, int *rc)
{
	sk_comp *c = sk_comp_new();
	assert_non_null(c);
	*rc = sk_load_string(c, "t.yaml", yaml, strlen(yaml));
	return c;
}

static sk_item *item(sk_comp *c, const char *name)
{
	for (size_t i = 0; i < c->n_items; i++)
		if (!strcmp(c->items[i]->name, name))
			return c->items[i];
	return NULL;
}

/* Line and column in the file of byte OFF of text T. */
static void pos(sk_comp *c, const sk_text *t, size_t off, unsigned *line, unsigned *col)
{
	sk_diag_position(c->diag, sk_text_span(t, off, 1), line, col);
}

static void test_items(void **state)
{
	(void)state;
	int rc;
	sk_comp *c = load("- required_engine_version: 0.57.0\n"
			  "- list: shells\n  items: [bash, 'sh', \"'zsh'\", 12]\n"
			  "- macro: m\n  condition: proc.name in (shells)\n"
			  "- rule: R\n  desc: d\n  condition: m\n  output: '  %proc.name  '\n"
			  "  priority: Info\n  tags: [b, a, b]\n  enabled: no\n", &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(c->n_items, 3);
	sk_item *l = item(c, "shells");
	assert_int_equal(l->kind, SK_ITEM_LIST);
	assert_int_equal(l->n_items, 4);
	assert_string_equal(l->items[1]->text, "sh");
	assert_true(l->items[1]->quoted);
	assert_string_equal(l->items[2]->text, "zsh"); /* the item's own quotes are dropped */
	assert_string_equal(l->items[3]->text, "12");
	sk_item *r = item(c, "R");
	assert_int_equal(r->priority, SAKER_PRIO_INFORMATIONAL);
	assert_false(r->enabled);
	assert_string_equal(r->source, "syscall");
	assert_int_equal(r->n_tags, 2);
	assert_string_equal(r->tags[0], "a");
	assert_string_equal(r->tags[1], "b");
	assert_int_equal(r->output.len, strlen("%proc.name")); /* trimmed */
	assert_int_equal(r->line, 6);
	assert_int_equal(sk_diag_error_count(c->diag), 0);
	sk_comp_free(c);
}

static void test_redefinition_keeps_place(void **state)
{
	(void)state;
	int rc;
	sk_comp *c = load("- macro: a\n  condition: x.y = 1\n"
			  "- macro: b\n  condition: x.y = 2\n"
			  "- macro: a\n  condition: x.y = 3\n", &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(c->n_items, 2);
	assert_string_equal(c->items[0]->name, "a");
	assert_string_equal(c->items[0]->cond.str, "x.y = 3");
	assert_true(c->items[0]->seq > c->items[1]->seq);
	sk_comp_free(c);
}

static void test_block_scalar_positions(void **state)
{
	(void)state;
	int rc;
	const char *y = "- macro: m\n"
			"  condition: >\n"
			"    evt.type = openat\n"
			"      and fd.name = x\n"
			"\n"
			"    and proc.name = 'a''b'\n";
	sk_comp *c = load(y, &rc);
	assert_int_equal(rc, 0);
	sk_item *m = item(c, "m");
	const char *s = m->cond.str;
	unsigned line, col;
	pos(c, &m->cond, (size_t)(strstr(s, "fd.name") - s), &line, &col);
	assert_int_equal(line, 4);
	assert_int_equal(col, 11);
	pos(c, &m->cond, (size_t)(strstr(s, "proc.name") - s), &line, &col);
	assert_int_equal(line, 6);
	assert_int_equal(col, 9);
	sk_comp_free(c);
}

static void test_quoted_positions(void **state)
{
	(void)state;
	int rc;
	const char *y = "- macro: m\n"
			"  condition: \"a.b = \\\"x\\t\\\" and\n"
			"    c.d = 'it''s' and \\\n"
			"    e.f = 1\"\n"
			"- macro: n\n"
			"  condition: 'g.h = ''q''\n"
			"    and i.j = 2'\n";
	sk_comp *c = load(y, &rc);
	assert_int_equal(rc, 0);
	unsigned line, col;
	sk_item *m = item(c, "m");
	assert_string_equal(m->cond.str, "a.b = \"x\t\" and c.d = 'it''s' and e.f = 1");
	pos(c, &m->cond, (size_t)(strstr(m->cond.str, "c.d") - m->cond.str), &line, &col);
	assert_int_equal(line, 3);
	assert_int_equal(col, 5);
	pos(c, &m->cond, (size_t)(strstr(m->cond.str, "e.f") - m->cond.str), &line, &col);
	assert_int_equal(line, 4);
	assert_int_equal(col, 5);
	sk_item *n = item(c, "n");
	assert_string_equal(n->cond.str, "g.h = 'q' and i.j = 2");
	pos(c, &n->cond, (size_t)(strstr(n->cond.str, "i.j") - n->cond.str), &line, &col);
	assert_int_equal(line, 7);
	assert_int_equal(col, 9);
	sk_comp_free(c);
}

static void test_utf8_positions(void **state)
{
	(void)state;
	int rc;
	/* libyaml counts characters; positions must still be bytes. */
	sk_comp *c = load("- rule: \xc3\xa9t\xc3\xa9\n  desc: caf\xc3\xa9\n  condition: a.b = 1\n  output: x\n  priority: alert\n", &rc);
	assert_int_equal(rc, 0);
	unsigned line, col;
	sk_item *r = c->items[0];
	pos(c, &r->cond, 0, &line, &col);
	assert_int_equal(line, 3);
	assert_int_equal(col, 14);
	sk_comp_free(c);
}

static void test_rejected(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"- rule: R\n  desc: d\n  condition: a.b = 1\n  output: o\n  priority: error\n  exceptions: []\n",
		"- rule: R\n  condition: and a.b = 1\n  append: true\n",
		"- macro: m\n  condition: a.b = 1\n  override:\n    condition: append\n",
		"- rule: R\n  desc: d\n  condition: a.b = 1\n  output: o\n  priority: loud\n",
		"- rule: R\n  desc: d\n  condition: a.b = 1\n  priority: error\n",
		"- rule: R\n  desc: d\n  condition: a.b = 1\n  output: o\n  priority: error\n  enabled: maybe\n",
		"rule: R\n",
		"- just a string\n",
		"- rule: [\n",
		"- list: l\n  items: x\n",
		"- rule: Missing\n  enabled: false\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;
		sk_comp *c = load(bad[i], &rc);
		if (rc != -1 || sk_diag_error_count(c->diag) == 0)
			fail_msg("case %zu was accepted: %s", i, bad[i]);
		sk_comp_free(c);
	}
}

static void test_warnings(void **state)
{
	(void)state;
	int rc;
	sk_comp *c = load("- rule: K\n  desc: d\n  condition: a.b = 1\n  output: o\n  priority: error\n  source: k8s_audit\n"
			  "- rule: R\n  desc: d\n  condition: a.b = 1\n  output: o\n  priority: error\n  colour: red\n"
			  "- something: else\n"
			  "- macro: bad-name\n  condition: a.b = 1\n", &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(sk_diag_error_count(c->diag), 0);
	assert_int_equal(sk_diag_warning_count(c->diag), 4);
	assert_null(item(c, "K")); /* other sources are skipped */
	assert_non_null(item(c, "R"));
	sk_comp_free(c);
}

static void test_enable_only(void **state)
{
	(void)state;
	int rc;
	sk_comp *c = load("- rule: R\n  desc: d\n  condition: a.b = 1\n  output: o\n  priority: error\n"
			  "- rule: R\n  enabled: false\n", &rc);
	assert_int_equal(rc, 0);
	assert_false(item(c, "R")->enabled);
	assert_int_equal(c->n_items, 1);
	sk_comp_free(c);
}

static void test_paths(void **state)
{
	(void)state;
	sk_comp *c = sk_comp_new();
	const char *paths[] = { "/nonexistent/rules.yaml" };
	int rc = sk_load_paths(c, paths, 1);
	assert_true(rc < -1); /* an I/O failure, not an input error */
	assert_int_equal(sk_diag_error_count(c->diag), 1);
	sk_comp_free(c);

	c = sk_comp_new();
	const char *dir[] = { SAKER_SOURCE_DIR "/tests/golden/check" };
	sk_load_paths(c, dir, 1);
	assert_true(c->n_items > 5);
	sk_comp_free(c);
	sk_comp_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_items),
		cmocka_unit_test(test_redefinition_keeps_place),
		cmocka_unit_test(test_block_scalar_positions),
		cmocka_unit_test(test_quoted_positions),
		cmocka_unit_test(test_utf8_positions),
		cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_enable_only),
		cmocka_unit_test(test_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
