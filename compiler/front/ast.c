/* The condition AST: constructors, deep copy and the canonical printer (Falco's as_string).
 * Clone and print walk the tree with an explicit stack, so no tree depth can overflow the C
 * stack (macro expansion can nest deeper than the parser's limit). */
#include "ast.h"

#include <stdlib.h>
#include <string.h>

const char *const sk_op_names[SK_OP__COUNT] = {
#define X(id, s, b) [SK_OP_##id] = s,
	SK_OPS(X)
#undef X
};

sk_expr *sk_expr_new(sk_arena *a, enum sk_expr_kind kind, sk_span span)
{
	sk_expr *e = sk_arena_alloc(a, sizeof(*e));
	e->kind = kind;
	e->span = span;
	return e;
}

sk_operand *sk_operand_new(sk_arena *a, enum sk_operand_kind kind, sk_span span)
{
	sk_operand *o = sk_arena_alloc(a, sizeof(*o));
	o->kind = kind;
	o->span = span;
	o->field = -1;
	return o;
}

/* A growable stack of work items, on the heap. */
struct work {
	int tag;          /* what to do with p */
	const void *p;
	void **dst;       /* clone: where to store the copy */
};

struct stack {
	struct work *v;
	size_t n, cap;
};

static void push(struct stack *s, int tag, const void *p, void **dst)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			abort();
	}
	s->v[s->n++] = (struct work){ tag, p, dst };
}

/* ---- clone ---- */

enum { W_EXPR, W_OPERAND };

/* text_len counts values holding NUL bytes; 0 means "use strlen" for nodes built by hand. */
static size_t text_len(const sk_operand *o)
{
	return o->text_len ? o->text_len : o->text ? strlen(o->text) : 0;
}

sk_expr *sk_expr_clone(sk_arena *a, const sk_expr *e)
{
	if (!e)
		return NULL;
	sk_expr *root = NULL;
	struct stack st = { 0 };
	push(&st, W_EXPR, e, (void **)&root);
	while (st.n) {
		struct work w = st.v[--st.n];
		if (w.tag == W_EXPR) {
			const sk_expr *src = w.p;
			sk_expr *c = sk_arena_alloc(a, sizeof(*c));
			*c = *src;
			*w.dst = c;
			if (src->ident)
				c->ident = sk_arena_strdup(a, src->ident);
			if (src->n_kids) {
				c->kids = sk_arena_alloc(a, src->n_kids * sizeof(*c->kids));
				for (size_t i = 0; i < src->n_kids; i++)
					push(&st, W_EXPR, src->kids[i], (void **)&c->kids[i]);
			} else {
				c->kids = NULL;
			}
			if (src->lhs)
				push(&st, W_OPERAND, src->lhs, (void **)&c->lhs);
			if (src->rhs)
				push(&st, W_OPERAND, src->rhs, (void **)&c->rhs);
		} else {
			const sk_operand *src = w.p;
			sk_operand *c = sk_arena_alloc(a, sizeof(*c));
			*c = *src;
			*w.dst = c;
			c->text = src->text ? sk_arena_strndup(a, src->text, text_len(src)) : NULL;
			c->arg = src->arg ? sk_arena_strdup(a, src->arg) : NULL;
			if (src->n_items) {
				c->items = sk_arena_alloc(a, src->n_items * sizeof(*c->items));
				for (size_t i = 0; i < src->n_items; i++)
					push(&st, W_OPERAND, src->items[i], (void **)&c->items[i]);
			} else {
				c->items = NULL;
			}
		}
	}
	free(st.v);
	return root;
}

/* ---- printer ---- */

struct buf {
	char *s;
	size_t n, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		while (b->n + n + 1 > b->cap)
			b->cap = b->cap ? b->cap * 2 : 256;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* Falco's escape_str: bare unless the value holds a blank, '=', a quote or a backslash (or a
 * control character it escapes), then double-quoted. The empty string prints as "" (Falco
 * prints nothing, which would not parse back); NUL prints as \x00. */
static void put_value(struct buf *b, const char *s, size_t len)
{
	bool quote = len == 0;
	for (size_t i = 0; i < len && !quote; i++)
		quote = strchr(" ='\"\\\b\f\n\r\t", s[i]) != NULL; /* strchr also finds the NUL */
	if (!quote) {
		put(b, s, len);
		return;
	}
	put(b, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '\\': puts_(b, "\\\\"); break;
		case '"': puts_(b, "\\\""); break;
		case '\b': puts_(b, "\\b"); break;
		case '\f': puts_(b, "\\f"); break;
		case '\n': puts_(b, "\\n"); break;
		case '\r': puts_(b, "\\r"); break;
		case '\t': puts_(b, "\\t"); break;
		case '\0': puts_(b, "\\x00"); break;
		default: put(b, &s[i], 1);
		}
	}
	put(b, "\"", 1);
}

