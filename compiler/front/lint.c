/* Lint: warnings about rules that are valid, and that Falco would load, but are almost surely
 * not what their author meant: conditions that can never be true, values a field never takes,
 * rules without an event type, and rules that alert twice for the same events. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "saker/event.h"
#include "saker/fields.h"

struct lt {
	sk_comp *c;
};

static void never(struct lt *l, const sk_cexpr *x, const char *fmt, const char *a, const char *b)
{
	sk_span at = { x->src_file, x->src_off, x->src_len };
	sk_warning(l->c->diag, at, "never-true", fmt, a, b);
}

/* Values a field can never take, per check. */
void sk_lint_check(sk_comp *c, const sk_cexpr *x)
{
	struct lt ll = { c }, *l = &ll;
	const sk_copnd *lhs = x->lhs, *r = x->rhs;
	if (!lhs || lhs->kind != SK_CO_FIELD || !r || (r->kind != SK_CO_CONST && r->kind != SK_CO_LIST))
		return;
	const bool eq = x->op == SK_COP_EQ || x->op == SK_COP_IN || x->op == SK_COP_INTERSECTS;
	const size_t n = r->kind == SK_CO_LIST ? r->n_items : 1;
	const sk_cval *v = r->kind == SK_CO_LIST ? r->items : &r->v;
	const int f = lhs->field;
	for (size_t i = 0; i < n; i++) {
		if (v[i].kind != SK_CV_STR)
			continue;
		/* a value is quoted whole unless it is long: then its start says which it is */
		char *s = v[i].len > 60 ? sk_arena_printf(l->c->arena, "%.40s...", v[i].s)
					: sk_arena_strndup(l->c->arena, v[i].s, v[i].len);
		const char *fname = sk_fields[f].name;
		if (f == SK_FLD_EVT_DIR && eq && strcmp(s, "<") && strcmp(s, ">"))
			never(l, x, "'%s' is not a value of %s ('<' for a syscall exit)", s, fname);
		else if (f == SK_FLD_EVT_RES && eq && strcmp(s, "SUCCESS") && sk_errno_value(s) < 0)
			never(l, x, "'%s' is not a value of %s (SUCCESS, or an errno name such as ENOENT)", s, fname);
		else if (f == SK_FLD_EVT_ARG_FLAGS && eq) {
			unsigned long long bits;
			if (sk_parse_rendered_flags(v[i].s, v[i].len, &bits) < 0)
				never(l, x, "%s never renders as '%s': an access mode such as O_WRONLY comes first, "
					    "then flag names joined by '|' in a fixed order", fname, s);
		} else if (sk_fields[f].k.max && eq && v[i].len > sk_fields[f].k.max &&
			   sk_fields[f].where == SK_W_KERNEL) {
			never(l, x, "'%s' can never equal %s: the value is longer than the field can be", s, fname);
		} else if ((sk_fields[f].flags & SK_F_PATH) && v[i].len > SAKER_PATH_MAX - 1 &&
			   (eq || x->op == SK_COP_STARTSWITH || x->op == SK_COP_ENDSWITH)) {
			never(l, x, "'%s' is longer than a path can be (%s): the test never holds", s, "4095 bytes");
		}
	}
}

/* ---- rules that alert twice ------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *val_key(sk_comp *c, const sk_cval *v)
{
	switch (v->kind) {
	case SK_CV_STR: return sk_arena_printf(c->arena, "s%zu:%.*s", v->len, (int)v->len, v->s);
	case SK_CV_INT: return sk_arena_printf(c->arena, "i%lld", (long long)v->i);
	case SK_CV_UINT: return sk_arena_printf(c->arena, "u%llu", (unsigned long long)v->u);
	case SK_CV_BOOL: return sk_arena_printf(c->arena, "b%d", v->b);
	default: return sk_arena_printf(c->arena, "?%p", (const void *)v);
	}
}

static char *key(sk_comp *c, const sk_cexpr *e);

/* PARTS joined by SEP between OPEN and CLOSE, in one arena string (built in linear time: a
 * list can hold a million items). */
static char *join(sk_comp *c, const char *open, char **parts, size_t n, const char *sep, const char *close)
{
	size_t len = strlen(open) + strlen(close) + 1, ls = strlen(sep);
	for (size_t i = 0; i < n; i++)
		len += strlen(parts[i]) + ls;
	char *out = sk_arena_alloc(c->arena, len), *p = out;
	p = stpcpy(p, open);
	for (size_t i = 0; i < n; i++) {
		if (i)
			p = stpcpy(p, sep);
		p = stpcpy(p, parts[i]);
	}
	stpcpy(p, close);
	return out;
}

