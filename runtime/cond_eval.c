/* The evaluator of typed conditions (cond.h): Falco's semantics on values a source hands out,
 * one event at a time. Each check gets a plan on first use (constants converted to the left
 * side's type, sets hashed, regexes compiled), kept in the context by the check's address.
 * Trees and operands are walked with explicit stacks, so no depth can overflow the C stack. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond_int.h"
#include "saker/match.h"
#include "saker/regex.h"

/* ---- memory ------------------------------------------------------------------------------ */

/* A NUL-terminated copy of S[0, N) from A. */
static char *scr_dup(struct sk_carena *a, const char *s, size_t n)
{
	char *d = sk_carena_alloc(a, n + 1);
	if (d && n)
		memcpy(d, s, n);
	return d;
}

/* ---- hashing ----------------------------------------------------------------------------- */

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME  0x100000001b3ull

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * FNV_PRIME;
	return h;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* A value of class C as the set sees it (networks are not hashed: membership is no equality). */
static uint64_t value_hash(const sk_cval *v, enum sk_ccls c)
{
	switch (c) {
	case SK_CC_STR:
	case SK_CC_BYTES: return fnv(FNV_OFFSET, v->s, v->len);
	case SK_CC_INT: return mix64((uint64_t)v->i);
	case SK_CC_UINT: return mix64(v->u);
	case SK_CC_BOOL: return mix64(v->b);
	case SK_CC_IP: return fnv(FNV_OFFSET ^ v->ip_len, v->ip, v->ip_len);
	case SK_CC_DOUBLE: {
		double d = v->d == 0 ? 0 : v->d; /* -0 equals 0 */
		uint64_t u;
		memcpy(&u, &d, sizeof(u));
		return mix64(u);
	}
	default: return 0;
	}
}

/* ---- values ------------------------------------------------------------------------------ */

static bool bytes_eq(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && (an == 0 || !memcmp(a, b, an));
}

static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int r = an && bn ? memcmp(a, b, an < bn ? an : bn) : 0;
	return r ? r : (an > bn) - (an < bn);
}

/* Equality of two values already of class C (V may be a network on the right of an address). */
static bool value_eq(const sk_cval *a, const sk_cval *b, enum sk_ccls c)
{
	switch (c) {
	case SK_CC_STR:
	case SK_CC_BYTES: return bytes_eq(a->s, a->len, b->s, b->len);
	case SK_CC_INT: return a->i == b->i;
	case SK_CC_UINT: return a->u == b->u;
	case SK_CC_BOOL: return a->b == b->b;
	case SK_CC_DOUBLE: return a->d == b->d;
	case SK_CC_IP:
		if (a->ip_len != b->ip_len)
			return false;
		if (b->kind == SK_CV_NET) {
			unsigned bits = b->prefix, full = bits / 8, rest = bits % 8;
			if (memcmp(a->ip, b->ip, full))
				return false;
			if (rest) {
				uint8_t mask = (uint8_t)(0xff << (8 - rest));
				return (a->ip[full] & mask) == (b->ip[full] & mask);
			}
			return true;
		}
		return !memcmp(a->ip, b->ip, a->ip_len);
	default: return false;
	}
}

static int parse_u64(const char *s, size_t n, bool is_signed, sk_cval *out)
{
	char err[8];
	return sk_cval_from_text(is_signed ? SK_T_I64 : SK_T_U64, SK_COP_EQ, s, n, out, NULL, err,
				 sizeof(err));
}

/* V converted to class C into OUT (strings made here come from A). 0, 1 when V has no value of
 * class C, -ENOMEM. Strings lose what follows a NUL (C strings); byte buffers keep it. */
static int coerce(struct sk_carena *a, const sk_cval *v, enum sk_ccls c, sk_cval *out)
{
	char err[8];

	*out = *v;
	switch (c) {
	case SK_CC_STR:
	case SK_CC_BYTES:
		if (v->kind == SK_CV_STR) {
			if (c == SK_CC_STR && v->len) {
				const char *nul = memchr(v->s, 0, v->len);
				if (nul)
					out->len = (size_t)(nul - v->s);
			}
			return 0;
		} else {
			char tmp[64];
			size_t n = sk_cval_text(v, tmp, sizeof(tmp));
			if (v->kind == SK_CV_NA || v->kind == SK_CV_LIST)
				return 1;
			memset(out, 0, sizeof(*out));
			out->kind = SK_CV_STR;
			if (!(out->s = scr_dup(a, tmp, n)))
				return -ENOMEM;
			out->len = n;
			return 0;
		}
	case SK_CC_INT:
	case SK_CC_UINT: {
		bool sgn = c == SK_CC_INT;
		int64_t i;
		switch (v->kind) {
		case SK_CV_INT: i = v->i; break;
		case SK_CV_UINT: i = (int64_t)v->u; break;
		case SK_CV_BOOL: i = v->b; break;
		case SK_CV_DOUBLE:
			if (v->d != v->d || v->d < -9.2e18 || v->d > 1.8e19)
				return 1;
			i = v->d < 0 ? (int64_t)v->d : (int64_t)(uint64_t)v->d;
			break;
		case SK_CV_STR:
			if (parse_u64(v->s, v->len, sgn, out) && parse_u64(v->s, v->len, !sgn, out))
				return 1;
			i = out->kind == SK_CV_INT ? out->i : (int64_t)out->u;
			break;
		default: return 1;
		}
		memset(out, 0, sizeof(*out));
		out->kind = sgn ? SK_CV_INT : SK_CV_UINT;
		out->i = i;
		out->u = (uint64_t)i;
		return 0;
	}
	case SK_CC_BOOL:
		switch (v->kind) {
		case SK_CV_BOOL: return 0;
		case SK_CV_INT:
		case SK_CV_UINT: out->b = v->kind == SK_CV_INT ? v->i != 0 : v->u != 0; break;
		case SK_CV_STR:
			if (sk_cval_from_text(SK_T_BOOL, SK_COP_EQ, v->s, v->len, out, NULL, err, sizeof(err)))
				return 1;
			break;
		default: return 1;
		}
		out->kind = SK_CV_BOOL;
		return 0;
	case SK_CC_IP:
		if (v->kind == SK_CV_IP || v->kind == SK_CV_NET)
			return v->ip_len == 4 || v->ip_len == 16 ? 0 : 1;
		if (v->kind == SK_CV_STR)
			return sk_cval_from_text(SK_T_IPADDR, SK_COP_EQ, v->s, v->len, out, NULL, err,
						 sizeof(err)) ? 1 : 0;
		return 1;
	case SK_CC_DOUBLE:
		switch (v->kind) {
		case SK_CV_DOUBLE: return 0;
		case SK_CV_INT: out->d = (double)v->i; break;
		case SK_CV_UINT: out->d = (double)v->u; break;
		case SK_CV_STR:
			if (sk_cval_from_text(SK_T_DOUBLE, SK_COP_EQ, v->s, v->len, out, NULL, err,
					      sizeof(err)))
				return 1;
			break;
		default: return 1;
		}
		out->kind = SK_CV_DOUBLE;
		return 0;
	default:
		return 1;
	}
}

