/* saker-test-lib: saker_front */
/* The condition parser and the AST printer/clone against falco/GRAMMAR.md: precedence, every
 * operator, lists, field arguments, transformers, escapes, modifiers, the accepted and rejected
 * examples of §3 and §11, the canonical strings of §10, exact error messages, and depth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "parse.h"

struct ctx {
	sk_arena *a;
	sk_diag *d;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	c->a = sk_arena_new();
	c->d = sk_diag_new();
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	sk_arena_free(c->a);
	sk_diag_free(c->d);
	free(c);
	return 0;
}

/* Parses SRC as a one-line source "<expr>" and returns the AST (NULL on error). */
static sk_expr *parse_depth(struct ctx *c, const char *src, size_t len, unsigned depth)
{
	uint32_t f = sk_diag_add_file(c->d, "<expr>", src, len);
	sk_text t = { .str = src, .len = len, .file = f };
	return sk_parse_condition(c->a, c->d, &t, depth);
}

static sk_expr *parse(struct ctx *c, const char *src)
{
	return parse_depth(c, src, strlen(src), SK_MAX_DEPTH_DEFAULT);
}

/* The rendered diagnostics as one string (caller frees). */
/* noinline: gcc 12 at -O2 mistakes the open_memstream buffer for a dangling local. */
static __attribute__((noinline)) char *rendered(struct ctx *c)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	sk_diag_render(c->d, SK_DIAG_TEXT, f);
	fclose(f);
	return buf;
}

static void check_ok(struct ctx *c, const char *src, const char *want)
{
	size_t before = sk_diag_error_count(c->d);
	sk_expr *e = parse(c, src);
	if (!e || sk_diag_error_count(c->d) != before) {
		char *r = rendered(c);
		print_error("rejected: %s\n%s", src, r);
		free(r);
		fail();
	}
	const char *got = sk_expr_to_string(c->a, e);
	if (want && strcmp(got, want)) {
		print_error("%s\n  got:  %s\n  want: %s\n", src, got, want);
		fail();
	}
}

/* Fresh diagnostics; returns the first line of the first error: "<expr>:L:C: error: msg". */
static char *first_error(struct ctx *c, const char *src, size_t len, unsigned depth)
{
	sk_diag_free(c->d);
	c->d = sk_diag_new();
	sk_expr *e = parse_depth(c, src, len, depth);
	if (e) {
		print_error("accepted: %s -> %s\n", src, sk_expr_to_string(c->a, e));
		fail();
	}
	assert_int_equal(sk_diag_error_count(c->d), 1);
	char *r = rendered(c);
	char *nl = strchr(r, '\n');
	if (nl)
		*nl = '\0';
	return r;
}

static void check_err(struct ctx *c, const char *src, const char *want)
{
	char *got = first_error(c, src, strlen(src), SK_MAX_DEPTH_DEFAULT);
	if (want && strcmp(got, want)) {
		print_error("%s\n  got:  %s\n  want: %s\n", src, got, want);
		free(got);
		fail();
	}
	free(got);
}

/* ---- structure ---- */

static void test_precedence(void **state)
{
	struct ctx *c = *state;
	check_ok(c, "a or b and c", "(a or (b and c))");
	check_ok(c, "a and b or c", "((a and b) or c)");
	check_ok(c, "a and b and c", "(a and b and c)");
	check_ok(c, "a or b or c or d", "(a or b or c or d)");
	check_ok(c, "(a and b) and c", "((a and b) and c)");
	check_ok(c, "a and (b and c)", "(a and (b and c))");
	check_ok(c, "((a))", "a");
	check_ok(c, "not a and b", "(not a and b)");
	check_ok(c, "not (a and b)", "not (a and b)");
	check_ok(c, "not a.b = 1", "not a.b = 1");
	check_ok(c, "not proc.name in (x) or y", "(not proc.name in (x) or y)");
	check_ok(c, "c.true=1 or c.true=1 and c.false=1", "(c.true = 1 or (c.true = 1 and c.false = 1))");

	sk_expr *e = parse(c, "a and b and c or d");
	assert_non_null(e);
	assert_int_equal(e->kind, SK_E_OR);
	assert_int_equal(e->n_kids, 2);
	assert_int_equal(e->kids[0]->kind, SK_E_AND);
	assert_int_equal(e->kids[0]->n_kids, 3);
	assert_int_equal(e->kids[1]->kind, SK_E_MACRO);
	assert_string_equal(e->kids[1]->ident, "d");
}

static void test_not_folding(void **state)
{
	struct ctx *c = *state;
	check_ok(c, "not not a", "a");
	check_ok(c, "not not not a", "not a");
	check_ok(c, "not not not not not(not not(not not_macro))", "not not not_macro");
	check_ok(c, "not(a)", "not a");
	check_ok(c, "not\v\fa", "not a"); /* "not" takes any [[:space:]] after it */
	sk_expr *e = parse(c, "not not not a");
	assert_int_equal(e->kind, SK_E_NOT);
	assert_int_equal(e->n_kids, 1);
	assert_int_equal(e->kids[0]->kind, SK_E_MACRO);
	/* The Not node starts at the first 'not'. */
	assert_int_equal(e->span.off, 0);
	assert_int_equal(e->span.len, 13);
}

