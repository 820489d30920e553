/* sk_cond_check (cond.h): whether a typed condition is one the evaluator can run, node by node,
 * with an explicit stack. The decoder runs it on every tree it reads from a bundle. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond_int.h"
#include "saker/regex.h"

static int fail(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (err && size) {
		va_start(ap, fmt);
		vsnprintf(err, size, fmt, ap);
		va_end(ap);
		sk_cond_one_line(err);
	}
	return -EINVAL;
}

static int check_value(const sk_cval *v, char *err, size_t size)
{
	switch (v->kind) {
	case SK_CV_STR:
		if (!v->s && v->len)
			return fail(err, size, "a string constant without bytes");
		return 0;
	case SK_CV_INT:
	case SK_CV_UINT:
	case SK_CV_BOOL:
	case SK_CV_DOUBLE:
		return 0;
	case SK_CV_IP:
	case SK_CV_NET:
		if (v->ip_len != 4 && v->ip_len != 16)
			return fail(err, size, "an address of %u bytes (4 or 16)", (unsigned)v->ip_len);
		if (v->kind == SK_CV_NET && v->prefix > v->ip_len * 8)
			return fail(err, size, "a network prefix of %u bits on a %u-bit address",
				    (unsigned)v->prefix, (unsigned)v->ip_len * 8);
		return 0;
	default:
		return fail(err, size, "a constant of kind %d", (int)v->kind);
	}
}

/* Whether O gives a list: list fields, transformer lists, getopt without a selector, and the
 * one-argument string transformers of a list. */
static bool operand_is_list(const sk_copnd *o)
{
	while (o) {
		switch (o->kind) {
		case SK_CO_FIELD:
			return (unsigned)o->field < SK_FLD__COUNT && (sk_fields[o->field].flags & SK_F_LIST);
		case SK_CO_TLIST:
		case SK_CO_LIST:
			return true;
		case SK_CO_XFORM:
			switch (o->xform) {
			case SK_XF_TOLOWER:
			case SK_XF_TOUPPER:
			case SK_XF_B64:
			case SK_XF_BASENAME:
				o = o->n_args == 1 ? o->args[0] : NULL;
				continue;
			case SK_XF_GETOPT:
				return !o->arg;
			default:
				return false;
			}
		default:
			return false;
		}
	}
	return false;
}

static int check_operand(const sk_copnd *o, char *err, size_t size)
{
	int rc;

	if ((unsigned)o->type >= SK_T__COUNT)
		return fail(err, size, "an operand of type %d", (int)o->type);
	switch (o->kind) {
	case SK_CO_FIELD: {
		const struct sk_field_info *f;
		if ((unsigned)o->field >= SK_FLD__COUNT)
			return fail(err, size, "a field of id %d", o->field);
		f = &sk_fields[o->field];
		if (o->type != f->type && f->type != SK_T_DYN)
			return fail(err, size, "field '%s' is %s, not %s", f->name, sk_type_name(f->type),
				    sk_type_name(o->type));
		if (f->arg == SK_A_NONE && (o->arg || o->arg_index >= 0))
			return fail(err, size, "field '%s' takes no argument", f->name);
		if (f->arg == SK_A_REQ && !o->arg && o->arg_index < 0)
			return fail(err, size, "field '%s' needs an argument", f->name);
		if (o->arg_index >= 0 && !(f->flags & SK_F_ARG_INDEX))
			return fail(err, size, "field '%s' takes no index", f->name);
		if (o->arg_index < -1)
			return fail(err, size, "field '%s' with index %lld", f->name,
				    (long long)o->arg_index);
		return 0;
	}
	case SK_CO_CONST:
		return check_value(&o->v, err, size);
	case SK_CO_LIST:
		if (o->n_args)
			break; /* a transformer list */
		if (o->n_items && !o->items)
			return fail(err, size, "a list without its items");
		for (size_t i = 0; i < o->n_items; i++)
			if ((rc = check_value(&o->items[i], err, size)))
				return rc;
		return 0;
	case SK_CO_TLIST:
		break;
	case SK_CO_XFORM: {
		size_t want_min = 1, want_max = 1;
		if ((unsigned)o->xform >= SK_XF__COUNT)
			return fail(err, size, "a transformer of id %d", (int)o->xform);
		switch (o->xform) {
		case SK_XF_JOIN:
		case SK_XF_GETOPT: want_min = want_max = 2; break;
		case SK_XF_CONCAT: want_min = 2, want_max = SIZE_MAX; break;
		default: break;
		}
		if (o->n_args < want_min || o->n_args > want_max)
			return fail(err, size, "%s() with %zu arguments", sk_xform_names[o->xform],
				    o->n_args);
		if (o->arg && o->xform != SK_XF_GETOPT)
			return fail(err, size, "transformer '%s' does not support field arguments",
				    sk_xform_names[o->xform]);
		if (o->arg && strlen(o->arg) != 1)
			return fail(err, size, "getopt()'s argument must be a single option character");
		break;
	}
	default:
		return fail(err, size, "an operand of kind %d", (int)o->kind);
	}
	if (o->n_args && !o->args)
		return fail(err, size, "a transformer without its arguments");
	for (size_t i = 0; i < o->n_args; i++) {
		const sk_copnd *a = o->args[i];
		if (!a)
			return fail(err, size, "a missing transformer argument");
		if (a->kind == SK_CO_LIST && !a->n_args && a->n_items)
			return fail(err, size, "a literal list as a transformer argument");
	}
	return 0;
}

