/* saker-test-lib: saker_common */
/* The byte format of typed conditions (runtime/cond_codec.c): round trips of random trees, and
 * input that is truncated, corrupted or made up refused with a one-line reason, never a crash. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cond_int.h"
#include "cond_text.h"
#include "saker/cond.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static unsigned rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 11);
}

/* ---- random trees ------------------------------------------------------------------------ */

static const char *const patterns[] = { "a.*", "(x|y)+z", "[[:alpha:]]{2,3}", "^b$", "\\.", "" };

static void rand_bytes(sk_cval *v, bool nul)
{
	static const char chars[] = "ab /=\"'\\\t\n*?[]xyz";
	size_t n = rnd() % 6;
	char *s = ct_alloc(n + 1);
	for (size_t i = 0; i < n; i++)
		s[i] = nul && rnd() % 7 == 0 ? '\0' : chars[rnd() % (sizeof(chars) - 1)];
	v->kind = SK_CV_STR;
	v->s = s;
	v->len = n;
}

static void rand_value(sk_cval *v, enum sk_ccls c, enum sk_cop op)
{
	memset(v, 0, sizeof(*v));
	switch (c) {
	case SK_CC_STR:
		if (op == SK_COP_REGEX) {
			const char *p = patterns[rnd() % (sizeof(patterns) / sizeof(patterns[0]))];
			v->kind = SK_CV_STR;
			v->s = p;
			v->len = strlen(p);
		} else {
			rand_bytes(v, false);
		}
		break;
	case SK_CC_BYTES: rand_bytes(v, true); break;
	case SK_CC_INT:
		v->kind = SK_CV_INT;
		v->i = (int64_t)((uint64_t)rnd() << 40 ^ rnd()) * (rnd() % 2 ? -1 : 1);
		break;
	case SK_CC_UINT:
		v->kind = SK_CV_UINT;
		v->u = rnd() % 3 ? rnd() % 1000 : ~(uint64_t)0 - rnd();
		break;
	case SK_CC_BOOL:
		v->kind = SK_CV_BOOL;
		v->b = rnd() % 2;
		break;
	case SK_CC_IP:
		v->kind = rnd() % 2 ? SK_CV_IP : SK_CV_NET;
		v->ip_len = rnd() % 2 ? 4 : 16;
		for (int i = 0; i < v->ip_len; i++)
			v->ip[i] = (uint8_t)rnd();
		v->prefix = (uint8_t)(rnd() % (v->ip_len * 8 + 1));
		break;
	case SK_CC_DOUBLE:
		v->kind = SK_CV_DOUBLE;
		v->d = (double)(int)rnd() / 7.0;
		break;
	default:
		v->kind = SK_CV_STR;
		v->s = "x";
		v->len = 1;
		break;
	}
}

/* Fields of every type that take no argument, and a few that do; not the domain-name fields,
 * which take only names and three operators (test_cond_eval has them). */
static int rand_field(void)
{
	for (;;) {
		int f = (int)(rnd() % SK_FLD__COUNT);
		if (sk_fields[f].arg != SK_A_REQ && sk_fields[f].type != SK_T_DYN &&
		    sk_field_resolved_ip(f) < 0)
			return f;
	}
}

static sk_copnd *rand_lhs(void)
{
	sk_copnd *o = ct_field_arg(sk_fields[rand_field()].name, NULL);
	if ((sk_fields[o->field].flags & SK_F_ARG_INDEX) && rnd() % 2) {
		char *a = ct_alloc(8);
		o->arg_index = rnd() % 5;
		snprintf(a, 8, "%lld", (long long)o->arg_index);
		o->arg = a;
	}
	if (o->type == SK_T_STR && !(sk_fields[o->field].flags & SK_F_LIST) && rnd() % 4 == 0) {
		/* a transformer over it */
		sk_copnd *x = ct_alloc(sizeof(*x));
		static const enum sk_xform one[] = { SK_XF_TOLOWER, SK_XF_TOUPPER, SK_XF_B64,
						     SK_XF_BASENAME, SK_XF_LEN };
		x->kind = SK_CO_XFORM;
		x->xform = one[rnd() % 5];
		x->type = x->xform == SK_XF_LEN ? SK_T_U64 : SK_T_STR;
		x->n_args = 1;
		x->args = ct_alloc(sizeof(*x->args));
		x->args[0] = o;
		x->field = -1;
		x->arg_index = -1;
		return x;
	}
	return o;
}

