/* Type checker: resolves every field (Falco's whole catalogue, fields.def), checks operators,
 * modifiers, transformers and field-to-field comparisons against the field types, converts the
 * values, and builds each rule's typed condition (saker/cond.h). Errors are for what Falco
 * itself refuses; a field saker does not compute yet only leaves the rule out (plan.c). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "saker/event.h"
#include "saker/fields.h"

struct tc {
	sk_comp *c;
	sk_rule *rule;      /* the rule being checked */
	int failed;         /* it had an error */
	sk_span *seen;      /* diagnostics already given (a macro used by many rules reports once) */
	size_t n_seen, cap_seen;
};

/* ---- reporting ------------------------------------------------------------------------ */

static int already(struct tc *k, sk_span at, enum sk_severity sev, const char *code)
{
	uint32_t tag = (uint32_t)sev * 131u + (uint32_t)strlen(code ? code : "");
	for (size_t i = 0; i < k->n_seen; i++)
		if (k->seen[i].file == at.file && k->seen[i].off == at.off && k->seen[i].len == (at.len ^ tag))
			return 1;
	if (k->n_seen == k->cap_seen) {
		size_t ncap = k->cap_seen ? k->cap_seen * 2 : 32;
		sk_span *ns = sk_arena_alloc(k->c->arena, ncap * sizeof(*ns));
		if (k->n_seen)
			memcpy(ns, k->seen, k->n_seen * sizeof(*ns));
		k->seen = ns;
		k->cap_seen = ncap;
	}
	k->seen[k->n_seen++] = (sk_span){ at.file, at.off, at.len ^ tag };
	return 0;
}

static void origin_notes(struct tc *k, const sk_origin *o)
{
	for (; o; o = o->up) {
		unsigned line, col;
		sk_diag_position(k->c->diag, o->def, &line, &col);
		sk_note(k->c->diag, o->use, "in macro '%s' defined at %s:%u:%u", o->macro,
			sk_diag_file_name(k->c->diag, o->def.file), line, col);
	}
}

