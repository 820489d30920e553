/* String matchers shared by the compiler and the runtime: Falco's glob (the C library's fnmatch
 * with no flags, in the C locale), its case-folding iglob, and pmatch's path components. Values
 * and patterns are given by length, so event strings need no NUL terminator. */
#ifndef SAKER_MATCH_H
#define SAKER_MATCH_H

#include <stdbool.h>
#include <stddef.h>

/* 1 when S matches the glob PAT as fnmatch(PAT, S, CASEFOLD ? FNM_CASEFOLD : 0) does in the C
 * locale: '*' and '?' also match '/', '\' escapes, [...] with ranges, '!' or '^' negation and
 * [:class:], [=c=] and [.c.] elements. A NUL in PAT or S ends it, as for C strings. */
bool sk_glob_match(const char *pat, size_t plen, const char *s, size_t slen, bool casefold);

/* 1 when PAT holds one of the glob characters '*', '?' or '[' (pmatch decides per component
 * whether to compare it as a glob). */
bool sk_glob_is_pattern(const char *pat, size_t plen);

/* The next '/'-separated component of S[*POS, N), skipping empty ones: sets *C and *CN and
 * advances *POS; false when there is none left. */
bool sk_path_component(const char *s, size_t n, size_t *pos, const char **c, size_t *cn);

/* Falco's pmatch of one pattern: the components of PAT (empty ones skipped) are the first
 * components of S, each compared as a glob when it holds a glob character, else exactly.
 * "/var/run" holds for "/var/run" and "/var/run/x", not for "/var/runx" or "/var"; "/" holds
 * for every path. */
bool sk_path_prefix_match(const char *pat, size_t plen, const char *s, size_t slen);

#endif
