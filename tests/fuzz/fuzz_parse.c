/* libFuzzer harness: sk_parse_condition on arbitrary bytes, then the canonical printer on
 * whatever parsed and the diagnostics renderers on whatever did not. */
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "fuzz_common.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	sk_diag *d = sk_diag_new();
	sk_arena *a = sk_arena_new();
	uint32_t file = sk_diag_add_file(d, "f.cond", (const char *)data, len);
	sk_text t = { .str = (const char *)data, .len = len, .file = file };
	sk_expr *e = sk_parse_condition(a, d, &t, SK_MAX_DEPTH_DEFAULT);
	if (e)
		(void)sk_expr_to_string(a, e);
	fuzz_render_all(d);
	sk_arena_free(a);
	sk_diag_free(d);
	return 0;
}
