/* The evaluator of reference (eval.h): every predicate kind and comparison of pred.h on the field
 * values sakerd prints (sk_event_field), written for clarity, not speed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "saker/event_fields.h"
#include "saker/fields.h"

/* ---- field values ------------------------------------------------------------------------ */

void sk_eval_field(const struct saker_event *ev, int field, struct sk_eval_value *v,
		   char scratch[SK_EVAL_SCRATCH])
{
	struct sk_field_value fv;

	sk_event_field(ev, field, &fv, scratch);
	memset(v, 0, sizeof(*v));
	switch (fv.kind) {
	case SK_VAL_NA:
		break;
	case SK_VAL_STR:
		v->kind = SK_EV_STR;
		v->s = fv.s;
		v->len = fv.len;
		break;
	case SK_VAL_I64:
		v->kind = SK_EV_INT;
		v->i = fv.i;
		break;
	case SK_VAL_U64:
		v->kind = SK_EV_INT;
		v->i = (int64_t)fv.u;
		break;
	case SK_VAL_BOOL:
		v->kind = SK_EV_INT;
		v->i = fv.b;
		break;
	}
}

/* ---- string tests ------------------------------------------------------------------------ */

static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int r = memcmp(a, b, an < bn ? an : bn);
	if (r)
		return r;
	return (an > bn) - (an < bn);
}

static int bytes_eq(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && !memcmp(a, b, an);
}

static char lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static int icontains(const char *s, size_t n, const char *pat, size_t pn)
{
	for (size_t i = 0; i + pn <= n; i++) {
		size_t j = 0;
		while (j < pn && lower(s[i + j]) == lower(pat[j]))
			j++;
		if (j == pn)
			return 1;
	}
	return 0;
}

/* fnmatch(PAT, S, 0) with PAT given by length: Falco's glob, where '*' crosses '/'. */
static int glob(const char *pat, size_t pn, const char *s, size_t sn)
{
	char *p = strndup(pat, pn), *v = strndup(s, sn);
	int r = p && v ? fnmatch(p, v, 0) == 0 : -ENOMEM;
	free(p);
	free(v);
	return r;
}

/* The next '/'-separated component of S[*POS, N), skipping empty ones; 0 when there is none. */
static int component(const char *s, size_t n, size_t *pos, const char **c, size_t *cn)
{
	size_t i = *pos;
	while (i < n && s[i] == '/')
		i++;
	if (i == n)
		return 0;
	*c = s + i;
	while (i < n && s[i] != '/')
		i++;
	*cn = (size_t)(s + i - *c);
	*pos = i;
	return 1;
}

/* Falco's pmatch (libsinsp path_prefix_search): the pattern's components, empty ones skipped,
 * are the path's first components; a pattern component holding '?', '*' or '[' is a glob for
 * one whole component. So "/var/run" holds for "/var/run" and "/var/run/x", not "/var/runx". */
static int pmatch(const char *pat, size_t pn, const char *s, size_t sn)
{
	size_t pp = 0, sp = 0, cpn, csn;
	const char *cp, *cs;
	while (component(pat, pn, &pp, &cp, &cpn)) {
		if (!component(s, sn, &sp, &cs, &csn))
			return 0;
		int hit = memchr(cp, '?', cpn) || memchr(cp, '*', cpn) || memchr(cp, '[', cpn)
				  ? glob(cp, cpn, cs, csn)
				  : bytes_eq(cp, cpn, cs, csn);
		if (hit <= 0)
			return hit;
	}
	return 1;
}

static int str_one(enum sk_cmp cmp, const char *s, size_t n, const char *x, size_t xn)
{
	switch (cmp) {
	case SK_CMP_EQ: case SK_CMP_IN: return bytes_eq(s, n, x, xn);
	case SK_CMP_NE: return !bytes_eq(s, n, x, xn);
	case SK_CMP_LT: return bytes_cmp(s, n, x, xn) < 0;
	case SK_CMP_LE: return bytes_cmp(s, n, x, xn) <= 0;
	case SK_CMP_GT: return bytes_cmp(s, n, x, xn) > 0;
	case SK_CMP_GE: return bytes_cmp(s, n, x, xn) >= 0;
	case SK_CMP_PREFIX: return n >= xn && !memcmp(s, x, xn);
	case SK_CMP_SUFFIX: return n >= xn && !memcmp(s + n - xn, x, xn);
	case SK_CMP_CONTAINS: return memmem(s, n, x, xn) != NULL;
	case SK_CMP_ICONTAINS: return icontains(s, n, x, xn);
	case SK_CMP_GLOB: return glob(x, xn, s, n);
	case SK_CMP_PMATCH: return pmatch(x, xn, s, n);
	}
	return 0;
}

