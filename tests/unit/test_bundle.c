/* saker-test-lib: saker_common */
/* Bundle encoding and verified decoding: SHA-256 vectors, round trip, determinism, every way a
 * damaged or foreign file must be refused with a one-line reason, and signatures: an Ed25519
 * vector, signing, trusted keys, tampering with any byte, a damaged signature section. */
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
#include "saker/keys.h"

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

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
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
	expect_refusal(buf, len, "bundle format 0 is not supported (this sakerd reads 1 to 2)");
	/* Format 1 had three sections and no output arguments: read as format 1 (the table cut to
	 * its first three entries), the format-2 rules section does not parse. */
	buf[8] = 1;
	put_le32(buf + 12, 3);
	reseal(buf, len);
	expect_refusal(buf, len, "rules section is malformed");
	put_le32(buf + 12, 5);
	buf[8] = SAKER_BUNDLE_FORMAT;
	reseal(buf, len);

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
	b->n_rules = SAKER_MAX_RULES + 1;
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


/* ---- signatures ---------------------------------------------------------------------------- */

static struct saker_key *seed_key(uint8_t fill)
{
	uint8_t seed[32];
	struct saker_key *k;
	memset(seed, fill, sizeof(seed));
	assert_int_equal(saker_key_from_seed(seed, &k), 0);
	return k;
}

static void encode_signed(struct saker_bundle *b, const struct saker_key *k, uint8_t **buf,
			  size_t *len)
{
	assert_int_equal(saker_bundle_encode_signed(b, k, buf, len), 0);
	assert_int_equal(*len % 8, 0);
}

static void expect_trusted_refusal(const uint8_t *buf, size_t len, const struct saker_trust *t,
				   const char *want)
{
	struct saker_bundle *d = (struct saker_bundle *)1;
	char err[256] = "";
	assert_true(saker_bundle_decode_trusted(buf, len, t, &d, err, sizeof(err)) < 0);
	assert_null(d);
	assert_true(err[0] != 0);
	assert_null(strchr(err, '\n'));
	if (want && !strstr(err, want))
		fail_msg("reason \"%s\" does not contain \"%s\"", err, want);
}

/* RFC 8032 section 7.1, test 1: the keys and signatures are standard Ed25519, so bundles can be
 * checked with other tools. */
static void test_ed25519_vector(void **state)
{
	(void)state;
	static const uint8_t seed[32] = {
		0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
		0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60 };
	static const uint8_t pub[32] = {
		0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
		0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a };
	static const uint8_t sig[64] = {
		0xe5, 0x56, 0x43, 0x00, 0xc3, 0x60, 0xac, 0x72, 0x90, 0x86, 0xe2, 0xcc, 0x80, 0x6e, 0x82, 0x8a,
		0x84, 0x87, 0x7f, 0x1e, 0xb8, 0xe5, 0xd9, 0x74, 0xd8, 0x73, 0xe0, 0x65, 0x22, 0x49, 0x01, 0x55,
		0x5f, 0xb8, 0x82, 0x15, 0x90, 0xa3, 0x3b, 0xac, 0xc6, 0x1e, 0x39, 0x70, 0x1c, 0xf9, 0xb4, 0x6b,
		0xd2, 0x5b, 0xf5, 0xf0, 0x59, 0x5b, 0xbe, 0x24, 0x65, 0x51, 0x41, 0x43, 0x8e, 0x7a, 0x10, 0x0b };
	struct saker_key *k;
	uint8_t got_pub[32], got_sig[64];
	assert_int_equal(saker_key_from_seed(seed, &k), 0);
	assert_true(saker_key_is_private(k));
	saker_key_public(k, got_pub);
	assert_memory_equal(got_pub, pub, 32);
	assert_int_equal(saker_key_sign(k, "", 0, got_sig), 0);
	assert_memory_equal(got_sig, sig, 64);
	assert_int_equal(saker_key_verify(pub, "", 0, sig), 0);
	assert_int_equal(saker_key_verify(pub, "x", 1, sig), -EBADMSG);
	got_sig[63] ^= 0x80; /* S >= L: refused, not reduced */
	assert_int_equal(saker_key_verify(pub, "", 0, got_sig), -EBADMSG);
	saker_key_free(k);
	saker_key_free(NULL);
}