static void test_operators(void **state)
{
	struct ctx *c = *state;
	static const struct {
		const char *src, *want;
		enum sk_op op;
	} cases[] = {
		{ "x.y = 1", "x.y = 1", SK_OP_EQ },
		{ "x.y == 1", "x.y == 1", SK_OP_EQEQ },
		{ "x.y != 1", "x.y != 1", SK_OP_NE },
		{ "x.y < 1", "x.y < 1", SK_OP_LT },
		{ "x.y <= 1", "x.y <= 1", SK_OP_LE },
		{ "x.y > 1", "x.y > 1", SK_OP_GT },
		{ "x.y >= 1", "x.y >= 1", SK_OP_GE },
		{ "x.y contains a", "x.y contains a", SK_OP_CONTAINS },
		{ "x.y icontains a", "x.y icontains a", SK_OP_ICONTAINS },
		{ "x.y bcontains 4142", "x.y bcontains 4142", SK_OP_BCONTAINS },
		{ "x.y startswith /a", "x.y startswith /a", SK_OP_STARTSWITH },
		{ "x.y bstartswith 41", "x.y bstartswith 41", SK_OP_BSTARTSWITH },
		{ "x.y endswith .so", "x.y endswith .so", SK_OP_ENDSWITH },
		{ "x.y glob *.c", "x.y glob *.c", SK_OP_GLOB },
		{ "x.y iglob *.C", "x.y iglob *.C", SK_OP_IGLOB },
		{ "x.y regex '^a.*$'", "x.y regex ^a.*$", SK_OP_REGEX },
		{ "x.y in (a, b)", "x.y in (a, b)", SK_OP_IN },
		{ "x.y intersects (a)", "x.y intersects (a)", SK_OP_INTERSECTS },
		{ "x.y pmatch (/a, /b)", "x.y pmatch (/a, /b)", SK_OP_PMATCH },
		{ "x.y exists", "x.y exists", SK_OP_EXISTS },
		/* no blank needed after these */
		{ "x.y=1", "x.y = 1", SK_OP_EQ },
		{ "x.y==1", "x.y == 1", SK_OP_EQEQ },
		{ "x.y!=1", "x.y != 1", SK_OP_NE },
		{ "x.y<=1", "x.y <= 1", SK_OP_LE },
		{ "x.y>0x1F", "x.y > 0x1F", SK_OP_GT },
		{ "x.y in(a)", "x.y in (a)", SK_OP_IN },
		{ "x.y inx", "x.y in x", SK_OP_IN },
		{ "x.y intersectsx", "x.y intersects x", SK_OP_INTERSECTS },
		{ "x.y pmatch(/a)", "x.y pmatch (/a)", SK_OP_PMATCH },
		/* word operators take any blank after them */
		{ "x.y contains\ta", "x.y contains a", SK_OP_CONTAINS },
		{ "x.y endswith\nz", "x.y endswith z", SK_OP_ENDSWITH },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check_ok(c, cases[i].src, cases[i].want);
		sk_expr *e = parse(c, cases[i].src);
		assert_int_equal(e->kind, SK_E_CHECK);
		assert_int_equal(e->op, cases[i].op);
		assert_int_equal(e->mod, SK_MOD_NONE);
		assert_int_equal(e->lhs->kind, SK_OPD_FIELD);
		assert_true((e->rhs == NULL) == (cases[i].op == SK_OP_EXISTS));
	}
	for (int i = 0; i < SK_OP__COUNT; i++)
		assert_non_null(sk_op_names[i]);
	assert_string_equal(sk_op_names[SK_OP_BSTARTSWITH], "bstartswith");

	/* The operator's own span. */
	sk_expr *e = parse(c, "x.y  startswith /a");
	assert_int_equal(e->op_span.off, 5);
	assert_int_equal(e->op_span.len, 10);
}

static void test_numbers(void **state)
{
	struct ctx *c = *state;
	check_ok(c, "x.y > 0xAbC", "x.y > 0xAbC");
	check_ok(c, "x.y > -1", "x.y > -1");
	check_ok(c, "x.y > +1.5", "x.y > +1.5");
	check_ok(c, "x.y > 1.", "x.y > 1.");
	check_ok(c, "x.y > 1e+5", "x.y > 1e+5");
	check_ok(c, "x.y > 2.5E-3", "x.y > 2.5E-3");
	check_err(c, "x.y > 1e5", "<expr>:1:8: error: unexpected 'e5' after the end of the condition");
	check_err(c, "x.y > abc", "<expr>:1:7: error: expected a number after '>', found 'abc'");
	check_err(c, "x.y > 'a'", "<expr>:1:7: error: expected a number after '>', found '''");
	/* after string operators, numbers are bare strings */
	check_ok(c, "x.y = 1e5", "x.y = 1e5");
	check_ok(c, "x.y = -0x10", "x.y = -0x10");
}

