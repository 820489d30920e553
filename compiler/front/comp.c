/* The compilation object: one arena and one diagnostics sink shared by every pass. */
#include <stdlib.h>

#include "rules.h"

sk_comp *sk_comp_new(void)
{
	sk_comp *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->arena = sk_arena_new();
	c->diag = sk_diag_new();
	if (!c->diag) {
		sk_comp_free(c);
		return NULL;
	}
	return c;
}

void sk_comp_free(sk_comp *c)
{
	if (!c)
		return;
	sk_diag_free(c->diag);
	sk_arena_free(c->arena);
	free(c);
}
