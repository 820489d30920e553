/* The command-line layer sakerd and `saker run` share: the configuration file and the options
 * that override it, the same start-up and shutdown messages, the same signals, the privileges
 * given up once loaded. This is main-level code, so it writes to stderr. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rt_curl.h"

#include "rt.h"
#include "rt_config.h"
#include "saker/keys.h"
#include "saker/version.h"

static volatile sig_atomic_t rt_stop, rt_wake, rt_dump, rt_hup;

static void on_stop(int sig)
{
	(void)sig;
	rt_stop = 1;
}

static void on_wake(int sig)
{
	if (sig == SIGHUP)
		rt_hup = 1;
	else
		rt_dump = 1;
	rt_wake = 1;
}

/* The one text of the options: --help prints it, and the man pages are made from it. */
static const char help_text[] =
	"Loads the rules into the kernel and sends one alert per matching event to the\n"
	"outputs until SIGINT or SIGTERM, then prints the event counters to stderr.\n"
	"\n"
	"options:\n"
	"  -c, --config FILE   read the configuration file FILE (YAML, the keys of the\n"
	"                      installed etc/saker/sakerd.yaml);\n"
	"                      the options below override it\n"
	"  --validate-config FILE\n"
	"                      check FILE and exit: 0 when it is valid, 1 with located\n"
	"                      errors when it is not\n"
	"  --json              write alerts as JSON lines instead of text\n"
	"  -o, --output FILE   append alerts to FILE instead of standard output\n"
	"  --priority PRIO     alert only for rules of priority PRIO or more severe\n"
	"  --disable-rule PAT  do not alert for rules whose name matches the glob PAT\n"
	"  --disable-tag PAT   do not alert for rules with a tag matching the glob PAT\n"
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
	"  --metrics-addr HOST:PORT\n"
	"                      serve Prometheus metrics at http://HOST:PORT/metrics and the\n"
	"                      health check at /healthz\n"
	"  --health            ask the running sakerd (at --metrics-addr, or the\n"
	"                      configuration's metrics address) whether it is healthy:\n"
	"                      exit 0 when it is, 1 when not\n"
	"  --trusted-key FILE  run only bundles signed by this public key (from saker keygen),\n"
	"                      at start and on reload; repeat it to accept any of several\n"
	"                      keys. Without it any bundle runs, and the log says it was not\n"
	"                      verified\n"
	"  --enforce on|off    on (default): rules with 'action: kill' kill the process\n"
	"                      that matched, in the kernel; off: a dry run, their alerts\n"
	"                      say 'would kill' and nothing is enforced\n"
	"  --deny-as-alert     run rules with 'action: deny' as alerts where the back end\n"
	"                      cannot deny (tracepoints); without it such a bundle is refused\n"
	"  --backend auto|tracepoint|lsm\n"
	"                      the kernel hooks: lsm runs the open rules at lsm/file_open\n"
	"                      (every route to an open, and deny), tracepoints the rest; auto\n"
	"                      (default) takes lsm where the kernel runs BPF LSM programs\n"
	"  --user NAME         once loaded, run as user NAME, keeping only CAP_BPF and\n"
	"                      CAP_PERFMON (for reloads)\n"
	"  -h, --help          show this help\n"
	"  --version           show the version\n"
	"\n"
	"signals:\n"
	"  SIGHUP              reopen output files (logrotate) and reload the bundles\n"
	"                      without a gap; a bundle that fails to load is refused and\n"
	"                      the running one stays\n"
	"  SIGUSR1             print the counters to stderr (and refresh --stats-file)\n"
	"\n"
	"Exit status: 0 after a clean shutdown, 1 for a configuration with errors, 2 on a\n"
	"usage, I/O or load failure.\n";

static void usage(FILE *f, const char *prog, const char *positional)
{
	fprintf(f, "usage: %s [-c FILE] [--json] [-o FILE] [OPTIONS] %s\n\n%s", prog, positional,
		help_text);
}

