/* Planner: the one place that decides where each part of a rule runs (DESIGN.md decision 11).
 * For every rule it computes the events it can match, a kernel part K that the kernel back end
 * can evaluate exactly and that every matching event passes (rule => K), and a residual R for
 * sakerd such that rule <=> K and R; and the capture plan: the kernel fields R and the output
 * need. Rules that need what saker lacks (a field, an event) are left out, with a warning. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "saker/event.h"
#include "saker/fields.h"

#include "../../bpf/templates/abi.h"

/* Sets are lookups in the rule tables (codegen.c, docs/kernel.md "Rule tables"), whatever
 * their size. Only code per rule (SAKER_TEST_INLINE_CODE, kept for the tests) compares them
 * inline, and there a list of 15 paths already makes the verifier give up (1M instructions):
 * a larger set than this then runs in the residual. SAKER_TEST_INLINE_SET overrides it, so that
 * the tests can make a program the verifier refuses (tests/e2e/test_verify.sh). */
#define PLAN_MAX_INLINE_SET 8

static size_t max_inline_set(void)
{
	const char *t = getenv("SAKER_TEST_INLINE_SET");
	const char *ic = getenv("SAKER_TEST_INLINE_CODE");

	if (t && *t)
		return (size_t)strtoul(t, NULL, 10);
	return ic && *ic && strcmp(ic, "0") ? PLAN_MAX_INLINE_SET : SIZE_MAX;
}

/* ---- what the kernel back end evaluates exactly -------------------------------------------- */

static bool glob_has_class_name(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '[' && s[i + 1] == ':')
			return true;
	return false;
}

/* Whether the kernel back end (lower.c and codegen) can evaluate check X exactly, with the
 * missing-value rule. This is the one list of what runs in the kernel. */
bool sk_plan_kernel_check(const sk_cexpr *x)
{
	const sk_copnd *l = x->lhs, *r = x->rhs;
	if (!l || l->kind != SK_CO_FIELD || l->arg || x->mod != SK_CMOD_NONE)
		return false;
	const struct sk_field_info *fi = &sk_fields[l->field];
	if (fi->where != SK_W_KERNEL)
		return false;
	if (r && r->kind != SK_CO_CONST && r->kind != SK_CO_LIST)
		return false; /* field-to-field */
	const size_t nv = r ? (r->kind == SK_CO_LIST ? r->n_items : 1) : 0;
	const sk_cval *vals = r ? (r->kind == SK_CO_LIST ? r->items : &r->v) : NULL;

	switch (l->field) {
	case SK_FLD_EVT_TYPE:
		return x->op == SK_COP_EQ || x->op == SK_COP_NE || x->op == SK_COP_IN ||
		       x->op == SK_COP_INTERSECTS || x->op == SK_COP_EXISTS;
	case SK_FLD_EVT_DIR:
		return x->op == SK_COP_EQ || x->op == SK_COP_NE || x->op == SK_COP_IN ||
		       x->op == SK_COP_INTERSECTS || x->op == SK_COP_EXISTS;
	case SK_FLD_EVT_RES:
		/* a test over a finite set of renderings: a test of the return value */
		return x->op != SK_COP_LT && x->op != SK_COP_LE && x->op != SK_COP_GT &&
		       x->op != SK_COP_GE && x->op != SK_COP_REGEX && x->op != SK_COP_IGLOB &&
		       x->op != SK_COP_PMATCH && x->op != SK_COP_BCONTAINS && x->op != SK_COP_BSTARTSWITH &&
		       (x->op != SK_COP_NE || nv == 1);
	case SK_FLD_THREAD_CAP_EFFECTIVE:
	case SK_FLD_THREAD_CAP_PERMITTED:
	case SK_FLD_THREAD_CAP_INHERITABLE:
		/* a substring without a space lies within one name: a test of the set's bits */
		if (x->op == SK_COP_CONTAINS || x->op == SK_COP_ICONTAINS)
			return nv == 1 && vals[0].len && !memchr(vals[0].s, ' ', vals[0].len);
		return x->op == SK_COP_EXISTS;
	case SK_FLD_EVT_ARG_FLAGS:
		if (x->op == SK_COP_CONTAINS || x->op == SK_COP_ICONTAINS)
			return nv == 1 && !memchr(vals[0].s, '|', vals[0].len);
		return x->op == SK_COP_EQ || x->op == SK_COP_NE || x->op == SK_COP_IN ||
		       x->op == SK_COP_INTERSECTS || x->op == SK_COP_EXISTS;
	default:
		break;
	}
	switch (fi->type) {
	case SK_T_BOOL:
		return x->op == SK_COP_EQ || x->op == SK_COP_NE || x->op == SK_COP_IN ||
		       x->op == SK_COP_INTERSECTS || x->op == SK_COP_EXISTS;
	case SK_T_I64: case SK_T_U64: case SK_T_PORT: case SK_T_RELTIME: case SK_T_ABSTIME:
		return x->op == SK_COP_EQ || x->op == SK_COP_NE || x->op == SK_COP_LT || x->op == SK_COP_LE ||
		       x->op == SK_COP_GT || x->op == SK_COP_GE || x->op == SK_COP_IN ||
		       x->op == SK_COP_INTERSECTS || x->op == SK_COP_EXISTS;
	case SK_T_STR:
		switch (x->op) {
		case SK_COP_EXISTS:
			return true;
		case SK_COP_EQ: case SK_COP_NE: case SK_COP_STARTSWITH: case SK_COP_ENDSWITH:
			return nv == 1 && vals[0].len <= SAKER_STR_MAX;
		case SK_COP_IN: case SK_COP_INTERSECTS: case SK_COP_PMATCH:
			if (nv > max_inline_set())
				return false;
			for (size_t i = 0; i < nv; i++)
				if (vals[i].len >= SAKER_PAT_SIZE)
					return false;
			return true;
		case SK_COP_CONTAINS: case SK_COP_ICONTAINS:
			return nv == 1 && vals[0].len < SAKER_PAT_SIZE;
		case SK_COP_GLOB:
			return nv == 1 && vals[0].len < SAKER_PAT_SIZE &&
			       !glob_has_class_name(vals[0].s, vals[0].len);
		default:
			return false;
		}
	default:
		return false;
	}
}

