/* Bump allocator for everything a compilation creates. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct chunk {
	struct chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

struct sk_arena {
	struct chunk *head;
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
	for (struct chunk *c = a->head, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	free(a);
}

void *sk_arena_alloc(sk_arena *a, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	struct chunk *c = a->head;
	if (!c || c->size - c->used < size) {
		size_t cap = size > 65536 ? size : 65536;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			abort();
		c->used = 0;
		c->size = cap;
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *sk_arena_strndup(sk_arena *a, const char *s, size_t n)
{
	char *p = sk_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *sk_arena_strdup(sk_arena *a, const char *s)
{
	return sk_arena_strndup(a, s, strlen(s));
}

char *sk_arena_printf(sk_arena *a, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = sk_arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
	if (n > 0)
		vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

void sk_arena_push(sk_arena *a, void ***v, size_t *n, void *item)
{
	/* Capacity is the next power of two at or above n; grow when n reaches it. */
	size_t cap = 4;
	while (cap < *n)
		cap *= 2;
	if (*n == 0 || *n == cap) {
		size_t ncap = *n == 0 ? 4 : cap * 2;
		void **nv = sk_arena_alloc(a, ncap * sizeof(void *));
		if (*n)
			memcpy(nv, *v, *n * sizeof(void *));
		*v = nv;
	}
	(*v)[(*n)++] = item;
}
