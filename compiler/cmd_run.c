/* saker run: compile rules in memory and run the result exactly as sakerd would, through the
 * same runtime entry point (runtime/rt_cli.c), with the same options and messages. */
#include <stdio.h>
#include <stdlib.h>

#include "cmds.h"
#include "driver.h"
#include "rt.h"

int cmd_run(int argc, char **argv)
{
	struct saker_rt_opts o;
	int first = saker_rt_cli_parse("saker run", "PATH...", argc, argv, &o);
	if (first == -1)
		return 0;
	if (first < 0)
		return 2;
	if (o.n_trusted_keys) {
		free(o.trusted_keys);
		fprintf(stderr, "saker run: --trusted-key is for sakerd and bundle files; saker run compiles "
			"the rules itself\n");
		return 2;
	}

	sk_comp *comp = sk_comp_new();
	struct saker_bundle *b = NULL;
	struct sk_emit_opts eo = { 0 };
	uint8_t *buf = NULL;
	size_t len = 0;
	char err[512];
	int status = 1;

	if (!comp) {
		fprintf(stderr, "saker run: out of memory\n");
		return 2;
	}
	int front = sk_drive_front(comp, (const char *const *)argv + first, (size_t)(argc - first));
	int built = front == 0 ? sk_drive_bundle(comp, &eo, &buf, &len) : -1;
	sk_diag_render(comp->diag, SK_DIAG_TEXT, stderr);
	if (front || built || sk_diag_error_count(comp->diag)) {
		if (front < -1)
			status = 2; /* a path could not be read */
		goto cleanup; /* the diagnostics said why */
	}

	/* Decode what was just encoded: sakerd's path, digest check included. */
	if (saker_bundle_decode(buf, len, &b, err, sizeof(err))) {
		fprintf(stderr, "saker run: internal error: the compiled bundle does not decode: %s\n", err);
		status = 2;
		goto cleanup;
	}
	const char *name = "(compiled rules)";
	status = saker_rt_cli_serve("saker run", &o, &b, &name, 1);
cleanup:
	saker_bundle_free(b);
	free(buf);
	sk_comp_free(comp);
	return status;
}