/* ---- approximations ------------------------------------------------------------------------ */

static sk_cexpr *mk(sk_comp *c, enum sk_cexpr_kind kind)
{
	sk_cexpr *x = sk_arena_alloc(c->arena, sizeof(*x));
	x->kind = kind;
	return x;
}

static sk_cexpr *mk_const(sk_comp *c, bool v)
{
	sk_cexpr *x = mk(c, SK_C_CONST);
	x->value = v;
	return x;
}

/* An n-ary node of KIDS with constants folded and nested nodes of the same kind flattened. */
static sk_cexpr *mk_nary(sk_comp *c, enum sk_cexpr_kind kind, sk_cexpr **kids, size_t n)
{
	const bool absorbing = kind == SK_C_OR;
	sk_cexpr *x = mk(c, kind);
	for (size_t i = 0; i < n; i++) {
		sk_cexpr *k = kids[i];
		if (k->kind == SK_C_CONST) {
			if (k->value == absorbing)
				return mk_const(c, absorbing);
			continue;
		}
		if (k->kind == kind) {
			for (size_t j = 0; j < k->n_kids; j++)
				sk_arena_push(c->arena, (void ***)&x->kids, &x->n_kids, k->kids[j]);
			continue;
		}
		sk_arena_push(c->arena, (void ***)&x->kids, &x->n_kids, k);
	}
	if (x->n_kids == 0)
		return mk_const(c, !absorbing);
	if (x->n_kids == 1)
		return x->kids[0];
	return x;
}

static sk_cexpr *mk_not(sk_comp *c, sk_cexpr *kid)
{
	if (kid->kind == SK_C_CONST)
		return mk_const(c, !kid->value);
	if (kid->kind == SK_C_NOT)
		return kid->kids[0];
	sk_cexpr *x = mk(c, SK_C_NOT);
	sk_arena_push(c->arena, (void ***)&x->kids, &x->n_kids, kid);
	return x;
}

