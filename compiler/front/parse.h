/* Parsing the condition language (grammar/condition.y) into an AST. */
#ifndef SK_PARSE_H
#define SK_PARSE_H

#include <stdbool.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"

#define SK_MAX_DEPTH_DEFAULT 1000  /* what Falco allows rule conditions and macros */

/* Parses the condition T. On success returns the AST; on error reports located diagnostics to D
 * and returns NULL. Nesting deeper than MAX_DEPTH is an error ("exceeded max depth limit of N"),
 * never a stack overflow. */
sk_expr *sk_parse_condition(sk_arena *a, sk_diag *d, const sk_text *t, unsigned max_depth);

/* Whether S is an identifier of the condition language (a macro name): [a-zA-Z]+[a-zA-Z0-9_]*. */
bool sk_parse_is_ident(const char *s);

#endif
