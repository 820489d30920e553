/* Texts pieced together from several places, with a per-byte map back into the files. */
#include "text.h"

#include <stdlib.h>
#include <string.h>

void sk_tb_init(sk_tb *b, sk_arena *a)
{
	memset(b, 0, sizeof(*b));
	b->arena = a;
}

static void reserve(sk_tb *b, size_t n)
{
	if (b->len + n + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (b->len + n + 1 > cap)
		cap *= 2;
	b->s = realloc(b->s, cap);
	b->map = realloc(b->map, cap * sizeof(*b->map));
	b->files = realloc(b->files, cap * sizeof(*b->files));
	if (!b->s || !b->map || !b->files)
		abort(); /* as the arena does: out of memory is not a rules error */
	b->cap = cap;
}

sk_span sk_text_at(const sk_text *t, size_t i)
{
	if (i > t->len)
		i = t->len;
	return (sk_span){ t->files ? t->files[i] : t->file, t->map ? t->map[i] : t->base + (uint32_t)i, 0 };
}

void sk_tb_sub(sk_tb *b, const sk_text *t, size_t off, size_t n)
{
	if (off > t->len)
		off = t->len;
	if (n > t->len - off)
		n = t->len - off;
	if (!n)
		return;
	reserve(b, n);
	memcpy(b->s + b->len, t->str + off, n);
	for (size_t i = 0; i < n; i++) {
		sk_span at = sk_text_at(t, off + i);
		b->map[b->len + i] = at.off;
		b->files[b->len + i] = at.file;
	}
	b->len += n;
}

void sk_tb_text(sk_tb *b, const sk_text *t)
{
	sk_tb_sub(b, t, 0, t->len);
}

void sk_tb_lit(sk_tb *b, const char *s, sk_span at)
{
	size_t n = strlen(s);
	reserve(b, n);
	memcpy(b->s + b->len, s, n);
	for (size_t i = 0; i < n; i++) {
		b->map[b->len + i] = at.off;
		b->files[b->len + i] = at.file;
	}
	b->len += n;
}

sk_text sk_tb_done(sk_tb *b, sk_span end)
{
	reserve(b, 0);
	sk_text t = { 0 };
	char *s = sk_arena_alloc(b->arena, b->len + 1);
	uint32_t *map = sk_arena_alloc(b->arena, (b->len + 1) * sizeof(*map));
	uint32_t *files = sk_arena_alloc(b->arena, (b->len + 1) * sizeof(*files));
	memcpy(s, b->s, b->len);
	memcpy(map, b->map, b->len * sizeof(*map));
	memcpy(files, b->files, b->len * sizeof(*files));
	map[b->len] = end.off;
	files[b->len] = end.file;
	t.str = s;
	t.len = b->len;
	t.map = map;
	t.files = files;
	t.file = b->len ? files[0] : end.file;
	free(b->s);
	free(b->map);
	free(b->files);
	sk_tb_init(b, b->arena);
	return t;
}