static void test_lists(void **state)
{
	struct ctx *c = *state;
	check_ok(c, "x.y in (a, 'b', \"c d\")", "x.y in (a, b, \"c d\")");
	check_ok(c, "x.y in ()", "x.y in ()");
	check_ok(c, "x.y in ( )", "x.y in ()");
	check_ok(c, "x.y in (  a  ,b  )", "x.y in (a, b)");
	check_ok(c, "x.y in mylist", "x.y in mylist");
	check_ok(c, "x.y pmatch (/var/run, /opt/*/subdir)", "x.y pmatch (/var/run, /opt/*/subdir)");
	sk_expr *e = parse(c, "x.y in (a, 'b')");
	assert_int_equal(e->rhs->kind, SK_OPD_LIST);
	assert_int_equal(e->rhs->n_items, 2);
	assert_int_equal(e->rhs->items[0]->kind, SK_OPD_VALUE);
	assert_false(e->rhs->items[0]->quoted);
	assert_true(e->rhs->items[1]->quoted);
	assert_string_equal(e->rhs->items[1]->text, "b");
	e = parse(c, "x.y in mylist");
	assert_int_equal(e->rhs->kind, SK_OPD_IDENT);
	assert_string_equal(e->rhs->text, "mylist");
	e = parse(c, "x.y in ()");
	assert_int_equal(e->rhs->kind, SK_OPD_LIST);
	assert_int_equal(e->rhs->n_items, 0);

	check_err(c, "x.y in (a,,b)", "<expr>:1:11: error: expected a value after ','");
	check_err(c, "x.y in (,a)", "<expr>:1:9: error: expected a value before ','");
	check_err(c, "x.y in (a,)", "<expr>:1:11: error: expected a value after ',' (no trailing comma)");
	check_err(c, "x.y in ((a))", "<expr>:1:9: error: lists cannot be nested");
	check_err(c, "x.y in (a", "<expr>:1:10: error: expected ')' to close the list before the end of the condition");
	check_err(c, "x.y in a.b",
		  "<expr>:1:8: error: expected a list or a list name after 'in', found the field 'a.b' "
		  "(write val(a.b) to compare with a field)");
}

static void test_field_args(void **state)
{
	struct ctx *c = *state;
	check_ok(c, "proc.aname[2] = bash", "proc.aname[2] = bash");
	check_ok(c, "evt.arg[0] = x", "evt.arg[0] = x");
	check_ok(c, "evt.arg[key] = x", "evt.arg[key] = x");
	check_ok(c, "evt.arg[\"k y\"] = x", "evt.arg[\"k y\"] = x");
	check_ok(c, "evt.arg['k'] = x", "evt.arg[k] = x");
	check_ok(c, "evt.arg[\"\"] exists", "evt.arg[\"\"] exists");
	check_ok(c, "test.str[+0.25e+10] = a", "test.str[+0.25e+10] = a");
	sk_expr *e = parse(c, "evt.arg[\"\"] exists");
	assert_non_null(e->lhs->arg);
	assert_string_equal(e->lhs->arg, "");
	e = parse(c, "evt.arg exists");
	assert_null(e->lhs->arg);
	e = parse(c, "proc.aname[2] = bash");
	assert_string_equal(e->lhs->text, "proc.aname");
	assert_string_equal(e->lhs->arg, "2");
	assert_int_equal(e->lhs->arg_span.off, 11);
	assert_int_equal(e->lhs->arg_span.len, 1);
	assert_int_equal(e->lhs->span.off, 0);
	assert_int_equal(e->lhs->span.len, 13);
	assert_int_equal(e->lhs->field, -1);

	check_err(c, "a.b[] = 1", "<expr>:1:4: error: empty field argument (write [\"\"] for an empty argument)");
	check_err(c, "a.b [1] = 1", "<expr>:1:5: error: a field argument must follow the field name without a blank");
	check_err(c, "a.b[1 = 1", "<expr>:1:6: error: expected ']' after the field argument, found ' '");
	check_err(c, "a.b['x = 1", "<expr>:1:5: error: unterminated quoted string");
}

