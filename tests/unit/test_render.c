/* saker-test-lib: saker_rt */
/* Alert rendering from hand-made event records: Falco's text line and JSON object (exact bytes,
 * with TZ=UTC and a fixed hostname), every field's value, escaping, missing values, widths and
 * malformed records. (Container lookups: test_enrich.c.) */
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
#include <jansson.h>

#include "event_test.h"
#include "rt.h"
#include "saker/fields.h"

/* 2024-06-18T14:02:31.123456789Z */
#define WALL_NS 1718719351123456789ull
#define BOOT_NS 5000000000ull

static struct saker_rt_enrich *no_runtime;

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return saker_rt_enrich_new(&no_runtime, "", 100);
}

static int teardown(void **state)
{
	(void)state;
	saker_rt_enrich_free(no_runtime);
	return 0;
}

static struct saker_rt_render ctx(void)
{
	struct saker_rt_render r = { .hostname = "test-host",
				     .boot_to_wall_ns = (int64_t)(WALL_NS - BOOT_NS),
				     .enrich = no_runtime };
	return r;
}

static struct saker_event *shadow_event(void)
{
	struct saker_event *ev = test_event_new(SK_EV_OPENAT);
	ev->h.ts_ns = BOOT_NS;
	test_open_res(ev, 3);
	ev->h.cgroup_id = 1;
	TEST_OPEN(ev)->flags = 02000 | 01 | 0100; /* O_WRONLY|O_CREAT|O_APPEND */
	ev->h.flags |= SAKER_EVF_PARENT | SAKER_EVF_LOGINUID;
	ev->h.pid = 1234;
	ev->h.tid = 1235;
	ev->h.ppid = 1000;
	ev->h.vpid = 34;
	ev->h.vtid = 35;
	ev->h.uid = 0;
	ev->h.gid = 0;
	ev->h.loginuid = 1000;
	strcpy(ev->h.comm, "saker_opener");
	strcpy(ev->h.pcomm, "bash");
	test_event_str(ev, SAKER_STR_FD_NAME, "/etc/shadow");
	test_event_str(ev, SAKER_STR_EXEPATH, "/usr/bin/saker_opener");
	return ev;
}

/* A rule whose output is FMT, split by hand on "%name" tokens with an optional width. */
static struct saker_rule_meta *make_rule(const char *name, int prio, const char *fmt)
{
	struct saker_rule_meta *r = calloc(1, sizeof(*r));
	r->name = strdup(name);
	r->source = strdup("syscall");
	r->output = strdup(fmt);
	r->priority = (uint8_t)prio;
	r->segs = calloc(strlen(fmt) + 1, sizeof(*r->segs));
	r->tags = calloc(2, sizeof(char *));
	r->tags[0] = strdup("filesystem");
	r->tags[1] = strdup("mitre_credential_access");
	r->n_tags = 2;
	const char *p = fmt;
	while (*p) {
		struct saker_fmt_seg *g = &r->segs[r->n_segs++];
		if (*p == '%') {
			p++;
			g->width = 0;
			while (*p >= '0' && *p <= '9')
				g->width = g->width * 10 + (*p++ - '0');
			const char *s = p;
			while (*p && (*p == '.' || *p == '_' || (*p >= 'a' && *p <= 'z') ||
				      (*p >= '0' && *p <= '9')))
				p++;
			/* A trailing '.' belongs to the text, as in "%fd.name." */
			if (p > s && p[-1] == '.')
				p--;
			g->text = strndup(s, (size_t)(p - s));
			g->field = sk_field_lookup(g->text);
			assert_true(g->field >= 0);
		} else {
			const char *s = p;
			while (*p && *p != '%')
				p++;
			g->text = strndup(s, (size_t)(p - s));
			g->field = -1;
		}
	}
	return r;
}

static void free_rule(struct saker_rule_meta *r)
{
	free(r->name);
	free(r->source);
	free(r->output);
	for (uint32_t i = 0; i < r->n_segs; i++)
		free(r->segs[i].text);
	free(r->segs);
	for (uint32_t i = 0; i < r->n_tags; i++)
		free(r->tags[i]);
	free(r->tags);
	free(r);
}

