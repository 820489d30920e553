/* saker-test-lib: saker_rules */
/* Loader tests: items and keys, redefinition, append and override, exceptions, lists as Falco
 * pastes them, several files, files that must be refused, and byte-exact positions. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "collect.h"
#include "rules.h"

static sk_comp *load(const char *yaml, int *rc)
{
	sk_comp *c = sk_comp_new();
	assert_non_null(c);
	*rc = sk_load_string(c, "t.yaml", yaml, strlen(yaml));
	return c;
}

/* Loads and expands; *RC is 0 only when both passes found no error. */
static sk_comp *expand(const char *yaml, int *rc)
{
	sk_comp *c = load(yaml, rc);
	*rc |= sk_expand(c);
	return c;
}

static sk_item *item(sk_comp *c, const char *name)
{
	for (size_t i = 0; i < c->n_items; i++)
		if (!strcmp(c->items[i]->name, name))
			return c->items[i];
	return NULL;
}

/* noinline: gcc 12 at -O2 mistakes the open_memstream buffer for a dangling local. */
static __attribute__((noinline)) char *diags(const sk_comp *c)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	sk_diag_render(c->diag, SK_DIAG_TEXT, f);
	fclose(f);
	return buf;
}

/* Fails unless the rendered diagnostics hold WANT (e.g. "t.yaml:3:5: error: ..."). */
static void expect_diag(const sk_comp *c, const char *want)
{
	char *d = diags(c);
	if (!strstr(d, want))
		fail_msg("missing diagnostic '%s' in:\n%s", want, d);
	free(d);
}

static void expect_no_diag(const sk_comp *c, const char *unwanted)
{
	char *d = diags(c);
	if (strstr(d, unwanted))
		fail_msg("unexpected diagnostic '%s' in:\n%s", unwanted, d);
	free(d);
}

/* The effective condition of rule NAME, in canonical form. */
static const char *cond_of(sk_comp *c, const char *name)
{
	sk_item *it = item(c, name);
	if (!it || !it->ast || it->cond_error) {
		char *d = diags(c);
		fprintf(stderr, "%s", d);
		free(d);
		fail_msg("rule '%s' has no expanded condition", name);
	}
	return sk_expr_to_string(c->arena, it->ast);
}

/* YAML for a rule NAME with condition COND and any more keys in EXTRA. */
#define RULE(name, cond, extra) "- rule: " name "\n  desc: d\n  condition: " cond "\n  output: o\n  priority: error\n" extra

/* Line and column in the file of byte OFF of text T. */
static void pos(sk_comp *c, const sk_text *t, size_t off, unsigned *line, unsigned *col)
{
	sk_diag_position(c->diag, sk_text_span(t, off, 1), line, col);
}