/* --health: GET /healthz of the running sakerd. */
static int health_check(const char *prog, const char *addr)
{
	char url[512];
	long code = 0;
	snprintf(url, sizeof(url), "http://%s/healthz", addr);
	char why[256];
	if (saker_curl_load(why, sizeof(why))) {
		fprintf(stderr, "%s: %s\n", prog, why);
		return 2;
	}
	CURL *c = saker_curl.easy_init();
	if (!c) {
		fprintf(stderr, "%s: cannot create an HTTP handle\n", prog);
		return 2;
	}
	saker_curl.easy_setopt(c, CURLOPT_URL, url);
	saker_curl.easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	saker_curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	CURLcode r = saker_curl.easy_perform(c);
	if (r == CURLE_OK)
		saker_curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	saker_curl.easy_cleanup(c);
	if (r != CURLE_OK) {
		printf("%s: no answer from %s: %s\n", prog, url, saker_curl.easy_strerror(r));
		return 1;
	}
	printf("%s: %s\n", prog, code == 200 ? "healthy" : "unhealthy");
	return code == 200 ? 0 : 1;
}

static int validate(const char *prog, const char *path)
{
	struct saker_rt_config c;
	sk_diag *d = sk_diag_new();
	saker_rt_config_init(&c);
	int ret = saker_rt_config_load(&c, path, d);
	sk_diag_render(d, SK_DIAG_TEXT, stderr);
	sk_diag_free(d);
	saker_rt_config_fini(&c);
	if (ret == 0)
		printf("%s: %s: the configuration is valid\n", prog, path);
	return ret == 0 ? -1 : ret == -1 ? -3 : -2;
}

static int add_select(struct saker_rt_config *c, bool by_tag, const char *pat)
{
	struct saker_rt_select *s = realloc(c->select, (c->n_select + 1) * sizeof(*s));
	char *copy = strdup(pat);
	if (!s || !copy) {
		free(copy);
		if (s)
			c->select = s;
		return -ENOMEM;
	}
	c->select = s;
	s[c->n_select++] = (struct saker_rt_select){ false, by_tag, copy };
	return 0;
}

static int set_str(char **dst, const char *v)
{
	char *copy = strdup(v);
	if (!copy)
		return -ENOMEM;
	free(*dst);
	*dst = copy;
	return 0;
}

int saker_rt_cli_parse(const char *prog, const char *positional, int argc, char **argv,
		       struct saker_rt_config *c)
{
	const char *config = NULL;
	bool health = false, trusted_given = false;
	int i;