static void test_sign_verify(void **state)
{
	(void)state;
	struct saker_bundle *b = sample(), *d;
	struct saker_key *ka = seed_key(0xa1), *kb = seed_key(0xb2);
	uint8_t *u, *s, *s2, pa[32];
	size_t ul, sl, sl2;
	char err[256];

	saker_key_public(ka, pa);
	encode(b, &u, &ul);
	assert_false(b->is_signed);
	encode_signed(b, ka, &s, &sl);
	assert_true(b->is_signed);
	assert_memory_equal(b->signer, pa, 32);
	assert_int_equal(sl, ul + 24 + SAKER_SIG_SECTION_SIZE);

	/* Signing an encoded bundle gives the same bytes; Ed25519 is deterministic. */
	assert_int_equal(saker_bundle_sign(u, ul, ka, &s2, &sl2, err, sizeof(err)), 0);
	assert_int_equal(sl2, sl);
	assert_memory_equal(s2, s, sl);
	free(s2);

	/* Trusted by A alone, and by A among several keys. */
	struct saker_key *just_a[] = { ka }, *both[] = { kb, ka }, *just_b[] = { kb };
	const struct saker_trust ta = { just_a, 1 }, tab = { both, 2 }, tb = { just_b, 1 };
	assert_int_equal(saker_bundle_decode_trusted(s, sl, &ta, &d, err, sizeof(err)), 0);
	assert_true(d->is_signed && d->trusted);
	assert_memory_equal(d->signer, pa, 32);
	assert_string_equal(d->rules[0].name, "Write below etc");
	saker_bundle_free(d);
	assert_int_equal(saker_bundle_decode_trusted(s, sl, &tab, &d, err, sizeof(err)), 0);
	assert_true(d->trusted);
	saker_bundle_free(d);

	/* Without trusted keys it decodes, signed but not trusted. */
	assert_int_equal(saker_bundle_decode(s, sl, &d, err, sizeof(err)), 0);
	assert_true(d->is_signed);
	assert_false(d->trusted);
	saker_bundle_free(d);

	/* The wrong key, and no signature at all. */
	char fp[SAKER_KEY_FP_SIZE], want[160];
	saker_key_fingerprint(pa, fp);
	snprintf(want, sizeof(want), "signed by key %s, which is not a trusted key", fp);
	expect_trusted_refusal(s, sl, &tb, want);
	expect_trusted_refusal(u, ul, &ta, "not signed, and only bundles signed by a trusted key may run");
	expect_trusted_refusal(u, ul, &tab, "not signed");
	free(u);
	free(s);
	saker_key_free(ka);
	saker_key_free(kb);
	saker_bundle_free(b);
}

/* Every byte the signature covers, changed and the digest resealed (what someone without the
 * private key can do), makes the bundle refused: with trusted keys, and without them too. */
static void test_signed_tamper_every_byte(void **state)
{
	(void)state;
	struct saker_bundle *b = sample();
	struct saker_key *k = seed_key(0x5c);
	struct saker_key *keys[] = { k };
	const struct saker_trust t = { keys, 1 };
	uint8_t *s;
	size_t sl;
	encode_signed(b, k, &s, &sl);
	const size_t obj_off = 24 + 6 * 24; /* the first payload: the object, after six table entries */
	for (size_t i = 0; i < sl - 32; i++) {
		s[i] ^= 0x10;
		reseal(s, sl);
		expect_trusted_refusal(s, sl, &t, i >= obj_off && i < obj_off + 301 ? "bad signature" : NULL);
		expect_refusal(s, sl, NULL);
		s[i] ^= 0x10;
	}
	reseal(s, sl);
	struct saker_bundle *d;
	char err[256];
	assert_int_equal(saker_bundle_decode_trusted(s, sl, &t, &d, err, sizeof(err)), 0);
	saker_bundle_free(d);
	free(s);
	saker_key_free(k);
	saker_bundle_free(b);
}

/* A damaged signature section: cut short, an unknown algorithm, a non-zero reserved field, not
 * last, or in a format 1 file. */
