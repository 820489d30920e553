/* saker-test-lib: saker_rt */
/* The resolver of domain names (runtime/rt_dns.c) against a fake resolver: a name matches the
 * addresses of its last good lookup, a refresh replaces them, a failure keeps them and is said
 * once, a lookup that hangs never holds up a match or the shutdown; and through the residual
 * evaluator and the renderer, fd.sip.name on an event record. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "rt.h"
#include "cond_text.h"
#include "event_test.h"

/* ---- the fake resolver: answers from a table the test changes, under a lock --------------- */

static pthread_mutex_t fake_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fake_cv = PTHREAD_COND_INITIALIZER;
static struct {
	char name[64];
	char addrs[4][48]; /* text; an empty first one: the lookup fails */
	bool hang;          /* the lookup blocks until hang is cleared */
	int calls;
} fake[4];
static int fake_n;

static void fake_set(const char *name, const char *a1, const char *a2)
{
	pthread_mutex_lock(&fake_mu);
	int i = 0;
	while (i < fake_n && strcmp(fake[i].name, name))
		i++;
	if (i == fake_n)
		fake_n++;
	snprintf(fake[i].name, sizeof(fake[i].name), "%s", name);
	snprintf(fake[i].addrs[0], sizeof(fake[i].addrs[0]), "%s", a1 ? a1 : "");
	snprintf(fake[i].addrs[1], sizeof(fake[i].addrs[1]), "%s", a2 ? a2 : "");
	pthread_mutex_unlock(&fake_mu);
}

static void fake_hang(const char *name, bool on)
{
	pthread_mutex_lock(&fake_mu);
	for (int i = 0; i < fake_n; i++)
		if (!strcmp(fake[i].name, name))
			fake[i].hang = on;
	pthread_cond_broadcast(&fake_cv);
	pthread_mutex_unlock(&fake_mu);
}

static int fake_calls(const char *name)
{
	int n = 0;
	pthread_mutex_lock(&fake_mu);
	for (int i = 0; i < fake_n; i++)
		if (!strcmp(fake[i].name, name))
			n = fake[i].calls;
	pthread_mutex_unlock(&fake_mu);
	return n;
}

static int fake_resolve(void *ctx, const char *name, struct saker_rt_addr *out, size_t max,
			size_t *n, char *why, size_t why_size)
{
	(void)ctx;
	*n = 0;
	pthread_mutex_lock(&fake_mu);
	int i = 0;
	while (i < fake_n && strcmp(fake[i].name, name))
		i++;
	if (i < fake_n) {
		fake[i].calls++;
		while (fake[i].hang)
			pthread_cond_wait(&fake_cv, &fake_mu);
	}
	for (int k = 0; i < fake_n && k < 4 && fake[i].addrs[k][0] && *n < max; k++) {
		struct saker_rt_addr a = { .len = 4 };
		if (inet_pton(AF_INET, fake[i].addrs[k], a.ip) != 1) {
			a.len = 16;
			inet_pton(AF_INET6, fake[i].addrs[k], a.ip);
		}
		out[(*n)++] = a;
	}
	pthread_mutex_unlock(&fake_mu);
	if (!*n) {
		snprintf(why, why_size, "Name or service not known");
		return -ENOENT;
	}
	return 0;
}

/* ---- what the resolver says --------------------------------------------------------------- */

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char log_text[8192];

static void log_line(void *arg, const char *line)
{
	(void)arg;
	pthread_mutex_lock(&log_mu);
	size_t at = strlen(log_text);
	snprintf(log_text + at, sizeof(log_text) - at, "%s\n", line);
	pthread_mutex_unlock(&log_mu);
}

