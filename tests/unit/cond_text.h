/* A small reader of condition text into typed trees (cond.h), for the tests and bench/eval: the
 * compiler's parser and checker live in the compiler, these programs link only saker_common.
 * It reads Falco's syntax in a simplified form: checks, and/or/not, parentheses, true/false,
 * transformers, val(), lists, modifiers, quoted strings with \" \\ \n \t \xHH escapes. Types
 * come from the field table; constants are converted with sk_cval_from_text. Every node is
 * malloc'd and remembered: ct_free_all releases them. Not for hostile input. */
#ifndef SK_COND_TEXT_H
#define SK_COND_TEXT_H

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saker/cond.h"

static struct {
	void **v;
	size_t n, cap;
	char err[256];
} ct_mem;

static void *ct_alloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (!p)
		abort();
	if (ct_mem.n == ct_mem.cap) {
		ct_mem.cap = ct_mem.cap ? 2 * ct_mem.cap : 256;
		ct_mem.v = realloc(ct_mem.v, ct_mem.cap * sizeof(*ct_mem.v));
		if (!ct_mem.v)
			abort();
	}
	ct_mem.v[ct_mem.n++] = p;
	return p;
}

static void ct_free_all(void)
{
	for (size_t i = 0; i < ct_mem.n; i++)
		free(ct_mem.v[i]);
	free(ct_mem.v);
	ct_mem.v = NULL;
	ct_mem.n = ct_mem.cap = 0;
}

static char *ct_strndup(const char *s, size_t n)
{
	char *d = ct_alloc(n + 1);
	memcpy(d, s, n);
	return d;
}

/* ---- builders ---------------------------------------------------------------------------- */

static sk_copnd *ct_field_arg(const char *name, const char *arg)
{
	sk_copnd *o = ct_alloc(sizeof(*o));
	int f = sk_field_lookup(name);
	if (f < 0) {
		snprintf(ct_mem.err, sizeof(ct_mem.err), "unknown field '%s'", name);
		return NULL;
	}
	o->kind = SK_CO_FIELD;
	o->field = f;
	o->type = sk_fields[f].type;
	o->arg_index = -1;
	if (arg) {
		o->arg = ct_strndup(arg, strlen(arg));
		if (sk_fields[f].flags & SK_F_ARG_INDEX) {
			char *end;
			long long v = strtoll(arg, &end, 10);
			if (!*end && v >= 0)
				o->arg_index = v;
		}
	}
	return o;
}

static sk_copnd *ct_const_of(enum sk_type t, enum sk_cop op, const char *s, size_t n)
{
	sk_copnd *o = ct_alloc(sizeof(*o));
	uint8_t *buf = ct_alloc(n + 1);
	char *text = ct_strndup(s, n);
	o->kind = SK_CO_CONST;
	o->type = t;
	o->field = -1;
	o->arg_index = -1;
	if (sk_cval_from_text(t, op, text, n, &o->v, buf, ct_mem.err, sizeof(ct_mem.err)))
		return NULL;
	return o;
}

static sk_cexpr *ct_node(enum sk_cexpr_kind k, size_t n, sk_cexpr **kids)
{
	sk_cexpr *e = ct_alloc(sizeof(*e));
	e->kind = k;
	e->n_kids = n;
	if (n) {
		e->kids = ct_alloc(n * sizeof(*e->kids));
		memcpy(e->kids, kids, n * sizeof(*kids));
	}
	return e;
}

/* ---- the reader -------------------------------------------------------------------------- */

struct ct_rd {
	const char *p;
	size_t i;
};

static void ct_blank(struct ct_rd *r)
{
	while (r->p[r->i] == ' ' || r->p[r->i] == '\t' || r->p[r->i] == '\n')
		r->i++;
}

static int ct_word(struct ct_rd *r, const char *w)
{
	size_t n = strlen(w);
	ct_blank(r);
	if (strncmp(r->p + r->i, w, n))
		return 0;
	char next = r->p[r->i + n];
	if (isalnum((unsigned char)w[n - 1]) && (isalnum((unsigned char)next) || next == '_' || next == '.'))
		return 0;
	r->i += n;
	return 1;
}