static void expect_render_with(const struct saker_rt_render *r, const struct saker_rule_meta *rule,
			       const struct saker_event *ev, bool json, const char *want)
{
	struct saker_rt_str out = { 0 };
	assert_int_equal(saker_rt_render_alert(r, rule, ev, json, &out), 0);
	assert_non_null(out.p);
	assert_string_equal(out.p, want);
	saker_rt_str_fini(&out);
}

static void expect_render(const struct saker_rule_meta *rule, const struct saker_event *ev,
			  bool json, const char *want)
{
	struct saker_rt_render r = ctx();
	expect_render_with(&r, rule, ev, json, want);
}

static void test_text_line(void **state)
{
	(void)state;
	struct saker_event *ev = shadow_event();
	struct saker_rule_meta *rule = make_rule(
		"Write below etc", SAKER_PRIO_CRITICAL,
		"File below /etc opened for writing (user=%user.name user_loginuid=%user.loginuid "
		"command=%proc.name pid=%proc.pid file=%fd.name parent=%proc.pname "
		"flags=%evt.arg.flags res=%evt.res container_id=%container.id "
		"container_name=%container.name image=%container.image.repository)");
	expect_render(rule, ev, false,
		      "14:02:31.123456789: Critical File below /etc opened for writing (user=root "
		      "user_loginuid=1000 command=saker_opener pid=1234 file=/etc/shadow parent=bash "
		      "flags=O_WRONLY|O_CREAT|O_APPEND res=SUCCESS container_id=host "
		      "container_name=host image=<NA>)");
	free_rule(rule);
	free(ev);
}

static void test_json_line(void **state)
{
	(void)state;
	struct saker_event *ev = shadow_event();
	struct saker_rule_meta *rule = make_rule(
		"Write below etc", SAKER_PRIO_WARNING,
		"Write (user=%user.name uid=%user.uid file=%fd.name fd=%fd.num failed=%evt.failed "
		"ppid=%proc.ppid exe=%proc.exepath image=%container.image.name cid=%container.id "
		"type=%evt.type)");
	expect_render(rule, ev, true,
		      "{\"hostname\":\"test-host\","
		      "\"output\":\"14:02:31.123456789: Warning Write (user=root uid=0 "
		      "file=/etc/shadow fd=3 failed=false ppid=1000 exe=/usr/bin/saker_opener "
		      "image=<NA> cid=host type=openat)\","
		      "\"output_fields\":{\"container.id\":\"host\",\"container.image.name\":null,"
		      "\"evt.failed\":false,\"evt.time\":1718719351123456789,\"evt.type\":\"openat\","
		      "\"fd.name\":\"/etc/shadow\",\"fd.num\":3,\"proc.exepath\":\"/usr/bin/saker_opener\","
		      "\"proc.ppid\":1000,\"user.name\":\"root\",\"user.uid\":0},"
		      "\"priority\":\"Warning\",\"rule\":\"Write below etc\",\"source\":\"syscall\","
		      "\"tags\":[\"filesystem\",\"mitre_credential_access\"],"
		      "\"time\":\"2024-06-18T14:02:31.123456789Z\"}");
	free_rule(rule);
	free(ev);
}

static void test_time_fields(void **state)
{
	(void)state;
	struct saker_event *ev = shadow_event();
	struct saker_rule_meta *rule = make_rule("t", SAKER_PRIO_INFORMATIONAL,
		"%evt.time.iso8601 %evt.rawtime %evt.hostname %evt.dir");
	expect_render(rule, ev, false,
		      "14:02:31.123456789: Informational 2024-06-18T14:02:31.123456789+0000 "
		      "1718719351123456789 test-host <");
	expect_render(rule, ev, true,
		      "{\"hostname\":\"test-host\",\"output\":\"14:02:31.123456789: Informational "
		      "2024-06-18T14:02:31.123456789+0000 1718719351123456789 test-host <\","
		      "\"output_fields\":{\"evt.dir\":\"<\",\"evt.hostname\":\"test-host\","
		      "\"evt.rawtime\":1718719351123456789,\"evt.time\":1718719351123456789,"
		      "\"evt.time.iso8601\":1718719351123456789},\"priority\":\"Informational\","
		      "\"rule\":\"t\",\"source\":\"syscall\",\"tags\":[\"filesystem\","
		      "\"mitre_credential_access\"],\"time\":\"2024-06-18T14:02:31.123456789Z\"}");
	free_rule(rule);
	free(ev);
}