static bool is_list_field(const sk_copnd *o)
{
	return o->kind == SK_CO_FIELD && (sk_fields[o->field].flags & SK_F_LIST);
}

static sk_cexpr *rand_check(void)
{
	sk_cexpr *e = ct_alloc(sizeof(*e));
	e->kind = SK_C_CHECK;
	e->lhs = rand_lhs();
	enum sk_ccls c = sk_cond_class(e->lhs->type);
	bool list = is_list_field(e->lhs);
	do
		e->op = (enum sk_cop)(rnd() % SK_COP__COUNT);
	while (!sk_cond_op_applies(e->op, c, list));
	if (e->op == SK_COP_EXISTS)
		return e;
	if (rnd() % 3 == 0 && sk_cond_mod_applies(e->op, SK_CMOD_ONEOF, c))
		e->mod = (enum sk_cmod)(1 + rnd() % 3);
	bool many = e->mod || e->op == SK_COP_IN || e->op == SK_COP_INTERSECTS || e->op == SK_COP_PMATCH;
	sk_copnd *r = ct_alloc(sizeof(*r));
	r->type = e->lhs->type;
	r->field = -1;
	r->arg_index = -1;
	if (!many || rnd() % 4 == 0) {
		if (!e->mod && e->op != SK_COP_REGEX && e->op != SK_COP_PMATCH && rnd() % 5 == 0 &&
		    !list) {
			/* field to field: any field of the same type */
			for (;;) {
				int f = rand_field();
				if (sk_fields[f].type == e->lhs->type && !(sk_fields[f].flags & SK_F_LIST)) {
					e->rhs = ct_field_arg(sk_fields[f].name, NULL);
					return e;
				}
			}
		}
		r->kind = SK_CO_CONST;
		rand_value(&r->v, c, e->op);
	} else {
		r->kind = SK_CO_LIST;
		r->n_items = rnd() % 5;
		r->items = ct_alloc((r->n_items + 1) * sizeof(*r->items));
		for (size_t i = 0; i < r->n_items; i++)
			rand_value(&r->items[i], c, e->op);
	}
	if (e->op == SK_COP_PMATCH || e->op == SK_COP_REGEX) {
		/* these take strings */
		if (r->kind == SK_CO_CONST)
			rand_value(&r->v, SK_CC_STR, e->op);
		for (size_t i = 0; r->kind == SK_CO_LIST && i < r->n_items; i++)
			rand_value(&r->items[i], SK_CC_STR, e->op);
	}
	e->rhs = r;
	return e;
}

static sk_cexpr *rand_expr(int depth)
{
	if (depth <= 0 || rnd() % 3 == 0)
		return rand_check();
	sk_cexpr *e = ct_alloc(sizeof(*e));
	switch (rnd() % 4) {
	case 0:
		e->kind = SK_C_NOT;
		e->n_kids = 1;
		break;
	case 1:
		e->kind = SK_C_CONST;
		e->value = rnd() % 2;
		return e;
	default:
		e->kind = rnd() % 2 ? SK_C_AND : SK_C_OR;
		e->n_kids = rnd() % 4;
		break;
	}
	e->kids = ct_alloc((e->n_kids + 1) * sizeof(*e->kids));
	for (size_t i = 0; i < e->n_kids; i++)
		e->kids[i] = rand_expr(depth - 1);
	return e;
}

/* ---- comparing trees --------------------------------------------------------------------- */

static bool val_eq(const sk_cval *a, const sk_cval *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case SK_CV_STR: return a->len == b->len && (!a->len || !memcmp(a->s, b->s, a->len));
	case SK_CV_INT: return a->i == b->i;
	case SK_CV_UINT: return a->u == b->u;
	case SK_CV_BOOL: return a->b == b->b;
	case SK_CV_DOUBLE: return !memcmp(&a->d, &b->d, sizeof(a->d));
	case SK_CV_IP:
	case SK_CV_NET:
		return a->ip_len == b->ip_len && !memcmp(a->ip, b->ip, a->ip_len) &&
		       (a->kind == SK_CV_IP || a->prefix == b->prefix);
	default: return false;
	}
}

