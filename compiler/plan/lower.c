/* Lowering: each rule's kernel part K (typed checks the planner chose, plan.c) becomes the
 * predicate code generation takes (pred.h): event-type sets, integer and string tests on the
 * kernel's raw values. Rendered fields become tests of what they render from: evt.res of the
 * return value, evt.arg.flags and the evt.is_open_* booleans of the flag bits. */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "saker/event.h"
#include "saker/fields.h"

#define O_ACC_MASK 3u
#define O_CREAT_BIT 0100u

struct lw {
	sk_comp *c;
	const sk_rule *rule;
	int failed;
};

/* ---- building --------------------------------------------------------------------------------- */

static sk_span span_of(const sk_cexpr *x)
{
	return (sk_span){ x->src_file, x->src_off, x->src_len };
}

static sk_pred *mk(struct lw *k, enum sk_pred_kind kind, const sk_cexpr *x)
{
	sk_pred *p = sk_pred_new(k->c->arena, kind);
	p->span = span_of(x);
	return p;
}

static sk_pred *mk_const(struct lw *k, const sk_cexpr *x, int v)
{
	sk_pred *p = mk(k, SK_P_CONST, x);
	p->value = v;
	return p;
}

static sk_pred *mk_int(struct lw *k, const sk_cexpr *x, int field, uint64_t mask, enum sk_cmp cmp, int64_t v)
{
	sk_pred *p = mk(k, SK_P_INT, x);
	p->field = field;
	p->mask = mask;
	p->cmp = cmp;
	p->ival = v;
	return p;
}

static void add_ival(struct lw *k, sk_pred *p, int64_t v)
{
	int64_t *nv = sk_arena_alloc(k->c->arena, (p->n_ivals + 1) * sizeof(*nv));
	if (p->n_ivals)
		memcpy(nv, p->ivals, p->n_ivals * sizeof(*nv));
	nv[p->n_ivals++] = v;
	p->ivals = nv;
}

static sk_pred *mk_int_in(struct lw *k, const sk_cexpr *x, int field, uint64_t mask, const int64_t *v, size_t n)
{
	sk_pred *p = mk_int(k, x, field, mask, SK_CMP_IN, 0);
	for (size_t i = 0; i < n; i++)
		add_ival(k, p, v[i]);
	return p;
}

/* "The field has a value": every leaf is false without one, so a test that always holds. */
static sk_pred *mk_exists(struct lw *k, const sk_cexpr *x, int field)
{
	if (sk_fields[field].type == SK_T_STR) {
		sk_pred *p = mk(k, SK_P_STR, x);
		p->field = field;
		p->cmp = SK_CMP_PREFIX;
		p->strs = sk_arena_alloc(k->c->arena, sizeof(*p->strs));
		p->str_lens = sk_arena_alloc(k->c->arena, sizeof(*p->str_lens));
		p->strs[0] = "";
		p->n_strs = 1;
		return p;
	}
	return mk_int(k, x, field, 0, SK_CMP_EQ, 0);
}

static sk_pred *mk_nary(struct lw *k, enum sk_pred_kind kind, const sk_cexpr *x, sk_pred **kids, size_t n)
{
	int absorbing = kind == SK_P_OR;
	sk_pred *p = mk(k, kind, x);
	for (size_t i = 0; i < n; i++) {
		sk_pred *kid = kids[i];
		if (kid->kind == SK_P_CONST) {
			if (kid->value == absorbing)
				return mk_const(k, x, absorbing);
			continue;
		}
		if (kid->kind == kind) {
			for (size_t j = 0; j < kid->n_kids; j++)
				sk_arena_push(k->c->arena, (void ***)&p->kids, &p->n_kids, kid->kids[j]);
			continue;
		}
		sk_arena_push(k->c->arena, (void ***)&p->kids, &p->n_kids, kid);
	}
	if (p->n_kids == 0)
		return mk_const(k, x, !absorbing);
	if (p->n_kids == 1)
		return p->kids[0];
	return p;
}

