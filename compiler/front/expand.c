/* Expansion: parse every condition (a rule's with its exceptions), then replace named lists and
 * macro references in the ASTs (not in the text, as Falco does, so every node keeps its location
 * in the rules file). Where Falco's textual substitution gives a different result from a tree
 * substitution, saker reproduces Falco when a rules file could depend on it, and otherwise
 * refuses or warns (docs/rules.md, "Named lists"). */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "collect.h"
#include "exceptions.h"
#include "names.h"
#include "parse.h"
#include "saker/fields.h"
#include "text.h"

/* Expansion copies macro bodies; these bounds keep hostile inputs from exhausting the stack or
 * memory (a chain of macros each using the next twice doubles the size at every step). */
#define EX_MAX_DEPTH (3 * SK_MAX_DEPTH_DEFAULT)
#define EX_MAX_NODES 1000000
/* Every rule may stay under EX_MAX_NODES and a few kilobytes of lists and macros still make
 * rules x nodes, or lists x list references, too big to hold: bound the whole compilation's
 * expansion too (nodes, and list items). Falco's own rules use well under 1% of it. */
#define EX_MAX_TOTAL (2 * EX_MAX_NODES)
/* Suggestions scan every name; past this many, misspellings are reported without one. */
#define EX_MAX_SUGGEST 200

/* A list as conditions see it: its items, lists in them expanded, read as Falco reads the
 * items once it has pasted them into a condition. */
struct lst {
	sk_item *it;
	sk_scalar *items;      /* the items, with lists named in them expanded one level */
	size_t n_items;
	int state;             /* 0: values not read yet; 1: read; -1: the items do not read as values */
	sk_operand **vals;
	size_t n_vals;
};

struct ex {
	sk_comp *c;
	sk_item **macros;
	size_t n_macros;
	struct lst *lists;
	size_t n_lists;
	sk_names macro_names, list_names;
	size_t *scc;           /* scc[i]: the strongly connected component of macro i's references */
	bool *cyclic;          /* cyclic[i]: macro i is in a reference loop */
	bool *reported;        /* reported[c]: the loop of component c was reported */
	size_t suggested;      /* did-you-mean searches done */
	size_t nodes;          /* nodes created for the current rule */
	int too_big;           /* the current rule hit a bound (reported once) */
	size_t total;          /* nodes and list items created in the whole compilation */
	int total_hit;         /* EX_MAX_TOTAL was reached (reported once) */
	size_t subst_errors;   /* errors substituting lists (the condition is dropped) */
};

/* Counts N more nodes or items against EX_MAX_TOTAL; returns -1 (reported once, at AT) when
 * they do not fit, and the caller stops expanding. */
static int budget(struct ex *x, size_t n, sk_span at)
{
	if (!x->total_hit && n <= EX_MAX_TOTAL - x->total) {
		x->total += n;
		return 0;
	}
	x->subst_errors++;
	if (!x->total_hit)
		sk_error(x->c->diag, at, "too-complex",
			 "the rules are too large after list and macro expansion (more than %u nodes and list items in all)",
			 EX_MAX_TOTAL);
	x->total_hit = 1;
	return -1;
}

static struct lst *list_named(struct ex *x, const char *name)
{
	return sk_names_get(&x->list_names, name);
}

/* The position of macro NAME in x->macros, plus 1; 0 when there is none. */
static size_t macro_pos(struct ex *x, const char *name)
{
	return (size_t)(uintptr_t)sk_names_get(&x->macro_names, name);
}

static sk_item *macro_named(struct ex *x, const char *name)
{
	size_t i = macro_pos(x, name);
	return i ? x->macros[i - 1] : NULL;
}

/* NAMES of the items of kind K, for a did-you-mean (NULL once too many were searched). */
static const char *suggest(struct ex *x, const char *name, enum sk_item_kind k)
{
	if (x->suggested++ >= EX_MAX_SUGGEST)
		return NULL;
	size_t n = k == SK_ITEM_LIST ? x->n_lists : x->n_macros;
	const char **names = sk_arena_alloc(x->c->arena, (n + 1) * sizeof(*names));
	for (size_t i = 0; i < n; i++)
		names[i] = k == SK_ITEM_LIST ? x->lists[i].it->name : x->macros[i]->name;
	return sk_nearest(name, names, n);
}

/* ---- lists ---- */

/* Falco's compile_list_infos: an item naming a list whose place is before this list's last
 * change is replaced by that list's items as written (one level). */