static bool opnd_eq(const sk_copnd *a, const sk_copnd *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->type != b->type)
		return false;
	switch (a->kind) {
	case SK_CO_FIELD:
		return a->field == b->field && a->arg_index == b->arg_index &&
		       (a->arg ? b->arg && !strcmp(a->arg, b->arg) : !b->arg);
	case SK_CO_CONST: return val_eq(&a->v, &b->v);
	case SK_CO_LIST:
		if (a->n_items != b->n_items)
			return false;
		for (size_t i = 0; i < a->n_items; i++)
			if (!val_eq(&a->items[i], &b->items[i]))
				return false;
		return true;
	default:
		if (a->xform != b->xform || a->n_args != b->n_args ||
		    (a->arg ? !b->arg || strcmp(a->arg, b->arg) : b->arg != NULL))
			return false;
		for (size_t i = 0; i < a->n_args; i++)
			if (!opnd_eq(a->args[i], b->args[i]))
				return false;
		return true;
	}
}

static bool expr_eq(const sk_cexpr *a, const sk_cexpr *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case SK_C_CONST: return a->value == b->value;
	case SK_C_CHECK:
		return a->op == b->op && a->mod == b->mod && opnd_eq(a->lhs, b->lhs) &&
		       opnd_eq(a->rhs, b->rhs);
	default:
		if (a->n_kids != b->n_kids)
			return false;
		for (size_t i = 0; i < a->n_kids; i++)
			if (!expr_eq(a->kids[i], b->kids[i]))
				return false;
		return true;
	}
}

/* ---- a source of random values ----------------------------------------------------------- */

static void rand_get(void *ctx, int field, const char *arg, sk_cval *v)
{
	(void)ctx;
	(void)arg;
	if (rnd() % 4 == 0) {
		v->kind = SK_CV_NA;
		return;
	}
	if (sk_fields[field].flags & SK_F_LIST) {
		static sk_cval items[4];
		for (int i = 0; i < 4; i++)
			rand_value(&items[i], SK_CC_STR, SK_COP_EQ);
		v->kind = SK_CV_LIST;
		v->items = items;
		v->n_items = rnd() % 5;
		return;
	}
	rand_value(v, sk_cond_class(sk_fields[field].type), SK_COP_EQ);
}

static const struct sk_cond_src rand_src = { rand_get, NULL, NULL };

/* ---- tests ------------------------------------------------------------------------------- */

static void test_round_trip(void **state)
{
	(void)state;
	struct sk_cond_ctx *c;
	assert_int_equal(sk_cond_ctx_new(&c), 0);
	for (int round = 0; round < 3000; round++) {
		sk_cexpr *e = rand_expr((int)(rnd() % 6));
		char err[256] = "";
		uint8_t *buf = NULL;
		size_t len = 0, pos = 0;
		struct sk_cond_set *set = NULL;
		const sk_cexpr *d = NULL;

		if (sk_cond_check(e, err, sizeof(err)))
			fail_msg("generated tree refused: %s", err);
		assert_int_equal(sk_cond_encode(e, &buf, &len), 0);
		if (sk_cond_decode(buf, len, &pos, &set, &d, err, sizeof(err)))
			fail_msg("round %d: %s", round, err);
		assert_int_equal(pos, len);
		assert_true(expr_eq(e, d));
		char *s1 = sk_cond_to_string(e), *s2 = sk_cond_to_string(d);
		assert_string_equal(s1, s2);
		/* the same bytes again: the encoding is deterministic */
		uint8_t *buf2 = NULL;
		size_t len2 = 0;
		assert_int_equal(sk_cond_encode(d, &buf2, &len2), 0);
		assert_int_equal(len, len2);
		assert_memory_equal(buf, buf2, len);
		/* every strict prefix is refused, with a reason */
		for (size_t cut = 0; cut < len; cut++) {
			struct sk_cond_set *s = NULL;
			const sk_cexpr *t = NULL;
			size_t p = 0;
			err[0] = '\0';
			assert_int_equal(sk_cond_decode(buf, cut, &p, &s, &t, err, sizeof(err)), -EINVAL);
			assert_null(t);
			assert_true(err[0] != '\0');
			assert_null(strchr(err, '\n'));
			sk_cond_set_free(s);
		}
		/* and what decodes evaluates */
		for (int k = 0; k < 3; k++) {
			int r = sk_cond_eval(c, d, &rand_src);
			assert_true(r == 0 || r == 1);
		}
		sk_cond_ctx_reset(c);
		free(s1);
		free(s2);
		free(buf);
		free(buf2);
		sk_cond_set_free(set);
		ct_free_all();
	}
	sk_cond_ctx_free(c);
}

