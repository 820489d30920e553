/* Conditions evaluated on event records: a value source for the evaluator (saker/cond.h) that
 * reads fields from a decoded record, so that sakerd's residuals and the tests' reference checks
 * go through one path (runtime/event_cond.c). */
#ifndef SAKER_EVENT_COND_H
#define SAKER_EVENT_COND_H

#include <stdbool.h>

#include "saker/cond.h"
#include "saker/event_fields.h"

/* How a field's value is found for a record: sk_event_field for what the record holds, or a
 * caller's function that adds what only user space knows (sakerd's saker_rt_field_value). */
typedef void (*sk_event_value_fn)(void *ctx, const struct saker_event *ev, int field,
				  struct sk_field_value *v, char scratch[SK_FIELD_SCRATCH]);

/* Scratch memory for the values of one evaluation: every value fetched gets its own buffer (the
 * evaluator keeps several at once), reused for the next evaluation. */
struct sk_event_src {
	sk_event_value_fn value;   /* NULL: sk_event_field */
	void *value_ctx;
	/* the addresses of domain names (sk_cond_src's name_has, given NAME_CTX); NULL: none */
	int (*name_has)(void *ctx, const char *name, size_t len, const uint8_t *ip, uint8_t ip_len);
	void *name_ctx;
	const struct saker_event *ev;
	char **scratch;
	size_t n_scratch, used;
	bool failed;               /* a value could not get scratch memory */
};

void sk_event_src_init(struct sk_event_src *s, sk_event_value_fn value, void *value_ctx);
void sk_event_src_fini(struct sk_event_src *s);

/* 1 when E holds for EV, 0 when not, a negative errno when it cannot be evaluated (-ENOMEM
 * included). C is the evaluator's context (compiled regexes, hashed sets). */
int sk_event_cond_eval(struct sk_event_src *s, struct sk_cond_ctx *c, const sk_cexpr *e,
		       const struct saker_event *ev);

#endif