static void test_transformers(void **state)
{
	struct ctx *c = *state;
	check_ok(c, "tolower(proc.name) = bash", "tolower(proc.name) = bash");
	check_ok(c, "toupper( tolower( proc.name ) ) = X", "toupper(tolower(proc.name)) = X");
	check_ok(c, "b64(toupper(x.y)) exists", "b64(toupper(x.y)) exists");
	check_ok(c, "basename(proc.exe) = sh", "basename(proc.exe) = sh");
	check_ok(c, "len(proc.args) > 3", "len(proc.args) > 3");
	check_ok(c, "concat(proc.name, \"-\", 1, user.name) = a", "concat(proc.name,-,1,user.name) = a");
	check_ok(c, "join(\",\", (proc.name, tolower(user.name), \"x\", 12)) = a",
		 "join(,,(proc.name, tolower(user.name), x, 12)) = a");
	check_ok(c, "join(\"-\", ()) = /tmp", "join(-,()) = /tmp");
	check_ok(c, "getopt(proc.args, \"nt:\")[t] = v", "getopt(proc.args,nt:)[t] = v");
	check_ok(c, "proc.name = tolower(user.name)", "proc.name = tolower(user.name)");
	check_ok(c, "x.y > len(z.w)", "x.y > len(z.w)");
	check_ok(c, "x.y in tolower(z.w)", "x.y in tolower(z.w)");
	check_ok(c, "some.field = b64", "some.field = b64");

	sk_expr *e = parse(c, "getopt(proc.args, \"nt:\")[\"t\"] = value");
	sk_operand *t = e->lhs;
	assert_int_equal(t->kind, SK_OPD_TRANSFORM);
	assert_string_equal(t->text, "getopt");
	assert_int_equal(t->n_items, 2);
	assert_int_equal(t->items[0]->kind, SK_OPD_FIELD);
	assert_int_equal(t->items[1]->kind, SK_OPD_VALUE);
	assert_true(t->items[1]->quoted);
	assert_string_equal(t->arg, "t");
	assert_int_equal(t->span.off, 0);
	assert_int_equal(t->span.len, 29);
	e = parse(c, "join(\"-\", (a.b, 'x')) = y");
	assert_int_equal(e->lhs->items[1]->kind, SK_OPD_TLIST);
	assert_int_equal(e->lhs->items[1]->n_items, 2);

	check_err(c, "b64 (test.field) exists", "<expr>:1:1: error: no blank is allowed between 'b64' and '('");
	check_err(c, "b64(test.field [1]) exists",
		  "<expr>:1:16: error: a field argument must follow the field name without a blank");
	check_err(c, "tolower() = x", "<expr>:1:9: error: expected an argument after 'tolower('");
	check_err(c, "tolower(x.y", "<expr>:1:12: error: expected ')' to close 'tolower(' before the end of the condition");
	check_err(c, "concat(a.b, bare) = x",
		  "<expr>:1:13: error: expected a field, a transformer, a quoted string, a number or a list "
		  "after ',', found 'bare'");
	check_err(c, "join(\"-\", (a)) = x",
		  "<expr>:1:12: error: expected a field, a transformer, a quoted string or a number after "
		  "'(', found 'a'");
	check_err(c, "join(\"-\", ((a.b))) = x",
		  "<expr>:1:12: error: expected a field, a transformer, a quoted string or a number after "
		  "'(', found '('");
}

static void test_val(void **state)
{
	struct ctx *c = *state;
	check_ok(c, "proc.name = val(proc.pname)", "proc.name = val(proc.pname)");
	check_ok(c, "proc.name = val( proc.aname[2] )", "proc.name = val(proc.aname[2])");
	check_ok(c, "x.y > val(z.w)", "x.y > val(z.w)");
	check_ok(c, "x.y in val(z.w)", "x.y in val(z.w)");
	sk_expr *e = parse(c, "proc.name = val(proc.pname)");
	assert_int_equal(e->rhs->kind, SK_OPD_VAL);
	assert_int_equal(e->rhs->n_items, 1);
	assert_string_equal(e->rhs->items[0]->text, "proc.pname");
	check_err(c, "val(test.field) exists",
		  "<expr>:1:1: error: 'val()' can only be used on the right-hand side of a comparison");
	check_err(c, "some.field = val(toupper(test.field))",
		  "<expr>:1:18: error: 'val()' takes a plain field, not a transformer");
	check_err(c, "x.y = val(a.b)[1]",
		  "<expr>:1:15: error: 'val()' takes no field argument after ')': write val(field[arg])");
	check_err(c, "x.y = val(abc)", "<expr>:1:11: error: expected a field after 'val(', found 'abc'");
	check_err(c, "x.y = tolower(val(a.b))", "<expr>:1:15: error: 'val()' cannot be used here");
}