/* WEAKER: an expression the kernel can evaluate that E implies (a check the kernel cannot do
 * becomes true); otherwise one that implies E (it becomes false). With the missing-value rule
 * each kernel check gives exactly the evaluator's answer, so both are sound. */
static sk_cexpr *approx(sk_comp *c, const sk_cexpr *e, bool weaker)
{
	switch (e->kind) {
	case SK_C_CONST:
		return (sk_cexpr *)e;
	case SK_C_CHECK:
		return sk_plan_kernel_check(e) ? (sk_cexpr *)e : mk_const(c, weaker);
	case SK_C_NOT:
		return mk_not(c, approx(c, e->kids[0], !weaker));
	case SK_C_AND:
	case SK_C_OR: {
		sk_cexpr **kids = sk_arena_alloc(c->arena, (e->n_kids + 1) * sizeof(*kids));
		for (size_t i = 0; i < e->n_kids; i++)
			kids[i] = approx(c, e->kids[i], weaker);
		return mk_nary(c, e->kind, kids, e->n_kids);
	}
	}
	return mk_const(c, weaker);
}

/* Whether every check in E runs in the kernel. */
static bool exact(const sk_cexpr *e)
{
	if (e->kind == SK_C_CHECK)
		return sk_plan_kernel_check(e);
	for (size_t i = 0; i < e->n_kids; i++)
		if (!exact(e->kids[i]))
			return false;
	return true;
}

/* Whether E tests nothing but the event type (or nothing at all). */
static bool only_event_type(const sk_cexpr *e)
{
	if (e->kind == SK_C_CHECK)
		return e->lhs->kind == SK_CO_FIELD &&
		       (e->lhs->field == SK_FLD_EVT_TYPE || e->lhs->field == SK_FLD_EVT_DIR);
	for (size_t i = 0; i < e->n_kids; i++)
		if (!only_event_type(e->kids[i]))
			return false;
	return true;
}

/* ---- file identity --------------------------------------------------------------------------- */

/* A rule about a file matches the file by any name (docs/kernel.md, "File identity"): each
 * absolute path P a check "fd.name = P" or "fd.name in (..., P, ...)" names becomes a watched
 * path N, and the check C becomes C or fd.watch_id in (N...). sakerd resolves the watched paths
 * to the files they name (device and inode) and keeps them current; the kernel looks the opened
 * file up among them. So a hard link, a bind mount, another mount namespace, a chroot or a
 * container volume reaching the same file match, while fd.name stays the name the process used. */
static int watch_index(sk_comp *c, const char *s, size_t len)
{
	if (!len || s[0] != '/' || len > SAKER_STR_MAX || memchr(s, '\n', len) || memchr(s, 0, len))
		return -1;
	for (size_t i = 0; i < c->n_watch; i++)
		if (strlen(c->watch[i]) == len && !memcmp(c->watch[i], s, len))
			return (int)i;
	if (c->n_watch >= SAKER_WATCH_MAX)
		return -1;
	char *copy = sk_arena_alloc(c->arena, len + 1);
	memcpy(copy, s, len);
	copy[len] = 0;
	sk_arena_push(c->arena, (void ***)&c->watch, &c->n_watch, copy);
	return (int)c->n_watch - 1;
}

