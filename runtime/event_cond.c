/* Conditions evaluated on event records (include/saker/event_cond.h): field values read from the
 * record, turned into the evaluator's values. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "saker/event_cond.h"

void sk_event_src_init(struct sk_event_src *s, sk_event_value_fn value, void *value_ctx)
{
	memset(s, 0, sizeof(*s));
	s->value = value;
	s->value_ctx = value_ctx;
}

void sk_event_src_fini(struct sk_event_src *s)
{
	for (size_t i = 0; i < s->n_scratch; i++)
		free(s->scratch[i]);
	free(s->scratch);
	memset(s, 0, sizeof(*s));
}

static char *next_scratch(struct sk_event_src *s)
{
	if (s->used == s->n_scratch) {
		char **v = realloc(s->scratch, (s->n_scratch + 1) * sizeof(*v));
		if (!v)
			return NULL;
		s->scratch = v;
		v[s->n_scratch] = malloc(SK_FIELD_SCRATCH);
		if (!v[s->n_scratch])
			return NULL;
		s->n_scratch++;
	}
	return s->scratch[s->used++];
}

static void get(void *ctx, int field, const char *arg, sk_cval *v)
{
	struct sk_event_src *s = ctx;
	struct sk_field_value fv;
	memset(v, 0, sizeof(*v));
	v->kind = SK_CV_NA;
	if (field < 0 || field >= SK_FLD__COUNT)
		return;
	char *scratch = next_scratch(s);
	if (!scratch) {
		s->failed = true;
		return;
	}
	if (arg)
		sk_event_field_arg(s->ev, field, arg, &fv, scratch); /* the record's, proc.aname[N] */
	else if (s->value)
		s->value(s->value_ctx, s->ev, field, &fv, scratch);
	else
		sk_event_field(s->ev, field, &fv, scratch);
	switch (fv.kind) {
	case SK_VAL_STR:
		v->kind = SK_CV_STR;
		v->s = fv.s;
		v->len = fv.len;
		break;
	case SK_VAL_I64:
		v->kind = SK_CV_INT;
		v->i = fv.i;
		break;
	case SK_VAL_U64:
		v->kind = SK_CV_UINT;
		v->u = fv.u;
		break;
	case SK_VAL_BOOL:
		v->kind = SK_CV_BOOL;
		v->b = fv.b;
		break;
	case SK_VAL_IP:
		v->kind = SK_CV_IP;
		memcpy(v->ip, fv.ip, sizeof(v->ip));
		v->ip_len = fv.ip_len;
		break;
	default:
		break;
	}
}

static int name_has(void *ctx, const char *name, size_t len, const uint8_t *ip, uint8_t ip_len)
{
	struct sk_event_src *s = ctx;
	return s->name_has(s->name_ctx, name, len, ip, ip_len);
}

int sk_event_cond_eval(struct sk_event_src *s, struct sk_cond_ctx *c, const sk_cexpr *e,
		       const struct saker_event *ev)
{
	struct sk_cond_src src = { get, s, s->name_has ? name_has : NULL };
	s->ev = ev;
	s->used = 0;
	s->failed = false;
	int ret = sk_cond_eval(c, e, &src);
	return s->failed ? -ENOMEM : ret;
}
