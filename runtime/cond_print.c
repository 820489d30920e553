/* sk_cond_to_string (cond.h): a typed condition in Falco's canonical form, the one `saker parse`
 * prints for conditions (compiler/front/ast.c), walked with an explicit stack. Constants print as the
 * checker converted them: numbers in decimal, bcontains/bstartswith bytes in hex. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cond_int.h"

struct pbuf {
	char *s;
	size_t n, cap;
	bool oom;
};

static void put(struct pbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		while (b->n + n + 1 > cap)
			cap *= 2;
		char *d = realloc(b->s, cap);
		if (!d) {
			b->oom = true;
			return;
		}
		b->s = d;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void puts_(struct pbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* Falco's escape_str: bare unless the value is empty or holds a blank, '=', a quote, a
 * backslash or a control character it escapes; then double-quoted. NUL prints as \x00. */
static void put_value(struct pbuf *b, const char *s, size_t len)
{
	bool quote = len == 0;

	for (size_t i = 0; i < len && !quote; i++)
		quote = s[i] == '\0' || strchr(" ='\"\\\b\f\n\r\t", s[i]) != NULL;
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

static void put_cval(struct pbuf *b, const sk_cval *v, bool hex)
{
	char tmp[64];

	if (v->kind == SK_CV_STR) {
		if (!hex) {
			put_value(b, v->s ? v->s : "", v->s ? v->len : 0);
			return;
		}
		for (size_t i = 0; i < v->len; i++) {
			static const char digits[] = "0123456789abcdef";
			char h[2] = { digits[(unsigned char)v->s[i] >> 4], digits[v->s[i] & 15] };
			put(b, h, 2);
		}
		if (!v->len)
			put(b, "\"\"", 2);
		return;
	}
	size_t n = sk_cval_text(v, tmp, sizeof(tmp));
	if (!n)
		put(b, "<NA>", 4);
	put(b, tmp, n);
}

/* Work items: text, a node, or a value. */
enum { W_LIT, W_EXPR, W_OPND, W_RHS, W_RHS_HEX, W_VALUE, W_HEXVALUE, W_ARG };

struct work {
	int tag;
	const void *p;
};

struct wstack {
	struct work *v;
	size_t n, cap;
	bool oom;
};

static void push(struct wstack *st, int tag, const void *p)
{
	if (st->oom)
		return;
	if (st->n == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 64;
		struct work *d = realloc(st->v, cap * sizeof(*d));
		if (!d) {
			st->oom = true;
			return;
		}
		st->v = d;
		st->cap = cap;
	}
	st->v[st->n++] = (struct work){ tag, p };
}

static const char *mod_name(enum sk_cmod m)
{
	switch (m) {
	case SK_CMOD_ONEOF: return "oneof";
	case SK_CMOD_ANYOF: return "anyof";
	case SK_CMOD_ALLOF: return "allof";
	default: return NULL;
	}
}

static const char *field_name(int f)
{
	return (unsigned)f < SK_FLD__COUNT ? sk_fields[f].name : "?";
}

/* Pushes the parts of an operand, last first (the stack pops them in print order). RHS: a
 * field on the right of a check, which Falco writes val(field). HEX: constants in hex. */
static void expand_operand(struct wstack *st, const sk_copnd *o, bool rhs, bool hex)
{
	switch (o->kind) {
	case SK_CO_FIELD:
		if (rhs)
			push(st, W_LIT, ")");
		if (o->arg || o->arg_index >= 0)
			push(st, W_ARG, o);
		push(st, W_LIT, field_name(o->field));
		if (rhs)
			push(st, W_LIT, "val(");
		break;
	case SK_CO_XFORM:
		if (o->arg)
			push(st, W_ARG, o);
		/* fall through */
	case SK_CO_TLIST:
		push(st, W_LIT, ")");
		for (size_t i = o->n_args; i-- > 0;) {
			if (o->args && o->args[i])
				push(st, W_OPND, o->args[i]);
			if (i)
				push(st, W_LIT, o->kind == SK_CO_TLIST ? ", " : ",");
		}
		push(st, W_LIT, "(");
		if (o->kind == SK_CO_XFORM)
			push(st, W_LIT, (unsigned)o->xform < SK_XF__COUNT ? sk_xform_names[o->xform] : "?");
		break;
	case SK_CO_CONST:
		push(st, hex ? W_HEXVALUE : W_VALUE, &o->v);
		break;
	case SK_CO_LIST:
		if (o->n_args) {
			expand_operand(st, &(sk_copnd){ .kind = SK_CO_TLIST, .n_args = o->n_args,
							.args = o->args }, false, hex);
			break;
		}
		push(st, W_LIT, ")");
		for (size_t i = o->n_items; i-- > 0;) {
			push(st, hex ? W_HEXVALUE : W_VALUE, &o->items[i]);
			if (i)
				push(st, W_LIT, ", ");
		}
		push(st, W_LIT, "(");
		break;
	}
}

static void expand_expr(struct wstack *st, const sk_cexpr *e)
{
	switch (e->kind) {
	case SK_C_AND:
	case SK_C_OR:
		push(st, W_LIT, ")");
		for (size_t i = e->n_kids; i-- > 0;) {
			if (e->kids && e->kids[i])
				push(st, W_EXPR, e->kids[i]);
			if (i)
				push(st, W_LIT, e->kind == SK_C_AND ? " and " : " or ");
		}
		push(st, W_LIT, "(");
		break;
	case SK_C_NOT:
		if (e->n_kids && e->kids && e->kids[0])
			push(st, W_EXPR, e->kids[0]);
		push(st, W_LIT, "not ");
		break;
	case SK_C_CONST:
		push(st, W_LIT, e->value ? "true" : "false");
		break;
	case SK_C_CHECK:
		if (e->rhs) {
			bool hex = e->op == SK_COP_BCONTAINS || e->op == SK_COP_BSTARTSWITH;
			push(st, hex ? W_RHS_HEX : W_RHS, e->rhs);
			push(st, W_LIT, " ");
		}
		if (mod_name(e->mod)) {
			push(st, W_LIT, mod_name(e->mod));
			push(st, W_LIT, " ");
		}
		push(st, W_LIT, (unsigned)e->op < SK_COP__COUNT ? sk_cop_names[e->op] : "?");
		push(st, W_LIT, " ");
		if (e->lhs)
			push(st, W_OPND, e->lhs);
		break;
	default:
		push(st, W_LIT, "?");
		break;
	}
}

char *sk_cond_to_string(const sk_cexpr *e)
{
	struct pbuf b = { 0 };
	struct wstack st = { 0 };

	put(&b, "", 0);
	if (e)
		push(&st, W_EXPR, e);
	while (st.n && !st.oom && !b.oom) {
		struct work w = st.v[--st.n];
		switch (w.tag) {
		case W_LIT:
			puts_(&b, w.p);
			break;
		case W_EXPR:
			expand_expr(&st, w.p);
			break;
		case W_OPND:
			expand_operand(&st, w.p, false, false);
			break;
		case W_RHS:
		case W_RHS_HEX:
			expand_operand(&st, w.p, true, w.tag == W_RHS_HEX);
			break;
		case W_VALUE:
		case W_HEXVALUE:
			put_cval(&b, w.p, w.tag == W_HEXVALUE);
			break;
		case W_ARG: {
			const sk_copnd *o = w.p;
			put(&b, "[", 1);
			if (o->arg) {
				put_value(&b, o->arg, strlen(o->arg));
			} else {
				sk_cval v = { .kind = SK_CV_INT, .i = o->arg_index };
				put_cval(&b, &v, false);
			}
			put(&b, "]", 1);
			break;
		}
		}
	}
	free(st.v);
	if (st.oom || b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