static int ct_fail(struct ct_rd *r, const char *what)
{
	snprintf(ct_mem.err, sizeof(ct_mem.err), "%s at offset %zu: '%.20s'", what, r->i, r->p + r->i);
	return -1;
}

/* A value: "quoted" (escapes \" \\ \n \t \xHH) or bare, into S and N. */
static int ct_value(struct ct_rd *r, char **s, size_t *n)
{
	ct_blank(r);
	if (r->p[r->i] == '"') {
		char *d = ct_alloc(strlen(r->p + r->i) + 1);
		size_t k = 0;
		r->i++;
		while (r->p[r->i] && r->p[r->i] != '"') {
			char c = r->p[r->i++];
			if (c == '\\') {
				/* \" \\ \n \t \xHH; any other backslash stays (regex escapes) */
				c = r->p[r->i];
				if (c == 'n' || c == 't' || c == '"' || c == '\\') {
					r->i++;
					c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
				} else if (c == 'x' && isxdigit((unsigned char)r->p[r->i + 1]) &&
					   isxdigit((unsigned char)r->p[r->i + 2])) {
					char h[3] = { r->p[r->i + 1], r->p[r->i + 2], 0 };
					c = (char)strtol(h, NULL, 16);
					r->i += 3;
				} else {
					c = '\\';
				}
			}
			d[k++] = c;
		}
		if (r->p[r->i] != '"')
			return ct_fail(r, "unterminated string");
		r->i++;
		*s = d;
		*n = k;
		return 0;
	}
	size_t b = r->i;
	while (r->p[r->i] && !strchr(" \t\n(),", r->p[r->i]))
		r->i++;
	if (r->i == b)
		return ct_fail(r, "a value expected");
	*s = ct_strndup(r->p + b, r->i - b);
	*n = r->i - b;
	return 0;
}

static int ct_xform_id(const char *s, size_t n)
{
	for (int i = 0; i < SK_XF__COUNT; i++)
		if (strlen(sk_xform_names[i]) == n && !strncmp(sk_xform_names[i], s, n))
			return i;
	return -1;
}

static sk_copnd *ct_operand(struct ct_rd *r);

/* [arg] right after a field or getopt(...) */
static const char *ct_arg(struct ct_rd *r)
{
	if (r->p[r->i] != '[')
		return NULL;
	size_t b = ++r->i;
	if (r->p[r->i] == '"') {
		char *s;
		size_t n;
		if (ct_value(r, &s, &n))
			return NULL;
		if (r->p[r->i] == ']')
			r->i++;
		return s;
	}
	while (r->p[r->i] && r->p[r->i] != ']')
		r->i++;
	const char *a = ct_strndup(r->p + b, r->i - b);
	if (r->p[r->i] == ']')
		r->i++;
	return a;
}

/* A transformer argument: an operand, a quoted string or number, or a transformer list. */
static sk_copnd *ct_targ(struct ct_rd *r)
{
	ct_blank(r);
	if (r->p[r->i] == '(') {
		sk_copnd *t = ct_alloc(sizeof(*t)), *items[64];
		size_t n = 0;
		r->i++;
		t->kind = SK_CO_TLIST;
		t->type = SK_T_STR;
		t->field = -1;
		t->arg_index = -1;
		ct_blank(r);
		while (r->p[r->i] != ')') {
			if (n == 64 || !(items[n++] = ct_targ(r)))
				return NULL;
			ct_blank(r);
			if (r->p[r->i] == ',')
				r->i++;
			ct_blank(r);
			if (!r->p[r->i])
				return ct_fail(r, "unterminated list"), NULL;
		}
		r->i++;
		t->n_args = n;
		t->args = ct_alloc((n ? n : 1) * sizeof(*t->args));
		memcpy(t->args, items, n * sizeof(*items));
		return t;
	}
	if (r->p[r->i] == '"' || isdigit((unsigned char)r->p[r->i]) || r->p[r->i] == '-') {
		char *s;
		size_t n;
		if (ct_value(r, &s, &n))
			return NULL;
		return ct_const_of(SK_T_STR, SK_COP_EQ, s, n);
	}
	return ct_operand(r);
}

