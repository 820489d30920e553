/* Shared by the libFuzzer harnesses: render every recorded diagnostic in every format into a
 * memory stream, so that the renderers see whatever spans the passes produced. */
#ifndef SK_FUZZ_COMMON_H
#define SK_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>

#include "diag.h"

static inline void fuzz_render_all(const sk_diag *d)
{
	static const enum sk_diag_format fmts[] = { SK_DIAG_TEXT, SK_DIAG_JSON, SK_DIAG_SARIF };
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		if (!f)
			abort();
		sk_diag_render(d, fmts[i], f);
		fclose(f);
		free(buf);
	}
}

#endif