static sk_cexpr *same_file(sk_comp *c, sk_cexpr *e)
{
	switch (e->kind) {
	case SK_C_CONST:
		return e;
	case SK_C_NOT:
	case SK_C_AND:
	case SK_C_OR: {
		sk_cexpr **kids = sk_arena_alloc(c->arena, (e->n_kids + 1) * sizeof(*kids));
		bool changed = false;
		for (size_t i = 0; i < e->n_kids; i++) {
			kids[i] = same_file(c, e->kids[i]);
			changed |= kids[i] != e->kids[i];
		}
		if (!changed)
			return e;
		if (e->kind == SK_C_NOT)
			return mk_not(c, kids[0]);
		return mk_nary(c, e->kind, kids, e->n_kids);
	}
	case SK_C_CHECK:
		break;
	}
	const sk_copnd *l = e->lhs, *r = e->rhs;
	if (!l || l->kind != SK_CO_FIELD || l->field != SK_FLD_FD_NAME || l->arg || !r ||
	    e->mod != SK_CMOD_NONE || (e->op != SK_COP_EQ && e->op != SK_COP_IN) ||
	    (r->kind != SK_CO_CONST && r->kind != SK_CO_LIST))
		return e;
	const size_t nv = r->kind == SK_CO_LIST ? r->n_items : 1;
	const sk_cval *vals = r->kind == SK_CO_LIST ? r->items : &r->v;
	sk_cval *ids = sk_arena_alloc(c->arena, (nv + 1) * sizeof(*ids));
	size_t n = 0;
	for (size_t i = 0; i < nv; i++) {
		int id = vals[i].kind == SK_CV_STR ? watch_index(c, vals[i].s, vals[i].len) : -1;
		if (id < 0)
			continue;
		memset(&ids[n], 0, sizeof(ids[n]));
		ids[n].kind = SK_CV_INT;
		ids[n].i = id;
		n++;
	}
	if (!n)
		return e;
	sk_cexpr *x = mk(c, SK_C_CHECK);
	sk_copnd *lf = sk_arena_alloc(c->arena, sizeof(*lf)), *rv = sk_arena_alloc(c->arena, sizeof(*rv));
	lf->kind = SK_CO_FIELD;
	lf->type = SK_T_I64;
	lf->field = SK_FLD_FD_WATCH_ID;
	lf->arg_index = -1;
	rv->kind = SK_CO_LIST;
	rv->type = SK_T_I64;
	rv->items = ids;
	rv->n_items = n;
	x->op = SK_COP_IN;
	x->mod = SK_CMOD_NONE;
	x->lhs = lf;
	x->rhs = rv;
	x->src_file = e->src_file;
	x->src_off = e->src_off;
	x->src_len = e->src_len;
	sk_cexpr *alt[2] = { e, x };
	return mk_nary(c, SK_C_OR, alt, 2);
}

/* ---- cut paths ------------------------------------------------------------------------------- */

/* A path the kernel cannot finish (too long, too deep, too many mounts) is never a value a rule
 * can match as if whole: it starts with SAKER_CUT_MARK, which no whole path does, and
 * fd.name_cut is true. What it would have matched is unknown, so a conjunct testing the path
 * "may match": C becomes C or (fd.name_cut and C+), where C+ is C with each path test made
 * true where it counts for C (under an even number of nots) and false under an odd one. C+ holds
 * whenever some value of the path would make C hold, so no event is lost to a cut, and on whole
 * paths (fd.name_cut false) the rule is what it was. The same rewrite runs wherever the rule
 * is evaluated, kernel and residual alike: it is part of the condition. */
static bool is_path_field(int f)
{
	return f == SK_FLD_FD_NAME || f == SK_FLD_FD_DIRECTORY;
}

static bool operand_has_path(const sk_copnd *o)
{
	if (!o)
		return false;
	if (o->kind == SK_CO_FIELD && is_path_field(o->field))
		return true;
	for (size_t i = 0; i < o->n_args; i++)
		if (operand_has_path(o->args[i]))
			return true;
	return false;
}

static bool has_path(const sk_cexpr *e)
{
	if (e->kind == SK_C_CHECK)
		return operand_has_path(e->lhs) || operand_has_path(e->rhs);
	for (size_t i = 0; i < e->n_kids; i++)
		if (has_path(e->kids[i]))
			return true;
	return false;
}

