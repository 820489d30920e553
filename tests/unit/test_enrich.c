/* saker-test-lib: saker_rt */
/* Container lookups against a fake runtime API (tests/e2e/saker_fake_runtime.c) on a unix socket:
 * podman's libpod API and the Docker-compatible one, every field, the cache, 404s and bad
 * replies, and the promise to the event loop: a runtime that answers slowly or never costs at
 * most one bounded wait, then <NA> at once, counted, and shutting down does not wait for it. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "rt.h"
#include "saker/fields.h"

#define FAKE SAKER_BINARY_DIR "/tests/saker_fake_runtime"
#define ID1 "0123456789ab"
#define ID2 "fedcba987654"

static char dir[] = "/tmp/saker-test-enrich-XXXXXX";
static char sock[256], logf[256];
static pid_t fake; /* the running fake runtime, killed after each test even when it fails */

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(sock, sizeof(sock), "%s/api.sock", dir);
	snprintf(logf, sizeof(logf), "%s/requests.log", dir);
	setenv("TZ", "UTC", 1);
	tzset();
	unsetenv("SAKER_CONTAINER_API");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

/* Writes BODY to DIR/NAME and returns "ID=path" for the fake's command line (static buffers). */
static const char *body_arg(const char *id, const char *name, const char *body)
{
	static char args[8][512];
	static int next;
	char path[300];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(body, f);
	fclose(f);
	char *a = args[next++ % 8];
	snprintf(a, 512, "%s=%s", id, path);
	return a;
}

/* Starts the fake runtime with ARGS (NULL-terminated) and waits for its socket. */
static pid_t start_fake_v(const char *const *args)
{
	const char *argv[64] = { FAKE, sock, "--log", logf };
	int n = 4;
	for (; *args; args++) {
		assert_true(n < 63);
		argv[n++] = *args;
	}
	argv[n] = NULL;
	unlink(sock);
	unlink(logf);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Not the test's output: a fake left behind must not hold cmocka's pipe open. */
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execv(FAKE, (char **)argv);
		_exit(127);
	}
	fake = pid;
	for (int i = 0; i < 500 && access(sock, F_OK); i++)
		sleep_ms(10);
	assert_int_equal(access(sock, F_OK), 0);
	return pid;
}

static pid_t start_fake(const char *arg, ...)
{
	const char *args[32];
	int n = 0;
	va_list ap;
	va_start(ap, arg);
	for (const char *a = arg; a; a = va_arg(ap, const char *)) {
		assert_true(n < 31);
		args[n++] = a;
	}
	va_end(ap);
	args[n] = NULL;
	return start_fake_v(args);
}

static void stop_fake(pid_t pid)
{
	int status;
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	fake = 0;
}

static int after_test(void **state)
{
	(void)state;
	if (fake)
		stop_fake(fake);
	return 0;
}

/* The requests the fake saw, one "GET /path" per line. */
static char *requests(void)
{
	static char buf[8192];
	buf[0] = 0;
	FILE *f = fopen(logf, "r");
	if (f) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = 0;
		fclose(f);
	}
	return buf;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static struct saker_rt_enrich *enrich(int wait_ms, int timeout_ms, int retry_ms, const char *api)
{
	struct saker_rt_enrich_opts o = { .socket = sock, .wait_ms = wait_ms,
					  .timeout_ms = timeout_ms, .retry_ms = retry_ms, .api = api };
	struct saker_rt_enrich *e;
	assert_int_equal(saker_rt_enrich_new_opts(&e, &o), 0);
	return e;
}

/* Looks ID up until it is known, for at most 5 s (for lookups that do not wait). */
static const struct saker_rt_container *eventually(struct saker_rt_enrich *e, const char *id)
{
	const struct saker_rt_container *c = NULL;
	for (int i = 0; i < 500 && !c; i++) {
		c = saker_rt_container_lookup(e, id);
		if (!c)
			sleep_ms(10);
	}
	return c;
}

static const char libpod_body[] =
	"{\"Id\":\"0123456789abcdef\",\"Name\":\"web\",\"ImageName\":\"localhost/app:1.2\","
	"\"Image\":\"bb7f915a17d3e3211770f2776af1ee6401f260259773469db61e29c396e424d8\","
	"\"State\":{\"Running\":true,\"StartedAt\":\"2024-06-18T16:02:31.123456789+02:00\"},"
	"\"HostConfig\":{\"Privileged\":true},\"Config\":{\"Image\":\"localhost/app:1.2\","
	"\"Labels\":{\"io.kubernetes.pod.namespace\":\"payments\",\"io.kubernetes.pod.name\":"
	"\"web-7d4b9\",\"io.kubernetes.pod.uid\":\"5f0c1e2a-0b7e-4c1d-9a57-3c1e0f3b2a11\","
	"\"n\":7}}}";