/* ---- hashed sets ------------------------------------------------------------------------- */

struct hset {
	size_t mask;             /* table size - 1 */
	const sk_cval **tab;     /* NULL: empty slot */
	uint64_t *hashes;
	const sk_cval **nets;    /* networks: tested one by one (membership, not equality) */
	size_t n_nets;
	size_t min_len, max_len; /* strings: lengths outside are not in the set */
};

static int hset_build(struct sk_carena *a, struct hset *h, const sk_cval *items, const bool *ok,
		      size_t n, enum sk_ccls c)
{
	size_t cap = 8;

	while (cap < 2 * n)
		cap *= 2;
	h->mask = cap - 1;
	h->tab = sk_carena_alloc(a, cap * sizeof(*h->tab));
	h->hashes = sk_carena_alloc(a, cap * sizeof(*h->hashes));
	h->nets = sk_carena_alloc(a, (n ? n : 1) * sizeof(*h->nets));
	if (!h->tab || !h->hashes || !h->nets)
		return -ENOMEM;
	memset(h->tab, 0, cap * sizeof(*h->tab));
	h->n_nets = 0;
	h->min_len = SIZE_MAX;
	h->max_len = 0;
	for (size_t i = 0; i < n; i++) {
		const sk_cval *v = &items[i];
		if (!ok[i] || (c == SK_CC_DOUBLE && v->d != v->d))
			continue; /* NaN equals nothing */
		if (v->kind == SK_CV_NET) {
			h->nets[h->n_nets++] = v;
			continue;
		}
		if (c == SK_CC_STR || c == SK_CC_BYTES) {
			if (v->len < h->min_len)
				h->min_len = v->len;
			if (v->len > h->max_len)
				h->max_len = v->len;
		}
		uint64_t hv = value_hash(v, c);
		size_t k = hv & h->mask;
		while (h->tab[k] && !(h->hashes[k] == hv && value_eq(h->tab[k], v, c)))
			k = (k + 1) & h->mask;
		h->tab[k] = v;
		h->hashes[k] = hv;
	}
	return 0;
}

static bool hset_has(const struct hset *h, const sk_cval *v, enum sk_ccls c)
{
	for (size_t i = 0; i < h->n_nets; i++)
		if (value_eq(v, h->nets[i], c))
			return true;
	if ((c == SK_CC_STR || c == SK_CC_BYTES) && (v->len < h->min_len || v->len > h->max_len))
		return false;
	uint64_t hv = value_hash(v, c);
	for (size_t k = hv & h->mask; h->tab[k]; k = (k + 1) & h->mask)
		if (h->hashes[k] == hv && value_eq(v, h->tab[k], c))
			return true;
	return false;
}

/* ---- pmatch ------------------------------------------------------------------------------ */

/* Patterns without glob characters become their components joined by '/' ("" for "/"), hashed;
 * a path holds when one of its component prefixes is in the set. Glob patterns go one by one. */
struct pset {
	struct hset exact;
	sk_cval *norm;           /* the normalized exact patterns */
	const sk_cval **globs;
	size_t n_globs;
};

static int pset_build(struct sk_carena *a, struct pset *ps, const sk_cval *items, const bool *ok,
		      size_t n)
{
	bool *take = sk_carena_alloc(a, (n ? n : 1) * sizeof(*take));

	ps->norm = sk_carena_alloc(a, (n ? n : 1) * sizeof(*ps->norm));
	ps->globs = sk_carena_alloc(a, (n ? n : 1) * sizeof(*ps->globs));
	if (!take || !ps->norm || !ps->globs)
		return -ENOMEM;
	ps->n_globs = 0;
	for (size_t i = 0; i < n; i++) {
		const sk_cval *v = &items[i];
		take[i] = false;
		memset(&ps->norm[i], 0, sizeof(ps->norm[i]));
		if (!ok[i])
			continue;
		if (sk_glob_is_pattern(v->s, v->len)) {
			ps->globs[ps->n_globs++] = v;
			continue;
		}
		char *d = sk_carena_alloc(a, v->len + 1);
		size_t pos = 0, dn = 0, cn;
		const char *comp;
		if (!d)
			return -ENOMEM;
		while (sk_path_component(v->s, v->len, &pos, &comp, &cn)) {
			if (dn)
				d[dn++] = '/';
			memcpy(d + dn, comp, cn);
			dn += cn;
		}
		ps->norm[i].kind = SK_CV_STR;
		ps->norm[i].s = d;
		ps->norm[i].len = dn;
		take[i] = true;
	}
	return hset_build(a, &ps->exact, ps->norm, take, n, SK_CC_STR);
}

static int pset_match(struct sk_carena *scratch, const struct pset *ps, const sk_cval *v)
{
	size_t pos = 0, dn = 0, cn;
	const char *comp;
	char *d;
	sk_cval probe = { .kind = SK_CV_STR };

	for (size_t i = 0; i < ps->n_globs; i++)
		if (sk_path_prefix_match(ps->globs[i]->s, ps->globs[i]->len, v->s, v->len))
			return 1;
	if (!ps->exact.tab)
		return 0;
	if (!(d = sk_carena_alloc(scratch, v->len + 1)))
		return -ENOMEM;
	probe.s = d;
	if (hset_has(&ps->exact, &probe, SK_CC_STR))
		return 1; /* "/" holds for every path */
	while (sk_path_component(v->s, v->len, &pos, &comp, &cn)) {
		if (dn)
			d[dn++] = '/';
		memcpy(d + dn, comp, cn);
		dn += cn;
		probe.len = dn;
		if (hset_has(&ps->exact, &probe, SK_CC_STR))
			return 1;
	}
	return 0;
}

/* ---- plans ------------------------------------------------------------------------------- */

/* The right side's constants converted to one class, with what the operator needs of them. */
struct conv {
	bool built;
	sk_cval *items;
	bool *ok;                /* the item has a value of this class */
	char **lower;            /* icontains: the needle in lower case */
	struct sk_regex **re;    /* regex */
	bool have_set;
	struct hset set;         /* in, intersects, "= anyof", "!= allof" */
	bool have_paths;
	struct pset paths;       /* pmatch */
};

struct plan {
	const sk_cexpr *key;
	enum sk_ccls cls;        /* the left side's class; SK_CC_DYN: each value's own */
	int sides[2];            /* either-side fields, or -1 */
	bool ancestors;          /* an ancestor field without argument */
	const sk_cval *raw;      /* the right side's constants as the tree has them */
	size_t n_raw;
	bool rhs_const;          /* the right side is constants (else evaluated per event) */
	struct conv conv[SK_CC__COUNT];
	struct sk_carena mem;
};

