/* saker-test-lib: saker_front */
/* The diagnostics module: positions, text rendering (source line, caret, tilde underline,
 * notes), counts and --werror, and the JSON and SARIF documents (checked to be valid JSON). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "diag.h"

/* noinline: gcc 12 at -O2 mistakes the open_memstream buffer for a dangling local. */
static __attribute__((noinline)) char *render(const sk_diag *d, enum sk_diag_format fmt)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	sk_diag_render(d, fmt, f);
	fclose(f);
	return buf;
}

static sk_span span(uint32_t file, uint32_t off, uint32_t len)
{
	sk_span s = { file, off, len };
	return s;
}

/* DOC is one valid JSON document (jansson parses it, checking UTF-8 too), and a newline. */
static void assert_json(const char *doc)
{
	json_error_t e;
	json_t *j = json_loads(doc, 0, &e);
	if (!j) {
		print_error("invalid JSON at offset %d (%s):\n%s\n", e.position, e.text, doc);
		fail();
	}
	json_decref(j);
	assert_true(strlen(doc) > 0 && doc[strlen(doc) - 1] == '\n');
}

/* ---- tests ---- */

static const char *rules =
	"- rule: write\n"
	"  condition: >\n"
	"    evt.type = open and fd.flags.O_WRONLY = 1\n";

static void test_position(void **state)
{
	(void)state;
	sk_diag *d = sk_diag_new();
	uint32_t f = sk_diag_add_file(d, "rules.yaml", rules, strlen(rules));
	assert_int_equal(f, 1);
	assert_string_equal(sk_diag_file_name(d, f), "rules.yaml");
	assert_null(sk_diag_file_name(d, 0));
	assert_null(sk_diag_file_name(d, 7));
	unsigned line, col;
	sk_diag_position(d, span(f, 0, 0), &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 1);
	const char *at = strstr(rules, "fd.flags");
	sk_diag_position(d, span(f, (uint32_t)(at - rules), 1), &line, &col);
	assert_int_equal(line, 3);
	assert_int_equal(col, 25);
	sk_diag_position(d, span(f, (uint32_t)strlen(rules), 0), &line, &col); /* the end */
	assert_int_equal(line, 4);
	assert_int_equal(col, 1);
	sk_diag_position(d, span(0, 5, 1), &line, &col);
	assert_int_equal(line, 0);
	assert_int_equal(col, 0);
	sk_diag_free(d);
	sk_diag_free(NULL);
}

static void test_text_span(void **state)
{
	(void)state;
	uint32_t map[] = { 10, 11, 12, 20, 21, 22 };
	sk_text t = { .str = "abcdef", .len = 5, .file = 3, .map = map };
	sk_span s = sk_text_span(&t, 1, 3);
	assert_int_equal(s.file, 3);
	assert_int_equal(s.off, 11);
	assert_int_equal(s.len, 10);
	s = sk_text_span(&t, 5, 0); /* i == len is mapped too */
	assert_int_equal(s.off, 22);
	assert_int_equal(s.len, 0);
	sk_text u = { .str = "abc", .len = 3, .file = 2, .base = 100 };
	s = sk_text_span(&u, 1, 2);
	assert_int_equal(s.off, 101);
	assert_int_equal(s.len, 2);
	s = sk_text_span(&u, 2, 50); /* clamped to the text */
	assert_int_equal(s.off, 102);
	assert_int_equal(s.len, 1);
}

static void test_render_text(void **state)
{
	(void)state;
	sk_diag *d = sk_diag_new();
	uint32_t f = sk_diag_add_file(d, "rules.yaml", rules, strlen(rules));
	uint32_t off = (uint32_t)(strstr(rules, "fd.flags") - rules);
	sk_error(d, span(f, off, 17), "unknown-field", "unknown field '%s'", "fd.flags.O_WRONLY");
	sk_note(d, span(f, off, 17), "did you mean '%s'?", "evt.arg.flags contains O_WRONLY");
	sk_note(d, span(0, 0, 0), "fields are listed by 'saker fields'");
	sk_warning(d, span(f, 2, 4), "style", "rule names are short");
	sk_error(d, span(0, 0, 0), "io", "cannot open '%s'", "x.yaml");
	char *out = render(d, SK_DIAG_TEXT);
	assert_string_equal(out,
			    "rules.yaml:3:25: error: unknown field 'fd.flags.O_WRONLY'\n"
			    "    3 |     evt.type = open and fd.flags.O_WRONLY = 1\n"
			    "      |                         ^~~~~~~~~~~~~~~~~\n"
			    "rules.yaml:3:25: note: did you mean 'evt.arg.flags contains O_WRONLY'?\n"
			    "    3 |     evt.type = open and fd.flags.O_WRONLY = 1\n"
			    "      |                         ^~~~~~~~~~~~~~~~~\n"
			    "note: fields are listed by 'saker fields'\n"
			    "rules.yaml:1:3: warning: rule names are short\n"
			    "    1 | - rule: write\n"
			    "      |   ^~~~\n"
			    "saker: error: cannot open 'x.yaml'\n");
	free(out);
	assert_int_equal(sk_diag_error_count(d), 2);
	assert_int_equal(sk_diag_warning_count(d), 1);

	sk_diag_set_werror(d, true);
	assert_int_equal(sk_diag_error_count(d), 3);
	assert_int_equal(sk_diag_warning_count(d), 0);
	out = render(d, SK_DIAG_TEXT);
	assert_non_null(strstr(out, "rules.yaml:1:3: error: rule names are short\n"));
	free(out);
	sk_diag_free(d);
}

