/* The bundle file: one BPF object plus the rule metadata sakerd needs, sealed with a SHA-256 and
 * optionally signed with Ed25519. Encoding and decoding both live in runtime/bundle.c;
 * docs/bundle-format.md describes the bytes.
 *
 * Layout (all integers little-endian):
 *   header    "SAKERBDL" u32 format_version, u32 n_sections, u64 total_size
 *   sections  n_sections x { u32 type, u32 reserved(0), u64 offset, u64 size }
 *   payloads  each 8-byte aligned, zero padded; a signature section, when present, is the last
 *   digest    SHA-256 over bytes [0, total_size - 32)
 * The signature (format 2) covers every byte before its own 64 bytes: header, section table,
 * every payload and padding, and the signer's public key.
 */
#ifndef SAKER_BUNDLE_H
#define SAKER_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "saker/event.h"
#include "saker/keys.h"

#define SAKER_BUNDLE_MAGIC   "SAKERBDL"
#define SAKER_BUNDLE_FORMAT  2     /* what the encoder writes (2: output arguments, residual
				    * conditions, left-out rules, signatures) */
#define SAKER_BUNDLE_FORMAT_MIN 1  /* the oldest format the decoder reads (1: exact rules only,
				    * never signed) */
/* Rules one bundle may hold: a sanity bound of the checker and of this format's encoder and
 * decoder (so a corrupt count is refused before any allocation), far above real rulesets. The
 * kernel side sizes everything from the ruleset (the rule tables, the per-rule counters) and
 * event records carry rule ids without a limit. */
#define SAKER_MAX_RULES      (1u << 20)

enum saker_section {
	SAKER_SEC_OBJECT   = 1, /* the BPF ELF object */
	SAKER_SEC_RULES    = 2, /* rule metadata (see saker_rule_meta) */
	SAKER_SEC_REQUIRES = 3, /* what the object needs from the kernel, one "key value" per line */
	SAKER_SEC_CONDS    = 4, /* per rule: the fields the kernel captures and the residual */
	SAKER_SEC_LEFT_OUT = 5, /* rules the compiler left out, and why */
	SAKER_SEC_SIGNATURE = 6, /* optional, last: u32 algorithm, u32 reserved, public key, signature */
};

#define SAKER_SIG_ED25519      1   /* the signature section's algorithm */
#define SAKER_SIG_SECTION_SIZE 104 /* 4 + 4 + 32-byte public key + 64-byte signature */

enum saker_priority {
	SAKER_PRIO_EMERGENCY, SAKER_PRIO_ALERT, SAKER_PRIO_CRITICAL, SAKER_PRIO_ERROR,
	SAKER_PRIO_WARNING, SAKER_PRIO_NOTICE, SAKER_PRIO_INFORMATIONAL, SAKER_PRIO_DEBUG,
	SAKER_PRIO__COUNT
};
/* Canonical printed names ("Critical"), indexed by enum saker_priority. */
extern const char *const saker_priority_names[SAKER_PRIO__COUNT];
/* Parses a priority as rules files write it (case-insensitive, "info" too); -1 if unknown. */
int saker_priority_parse(const char *s);

/* enum saker_action (what a rule does when it matches) is in event.h: the kernel reads it. */
/* "alert", "kill", "deny", indexed by enum saker_action. */
extern const char *const saker_action_names[SAKER_ACTION__COUNT];
/* Parses an action as rules files write it (lower case); -1 if unknown. */
int saker_action_parse(const char *s);

/* How much of a rule the kernel decides. */
enum saker_plan { SAKER_PLAN_EXACT = 0, SAKER_PLAN_PARTIAL = 1, SAKER_PLAN_USER = 2 };

/* One piece of an output format: literal text, or a field to render. */
struct saker_fmt_seg {
	char *text;      /* literal text (field -1), or the token as written, e.g. "proc.aname[2]" */
	int32_t field;   /* enum sk_field_id; -1 literal text; -2 a token saker cannot render (<NA>) */
	int32_t width;   /* %Nfield width, 0 when none */
	char *arg;       /* the field's argument ("2" for proc.aname[2]), or NULL */
};

