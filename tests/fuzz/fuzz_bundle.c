/* libFuzzer harness: saker_bundle_decode on arbitrary bytes, and again on the same bytes with
 * total_size and the SHA-256 fixed up, so that mutations reach the checks behind the digest; then
 * with two trusted keys, and once more with the signature section (the last bytes before the
 * digest) re-signed by a trusted key, so that mutations also get past the signature into
 * everything a signed bundle exposes. SAKER_FUZZ_SEED=PATH writes a small valid bundle to PATH
 * and a signed one to PATH.signed at start-up (seeds to mutate). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saker/bundle.h"
#include "saker/fields.h"
#include "saker/keys.h"

static struct saker_key *keys[2]; /* trusted: fixed seeds, so runs are reproducible */

static void write_file(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f))
		abort();
}

static void write_seeds(const char *path)
{
	static const uint8_t elf[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 };
	char *tags[] = { "file", "mitre_persistence" };
	struct saker_fmt_seg segs[] = {
		{ "opened ", -1, 0 },
		{ "proc.name", sk_field_lookup("proc.name"), 0 },
		{ " file=", -1, 0 },
		{ "fd.name", sk_field_lookup("fd.name"), 12 },
	};
	struct saker_rule_meta rules[] = {
		{ .name = "r1", .desc = "d", .source = "syscall", .output = "opened %proc.name",
		  .file = "f.yaml", .line = 3, .priority = SAKER_PRIO_WARNING, .plan = SAKER_PLAN_EXACT,
		  .tags = tags, .n_tags = 2, .segs = segs, .n_segs = 4 },
		{ .name = "r2", .desc = "", .source = "syscall", .output = "", .file = "f.yaml",
		  .line = 9, .priority = SAKER_PRIO_DEBUG, .plan = SAKER_PLAN_USER },
	};
	struct saker_bundle b = { .object = (uint8_t *)elf, .object_size = sizeof(elf),
				  .requires = "btf 1\n", .rules = rules, .n_rules = 2 };
	uint8_t *buf;
	size_t len;
	char signed_path[4096];
	if (saker_bundle_encode(&b, &buf, &len))
		abort();
	write_file(path, buf, len);
	free(buf);
	if (saker_bundle_encode_signed(&b, keys[1], &buf, &len))
		abort();
	snprintf(signed_path, sizeof(signed_path), "%s.signed", path);
	write_file(signed_path, buf, len);
	free(buf);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	uint8_t seed[32];
	for (int i = 0; i < 2; i++) {
		memset(seed, 0x41 + i, sizeof(seed));
		if (saker_key_from_seed(seed, &keys[i]))
			abort();
	}
	const char *path = getenv("SAKER_FUZZ_SEED");
	if (path)
		write_seeds(path);
	return 0;
}

static void decode(const uint8_t *data, size_t len, const struct saker_trust *t)
{
	struct saker_bundle *b = NULL;
	char err[256];
	if (saker_bundle_decode_trusted(data, len, t, &b, err, sizeof(err)) == 0) {
		if (!b)
			abort();
		/* Trusted exactly when keys were given, and then by one of them. */
		if (b->trusted != (t && t->n > 0) || (b->trusted && !b->is_signed))
			abort();
		if (b->trusted) {
			uint8_t k0[32], k1[32];
			saker_key_public(keys[0], k0);
			saker_key_public(keys[1], k1);
			if (memcmp(b->signer, k0, 32) && memcmp(b->signer, k1, 32))
				abort();
		}
	} else if (b || !err[0] || strchr(err, '\n')) {
		abort(); /* a refusal leaves no bundle and gives a one-line reason */
	}
	saker_bundle_free(b);
}

static void reseal(uint8_t *p, size_t len)
{
	for (int i = 0; i < 8; i++)
		p[16 + i] = (uint8_t)((uint64_t)len >> (8 * i));
	saker_sha256(p, len - 32, p + len - 32);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const struct saker_trust trust = { keys, 2 };
	decode(data, len, NULL);
	decode(data, len, &trust);
	if (len < 24 + 32)
		return 0;
	uint8_t *fixed = malloc(len);
	memcpy(fixed, data, len);
	reseal(fixed, len);
	decode(fixed, len, NULL);
	decode(fixed, len, &trust);
	/* Re-signed by the first trusted key, in place of whatever the last 104 bytes before the
	 * digest held: the section table and the rest stay as the mutation left them. */
	if (len >= 24 + SAKER_SIG_SECTION_SIZE + 32) {
		uint8_t *sig = fixed + len - 32 - SAKER_SIG_SECTION_SIZE;
		sig[0] = SAKER_SIG_ED25519;
		memset(sig + 1, 0, 7);
		saker_key_public(keys[0], sig + 8);
		if (saker_key_sign(keys[0], fixed, (size_t)(sig + 40 - fixed), sig + 40))
			abort();
		saker_sha256(fixed, len - 32, fixed + len - 32);
		decode(fixed, len, &trust);
	}
	free(fixed);
	return 0;
}
