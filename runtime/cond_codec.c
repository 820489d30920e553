/* Typed conditions as bytes (cond.h; the format is docs/bundle-format.md, "Residual
 * conditions"): what the compiler writes into a bundle and sakerd reads back. Operators,
 * transformers, types and fields travel by name, so renumbering an enum breaks no bundle. The
 * reader takes its input as hostile: every length is checked against what is left, the depth is
 * bounded, and the tree it builds passes sk_cond_check before it is handed out. Both directions
 * walk with explicit stacks. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond_int.h"

#define SK_COND_FORMAT 1

/* Wire codes of the node, operand and value kinds (the format's, not the enums'). */
enum { N_CONST, N_AND, N_OR, N_NOT, N_CHECK, N__COUNT };
enum { O_FIELD, O_XFORM, O_CONST, O_LIST, O_TLIST, O__COUNT };
enum { V_STR, V_INT, V_UINT, V_BOOL, V_IP, V_NET, V_DOUBLE, V__COUNT };

/* Wire codes of operators, modifiers, transformers and types: positions in these lists, which
 * only ever grow at the end. The names are matched against the current tables. */
static const char *const wire_ops[] = { "=", "!=", "<", "<=", ">", ">=", "contains", "icontains",
					"bcontains", "startswith", "bstartswith", "endswith", "glob",
					"iglob", "regex", "in", "intersects", "pmatch", "exists" };
static const char *const wire_xforms[] = { "tolower", "toupper", "b64", "basename", "len",
					   "join", "concat", "getopt" };
static const char *const wire_types[] = { "string", "int64", "uint64", "bool", "ipaddr", "ipnet",
					  "port", "reltime", "abstime", "bytebuf", "double",
					  "dynamic" };
#define N_WIRE(a) (sizeof(a) / sizeof((a)[0]))

static int wire_of(const char *const *wire, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(wire[i], name))
			return (int)i;
	return -1;
}

static int op_wire(enum sk_cop op)
{
	return (unsigned)op < SK_COP__COUNT ? wire_of(wire_ops, N_WIRE(wire_ops), sk_cop_names[op]) : -1;
}

static int xform_wire(enum sk_xform x)
{
	return (unsigned)x < SK_XF__COUNT ? wire_of(wire_xforms, N_WIRE(wire_xforms), sk_xform_names[x])
					  : -1;
}

static int type_wire(enum sk_type t)
{
	return (unsigned)t < SK_T__COUNT ? wire_of(wire_types, N_WIRE(wire_types), sk_type_name(t)) : -1;
}

/* ---- writing ----------------------------------------------------------------------------- */

struct wbuf {
	uint8_t **buf;
	size_t *len;
	size_t cap;
	bool oom;
};

static void w_bytes(struct wbuf *w, const void *p, size_t n)
{
	if (w->oom)
		return;
	if (*w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		while (*w->len + n > cap)
			cap *= 2;
		uint8_t *d = realloc(*w->buf, cap);
		if (!d) {
			w->oom = true;
			return;
		}
		*w->buf = d;
		w->cap = cap;
	}
	if (n)
		memcpy(*w->buf + *w->len, p, n);
	*w->len += n;
}

static void w_u8(struct wbuf *w, unsigned v)
{
	uint8_t b = (uint8_t)v;
	w_bytes(w, &b, 1);
}