static void plan_free(struct plan *p)
{
	if (!p)
		return;
	for (int c = 0; c < SK_CC__COUNT; c++) {
		if (!p->conv[c].re)
			continue;
		for (size_t i = 0; i < p->n_raw; i++)
			sk_regex_free(p->conv[c].re[i]);
		free(p->conv[c].re);
	}
	sk_carena_free(&p->mem);
	free(p);
}

struct fcache {
	uint32_t gen;
	sk_cval v;
};

struct oframe {
	const sk_copnd *o;
	size_t next;             /* the next argument to evaluate */
	size_t base;             /* value stack height when it started */
};

struct eframe {
	const sk_cexpr *e;
	size_t next;
};

struct sk_cond_ctx {
	struct plan **plans;     /* open addressing by check address */
	size_t plans_cap, n_plans;
	struct sk_carena scratch;    /* this event's values */
	uint32_t gen;            /* this event, for the field cache */
	struct fcache *fcache;   /* values of argument-less fields, per event */
	sk_cval *vals;           /* operand evaluation stack */
	size_t n_vals, cap_vals;
	struct oframe *ofr;
	size_t n_ofr, cap_ofr;
	struct eframe *efr;
	size_t cap_efr;
	char last_err[160];      /* why the last -EINVAL happened */
};

int sk_cond_ctx_new(struct sk_cond_ctx **out)
{
	struct sk_cond_ctx *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c || !(c->fcache = calloc(SK_FLD__COUNT, sizeof(*c->fcache)))) {
		free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

void sk_cond_ctx_reset(struct sk_cond_ctx *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->plans_cap; i++)
		plan_free(c->plans[i]);
	free(c->plans);
	c->plans = NULL;
	c->plans_cap = c->n_plans = 0;
}

void sk_cond_ctx_free(struct sk_cond_ctx *c)
{
	if (!c)
		return;
	sk_cond_ctx_reset(c);
	sk_carena_free(&c->scratch);
	free(c->fcache);
	free(c->vals);
	free(c->ofr);
	free(c->efr);
	free(c);
}

static int bad(struct sk_cond_ctx *c, const char *why)
{
	snprintf(c->last_err, sizeof(c->last_err), "%s", why);
	return -EINVAL;
}

static size_t plan_slot(const struct sk_cond_ctx *c, const sk_cexpr *e)
{
	size_t k = (size_t)mix64((uint64_t)(uintptr_t)e) & (c->plans_cap - 1);
	while (c->plans[k] && c->plans[k]->key != e)
		k = (k + 1) & (c->plans_cap - 1);
	return k;
}

static int plans_grow(struct sk_cond_ctx *c)
{
	struct plan **old = c->plans;
	size_t old_cap = c->plans_cap, cap = old_cap ? 2 * old_cap : 64;

	if (!(c->plans = calloc(cap, sizeof(*c->plans)))) {
		c->plans = old;
		return -ENOMEM;
	}
	c->plans_cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			c->plans[plan_slot(c, old[i]->key)] = old[i];
	free(old);
	return 0;
}

/* Converts the plan's constants to class C, once, with what E's operator needs. */
static int conv_build(struct sk_cond_ctx *ctx, struct plan *p, const sk_cexpr *e, enum sk_ccls c)
{
	struct conv *cv = &p->conv[c];
	size_t n = p->n_raw;
	int rc;

	if (cv->built)
		return 0;
	cv->items = sk_carena_alloc(&p->mem, (n ? n : 1) * sizeof(*cv->items));
	cv->ok = sk_carena_alloc(&p->mem, (n ? n : 1) * sizeof(*cv->ok));
	if (!cv->items || !cv->ok)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		rc = coerce(&p->mem, &p->raw[i], c, &cv->items[i]);
		if (rc < 0)
			return rc;
		/* a constant the left side's type cannot hold: the checker should have said so */
		if (rc && p->cls != SK_CC_DYN)
			return bad(ctx, "a constant does not fit the left side's type");
		cv->ok[i] = !rc;
	}
	if (e->op == SK_COP_ICONTAINS && c == SK_CC_STR) {
		if (!(cv->lower = sk_carena_alloc(&p->mem, (n ? n : 1) * sizeof(*cv->lower))))
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			if (!(cv->lower[i] = scr_dup(&p->mem, cv->items[i].s ? cv->items[i].s : "",
						       cv->items[i].len)))
				return -ENOMEM;
			for (size_t k = 0; k < cv->items[i].len; k++)
				if (cv->lower[i][k] >= 'A' && cv->lower[i][k] <= 'Z')
					cv->lower[i][k] += 'a' - 'A';
		}
	}
	if (e->op == SK_COP_REGEX && c == SK_CC_STR) {
		if (!(cv->re = calloc(n ? n : 1, sizeof(*cv->re))))
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			char err[128];
			if (!cv->ok[i])
				continue;
			rc = sk_regex_compile(cv->items[i].s, cv->items[i].len, &cv->re[i], err,
					      sizeof(err));
			if (rc == -EINVAL)
				return bad(ctx, err);
			if (rc)
				return rc;
		}
	}
	if (e->op == SK_COP_IN || e->op == SK_COP_INTERSECTS ||
	    (e->mod == SK_CMOD_ANYOF && e->op == SK_COP_EQ) ||
	    (e->mod == SK_CMOD_ALLOF && e->op == SK_COP_NE)) {
		if ((rc = hset_build(&p->mem, &cv->set, cv->items, cv->ok, n, c)))
			return rc;
		cv->have_set = true;
	}
	if (e->op == SK_COP_PMATCH && c == SK_CC_STR) {
		if ((rc = pset_build(&p->mem, &cv->paths, cv->items, cv->ok, n)))
			return rc;
		cv->have_paths = true;
	}
	cv->built = true;
	return 0;
}

static int plan_get(struct sk_cond_ctx *c, const sk_cexpr *e, struct plan **out)
{
	struct plan *p;
	size_t k;
	int rc;

	if (c->plans_cap) {
		k = plan_slot(c, e);
		if (c->plans[k]) {
			*out = c->plans[k];
			return 0;
		}
	}
	if (!e->lhs)
		return bad(c, "a check without a left side");
	if (!(p = calloc(1, sizeof(*p))))
		return -ENOMEM;
	p->key = e;
	p->cls = sk_cond_class(e->lhs->type);
	p->sides[0] = p->sides[1] = -1;
	if (e->lhs->kind == SK_CO_FIELD) {
		sk_cond_either_side(e->lhs->field, p->sides);
		p->ancestors = sk_cond_any_ancestor(e->lhs->field) && !e->lhs->arg &&
			       e->lhs->arg_index < 0;
	}
	if (e->rhs && e->rhs->kind == SK_CO_CONST) {
		p->raw = &e->rhs->v;
		p->n_raw = 1;
		p->rhs_const = true;
	} else if (e->rhs && e->rhs->kind == SK_CO_LIST) {
		p->raw = e->rhs->items;
		p->n_raw = e->rhs->n_items;
		p->rhs_const = true;
	}
	if (p->rhs_const && p->cls != SK_CC_DYN && (rc = conv_build(c, p, e, p->cls))) {
		plan_free(p);
		return rc;
	}
	if (2 * (c->n_plans + 1) > c->plans_cap && (rc = plans_grow(c))) {
		plan_free(p);
		return rc;
	}
	c->plans[plan_slot(c, e)] = p;
	c->n_plans++;
	*out = p;
	return 0;
}