/* E+ (above); NEG: E sits under an odd number of nots. */
static sk_cexpr *may_match(sk_comp *c, const sk_cexpr *e, bool neg)
{
	switch (e->kind) {
	case SK_C_CONST:
		return (sk_cexpr *)e;
	case SK_C_CHECK:
		return has_path(e) ? mk_const(c, !neg) : (sk_cexpr *)e;
	case SK_C_NOT:
		return mk_not(c, may_match(c, e->kids[0], !neg));
	case SK_C_AND:
	case SK_C_OR: {
		sk_cexpr **kids = sk_arena_alloc(c->arena, (e->n_kids + 1) * sizeof(*kids));
		for (size_t i = 0; i < e->n_kids; i++)
			kids[i] = may_match(c, e->kids[i], neg);
		return mk_nary(c, e->kind, kids, e->n_kids);
	}
	}
	return (sk_cexpr *)e;
}

/* fd.name_cut = true */
static sk_cexpr *cut_check(sk_comp *c)
{
	sk_cexpr *x = mk(c, SK_C_CHECK);
	sk_copnd *l = sk_arena_alloc(c->arena, sizeof(*l)), *r = sk_arena_alloc(c->arena, sizeof(*r));
	l->kind = SK_CO_FIELD;
	l->type = SK_T_BOOL;
	l->field = SK_FLD_FD_NAME_CUT;
	l->arg_index = -1;
	r->kind = SK_CO_CONST;
	r->type = SK_T_BOOL;
	r->v.kind = SK_CV_BOOL;
	r->v.b = true;
	x->op = SK_COP_EQ;
	x->mod = SK_CMOD_NONE;
	x->lhs = l;
	x->rhs = r;
	return x;
}

/* The rule's condition with each top-level conjunct that tests a path rewritten (above): the
 * split into kernel part and residual keeps its shape. */
static sk_cexpr *cut_paths(sk_comp *c, sk_cexpr *e)
{
	sk_cexpr *const *conj = e->kind == SK_C_AND ? e->kids : (sk_cexpr *const *)&e;
	size_t n = e->kind == SK_C_AND ? e->n_kids : 1;
	sk_cexpr **out = sk_arena_alloc(c->arena, (n + 1) * sizeof(*out));
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		out[i] = conj[i];
		if (!has_path(conj[i]))
			continue;
		sk_cexpr *plus = may_match(c, conj[i], false);
		if (plus->kind == SK_C_CONST && !plus->value)
			continue; /* no value of the path makes it hold */
		sk_cexpr *both[2] = { cut_check(c), plus };
		sk_cexpr *alt[2] = { conj[i], mk_nary(c, SK_C_AND, both, 2) };
		out[i] = mk_nary(c, SK_C_OR, alt, 2);
		any = true;
	}
	if (!any)
		return e;
	if (n == 1)
		return out[0];
	sk_cexpr *x = mk(c, SK_C_AND);
	for (size_t i = 0; i < n; i++)
		sk_arena_push(c->arena, (void ***)&x->kids, &x->n_kids, out[i]);
	return x;
}

/* ---- event sets ------------------------------------------------------------------------------ */

#define SS_WORDS ((SK_EV__COUNT + 63) / 64)
struct sset {
	uint64_t b[SS_WORDS]; /* bit i: event i of events.def */
};

static struct sset ss_fill(bool v)
{
	struct sset s;
	memset(&s, 0, sizeof(s));
	for (unsigned i = 0; v && i < SK_EV__COUNT; i++)
		s.b[i / 64] |= 1ULL << (i % 64);
	return s;
}

static bool ss_has(const struct sset *s, unsigned i)
{
	return (s->b[i / 64] >> (i % 64)) & 1;
}

/* The events whose names are among the values of evt.type check X. */
static struct sset ss_values(const sk_cexpr *x)
{
	struct sset s = ss_fill(false);
	const sk_copnd *r = x->rhs;
	size_t n = r ? (r->kind == SK_CO_LIST ? r->n_items : 1) : 0;
	const sk_cval *v = r ? (r->kind == SK_CO_LIST ? r->items : &r->v) : NULL;
	for (size_t i = 0; i < n; i++) {
		char name[64];
		if (v[i].kind != SK_CV_STR || v[i].len >= sizeof(name))
			continue;
		memcpy(name, v[i].s, v[i].len);
		name[v[i].len] = 0;
		int ev = sk_event_lookup(name);
		if (ev >= 0)
			s.b[ev / 64] |= 1ULL << (ev % 64);
	}
	return s;
}

