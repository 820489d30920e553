/* libFuzzer harness: the whole front end (load, expand, check, render) on an arbitrary rules
 * file, running the later passes after errors as `saker check` does. */
#include <stdint.h>

#include "fuzz_common.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	sk_comp *c = sk_comp_new();
	if (!c)
		return 0;
	if (sk_load_string(c, "f.yaml", (const char *)data, len) >= -1) {
		sk_expand(c);
		sk_check(c);
	}
	fuzz_render_all(c->diag);
	sk_comp_free(c);
	return 0;
}
