/* Lowered predicates: construction and the stable text form the golden tests compare. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pred.h"
#include "saker/fields.h"

sk_pred *sk_pred_new(sk_arena *a, enum sk_pred_kind kind)
{
	sk_pred *p = sk_arena_alloc(a, sizeof(*p));
	p->kind = kind;
	p->field = -1;
	p->mask = ~(uint64_t)0;
	return p;
}

struct buf {
	sk_arena *a;
	char *s;
	size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 256;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		char *ns = sk_arena_alloc(b->a, ncap);
		if (b->len)
			memcpy(ns, b->s, b->len);
		b->s = ns;
		b->cap = ncap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void putf(struct buf *b, const char *fmt, int64_t v)
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), fmt, v);
	puts_(b, tmp);
}

/* A C-like quoted string: the value stays readable and unambiguous in a golden file. */
static void put_str(struct buf *b, const char *s, size_t n)
{
	puts_(b, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		char tmp[8];
		if (ch == '"' || ch == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)ch;
			put(b, tmp, 2);
		} else if (ch < 0x20 || ch >= 0x7f) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", ch);
			puts_(b, tmp);
		} else {
			put(b, (const char *)&ch, 1);
		}
	}
	puts_(b, "\"");
}

static const char *const cmp_names[] = {
	[SK_CMP_EQ] = "==", [SK_CMP_NE] = "!=", [SK_CMP_LT] = "<", [SK_CMP_LE] = "<=",
	[SK_CMP_GT] = ">", [SK_CMP_GE] = ">=", [SK_CMP_IN] = "in", [SK_CMP_PREFIX] = "startswith",
	[SK_CMP_SUFFIX] = "endswith", [SK_CMP_CONTAINS] = "contains", [SK_CMP_ICONTAINS] = "icontains",
	[SK_CMP_GLOB] = "glob", [SK_CMP_PMATCH] = "pmatch",
};

static const char *field_name(int f)
{
	return f >= 0 && f < SK_FLD__COUNT ? sk_fields[f].name : "?";
}

static void put_pred(struct buf *b, const sk_pred *p)
{
	switch (p->kind) {
	case SK_P_CONST:
		puts_(b, p->value ? "true" : "false");
		break;
	case SK_P_AND:
	case SK_P_OR:
		puts_(b, "(");
		for (size_t i = 0; i < p->n_kids; i++) {
			if (i)
				puts_(b, p->kind == SK_P_AND ? " and " : " or ");
			put_pred(b, p->kids[i]);
		}
		puts_(b, ")");
		break;
	case SK_P_NOT:
		puts_(b, "not ");
		put_pred(b, p->kids[0]);
		break;
	case SK_P_SYSCALL:
		puts_(b, "evt.type in {");
		for (size_t i = 0; i < p->n_ivals; i++) {
			const char *name = sk_event_name((int)p->ivals[i]);
			if (name) {
				puts_(b, i ? ", " : "");
				puts_(b, name);
			} else
				putf(b, i ? ", #%" PRId64 : "#%" PRId64, p->ivals[i]);
		}
		puts_(b, "}");
		break;
	case SK_P_INT:
		if (p->mask != ~(uint64_t)0) {
			puts_(b, "(");
			puts_(b, field_name(p->field));
			putf(b, " & %#" PRIx64 ")", (int64_t)p->mask);
		} else {
			puts_(b, field_name(p->field));
		}
		puts_(b, " ");
		puts_(b, p->cmp < sizeof(cmp_names) / sizeof(cmp_names[0]) ? cmp_names[p->cmp] : "?");
		if (p->cmp == SK_CMP_IN) {
			puts_(b, " {");
			for (size_t i = 0; i < p->n_ivals; i++)
				putf(b, i ? ", %" PRId64 : "%" PRId64, p->ivals[i]);
			puts_(b, "}");
		} else if (p->mask != ~(uint64_t)0 && p->ival >= 0) {
			putf(b, " %#" PRIx64, p->ival); /* bits read better in hex */
		} else {
			putf(b, " %" PRId64, p->ival);
		}
		break;
	case SK_P_STR:
		puts_(b, field_name(p->field));
		puts_(b, " ");
		puts_(b, p->cmp < sizeof(cmp_names) / sizeof(cmp_names[0]) ? cmp_names[p->cmp] : "?");
		puts_(b, " ");
		if (p->cmp == SK_CMP_IN || p->cmp == SK_CMP_PMATCH) {
			puts_(b, "{");
			for (size_t i = 0; i < p->n_strs; i++) {
				if (i)
					puts_(b, ", ");
				put_str(b, p->strs[i], p->str_lens[i]);
			}
			puts_(b, "}");
		} else if (p->n_strs) {
			put_str(b, p->strs[0], p->str_lens[0]);
		}
		break;
	}
}

char *sk_pred_to_string(sk_arena *a, const sk_pred *p)
{
	struct buf b = { a, NULL, 0, 0 };
	put(&b, "", 0);
	if (p)
		put_pred(&b, p);
	return b.s;
}