static void test_missing_values(void **state)
{
	(void)state;
	struct saker_event *ev = shadow_event();
	/* no parent, no loginuid, an unknown event of no family: no path, exe, flags or fd */
	ev->h.flags = 0;
	test_open_res(ev, -13);
	test_event_str(ev, SAKER_STR_EXEPATH, NULL);
	ev->h.event = SK_EV__COUNT;
	ev->h.family = SK_FAM_NONE;
	struct saker_rule_meta *rule = make_rule("m", SAKER_PRIO_ERROR,
		"file=%fd.name dir=%fd.directory type=%fd.type exe=%proc.exepath ppid=%proc.ppid "
		"pname=%proc.pname login=%user.loginuid evt=%evt.type flags=%evt.arg.flags "
		"fdnum=%fd.num res=%evt.res raw=%evt.rawres");
	expect_render(rule, ev, false,
		      "14:02:31.123456789: Error file=<NA> dir=<NA> type=<NA> exe=<NA> ppid=<NA> "
		      "pname=<NA> login=-1 evt=<NA> flags=<NA> fdnum=<NA> res=EACCES raw=-13");
	struct saker_rt_render r = ctx();
	struct saker_rt_str out = { 0 };
	assert_int_equal(saker_rt_render_alert(&r, rule, ev, true, &out), 0);
	assert_non_null(strstr(out.p, "\"output_fields\":{\"evt.arg.flags\":null,\"evt.rawres\":-13,"
				      "\"evt.res\":\"EACCES\",\"evt.time\":1718719351123456789,"
				      "\"evt.type\":null,\"fd.directory\":null,\"fd.name\":null,"
				      "\"fd.num\":null,\"fd.type\":null,\"proc.exepath\":null,"
				      "\"proc.pname\":null,\"proc.ppid\":null,\"user.loginuid\":-1}"));
	saker_rt_str_fini(&out);
	free_rule(rule);
	free(ev);
}

static void test_escaping(void **state)
{
	(void)state;
	struct saker_event *ev = shadow_event();
	/* A quote, a backslash, a newline, a tab, a control byte, invalid UTF-8, valid UTF-8. */
	static const char evil[] = "/tmp/a\"b\\c\nd\te\x01" "f\xff" "g\xc3\xa9";
	test_event_str(ev, SAKER_STR_FD_NAME, evil);
	struct saker_rule_meta *rule = make_rule("e \"q\"", SAKER_PRIO_NOTICE, "file=%fd.name");
	expect_render(rule, ev, false,
		      "14:02:31.123456789: Notice file=/tmp/a\\\"b\\\\c\\nd\\te\\u0001f\xef\xbf\xbdg\xc3\xa9");
	struct saker_rt_render r = ctx();
	struct saker_rt_str out = { 0 };
	assert_int_equal(saker_rt_render_alert(&r, rule, ev, true, &out), 0);
	assert_non_null(strstr(out.p, "\"fd.name\":\"/tmp/a\\\"b\\\\c\\nd\\te\\u0001f\xef\xbf\xbdg\xc3\xa9\""));
	assert_non_null(strstr(out.p, "\"rule\":\"e \\\"q\\\"\""));
	saker_rt_str_fini(&out);
	free_rule(rule);
	free(ev);
}

static void test_widths(void **state)
{
	(void)state;
	struct saker_event *ev = shadow_event();
	strcpy(ev->h.comm, "cat");
	struct saker_rule_meta *rule = make_rule("w", SAKER_PRIO_DEBUG,
		"[%2proc.name][%6proc.name][%3proc.pid][%8fd.filename][%1evt.failed]");
	expect_render(rule, ev, false,
		      "14:02:31.123456789: Debug [ca][cat   ][123][shadow  ][f]");
	free_rule(rule);
	free(ev);
}