/* ---- field values ------------------------------------------------------------------------ */

static const char *index_arg(int64_t i, char buf[24])
{
	snprintf(buf, 24, "%" PRId64, i);
	return buf;
}

/* FIELD[ARG] from the source, checked and normalized: list fields always give lists. */
static int fetch(struct sk_cond_ctx *c, const struct sk_cond_src *src, int field, const char *arg,
		 sk_cval *out)
{
	struct fcache *fc = NULL;

	if (field < 0 || field >= SK_FLD__COUNT)
		return bad(c, "an unknown field id");
	if (!arg) {
		fc = &c->fcache[field];
		if (fc->gen == c->gen) {
			*out = fc->v;
			return 0;
		}
	}
	memset(out, 0, sizeof(*out));
	out->kind = SK_CV_NA;
	src->get(src->ctx, field, arg, out);
	if ((unsigned)out->kind > SK_CV_LIST)
		return bad(c, "the source gave a value of an unknown kind");
	if (out->kind == SK_CV_STR && !out->s) {
		if (out->len)
			return bad(c, "the source gave a string without bytes");
		out->s = "";
	}
	if ((out->kind == SK_CV_IP || out->kind == SK_CV_NET) && out->ip_len != 4 && out->ip_len != 16)
		return bad(c, "the source gave an address that is neither IPv4 nor IPv6");
	if (out->kind == SK_CV_LIST) {
		if (!(sk_fields[field].flags & SK_F_LIST))
			return bad(c, "the source gave a list for a single-valued field");
		if (out->n_items && !out->items)
			return bad(c, "the source gave a list without items");
		for (size_t i = 0; i < out->n_items; i++)
			if (out->items[i].kind == SK_CV_LIST || out->items[i].kind > SK_CV_LIST ||
			    (out->items[i].kind == SK_CV_STR && !out->items[i].s && out->items[i].len))
				return bad(c, "the source gave a list with a bad item");
	} else if (out->kind != SK_CV_NA && (sk_fields[field].flags & SK_F_LIST)) {
		sk_cval *one = sk_carena_alloc(&c->scratch, sizeof(*one));
		if (!one)
			return -ENOMEM;
		*one = *out;
		memset(out, 0, sizeof(*out));
		out->kind = SK_CV_LIST;
		out->items = one;
		out->n_items = 1;
	}
	if (fc) {
		fc->gen = c->gen;
		fc->v = *out;
	}
	return 0;
}

static int fetch_operand_field(struct sk_cond_ctx *c, const struct sk_cond_src *src,
			       const sk_copnd *o, sk_cval *out)
{
	char num[24];
	const char *arg = o->arg;

	if (o->arg_index >= 0 && (unsigned)o->field < SK_FLD__COUNT &&
	    (sk_fields[o->field].flags & SK_F_ARG_INDEX))
		arg = index_arg(o->arg_index, num);
	return fetch(c, src, o->field, arg, out);
}

/* ---- transformers ------------------------------------------------------------------------ */

/* The bytes of a scalar as a transformer reads them: strings without their trailing NULs,
 * anything else as its text. */
static int as_bytes(struct sk_cond_ctx *c, const sk_cval *v, const char **s, size_t *n)
{
	if (v->kind == SK_CV_STR) {
		*s = v->s;
		*n = v->len;
		while (*n && (*s)[*n - 1] == '\0')
			(*n)--;
		return 0;
	}
	sk_cval t;
	int rc = coerce(&c->scratch, v, SK_CC_BYTES, &t);
	if (rc)
		return rc < 0 ? rc : bad(c, "a transformer argument without text");
	*s = t.s;
	*n = t.len;
	return 0;
}

/* A C string's length: Falco's multivalue transformers stop at the first NUL. */
static size_t cstr_len(const char *s, size_t n)
{
	const char *nul = n ? memchr(s, 0, n) : NULL;
	return nul ? (size_t)(nul - s) : n;
}

static int b64_val(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/* Base64 decoding as Falco's b64(): padding optional (at most two '='), bits left over in the
 * last character must be zero. False for anything else. */
static bool b64_decode(const char *s, size_t n, char *out, size_t *on)
{
	size_t k = 0, o = 0;
	uint32_t acc = 0;

	if (n && n <= 2 && s[0] == '=')
		return false; /* padding alone */
	if (n && s[n - 1] == '=') {
		n--;
		if (n && s[n - 1] == '=')
			n--;
	}
	if (n % 4 == 1)
		return false;
	for (k = 0; k < n; k++) {
		int v = b64_val((unsigned char)s[k]);
		if (v < 0)
			return false;
		acc = acc << 6 | (uint32_t)v;
		if (k % 4 == 3) {
			out[o++] = (char)(acc >> 16);
			out[o++] = (char)(acc >> 8);
			out[o++] = (char)acc;
			acc = 0;
		}
	}
	switch (n % 4) {
	case 2:
		if (acc & 0xf)
			return false;
		out[o++] = (char)(acc >> 4);
		break;
	case 3:
		if (acc & 0x3)
			return false;
		out[o++] = (char)(acc >> 10);
		out[o++] = (char)(acc >> 2);
		break;
	}
	*on = o;
	return true;
}

/* One string through tolower, toupper, b64 or basename. 1: no value (bad base64). */
static int xf_string(struct sk_cond_ctx *c, enum sk_xform x, const sk_cval *in, sk_cval *out)
{
	const char *s;
	size_t n;
	char *d;
	int rc;

	if ((rc = as_bytes(c, in, &s, &n)))
		return rc;
	memset(out, 0, sizeof(*out));
	out->kind = SK_CV_STR;
	if (x == SK_XF_BASENAME) {
		const char *slash = n ? memrchr(s, '/', n) : NULL;
		out->s = slash ? slash + 1 : s;
		out->len = slash ? (size_t)(s + n - slash - 1) : n;
		return 0;
	}
	if (!(d = sk_carena_alloc(&c->scratch, n + 1)))
		return -ENOMEM;
	if (x == SK_XF_B64) {
		if (!b64_decode(s, n, d, &out->len))
			return 1;
	} else {
		for (size_t i = 0; i < n; i++) {
			char ch = s[i];
			if (x == SK_XF_TOLOWER && ch >= 'A' && ch <= 'Z')
				ch += 'a' - 'A';
			else if (x == SK_XF_TOUPPER && ch >= 'a' && ch <= 'z')
				ch -= 'a' - 'A';
			d[i] = ch;
		}
		out->len = n;
	}
	d[out->len] = '\0';
	out->s = d;
	return 0;
}

/* A list or a scalar as list items. */
static void as_items(const sk_cval *v, const sk_cval **items, size_t *n)
{
	if (v->kind == SK_CV_LIST) {
		*items = v->items;
		*n = v->n_items;
	} else {
		*items = v;
		*n = 1;
	}
}

/* A growing string in the scratch arena. */
struct sbuf {
	char *s;
	size_t n, cap;
};

static int sb_put(struct sk_cond_ctx *c, struct sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		while (b->n + n + 1 > cap)
			cap *= 2;
		char *d = sk_carena_alloc(&c->scratch, cap);
		if (!d)
			return -ENOMEM;
		if (b->n)
			memcpy(d, b->s, b->n);
		b->s = d;
		b->cap = cap;
	}
	if (n)
		memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
	return 0;
}

