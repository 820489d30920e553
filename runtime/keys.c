/* Ed25519 keys on OpenSSL's libcrypto: generation, PEM files, signatures and fingerprints for
 * signed bundles (include/saker/keys.h). Nothing here prompts: an encrypted key is refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "reason.h"
#include "saker/bundle.h"
#include "saker/keys.h"

#define KEY_MAX_FILE (64u << 10) /* a PEM key is a few hundred bytes */

struct saker_key {
	EVP_PKEY *pkey;
	uint8_t pub[SAKER_KEY_RAW_SIZE];
	bool priv;
};

#define reason saker_reason

static int wrap(EVP_PKEY *pkey, bool priv, struct saker_key **out)
{
	struct saker_key *k = calloc(1, sizeof(*k));
	size_t n = sizeof(k->pub);
	if (!k || EVP_PKEY_get_raw_public_key(pkey, k->pub, &n) != 1 || n != sizeof(k->pub)) {
		free(k);
		EVP_PKEY_free(pkey);
		ERR_clear_error();
		return k ? -EINVAL : -ENOMEM;
	}
	k->pkey = pkey;
	k->priv = priv;
	*out = k;
	return 0;
}

int saker_key_generate(struct saker_key **out)
{
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	int ok = ctx && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_keygen(ctx, &pkey) == 1;
	EVP_PKEY_CTX_free(ctx);
	if (!ok) {
		EVP_PKEY_free(pkey);
		ERR_clear_error();
		return -ENOMEM;
	}
	return wrap(pkey, true, out);
}

int saker_key_from_seed(const uint8_t seed[32], struct saker_key **out)
{
	EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	if (!pkey) {
		ERR_clear_error();
		return -ENOMEM;
	}
	return wrap(pkey, true, out);
}

void saker_key_free(struct saker_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

bool saker_key_is_private(const struct saker_key *k)
{
	return k->priv;
}

void saker_key_public(const struct saker_key *k, uint8_t out[SAKER_KEY_RAW_SIZE])
{
	memcpy(out, k->pub, SAKER_KEY_RAW_SIZE);
}

void saker_key_fingerprint(const uint8_t pub[SAKER_KEY_RAW_SIZE], char out[SAKER_KEY_FP_SIZE])
{
	uint8_t d[32];
	saker_sha256(pub, SAKER_KEY_RAW_SIZE, d);
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", d[i]);
}

/* ---- PEM files ------------------------------------------------------------------------- */

/* The passphrase callback: never ask, so an encrypted key fails instead of prompting. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* Reads PATH whole (at most KEY_MAX_FILE bytes) into a NUL-terminated buffer. */
static int slurp(const char *path, char **out, size_t *len, char *err, size_t esz)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return reason(err, esz, -errno, "cannot open: %s", strerror(errno));
	char *buf = malloc(KEY_MAX_FILE + 1);
	size_t n = buf ? fread(buf, 1, KEY_MAX_FILE + 1, f) : 0;
	int bad = ferror(f);
	fclose(f);
	if (!buf)
		return reason(err, esz, -ENOMEM, "out of memory");
	if (bad || n > KEY_MAX_FILE) {
		free(buf);
		return bad ? reason(err, esz, -EIO, "read error")
			   : reason(err, esz, -EFBIG, "too large to be a key file");
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

int saker_key_read(const char *path, bool private_key, struct saker_key **out, char *err,
		   size_t esz)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	ret = slurp(path, &text, &len, err, esz);
	if (ret)
		return ret;
	/* Name the usual mistakes before OpenSSL's generic "no start line". */
	const bool has_priv = strstr(text, "-----BEGIN PRIVATE KEY-----") != NULL;
	const bool has_pub = strstr(text, "-----BEGIN PUBLIC KEY-----") != NULL;
	if (strstr(text, "-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
		ret = reason(err, esz, -EINVAL, "the private key is encrypted; saker needs an unencrypted key");
		goto cleanup;
	}
	if (!private_key && has_priv && !has_pub) {
		ret = reason(err, esz, -EINVAL,
			     "this is a private key; a trusted key is the public one (NAME.pub from saker keygen)");
		goto cleanup;
	}
	if (private_key && has_pub && !has_priv) {
		ret = reason(err, esz, -EINVAL,
			     "this is a public key; signing needs the private key (NAME, not NAME.pub)");
		goto cleanup;
	}
	BIO *bio = BIO_new_mem_buf(text, (int)len);
	if (!bio) {
		ret = reason(err, esz, -ENOMEM, "out of memory");
		goto cleanup;
	}
	EVP_PKEY *pkey = private_key ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)
				     : PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (!pkey) {
		ret = reason(err, esz, -EINVAL, "not a PEM %s key", private_key ? "private" : "public");
		goto cleanup;
	}
	if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(pkey);
		ret = reason(err, esz, -EINVAL, "not an Ed25519 key (saker signs with Ed25519 only)");
		goto cleanup;
	}
	ret = wrap(pkey, private_key, out);
	if (ret)
		reason(err, esz, ret, "cannot read the key: %s", strerror(-ret));
cleanup:
	if (text) {
		/* The private key's bytes should not linger in freed memory. */
		OPENSSL_cleanse(text, len);
		free(text);
	}
	return ret;
}