static const char docker_body[] =
	"{\"Id\":\"fedcba9876543210\",\"Name\":\"/db\",\"Image\":\"sha256:"
	"c0ffee0123456789abcdef0123456789abcdef0123456789abcdef0123456789\","
	"\"State\":{\"StartedAt\":\"2024-06-18T14:02:31.5Z\"},\"HostConfig\":{\"Privileged\":false},"
	"\"Config\":{\"Image\":\"registry.example:5000/team/db\",\"Labels\":{\"a\":\"b\"}}}";

/* C is what the runtime said: NAME, IMAGE, REPO, TAG, IMAGE_ID, TYPE, PRIV, START_NS. */
static void expect_container(const struct saker_rt_container *c, const char *name,
			     const char *image, const char *repo, const char *tag,
			     const char *image_id, const char *type, bool priv, uint64_t start_ns)
{
	assert_non_null(c);
	assert_string_equal(c->name, name);
	assert_string_equal(c->image, image);
	assert_string_equal(c->repository, repo);
	assert_string_equal(c->tag, tag);
	assert_string_equal(c->image_id, image_id);
	assert_string_equal(c->type, type);
	assert_true(c->has_privileged);
	assert_int_equal(c->privileged, priv);
	assert_true(c->has_start_ts);
	assert_int_equal(c->start_ts_ns, start_ns);
}

#define ANY UINT64_MAX /* a counter expect_stats does not check */

/* E's counters are these (ANY: not checked). */
static void expect_stats(struct saker_rt_enrich *e, uint64_t requests, uint64_t answered,
			 uint64_t unknown, uint64_t failed, uint64_t na, uint64_t waits_expired)
{
	struct saker_rt_enrich_stats st;
	saker_rt_enrich_stats(e, &st);
	const uint64_t got[] = { st.requests, st.answered, st.unknown, st.failed, st.na,
				 st.waits_expired };
	const uint64_t want[] = { requests, answered, unknown, failed, na, waits_expired };
	for (size_t i = 0; i < sizeof(got) / sizeof(got[0]); i++)
		if (want[i] != ANY && got[i] != want[i])
			fail_msg("counter %zu (requests, answered, unknown, failed, na, waits_expired) is "
				 "%llu, want %llu", i, (unsigned long long)got[i], (unsigned long long)want[i]);
}

static void test_libpod(void **state)
{
	(void)state;
	pid_t pid = start_fake("--api", "libpod", body_arg(ID1, "web.json", libpod_body), NULL);
	struct saker_rt_enrich *e = enrich(2000, 2000, 2000, NULL);
	const struct saker_rt_container *c = saker_rt_container_lookup(e, ID1);
	/* StartedAt 16:02:31.123456789+02:00 is 14:02:31.123456789Z. */
	expect_container(c, "web", "localhost/app:1.2", "localhost/app", "1.2", "bb7f915a17d3",
			 "podman", true, 1718719351123456789ull);
	/* It learnt the API from /_ping, then asked libpod's path. */
	assert_string_equal(requests(), "GET /_ping\nGET /v4.0.0/libpod/containers/" ID1 "/json\n");
	/* Cached: no second request. */
	for (int i = 0; i < 100; i++)
		assert_ptr_equal(saker_rt_container_lookup(e, ID1), c);
	assert_int_equal(count_lines(requests()), 2);

	/* An id the runtime does not know: 404, <NA>, asked again only after retry_ms. */
	assert_null(saker_rt_container_lookup(e, ID2));
	assert_null(saker_rt_container_lookup(e, ID2));
	assert_int_equal(count_lines(requests()), 3);
	expect_stats(e, 2, 1, 1, 0, 2, 0);
	/* Not hex: never sent anywhere. */
	assert_null(saker_rt_container_lookup(e, "../../x"));
	assert_null(saker_rt_container_lookup(e, "0123456789AB"));
	assert_int_equal(count_lines(requests()), 3);
	saker_rt_enrich_free(e);
	stop_fake(pid);
}