static int sb_value(struct sk_cond_ctx *c, struct sbuf *b, sk_cval *out)
{
	if (!b->s && sb_put(c, b, "", 0))
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	out->kind = SK_CV_STR;
	out->s = b->s;
	out->len = b->n;
	return 0;
}

static int push_item(struct sk_cond_ctx *c, sk_cval **items, size_t *n, size_t *cap,
		     const char *s, size_t len)
{
	if (*n == *cap) {
		size_t nc = *cap ? 2 * *cap : 8;
		sk_cval *d = sk_carena_alloc(&c->scratch, nc * sizeof(*d));
		if (!d)
			return -ENOMEM;
		if (*n)
			memcpy(d, *items, *n * sizeof(*d));
		*items = d;
		*cap = nc;
	}
	memset(&(*items)[*n], 0, sizeof(**items));
	(*items)[*n].kind = SK_CV_STR;
	(*items)[*n].s = s;
	(*items)[*n].len = len;
	(*n)++;
	return 0;
}

/* getopt(args, optstring)[sel]: Falco's getopt(3)-like scan of argv. Without a selector, the
 * list of options and their values (an unknown option is "?", a missing value ""); with one,
 * the last value of that option, or no value when it is absent. 1: no value. */
static int xf_getopt(struct sk_cond_ctx *c, const sk_cval *args, const sk_cval *opts,
		     const char *sel, sk_cval *out)
{
	bool valid[256] = { false }, with_arg[256] = { false };
	const sk_cval *argv;
	size_t argc, k = 0, n_res = 0, cap_res = 0;
	const char *os, *sel_s = NULL;
	size_t on, sel_n = 0;
	bool have_sel = false;
	sk_cval *res = NULL;
	int rc;

	if ((rc = as_bytes(c, opts, &os, &on)))
		return rc;
	if (on && os[0] == ':')
		k = 1;
	for (; k < on; k++) {
		unsigned char o = (unsigned char)os[k];
		if (o == ':')
			continue;
		valid[o] = true;
		if (k + 1 < on && os[k + 1] == ':') {
			with_arg[o] = true;
			k++;
		}
	}
	as_items(args, &argv, &argc);
	for (size_t ai = 0; ai < argc; ai++) {
		const char *a;
		size_t an;
		if ((rc = as_bytes(c, &argv[ai], &a, &an)))
			return rc;
		if (an == 2 && a[0] == '-' && a[1] == '-')
			break;
		if (an > 2 && a[0] == '-' && a[1] == '-')
			continue; /* long options are not getopt's */
		if (an < 2 || a[0] != '-')
			break;
		for (size_t i = 1; i < an; i++) {
			unsigned char o = (unsigned char)a[i];
			bool match = !sel || o == (unsigned char)sel[0];
			if (o == ':' || !valid[o]) {
				if (!sel && (rc = push_item(c, &res, &n_res, &cap_res, "?", 1)))
					return rc;
				continue;
			}
			if (!with_arg[o]) {
				if (match && sel) {
					have_sel = true, sel_s = a + i, sel_n = 1;
				} else if (match && (rc = push_item(c, &res, &n_res, &cap_res, a + i, 1))) {
					return rc;
				}
				continue;
			}
			const char *val = NULL;
			size_t vn = 0;
			bool have_val = true;
			if (i + 1 < an) {
				val = a + i + 1, vn = an - i - 1;
			} else if (ai + 1 < argc) {
				ai++;
				if ((rc = as_bytes(c, &argv[ai], &val, &vn)))
					return rc;
			} else {
				have_val = false;
			}
			if (match) {
				if (sel) {
					have_sel = true;
					sel_s = have_val ? val : "";
					sel_n = have_val ? vn : 0;
				} else if (!have_val) {
					if ((rc = push_item(c, &res, &n_res, &cap_res, "", 0)))
						return rc;
				} else if ((rc = push_item(c, &res, &n_res, &cap_res, a + i, 1)) ||
					   (rc = push_item(c, &res, &n_res, &cap_res, val, vn))) {
					return rc;
				}
			}
			break;
		}
	}
	memset(out, 0, sizeof(*out));
	if (sel) {
		if (!have_sel)
			return 1;
		out->kind = SK_CV_STR;
		out->s = sel_s;
		out->len = sel_n;
		return 0;
	}
	out->kind = SK_CV_LIST;
	out->items = res;
	out->n_items = n_res;
	return 0;
}