static int str_leaf(const sk_pred *p, const struct sk_eval_value *v)
{
	char num[32];
	const char *s = v->s;
	size_t n = v->len;

	if (v->kind == SK_EV_NA)
		return 0;
	if (v->kind == SK_EV_INT) {
		/* a number or boolean tested as text: its rendering */
		if (p->field >= 0 && p->field < SK_FLD__COUNT && sk_fields[p->field].type == SK_T_BOOL)
			snprintf(num, sizeof(num), "%s", v->i ? "true" : "false");
		else if (p->field >= 0 && p->field < SK_FLD__COUNT && sk_fields[p->field].type == SK_T_U64)
			snprintf(num, sizeof(num), "%" PRIu64, (uint64_t)v->i);
		else
			snprintf(num, sizeof(num), "%" PRId64, v->i);
		s = num;
		n = strlen(num);
	}
	/* IN and PMATCH hold for any of the values; the other tests take the first. */
	size_t n_vals = p->cmp == SK_CMP_IN || p->cmp == SK_CMP_PMATCH ? p->n_strs
				 : p->n_strs ? 1 : 0;
	for (size_t i = 0; i < n_vals; i++) {
		int r = str_one(p->cmp, s, n, p->strs[i], p->str_lens[i]);
		if (r)
			return r;
	}
	return 0;
}

/* ---- integer tests ----------------------------------------------------------------------- */

static int int_leaf(const sk_pred *p, const struct sk_eval_value *v)
{
	if (v->kind != SK_EV_INT)
		return 0;
	/* mask the 64 bits, then compare signed: unsigned fields never reach the sign bit */
	int64_t x = (int64_t)((uint64_t)v->i & p->mask);
	switch (p->cmp) {
	case SK_CMP_EQ: return x == p->ival;
	case SK_CMP_NE: return x != p->ival;
	case SK_CMP_LT: return x < p->ival;
	case SK_CMP_LE: return x <= p->ival;
	case SK_CMP_GT: return x > p->ival;
	case SK_CMP_GE: return x >= p->ival;
	case SK_CMP_IN:
		for (size_t i = 0; i < p->n_ivals; i++)
			if (x == p->ivals[i])
				return 1;
		return 0;
	default:
		return 0;
	}
}

/* ---- predicates -------------------------------------------------------------------------- */

static int leaf(const sk_pred *p, const struct saker_event *ev)
{
	char scratch[SK_EVAL_SCRATCH];
	struct sk_eval_value v;

	sk_eval_field(ev, p->field, &v, scratch);
	return p->kind == SK_P_INT ? int_leaf(p, &v) : str_leaf(p, &v);
}

int sk_eval_pred(const sk_pred *p, const struct saker_event *ev)
{
	int r;

	switch (p->kind) {
	case SK_P_CONST:
		return p->value != 0;
	case SK_P_AND:
	case SK_P_OR:
		/* AND stops at the first false kid, OR at the first true one (or at an error) */
		for (size_t i = 0; i < p->n_kids; i++) {
			r = sk_eval_pred(p->kids[i], ev);
			if (r < 0 || r == (p->kind == SK_P_OR))
				return r;
		}
		return p->kind == SK_P_AND;
	case SK_P_NOT:
		/* boolean negation: a leaf that is false for want of a value becomes true */
		if (p->n_kids != 1)
			return 0;
		r = sk_eval_pred(p->kids[0], ev);
		return r < 0 ? r : !r;
	case SK_P_SYSCALL:
		for (size_t i = 0; i < p->n_ivals; i++)
			if (p->ivals[i] == ev->h.event)
				return 1;
		return 0;
	case SK_P_INT:
	case SK_P_STR:
		return leaf(p, ev);
	}
	return 0;
}
