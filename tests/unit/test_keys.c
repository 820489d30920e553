/* saker-test-lib: saker_common */
/* Key files for signed bundles: a written pair reads back as the same key, with safe modes; an
 * existing pair is never overwritten unless forced, and never left half written; the wrong kind
 * of key, another algorithm, an encrypted key and a file that is no key are refused by name. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "saker/keys.h"

static char dir[] = "/tmp/saker-test-keys-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void path_in(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *get_file(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	static char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return strdup(buf);
}

static void expect_read_error(const char *path, bool priv, const char *want)
{
	struct saker_key *k = (struct saker_key *)1;
	char err[256] = "";
	assert_true(saker_key_read(path, priv, &k, err, sizeof(err)) < 0);
	assert_null(k);
	assert_null(strchr(err, '\n'));
	if (!strstr(err, want))
		fail_msg("reason \"%s\" does not contain \"%s\"", err, want);
}

static void test_write_read(void **state)
{
	(void)state;
	char name[256], pub[300], err[256];
	struct saker_key *k, *rk, *rp;
	uint8_t a[32], b[32], c[32];
	path_in(name, sizeof(name), "ci");
	snprintf(pub, sizeof(pub), "%s.pub", name);

	mode_t old = umask(022);
	assert_int_equal(saker_key_generate(&k), 0);
	assert_int_equal(saker_key_write(k, name, false, err, sizeof(err)), 0);
	umask(old);
	struct stat st;
	assert_int_equal(stat(name, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(pub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	char *text = get_file(name);
	assert_non_null(strstr(text, "-----BEGIN PRIVATE KEY-----"));
	free(text);
	text = get_file(pub);
	assert_non_null(strstr(text, "-----BEGIN PUBLIC KEY-----"));
	free(text);

	assert_int_equal(saker_key_read(name, true, &rk, err, sizeof(err)), 0);
	assert_int_equal(saker_key_read(pub, false, &rp, err, sizeof(err)), 0);
	assert_true(saker_key_is_private(rk));
	assert_false(saker_key_is_private(rp));
	saker_key_public(k, a);
	saker_key_public(rk, b);
	saker_key_public(rp, c);
	assert_memory_equal(a, b, 32);
	assert_memory_equal(a, c, 32);
	/* What the private key read back signs, the public key read back verifies. */
	uint8_t sig[64];
	assert_int_equal(saker_key_sign(rk, "bundle", 6, sig), 0);
	assert_int_equal(saker_key_verify(c, "bundle", 6, sig), 0);
	assert_int_equal(saker_key_sign(rp, "bundle", 6, sig), -EINVAL);

	char fp[SAKER_KEY_FP_SIZE];
	saker_key_fingerprint(a, fp);
	assert_int_equal(strlen(fp), 7 + 64);
	assert_memory_equal(fp, "sha256:", 7);

	/* The wrong half of the pair, each way. */
	expect_read_error(name, false, "this is a private key; a trusted key is the public one");
	expect_read_error(pub, true, "this is a public key; signing needs the private key");
	saker_key_free(rk);
	saker_key_free(rp);
	saker_key_free(k);
}

static void test_no_overwrite(void **state)
{
	(void)state;
	char name[256], pub[300], err[256];
	struct saker_key *k1, *k2, *r;
	uint8_t p1[32], p2[32], pr[32];
	path_in(name, sizeof(name), "pair");
	snprintf(pub, sizeof(pub), "%s.pub", name);
	assert_int_equal(saker_key_generate(&k1), 0);
	assert_int_equal(saker_key_generate(&k2), 0);
	saker_key_public(k1, p1);
	saker_key_public(k2, p2);
	assert_memory_not_equal(p1, p2, 32);
	assert_int_equal(saker_key_write(k1, name, false, err, sizeof(err)), 0);

	/* Refused, and the pair on disk is still k1's. */
	assert_int_equal(saker_key_write(k2, name, false, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "exists; pass --force to overwrite it"));
	assert_int_equal(saker_key_read(pub, false, &r, err, sizeof(err)), 0);
	saker_key_public(r, pr);
	assert_memory_equal(pr, p1, 32);
	saker_key_free(r);

	/* Only NAME.pub exists: refused too, and no NAME is left behind. */
	char other[256], other_pub[300];
	path_in(other, sizeof(other), "half");
	snprintf(other_pub, sizeof(other_pub), "%s.pub", other);
	put_file(other_pub, "keep me\n");
	assert_int_equal(saker_key_write(k2, other, false, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, ".pub: exists"));
	assert_int_equal(access(other, F_OK), -1);
	char *text = get_file(other_pub);
	assert_string_equal(text, "keep me\n");
	free(text);

	/* --force replaces both, and the private key is 0600 even if the old file was not. */
	assert_int_equal(chmod(name, 0644), 0);
	assert_int_equal(saker_key_write(k2, name, true, err, sizeof(err)), 0);
	struct stat st;
	assert_int_equal(stat(name, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(saker_key_read(name, true, &r, err, sizeof(err)), 0);
	saker_key_public(r, pr);
	assert_memory_equal(pr, p2, 32);
	saker_key_free(r);
	assert_int_equal(saker_key_read(pub, false, &r, err, sizeof(err)), 0);
	saker_key_public(r, pr);
	assert_memory_equal(pr, p2, 32);
	saker_key_free(r);

	/* A directory that does not exist. */
	assert_true(saker_key_write(k1, "/nonexistent/dir/key", false, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "cannot write"));
	/* No temporary files are left in the directory. */
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "ls '%s' | grep -q tmp", dir);
	assert_int_not_equal(system(cmd), 0);
	saker_key_free(k1);
	saker_key_free(k2);
}

static void test_bad_files(void **state)
{
	(void)state;
	char path[256];
	path_in(path, sizeof(path), "garbage");
	put_file(path, "not a key at all\n");
	expect_read_error(path, false, "not a PEM public key");
	expect_read_error(path, true, "not a PEM private key");
	path_in(path, sizeof(path), "missing");
	expect_read_error(path, false, "cannot open: No such file or directory");
	/* A PEM block with a corrupt body. */
	path_in(path, sizeof(path), "corrupt.pub");
	put_file(path, "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA!!!!\n-----END PUBLIC KEY-----\n");
	expect_read_error(path, false, "not a PEM public key");

	/* Another algorithm: a P-256 key, written by OpenSSL itself. */
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(ec);
	path_in(path, sizeof(path), "ec.pub");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PUBKEY(f, ec), 1);
	fclose(f);
	expect_read_error(path, false, "not an Ed25519 key");
	EVP_PKEY_free(ec);

	/* An encrypted private key is refused, never prompted for. */
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(ed);
	path_in(path, sizeof(path), "encrypted");
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PKCS8PrivateKey(f, ed, EVP_aes_256_cbc(), "pw", 2, NULL, NULL), 1);
	fclose(f);
	expect_read_error(path, true, "the private key is encrypted");
	EVP_PKEY_free(ed);

	/* A file far too large to be a key. */
	path_in(path, sizeof(path), "large");
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 70000; i++)
		fputc('A', f);
	fclose(f);
	expect_read_error(path, false, "too large to be a key file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_read),
		cmocka_unit_test(test_no_overwrite),
		cmocka_unit_test(test_bad_files),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
