/* What the evaluator, the checker of trees, the codec and the printer of typed conditions share
 * (cond.h): how a type compares, which operators apply to it, and values as text. */
#ifndef SK_COND_INT_H
#define SK_COND_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "saker/cond.h"

/* A bump allocator: the evaluator's scratch (emptied at each event), each plan's storage, and
 * the decoder's sets of trees. Chunks grow with what is asked, so small inputs stay small. */
struct sk_carena_chunk;
struct sk_carena {
	struct sk_carena_chunk *head;
};
void *sk_carena_alloc(struct sk_carena *a, size_t n); /* 16-byte aligned, zeroed; NULL: no memory */
void sk_carena_reset(struct sk_carena *a);            /* keeps the newest chunk */
void sk_carena_free(struct sk_carena *a);

/* How two values compare: what a type is for the operators. */
enum sk_ccls {
	SK_CC_STR,    /* C strings, byte-wise */
	SK_CC_BYTES,  /* byte buffers, with their length */
	SK_CC_INT,    /* signed 64-bit */
	SK_CC_UINT,   /* unsigned 64-bit: ports, times too */
	SK_CC_BOOL,
	SK_CC_IP,     /* addresses; a network on the right means membership */
	SK_CC_DOUBLE,
	SK_CC_DYN,    /* evt.rawarg: decided by each value's kind */
	SK_CC__COUNT
};

enum sk_ccls sk_cond_class(enum sk_type t);

/* A transformer list: SK_CO_TLIST, or an SK_CO_LIST that holds operands in args. */
static inline bool sk_copnd_is_tlist(const sk_copnd *o)
{
	return o->kind == SK_CO_TLIST || (o->kind == SK_CO_LIST && o->n_args);
}
/* The class of a value's kind (SK_CC_DYN for NA and lists). */
enum sk_ccls sk_cond_kind_class(enum sk_cval_kind k);

/* Whether OP applies to operands of class C (LIST: a list-valued left side), as Falco's
 * flt_is_comparable decides; and whether MOD may go with OP on class C. */
bool sk_cond_op_applies(enum sk_cop op, enum sk_ccls c, bool list);
bool sk_cond_mod_applies(enum sk_cop op, enum sk_cmod mod, enum sk_ccls c);

/* V (a scalar that is not a string) as Falco renders it: decimal numbers, true/false, dotted
 * or RFC 5952 addresses, a.b.c.d/n networks. Returns the length, truncated to SIZE - 1. */
size_t sk_cval_text(const sk_cval *v, char *buf, size_t size);

/* Makes the message S one line: control characters (from untrusted names or patterns) become
 * '?'. Returns S. */
char *sk_cond_one_line(char *s);

/* The fields the evaluator compares side by side (cond.h): for an either-side field, the two
 * fields it stands for; -1 otherwise. */
bool sk_cond_either_side(int field, int sides[2]);
/* Whether FIELD without an argument means "some ancestor" (proc.aname and the like). */
bool sk_cond_any_ancestor(int field);

#endif
