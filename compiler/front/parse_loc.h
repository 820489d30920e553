/* Private to the condition parser (grammar/condition.[ly] and parse.c): the location type and
 * the state the reentrant lexer and parser share. Nothing else includes this or the generated
 * headers. */
#ifndef SK_PARSE_LOC_H
#define SK_PARSE_LOC_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"

/* Bison's location type: byte offsets [off, end) into the sk_text string. */
typedef struct sk_loc {
	uint32_t off, end;
} sk_loc;

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

/* Token values. */
struct sk_tok {
	const char *s;   /* arena text (unescaped for quoted strings), NUL-terminated */
	size_t len;      /* length of s (quoted strings may hold NUL bytes) */
	int v;           /* enum sk_op, enum sk_modifier or "quoted" */
	sk_loc inner;    /* field argument: where the argument text sits */
};

/* What a ')' closes; it decides what the lexer expects next. */
enum sk_nest {
	SK_NEST_GROUP,   /* ( expr ) */
	SK_NEST_LIST,    /* in ( v, ... ) */
	SK_NEST_T_LHS,   /* transformer on the left of a check */
	SK_NEST_T_RHS,   /* transformer on the right of a check */
	SK_NEST_T_ARG,   /* transformer inside a transformer's arguments */
	SK_NEST_T_TLIST, /* transformer inside a transformer list */
	SK_NEST_TLIST,   /* ( ... ) transformer list inside join() */
	SK_NEST_VAL,     /* val( field ) */
};

struct sk_nest_ent {
	uint8_t kind;    /* enum sk_nest */
	uint32_t open;   /* offset of the '(' (or of the transformer name) */
};

struct sk_pstate {
	sk_arena *arena;
	sk_diag *diag;
	const sk_text *text;
	unsigned max_depth;
	sk_expr *result;

	/* lexer */
	uint32_t pos;           /* offset of the next byte to read */
	int after_field;        /* start condition after a field (and its optional argument) */
	int prev;               /* token kind last returned, for messages */
	sk_loc prev_loc;
	uint32_t op_end;        /* end of the last string operator (modifier needs a blank after) */
	bool not_paren;         /* the next '(' comes from "not(" */
	struct sk_nest_ent *nest;
	size_t n_nest, cap_nest;

	/* a lexical error, reported by the parser when it sees the LEXERR token */
	const char *err;
	sk_loc err_loc;
	const char *err_note;   /* optional note, e.g. where the unclosed '(' is */
	sk_loc err_note_loc;
	bool reported;          /* an error has been reported (stop at the first) */
};

/* parse.c: reports an error at byte range L of the text. */
void sk_parse_error(struct sk_pstate *ps, sk_loc l, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* parse.c: span of L in file coordinates. */
sk_span sk_parse_span(const struct sk_pstate *ps, sk_loc l);
/* parse.c: quotes TEXT[0..len) for a message: printable bytes as is, others as \xHH. */
const char *sk_parse_quote(struct sk_pstate *ps, const char *text, size_t len);

#endif