static void report(struct tc *k, enum sk_severity sev, const sk_expr *e, sk_span at, const char *code,
		   const char *note, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Reports once per location (text in a macro is checked once per rule using it); NOTE (or
 * NULL) follows the message, then the macro chain. */
static void report(struct tc *k, enum sk_severity sev, const sk_expr *e, sk_span at, const char *code,
		   const char *note, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	if (sev == SK_ERROR)
		k->failed = 1;
	/* Falco's skip-if-unknown-filter: what this saker does not know skips the rule, with a
	 * warning, instead of failing the file */
	const bool skip = sev == SK_ERROR && k->rule && k->rule->item->skip_unknown && code &&
			  (!strcmp(code, "unknown-field") || !strcmp(code, "unknown-syscall") ||
			   !strcmp(code, "unknown-transformer"));
	if (e && e->origin && already(k, at, sev, code))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (skip) {
		sk_diag_report(k->c->diag, SK_WARNING, at, "skipped",
			       "rule '%s' is skipped (skip-if-unknown-filter): %s", k->rule->item->name, msg);
		if (note)
			sk_note(k->c->diag, at, "%s", note);
		return;
	}
	sk_diag_report(k->c->diag, sev, at, code, "%s", msg);
	if (note)
		sk_note(k->c->diag, at, "%s", note);
	if (e)
		origin_notes(k, e->origin);
}

#define TC_ERR(k, e, at, code, ...) report(k, SK_ERROR, e, at, code, NULL, __VA_ARGS__)
#define TC_WARN(k, e, at, code, ...) report(k, SK_WARNING, e, at, code, NULL, __VA_ARGS__)

static void need(struct tc *k, const char *what, bool event, sk_span at)
{
	sk_rule *r = k->rule;
	for (size_t i = 0; i < r->n_missing; i++)
		if (!strcmp(r->missing[i].what, what) && r->missing[i].event == event)
			return;
	sk_missing *nv = sk_arena_alloc(k->c->arena, (r->n_missing + 1) * sizeof(*nv));
	if (r->n_missing)
		memcpy(nv, r->missing, r->n_missing * sizeof(*nv));
	nv[r->n_missing++] = (sk_missing){ what, event, at };
	r->missing = nv;
}

/* ---- tree building ------------------------------------------------------------------------ */

static sk_cexpr *cx_new(struct tc *k, enum sk_cexpr_kind kind, const sk_expr *e)
{
	sk_cexpr *x = sk_arena_alloc(k->c->arena, sizeof(*x));
	x->kind = kind;
	if (e) {
		x->src_file = e->span.file;
		x->src_off = e->span.off;
		x->src_len = e->span.len;
	}
	return x;
}

static sk_cexpr *cx_const(struct tc *k, const sk_expr *e, bool v)
{
	sk_cexpr *x = cx_new(k, SK_C_CONST, e);
	x->value = v;
	return x;
}

static sk_copnd *co_new(struct tc *k, enum sk_copnd_kind kind)
{
	sk_copnd *o = sk_arena_alloc(k->c->arena, sizeof(*o));
	o->kind = kind;
	o->arg_index = -1;
	return o;
}

/* ---- values ------------------------------------------------------------------------------- */

int sk_parse_int(const char *s, int64_t *out, uint64_t *uout, bool *neg_out)
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
	if (uout)
		*uout = neg ? 0 : v;
	if (neg_out)
		*neg_out = neg && v;
	if (neg ? v > (unsigned long long)INT64_MAX + 1 : 0)
		return -1;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static bool is_numeric(enum sk_type t)
{
	return t == SK_T_I64 || t == SK_T_U64 || t == SK_T_PORT || t == SK_T_RELTIME ||
	       t == SK_T_ABSTIME || t == SK_T_DOUBLE;
}

/* Converts the text of value O to TYPE (the other side's type) for operator OP, as Falco's
 * compiler does (falco/GRAMMAR.md §9; the one conversion, sk_cval_from_text, is shared with
 * sakerd). The value is copied into the arena. Returns 0, or -1 after reporting. */
static int convert(struct tc *k, const sk_expr *e, const sk_operand *o, enum sk_type type, enum sk_cop op,
		   int field, sk_cval *v)
{
	const char *t = o->text;
	size_t n = o->text_len ? o->text_len : strlen(t);
	char why[256];
	uint8_t *buf = sk_arena_alloc(k->c->arena, n / 2 + 1);
	if (sk_cval_from_text(type, op, t, n, v, buf, why, sizeof(why)) < 0) {
		if (field >= 0 && type != SK_T_STR)
			TC_ERR(k, e, o->span, "bad-value", "%s (field '%s' is %s)", why, sk_fields[field].name,
			       sk_type_name(type));
		else
			TC_ERR(k, e, o->span, "bad-value", "%s", why);
		return -1;
	}
	if (v->kind == SK_CV_STR && v->s == t)
		v->s = sk_arena_strndup(k->c->arena, t, n);
	return 0;
}

/* ---- fields ------------------------------------------------------------------------------- */

/* The field an operand names: "evt.arg.flags" and "evt.arg[flags]" are the same field; an
 * argument of the event saker does not model is the generic evt.arg / evt.rawarg entry with
 * that argument. Returns the id, -1 when unknown; *ARG gets the argument (or NULL). */
static int resolve_field(struct tc *k, const char *name, const char *arg, const char **arg_out)
{
	char buf[256];
	int f;
	*arg_out = arg;
	if (arg && (!strcmp(name, "evt.arg") || !strcmp(name, "evt.rawarg"))) {
		snprintf(buf, sizeof(buf), "%s.%s", name, arg);
		if ((f = sk_field_lookup(buf)) >= 0) {
			*arg_out = NULL;
			return f;
		}
	}
	if ((f = sk_field_lookup(name)) >= 0)
		return f;
	if (!strncmp(name, "evt.arg.", 8) && name[8] && !arg) {
		*arg_out = sk_arena_strdup(k->c->arena, name + 8);
		return SK_FLD_EVT_ARG;
	}
	if (!strncmp(name, "evt.rawarg.", 11) && name[11] && !arg) {
		*arg_out = sk_arena_strdup(k->c->arena, name + 11);
		return SK_FLD_EVT_RAWARG;
	}
	return -1;
}

static void unknown_field(struct tc *k, const sk_expr *e, const sk_operand *o)
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
	} else if ((fix = sk_field_suggest(name))) {
		snprintf(note, sizeof(note), "did you mean '%s'?", fix);
		fix = note;
	}
	report(k, SK_ERROR, e, o->span, "unknown-field", fix, "unknown field '%s'", name);
}

