/* Rule exceptions: validation as Falco's collector does it, and the condition text Falco's
 * compiler builds from them (build_rule_exception_infos), reproduced byte for byte so that the
 * effective condition is the same, down to Falco's quoting of values and what happens to values
 * that look like transformers or hold unbalanced parentheses. The text keeps a map into the
 * YAML, so the parse that follows (expand.c) points into the exception that caused an error. */
#include "exceptions.h"

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "parse.h"
#include "saker/fields.h"
#include "text.h"

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Falco trims " \t\r\n" around each comp before it checks and uses it. */
static void trim_entry(sk_exc_entry *e)
{
	sk_text *t = &e->item.text;
	size_t a = 0, b = t->len;
	while (a < b && is_blank(t->str[a]))
		a++;
	while (b > a && is_blank(t->str[b - 1]))
		b--;
	if (a == 0 && b == t->len)
		return;
	/* A sub-text shares the map: shift the string and map pointers. */
	t->str += a;
	if (t->map)
		t->map += a;
	else
		t->base += (uint32_t)a;
	if (t->files)
		t->files += a;
	t->len = b - a;
}

static bool text_is(const sk_text *t, const char *s)
{
	return t->len == strlen(s) && !memcmp(t->str, s, t->len);
}

static bool plain_op(const char *s, size_t n)
{
	for (int op = 0; op < SK_OP__COUNT; op++)
		if (strlen(sk_op_names[op]) == n && !memcmp(sk_op_names[op], s, n))
			return true;
	return false;
}

/* "<strop> <oneof|anyof|allof>": one blank between, on a string operator (Falco's
 * is_str_operator_with_modifier). */
static bool strop_with_modifier(const sk_text *t)
{
	static const char *const strops[] = { "=", "==", "!=", "contains", "icontains", "bcontains",
		"startswith", "bstartswith", "endswith", "glob", "iglob", "regex" };
	const char *sp = memchr(t->str, ' ', t->len);
	if (!sp)
		return false;
	size_t n = (size_t)(sp - t->str), rest = t->len - n - 1;
	const char *mod = sp + 1;
	if (!((rest == 5 && (!memcmp(mod, "oneof", 5) || !memcmp(mod, "anyof", 5) || !memcmp(mod, "allof", 5)))))
		return false;
	for (size_t i = 0; i < sizeof(strops) / sizeof(strops[0]); i++)
		if (strlen(strops[i]) == n && !memcmp(strops[i], t->str, n))
			return true;
	return false;
}

static bool list_op(const sk_text *t)
{
	return text_is(t, "in") || text_is(t, "intersects") || text_is(t, "pmatch") || strop_with_modifier(t);
}

static const char *entry_str(sk_comp *c, const sk_exc_entry *e)
{
	return e->is_list || !e->item.text.str ? "" : sk_arena_strndup(c->arena, e->item.text.str, e->item.text.len);
}

/* Whether every field a transformer reads is known. */
static bool fields_known(const sk_operand *o)
{
	if (o->kind == SK_OPD_FIELD)
		return sk_field_lookup(o->text) >= 0 || sk_falco_field(o->text);
	if (o->kind == SK_OPD_VALUE)
		return true;
	if (o->kind != SK_OPD_TRANSFORM && o->kind != SK_OPD_TLIST && o->kind != SK_OPD_VAL)
		return false;
	for (size_t i = 0; i < o->n_items; i++)
		if (!fields_known(o->items[i]))
			return false;
	return true;
}

/* Falco's is_valid_lhs_field: F reads as a field (or transformers around fields) the
 * syscall source knows, i.e. "F exists" compiles. */
static bool valid_field(sk_comp *c, const sk_exc_entry *f)
{
	if (f->is_list || !f->item.text.str || !f->item.text.len)
		return false;
	sk_tb tb;
	sk_tb_init(&tb, c->arena);
	sk_tb_text(&tb, &f->item.text);
	sk_tb_lit(&tb, " exists", sk_text_at(&f->item.text, f->item.text.len));
	sk_text t = sk_tb_done(&tb, sk_text_at(&f->item.text, f->item.text.len));
	sk_diag *quiet = sk_diag_new(); /* the parse only answers yes or no */
	sk_expr *e = sk_parse_condition(c->arena, quiet, &t, SK_MAX_DEPTH_DEFAULT);
	sk_diag_free(quiet);
	return e && e->kind == SK_E_CHECK && e->op == SK_OP_EXISTS && e->lhs &&
	       (e->lhs->kind == SK_OPD_FIELD || e->lhs->kind == SK_OPD_TRANSFORM) && fields_known(e->lhs);
}