static void test_corruption(void **state)
{
	(void)state;
	struct sk_cond_ctx *c;
	unsigned decoded = 0, refused = 0;
	assert_int_equal(sk_cond_ctx_new(&c), 0);
	for (int round = 0; round < 3000; round++) {
		sk_cexpr *e = rand_expr((int)(rnd() % 5));
		uint8_t *buf = NULL;
		size_t len = 0;
		assert_int_equal(sk_cond_encode(e, &buf, &len), 0);
		for (int k = 0; k < 8; k++) {
			uint8_t *bad = malloc(len + 4);
			size_t blen = len, pos = 0;
			memcpy(bad, buf, len);
			/* flip bytes, or drop one, or add some */
			switch (rnd() % 3) {
			case 0:
				for (int f = 0; f < 1 + (int)(rnd() % 3); f++)
					bad[rnd() % len] ^= (uint8_t)(1 + rnd() % 255);
				break;
			case 1: {
				size_t at = rnd() % len;
				memmove(bad + at, bad + at + 1, len - at - 1);
				blen--;
				break;
			}
			default: {
				size_t at = rnd() % len;
				memmove(bad + at + 2, bad + at, len - at);
				bad[at] = (uint8_t)rnd();
				bad[at + 1] = (uint8_t)rnd();
				blen += 2;
				break;
			}
			}
			struct sk_cond_set *set = NULL;
			const sk_cexpr *d = NULL;
			char err[256] = "";
			int rc = sk_cond_decode(bad, blen, &pos, &set, &d, err, sizeof(err));
			if (rc) {
				assert_int_equal(rc, -EINVAL);
				assert_true(err[0] != '\0');
				assert_null(d);
				refused++;
			} else {
				char why[256];
				assert_true(pos <= blen);
				assert_int_equal(sk_cond_check(d, why, sizeof(why)), 0);
				int r = sk_cond_eval(c, d, &rand_src);
				assert_true(r == 0 || r == 1);
				free(sk_cond_to_string(d));
				sk_cond_ctx_reset(c);
				decoded++;
			}
			sk_cond_set_free(set);
			free(bad);
		}
		free(buf);
		ct_free_all();
	}
	print_message("corrupted encodings: %u refused, %u still valid trees\n", refused, decoded);
	assert_true(refused > 0);
	sk_cond_ctx_free(c);
}

/* Decodes DATA, expecting a refusal that says WHY. */
static void expect_refused(const uint8_t *data, size_t len, const char *why)
{
	struct sk_cond_set *set = NULL;
	const sk_cexpr *d = NULL;
	char err[256] = "";
	size_t pos = 0;
	assert_int_equal(sk_cond_decode(data, len, &pos, &set, &d, err, sizeof(err)), -EINVAL);
	if (!strstr(err, why))
		fail_msg("refused with '%s', want '%s'", err, why);
	assert_int_equal(pos, 0);
	sk_cond_set_free(set);
}