/* A field operand: the field, its argument checked against the table, and whether saker has
 * it (a field it does not compute yet is remembered: the rule is left out). IN_COND: in a
 * condition (outputs have their own checks in output.c). NULL after an error. */
static sk_copnd *field_operand(struct tc *k, const sk_expr *e, const sk_operand *o)
{
	const char *arg;
	int f = resolve_field(k, o->text, o->arg, &arg);
	if (f < 0) {
		unknown_field(k, e, o);
		return NULL;
	}
	const struct sk_field_info *fi = &sk_fields[f];
	sk_copnd *x = co_new(k, SK_CO_FIELD);
	x->field = f;
	x->type = fi->type;
	x->arg = arg;
	if (arg && fi->arg == SK_A_NONE) {
		TC_ERR(k, e, o->arg_span, "bad-argument", "field '%s' takes no argument", fi->name);
		return NULL;
	}
	if (!arg && fi->arg == SK_A_REQ) {
		TC_ERR(k, e, o->span, "bad-argument", "field '%s' needs an argument, e.g. %s[...]", fi->name, fi->name);
		return NULL;
	}
	if (arg && (fi->flags & SK_F_ARG_INDEX) && !(fi->flags & SK_F_ARG_KEY)) {
		int64_t idx;
		if (sk_parse_int(arg, &idx, NULL, NULL) < 0 || idx < 0) {
			TC_ERR(k, e, o->arg_span, "bad-argument", "field '%s' takes a number as its argument, not '%s'",
			       fi->name, arg);
			return NULL;
		}
		x->arg_index = idx;
	} else if (arg && (fi->flags & SK_F_ARG_INDEX)) {
		int64_t idx;
		if (sk_parse_int(arg, &idx, NULL, NULL) == 0 && idx >= 0)
			x->arg_index = idx;
	}
	if (fi->flags & (SK_F_PRINT_ONLY | SK_F_TABLE_ONLY)) {
		TC_ERR(k, e, o->span, "bad-field", "field '%s' can only be used in %s, not in conditions", fi->name,
		       fi->flags & SK_F_PRINT_ONLY ? "outputs" : "Falco's tables");
		return NULL;
	}
	if (fi->flags & SK_F_DEPRECATED) {
		if (f == SK_FLD_EVT_DIR)
			TC_WARN(k, e, o->span, "deprecated",
				"'%s' is deprecated: saker evaluates every syscall at its exit, so it is always '<'", fi->name);
		else
			TC_WARN(k, e, o->span, "deprecated", "field '%s' is deprecated", fi->name);
	}
	if (fi->where == SK_W_NONE) {
		char *what = arg ? sk_arena_printf(k->c->arena, "%s[%s]", fi->name, arg)
				 : (char *)fi->name;
		if (f == SK_FLD_EVT_ARG || f == SK_FLD_EVT_RAWARG)
			what = sk_arena_printf(k->c->arena, "%s.%s", fi->name, arg);
		need(k, what, false, o->span);
	}
	return x;
}

/* ---- transformers ------------------------------------------------------------------------- */

static int xform_lookup(const char *name)
{
	for (int i = 0; i < SK_XF__COUNT; i++)
		if (!strcmp(sk_xform_names[i], name))
			return i;
	return -1;
}

static sk_copnd *operand(struct tc *k, const sk_expr *e, const sk_operand *o, bool rhs);