/* O applied to its evaluated arguments ARGS[0, N). */
static int xf_apply(struct sk_cond_ctx *c, const sk_copnd *o, const sk_cval *args, size_t n,
		    sk_cval *out)
{
	struct sbuf b = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	out->kind = SK_CV_NA;
	for (size_t i = 0; i < n; i++)
		if (args[i].kind == SK_CV_NA)
			return 0; /* a missing argument: no value */
	if (sk_copnd_is_tlist(o)) {
		sk_cval *items = NULL;
		size_t ni = 0, cap = 0;
		for (size_t i = 0; i < n; i++) {
			const sk_cval *v;
			size_t nv;
			as_items(&args[i], &v, &nv);
			for (size_t k = 0; k < nv; k++) {
				const char *s;
				size_t sn;
				if ((rc = as_bytes(c, &v[k], &s, &sn)) ||
				    (rc = push_item(c, &items, &ni, &cap, s, sn)))
					return rc;
			}
		}
		out->kind = SK_CV_LIST;
		out->items = items;
		out->n_items = ni;
		return 0;
	}
	switch (o->xform) {
	case SK_XF_TOLOWER:
	case SK_XF_TOUPPER:
	case SK_XF_B64:
	case SK_XF_BASENAME:
		if (n != 1)
			return bad(c, "a transformer with a wrong number of arguments");
		if (args[0].kind == SK_CV_LIST) {
			sk_cval *items = sk_carena_alloc(&c->scratch,
						     (args[0].n_items ? args[0].n_items : 1) * sizeof(*items));
			if (!items)
				return -ENOMEM;
			for (size_t i = 0; i < args[0].n_items; i++) {
				rc = xf_string(c, o->xform, &args[0].items[i], &items[i]);
				if (rc)
					return rc < 0 ? rc : 0;
			}
			out->kind = SK_CV_LIST;
			out->items = items;
			out->n_items = args[0].n_items;
			return 0;
		}
		rc = xf_string(c, o->xform, &args[0], out);
		if (rc > 0)
			out->kind = SK_CV_NA;
		return rc < 0 ? rc : 0;
	case SK_XF_LEN:
		if (n != 1)
			return bad(c, "len() takes one argument");
		out->kind = SK_CV_UINT;
		if (args[0].kind == SK_CV_LIST) {
			out->u = args[0].n_items;
		} else {
			const char *s;
			size_t sn;
			if ((rc = as_bytes(c, &args[0], &s, &sn)))
				return rc;
			bool buffer = o->args[0]->type == SK_T_BYTES;
			out->u = buffer ? args[0].kind == SK_CV_STR ? args[0].len : sn : cstr_len(s, sn);
		}
		out->i = (int64_t)out->u;
		return 0;
	case SK_XF_JOIN: {
		const char *sep;
		size_t sepn;
		const sk_cval *v;
		size_t nv;
		if (n != 2)
			return bad(c, "join() takes two arguments");
		if ((rc = as_bytes(c, &args[0], &sep, &sepn)))
			return rc;
		sepn = cstr_len(sep, sepn);
		as_items(&args[1], &v, &nv);
		for (size_t k = 0; k < nv; k++) {
			const char *s;
			size_t sn;
			if ((rc = as_bytes(c, &v[k], &s, &sn)) ||
			    (k && (rc = sb_put(c, &b, sep, sepn))) ||
			    (rc = sb_put(c, &b, s, cstr_len(s, sn))))
				return rc;
		}
		return sb_value(c, &b, out);
	}
	case SK_XF_CONCAT:
		if (n < 2)
			return bad(c, "concat() takes two arguments or more");
		for (size_t i = 0; i < n; i++) {
			const sk_cval *v;
			size_t nv;
			const char *s = "";
			size_t sn = 0;
			as_items(&args[i], &v, &nv);
			if (nv && (rc = as_bytes(c, &v[0], &s, &sn)))
				return rc;
			if ((rc = sb_put(c, &b, s, cstr_len(s, sn))))
				return rc;
		}
		return sb_value(c, &b, out);
	case SK_XF_GETOPT:
		if (n != 2)
			return bad(c, "getopt() takes two arguments");
		if (o->arg && strlen(o->arg) != 1)
			return bad(c, "getopt()'s argument is one option character");
		rc = xf_getopt(c, &args[0], &args[1], o->arg, out);
		if (rc > 0)
			out->kind = SK_CV_NA;
		return rc < 0 ? rc : 0;
	default:
		return bad(c, "an unknown transformer");
	}
}

