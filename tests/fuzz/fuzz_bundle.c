/* libFuzzer harness: saker_bundle_decode on arbitrary bytes, and again on the same bytes with
 * total_size and the SHA-256 fixed up, so that mutations reach the checks behind the digest.
 * SAKER_FUZZ_SEED=PATH writes a small valid bundle to PATH at start-up (a seed to mutate). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saker/bundle.h"
#include "saker/fields.h"

static void write_seed(const char *path)
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
	if (saker_bundle_encode(&b, &buf, &len))
		abort();
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f))
		abort();
	free(buf);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *seed = getenv("SAKER_FUZZ_SEED");
	if (seed)
		write_seed(seed);
	return 0;
}

static void decode(const uint8_t *data, size_t len)
{
	struct saker_bundle *b = NULL;
	char err[256];
	if (saker_bundle_decode(data, len, &b, err, sizeof(err)) == 0) {
		if (!b)
			abort();
	} else if (b || !err[0] || strchr(err, '\n')) {
		abort(); /* a refusal leaves no bundle and gives a one-line reason */
	}
	saker_bundle_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	decode(data, len);
	if (len < 24 + 32)
		return 0;
	uint8_t *fixed = malloc(len);
	memcpy(fixed, data, len);
	for (int i = 0; i < 8; i++)
		fixed[16 + i] = (uint8_t)((uint64_t)len >> (8 * i));
	saker_sha256(fixed, len - 32, fixed + len - 32);
	decode(fixed, len);
	free(fixed);
	return 0;
}