static void test_docker(void **state)
{
	(void)state;
	pid_t pid = start_fake("--api", "docker", body_arg(ID2, "db.json", docker_body), NULL);
	struct saker_rt_enrich *e = enrich(2000, 2000, 100, NULL);
	const struct saker_rt_container *c = saker_rt_container_lookup(e, ID2);
	/* The registry port's colon is not a tag: no tag means latest. */
	expect_container(c, "db", "registry.example:5000/team/db", "registry.example:5000/team/db",
			 "latest", "c0ffee012345", "docker", false, 1718719351500000000ull);
	/* Docker's labels are where libpod has them; no pod labels: not in Kubernetes */
	assert_string_equal(saker_rt_container_label(c, "a"), "b");
	assert_null(saker_rt_container_label(c, "io.kubernetes.pod.namespace"));
	assert_string_equal(requests(), "GET /_ping\nGET /containers/" ID2 "/json\n");
	/* A 404 is asked again once retry_ms (100 ms) has passed. */
	assert_null(saker_rt_container_lookup(e, ID1));
	sleep_ms(150);
	assert_null(saker_rt_container_lookup(e, ID1));
	assert_int_equal(count_lines(requests()), 4);
	saker_rt_enrich_free(e);
	stop_fake(pid);

	/* Forced to the Docker API on a podman socket: no /_ping, the compatible path. */
	pid = start_fake("--api", "libpod", body_arg(ID2, "db2.json", docker_body), NULL);
	e = enrich(2000, 2000, 2000, "docker");
	c = saker_rt_container_lookup(e, ID2);
	assert_non_null(c);
	assert_string_equal(c->type, "docker");
	assert_string_equal(requests(), "GET /containers/" ID2 "/json\n");
	saker_rt_enrich_free(e);
	/* ...and to libpod's by the environment. */
	setenv("SAKER_CONTAINER_API", "libpod", 1);
	e = enrich(2000, 2000, 2000, NULL);
	unlink(logf);
	c = saker_rt_container_lookup(e, ID2);
	assert_non_null(c);
	assert_string_equal(c->type, "podman");
	assert_string_equal(requests(), "GET /v4.0.0/libpod/containers/" ID2 "/json\n");
	unsetenv("SAKER_CONTAINER_API");
	saker_rt_enrich_free(e);
	stop_fake(pid);
}

/* Replies that are not a container description, and the edges of the fields. */
static void test_bad_replies(void **state)
{
	(void)state;
	/* Not JSON, a JSON array, a 500, a body over the 1 MiB limit. */
	pid_t pid = start_fake("--api", "docker", body_arg(ID1, "bad.json", "{\"Name\": \"x\""),
			       body_arg(ID2, "arr.json", "[1,2]"), NULL);
	struct saker_rt_enrich *e = enrich(2000, 2000, 2000, NULL);
	assert_null(saker_rt_container_lookup(e, ID1));
	assert_null(saker_rt_container_lookup(e, ID2));
	expect_stats(e, 2, 0, 0, 2, 2, 0);
	saker_rt_enrich_free(e);
	stop_fake(pid);

	pid = start_fake("--api", "docker", "--status", "500", NULL);
	e = enrich(2000, 2000, 2000, NULL);
	assert_null(saker_rt_container_lookup(e, ID1));
	expect_stats(e, 1, 0, 0, 1, 1, 0);
	saker_rt_enrich_free(e);
	stop_fake(pid);

	char *big = malloc((2 << 20) + 64);
	assert_non_null(big);
	strcpy(big, "{\"Name\":\"");
	memset(big + 9, 'a', 2 << 20);
	strcpy(big + 9 + (2 << 20), "\"}");
	pid = start_fake("--api", "docker", body_arg(ID1, "big.json", big), NULL);
	free(big);
	e = enrich(2000, 2000, 2000, NULL);
	assert_null(saker_rt_container_lookup(e, ID1));
	expect_stats(e, 1, 0, 0, 1, 1, 0);
	saker_rt_enrich_free(e);
	stop_fake(pid);

	/* Minimal and odd descriptions: what is missing stays unknown, nothing else breaks. */
	pid = start_fake("--api", "docker",
			 body_arg(ID1, "min.json", "{\"Name\":\"/\",\"State\":{\"StartedAt\":\"0001-01-01T00:00:00Z\"},"
				  "\"Image\":\"sha256:xyz\",\"HostConfig\":{\"Privileged\":\"yes\"}}"),
			 body_arg(ID2, "digest.json", "{\"Config\":{\"Image\":\"repo/x@sha256:0123\"},"
				  "\"State\":{\"StartedAt\":\"2024-06-18T08:32:31-05:30\"}}"),
			 NULL);
	e = enrich(2000, 2000, 2000, NULL);
	const struct saker_rt_container *c = saker_rt_container_lookup(e, ID1);
	assert_non_null(c);
	assert_string_equal(c->name, "/");
	assert_null(c->image);
	assert_null(c->repository);
	assert_null(c->tag);
	assert_null(c->image_id);
	assert_false(c->has_privileged);
	assert_false(c->has_start_ts); /* never started */
	c = saker_rt_container_lookup(e, ID2);
	assert_non_null(c);
	assert_null(c->name);
	assert_string_equal(c->repository, "repo/x");
	assert_null(c->tag); /* a digest, no tag */
	assert_int_equal(c->start_ts_ns, 1718719351000000000ull);
	saker_rt_enrich_free(e);
	stop_fake(pid);
}

