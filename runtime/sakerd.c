/* sakerd: the runtime. Reads and verifies bundles (their digest, and their signature when it is
 * given trusted keys), loads them into the kernel, and sends one Falco-style alert per matching
 * event to its outputs. Links libbpf, libelf, libcrypto and libcurl, never LLVM. */
#include <stdio.h>
#include <stdlib.h>

#include "rt.h"
#include "rt_config.h"
#include "saker/keys.h"

struct sakerd_files {
	const struct saker_rt_config *c;
	struct saker_trust trust;
};

/* A saker_rt_bundles_fn: reads the configured bundle files, each checked against the trusted
 * keys; at start and again on every reload, so a reload cannot bring in an unsigned bundle. */
static int read_bundles(void *arg, struct saker_bundle **out, char *err, size_t esz)
{
	const struct sakerd_files *f = arg;
	for (size_t i = 0; i < f->c->n_bundles; i++) {
		char why[512];
		int ret = saker_bundle_read_file_trusted(f->c->bundles[i], &f->trust, &out[i], why,
							 sizeof(why));
		if (ret) {
			snprintf(err, esz, "%s: %s", f->c->bundles[i], why);
			for (size_t j = 0; j < i; j++) {
				saker_bundle_free(out[j]);
				out[j] = NULL;
			}
			return ret;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct saker_rt_config c;
	struct saker_key **keys = NULL;
	int first = saker_rt_cli_parse("sakerd", "BUNDLE...", argc, argv, &c);
	int status = 2;

	if (first < 0) {
		status = saker_rt_cli_status(first);
		goto cleanup;
	}
	keys = calloc(c.n_trusted_keys ? c.n_trusted_keys : 1, sizeof(*keys));
	if (!keys) {
		fprintf(stderr, "sakerd: out of memory\n");
		goto cleanup;
	}
	for (size_t i = 0; i < c.n_trusted_keys; i++) {
		char err[512];
		if (saker_key_read(c.trusted_keys[i], false, &keys[i], err, sizeof(err))) {
			fprintf(stderr, "sakerd: %s: %s\n", c.trusted_keys[i], err);
			goto cleanup;
		}
	}
	struct sakerd_files files = { &c, { .keys = keys, .n = c.n_trusted_keys } };
	c.report_verification = true;
	status = saker_rt_cli_serve("sakerd", &c, read_bundles, &files,
				    (const char *const *)c.bundles, c.n_bundles);
cleanup:
	for (size_t i = 0; keys && i < c.n_trusted_keys; i++)
		saker_key_free(keys[i]);
	free(keys);
	saker_rt_config_fini(&c);
	return status;
}
