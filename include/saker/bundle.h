/* The bundle file: one BPF object plus the rule metadata sakerd needs, sealed with a SHA-256.
 * Encoding and decoding both live in runtime/bundle.c; docs/bundle-format.md describes the bytes.
 *
 * Layout (all integers little-endian):
 *   header   "SAKERBDL" u32 format_version, u32 n_sections, u64 total_size
 *   sections n_sections x { u32 type, u32 reserved(0), u64 offset, u64 size }
 *   payloads each 8-byte aligned, zero padded
 *   digest   SHA-256 over bytes [0, total_size - 32)
 */
#ifndef SAKER_BUNDLE_H
#define SAKER_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#define SAKER_BUNDLE_MAGIC   "SAKERBDL"
#define SAKER_BUNDLE_FORMAT  2  /* 2: output arguments, residual conditions, left-out rules */
#define SAKER_BUNDLE_FORMAT_OLDEST 1 /* the oldest format this reader still reads */

enum saker_section {
	SAKER_SEC_OBJECT   = 1, /* the BPF ELF object */
	SAKER_SEC_RULES    = 2, /* rule metadata (see saker_rule_meta) */
	SAKER_SEC_REQUIRES = 3, /* what the object needs from the kernel, one "key value" per line */
	SAKER_SEC_CONDS    = 4, /* per rule: the fields the kernel captures and the residual */
	SAKER_SEC_LEFT_OUT = 5, /* rules the compiler left out, and why */
};

enum saker_priority {
	SAKER_PRIO_EMERGENCY, SAKER_PRIO_ALERT, SAKER_PRIO_CRITICAL, SAKER_PRIO_ERROR,
	SAKER_PRIO_WARNING, SAKER_PRIO_NOTICE, SAKER_PRIO_INFORMATIONAL, SAKER_PRIO_DEBUG,
	SAKER_PRIO__COUNT
};
/* Canonical printed names ("Critical"), indexed by enum saker_priority. */
extern const char *const saker_priority_names[SAKER_PRIO__COUNT];
/* Parses a priority as rules files write it (case-insensitive, "info" too); -1 if unknown. */
int saker_priority_parse(const char *s);

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
	struct saker_rule_meta *rules;   /* bit i of saker_event.matched is rules[i] */
	uint32_t n_rules;
	struct saker_left_out *left_out; /* rules the compiler left out */
	uint32_t n_left_out;
	struct sk_cond_set *conds;       /* decoded residual trees (owned) */
	uint8_t digest[32];              /* filled by encode/decode */
};

/* Serialises B into a new malloc'd buffer. Returns 0 or a negative errno. */
int saker_bundle_encode(struct saker_bundle *b, uint8_t **out, size_t *out_len);
/* Parses and verifies DATA. On failure returns a negative errno and writes a one-line reason
 * (no trailing newline) into ERR. On success *OUT owns copies of everything. */
int saker_bundle_decode(const uint8_t *data, size_t len, struct saker_bundle **out,
			char *err, size_t err_size);
/* Reads and decodes the file PATH, as above. */
int saker_bundle_read_file(const char *path, struct saker_bundle **out, char *err, size_t err_size);
/* Frees a bundle from decode (or one built by hand with malloc'd members). NULL is a no-op. */
void saker_bundle_free(struct saker_bundle *b);

/* SHA-256 (runtime/sha256.c). */
void saker_sha256(const void *data, size_t len, uint8_t out[32]);

#endif
