/* sakerd: the runtime. Reads and verifies bundles (their digest, and their signature when it is
 * given trusted keys), loads them into the kernel, and writes one Falco-style alert per matching
 * event. Links libbpf, libelf and libcrypto, never LLVM. */
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
	struct saker_key **keys = calloc(o.n_trusted_keys ? o.n_trusted_keys : 1, sizeof(*keys));
	int status = 2;
	if (!bundles || !keys) {
		fprintf(stderr, "sakerd: out of memory\n");
		goto cleanup;
	}
	for (size_t i = 0; i < o.n_trusted_keys; i++) {
		char err[512];
		if (saker_key_read(o.trusted_keys[i], false, &keys[i], err, sizeof(err))) {
			fprintf(stderr, "sakerd: %s: %s\n", o.trusted_keys[i], err);
			goto cleanup;
		}
	}
	const struct saker_trust trust = { .keys = keys, .n = o.n_trusted_keys };
	o.report_verification = true;
	for (size_t i = 0; i < n; i++) {
		char err[512];
		if (saker_bundle_read_file_trusted(argv[first + i], &trust, &bundles[i], err,
						   sizeof(err))) {
			fprintf(stderr, "sakerd: %s: %s\n", argv[first + i], err);
			goto cleanup;
		}
	}
	status = saker_rt_cli_serve("sakerd", &o, bundles, (const char *const *)argv + first, n);
cleanup:
	for (size_t i = 0; bundles && i < n; i++)
		saker_bundle_free(bundles[i]);
	for (size_t i = 0; keys && i < o.n_trusted_keys; i++)
		saker_key_free(keys[i]);
	free(keys);
	free(bundles);
	free(o.trusted_keys);
	return status;
}
