/* The typed condition: a rule's condition after lists, macros and exceptions are expanded and
 * every field, operator and value is checked (compiler/front), in a form both binaries share.
 * The planner splits it into a kernel part and a residual (DESIGN.md decision 11); the residual
 * travels in the bundle (sk_cond_encode/decode) and sakerd evaluates it on each event the kernel
 * passed (sk_cond_eval). The tests hold the kernel to the same evaluator (decision 3).
 *
 * Semantics are Falco's (falco/GRAMMAR.md §4 and §8):
 *  - a check whose field has no value for the event is false, whatever the operator ('!='
 *    and 'exists' included); 'not' works at the boolean level;
 *  - and/or short-circuit left to right; CONST folds to true or false.
 * The code: runtime/cond_eval.c (evaluator), runtime/cond_codec.c (bytes), runtime/cond_print.c
 * (Falco's canonical text). All three link into saker_common, so sakerd needs no compiler. */
#ifndef SAKER_COND_H
#define SAKER_COND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "saker/fields.h"

/* Comparison operators: SK_COP(ident, "spelling"). '==' is folded into '='. */
#define SK_COPS(X)                      \
	X(EQ, "=")                      \
	X(NE, "!=")                     \
	X(LT, "<")                      \
	X(LE, "<=")                     \
	X(GT, ">")                      \
	X(GE, ">=")                     \
	X(CONTAINS, "contains")         \
	X(ICONTAINS, "icontains")       \
	X(BCONTAINS, "bcontains")       \
	X(STARTSWITH, "startswith")     \
	X(BSTARTSWITH, "bstartswith")   \
	X(ENDSWITH, "endswith")         \
	X(GLOB, "glob")                 \
	X(IGLOB, "iglob")               \
	X(REGEX, "regex")               \
	X(IN, "in")                     \
	X(INTERSECTS, "intersects")     \
	X(PMATCH, "pmatch")             \
	X(EXISTS, "exists")

enum sk_cop {
#define SK_COP_ENUM(id, s) SK_COP_##id,
	SK_COPS(SK_COP_ENUM)
#undef SK_COP_ENUM
	SK_COP__COUNT
};
extern const char *const sk_cop_names[SK_COP__COUNT];

/* String-operator modifiers (libs >= 0.25): "startswith anyof (a, b)". */
enum sk_cmod { SK_CMOD_NONE, SK_CMOD_ONEOF, SK_CMOD_ANYOF, SK_CMOD_ALLOF };

/* Transformers: SK_XFORM(ident, "name"). */
#define SK_XFORMS(X)            \
	X(TOLOWER, "tolower")   \
	X(TOUPPER, "toupper")   \
	X(B64, "b64")           \
	X(BASENAME, "basename") \
	X(LEN, "len")           \
	X(JOIN, "join")         \
	X(CONCAT, "concat")     \
	X(GETOPT, "getopt")

enum sk_xform {
#define SK_XFORM_ENUM(id, s) SK_XF_##id,
	SK_XFORMS(SK_XFORM_ENUM)
#undef SK_XFORM_ENUM
	SK_XF__COUNT
};
extern const char *const sk_xform_names[SK_XF__COUNT];

/* ---- values ------------------------------------------------------------------------------ */

enum sk_cval_kind {
	SK_CV_NA,     /* no value for this event */
	SK_CV_STR,    /* s, len bytes (strings and byte buffers; strings hold no NUL) */
	SK_CV_INT,    /* i: signed numbers */
	SK_CV_UINT,   /* u: unsigned numbers, ports, times */
	SK_CV_BOOL,   /* b */
	SK_CV_IP,     /* ip[16], ip_len 4 or 16 (network byte order) */
	SK_CV_NET,    /* ip[16], ip_len 4 or 16, prefix bits */
	SK_CV_DOUBLE, /* d */
	SK_CV_LIST,   /* items[n_items]: a list-valued field (SK_F_LIST) or a transformer list */
};

