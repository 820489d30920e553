/* saker keygen: a new Ed25519 key pair for signing bundles (saker compile --sign NAME) and for
 * the hosts that run only signed bundles (sakerd --trusted-key NAME.pub). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "saker/keys.h"
#include "saker/version.h"

static void keygen_usage(FILE *out)
{
	fprintf(out,
		"usage: saker keygen -o NAME [--force]\n"
		"\n"
		"Writes a new Ed25519 key pair as PEM: the private key to NAME (mode 0600), for\n"
		"'saker compile --sign NAME', and the public key to NAME.pub, for\n"
		"'sakerd --trusted-key NAME.pub'. Keep NAME secret; NAME.pub can be shared.\n"
		"  -o, --output NAME  where to write the pair\n"
		"  --force            replace NAME and NAME.pub if they exist (default: refuse)\n");
}

int cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	const char *name = NULL;
	bool force = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': name = optarg; break;
		case 'f': force = true; break;
		case 'h': keygen_usage(stdout); return 0;
		case 'V': printf("saker %s\n", SAKER_VERSION); return 0;
		default: keygen_usage(stderr); return 2;
		}
	}
	if (!name || !name[0] || optind < argc) {
		fprintf(stderr, "saker keygen: %s\n",
			optind < argc ? "unexpected argument" : "-o NAME is required");
		keygen_usage(stderr);
		return 2;
	}

	struct saker_key *k = NULL;
	char err[512], fp[SAKER_KEY_FP_SIZE];
	uint8_t pub[SAKER_KEY_RAW_SIZE];
	if (saker_key_generate(&k)) {
		fprintf(stderr, "saker keygen: cannot generate a key\n");
		return 2;
	}
	int status = 2;
	if (saker_key_write(k, name, force, err, sizeof(err))) {
		fprintf(stderr, "saker keygen: %s\n", err);
		goto cleanup;
	}
	saker_key_public(k, pub);
	saker_key_fingerprint(pub, fp);
	fprintf(stderr, "saker: wrote %s (private key) and %s.pub (public key), key %s\n", name, name,
		fp);
	status = 0;
cleanup:
	saker_key_free(k);
	return status;
}