static void test_field_values(void **state)
{
	(void)state;
	struct saker_rt_render r = ctx();
	struct saker_event *ev = shadow_event();
	struct sk_field_value v;
	char *scratch = malloc(SAKER_RT_SCRATCH);

	saker_rt_field_value(&r, ev, SK_FLD_FD_DIRECTORY, &v, scratch);
	assert_string_equal(v.s, "/etc");
	saker_rt_field_value(&r, ev, SK_FLD_FD_FILENAME, &v, scratch);
	assert_string_equal(v.s, "shadow");
	saker_rt_field_value(&r, ev, SK_FLD_FD_TYPECHAR, &v, scratch);
	assert_string_equal(v.s, "f");
	saker_rt_field_value(&r, ev, SK_FLD_EVT_IS_OPEN_WRITE, &v, scratch);
	assert_int_equal(v.kind, SK_VAL_BOOL);
	assert_true(v.b);
	saker_rt_field_value(&r, ev, SK_FLD_EVT_IS_OPEN_READ, &v, scratch);
	assert_false(v.b);
	saker_rt_field_value(&r, ev, SK_FLD_EVT_IS_OPEN_CREATE, &v, scratch);
	assert_true(v.b);
	saker_rt_field_value(&r, ev, SK_FLD_EVT_RAWARG_FLAGS, &v, scratch);
	assert_int_equal(v.u, 02101);
	saker_rt_field_value(&r, ev, SK_FLD_THREAD_TID, &v, scratch);
	assert_int_equal(v.i, 1235);
	saker_rt_field_value(&r, ev, SK_FLD_GROUP_GID, &v, scratch);
	assert_int_equal(v.kind, SK_VAL_U64);

	test_event_str(ev, SAKER_STR_FD_NAME, "/shadow");
	TEST_OPEN(ev)->oflags |= SAKER_OPENF_DIR;
	saker_rt_field_value(&r, ev, SK_FLD_FD_DIRECTORY, &v, scratch);
	assert_string_equal(v.s, "/");
	saker_rt_field_value(&r, ev, SK_FLD_FD_TYPE, &v, scratch);
	assert_string_equal(v.s, "directory");

	TEST_OPEN(ev)->flags = 2; /* O_RDWR */
	saker_rt_field_value(&r, ev, SK_FLD_EVT_IS_OPEN_READ, &v, scratch);
	assert_true(v.b);
	test_open_res(ev, -2);
	saker_rt_field_value(&r, ev, SK_FLD_EVT_RES, &v, scratch);
	assert_string_equal(v.s, "ENOENT");
	saker_rt_field_value(&r, ev, SK_FLD_FD_NUM, &v, scratch);
	assert_int_equal(v.i, -1);
	saker_rt_field_value(&r, ev, SK_FLD_EVT_FAILED, &v, scratch);
	assert_true(v.b);

	/* An unset loginuid (the kernel's (uid_t)-1) is -1. */
	ev->h.loginuid = UINT32_MAX;
	saker_rt_field_value(&r, ev, SK_FLD_USER_LOGINUID, &v, scratch);
	assert_int_equal(v.i, -1);

	/* A uid with no password entry has no name. */
	ev->h.uid = 3999999999u;
	saker_rt_field_value(&r, ev, SK_FLD_USER_NAME, &v, scratch);
	assert_int_equal(v.kind, SK_VAL_NA);

	/* In a container with no runtime to ask: id known, the rest missing. */
	ev->h.flags |= SAKER_EVF_CONTAINER;
	strcpy(ev->h.container_id, "0123456789ab");
	saker_rt_field_value(&r, ev, SK_FLD_CONTAINER_ID, &v, scratch);
	assert_string_equal(v.s, "0123456789ab");
	saker_rt_field_value(&r, ev, SK_FLD_CONTAINER_NAME, &v, scratch);
	assert_int_equal(v.kind, SK_VAL_NA);
	free(scratch);
	free(ev);
}

