/* A table from names to pointers, so that looking a name up does not cost a scan of every
 * definition (a rules file may hold hundreds of thousands). Arena memory: nothing to free. */
#ifndef SK_NAMES_H
#define SK_NAMES_H

#include <stddef.h>

#include "arena.h"

typedef struct sk_names {
	sk_arena *arena;
	struct sk_name_slot *slots;  /* open addressing; a power of two long */
	size_t cap, n;
} sk_names;

void sk_names_init(sk_names *t, sk_arena *a);
/* The value of NAME, or NULL. */
void *sk_names_get(const sk_names *t, const char *name);
/* Sets NAME to V (NAME must outlive the table). */
void sk_names_set(sk_names *t, const char *name, void *v);

#endif