static void test_strings(void **state)
{
	struct ctx *c = *state;
	check_ok(c, "x.y = \"a\\tb\\\\c\\\"d\"", "x.y = \"a\\tb\\\\c\\\"d\"");
	check_ok(c, "x.y = 'it\\'s'", "x.y = \"it's\"");
	check_ok(c, "x.y = \"\\x41\\/\\ z\"", "x.y = \"A/\\\\z\"");
	check_ok(c, "x.y = \"\\b\\f\\n\\r\"", "x.y = \"\\b\\f\\n\\r\"");
	check_ok(c, "x.y = \"mixed '\" and x.y = 'mixed \"'", "(x.y = \"mixed '\" and x.y = \"mixed \\\"\")");
	check_ok(c, "x.y = ''", "x.y = \"\"");
	check_ok(c, "x.y = 'a b'", "x.y = \"a b\"");
	check_ok(c, "x.y = 'a=b'", "x.y = \"a=b\"");
	check_ok(c, "x.y = /\\.", "x.y = \"/\\\\.\""); /* bare: the backslash is literal */
	check_ok(c, "x.y = 'some_fake_transformer(x)'", "x.y = some_fake_transformer(x)");
	check_ok(c, "x.y = \"\\x00\"", "x.y = \"\\x00\"");
	sk_expr *e = parse(c, "x.y = \"a\\x00b\"");
	assert_int_equal(e->rhs->text_len, 3);
	assert_memory_equal(e->rhs->text, "a\0b", 3);
	e = parse(c, "x.y = \"a\\tb\"");
	assert_true(e->rhs->quoted);
	assert_string_equal(e->rhs->text, "a\tb");
	assert_int_equal(e->rhs->span.off, 6);
	assert_int_equal(e->rhs->span.len, 6);

	check_err(c, "x.y = \"\\q\"", "<expr>:1:8: error: unsupported escape sequence '\\q'");
	check_err(c, "x.y = '\\\"'", "<expr>:1:8: error: invalid escape sequence '\\\"' in a '-quoted string");
	check_err(c, "x.y = \"\\'\"", "<expr>:1:8: error: invalid escape sequence '\\'' in a \"-quoted string");
	check_err(c, "x.y = \"\\x4\"", "<expr>:1:8: error: invalid escape sequence '\\x4': '\\x' needs two hex digits");
	check_err(c, "x.y = 'abc", "<expr>:1:7: error: unterminated quoted string");
	/* a string cannot end with an escaped backslash: the quote after it is escaped */
	check_err(c, "x.y = 'a\\\\'", "<expr>:1:7: error: unterminated quoted string");
	check_ok(c, "x.y = 'a\\\\' or '", "x.y = \"a\\\\' or \"");
}

static void test_modifiers(void **state)
{
	struct ctx *c = *state;
	check_ok(c, "proc.name == oneof (cat, nginx)", "proc.name == oneof (cat, nginx)");
	check_ok(c, "fd.name startswith anyof (/etc/, /tmp/)", "fd.name startswith anyof (/etc/, /tmp/)");
	check_ok(c, "proc.name != allof my_list", "proc.name != allof my_list");
	check_ok(c, "proc.name = oneof ()", "proc.name = oneof ()");
	sk_expr *e = parse(c, "fd.name startswith anyof (/etc/, /tmp/)");
	assert_int_equal(e->op, SK_OP_STARTSWITH);
	assert_int_equal(e->mod, SK_MOD_ANYOF);
	assert_int_equal(e->rhs->kind, SK_OPD_LIST);
	e = parse(c, "proc.name != allof my_list");
	assert_int_equal(e->mod, SK_MOD_ALLOF);
	assert_int_equal(e->rhs->kind, SK_OPD_IDENT);
	e = parse(c, "proc.name = oneof (a)");
	assert_int_equal(e->mod, SK_MOD_ONEOF);

	/* not a modifier: plain values */
	check_ok(c, "proc.name == oneof", "proc.name == oneof");
	check_ok(c, "proc.name = oneof and z", "(proc.name = oneof and z)");
	check_ok(c, "proc.name = oneof or z", "(proc.name = oneof or z)");
	check_ok(c, "proc.name = Oneof", "proc.name = Oneof");
	e = parse(c, "proc.name == oneof");
	assert_int_equal(e->mod, SK_MOD_NONE);
	assert_int_equal(e->rhs->kind, SK_OPD_VALUE);
	check_err(c, "proc.name ==oneof (cat)",
		  "<expr>:1:19: error: unexpected '(' after the end of the condition (a modifier needs a "
		  "blank before and after it: '= oneof (a, b)')");
	check_err(c, "proc.name == oneof(cat)",
		  "<expr>:1:19: error: unexpected '(' after the end of the condition (a modifier needs a "
		  "blank before and after it: '= oneof (a, b)')");
	check_err(c, "proc.name = oneof /tmp",
		  "<expr>:1:19: error: unexpected '/tmp' after the end of the condition (quote values that hold blanks)");
}