/* Encodes EV with the rule ids 0 and 2 into BUF; returns the record's size. */
static size_t encode(const struct saker_event *ev, uint64_t *buf, size_t size)
{
	static const uint32_t rules[] = { 0, 2 };
	long n = saker_event_encode(ev, rules, 2, buf, size);
	assert_true(n > 0);
	return (size_t)n;
}

/* Decoding BUF (SIZE bytes) after MUTATE changed it must fail. */
#define EXPECT_REFUSED(what, mutate) do { \
		size = encode(src, buf, sizeof(buf)); \
		mutate; \
		if (saker_event_decode(buf, size, ev) != -EINVAL) \
			fail_msg("decoded a record with %s", what); \
	} while (0)

static void test_event_decode(void **state)
{
	(void)state;
	struct saker_event *src = shadow_event(), *ev = malloc(sizeof(*ev));
	static uint64_t buf[2048];
	struct saker_event_hdr *h = (struct saker_event_hdr *)buf;
	uint8_t *bytes = (uint8_t *)buf;
	const size_t hs = sizeof(struct saker_event_hdr);
	size_t size = encode(src, buf, sizeof(buf));

	/* the layout: header, tail, two ids padded to 8, the slots, the strings */
	assert_int_equal(h->size, size);
	assert_int_equal(h->version, SAKER_EVENT_VERSION);
	assert_int_equal(h->tail_size, sizeof(struct saker_tail_open));
	assert_int_equal(h->n_rules, 2);
	assert_int_equal(h->n_strs, SAKER_STR__COUNT);
	assert_int_equal(size, hs + sizeof(struct saker_tail_open) + 8 +
			 ((4 * SAKER_STR__COUNT + 7) & ~7u) + 16 + 24);
	assert_int_equal(saker_event_decode(buf, size, ev), 0);
	assert_string_equal(ev->str[SAKER_STR_FD_NAME], "/etc/shadow");
	assert_int_equal(ev->str_len[SAKER_STR_FD_NAME], 11);
	assert_string_equal(ev->str[SAKER_STR_EXEPATH], "/usr/bin/saker_opener");
	assert_int_equal(ev->h.n_rules, 2);
	assert_int_equal(ev->rules[0], 0);
	assert_int_equal(ev->rules[1], 2);
	assert_int_equal(SAKER_EVENT_TAIL(ev, open)->flags, 02101);
	assert_int_equal(ev->h.pid, 1234);
	assert_int_equal(ev->h.event, SK_EV_OPENAT);

	/* a string the event does not have, and a record of an i386 call */
	test_event_str(src, SAKER_STR_EXEPATH, NULL);
	src->h.arch = SK_ARCH_I386;
	src->h.flags |= SAKER_EVF_COMPAT;
	src->h.nr = 295; /* openat on i386 */
	size = encode(src, buf, sizeof(buf));
	assert_int_equal(saker_event_decode(buf, size, ev), 0);
	assert_null(ev->str[SAKER_STR_EXEPATH]);
	assert_int_equal(ev->h.event, SK_EV_OPENAT);

	/* every part is checked: sizes, ids, the event and its numbering, the tail, the slots */
	assert_int_equal(saker_event_decode(NULL, 100, ev), -EINVAL);
	assert_int_equal(saker_event_decode(buf, 0, ev), -EINVAL);
	assert_int_equal(saker_event_decode(buf, hs - 8, ev), -EINVAL);
	assert_int_equal(saker_event_decode(bytes + 4, size - 4, ev), -EINVAL); /* unaligned */
	EXPECT_REFUSED("a size short of the header's", size -= 8);
	EXPECT_REFUSED("trailing bytes", size += 8);
	EXPECT_REFUSED("a future version", h->version++);
	EXPECT_REFUSED("a reserved field set", h->reserved = 1);
	EXPECT_REFUSED("an unknown flag", h->flags |= 1u << 20);
	EXPECT_REFUSED("an unknown event", h->event = SK_EV__COUNT);
	EXPECT_REFUSED("the wrong family", h->family = SK_FAM_PTRACE);
	EXPECT_REFUSED("an event of no family", (h->event = SK_EV_READ, h->family = SK_FAM_NONE,
						  h->nr = 3));
	EXPECT_REFUSED("an x86-64 number in an i386 record", h->nr = 257);
	EXPECT_REFUSED("an i386 record without the compat flag", h->flags &= ~SAKER_EVF_COMPAT);
	EXPECT_REFUSED("an unknown arch", h->arch = SK_ARCH__COUNT);
	EXPECT_REFUSED("another tail size", h->tail_size = 8);
	EXPECT_REFUSED("no rule id", h->n_rules = 0);
	EXPECT_REFUSED("more rule ids than a record holds", h->n_rules = SAKER_REC_RULES + 1);
	EXPECT_REFUSED("more slots than the record holds", h->n_strs = 4000);
	EXPECT_REFUSED("an unterminated comm", memset(h->comm, 'A', sizeof(h->comm)));
	EXPECT_REFUSED("an unterminated container id",
		       memset(h->container_id, 'a', sizeof(h->container_id)));
	const size_t slots = hs + h->tail_size + 8;
	struct saker_event_str *sl = (struct saker_event_str *)(bytes + slots);
	const size_t area = slots + ((4 * SAKER_STR__COUNT + 7) & ~(size_t)7);
	EXPECT_REFUSED("a string past the record", sl[SAKER_STR_FD_NAME].off = 1000);
	EXPECT_REFUSED("a string longer than the record", sl[SAKER_STR_FD_NAME].len = 600);
	EXPECT_REFUSED("a string without its NUL", sl[SAKER_STR_FD_NAME].len = 10);
	EXPECT_REFUSED("a NUL inside a string", bytes[area + 3] = 0);
	EXPECT_REFUSED("a missing string with a length", sl[SAKER_STR_EXEPATH].len = 3);
	EXPECT_REFUSED("bytes between the strings", bytes[area + 13] = 'x');
	EXPECT_REFUSED("bytes after the last string", bytes[size - 1] = 'x');
	EXPECT_REFUSED("too many slots", h->n_strs = SAKER_REC_STRS + 1);
	{
		/* three ids leave four bytes of padding, which must be zero */
		static const uint32_t three[] = { 1, 2, 3 };
		long n3 = saker_event_encode(src, three, 3, buf, sizeof(buf));
		assert_true(n3 > 0);
		assert_int_equal(saker_event_decode(buf, (size_t)n3, ev), 0);
		bytes[hs + sizeof(struct saker_tail_open) + 12] = 1;
		assert_int_equal(saker_event_decode(buf, (size_t)n3, ev), -EINVAL);
	}
	struct saker_tail_open *t = (struct saker_tail_open *)(bytes + hs);
	EXPECT_REFUSED("an open whose fd is not its result", t->fd = 4);
	EXPECT_REFUSED("unknown open flags of the tail", t->oflags |= 1u << 9);
	/* the untouched record still decodes */
	size = encode(src, buf, sizeof(buf));
	assert_int_equal(saker_event_decode(buf, size, ev), 0);
	/* the encoder refuses what a record cannot hold */
	assert_int_equal(saker_event_encode(src, NULL, 0, buf, 64), -ENOSPC);
	free(ev);
	free(src);
}