static void test_items(void **state)
{
	(void)state;
	int rc;
	sk_comp *c = expand("- required_engine_version: 0.57.0\n"
			    "- list: shells\n  items: [bash, 'sh', \"'zsh'\", 12, \"a b\"]\n"
			    "- macro: m\n  condition: proc.name in (shells)\n"
			    "- rule: R\n  desc: d\n  condition: m\n  output: '  %proc.name  '\n"
			    "  priority: Info\n  tags: [b, a, b]\n  enabled: no\n", &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(c->n_items, 3);
	sk_item *l = item(c, "shells");
	assert_int_equal(l->kind, SK_ITEM_LIST);
	assert_int_equal(l->n_raw, 5);
	assert_int_equal(l->n_items, 5);
	assert_string_equal(l->items[1]->text, "sh");
	assert_string_equal(l->items[2]->text, "zsh"); /* the item's own quotes are read as quotes */
	assert_true(l->items[2]->quoted);
	assert_string_equal(l->items[3]->text, "12");
	assert_string_equal(l->items[4]->text, "a b"); /* pasted in quotes, as Falco does */
	sk_item *r = item(c, "R");
	assert_int_equal(r->priority, SAKER_PRIO_INFORMATIONAL);
	assert_false(r->enabled);
	assert_string_equal(r->source, "syscall");
	assert_int_equal(r->n_tags, 2);
	assert_string_equal(r->tags[0], "a");
	assert_string_equal(r->tags[1], "b");
	assert_int_equal(r->output.len, strlen("%proc.name")); /* trimmed */
	assert_int_equal(r->line, 6);
	assert_true(r->warn_evttypes);
	assert_false(r->skip_unknown);
	assert_string_equal(cond_of(c, "R"), "proc.name in (bash, sh, zsh, 12, \"a b\")");
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
	assert_true(c->items[0]->index < c->items[1]->index);
	assert_true(c->items[0]->visibility > c->items[1]->visibility);
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

/* Files Falco refuses, each with the message saker gives (and where). */
static void test_rejected(void **state)
{
	(void)state;
	static const char *const bad[][2] = {
		{ "- rule: R\n  desc: d\n  condition: a.b = 1\n  output: o\n  priority: loud\n", "unknown priority 'loud'" },
		{ "- rule: R\n  desc: d\n  condition: a.b = 1\n  priority: error\n", "missing required key 'output'" },
		{ RULE("R", "a.b = 1", "  enabled: maybe\n"), "'enabled' must be true or false, not 'maybe'" },
		{ RULE("R", "a.b = 1", "  enabled: tRuE\n"), "'enabled' must be true or false, not 'tRuE'" },
		{ "- rule: R\n  desc: \"\"\n  condition: a.b = 1\n  output: o\n  priority: error\n", "'desc' must not be empty" },
		{ "- rule: R\n  desc: d\n  condition:\n  output: o\n  priority: error\n", "t.yaml:3:13: error: rule 'R': 'condition' is empty" },
		{ "rule: R\n", "rules content is not a YAML array of objects" },
		{ "hello\n", "rules content is not YAML" },
		{ "- just a string\n", "each item must be a mapping" },
		{ "- rule: [\n", "invalid YAML" },
		{ "- list: l\n  items: x\n", "'items' must be a sequence of values" },
		{ "- list: l\n  items: [a, [b]]\n", "each of 'items' must be a single value" },
		{ "- list: l\n  items: [a, ~]\n", "each of 'items' must be a single value" },
		{ "- rule: Missing\n  enabled: false\n", "has 'enabled' key but no rule by that name already exists" },
		{ "- rule: R\n  tags: [a]\n", "missing required key 'enabled'" },
		{ RULE("R", "a.b = 1", "  tags: a\n"), "'tags' must be a sequence of values" },
		{ RULE("R", "a.b = 1", "  capture_duration: -1\n"), "'capture_duration' must be a whole number" },
		{ RULE("R", "a.b = 1", "  source: \"\"\n"), "'source' must not be empty" },
		{ "- macro: m\n  condition: \"\"\n", "'condition' must not be empty" },
		{ "- list: \"\"\n  items: []\n", "t.yaml:1:9: error: a list needs a name" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;
		sk_comp *c = load(bad[i][0], &rc);
		if (rc != -1 || sk_diag_error_count(c->diag) == 0)
			fail_msg("case %zu was accepted: %s", i, bad[i][0]);
		expect_diag(c, bad[i][1]);
		sk_comp_free(c);
	}
}

static void test_warnings(void **state)
{
	(void)state;
	int rc;
	sk_comp *c = load(RULE("K", "a.b = 1", "  source: k8s_audit\n") RULE("R", "a.b = 1", "  colour: red\n  descr: x\n  desc: again\n")
			  "- something: else\n"
			  "- macro: bad-name\n  condition: a.b = 1\n"
			  "- rules: X\n", &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(sk_diag_error_count(c->diag), 0);
	assert_int_equal(sk_diag_warning_count(c->diag), 7);
	expect_diag(c, "warning: rule 'R': key 'desc' appears twice; the first one counts");
	assert_string_equal(item(c, "R")->desc, "d");
	assert_null(item(c, "K")); /* other sources are skipped */
	assert_non_null(item(c, "R"));
	expect_diag(c, "warning: rule 'K': unknown source 'k8s_audit'; the rule is skipped");
	expect_diag(c, "warning: rule 'R': unknown key 'colour' is ignored");
	expect_diag(c, "note: did you mean 'desc'?");
	expect_diag(c, "warning: unknown top-level item");
	expect_diag(c, "note: did you mean 'rule'?");
	sk_comp_free(c);
}

static void test_booleans(void **state)
{
	(void)state;
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "on", "ON", "y", "Y" };
	static const char *const no[] = { "false", "False", "NO", "no", "off", "Off", "n", "N" };
	for (int v = 0; v < 2; v++) {
		const char *const *set = v ? no : yes;
		size_t n = v ? sizeof(no) / sizeof(no[0]) : sizeof(yes) / sizeof(yes[0]);
		for (size_t i = 0; i < n; i++) {
			int rc;
			sk_comp *c = sk_comp_new();
			char *y = sk_arena_printf(c->arena, RULE("R", "a.b = 1", "  enabled: %s\n  warn_evttypes: %s\n  capture: %s\n"),
						  set[i], set[i], set[i]);
			rc = sk_load_string(c, "t.yaml", y, strlen(y));
			assert_int_equal(rc, 0);
			assert_int_equal(item(c, "R")->enabled, v == 0);
			assert_int_equal(item(c, "R")->warn_evttypes, v == 0);
			assert_int_equal(item(c, "R")->capture, v == 0);
			sk_comp_free(c);
		}
	}
}

static void test_enable_only(void **state)
{
	(void)state;
	int rc;
	sk_comp *c = load(RULE("R", "a.b = 1", "") "- rule: R\n  enabled: false\n", &rc);
	assert_int_equal(rc, 0);
	assert_false(item(c, "R")->enabled);
	assert_int_equal(c->n_items, 1);
	expect_diag(c, "t.yaml:6:3: warning: rule 'R': the standalone 'enabled' key is deprecated");
	sk_comp_free(c);
}

static void test_recorded_keys(void **state)
{
	(void)state;
	int rc;
	sk_comp *c = load(RULE("R", "a.b = 1", "  warn_evttypes: false\n  skip-if-unknown-filter: true\n"
					      "  capture: true\n  capture_duration: 0x10\n"), &rc);
	assert_int_equal(rc, 0);
	sk_item *r = item(c, "R");
	assert_false(r->warn_evttypes);
	assert_true(r->skip_unknown);
	unsigned line, col;
	sk_diag_position(c->diag, r->skip_unknown_span, &line, &col);
	assert_int_equal(line, 7);
	assert_true(r->capture);
	assert_int_equal(r->capture_duration, 16);
	sk_comp_free(c);
}

static void test_engine_version(void **state)
{
	(void)state;
	static const char *const ok[] = { "0.57.0", "26", "0.63.0", "0.62.1", "0.1.0-rc1" };
	static const char *const bad[][2] = {
		{ "0.64.0", "rules require engine version 0.64.0, but engine version is 0.63.0" },
		{ "1.0.0", "rules require engine version 1.0.0, but engine version is 0.63.0" },
		{ "64", "rules require engine version 0.64.0" },
		{ "0.57", "unable to parse engine version '0.57' as a semver string" },
		{ "latest", "unable to parse engine version 'latest'" },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int rc;
		sk_comp *c = sk_comp_new();
		char *y = sk_arena_printf(c->arena, "- required_engine_version: %s\n" RULE("R", "a.b = 1", ""), ok[i]);
		rc = sk_load_string(c, "t.yaml", y, strlen(y));
		if (rc)
			fail_msg("'%s' was refused", ok[i]);
		sk_comp_free(c);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;
		sk_comp *c = sk_comp_new();
		char *y = sk_arena_printf(c->arena, "- required_engine_version: %s\n", bad[i][0]);
		rc = sk_load_string(c, "t.yaml", y, strlen(y));
		assert_int_equal(rc, -1);
		expect_diag(c, bad[i][1]);
		expect_diag(c, "t.yaml:1:28: error:");
		sk_comp_free(c);
	}
	/* the highest one counts */
	int rc;
	sk_comp *c = load("- required_engine_version: 0.50.0\n- required_engine_version: 0.57.0\n"
			  "- required_engine_version: 26\n", &rc);
	unsigned v[3];
	assert_true(sk_collect_required_engine(c, v));
	assert_int_equal(v[1], 57);
	sk_comp_free(c);
}

static void test_plugin_versions(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"- name: container\n      version: 0.4.0\n",
		"- name: container\n      version: 0.7.1\n",
		"- name: k8saudit\n      version: 0.1.0\n      alternatives:\n        - name: container\n          version: 0.2.0\n",
	};
	static const char *const bad[][2] = {
		{ "- name: container\n      version: 0.8.0\n",
		  "plugin 'container' version '0.7.1' is not compatible with required plugin version '0.8.0'" },
		{ "- name: container\n      version: 1.0.0\n", "is not compatible with required plugin version '1.0.0'" },
		{ "- name: k8saudit\n      version: 0.1.0\n",
		  "plugin requirement not satisfied, must load one of: k8saudit (>= 0.1.0)" },
		{ "- name: container\n      version: latest\n", "invalid required version 'latest' for plugin 'container'" },
		{ "- name: container\n      version: 0.1.0\n      alternatives:\n        - name: container\n          version: 0.2.0\n",
		  "defined multiple alternative version requirements for plugin 'container'" },
		{ "- name: container\n", "missing required key 'version'" },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int rc;
		sk_comp *c = sk_comp_new();
		char *y = sk_arena_printf(c->arena, "- required_plugin_versions:\n    %s", ok[i]);
		rc = sk_load_string(c, "t.yaml", y, strlen(y));
		if (rc) {
			char *d = diags(c);
			fail_msg("case %zu was refused:\n%s", i, d);
		}
		sk_comp_free(c);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;
		sk_comp *c = sk_comp_new();
		char *y = sk_arena_printf(c->arena, "- required_plugin_versions:\n    %s", bad[i][0]);
		rc = sk_load_string(c, "t.yaml", y, strlen(y));
		assert_int_equal(rc, -1);
		expect_diag(c, bad[i][1]);
		sk_comp_free(c);
	}
}

static void test_documents(void **state)
{
	(void)state;
	int rc;
	sk_comp *c = load("---\n- list: a\n  items: [x]\n-\n---\n# nothing\n---\n- list: b\n  items: [a]\n...\n", &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(c->n_items, 2);
	sk_comp_free(c);
	c = load("- list: a\n  items: [x]\n---\nkey: value\n", &rc);
	assert_int_equal(rc, -1);
	expect_diag(c, "t.yaml:4:1: error: rules content is not a YAML array of objects");
	sk_comp_free(c);
}

static void test_empty(void **state)
{
	(void)state;
	static const char *const empty[] = { "", "---\n", "[]\n", "# only a comment\n", "---\n---\n", "- required_engine_version: 26\n" };
	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		int rc;
		sk_comp *c = load(empty[i], &rc);
		assert_int_equal(rc, 0);
		assert_int_equal(sk_diag_warning_count(c->diag), 1);
		expect_diag(c, "warning: t.yaml defines no rule, macro or list");
		sk_comp_free(c);
	}
}

static void test_list_append(void **state)
{
	(void)state;
	int rc;
	sk_comp *c = expand("- list: l\n  items: [a]\n"
			    "- list: l\n  items: [b]\n  append: true\n"
			    "- list: l\n  items: [c]\n  override:\n    items: append\n"
			    "- list: m\n  items: [x]\n  override:\n    items: replace\n" /* a definition */
			    RULE("R", "p.q in (l, m)", ""), &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(cond_of(c, "R"), "p.q in (a, b, c, x)");
	expect_diag(c, "t.yaml:5:3: warning: list 'l': 'append' key is deprecated");
	sk_comp_free(c);

	/* an override replace before the definition: the definition then replaces it */
	c = expand("- list: l\n  items: [x]\n  override:\n    items: replace\n- list: l\n  items: [y]\n" RULE("R", "p.q in (l)", ""), &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(cond_of(c, "R"), "p.q in (y)");
	sk_comp_free(c);

	static const char *const bad[][2] = {
		{ "- list: l\n  items: [b]\n  append: true\n- list: l\n  items: [a]\n",
		  "t.yaml:1:9: error: list 'l': uses 'append' or 'override.items: append' but no list by that name already exists" },
		{ "- list: l\n  items: [a]\n- list: l\n  items: [b]\n  append: true\n  override:\n    items: append\n",
		  "keys 'override' and 'append: true' cannot be used together" },
		{ "- list: l\n  items: [a]\n- list: l\n  items: [b]\n  override:\n    items: merge\n",
		  "invalid override operation for key 'items': 'merge' (allowed: append, replace)" },
		{ "- list: l\n  items: [a]\n- list: l\n  items: [b]\n  override:\n    condition: append\n",
		  "key 'condition' cannot be appended to, use 'replace' instead" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = load(bad[i][0], &rc);
		assert_int_equal(rc, -1);
		expect_diag(c, bad[i][1]);
		sk_comp_free(c);
	}
}

static void test_macro_visibility(void **state)
{
	(void)state;
	int rc;
	/* a macro sees the macros defined before it ... */
	sk_comp *c = expand("- macro: a\n  condition: b\n- macro: b\n  condition: x.y = 1\n" RULE("R", "a", ""), &rc);
	assert_int_equal(rc, -1);
	expect_diag(c, "t.yaml:2:14: error: macro 'b' is defined after macro 'a'");
	sk_comp_free(c);
	/* ... counting appends */
	c = expand("- macro: a\n  condition: x.y = 0\n- macro: b\n  condition: x.y = 1\n"
		   "- macro: a\n  condition: or b\n  override:\n    condition: append\n" RULE("R", "a", ""), &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(cond_of(c, "R"), "(x.y = 0 or x.y = 1)");
	sk_comp_free(c);
	/* ... and overrides */
	c = expand("- macro: a\n  condition: x.y = 0\n- macro: b\n  condition: x.y = 1\n"
		   "- macro: a\n  condition: b and x.z = 2\n  override:\n    condition: replace\n" RULE("R", "a", ""), &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(cond_of(c, "R"), "(x.y = 1 and x.z = 2)");
	assert_string_equal(c->items[0]->name, "a"); /* still in its first place */
	sk_comp_free(c);
	/* a macro appended to after its definition sees itself: a loop */
	c = expand("- macro: a\n  condition: x.y = 0\n- macro: a\n  condition: or a\n  append: true\n" RULE("R", "a", ""), &rc);
	assert_int_equal(rc, -1);
	expect_diag(c, "error: reference loop in macro 'a'");
	sk_comp_free(c);
	/* a rule sees every macro, and a macro's body behaves as if parenthesised */
	c = expand(RULE("R", "x.a = 1 and m", "") "- macro: m\n  condition: x.b = 2 or x.c = 3\n", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(cond_of(c, "R"), "(x.a = 1 and (x.b = 2 or x.c = 3))");
	sk_comp_free(c);
	/* append to a macro that is not defined (yet) */
	c = load("- macro: a\n  condition: or b\n  append: true\n- macro: a\n  condition: x.y = 1\n", &rc);
	assert_int_equal(rc, -1);
	expect_diag(c, "macro 'a': uses 'append' or 'override.condition: append' but no macro by that name already exists");
	sk_comp_free(c);
}

static void test_rule_override(void **state)
{
	(void)state;
	int rc;
	sk_comp *c = expand(RULE("R", "evt.type = open", "  tags: [b, a]\n")
			    "- rule: R\n  condition: and proc.name = cat\n  desc: more\n  output: \"%proc.name\"\n  tags: [c, a]\n"
			    "  override:\n    condition: append\n    desc: append\n    output: append\n    tags: append\n"
			    "- rule: R\n  priority: notice\n  enabled: false\n  warn_evttypes: no\n  skip-if-unknown-filter: yes\n"
			    "  capture: true\n  capture_duration: 5\n"
			    "  override:\n    priority: replace\n    enabled: replace\n    warn_evttypes: replace\n"
			    "    skip-if-unknown-filter: replace\n    capture: replace\n    capture_duration: replace\n", &rc);
	assert_int_equal(rc, 0);
	sk_item *r = item(c, "R");
	assert_string_equal(cond_of(c, "R"), "(evt.type = open and proc.name = cat)");
	assert_string_equal(r->desc, "d more");
	assert_int_equal(r->output.len, strlen("o %proc.name"));
	assert_memory_equal(r->output.str, "o %proc.name", r->output.len);
	assert_int_equal(r->n_tags, 3);
	assert_string_equal(r->tags[2], "c");
	assert_int_equal(r->priority, SAKER_PRIO_NOTICE);
	assert_false(r->enabled);
	assert_false(r->warn_evttypes);
	assert_true(r->skip_unknown);
	assert_true(r->capture);
	assert_int_equal(r->capture_duration, 5);
	assert_int_equal(r->line, 1);
	sk_comp_free(c);

	/* replace, then the deprecated append: true, which appends condition and exceptions only */
	c = expand(RULE("R", "evt.type = open", "")
		   "- rule: R\n  condition: evt.type = openat\n  override:\n    condition: replace\n"
		   "- rule: R\n  condition: and fd.num > 0\n  output: ignored\n  append: true\n", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(cond_of(c, "R"), "(evt.type = openat and fd.num > 0)");
	assert_int_equal(item(c, "R")->output.len, 1);
	expect_diag(c, "warning: rule 'R': 'output' is ignored: with 'append: true' only 'condition' and 'exceptions' are appended");
	sk_comp_free(c);

	static const char *const bad[][2] = {
		{ "- rule: R\n  priority: info\n  override:\n    priority: append\n",
		  "t.yaml:4:5: error: rule 'R': key 'priority' cannot be appended to, use 'replace' instead" },
		{ "- rule: R\n  source: syscall\n  override:\n    source: replace\n", "rule 'R': key 'source' cannot be replaced" },
		{ "- rule: R\n  override:\n    output: append\n",
		  "rule 'R': an append override for 'output' was specified but 'output' is not defined" },
		{ "- rule: R\n  output: x\n  priority: info\n  override:\n    output: append\n",
		  "t.yaml:3:3: error: rule 'R': unexpected key 'priority': no corresponding entry under 'override' is defined" },
		{ "- rule: R\n  output: x\n  append: true\n  override:\n    output: append\n", "cannot be used together" },
		{ "- rule: R\n  output: x\n  override:\n    output: append\n",
		  "t.yaml:1:9: error: rule 'R': uses 'append' or 'override.<key>: append' but no rule by that name already exists" },
		{ "- rule: R\n  output: x\n  override:\n    output: replace\n",
		  "an 'override.<key>: replace' to a rule was requested but no rule by that name already exists" },
		{ "- rule: R\n  condition: and a.b = 1\n  append: true\n",
		  "uses 'append' or 'override.<key>: append' but no rule by that name already exists" },
		{ RULE("R", "a.b = 1", "") "- rule: R\n  output: o\n  append: true\n",
		  "rule 'R': an appended rule must have exceptions or condition property" },
		{ RULE("R", "a.b = 1", "") "- rule: R\n  output: x\n  override:\n    output: later\n",
		  "invalid override operation for key 'output': 'later' (allowed: append, replace)" },
		{ RULE("R", "a.b = 1", "") "- rule: R\n  override:\n    condition: append\n    condition: replace\n  condition: b\n",
		  "a replace override for 'condition' was specified but 'condition' is not defined" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = load(bad[i][0], &rc);
		if (rc != -1)
			fail_msg("case %zu was accepted", i);
		expect_diag(c, bad[i][1]);
		sk_comp_free(c);
	}
}

static void test_sources(void **state)
{
	(void)state;
	int rc;
	/* a rule of an unknown source is skipped, but later items may still append to it */
	sk_comp *c = load(RULE("K", "ka.verb = get", "  source: k8s_audit\n")
			  "- rule: K\n  condition: and ka.user.name = x\n  append: true\n", &rc);
	assert_int_equal(rc, 0);
	assert_null(item(c, "K"));
	sk_comp_free(c);
	/* a redefinition with another source is an error, also the default one */
	c = load(RULE("K", "ka.verb = get", "  source: k8s_audit\n") RULE("K", "a.b = 1", ""), &rc);
	assert_int_equal(rc, -1);
	expect_diag(c, "error: rule 'K': the rule is defined again with a different source ('syscall'; it was 'k8s_audit')");
	sk_comp_free(c);
	c = load(RULE("R", "a.b = 1", "") "- rule: R\n  condition: and c.d = 2\n  source: k8s_audit\n  append: true\n", &rc);
	assert_int_equal(rc, -1);
	expect_diag(c, "t.yaml:8:11: error: rule 'R': the rule is defined again with a different source");
	sk_comp_free(c);
}

static void test_exceptions(void **state)
{
	(void)state;
	static const char *const cases[][3] = {
		/* the tuple form, comps defaulting to '=' */
		{ "proc.name = a", "    - name: e\n      fields: [proc.pname, fd.name]\n      values: [[sh, /tmp], [\"my app\", /x]]\n",
		  "(proc.name = a and not ((proc.pname = sh and fd.name = /tmp) or (proc.pname = \"my app\" and fd.name = /x)))" },
		/* the scalar form, comps defaulting to 'in'; values are quoted when they hold a blank */
		{ "proc.name = a", "    - name: e\n      fields: proc.pname\n      values: [sh, my app]\n",
		  "(proc.name = a and not proc.pname in (sh, \"my app\"))" },
		/* a list value, a list operator taking a list name, trimmed comps, a modifier */
		{ "proc.name = a", "    - name: e\n      fields: [proc.name, fd.name, fd.directory]\n      comps: [' in ', pmatch, startswith anyof]\n"
				   "      values: [[[x, y z], dirs, '(/a, /b)']]\n",
		  "(proc.name = a and not (proc.name in (x, \"y z\") and fd.name pmatch (/d1, /d2) and fd.directory startswith anyof (/a, /b)))" },
		/* an exception without values adds nothing; the condition is still parenthesised */
		{ "proc.name = a or proc.name = b", "    - name: e\n      fields: [proc.name]\n",
		  "(proc.name = a or proc.name = b)" },
		/* Falco's text: a value that looks like a transformer is one, unless it holds a blank */
		{ "proc.name = a", "    - name: e\n      fields: [proc.name, proc.pname]\n      values: [[toupper(proc.pname), toupper( proc.name)]]\n",
		  "(proc.name = a and not (proc.name = toupper(proc.pname) and proc.pname = \"toupper( proc.name)\"))" },
		/* a field name as value stays a string */
		{ "proc.name = a", "    - name: e\n      fields: [proc.name]\n      values: [[proc.pname]]\n",
		  "(proc.name = a and not proc.name = proc.pname)" },
		/* two exceptions, in order */
		{ "proc.name = a", "    - name: e\n      fields: [proc.pname]\n      values: [[b]]\n    - name: f\n      fields: fd.name\n      comps: pmatch\n      values: [/etc]\n",
		  "(proc.name = a and not proc.pname = b and not fd.name pmatch (/etc))" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;
		sk_comp *c = sk_comp_new();
		char *y = sk_arena_printf(c->arena, "- list: dirs\n  items: [/d1, /d2]\n"
					  "- rule: R\n  desc: d\n  condition: %s\n  output: o\n  priority: error\n  exceptions:\n%s",
					  cases[i][0], cases[i][1]);
		rc = sk_load_string(c, "t.yaml", y, strlen(y));
		rc |= sk_expand(c);
		assert_string_equal(cond_of(c, "R"), cases[i][2]);
		sk_comp_free(c);
	}

	/* appends: a new exception, and values for an existing one */
	int rc;
	sk_comp *c = expand(RULE("R", "proc.name = a", "  exceptions:\n    - name: e\n      fields: [proc.pname]\n      values: [[b]]\n")
			    "- rule: R\n  exceptions:\n    - name: e\n      values: [[c]]\n    - name: f\n      fields: fd.name\n      values: [/x]\n"
			    "  override:\n    exceptions: append\n", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(cond_of(c, "R"), "(proc.name = a and not (proc.pname = b or proc.pname = c) and not fd.name in (/x))");
	sk_comp_free(c);
	/* replace: the whole list */
	c = expand(RULE("R", "proc.name = a", "  exceptions:\n    - name: e\n      fields: [proc.pname]\n      values: [[b]]\n")
		   "- rule: R\n  exceptions:\n    - name: f\n      fields: [fd.name]\n      values: [[/x]]\n"
		   "  override:\n    exceptions: replace\n", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(cond_of(c, "R"), "(proc.name = a and not fd.name = /x)");
	sk_comp_free(c);
}

/* Each refusal points at the YAML value behind it. */
static void test_exception_errors(void **state)
{
	(void)state;
	static const char *const bad[][2] = {
		{ "    - name: e\n      values: [[a]]\n", "t.yaml:7:7: error: rule 'R': exception 'e': missing required key 'fields'" },
		{ "    - name: e\n      fields: [proc.name, fd.name]\n      comps: [=]\n",
		  "t.yaml:9:14: error: rule 'R': exception 'e': fields and comps lists must have equal length (2 fields, 1 comps)" },
		{ "    - name: e\n      fields: [proc.name]\n      comps: [is]\n",
		  "t.yaml:9:15: error: rule 'R': exception 'e': 'is' is not a supported comparison operator" },
		{ "    - name: e\n      fields: [proc.name]\n      comps: [startswith  oneof]\n", "'startswith  oneof' is not a supported comparison operator" },
		{ "    - name: e\n      fields: [proc.name]\n      comps: [in oneof]\n", "'in oneof' is not a supported comparison operator" },
		{ "    - name: e\n      fields: proc.name\n      comps: [in]\n", "fields and comps must both be strings" },
		{ "    - name: e\n      fields: proc.name\n      comps: '='\n", "when fields is a single value, comps must be one of (in, pmatch, intersects)" },
		{ "    - name: e\n      fields: [proc.nmae]\n      values: [[a]]\n",
		  "t.yaml:8:16: error: rule 'R': exception 'e': 'proc.nmae' is not a supported filter field" },
		{ "    - name: e\n      fields: [proc.name, fd.name]\n      values: [[a]]\n",
		  "t.yaml:9:16: error: rule 'R': exception 'e': fields and values lists must have equal length (2 fields, 1 values)" },
		{ "    - name: e\n      fields: proc.name\n      values: [[a]]\n",
		  "t.yaml:9:16: error: rule 'R': exception 'e': expected values array to contain a list of strings" },
		{ "    - name: e\n      fields: [fd.name]\n      values: [[/a)b]]\n", "t.yaml:9:20: error: unexpected 'b'" },
		{ "    - name: e\n      fields: []\n", "exception 'e' must have fields" },
		{ "    - name: e\n      fields: [proc.name]\n      values: [[\"\"]]\n", "'values' must not hold empty values" },
		{ "    - fields: [proc.name]\n", "missing required key 'name'" },
		{ "    - name: e\n      fields: [proc.name]\n      values: a\n", "'values' must be a sequence" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;
		sk_comp *c = sk_comp_new();
		char *y = sk_arena_printf(c->arena, RULE("R", "proc.name = a", "  exceptions:\n%s"), bad[i][0]);
		rc = sk_load_string(c, "t.yaml", y, strlen(y));
		if (rc == 0)
			rc = sk_expand(c);
		if (rc != -1)
			fail_msg("case %zu was accepted", i);
		expect_diag(c, bad[i][1]);
		sk_comp_free(c);
	}

	/* appends to an exception */
	static const char *const bad_append[][2] = {
		{ "    - name: e\n      fields: [fd.name]\n      values: [[a]]\n",
		  "rule 'R': exception 'e' exists already: an append can add values to it, not fields" },
		{ "    - name: e\n      comps: [=]\n      values: [[a]]\n", "an append can add values to it, not comps" },
		{ "    - name: f\n      fields: [fd.name]\n", "rule 'R': new exception 'f' must have values" },
		{ "    - name: f\n      values: [[a]]\n", "rule 'R': new exception 'f' must have fields" },
	};
	for (size_t i = 0; i < sizeof(bad_append) / sizeof(bad_append[0]); i++) {
		int rc;
		sk_comp *c = sk_comp_new();
		char *y = sk_arena_printf(c->arena, RULE("R", "proc.name = a", "  exceptions:\n    - name: e\n      fields: [proc.pname]\n")
					  "- rule: R\n  exceptions:\n%s  append: true\n", bad_append[i][0]);
		rc = sk_load_string(c, "t.yaml", y, strlen(y));
		if (rc != -1)
			fail_msg("append case %zu was accepted", i);
		expect_diag(c, bad_append[i][1]);
		sk_comp_free(c);
	}

	/* duplicate names warn, and both count */
	int rc;
	sk_comp *c = expand(RULE("R", "proc.name = a", "  exceptions:\n    - name: e\n      fields: [proc.pname]\n      values: [[b]]\n"
					 "    - name: e\n      fields: [fd.name]\n      values: [[c]]\n"), &rc);
	assert_int_equal(rc, 0);
	expect_diag(c, "t.yaml:10:13: warning: rule 'R': multiple definitions of exception 'e' in the same rule");
	assert_string_equal(cond_of(c, "R"), "(proc.name = a and not proc.pname = b and not fd.name = c)");
	sk_comp_free(c);
}

/* Appended texts keep each part's place, also across files. */
static void test_append_locations(void **state)
{
	(void)state;
	sk_comp *c = sk_comp_new();
	const char *a = RULE("R", "evt.type = open", "");
	const char *b = "# second file\n- rule: R\n  condition: and proc.name = (a, b)\n  append: true\n";
	assert_int_equal(sk_load_string(c, "a.yaml", a, strlen(a)), 0);
	assert_int_equal(sk_load_string(c, "b.yaml", b, strlen(b)), 0);
	assert_int_equal(sk_expand(c), -1);
	expect_diag(c, "b.yaml:3:30: error: expected a value after '=', found '('");
	sk_item *r = item(c, "R");
	unsigned line, col;
	pos(c, &r->cond, 0, &line, &col);
	assert_int_equal(line, 3);
	assert_int_equal(col, 14);
	assert_string_equal(sk_diag_file_name(c->diag, sk_text_span(&r->cond, r->cond.len - 1, 1).file), "b.yaml");
	sk_comp_free(c);
}

/* Named lists: what Falco's text substitution does, reproduced or refused. */
static void test_lists(void **state)
{
	(void)state;
	static const char *const ok[][3] = {
		/* an item naming an earlier list: one level */
		{ "- list: a\n  items: [x]\n- list: b\n  items: [a, y]\n", "p.q in (b)", "p.q in (x, y)" },
		/* an item naming a later list: replaced in turn, as the text substitution goes in order */
		{ "- list: b\n  items: [a, y]\n- list: a\n  items: [x]\n", "p.q in (b)", "p.q in (x, y)" },
		/* deeper than one level through earlier lists: the name stays a value */
		{ "- list: a\n  items: [x]\n- list: b\n  items: [a]\n- list: c\n  items: [b]\n", "p.q in (c)", "p.q in (a)" },
		/* items are read as Falco reads pasted text */
		{ "- list: a\n  items: ['\"t\\tab\"', 'one,two', \"'b'\"]\n", "p.q in (a)", "p.q in (\"t\\tab\", one, two, b)" },
		/* empty lists */
		{ "- list: e\n  items: []\n", "p.q in (e, z)", "p.q in (z)" },
		/* without parentheses: only a one-item list whose item is a name */
		{ "- list: a\n  items: [x]\n", "p.q in a", "p.q in (x)" },
		/* after '=': a one-item list is pasted */
		{ "- list: a\n  items: [x]\n", "p.q = a", "p.q = x" },
		/* a quoted value is not a list reference */
		{ "- list: a\n  items: [x]\n", "p.q = 'a' and p.r in (\"a\", a)", "(p.q = a and p.r in (a, x))" },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int rc;
		sk_comp *c = sk_comp_new();
		char *y = sk_arena_printf(c->arena, "%s" RULE("R", "%s", ""), ok[i][0], ok[i][1]);
		rc = sk_load_string(c, "t.yaml", y, strlen(y));
		rc |= sk_expand(c);
		assert_string_equal(cond_of(c, "R"), ok[i][2]);
		sk_comp_free(c);
	}
	static const char *const warned[][2] = {
		{ "p.q = a", "warning: 'a' is a list: Falco pastes its one item here, so this compares with 'x'" },
		{ "p.q = \"run a now\"", "warning: 'a' in this string is the name of a list" },
	};
	for (size_t i = 0; i < sizeof(warned) / sizeof(warned[0]); i++) {
		int rc;
		sk_comp *c = sk_comp_new();
		char *y = sk_arena_printf(c->arena, "- list: a\n  items: [x]\n" RULE("R", "%s", ""), warned[i][0]);
		rc = sk_load_string(c, "t.yaml", y, strlen(y));
		rc |= sk_expand(c);
		assert_int_equal(rc, 0);
		expect_diag(c, warned[i][1]);
		sk_comp_free(c);
	}
	static const char *const bad[][3] = {
		{ "- list: a\n  items: [x, y]\n", "p.q in a",
		  "t.yaml:5:21: error: list 'a' must be in parentheses here" },
		{ "- list: a\n  items: [x, y]\n", "p.q = a", "t.yaml:5:20: error: 'a' is a list of 2 items where one value is expected" },
		{ "- list: a\n  items: []\n", "p.q startswith a", "'a' is a list of 0 items where one value is expected" },
		{ "- list: a\n  items: [x]\n", "p.q = 1 and a", "t.yaml:5:26: error: 'a' is a list, not a condition" },
		{ "- list: a\n  items: [x]\n- macro: a\n  condition: p.r = 2\n", "a", "'a' is a list, not a condition" },
		{ "- list: a\n  items: [x, 'y)']\n", "p.q in (a)", "t.yaml:2:17: error: unexpected ')'" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;
		sk_comp *c = sk_comp_new();
		char *y = sk_arena_printf(c->arena, "%s" RULE("R", "%s", ""), bad[i][0], bad[i][1]);
		rc = sk_load_string(c, "t.yaml", y, strlen(y));
		rc |= sk_expand(c);
		if (rc != -1)
			fail_msg("case %zu was accepted", i);
		expect_diag(c, bad[i][2]);
		sk_comp_free(c);
	}
}

static void test_unused(void **state)
{
	(void)state;
	int rc;
	sk_comp *c = expand("- list: a\n  items: [x]\n- list: b\n  items: [a]\n- macro: m\n  condition: p.q in (b)\n"
			    "- macro: n\n  condition: p.r = 1\n" RULE("R", "m", "  enabled: false\n"), &rc);
	assert_int_equal(rc, 0);
	expect_diag(c, "t.yaml:7:10: warning: macro 'n' is never used");
	expect_no_diag(c, "list 'a' is never used"); /* used by list b */
	expect_no_diag(c, "macro 'm' is never used"); /* used by a disabled rule */
	sk_comp_free(c);
}

/* Inputs built to make the loader work hard stay bounded, and are refused with a reason. */
static void printf_text(FILE **f, char **buf, size_t *n)
{
	*f = open_memstream(buf, n);
	assert_non_null(*f);
}

static void test_hostile(void **state)
{
	(void)state;
	int rc;
	char *y = NULL;
	size_t n = 0;
	FILE *f;
	/* YAML aliases naming the same thousand values over and over */
	printf_text(&f, &y, &n);
	fprintf(f, "- list: a\n  items: &a [x");
	for (int i = 0; i < 1000; i++)
		fprintf(f, ", x");
	fprintf(f, "]\n");
	for (int i = 0; i < 5000; i++)
		fprintf(f, "- list: l%d\n  items: *a\n", i % 10);
	fclose(f);
	sk_comp *c = sk_comp_new();
	rc = sk_load_string(c, "t.yaml", y, n);
	assert_int_equal(rc, -1);
	expect_diag(c, "error: the file names too many values through YAML aliases");
	sk_comp_free(c);
	free(y);

	/* a long chain of macros, each defined before the one that uses it, and a loop through three */
	printf_text(&f, &y, &n);
	fprintf(f, "- macro: m0\n  condition: p.q = 0\n");
	for (int i = 1; i < 1000; i++) /* each adds two levels; expansion stops at 3000 */
		fprintf(f, "- macro: m%d\n  condition: m%d or p.q = %d\n", i, i - 1, i);
	fprintf(f, "- macro: a\n  condition: p.q = a\n- macro: b\n  condition: a\n- macro: c\n  condition: b\n"
		   "- macro: a\n  condition: or c\n  append: true\n" RULE("R", "m999 and c", ""));
	fclose(f);
	c = sk_comp_new();
	rc = sk_load_string(c, "t.yaml", y, n);
	assert_int_equal(rc, 0);
	assert_int_equal(sk_expand(c), -1);
	assert_int_equal(sk_diag_error_count(c->diag), 1); /* one loop, one error */
	expect_diag(c, "error: reference loop in macro");
	sk_comp_free(c);
	free(y);

	/* lists naming later lists, deeper than saker follows */
	printf_text(&f, &y, &n);
	for (int i = 0; i < 3100; i++)
		fprintf(f, "- list: l%d\n  items: [l%d]\n", i, i + 1);
	fprintf(f, RULE("R", "p.q in (l0)", ""));
	fclose(f);
	c = sk_comp_new();
	rc = sk_load_string(c, "t.yaml", y, n);
	rc |= sk_expand(c);
	assert_int_equal(rc, -1);
	expect_diag(c, "error: lists name each other more than 3000 deep");
	sk_comp_free(c);
	free(y);
}

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", tmpdir, name) > 0);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
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

	/* files and folders in the order given, folders in name order, later definitions winning */
	strcpy(tmpdir, "/tmp/saker-loader-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	write_file("b.yaml", "- macro: m\n  condition: p.q = b\n- rule: R\n  condition: or m\n  append: true\n");
	write_file("a.yaml", RULE("R", "p.q = a", "") "- macro: m\n  condition: p.q = a\n");
	write_file("c.yml", "not loaded: only *.yaml\n");
	write_file("last", "- macro: m\n  condition: p.q = last\n");
	char *last = NULL;
	assert_true(asprintf(&last, "%s/last", tmpdir) > 0);
	const char *both[] = { tmpdir, last };
	c = sk_comp_new();
	rc = sk_load_paths(c, both, 2);
	assert_int_equal(rc, 0);
	assert_int_equal(sk_expand(c), 0);
	assert_string_equal(cond_of(c, "R"), "(p.q = a or p.q = last)");
	sk_comp_free(c);
	free(last);
	sk_comp_free(NULL);
}

/* Inputs that must be refused at once, with one line and an I/O status: never read forever,
 * never block, never hold more than the limit. */
static void test_refused_inputs(void **state)
{
	(void)state;
	char fifo[96], dir[96], big[96];
	snprintf(fifo, sizeof(fifo), "%s/fifo.yaml", tmpdir);
	snprintf(dir, sizeof(dir), "%s/sub.yaml", tmpdir);
	snprintf(big, sizeof(big), "%s/big", tmpdir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (16 << 20) + 1), 0);
	close(fd);
	static const char *const why[] = { "a character device", "a character device", "a FIFO", "larger than the 16 MiB" };
	const char *paths[] = { "/dev/zero", "/dev/urandom", fifo, big };
	for (size_t i = 0; i < 4; i++) {
		sk_comp *c = sk_comp_new();
		int rc = sk_load_paths(c, &paths[i], 1);
		assert_true(rc < -1);
		assert_int_equal(sk_diag_error_count(c->diag), 1);
		expect_diag(c, why[i]);
		sk_comp_free(c);
	}
	/* a folder holding a folder named *.yaml, or a FIFO */
	sk_comp *c = sk_comp_new();
	const char *folder[] = { tmpdir };
	assert_true(sk_load_paths(c, folder, 1) < -1);
	expect_diag(c, "sub.yaml': a directory, not a rules file");
	expect_diag(c, "fifo.yaml': a FIFO, not a rules file");
	sk_comp_free(c);
	unlink(fifo);
	rmdir(dir);
	unlink(big);
	char *p = NULL;
	for (const char *const *n = (const char *const[]){ "a.yaml", "b.yaml", "c.yml", "last", NULL }; *n; n++) {
		assert_true(asprintf(&p, "%s/%s", tmpdir, *n) > 0);
		unlink(p);
		free(p);
	}
	rmdir(tmpdir);
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
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_enable_only),
		cmocka_unit_test(test_recorded_keys),
		cmocka_unit_test(test_engine_version),
		cmocka_unit_test(test_plugin_versions),
		cmocka_unit_test(test_documents),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_list_append),
		cmocka_unit_test(test_macro_visibility),
		cmocka_unit_test(test_rule_override),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_exceptions),
		cmocka_unit_test(test_exception_errors),
		cmocka_unit_test(test_append_locations),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_unused),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_refused_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