static int push_val(struct sk_cond_ctx *c, const sk_cval *v)
{
	if (c->n_vals == c->cap_vals) {
		size_t cap = c->cap_vals ? 2 * c->cap_vals : 32;
		sk_cval *d = realloc(c->vals, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		c->vals = d;
		c->cap_vals = cap;
	}
	c->vals[c->n_vals++] = *v;
	return 0;
}

static int push_oframe(struct sk_cond_ctx *c, const sk_copnd *o)
{
	if (c->n_ofr == c->cap_ofr) {
		size_t cap = c->cap_ofr ? 2 * c->cap_ofr : 16;
		struct oframe *d = realloc(c->ofr, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		c->ofr = d;
		c->cap_ofr = cap;
	}
	c->ofr[c->n_ofr++] = (struct oframe){ o, 0, c->n_vals };
	return 0;
}

/* The value of operand ROOT for this event (SK_CV_NA when it has none). */
static int operand_eval(struct sk_cond_ctx *c, const struct sk_cond_src *src,
			const sk_copnd *root, sk_cval *out)
{
	size_t base_vals = c->n_vals, base_fr = c->n_ofr;
	int rc;

	switch (root->kind) {
	case SK_CO_FIELD:
		return fetch_operand_field(c, src, root, out);
	case SK_CO_CONST:
		*out = root->v;
		return 0;
	default:
		break;
	}
	if ((rc = push_oframe(c, root)))
		return rc;
	while (c->n_ofr > base_fr) {
		struct oframe *f = &c->ofr[c->n_ofr - 1];
		const sk_copnd *o = f->o;
		sk_cval v;

		switch (o->kind) {
		case SK_CO_FIELD:
			if ((rc = fetch_operand_field(c, src, o, &v)))
				goto fail;
			break;
		case SK_CO_CONST:
			v = o->v;
			break;
		case SK_CO_LIST:
			if (!o->n_args) {
				memset(&v, 0, sizeof(v));
				v.kind = SK_CV_LIST;
				v.items = o->items;
				v.n_items = o->n_items;
				break;
			}
			/* fall through */
		case SK_CO_XFORM:
		case SK_CO_TLIST:
			if (f->next < o->n_args) {
				const sk_copnd *a = o->args[f->next++];
				if (!a) {
					rc = bad(c, "a transformer argument is missing");
					goto fail;
				}
				if ((rc = push_oframe(c, a)))
					goto fail;
				continue;
			}
			/* no arguments evaluated yet: the stack may not exist */
			rc = xf_apply(c, o, c->vals ? c->vals + f->base : NULL, c->n_vals - f->base, &v);
			if (rc)
				goto fail;
			c->n_vals = f->base;
			break;
		default:
			rc = bad(c, "an operand of an unknown kind");
			goto fail;
		}
		c->n_ofr--;
		if ((rc = push_val(c, &v)))
			goto fail;
	}
	*out = c->vals[base_vals];
	c->n_vals = base_vals;
	return 0;
fail:
	c->n_vals = base_vals;
	c->n_ofr = base_fr;
	return rc;
}

/* ---- comparisons ------------------------------------------------------------------------- */

static bool icontains(const char *s, size_t n, const char *low, size_t ln)
{
	if (ln == 0)
		return true;
	for (size_t i = 0; i + ln <= n; i++) {
		size_t k = 0;
		while (k < ln) {
			char ch = s[i + k];
			if (ch >= 'A' && ch <= 'Z')
				ch += 'a' - 'A';
			if (ch != low[k])
				break;
			k++;
		}
		if (k == ln)
			return true;
	}
	return false;
}

/* What a check compares against: constants converted to the class (with their extras), or the
 * right side's values for this event. */
struct rhs {
	const sk_cval *items;
	const bool *ok;
	size_t n;
	const struct conv *cv;   /* NULL for values of this event */
};

/* L OP R for one right-hand value R (number I of the right side). 1, 0 or a negative errno. */
static int cmp1(struct sk_cond_ctx *c, enum sk_cop op, enum sk_ccls cls, const sk_cval *l,
		const struct rhs *rh, size_t i)
{
	const sk_cval *r = &rh->items[i];
	int rc;

	if (rh->ok && !rh->ok[i])
		return 0; /* a constant with no value of this class (evt.rawarg) */
	switch (op) {
	case SK_COP_EQ:
	case SK_COP_IN:
	case SK_COP_INTERSECTS:
		return value_eq(l, r, cls);
	case SK_COP_NE:
		return !value_eq(l, r, cls);
	case SK_COP_LT:
	case SK_COP_LE:
	case SK_COP_GT:
	case SK_COP_GE: {
		int d;
		switch (cls) {
		case SK_CC_STR:
		case SK_CC_BYTES: d = bytes_cmp(l->s, l->len, r->s, r->len); break;
		case SK_CC_INT: d = (l->i > r->i) - (l->i < r->i); break;
		case SK_CC_UINT: d = (l->u > r->u) - (l->u < r->u); break;
		case SK_CC_DOUBLE:
			if (l->d != l->d || r->d != r->d)
				return 0; /* NaN compares false */
			d = (l->d > r->d) - (l->d < r->d);
			break;
		default: return 0;
		}
		return op == SK_COP_LT ? d < 0 : op == SK_COP_LE ? d <= 0 : op == SK_COP_GT ? d > 0 : d >= 0;
	}
	case SK_COP_CONTAINS:
	case SK_COP_BCONTAINS:
		return r->len == 0 || (l->len >= r->len && memmem(l->s, l->len, r->s, r->len));
	case SK_COP_ICONTAINS:
		if (rh->cv && rh->cv->lower)
			return icontains(l->s, l->len, rh->cv->lower[i], r->len);
		else {
			char *low = scr_dup(&c->scratch, r->s, r->len);
			if (!low)
				return -ENOMEM;
			for (size_t k = 0; k < r->len; k++)
				if (low[k] >= 'A' && low[k] <= 'Z')
					low[k] += 'a' - 'A';
			return icontains(l->s, l->len, low, r->len);
		}
	case SK_COP_STARTSWITH:
	case SK_COP_BSTARTSWITH:
		return l->len >= r->len && (!r->len || !memcmp(l->s, r->s, r->len));
	case SK_COP_ENDSWITH:
		return l->len >= r->len && (!r->len || !memcmp(l->s + l->len - r->len, r->s, r->len));
	case SK_COP_GLOB:
	case SK_COP_IGLOB:
		return sk_glob_match(r->s, r->len, l->s, l->len, op == SK_COP_IGLOB);
	case SK_COP_REGEX:
		if (!rh->cv || !rh->cv->re || !rh->cv->re[i])
			return bad(c, "regex needs a constant pattern");
		rc = sk_regex_match(rh->cv->re[i], l->s, l->len);
		return rc;
	case SK_COP_PMATCH:
		return sk_path_prefix_match(r->s, r->len, l->s, l->len);
	default:
		return bad(c, "an unknown operator");
	}
}

/* One value L of the left side (already of class CLS) against the right side. */
static int compare_scalar(struct sk_cond_ctx *c, const sk_cexpr *e, enum sk_ccls cls,
			  const sk_cval *l, const struct rhs *rh)
{
	int rc;

	switch (e->op) {
	case SK_COP_IN:
	case SK_COP_INTERSECTS:
		if (rh->cv && rh->cv->have_set)
			return hset_has(&rh->cv->set, l, cls);
		for (size_t i = 0; i < rh->n; i++)
			if ((rc = cmp1(c, SK_COP_EQ, cls, l, rh, i)))
				return rc;
		return 0;
	case SK_COP_PMATCH:
		if (rh->cv && rh->cv->have_paths)
			return pset_match(&c->scratch, &rh->cv->paths, l);
		for (size_t i = 0; i < rh->n; i++)
			if ((rc = cmp1(c, SK_COP_PMATCH, cls, l, rh, i)))
				return rc;
		return 0;
	default:
		break;
	}
	if (e->mod == SK_CMOD_NONE)
		return rh->n ? cmp1(c, e->op, cls, l, rh, 0) : 0;
	if (!rh->n)
		return 0; /* an empty list holds for no modifier */
	if (e->mod == SK_CMOD_ANYOF && e->op == SK_COP_EQ && rh->cv && rh->cv->have_set)
		return hset_has(&rh->cv->set, l, cls);
	if (e->mod == SK_CMOD_ALLOF && e->op == SK_COP_NE && rh->cv && rh->cv->have_set)
		return !hset_has(&rh->cv->set, l, cls);
	size_t hits = 0;
	for (size_t i = 0; i < rh->n; i++) {
		if ((rc = cmp1(c, e->op, cls, l, rh, i)) < 0)
			return rc;
		if (rc) {
			hits++;
			if (e->mod == SK_CMOD_ANYOF)
				return 1;
			if (e->mod == SK_CMOD_ONEOF && hits > 1)
				return 0;
		} else if (e->mod == SK_CMOD_ALLOF) {
			return 0;
		}
	}
	return e->mod == SK_CMOD_ONEOF ? hits == 1 : e->mod == SK_CMOD_ALLOF ? 1 : hits > 0;
}

/* The right side for a left value of class CLS: the plan's constants, or the values of the
 * right-hand operand V (field-to-field), converted. 1: nothing to compare with. */
static int rhs_for(struct sk_cond_ctx *c, struct plan *p, const sk_cexpr *e, enum sk_ccls cls,
		   const sk_cval *v, struct rhs *rh)
{
	int rc;

	if (p->rhs_const) {
		if ((rc = conv_build(c, p, e, cls)))
			return rc;
		rh->items = p->conv[cls].items;
		rh->ok = p->conv[cls].ok;
		rh->n = p->n_raw;
		rh->cv = &p->conv[cls];
		return 0;
	}
	const sk_cval *items;
	size_t n;
	as_items(v, &items, &n);
	sk_cval *conv = sk_carena_alloc(&c->scratch, (n ? n : 1) * sizeof(*conv));
	bool *ok = sk_carena_alloc(&c->scratch, (n ? n : 1) * sizeof(*ok));
	if (!conv || !ok)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if ((rc = coerce(&c->scratch, &items[i], cls, &conv[i])) < 0)
			return rc;
		ok[i] = !rc;
	}
	/* a comparison other than in and intersects takes the first value */
	if (e->op != SK_COP_IN && e->op != SK_COP_INTERSECTS && n > 1)
		n = 1;
	rh->items = conv;
	rh->ok = ok;
	rh->n = n;
	rh->cv = NULL;
	return 0;
}

/* The left value V against the right side: lists by in/intersects, scalars one by one. */
static int compare_value(struct sk_cond_ctx *c, struct plan *p, const sk_cexpr *e,
			 const sk_cval *v, const sk_cval *rv)
{
	struct rhs rh;
	sk_cval l;
	int rc;

	if (e->op == SK_COP_EXISTS)
		return 1;
	if (v->kind == SK_CV_LIST) {
		/* in: every value is in the set; intersects: one is (an empty list is in anything) */
		bool all = e->op == SK_COP_IN;
		if (e->op != SK_COP_IN && e->op != SK_COP_INTERSECTS)
			return bad(c, "a list-valued left side takes only in, intersects and exists");
		for (size_t i = 0; i < v->n_items; i++) {
			rc = compare_value(c, p, e, &v->items[i], rv);
			if (rc < 0)
				return rc;
			if (rc != all)
				return rc;
		}
		return all;
	}
	enum sk_ccls cls = p->cls == SK_CC_DYN ? sk_cond_kind_class(v->kind) : p->cls;
	/* evt.rawarg: the checker could not know the type; an operator the value's type does
	 * not take is false, as for a value Falco could not compare */
	if (cls == SK_CC_DYN || (p->cls == SK_CC_DYN && !sk_cond_op_applies(e->op, cls, false)))
		return 0;
	if ((rc = coerce(&c->scratch, v, cls, &l)))
		return rc < 0 ? rc : 0;
	if (cls == SK_CC_IP && l.kind == SK_CV_NET)
		l.kind = SK_CV_IP; /* a network field's value is its address */
	if ((rc = rhs_for(c, p, e, cls, rv, &rh)))
		return rc < 0 ? rc : 0;
	return compare_scalar(c, e, cls, &l, &rh);
}

/* A domain-name field (fd.sip.name = N): is the address field IPF one of the addresses of the
 * names on the right? The names are constants (the checker wants them so). */
static int name_check(struct sk_cond_ctx *c, const sk_cexpr *e, const struct plan *p,
		      const struct sk_cond_src *src, int ipf)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	sk_cval v;
	int rc;

	if (e->op != SK_COP_EQ && e->op != SK_COP_NE && e->op != SK_COP_IN)
		return bad(c, "a domain-name field takes only =, != and in");
	if (!p->rhs_const)
		return bad(c, "a domain-name field compares with names, not with a field");
	if ((rc = fetch(c, src, ipf, NULL, &v)))
		return rc;
	if (v.kind != SK_CV_IP && v.kind != SK_CV_NET)
		return 0;
	const uint8_t *ip = v.ip;
	uint8_t len = v.ip_len;
	if (len == 16 && !memcmp(ip, v4mapped, sizeof(v4mapped))) {
		ip += 12; /* an IPv6 socket's IPv4 peer: the name's A records are its addresses */
		len = 4;
	}
	bool hit = false;
	for (size_t i = 0; i < p->n_raw && !hit && src->name_has; i++)
		if (p->raw[i].kind == SK_CV_STR)
			hit = src->name_has(src->ctx, p->raw[i].s ? p->raw[i].s : "", p->raw[i].len, ip,
					    len) > 0;
	return e->op == SK_COP_NE ? !hit : hit;
}