static sk_pred *mk_not(struct lw *k, const sk_cexpr *x, sk_pred *kid)
{
	if (kid->kind == SK_P_CONST)
		return mk_const(k, x, !kid->value);
	if (kid->kind == SK_P_NOT)
		return kid->kids[0];
	sk_pred *p = mk(k, SK_P_NOT, x);
	sk_arena_push(k->c->arena, (void ***)&p->kids, &p->n_kids, kid);
	return p;
}

/* A check the planner gave the kernel that lowering cannot express: a bug in saker (plan.c
 * and this file disagree), reported as such rather than generating wrong code. */
static sk_pred *internal(struct lw *k, const sk_cexpr *x, const char *what)
{
	sk_error(k->c->diag, span_of(x), "internal",
		 "rule '%s': the planner gave the kernel a check it cannot lower (%s); please report this",
		 k->rule->item->name, what);
	k->failed = 1;
	return mk_const(k, x, 1);
}

/* ---- values --------------------------------------------------------------------------------- */

struct vals {
	const sk_cval *v;
	size_t n;
};

static struct vals values_of(const sk_cexpr *x)
{
	struct vals r = { NULL, 0 };
	if (!x->rhs)
		return r;
	if (x->rhs->kind == SK_CO_LIST) {
		r.v = x->rhs->items;
		r.n = x->rhs->n_items;
	} else {
		r.v = &x->rhs->v;
		r.n = 1;
	}
	return r;
}

/* ---- special fields ------------------------------------------------------------------------ */

static sk_pred *lower_evt_type(struct lw *k, const sk_cexpr *x, struct vals vs)
{
	if (x->op == SK_COP_EXISTS)
		return mk_const(k, x, 1);
	sk_pred *p = mk(k, SK_P_SYSCALL, x);
	for (size_t i = 0; i < vs.n; i++) {
		char name[64];
		if (vs.v[i].len >= sizeof(name))
			continue;
		memcpy(name, vs.v[i].s, vs.v[i].len);
		name[vs.v[i].len] = 0;
		int ev = sk_event_lookup(name);
		if (ev < 0)
			continue;
		size_t j = 0;
		while (j < p->n_ivals && p->ivals[j] < ev)
			j++;
		if (j < p->n_ivals && p->ivals[j] == ev)
			continue;
		add_ival(k, p, 0);
		memmove(p->ivals + j + 1, p->ivals + j, (p->n_ivals - 1 - j) * sizeof(*p->ivals));
		p->ivals[j] = ev;
	}
	if (p->n_ivals == 0)
		p = mk_const(k, x, 0);
	return x->op == SK_COP_NE ? mk_not(k, x, p) : p;
}

static sk_pred *lower_evt_dir(struct lw *k, const sk_cexpr *x, struct vals vs)
{
	int any = 0;
	if (x->op == SK_COP_EXISTS)
		return mk_const(k, x, 1);
	for (size_t i = 0; i < vs.n; i++)
		any |= vs.v[i].len == 1 && vs.v[i].s[0] == '<';
	/* every event is a syscall exit: '<' always holds, anything else never does */
	return mk_const(k, x, x->op == SK_COP_NE ? !any : any);
}

/* The renderings of evt.res: SUCCESS and the errno names. */
static const char *const *errno_names(struct lw *k, size_t *n)
{
	static const char **names;
	static size_t count;
	(void)k;
	if (!names) {
		static const char *buf[256];
		for (int v = 1; v < 256 && count < 256; v++) {
			const char *s = sk_errno_name(v);
			if (s)
				buf[count++] = s;
		}
		names = buf;
	}
	*n = count;
	return names;
}