/* A transformer's argument: a field, a transformer, or (join, getopt, concat) a constant. */
static sk_copnd *xform_arg(struct tc *k, const sk_expr *e, const sk_operand *o)
{
	if (o->kind == SK_OPD_VALUE) {
		sk_copnd *x = co_new(k, SK_CO_CONST);
		x->type = SK_T_STR;
		return convert(k, e, o, SK_T_STR, SK_COP_EQ, -1, &x->v) ? NULL : x;
	}
	if (o->kind == SK_OPD_TLIST) {
		sk_copnd *x = co_new(k, SK_CO_LIST);
		x->type = SK_T_STR;
		for (size_t i = 0; i < o->n_items; i++) {
			sk_copnd *a = xform_arg(k, e, o->items[i]);
			if (!a)
				return NULL;
			sk_arena_push(k->c->arena, (void ***)&x->args, &x->n_args, a);
		}
		return x;
	}
	sk_copnd *x = operand(k, e, o, false);
	if (x && x->kind == SK_CO_FIELD && (sk_fields[x->field].flags & SK_F_NO_TRANSFORMER)) {
		TC_ERR(k, e, o->span, "bad-transformer", "field '%s' cannot be a transformer's argument",
		       sk_fields[x->field].name);
		return NULL;
	}
	return x;
}

static sk_copnd *xform_operand(struct tc *k, const sk_expr *e, const sk_operand *o)
{
	int xf = xform_lookup(o->text);
	if (xf < 0) {
		const char *names[SK_XF__COUNT];
		for (int i = 0; i < SK_XF__COUNT; i++)
			names[i] = sk_xform_names[i];
		const char *fix = sk_nearest(o->text, names, SK_XF__COUNT);
		char note[100];
		if (fix)
			snprintf(note, sizeof(note), "did you mean '%s'?", fix);
		report(k, SK_ERROR, e, o->span, "unknown-transformer", fix ? note : NULL, "unknown transformer '%s'", o->text);
		return NULL;
	}
	sk_copnd *x = co_new(k, SK_CO_XFORM);
	x->xform = (enum sk_xform)xf;
	for (size_t i = 0; i < o->n_items; i++) {
		sk_copnd *a = xform_arg(k, e, o->items[i]);
		if (!a)
			return NULL;
		sk_arena_push(k->c->arena, (void ***)&x->args, &x->n_args, a);
	}
	if (o->arg && xf != SK_XF_GETOPT) {
		TC_ERR(k, e, o->arg_span, "bad-transformer", "transformer '%s' does not support field arguments", o->text);
		return NULL;
	}
	x->arg = o->arg;
	size_t n = x->n_args;
	switch (xf) {
	case SK_XF_TOLOWER: case SK_XF_TOUPPER: case SK_XF_B64: case SK_XF_BASENAME: case SK_XF_LEN:
		if (n != 1 || x->args[0]->kind == SK_CO_CONST || x->args[0]->kind == SK_CO_LIST) {
			TC_ERR(k, e, o->span, "bad-transformer", "transformer '%s' takes one field or transformer", o->text);
			return NULL;
		}
		if (xf == SK_XF_LEN) {
			x->type = SK_T_U64;
		} else if (x->args[0]->type != SK_T_STR && !(xf == SK_XF_LEN && x->args[0]->type == SK_T_BYTES) &&
			   !(xf == SK_XF_BASENAME || xf == SK_XF_B64 ? x->args[0]->type == SK_T_BYTES : 0)) {
			TC_ERR(k, e, o->span, "bad-transformer", "transformer '%s' takes a string, not a %s", o->text,
			       sk_type_name(x->args[0]->type));
			return NULL;
		} else {
			x->type = x->args[0]->type;
		}
		break;
	case SK_XF_JOIN:
		if (n != 2 || x->args[0]->kind != SK_CO_CONST || x->args[1]->kind != SK_CO_LIST) {
			TC_ERR(k, e, o->span, "bad-transformer",
			       "join takes a separator and a list of fields, e.g. join(\"-\", (proc.name, proc.pname))");
			return NULL;
		}
		x->type = SK_T_STR;
		break;
	case SK_XF_CONCAT:
		if (n < 2) {
			TC_ERR(k, e, o->span, "bad-transformer", "concat takes at least two arguments");
			return NULL;
		}
		x->type = SK_T_STR;
		break;
	case SK_XF_GETOPT:
		if (n != 2 || x->args[1]->kind != SK_CO_CONST || x->args[0]->kind == SK_CO_CONST) {
			TC_ERR(k, e, o->span, "bad-transformer",
			       "getopt takes arguments and an option string, e.g. getopt(proc.args, \"nt:\")[t]");
			return NULL;
		}
		if (!o->arg || strlen(o->arg) != 1) {
			TC_ERR(k, e, o->span, "bad-transformer", "getopt's argument must be one option character, e.g. [t]");
			return NULL;
		}
		x->type = SK_T_STR;
		break;
	}
	return x;
}