static void expand_lists_in_lists(struct ex *x)
{
	for (size_t i = 0; i < x->n_lists; i++) {
		struct lst *l = &x->lists[i];
		for (size_t k = 0; k < l->it->n_raw; k++) {
			const sk_scalar *r = &l->it->raw[k];
			struct lst *ref = list_named(x, r->text.str);
			if (ref && ref->it->index < l->it->visibility && strlen(r->text.str) == r->text.len) {
				ref->it->used = true;
				if (budget(x, ref->it->n_raw, r->span))
					return;
				for (size_t j = 0; j < ref->it->n_raw; j++)
					SK_PUSH(x->c->arena, l->items, l->n_items, ref->it->raw[j]);
			} else {
				SK_PUSH(x->c->arena, l->items, l->n_items, *r);
			}
		}
	}
}

/* Falco's quote_item, for pasting an item into a condition: in double quotes when it holds a
 * blank and does not start with a quote (nothing is escaped). */
static void paste_item(sk_tb *b, const sk_scalar *r)
{
	const sk_text *t = &r->text;
	bool q = memchr(t->str, ' ', t->len) && t->str[0] != '"' && t->str[0] != '\'';
	if (q)
		sk_tb_lit(b, "\"", sk_text_at(t, 0));
	sk_tb_text(b, t);
	if (q)
		sk_tb_lit(b, "\"", sk_text_at(t, t->len));
}

static bool is_delim(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '(' || ch == ')' || ch == ',' || ch == '=';
}

/* Falco substitutes list names as text, even inside quoted strings: warn where a string holds a
 * list name between blanks, parentheses, commas or '=' (saker keeps the string as written). */