/* A field, or a transformer of operands. */
static sk_copnd *ct_operand(struct ct_rd *r)
{
	ct_blank(r);
	size_t b = r->i;
	while (isalnum((unsigned char)r->p[r->i]) || r->p[r->i] == '.' || r->p[r->i] == '_')
		r->i++;
	if (r->i == b)
		return ct_fail(r, "a field expected"), NULL;
	int x = ct_xform_id(r->p + b, r->i - b);
	if (x >= 0 && r->p[r->i] == '(') {
		sk_copnd *o = ct_alloc(sizeof(*o)), *args[16];
		size_t n = 0;
		r->i++;
		o->kind = SK_CO_XFORM;
		o->xform = (enum sk_xform)x;
		o->field = -1;
		o->arg_index = -1;
		for (;;) {
			if (n == 16 || !(args[n++] = ct_targ(r)))
				return NULL;
			ct_blank(r);
			if (r->p[r->i] == ',') {
				r->i++;
				continue;
			}
			if (r->p[r->i] != ')')
				return ct_fail(r, "')' expected"), NULL;
			r->i++;
			break;
		}
		o->n_args = n;
		o->args = ct_alloc(n * sizeof(*o->args));
		memcpy(o->args, args, n * sizeof(*args));
		o->arg = ct_arg(r);
		switch (o->xform) {
		case SK_XF_LEN: o->type = SK_T_U64; break;
		case SK_XF_TOLOWER:
		case SK_XF_TOUPPER:
		case SK_XF_B64:
		case SK_XF_BASENAME: o->type = args[0]->type == SK_T_BYTES ? SK_T_BYTES : SK_T_STR; break;
		default: o->type = SK_T_STR; break;
		}
		return o;
	}
	char *name = ct_strndup(r->p + b, r->i - b);
	return ct_field_arg(name, ct_arg(r));
}

static const struct {
	const char *s;
	enum sk_cop op;
} ct_ops[] = {
	{ "exists", SK_COP_EXISTS },   { "<=", SK_COP_LE },
	{ "<", SK_COP_LT },            { ">=", SK_COP_GE },
	{ ">", SK_COP_GT },            { "==", SK_COP_EQ },
	{ "=", SK_COP_EQ },            { "!=", SK_COP_NE },
	{ "intersects", SK_COP_INTERSECTS }, { "in", SK_COP_IN },
	{ "pmatch", SK_COP_PMATCH },   { "glob", SK_COP_GLOB },
	{ "iglob", SK_COP_IGLOB },     { "contains", SK_COP_CONTAINS },
	{ "icontains", SK_COP_ICONTAINS }, { "bcontains", SK_COP_BCONTAINS },
	{ "startswith", SK_COP_STARTSWITH }, { "bstartswith", SK_COP_BSTARTSWITH },
	{ "endswith", SK_COP_ENDSWITH }, { "regex", SK_COP_REGEX },
};

static sk_cexpr *ct_expr(struct ct_rd *r);

