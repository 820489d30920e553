/* sakerd: the runtime. Reads and verifies bundles, loads them into the kernel, and writes one
 * Falco-style alert per matching event. Links libbpf and libelf, never LLVM. */
#include <stdio.h>
#include <stdlib.h>

#include "rt.h"

int main(int argc, char **argv)
{
	struct saker_rt_opts o;
	int first = saker_rt_cli_parse("sakerd", "BUNDLE...", argc, argv, &o);
	if (first == -1)
		return 0;
	if (first < 0)
		return 2;

	size_t n = (size_t)(argc - first);
	struct saker_bundle **bundles = calloc(n, sizeof(*bundles));
	int status = 2;
	if (!bundles) {
		fprintf(stderr, "sakerd: out of memory\n");
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		char err[512];
		if (saker_bundle_read_file(argv[first + i], &bundles[i], err, sizeof(err))) {
			fprintf(stderr, "sakerd: %s: %s\n", argv[first + i], err);
			goto cleanup;
		}
	}
	status = saker_rt_cli_serve("sakerd", &o, bundles, (const char *const *)argv + first, n);
cleanup:
	for (size_t i = 0; i < n; i++)
		saker_bundle_free(bundles[i]);
	free(bundles);
	return status;
}