static void check_string(struct ex *x, const sk_operand *o)
{
	const char *s = o->text;
	size_t n = o->text_len ? o->text_len : strlen(s);
	for (size_t i = 0; i < n;) {
		if (is_delim(s[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && !is_delim(s[j]))
			j++;
		char w[128]; /* longer words are looked up rarely enough to copy */
		if (i > 0 && j < n) {
			char *word = j - i < sizeof(w) ? w : sk_arena_alloc(x->c->arena, j - i + 1);
			memcpy(word, s + i, j - i);
			word[j - i] = '\0';
			struct lst *l = list_named(x, word);
			if (l) {
				l->it->used = true;
				sk_warning(x->c->diag, o->span, "list-in-string",
					   "'%s' in this string is the name of a list: Falco would paste the list's items into the "
					   "string (it substitutes list names as text); saker keeps the string as written", word);
				return;
			}
		}
		i = j;
	}
}

/* The values list L stands for: its items pasted as Falco pastes them ("a, b, ...") and read
 * as the values of a list, so that quotes, escapes and commas inside items mean what they mean
 * to Falco. Items that do not read as values (a parenthesis, an open quote) are reported at the
 * first use, USE. Returns -1 when the items do not read. */
static int read_list(struct ex *x, struct lst *l, sk_span use)
{
	if (l->state)
		return l->state < 0 ? -1 : 0;
	sk_tb b;
	sk_tb_init(&b, x->c->arena);
	sk_tb_lit(&b, "list.items in (", l->it->name_span);
	for (size_t i = 0; i < l->n_items; i++) {
		if (i)
			sk_tb_lit(&b, ", ", sk_text_at(&l->items[i].text, 0));
		paste_item(&b, &l->items[i]);
	}
	sk_span end = l->n_items ? sk_text_at(&l->items[l->n_items - 1].text, l->items[l->n_items - 1].text.len)
				 : l->it->name_span;
	sk_tb_lit(&b, ")", end);
	sk_text t = sk_tb_done(&b, end);
	sk_diag *quiet = sk_diag_new();
	sk_expr *e = sk_parse_condition(x->c->arena, quiet, &t, SK_MAX_DEPTH_DEFAULT);
	sk_diag_free(quiet);
	if (!e || e->kind != SK_E_CHECK || !e->rhs || e->rhs->kind != SK_OPD_LIST) {
		/* again, to report where; the message names the list as Falco would paste it */
		if (sk_parse_condition(x->c->arena, x->c->diag, &t, SK_MAX_DEPTH_DEFAULT)) /* else reported */
			sk_error(x->c->diag, l->it->name_span, "list-items", "list '%s': the items do not read as list values",
				 l->it->name);
		sk_note(x->c->diag, l->it->name_span,
			"in the items of list '%s', which Falco pastes into conditions as text: an item may not hold "
			"parentheses, commas outside quotes or an unbalanced quote", l->it->name);
		sk_note(x->c->diag, use, "the list is used here");
		l->state = -1;
		return -1;
	}
	l->vals = e->rhs->items;
	l->n_vals = e->rhs->n_items;
	l->state = 1;
	for (size_t i = 0; i < l->n_vals; i++)
		if (l->vals[i]->quoted)
			check_string(x, l->vals[i]);
	return 0;
}

/* Appends to *V the values list L stands for where a condition names it: its values, with
 * each value naming a list whose place comes after L's replaced in turn (Falco substitutes
 * the lists in order, each also in what the earlier ones pasted). */
static int paste(struct ex *x, struct lst *l, sk_operand ***v, size_t *n, sk_span use, size_t depth)
{
	l->it->used = true;
	if (read_list(x, l, use) < 0) {
		x->subst_errors++;
		return -1;
	}
	if (depth > EX_MAX_DEPTH) {
		x->subst_errors++;
		sk_error(x->c->diag, use, "too-complex", "lists name each other more than %u deep", EX_MAX_DEPTH);
		return -1;
	}
	if (budget(x, l->n_vals, use))
		return -1;
	for (size_t i = 0; i < l->n_vals; i++) {
		sk_operand *o = l->vals[i];
		struct lst *m = o->quoted ? NULL : list_named(x, o->text);
		if (m && m->it->index > l->it->index) {
			if (paste(x, m, v, n, use, depth + 1) < 0)
				return -1;
			continue;
		}
		sk_arena_push(x->c->arena, (void ***)v, n, o);
	}
	return 0;
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
			struct lst *ref = it->kind == SK_OPD_VALUE && !it->quoted ? list_named(x, it->text) : NULL;
			if (ref) {
				paste(x, ref, &v, &n, it->span, 0);
				continue;
			}
			if (it->kind == SK_OPD_VALUE && it->quoted)
				check_string(x, it);
			sk_arena_push(x->c->arena, (void ***)&v, &n, it);
		}
		o->items = v;
		o->n_items = n;
	} else if (o->kind == SK_OPD_IDENT) {
		struct lst *ref = list_named(x, o->text);
		sk_operand **v = NULL;
		size_t n = 0;
		if (ref) {
			/* Falco pastes the items after 'in' without parentheses: only one item that reads as
			 * a name parses there (as a list of that one value). */
			if (paste(x, ref, &v, &n, o->span, 0) == 0 && !(n == 1 && !v[0]->quoted && sk_parse_is_ident(v[0]->text))) {
				x->subst_errors++;
				sk_error(x->c->diag, o->span, "list-parens",
					 "list '%s' must be in parentheses here: Falco pastes its items as text, and "
					 "'in %s' without parentheses only parses with a single item that is a name", o->text,
					 n ? "a, b" : "");
				sk_note(x->c->diag, o->span, "write 'in (%s)'", o->text);
			}
		} else {
			/* Falco reads an unknown name here as a one-value list; say so, a typo is likelier. */
			sk_warning(x->c->diag, o->span, "unknown-list",
				   "no list is named '%s'; it is compared as the single value '%s'", o->text, o->text);
			const char *fix = suggest(x, o->text, SK_ITEM_LIST);
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

/* A single value after an operator: Falco pastes a list named there too, which parses only
 * when the list has exactly one item; saker does the same. */
static void subst_value(struct ex *x, sk_expr *e)
{
	sk_operand *o = e->rhs;
	if (o->quoted) {
		check_string(x, o);
		return;
	}
	struct lst *ref = list_named(x, o->text);
	if (!ref)
		return;
	sk_operand **v = NULL;
	size_t n = 0;
	if (paste(x, ref, &v, &n, o->span, 0) < 0)
		return;
	if (n != 1) {
		x->subst_errors++;
		sk_error(x->c->diag, o->span, "list-as-value",
			 "'%s' is a list of %zu items where one value is expected: Falco pastes list items here as text, "
			 "which does not parse", o->text, n);
		sk_note(x->c->diag, o->span, "to test membership, write '%s in (%s)'",
			e->lhs && e->lhs->kind == SK_OPD_FIELD ? e->lhs->text : "field", o->text);
		return;
	}
	sk_warning(x->c->diag, o->span, "list-as-value",
		   "'%s' is a list: Falco pastes its one item here, so this compares with '%s'", o->text, v[0]->text);
	sk_operand *val = sk_operand_new(x->c->arena, SK_OPD_VALUE, o->span);
	val->text = v[0]->text;
	val->text_len = v[0]->text_len;
	val->quoted = v[0]->quoted;
	e->rhs = val;
}

static void subst_lists(struct ex *x, sk_expr *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_kids; i++)
		subst_lists(x, e->kids[i]);
	if (e->kind == SK_E_CHECK) {
		subst_operand(x, e->lhs);
		if (e->rhs && e->rhs->kind == SK_OPD_VALUE)
			subst_value(x, e);
		else
			subst_operand(x, e->rhs);
	}
}

/* ---- macro references ---- */

/* Appends the positions (plus 1) of the macros E names to *V. */
static void refs(struct ex *x, const sk_expr *e, size_t **v, size_t *n, size_t depth)
{
	if (!e || depth > EX_MAX_DEPTH)
		return;
	if (e->kind == SK_E_MACRO) {
		size_t i = macro_pos(x, e->ident);
		if (i)
			SK_PUSH(x->c->arena, *v, *n, i - 1);
		return;
	}
	for (size_t i = 0; i < e->n_kids; i++)
		refs(x, e->kids[i], v, n, depth + 1);
}

/* Reference loops, whether the macros in them see each other (after appends) or not: the
 * strongly connected components of the graph of macro references (Tarjan's algorithm, with an
 * explicit stack: a chain of macros may be as long as the file). */
static void find_loops(struct ex *x)
{
	size_t n = x->n_macros, next = 0, n_comp = 0, sp = 0, cp = 0;
	size_t **out = sk_arena_alloc(x->c->arena, (n + 1) * sizeof(*out));
	size_t *n_out = sk_arena_alloc(x->c->arena, (n + 1) * sizeof(*n_out));
	size_t *index = sk_arena_alloc(x->c->arena, (n + 1) * sizeof(*index)); /* 0: not visited */
	size_t *low = sk_arena_alloc(x->c->arena, (n + 1) * sizeof(*low));
	bool *on = sk_arena_alloc(x->c->arena, n + 1);
	size_t *stack = sk_arena_alloc(x->c->arena, (n + 1) * sizeof(*stack));
	struct frame { size_t v, e; } *call = sk_arena_alloc(x->c->arena, (n + 1) * sizeof(*call));
	x->scc = sk_arena_alloc(x->c->arena, (n + 1) * sizeof(*x->scc));
	x->cyclic = sk_arena_alloc(x->c->arena, n + 1);
	x->reported = sk_arena_alloc(x->c->arena, n + 1);
	for (size_t i = 0; i < n; i++)
		refs(x, x->macros[i]->ast, &out[i], &n_out[i], 0);
	for (size_t root = 0; root < n; root++) {
		if (index[root])
			continue;
		call[cp++] = (struct frame){ root, 0 };
		index[root] = low[root] = ++next;
		stack[sp++] = root;
		on[root] = true;
		while (cp) {
			struct frame *f = &call[cp - 1];
			size_t v = f->v;
			if (f->e < n_out[v]) {
				size_t w = out[v][f->e++];
				if (w == v)
					x->cyclic[v] = true;
				if (!index[w]) {
					index[w] = low[w] = ++next;
					stack[sp++] = w;
					on[w] = true;
					call[cp++] = (struct frame){ w, 0 };
				} else if (on[w] && index[w] < low[v]) {
					low[v] = index[w];
				}
				continue;
			}
			if (low[v] == index[v]) {
				size_t size = 0, w;
				do {
					w = stack[--sp];
					on[w] = false;
					x->scc[w] = n_comp;
					size++;
				} while (w != v);
				for (size_t k = sp; size > 1 && k < sp + size; k++)
					x->cyclic[stack[k]] = true;
				n_comp++;
			}
			cp--;
			if (cp && low[v] < low[call[cp - 1].v])
				low[call[cp - 1].v] = low[v];
		}
	}
}

static void report_unknown(struct ex *x, const sk_expr *e)
{
	sk_diag *d = x->c->diag;
	sk_error(d, e->span, "unknown-macro", "unknown macro '%s'", e->ident);
	if (sk_event_lookup(e->ident) >= 0) {
		sk_note(d, e->span, "did you mean 'evt.type = %s'?", e->ident);
		return;
	}
	const char *fix = suggest(x, e->ident, SK_ITEM_MACRO);
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
	struct lst *l = list_named(x, e->ident);
	if (l) {
		/* Falco's text substitution pastes the list's items here, which does not parse as a
		 * condition (nor does anything saker could do with it). */
		l->it->used = true;
		sk_error(x->c->diag, e->span, "list-as-macro",
			 "'%s' is a list, not a condition: Falco pastes its items here as text", e->ident);
		sk_note(x->c->diag, e->span, "use it after in, e.g. 'proc.name in (%s)'", e->ident);
		return;
	}
	sk_item *m = macro_named(x, e->ident);
	if (!m) {
		report_unknown(x, e);
		return;
	}
	m->used = true;
	if (it->kind != SK_ITEM_MACRO)
		return;
	size_t a = macro_pos(x, it->name) - 1, b = macro_pos(x, m->name) - 1;
	if (x->cyclic[a] && x->scc[a] == x->scc[b]) {
		if (!x->reported[x->scc[a]]) { /* one error for each loop */
			x->reported[x->scc[a]] = true;
			sk_error(x->c->diag, e->span, "macro-loop", "reference loop in macro '%s'", it->name);
			if (m != it)
				sk_note(x->c->diag, m->name_span, "macro '%s' uses macro '%s' in turn", m->name, it->name);
		}
	} else if (m->index >= it->visibility) {
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
		sk_item *m = macro_named(x, e->ident);
		if (!m || !m->ast || list_named(x, e->ident) || x->cyclic[macro_pos(x, e->ident) - 1] ||
		    (ctx->kind == SK_ITEM_MACRO && m->index >= ctx->visibility))
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

/* Whether E still holds a macro reference. */
static bool has_macro(const sk_expr *e, size_t depth)
{
	if (e->kind == SK_E_MACRO || depth > EX_MAX_DEPTH)
		return true;
	for (size_t i = 0; i < e->n_kids; i++)
		if (has_macro(e->kids[i], depth + 1))
			return true;
	return false;
}

int sk_expand(sk_comp *c)
{
	struct ex x = { .c = c };
	size_t errors = sk_diag_error_count(c->diag);

	sk_names_init(&x.macro_names, c->arena);
	sk_names_init(&x.list_names, c->arena);
	for (size_t i = 0; i < c->n_items; i++) {
		sk_item *it = c->items[i];
		if (it->kind == SK_ITEM_LIST) {
			it->used = false;
			SK_PUSH(c->arena, x.lists, x.n_lists, ((struct lst){ .it = it }));
		} else if (it->kind == SK_ITEM_MACRO) {
			it->used = false;
			sk_arena_push(c->arena, (void ***)&x.macros, &x.n_macros, it);
			sk_names_set(&x.macro_names, it->name, (void *)(uintptr_t)x.n_macros);
		}
	}
	/* the table holds pointers into x.lists: fill it once the array stops moving */
	for (size_t i = 0; i < x.n_lists; i++)
		sk_names_set(&x.list_names, x.lists[i].it->name, &x.lists[i]);

	bool unparsed = false; /* a condition that did not parse may use any list or macro */
	for (size_t i = 0; i < c->n_items; i++) {
		sk_item *it = c->items[i];
		it->ast = NULL;
		it->cond_error = false;
		if (it->kind == SK_ITEM_MACRO && it->cond.str) {
			it->ast = sk_parse_condition(c->arena, c->diag, &it->cond, SK_MAX_DEPTH_DEFAULT);
		} else if (it->kind == SK_ITEM_RULE && it->cond.str) {
			bool ok;
			sk_text t = sk_exc_condition(c, it, &ok);
			if (ok)
				it->ast = sk_parse_condition(c->arena, c->diag, &t, SK_MAX_DEPTH_DEFAULT);
		}
		unparsed |= it->kind != SK_ITEM_LIST && !it->ast;
	}
	find_loops(&x);
	expand_lists_in_lists(&x);
	/* A condition with an error in it is dropped (ast NULL), so that later passes do not
	 * report what follows from the error. */
	for (size_t i = 0; i < c->n_items; i++) {
		size_t before = x.subst_errors;
		subst_lists(&x, c->items[i]->ast);
		if (x.subst_errors > before) {
			c->items[i]->ast = NULL;
			unparsed = true;
		}
	}
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
		else if (has_macro(it->ast, 0))
			it->cond_error = true; /* a reference that could not be expanded (reported); the
						* checker still reports what else is wrong */
	}
	for (size_t i = 0; i < c->n_items; i++) {
		sk_item *it = c->items[i];
		if (it->kind != SK_ITEM_RULE && !it->used && !unparsed)
			sk_warning(c->diag, it->name_span, "unused", "%s '%s' is never used",
				   it->kind == SK_ITEM_LIST ? "list" : "macro", it->name);
	}
	/* the lists' values, for the passes after (and for explain) */
	for (size_t i = 0; i < x.n_lists; i++) {
		x.lists[i].it->items = x.lists[i].vals;
		x.lists[i].it->n_items = x.lists[i].n_vals;
	}
	return sk_diag_error_count(c->diag) > errors ? -1 : 0;
}