/* A runtime that accepts and never answers: the first lookup waits wait_ms, then nothing waits,
 * and freeing does not wait for the hanging requests. */
static void test_never_answers(void **state)
{
	(void)state;
	pid_t pid = start_fake("--api", "docker", "--never", NULL);
	struct saker_rt_enrich *e = enrich(150, 10000, 2000, NULL);
	int64_t t0 = mono_ms();
	assert_null(saker_rt_container_lookup(e, ID1));
	int64_t t1 = mono_ms();
	assert_true(t1 - t0 >= 140);
	assert_true(t1 - t0 < 1000);
	/* The same id, another id, many times: no wait at all now. */
	for (int i = 0; i < 1000; i++) {
		assert_null(saker_rt_container_lookup(e, ID1));
		assert_null(saker_rt_container_lookup(e, ID2));
	}
	int64_t t2 = mono_ms();
	assert_true(t2 - t1 < 100);
	expect_stats(e, ANY, 0, 0, ANY, 2001, 1);
	saker_rt_enrich_free(e);
	assert_true(mono_ms() - t2 < 1000); /* the worker stopped without its 10 s timeout */
	stop_fake(pid);
}

/* A slow runtime (400 ms): the first lookup gives up after wait_ms; the answer arrives later and
 * is then served from the cache without waiting. */
static void test_slow(void **state)
{
	(void)state;
	pid_t pid = start_fake("--api", "libpod", "--delay-ms", "400",
			       body_arg(ID1, "slow.json", libpod_body), NULL);
	struct saker_rt_enrich *e = enrich(100, 5000, 2000, NULL);
	int64_t t0 = mono_ms();
	assert_null(saker_rt_container_lookup(e, ID1));
	assert_true(mono_ms() - t0 < 350);
	sleep_ms(700);
	int64_t t1 = mono_ms();
	const struct saker_rt_container *c = saker_rt_container_lookup(e, ID1);
	assert_true(mono_ms() - t1 < 50);
	assert_non_null(c);
	assert_string_equal(c->name, "web");
	expect_stats(e, 1, 1, 0, 0, 1, 1);
	saker_rt_enrich_free(e);
	stop_fake(pid);
}

/* No runtime on the socket, and none configured. */
static void test_no_runtime(void **state)
{
	(void)state;
	unlink(sock);
	struct saker_rt_enrich *e = enrich(1000, 1000, 2000, NULL);
	int64_t t0 = mono_ms();
	assert_null(saker_rt_container_lookup(e, ID1));
	assert_true(mono_ms() - t0 < 500);
	assert_null(saker_rt_container_lookup(e, ID2));
	struct saker_rt_enrich_stats st;
	saker_rt_enrich_stats(e, &st);
	assert_true(st.failed >= 1);
	expect_stats(e, ANY, 0, 0, ANY, 2, ANY);
	saker_rt_enrich_free(e);

	struct saker_rt_enrich_opts off = { .socket = "" };
	assert_int_equal(saker_rt_enrich_new_opts(&e, &off), 0);
	assert_null(saker_rt_container_lookup(e, ID1));
	expect_stats(e, 0, 0, 0, 0, 1, 0);
	saker_rt_enrich_free(e);
	saker_rt_enrich_free(NULL);
}