typedef struct sk_cval sk_cval;
struct sk_cval {
	enum sk_cval_kind kind;
	const char *s;        /* SK_CV_STR; not NUL-terminated at len in general */
	size_t len;
	int64_t i;
	uint64_t u;
	bool b;
	double d;
	uint8_t ip[16];
	uint8_t ip_len;
	uint8_t prefix;
	const sk_cval *items; /* SK_CV_LIST */
	size_t n_items;
};

/* ---- the tree ---------------------------------------------------------------------------- */

enum sk_copnd_kind {
	SK_CO_FIELD,  /* field[arg] */
	SK_CO_XFORM,  /* transformer(args...), getopt(...)[c] */
	SK_CO_CONST,  /* a value, converted to the other side's type by the checker */
	SK_CO_LIST,   /* ( v1, v2, ... ): items, each converted */
	SK_CO_TLIST,  /* ( a, b, ... ) inside join(): args, each a field, transformer or CONST (an
		       * SK_CO_LIST with args is read as one too) */
};

typedef struct sk_copnd sk_copnd;
struct sk_copnd {
	enum sk_copnd_kind kind;
	enum sk_type type;      /* the operand's value type (a transformer's result type) */
	/* SK_CO_FIELD */
	int field;              /* enum sk_field_id */
	const char *arg;        /* the argument as written (NUL-terminated), or NULL for none; on
				 * SK_CO_XFORM getopt's option character */
	int64_t arg_index;      /* the argument as a number when the field takes an index, else -1 */
	/* SK_CO_XFORM, SK_CO_TLIST */
	enum sk_xform xform;
	sk_copnd **args;
	size_t n_args;
	/* SK_CO_CONST, and the items of SK_CO_LIST */
	sk_cval v;
	sk_cval *items;
	size_t n_items;
};

enum sk_cexpr_kind { SK_C_CONST, SK_C_AND, SK_C_OR, SK_C_NOT, SK_C_CHECK };

typedef struct sk_cexpr sk_cexpr;
struct sk_cexpr {
	enum sk_cexpr_kind kind;
	bool value;             /* SK_C_CONST */
	sk_cexpr **kids;        /* SK_C_AND, SK_C_OR (n-ary), SK_C_NOT (one) */
	size_t n_kids;
	enum sk_cop op;         /* SK_C_CHECK */
	enum sk_cmod mod;
	sk_copnd *lhs;          /* a field or a transformer */
	sk_copnd *rhs;          /* NULL for exists */
	/* Where the check was written (compiler only; 0 in decoded trees): for diagnostics. */
	uint32_t src_file, src_off, src_len;
};

/* Special field semantics the evaluator applies (falco/GRAMMAR.md §4 notes):
 *  - fd.ip, fd.net, fd.port, fd.proto ("either side"): a check holds when the client or the
 *    server side matches (fd.cip/fd.sip for fd.ip and fd.net, fd.cport/fd.sport for fd.port and
 *    fd.proto: libsinsp compares fd.proto as a port); '!=' holds when neither does. A side the
 *    source has no value for is left out.
 *  - the ancestor fields (proc.aname, proc.apid, proc.aexe, proc.aexepath, proc.acmdline,
 *    proc.aenv, proc.aargs) without an argument: some ancestor, starting at the parent
 *    (index 1), matches; the source is asked for indexes 1, 2, ... SK_COND_MAX_ANCESTORS and
 *    the walk stops at the first missing one.
 *  - a list-valued field (SK_F_LIST): 'in' holds when every value is in the set,
 *    'intersects' when one is.
 *  - a domain-name field (fd.sip.name ...: sk_field_resolved_ip): '=' and 'in' hold when the
 *    address field it names is one of the addresses of a name on the right, as the source's
 *    NAME_HAS says; '!=' when it is none of them. A missing address is false, as always. */
#define SK_COND_MAX_ANCESTORS 32

/* ---- evaluation -------------------------------------------------------------------------- */

/* Where the evaluator takes field values from: one event at a time. GET writes the value of
 * FIELD with argument ARG (NULL: none; for index fields ARG is the decimal index) into *V, or
 * sets V->kind = SK_CV_NA. Strings it returns must stay valid until sk_cond_eval returns. */
