/* saker_rebundle: a test-only tool that appends lines to a bundle's requires section and seals
 * it again, so the guest test can ask for a kernel feature the compiler itself never records.
 *
 * usage: saker_rebundle IN OUT [LINE...]
 * IN is read and verified with the runtime's own decoder (a damaged bundle is refused); every
 * LINE is appended to its requires text; OUT is written by the runtime's encoder, with a new
 * digest. With no LINE, OUT must equal IN byte for byte: the guest test checks that, so the tool
 * is known to change nothing but the lines it was given. Exit 0, or 2 with a one-line reason. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saker/bundle.h"

static int rb_fail(const char *what, const char *why)
{
	fprintf(stderr, "saker_rebundle: %s: %s\n", what, why);
	return 2;
}

/* REQ with every line of LINES appended, one per line; malloc'd, or NULL when a line is bad. */
static char *rb_append(const char *req, char **lines, int n, const char **why)
{
	size_t len = strlen(req), need = len + 2;
	for (int i = 0; i < n; i++) {
		if (!lines[i][0] || strchr(lines[i], '\n')) {
			*why = "a requires line must be one non-empty line";
			return NULL;
		}
		need += strlen(lines[i]) + 1;
	}
	char *out = malloc(need), *p = out;
	if (!out) {
		*why = strerror(ENOMEM);
		return NULL;
	}
	memcpy(p, req, len);
	p += len;
	if (len && p[-1] != '\n')
		*p++ = '\n';
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s\n", lines[i]);
	*p = 0;
	return out;
}

int main(int argc, char **argv)
{
	struct saker_bundle *b = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	char err[512], *req = NULL;
	const char *why = NULL;
	FILE *f = NULL;
	int rc = 2;

	if (argc < 3) {
		fprintf(stderr, "usage: saker_rebundle IN OUT [REQUIRES-LINE...]\n");
		return 2;
	}
	if (saker_bundle_read_file(argv[1], &b, err, sizeof(err)) < 0)
		return rb_fail(argv[1], err);
	if (argc > 3) {
		req = rb_append(b->requires, argv + 3, argc - 3, &why);
		if (!req) {
			rc = rb_fail(argv[1], why);
			goto cleanup;
		}
		free(b->requires);
		b->requires = req;
	}
	int ret = saker_bundle_encode(b, &data, &len);
	if (ret < 0) {
		rc = rb_fail(argv[2], strerror(-ret));
		goto cleanup;
	}
	f = fopen(argv[2], "wb");
	if (!f || fwrite(data, 1, len, f) != len) {
		rc = rb_fail(argv[2], strerror(errno));
		goto cleanup;
	}
	if (fclose(f)) {
		f = NULL;
		rc = rb_fail(argv[2], strerror(errno));
		goto cleanup;
	}
	f = NULL;
	rc = 0;
cleanup:
	if (f)
		fclose(f);
	free(data);
	saker_bundle_free(b);
	return rc;
}