/* The events E can match, as Falco infers them (falco/GRAMMAR.md §8.3): and intersects, or
 * unites, not is pushed to the leaves, checks on other fields are neutral (every event). NEG:
 * E sits under an odd number of nots. */
static struct sset infer(const sk_cexpr *e, bool neg)
{
	switch (e->kind) {
	case SK_C_CONST:
		return ss_fill(e->value != neg);
	case SK_C_AND:
	case SK_C_OR: {
		bool inter = (e->kind == SK_C_AND) != neg;
		struct sset s = ss_fill(inter);
		for (size_t i = 0; i < e->n_kids; i++) {
			struct sset k = infer(e->kids[i], neg);
			for (int w = 0; w < SS_WORDS; w++)
				s.b[w] = inter ? s.b[w] & k.b[w] : s.b[w] | k.b[w];
		}
		return s;
	}
	case SK_C_NOT:
		return infer(e->kids[0], !neg);
	case SK_C_CHECK: {
		if (e->lhs->kind != SK_CO_FIELD || e->lhs->field != SK_FLD_EVT_TYPE || !e->rhs ||
		    (e->rhs->kind != SK_CO_CONST && e->rhs->kind != SK_CO_LIST))
			return ss_fill(true);
		bool positive = e->op == SK_COP_EQ || e->op == SK_COP_IN || e->op == SK_COP_INTERSECTS;
		if (!positive && e->op != SK_COP_NE)
			return ss_fill(true);
		struct sset s = ss_values(e);
		if (positive == neg) {
			struct sset all = ss_fill(true);
			for (int w = 0; w < SS_WORDS; w++)
				s.b[w] = all.b[w] & ~s.b[w];
		}
		return s;
	}
	}
	return ss_fill(true);
}

/* ---- captures ------------------------------------------------------------------------------- */

static void add_capture(sk_comp *c, sk_rule *r, int field)
{
	if (sk_field_resolved_ip(field) >= 0)
		field = sk_field_resolved_ip(field); /* sakerd tests or names the address */
	enum sk_where w = sk_fields[field].where;
	if (w != SK_W_KERNEL && w != SK_W_CAPTURE)
		return; /* user-space fields come from the record's header and sakerd */
	for (size_t i = 0; i < r->n_captures; i++)
		if (r->captures[i] == field)
			return;
	int *nv = sk_arena_alloc(c->arena, (r->n_captures + 1) * sizeof(*nv));
	size_t i = 0;
	for (; i < r->n_captures && r->captures[i] < field; i++)
		nv[i] = r->captures[i];
	nv[i] = field;
	for (; i < r->n_captures; i++)
		nv[i + 1] = r->captures[i];
	r->captures = nv;
	r->n_captures++;
}

static void capture_operand(sk_comp *c, sk_rule *r, const sk_copnd *o)
{
	if (!o)
		return;
	if (o->kind == SK_CO_FIELD)
		add_capture(c, r, o->field);
	for (size_t i = 0; i < o->n_args; i++)
		capture_operand(c, r, o->args[i]);
}

static void capture_expr(sk_comp *c, sk_rule *r, const sk_cexpr *e)
{
	if (e->kind == SK_C_CHECK) {
		capture_operand(c, r, e->lhs);
		capture_operand(c, r, e->rhs);
	}
	for (size_t i = 0; i < e->n_kids; i++)
		capture_expr(c, r, e->kids[i]);
}

/* ---- the pass ------------------------------------------------------------------------------- */

static void need_event(sk_comp *c, sk_rule *r, int ev)
{
	sk_missing *nv = sk_arena_alloc(c->arena, (r->n_missing + 1) * sizeof(*nv));
	if (r->n_missing)
		memcpy(nv, r->missing, r->n_missing * sizeof(*nv));
	nv[r->n_missing++] = (sk_missing){ sk_events[ev].name, true, r->item->cond_span };
	r->missing = nv;
}

/* Splits R's condition into K and the residual (see the file comment). A conjunct the kernel
 * decides exactly stays out of the residual; any other is kept whole in the residual and its
 * kernel approximation joins K. */
