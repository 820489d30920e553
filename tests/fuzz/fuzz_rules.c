/* libFuzzer harness: the whole front end (load, expand, check, render) on arbitrary rules files,
 * running the later passes after errors as `saker check` does. The input may hold up to four
 * files separated by a line "#--", so that redefinitions, appends and overrides cross files
 * as they do when several paths are loaded; every rule's effective condition is printed, as
 * `saker explain` does. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char sep[] = "\n#--\n";
	sk_comp *c = sk_comp_new();
	if (!c)
		return 0;
	const char *p = (const char *)data, *end = p + len;
	int rc = 0;
	for (int file = 0; p <= end && file < 4; file++) {
		const char *next = file < 3 ? memmem(p, (size_t)(end - p), sep, sizeof(sep) - 1) : NULL;
		size_t n = next ? (size_t)(next - p) : (size_t)(end - p);
		char name[16];
		snprintf(name, sizeof(name), "f%d.yaml", file);
		int r = sk_load_string(c, name, p, n);
		if (r < rc)
			rc = r;
		if (!next)
			break;
		p = next + sizeof(sep) - 1;
	}
	if (rc >= -1) {
		sk_expand(c);
		for (size_t i = 0; i < c->n_items; i++)
			if (c->items[i]->kind == SK_ITEM_RULE && c->items[i]->ast)
				(void)sk_expr_to_string(c->arena, c->items[i]->ast);
		sk_check(c);
	}
	fuzz_render_all(c->diag);
	sk_comp_free(c);
	return 0;
}