/* The node's kids' keys, sorted: and/or are commutative for what a rule matches. */
static char *kids_key(sk_comp *c, const sk_cexpr *e, const char *op)
{
	char **v = NULL;
	size_t n = 0;
	for (size_t i = 0; i < e->n_kids; i++) {
		const sk_cexpr *k = e->kids[i];
		if (k->kind == e->kind) { /* flatten */
			for (size_t j = 0; j < k->n_kids; j++)
				sk_arena_push(c->arena, (void ***)&v, &n, key(c, k->kids[j]));
			continue;
		}
		sk_arena_push(c->arena, (void ***)&v, &n, key(c, k));
	}
	if (n == 1)
		return v[0];
	qsort(v, n, sizeof(*v), cmp_str);
	return join(c, "(", v, n, op, ")");
}

/* A text that is the same for conditions that differ only in ways that cannot change what
 * they match: nesting and order of and/or, 'in' with one value for '=', the order of a set. */
static char *key(sk_comp *c, const sk_cexpr *e)
{
	switch (e->kind) {
	case SK_C_CONST:
		return e->value ? "T" : "F";
	case SK_C_NOT:
		return sk_arena_printf(c->arena, "!%s", key(c, e->kids[0]));
	case SK_C_AND:
		return kids_key(c, e, "&");
	case SK_C_OR:
		return kids_key(c, e, "|");
	case SK_C_CHECK:
		break;
	}
	const sk_copnd *l = e->lhs, *r = e->rhs;
	if (l->kind != SK_CO_FIELD)
		return sk_arena_printf(c->arena, "?%p", (const void *)e); /* only equal to itself */
	enum sk_cop op = e->op;
	char *out = sk_arena_printf(c->arena, "%s[%s]", sk_fields[l->field].name, l->arg ? l->arg : "");
	if (!r)
		return sk_arena_printf(c->arena, "%s %s %d", out, sk_cop_names[op], e->mod);
	if (r->kind == SK_CO_LIST) {
		if (r->n_items == 1 && (op == SK_COP_IN || op == SK_COP_INTERSECTS) &&
		    !(sk_fields[l->field].flags & SK_F_LIST))
			return sk_arena_printf(c->arena, "%s = %d %s", out, e->mod, val_key(c, &r->items[0]));
		char **v = sk_arena_alloc(c->arena, (r->n_items + 1) * sizeof(*v));
		for (size_t i = 0; i < r->n_items; i++)
			v[i] = val_key(c, &r->items[i]);
		if (op == SK_COP_IN || op == SK_COP_INTERSECTS || op == SK_COP_PMATCH)
			qsort(v, r->n_items, sizeof(*v), cmp_str);
		out = sk_arena_printf(c->arena, "%s %s %d (", out, sk_cop_names[op], e->mod);
		return join(c, out, v, r->n_items, ",", ")");
	}
	if (r->kind == SK_CO_CONST)
		return sk_arena_printf(c->arena, "%s %s %d %s", out, sk_cop_names[op], e->mod, val_key(c, &r->v));
	return sk_arena_printf(c->arena, "?%p", (const void *)e);
}

/* The keys of the top-level conjuncts of E. */
static char **conjuncts(sk_comp *c, const sk_cexpr *e, size_t *n)
{
	char **v = NULL;
	*n = 0;
	if (e->kind == SK_C_AND) {
		for (size_t i = 0; i < e->n_kids; i++) {
			if (e->kids[i]->kind == SK_C_AND) {
				size_t m;
				char **sub = conjuncts(c, e->kids[i], &m);
				for (size_t j = 0; j < m; j++)
					sk_arena_push(c->arena, (void ***)&v, n, sub[j]);
			} else {
				sk_arena_push(c->arena, (void ***)&v, n, key(c, e->kids[i]));
			}
		}
	} else {
		sk_arena_push(c->arena, (void ***)&v, n, key(c, e));
	}
	return v;
}

/* Sorting rule indexes by a string of theirs (condition text, output), ties in rule order. */
static char **sort_keys;

static int by_key(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int d = strcmp(sort_keys[x], sort_keys[y]);

	return d ? d : (x > y) - (x < y);
}

/* Does rule I imply rule J: J's top conjuncts are among I's, with the same output? */
static bool implies(char ***conj, const size_t *nc, size_t i, size_t j)
{
	if (nc[j] >= nc[i])
		return false;
	for (size_t k = 0; k < nc[j]; k++) {
		size_t m = 0;
		while (m < nc[i] && strcmp(conj[j][k], conj[i][m]))
			m++;
		if (m == nc[i])
			return false;
	}
	return true;
}

