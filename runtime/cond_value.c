/* Values of typed conditions (cond.h, cond_int.h): constants from rule text by the left side's
 * type, values as text, and the table of which operators apply to which types. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond_int.h"

enum sk_ccls sk_cond_class(enum sk_type t)
{
	switch (t) {
	case SK_T_STR: return SK_CC_STR;
	case SK_T_BYTES: return SK_CC_BYTES;
	case SK_T_I64: return SK_CC_INT;
	case SK_T_U64:
	case SK_T_PORT:
	case SK_T_RELTIME:
	case SK_T_ABSTIME: return SK_CC_UINT;
	case SK_T_BOOL: return SK_CC_BOOL;
	case SK_T_IPADDR:
	case SK_T_IPNET: return SK_CC_IP;
	case SK_T_DOUBLE: return SK_CC_DOUBLE;
	default: return SK_CC_DYN;
	}
}

enum sk_ccls sk_cond_kind_class(enum sk_cval_kind k)
{
	switch (k) {
	case SK_CV_STR: return SK_CC_STR;
	case SK_CV_INT: return SK_CC_INT;
	case SK_CV_UINT: return SK_CC_UINT;
	case SK_CV_BOOL: return SK_CC_BOOL;
	case SK_CV_IP:
	case SK_CV_NET: return SK_CC_IP;
	case SK_CV_DOUBLE: return SK_CC_DOUBLE;
	default: return SK_CC_DYN;
	}
}

struct sk_carena_chunk {
	struct sk_carena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

void *sk_carena_alloc(struct sk_carena *a, size_t n)
{
	struct sk_carena_chunk *c = a->head;

	n = (n + 15) & ~(size_t)15;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > 1024 ? n : 1024;
		if (!(c = malloc(sizeof(*c) + cap)))
			return NULL;
		c->next = a->head;
		c->used = 0;
		c->cap = cap;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

void sk_carena_reset(struct sk_carena *a)
{
	struct sk_carena_chunk *c = a->head, *one;
	size_t total = 0;

	if (!c)
		return;
	if (!c->next) {
		c->used = 0;
		return;
	}
	/* several chunks: one of their total size serves the next use without more */
	for (struct sk_carena_chunk *o = c; o; o = o->next)
		total += o->cap;
	sk_carena_free(a);
	if ((one = malloc(sizeof(*one) + total))) {
		one->next = NULL;
		one->used = 0;
		one->cap = total;
		a->head = one;
	}
}

