/* saker run: compile rules in memory and run the result exactly as sakerd would, through the
 * same runtime entry point (runtime/rt_cli.c), with the same options and messages. SIGHUP
 * compiles the rules again and reloads them without a gap. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmds.h"
#include "driver.h"
#include "rt.h"
#include "rt_config.h"

struct run_paths {
	const char *const *paths;
	size_t n;
};

/* A saker_rt_bundles_fn: the rules compiled, then decoded as sakerd decodes a file (digest
 * check included). Diagnostics go to stderr. */
static int compile_rules(void *arg, struct saker_bundle **out, char *err, size_t esz)
{
	const struct run_paths *p = arg;
	sk_comp *comp = sk_comp_new();
	struct sk_emit_opts eo = { 0 };
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret = -EINVAL;

	if (!comp) {
		snprintf(err, esz, "out of memory");
		return -ENOMEM;
	}
	int front = sk_drive_front(comp, p->paths, p->n);
	int built = front == 0 ? sk_drive_bundle(comp, &eo, &buf, &len) : -1;
	sk_diag_render(comp->diag, SK_DIAG_TEXT, stderr);
	if (front || built || sk_diag_error_count(comp->diag)) {
		snprintf(err, esz, "the rules have errors (above)");
		ret = front < -1 ? front : -EINVAL;
	} else {
		char why[512];
		ret = saker_bundle_decode(buf, len, out, why, sizeof(why));
		if (ret)
			snprintf(err, esz, "internal error: the compiled bundle does not decode: %s", why);
	}
	free(buf);
	sk_comp_free(comp);
	return ret;
}

int cmd_run(int argc, char **argv)
{
	struct saker_rt_config c;
	int first = saker_rt_cli_parse("saker run", "PATH...", argc, argv, &c);
	if (first < 0) {
		saker_rt_config_fini(&c);
		return saker_rt_cli_status(first);
	}
	if (c.n_trusted_keys) {
		saker_rt_config_fini(&c);
		fprintf(stderr, "saker run: --trusted-key is for sakerd and bundle files; saker run compiles "
			"the rules itself\n");
		return 2;
	}
	struct run_paths p = { (const char *const *)c.bundles, c.n_bundles };
	struct saker_bundle *b = NULL;
	char err[512];
	int status;

	/* Compile once before serving, so errors in the rules give status 1 as `saker check`. */
	int ret = compile_rules(&p, &b, err, sizeof(err));
	saker_bundle_free(b);
	if (ret) {
		if (ret != -EINVAL)
			fprintf(stderr, "saker run: %s\n", err);
		saker_rt_config_fini(&c);
		return ret == -EINVAL ? 1 : 2;
	}
	const char *name = "(compiled rules)";
	status = saker_rt_cli_serve("saker run", &c, compile_rules, &p, &name, 1);
	saker_rt_config_fini(&c);
	return status;
}