static void test_render_edges(void **state)
{
	(void)state;
	sk_diag *d = sk_diag_new();
	const char *src = "\tx.y = 1 and\r\n  z.w = 2\n";
	uint32_t f = sk_diag_add_file(d, "t.yaml", src, strlen(src));
	/* a tab before the span is kept in the caret line so the caret lines up */
	sk_error(d, span(f, 1, 3), NULL, "tab");
	/* a span crossing lines is underlined to the end of its first line (CR not shown) */
	sk_error(d, span(f, 9, 10), NULL, "multi");
	/* an empty span at the end of a line gets one caret */
	sk_error(d, span(f, (uint32_t)strlen(src) - 1, 0), NULL, "end");
	char *out = render(d, SK_DIAG_TEXT);
	assert_string_equal(out,
			    "t.yaml:1:2: error: tab\n"
			    "    1 | \tx.y = 1 and\n"
			    "      | \t^~~\n"
			    "t.yaml:1:10: error: multi\n"
			    "    1 | \tx.y = 1 and\n"
			    "      | \t        ^~~\n"
			    "t.yaml:2:10: error: end\n"
			    "    2 |   z.w = 2\n"
			    "      |          ^\n");
	free(out);
	sk_diag_free(d);

	/* a very long line is shown as a window around the span */
	d = sk_diag_new();
	char *big = malloc(5001);
	memset(big, 'a', 5000);
	big[5000] = '\0';
	f = sk_diag_add_file(d, "big", big, 5000);
	sk_error(d, span(f, 3000, 2), NULL, "far");
	out = render(d, SK_DIAG_TEXT);
	char *l2 = strchr(out, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
	assert_true(strchr(l2, '\n') - l2 < 300);
	assert_int_equal(strchr(l3, '\n') - l3, 8 + 3 + 120 + 2); /* "      | " "..." pad "^~" */
	free(out);
	free(big);
	sk_diag_free(d);
}

/* Control characters from a rules file reach no terminal raw: the message, the file name and the
 * source line show them escaped, and the caret stays under its character. */
static void test_render_escapes(void **state)
{
	(void)state;
	sk_diag *d = sk_diag_new();
	const char *src = "a\x1b[2J\xc3\xa9\x01 \xe2\x80\xae b \xff c\n";
	uint32_t f = sk_diag_add_file(d, "t\x07.yaml", src, strlen(src));
	uint32_t off = (uint32_t)(strchr(src, 'b') - src);
	sk_error(d, span(f, off, 1), NULL, "rule 'x\x1b]0;title\x07': bad");
	sk_error(d, span(f, 1, 1), NULL, "at the escape");
	char *out = render(d, SK_DIAG_TEXT);
	assert_string_equal(out,
			    "t\\x07.yaml:1:14: error: rule 'x\\x1b]0;title\\x07': bad\n"
			    "    1 | a\\x1b[2J\xc3\xa9\\x01 \\u202e b \\xff c\n"
			    "      |                      ^\n"
			    "t\\x07.yaml:1:2: error: at the escape\n"
			    "    1 | a\\x1b[2J\xc3\xa9\\x01 \\u202e b \\xff c\n"
			    "      |  ^~~~\n");
	free(out);
	/* and so does the helper commands use for rule names */
	char *buf = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&buf, &n);
	assert_int_equal(sk_diag_put_escaped(m, "r\x1b\x9b\xc2\x9b", 5), 1 + 4 + 4 + 6);
	fclose(m);
	assert_string_equal(buf, "r\\x1b\\x9b\\u009b");
	free(buf);
	sk_diag_free(d);
}

