/* saker-test-lib: saker_common */
/* Bundle encoding and verified decoding: SHA-256 vectors, round trip, determinism, and every way
 * a damaged or foreign file must be refused with a one-line reason. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "saker/bundle.h"
#include "saker/cond.h"
#include "saker/fields.h"

static void hex(const uint8_t d[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void check_sha(const void *data, size_t len, const char *want)
{
	uint8_t d[32];
	char h[65];
	saker_sha256(data, len, d);
	hex(d, h);
	assert_string_equal(h, want);
}

static void test_sha256_vectors(void **state)
{
	(void)state;
	check_sha("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_sha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	check_sha(m448, strlen(m448),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
			   "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	check_sha(m896, strlen(m896),
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	/* One million 'a': exercises many blocks. */
	char *ma = malloc(1000000);
	assert_non_null(ma);
	memset(ma, 'a', 1000000);
	check_sha(ma, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(ma);
	/* Lengths around the padding boundary (55, 56, 64 bytes) against known digests. */
	char a64[64];
	memset(a64, 'a', sizeof(a64));
	check_sha(a64, 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	check_sha(a64, 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	check_sha(a64, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	assert_non_null(d);
	return d;
}

/* A bundle with two rules, tags, literal and field segments, built with malloc'd members so
 * saker_bundle_free can release it. */
/* "user.name = root": the residual of the sample's partial rule. */
static sk_copnd residual_lhs = { .kind = SK_CO_FIELD, .type = SK_T_STR, .field = SK_FLD_USER_NAME,
				 .arg_index = -1 };
static sk_copnd residual_rhs = { .kind = SK_CO_CONST, .type = SK_T_STR, .arg_index = -1,
				 .v = { .kind = SK_CV_STR, .s = "root", .len = 4 } };
static sk_cexpr residual_check = { .kind = SK_C_CHECK, .op = SK_COP_EQ, .lhs = &residual_lhs,
				   .rhs = &residual_rhs };

static struct saker_bundle *sample(void)
{
	struct saker_bundle *b = calloc(1, sizeof(*b));
	assert_non_null(b);
	b->object_size = 301;
	b->object = malloc(b->object_size);
	for (size_t i = 0; i < b->object_size; i++)
		b->object[i] = (uint8_t)(i * 7 + 1);
	b->requires = xstrdup("kernel 5.8\nbtf 1\nhook tp_btf/sys_exit\nmap ringbuf\n");
	b->n_rules = 2;
	b->rules = calloc(2, sizeof(*b->rules));
	struct saker_rule_meta *r = &b->rules[0];
	r->name = xstrdup("Write below etc");
	r->desc = xstrdup("an attempt to write below /etc");
	r->source = xstrdup("syscall");
	r->output = xstrdup("File below /etc opened for writing (user=%user.name file=%fd.name)");
	r->file = xstrdup("rules/default.yaml");
	r->line = 42;
	r->priority = SAKER_PRIO_CRITICAL;
	r->plan = SAKER_PLAN_EXACT;
	r->n_tags = 2;
	r->tags = calloc(2, sizeof(char *));
	r->tags[0] = xstrdup("filesystem");
	r->tags[1] = xstrdup("mitre_persistence");
	r->n_segs = 5;
	r->segs = calloc(5, sizeof(*r->segs));
	r->segs[0] = (struct saker_fmt_seg){ xstrdup("File below /etc opened for writing (user="), -1, 0, NULL };
	r->segs[1] = (struct saker_fmt_seg){ xstrdup("user.name"), SK_FLD_USER_NAME, 0, NULL };
	r->segs[2] = (struct saker_fmt_seg){ xstrdup(" file="), -1, 0, NULL };
	r->segs[3] = (struct saker_fmt_seg){ xstrdup("fd.name"), SK_FLD_FD_NAME, 12, NULL };
	r->segs[4] = (struct saker_fmt_seg){ xstrdup(")"), -1, 0, NULL };
	r = &b->rules[1];
	r->name = xstrdup("empty");
	r->desc = xstrdup("");
	r->source = xstrdup("syscall");
	r->output = xstrdup("");
	r->file = xstrdup("x.yaml");
	r->line = 1;
	r->priority = SAKER_PRIO_DEBUG;
	r->plan = SAKER_PLAN_PARTIAL;
	r->tags = calloc(1, sizeof(char *));
	r->segs = calloc(1, sizeof(*r->segs));
	r->residual = &residual_check;
	r->captures = calloc(2, sizeof(*r->captures));
	r->captures[0] = SK_FLD_FD_NAME;
	r->captures[1] = SK_FLD_PROC_NAME;
	r->n_captures = 2;
	b->left_out = calloc(1, sizeof(*b->left_out));
	b->left_out[0] = (struct saker_left_out){ xstrdup("later"), xstrdup("x.yaml"), 9,
						  xstrdup("needs field proc.cmdline") };
	b->n_left_out = 1;
	return b;
}

static void encode(struct saker_bundle *b, uint8_t **buf, size_t *len)
{
	assert_int_equal(saker_bundle_encode(b, buf, len), 0);
	assert_true(*len > 100);
	assert_int_equal(*len % 8, 0);
}

static void test_round_trip(void **state)
{
	(void)state;
	struct saker_bundle *b = sample(), *d = NULL;
	uint8_t *buf;
	size_t len;
	char err[256];

	encode(b, &buf, &len);
	assert_int_equal(saker_bundle_decode(buf, len, &d, err, sizeof(err)), 0);
	assert_non_null(d);
	assert_int_equal(d->format, SAKER_BUNDLE_FORMAT);
	assert_memory_equal(d->digest, b->digest, 32);
	assert_memory_equal(d->digest, buf + len - 32, 32);
	assert_int_equal(d->object_size, b->object_size);
	assert_memory_equal(d->object, b->object, b->object_size);
	assert_string_equal(d->requires, b->requires);
	assert_int_equal(d->n_rules, 2);
	assert_int_equal(d->n_left_out, 1);
	assert_string_equal(d->left_out[0].name, "later");
	assert_string_equal(d->left_out[0].file, "x.yaml");
	assert_int_equal(d->left_out[0].line, 9);
	assert_string_equal(d->left_out[0].why, "needs field proc.cmdline");
	for (uint32_t i = 0; i < 2; i++) {
		struct saker_rule_meta *x = &b->rules[i], *y = &d->rules[i];
		assert_string_equal(x->name, y->name);
		assert_string_equal(x->desc, y->desc);
		assert_string_equal(x->source, y->source);
		assert_string_equal(x->output, y->output);
		assert_string_equal(x->file, y->file);
		assert_int_equal(x->line, y->line);
		assert_int_equal(x->priority, y->priority);
		assert_int_equal(x->plan, y->plan);
		assert_int_equal(x->n_captures, y->n_captures);
		for (uint32_t k = 0; k < x->n_captures; k++)
			assert_int_equal(x->captures[k], y->captures[k]);
		assert_int_equal(!x->residual, !y->residual);
		if (x->residual) {
			char *a = sk_cond_to_string(x->residual), *c = sk_cond_to_string(y->residual);
			assert_string_equal(a, c);
			free(a);
			free(c);
		}
		assert_int_equal(x->n_tags, y->n_tags);
		for (uint32_t t = 0; t < x->n_tags; t++)
			assert_string_equal(x->tags[t], y->tags[t]);
		assert_int_equal(x->n_segs, y->n_segs);
		for (uint32_t s = 0; s < x->n_segs; s++) {
			assert_string_equal(x->segs[s].text, y->segs[s].text);
			assert_int_equal(x->segs[s].field, y->segs[s].field);
			assert_int_equal(x->segs[s].width, y->segs[s].width);
		}
	}
	/* Re-encoding the decoded bundle gives the same bytes. */
	uint8_t *buf2;
	size_t len2;
	encode(d, &buf2, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(buf, buf2, len);
	free(buf2);
	free(buf);
	saker_bundle_free(d);
	saker_bundle_free(b);
	saker_bundle_free(NULL);
}

static void test_deterministic(void **state)
{
	(void)state;
	struct saker_bundle *b1 = sample(), *b2 = sample();
	uint8_t *x, *y;
	size_t lx, ly;
	encode(b1, &x, &lx);
	encode(b2, &y, &ly);
	assert_int_equal(lx, ly);
	assert_memory_equal(x, y, lx);
	/* A change in any rule text changes the bytes. */
	free(b2->rules[0].desc);
	b2->rules[0].desc = xstrdup("another description");
	free(y);
	encode(b2, &y, &ly);
	assert_true(lx != ly || memcmp(x, y, lx));
	free(x);
	free(y);
	saker_bundle_free(b1);
	saker_bundle_free(b2);
}

static void expect_refusal(const uint8_t *buf, size_t len, const char *want)
{
	struct saker_bundle *d = (struct saker_bundle *)1;
	char err[256];
	memset(err, 'x', sizeof(err));
	int ret = saker_bundle_decode(buf, len, &d, err, sizeof(err));
	assert_true(ret < 0);
	assert_null(d);
	assert_true(err[0] != 0 && err[0] != 'x');
	assert_null(strchr(err, '\n'));
	if (want && !strstr(err, want))
		fail_msg("reason \"%s\" does not contain \"%s\"", err, want);
}

static void test_truncated_everywhere(void **state)
{
	(void)state;
	struct saker_bundle *b = sample();
	uint8_t *buf;
	size_t len;
	encode(b, &buf, &len);
	for (size_t cut = 0; cut < len; cut++) {
		/* A copy of exactly CUT bytes, so ASan sees any read past the end. */
		uint8_t *t = malloc(cut ? cut : 1);
		memcpy(t, buf, cut);
		expect_refusal(t, cut, "truncated");
		free(t);
	}
	free(buf);
	saker_bundle_free(b);
}

static void test_flipped_byte_everywhere(void **state)
{
	(void)state;
	struct saker_bundle *b = sample();
	uint8_t *buf;
	size_t len;
	encode(b, &buf, &len);
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			buf[i] ^= (uint8_t)(1u << bit);
			expect_refusal(buf, len, NULL);
			buf[i] ^= (uint8_t)(1u << bit);
		}
	}
	/* Past the header, any change is caught by the digest, with that exact reason. */
	buf[len / 2] ^= 0x40;
	expect_refusal(buf, len, "digest mismatch: the bundle was altered or corrupted");
	buf[len / 2] ^= 0x40;
	buf[len - 1] ^= 1;
	expect_refusal(buf, len, "digest mismatch");
	buf[len - 1] ^= 1;
	/* The untouched buffer still decodes. */
	struct saker_bundle *d;
	char err[256];
	assert_int_equal(saker_bundle_decode(buf, len, &d, err, sizeof(err)), 0);
	saker_bundle_free(d);
	free(buf);
	saker_bundle_free(b);
}

/* Rewrites the header and reseals the digest, to make files a careless writer could produce. */
static void reseal(uint8_t *buf, size_t len)
{
	saker_sha256(buf, len - 32, buf + len - 32);
}

static void test_header_refusals(void **state)
{
	(void)state;
	struct saker_bundle *b = sample();
	uint8_t *buf;
	size_t len;
	encode(b, &buf, &len);

	buf[8] = SAKER_BUNDLE_FORMAT + 1; /* resealed so only the version is wrong */
	reseal(buf, len);
	expect_refusal(buf, len, "bundle format 3 is newer than this sakerd understands (2)");
	buf[8] = 0;
	reseal(buf, len);
	expect_refusal(buf, len, "bundle format 0 is not supported");
	buf[8] = 1;

	memcpy(buf, "ELF\x7f" "XXXX", 8);
	expect_refusal(buf, len, "not a saker bundle (bad magic)");
	memcpy(buf, SAKER_BUNDLE_MAGIC, 8);

	/* Trailing bytes after the digest. */
	uint8_t *longer = calloc(1, len + 8);
	memcpy(longer, buf, len);
	expect_refusal(longer, len + 8, "trailing data");
	free(longer);

	/* A section type this version does not know (valid digest). */
	uint8_t *c = malloc(len);
	memcpy(c, buf, len);
	c[24] = 9;
	reseal(c, len);
	expect_refusal(c, len, "unknown section type 9");
	/* Two sections of the same type. */
	memcpy(c, buf, len);
	c[24 + 24] = SAKER_SEC_OBJECT;
	reseal(c, len);
	expect_refusal(c, len, "appears twice");
	/* A section pointing past the payloads. */
	memcpy(c, buf, len);
	c[24 + 2 * 24 + 16] = 0xff;
	c[24 + 2 * 24 + 17] = 0xff;
	reseal(c, len);
	expect_refusal(c, len, "outside the file");
	/* A missing section: only two sections in the table. */
	memcpy(c, buf, len);
	c[12] = 2;
	reseal(c, len);
	expect_refusal(c, len, "requires section is missing");
	/* Zero sections. */
	memcpy(c, buf, len);
	c[12] = 0;
	reseal(c, len);
	expect_refusal(c, len, "corrupt header");
	free(c);

	free(buf);
	saker_bundle_free(b);
}

static void test_bad_rules(void **state)
{
	(void)state;
	struct saker_bundle *b = sample();
	uint8_t *buf;
	size_t len;
	char err[256];

	/* An output field unknown to the reader is refused, naming the rule and the field. */
	free(b->rules[0].segs[1].text);
	b->rules[0].segs[1].text = xstrdup("no.such_field");
	encode(b, &buf, &len);
	expect_refusal(buf, len, "rule 'Write below etc': output field 'no.such_field' is unknown");
	free(buf);

	/* Too many rules: the encoder refuses. */
	b->rules[0].segs[1].field = -1;
	uint32_t n = b->n_rules;
	b->n_rules = 257;
	assert_int_equal(saker_bundle_encode(b, &buf, &len), -E2BIG);
	b->n_rules = n;
	b->rules[0].priority = 9;
	assert_true(saker_bundle_encode(b, &buf, &len) < 0);
	b->rules[0].priority = 0;

	/* read_file: a missing file and a directory. */
	struct saker_bundle *d;
	assert_true(saker_bundle_read_file("/nonexistent/x.saker", &d, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "cannot open"));
	assert_true(saker_bundle_read_file("/", &d, err, sizeof(err)) < 0);
	assert_string_equal(err, "not a regular file");
	saker_bundle_free(b);
}

static void test_read_file(void **state)
{
	(void)state;
	struct saker_bundle *b = sample(), *d;
	uint8_t *buf;
	size_t len;
	char err[256], path[] = "/tmp/saker-test-bundle-XXXXXX";
	encode(b, &buf, &len);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	assert_int_equal(saker_bundle_read_file(path, &d, err, sizeof(err)), 0);
	assert_string_equal(d->rules[0].name, "Write below etc");
	saker_bundle_free(d);
	assert_int_equal(truncate(path, (off_t)len - 5), 0);
	assert_true(saker_bundle_read_file(path, &d, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "truncated"));
	unlink(path);
	free(buf);
	saker_bundle_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_flipped_byte_everywhere),
		cmocka_unit_test(test_header_refusals),
		cmocka_unit_test(test_bad_rules),
		cmocka_unit_test(test_read_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
