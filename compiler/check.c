/* Checker: resolves fields, checks operators and values against field types, and lowers each
 * rule's expanded condition to an sk_pred with its syscall set; also parses the outputs. */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "saker/event.h"
#include "saker/fields.h"

#define O_ACC_MASK 3u
#define O_CREAT_BIT 0100u

/* ---- suggestions ---- */

size_t sk_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = malloc((lb + 1) * sizeof(*row));
	if (!row)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}

const char *sk_nearest(const char *name, const char *const *names, size_t n)
{
	size_t len = strlen(name), limit = len <= 4 ? 1 : len <= 8 ? 2 : len / 3;
	size_t best = (size_t)-1;
	const char *pick = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!names[i] || !strcmp(names[i], name))
			continue;
		size_t d = sk_edit_distance(name, names[i]);
		if (d < best) {
			best = d;
			pick = names[i];
		}
	}
	return best <= limit ? pick : NULL;
}

const char *sk_field_suggest(const char *name)
{
	const char *names[SK_FLD__COUNT];
	size_t len = strlen(name);
	/* "evt.user.name": a real field behind an extra prefix. */
	for (int f = 0; f < SK_FLD__COUNT; f++) {
		size_t n = strlen(sk_fields[f].name);
		if (len > n && name[len - n - 1] == '.' && !strcmp(name + len - n, sk_fields[f].name))
			return sk_fields[f].name;
	}
	/* the fields saker computes first: they are what a rule author most likely meant */
	for (int f = 0; f < SK_FLD__COUNT; f++)
		names[f] = sk_fields[f].where != SK_W_NONE ? sk_fields[f].name : NULL;
	const char *fix = sk_nearest(name, names, SK_FLD__COUNT);
	if (fix)
		return fix;
	for (int f = 0; f < SK_FLD__COUNT; f++)
		names[f] = sk_fields[f].name;
	return sk_nearest(name, names, SK_FLD__COUNT);
}

/* ---- reporting ---- */

struct ck {
	sk_comp *c;
	sk_item *rule;     /* the rule being checked */
	int failed;        /* it had an error */
	sk_span *seen;     /* errors already reported (a macro used by many rules reports once) */
	size_t n_seen, cap_seen;
	const char **errno_names;
	size_t n_errno_names;
};

static int already(struct ck *k, sk_span at, enum sk_severity sev)
{
	for (size_t i = 0; i < k->n_seen; i++)
		if (k->seen[i].file == at.file && k->seen[i].off == at.off && k->seen[i].len == (at.len ^ sev))
			return 1;
	if (k->n_seen == k->cap_seen) {
		size_t ncap = k->cap_seen ? k->cap_seen * 2 : 32;
		sk_span *ns = sk_arena_alloc(k->c->arena, ncap * sizeof(*ns));
		if (k->n_seen)
			memcpy(ns, k->seen, k->n_seen * sizeof(*ns));
		k->seen = ns;
		k->cap_seen = ncap;
	}
	k->seen[k->n_seen++] = (sk_span){ at.file, at.off, at.len ^ sev };
	return 0;
}

static void origin_notes(struct ck *k, const sk_origin *o)
{
	for (; o; o = o->up) {
		unsigned line, col;
		sk_diag_position(k->c->diag, o->def, &line, &col);
		sk_note(k->c->diag, o->use, "in macro '%s' defined at %s:%u:%u", o->macro,
			sk_diag_file_name(k->c->diag, o->def.file), line, col);
	}
}

