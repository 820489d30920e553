/* One arena per compilation: AST nodes, types and strings live here and die together. */
#ifndef SK_ARENA_H
#define SK_ARENA_H

#include <stddef.h>

typedef struct sk_arena sk_arena;

sk_arena *sk_arena_new(void);
void sk_arena_free(sk_arena *a);                      /* NULL is a no-op */
void *sk_arena_alloc(sk_arena *a, size_t size);       /* zeroed, 16-byte aligned; aborts on OOM */
char *sk_arena_strdup(sk_arena *a, const char *s);
char *sk_arena_strndup(sk_arena *a, const char *s, size_t n);
char *sk_arena_printf(sk_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends ITEM to the pointer array *V of length *N (grows by copying inside the arena). */
void sk_arena_push(sk_arena *a, void ***v, size_t *n, void *item);

#endif
