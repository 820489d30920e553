/* saker-test-lib: saker_rt */
/* sakerd's configuration file: every key read into its place, Falco's defaults, the rule
 * selection, and each kind of mistake reported at its line and column with the exact text
 * (unknown keys with a did-you-mean, wrong types, bad values, missing targets, bad YAML). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rt_config.h"
#include "saker/bundle.h"

/* Loads TEXT; returns the rendered diagnostics (malloc'd) and the load's result in *RET. */
static __attribute__((noinline)) char *load(struct saker_rt_config *c, const char *text, int *ret)
{
	char *buf = NULL;
	size_t n = 0;
	sk_diag *d = sk_diag_new();
	saker_rt_config_init(c);
	*ret = saker_rt_config_load_string(c, "sakerd.yaml", text, strlen(text), d);
	FILE *f = open_memstream(&buf, &n);
	sk_diag_render(d, SK_DIAG_TEXT, f);
	fclose(f);
	sk_diag_free(d);
	return buf;
}

static void expect_error(const char *text, const char *want)
{
	struct saker_rt_config c;
	int ret;
	char *got = load(&c, text, &ret);
	assert_int_equal(ret, -1);
	assert_string_equal(got, want);
	free(got);
	saker_rt_config_fini(&c);
}

static void test_defaults(void **state)
{
	(void)state;
	struct saker_rt_config c;
	int ret;
	char *got = load(&c, "", &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(got, "");
	assert_true(c.out[SAKER_OUT_STDOUT].enabled);
	assert_false(c.out[SAKER_OUT_FILE].enabled);
	assert_int_equal(c.out[SAKER_OUT_STDOUT].format, -1);
	assert_int_equal(c.min_priority, SAKER_PRIO_DEBUG);
	assert_false(c.json_output);
	assert_false(c.json_omit_output);
	assert_false(c.json_omit_tags);
	assert_false(c.json_message);
	assert_true(c.rate == 0);
	free(got);
	saker_rt_config_fini(&c);
}

static void test_every_key(void **state)
{
	(void)state;
	struct saker_rt_config c;
	int ret;
	char *got = load(&c,
			 "bundles: [/a.saker, /b.saker]\n"
			 "priority: warning\n"
			 "json_output: true\n"
			 "json_include_output_property: false\n"
			 "json_include_output_fields_property: false\n"
			 "json_include_tags_property: false\n"
			 "json_include_message_property: true\n"
			 "rules:\n"
			 "  - disable: {tag: network}\n"
			 "  - enable: {rule: 'Write *'}\n"
			 "ring_buffer_size: 16M\n"
			 "rate_limit: {rate: 2.5, max_burst: 10}\n"
			 "outputs_queue: {capacity: 50}\n"
			 "stdout_output: {enabled: false}\n"
			 "file_output: {enabled: true, filename: /var/log/x.json, format: json}\n"
			 "syslog_output: {enabled: yes, socket: /dev/log, format: text}\n"
			 "program_output:\n"
			 "  enabled: true\n"
			 "  program: jq -c .\n"
			 "  queue_capacity: 7\n"
			 "http_output:\n"
			 "  enabled: true\n"
			 "  url: https://h.example/x\n"
			 "  insecure: true\n"
			 "  ca_cert: /ca.pem\n"
			 "  user_agent: me\n"
			 "  timeout_ms: 250\n"
			 "metrics: {enabled: true, address: '[::1]:9376'}\n"
			 "health: {events_within_s: 30}\n"
			 "stats_file: /run/s.json\n"
			 "container_socket: ''\n"
			 "trusted_keys: /etc/saker/ci.pub\n"
			 "user: saker\n",
			 &ret);
	assert_string_equal(got, "");
	assert_int_equal(ret, 0);
	assert_int_equal(c.n_bundles, 2);
	assert_string_equal(c.bundles[1], "/b.saker");
	assert_int_equal(c.min_priority, SAKER_PRIO_WARNING);
	assert_true(c.json_output && c.json_omit_output && c.json_omit_output_fields &&
		    c.json_omit_tags && c.json_message);
	assert_int_equal(c.n_select, 2);
	assert_false(c.select[0].enable);
	assert_true(c.select[0].by_tag);
	assert_string_equal(c.select[0].pattern, "network");
	assert_true(c.select[1].enable);
	assert_false(c.select[1].by_tag);
	assert_string_equal(c.select[1].pattern, "Write *");
	assert_int_equal(c.ring_bytes, 16u << 20);
	assert_true(c.rate == 2.5 && c.burst == 10);
	assert_int_equal(c.queue, 50);
	assert_false(c.out[SAKER_OUT_STDOUT].enabled);
	assert_true(c.out[SAKER_OUT_FILE].enabled);
	assert_int_equal(c.out[SAKER_OUT_FILE].format, 1);
	assert_string_equal(c.out[SAKER_OUT_FILE].target, "/var/log/x.json");
	assert_int_equal(c.out[SAKER_OUT_SYSLOG].format, 0);
	assert_string_equal(c.out[SAKER_OUT_PROGRAM].target, "jq -c .");
	assert_int_equal(c.out[SAKER_OUT_PROGRAM].queue, 7);
	assert_true(c.out[SAKER_OUT_HTTP].insecure);
	assert_string_equal(c.out[SAKER_OUT_HTTP].ca_cert, "/ca.pem");
	assert_string_equal(c.out[SAKER_OUT_HTTP].user_agent, "me");
	assert_int_equal(c.out[SAKER_OUT_HTTP].timeout_ms, 250);
	assert_true(c.metrics_enabled);
	assert_string_equal(c.metrics_addr, "[::1]:9376");
	assert_true(c.health_window_s == 30);
	assert_string_equal(c.stats_file, "/run/s.json");
	assert_true(c.container_socket_set);
	assert_string_equal(c.container_socket, "");
	assert_int_equal(c.n_trusted_keys, 1);
	assert_string_equal(c.trusted_keys[0], "/etc/saker/ci.pub");
	assert_string_equal(c.user, "saker");
	free(got);
	saker_rt_config_fini(&c);
}

static void test_unknown_keys(void **state)
{
	(void)state;
	expect_error("priority: debug\njson_outptu: true\n",
		     "sakerd.yaml:2:1: error: unknown key 'json_outptu'\n"
		     "    2 | json_outptu: true\n"
		     "      | ^~~~~~~~~~~\n"
		     "sakerd.yaml:2:1: note: did you mean 'json_output'?\n"
		     "    2 | json_outptu: true\n"
		     "      | ^~~~~~~~~~~\n");
	expect_error("file_output:\n  enabled: true\n  file: /x\n",
		     "sakerd.yaml:3:3: error: unknown key 'file' in 'file_output'\n"
		     "    3 |   file: /x\n"
		     "      |   ^~~~\n"
		     "sakerd.yaml:1:1: error: 'file_output' is enabled but has no 'filename'\n"
		     "    1 | file_output:\n"
		     "      | ^~~~~~~~~~~\n");
	expect_error("rules:\n  - disabel: {rule: x}\n",
		     "sakerd.yaml:2:5: error: unknown key 'disabel' in a 'rules' item\n"
		     "    2 |   - disabel: {rule: x}\n"
		     "      |     ^~~~~~~\n"
		     "sakerd.yaml:2:5: note: did you mean 'disable'?\n"
		     "    2 |   - disabel: {rule: x}\n"
		     "      |     ^~~~~~~\n");
	expect_error("zzz: 1\n", "sakerd.yaml:1:1: error: unknown key 'zzz'\n"
				     "    1 | zzz: 1\n"
				     "      | ^~~\n");
}

static void test_bad_values(void **state)
{
	(void)state;
	expect_error("priority: loud\n",
		     "sakerd.yaml:1:11: error: 'loud' is not a priority (emergency, alert, critical, error, warning, notice, informational, debug)\n"
		     "    1 | priority: loud\n"
		     "      |           ^~~~\n");
	expect_error("ring_buffer_size: 3M\n",
		     "sakerd.yaml:1:19: error: 'ring_buffer_size' needs a power of two from 16K to 1G (bytes, or with a K, M or G suffix), not '3M'\n"
		     "    1 | ring_buffer_size: 3M\n"
		     "      |                   ^~\n");
	expect_error("backend: fentry\n",
		     "sakerd.yaml:1:10: error: 'fentry' is not a back end (auto, tracepoint, lsm)\n"
		     "    1 | backend: fentry\n"
		     "      |          ^~~~~~\n");
	expect_error("json_output: maybe\n",
		     "sakerd.yaml:1:14: error: 'json_output' must be true or false, not 'maybe'\n"
		     "    1 | json_output: maybe\n"
		     "      |              ^~~~~\n");
	expect_error("metrics: {address: localhost}\n",
		     "sakerd.yaml:1:20: error: 'address' needs HOST:PORT (e.g. 127.0.0.1:9376), not 'localhost'\n"
		     "    1 | metrics: {address: localhost}\n"
		     "      |                    ^~~~~~~~~\n");
	expect_error("rate_limit: {rate: -1}\n",
		     "sakerd.yaml:1:20: error: 'rate' needs a number from 0 up, not '-1'\n"
		     "    1 | rate_limit: {rate: -1}\n"
		     "      |                    ^~\n");
	expect_error("stdout_output: {format: xml}\n",
		     "sakerd.yaml:1:25: error: 'format' is text or json, not 'xml'\n"
		     "    1 | stdout_output: {format: xml}\n"
		     "      |                         ^~~\n");
	expect_error("bundles: {a: b}\n",
		     "sakerd.yaml:1:10: error: 'bundles' must be a list of paths\n"
		     "    1 | bundles: {a: b}\n"
		     "      |          ^~~~~~\n");
	expect_error("- a\n- b\n",
		     "sakerd.yaml:1:1: error: the configuration must be a mapping of keys to values\n"
		     "    1 | - a\n"
		     "      | ^~~\n");
	expect_error("priority: debug\npriority: info\n",
		     "sakerd.yaml:2:1: error: key 'priority' appears twice\n"
		     "    2 | priority: info\n"
		     "      | ^~~~~~~~\n");
}

static void test_bad_yaml(void **state)
{
	(void)state;
	expect_error("stdout_output: {enabled: true\n",
		     "sakerd.yaml:2:1: error: invalid YAML: did not find expected ',' or '}' while parsing a flow mapping\n"
		     "    2 | \n"
		     "      | ^\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_yaml),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