static int check_eval(struct sk_cond_ctx *c, const sk_cexpr *e, const struct sk_cond_src *src)
{
	struct plan *p;
	sk_cval v, rv = { .kind = SK_CV_NA };
	int rc;

	if ((rc = plan_get(c, e, &p)))
		return rc;
	if (e->lhs->kind == SK_CO_FIELD && sk_field_resolved_ip(e->lhs->field) >= 0)
		return name_check(c, e, p, src, sk_field_resolved_ip(e->lhs->field));
	if (e->op != SK_COP_EXISTS && !p->rhs_const) {
		if (!e->rhs)
			return bad(c, "a check without a right side");
		if ((rc = operand_eval(c, src, e->rhs, &rv)))
			return rc;
		if (rv.kind == SK_CV_NA)
			return 0;
	}
	if (p->sides[0] >= 0) {
		/* either side: '!=' wants every side that has a value to differ, the rest one */
		bool neither = e->op == SK_COP_NE, seen = false;
		for (int k = 0; k < 2; k++) {
			if ((rc = fetch(c, src, p->sides[k], NULL, &v)))
				return rc;
			if (v.kind == SK_CV_NA)
				continue;
			seen = true;
			if ((rc = compare_value(c, p, e, &v, &rv)) < 0)
				return rc;
			if (rc != neither)
				return rc;
		}
		return seen && neither;
	}
	if (p->ancestors) {
		for (int64_t k = 1; k <= SK_COND_MAX_ANCESTORS; k++) {
			char num[24];
			if ((rc = fetch(c, src, e->lhs->field, index_arg(k, num), &v)))
				return rc;
			if (v.kind == SK_CV_NA)
				return 0;
			if ((rc = compare_value(c, p, e, &v, &rv)))
				return rc;
		}
		return 0;
	}
	if ((rc = operand_eval(c, src, e->lhs, &v)))
		return rc;
	if (v.kind == SK_CV_NA)
		return 0;
	return compare_value(c, p, e, &v, &rv);
}

/* ---- the tree ---------------------------------------------------------------------------- */

int sk_cond_eval(struct sk_cond_ctx *c, const sk_cexpr *root, const struct sk_cond_src *src)
{
	size_t n = 0;
	int r = 0;
	bool back = false; /* r holds the value of the node just finished */

	if (!c || !root || !src || !src->get)
		return -EINVAL;
	sk_carena_reset(&c->scratch);
	if (++c->gen == 0) {
		/* the counter wrapped: forget every cached value */
		memset(c->fcache, 0, SK_FLD__COUNT * sizeof(*c->fcache));
		c->gen = 1;
	}
	c->n_vals = c->n_ofr = 0;
	if (!c->cap_efr) {
		if (!(c->efr = malloc(64 * sizeof(*c->efr))))
			return -ENOMEM;
		c->cap_efr = 64;
	}
	c->efr[n++] = (struct eframe){ root, 0 };
	while (n) {
		struct eframe *f = &c->efr[n - 1];
		const sk_cexpr *e = f->e, *kid = NULL;

		switch (e->kind) {
		case SK_C_CONST:
			r = e->value;
			break;
		case SK_C_CHECK:
			r = check_eval(c, e, src);
			if (r < 0)
				return r;
			break;
		case SK_C_NOT:
			if (e->n_kids != 1 || !e->kids || !e->kids[0])
				return bad(c, "'not' without exactly one operand");
			if (!back) {
				kid = e->kids[0];
				break;
			}
			r = !r;
			break;
		case SK_C_AND:
		case SK_C_OR: {
			bool is_or = e->kind == SK_C_OR;
			/* and stops at the first false operand, or at the first true one */
			if (back && r == is_or)
				break;
			if (f->next < e->n_kids) {
				kid = e->kids ? e->kids[f->next++] : NULL;
				if (!kid)
					return bad(c, "a missing operand of 'and' or 'or'");
				break;
			}
			r = !is_or;
			break;
		}
		default:
			return bad(c, "a node of an unknown kind");
		}
		if (kid) {
			if (n == c->cap_efr) {
				struct eframe *d = realloc(c->efr, 2 * c->cap_efr * sizeof(*d));
				if (!d)
					return -ENOMEM;
				c->efr = d;
				c->cap_efr *= 2;
			}
			c->efr[n++] = (struct eframe){ kid, 0 };
			back = false;
			continue;
		}
		n--;
		back = true;
	}
	return r;
}
