/* Helpers the rules passes share (check.c, expand.c, output.c): suggestions and output parsing. */
#ifndef SK_CHECK_H
#define SK_CHECK_H

#include <stddef.h>

#include "rules.h"

/* Levenshtein distance between A and B (bytes). */
size_t sk_edit_distance(const char *a, const char *b);
/* The name among NAMES[0..n) nearest to NAME, or NULL when none is close enough to suggest. */
const char *sk_nearest(const char *name, const char *const *names, size_t n);
/* The field a misspelt NAME most likely meant ("evt.user.name" -> "user.name"), or NULL. */
const char *sk_field_suggest(const char *name);

/* 1 when NAME is an event argument field (evt.arg.NAME, evt.rawarg.NAME) that is not in the
 * field table: a Falco field saker does not compute yet rather than a typo. */
int sk_falco_field(const char *name);

/* Parses the output format T into segments (arena memory). Returns 0, or -1 after reporting. */
int sk_output_parse(sk_comp *c, const sk_text *t, struct saker_fmt_seg **segs, size_t *n_segs);

#endif
