/* The lowered predicate: what the checker turns a rule condition into, and what code generation
 * (and the user-space evaluator) consume. Only kernel-computable fields and a few kinds of tests
 * remain: integer tests, string tests, syscall sets, and/or/not, constants.
 *
 * Missing values: every leaf is false when its field has no value for the event (the open
 * failed so there is no path, the task has no parent...), whatever the comparison, including
 * SK_CMP_NE. NOT works at the boolean level, as in Falco. */
#ifndef SK_PRED_H
#define SK_PRED_H

#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"

enum sk_pred_kind {
	SK_P_CONST,   /* value */
	SK_P_AND,     /* kids, n-ary */
	SK_P_OR,      /* kids, n-ary */
	SK_P_NOT,     /* kids[0] */
	SK_P_INT,     /* ((field & mask) cmp ival), or membership in ivals when cmp is SK_CMP_IN */
	SK_P_STR,     /* string test on field against strs */
	SK_P_SYSCALL, /* the event is one of ivals, event ids of events.def (evt.type) */
};

enum sk_cmp {
	SK_CMP_EQ, SK_CMP_NE, SK_CMP_LT, SK_CMP_LE, SK_CMP_GT, SK_CMP_GE, /* ints (signed) and strings */
	SK_CMP_IN,        /* equal to one of the values */
	SK_CMP_PREFIX,    /* startswith strs[0] */
	SK_CMP_SUFFIX,    /* endswith strs[0] */
	SK_CMP_CONTAINS,  /* contains strs[0] */
	SK_CMP_ICONTAINS, /* contains strs[0], ASCII case-insensitive (strs[0] is lower case) */
	SK_CMP_GLOB,      /* fnmatch(strs[0], value, 0) */
	SK_CMP_PMATCH,    /* path-prefix match against any of strs */
};

typedef struct sk_pred sk_pred;
struct sk_pred {
	enum sk_pred_kind kind;
	sk_span span;             /* the source check this came from */
	const sk_origin *origin;  /* macro expansion chain, or NULL */
	sk_pred **kids;
	size_t n_kids;
	int value;                /* SK_P_CONST: 0 or 1 */
	int field;                /* SK_P_INT/SK_P_STR: enum sk_field_id */
	enum sk_cmp cmp;
	uint64_t mask;            /* SK_P_INT: applied before comparing; ~0 for none */
	int64_t ival;             /* SK_P_INT: the constant */
	int64_t *ivals;           /* SK_P_INT with SK_CMP_IN, SK_P_SYSCALL: values */
	size_t n_ivals;
	const char **strs;        /* SK_P_STR: strings (NUL-free) */
	size_t *str_lens;
	size_t n_strs;
};

sk_pred *sk_pred_new(sk_arena *a, enum sk_pred_kind kind);
/* Debug/golden form, e.g. "(syscall in {257} and fd.name == \"/etc/shadow\")". */
char *sk_pred_to_string(sk_arena *a, const sk_pred *p);

#endif