static void split(sk_comp *c, sk_rule *r)
{
	const sk_cexpr *e = r->cond;
	sk_cexpr *const *conj = e->kind == SK_C_AND ? e->kids : (sk_cexpr *const *)&e;
	size_t n = e->kind == SK_C_AND ? e->n_kids : 1;
	sk_cexpr **k = sk_arena_alloc(c->arena, (n + 1) * sizeof(*k));
	sk_cexpr **res = sk_arena_alloc(c->arena, (n + 1) * sizeof(*res));
	size_t nk = 0, nr = 0;
	for (size_t i = 0; i < n; i++) {
		if (exact(conj[i])) {
			k[nk++] = conj[i];
		} else {
			k[nk++] = approx(c, conj[i], true);
			res[nr++] = conj[i];
		}
	}
	r->kernel = mk_nary(c, SK_C_AND, k, nk);
	r->residual = nr ? mk_nary(c, SK_C_AND, res, nr) : NULL;
	if (r->residual && r->residual->kind == SK_C_CONST && r->residual->value)
		r->residual = NULL;
	if (!r->residual)
		r->plan = SAKER_PLAN_EXACT;
	else if (only_event_type(r->kernel))
		r->plan = SAKER_PLAN_USER;
	else
		r->plan = SAKER_PLAN_PARTIAL;
}

/* One warning for a rule left out, naming what it needs: the fields first (where the rule
 * first uses one), then the events. */
static void leave_out(sk_comp *c, sk_rule *r)
{
	char fields[512] = "", events[512] = "", hooked[256] = "";
	size_t nf = 0, ne = 0, pf = 0, pe = 0, ph = 0;
	sk_span at = r->item->cond_span;
	for (size_t i = 0; i < r->n_missing; i++) {
		const sk_missing *m = &r->missing[i];
		if (m->event) {
			if (ne++ < 6 && pe < sizeof(events))
				pe += (size_t)snprintf(events + pe, sizeof(events) - pe, "%s'%s'", ne > 1 ? ", " : "", m->what);
			continue;
		}
		if (!nf)
			at = m->at;
		if (nf++ < 8 && pf < sizeof(fields))
			pf += (size_t)snprintf(fields + pf, sizeof(fields) - pf, "%s'%s'", nf > 1 ? ", " : "", m->what);
	}
	if (nf > 8 && pf < sizeof(fields))
		snprintf(fields + pf, sizeof(fields) - pf, " and %zu more", nf - 8);
	if (ne > 6 && pe < sizeof(events))
		snprintf(events + pe, sizeof(events) - pe, " and %zu more", ne - 6);
	for (unsigned ev = 0; ev < SK_EV__COUNT && ph < sizeof(hooked); ev++)
		if (sk_events[ev].family != SK_FAM_NONE)
			ph += (size_t)snprintf(hooked + ph, sizeof(hooked) - ph, "%s%s", ph ? ", " : "", sk_events[ev].name);
	if (nf)
		sk_warning(c->diag, at, "unsupported", "rule '%s' is left out: saker does not compute %s %s yet",
			   r->item->name, nf > 1 ? "fields" : "field", fields);
	if (ne > 100)
		sk_warning(c->diag, r->item->cond_span, "unsupported",
			   "rule '%s' is left out: it does not restrict evt.type, so it can match %zu kinds of "
			   "events that saker does not capture yet", r->item->name, ne);
	else if (ne)
		sk_warning(c->diag, r->item->cond_span, "unsupported",
			   "rule '%s' is left out: it can match %s %s, which saker does not capture yet",
			   r->item->name, ne > 1 ? "events" : "event", events);
	if (ne)
		sk_note(c->diag, r->item->cond_span, "saker captures %s", hooked);
	sk_arena_push(c->arena, (void ***)&c->left_out, &c->n_left_out, r);
}