/* The seed records of the record fuzzer (tests/fuzz/corpus/record, written by fuzz_record with
 * SAKER_FUZZ_SEED) still decode: a change of the format must renew them. */
static void test_record_corpus(void **state)
{
	(void)state;
	static const char *const names[] = { "open.rec", "open_i386.rec", "ptrace.rec", "exec.rec",
					      "symlinkat.rec", "mount.rec" };
	static uint64_t buf[2048];
	struct saker_event ev;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/record/%s", SAKER_SOURCE_DIR,
			 names[i]);
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		if (saker_event_decode(buf, n, &ev))
			fail_msg("%s no longer decodes: renew the seeds (tests/fuzz/fuzz_record.c)", path);
	}
}

static void test_str_json_utf8(void **state)
{
	(void)state;
	struct saker_rt_str s = { 0 };
	/* Overlong '/', a lone continuation byte, a surrogate, a 4-byte emoji, DEL. */
	static const char in[] = "\xc0\xaf|\x80|\xed\xa0\x80|\xf0\x9f\x98\x80|\x7f";
	saker_rt_str_json(&s, in, sizeof(in) - 1);
	assert_string_equal(s.p, "\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd"
				 "\xef\xbf\xbd|\xf0\x9f\x98\x80|\x7f");
	saker_rt_str_fini(&s);
}