static void bad_field(sk_comp *c, const char *what, const sk_exception *ex, const sk_exc_entry *f)
{
	const char *name = entry_str(c, f);
	sk_error(c->diag, f->span, "exception-field", "%s: exception '%s': '%s' is not a supported filter field",
		 what, ex->name, name);
	const char *fix = *name ? sk_field_suggest(name) : NULL;
	if (fix)
		sk_note(c->diag, f->span, "did you mean '%s'?", fix);
}

/* A default comp: written by nobody, placed at the field it is for. */
static sk_exc_entry default_comp(sk_comp *c, const sk_exc_entry *field, const char *op)
{
	sk_exc_entry e = { 0 };
	sk_tb tb;
	sk_tb_init(&tb, c->arena);
	sk_tb_lit(&tb, op, field->span);
	e.item.text = sk_tb_done(&tb, field->span);
	e.item.span = field->span;
	e.span = field->span;
	return e;
}

int sk_exc_validate(sk_comp *c, const char *what, sk_exception *ex, bool check_fields)
{
	sk_diag *d = c->diag;
	int bad = 0;
	sk_exc_entry *fl = &ex->fields, *cp = &ex->comps;
	bool comps_given = (cp->is_list && cp->n_items) || (!cp->is_list && cp->item.text.str && cp->item.text.len);

	if (fl->is_list) {
		if (!comps_given) {
			cp->is_list = true;
			cp->items = sk_arena_alloc(c->arena, (fl->n_items + 1) * sizeof(*cp->items));
			cp->n_items = fl->n_items;
			for (size_t i = 0; i < fl->n_items; i++)
				cp->items[i] = default_comp(c, &fl->items[i], "=");
		}
		if (fl->n_items != cp->n_items) {
			sk_error(d, cp->span, "exception-comps",
				 "%s: exception '%s': fields and comps lists must have equal length (%zu fields, %zu comps)",
				 what, ex->name, fl->n_items, cp->is_list ? cp->n_items : (size_t)1);
			bad = 1;
		}
		for (size_t i = 0; i < cp->n_items; i++) {
			sk_exc_entry *op = &cp->items[i];
			if (!op->is_list && op->item.text.str)
				trim_entry(op);
			const sk_text *t = &op->item.text;
			if (op->is_list || !t->str || !(plain_op(t->str, t->len) || strop_with_modifier(t))) {
				sk_error(d, op->span, "exception-comps", "%s: exception '%s': '%s' is not a supported comparison operator",
					 what, ex->name, entry_str(c, op));
				bad = 1;
			}
		}
		if (check_fields)
			for (size_t i = 0; i < fl->n_items; i++)
				if (!valid_field(c, &fl->items[i])) {
					bad_field(c, what, ex, &fl->items[i]);
					bad = 1;
				}
		return bad ? -1 : 0;
	}
	if (!comps_given)
		*cp = default_comp(c, fl, "in");
	if (cp->is_list) {
		sk_error(d, cp->span, "exception-comps", "%s: exception '%s': fields and comps must both be strings "
			 "(a single field takes a single comp)", what, ex->name);
		bad = 1;
	} else {
		trim_entry(cp);
		const sk_text *t = &cp->item.text;
		if (!(text_is(t, "in") || text_is(t, "pmatch") || text_is(t, "intersects") || strop_with_modifier(t))) {
			sk_error(d, cp->span, "exception-comps",
				 "%s: exception '%s': when fields is a single value, comps must be one of (in, pmatch, intersects) "
				 "or a modifier operator (e.g. startswith oneof), not '%s'", what, ex->name, entry_str(c, cp));
			bad = 1;
		}
	}
	if (check_fields && !valid_field(c, fl)) {
		bad_field(c, what, ex, fl);
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* ---- the condition text ---- */

static sk_span start_of(const sk_exc_entry *e)
{
	return e->item.text.str ? sk_text_at(&e->item.text, 0) : e->span;
}

static sk_span end_of(const sk_exc_entry *e)
{
	return e->item.text.str ? sk_text_at(&e->item.text, e->item.text.len) : e->span;
}

/* Falco's quote_item: in double quotes when it holds a blank and does not start with a quote;
 * nothing is escaped. */
static void put_quoted(sk_tb *b, const sk_exc_entry *e)
{
	if (e->is_list || !e->item.text.str)
		return; /* Falco pastes a list's (empty) item string here */
	const sk_text *t = &e->item.text;
	bool q = memchr(t->str, ' ', t->len) && t->str[0] != '"' && t->str[0] != '\'';
	if (q)
		sk_tb_lit(b, "\"", start_of(e));
	sk_tb_text(b, t);
	if (q)
		sk_tb_lit(b, "\"", end_of(e));
}

/* Falco's paren_item: a list name or a list written as text gets parentheses unless it has them. */
static void put_paren(sk_tb *b, const sk_exc_entry *e)
{
	const sk_text *t = &e->item.text;
	bool p = !t->str || !t->len || t->str[0] != '(';
	if (p)
		sk_tb_lit(b, "(", start_of(e));
	if (t->str)
		sk_tb_text(b, t);
	if (p)
		sk_tb_lit(b, ")", end_of(e));
}

/* "(f op (v1, v2, ...))" of the scalar form; nothing when there are no values. */
static int scalar_form(sk_comp *c, sk_tb *b, const char *what, const sk_exception *ex)
{
	for (size_t i = 0; i < ex->n_values; i++) {
		const sk_exc_entry *v = &ex->values[i];
		if (v->is_list) {
			sk_error(c->diag, v->span, "exception-values",
				 "%s: exception '%s': expected values array to contain a list of strings "
				 "(a single field takes single values)", what, ex->name);
			return -1;
		}
		if (i == 0) {
			sk_tb_lit(b, "(", ex->name_span);
			sk_tb_text(b, &ex->fields.item.text);
			sk_tb_lit(b, " ", end_of(&ex->fields));
			sk_tb_text(b, &ex->comps.item.text);
			sk_tb_lit(b, " (", end_of(&ex->comps));
		} else {
			sk_tb_lit(b, ", ", start_of(v));
		}
		put_quoted(b, v);
	}
	if (ex->n_values)
		sk_tb_lit(b, "))", end_of(&ex->values[ex->n_values - 1]));
	return 0;
}

/* "(( f1 op1 v1 and f2 op2 v2) or ( ...))" of the tuple form; nothing when no values. */
static int tuple_form(sk_comp *c, sk_tb *b, const char *what, const sk_exception *ex)
{
	const sk_exc_entry *fl = &ex->fields, *cp = &ex->comps;
	if (!ex->n_values)
		return 0;
	sk_tb_lit(b, "(", ex->name_span);
	for (size_t i = 0; i < ex->n_values; i++) {
		const sk_exc_entry *t = &ex->values[i];
		size_t n = t->is_list ? t->n_items : 0;
		if (n != fl->n_items) {
			sk_error(c->diag, t->span, "exception-values",
				 "%s: exception '%s': fields and values lists must have equal length (%zu fields, %zu values)",
				 what, ex->name, fl->n_items, n);
			return -1;
		}
		sk_tb_lit(b, i ? " or (" : "(", t->span);
		for (size_t k = 0; k < n; k++) {
			const sk_exc_entry *v = &t->items[k], *op = &cp->items[k];
			sk_tb_lit(b, k ? " and " : " ", start_of(&fl->items[k]));
			sk_tb_text(b, &fl->items[k].item.text);
			sk_tb_lit(b, " ", end_of(&fl->items[k]));
			sk_tb_text(b, &op->item.text);
			sk_tb_lit(b, " ", start_of(v));
			if (v->is_list) {
				sk_tb_lit(b, "(", v->span);
				for (size_t j = 0; j < v->n_items; j++) {
					if (j)
						sk_tb_lit(b, ", ", start_of(&v->items[j]));
					put_quoted(b, &v->items[j]);
				}
				sk_tb_lit(b, ")", v->n_items ? end_of(&v->items[v->n_items - 1]) : v->span);
			} else if (list_op(&op->item.text)) {
				put_paren(b, v);
			} else {
				put_quoted(b, v);
			}
		}
		sk_tb_lit(b, ")", n ? end_of(&t->items[n - 1]) : t->span);
	}
	sk_tb_lit(b, ")", ex->values[ex->n_values - 1].span);
	return 0;
}

sk_text sk_exc_condition(sk_comp *c, const sk_item *it, bool *ok)
{
	*ok = true;
	if (!it->n_exc)
		return it->cond;
	char what[300];
	snprintf(what, sizeof(what), "rule '%s'", it->name);
	sk_tb b;
	sk_tb_init(&b, c->arena);
	sk_span end = sk_text_at(&it->cond, it->cond.len);
	sk_tb_lit(&b, "(", sk_text_at(&it->cond, 0));
	sk_tb_text(&b, &it->cond);
	sk_tb_lit(&b, ")", end);
	for (size_t i = 0; i < it->n_exc; i++) {
		const sk_exception *ex = &it->exc[i];
		sk_tb part;
		sk_tb_init(&part, c->arena);
		int rc = ex->fields.is_list ? tuple_form(c, &part, what, ex) : scalar_form(c, &part, what, ex);
		sk_text p = sk_tb_done(&part, ex->span);
		if (rc < 0) {
			*ok = false;
			continue;
		}
		if (!p.len)
			continue; /* an exception without values adds nothing */
		sk_tb_lit(&b, " and not ", ex->name_span);
		sk_tb_text(&b, &p);
		end = sk_text_at(&p, p.len);
	}
	return sk_tb_done(&b, end);
}
