/* Name tables: open addressing with linear probing, grown at half full. */
#include "names.h"

#include <stdint.h>
#include <string.h>

struct sk_name_slot {
	const char *name;
	void *v;
	uint64_t hash;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

void sk_names_init(sk_names *t, sk_arena *a)
{
	memset(t, 0, sizeof(*t));
	t->arena = a;
}

static struct sk_name_slot *find(const sk_names *t, const char *name, uint64_t h)
{
	size_t i = (size_t)h & (t->cap - 1);
	while (t->slots[i].name && (t->slots[i].hash != h || strcmp(t->slots[i].name, name)))
		i = (i + 1) & (t->cap - 1);
	return &t->slots[i];
}

void *sk_names_get(const sk_names *t, const char *name)
{
	if (!t->cap)
		return NULL;
	struct sk_name_slot *s = find(t, name, hash(name));
	return s->name ? s->v : NULL;
}

void sk_names_set(sk_names *t, const char *name, void *v)
{
	uint64_t h = hash(name);
	if (2 * (t->n + 1) > t->cap) {
		struct sk_name_slot *old = t->slots;
		size_t ocap = t->cap;
		t->cap = ocap ? ocap * 2 : 64;
		t->slots = sk_arena_alloc(t->arena, t->cap * sizeof(*t->slots));
		for (size_t i = 0; i < ocap; i++)
			if (old[i].name)
				*find(t, old[i].name, old[i].hash) = old[i];
	}
	struct sk_name_slot *s = find(t, name, h);
	if (!s->name)
		t->n++;
	*s = (struct sk_name_slot){ name, v, h };
}
