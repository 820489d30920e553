/* Expansion: parse every condition, then replace named lists and macro references in the ASTs
 * (not in the text, as Falco does, so every node keeps its location in the rules file). */
#include <string.h>

#include "check.h"
#include "parse.h"
#include "saker/fields.h"

/* Expansion copies macro bodies; these bounds keep hostile inputs from exhausting the stack or
 * memory (a chain of macros each using the next twice doubles the size at every step). */
#define EX_MAX_DEPTH (3 * SK_MAX_DEPTH_DEFAULT)
#define EX_MAX_NODES 1000000
/* Every rule may stay under EX_MAX_NODES and a few kilobytes of lists and macros still make
 * rules x nodes, or lists x list references, too big to hold: bound the whole compilation's
 * expansion too (nodes, and list items). Falco's own rules use well under 1% of it. */
#define EX_MAX_TOTAL (2 * EX_MAX_NODES)

struct ex {
	sk_comp *c;
	sk_item **macros, **lists;
	size_t n_macros, n_lists;
	size_t nodes;     /* nodes created for the current rule */
	int too_big;      /* the current rule hit a bound (reported once) */
	size_t total;     /* nodes and list items created in the whole compilation */
	int total_hit;    /* EX_MAX_TOTAL was reached (reported once) */
};

/* Counts N more nodes or items against EX_MAX_TOTAL; returns -1 (reported once, at AT) when
 * they do not fit, and the caller stops expanding. */
static int budget(struct ex *x, size_t n, sk_span at)
{
	if (!x->total_hit && n <= EX_MAX_TOTAL - x->total) {
		x->total += n;
		return 0;
	}
	if (!x->total_hit)
		sk_error(x->c->diag, at, "too-complex",
			 "the rules are too large after list and macro expansion (more than %u nodes and list items in all)",
			 EX_MAX_TOTAL);
	x->total_hit = 1;
	return -1;
}

static sk_item *find(sk_item **v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i]->name, name))
			return v[i];
	return NULL;
}

/* ---- lists ---- */

static void push_items(struct ex *x, sk_operand ***v, size_t *n, const sk_item *list, sk_span at)
{
	if (budget(x, list->n_items, at))
		return;
	for (size_t i = 0; i < list->n_items; i++)
		sk_arena_push(x->c->arena, (void ***)v, n, list->items[i]);
}

/* Falco expands a list item that names an earlier list, one level deep, from raw items. */
static void expand_lists_in_lists(struct ex *x)
{
	sk_operand ***nv = sk_arena_alloc(x->c->arena, (x->n_lists + 1) * sizeof(*nv));
	size_t *nn = sk_arena_alloc(x->c->arena, (x->n_lists + 1) * sizeof(*nn));
	for (size_t i = 0; i < x->n_lists; i++) {
		sk_item *l = x->lists[i];
		for (size_t k = 0; k < l->n_items; k++) {
			sk_operand *o = l->items[k];
			sk_item *ref = o->quoted ? NULL : find(x->lists, x->n_lists, o->text);
			if (ref && ref->seq < l->seq) {
				ref->used = true;
				push_items(x, &nv[i], &nn[i], ref, o->span);
			} else {
				sk_arena_push(x->c->arena, (void ***)&nv[i], &nn[i], o);
			}
		}
	}
	for (size_t i = 0; i < x->n_lists; i++) {
		x->lists[i]->items = nv[i];
		x->lists[i]->n_items = nn[i];
	}
}