/* A field, transformer or val() operand; RHS: it stands on the right of a check. */
static sk_copnd *operand(struct tc *k, const sk_expr *e, const sk_operand *o, bool rhs)
{
	switch (o->kind) {
	case SK_OPD_FIELD:
		return field_operand(k, e, o);
	case SK_OPD_TRANSFORM:
		return xform_operand(k, e, o);
	case SK_OPD_VAL:
		if (!rhs) {
			TC_ERR(k, e, o->span, "bad-operand", "val() can only stand on the right of a check");
			return NULL;
		}
		if (o->n_items != 1 || o->items[0]->kind != SK_OPD_FIELD) {
			TC_ERR(k, e, o->span, "bad-operand", "val() takes one field");
			return NULL;
		}
		return field_operand(k, e, o->items[0]);
	default:
		TC_ERR(k, e, o->span, "bad-operand", "expected a field here");
		return NULL;
	}
}

/* ---- checks -------------------------------------------------------------------------------- */

static enum sk_cop cop_of(enum sk_op op)
{
	switch (op) {
	case SK_OP_EQ: case SK_OP_EQEQ: return SK_COP_EQ;
	case SK_OP_NE: return SK_COP_NE;
	case SK_OP_LT: return SK_COP_LT;
	case SK_OP_LE: return SK_COP_LE;
	case SK_OP_GT: return SK_COP_GT;
	case SK_OP_GE: return SK_COP_GE;
	case SK_OP_CONTAINS: return SK_COP_CONTAINS;
	case SK_OP_ICONTAINS: return SK_COP_ICONTAINS;
	case SK_OP_BCONTAINS: return SK_COP_BCONTAINS;
	case SK_OP_STARTSWITH: return SK_COP_STARTSWITH;
	case SK_OP_BSTARTSWITH: return SK_COP_BSTARTSWITH;
	case SK_OP_ENDSWITH: return SK_COP_ENDSWITH;
	case SK_OP_GLOB: return SK_COP_GLOB;
	case SK_OP_IGLOB: return SK_COP_IGLOB;
	case SK_OP_REGEX: return SK_COP_REGEX;
	case SK_OP_IN: return SK_COP_IN;
	case SK_OP_INTERSECTS: return SK_COP_INTERSECTS;
	case SK_OP_PMATCH: return SK_COP_PMATCH;
	default: return SK_COP_EXISTS;
	}
}

static bool is_list_op(enum sk_cop op)
{
	return op == SK_COP_IN || op == SK_COP_INTERSECTS || op == SK_COP_PMATCH;
}

/* Whether OP applies to values of TYPE (Falco's flt_is_comparable, GRAMMAR.md §4). */
static bool op_applies(enum sk_cop op, enum sk_type t)
{
	switch (op) {
	case SK_COP_EQ: case SK_COP_NE: case SK_COP_IN: case SK_COP_INTERSECTS: case SK_COP_EXISTS:
		return true;
	case SK_COP_LT: case SK_COP_LE: case SK_COP_GT: case SK_COP_GE:
		return is_numeric(t) || t == SK_T_STR;
	case SK_COP_CONTAINS: case SK_COP_STARTSWITH: case SK_COP_ENDSWITH:
		return t == SK_T_STR || t == SK_T_BYTES || t == SK_T_DYN;
	case SK_COP_ICONTAINS: case SK_COP_GLOB: case SK_COP_IGLOB: case SK_COP_REGEX: case SK_COP_PMATCH:
		return t == SK_T_STR || t == SK_T_DYN;
	case SK_COP_BCONTAINS: case SK_COP_BSTARTSWITH:
		return t == SK_T_BYTES;
	default:
		return false;
	}
}

