/* saker_mkbundle: wraps a hand-written BPF object into a bundle with one rule, so that the
 * tests can give sakerd objects the compiler would never produce (one whose program cannot
 * attach, say). Usage: saker_mkbundle OBJECT REQUIRES OUT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saker/bundle.h"

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = NULL;
	long n;
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(p = malloc((size_t)n + 1)) || fread(p, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(2);
	}
	fclose(f);
	*len = (size_t)n;
	return p;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: saker_mkbundle OBJECT REQUIRES OUT\n");
		return 2;
	}
	char *tags[] = { "test" };
	struct saker_fmt_seg seg = { .text = "a test rule fired", .field = -1 };
	struct saker_rule_meta rule = {
		.name = "Test rule", .desc = "test", .source = "syscall", .output = "a test rule fired",
		.file = "test.yaml", .line = 1, .priority = SAKER_PRIO_NOTICE, .tags = tags, .n_tags = 1,
		.segs = &seg, .n_segs = 1,
	};
	struct saker_bundle b = { .format = SAKER_BUNDLE_FORMAT, .requires = argv[2],
				  .rules = &rule, .n_rules = 1 };
	b.object = slurp(argv[1], &b.object_size);
	uint8_t *out;
	size_t len;
	FILE *f;
	if (saker_bundle_encode(&b, &out, &len) || !(f = fopen(argv[3], "wb")) ||
	    fwrite(out, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "saker_mkbundle: cannot write %s\n", argv[3]);
		return 2;
	}
	free(out);
	free(b.object);
	return 0;
}