static void subst_operand(struct ex *x, sk_operand *o)
{
	if (!o)
		return;
	if (o->kind == SK_OPD_LIST) {
		sk_operand **v = NULL;
		size_t n = 0;
		for (size_t i = 0; i < o->n_items; i++) {
			sk_operand *it = o->items[i];
			sk_item *ref = it->kind == SK_OPD_VALUE && !it->quoted ? find(x->lists, x->n_lists, it->text) : NULL;
			if (ref) {
				ref->used = true;
				push_items(x, &v, &n, ref, it->span);
			} else {
				sk_arena_push(x->c->arena, (void ***)&v, &n, it);
			}
		}
		o->items = v;
		o->n_items = n;
	} else if (o->kind == SK_OPD_IDENT) {
		sk_item *ref = find(x->lists, x->n_lists, o->text);
		sk_operand **v = NULL;
		size_t n = 0;
		if (ref) {
			ref->used = true;
			push_items(x, &v, &n, ref, o->span);
		} else {
			/* Falco reads an unknown name here as a one-value list; say so, a typo is likelier. */
			const char **names = sk_arena_alloc(x->c->arena, (x->n_lists + 1) * sizeof(*names));
			for (size_t i = 0; i < x->n_lists; i++)
				names[i] = x->lists[i]->name;
			sk_warning(x->c->diag, o->span, "unknown-list",
				   "no list is named '%s'; it is compared as the single value '%s'", o->text, o->text);
			const char *fix = sk_nearest(o->text, names, x->n_lists);
			if (fix)
				sk_note(x->c->diag, o->span, "did you mean the list '%s'?", fix);
			sk_operand *val = sk_operand_new(x->c->arena, SK_OPD_VALUE, o->span);
			val->text = o->text;
			val->text_len = o->text_len ? o->text_len : strlen(o->text);
			sk_arena_push(x->c->arena, (void ***)&v, &n, val);
		}
		o->kind = SK_OPD_LIST;
		o->items = v;
		o->n_items = n;
	} else {
		for (size_t i = 0; i < o->n_items; i++)
			subst_operand(x, o->items[i]);
	}
}

static void subst_lists(struct ex *x, sk_expr *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_kids; i++)
		subst_lists(x, e->kids[i]);
	if (e->kind == SK_E_CHECK) {
		subst_operand(x, e->lhs);
		subst_operand(x, e->rhs);
	}
}

/* ---- macro references ---- */

/* Whether macro FROM reaches macro TO through references (ignoring definition order). */
static int reaches(struct ex *x, const sk_expr *e, const sk_item *to, unsigned char *seen)
{
	if (!e)
		return 0;
	if (e->kind == SK_E_MACRO) {
		if (!strcmp(e->ident, to->name))
			return 1;
		for (size_t i = 0; i < x->n_macros; i++) {
			if (!seen[i] && !strcmp(x->macros[i]->name, e->ident)) {
				seen[i] = 1;
				return reaches(x, x->macros[i]->ast, to, seen);
			}
		}
		return 0;
	}
	for (size_t i = 0; i < e->n_kids; i++)
		if (reaches(x, e->kids[i], to, seen))
			return 1;
	return 0;
}

static void report_unknown(struct ex *x, const sk_expr *e)
{
	sk_diag *d = x->c->diag;
	sk_error(d, e->span, "unknown-macro", "unknown macro '%s'", e->ident);
	if (sk_event_lookup(e->ident) >= 0) {
		sk_note(d, e->span, "did you mean 'evt.type = %s'?", e->ident);
		return;
	}
	if (find(x->lists, x->n_lists, e->ident)) {
		sk_note(d, e->span, "'%s' is a list; use it after in, e.g. 'proc.name in (%s)'", e->ident, e->ident);
		return;
	}
	const char **names = sk_arena_alloc(x->c->arena, (x->n_macros + 1) * sizeof(*names));
	for (size_t i = 0; i < x->n_macros; i++)
		names[i] = x->macros[i]->name;
	const char *fix = sk_nearest(e->ident, names, x->n_macros);
	if (fix)
		sk_note(d, e->span, "did you mean '%s'?", fix);
}

/* Reports every bad reference in IT's condition once, and marks what it uses. */
static void resolve(struct ex *x, sk_item *it, const sk_expr *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_kids; i++)
		resolve(x, it, e->kids[i]);
	if (e->kind != SK_E_MACRO)
		return;
	sk_item *m = find(x->macros, x->n_macros, e->ident);
	if (!m) {
		report_unknown(x, e);
		return;
	}
	m->used = true;
	if (it->kind != SK_ITEM_MACRO || m->seq < it->seq)
		return;
	unsigned char *seen = sk_arena_alloc(x->c->arena, x->n_macros + 1);
	if (m == it || reaches(x, m->ast, it, seen)) {
		sk_error(x->c->diag, e->span, "macro-loop", "reference loop in macro '%s'", it->name);
		if (m != it)
			sk_note(x->c->diag, m->name_span, "macro '%s' uses macro '%s' in turn", m->name, it->name);
	} else {
		sk_error(x->c->diag, e->span, "macro-order",
			 "macro '%s' is defined after macro '%s'; a macro may only use macros defined before it",
			 m->name, it->name);
		sk_note(x->c->diag, m->name_span, "'%s' is defined here", m->name);
	}
}

