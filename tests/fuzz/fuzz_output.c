/* libFuzzer harness: the rule output-format parser (sk_output_parse) on arbitrary bytes. */
#include <stdint.h>

#include "check.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	sk_comp *c = sk_comp_new();
	if (!c)
		return 0;
	uint32_t file = sk_diag_add_file(c->diag, "f.out", (const char *)data, len);
	sk_text t = { .str = (const char *)data, .len = len, .file = file };
	sk_rule rule = { 0 }; /* the parser only fills its segments (arena memory) */
	sk_output_parse(c, &rule, &t);
	fuzz_render_all(c->diag);
	sk_comp_free(c);
	return 0;
}
