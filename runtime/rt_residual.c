/* Residual evaluation: the part of a rule the kernel cannot decide (its residual, planned by the
 * compiler), evaluated by sakerd on each event the kernel part passed, with the values the
 * alert would print (saker_rt_field_value: the record's fields and what user space adds). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"
#include "saker/cond.h"

#include "saker/event_cond.h"

struct saker_rt_residual {
	struct sk_cond_ctx *ctx;
	struct sk_event_src src;  /* the record's values, and user space's */
};

/* The alert's value of FIELD: the record's, plus what user space knows (user names, images). */
static void rt_value(void *ctx, const struct saker_event *ev, int field, struct sk_field_value *v,
		     char scratch[SK_FIELD_SCRATCH])
{
	saker_rt_field_value(ctx, ev, field, v, scratch);
}

/* fd.sip.name = N: is IP one of N's addresses, as the resolver last knew them? */
static int rt_name_has(void *ctx, const char *name, size_t len, const uint8_t *ip, uint8_t ip_len)
{
	const struct saker_rt_render *render = ctx;
	return render->dns ? saker_rt_dns_match(render->dns, name, len, ip, ip_len) : 0;
}

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
	sk_event_src_fini(&r->src);
	free(r);
}

void saker_rt_residual_reset(struct saker_rt_residual *r)
{
	sk_cond_ctx_reset(r->ctx);
}

int saker_rt_residual_eval(struct saker_rt_residual *r, const struct saker_rt_render *render,
			   const struct saker_rule_meta *rule, const struct saker_event *ev)
{
	if (!rule->residual)
		return 1;
	/* the render context changes only on reload; binding it each time is a store */
	r->src.value = rt_value;
	r->src.value_ctx = (void *)render;
	r->src.name_has = rt_name_has;
	r->src.name_ctx = (void *)render;
	return sk_event_cond_eval(&r->src, r->ctx, rule->residual, ev);
}