enum { P_EXPR, P_OPERAND, P_LIT, P_ARG };

static const char *mod_name(enum sk_modifier m)
{
	switch (m) {
	case SK_MOD_ONEOF: return "oneof";
	case SK_MOD_ANYOF: return "anyof";
	case SK_MOD_ALLOF: return "allof";
	default: return NULL;
	}
}

/* Items are pushed in reverse: the stack pops them in print order. */
static void expand_operand(struct stack *st, const sk_operand *o)
{
	switch (o->kind) {
	case SK_OPD_FIELD:
		if (o->arg)
			push(st, P_ARG, o, NULL);
		push(st, P_LIT, o->text, NULL);
		break;
	case SK_OPD_TRANSFORM:
	case SK_OPD_VAL:
		if (o->arg && o->kind == SK_OPD_TRANSFORM)
			push(st, P_ARG, o, NULL);
		push(st, P_LIT, ")", NULL);
		for (size_t i = o->n_items; i-- > 0;) {
			push(st, P_OPERAND, o->items[i], NULL);
			if (i)
				push(st, P_LIT, ",", NULL);
		}
		push(st, P_LIT, "(", NULL);
		push(st, P_LIT, o->kind == SK_OPD_VAL ? "val" : o->text, NULL);
		break;
	case SK_OPD_LIST:
	case SK_OPD_TLIST:
		push(st, P_LIT, ")", NULL);
		for (size_t i = o->n_items; i-- > 0;) {
			push(st, P_OPERAND, o->items[i], NULL);
			if (i)
				push(st, P_LIT, ", ", NULL);
		}
		push(st, P_LIT, "(", NULL);
		break;
	case SK_OPD_VALUE:
	case SK_OPD_IDENT:
		break; /* printed directly */
	}
}

static void expand_expr(struct stack *st, const sk_expr *e)
{
	switch (e->kind) {
	case SK_E_AND:
	case SK_E_OR:
		push(st, P_LIT, ")", NULL);
		for (size_t i = e->n_kids; i-- > 0;) {
			push(st, P_EXPR, e->kids[i], NULL);
			if (i)
				push(st, P_LIT, e->kind == SK_E_AND ? " and " : " or ", NULL);
		}
		push(st, P_LIT, "(", NULL);
		break;
	case SK_E_NOT:
		if (e->n_kids)
			push(st, P_EXPR, e->kids[0], NULL);
		push(st, P_LIT, "not ", NULL);
		break;
	case SK_E_MACRO:
		push(st, P_LIT, e->ident, NULL);
		break;
	case SK_E_CONST:
		push(st, P_LIT, e->value ? "true" : "false", NULL);
		break;
	case SK_E_CHECK:
		if (e->rhs) {
			push(st, P_OPERAND, e->rhs, NULL);
			push(st, P_LIT, " ", NULL);
		}
		if (e->mod != SK_MOD_NONE) {
			push(st, P_LIT, mod_name(e->mod), NULL);
			push(st, P_LIT, " ", NULL);
		}
		push(st, P_LIT, e->op < SK_OP__COUNT ? sk_op_names[e->op] : "?", NULL);
		push(st, P_LIT, " ", NULL);
		if (e->lhs)
			push(st, P_OPERAND, e->lhs, NULL);
		break;
	}
}

char *sk_expr_to_string(sk_arena *a, const sk_expr *e)
{
	struct buf b = { 0 };
	struct stack st = { 0 };
	put(&b, "", 0);
	if (e)
		push(&st, P_EXPR, e, NULL);
	while (st.n) {
		struct work w = st.v[--st.n];
		switch (w.tag) {
		case P_LIT:
			if (w.p)
				puts_(&b, w.p);
			break;
		case P_ARG: {
			const sk_operand *o = w.p;
			put(&b, "[", 1);
			put_value(&b, o->arg, strlen(o->arg));
			put(&b, "]", 1);
			break;
		}
		case P_EXPR:
			expand_expr(&st, w.p);
			break;
		case P_OPERAND: {
			const sk_operand *o = w.p;
			if (o->kind == SK_OPD_VALUE)
				put_value(&b, o->text ? o->text : "", text_len(o));
			else if (o->kind == SK_OPD_IDENT)
				puts_(&b, o->text ? o->text : "");
			else
				expand_operand(&st, o);
			break;
		}
		}
	}
	char *r = sk_arena_strndup(a, b.s, b.n);
	free(b.s);
	free(st.v);
	return r;
}