static void w_var(struct wbuf *w, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;

	do {
		b[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	w_bytes(w, b, n);
}

static void w_svar(struct wbuf *w, int64_t v)
{
	w_var(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void w_str(struct wbuf *w, const char *s, size_t n)
{
	w_var(w, n);
	w_bytes(w, s, n);
}

static int w_value(struct wbuf *w, const sk_cval *v)
{
	uint8_t d[8];
	uint64_t u;

	switch (v->kind) {
	case SK_CV_STR:
		w_u8(w, V_STR);
		w_str(w, v->s ? v->s : "", v->s ? v->len : 0);
		return 0;
	case SK_CV_INT:
		w_u8(w, V_INT);
		w_svar(w, v->i);
		return 0;
	case SK_CV_UINT:
		w_u8(w, V_UINT);
		w_var(w, v->u);
		return 0;
	case SK_CV_BOOL:
		w_u8(w, V_BOOL);
		w_u8(w, v->b);
		return 0;
	case SK_CV_IP:
	case SK_CV_NET:
		if (v->ip_len != 4 && v->ip_len != 16)
			return -EINVAL;
		w_u8(w, v->kind == SK_CV_IP ? V_IP : V_NET);
		w_u8(w, v->ip_len);
		w_bytes(w, v->ip, v->ip_len);
		if (v->kind == SK_CV_NET)
			w_u8(w, v->prefix);
		return 0;
	case SK_CV_DOUBLE:
		memcpy(&u, &v->d, sizeof(u));
		for (int i = 0; i < 8; i++)
			d[i] = (uint8_t)(u >> (8 * i));
		w_u8(w, V_DOUBLE);
		w_bytes(w, d, 8);
		return 0;
	default:
		return -EINVAL;
	}
}

struct witem {
	bool is_expr;
	const void *p;
	size_t depth;
};

static int w_push(struct witem **st, size_t *n, size_t *cap, bool is_expr, const void *p,
		  size_t depth)
{
	if (!p)
		return -EINVAL;
	if (depth > SK_COND_MAX_DEPTH)
		return -E2BIG;
	if (*n == *cap) {
		size_t nc = *cap ? 2 * *cap : 64;
		struct witem *d = realloc(*st, nc * sizeof(*d));
		if (!d)
			return -ENOMEM;
		*st = d;
		*cap = nc;
	}
	(*st)[(*n)++] = (struct witem){ is_expr, p, depth };
	return 0;
}

static int w_operand(struct wbuf *w, const sk_copnd *o)
{
	int t = type_wire(o->type), x;

	if (t < 0)
		return -EINVAL;
	switch (o->kind) {
	case SK_CO_FIELD:
		if ((unsigned)o->field >= SK_FLD__COUNT)
			return -EINVAL;
		w_u8(w, O_FIELD);
		w_u8(w, (unsigned)t);
		w_str(w, sk_fields[o->field].name, strlen(sk_fields[o->field].name));
		w_svar(w, o->arg_index);
		w_u8(w, o->arg != NULL);
		if (o->arg)
			w_str(w, o->arg, strlen(o->arg));
		return 0;
	case SK_CO_XFORM:
		if ((x = xform_wire(o->xform)) < 0)
			return -EINVAL;
		w_u8(w, O_XFORM);
		w_u8(w, (unsigned)t);
		w_u8(w, (unsigned)x);
		w_u8(w, o->arg != NULL);
		if (o->arg)
			w_str(w, o->arg, strlen(o->arg));
		w_var(w, o->n_args);
		return 0;
	case SK_CO_LIST:
		if (!o->n_args) {
			w_u8(w, O_LIST);
			w_u8(w, (unsigned)t);
			w_var(w, o->n_items);
			for (size_t i = 0; i < o->n_items; i++)
				if (w_value(w, &o->items[i]))
					return -EINVAL;
			return 0;
		}
		/* fall through */
	case SK_CO_TLIST:
		w_u8(w, O_TLIST);
		w_u8(w, (unsigned)t);
		w_var(w, o->n_args);
		return 0;
	case SK_CO_CONST:
		w_u8(w, O_CONST);
		w_u8(w, (unsigned)t);
		return w_value(w, &o->v);
	default:
		return -EINVAL;
	}
}

int sk_cond_encode(const sk_cexpr *root, uint8_t **buf, size_t *len)
{
	/* the capacity of *BUF is unknown: count only what is used, and grow from there */
	struct wbuf w = { buf, len, *len, false };
	struct witem *st = NULL;
	size_t n = 0, cap = 0, start = *len;
	int rc;

	w_u8(&w, SK_COND_FORMAT);
	if ((rc = w_push(&st, &n, &cap, true, root, 1)))
		goto cleanup;
	while (n) {
		struct witem it = st[--n];
		if (it.is_expr) {
			const sk_cexpr *e = it.p;
			switch (e->kind) {
			case SK_C_CONST:
				w_u8(&w, N_CONST);
				w_u8(&w, e->value);
				break;
			case SK_C_AND:
			case SK_C_OR:
			case SK_C_NOT:
				if (e->kind == SK_C_NOT && e->n_kids != 1) {
					rc = -EINVAL;
					goto cleanup;
				}
				w_u8(&w, e->kind == SK_C_AND ? N_AND : e->kind == SK_C_OR ? N_OR : N_NOT);
				if (e->kind != SK_C_NOT)
					w_var(&w, e->n_kids);
				for (size_t i = e->n_kids; i-- > 0;)
					if ((rc = w_push(&st, &n, &cap, true, e->kids ? e->kids[i] : NULL,
							 it.depth + 1)))
						goto cleanup;
				break;
			case SK_C_CHECK: {
				int op = op_wire(e->op);
				if (op < 0 || (unsigned)e->mod > SK_CMOD_ALLOF) {
					rc = -EINVAL;
					goto cleanup;
				}
				w_u8(&w, N_CHECK);
				w_u8(&w, (unsigned)op);
				w_u8(&w, e->mod);
				w_u8(&w, e->rhs != NULL);
				if ((e->rhs && (rc = w_push(&st, &n, &cap, false, e->rhs, it.depth + 1))) ||
				    (rc = w_push(&st, &n, &cap, false, e->lhs, it.depth + 1)))
					goto cleanup;
				break;
			}
			default:
				rc = -EINVAL;
				goto cleanup;
			}
		} else {
			const sk_copnd *o = it.p;
			if ((rc = w_operand(&w, o)))
				goto cleanup;
			if (o->kind == SK_CO_XFORM || sk_copnd_is_tlist(o))
				for (size_t i = o->n_args; i-- > 0;)
					if ((rc = w_push(&st, &n, &cap, false, o->args ? o->args[i] : NULL,
							 it.depth + 1)))
						goto cleanup;
		}
	}
	rc = w.oom ? -ENOMEM : 0;
cleanup:
	free(st);
	if (rc)
		*len = start; /* nothing half-written */
	return rc;
}

/* ---- reading ----------------------------------------------------------------------------- */

struct sk_cond_set {
	struct sk_carena mem;
};

void sk_cond_set_free(struct sk_cond_set *s)
{
	if (!s)
		return;
	sk_carena_free(&s->mem);
	free(s);
}

static void *set_alloc(struct sk_cond_set *s, size_t n)
{
	return sk_carena_alloc(&s->mem, n);
}

struct rd {
	const uint8_t *p;
	size_t n, i;
	struct sk_cond_set *set;
	char *err;
	size_t err_size;
};

static int rd_fail(struct rd *r, const char *fmt, ...)
{
	va_list ap;

	if (r->err && r->err_size) {
		char msg[200];
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		snprintf(r->err, r->err_size, "residual condition at byte %zu: %s", r->i, msg);
		sk_cond_one_line(r->err);
	}
	return -EINVAL;
}

static int rd_u8(struct rd *r, unsigned *v, const char *what)
{
	*v = 0;
	if (r->i >= r->n)
		return rd_fail(r, "truncated (%s)", what);
	*v = r->p[r->i++];
	return 0;
}

static int rd_var(struct rd *r, uint64_t *v, const char *what)
{
	uint64_t x = 0;

	for (int k = 0; k < 10; k++) {
		unsigned b;
		if (r->i >= r->n)
			return rd_fail(r, "truncated (%s)", what);
		b = r->p[r->i++];
		if (k == 9 && b > 1)
			return rd_fail(r, "%s does not fit 64 bits", what);
		x |= (uint64_t)(b & 0x7f) << (7 * k);
		if (!(b & 0x80)) {
			if (k && !b)
				return rd_fail(r, "%s is not in its shortest form", what);
			*v = x;
			return 0;
		}
	}
	return rd_fail(r, "%s does not fit 64 bits", what);
}

static int rd_svar(struct rd *r, int64_t *v, const char *what)
{
	uint64_t u;
	int rc = rd_var(r, &u, what);

	if (!rc)
		*v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	return rc;
}

/* A count of things each at least MIN_BYTES long: no more than what is left can hold. */
static int rd_count(struct rd *r, size_t *n, size_t min_bytes, const char *what)
{
	uint64_t v = 0;
	int rc = rd_var(r, &v, what);

	if (rc)
		return rc;
	if (v > (r->n - r->i) / min_bytes)
		return rd_fail(r, "%s %llu is more than the %zu bytes left can hold", what,
			       (unsigned long long)v, r->n - r->i);
	*n = (size_t)v;
	return 0;
}

/* A string, copied NUL-terminated into the set. NUL_OK: it may hold NUL bytes. */
static int rd_str(struct rd *r, const char **s, size_t *len, bool nul_ok, const char *what)
{
	size_t n = 0;
	char *d;
	int rc = rd_count(r, &n, 1, what);

	if (rc)
		return rc;
	if (!nul_ok && memchr(r->p + r->i, 0, n))
		return rd_fail(r, "%s holds a NUL byte", what);
	if (!(d = set_alloc(r->set, n + 1)))
		return -ENOMEM;
	memcpy(d, r->p + r->i, n);
	d[n] = '\0';
	r->i += n;
	*s = d;
	if (len)
		*len = n;
	return 0;
}

static int rd_value(struct rd *r, sk_cval *v)
{
	unsigned k, b;
	int rc;

	memset(v, 0, sizeof(*v));
	if ((rc = rd_u8(r, &k, "value kind")))
		return rc;
	switch (k) {
	case V_STR:
		v->kind = SK_CV_STR;
		return rd_str(r, &v->s, &v->len, true, "string length");
	case V_INT:
		v->kind = SK_CV_INT;
		return rd_svar(r, &v->i, "integer");
	case V_UINT:
		v->kind = SK_CV_UINT;
		return rd_var(r, &v->u, "integer");
	case V_BOOL:
		v->kind = SK_CV_BOOL;
		if ((rc = rd_u8(r, &b, "boolean")))
			return rc;
		if (b > 1)
			return rd_fail(r, "boolean %u", b);
		v->b = b;
		return 0;
	case V_IP:
	case V_NET:
		v->kind = k == V_IP ? SK_CV_IP : SK_CV_NET;
		if ((rc = rd_u8(r, &b, "address length")))
			return rc;
		if (b != 4 && b != 16)
			return rd_fail(r, "an address of %u bytes (4 or 16)", b);
		if (r->n - r->i < b)
			return rd_fail(r, "truncated (address)");
		v->ip_len = (uint8_t)b;
		memcpy(v->ip, r->p + r->i, b);
		r->i += b;
		if (k == V_NET) {
			if ((rc = rd_u8(r, &b, "network prefix")))
				return rc;
			if (b > v->ip_len * 8u)
				return rd_fail(r, "a /%u network of a %u-bit address", b, v->ip_len * 8u);
			v->prefix = (uint8_t)b;
		}
		return 0;
	case V_DOUBLE: {
		uint64_t u = 0;
		if (r->n - r->i < 8)
			return rd_fail(r, "truncated (double)");
		for (int i = 0; i < 8; i++)
			u |= (uint64_t)r->p[r->i + (size_t)i] << (8 * i);
		r->i += 8;
		v->kind = SK_CV_DOUBLE;
		memcpy(&v->d, &u, sizeof(u));
		return 0;
	}
	default:
		return rd_fail(r, "unknown value kind %u", k);
	}
}

struct ritem {
	bool is_expr;
	void **slot;   /* where the node goes */
	size_t depth;
};

static int r_push(struct rd *r, struct ritem **st, size_t *n, size_t *cap, bool is_expr,
		  void **slot, size_t depth)
{
	if (depth > SK_COND_MAX_DEPTH)
		return rd_fail(r, "deeper than %d", SK_COND_MAX_DEPTH);
	if (*n == *cap) {
		size_t nc = *cap ? 2 * *cap : 64;
		struct ritem *d = realloc(*st, nc * sizeof(*d));
		if (!d)
			return -ENOMEM;
		*st = d;
		*cap = nc;
	}
	(*st)[(*n)++] = (struct ritem){ is_expr, slot, depth };
	return 0;
}

static int rd_operand(struct rd *r, sk_copnd *o)
{
	unsigned k, t, b;
	int rc;

	if ((rc = rd_u8(r, &k, "operand kind")) || (rc = rd_u8(r, &t, "operand type")))
		return rc;
	if (t >= N_WIRE(wire_types))
		return rd_fail(r, "unknown type %u", t);
	o->type = SK_T__COUNT;
	for (int i = 0; i < SK_T__COUNT; i++)
		if (!strcmp(sk_type_name((enum sk_type)i), wire_types[t]))
			o->type = (enum sk_type)i;
	if (o->type == SK_T__COUNT)
		return rd_fail(r, "type '%s' is unknown to this version", wire_types[t]);
	o->field = -1;
	o->arg_index = -1;
	switch (k) {
	case O_FIELD: {
		const char *name;
		if ((rc = rd_str(r, &name, NULL, false, "field name")))
			return rc;
		o->kind = SK_CO_FIELD;
		if ((o->field = sk_field_lookup(name)) < 0)
			return rd_fail(r, "field '%.80s' is unknown to this version", name);
		if ((rc = rd_svar(r, &o->arg_index, "field index")) || (rc = rd_u8(r, &b, "argument flag")))
			return rc;
		if (b > 1)
			return rd_fail(r, "argument flag %u", b);
		if (b && (rc = rd_str(r, &o->arg, NULL, false, "field argument")))
			return rc;
		return 0;
	}
	case O_XFORM:
		o->kind = SK_CO_XFORM;
		if ((rc = rd_u8(r, &b, "transformer")))
			return rc;
		if (b >= N_WIRE(wire_xforms))
			return rd_fail(r, "unknown transformer %u", b);
		o->xform = SK_XF__COUNT;
		for (int i = 0; i < SK_XF__COUNT; i++)
			if (!strcmp(sk_xform_names[i], wire_xforms[b]))
				o->xform = (enum sk_xform)i;
		if (o->xform == SK_XF__COUNT)
			return rd_fail(r, "transformer '%s' is unknown to this version", wire_xforms[b]);
		if ((rc = rd_u8(r, &b, "argument flag")))
			return rc;
		if (b > 1)
			return rd_fail(r, "argument flag %u", b);
		if (b && (rc = rd_str(r, &o->arg, NULL, false, "transformer argument")))
			return rc;
		/* fall through */
	case O_TLIST:
		if (k == O_TLIST)
			o->kind = SK_CO_TLIST;
		if ((rc = rd_count(r, &o->n_args, 2, "argument count")))
			return rc;
		if (o->n_args && !(o->args = set_alloc(r->set, o->n_args * sizeof(*o->args))))
			return -ENOMEM;
		return 0;
	case O_CONST:
		o->kind = SK_CO_CONST;
		return rd_value(r, &o->v);
	case O_LIST:
		o->kind = SK_CO_LIST;
		if ((rc = rd_count(r, &o->n_items, 2, "list length")))
			return rc;
		if (o->n_items && !(o->items = set_alloc(r->set, o->n_items * sizeof(*o->items))))
			return -ENOMEM;
		for (size_t i = 0; i < o->n_items; i++)
			if ((rc = rd_value(r, &o->items[i])))
				return rc;
		return 0;
	default:
		return rd_fail(r, "unknown operand kind %u", k);
	}
}

static int rd_expr(struct rd *r, sk_cexpr *e)
{
	unsigned k, b;
	int rc;

	if ((rc = rd_u8(r, &k, "node kind")))
		return rc;
	switch (k) {
	case N_CONST:
		e->kind = SK_C_CONST;
		if ((rc = rd_u8(r, &b, "constant")))
			return rc;
		if (b > 1)
			return rd_fail(r, "constant %u", b);
		e->value = b;
		return 0;
	case N_AND:
	case N_OR:
		e->kind = k == N_AND ? SK_C_AND : SK_C_OR;
		if ((rc = rd_count(r, &e->n_kids, 2, "operand count")))
			return rc;
		break;
	case N_NOT:
		e->kind = SK_C_NOT;
		e->n_kids = 1;
		break;
	case N_CHECK: {
		unsigned op, mod;
		e->kind = SK_C_CHECK;
		if ((rc = rd_u8(r, &op, "operator")) || (rc = rd_u8(r, &mod, "modifier")) ||
		    (rc = rd_u8(r, &b, "right side flag")))
			return rc;
		if (op >= N_WIRE(wire_ops))
			return rd_fail(r, "unknown operator %u", op);
		e->op = SK_COP__COUNT;
		for (int i = 0; i < SK_COP__COUNT; i++)
			if (!strcmp(sk_cop_names[i], wire_ops[op]))
				e->op = (enum sk_cop)i;
		if (e->op == SK_COP__COUNT)
			return rd_fail(r, "operator '%s' is unknown to this version", wire_ops[op]);
		if (mod > SK_CMOD_ALLOF)
			return rd_fail(r, "unknown modifier %u", mod);
		if (b > 1)
			return rd_fail(r, "right side flag %u", b);
		e->mod = (enum sk_cmod)mod;
		e->n_kids = b; /* for the caller: whether a right side follows */
		return 0;
	}
	default:
		return rd_fail(r, "unknown node kind %u", k);
	}
	if (e->n_kids && !(e->kids = set_alloc(r->set, e->n_kids * sizeof(*e->kids))))
		return -ENOMEM;
	return 0;
}

int sk_cond_decode(const uint8_t *data, size_t len, size_t *pos, struct sk_cond_set **set,
		   const sk_cexpr **out, char *err, size_t err_size)
{
	struct rd r = { data, len, *pos, NULL, err, err_size };
	struct ritem *st = NULL;
	size_t n = 0, cap = 0;
	sk_cexpr *root = NULL;
	unsigned version;
	int rc;

	*out = NULL;
	if (!*set && !(*set = calloc(1, sizeof(**set))))
		return -ENOMEM;
	r.set = *set;
	if (r.i > r.n)
		return rd_fail(&r, "starts past the end");
	if ((rc = rd_u8(&r, &version, "format version")))
		goto cleanup;
	if (version != SK_COND_FORMAT) {
		rc = rd_fail(&r, version > SK_COND_FORMAT
					 ? "format %u is newer than this version understands (%u)"
					 : "unknown format %u (this version reads %u)",
			     version, SK_COND_FORMAT);
		goto cleanup;
	}
	if ((rc = r_push(&r, &st, &n, &cap, true, (void **)&root, 1)))
		goto cleanup;
	while (n) {
		struct ritem it = st[--n];
		if (it.is_expr) {
			sk_cexpr *e = set_alloc(r.set, sizeof(*e));
			if (!e) {
				rc = -ENOMEM;
				goto cleanup;
			}
			*it.slot = e;
			if ((rc = rd_expr(&r, e)))
				goto cleanup;
			if (e->kind == SK_C_CHECK) {
				bool has_rhs = e->n_kids;
				e->n_kids = 0;
				if ((has_rhs && (rc = r_push(&r, &st, &n, &cap, false, (void **)&e->rhs,
							     it.depth + 1))) ||
				    (rc = r_push(&r, &st, &n, &cap, false, (void **)&e->lhs, it.depth + 1)))
					goto cleanup;
				continue;
			}
			for (size_t i = e->n_kids; i-- > 0;)
				if ((rc = r_push(&r, &st, &n, &cap, true, (void **)&e->kids[i], it.depth + 1)))
					goto cleanup;
		} else {
			sk_copnd *o = set_alloc(r.set, sizeof(*o));
			if (!o) {
				rc = -ENOMEM;
				goto cleanup;
			}
			*it.slot = o;
			if ((rc = rd_operand(&r, o)))
				goto cleanup;
			for (size_t i = o->n_args; i-- > 0;)
				if ((rc = r_push(&r, &st, &n, &cap, false, (void **)&o->args[i], it.depth + 1)))
					goto cleanup;
		}
	}
	{
		char why[200];
		if ((rc = sk_cond_check(root, why, sizeof(why)))) {
			if (rc == -EINVAL)
				rd_fail(&r, "%s", why);
			goto cleanup;
		}
	}
	*pos = r.i;
	*out = root;
	rc = 0;
cleanup:
	if (rc == -ENOMEM && err && err_size)
		snprintf(err, err_size, "residual condition: out of memory");
	free(st);
	return rc;
}