/* GRAMMAR.md §3 */
static void test_keywords(void **state)
{
	struct ctx *c = *state;
	check_ok(c, "(a)and(b)", "(a and b)");
	check_ok(c, "a and notb", "(a and notb)");
	check_ok(c, "notz and a", "(notz and a)");
	check_ok(c, "macro and not_macro", "(macro and not_macro)");
	check_ok(c, "macro and and_macro", "(macro and and_macro)");
	check_ok(c, "macro and or_macro", "(macro and or_macro)");
	check_ok(c, "a.b = not", "a.b = not");
	check_ok(c, "test.op existsand macro", "(test.op exists and macro)");
	check_ok(c, "a and(b)or(c)", "((a and b) or c)");
	check_ok(c, "a.b = 'x'and c", "(a.b = x and c)");
	check_ok(c, "not.a = 1", "not.a = 1");
	check_ok(c, " \t\r\n\ba\n", "a");

	check_err(c, "a andb", "<expr>:1:3: error: 'and' must be followed by a blank or '('");
	check_err(c, "a orb", "<expr>:1:3: error: 'or' must be followed by a blank or '('");
	check_err(c, "aand b", "<expr>:1:6: error: unexpected 'b' after the end of the condition");
	check_err(c, "a andnot b", "<expr>:1:3: error: 'and' must be followed by a blank or '('");
	check_err(c, "(a)andnot(b)", "<expr>:1:4: error: 'and' must be followed by a blank or '('");
	check_err(c, "a and or b", "<expr>:1:10: error: unexpected 'b' after the end of the condition");
	check_err(c, "macro > 12",
		  "<expr>:1:7: error: 'macro' is a macro name and cannot be compared (field names have a dot)");
	check_err(c, "a not b", "<expr>:1:3: error: unexpected 'not' after the end of the condition");
	check_err(c, "a and", "<expr>:1:6: error: expected a condition after 'and'");
	check_err(c, "a or ", "<expr>:1:6: error: expected a condition after 'or'");
	check_err(c, "not ", "<expr>:1:5: error: expected a condition after 'not'");
	check_err(c, "#a and b; a and b", "<expr>:1:1: error: expected a condition, found '#a'");
	check_err(c, "a.b = b = 1", "<expr>:1:9: error: unexpected '=' after the end of the condition");
	check_err(c, "test.op ExIsTs", "<expr>:1:9: error: expected an operator after 'test.op', found 'ExIsTs'");
	check_err(c, "a.b startswithvalue", "<expr>:1:5: error: 'startswith' must be followed by a blank");
	check_err(c, "a.b", "<expr>:1:4: error: expected an operator after 'a.b'");
	check_err(c, "", "<expr>:1:1: error: empty condition");
	check_err(c, "  \n ", "<expr>:1:1: error: empty condition");
	check_err(c, "()", "<expr>:1:2: error: expected a condition inside '()'");
	check_err(c, "(a and b", "<expr>:1:9: error: expected ')' before the end of the condition");
	check_err(c, "a)", "<expr>:1:2: error: unexpected ')' without a matching '('");
	check_err(c, "(a b)", "<expr>:1:4: error: unexpected 'b'; expected 'and', 'or' or ')'");
	check_err(c, "a and\fb", "<expr>:1:3: error: 'and' must be followed by a blank or '('");
	check_err(c, "a.b = x y",
		  "<expr>:1:9: error: unexpected 'y' after the end of the condition (quote values that hold blanks)");
	check_err(c, "a.b contains", "<expr>:1:13: error: expected a value after 'contains'");
	check_err(c, "a.b =", "<expr>:1:6: error: expected a value after '='");
}

/* GRAMMAR.md §11 */
static void test_section11(void **state)
{
	struct ctx *c = *state;
	static const char *const accepted[] = {
		"a.g in (1, 'a', b.c)",
		"fd.name=*.log",
		"test.str = 0a!@#456:/\\.;!$%^&*[]{}|",
		"test.str[0a!@#456:/\\.;!$%^&*(){}|] = testval",
		"test.list in (0a!@#456:/\\.;!$%^&*[]{}|, value)",
		"test.str = !0.1222e+10",
		"test.op =value",
		"test.op in()",
		"some.field = b64 and(some_macro)",
		"some.field = 'some_fake_transformer(x)'",
		"join(\"-\", ()) = /tmp",
	};
	static const char *const rejected[] = {
		"a.g in ( 1 ,, , b)",
		"test.list in (value,)",
		"test.num >= 0aaaaa",
		"test.num < 0xAAA.1",
		"test.str = a,",
		"test.str = a=",
		"test.str[   test   ] = testval",
		"b64 (test.field) exists",
		"b64(test.field [1]) exists",
		"some.field = (b64(test.field))",
		"some.field = val(toupper(test.field))",
		"test.list = (value)",
		"test.list startswith (value)",
		"fd.name=/var/lo);g/httpd.log",
	};
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
		check_ok(c, accepted[i], NULL);
	for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++)
		check_err(c, rejected[i], NULL);

	check_ok(c, "a.g in (1, 'a', b.c)", "a.g in (1, a, b.c)");
	check_ok(c, "test.str = 0a!@#456:/\\.;!$%^&*[]{}|", "test.str = \"0a!@#456:/\\\\.;!$%^&*[]{}|\"");
	check_ok(c, "some.field = b64 and(some_macro)", "(some.field = b64 and some_macro)");
	check_err(c, "a.g in ( 1 ,, , b)", "<expr>:1:13: error: expected a value after ','");
	check_err(c, "test.num >= 0aaaaa", "<expr>:1:14: error: unexpected 'aaaaa' after the end of the condition");
	check_err(c, "test.num < 0xAAA.1", "<expr>:1:17: error: unexpected '.1' after the end of the condition");
	check_err(c, "test.str = a,", "<expr>:1:13: error: unexpected ',' after the end of the condition");
	check_err(c, "test.str[   test   ] = testval",
		  "<expr>:1:10: error: no blank is allowed inside '[...]' (quote the argument)");
	check_err(c, "some.field = (b64(test.field))",
		  "<expr>:1:14: error: expected a value after '=', found '(' (a list needs 'in', "
		  "'intersects', 'pmatch' or a modifier such as 'oneof')");
	check_err(c, "test.list startswith (value)",
		  "<expr>:1:22: error: expected a value after 'startswith', found '(' (a list needs 'in', "
		  "'intersects', 'pmatch' or a modifier such as 'oneof')");
	check_err(c, "fd.name=/var/lo);g/httpd.log", "<expr>:1:16: error: unexpected ')' without a matching '('");
	check_err(c, "some.field in (b64(test.field))",
		  "<expr>:1:19: error: unexpected '(' in a list (lists hold plain values: no transformers, "
		  "no nested lists)");
}