struct sk_cexpr;
struct sk_cond_set;

struct saker_rule_meta {
	char *name;
	char *desc;
	char *source;               /* "syscall" */
	char *output;               /* the output format as written (trimmed) */
	char *file;                 /* rules file the rule came from */
	uint32_t line;              /* line of the "- rule:" item */
	uint8_t priority;           /* enum saker_priority */
	uint8_t plan;               /* enum saker_plan */
	uint8_t action;             /* enum saker_action */
	char **tags;                /* sorted, unique */
	uint32_t n_tags;
	struct saker_fmt_seg *segs; /* parsed output */
	uint32_t n_segs;
	const struct sk_cexpr *residual; /* what sakerd tests after the kernel part, NULL when the
					  * plan is exact (decoded: lives in the bundle's conds) */
	int32_t *captures;          /* field ids the kernel ships for the residual and the output */
	uint32_t n_captures;
};

/* A rule the compiler could not run yet; listed so that nothing disappears silently. */
struct saker_left_out {
	char *name;
	char *file;
	uint32_t line;
	char *why;                  /* one line: what it needs, e.g. "needs field proc.cmdline" */
};

struct saker_bundle {
	uint32_t format;                 /* SAKER_BUNDLE_FORMAT */
	uint8_t *object;                 /* BPF ELF */
	size_t object_size;
	char *requires;                  /* NUL-terminated text */
	struct saker_rule_meta *rules;   /* rule id i of an event record is rules[i] */
	uint32_t n_rules;
	struct saker_left_out *left_out; /* rules the compiler left out */
	uint32_t n_left_out;
	struct sk_cond_set *conds;       /* decoded residual trees (owned) */
	uint8_t digest[32];              /* filled by encode/decode */
	bool is_signed;                  /* it carries a signature, valid for SIGNER's key */
	uint8_t signer[SAKER_KEY_RAW_SIZE]; /* the signer's raw Ed25519 public key */
	bool trusted;                    /* SIGNER is one of the trusted keys decode was given */
};

/* Serialises B into a new malloc'd buffer. Returns 0 or a negative errno. */
int saker_bundle_encode(struct saker_bundle *b, uint8_t **out, size_t *out_len);
/* The same, signed with private key KEY when it is not NULL (B's signer fields are then set). */
int saker_bundle_encode_signed(struct saker_bundle *b, const struct saker_key *key, uint8_t **out,
			       size_t *out_len);
/* Signs the encoded bundle DATA with KEY: decodes it (every check), then encodes it again with a
 * signature, replacing any it had. The result is what encode_signed would have written. */
int saker_bundle_sign(const uint8_t *data, size_t len, const struct saker_key *key, uint8_t **out,
		      size_t *out_len, char *err, size_t err_size);

/* The keys a bundle must be signed with: with N 0 any bundle is accepted, signed or not (a
 * signature present must still be valid for the key it names). */
struct saker_trust {
	struct saker_key *const *keys;
	size_t n;
};

/* Parses and verifies DATA. On failure returns a negative errno and writes a one-line reason
 * (no trailing newline) into ERR. On success *OUT owns copies of everything. */
int saker_bundle_decode(const uint8_t *data, size_t len, struct saker_bundle **out,
			char *err, size_t err_size);
/* The same, refusing a bundle that is not signed by one of TRUST's keys (TRUST may be NULL). The
 * signature is checked before the rules section is parsed. */
int saker_bundle_decode_trusted(const uint8_t *data, size_t len, const struct saker_trust *trust,
				struct saker_bundle **out, char *err, size_t err_size);
/* Reads and decodes the file PATH, as above. */
int saker_bundle_read_file(const char *path, struct saker_bundle **out, char *err, size_t err_size);
int saker_bundle_read_file_trusted(const char *path, const struct saker_trust *trust,
				   struct saker_bundle **out, char *err, size_t err_size);
/* Frees a bundle from decode (or one built by hand with malloc'd members). NULL is a no-op. */
void saker_bundle_free(struct saker_bundle *b);

/* SHA-256 (runtime/sha256.c). */
void saker_sha256(const void *data, size_t len, uint8_t out[32]);

#endif
