/* Field values read from an event record: the one definition of what each kernel-computed field
 * of fields.def is for a record, shared by sakerd's alerts and the reference evaluator. */
#ifndef SAKER_EVENT_FIELDS_H
#define SAKER_EVENT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "saker/event.h"

enum sk_val_kind { SK_VAL_NA, SK_VAL_STR, SK_VAL_I64, SK_VAL_U64, SK_VAL_BOOL };

struct sk_field_value {
	enum sk_val_kind kind; /* SK_VAL_NA: the field has no value for this event */
	const char *s;         /* SK_VAL_STR: NUL-terminated, in the event, a constant or SCRATCH */
	size_t len;            /* SK_VAL_STR: strlen(s) */
	int64_t i;             /* SK_VAL_I64 */
	uint64_t u;            /* SK_VAL_U64 */
	bool b;                /* SK_VAL_BOOL */
};

#define SK_FIELD_SCRATCH SAKER_PATH_MAX

/* The value of FIELD (enum sk_field_id) for EV. Fields only user space knows (time, host and
 * user names, container images and names) are SK_VAL_NA here: the record does not hold them.
 * SCRATCH receives values built for the call. Bounded: a record's strings need no NUL. */
void sk_event_field(const struct saker_event *ev, int field, struct sk_field_value *v,
		    char scratch[SK_FIELD_SCRATCH]);

#endif