/* GRAMMAR.md §10 */
static void test_canonical(void **state)
{
	struct ctx *c = *state;
	check_ok(c, "evt.name exists and evt.type in (a, b) or proc.name=cat",
		 "((evt.name exists and evt.type in (a, b)) or proc.name = cat)");
	check_ok(c, "getopt(proc.args, \"nt:\")[\"t\"] = value", "getopt(proc.args,nt:)[t] = value");
	check_ok(c, "evt.arg[\"key with space\"] = value", "evt.arg[\"key with space\"] = value");
	/* the canonical form parses back to itself */
	const char *src = "((a.b = 1 and c.d in (x, \"y z\")) or not m or tolower(e.f) startswith val(g.h))";
	check_ok(c, src, src);
}

static void test_spans_and_map(void **state)
{
	struct ctx *c = *state;
	/* A YAML-like file: the condition is folded from three lines, so its bytes are not
	 * contiguous in the file. map[i] gives the file offset of byte i. */
	const char *file =
		"- rule: r\n"
		"  condition: >\n"
		"    evt.type = open and\n"
		"    fd.name startswith /etc\n"
		"    and proc.name in (a,,b)\n";
	const char *lines[] = { "evt.type = open and", "fd.name startswith /etc", "and proc.name in (a,,b)" };
	uint32_t fid = sk_diag_add_file(c->d, "rules.yaml", file, strlen(file));
	char text[256] = "";
	uint32_t map[256];
	size_t n = 0;
	for (int l = 0; l < 3; l++) {
		const char *at = strstr(file, lines[l]);
		if (l) {
			map[n] = (uint32_t)(at - file) - 5; /* the folded blank stands for the newline */
			text[n++] = ' ';
		}
		for (size_t k = 0; k < strlen(lines[l]); k++) {
			map[n] = (uint32_t)(at - file + (ptrdiff_t)k);
			text[n++] = lines[l][k];
		}
	}
	map[n] = (uint32_t)strlen(file) - 1;
	text[n] = '\0';
	sk_text t = { .str = text, .len = n, .file = fid, .map = map };
	assert_null(sk_parse_condition(c->a, c->d, &t, SK_MAX_DEPTH_DEFAULT));
	char *r = rendered(c);
	assert_string_equal(r,
			    "rules.yaml:5:25: error: expected a value after ','\n"
			    "    5 |     and proc.name in (a,,b)\n"
			    "      |                         ^\n");
	free(r);

	/* Spans of a good parse land in the file too. */
	text[strlen(text) - 10] = '\0'; /* drop " in (a,,b)" */
	strcat(text, " exists");
	t.len = strlen(text);
	map[t.len] = map[t.len - 1] + 1;
	sk_expr *e = sk_parse_condition(c->a, c->d, &t, SK_MAX_DEPTH_DEFAULT);
	assert_non_null(e);
	assert_int_equal(e->kind, SK_E_AND);
	assert_int_equal(e->n_kids, 3);
	unsigned line, col;
	sk_diag_position(c->d, e->kids[1]->span, &line, &col);
	assert_int_equal(line, 4);
	assert_int_equal(col, 5);
	sk_diag_position(c->d, e->kids[1]->rhs->span, &line, &col);
	assert_int_equal(line, 4);
	assert_int_equal(col, 24);
	assert_int_equal(e->kids[1]->rhs->span.len, 4);

	/* With no map, byte i is at BASE + i. */
	const char *f2 = "xx: a.b = 1 or";
	uint32_t id2 = sk_diag_add_file(c->d, "base.yaml", f2, strlen(f2));
	sk_text t2 = { .str = f2 + 4, .len = strlen(f2) - 4, .file = id2, .base = 4 };
	assert_null(sk_parse_condition(c->a, c->d, &t2, SK_MAX_DEPTH_DEFAULT));
	r = rendered(c);
	assert_non_null(strstr(r, "base.yaml:1:15: error: expected a condition after 'or'\n"));
	free(r);
}

