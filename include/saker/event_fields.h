/* Event records in user space: the wire form checked and decoded (runtime/event_record.c), and
 * the one definition of what each kernel-computed field of fields.def is for a record
 * (runtime/event_fields.c), shared by sakerd's alerts and the reference evaluator. */
#ifndef SAKER_EVENT_FIELDS_H
#define SAKER_EVENT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "saker/event.h"

/* A record, decoded: what every consumer of records reads. saker_event_decode builds it from the
 * ring buffer's bytes (its pointers then point into them); tests build it by hand. */
struct saker_event {
	struct saker_event_hdr h;             /* the header as sent */
	uint64_t tail[SAKER_TAIL_MAX / 8];    /* the family tail, zero beyond h.tail_size */
	const uint32_t *rules;                /* h.n_rules rule ids: rules[i] of the bundle */
	const char *str[SAKER_STR__COUNT];    /* NUL-terminated strings; NULL: the event has none */
	uint32_t str_len[SAKER_STR__COUNT];   /* strlen of each */
};

/* The family tail of EV as struct saker_tail_FAM. */
#define SAKER_EVENT_TAIL(ev, fam) ((const struct saker_tail_##fam *)(const void *)(ev)->tail)
#define SAKER_EVENT_TAIL_W(ev, fam) ((struct saker_tail_##fam *)(void *)(ev)->tail)

/* Checks the SIZE bytes at DATA (8-byte aligned, as the ring buffer hands them out) as one
 * record and decodes it into EV, whose pointers then point into DATA. Untrusted input: every
 * offset, length and count is checked against SIZE and against the version, event, family and
 * tail this runtime knows, so a malformed record is refused rather than read out of bounds.
 * Returns 0, or -EINVAL. */
int saker_event_decode(const void *data, size_t size, struct saker_event *ev);

/* The wire form of EV with the rule ids RULES[0..N_RULES) (its own h.size, n_rules, n_strs,
 * tail_size and version are computed): writes it into BUF (SIZE bytes, 8-byte aligned) and returns
 * its length, or -ENOSPC (too small) or -EINVAL (a string longer than a slot holds). For tests
 * and tools: the kernel builds records itself. */
long saker_event_encode(const struct saker_event *ev, const uint32_t *rules, uint32_t n_rules,
			void *buf, size_t size);

/* SK_VAL_IP: an address (ip, ip_len 4 or 16, network byte order), with its text in s and len
 * for outputs. */
enum sk_val_kind { SK_VAL_NA, SK_VAL_STR, SK_VAL_I64, SK_VAL_U64, SK_VAL_BOOL, SK_VAL_IP };

struct sk_field_value {
	enum sk_val_kind kind; /* SK_VAL_NA: the field has no value for this event */
	const char *s;         /* SK_VAL_STR: NUL-terminated, in the event, a constant or SCRATCH */
	size_t len;            /* SK_VAL_STR: strlen(s) */
	int64_t i;             /* SK_VAL_I64 */
	uint64_t u;            /* SK_VAL_U64 */
	bool b;                /* SK_VAL_BOOL */
	uint8_t ip[16];        /* SK_VAL_IP */
	uint8_t ip_len;
};

#define SK_FIELD_SCRATCH SAKER_PATH_MAX

/* The value of FIELD (enum sk_field_id) for EV. Fields only user space knows (time, host and
 * user names, container images and names) are SK_VAL_NA here: the record does not hold them,
 * and so is a kernel field whose families (fields.def) do not include the event's.
 * SCRATCH receives values built for the call. */
void sk_event_field(const struct saker_event *ev, int field, struct sk_field_value *v,
		    char scratch[SK_FIELD_SCRATCH]);
/* The same for FIELD[ARG] (ARG NULL: no argument); proc.aname[N] is the one kernel field that
 * takes one. */
void sk_event_field_arg(const struct saker_event *ev, int field, const char *arg,
			struct sk_field_value *v, char scratch[SK_FIELD_SCRATCH]);

#endif