	saker_rt_config_init(c);
	/* The configuration first, so that every other option overrides it. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc)
			config = argv[i + 1];
		if (!strcmp(argv[i], "--validate-config")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "%s: option '--validate-config' needs an argument\n", prog);
				return -2;
			}
			return validate(prog, argv[i + 1]);
		}
	}
	if (config) {
		sk_diag *d = sk_diag_new();
		int ret = saker_rt_config_load(c, config, d);
		sk_diag_render(d, SK_DIAG_TEXT, stderr);
		sk_diag_free(d);
		if (ret)
			return ret == -1 ? -3 : -2;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "--json")) {
			c->json_output = true;
			continue;
		}
		if (!strcmp(a, "--health")) {
			health = true;
			continue;
		}
		if (!strcmp(a, "--deny-as-alert")) {
			c->deny_as_alert = true;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout, prog, positional);
			return -1;
		}
		if (!strcmp(a, "--version")) {
			printf("%s %s\n", prog, SAKER_VERSION);
			return -1;
		}
		static const char *const with_arg[] = {
			"-c", "--config", "-o", "--output", "--stats-file", "--container-socket",
			"--ring-buffer-size", "--metrics-addr", "--priority", "--disable-rule",
			"--disable-tag", "--user", "--trusted-key", "--enforce", "--backend", NULL,
		};
		size_t k;
		for (k = 0; with_arg[k] && strcmp(with_arg[k], a); k++)
			;
		if (!with_arg[k]) {
			fprintf(stderr, "%s: unknown option '%s'\n", prog, a);
			usage(stderr, prog, positional);
			return -2;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "%s: option '%s' needs an argument\n", prog, a);
			return -2;
		}
		const char *v = argv[++i];
		int ret = 0;
		if (!strcmp(a, "-c") || !strcmp(a, "--config")) {
			/* read above */
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			/* -o replaces the configured outputs by this one file */
			for (int o = 0; o < SAKER_OUT__COUNT; o++)
				c->out[o].enabled = false;
			c->out[SAKER_OUT_FILE].enabled = true;
			ret = set_str(&c->out[SAKER_OUT_FILE].target, v);
		} else if (!strcmp(a, "--stats-file")) {
			ret = set_str(&c->stats_file, v);
		} else if (!strcmp(a, "--container-socket")) {
			ret = set_str(&c->container_socket, v);
			c->container_socket_set = true;
		} else if (!strcmp(a, "--ring-buffer-size")) {
			if (saker_rt_parse_ring_size(v, &c->ring_bytes)) {
				fprintf(stderr, "%s: --ring-buffer-size needs a power of two from 16K to 1G "
					"(bytes, or with a K, M or G suffix)\n", prog);
				return -2;
			}
		} else if (!strcmp(a, "--metrics-addr")) {
			c->metrics_enabled = true;
			ret = set_str(&c->metrics_addr, v);
		} else if (!strcmp(a, "--priority")) {
			c->min_priority = saker_priority_parse(v);
			if (c->min_priority < 0) {
				fprintf(stderr, "%s: --priority: '%s' is not a priority\n", prog, v);
				return -2;
			}
		} else if (!strcmp(a, "--disable-rule") || !strcmp(a, "--disable-tag")) {
			ret = add_select(c, !strcmp(a, "--disable-tag"), v);
		} else if (!strcmp(a, "--enforce")) {
			if (strcmp(v, "on") && strcmp(v, "off")) {
				fprintf(stderr, "%s: --enforce takes on or off, not '%s'\n", prog, v);
				return -2;
			}
			c->enforce_off = !strcmp(v, "off");
		} else if (!strcmp(a, "--user")) {
			ret = set_str(&c->user, v);
		} else if (!strcmp(a, "--backend")) {
			ret = set_str(&c->backend, v);
		} else if (!strcmp(a, "--trusted-key")) {
			/* the first one replaces the configuration's trusted_keys, the others add */
			if (!trusted_given) {
				for (size_t k2 = 0; k2 < c->n_trusted_keys; k2++)
					free(c->trusted_keys[k2]);
				c->n_trusted_keys = 0;
				trusted_given = true;
			}
			ret = saker_rt_strv_add(&c->trusted_keys, &c->n_trusted_keys, v);
		}
		if (ret) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return -2;
		}
	}
	if (c->metrics_enabled && !c->metrics_addr && set_str(&c->metrics_addr, SAKER_RT_METRICS_ADDR))
		return -2;
	if (saker_rt_backend_parse(c->backend) < 0) {
		fprintf(stderr, "%s: --backend (or the configuration's backend) takes auto, tracepoint or lsm, not '%s'\n",
			prog, c->backend);
		return -2;
	}
	if (health) {
		if (!c->metrics_addr) {
			fprintf(stderr, "%s: --health needs --metrics-addr or a configuration with metrics\n",
				prog);
			return -2;
		}
		int st = health_check(prog, c->metrics_addr);
		return st == 0 ? -1 : st == 1 ? -4 : -2;
	}
	for (int k = i; k < argc; k++) {
		/* bundles on the command line replace the configuration's */
		if (k == i) {
			for (size_t b = 0; b < c->n_bundles; b++)
				free(c->bundles[b]);
			c->n_bundles = 0;
		}
		if (saker_rt_strv_add(&c->bundles, &c->n_bundles, argv[k])) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return -2;
		}
	}
	if (!c->n_bundles) {
		fprintf(stderr, "%s: missing %s\n", prog, positional);
		usage(stderr, prog, positional);
		return -2;
	}
	return i;
}

