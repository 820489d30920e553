/* Residual evaluation: the part of a rule the kernel cannot decide (its residual, planned by the
 * compiler), evaluated by sakerd on each event the kernel part passed, with the values the
 * alert would print (saker_rt_field_value: the record's fields and what user space adds). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"
#include "saker/cond.h"

struct saker_rt_residual {
	struct sk_cond_ctx *ctx;
	/* Field values live until the evaluation ends, and each may need its own scratch text
	 * (a directory, a time): one buffer per value fetched, reused for the next event. */
	char **scratch;
	size_t n_scratch, used;
};

struct rt_src {
	struct saker_rt_residual *r;
	const struct saker_rt_render *render;
	const struct saker_event *ev;
	bool failed; /* out of scratch memory */
};

int saker_rt_residual_new(struct saker_rt_residual **out)
{
	struct saker_rt_residual *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	int ret = sk_cond_ctx_new(&r->ctx);
	if (ret) {
		free(r);
		return ret;
	}
	*out = r;
	return 0;
}

void saker_rt_residual_free(struct saker_rt_residual *r)
{
	if (!r)
		return;
	sk_cond_ctx_free(r->ctx);
	for (size_t i = 0; i < r->n_scratch; i++)
		free(r->scratch[i]);
	free(r->scratch);
	free(r);
}

void saker_rt_residual_reset(struct saker_rt_residual *r)
{
	sk_cond_ctx_reset(r->ctx);
}

static char *next_scratch(struct saker_rt_residual *r)
{
	if (r->used == r->n_scratch) {
		char **v = realloc(r->scratch, (r->n_scratch + 1) * sizeof(*v));
		if (!v)
			return NULL;
		r->scratch = v;
		v[r->n_scratch] = malloc(SAKER_RT_SCRATCH);
		if (!v[r->n_scratch])
			return NULL;
		r->n_scratch++;
	}
	return r->scratch[r->used++];
}

static void get(void *ctx, int field, const char *arg, sk_cval *v)
{
	struct rt_src *s = ctx;
	struct sk_field_value fv;
	memset(v, 0, sizeof(*v));
	v->kind = SK_CV_NA;
	/* no field saker computes takes an argument yet; the planner leaves out rules that
	 * need one, so this is only reached through a hand-made bundle */
	if (arg || field < 0 || field >= SK_FLD__COUNT)
		return;
	char *scratch = next_scratch(s->r);
	if (!scratch) {
		s->failed = true;
		return;
	}
	saker_rt_field_value(s->render, s->ev, field, &fv, scratch);
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
	default:
		break;
	}
}

int saker_rt_residual_eval(struct saker_rt_residual *r, const struct saker_rt_render *render,
			   const struct saker_rule_meta *rule, const struct saker_event *ev)
{
	if (!rule->residual)
		return 1;
	struct rt_src s = { .r = r, .render = render, .ev = ev };
	struct sk_cond_src src = { get, &s };
	r->used = 0;
	int ret = sk_cond_eval(r->ctx, rule->residual, &src);
	if (s.failed)
		return -ENOMEM;
	return ret;
}