static void test_render_json(void **state)
{
	(void)state;
	sk_diag *d = sk_diag_new();
	uint32_t f = sk_diag_add_file(d, "dir/r\"ules\".yaml", rules, strlen(rules));
	uint32_t off = (uint32_t)(strstr(rules, "fd.flags") - rules);
	sk_error(d, span(f, off, 17), "unknown-field", "unknown field 'x\"y\\z'\n\t\x01 \xc3\xa9 \xff\xfe end");
	sk_note(d, span(f, off, 3), "a note");
	sk_note(d, span(0, 0, 0), "no place");
	sk_warning(d, span(f, 0, 1), NULL, "w");
	sk_error(d, span(0, 0, 0), "io", "no file");
	char *out = render(d, SK_DIAG_JSON);
	assert_json(out);
	/* Escaped as JSON must be; the two bytes that are not UTF-8 each became U+FFFD. */
	assert_non_null(strstr(out, "\"message\":\"unknown field 'x\\\"y\\\\z'\\n\\t\\u0001 \xc3\xa9 "
				    "\xef\xbf\xbd\xef\xbf\xbd end\""));
	json_t *doc = json_loads(out, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc,
				"diagnostics"), 0), "message")),
			    "unknown field 'x\"y\\z'\n\t\x01 \xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd end");
	json_decref(doc);
	assert_non_null(strstr(out, "\"severity\":\"error\",\"code\":\"unknown-field\""));
	assert_non_null(strstr(out, "\"file\":\"dir/r\\\"ules\\\".yaml\",\"line\":3,\"column\":25,"
				    "\"end_line\":3,\"end_column\":42"));
	assert_non_null(strstr(out, "\"notes\":[{\"severity\":\"note\",\"message\":\"a note\""));
	assert_non_null(strstr(out, "\"severity\":\"warning\",\"code\":null"));
	assert_non_null(strstr(out, "\"file\":null"));
	assert_non_null(strstr(out, "\"errors\":2,\"warnings\":1}"));
	free(out);
	sk_diag_set_werror(d, true);
	out = render(d, SK_DIAG_JSON);
	assert_json(out);
	assert_non_null(strstr(out, "\"errors\":3,\"warnings\":0}"));
	free(out);
	sk_diag_free(d);

	d = sk_diag_new();
	out = render(d, SK_DIAG_JSON);
	assert_string_equal(out, "{\"diagnostics\":[],\"errors\":0,\"warnings\":0}\n");
	free(out);
	sk_diag_free(d);
}

static void test_render_sarif(void **state)
{
	(void)state;
	sk_diag *d = sk_diag_new();
	uint32_t f = sk_diag_add_file(d, "rules dir/r.yaml", rules, strlen(rules));
	uint32_t off = (uint32_t)(strstr(rules, "fd.flags") - rules);
	sk_error(d, span(f, off, 17), "unknown-field", "unknown field");
	sk_note(d, span(f, 2, 4), "rule here");
	sk_note(d, span(0, 0, 0), "try this");
	sk_warning(d, span(f, 0, 1), NULL, "w");
	sk_error(d, span(0, 0, 0), "io", "no file");
	char *out = render(d, SK_DIAG_SARIF);
	assert_json(out);
	assert_non_null(strstr(out, "\"version\":\"2.1.0\""));
	assert_non_null(strstr(out, "\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\""));
	assert_non_null(strstr(out, "\"runs\":[{\"tool\":{\"driver\":{\"name\":\"saker\""));
	assert_non_null(strstr(out, "{\"ruleId\":\"unknown-field\",\"level\":\"error\","
				    "\"message\":{\"text\":\"unknown field\\nnote: try this\"},"
				    "\"locations\":[{\"physicalLocation\":{\"artifactLocation\":"
				    "{\"uri\":\"rules%20dir/r.yaml\"},\"region\":{\"startLine\":3,"
				    "\"startColumn\":25,\"endLine\":3,\"endColumn\":42}}}]"));
	assert_non_null(strstr(out, "\"relatedLocations\":[{\"physicalLocation\""));
	assert_non_null(strstr(out, "\"message\":{\"text\":\"rule here\"}"));
	assert_non_null(strstr(out, "{\"level\":\"warning\",\"message\":{\"text\":\"w\"}"));
	assert_non_null(strstr(out, "\"message\":{\"text\":\"no file\"},\"locations\":[]"));
	free(out);
	sk_diag_set_werror(d, true);
	out = render(d, SK_DIAG_SARIF);
	assert_non_null(strstr(out, "{\"level\":\"error\",\"message\":{\"text\":\"w\"}"));
	free(out);
	sk_diag_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_position),
		cmocka_unit_test(test_text_span),
		cmocka_unit_test(test_render_text),
		cmocka_unit_test(test_render_edges),
		cmocka_unit_test(test_render_escapes),
		cmocka_unit_test(test_render_json),
		cmocka_unit_test(test_render_sarif),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