/* ---- the hand-written JSON writer against jansson's parser ---------------------------------- */

/* The reference for what a JSON string of S (N bytes) holds once parsed: S with every byte that
 * does not start a well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF) replaced by U+FFFD. Written apart from runtime/json.c on purpose, by
 * ranges of the second byte as the RFC's table gives them. */
static size_t ref_sanitize(const unsigned char *s, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t len = 0;
		unsigned lo = 0x80, hi = 0xbf;
		if (c <= 0x7f)
			len = 1;
		else if (c >= 0xc2 && c <= 0xdf)
			len = 2;
		else if (c == 0xe0)
			len = 3, lo = 0xa0;
		else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef)
			len = 3;
		else if (c == 0xed)
			len = 3, hi = 0x9f;
		else if (c == 0xf0)
			len = 4, lo = 0x90;
		else if (c >= 0xf1 && c <= 0xf3)
			len = 4;
		else if (c == 0xf4)
			len = 4, hi = 0x8f;
		bool ok = len > 0 && i + len <= n;
		for (size_t k = 1; ok && k < len; k++) {
			unsigned b = s[i + k];
			ok = k == 1 ? b >= lo && b <= hi : b >= 0x80 && b <= 0xbf;
		}
		if (ok) {
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	out[o] = 0;
	return o;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

/* LEN bytes (no NUL) mixing what breaks writers: control characters, quotes and backslashes,
 * DEL, valid multi-byte characters (some cut short), lone continuation bytes, overlong forms,
 * surrogates, bytes that never appear in UTF-8, and plain text. */
static void evil_bytes(unsigned char *p, size_t len)
{
	static const char *const pieces[] = {
		"\"", "\\", "\n", "\t", "\r", "\b", "\f", "\x01", "\x1f", "\x7f", "/", "\xc3\xa9",
		"\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xc0\xaf", "\xe0\x80\xaf",
		"\xed\xa0\x80", "\xed\x9f\xbf", "\xf4\x90\x80\x80", "\xf5", "\xff", "\x80", "\xbf",
		"\xe2\x82", "\xf0\x9f\x98", "\xc3", "\\u0000", "<NA>", "abc", " ",
	};
	size_t i = 0;
	while (i < len) {
		if (rnd(4) == 0) {
			p[i++] = (unsigned char)(1 + rnd(255));
			continue;
		}
		const char *q = pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))];
		for (size_t k = 0; q[k] && i < len; k++)
			p[i++] = (unsigned char)q[k];
	}
}

static const char *jstr_member(json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));
	if (!v)
		fail_msg("member '%s' is not a string", key);
	return v;
}

/* Thousands of alerts whose strings hold everything above: jansson must parse every JSON line
 * (it checks UTF-8 too) back to exactly the reference values, and every text line must be a
 * valid JSON string body holding the reference text. */