static void test_signature_section(void **state)
{
	(void)state;
	struct saker_bundle *b = sample();
	struct saker_key *k = seed_key(0x77);
	struct saker_key *keys[] = { k };
	const struct saker_trust t = { keys, 1 };
	uint8_t *s, *c;
	size_t sl;
	encode_signed(b, k, &s, &sl);
	const size_t ent = 24 + 5 * 24; /* the signature's table entry: after the five others */
	const size_t sig = sl - 32 - SAKER_SIG_SECTION_SIZE;
	assert_int_equal(s[ent], SAKER_SEC_SIGNATURE);
	c = malloc(sl);

	/* Truncated: the table says 96 bytes (the file is resealed around it). */
	memcpy(c, s, sl);
	c[ent + 16] = 96;
	reseal(c, sl);
	expect_trusted_refusal(c, sl, &t, "the signature section has 96 bytes, not 104");
	expect_refusal(c, sl, "the signature section has 96 bytes, not 104");
	/* A whole bundle cut inside the signature. */
	for (size_t cut = sig; cut < sl; cut += 7)
		expect_trusted_refusal(s, cut, &t, "truncated");
	/* Cut for real: a signature section of 96 bytes, the digest moved up, sizes fixed. */
	memcpy(c, s, sl);
	c[ent + 16] = 96;
	memmove(c + sl - 40, c + sl - 32, 32);
	c[16] = (uint8_t)((sl - 8) & 0xff);
	c[17] = (uint8_t)((sl - 8) >> 8);
	reseal(c, sl - 8);
	expect_trusted_refusal(c, sl - 8, &t, "96 bytes, not 104");

	memcpy(c, s, sl);
	c[sig] = 2;
	reseal(c, sl);
	expect_trusted_refusal(c, sl, &t, "signature algorithm 2 is unknown to this version");
	memcpy(c, s, sl);
	c[sig + 5] = 1;
	reseal(c, sl);
	expect_trusted_refusal(c, sl, &t, "signature section: reserved field is not zero");
	/* Swapped with the left-out entry in the table: the signature is no longer last. */
	memcpy(c, s, sl);
	memcpy(c + ent, s + ent - 24, 24);
	memcpy(c + ent - 24, s + ent, 24);
	reseal(c, sl);
	expect_trusted_refusal(c, sl, &t, "not the last bytes before the digest");
	/* Format 1 knows no signature section. */
	memcpy(c, s, sl);
	c[8] = 1;
	reseal(c, sl);
	expect_trusted_refusal(c, sl, &t, "unknown section type 4");
	/* A signature moved onto other bytes: the right key, the wrong message. */
	memcpy(c, s, sl);
	c[24 + 6 * 24 + 5] ^= 1; /* a byte of the object */
	reseal(c, sl);
	expect_trusted_refusal(c, sl, &t, "bad signature: the bundle was changed after key");

	/* A public key cannot sign. */
	uint8_t *x;
	size_t xl;
	char path[] = "/tmp/saker-test-key-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	char err[256];
	assert_int_equal(saker_key_write(k, path, false, err, sizeof(err)), 0);
	char pub_path[64];
	snprintf(pub_path, sizeof(pub_path), "%s.pub", path);
	struct saker_key *pk;
	assert_int_equal(saker_key_read(pub_path, false, &pk, err, sizeof(err)), 0);
	assert_false(saker_key_is_private(pk));
	assert_int_equal(saker_bundle_encode_signed(b, pk, &x, &xl), -EINVAL);
	/* ...but it is the key that verifies. */
	struct saker_key *pkeys[] = { pk };
	const struct saker_trust tp = { pkeys, 1 };
	struct saker_bundle *d;
	assert_int_equal(saker_bundle_decode_trusted(s, sl, &tp, &d, err, sizeof(err)), 0);
	saker_bundle_free(d);
	saker_key_free(pk);
	unlink(path);
	unlink(pub_path);

	free(c);
	free(s);
	saker_key_free(k);
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
		cmocka_unit_test(test_ed25519_vector),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_signed_tamper_every_byte),
		cmocka_unit_test(test_signature_section),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