/* Type classes that compare with each other in a field-to-field check. */
static int type_class(enum sk_type t)
{
	if (is_numeric(t))
		return 1;
	if (t == SK_T_STR || t == SK_T_BYTES || t == SK_T_DYN)
		return 2;
	if (t == SK_T_IPADDR || t == SK_T_IPNET)
		return 3;
	return 10 + (int)t;
}

static const char *type_word(enum sk_type t)
{
	switch (t) {
	case SK_T_STR: return "string";
	case SK_T_BOOL: return "boolean";
	case SK_T_IPADDR: return "address";
	case SK_T_IPNET: return "network";
	case SK_T_BYTES: return "buffer";
	default: return "numeric";
	}
}

static bool operand_no_rhs(const sk_copnd *o)
{
	return o->kind == SK_CO_FIELD && (sk_fields[o->field].flags & SK_F_NO_RHS);
}

/* evt.type values: event names saker knows (an unknown one is an error in Falco too). */
static int check_event_names(struct tc *k, const sk_expr *e, sk_operand *const *v, size_t n)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		const char *name = v[i]->text;
		if (sk_event_lookup(name) >= 0)
			continue;
		const char *names[SK_EV__COUNT];
		for (unsigned s = 0; s < SK_EV__COUNT; s++)
			names[s] = sk_events[s].name;
		const char *fix = sk_nearest(name, names, SK_EV__COUNT);
		char note[200];
		if (fix)
			snprintf(note, sizeof(note), "did you mean '%s'?", fix);
		report(k, SK_ERROR, e, v[i]->span, "unknown-syscall", fix ? note : NULL,
		       "'%s' is not an event saker knows (evt.type takes syscall names such as openat)", name);
		bad = 1;
	}
	return bad ? -1 : 0;
}