/* How many lines of the log contain S. */
static int said(const char *s)
{
	int n = 0;
	pthread_mutex_lock(&log_mu);
	for (const char *p = log_text; (p = strstr(p, s)); p++)
		n++;
	pthread_mutex_unlock(&log_mu);
	return n;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct saker_rt_dns *dns_new(int refresh_ms, int retry_ms)
{
	struct saker_rt_dns_opts o = { .refresh_ms = refresh_ms, .retry_ms = retry_ms,
				       .slow_ms = 200, .stop_wait_ms = 300,
				       .resolve = fake_resolve, .log = log_line };
	struct saker_rt_dns *d;
	assert_int_equal(saker_rt_dns_new(&d, &o), 0);
	return d;
}

static int match(struct saker_rt_dns *d, const char *name, const char *ip)
{
	uint8_t a[16];
	if (inet_pton(AF_INET, ip, a) == 1)
		return saker_rt_dns_match(d, name, strlen(name), a, 4);
	assert_int_equal(inet_pton(AF_INET6, ip, a), 1);
	return saker_rt_dns_match(d, name, strlen(name), a, 16);
}

/* Waits at most 3 s for NAME to match IP (WANT 1) or to stop matching it (WANT 0). */
static void eventually(struct saker_rt_dns *d, const char *name, const char *ip, int want)
{
	for (int i = 0; i < 300 && match(d, name, ip) != want; i++)
		sleep_ms(10);
	if (match(d, name, ip) != want)
		fail_msg("'%s' %s %s after 3 s", name, want ? "does not match" : "still matches", ip);
}

static int reset(void **state)
{
	(void)state;
	fake_n = 0;
	memset(fake, 0, sizeof(fake));
	log_text[0] = 0;
	return 0;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_match(void **state)
{
	(void)state;
	fake_set("api.test", "10.1.0.1", "fd00::5");
	fake_set("db.test", "10.1.0.2", NULL);
	struct saker_rt_dns *d = dns_new(60000, 60000);
	const char *names[] = { "api.test", "db.test", "api.test" };
	assert_int_equal(saker_rt_dns_set_names(d, names, 3), 0);
	/* before the thread runs nothing is known, and asking does not wait */
	assert_int_equal(match(d, "api.test", "10.1.0.1"), 0);
	/* start waits for the first lookups (bounded) */
	assert_int_equal(saker_rt_dns_start(d, 2000), 0);
	assert_int_equal(match(d, "api.test", "10.1.0.1"), 1);
	assert_int_equal(match(d, "api.test", "fd00::5"), 1);
	assert_int_equal(match(d, "api.test", "::ffff:10.1.0.1"), 0); /* the evaluator maps it */
	assert_int_equal(match(d, "api.test", "10.1.0.2"), 0);
	assert_int_equal(match(d, "db.test", "10.1.0.2"), 1);
	assert_int_equal(match(d, "other.test", "10.1.0.2"), 0);
	assert_int_equal(match(d, "api", "10.1.0.1"), 0);
	/* a name given twice is asked once */
	assert_int_equal(fake_calls("api.test"), 1);
	/* the name of an address: the first name given whose addresses hold it */
	char buf[64];
	uint8_t a[4] = { 10, 1, 0, 2 }, mapped[16] = { 0 };
	assert_string_equal(saker_rt_dns_name_of(d, a, 4, buf, sizeof(buf)), "db.test");
	mapped[10] = mapped[11] = 0xff;
	memcpy(mapped + 12, a, 4);
	assert_string_equal(saker_rt_dns_name_of(d, mapped, 16, buf, sizeof(buf)), "db.test");
	a[3] = 9;
	assert_null(saker_rt_dns_name_of(d, a, 4, buf, sizeof(buf)));
	assert_int_equal(said("dns: 'api.test' resolves to 10.1.0.1, fd00::5"), 1);
	struct saker_rt_dns_stats st;
	saker_rt_dns_stats(d, &st);
	assert_int_equal(st.names, 2);
	assert_int_equal(st.resolved, 2);
	assert_int_equal(st.failures, 0);
	saker_rt_dns_free(d);
}

static void test_refresh(void **state)
{
	(void)state;
	fake_set("api.test", "10.1.0.1", NULL);
	struct saker_rt_dns *d = dns_new(100, 50);
	const char *names[] = { "api.test" };
	assert_int_equal(saker_rt_dns_set_names(d, names, 1), 0);
	assert_int_equal(saker_rt_dns_start(d, 2000), 0);
	assert_int_equal(match(d, "api.test", "10.1.0.1"), 1);
	/* the service moves: within a refresh interval the new address matches, the old no more */
	fake_set("api.test", "10.1.0.7", NULL);
	eventually(d, "api.test", "10.1.0.7", 1);
	assert_int_equal(match(d, "api.test", "10.1.0.1"), 0);
	assert_int_equal(said("dns: 'api.test' resolves to 10.1.0.7"), 1);
	/* asked again every 100 ms, said only when the answer changes */
	int calls = fake_calls("api.test");
	sleep_ms(450);
	assert_true(fake_calls("api.test") >= calls + 2);
	assert_int_equal(said("resolves to"), 2);
	saker_rt_dns_free(d);
}

static void test_failure(void **state)
{
	(void)state;
	struct saker_rt_dns *d = dns_new(100, 30);
	const char *names[] = { "gone.test", "api.test" };
	fake_set("gone.test", NULL, NULL);
	fake_set("api.test", "10.1.0.1", NULL);
	assert_int_equal(saker_rt_dns_set_names(d, names, 2), 0);
	assert_int_equal(saker_rt_dns_start(d, 2000), 0);
	/* a name that never resolved has no address; retried every 30 ms, said once */
	assert_int_equal(match(d, "gone.test", "10.1.0.1"), 0);
	sleep_ms(300);
	assert_true(fake_calls("gone.test") >= 4);
	assert_int_equal(said("dns: cannot resolve 'gone.test': Name or service not known; a check"), 1);
	/* a name whose lookups start failing keeps its last addresses, said once */
	fake_set("api.test", NULL, NULL);
	int calls = fake_calls("api.test");
	for (int i = 0; i < 300 && fake_calls("api.test") < calls + 3; i++)
		sleep_ms(10);
	assert_int_equal(match(d, "api.test", "10.1.0.1"), 1);
	assert_int_equal(said("dns: cannot resolve 'api.test': Name or service not known; keeping its "
			      "last 1 address"), 1);
	/* it resolves again: said, and a later failure is said again */
	fake_set("gone.test", "10.2.0.1", NULL);
	eventually(d, "gone.test", "10.2.0.1", 1);
	assert_int_equal(said("dns: 'gone.test' resolves to 10.2.0.1"), 1);
	fake_set("gone.test", NULL, NULL);
	for (int i = 0; i < 300 && said("cannot resolve 'gone.test'") < 2; i++)
		sleep_ms(10);
	assert_int_equal(said("cannot resolve 'gone.test'"), 2);
	assert_int_equal(match(d, "gone.test", "10.2.0.1"), 1);
	struct saker_rt_dns_stats st;
	saker_rt_dns_stats(d, &st);
	assert_true(st.failures >= 4);
	saker_rt_dns_free(d);
}

/* A lookup that hangs: matches answer at once with what is known, the slowness is said, and
 * shutting down waits only stop_wait_ms. */
static void test_hang(void **state)
{
	(void)state;
	fake_set("slow.test", "10.3.0.1", NULL);
	struct saker_rt_dns *d = dns_new(50, 50);
	const char *names[] = { "slow.test" };
	assert_int_equal(saker_rt_dns_set_names(d, names, 1), 0);
	assert_int_equal(saker_rt_dns_start(d, 2000), 0);
	assert_int_equal(match(d, "slow.test", "10.3.0.1"), 1);
	fake_hang("slow.test", true);
	int calls = fake_calls("slow.test");
	for (int i = 0; i < 300 && fake_calls("slow.test") == calls; i++)
		sleep_ms(10);
	/* the resolver is stuck in a lookup now: 1000 matches take no time at all */
	int64_t t0 = now_ms();
	for (int i = 0; i < 1000; i++)
		assert_int_equal(match(d, "slow.test", "10.3.0.1"), 1);
	assert_true(now_ms() - t0 < 200);
	/* released after 300 ms: the lookup took longer than slow_ms (200), which is said */
	sleep_ms(300);
	fake_hang("slow.test", false);
	for (int i = 0; i < 300 && !said("dns: resolving 'slow.test' took"); i++)
		sleep_ms(10);
	assert_int_equal(said("dns: resolving 'slow.test' took"), 1);
	/* stuck again, and sakerd stops: free returns after stop_wait_ms (300), not when the
	 * lookup ends; the thread ends by itself once released, and frees what is left */
	calls = fake_calls("slow.test");
	fake_hang("slow.test", true);
	for (int i = 0; i < 300 && fake_calls("slow.test") == calls; i++)
		sleep_ms(10);
	t0 = now_ms();
	saker_rt_dns_free(d);
	int64_t took = now_ms() - t0;
	assert_true(took >= 250 && took < 1500);
	fake_hang("slow.test", false);
	sleep_ms(100); /* the detached thread finishes and frees the state (LeakSanitizer checks) */
}

/* A reload's names: those kept keep their addresses (no check goes blind while they are asked
 * again), new ones are asked at once, the others are forgotten. */
static void test_set_names(void **state)
{
	(void)state;
	fake_set("a.test", "10.4.0.1", NULL);
	fake_set("b.test", "10.4.0.2", NULL);
	fake_set("c.test", "10.4.0.3", NULL);
	struct saker_rt_dns *d = dns_new(60000, 60000);
	const char *first[] = { "a.test", "b.test" };
	assert_int_equal(saker_rt_dns_set_names(d, first, 2), 0);
	assert_int_equal(saker_rt_dns_start(d, 2000), 0);
	assert_int_equal(match(d, "a.test", "10.4.0.1"), 1);
	assert_int_equal(match(d, "b.test", "10.4.0.2"), 1);
	fake_hang("a.test", true); /* a second lookup of a.test would block: there must be none */
	const char *second[] = { "c.test", "a.test" };
	assert_int_equal(saker_rt_dns_set_names(d, second, 2), 0);
	assert_int_equal(match(d, "a.test", "10.4.0.1"), 1);
	assert_int_equal(match(d, "b.test", "10.4.0.2"), 0);
	eventually(d, "c.test", "10.4.0.3", 1);
	assert_int_equal(fake_calls("a.test"), 1);
	assert_int_equal(fake_calls("b.test"), 1);
	fake_hang("a.test", false);
	/* no names: nothing matches */
	assert_int_equal(saker_rt_dns_set_names(d, NULL, 0), 0);
	assert_int_equal(match(d, "a.test", "10.4.0.1"), 0);
	saker_rt_dns_free(d);
	/* a resolver never started (no names) frees at once */
	d = dns_new(0, 0);
	assert_int_equal(saker_rt_dns_start(d, 1000), 0);
	saker_rt_dns_free(d);
	saker_rt_dns_free(NULL);
}

/* The system's resolver on a name every host has. */
static void test_system(void **state)
{
	(void)state;
	struct saker_rt_addr a[8];
	size_t n = 0;
	char why[128] = "";
	assert_int_equal(saker_rt_resolve_system(NULL, "localhost", a, 8, &n, why, sizeof(why)), 0);
	assert_true(n >= 1);
	bool loopback = false;
	for (size_t i = 0; i < n; i++)
		loopback |= (a[i].len == 4 && a[i].ip[0] == 127) ||
			    (a[i].len == 16 && a[i].ip[15] == 1 && !a[i].ip[0]);
	assert_true(loopback);
	assert_int_equal(saker_rt_resolve_system(NULL, "10.9.8.7", a, 8, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(a[0].len, 4);
	assert_int_equal(a[0].ip[3], 7);
}

/* Through the residual evaluator and the renderer: fd.sip.name on a connect record. */
static void test_residual(void **state)
{
	(void)state;
	fake_set("kubernetes.default.svc.cluster.local", "10.96.0.1", NULL);
	struct saker_rt_dns *d = dns_new(60000, 60000);
	sk_cexpr *res = ct_parse("fd.sip.name = kubernetes.default.svc.cluster.local and "
				 "fd.sip.name != other.test");
	assert_non_null(res);
	char **names = NULL;
	size_t nn = 0;
	assert_int_equal(saker_rt_dns_collect(res, &names, &nn), 0);
	assert_int_equal(nn, 2);
	assert_string_equal(names[0], "kubernetes.default.svc.cluster.local");
	assert_string_equal(names[1], "other.test");
	assert_int_equal(saker_rt_dns_set_names(d, (const char *const *)names, nn), 0);
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	assert_int_equal(saker_rt_dns_start(d, 2000), 0);

	struct saker_rt_render r = { .hostname = "h", .dns = d };
	struct saker_rule_meta rule = { .name = "k8s api", .residual = res };
	struct saker_rt_residual *rr;
	assert_int_equal(saker_rt_residual_new(&rr), 0);
	struct saker_event *ev = test_event_new(sk_event_lookup("connect"));
	struct saker_tail_net *t = SAKER_EVENT_TAIL_W(ev, net);
	t->s.kind = SAKER_FDK_IPV4; /* a connect: the server is the remote side */
	uint8_t api[4] = { 10, 96, 0, 1 }, other[4] = { 10, 96, 0, 2 };
	memcpy(t->s.rip, api, 4);
	char *scratch = malloc(SAKER_RT_SCRATCH);
	struct sk_field_value v;
	assert_int_equal(saker_rt_residual_eval(rr, &r, &rule, ev), 1);
	saker_rt_field_value(&r, ev, SK_FLD_FD_SIP_NAME, &v, scratch);
	assert_int_equal(v.kind, SK_VAL_STR);
	assert_string_equal(v.s, "kubernetes.default.svc.cluster.local");
	/* the near miss: another address */
	memcpy(t->s.rip, other, 4);
	assert_int_equal(saker_rt_residual_eval(rr, &r, &rule, ev), 0);
	saker_rt_field_value(&r, ev, SK_FLD_FD_SIP_NAME, &v, scratch);
	assert_int_equal(v.kind, SK_VAL_NA);
	/* no resolver: no name has an address */
	r.dns = NULL;
	memcpy(t->s.rip, api, 4);
	assert_int_equal(saker_rt_residual_eval(rr, &r, &rule, ev), 0);
	free(scratch);
	free(ev);
	saker_rt_residual_free(rr);
	saker_rt_dns_free(d);
	ct_free_all();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_match, reset),
		cmocka_unit_test_setup(test_refresh, reset),
		cmocka_unit_test_setup(test_failure, reset),
		cmocka_unit_test_setup(test_hang, reset),
		cmocka_unit_test_setup(test_set_names, reset),
		cmocka_unit_test_setup(test_system, reset),
		cmocka_unit_test_setup(test_residual, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
