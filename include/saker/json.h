/* JSON through jansson for everything off the alert path (diagnostics, SARIF, inspect, the
 * container runtime's replies), and the UTF-8 rule every JSON writer here follows: a byte that is
 * not part of valid UTF-8 becomes U+FFFD, so a document is valid whatever bytes it was given.
 * runtime/json.c. */
#ifndef SAKER_JSON_H
#define SAKER_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Length of the valid UTF-8 sequence at P (at most N bytes, N >= 1), or 0 when the byte at P does
 * not start one (overlong forms, surrogates and code points past U+10FFFF are invalid). */
size_t saker_json_utf8_seq(const unsigned char *p, size_t n);

/* S (N bytes) as a jansson string, invalid UTF-8 replaced as above (jansson holds only valid
 * UTF-8). NULL only when out of memory. */
json_t *saker_json_strn(const char *s, size_t n);
/* The NUL-terminated S, or JSON null when S is NULL. */
json_t *saker_json_str(const char *s);

/* Building documents without checking every call: VALUE is stolen; a NULL VALUE (a failed
 * allocation before) or a failure to insert sets *FAILED, so the caller checks once. */
void saker_json_set(json_t *obj, const char *key, json_t *value, bool *failed);
void saker_json_append(json_t *arr, json_t *value, bool *failed);

#endif
