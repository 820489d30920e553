/* A stand-in for compiler/front/arena.c in the fuzz builds only: one malloc per allocation, of the exact
 * size asked, so that AddressSanitizer catches reads past any arena object (the bump allocator
 * hides them inside its 64 KiB chunks). Same interface and semantics (zeroed, 16-byte aligned). */
#include "arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct blk {
	struct blk *next;
	_Alignas(16) unsigned char data[];
};

struct sk_arena {
	struct blk *head;
};

sk_arena *sk_arena_new(void)
{
	sk_arena *a = calloc(1, sizeof(*a));
	if (!a)
		abort();
	return a;
}

void sk_arena_free(sk_arena *a)
{
	if (!a)
		return;
	for (struct blk *b = a->head, *n; b; b = n) {
		n = b->next;
		free(b);
	}
	free(a);
}

void *sk_arena_alloc(sk_arena *a, size_t size)
{
	struct blk *b = calloc(1, sizeof(*b) + size);
	if (!b)
		abort();
	b->next = a->head;
	a->head = b;
	return b->data;
}

char *sk_arena_strndup(sk_arena *a, const char *s, size_t n)
{
	char *p = sk_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	return p;
}

char *sk_arena_strdup(sk_arena *a, const char *s)
{
	return sk_arena_strndup(a, s, strlen(s));
}

char *sk_arena_printf(sk_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = sk_arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
	va_start(ap, fmt);
	if (n > 0)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void sk_arena_push(sk_arena *a, void ***v, size_t *n, void *item)
{
	/* Exact-size copies on every push: quadratic, but any index past *n is caught. */
	void **nv = sk_arena_alloc(a, (*n + 1) * sizeof(void *));
	if (*n)
		memcpy(nv, *v, *n * sizeof(void *));
	*v = nv;
	(*v)[(*n)++] = item;
}