static bool str_matches(enum sk_cop op, const char *v, const char *x, size_t xn)
{
	size_t lv = strlen(v);
	char pat[SAKER_PATH_MAX];
	if (xn >= sizeof(pat))
		return false;
	memcpy(pat, x, xn);
	pat[xn] = 0;
	switch (op) {
	case SK_COP_EQ: case SK_COP_IN: case SK_COP_INTERSECTS: case SK_COP_NE: return !strcmp(v, pat);
	case SK_COP_STARTSWITH: return !strncmp(v, pat, xn);
	case SK_COP_ENDSWITH: return lv >= xn && !strcmp(v + lv - xn, pat);
	case SK_COP_CONTAINS: return strstr(v, pat) != NULL;
	case SK_COP_ICONTAINS: return strcasestr(v, pat) != NULL;
	case SK_COP_GLOB: return fnmatch(pat, v, 0) == 0;
	default: return false;
	}
}

/* A string test on evt.res is a test over a finite set of renderings, hence of the return
 * value: a test matching SUCCESS is ret >= 0, and each errno name it matches is ret == -errno.
 * (A return value with no errno name renders as the number, which no test here names.) */
static sk_pred *lower_evt_res(struct lw *k, const sk_cexpr *x, struct vals vs)
{
	const int f = SK_FLD_EVT_RAWRES;
	if (x->op == SK_COP_EXISTS)
		return mk_exists(k, x, f);
	size_t n_names;
	const char *const *names = errno_names(k, &n_names);
	const enum sk_cop op = x->op == SK_COP_NE ? SK_COP_EQ : x->op;
	int success = 0;
	int64_t *errs = sk_arena_alloc(k->c->arena, (n_names + 1) * sizeof(*errs));
	size_t n = 0;
	for (size_t i = 0; i < vs.n; i++) {
		success |= str_matches(op, "SUCCESS", vs.v[i].s, vs.v[i].len);
		for (size_t j = 0; j < n_names; j++) {
			if (!str_matches(op, names[j], vs.v[i].s, vs.v[i].len))
				continue;
			int64_t e = -sk_errno_value(names[j]);
			size_t d = 0;
			while (d < n && errs[d] != e)
				d++;
			if (d == n)
				errs[n++] = e;
		}
	}
	sk_pred *kids[2];
	size_t nk = 0;
	if (success)
		kids[nk++] = mk_int(k, x, f, ~(uint64_t)0, SK_CMP_GE, 0);
	/* the errno values one by one: a return value with no errno name renders as a number */
	if (n == 1)
		kids[nk++] = mk_int(k, x, f, ~(uint64_t)0, SK_CMP_EQ, errs[0]);
	else if (n)
		kids[nk++] = mk_int_in(k, x, f, ~(uint64_t)0, errs, n);
	sk_pred *eq = mk_nary(k, SK_P_OR, x, kids, nk);
	/* "!= V": present (always, at exit) and not rendering V */
	return x->op == SK_COP_NE ? mk_not(k, x, eq) : eq;
}

/* Bit test for open flag I of the table: the access mode is a value, the rest are bits. */
static sk_pred *flag_test(struct lw *k, const sk_cexpr *x, unsigned i)
{
	const struct sk_open_flag *fl = &sk_open_flags[i];
	if (fl->is_accmode)
		return mk_int(k, x, SK_FLD_EVT_RAWARG_FLAGS, O_ACC_MASK, SK_CMP_EQ, fl->value);
	return mk_int(k, x, SK_FLD_EVT_RAWARG_FLAGS, fl->value, SK_CMP_EQ, fl->value);
}

/* "O_WRONLY|O_CREAT" as flag bits; -1 when a name is unknown or the text is not how the flags
 * render (access mode first, then bits in table order): such a value never matches. */