static sk_cexpr *tc_check(struct tc *k, const sk_expr *e)
{
	sk_operand *l = e->lhs, *r = e->rhs;
	enum sk_cop op = cop_of(e->op);
	if (!l)
		return NULL;
	if (l->kind == SK_OPD_FIELD && !strcmp(l->text, "evt.num") && !l->arg && op == SK_COP_EQ && r &&
	    r->kind == SK_OPD_VALUE && !strcmp(r->text, "0"))
		return cx_const(k, e, false); /* Falco's invariant: event numbers start at 1 */
	sk_copnd *lhs = operand(k, e, l, false);
	if (!lhs)
		return NULL;
	sk_cexpr *x = cx_new(k, SK_C_CHECK, e);
	x->op = op;
	x->mod = e->mod == SK_MOD_ONEOF ? SK_CMOD_ONEOF : e->mod == SK_MOD_ANYOF ? SK_CMOD_ANYOF :
		 e->mod == SK_MOD_ALLOF ? SK_CMOD_ALLOF : SK_CMOD_NONE;
	x->lhs = lhs;
	const int lf = lhs->kind == SK_CO_FIELD ? lhs->field : -1;
	const enum sk_type lt = lhs->type;
	const char *lname = lf >= 0 ? sk_fields[lf].name : sk_xform_names[lhs->xform];

	if (lf >= 0 && (sk_fields[lf].flags & SK_F_LIST) && op != SK_COP_IN && op != SK_COP_INTERSECTS &&
	    op != SK_COP_EXISTS) {
		TC_ERR(k, e, e->op_span, "bad-operator", "'%s' is a list field: only in, intersects and exists apply to it",
		       lname);
		return NULL;
	}
	if (lf >= 0 && sk_field_resolved_ip(lf) >= 0 &&
	    ((op != SK_COP_EQ && op != SK_COP_NE && op != SK_COP_IN) || x->mod != SK_CMOD_NONE)) {
		/* the names on the right are resolved to addresses, and the address is what is tested:
		 * no other comparison has a meaning (Falco refuses them too, when an event comes) */
		TC_ERR(k, e, e->op_span, "bad-operator",
		       "'%s' compares the address %s with the addresses of domain names: only =, != and in apply to it",
		       lname, sk_fields[sk_field_resolved_ip(lf)].name);
		return NULL;
	}
	if (!op_applies(op, lt)) {
		TC_ERR(k, e, e->op_span, "bad-operator", "'%s' is not supported on %s field '%s'", sk_op_names[e->op],
		       type_word(lt), lname);
		return NULL;
	}
	if (x->mod != SK_CMOD_NONE) {
		bool str_op = op == SK_COP_EQ || op == SK_COP_NE || op == SK_COP_CONTAINS || op == SK_COP_ICONTAINS ||
			      op == SK_COP_STARTSWITH || op == SK_COP_ENDSWITH || op == SK_COP_GLOB ||
			      op == SK_COP_IGLOB || op == SK_COP_REGEX || op == SK_COP_BCONTAINS ||
			      op == SK_COP_BSTARTSWITH;
		if (!str_op || (lt == SK_T_IPADDR || lt == SK_T_IPNET ? op != SK_COP_EQ && op != SK_COP_NE : is_numeric(lt))) {
			TC_ERR(k, e, e->op_span, "bad-operator", "modifiers (oneof, anyof, allof) do not apply to '%s' here",
			       sk_op_names[e->op]);
			return NULL;
		}
	}
	if (op == SK_COP_EXISTS)
		return x;
	if (!r)
		return NULL;

	/* field-to-field: val(f) or a transformer on the right */
	if (r->kind == SK_OPD_VAL || r->kind == SK_OPD_TRANSFORM) {
		if (op == SK_COP_PMATCH || op == SK_COP_REGEX || x->mod != SK_CMOD_NONE || is_list_op(op)) {
			TC_ERR(k, e, r->span, "bad-operand", "'%s' cannot compare with a field", sk_op_names[e->op]);
			return NULL;
		}
		sk_copnd *rhs = operand(k, e, r, true);
		if (!rhs)
			return NULL;
		if (operand_no_rhs(lhs) || operand_no_rhs(rhs)) {
			TC_ERR(k, e, operand_no_rhs(lhs) ? l->span : r->span, "bad-operand",
			       "field '%s' cannot be used in a field-to-field comparison",
			       sk_fields[operand_no_rhs(lhs) ? lhs->field : rhs->field].name);
			return NULL;
		}
		if (type_class(lt) != type_class(rhs->type)) {
			TC_ERR(k, e, r->span, "bad-operand", "cannot compare a %s with a %s", sk_type_name(lt),
			       sk_type_name(rhs->type));
			return NULL;
		}
		x->rhs = rhs;
		return x;
	}
	if (r->kind == SK_OPD_LIST && !is_list_op(op) && x->mod == SK_CMOD_NONE) {
		TC_ERR(k, e, r->span, "bad-value", "'%s' takes a single value, not a list", sk_op_names[e->op]);
		return NULL;
	}
	if (r->kind != SK_OPD_LIST && r->kind != SK_OPD_VALUE) {
		TC_ERR(k, e, r->span, "bad-value", "expected a value here");
		return NULL;
	}
	sk_operand *const *vals = r->kind == SK_OPD_LIST ? r->items : &e->rhs;
	size_t n = r->kind == SK_OPD_LIST ? r->n_items : 1;
	if (lf == SK_FLD_EVT_TYPE && check_event_names(k, e, vals, n) < 0)
		return NULL;
	sk_copnd *rhs = co_new(k, r->kind == SK_OPD_LIST ? SK_CO_LIST : SK_CO_CONST);
	rhs->type = lt;
	/* IP fields compared with a network mean membership */
	enum sk_type vt = lt;
	int bad = 0;
	if (rhs->kind == SK_CO_LIST) {
		rhs->items = sk_arena_alloc(k->c->arena, (n + 1) * sizeof(*rhs->items));
		rhs->n_items = 0;
	}
	for (size_t i = 0; i < n; i++) {
		sk_cval v;
		if (convert(k, e, vals[i], vt, op, lf, &v) < 0) {
			bad = 1;
			continue;
		}
		if (v.kind == SK_CV_STR && !vals[i]->quoted && sk_field_lookup(v.s) >= 0)
			TC_WARN(k, e, vals[i]->span, "field-as-string",
				"'%s' is a field name, but here it is the constant string \"%s\" (use val(%s) to compare with the field)",
				v.s, v.s, v.s);
		if (rhs->kind == SK_CO_LIST)
			rhs->items[rhs->n_items++] = v;
		else
			rhs->v = v;
	}
	if (bad)
		return NULL;
	x->rhs = rhs;
	if (!e->origin || !already(k, e->span, SK_WARNING, "never-true"))
		sk_lint_check(k->c, x);
	return x;
}