static void test_hostile(void **state)
{
	(void)state;
	/* version 1, AND, count, ... */
	static const uint8_t newer[] = { 2, 0, 1 };
	expect_refused(newer, sizeof(newer), "format 2 is newer than this version understands (1)");
	static const uint8_t zero[] = { 0, 0, 1 };
	expect_refused(zero, sizeof(zero), "unknown format 0");
	expect_refused(zero, 0, "truncated (format version)");
	static const uint8_t huge[] = { 1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f };
	expect_refused(huge, sizeof(huge), "is more than the");
	static const uint8_t overlong[] = { 1, 1, 0x80, 0x00 };
	expect_refused(overlong, sizeof(overlong), "not in its shortest form");
	static const uint8_t too_big[] = { 1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f };
	expect_refused(too_big, sizeof(too_big), "does not fit 64 bits");
	static const uint8_t kind[] = { 1, 9 };
	expect_refused(kind, sizeof(kind), "unknown node kind 9");
	static const uint8_t cst[] = { 1, 0, 2 };
	expect_refused(cst, sizeof(cst), "constant 2");
	/* a check: =, no modifier, rhs, field "no.such" */
	static const uint8_t field[] = { 1, 4, 0, 0, 0, 0, 0, 7, 'n', 'o', '.', 's', 'u', 'c', 'h', 1, 0 };
	expect_refused(field, sizeof(field), "field 'no.such' is unknown to this version");
	static const uint8_t op[] = { 1, 4, 200, 0, 0 };
	expect_refused(op, sizeof(op), "unknown operator 200");
	static const uint8_t mod[] = { 1, 4, 0, 7, 0 };
	expect_refused(mod, sizeof(mod), "unknown modifier 7");
	static const uint8_t type[] = { 1, 4, 18, 0, 0, 0, 99 };
	expect_refused(type, sizeof(type), "unknown type 99");
	/* proc.name exists, with an argument holding a NUL */
	static const uint8_t nul[] = { 1, 4, 18, 0, 0, 0, 0, 9, 'p', 'r', 'o', 'c', '.', 'n', 'a', 'm', 'e', 1, 1, 2, 'a', 0 };
	expect_refused(nul, sizeof(nul), "field argument holds a NUL byte");
	/* proc.name exists with an argument: the tree checker refuses it */
	static const uint8_t arg[] = { 1, 4, 18, 0, 0, 0, 0, 9, 'p', 'r', 'o', 'c', '.', 'n', 'a', 'm', 'e', 1, 1, 1, 'a' };
	expect_refused(arg, sizeof(arg), "field 'proc.name' takes no argument");
	/* proc.name exists: fine */
	static const uint8_t ok[] = { 1, 4, 18, 0, 0, 0, 0, 9, 'p', 'r', 'o', 'c', '.', 'n', 'a', 'm', 'e', 1, 0 };
	struct sk_cond_set *set = NULL;
	const sk_cexpr *d = NULL;
	char err[256];
	size_t pos = 0;
	assert_int_equal(sk_cond_decode(ok, sizeof(ok), &pos, &set, &d, err, sizeof(err)), 0);
	char *s = sk_cond_to_string(d);
	assert_string_equal(s, "proc.name exists");
	free(s);
	/* two trees back to back, in one set */
	uint8_t two[2 * sizeof(ok)];
	memcpy(two, ok, sizeof(ok));
	memcpy(two + sizeof(ok), ok, sizeof(ok));
	pos = 0;
	assert_int_equal(sk_cond_decode(two, sizeof(two), &pos, &set, &d, err, sizeof(err)), 0);
	assert_int_equal(pos, sizeof(ok));
	assert_int_equal(sk_cond_decode(two, sizeof(two), &pos, &set, &d, err, sizeof(err)), 0);
	assert_int_equal(pos, sizeof(two));
	sk_cond_set_free(set);
	/* not, not, ... past SK_COND_MAX_DEPTH */
	size_t n = SK_COND_MAX_DEPTH + 2;
	uint8_t *deep = malloc(n + 2);
	deep[0] = 1;
	memset(deep + 1, 3, n);
	deep[n] = 0;
	deep[n + 1] = 1;
	expect_refused(deep, n + 2, "deeper than 1000");
	free(deep);
	/* an address of 5 bytes; a /33 IPv4 network */
	static const uint8_t ip[] = { 1, 4, 0, 0, 1, 0, 4, 6, 'f', 'd', '.', 'c', 'i', 'p', 1, 0, 2, 4, 4, 5 };
	expect_refused(ip, sizeof(ip), "an address of 5 bytes");
	static const uint8_t net[] = { 1, 4, 0, 0, 1, 0, 4, 6, 'f', 'd', '.', 'c', 'i', 'p', 1, 0, 2, 4, 5, 4, 1, 2, 3, 4, 33 };
	expect_refused(net, sizeof(net), "a /33 network of a 32-bit address");
}

static void test_text_round_trip(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"proc.name in (bash, sh, \"a b\") and not fd.name pmatch (/etc, /usr/lib)",
		"tolower(proc.name) = val(proc.pname) or evt.buffer bcontains 7f454c46",
		"getopt(fd.types, \"nt:\")[t] = x and join(\",\", (proc.name, \"x\")) != y",
		"fd.cip in (10.0.0.0/8, ::1, 192.168.1.1) and fd.sport < 1024",
		"proc.aname[3] startswith anyof (a, b) and proc.env[\"K\"] exists",
		"proc.name regex \"(a|b)*\" or proc.pid != -12 or evt.failed = false",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		sk_cexpr *e = ct_parse(texts[i]);
		uint8_t *buf = NULL;
		size_t len = 0, pos = 0;
		struct sk_cond_set *set = NULL;
		const sk_cexpr *d;
		char err[256];
		if (!e)
			fail_msg("%s: %s", texts[i], ct_mem.err);
		assert_int_equal(sk_cond_encode(e, &buf, &len), 0);
		assert_int_equal(sk_cond_decode(buf, len, &pos, &set, &d, err, sizeof(err)), 0);
		assert_true(expr_eq(e, d));
		free(buf);
		sk_cond_set_free(set);
	}
	ct_free_all();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_text_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
