/* Texts pieced together from several places (a condition and its appends, a rule's exceptions,
 * the items of a list): every byte keeps the place in its file it came from. */
#ifndef SK_TEXT_H
#define SK_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"

typedef struct sk_tb {
	sk_arena *arena;
	char *s;            /* the bytes so far (malloc) */
	uint32_t *map;      /* the file offset of each byte (malloc) */
	uint32_t *files;    /* the file of each byte (malloc) */
	size_t len, cap;
} sk_tb;

void sk_tb_init(sk_tb *b, sk_arena *a);
/* Appends the bytes of T, each at its own place. */
void sk_tb_text(sk_tb *b, const sk_text *t);
/* Appends the bytes T[off, off+n). */
void sk_tb_sub(sk_tb *b, const sk_text *t, size_t off, size_t n);
/* Appends S (glue the text needs, written by nobody), every byte placed at the start of AT. */
void sk_tb_lit(sk_tb *b, const char *s, sk_span at);
/* The text built (arena memory; the builder is reset). END is where the text's end is. */
sk_text sk_tb_done(sk_tb *b, sk_span end);

/* The place of byte I of T (I may be T->len). */
sk_span sk_text_at(const sk_text *t, size_t i);

#endif