int saker_rt_cli_status(int parsed)
{
	return parsed == -1 ? 0 : parsed == -3 || parsed == -4 ? 1 : 2;
}

/* ---- privileges --------------------------------------------------------------------------- */

/* Keeps CAP_BPF and CAP_PERFMON (a reload loads programs) and nothing else, also in the bounding
 * set, and switches to USER when given. */
static int drop_privileges(const char *prog, const char *user)
{
	const uint64_t keep = 1ull << CAP_BPF | 1ull << CAP_PERFMON;
	struct passwd *pw = NULL;
	if (user && !(pw = getpwnam(user))) {
		fprintf(stderr, "%s: --user %s: no such user\n", prog, user);
		return -1;
	}
	for (int cap = 0; cap <= 63; cap++)
		if (!(keep >> cap & 1) && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	if (pw) {
		gid_t g = pw->pw_gid;
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(1, &g) < 0 ||
		    setresgid(g, g, g) < 0 || setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0) {
			fprintf(stderr, "%s: --user %s: cannot switch to it: %s\n", prog, user,
				strerror(errno));
			return -1;
		}
	}
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0) {
		fprintf(stderr, "%s: cannot read the capabilities: %s\n", prog, strerror(errno));
		return -1;
	}
	for (int w = 0; w < 2; w++) {
		uint32_t k = (uint32_t)(keep >> (32 * w));
		d[w].permitted &= k;
		d[w].effective = d[w].permitted;
		d[w].inheritable = 0;
	}
	if (syscall(SYS_capset, &h, d) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		fprintf(stderr, "%s: cannot drop capabilities: %s\n", prog, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- serving ------------------------------------------------------------------------------ */

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

static void log_line(void *arg, const char *line)
{
	fprintf(stderr, "%s: %s\n", (const char *)arg, line);
}

/* A rule's estimated kernel time: its evaluations times the mean of the sampled ones. */
static double rule_cost_ns(const struct saker_rt_rule_kernel *r)
{
	return r->samples ? (double)r->evals * ((double)r->cost_ns / (double)r->samples) : 0;
}

#define REPORT_COSTLIEST 5

/* Every rule that lost records, by name: the ones whose alerts are incomplete; those that
 * matched on cut paths; then the rules that cost the kernel most (evaluations as a candidate,
 * matches, sampled time). */
static void report_rules(const char *prog, const struct saker_rt *rt)
{
	size_t n = saker_rt_rule_counters(rt, NULL, 0), top[REPORT_COSTLIEST], n_top = 0;
	struct saker_rt_rule_kernel *rk = n ? calloc(n, sizeof(*rk)) : NULL;
	if (!rk)
		return;
	n = saker_rt_rule_counters(rt, rk, n);
	for (size_t j = 0; j < n; j++)
		if (rk[j].lost)
			fprintf(stderr, "%s: rule '%s': matched %" PRIu64 ", sent %" PRIu64 ", lost %" PRIu64
				"\n", prog, rk[j].rule, rk[j].matched, rk[j].emitted, rk[j].lost);
	for (size_t j = 0; j < n; j++)
		if (rk[j].cut)
			fprintf(stderr, "%s: rule '%s': %" PRIu64 " of its %" PRIu64
				" matches had a path the kernel could not finish (<cut>)\n", prog, rk[j].rule,
				rk[j].cut, rk[j].matched);
	for (size_t j = 0; j < n; j++) {
		size_t k;

		if (!rk[j].evals)
			continue;
		if (n_top == REPORT_COSTLIEST &&
		    rule_cost_ns(&rk[j]) <= rule_cost_ns(&rk[top[REPORT_COSTLIEST - 1]]))
			continue;
		k = n_top < REPORT_COSTLIEST ? n_top++ : REPORT_COSTLIEST - 1;
		while (k > 0 && rule_cost_ns(&rk[top[k - 1]]) < rule_cost_ns(&rk[j])) {
			top[k] = top[k - 1];
			k--;
		}
		top[k] = j;
	}
	for (size_t i = 0; i < n_top; i++) {
		const struct saker_rt_rule_kernel *r = &rk[top[i]];

		fprintf(stderr, "%s: kernel cost: rule '%s': evaluated %" PRIu64 ", matched %" PRIu64
			", %.0f ns per evaluation (%" PRIu64 " sampled), about %.3f ms in all\n", prog,
			r->rule, r->evals, r->matched,
			r->samples ? (double)r->cost_ns / (double)r->samples : 0.0, r->samples,
			rule_cost_ns(r) / 1e6);
	}
	free(rk);
}

static void report(const char *prog, struct saker_rt *rt, const struct saker_rt_config *c)
{
	struct saker_rt_counters k;
	saker_rt_counters(rt, &k);
	const uint64_t *ks = k.kernel;
	fprintf(stderr, "%s: events received %" PRIu64 ", lost %" PRIu64 ", alerts %" PRIu64 "\n",
		prog, k.received, ks[SAKER_STAT_LOST] + ks[SAKER_STAT_LOST_OTHER], k.alerts);
	if (ks[SAKER_STAT_LOST] || ks[SAKER_STAT_LOST_OTHER] || ks[SAKER_STAT_PATH_TRUNC] ||
	    ks[SAKER_STAT_ARG_TRUNC])
		fprintf(stderr, "%s: kernel: records lost to a full ring buffer %" PRIu64 ", lost otherwise %"
			PRIu64 ", paths cut %" PRIu64 ", arguments cut %" PRIu64 "\n", prog,
			ks[SAKER_STAT_LOST], ks[SAKER_STAT_LOST_OTHER], ks[SAKER_STAT_PATH_TRUNC],
			ks[SAKER_STAT_ARG_TRUNC]);
	if (k.residual_matched || k.residual_rejected || k.residual_errors)
		fprintf(stderr, "%s: residuals matched %" PRIu64 ", rejected %" PRIu64 ", failed %" PRIu64 "\n",
			prog, k.residual_matched, k.residual_rejected, k.residual_errors);
	report_rules(prog, rt);
	if (k.malformed || k.unknown_rule)
		fprintf(stderr, "%s: malformed records %" PRIu64 ", unknown rule ids %" PRIu64 "\n",
			prog, k.malformed, k.unknown_rule);
	if (k.dns.names)
		fprintf(stderr, "%s: dns: %" PRIu64 " names, %" PRIu64 " lookups answered, %" PRIu64
			" failed; %" PRIu64 " event checks\n", prog, k.dns.names, k.dns.resolved,
			k.dns.failures, k.dns.checks);
	const struct saker_rt_enrich_stats *e = &k.container;
	if (e->requests || e->na)
		fprintf(stderr, "%s: container lookups: %" PRIu64 " requests, %" PRIu64 " answered, %"
			PRIu64 " unknown, %" PRIu64 " failed; %" PRIu64 " field values <NA>, %" PRIu64
			" waits expired\n", prog, e->requests, e->answered, e->unknown, e->failed, e->na,
			e->waits_expired);
	if (k.output_dropped || k.output_failed || k.suppressed)
		fprintf(stderr,
			"%s: alerts dropped by full output queues %" PRIu64 ", failed deliveries %" PRIu64
			", suppressed by the rate limit %" PRIu64 "\n",
			prog, k.output_dropped, k.output_failed, k.suppressed);
	if (c->stats_file) {
		int ret = saker_rt_write_stats(rt, c->stats_file, &k);
		if (ret)
			fprintf(stderr, "%s: %s: cannot write the counters: %s\n", prog, c->stats_file,
				strerror(-ret));
	}
}

static void free_bundles(struct saker_bundle **b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		saker_bundle_free(b[i]);
}

int saker_rt_cli_serve(const char *prog, const struct saker_rt_config *c, saker_rt_bundles_fn *get,
		       void *get_arg, const char *const *names, size_t n)
{
	struct saker_rt *rt = NULL;
	struct saker_rt_metrics *metrics = NULL;
	struct saker_bundle **b = calloc(n ? n : 1, sizeof(*b));
	const struct saker_bundle **added = calloc(n ? n : 1, sizeof(*added));
	char err[8192];
	int status = 2, ret;

	if (!b || !added) {
		free(b);
		free(added);
		fprintf(stderr, "%s: out of memory\n", prog);
		return 2;
	}
	struct sigaction sa = { .sa_handler = on_stop };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_wake;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed output is reported as a write error */

	if (get(get_arg, b, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		goto cleanup;
	}
	if (saker_rt_new(&rt, c, log_line, (void *)prog, err, sizeof(err))) {
		free_bundles(b, n);
		fprintf(stderr, "%s: %s\n", prog, err);
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++) {
		added[i] = b[i]; /* RT owns it from here, and keeps it until a reload */
		ret = saker_rt_add(rt, b[i], names[i], err, sizeof(err));
		b[i] = NULL;
		if (ret) {
			fprintf(stderr, "%s: %s: %s\n", prog, names[i], err);
			free_bundles(b + i + 1, n - i - 1);
			goto cleanup;
		}
		/* the compiler could not run these: say so at every start, never silently */
		for (uint32_t j = 0; j < added[i]->n_left_out; j++) {
			const struct saker_left_out *l = &added[i]->left_out[j];
			fprintf(stderr, "%s: %s: rule '%s' (%s:%u) is not running: %s\n", prog, names[i],
				l->name, l->file, l->line, l->why);
		}
	}
	if (c->metrics_enabled && c->metrics_addr &&
	    saker_rt_metrics_start(&metrics, rt, c->metrics_addr, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		goto cleanup;
	}
	if (drop_privileges(prog, c->user))
		goto cleanup;
	for (size_t i = 0; c->report_verification && i < n; i++)
		report_verification(prog, names[i], added[i]);
	/* after the privileges are dropped; the first answers are worth a moment before the first
	 * event (events meanwhile wait in the ring buffer) */
	if (saker_rt_start_resolver(rt, 2000))
		fprintf(stderr, "%s: dns: cannot start the resolver: no fd.sip.name test will hold\n", prog);
	fprintf(stderr, "%s: ready\n", prog);
	for (;;) {
		ret = saker_rt_loop(rt, &rt_stop, &rt_wake, err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "%s: %s\n", prog, err);
			saker_rt_metrics_stop(metrics);
			metrics = NULL;
			saker_rt_close_outputs(rt);
			report(prog, rt, c);
			goto cleanup;
		}
		if (ret == 0)
			break;
		rt_wake = 0;
		if (rt_hup) {
			rt_hup = 0;
			saker_rt_reopen_outputs(rt);
			if (get(get_arg, b, err, sizeof(err)) ||
			    saker_rt_reload(rt, b, names, n, err, sizeof(err)))
				fprintf(stderr, "%s: reload refused, the running bundles stay: %s\n", prog,
					err);
			memset(b, 0, n * sizeof(*b));
		}
		if (rt_dump) {
			rt_dump = 0;
			report(prog, rt, c);
		}
	}
	saker_rt_metrics_stop(metrics); /* it reads the outputs */
	metrics = NULL;
	/* the last events, and the internal alerts they call for, while the outputs are open */
	struct saker_rt_counters last;
	saker_rt_counters(rt, &last);
	saker_rt_close_outputs(rt);
	report(prog, rt, c);
	status = 0;
cleanup:
	saker_rt_metrics_stop(metrics);
	saker_rt_free(rt);
	free(b);
	free(added);
	return status;
}