static void report(struct ck *k, enum sk_severity sev, const sk_expr *e, sk_span at, const char *code,
		   const char *note, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Reports once per location; NOTE (or NULL) follows the message, then the macro chain. */
static void report(struct ck *k, enum sk_severity sev, const sk_expr *e, sk_span at, const char *code,
		   const char *note, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	if (sev == SK_ERROR)
		k->failed = 1;
	if (e && e->origin && already(k, at, sev))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sk_diag_report(k->c->diag, sev, at, code, "%s", msg);
	if (note)
		sk_note(k->c->diag, at, "%s", note);
	if (e)
		origin_notes(k, e->origin);
}

#define CK_ERR(k, e, at, code, ...) report(k, SK_ERROR, e, at, code, NULL, __VA_ARGS__)
#define CK_WARN(k, e, at, code, ...) report(k, SK_WARNING, e, at, code, NULL, __VA_ARGS__)

static const char *user_space_only = "needs user-space evaluation, which is not supported yet";

/* ---- predicate building ---- */

static sk_pred *mk(struct ck *k, enum sk_pred_kind kind, const sk_expr *e)
{
	sk_pred *p = sk_pred_new(k->c->arena, kind);
	p->span = e->span;
	p->origin = e->origin;
	return p;
}

static sk_pred *mk_const(struct ck *k, const sk_expr *e, int v)
{
	sk_pred *p = mk(k, SK_P_CONST, e);
	p->value = v;
	return p;
}

static sk_pred *mk_int(struct ck *k, const sk_expr *e, int field, uint64_t mask, enum sk_cmp cmp, int64_t v)
{
	sk_pred *p = mk(k, SK_P_INT, e);
	p->field = field;
	p->mask = mask;
	p->cmp = cmp;
	p->ival = v;
	return p;
}

static void add_ival(struct ck *k, sk_pred *p, int64_t v)
{
	int64_t *nv = sk_arena_alloc(k->c->arena, (p->n_ivals + 1) * sizeof(*nv));
	if (p->n_ivals)
		memcpy(nv, p->ivals, p->n_ivals * sizeof(*nv));
	nv[p->n_ivals++] = v;
	p->ivals = nv;
}

static sk_pred *mk_int_in(struct ck *k, const sk_expr *e, int field, uint64_t mask, const int64_t *v, size_t n)
{
	sk_pred *p = mk_int(k, e, field, mask, SK_CMP_IN, 0);
	for (size_t i = 0; i < n; i++)
		add_ival(k, p, v[i]);
	return p;
}

/* "The field has a value": every leaf is false without one, so a test that always holds. */
static sk_pred *mk_exists(struct ck *k, const sk_expr *e, int field)
{
	if (sk_fields[field].type == SK_T_STR) {
		sk_pred *p = mk(k, SK_P_STR, e);
		p->field = field;
		p->cmp = SK_CMP_PREFIX;
		p->strs = sk_arena_alloc(k->c->arena, sizeof(*p->strs));
		p->str_lens = sk_arena_alloc(k->c->arena, sizeof(*p->str_lens));
		p->strs[0] = "";
		p->n_strs = 1;
		return p;
	}
	return mk_int(k, e, field, 0, SK_CMP_EQ, 0);
}

static sk_pred *mk_nary(struct ck *k, enum sk_pred_kind kind, const sk_expr *e, sk_pred **kids, size_t n)
{
	/* Fold constants and flatten nested nodes of the same kind. */
	int absorbing = kind == SK_P_OR;
	sk_pred *p = mk(k, kind, e);
	for (size_t i = 0; i < n; i++) {
		sk_pred *kid = kids[i];
		if (kid->kind == SK_P_CONST) {
			if (kid->value == absorbing)
				return mk_const(k, e, absorbing);
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
		return mk_const(k, e, !absorbing);
	if (p->n_kids == 1)
		return p->kids[0];
	return p;
}

static sk_pred *mk_not(struct ck *k, const sk_expr *e, sk_pred *kid)
{
	if (kid->kind == SK_P_CONST)
		return mk_const(k, e, !kid->value);
	if (kid->kind == SK_P_NOT)
		return kid->kids[0];
	sk_pred *p = mk(k, SK_P_NOT, e);
	sk_arena_push(k->c->arena, (void ***)&p->kids, &p->n_kids, kid);
	return p;
}

/* ---- values ---- */

/* The values a check compares against: one, or a list's items. */
struct vals {
	sk_operand *const *v;
	size_t n;
};

static struct vals values_of(sk_operand *const *rhs)
{
	struct vals r = { NULL, 0 };
	if (!*rhs)
		return r;
	if ((*rhs)->kind == SK_OPD_LIST) {
		r.v = (*rhs)->items;
		r.n = (*rhs)->n_items;
	} else {
		r.v = rhs;
		r.n = 1;
	}
	return r;
}

static size_t vlen(const sk_operand *o)
{
	return o->text_len ? o->text_len : strlen(o->text);
}

static int parse_int(const char *s, int64_t *out)
{
	int neg = 0;
	unsigned long long v = 0;
	const char *p = s;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
		if (!*p)
			return -1;
		for (; *p; p++) {
			unsigned d = (*p >= '0' && *p <= '9') ? (unsigned)(*p - '0') :
				     (*p >= 'a' && *p <= 'f') ? (unsigned)(*p - 'a' + 10) :
				     (*p >= 'A' && *p <= 'F') ? (unsigned)(*p - 'A' + 10) : 16;
			if (d > 15 || v > (~0ULL >> 4))
				return -1;
			v = v * 16 + d;
		}
	} else {
		if (!*p)
			return -1;
		for (; *p; p++) {
			if (*p < '0' || *p > '9' || v > (~0ULL - 9) / 10)
				return -1;
			v = v * 10 + (unsigned)(*p - '0');
		}
	}
	if (v > (unsigned long long)INT64_MAX)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

static enum sk_cmp cmp_of(enum sk_op op)
{
	switch (op) {
	case SK_OP_NE: return SK_CMP_NE;
	case SK_OP_LT: return SK_CMP_LT;
	case SK_OP_LE: return SK_CMP_LE;
	case SK_OP_GT: return SK_CMP_GT;
	case SK_OP_GE: return SK_CMP_GE;
	case SK_OP_IN: case SK_OP_INTERSECTS: return SK_CMP_IN;
	case SK_OP_CONTAINS: return SK_CMP_CONTAINS;
	case SK_OP_ICONTAINS: return SK_CMP_ICONTAINS;
	case SK_OP_STARTSWITH: return SK_CMP_PREFIX;
	case SK_OP_ENDSWITH: return SK_CMP_SUFFIX;
	case SK_OP_GLOB: return SK_CMP_GLOB;
	case SK_OP_PMATCH: return SK_CMP_PMATCH;
	default: return SK_CMP_EQ;
	}
}

static int is_list_op(enum sk_op op)
{
	return op == SK_OP_IN || op == SK_OP_INTERSECTS || op == SK_OP_PMATCH;
}

static int is_eq(enum sk_op op)
{
	return op == SK_OP_EQ || op == SK_OP_EQEQ;
}

static void op_unsupported(struct ck *k, const sk_expr *e, int f, const char *why)
{
	CK_ERR(k, e, e->op_span, "bad-operator", "'%s' is not supported on %s field '%s'%s",
	       sk_op_names[e->op], sk_fields[f].type == SK_T_STR ? "string" : sk_fields[f].type == SK_T_BOOL ? "boolean" : "numeric",
	       sk_fields[f].name, why);
}

/* ---- special fields ---- */

static sk_pred *lower_evt_type(struct ck *k, const sk_expr *e, struct vals vs)
{
	if (e->op == SK_OP_EXISTS)
		return mk_const(k, e, 1);
	if (!is_eq(e->op) && e->op != SK_OP_NE && e->op != SK_OP_IN && e->op != SK_OP_INTERSECTS) {
		op_unsupported(k, e, SK_FLD_EVT_TYPE, " yet (use =, != or in with syscall names)");
		return NULL;
	}
	sk_pred *p = mk(k, SK_P_SYSCALL, e);
	int bad = 0;
	for (size_t i = 0; i < vs.n; i++) {
		const char *name = vs.v[i]->text;
		int nr = sk_event_lookup(name);
		if (nr < 0) {
			const char *names[SK_EV__COUNT];
			for (unsigned s = 0; s < SK_EV__COUNT; s++)
				names[s] = sk_events[s].name;
			const char *fix = sk_nearest(name, names, SK_EV__COUNT);
			char note[200];
			if (fix)
				snprintf(note, sizeof(note), "did you mean '%s'?", fix);
			report(k, SK_ERROR, e, vs.v[i]->span, "unknown-syscall", fix ? note : NULL,
			       "'%s' is not a syscall saker knows (evt.type takes syscall names such as openat)", name);
			bad = 1;
			continue;
		}
		size_t j = 0;
		while (j < p->n_ivals && p->ivals[j] < nr)
			j++;
		if (j < p->n_ivals && p->ivals[j] == nr)
			continue;
		add_ival(k, p, 0);
		memmove(p->ivals + j + 1, p->ivals + j, (p->n_ivals - 1 - j) * sizeof(*p->ivals));
		p->ivals[j] = nr;
	}
	if (bad)
		return NULL;
	if (p->n_ivals == 0)
		p = mk_const(k, e, 0);
	return e->op == SK_OP_NE ? mk_not(k, e, p) : p;
}

static sk_pred *lower_evt_dir(struct ck *k, const sk_expr *e, struct vals vs)
{
	int any = 0, bad = 0;
	if (e->op == SK_OP_EXISTS)
		return mk_const(k, e, 1);
	if (!is_eq(e->op) && e->op != SK_OP_NE && e->op != SK_OP_IN && e->op != SK_OP_INTERSECTS) {
		op_unsupported(k, e, SK_FLD_EVT_DIR, " (use evt.dir = '<', or leave it out)");
		return NULL;
	}
	for (size_t i = 0; i < vs.n; i++) {
		const char *v = vs.v[i]->text;
		if (!strcmp(v, "<")) {
			any = 1;
		} else if (strcmp(v, ">")) {
			CK_ERR(k, e, vs.v[i]->span, "bad-value", "'%s' is not a value of evt.dir (use '<' for syscall exit)", v);
			bad = 1;
		}
	}
	if (bad)
		return NULL;
	/* Every event is a syscall exit: '<' always holds, '>' never does. */
	return mk_const(k, e, e->op == SK_OP_NE ? !any : any);
}

static const char *const *errno_names(struct ck *k, size_t *n)
{
	if (!k->errno_names) {
		for (int v = 1; v < 200; v++) {
			const char *s = sk_errno_name(v);
			if (s)
				sk_arena_push(k->c->arena, (void ***)&k->errno_names, &k->n_errno_names, (void *)s);
		}
	}
	*n = k->n_errno_names;
	return k->errno_names;
}

/* A string test on evt.res is a test over a finite set of renderings (SUCCESS and the errno
 * names), so it becomes a test of the return value. */
static int str_matches(enum sk_op op, const char *v, const char *x)
{
	size_t lv = strlen(v), lx = strlen(x);
	switch (op) {
	case SK_OP_STARTSWITH: return !strncmp(v, x, lx);
	case SK_OP_ENDSWITH: return lv >= lx && !strcmp(v + lv - lx, x);
	case SK_OP_CONTAINS: return strstr(v, x) != NULL;
	case SK_OP_ICONTAINS: return strcasestr(v, x) != NULL;
	default: return fnmatch(x, v, 0) == 0;
	}
}

static sk_pred *res_match(struct ck *k, const sk_expr *e, const char *x)
{
	int f = SK_FLD_EVT_RAWRES, success = str_matches(e->op, "SUCCESS", x);
	size_t n_names, n = 0;
	const char *const *names = errno_names(k, &n_names);
	int64_t *errs = sk_arena_alloc(k->c->arena, (n_names + 1) * sizeof(*errs));
	for (size_t i = 0; i < n_names; i++)
		if (str_matches(e->op, names[i], x))
			errs[n++] = -sk_errno_value(names[i]);
	sk_pred *kids[2];
	size_t nk = 0;
	if (success)
		kids[nk++] = mk_int(k, e, f, ~(uint64_t)0, SK_CMP_GE, 0);
	if (n == n_names)
		kids[nk++] = mk_int(k, e, f, ~(uint64_t)0, SK_CMP_LT, 0); /* every failure */
	else if (n == 1)
		kids[nk++] = mk_int(k, e, f, ~(uint64_t)0, SK_CMP_EQ, errs[0]);
	else if (n)
		kids[nk++] = mk_int_in(k, e, f, ~(uint64_t)0, errs, n);
	return mk_nary(k, SK_P_OR, e, kids, nk);
}

static sk_pred *lower_evt_res(struct ck *k, const sk_expr *e, struct vals vs)
{
	int f = SK_FLD_EVT_RAWRES, success = 0, bad = 0;
	int64_t errs[64];
	size_t n_errs = 0;
	if (e->op == SK_OP_EXISTS)
		return mk_exists(k, e, f);
	if (e->op == SK_OP_STARTSWITH || e->op == SK_OP_ENDSWITH || e->op == SK_OP_CONTAINS ||
	    e->op == SK_OP_ICONTAINS || e->op == SK_OP_GLOB)
		return res_match(k, e, vs.v[0]->text);
	if (!is_eq(e->op) && e->op != SK_OP_NE && e->op != SK_OP_IN && e->op != SK_OP_INTERSECTS) {
		op_unsupported(k, e, SK_FLD_EVT_RES, " yet (use =, !=, in, startswith, endswith, contains or glob)");
		return NULL;
	}
	for (size_t i = 0; i < vs.n; i++) {
		const char *v = vs.v[i]->text;
		int en;
		if (!strcmp(v, "SUCCESS")) {
			success = 1;
		} else if ((en = sk_errno_value(v)) > 0) {
			if (n_errs < 64)
				errs[n_errs++] = -en;
		} else {
			size_t n;
			const char *const *names = errno_names(k, &n);
			const char *fix = sk_nearest(v, names, n);
			char note[100];
			if (fix)
				snprintf(note, sizeof(note), "did you mean '%s'?", fix);
			report(k, SK_ERROR, e, vs.v[i]->span, "bad-value", fix ? note : NULL,
			       "'%s' is not a value of evt.res (SUCCESS, or an errno name such as ENOENT)", v);
			bad = 1;
		}
	}
	if (bad)
		return NULL;
	if (e->op == SK_OP_NE) {
		/* Present but different: "!= SUCCESS" is a failure, "!= ENOENT" anything else. */
		return success ? mk_int(k, e, f, ~(uint64_t)0, SK_CMP_LT, 0)
			       : mk_int(k, e, f, ~(uint64_t)0, SK_CMP_NE, errs[0]);
	}
	sk_pred *kids[2];
	size_t n = 0;
	if (success)
		kids[n++] = mk_int(k, e, f, ~(uint64_t)0, SK_CMP_GE, 0);
	if (n_errs == 1)
		kids[n++] = mk_int(k, e, f, ~(uint64_t)0, SK_CMP_EQ, errs[0]);
	else if (n_errs > 1)
		kids[n++] = mk_int_in(k, e, f, ~(uint64_t)0, errs, n_errs);
	return mk_nary(k, SK_P_OR, e, kids, n);
}

/* Bit test for open flag I of the table: the access mode is a value, the rest are bits. */
static sk_pred *flag_test(struct ck *k, const sk_expr *e, unsigned i)
{
	const struct sk_open_flag *fl = &sk_open_flags[i];
	if (fl->is_accmode)
		return mk_int(k, e, SK_FLD_EVT_RAWARG_FLAGS, O_ACC_MASK, SK_CMP_EQ, fl->value);
	return mk_int(k, e, SK_FLD_EVT_RAWARG_FLAGS, fl->value, SK_CMP_EQ, fl->value);
}

/* "O_WRONLY|O_CREAT" as flag bits; -1 when a name is unknown or the text is not how the flags
 * render (access mode first, then bits in table order). */
static int parse_rendered_flags(const char *s, unsigned long long *out, char *canon, unsigned size)
{
	unsigned long long v = 0;
	int have_acc = 0;
	char *dup = strdup(s), *save = NULL;
	if (!dup)
		return -1;
	for (char *tok = strtok_r(dup, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		unsigned i;
		for (i = 0; i < sk_n_open_flags; i++)
			if (!strcmp(sk_open_flags[i].name, tok))
				break;
		if (i == sk_n_open_flags) {
			free(dup);
			return -1;
		}
		if (sk_open_flags[i].is_accmode) {
			if (have_acc) {
				free(dup);
				return -1;
			}
			have_acc = 1;
		}
		v |= sk_open_flags[i].value;
	}
	free(dup);
	if (!have_acc)
		return -1;
	*out = v;
	sk_open_flags_render(v, canon, size);
	return 0;
}

static sk_pred *lower_arg_flags(struct ck *k, const sk_expr *e, struct vals vs)
{
	int f = SK_FLD_EVT_RAWARG_FLAGS;
	if (e->op == SK_OP_EXISTS)
		return mk_exists(k, e, f);
	if (e->op == SK_OP_CONTAINS || e->op == SK_OP_ICONTAINS) {
		const char *x = vs.v[0]->text;
		if (strchr(x, '|')) {
			CK_ERR(k, e, vs.v[0]->span, "unsupported",
			       "'%s' on evt.arg.flags with '|' in the value is not supported yet; test each flag on its own", sk_op_names[e->op]);
			return NULL;
		}
		sk_pred *p = mk(k, SK_P_OR, e);
		for (unsigned i = 0; i < sk_n_open_flags; i++) {
			const char *name = sk_open_flags[i].name;
			if (e->op == SK_OP_CONTAINS ? strstr(name, x) != NULL : strcasestr(name, x) != NULL)
				sk_arena_push(k->c->arena, (void ***)&p->kids, &p->n_kids, flag_test(k, e, i));
		}
		if (p->n_kids == 0) {
			CK_WARN(k, e, vs.v[0]->span, "never-true", "no open flag name contains '%s': the test is always false", x);
			return mk_const(k, e, 0);
		}
		return p->n_kids == 1 ? p->kids[0] : p;
	}
	if (is_eq(e->op) || e->op == SK_OP_NE || e->op == SK_OP_IN || e->op == SK_OP_INTERSECTS) {
		uint64_t mask = O_ACC_MASK;
		for (unsigned i = 0; i < sk_n_open_flags; i++)
			if (!sk_open_flags[i].is_accmode)
				mask |= sk_open_flags[i].value;
		int64_t v[64];
		size_t n = 0;
		int bad = 0;
		for (size_t i = 0; i < vs.n; i++) {
			unsigned long long bits;
			char canon[512];
			if (parse_rendered_flags(vs.v[i]->text, &bits, canon, sizeof(canon)) < 0) {
				CK_ERR(k, e, vs.v[i]->span, "bad-value",
				       "'%s' is not a rendering of open flags (an access mode such as O_WRONLY, then flag names joined by '|')",
				       vs.v[i]->text);
				bad = 1;
			} else if (strcmp(canon, vs.v[i]->text)) {
				char note[600];
				snprintf(note, sizeof(note), "write '%s'", canon);
				report(k, SK_ERROR, e, vs.v[i]->span, "bad-value", note,
				       "evt.arg.flags never renders as '%s': names come in a fixed order", vs.v[i]->text);
				bad = 1;
			} else if (n < 64) {
				v[n++] = (int64_t)bits;
			}
		}
		if (bad)
			return NULL;
		if (e->op == SK_OP_NE)
			return mk_int(k, e, f, mask, SK_CMP_NE, v[0]);
		if (n == 0)
			return mk_const(k, e, 0);
		return n == 1 ? mk_int(k, e, f, mask, SK_CMP_EQ, v[0]) : mk_int_in(k, e, f, mask, v, n);
	}
	op_unsupported(k, e, SK_FLD_EVT_ARG_FLAGS, " yet (use contains, =, != or in)");
	return NULL;
}

/* Boolean fields, each a test on a raw value. */
static sk_pred *bool_test(struct ck *k, const sk_expr *e, int field, int want)
{
	static const int64_t wr[2][2] = { { 0, 3 }, { 1, 2 } }, rd[2][2] = { { 1, 3 }, { 0, 2 } };
	switch (field) {
	case SK_FLD_EVT_IS_OPEN_WRITE:
		return mk_int_in(k, e, SK_FLD_EVT_RAWARG_FLAGS, O_ACC_MASK, wr[want], 2);
	case SK_FLD_EVT_IS_OPEN_READ:
		return mk_int_in(k, e, SK_FLD_EVT_RAWARG_FLAGS, O_ACC_MASK, rd[want], 2);
	case SK_FLD_EVT_IS_OPEN_CREATE:
		return mk_int(k, e, SK_FLD_EVT_RAWARG_FLAGS, O_CREAT_BIT, SK_CMP_EQ, want ? O_CREAT_BIT : 0);
	case SK_FLD_EVT_FAILED:
		return mk_int(k, e, SK_FLD_EVT_RAWRES, ~(uint64_t)0, want ? SK_CMP_LT : SK_CMP_GE, 0);
	default:
		return mk_int(k, e, field, ~(uint64_t)0, SK_CMP_EQ, want);
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

static sk_pred *lower_bool(struct ck *k, const sk_expr *e, int f, struct vals vs)
{
	int want[2] = { 0, 0 }, bad = 0;
	if (e->op == SK_OP_EXISTS)
		return mk_exists(k, e, bool_base(f));
	if (!is_eq(e->op) && e->op != SK_OP_NE && e->op != SK_OP_IN && e->op != SK_OP_INTERSECTS) {
		op_unsupported(k, e, f, "");
		return NULL;
	}
	for (size_t i = 0; i < vs.n; i++) {
		const char *v = vs.v[i]->text;
		if (!strcmp(v, "true")) {
			want[1] = 1;
		} else if (!strcmp(v, "false")) {
			want[0] = 1;
		} else {
			CK_ERR(k, e, vs.v[i]->span, "bad-value", "'%s' is not a value of boolean field '%s' (true or false)",
			       v, sk_fields[f].name);
			bad = 1;
		}
	}
	if (bad)
		return NULL;
	if (e->op == SK_OP_NE) {
		int w = want[1];
		want[1] = !w;
		want[0] = w;
	}
	if (want[0] && want[1])
		return mk_exists(k, e, bool_base(f));
	if (!want[0] && !want[1])
		return mk_const(k, e, 0);
	return bool_test(k, e, f, want[1]);
}

/* ---- general fields ---- */

static sk_pred *lower_int(struct ck *k, const sk_expr *e, int f, struct vals vs)
{
	int64_t *v = sk_arena_alloc(k->c->arena, (vs.n + 1) * sizeof(*v));
	int bad = 0;
	if (e->op == SK_OP_EXISTS)
		return mk_exists(k, e, f);
	switch (e->op) {
	case SK_OP_EQ: case SK_OP_EQEQ: case SK_OP_NE: case SK_OP_LT: case SK_OP_LE: case SK_OP_GT:
	case SK_OP_GE: case SK_OP_IN: case SK_OP_INTERSECTS:
		break;
	default:
		op_unsupported(k, e, f, "");
		return NULL;
	}
	for (size_t i = 0; i < vs.n; i++) {
		if (parse_int(vs.v[i]->text, &v[i]) < 0) {
			CK_ERR(k, e, vs.v[i]->span, "bad-value", "'%s' is not a number (field '%s' is numeric)",
			       vs.v[i]->text, sk_fields[f].name);
			bad = 1;
		} else if (v[i] < 0 && sk_fields[f].type == SK_T_U64) {
			CK_ERR(k, e, vs.v[i]->span, "bad-value", "'%s' is out of range: field '%s' is unsigned",
			       vs.v[i]->text, sk_fields[f].name);
			bad = 1;
		}
	}
	if (bad)
		return NULL;
	if (e->op == SK_OP_IN || e->op == SK_OP_INTERSECTS)
		return vs.n ? mk_int_in(k, e, f, ~(uint64_t)0, v, vs.n) : mk_const(k, e, 0);
	return mk_int(k, e, f, ~(uint64_t)0, cmp_of(e->op), v[0]);
}

static sk_pred *lower_str(struct ck *k, const sk_expr *e, int f, struct vals vs)
{
	int bad = 0;
	if (e->op == SK_OP_EXISTS)
		return mk_exists(k, e, f);
	switch (e->op) {
	case SK_OP_REGEX:
		CK_ERR(k, e, e->op_span, "unsupported", "'regex' %s", user_space_only);
		return NULL;
	case SK_OP_IGLOB:
		CK_ERR(k, e, e->op_span, "unsupported", "'iglob' is not supported yet (use glob, or icontains)");
		return NULL;
	case SK_OP_BCONTAINS: case SK_OP_BSTARTSWITH:
		op_unsupported(k, e, f, " (it tests byte buffers, and saker has none yet)");
		return NULL;
	default:
		break;
	}
	sk_pred *p = mk(k, SK_P_STR, e);
	p->field = f;
	p->cmp = cmp_of(e->op);
	p->strs = sk_arena_alloc(k->c->arena, (vs.n + 1) * sizeof(*p->strs));
	p->str_lens = sk_arena_alloc(k->c->arena, (vs.n + 1) * sizeof(*p->str_lens));
	for (size_t i = 0; i < vs.n; i++) {
		const sk_operand *o = vs.v[i];
		size_t n = vlen(o);
		if (memchr(o->text, '\0', n)) {
			CK_ERR(k, e, o->span, "bad-value", "string values cannot hold a NUL byte");
			bad = 1;
			continue;
		}
		char *s = sk_arena_strndup(k->c->arena, o->text, n);
		if (p->cmp == SK_CMP_ICONTAINS)
			for (char *q = s; *q; q++)
				if (*q >= 'A' && *q <= 'Z')
					*q = (char)(*q - 'A' + 'a');
		if (!o->quoted && sk_field_lookup(s) >= 0)
			CK_WARN(k, e, o->span, "field-as-string",
				"'%s' is a field name, but here it is the constant string \"%s\"", s, s);
		if ((f == SK_FLD_PROC_NAME || f == SK_FLD_PROC_PNAME) && n >= SAKER_COMM_LEN &&
		    (is_eq(e->op) || p->cmp == SK_CMP_IN))
			CK_WARN(k, e, o->span, "never-true",
				"'%s' can never equal %s: the kernel keeps at most %d characters of a process name",
				s, sk_fields[f].name, SAKER_COMM_LEN - 1);
		p->strs[p->n_strs] = s;
		p->str_lens[p->n_strs++] = n;
	}
	if (bad)
		return NULL;
	if ((p->cmp == SK_CMP_IN || p->cmp == SK_CMP_PMATCH) && p->n_strs == 0)
		return mk_const(k, e, 0);
	return p;
}

int sk_falco_field(const char *name)
{
	/* the table has every field of Falco's catalogue; evt.arg.NAME and evt.rawarg.NAME name
	 * an argument of the event, and saker does not compute most of them yet */
	return (!strncmp(name, "evt.arg.", 8) && name[8]) || (!strncmp(name, "evt.rawarg.", 11) && name[11]);
}

static void unknown_field(struct ck *k, const sk_expr *e, const sk_operand *o)
{
	const char *name = o->text;
	char note[300];
	const char *fix = NULL;
	if (!strncmp(name, "fd.flags.", 9)) {
		const char *fl = name + 9;
		const char *b = !strcmp(fl, "O_WRONLY") || !strcmp(fl, "O_RDWR") ? "evt.is_open_write" :
				!strcmp(fl, "O_RDONLY") ? "evt.is_open_read" :
				!strcmp(fl, "O_CREAT") ? "evt.is_open_create" : NULL;
		if (b)
			snprintf(note, sizeof(note), "did you mean '%s = true' or 'evt.arg.flags contains %s'?", b, fl);
		else
			snprintf(note, sizeof(note), "did you mean 'evt.arg.flags contains %s'?", fl);
		fix = note;
	} else if (sk_falco_field(name)) {
		report(k, SK_ERROR, e, o->span, "unsupported-field", NULL,
		       "field '%s' is a Falco field that saker does not compute yet", name);
		return;
	} else if ((fix = sk_field_suggest(name))) {
		snprintf(note, sizeof(note), "did you mean '%s'?", fix);
		fix = note;
	}
	report(k, SK_ERROR, e, o->span, "unknown-field", fix, "unknown field '%s'", name);
}

static sk_pred *lower_check(struct ck *k, const sk_expr *e)
{
	sk_operand *l = e->lhs, *r = e->rhs;
	int f;
	if (!l)
		return NULL;
	if (l->kind != SK_OPD_FIELD) {
		CK_ERR(k, e, l->span, "unsupported", "a transformer %s", user_space_only);
		return NULL;
	}
	if ((f = sk_field_lookup(l->text)) < 0) {
		unknown_field(k, e, l);
		return NULL;
	}
	l->field = f;
	if (sk_fields[f].where == SK_W_NONE) {
		report(k, SK_ERROR, e, l->span, "unsupported-field", NULL,
		       "field '%s' is a Falco field that saker does not compute yet", l->text);
		return NULL;
	}
	if (l->arg) {
		CK_ERR(k, e, l->arg_span, "bad-argument", "field '%s' takes no argument", sk_fields[f].name);
		return NULL;
	}
	if (sk_fields[f].flags & SK_F_DEPRECATED)
		CK_WARN(k, e, l->span, "deprecated", "'%s' is deprecated: saker evaluates every syscall at its exit, so it is always '<'",
			sk_fields[f].name);
	if (sk_fields[f].where != SK_W_KERNEL) {
		CK_ERR(k, e, l->span, "user-space-field", "field '%s' is only known in user space: testing it %s",
		       sk_fields[f].name, user_space_only);
		return NULL;
	}
	if (e->mod != SK_MOD_NONE) {
		CK_ERR(k, e, e->op_span, "unsupported", "operator modifiers (oneof, anyof, allof) are not supported yet");
		return NULL;
	}
	if (r && (r->kind == SK_OPD_TRANSFORM || r->kind == SK_OPD_VAL || r->kind == SK_OPD_FIELD)) {
		CK_ERR(k, e, r->span, "unsupported", "comparing two fields %s", user_space_only);
		return NULL;
	}
	if (r && r->kind == SK_OPD_LIST && !is_list_op(e->op)) {
		CK_ERR(k, e, r->span, "bad-value", "'%s' takes a single value, not a list", sk_op_names[e->op]);
		return NULL;
	}
	if (e->op != SK_OP_EXISTS && !r)
		return NULL;
	struct vals vs = values_of(&e->rhs);
	if (e->op != SK_OP_EXISTS && vs.n == 0 && !is_list_op(e->op))
		return NULL;
	switch (f) {
	case SK_FLD_EVT_TYPE: return lower_evt_type(k, e, vs);
	case SK_FLD_EVT_DIR: return lower_evt_dir(k, e, vs);
	case SK_FLD_EVT_RES: return lower_evt_res(k, e, vs);
	case SK_FLD_EVT_ARG_FLAGS: return lower_arg_flags(k, e, vs);
	default: break;
	}
	if (e->op == SK_OP_PMATCH && sk_fields[f].type != SK_T_STR) {
		op_unsupported(k, e, f, "");
		return NULL;
	}
	switch (sk_fields[f].type) {
	case SK_T_BOOL: return lower_bool(k, e, f, vs);
	case SK_T_I64: case SK_T_U64: return lower_int(k, e, f, vs);
	default: return lower_str(k, e, f, vs);
	}
}

/* Lowers E, reporting every problem in it (it does not stop at the first); NULL on error. */
static sk_pred *lower(struct ck *k, const sk_expr *e)
{
	switch (e->kind) {
	case SK_E_AND:
	case SK_E_OR: {
		sk_pred **kids = sk_arena_alloc(k->c->arena, (e->n_kids + 1) * sizeof(*kids));
		int bad = 0;
		for (size_t i = 0; i < e->n_kids; i++)
			bad |= !(kids[i] = lower(k, e->kids[i]));
		return bad ? NULL : mk_nary(k, e->kind == SK_E_AND ? SK_P_AND : SK_P_OR, e, kids, e->n_kids);
	}
	case SK_E_NOT: {
		sk_pred *kid = e->n_kids ? lower(k, e->kids[0]) : NULL;
		return kid ? mk_not(k, e, kid) : NULL;
	}
	case SK_E_CONST:
		return mk_const(k, e, e->value);
	case SK_E_MACRO:
		k->failed = 1; /* an unknown macro, reported by expansion */
		return NULL;
	case SK_E_CHECK:
		return lower_check(k, e);
	}
	return NULL;
}

/* ---- event sets ---- */

#define SS_WORDS ((SK_EV__COUNT + 63) / 64)
struct sset {
	uint64_t b[SS_WORDS];  /* bit i: event i of events.def */
};

static struct sset ss_fill(int v)
{
	struct sset s;
	memset(&s, 0, sizeof(s));
	for (unsigned i = 0; v && i < SK_EV__COUNT; i++)
		s.b[i / 64] |= 1ULL << (i % 64);
	return s;
}

static struct sset ss_comb(struct sset a, struct sset b, int inter)
{
	for (int i = 0; i < SS_WORDS; i++)
		a.b[i] = inter ? a.b[i] & b.b[i] : a.b[i] | b.b[i];
	return a;
}

/* The events P can match; NEG when P sits under an odd number of NOTs (De Morgan). Leaves that
 * do not test evt.type are neutral: they never narrow the set, negated or not. */
static struct sset infer(const sk_pred *p, int neg)
{
	switch (p->kind) {
	case SK_P_CONST:
		return ss_fill(p->value ^ neg);
	case SK_P_AND:
	case SK_P_OR: {
		int inter = (p->kind == SK_P_AND) ^ neg;
		struct sset s = ss_fill(inter);
		for (size_t i = 0; i < p->n_kids; i++)
			s = ss_comb(s, infer(p->kids[i], neg), inter);
		return s;
	}
	case SK_P_NOT:
		return infer(p->kids[0], !neg);
	case SK_P_SYSCALL: {
		struct sset s = ss_fill(0);
		for (size_t i = 0; i < p->n_ivals; i++)
			if (p->ivals[i] >= 0 && p->ivals[i] < SK_EV__COUNT)
				s.b[p->ivals[i] / 64] |= 1ULL << (p->ivals[i] % 64);
		if (neg) {
			struct sset all = ss_fill(1);
			for (int i = 0; i < SS_WORDS; i++)
				s.b[i] = all.b[i] & ~s.b[i];
		}
		return s;
	}
	default:
		return ss_fill(1);
	}
}

static int ss_has(const struct sset *s, unsigned i)
{
	return (s->b[i / 64] >> (i % 64)) & 1;
}

static const sk_pred *find_syscall_leaf(const sk_pred *p, int ev)
{
	if (p->kind == SK_P_SYSCALL) {
		for (size_t i = 0; i < p->n_ivals; i++)
			if (p->ivals[i] == ev)
				return p;
		return NULL;
	}
	for (size_t i = 0; i < p->n_kids; i++) {
		const sk_pred *q = find_syscall_leaf(p->kids[i], ev);
		if (q)
			return q;
	}
	return NULL;
}

static void hooked_names(char *buf, size_t size)
{
	size_t pos = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < SK_EV__COUNT; i++)
		if (sk_events[i].family != SK_FAM_NONE && pos < size)
			pos += (size_t)snprintf(buf + pos, size - pos, "%s%s", pos ? ", " : "", sk_events[i].name);
}

/* Fills R's event list from its predicate; an error when the back end cannot hook them all. */
static int syscalls_of(struct ck *k, sk_rule *r)
{
	struct sset s = infer(r->pred, 0);
	char hooked[400], note[500];
	size_t n = 0, unhooked = 0;
	hooked_names(hooked, sizeof(hooked));
	snprintf(note, sizeof(note), "the kernel back end evaluates rules at the exit of %s", hooked);
	for (unsigned i = 0; i < SK_EV__COUNT; i++) {
		if (!ss_has(&s, i))
			continue;
		if (sk_events[i].family == SK_FAM_NONE)
			unhooked++;
		n++;
	}
	if (unhooked > 8) {
		report(k, SK_ERROR, NULL, r->item->cond_span, "unhooked", note,
		       "rule '%s': the condition can match syscalls the kernel back end does not hook "
		       "(restrict evt.type, e.g. 'evt.type in (open, openat, openat2)')", r->item->name);
		return -1;
	}
	for (unsigned i = 0; unhooked && i < SK_EV__COUNT; i++) {
		if (ss_has(&s, i) && sk_events[i].family == SK_FAM_NONE) {
			const sk_pred *leaf = find_syscall_leaf(r->pred, (int)i);
			report(k, SK_ERROR, NULL, leaf ? leaf->span : r->item->cond_span, "unhooked", note,
			       "rule '%s': evt.type '%s' is not supported by the kernel back end yet",
			       r->item->name, sk_events[i].name);
			return -1;
		}
	}
	r->syscalls = sk_arena_alloc(k->c->arena, (n + 1) * sizeof(int));
	n = 0;
	for (unsigned i = 0; i < SK_EV__COUNT; i++)
		if (ss_has(&s, i))
			r->syscalls[n++] = (int)i;
	r->n_syscalls = n;
	if (n == 0)
		report(k, SK_WARNING, NULL, r->item->cond_span, "never-true", NULL,
		       "rule '%s': the condition can never be true", r->item->name);
	return 0;
}

/* Every matching rule alerts, so two rules with the same lowered condition (after macros, lists
 * and folding) alert twice for every event: almost always a copy left behind by mistake. */
static void warn_duplicates(sk_comp *c)
{
	char **text = sk_arena_alloc(c->arena, (c->n_rules + 1) * sizeof(*text));
	for (size_t i = 0; i < c->n_rules; i++)
		text[i] = sk_pred_to_string(c->arena, c->rules[i]->pred);
	for (size_t i = 0; i < c->n_rules; i++) {
		for (size_t j = 0; j < i; j++) {
			if (strcmp(text[i], text[j]))
				continue;
			const sk_item *a = c->rules[j]->item, *b = c->rules[i]->item;
			sk_warning(c->diag, b->name_span, "duplicate-condition",
				   "rule '%s' has the same condition as rule '%s': every event that "
				   "matches alerts twice", b->name, a->name);
			sk_note(c->diag, a->name_span, "rule '%s' is defined here", a->name);
			break;
		}
	}
}

int sk_check(sk_comp *c)
{
	struct ck k = { .c = c };
	size_t errors = sk_diag_error_count(c->diag);
	int full_reported = 0;

	for (size_t i = 0; i < c->n_items; i++) {
		sk_item *it = c->items[i];
		if (it->kind != SK_ITEM_RULE)
			continue;
		sk_rule *r = sk_arena_alloc(c->arena, sizeof(*r));
		r->item = it;
		r->plan = SAKER_PLAN_EXACT;
		k.rule = it;
		k.failed = !it->ast; /* a parse or expansion error was reported */
		if (it->ast)
			r->pred = lower(&k, it->ast);
		if (!r->pred)
			k.failed = 1;
		if (it->output.str && sk_output_parse(c, &it->output, &r->segs, &r->n_segs) < 0)
			k.failed = 1;
		if (k.failed || syscalls_of(&k, r) < 0 || !it->enabled)
			continue;
		if (c->n_rules >= SAKER_MAX_RULES) {
			if (!full_reported)
				sk_error(c->diag, it->name_span, "too-many-rules",
					 "rule '%s': a bundle holds at most %d enabled rules", it->name, SAKER_MAX_RULES);
			full_reported = 1;
			continue;
		}
		sk_arena_push(c->arena, (void ***)&c->rules, &c->n_rules, r);
	}
	warn_duplicates(c);
	return sk_diag_error_count(c->diag) > errors ? -1 : 0;
}
