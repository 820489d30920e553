/* The condition AST, as the parser builds it and the later passes annotate it. All nodes live in
 * the compilation's arena. */
#ifndef SK_AST_H
#define SK_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"

/* Comparison operators: SK_OP(ident, "spelling", needs_blank_after) */
#define SK_OPS(X)                         \
	X(EQ, "=", 0)                     \
	X(EQEQ, "==", 0)                  \
	X(NE, "!=", 0)                    \
	X(LT, "<", 0)                     \
	X(LE, "<=", 0)                    \
	X(GT, ">", 0)                     \
	X(GE, ">=", 0)                    \
	X(CONTAINS, "contains", 1)        \
	X(ICONTAINS, "icontains", 1)      \
	X(BCONTAINS, "bcontains", 1)      \
	X(STARTSWITH, "startswith", 1)    \
	X(BSTARTSWITH, "bstartswith", 1)  \
	X(ENDSWITH, "endswith", 1)        \
	X(GLOB, "glob", 1)                \
	X(IGLOB, "iglob", 1)              \
	X(REGEX, "regex", 1)              \
	X(IN, "in", 0)                    \
	X(INTERSECTS, "intersects", 0)    \
	X(PMATCH, "pmatch", 0)            \
	X(EXISTS, "exists", 0)

enum sk_op {
#define X(id, s, b) SK_OP_##id,
	SK_OPS(X)
#undef X
	SK_OP__COUNT
};
extern const char *const sk_op_names[SK_OP__COUNT];

/* oneof / anyof / allof after a string operator (libs >= 0.25). */
enum sk_modifier { SK_MOD_NONE, SK_MOD_ONEOF, SK_MOD_ANYOF, SK_MOD_ALLOF };

/* Operands: the two sides of a check. */
enum sk_operand_kind {
	SK_OPD_FIELD,     /* name[arg] */
	SK_OPD_TRANSFORM, /* name(args...)[arg] */
	SK_OPD_VAL,       /* val(field): items[0] is the field */
	SK_OPD_VALUE,     /* a bare or quoted string (text is unescaped) */
	SK_OPD_LIST,      /* ( v1, v2, ... ): items are SK_OPD_VALUE */
	SK_OPD_TLIST,     /* transformer list ( ... ) inside join() */
	SK_OPD_IDENT,     /* identifier after in/intersects/pmatch: a named list until expanded */
};

typedef struct sk_operand sk_operand;
struct sk_operand {
	enum sk_operand_kind kind;
	sk_span span;         /* whole operand */
	const char *text;     /* field or transformer name, or the value/identifier text */
	size_t text_len;      /* length of text (values may hold any byte but NUL) */
	const char *arg;      /* field argument, or NULL when there is none ("" is an argument) */
	sk_span arg_span;
	bool quoted;          /* value was written in quotes */
	sk_operand **items;   /* transformer arguments, list elements, val()'s field */
	size_t n_items;
	int field;            /* resolved enum sk_field_id (checker), -1 before */
};

enum sk_expr_kind {
	SK_E_AND,    /* kids[0..n) n-ary */
	SK_E_OR,     /* kids[0..n) n-ary */
	SK_E_NOT,    /* kids[0] */
	SK_E_MACRO,  /* ident: a macro reference, replaced by expansion */
	SK_E_CHECK,  /* lhs op [modifier] rhs; rhs NULL for exists */
	SK_E_CONST,  /* folded: value */
};

/* Where a node came from, for "in macro 'x' defined at ..." notes. */
typedef struct sk_origin sk_origin;
struct sk_origin {
	const char *macro;     /* macro name */
	sk_span def;           /* the macro's condition */
	sk_span use;           /* the reference that expanded it */
	const sk_origin *up;   /* the expansion this one happened inside, or NULL */
};

typedef struct sk_expr sk_expr;
struct sk_expr {
	enum sk_expr_kind kind;
	sk_span span;
	sk_expr **kids;
	size_t n_kids;
	const char *ident;      /* SK_E_MACRO */
	enum sk_op op;          /* SK_E_CHECK */
	enum sk_modifier mod;
	sk_span op_span;
	sk_operand *lhs, *rhs;
	bool value;             /* SK_E_CONST */
	const sk_origin *origin;/* set by macro expansion, NULL in rule text */
	void *typed;            /* checker's annotation (struct sk_check in check.h) */
};

/* Constructors used by the grammar; they never fail (the arena aborts on OOM). */
sk_expr *sk_expr_new(sk_arena *a, enum sk_expr_kind kind, sk_span span);
sk_operand *sk_operand_new(sk_arena *a, enum sk_operand_kind kind, sk_span span);
/* Deep copy (macro expansion gives every use its own nodes). */
sk_expr *sk_expr_clone(sk_arena *a, const sk_expr *e);

/* Canonical form, Falco's as_string: "((a.b = 1 and c.d in (x, y)) or not m)". Returns an
 * arena string. */
char *sk_expr_to_string(sk_arena *a, const sk_expr *e);

#endif
