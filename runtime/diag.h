/* Diagnostics: every error, warning and note of the compiler goes through here with a span, and
 * only this module (and main) writes them out: as text like a C compiler, as JSON, or as SARIF. */
#ifndef SK_DIAG_H
#define SK_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A byte range [off, off+len) in a registered source file. file 0 means "no location". */
typedef struct sk_span {
	uint32_t file;
	uint32_t off;
	uint32_t len;
} sk_span;

/* A piece of text to parse (a condition or an output) and where its bytes came from. A YAML
 * scalar's value is not a copy of the file (folding, escapes, indentation), so MAP gives, for
 * each byte i of STR (and i == len), its offset in FILE. With MAP NULL, byte i is at BASE + i.
 * A text pieced together from several places (an appended condition, exceptions) may span
 * files: then FILES gives each byte's file (and i == len), and FILE is not used. */
typedef struct sk_text {
	const char *str;
	size_t len;
	uint32_t file;
	const uint32_t *map;
	uint32_t base;
	const uint32_t *files;
} sk_text;

/* Span of STR[off, off+len) of T, in file coordinates. */
sk_span sk_text_span(const sk_text *t, size_t off, size_t len);

enum sk_severity { SK_ERROR, SK_WARNING, SK_NOTE };
enum sk_diag_format { SK_DIAG_TEXT, SK_DIAG_JSON, SK_DIAG_SARIF };

typedef struct sk_diag sk_diag;

sk_diag *sk_diag_new(void);
void sk_diag_free(sk_diag *d); /* NULL is a no-op */

/* Registers a source file (its text is copied) and returns its id (>= 1). */
uint32_t sk_diag_add_file(sk_diag *d, const char *name, const char *text, size_t len);
const char *sk_diag_file_name(const sk_diag *d, uint32_t file);
/* 1-based line and column (in bytes) of the span start. */
void sk_diag_position(const sk_diag *d, sk_span s, unsigned *line, unsigned *col);

/* Records a diagnostic. A SK_NOTE attaches to the error or warning before it. CODE is a short
 * stable identifier for machine output (e.g. "unknown-field"), or NULL. */
void sk_diag_report(sk_diag *d, enum sk_severity sev, sk_span at, const char *code,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define sk_error(d, at, code, ...)   sk_diag_report(d, SK_ERROR, at, code, __VA_ARGS__)
#define sk_warning(d, at, code, ...) sk_diag_report(d, SK_WARNING, at, code, __VA_ARGS__)
#define sk_note(d, at, ...)          sk_diag_report(d, SK_NOTE, at, NULL, __VA_ARGS__)

size_t sk_diag_error_count(const sk_diag *d);
size_t sk_diag_warning_count(const sk_diag *d);
/* Turns every warning into an error (--werror). */
void sk_diag_set_werror(sk_diag *d, bool on);
/* Drops the warnings whose code is CODE, and their notes, from now on (-Wno-CODE). */
void sk_diag_disable(sk_diag *d, const char *code);

/* Writes the N bytes of S for a terminal, as the text diagnostics show names and source lines:
 * control characters, C1 controls, bidirectional overrides and bytes that are not UTF-8 are
 * escaped (\x1b, \u202e). Returns the columns written. */
size_t sk_diag_put_escaped(FILE *out, const char *s, size_t n);

/* libyaml (and other readers) count characters, not bytes: the byte offset of each character of
 * the UTF-8 TEXT (a byte order mark is not counted), then LEN; *N gets the count. Returns a
 * malloc'd table, or NULL when out of memory. */
uint32_t *sk_char_offsets(const char *text, size_t len, size_t *n);

/* Levenshtein distance between A and B (bytes), for "did you mean" notes. */
size_t sk_edit_distance(const char *a, const char *b);
/* The name among NAMES[0..n) nearest to NAME, or NULL when none is close enough to suggest. */
const char *sk_nearest(const char *name, const char *const *names, size_t n);

/* Writes every recorded diagnostic, in order. Text: "file:line:col: error: message", the
 * source line and a caret/tilde underline, then notes. JSON: one document with an array.
 * SARIF: a 2.1.0 log. */
void sk_diag_render(const sk_diag *d, enum sk_diag_format fmt, FILE *out);

#endif