/* The LSM hook that can refuse event EV, as a bit of sk_rule_deny_hooks' table, or 0. */
static unsigned deny_hook(int ev)
{
	if (sk_events[ev].family == SK_FAM_OPEN)
		return 1; /* lsm/file_open */
	if (ev == SK_EV_CONNECT)
		return 2; /* lsm/socket_connect */
	if (sk_events[ev].family == SK_FAM_EXEC)
		return 4; /* lsm/bprm_creds_from_file */
	return 0;
}

int sk_rule_not_deniable(const sk_rule *r)
{
	for (size_t k = 0; k < r->n_syscalls; k++)
		if (!deny_hook(r->syscalls[k]))
			return r->syscalls[k];
	return -1;
}

const char *sk_rule_deny_hooks(const sk_rule *r)
{
	static const char *const hooks[8] = {
		"", "lsm/file_open", "lsm/socket_connect", "lsm/file_open, lsm/socket_connect",
		"lsm/bprm_creds_from_file", "lsm/file_open, lsm/bprm_creds_from_file",
		"lsm/socket_connect, lsm/bprm_creds_from_file",
		"lsm/file_open, lsm/socket_connect, lsm/bprm_creds_from_file",
	};
	unsigned h = 0;

	for (size_t k = 0; k < r->n_syscalls; k++)
		h |= deny_hook(r->syscalls[k]);
	return hooks[h];
}

int sk_plan(sk_comp *c)
{
	sk_rule **keep = sk_arena_alloc(c->arena, (c->n_rules + 1) * sizeof(*keep));
	size_t n_keep = 0;

	for (size_t i = 0; i < c->n_rules; i++) {
		sk_rule *r = c->rules[i];
		struct sset s = infer(r->cond, false);
		size_t n = 0;
		for (unsigned ev = 0; ev < SK_EV__COUNT; ev++) {
			if (!ss_has(&s, ev))
				continue;
			n++;
			if (sk_events[ev].family == SK_FAM_NONE)
				need_event(c, r, (int)ev);
		}
		r->syscalls = sk_arena_alloc(c->arena, (n + 1) * sizeof(int));
		r->n_syscalls = 0;
		for (unsigned ev = 0; ev < SK_EV__COUNT; ev++)
			if (ss_has(&s, ev))
				r->syscalls[r->n_syscalls++] = (int)ev;
		if (r->n_missing) {
			leave_out(c, r);
			continue;
		}
		r->cond = cut_paths(c, same_file(c, r->cond));
		split(c, r);
		/* Enforcement happens where the rule is decided: only a rule the kernel decides
		 * whole can act before the process runs on. */
		if (r->item->action != SAKER_ACTION_ALERT && r->plan != SAKER_PLAN_EXACT) {
			sk_span at = r->item->action_span.file ? r->item->action_span : r->item->name_span;
			sk_error(c->diag, at, "bad-action",
				 "rule '%s': action '%s' needs a rule decided wholly in the kernel, and this one is %s "
				 "(sakerd tests part of it after the event)",
				 r->item->name, saker_action_names[r->item->action],
				 r->plan == SAKER_PLAN_PARTIAL ? "partial" : "user");
		} else if (r->item->action == SAKER_ACTION_DENY && sk_rule_not_deniable(r) >= 0) {
			/* the LSM back end refuses opens, connects and execs only (lsm/file_open,
			 * lsm/socket_connect, lsm/bprm_creds_from_file; docs/kernel.md) */
			sk_span at = r->item->action_span.file ? r->item->action_span : r->item->name_span;
			sk_error(c->diag, at, "bad-action",
				 "rule '%s': action 'deny' can refuse only opens (open, openat, openat2, "
				 "creat, open_by_handle_at), connects and execs (execve, execveat), and this "
				 "rule also runs on %s",
				 r->item->name, sk_events[sk_rule_not_deniable(r)].name);
		}
		if (r->residual)
			capture_expr(c, r, r->residual);
		for (size_t g = 0; g < r->n_segs; g++)
			if (r->segs[g].field >= 0)
				add_capture(c, r, r->segs[g].field);
		keep[n_keep++] = r;
	}
	c->rules = keep;
	c->n_rules = n_keep;
	return 0;
}