/* Every matching rule alerts (decision 9), so a rule whose condition is another's, or implies
 * it with the same output, alerts twice for the same events. Implication is judged on the top
 * conjuncts: A implies B when B's conjuncts are among A's. Each rule is reported once, against
 * the first rule (in load order) it repeats or implies. Equal conditions are found by sorting,
 * and implication is looked for only among rules of the same output, so that large rulesets
 * do not take a time in the square of their size. */
static void lint_pairs(sk_comp *c)
{
	size_t n = c->n_rules;
	char **text = sk_arena_alloc(c->arena, (n + 1) * sizeof(*text));
	char **outs = sk_arena_alloc(c->arena, (n + 1) * sizeof(*outs));
	char ***conj = sk_arena_alloc(c->arena, (n + 1) * sizeof(*conj));
	size_t *nc = sk_arena_alloc(c->arena, (n + 1) * sizeof(*nc));
	size_t *by_text = sk_arena_alloc(c->arena, (n + 1) * sizeof(*by_text));
	size_t *by_out = sk_arena_alloc(c->arena, (n + 1) * sizeof(*by_out));
	size_t *first = sk_arena_alloc(c->arena, (n + 1) * sizeof(*first));  /* same text, earlier */
	size_t *group = sk_arena_alloc(c->arena, (n + 1) * sizeof(*group)); /* where in by_out */
	size_t n_out = 0;

	for (size_t i = 0; i < n; i++) {
		text[i] = key(c, c->rules[i]->cond);
		conj[i] = conjuncts(c, c->rules[i]->cond, &nc[i]);
		outs[i] = (char *)c->rules[i]->item->output.str;
		by_text[i] = i;
		first[i] = SIZE_MAX;
		group[i] = SIZE_MAX;
		if (outs[i])
			by_out[n_out++] = i;
	}
	sort_keys = text;
	qsort(by_text, n, sizeof(*by_text), by_key);
	for (size_t k = 1; k < n; k++) {
		size_t i = by_text[k], j = by_text[k - 1];

		if (!strcmp(text[i], text[j]))
			first[i] = first[j] != SIZE_MAX ? first[j] : j;
	}
	sort_keys = outs;
	qsort(by_out, n_out, sizeof(*by_out), by_key);
	for (size_t k = 0; k < n_out; k++)
		group[by_out[k]] = k > 0 && !strcmp(outs[by_out[k]], outs[by_out[k - 1]]) ?
					   group[by_out[k - 1]] : k;
	for (size_t i = 0; i < n; i++) {
		const sk_item *b = c->rules[i]->item;
		size_t imp = SIZE_MAX;

		/* the first rule of the same output that rule i implies, before any it repeats */
		for (size_t k = group[i]; k < n_out && group[i] != SIZE_MAX; k++) {
			size_t j = by_out[k];

			if (strcmp(outs[j], outs[i]) || j >= first[i])
				break;
			if (j != i && strcmp(text[i], text[j]) && implies(conj, nc, i, j)) {
				imp = j;
				break;
			}
		}
		if (first[i] != SIZE_MAX && first[i] < imp) {
			const sk_item *a = c->rules[first[i]]->item;

			sk_warning(c->diag, b->name_span, "duplicate-condition",
				   "rule '%s' has the same condition as rule '%s': every event that "
				   "matches alerts twice", b->name, a->name);
			sk_note(c->diag, a->name_span, "rule '%s' is defined here", a->name);
		} else if (imp != SIZE_MAX) {
			const sk_item *a = c->rules[imp]->item;

			sk_warning(c->diag, b->name_span, "shadowed",
				   "every event rule '%s' matches also matches rule '%s', with the same output: "
				   "each alerts twice", b->name, a->name);
			sk_note(c->diag, a->name_span, "rule '%s' is defined here", a->name);
		}
	}
}

int sk_lint(sk_comp *c)
{
	for (size_t i = 0; i < c->n_rules; i++) {
		const sk_rule *r = c->rules[i];
		if (r->n_syscalls == 0 || (r->cond->kind == SK_C_CONST && !r->cond->value) ||
		    (r->pred && r->pred->kind == SK_P_CONST && !r->pred->value))
			sk_warning(c->diag, r->item->cond_span, "never-true",
				   "rule '%s': the condition can never be true", r->item->name);
		else if (r->n_syscalls > 100 && r->item->warn_evttypes)
			sk_warning(c->diag, r->item->cond_span, "no-evttype",
				   "rule '%s' matches %zu event types: restrict evt.type to the events it is about",
				   r->item->name, r->n_syscalls);
	}
	lint_pairs(c);
	return 0;
}