/* K as PEM (the private key when PRIV), malloc'd into *OUT. */
static int pem_of(const struct saker_key *k, bool priv, char **out, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	int ret = -ENOMEM;
	if (!bio)
		return ret;
	int ok = priv ? PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL)
		      : PEM_write_bio_PUBKEY(bio, k->pkey);
	long n = ok == 1 ? BIO_get_mem_data(bio, &data) : -1;
	if (n > 0 && (*out = malloc((size_t)n))) {
		memcpy(*out, data, (size_t)n);
		*len = (size_t)n;
		ret = 0;
	}
	BIO_free(bio); /* BIO_free of a memory BIO clears its buffer */
	ERR_clear_error();
	return ret;
}

/* Writes DATA to a new temporary file beside FINAL with MODE; its name goes to TMP. */
static int write_temp(const char *final, const char *data, size_t len, mode_t mode, char *tmp,
		      size_t tsz)
{
	if ((size_t)snprintf(tmp, tsz, "%s.tmpXXXXXX", final) >= tsz)
		return -ENAMETOOLONG;
	int fd = mkstemp(tmp); /* 0600, O_EXCL: nobody else can have it open */
	if (fd < 0) {
		tmp[0] = 0;
		return -errno;
	}
	int ret = 0;
	if (fchmod(fd, mode) < 0)
		ret = -errno;
	for (size_t off = 0; !ret && off < len;) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno != EINTR)
			ret = -errno;
		else if (w > 0)
			off += (size_t)w;
	}
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (ret) {
		unlink(tmp);
		tmp[0] = 0;
	}
	return ret;
}

/* Gives the file TMP the name FINAL, which must not exist: link() fails when it does, atomically,
 * so there is no window between a check and the creation. */
static int link_new(const char *tmp, const char *final, char *err, size_t esz)
{
	if (link(tmp, final) == 0)
		return 0;
	int ret = -errno;
	if (ret == -EEXIST)
		return reason(err, esz, ret, "%s: exists; pass --force to overwrite it", final);
	return reason(err, esz, ret, "%s: cannot create: %s", final, strerror(-ret));
}

int saker_key_write(const struct saker_key *k, const char *name, bool force, char *err, size_t esz)
{
	char *priv = NULL, *pub = NULL;
	size_t priv_len = 0, pub_len = 0;
	char pub_name[4096], tmp_priv[4200] = "", tmp_pub[4200] = "";
	int ret;

	if (!k->priv)
		return reason(err, esz, -EINVAL, "internal error: not a private key");
	if ((size_t)snprintf(pub_name, sizeof(pub_name), "%s.pub", name) >= sizeof(pub_name))
		return reason(err, esz, -ENAMETOOLONG, "%s: name too long", name);
	if (pem_of(k, true, &priv, &priv_len) || pem_of(k, false, &pub, &pub_len)) {
		ret = reason(err, esz, -ENOMEM, "out of memory");
		goto cleanup;
	}
	mode_t mask = umask(0);
	umask(mask);
	ret = write_temp(name, priv, priv_len, 0600, tmp_priv, sizeof(tmp_priv));
	if (ret) {
		reason(err, esz, ret, "%s: cannot write: %s", name, strerror(-ret));
		goto cleanup;
	}
	ret = write_temp(pub_name, pub, pub_len, 0644 & ~mask, tmp_pub, sizeof(tmp_pub));
	if (ret) {
		reason(err, esz, ret, "%s: cannot write: %s", pub_name, strerror(-ret));
		goto cleanup;
	}
	if (force) {
		if (rename(tmp_priv, name) < 0 || rename(tmp_pub, pub_name) < 0) {
			ret = -errno;
			reason(err, esz, ret, "%s: cannot replace: %s", name, strerror(-ret));
		}
		goto cleanup;
	}
	ret = link_new(tmp_priv, name, err, esz);
	if (!ret && (ret = link_new(tmp_pub, pub_name, err, esz)))
		unlink(name); /* just made above: no half pair is left behind */
cleanup:
	if (tmp_priv[0])
		unlink(tmp_priv);
	if (tmp_pub[0])
		unlink(tmp_pub);
	if (priv) {
		OPENSSL_cleanse(priv, priv_len);
		free(priv);
	}
	free(pub);
	return ret;
}

/* ---- signatures ------------------------------------------------------------------------ */

int saker_key_sign(const struct saker_key *k, const void *msg, size_t len,
		   uint8_t sig[SAKER_SIG_SIZE])
{
	if (!k->priv)
		return -EINVAL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t n = SAKER_SIG_SIZE;
	/* Ed25519 is one-shot: no digest is named, the whole message goes in at once. */
	int ok = md && EVP_DigestSignInit(md, NULL, NULL, NULL, k->pkey) == 1 &&
		 EVP_DigestSign(md, sig, &n, msg, len) == 1 && n == SAKER_SIG_SIZE;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return ok ? 0 : -ENOMEM;
}

int saker_key_verify(const uint8_t pub[SAKER_KEY_RAW_SIZE], const void *msg, size_t len,
		     const uint8_t sig[SAKER_SIG_SIZE])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, SAKER_KEY_RAW_SIZE);
	int ret = -ENOMEM;
	if (md && pkey) {
		int ok = EVP_DigestVerifyInit(md, NULL, NULL, NULL, pkey) == 1 &&
			 EVP_DigestVerify(md, sig, SAKER_SIG_SIZE, msg, len) == 1;
		ret = ok ? 0 : -EBADMSG;
	} else if (md) {
		ret = -EBADMSG; /* 32 bytes that are not a public key */
	}
	EVP_PKEY_free(pkey);
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return ret;
}
