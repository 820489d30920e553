/* The command-line layer sakerd and `saker run` share: the same options, the same start-up and
 * shutdown messages, the same signals. This is main-level code, so it writes to stderr. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"
#include "saker/version.h"

static volatile sig_atomic_t rt_stop, rt_dump;

static void on_stop(int sig)
{
	(void)sig;
	rt_stop = 1;
}

static void on_dump(int sig)
{
	(void)sig;
	rt_dump = 1;
}

static void usage(FILE *f, const char *prog, const char *positional)
{
	fprintf(f,
		"usage: %s [--json] [-o FILE] [--stats-file FILE] [--ring-buffer-size SIZE]\n"
		"       [--trusted-key KEY.pub]... %s\n"
		"\n"
		"Loads the rules into the kernel and prints one alert per matching event until\n"
		"SIGINT or SIGTERM, then prints the event counters to stderr.\n"
		"\n"
		"options:\n"
		"  --json              write alerts as JSON lines instead of text\n"
		"  -o, --output FILE   append alerts to FILE instead of standard output\n"
		"  --stats-file FILE   write the counters to FILE as one JSON object at exit,\n"
		"                      and whenever the process receives SIGUSR1\n"
		"  --ring-buffer-size SIZE\n"
		"                      kernel-to-user event buffer per bundle, a power of two\n"
		"                      from 16K to 1G (default 8M); events that find it full\n"
		"                      are counted as lost\n"
		"  --container-socket PATH\n"
		"                      container runtime API socket for container names and images\n"
		"                      (default: $SAKER_CONTAINER_SOCKET, podman's, then docker's;\n"
		"                      an empty PATH turns the lookups off)\n"
		"  --trusted-key FILE  run only bundles signed by this public key (from saker keygen);\n"
		"                      repeat it to accept any of several keys. Without it any bundle\n"
		"                      runs, and the log says it was not verified\n"
		"  -h, --help          show this help\n"
		"  --version           show the version\n"
		"\n"
		"SIGUSR1 prints the counters to stderr (and refreshes --stats-file) without stopping.\n"
		"Exit status: 0 after a clean shutdown, 2 on a usage, I/O or load failure.\n",
		prog, positional);
}

/* "16K", "8M", "1G" or bytes: a power of two from 16 KiB (room for a few full records) to
 * 1 GiB. */
static int parse_ring_size(const char *s, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'K': case 'k': v <<= 10; end++; break;
	case 'M': case 'm': v <<= 20; end++; break;
	case 'G': case 'g': v <<= 30; end++; break;
	}
	if (*end || v < (16u << 10) || v > (1u << 30) || (v & (v - 1)))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_opts(const char *prog, const char *positional, int argc, char **argv,
		      struct saker_rt_opts *o)
{
	int i;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout, prog, positional);
			return -1;
		} else if (!strcmp(a, "--version")) {
			printf("%s %s\n", prog, SAKER_VERSION);
			return -1;
		} else if (!strcmp(a, "--ring-buffer-size")) {
			if (i + 1 >= argc || parse_ring_size(argv[i + 1], &o->ring_bytes)) {
				fprintf(stderr, "%s: --ring-buffer-size needs a power of two from 16K to 1G "
					"(bytes, or with a K, M or G suffix)\n", prog);
				return -2;
			}
			i++;
		} else if (!strcmp(a, "--trusted-key")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "%s: option '%s' needs an argument\n", prog, a);
				return -2;
			}
			const char **k = realloc(o->trusted_keys, (o->n_trusted_keys + 1) * sizeof(*k));
			if (!k) {
				fprintf(stderr, "%s: out of memory\n", prog);
				return -2;
			}
			o->trusted_keys = k;
			o->trusted_keys[o->n_trusted_keys++] = argv[++i];
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--stats-file") ||
			   !strcmp(a, "--container-socket")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "%s: option '%s' needs an argument\n", prog, a);
				return -2;
			}
			const char *v = argv[++i];
			if (a[1] == 'o' || !strcmp(a, "--output"))
				o->output = v;
			else if (!strcmp(a, "--stats-file"))
				o->stats_file = v;
			else
				o->container_socket = v;
		} else {
			fprintf(stderr, "%s: unknown option '%s'\n", prog, a);
			usage(stderr, prog, positional);
			return -2;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "%s: missing %s\n", prog, positional);
		usage(stderr, prog, positional);
		return -2;
	}
	return i;
}

int saker_rt_cli_parse(const char *prog, const char *positional, int argc, char **argv,
		       struct saker_rt_opts *o)
{
	memset(o, 0, sizeof(*o));
	int first = parse_opts(prog, positional, argc, argv, o);
	if (first < 0) {
		/* Nothing to run: the caller does not get the array to free. */
		free(o->trusted_keys);
		o->trusted_keys = NULL;
		o->n_trusted_keys = 0;
	}
	return first;
}

/* One line saying how far bundle NAME was verified, so an operator can tell from the log. It
 * comes once the bundle is loaded, so that a refusal at any stage stays a single line. */