static void test_writer_against_parser(void **state)
{
	(void)state;
	struct saker_rt_render r = ctx();
	char *want = malloc(3 * SAKER_PATH_MAX + 64), *want2 = malloc(3 * SAKER_PATH_MAX + 64);
	char *line = malloc(9 * SAKER_PATH_MAX + 256);
	unsigned char raw[64], rule_name[200], tag[40], host[80];
	assert_non_null(want);
	assert_non_null(want2);
	assert_non_null(line);
	for (int iter = 0; iter < 4000; iter++) {
		struct saker_event *ev = shadow_event();
		size_t plen = rnd(8) == 0 ? SAKER_PATH_MAX - 1 : rnd(300);
		static char path[SAKER_PATH_MAX];
		evil_bytes((unsigned char *)path, plen);
		path[plen] = 0;
		test_event_str(ev, SAKER_STR_FD_NAME, path);
		size_t clen = rnd(SAKER_COMM_LEN);
		evil_bytes((unsigned char *)ev->h.comm, clen);
		ev->h.comm[clen] = 0;
		size_t nlen = 1 + rnd(sizeof(rule_name) - 1);
		evil_bytes(rule_name, nlen);
		rule_name[nlen] = 0;
		size_t tlen = rnd(sizeof(tag) - 1);
		evil_bytes(tag, tlen);
		tag[tlen] = 0;
		size_t hlen = rnd(sizeof(host) - 1);
		evil_bytes(host, hlen);
		host[hlen] = 0;
		r.hostname = (const char *)host;

		/* %4proc.name cuts the value at 4 bytes, possibly inside a character. */
		struct saker_rule_meta *rule = make_rule((const char *)rule_name, SAKER_PRIO_CRITICAL,
							 "c=%proc.name f=%fd.name w=[%4proc.name]");
		free(rule->tags[1]);
		rule->tags[1] = strdup((const char *)tag);

		struct saker_rt_str out = { 0 };
		assert_int_equal(saker_rt_render_alert(&r, rule, ev, true, &out), 0);
		json_error_t jerr;
		json_t *doc = json_loads(out.p, 0, &jerr);
		if (!doc)
			fail_msg("iteration %d: jansson refuses the alert line (%s at %d): %s", iter,
				 jerr.text, jerr.position, out.p);
		json_t *of = json_object_get(doc, "output_fields");
		ref_sanitize((const unsigned char *)path, plen, want);
		assert_string_equal(jstr_member(of, "fd.name"), want);
		ref_sanitize((const unsigned char *)ev->h.comm, clen, want);
		assert_string_equal(jstr_member(of, "proc.name"), want);
		ref_sanitize(rule_name, nlen, want);
		assert_string_equal(jstr_member(doc, "rule"), want);
		ref_sanitize(host, hlen, want);
		assert_string_equal(jstr_member(doc, "hostname"), want);
		ref_sanitize(tag, tlen, want);
		assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "tags"), 1)),
				    want);

		/* The text line: built from the raw values, then made valid as a whole. */
		memcpy(raw, ev->h.comm, clen < 4 ? clen : 4);
		for (size_t k = clen; k < 4; k++)
			raw[k] = ' ';
		int n = snprintf(line, 9 * SAKER_PATH_MAX + 256, "14:02:31.123456789: Critical c=%s f=%s w=[%.4s]",
				 ev->h.comm, path, (const char *)raw);
		ref_sanitize((const unsigned char *)line, (size_t)n, want);
		assert_string_equal(jstr_member(doc, "output"), want);
		json_decref(doc);

		saker_rt_str_reset(&out);
		assert_int_equal(saker_rt_render_alert(&r, rule, ev, false, &out), 0);
		snprintf(want2, 3 * SAKER_PATH_MAX + 64, "\"%s\"", out.p);
		json_t *text = json_loads(want2, JSON_DECODE_ANY, &jerr);
		if (!text)
			fail_msg("iteration %d: the text line is not a JSON string body (%s): %s", iter,
				 jerr.text, out.p);
		assert_string_equal(json_string_value(text), want);
		json_decref(text);
		saker_rt_str_fini(&out);
		free_rule(rule);
		free(ev);
	}
	free(line);
	free(want);
	free(want2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_line),
		cmocka_unit_test(test_json_line),
		cmocka_unit_test(test_time_fields),
		cmocka_unit_test(test_missing_values),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_field_values),
		cmocka_unit_test(test_event_decode),
		cmocka_unit_test(test_record_corpus),
		cmocka_unit_test(test_str_json_utf8),
		cmocka_unit_test(test_writer_against_parser),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
