/* saker compile: rules files → one bundle file, optionally signed, with no root and no BPF
 * needed. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
#include "driver.h"
#include "saker/bundle.h"
#include "saker/version.h"

static void compile_usage(FILE *out)
{
	fprintf(out,
		"usage: saker compile [-o OUT.saker] [--sign KEY] [--emit-llvm FILE] [--emit-obj FILE]\n"
		"                     [--format text|json|sarif] [--werror] PATH...\n"
		"\n"
		"Compiles rules files (or folders of *.yaml) into one bundle for sakerd.\n"
		"  -o FILE            bundle to write (default: default.saker)\n"
		"  --sign KEY         sign the bundle with the private key KEY (from saker keygen);\n"
		"                     hosts started with --trusted-key KEY.pub run only such bundles\n"
		"  --emit-llvm FILE   also write the optimised LLVM IR\n"
		"  --emit-obj FILE    also write the BPF object\n"
		"  --format FMT       diagnostics as text (stderr), json or sarif (stdout)\n"
		"  --werror           treat warnings as errors\n");
}

/* Writes DATA to PATH through a temporary file, so a reader never sees half a bundle. */
static int write_atomically(const char *path, const void *data, size_t len)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
	int err = 0;
	FILE *f = fopen(tmp, "wb");
	if (!f) {
		err = -errno;
		goto out;
	}
	if (fwrite(data, 1, len, f) != len)
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
out:
	free(tmp);
	return err;
}

int cmd_compile(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "emit-llvm", required_argument, NULL, 'L' },
		{ "emit-obj", required_argument, NULL, 'O' },
		{ "format", required_argument, NULL, 'f' },
		{ "werror", no_argument, NULL, 'W' },
		{ "sign", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	const char *out = "default.saker", *sign = NULL;
	struct sk_emit_opts eo = { 0 };
	enum sk_diag_format fmt = SK_DIAG_TEXT;
	int werror = 0, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'L': eo.emit_llvm = optarg; break;
		case 'O': eo.emit_obj = optarg; break;
		case 'W': werror = 1; break;
		case 'S': sign = optarg; break;
		case 'f':
			if (!strcmp(optarg, "text"))
				fmt = SK_DIAG_TEXT;
			else if (!strcmp(optarg, "json"))
				fmt = SK_DIAG_JSON;
			else if (!strcmp(optarg, "sarif"))
				fmt = SK_DIAG_SARIF;
			else {
				fprintf(stderr, "saker compile: unknown format '%s' (text, json or sarif)\n", optarg);
				return 2;
			}
			break;
		case 'h': compile_usage(stdout); return 0;
		case 'V': printf("saker %s\n", SAKER_VERSION); return 0;
		default: compile_usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "saker compile: no rules files given\n");
		compile_usage(stderr);
		return 2;
	}

	/* The key first: a compile that cannot sign should not take the time to compile. */
	struct saker_key *key = NULL;
	char kerr[512], fp[SAKER_KEY_FP_SIZE] = "";
	if (sign) {
		if (saker_key_read(sign, true, &key, kerr, sizeof(kerr))) {
			fprintf(stderr, "saker compile: %s: %s\n", sign, kerr);
			return 2;
		}
		struct stat st;
		if (stat(sign, &st) == 0 && (st.st_mode & 077))
			fprintf(stderr, "saker compile: warning: the private key %s can be read by other "
				"users (mode %04o); chmod 600 it\n", sign, (unsigned)(st.st_mode & 07777));
		uint8_t pub[SAKER_KEY_RAW_SIZE];
		saker_key_public(key, pub);
		saker_key_fingerprint(pub, fp);
	}

	sk_comp *comp = sk_comp_new();
	sk_diag_set_werror(comp->diag, werror);
	uint8_t *buf = NULL;
	size_t len = 0;
	int status = 1;
	int front = sk_drive_front(comp, (const char *const *)argv + optind, (size_t)(argc - optind));
	if (front < -1)
		status = 2;
	else if (front == 0 && sk_drive_bundle(comp, &eo, &buf, &len) == 0 &&
		 sk_diag_error_count(comp->diag) == 0) {
		int err = 0;
		if (key) {
			uint8_t *signed_buf = NULL;
			size_t signed_len = 0;
			err = saker_bundle_sign(buf, len, key, &signed_buf, &signed_len, kerr, sizeof(kerr));
			free(buf);
			buf = signed_buf;
			len = signed_len;
		}
		if (err) {
			fprintf(stderr, "saker compile: %s\n", kerr);
			status = 2;
		} else if ((err = write_atomically(out, buf, len))) {
			fprintf(stderr, "saker compile: cannot write '%s': %s\n", out, strerror(-err));
			status = 2;
		} else {
			status = 0;
		}
	}
	sk_diag_render(comp->diag, fmt, fmt == SK_DIAG_TEXT ? stderr : stdout);
	if (status == 0 && fmt == SK_DIAG_TEXT)
		fprintf(stderr, "saker: wrote %s (%zu rules, %zu bytes%s%s)\n", out, comp->n_rules, len,
			key ? ", signed by key " : "", fp);
	free(buf);
	sk_comp_free(comp);
	saker_key_free(key);
	return status;
}