static void test_depth(void **state)
{
	struct ctx *c = *state;
	size_t n = 100000;
	char *s = malloc(n + 1);
	memset(s, '(', n);
	s[n] = '\0';
	clock_t t0 = clock();
	char *got = first_error(c, s, n, SK_MAX_DEPTH_DEFAULT);
	assert_string_equal(got, "<expr>:1:1001: error: exceeded max depth limit of 1000");
	free(got);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
	free(s);

	/* exactly the limit is fine, one more is not */
	char buf[64];
	check_ok(c, "((a))", "a");
	got = first_error(c, "(((a)))", 7, 2);
	assert_string_equal(got, "<expr>:1:3: error: exceeded max depth limit of 2");
	free(got);
	sk_diag_free(c->d);
	c->d = sk_diag_new();
	assert_non_null(parse_depth(c, "((a))", 5, 2));
	/* every kind of parenthesis counts: lists, transformers, val() */
	got = first_error(c, "(x.y in (a))", 12, 1);
	assert_string_equal(got, "<expr>:1:9: error: exceeded max depth limit of 1");
	free(got);
	got = first_error(c, "tolower(b64(x.y)) = 1", 21, 1);
	assert_string_equal(got, "<expr>:1:9: error: exceeded max depth limit of 1");
	free(got);
	/* not( is located at the 'not' */
	snprintf(buf, sizeof(buf), "not(not(a))");
	got = first_error(c, buf, strlen(buf), 1);
	assert_string_equal(got, "<expr>:1:5: error: exceeded max depth limit of 1");
	free(got);

	/* long flat chains and long 'not' runs do not count as depth */
	size_t k = 100000;
	char *w = malloc(k * 8 + 8);
	size_t m = 0;
	for (size_t i = 0; i < k; i++)
		m += (size_t)sprintf(w + m, "%sa", i ? " or " : "");
	sk_diag_free(c->d);
	c->d = sk_diag_new();
	sk_expr *e = parse_depth(c, w, m, SK_MAX_DEPTH_DEFAULT);
	assert_non_null(e);
	assert_int_equal(e->n_kids, k);
	m = 0;
	for (size_t i = 0; i < k + 1; i++)
		m += (size_t)sprintf(w + m, "not ");
	m += (size_t)sprintf(w + m, "a");
	e = parse_depth(c, w, m, SK_MAX_DEPTH_DEFAULT);
	assert_non_null(e);
	assert_int_equal(e->kind, SK_E_NOT);
	free(w);
}

/* Printing and cloning use no recursion: a tree far deeper than any parse works. */
static void test_deep_tree_walks(void **state)
{
	struct ctx *c = *state;
	size_t n = 1000000;
	sk_span none = { 0, 0, 0 };
	sk_expr *e = sk_expr_new(c->a, SK_E_MACRO, none);
	e->ident = "m";
	for (size_t i = 0; i < n; i++) {
		sk_expr *p = sk_expr_new(c->a, i % 2 ? SK_E_NOT : SK_E_AND, none);
		sk_arena_push(c->a, (void ***)&p->kids, &p->n_kids, e);
		e = p;
	}
	sk_expr *k = sk_expr_clone(c->a, e);
	assert_ptr_not_equal(k, e);
	const char *s1 = sk_expr_to_string(c->a, e);
	const char *s2 = sk_expr_to_string(c->a, k);
	assert_string_equal(s1, s2);
	assert_int_equal(strlen(s1), n / 2 * 6 + 1);
}

static void test_clone(void **state)
{
	struct ctx *c = *state;
	const char *src = "(a.b[\"x\"] = 1 and not c.d in (x, \"y z\")) or join(\"-\", (e.f, 1)) "
			  "startswith val(g.h) or m or p.q == anyof l";
	sk_expr *e = parse(c, src);
	assert_non_null(e);
	sk_arena *b = sk_arena_new();
	sk_expr *k = sk_expr_clone(b, e);
	char *want = strdup(sk_expr_to_string(c->a, e));
	/* the copy owns its strings: it survives the original's arena */
	teardown(state);
	assert_string_equal(sk_expr_to_string(b, k), want);
	assert_int_equal(k->kind, SK_E_OR);
	assert_int_equal(k->kids[0]->kids[0]->lhs->field, -1);
	sk_arena_free(b);
	free(want);
	setup(state);
	assert_null(sk_expr_clone(((struct ctx *)*state)->a, NULL));
}

static void test_constructors(void **state)
{
	struct ctx *c = *state;
	sk_span sp = { 1, 2, 3 };
	sk_expr *e = sk_expr_new(c->a, SK_E_CHECK, sp);
	assert_int_equal(e->kind, SK_E_CHECK);
	assert_int_equal(e->span.off, 2);
	assert_null(e->kids);
	assert_null(e->origin);
	sk_operand *o = sk_operand_new(c->a, SK_OPD_FIELD, sp);
	assert_int_equal(o->field, -1);
	assert_null(o->arg);
	o->text = "proc.name"; /* text_len 0: printed with strlen */
	e->lhs = o;
	e->op = SK_OP_EXISTS;
	assert_string_equal(sk_expr_to_string(c->a, e), "proc.name exists");
	sk_expr *k = sk_expr_new(c->a, SK_E_CONST, sp);
	k->value = true;
	assert_string_equal(sk_expr_to_string(c->a, k), "true");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_folding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_operators, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_field_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transformers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_val, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modifiers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keywords, setup, teardown),
		cmocka_unit_test_setup_teardown(test_section11, setup, teardown),
		cmocka_unit_test_setup_teardown(test_canonical, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spans_and_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_tree_walks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_constructors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