/* Many containers at once, more than the worker has requests open: all are answered. */
static void test_many(void **state)
{
	(void)state;
	const char *args[40];
	char ids[30][16];
	int n = 0;
	args[n++] = "--api";
	args[n++] = "docker";
	args[n++] = "--delay-ms";
	args[n++] = "50";
	for (int i = 0; i < 30; i++) {
		snprintf(ids[i], sizeof(ids[i]), "%012x", 0xa00000 + i);
		char name[32];
		snprintf(name, sizeof(name), "c%d.json", i);
		char body[128];
		snprintf(body, sizeof(body), "{\"Name\":\"/c%d\"}", i);
		args[n++] = strdup(body_arg(ids[i], name, body));
	}
	args[n] = NULL;
	pid_t pid = start_fake_v(args);
	struct saker_rt_enrich *e = enrich(0, 5000, 2000, NULL);
	for (int i = 0; i < 30; i++)
		assert_null(saker_rt_container_lookup(e, ids[i])); /* wait_ms 0: never waits */
	for (int i = 0; i < 30; i++) {
		const struct saker_rt_container *c = eventually(e, ids[i]);
		assert_non_null(c);
		char want[16];
		snprintf(want, sizeof(want), "c%d", i);
		assert_string_equal(c->name, want);
	}
	for (int i = 4; i < n; i++)
		free((char *)args[i]);
	saker_rt_enrich_free(e);
	stop_fake(pid);
}

/* The fields in alert lines, through saker_rt_field_value. */
static void test_render_fields(void **state)
{
	(void)state;
	pid_t pid = start_fake("--api", "libpod", body_arg(ID1, "r.json", libpod_body), NULL);
	struct saker_rt_enrich *e = enrich(2000, 2000, 2000, NULL);
	struct saker_rt_render r = { .hostname = "h", .enrich = e };
	struct saker_event *ev = calloc(1, sizeof(*ev));
	char *scratch = malloc(SAKER_RT_SCRATCH);
	struct sk_field_value v;
	ev->h.flags = SAKER_EVF_CONTAINER;
	strcpy(ev->h.container_id, ID1);
	static const struct {
		const char *field, *want;
	} cases[] = {
		{ "container.name", "web" }, { "container.image", "localhost/app:1.2" },
		{ "container.image.name", "localhost/app:1.2" },
		{ "container.image.repository", "localhost/app" }, { "container.image.tag", "1.2" },
		{ "container.image.id", "bb7f915a17d3" }, { "container.type", "podman" },
		/* Kubernetes' CRI labels on the container */
		{ "k8s.ns.name", "payments" }, { "k8s.pod.name", "web-7d4b9" },
		{ "k8s.pod.uid", "5f0c1e2a-0b7e-4c1d-9a57-3c1e0f3b2a11" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		saker_rt_field_value(&r, ev, sk_field_lookup(cases[i].field), &v, scratch);
		assert_int_equal(v.kind, SK_VAL_STR);
		assert_string_equal(v.s, cases[i].want);
	}
	saker_rt_field_value(&r, ev, SK_FLD_CONTAINER_PRIVILEGED, &v, scratch);
	assert_int_equal(v.kind, SK_VAL_BOOL);
	assert_true(v.b);
	/* a label that is no string is left out; one not there is no value */
	const struct saker_rt_container *c = saker_rt_container_lookup(e, ID1);
	assert_int_equal(c->n_labels, 3);
	assert_null(saker_rt_container_label(c, "n"));
	assert_null(saker_rt_container_label(c, "io.kubernetes.container.name"));
	saker_rt_field_value(&r, ev, SK_FLD_CONTAINER_START_TS, &v, scratch);
	assert_int_equal(v.kind, SK_VAL_U64);
	assert_int_equal(v.u, 1718719351123456789ull);
	/* On the host: a name, and nothing asked. */
	ev->h.flags = 0;
	strcpy(ev->h.container_id, "host");
	saker_rt_field_value(&r, ev, SK_FLD_CONTAINER_NAME, &v, scratch);
	assert_string_equal(v.s, "host");
	saker_rt_field_value(&r, ev, SK_FLD_CONTAINER_PRIVILEGED, &v, scratch);
	assert_int_equal(v.kind, SK_VAL_NA);
	saker_rt_field_value(&r, ev, SK_FLD_K8S_NS_NAME, &v, scratch);
	assert_int_equal(v.kind, SK_VAL_NA);
	free(scratch);
	free(ev);
	saker_rt_enrich_free(e);
	stop_fake(pid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_libpod, after_test),
		cmocka_unit_test_teardown(test_docker, after_test),
		cmocka_unit_test_teardown(test_bad_replies, after_test),
		cmocka_unit_test_teardown(test_never_answers, after_test),
		cmocka_unit_test_teardown(test_slow, after_test),
		cmocka_unit_test_teardown(test_no_runtime, after_test),
		cmocka_unit_test_teardown(test_many, after_test),
		cmocka_unit_test_teardown(test_render_fields, after_test),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
