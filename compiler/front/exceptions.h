/* Rule exceptions (falco/RULES-SCHEMA.md section 4): their validation when a rule is defined or
 * given new exceptions, and the condition text Falco builds from them. */
#ifndef SK_EXCEPTIONS_H
#define SK_EXCEPTIONS_H

#include <stdbool.h>

#include "rules.h"

/* Checks EX of rule WHAT ("rule 'x'") as Falco does when the rule is defined: fields given,
 * comps defaulted ('=' for each field of a list, 'in' for a single field), trimmed and
 * checked, fields checked against the field table when CHECK_FIELDS (the rule's source is
 * known). Returns 0, or -1 after reporting each problem at the YAML value behind it. */
int sk_exc_validate(sk_comp *c, const char *what, sk_exception *ex, bool check_fields);

/* The condition of rule IT with its exceptions, built as Falco builds the text:
 * "(" condition ")" and, for each exception with values, " and not (...)". Every byte keeps
 * the place in the rules files it comes from, so that parse errors point at the exception
 * value behind them. IT's condition unchanged when it has no exceptions. *OK is false after
 * an error was reported (a tuple whose length differs from the fields'). */
sk_text sk_exc_condition(sk_comp *c, const sk_item *it, bool *ok);

#endif