static sk_cexpr *ct_check(struct ct_rd *r)
{
	sk_cexpr *e = ct_alloc(sizeof(*e));
	size_t k;

	e->kind = SK_C_CHECK;
	if (!(e->lhs = ct_operand(r)))
		return NULL;
	ct_blank(r);
	for (k = 0; k < sizeof(ct_ops) / sizeof(ct_ops[0]); k++)
		if (ct_word(r, ct_ops[k].s))
			break;
	if (k == sizeof(ct_ops) / sizeof(ct_ops[0]))
		return ct_fail(r, "an operator expected"), NULL;
	e->op = ct_ops[k].op;
	if (e->op == SK_COP_EXISTS)
		return e;
	if (ct_word(r, "oneof"))
		e->mod = SK_CMOD_ONEOF;
	else if (ct_word(r, "anyof"))
		e->mod = SK_CMOD_ANYOF;
	else if (ct_word(r, "allof"))
		e->mod = SK_CMOD_ALLOF;
	ct_blank(r);
	enum sk_type t = e->lhs->type;
	if (r->p[r->i] == '(') {
		size_t cap = 16;
		sk_cval *items = ct_alloc(cap * sizeof(*items));
		sk_copnd *l = ct_alloc(sizeof(*l));
		size_t n = 0;
		r->i++;
		l->kind = SK_CO_LIST;
		l->type = t;
		l->field = -1;
		l->arg_index = -1;
		for (;;) {
			char *s;
			size_t sn;
			ct_blank(r);
			if (r->p[r->i] == ')') {
				r->i++;
				break;
			}
			if (ct_value(r, &s, &sn))
				return NULL;
			sk_copnd *c = ct_const_of(t, e->op, s, sn);
			if (!c)
				return NULL;
			if (n == cap) {
				sk_cval *more = ct_alloc(2 * cap * sizeof(*more));
				memcpy(more, items, n * sizeof(*items));
				items = more;
				cap *= 2;
			}
			items[n++] = c->v;
			ct_blank(r);
			if (r->p[r->i] == ',')
				r->i++;
		}
		l->items = items;
		l->n_items = n;
		e->rhs = l;
		return e;
	}
	if (ct_word(r, "val(")) {
		if (!(e->rhs = ct_operand(r)))
			return NULL;
		ct_blank(r);
		if (r->p[r->i++] != ')')
			return ct_fail(r, "')' expected"), NULL;
		return e;
	}
	size_t save = r->i, b = r->i;
	while (isalnum((unsigned char)r->p[r->i]))
		r->i++;
	if (ct_xform_id(r->p + b, r->i - b) >= 0 && r->p[r->i] == '(') {
		r->i = save;
		e->rhs = ct_operand(r);
		return e->rhs ? e : NULL;
	}
	r->i = save;
	char *s;
	size_t sn;
	if (ct_value(r, &s, &sn))
		return NULL;
	e->rhs = ct_const_of(t, e->op, s, sn);
	return e->rhs ? e : NULL;
}

static sk_cexpr *ct_unary(struct ct_rd *r)
{
	ct_blank(r);
	if (ct_word(r, "not")) {
		sk_cexpr *k = ct_unary(r);
		return k ? ct_node(SK_C_NOT, 1, &k) : NULL;
	}
	if (ct_word(r, "true") || ct_word(r, "false")) {
		sk_cexpr *e = ct_node(SK_C_CONST, 0, NULL);
		e->value = r->p[r->i - 1] == 'e' && r->p[r->i - 4] == 't';
		return e;
	}
	if (r->p[r->i] == '(') {
		r->i++;
		sk_cexpr *e = ct_expr(r);
		ct_blank(r);
		if (!e || r->p[r->i] != ')')
			return e ? (ct_fail(r, "')' expected"), NULL) : NULL;
		r->i++;
		return e;
	}
	return ct_check(r);
}

static sk_cexpr *ct_nary(struct ct_rd *r, int is_or)
{
	sk_cexpr *kids[256];
	size_t n = 0;
	for (;;) {
		sk_cexpr *k = is_or ? ct_nary(r, 0) : ct_unary(r);
		if (!k || n == 256)
			return NULL;
		kids[n++] = k;
		if (!ct_word(r, is_or ? "or" : "and"))
			break;
	}
	return n == 1 ? kids[0] : ct_node(is_or ? SK_C_OR : SK_C_AND, n, kids);
}

static sk_cexpr *ct_expr(struct ct_rd *r)
{
	return ct_nary(r, 1);
}

/* The tree of TEXT, or NULL with the reason in ct_mem.err. */
static sk_cexpr *ct_parse(const char *text)
{
	struct ct_rd r = { text, 0 };
	sk_cexpr *e = ct_expr(&r);
	ct_blank(&r);
	if (e && r.p[r.i])
		return ct_fail(&r, "trailing text"), NULL;
	return e;
}

#endif