/* Whether a constant of kind K can stand on the right of a left side of class C: what the
 * checker converted to the left side's type (numbers of either sign for numbers). */
static bool const_fits(enum sk_cval_kind k, enum sk_ccls c)
{
	switch (c) {
	case SK_CC_STR:
	case SK_CC_BYTES: return k == SK_CV_STR;
	case SK_CC_INT:
	case SK_CC_UINT: return k == SK_CV_INT || k == SK_CV_UINT;
	case SK_CC_BOOL: return k == SK_CV_BOOL;
	case SK_CC_IP: return k == SK_CV_IP || k == SK_CV_NET;
	case SK_CC_DOUBLE: return k == SK_CV_DOUBLE || k == SK_CV_INT || k == SK_CV_UINT;
	default: return true;
	}
}

static int check_check(const sk_cexpr *e, char *err, size_t size)
{
	const sk_copnd *l = e->lhs, *r = e->rhs;
	enum sk_ccls cls;
	bool list;

	if ((unsigned)e->op >= SK_COP__COUNT)
		return fail(err, size, "an operator of id %d", (int)e->op);
	if ((unsigned)e->mod > SK_CMOD_ALLOF)
		return fail(err, size, "a modifier of id %d", (int)e->mod);
	if (!l)
		return fail(err, size, "a check without a left side");
	if (l->kind != SK_CO_FIELD && l->kind != SK_CO_XFORM)
		return fail(err, size, "the left side of '%s' is neither a field nor a transformer",
			    sk_cop_names[e->op]);
	if ((unsigned)l->type >= SK_T__COUNT)
		return fail(err, size, "an operand of type %d", (int)l->type);
	if (e->op == SK_COP_EXISTS) {
		if (r)
			return fail(err, size, "'exists' with a right side");
	} else if (!r) {
		return fail(err, size, "'%s' without a right side", sk_cop_names[e->op]);
	} else if (sk_copnd_is_tlist(r)) {
		return fail(err, size, "a transformer list on the right of '%s'", sk_cop_names[e->op]);
	}
	if (l->kind == SK_CO_FIELD && sk_field_resolved_ip(l->field) >= 0 &&
	    ((e->op != SK_COP_EQ && e->op != SK_COP_NE && e->op != SK_COP_IN) ||
	     e->mod != SK_CMOD_NONE || !r || (r->kind != SK_CO_CONST && r->kind != SK_CO_LIST)))
		return fail(err, size, "'%s' takes only =, != and in with names on the right",
			    sk_fields[l->field].name);
	cls = sk_cond_class(l->type);
	list = operand_is_list(l);
	if (!sk_cond_op_applies(e->op, cls, list))
		return fail(err, size, list ? "'%s' does not apply to a list-valued left side"
					    : "'%s' does not apply to %s values",
			    sk_cop_names[e->op], sk_type_name(l->type));
	if (!sk_cond_mod_applies(e->op, e->mod, cls))
		return fail(err, size, "'%s' takes no modifier on %s values", sk_cop_names[e->op],
			    sk_type_name(l->type));
	if (!r)
		return 0;
	if ((e->op == SK_COP_REGEX || e->op == SK_COP_PMATCH || e->mod != SK_CMOD_NONE) &&
	    r->kind != SK_CO_CONST && r->kind != SK_CO_LIST)
		return fail(err, size, "'%s' takes constants on its right, not a field",
			    sk_cop_names[e->op]);
	if (r->kind == SK_CO_LIST && e->mod == SK_CMOD_NONE && e->op != SK_COP_IN &&
	    e->op != SK_COP_INTERSECTS && e->op != SK_COP_PMATCH)
		return fail(err, size, "'%s' takes one value, not a list", sk_cop_names[e->op]);
	if (r->kind == SK_CO_CONST || r->kind == SK_CO_LIST) {
		size_t n = r->kind == SK_CO_LIST ? r->n_items : 1;
		const sk_cval *v = r->kind == SK_CO_LIST ? r->items : &r->v;
		for (size_t i = 0; i < n && v; i++)
			if (!const_fits(v[i].kind, cls))
				return fail(err, size, "a constant of kind %d on the right of a %s value",
					    (int)v[i].kind, sk_type_name(l->type));
	}
	if (e->op == SK_COP_REGEX || e->op == SK_COP_PMATCH) {
		size_t n = r->kind == SK_CO_LIST ? r->n_items : 1;
		const sk_cval *v = r->kind == SK_CO_LIST ? r->items : &r->v;
		for (size_t i = 0; i < n; i++) {
			char why[160], *tr = NULL;
			if (v[i].kind != SK_CV_STR)
				return fail(err, size, "'%s' takes strings", sk_cop_names[e->op]);
			if (e->op != SK_COP_REGEX)
				continue;
			int rc = sk_regex_translate(v[i].s ? v[i].s : "", v[i].len, &tr, why, sizeof(why));
			free(tr);
			if (rc == -ENOMEM)
				return rc;
			if (rc)
				return fail(err, size, "regex '%.*s': %s", (int)(v[i].len > 60 ? 60 : v[i].len),
					    v[i].s, why);
		}
	}
	return 0;
}