static void report_verification(const char *prog, const char *name, const struct saker_bundle *b)
{
	char fp[SAKER_KEY_FP_SIZE];
	if (b->is_signed)
		saker_key_fingerprint(b->signer, fp);
	if (b->trusted)
		fprintf(stderr, "%s: %s: signature verified: signed by trusted key %s\n", prog, name, fp);
	else if (b->is_signed)
		fprintf(stderr, "%s: %s: not verified (no --trusted-key given); it is signed by key %s\n",
			prog, name, fp);
	else
		fprintf(stderr, "%s: %s: not verified (no --trusted-key given); it is not signed\n",
			prog, name);
}

static void report(const char *prog, struct saker_rt *rt, const struct saker_rt_opts *o,
		   struct saker_bundle *const *bundles, size_t n_bundles)
{
	struct saker_rt_counters c;
	saker_rt_counters(rt, &c);
	const uint64_t *ks = c.kernel;
	fprintf(stderr, "%s: events received %" PRIu64 ", lost %" PRIu64 ", alerts %" PRIu64 "\n",
		prog, c.received, ks[SAKER_STAT_LOST] + ks[SAKER_STAT_LOST_OTHER], c.alerts);
	if (ks[SAKER_STAT_LOST] || ks[SAKER_STAT_LOST_OTHER] || ks[SAKER_STAT_PATH_TRUNC] ||
	    ks[SAKER_STAT_ARG_TRUNC])
		fprintf(stderr, "%s: kernel: records lost to a full ring buffer %" PRIu64 ", lost otherwise %"
			PRIu64 ", paths cut %" PRIu64 ", arguments cut %" PRIu64 "\n", prog,
			ks[SAKER_STAT_LOST], ks[SAKER_STAT_LOST_OTHER], ks[SAKER_STAT_PATH_TRUNC],
			ks[SAKER_STAT_ARG_TRUNC]);
	if (c.residual_matched || c.residual_rejected || c.residual_errors)
		fprintf(stderr, "%s: residuals matched %" PRIu64 ", rejected %" PRIu64 ", failed %" PRIu64 "\n",
			prog, c.residual_matched, c.residual_rejected, c.residual_errors);
	/* Every rule that lost records, by name: the ones whose alerts are incomplete. */
	for (size_t i = 0; i < n_bundles; i++) {
		const struct saker_rule_stat *rs;
		uint32_t n = 0;
		saker_rt_rule_counters(rt, i, &rs, &n);
		for (uint32_t j = 0; j < n; j++)
			if (rs[j].lost)
				fprintf(stderr, "%s: rule '%s': matched %" PRIu64 ", sent %" PRIu64
					", lost %" PRIu64 "\n", prog, bundles[i]->rules[j].name,
					(uint64_t)rs[j].matched, (uint64_t)rs[j].emitted,
					(uint64_t)rs[j].lost);
	}
	if (c.malformed || c.unknown_rule)
		fprintf(stderr, "%s: malformed records %" PRIu64 ", unknown rule ids %" PRIu64 "\n",
			prog, c.malformed, c.unknown_rule);
	const struct saker_rt_enrich_stats *k = &c.container;
	if (k->requests || k->na)
		fprintf(stderr, "%s: container lookups: %" PRIu64 " requests, %" PRIu64 " answered, %"
			PRIu64 " unknown, %" PRIu64 " failed; %" PRIu64 " field values <NA>, %" PRIu64
			" waits expired\n", prog, k->requests, k->answered, k->unknown, k->failed, k->na,
			k->waits_expired);
	if (o->stats_file) {
		int ret = saker_rt_write_stats(rt, o->stats_file, &c);
		if (ret)
			fprintf(stderr, "%s: %s: cannot write the counters: %s\n", prog, o->stats_file,
				strerror(-ret));
	}
}

int saker_rt_cli_serve(const char *prog, const struct saker_rt_opts *o,
		       struct saker_bundle *const *bundles, const char *const *names, size_t n)
{
	struct saker_rt *rt = NULL;
	char err[8192];
	int status = 2, ret;

	struct sigaction sa = { .sa_handler = on_stop };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_dump;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed output is reported as a write error */

	if (saker_rt_new(&rt, o, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++) {
		if (saker_rt_add(rt, bundles[i], err, sizeof(err))) {
			fprintf(stderr, "%s: %s: %s\n", prog, names[i], err);
			goto cleanup;
		}
		/* the compiler could not run these: say so at every start, never silently */
		for (uint32_t j = 0; j < bundles[i]->n_left_out; j++) {
			const struct saker_left_out *l = &bundles[i]->left_out[j];
			fprintf(stderr, "%s: %s: rule '%s' (%s:%u) is not running: %s\n", prog, names[i], l->name,
				l->file, l->line, l->why);
		}
	}
	for (size_t i = 0; o->report_verification && i < n; i++)
		report_verification(prog, names[i], bundles[i]);
	fprintf(stderr, "%s: ready\n", prog);
	for (;;) {
		ret = saker_rt_loop(rt, &rt_stop, &rt_dump, err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "%s: %s\n", prog, err);
			report(prog, rt, o, bundles, n);
			goto cleanup;
		}
		if (ret == 0)
			break;
		rt_dump = 0;
		report(prog, rt, o, bundles, n);
	}
	report(prog, rt, o, bundles, n);
	status = 0;
cleanup:
	saker_rt_free(rt);
	return status;
}
