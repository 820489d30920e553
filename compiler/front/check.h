/* Helpers the rules passes share (check.c, expand.c, output.c): field suggestions and output
 * parsing (the generic "did you mean" helpers are in diag.h). */
#ifndef SK_CHECK_H
#define SK_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "rules.h"

/* The field a misspelt NAME most likely meant ("evt.user.name" -> "user.name"), or NULL. */
const char *sk_field_suggest(const char *name);

/* 1 when NAME is an event argument field (evt.arg.NAME, evt.rawarg.NAME) that is not in the
 * field table: a Falco field saker does not compute yet rather than a typo. */
int sk_falco_field(const char *name);

/* Parses the output format T of RULE into its segments (arena memory). Returns 0, or -1 after
 * reporting. */
int sk_output_parse(sk_comp *c, sk_rule *rule, const sk_text *t);

/* Parses a decimal or 0x hex integer with an optional sign; *UOUT gets the unsigned value of a
 * non-negative one and *NEG whether it is negative (both may be NULL). 0, or -1. */
int sk_parse_int(const char *s, int64_t *out, uint64_t *uout, bool *neg);

/* Warns about a value check X can never match (lint.c; the type checker calls it per check). */
void sk_lint_check(sk_comp *c, const sk_cexpr *x);

/* Whether the kernel back end evaluates check X exactly (plan.c: the one place that says). */
bool sk_plan_kernel_check(const sk_cexpr *x);

/* The flag bits a rendering of open flags ("O_WRONLY|O_CREAT") stands for, when S[0, LEN) is
 * exactly how evt.arg.flags renders them (access mode first, then the bits in table order):
 * 0 and *OUT; -1 when no open renders so (lower.c). */
int sk_parse_rendered_flags(const char *s, size_t len, unsigned long long *out);

#endif