void sk_carena_free(struct sk_carena *a)
{
	for (struct sk_carena_chunk *c = a->head, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

#define B(op) (1u << SK_COP_##op)

bool sk_cond_op_applies(enum sk_cop op, enum sk_ccls c, bool list)
{
	static const unsigned ops[SK_CC__COUNT] = {
		[SK_CC_STR] = B(EQ) | B(NE) | B(LT) | B(LE) | B(GT) | B(GE) | B(CONTAINS) |
			      B(ICONTAINS) | B(STARTSWITH) | B(ENDSWITH) | B(GLOB) | B(IGLOB) |
			      B(REGEX) | B(IN) | B(INTERSECTS) | B(PMATCH) | B(EXISTS),
		[SK_CC_BYTES] = B(EQ) | B(NE) | B(CONTAINS) | B(BCONTAINS) | B(STARTSWITH) |
				B(BSTARTSWITH) | B(ENDSWITH) | B(IN) | B(INTERSECTS) | B(EXISTS),
		[SK_CC_INT] = B(EQ) | B(NE) | B(LT) | B(LE) | B(GT) | B(GE) | B(IN) | B(INTERSECTS) |
			      B(EXISTS),
		[SK_CC_BOOL] = B(EQ) | B(NE) | B(IN) | B(INTERSECTS) | B(EXISTS),
		[SK_CC_IP] = B(EQ) | B(NE) | B(IN) | B(INTERSECTS) | B(EXISTS),
		[SK_CC_DYN] = ~0u,
	};
	unsigned set;

	if ((unsigned)op >= SK_COP__COUNT || (unsigned)c >= SK_CC__COUNT)
		return false;
	if (list)
		return op == SK_COP_IN || op == SK_COP_INTERSECTS || op == SK_COP_EXISTS;
	set = c == SK_CC_UINT || c == SK_CC_DOUBLE ? ops[SK_CC_INT] : ops[c];
	return set & (1u << op);
}

bool sk_cond_mod_applies(enum sk_cop op, enum sk_cmod mod, enum sk_ccls c)
{
	if (mod == SK_CMOD_NONE)
		return true;
	if ((unsigned)mod > SK_CMOD_ALLOF)
		return false;
	/* not on numeric comparisons, the set operators or exists (GRAMMAR.md §6) */
	switch (op) {
	case SK_COP_LT: case SK_COP_LE: case SK_COP_GT: case SK_COP_GE:
	case SK_COP_IN: case SK_COP_INTERSECTS: case SK_COP_PMATCH: case SK_COP_EXISTS:
		return false;
	default:
		break;
	}
	if (c == SK_CC_IP)
		return op == SK_COP_EQ || op == SK_COP_NE;
	return true;
}

#undef B

size_t sk_cval_text(const sk_cval *v, char *buf, size_t size)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	int n = 0;

	if (!size)
		return 0;
	switch (v->kind) {
	case SK_CV_INT: n = snprintf(buf, size, "%" PRId64, v->i); break;
	case SK_CV_UINT: n = snprintf(buf, size, "%" PRIu64, v->u); break;
	case SK_CV_BOOL: n = snprintf(buf, size, "%s", v->b ? "true" : "false"); break;
	case SK_CV_DOUBLE: n = snprintf(buf, size, "%.17g", v->d); break;
	case SK_CV_IP:
	case SK_CV_NET:
		if (!inet_ntop(v->ip_len == 16 ? AF_INET6 : AF_INET, v->ip, tmp, sizeof(tmp)))
			snprintf(tmp, sizeof(tmp), "?");
		if (v->kind == SK_CV_NET)
			n = snprintf(buf, size, "%s/%u", tmp, (unsigned)v->prefix);
		else
			n = snprintf(buf, size, "%s", tmp);
		break;
	default:
		buf[0] = '\0';
		break;
	}
	if (n < 0)
		n = 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

char *sk_cond_one_line(char *s)
{
	for (char *p = s; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return s;
}

bool sk_cond_either_side(int field, int sides[2])
{
	switch (field) {
	case SK_FLD_FD_IP:
	case SK_FLD_FD_NET:
		sides[0] = SK_FLD_FD_CIP;
		sides[1] = SK_FLD_FD_SIP;
		return true;
	case SK_FLD_FD_PORT:
	case SK_FLD_FD_PROTO:
		sides[0] = SK_FLD_FD_CPORT;
		sides[1] = SK_FLD_FD_SPORT;
		return true;
	default:
		sides[0] = sides[1] = -1;
		return false;
	}
}

bool sk_cond_any_ancestor(int field)
{
	switch (field) {
	case SK_FLD_PROC_ANAME:
	case SK_FLD_PROC_APID:
	case SK_FLD_PROC_AEXE:
	case SK_FLD_PROC_AEXEPATH:
	case SK_FLD_PROC_ACMDLINE:
	case SK_FLD_PROC_AENV:
	case SK_FLD_PROC_AARGS:
		return true;
	default:
		return false;
	}
}

/* ---- constants from text ----------------------------------------------------------------- */

static int text_fail(char *err, size_t err_size, const char *fmt, ...)
{
	va_list ap;

	if (err && err_size) {
		va_start(ap, fmt);
		vsnprintf(err, err_size, fmt, ap);
		va_end(ap);
		sk_cond_one_line(err);
	}
	return -EINVAL;
}

/* Decimal or 0x hex, optionally signed; the whole text. */
static int parse_int(const char *s, size_t n, bool is_signed, int64_t *i, uint64_t *u)
{
	char tmp[72];
	char *end;
	bool neg;

	if (!n || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	neg = tmp[0] == '-';
	if (strchr(" \t\n\v\f\r", tmp[0]))
		return -1;
	/* decimal, or hex after 0x (GRAMMAR.md §9): a leading 0 is not octal */
	const char *digits = tmp + (tmp[0] == '-' || tmp[0] == '+');
	int base = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X') ? 16 : 10;
	errno = 0;
	if (is_signed) {
		long long v = strtoll(tmp, &end, base);
		if (errno || *end || end == tmp)
			return -1;
		*i = v;
	} else {
		unsigned long long v;
		if (neg)
			return -1;
		v = strtoull(tmp, &end, base);
		if (errno || *end || end == tmp)
			return -1;
		*u = v;
	}
	return 0;
}

static int hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_ip(const char *s, size_t n, sk_cval *v, bool net)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	const char *slash = memchr(s, '/', n);
	size_t an = slash ? (size_t)(slash - s) : n;
	unsigned long bits = 0;

	if (an >= INET6_ADDRSTRLEN || (!slash && net))
		return -1;
	memcpy(tmp, s, an);
	tmp[an] = '\0';
	if (inet_pton(AF_INET, tmp, v->ip) == 1)
		v->ip_len = 4;
	else if (inet_pton(AF_INET6, tmp, v->ip) == 1)
		v->ip_len = 16;
	else
		return -1;
	if (!slash) {
		v->kind = SK_CV_IP;
		return 0;
	}
	size_t bn = n - an - 1;
	if (!bn || bn > 3)
		return -1;
	for (size_t k = 0; k < bn; k++) {
		char c = slash[1 + k];
		if (c < '0' || c > '9')
			return -1;
		bits = bits * 10 + (unsigned long)(c - '0');
	}
	if (bits > (unsigned long)v->ip_len * 8)
		return -1;
	v->kind = SK_CV_NET;
	v->prefix = (uint8_t)bits;
	return 0;
}

int sk_cval_from_text(enum sk_type t, enum sk_cop op, const char *s, size_t n, sk_cval *v,
		      uint8_t *buf, char *err, size_t err_size)
{
	memset(v, 0, sizeof(*v));
	switch (t) {
	case SK_T_STR:
	case SK_T_DYN:
		if (memchr(s, 0, n))
			return text_fail(err, err_size, "a string value cannot hold a NUL byte");
		v->kind = SK_CV_STR;
		v->s = s;
		v->len = n;
		return 0;
	case SK_T_BYTES:
		v->kind = SK_CV_STR;
		if (op != SK_COP_BCONTAINS && op != SK_COP_BSTARTSWITH) {
			v->s = s;
			v->len = n;
			return 0;
		}
		if (n % 2)
			return text_fail(err, err_size, "'%s' takes hex digits in pairs, not '%.*s'",
					 sk_cop_names[op], (int)n, s);
		for (size_t k = 0; k < n; k += 2) {
			int hi = hexdigit(s[k]), lo = hexdigit(s[k + 1]);
			if (hi < 0 || lo < 0)
				return text_fail(err, err_size, "'%s' takes hex digits, not '%.*s'",
						 sk_cop_names[op], (int)n, s);
			buf[k / 2] = (uint8_t)(hi * 16 + lo);
		}
		v->s = (const char *)buf;
		v->len = n / 2;
		return 0;
	case SK_T_I64:
		v->kind = SK_CV_INT;
		if (parse_int(s, n, true, &v->i, &v->u))
			return text_fail(err, err_size, "'%.*s' is not a signed 64-bit integer",
					 (int)n, s);
		return 0;
	case SK_T_U64:
	case SK_T_PORT:
	case SK_T_RELTIME:
	case SK_T_ABSTIME:
		v->kind = SK_CV_UINT;
		if (parse_int(s, n, false, &v->i, &v->u))
			return text_fail(err, err_size, "'%.*s' is not an unsigned 64-bit integer",
					 (int)n, s);
		if (t == SK_T_PORT && v->u > 65535)
			return text_fail(err, err_size, "'%.*s' is not a port (0 to 65535)", (int)n, s);
		return 0;
	case SK_T_BOOL:
		v->kind = SK_CV_BOOL;
		if (n == 4 && !memcmp(s, "true", 4))
			v->b = true;
		else if (!(n == 5 && !memcmp(s, "false", 5)))
			return text_fail(err, err_size, "'%.*s' is not a boolean (true or false)",
					 (int)n, s);
		return 0;
	case SK_T_IPADDR:
	case SK_T_IPNET:
		if (parse_ip(s, n, v, t == SK_T_IPNET))
			return text_fail(err, err_size, t == SK_T_IPNET
						 ? "'%.*s' is not a network (a.b.c.d/n or an IPv6 one)"
						 : "'%.*s' is not an IP address or network",
					 (int)n, s);
		return 0;
	case SK_T_DOUBLE: {
		char tmp[64], *end;
		if (!n || n >= sizeof(tmp))
			return text_fail(err, err_size, "'%.*s' is not a number", (int)n, s);
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		errno = 0;
		v->kind = SK_CV_DOUBLE;
		v->d = strtod(tmp, &end);
		if (errno || *end || end == tmp || strchr(" \t\n\v\f\r", tmp[0]))
			return text_fail(err, err_size, "'%.*s' is not a number", (int)n, s);
		return 0;
	}
	default:
		return text_fail(err, err_size, "unknown type %d", (int)t);
	}
}