static void set_origin(sk_expr *e, const sk_origin *o, size_t *count, size_t *items)
{
	(*count)++;
	/* The clone copied the operands' list items too. */
	*items += (e->lhs ? e->lhs->n_items : 0) + (e->rhs ? e->rhs->n_items : 0);
	e->origin = o;
	for (size_t i = 0; i < e->n_kids; i++)
		set_origin(e->kids[i], o, count, items);
}

/* Returns E with every macro reference replaced by a copy of the macro's body. CTX is the item
 * whose text E comes from (it decides which macros are visible), UP the expansion E is in. */
static sk_expr *expand(struct ex *x, sk_item *rule, sk_expr *e, const sk_item *ctx, const sk_origin *up, size_t depth)
{
	if (x->too_big)
		return e;
	if (depth > EX_MAX_DEPTH || x->nodes > EX_MAX_NODES) {
		sk_error(x->c->diag, rule->cond_span, "too-complex",
			 "rule '%s': the condition is too %s after macro expansion (more than %u levels or %u nodes)",
			 rule->name, depth > EX_MAX_DEPTH ? "deep" : "large", EX_MAX_DEPTH, EX_MAX_NODES);
		x->too_big = 1;
		return e;
	}
	if (e->kind == SK_E_MACRO) {
		sk_item *m = find(x->macros, x->n_macros, e->ident);
		if (!m || !m->ast || (ctx->kind == SK_ITEM_MACRO && m->seq >= ctx->seq))
			return e; /* reported by resolve() or by the parser */
		sk_origin *o = sk_arena_alloc(x->c->arena, sizeof(*o));
		o->macro = m->name;
		o->def = m->cond_span;
		o->use = e->span;
		o->up = up;
		sk_expr *copy = sk_expr_clone(x->c->arena, m->ast);
		size_t before = x->nodes, items = 0;
		set_origin(copy, o, &x->nodes, &items);
		if (budget(x, x->nodes - before + items, rule->cond_span)) {
			x->too_big = 1;
			return e;
		}
		return expand(x, rule, copy, m, o, depth + 1);
	}
	for (size_t i = 0; i < e->n_kids; i++)
		e->kids[i] = expand(x, rule, e->kids[i], ctx, up, depth + 1);
	return e;
}

int sk_expand(sk_comp *c)
{
	struct ex x = { .c = c };
	size_t errors = sk_diag_error_count(c->diag);

	for (size_t i = 0; i < c->n_items; i++) {
		sk_item *it = c->items[i];
		if (it->kind == SK_ITEM_LIST)
			sk_arena_push(c->arena, (void ***)&x.lists, &x.n_lists, it);
		else if (it->kind == SK_ITEM_MACRO)
			sk_arena_push(c->arena, (void ***)&x.macros, &x.n_macros, it);
		if (it->kind != SK_ITEM_LIST && it->cond.str)
			it->ast = sk_parse_condition(c->arena, c->diag, &it->cond, SK_MAX_DEPTH_DEFAULT);
	}
	expand_lists_in_lists(&x);
	for (size_t i = 0; i < c->n_items; i++)
		subst_lists(&x, c->items[i]->ast);
	for (size_t i = 0; i < c->n_items; i++)
		if (c->items[i]->kind != SK_ITEM_LIST)
			resolve(&x, c->items[i], c->items[i]->ast);
	for (size_t i = 0; i < c->n_items; i++) {
		sk_item *it = c->items[i];
		if (it->kind != SK_ITEM_RULE || !it->ast)
			continue;
		x.nodes = 0;
		x.too_big = 0;
		it->ast = expand(&x, it, it->ast, it, NULL, 0);
		if (x.too_big)
			it->ast = NULL;
	}
	for (size_t i = 0; i < c->n_items; i++) {
		sk_item *it = c->items[i];
		if (it->kind != SK_ITEM_RULE && !it->used)
			sk_warning(c->diag, it->name_span, "unused", "%s '%s' is never used",
				   it->kind == SK_ITEM_LIST ? "list" : "macro", it->name);
	}
	return sk_diag_error_count(c->diag) > errors ? -1 : 0;
}