struct sk_cond_src {
	void (*get)(void *ctx, int field, const char *arg, sk_cval *v);
	void *ctx;
	/* 1 when IP (IP_LEN 4 or 16 bytes, an IPv4-mapped IPv6 address given as IPv4) is one of
	 * the addresses NAME (LEN bytes) resolves to, else 0. NULL: no resolver, so no name has an
	 * address. Called with CTX. */
	int (*name_has)(void *ctx, const char *name, size_t len, const uint8_t *ip, uint8_t ip_len);
};

/* Per-thread evaluation state: compiled regular expressions, hashed sets and scratch memory,
 * built on first use of each check and kept for the next events. They are found by the check's
 * address: free the context, or reset it, before freeing trees it has evaluated. */
struct sk_cond_ctx;
int sk_cond_ctx_new(struct sk_cond_ctx **out);
void sk_cond_ctx_free(struct sk_cond_ctx *c); /* NULL is a no-op */
void sk_cond_ctx_reset(struct sk_cond_ctx *c); /* forgets every check it has seen */

/* 1 when E holds for the event SRC describes, 0 when it does not, a negative errno on failure
 * (-ENOMEM; -EINVAL for a malformed tree, -E2BIG when a regex exceeds its matcher's limits). */
int sk_cond_eval(struct sk_cond_ctx *c, const sk_cexpr *e, const struct sk_cond_src *src);

/* 0 when E is a tree sk_cond_eval can evaluate: known kinds, operators, fields and types,
 * operators that apply to their operands' types (falco/GRAMMAR.md §4), modifiers where Falco
 * takes them, argument counts of transformers; else -EINVAL and a one-line reason in ERR. The
 * decoder applies it to what it reads. Any depth is fine (nothing here recurses). */
int sk_cond_check(const sk_cexpr *e, char *err, size_t err_size);

/* The value of type T that the text S (N bytes) denotes as the right-hand side of OP (GRAMMAR.md
 * §9): numbers in decimal or 0x hex, true/false, IPv4/IPv6 addresses and a.b.c.d/n networks,
 * strings as they are (none may hold a NUL), and for bcontains/bstartswith hex decoded into BUF
 * (N/2 bytes). V->s points into S or BUF. 0, or -EINVAL with a one-line reason in ERR. */
int sk_cval_from_text(enum sk_type t, enum sk_cop op, const char *s, size_t n, sk_cval *v,
		      uint8_t *buf, char *err, size_t err_size);

/* ---- text and bytes ---------------------------------------------------------------------- */

/* Falco's canonical form of E (what `saker parse` prints for the same condition), malloc'd;
 * NULL without memory. */
char *sk_cond_to_string(const sk_cexpr *e);

/* A set of decoded trees: everything sk_cond_decode allocates belongs to it. */
struct sk_cond_set;
void sk_cond_set_free(struct sk_cond_set *s); /* NULL is a no-op */

/* Appends the bytes of E to *BUF (malloc'd, *LEN bytes used, grown as needed). Field references
 * are written by name, so that a reader with renumbered ids still understands them. Returns 0,
 * -ENOMEM, -E2BIG for a tree deeper than SK_COND_MAX_DEPTH (the decoder would refuse it) or
 * -EINVAL for a node of an unknown kind. The format: docs/bundle-format.md, "Residual
 * conditions". */
int sk_cond_encode(const sk_cexpr *e, uint8_t **buf, size_t *len);
/* Decodes one tree from DATA[*POS, LEN), advancing *POS; the tree lives in SET (created on first
 * use when *SET is NULL). Untrusted input: on failure returns a negative errno and writes a
 * one-line reason into ERR (an unknown field name, a bad kind, a depth over
 * SK_COND_MAX_DEPTH, a truncated value...). */
#define SK_COND_MAX_DEPTH 1000
int sk_cond_decode(const uint8_t *data, size_t len, size_t *pos, struct sk_cond_set **set,
		   const sk_cexpr **out, char *err, size_t err_size);

#endif