static sk_cexpr *tc_expr(struct tc *k, const sk_expr *e)
{
	switch (e->kind) {
	case SK_E_AND:
	case SK_E_OR: {
		/* constants (folded checks such as Falco's never_true) fold away here */
		const bool absorbing = e->kind == SK_E_OR;
		sk_cexpr *x = cx_new(k, e->kind == SK_E_AND ? SK_C_AND : SK_C_OR, e);
		int bad = 0, absorbed = 0;
		x->kids = sk_arena_alloc(k->c->arena, (e->n_kids + 1) * sizeof(*x->kids));
		for (size_t i = 0; i < e->n_kids; i++) {
			sk_cexpr *kid = tc_expr(k, e->kids[i]);
			if (!kid)
				bad = 1;
			else if (kid->kind != SK_C_CONST)
				x->kids[x->n_kids++] = kid;
			else if (kid->value == absorbing)
				absorbed = 1;
		}
		if (bad)
			return NULL;
		if (absorbed || x->n_kids == 0)
			return cx_const(k, e, absorbed ? absorbing : !absorbing);
		return x->n_kids == 1 ? x->kids[0] : x;
	}
	case SK_E_NOT: {
		sk_cexpr *kid = e->n_kids ? tc_expr(k, e->kids[0]) : NULL;
		if (!kid)
			return NULL;
		if (kid->kind == SK_C_CONST)
			return cx_const(k, e, !kid->value);
		sk_cexpr *x = cx_new(k, SK_C_NOT, e);
		x->kids = sk_arena_alloc(k->c->arena, sizeof(*x->kids));
		x->kids[0] = kid;
		x->n_kids = 1;
		return x;
	}
	case SK_E_CONST:
		return cx_const(k, e, e->value);
	case SK_E_MACRO:
		k->failed = 1; /* an unknown macro, reported by expansion */
		return NULL;
	case SK_E_CHECK:
		return tc_check(k, e);
	}
	return NULL;
}

int sk_typecheck(sk_comp *c)
{
	struct tc k = { .c = c };
	size_t errors = sk_diag_error_count(c->diag);

	for (size_t i = 0; i < c->n_items; i++) {
		sk_item *it = c->items[i];
		if (it->kind != SK_ITEM_RULE)
			continue;
		sk_rule *r = sk_arena_alloc(c->arena, sizeof(*r));
		r->item = it;
		k.rule = r;
		k.failed = !it->ast; /* a parse or expansion error was reported */
		if (it->ast)
			r->cond = tc_expr(&k, it->ast);
		if (!r->cond)
			k.failed = 1;
		if (it->output.str && sk_output_parse(c, r, &it->output) < 0)
			k.failed = 1;
		if (k.failed || !it->enabled)
			continue;
		sk_arena_push(c->arena, (void ***)&c->rules, &c->n_rules, r);
	}
	return sk_diag_error_count(c->diag) > errors ? -1 : 0;
}