/* A stack of nodes to visit: expressions and operands. */
struct item {
	bool is_expr;
	const void *p;
};

int sk_cond_check(const sk_cexpr *root, char *err, size_t err_size)
{
	struct item *st = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!root)
		return fail(err, err_size, "no condition");
#define PUSH(isx, ptr)                                                              \
	do {                                                                        \
		if (n == cap) {                                                     \
			size_t nc = cap ? 2 * cap : 64;                             \
			struct item *d = realloc(st, nc * sizeof(*d));              \
			if (!d) {                                                   \
				rc = -ENOMEM;                                       \
				goto cleanup;                                       \
			}                                                           \
			st = d;                                                     \
			cap = nc;                                                   \
		}                                                                   \
		st[n++] = (struct item){ isx, ptr };                                \
	} while (0)
	PUSH(true, root);
	while (n) {
		struct item it = st[--n];
		if (it.is_expr) {
			const sk_cexpr *e = it.p;
			switch (e->kind) {
			case SK_C_CONST:
				break;
			case SK_C_NOT:
				if (e->n_kids != 1) {
					rc = fail(err, err_size, "'not' with %zu operands", e->n_kids);
					goto cleanup;
				}
				/* fall through */
			case SK_C_AND:
			case SK_C_OR:
				if (e->n_kids && !e->kids) {
					rc = fail(err, err_size, "'and' or 'or' without its operands");
					goto cleanup;
				}
				for (size_t i = 0; i < e->n_kids; i++) {
					if (!e->kids[i]) {
						rc = fail(err, err_size, "a missing operand");
						goto cleanup;
					}
					PUSH(true, e->kids[i]);
				}
				break;
			case SK_C_CHECK:
				if ((rc = check_check(e, err, err_size)))
					goto cleanup;
				PUSH(false, e->lhs);
				if (e->rhs)
					PUSH(false, e->rhs);
				break;
			default:
				rc = fail(err, err_size, "a node of kind %d", (int)e->kind);
				goto cleanup;
			}
		} else {
			const sk_copnd *o = it.p;
			if ((rc = check_operand(o, err, err_size)))
				goto cleanup;
			if (o->kind == SK_CO_XFORM || sk_copnd_is_tlist(o))
				for (size_t i = 0; i < o->n_args; i++)
					PUSH(false, o->args[i]);
		}
	}
#undef PUSH
cleanup:
	free(st);
	return rc;
}
