/* Ed25519 keys for signed bundles (runtime/keys.c, on OpenSSL's libcrypto): generating a pair,
 * reading and writing them as PEM files (PKCS#8 private key, SubjectPublicKeyInfo public key, the
 * forms `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` use), signing and
 * verifying, and the fingerprint by which people and messages name a key. */
#ifndef SAKER_KEYS_H
#define SAKER_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SAKER_KEY_RAW_SIZE 32  /* an Ed25519 public key (RFC 8032) */
#define SAKER_SIG_SIZE     64  /* an Ed25519 signature */
#define SAKER_KEY_FP_SIZE  72  /* "sha256:" + 64 hex digits + NUL */

struct saker_key; /* a public key, or a private key (which can also verify) */

/* A new random private key. Returns 0 or a negative errno. */
int saker_key_generate(struct saker_key **out);
/* The private key whose 32-byte RFC 8032 seed is SEED (tests and fuzzing want fixed keys). */
int saker_key_from_seed(const uint8_t seed[32], struct saker_key **out);
/* Reads the PEM file PATH: a private key when PRIVATE_KEY, else a public key. On failure returns a
 * negative errno with a one-line reason in ERR (a private key given where a public one is wanted,
 * and the reverse, are named as such; an encrypted key is refused, never prompted for). */
int saker_key_read(const char *path, bool private_key, struct saker_key **out, char *err,
		   size_t err_size);
/* Writes private key K to NAME (mode 0600) and its public key to NAME.pub (0644 less the umask),
 * each complete or not at all. Without FORCE an existing NAME or NAME.pub is left alone and
 * refused; with it both are replaced. Returns 0 or a negative errno with a reason in ERR. */
int saker_key_write(const struct saker_key *k, const char *name, bool force, char *err,
		    size_t err_size);
void saker_key_free(struct saker_key *k); /* NULL is a no-op */

bool saker_key_is_private(const struct saker_key *k);
/* K's raw public key. */
void saker_key_public(const struct saker_key *k, uint8_t out[SAKER_KEY_RAW_SIZE]);
/* "sha256:" and the hex SHA-256 of the raw public key PUB. */
void saker_key_fingerprint(const uint8_t pub[SAKER_KEY_RAW_SIZE], char out[SAKER_KEY_FP_SIZE]);

/* Signs MSG with private key K. Returns 0 or a negative errno (-EINVAL for a public key). */
int saker_key_sign(const struct saker_key *k, const void *msg, size_t len,
		   uint8_t sig[SAKER_SIG_SIZE]);
/* 0 when SIG is a valid signature of MSG by the key whose raw public key is PUB, -EBADMSG when it
 * is not, another negative errno when the check could not run. */
int saker_key_verify(const uint8_t pub[SAKER_KEY_RAW_SIZE], const void *msg, size_t len,
		     const uint8_t sig[SAKER_SIG_SIZE]);

#endif
