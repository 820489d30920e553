/* The evaluator of reference: what a lowered predicate (pred.h) means on a decoded event record.
 * Tests hold the kernel code to it, and residual evaluation in user space will reuse it. */
#ifndef SK_EVAL_H
#define SK_EVAL_H

#include <stdint.h>

#include "pred.h"
#include "saker/event.h"
#include "saker/event_fields.h"

enum sk_eval_kind {
	SK_EV_NA,   /* the field has no value for this event */
	SK_EV_STR,  /* s, len bytes, NUL-terminated */
	SK_EV_INT,  /* i: signed fields, unsigned ones (as their 64 bits) and booleans (0/1) */
};

struct sk_eval_value {
	enum sk_eval_kind kind;
	const char *s;  /* SK_EV_STR: points into the event, a constant, or the caller's scratch */
	size_t len;
	int64_t i;
};

#define SK_EVAL_SCRATCH SK_FIELD_SCRATCH

/* The value of FIELD (enum sk_field_id) for EV: sk_event_field's (saker/event_fields.h), with
 * every number and boolean as one signed 64-bit integer. SCRATCH receives values built for the
 * call. */
void sk_eval_field(const struct saker_event *ev, int field, struct sk_eval_value *v,
		   char scratch[SK_EVAL_SCRATCH]);

/* 1 when P holds for EV, 0 when it does not, -ENOMEM when memory ran out. */
int sk_eval_pred(const sk_pred *p, const struct saker_event *ev);

#endif
