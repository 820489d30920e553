/* The 'regex' operator: Falco's RE2 patterns (POSIX syntax, UTF-8, matched against the whole
 * value) run on PCRE2. Patterns are read with RE2's rules and rewritten into a PCRE2 pattern that
 * means the same, so what RE2 refuses is refused here too (docs/rules.md lists the few
 * differences that remain). Used by the compiler to check patterns and by the evaluator. */
#ifndef SAKER_REGEX_H
#define SAKER_REGEX_H

#include <stddef.h>

struct sk_regex;

/* Compiles PAT (LEN bytes). 0, -EINVAL with a one-line reason in ERR (the pattern's error, as
 * RE2 would give it, or PCRE2's own limit), or -ENOMEM. */
int sk_regex_compile(const char *pat, size_t len, struct sk_regex **out, char *err,
		     size_t err_size);

/* 1 when all of S (LEN bytes; a NUL ends it) matches, 0 when not, a negative errno when the
 * matcher failed (-ENOMEM, -E2BIG past its limits). Invalid UTF-8 in S is read as U+FFFD, as
 * Falco does. One thread at a time per RE: it keeps scratch memory. Time is linear in LEN for
 * any pattern: a match that backtracks too much is redone by PCRE2's automaton matcher. */
int sk_regex_match(struct sk_regex *re, const char *s, size_t len);

void sk_regex_free(struct sk_regex *re); /* NULL is a no-op */

/* The PCRE2 pattern saker compiles for PAT, malloc'd into *OUT (for tests and explanations).
 * Same errors as sk_regex_compile. */
int sk_regex_translate(const char *pat, size_t len, char **out, char *err, size_t err_size);

#endif