int sk_parse_rendered_flags(const char *s, size_t len, unsigned long long *out)
{
	unsigned long long v = 0;
	int have_acc = 0;
	char *dup = strndup(s, len), *save = NULL;
	char canon[1024];
	if (!dup)
		return -1;
	for (char *tok = strtok_r(dup, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		unsigned i;
		for (i = 0; i < sk_n_open_flags; i++)
			if (!strcmp(sk_open_flags[i].name, tok))
				break;
		if (i == sk_n_open_flags || (sk_open_flags[i].is_accmode && have_acc)) {
			free(dup);
			return -1;
		}
		have_acc |= sk_open_flags[i].is_accmode;
		v |= sk_open_flags[i].value;
	}
	free(dup);
	if (!have_acc)
		return -1;
	sk_open_flags_render(v, canon, sizeof(canon));
	if (strlen(canon) != len || memcmp(canon, s, len))
		return -1;
	*out = v;
	return 0;
}

static sk_pred *lower_arg_flags(struct lw *k, const sk_cexpr *x, struct vals vs)
{
	const int f = SK_FLD_EVT_RAWARG_FLAGS;
	if (x->op == SK_COP_EXISTS)
		return mk_exists(k, x, f);
	if (x->op == SK_COP_CONTAINS || x->op == SK_COP_ICONTAINS) {
		sk_pred *p = mk(k, SK_P_OR, x);
		for (unsigned i = 0; i < sk_n_open_flags; i++)
			if (str_matches(x->op, sk_open_flags[i].name, vs.v[0].s, vs.v[0].len))
				sk_arena_push(k->c->arena, (void ***)&p->kids, &p->n_kids, flag_test(k, x, i));
		/* the flags of an open always render an access mode, so no flag name matching means
		 * the test is false (but only where the flags are known: AND with "exists") */
		if (p->n_kids == 0)
			return mk_const(k, x, 0);
		return p->n_kids == 1 ? p->kids[0] : p;
	}
	uint64_t mask = O_ACC_MASK;
	for (unsigned i = 0; i < sk_n_open_flags; i++)
		if (!sk_open_flags[i].is_accmode)
			mask |= sk_open_flags[i].value;
	int64_t *v = sk_arena_alloc(k->c->arena, (vs.n + 1) * sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < vs.n; i++) {
		unsigned long long bits;
		if (sk_parse_rendered_flags(vs.v[i].s, vs.v[i].len, &bits) == 0)
			v[n++] = (int64_t)bits;
	}
	if (x->op == SK_COP_NE)
		return n ? mk_int(k, x, f, mask, SK_CMP_NE, v[0]) : mk_exists(k, x, f);
	if (n == 0)
		return mk_const(k, x, 0);
	return n == 1 ? mk_int(k, x, f, mask, SK_CMP_EQ, v[0]) : mk_int_in(k, x, f, mask, v, n);
}

/* thread.cap_* contains NAME (no space: the planner checks): the capabilities whose names hold
 * NAME, as a test that one of their bits is set in the mask. */
static sk_pred *lower_caps(struct lw *k, const sk_cexpr *x, int f, struct vals vs)
{
	const int m = f == SK_FLD_THREAD_CAP_EFFECTIVE ? SK_FLD_THREAD_CAP_EFFECTIVE_MASK :
		      f == SK_FLD_THREAD_CAP_PERMITTED ? SK_FLD_THREAD_CAP_PERMITTED_MASK :
							 SK_FLD_THREAD_CAP_INHERITABLE_MASK;
	uint64_t bits = 0;
	if (x->op == SK_COP_EXISTS)
		return mk_exists(k, x, m);
	if ((x->op != SK_COP_CONTAINS && x->op != SK_COP_ICONTAINS) || vs.n != 1)
		return internal(k, x, "a capability test the kernel cannot run");
	for (unsigned b = 0; b < 64; b++) {
		const char *name = sk_cap_name(b);
		if (name && str_matches(x->op, name, vs.v[0].s, vs.v[0].len))
			bits |= 1ull << b;
	}
	if (!bits)
		return mk_const(k, x, 0);
	/* (mask & bits) != 0 */
	return mk_int(k, x, m, bits, SK_CMP_NE, 0);
}

/* Boolean fields, each a test on a raw value. */
static sk_pred *bool_test(struct lw *k, const sk_cexpr *x, int field, int want)
{
	static const int64_t wr[2][2] = { { 0, 3 }, { 1, 2 } }, rd[2][2] = { { 1, 3 }, { 0, 2 } };
	switch (field) {
	case SK_FLD_EVT_IS_OPEN_WRITE:
		return mk_int_in(k, x, SK_FLD_EVT_RAWARG_FLAGS, O_ACC_MASK, wr[want], 2);
	case SK_FLD_EVT_IS_OPEN_READ:
		return mk_int_in(k, x, SK_FLD_EVT_RAWARG_FLAGS, O_ACC_MASK, rd[want], 2);
	case SK_FLD_EVT_IS_OPEN_CREATE:
		return mk_int(k, x, SK_FLD_EVT_RAWARG_FLAGS, O_CREAT_BIT, SK_CMP_EQ, want ? O_CREAT_BIT : 0);
	case SK_FLD_EVT_FAILED:
		return mk_int(k, x, SK_FLD_EVT_RAWRES, ~(uint64_t)0, want ? SK_CMP_LT : SK_CMP_GE, 0);
	default:
		return mk_int(k, x, field, ~(uint64_t)0, SK_CMP_EQ, want);
	}
}

static int bool_base(int field)
{
	switch (field) {
	case SK_FLD_EVT_IS_OPEN_WRITE: case SK_FLD_EVT_IS_OPEN_READ: case SK_FLD_EVT_IS_OPEN_CREATE:
		return SK_FLD_EVT_RAWARG_FLAGS;
	case SK_FLD_EVT_FAILED:
		return SK_FLD_EVT_RAWRES;
	default:
		return field;
	}
}

static sk_pred *lower_bool(struct lw *k, const sk_cexpr *x, int f, struct vals vs)
{
	int want[2] = { 0, 0 };
	if (x->op == SK_COP_EXISTS)
		return mk_exists(k, x, bool_base(f));
	for (size_t i = 0; i < vs.n; i++)
		want[vs.v[i].b] = 1;
	if (x->op == SK_COP_NE) {
		int w = want[1];
		want[1] = !w;
		want[0] = w;
	}
	if (want[0] && want[1])
		return mk_exists(k, x, bool_base(f));
	if (!want[0] && !want[1])
		return mk_const(k, x, 0);
	return bool_test(k, x, f, want[1]);
}

/* ---- general fields -------------------------------------------------------------------------- */

static enum sk_cmp cmp_of(enum sk_cop op)
{
	switch (op) {
	case SK_COP_NE: return SK_CMP_NE;
	case SK_COP_LT: return SK_CMP_LT;
	case SK_COP_LE: return SK_CMP_LE;
	case SK_COP_GT: return SK_CMP_GT;
	case SK_COP_GE: return SK_CMP_GE;
	case SK_COP_IN: case SK_COP_INTERSECTS: return SK_CMP_IN;
	case SK_COP_CONTAINS: return SK_CMP_CONTAINS;
	case SK_COP_ICONTAINS: return SK_CMP_ICONTAINS;
	case SK_COP_STARTSWITH: return SK_CMP_PREFIX;
	case SK_COP_ENDSWITH: return SK_CMP_SUFFIX;
	case SK_COP_GLOB: return SK_CMP_GLOB;
	case SK_COP_PMATCH: return SK_CMP_PMATCH;
	default: return SK_CMP_EQ;
	}
}

static int64_t int_of(const sk_cval *v)
{
	return v->kind == SK_CV_UINT ? (int64_t)v->u : v->i;
}

static sk_pred *lower_int(struct lw *k, const sk_cexpr *x, int f, struct vals vs)
{
	if (x->op == SK_COP_EXISTS)
		return mk_exists(k, x, f);
	if (x->op == SK_COP_IN || x->op == SK_COP_INTERSECTS) {
		int64_t *v = sk_arena_alloc(k->c->arena, (vs.n + 1) * sizeof(*v));
		for (size_t i = 0; i < vs.n; i++)
			v[i] = int_of(&vs.v[i]);
		return vs.n ? mk_int_in(k, x, f, ~(uint64_t)0, v, vs.n) : mk_const(k, x, 0);
	}
	if (vs.n != 1)
		return internal(k, x, "a numeric test without one value");
	return mk_int(k, x, f, ~(uint64_t)0, cmp_of(x->op), int_of(&vs.v[0]));
}

static sk_pred *lower_str(struct lw *k, const sk_cexpr *x, int f, struct vals vs)
{
	if (x->op == SK_COP_EXISTS)
		return mk_exists(k, x, f);
	sk_pred *p = mk(k, SK_P_STR, x);
	p->field = f;
	p->cmp = cmp_of(x->op);
	p->strs = sk_arena_alloc(k->c->arena, (vs.n + 1) * sizeof(*p->strs));
	p->str_lens = sk_arena_alloc(k->c->arena, (vs.n + 1) * sizeof(*p->str_lens));
	for (size_t i = 0; i < vs.n; i++) {
		char *s = sk_arena_strndup(k->c->arena, vs.v[i].s, vs.v[i].len);
		if (p->cmp == SK_CMP_ICONTAINS)
			for (char *q = s; *q; q++)
				if (*q >= 'A' && *q <= 'Z')
					*q = (char)(*q - 'A' + 'a');
		p->strs[p->n_strs] = s;
		p->str_lens[p->n_strs++] = vs.v[i].len;
	}
	if ((p->cmp == SK_CMP_IN || p->cmp == SK_CMP_PMATCH) && p->n_strs == 0)
		return mk_const(k, x, 0);
	if (p->cmp != SK_CMP_IN && p->cmp != SK_CMP_PMATCH && p->n_strs != 1)
		return internal(k, x, "a string test without one value");
	return p;
}

static sk_pred *lower_check(struct lw *k, const sk_cexpr *x)
{
	if (!x->lhs || x->lhs->kind != SK_CO_FIELD)
		return internal(k, x, "not a field");
	const int f = x->lhs->field;
	struct vals vs = values_of(x);
	switch (f) {
	case SK_FLD_EVT_TYPE: return lower_evt_type(k, x, vs);
	case SK_FLD_EVT_DIR: return lower_evt_dir(k, x, vs);
	case SK_FLD_EVT_RES: return lower_evt_res(k, x, vs);
	case SK_FLD_EVT_ARG_FLAGS: return lower_arg_flags(k, x, vs);
	case SK_FLD_THREAD_CAP_EFFECTIVE:
	case SK_FLD_THREAD_CAP_PERMITTED:
	case SK_FLD_THREAD_CAP_INHERITABLE: return lower_caps(k, x, f, vs);
	default: break;
	}
	switch (sk_fields[f].type) {
	case SK_T_BOOL: return lower_bool(k, x, f, vs);
	case SK_T_STR: return lower_str(k, x, f, vs);
	default: return lower_int(k, x, f, vs);
	}
}

static sk_pred *lower(struct lw *k, const sk_cexpr *x)
{
	switch (x->kind) {
	case SK_C_AND:
	case SK_C_OR: {
		sk_pred **kids = sk_arena_alloc(k->c->arena, (x->n_kids + 1) * sizeof(*kids));
		for (size_t i = 0; i < x->n_kids; i++)
			kids[i] = lower(k, x->kids[i]);
		return mk_nary(k, x->kind == SK_C_AND ? SK_P_AND : SK_P_OR, x, kids, x->n_kids);
	}
	case SK_C_NOT:
		return mk_not(k, x, lower(k, x->kids[0]));
	case SK_C_CONST:
		return mk_const(k, x, x->value);
	case SK_C_CHECK:
		return lower_check(k, x);
	}
	return internal(k, x, "unknown node");
}

int sk_lower(sk_comp *c)
{
	struct lw k = { .c = c };
	for (size_t i = 0; i < c->n_rules; i++) {
		sk_rule *r = c->rules[i];
		k.rule = r;
		r->pred = lower(&k, r->kernel);
	}
	return k.failed ? -1 : 0;
}
