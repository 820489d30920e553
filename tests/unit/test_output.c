/* saker-test-lib: saker_rt */
/* The outputs' queues, without a kernel: every alert pushed is delivered, dropped (queue full)
 * or failed (receiver gone), exactly; a file output appends each line whole; a receiver that
 * never reads fills the queue and is given up on at shutdown within the bound; outputs whose
 * receiver is missing count failures instead of blocking. */
#include <errno.h>
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

#include "rt_output.h"

static void tmp_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "/tmp/saker-test-output-%d-%s", (int)getpid(), name);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_file(void **state)
{
	(void)state;
	char path[256], err[256], line[128];
	tmp_path(path, sizeof(path), "file");
	unlink(path);
	struct saker_rt_out_conf c = { .kind = SAKER_OUT_FILE, .json = 1, .target = path };
	struct saker_rt_output *o = NULL;
	assert_int_equal(saker_rt_output_new(&o, &c, err, sizeof(err)), 0);
	assert_true(saker_rt_output_json(o));
	char name[300];
	snprintf(name, sizeof(name), "file:%s", path);
	assert_string_equal(saker_rt_output_name(o), name);
	for (int i = 0; i < 100; i++) {
		int n = snprintf(line, sizeof(line), "{\"n\":%d}", i);
		assert_int_equal(saker_rt_output_push(o, line, (size_t)n, 5), 0);
	}
	struct saker_rt_output_stats st;
	saker_rt_output_free_stats(o, &st);
	assert_int_equal(st.delivered, 100);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.failed, 0);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	for (int i = 0; i < 100; i++) {
		char want[64];
		snprintf(want, sizeof(want), "{\"n\":%d}\n", i);
		assert_non_null(fgets(line, sizeof(line), f));
		assert_string_equal(line, want);
	}
	assert_null(fgets(line, sizeof(line), f));
	fclose(f);
	unlink(path);
}

/* A program that never reads: the pipe fills, then the queue, then pushes are refused. */
static void test_hung_program(void **state)
{
	(void)state;
	char err[256];
	static char big[16384];
	memset(big, 'x', sizeof(big));
	struct saker_rt_out_conf c = { .kind = SAKER_OUT_PROGRAM, .target = "exec sleep 30",
				       .queue = 4 };
	struct saker_rt_output *o = NULL;
	assert_int_equal(saker_rt_output_new(&o, &c, err, sizeof(err)), 0);
	int pushed = 0, refused = 0;
	for (int i = 0; i < 64; i++) {
		int r = saker_rt_output_push(o, big, sizeof(big), 3);
		if (r == 0)
			pushed++;
		else if (r == -ENOBUFS)
			refused++;
		else
			fail_msg("push: %d", r);
		usleep(2000);
	}
	assert_true(refused > 0);
	struct saker_rt_output_stats st;
	saker_rt_output_stats(o, &st);
	assert_int_equal(st.dropped, (uint64_t)refused);
	assert_true(st.depth <= st.capacity);
	assert_int_equal(st.capacity, 4);
	double t0 = now_s();
	saker_rt_output_free_stats(o, &st);
	/* shutdown gives up on the receiver within its bound (2 s, plus a poll step) */
	assert_true(now_s() - t0 < 5);
	assert_int_equal(st.delivered + st.failed, (uint64_t)pushed);
	assert_true(st.failed > 0);
}

/* Receivers that are not there: each alert fails, none blocks. */
static void test_missing_receivers(void **state)
{
	(void)state;
	char err[256], sock[256];
	tmp_path(sock, sizeof(sock), "no-such-socket");
	struct saker_rt_out_conf cs[] = {
		{ .kind = SAKER_OUT_SYSLOG, .target = sock },
		{ .kind = SAKER_OUT_HTTP, .json = 1, .target = "http://127.0.0.1:1/", .timeout_ms = 1000 },
	};
	for (size_t k = 0; k < sizeof(cs) / sizeof(cs[0]); k++) {
		struct saker_rt_output *o = NULL;
		assert_int_equal(saker_rt_output_new(&o, &cs[k], err, sizeof(err)), 0);
		for (int i = 0; i < 5; i++)
			assert_int_equal(saker_rt_output_push(o, "{}", 2, 4), 0);
		saker_rt_output_kick(o);
		struct saker_rt_output_stats st;
		saker_rt_output_free_stats(o, &st);
		assert_int_equal(st.delivered, 0);
		assert_int_equal(st.failed, 5);
	}
}

static void test_bad_config(void **state)
{
	(void)state;
	char err[256];
	struct saker_rt_output *o = NULL;
	struct saker_rt_out_conf c = { .kind = SAKER_OUT_FILE, .target = "/nonexistent/dir/x" };
	assert_int_equal(saker_rt_output_new(&o, &c, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/dir/x: cannot open for appending: No such file or directory");
	struct saker_rt_out_conf h = { .kind = SAKER_OUT_HTTP };
	assert_int_equal(saker_rt_output_new(&o, &h, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "http output: no target");
	saker_rt_output_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_hung_program),
		cmocka_unit_test(test_missing_receivers),
		cmocka_unit_test(test_bad_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
