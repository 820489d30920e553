/* The event loop: one ring buffer manager over every loaded bundle, one alert per rule id a record
 * carries (once its residual, if any, holds) for enabled rules (after the per-rule rate limit)
 * queued to every output, the counters that prove
 * what the kernel filtered, what reached user space and what was lost, internal alerts the
 * moment anything is lost, and the replacement of the bundles without a gap. */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "reason.h"
#include "rt.h"
#include "rt_config.h"
#include "rt_loop.h"
#include "rt_output.h"

#define say saker_reason

#define RT_NOTICE_INTERVAL_NS 1000000000ll /* at most one internal alert per subject a second */
#define RT_DRAIN_WAIT_MS      2000         /* a replaced bundle's last events, at most */

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- rule selection and rate limits ------------------------------------------------------- */

static bool rule_selected(const struct saker_rt_config *c, const struct saker_rule_meta *r)
{
	if (r->priority > c->min_priority)
		return false;
	bool on = true;
	for (size_t i = 0; i < c->n_select; i++) {
		const struct saker_rt_select *s = &c->select[i];
		bool hit = false;
		if (!s->by_tag)
			hit = r->name && !fnmatch(s->pattern, r->name, 0);
		for (uint32_t t = 0; s->by_tag && t < r->n_tags && !hit; t++)
			hit = r->tags[t] && !fnmatch(s->pattern, r->tags[t], 0);
		if (hit)
			on = s->enable;
	}
	return on;
}

/* Token bucket: RATE tokens a second up to BURST; 1 when an alert may go now. */
static bool rate_take(const struct saker_rt_config *c, struct rt_rule *r, int64_t now)
{
	if (c->rate <= 0)
		return true;
	double burst = c->burst >= 1 ? c->burst : 1;
	if (r->last_ns)
		r->tokens += (double)(now - r->last_ns) * c->rate / 1e9;
	else
		r->tokens = burst;
	if (r->tokens > burst)
		r->tokens = burst;
	r->last_ns = now;
	if (r->tokens < 1)
		return false;
	r->tokens -= 1;
	return true;
}

/* ---- fan-out to the outputs --------------------------------------------------------------- */

static void rt_log(struct saker_rt *rt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rt_log(struct saker_rt *rt, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (rt->log)
		rt->log(rt->log_arg, line);
}

/* Queues TEXT and JSON (each may be NULL when no output wants it) to every output but SKIP. */
static void fan_out(struct saker_rt *rt, const struct saker_rt_str *text,
		    const struct saker_rt_str *json, int prio, const struct saker_rt_output *skip)
{
	for (size_t i = 0; i < rt->n_outputs; i++) {
		struct saker_rt_output *o = rt->outputs[i];
		const struct saker_rt_str *s = saker_rt_output_json(o) ? json : text;
		if (o == skip || !s)
			continue;
		saker_rt_output_push(o, s->p, s->len, prio);
	}
}

static void kick_outputs(struct saker_rt *rt)
{
	for (size_t i = 0; i < rt->n_outputs; i++)
		saker_rt_output_kick(rt->outputs[i]);
}

/* An internal alert: to every output (but SKIP) and to the log. */
static void rt_internal(struct saker_rt *rt, const char *rule, int prio,
			const struct saker_rt_output *skip, const struct saker_rt_kv *kv, size_t n,
			const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static void rt_internal(struct saker_rt *rt, const char *rule, int prio,
			const struct saker_rt_output *skip, const struct saker_rt_kv *kv, size_t n,
			const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	saker_rt_str_reset(&rt->text);
	saker_rt_str_reset(&rt->json);
	int a = rt->want_text ? saker_rt_render_internal(&rt->render, rule, prio, msg, kv, n, false,
							 &rt->text) : 0;
	int b = rt->want_json ? saker_rt_render_internal(&rt->render, rule, prio, msg, kv, n, true,
							 &rt->json) : 0;
	if (!a && !b)
		fan_out(rt, rt->want_text ? &rt->text : NULL, rt->want_json ? &rt->json : NULL, prio,
			skip);
	rt->internal++;
	rt_log(rt, "%s", msg);
}

static void rt_alert(struct saker_rt *rt, struct rt_source *src, uint32_t i,
		     const struct saker_event *ev)
{
	const struct saker_rule_meta *rule = &src->bundle->rules[i];
	struct rt_rule *r = &src->rules[i];

	if (!r->enabled) {
		rt->c.disabled++;
		return;
	}
	int64_t now = clock_ns(CLOCK_MONOTONIC);
	if (!rate_take(rt->conf, r, now)) {
		r->suppressed++;
		rt->c.suppressed++;
		return;
	}
	if (r->suppressed) {
		/* alerting resumes: say first how many the limit held back */
		struct saker_rt_kv kv[] = { { "rule", rule->name, 0 }, { "suppressed", NULL, r->suppressed } };
		rt_internal(rt, "saker internal: rate limit", SAKER_PRIO_WARNING, NULL, kv, 2,
			    "rule '%s': suppressed %" PRIu64 " alerts (rate limit %g/s, burst %g)",
			    rule->name, r->suppressed, rt->conf->rate, rt->conf->burst);
		r->suppressed = 0;
	}
	saker_rt_str_reset(&rt->text);
	saker_rt_str_reset(&rt->json);
	int ret = 0;
	if (rt->want_text)
		ret = saker_rt_render_alert(&rt->render, rule, ev, false, &rt->text);
	if (!ret && rt->want_json)
		ret = saker_rt_render_alert(&rt->render, rule, ev, true, &rt->json);
	if (ret) {
		rt->text.err = rt->json.err = 0;
		rt->render_failed++;
		return;
	}
	fan_out(rt, rt->want_text ? &rt->text : NULL, rt->want_json ? &rt->json : NULL,
		rule->priority, NULL);
	__atomic_add_fetch(&r->alerts, 1, __ATOMIC_RELAXED);
	rt->c.alerts++;
}

int saker_rt_handle_record(struct saker_rt *rt, size_t index, const void *data, size_t size)
{
	struct saker_event *ev = rt->ev;
	struct rt_source *src = rt->sources[index];
	const struct saker_bundle *b = src->bundle;

	rt->c.received++;
	src->received++;
	if (saker_event_decode(data, size, ev)) {
		rt->c.malformed++;
		return 0;
	}
	for (uint32_t j = 0; j < ev->h.n_rules; j++) {
		uint32_t i = ev->rules[j];
		if (i >= b->n_rules) {
			rt->c.unknown_rule++;
			continue;
		}
		src->rules[i].kernel++;
		if (b->rules[i].residual) {
			int m = saker_rt_residual_eval(rt->resid, &rt->render, &b->rules[i], ev);
			if (m == 0) {
				src->rules[i].residual_rejected++;
				rt->c.residual_rejected++;
				continue;
			}
			if (m < 0)
				rt->c.residual_errors++; /* fail closed: the kernel part matched */
			else
				rt->c.residual_matched++;
			src->rules[i].residual_matched++;
		}
		rt_alert(rt, src, i, ev);
	}
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct rt_source *src = ctx;
	return saker_rt_handle_record(src->rt, src->index, data, size);
}

/* ---- the runtime -------------------------------------------------------------------------- */

int saker_rt_new(struct saker_rt **out, const struct saker_rt_config *c, saker_rt_log_fn *log,
		 void *log_arg, char *err, size_t esz)
{
	struct saker_rt *rt = calloc(1, sizeof(*rt));
	int ret;

	if (!rt)
		return say(err, esz, -ENOMEM, "out of memory");
	pthread_mutex_init(&rt->lock, NULL);
	rt->conf = c;
	rt->log = log;
	rt->log_arg = log_arg;
	rt->ev = malloc(sizeof(*rt->ev));
	rt->outputs = calloc(SAKER_OUT__COUNT, sizeof(*rt->outputs));
	if (!rt->ev || !rt->outputs) {
		ret = say(err, esz, -ENOMEM, "out of memory");
		goto fail;
	}
	for (int k = 0; k < SAKER_OUT__COUNT; k++) {
		const struct saker_rt_cfg_out *co = &c->out[k];
		if (!co->enabled)
			continue;
		struct saker_rt_out_conf oc = {
			.kind = (enum saker_rt_out_kind)k,
			.json = co->format >= 0 ? co->format : c->json_output,
			.target = co->target,
			.queue = co->queue ? co->queue : c->queue,
			.timeout_ms = co->timeout_ms,
			.insecure = co->insecure,
			.ca_cert = co->ca_cert,
			.user_agent = co->user_agent,
		};
		ret = saker_rt_output_new(&rt->outputs[rt->n_outputs], &oc, err, esz);
		if (ret)
			goto fail;
		if (saker_rt_output_json(rt->outputs[rt->n_outputs]))
			rt->want_json = true;
		else
			rt->want_text = true;
		rt->n_outputs++;
	}
	rt->out_reported = calloc(rt->n_outputs ? rt->n_outputs : 1, sizeof(*rt->out_reported));
	if (!rt->out_reported) {
		ret = say(err, esz, -ENOMEM, "out of memory");
		goto fail;
	}
	const char *h = getenv("SAKER_HOSTNAME");
	if (h && h[0])
		snprintf(rt->hostname, sizeof(rt->hostname), "%s", h);
	else if (gethostname(rt->hostname, sizeof(rt->hostname) - 1) < 0)
		snprintf(rt->hostname, sizeof(rt->hostname), "localhost");
	/* The first alert of a new container may wait this long for the runtime's answer (only
	 * while the runtime answers in time): podman holds a container's lock for ~300 ms while it
	 * starts it (measured), and that alert should still name its image. */
	ret = saker_rt_enrich_new(&rt->enrich,
				  c->container_socket_set || c->container_socket ? c->container_socket
										  : NULL,
				  500);
	if (ret) {
		say(err, esz, ret, "out of memory");
		goto fail;
	}
	ret = saker_rt_residual_new(&rt->resid);
	if (ret) {
		say(err, esz, ret, "out of memory");
		goto fail;
	}
	struct saker_rt_dns_opts dopts = { .log = log, .log_arg = log_arg };
	ret = saker_rt_dns_new(&rt->dns, &dopts);
	if (ret) {
		say(err, esz, ret, "out of memory");
		goto fail;
	}
	rt->render.hostname = rt->hostname;
	rt->render.enrich = rt->enrich;
	rt->render.dns = rt->dns;
	rt->render.json_omit_output = c->json_omit_output;
	rt->render.json_omit_output_fields = c->json_omit_output_fields;
	rt->render.json_omit_tags = c->json_omit_tags;
	rt->render.json_message = c->json_message;
	rt->render.dry_run = c->enforce_off;
	/* Read the two clocks back to back; the pair brackets the offset within a microsecond. */
	int64_t boot = clock_ns(CLOCK_BOOTTIME), wall = clock_ns(CLOCK_REALTIME);
	rt->render.boot_to_wall_ns = wall - boot;
	rt->started_ns = clock_ns(CLOCK_MONOTONIC);
	*out = rt;
	return 0;
fail:
	saker_rt_free(rt);
	return ret;
}

static void source_free(struct rt_source *s)
{
	if (!s)
		return;
	saker_rt_obj_free(s->obj);
	saker_bundle_free(s->bundle);
	free(s->rules);
	free(s->name);
	free(s);
}

void saker_rt_close_outputs(struct saker_rt *rt)
{
	for (size_t i = 0; i < rt->n_outputs; i++) {
		struct saker_rt_output_stats st;
		saker_rt_output_free_stats(rt->outputs[i], &st);
		rt->closed_dropped += st.dropped;
		rt->closed_failed += st.failed;
		rt->outputs[i] = NULL;
	}
	rt->n_outputs = 0;
}

void saker_rt_free(struct saker_rt *rt)
{
	if (!rt)
		return;
	ring_buffer__free(rt->rb);
	saker_rt_residual_reset(rt->resid);
	for (size_t i = 0; i < rt->n_sources; i++)
		source_free(rt->sources[i]);
	free(rt->sources);
	saker_rt_residual_free(rt->resid);
	for (size_t i = 0; i < rt->n_outputs; i++)
		saker_rt_output_free(rt->outputs[i]);
	free(rt->outputs);
	free(rt->out_reported);
	saker_rt_enrich_free(rt->enrich);
	saker_rt_dns_free(rt->dns);
	saker_rt_str_fini(&rt->text);
	saker_rt_str_fini(&rt->json);
	free(rt->ev);
	pthread_mutex_destroy(&rt->lock);
	free(rt);
}

/* A source for B (owned by it from now on), loaded but not yet started. */
static int source_new(struct saker_rt *rt, struct saker_bundle *b, const char *name,
		      const struct rt_source *prev, struct rt_source **out, char *err, size_t esz)
{
	struct rt_source *s = calloc(1, sizeof(*s));
	int ret;
	if (!s) {
		saker_bundle_free(b);
		return say(err, esz, -ENOMEM, "out of memory");
	}
	s->rt = rt;
	s->bundle = b;
	s->name = strdup(name);
	s->rules = calloc(b->n_rules ? b->n_rules : 1, sizeof(*s->rules));
	if (!s->name || !s->rules) {
		ret = say(err, esz, -ENOMEM, "out of memory");
		goto fail;
	}
	for (uint32_t i = 0; i < b->n_rules; i++) {
		s->rules[i].enabled = rule_selected(rt->conf, &b->rules[i]);
		s->n_enabled += s->rules[i].enabled;
		s->rules[i].prev = UINT32_MAX;
		/* a rule that survives a reload keeps counting where it was */
		for (uint32_t j = 0; prev && j < prev->bundle->n_rules; j++)
			if (!strcmp(prev->bundle->rules[j].name, b->rules[i].name)) {
				s->rules[i].alerts = prev->rules[j].alerts;
				s->rules[i].prev = j;
			}
	}
	for (int i = 0; i < 32; i++)
		snprintf(s->digest + 2 * i, 3, "%02x", b->digest[i]);
	ret = saker_rt_check_requires(b->requires, err, esz);
	int64_t t0 = clock_ns(CLOCK_MONOTONIC);
	if (!ret)
		ret = saker_rt_obj_load(&s->obj, b, rt->conf->ring_bytes, prev ? prev->obj : NULL,
					saker_rt_backend_parse(rt->conf->backend), err, esz);
	/* most of it is the kernel verifying the programs (docs/kernel.md, "Load time") */
	s->load_ns = clock_ns(CLOCK_MONOTONIC) - t0;
	/* What each rule does when it matches: kill where enforcing; deny where enforcing on the
	 * LSM back end, the only one that runs before an open, connect or exec happens (elsewhere
	 * 'deny' needs --deny-as-alert); otherwise only alert. */
	bool lsm = !ret && saker_rt_obj_lsm(s->obj);
	uint8_t *act = calloc(b->n_rules ? b->n_rules : 1, 1);
	size_t n_deny = 0;
	if (!act && !ret)
		ret = say(err, esz, -ENOMEM, "out of memory");
	for (uint32_t i = 0; !ret && i < b->n_rules; i++) {
		bool act_on = !rt->conf->enforce_off && s->rules[i].enabled;
		if (b->rules[i].action == SAKER_ACTION_DENY && !n_deny++ && !lsm &&
		    !rt->conf->deny_as_alert && !rt->conf->enforce_off)
			ret = say(err, esz, -EOPNOTSUPP,
				  "rule '%s' has action deny, which needs an LSM back end; this kernel runs the "
				  "tracepoint one (%s; sakerd --deny-as-alert runs such rules as alerts)",
				  b->rules[i].name, saker_rt_obj_backend_note(s->obj));
		if (b->rules[i].action == SAKER_ACTION_KILL && act_on)
			act[i] = SAKER_ACTION_KILL;
		if (b->rules[i].action == SAKER_ACTION_DENY && act_on && lsm)
			act[i] = SAKER_ACTION_DENY;
	}
	if (!ret)
		ret = saker_rt_obj_set_actions(s->obj, act, b->n_rules, err, esz);
	free(act);
	if (ret)
		goto fail;
	rt->render.lsm = lsm;
	if (lsm)
		rt_log(rt, "%s: back end lsm: lsm/file_open runs the open rules (and denies), "
		       "fexit/__sys_connect_file the connect syscall's, lsm/socket_connect and "
		       "lsm/bprm_creds_from_file deny connects and execs, tracepoints the others",
		       name);
	else
		rt_log(rt, "%s: back end tracepoint: tracepoints run every rule (no LSM back end: %s)", name,
		       saker_rt_obj_backend_note(s->obj));
	if (n_deny && !lsm && !rt->conf->enforce_off)
		rt_log(rt, "%s: %zu rule%s with action deny run%s as alerts (--deny-as-alert): this back end cannot deny",
		       name, n_deny, n_deny > 1 ? "s" : "", n_deny > 1 ? "" : "s");
	if (rt->conf->enforce_off)
		for (uint32_t i = 0; i < b->n_rules; i++)
			if (b->rules[i].action != SAKER_ACTION_ALERT) {
				rt_log(rt, "%s: enforcement is off (--enforce off): rules with an action only alert", name);
				break;
			}
	*out = s;
	return 0;
fail:
	source_free(s);
	return ret;
}

/* The resolver resolves the names that the residuals of SOURCES[0..n) compare fd.sip.name and
 * its kin with, and no other. */
static int dns_names(struct saker_rt *rt, struct rt_source *const *sources, size_t n)
{
	char **names = NULL;
	size_t nn = 0;
	int ret = 0;
	for (size_t i = 0; i < n && !ret; i++)
		for (uint32_t r = 0; r < sources[i]->bundle->n_rules && !ret; r++)
			ret = saker_rt_dns_collect(sources[i]->bundle->rules[r].residual, &names, &nn);
	if (!ret)
		ret = saker_rt_dns_set_names(rt->dns, (const char *const *)names, nn);
	/* a reload brings new names to a resolver already running; none runs before start */
	if (!ret && rt->dns_started)
		ret = saker_rt_dns_start(rt->dns, 0);
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	return ret;
}

int saker_rt_start_resolver(struct saker_rt *rt, int wait_ms)
{
	rt->dns_started = true;
	return saker_rt_dns_start(rt->dns, wait_ms);
}

int saker_rt_add(struct saker_rt *rt, struct saker_bundle *b, const char *name, char *err,
		 size_t esz)
{
	struct rt_source *s = NULL;
	if (rt->rb) {
		saker_bundle_free(b);
		return say(err, esz, -EBUSY, "bundles must all be added before the loop starts");
	}
	int ret = source_new(rt, b, name, NULL, &s, err, esz);
	if (ret)
		return ret;
	ret = saker_rt_obj_start(s->obj, NULL, err, esz);
	struct rt_source **v = ret ? NULL : realloc(rt->sources, (rt->n_sources + 1) * sizeof(*v));
	if (!v) {
		source_free(s);
		return ret ? ret : say(err, esz, -ENOMEM, "out of memory");
	}
	pthread_mutex_lock(&rt->lock);
	s->index = rt->n_sources;
	v[rt->n_sources++] = s;
	rt->sources = v;
	pthread_mutex_unlock(&rt->lock);
	rt_log(rt, "%s: loaded, digest %s, %u rules (%zu enabled), in %.2f s", s->name, s->digest,
	       s->bundle->n_rules, s->n_enabled, (double)s->load_ns / 1e9);
	if (dns_names(rt, rt->sources, rt->n_sources))
		return say(err, esz, -ENOMEM, "out of memory");
	return 0;
}

/* One ring buffer manager over SOURCES[0..n). */
static int open_rings(struct rt_source **sources, size_t n, struct ring_buffer **out, char *err,
		      size_t esz)
{
	struct ring_buffer *rb = NULL;
	for (size_t i = 0; i < n; i++) {
		int fd = saker_rt_obj_events_fd(sources[i]->obj), ret = 0;
		if (!rb) {
			rb = ring_buffer__new(fd, on_record, sources[i], NULL);
			if (!rb)
				ret = errno ? -errno : -EINVAL;
		} else {
			ret = ring_buffer__add(rb, fd, on_record, sources[i]);
		}
		if (ret) {
			ring_buffer__free(rb);
			return say(err, esz, ret, "cannot open the ring buffer: %s", strerror(-ret));
		}
	}
	*out = rb;
	return 0;
}

/* The kernel counters of S, remembered so they survive the object. */
static void source_kernel(struct rt_source *s, uint64_t k[SAKER_STAT__COUNT])
{
	uint64_t now[SAKER_STAT__COUNT];
	if (s->obj && saker_rt_obj_stats(s->obj, now) == 0)
		memcpy(s->kernel_last, now, sizeof(now));
	memcpy(k, s->kernel_last, sizeof(now));
}

/* OUT[r] = the kernel's counters of rule r of S (S->bundle->n_rules of them), summed over the
 * CPUs and over the objects the rule was loaded in before. On a failed read (returned, a negative
 * errno) OUT holds the earlier objects' counts only. */
static int source_rule_kernel(const struct rt_source *s, struct saker_rule_stat *out)
{
	uint32_t n = s->bundle->n_rules;
	int ret = n && s->obj ? saker_rt_obj_rule_stats(s->obj, out, n) : 0;
	for (uint32_t r = 0; r < n; r++) {
		const struct saker_rule_stat *b = &s->rules[r].kernel_base;
		if (ret)
			out[r] = *b;
		else {
			out[r].matched += b->matched;
			out[r].emitted += b->emitted;
			out[r].lost += b->lost;
			out[r].cut += b->cut;
			out[r].evals += b->evals;
			out[r].cost_ns += b->cost_ns;
			out[r].samples += b->samples;
		}
	}
	return ret;
}

/* FRESH's rules that PREV had keep their kernel counters. */
static void rule_kernel_carry(struct rt_source *fresh, const struct rt_source *prev)
{
	uint32_t n = prev->bundle->n_rules;
	struct saker_rule_stat *k = calloc(n ? n : 1, sizeof(*k));
	if (!k)
		return;
	source_rule_kernel(prev, k);
	for (uint32_t r = 0; r < fresh->bundle->n_rules; r++)
		if (fresh->rules[r].prev < n)
			fresh->rules[r].kernel_base = k[fresh->rules[r].prev];
	free(k);
}

size_t saker_rt_rule_counters(const struct saker_rt *rt, struct saker_rt_rule_kernel *out,
			      size_t max)
{
	size_t total = 0;
	for (size_t i = 0; i < rt->n_sources; i++) {
		const struct rt_source *s = rt->sources[i];
		uint32_t n = s->bundle->n_rules;
		if (total >= max || !n) {
			total += n;
			continue;
		}
		struct saker_rule_stat *k = calloc(n, sizeof(*k));
		if (k)
			source_rule_kernel(s, k);
		for (uint32_t r = 0; r < n; r++, total++) {
			if (total >= max)
				continue;
			out[total] = (struct saker_rt_rule_kernel){
				.bundle = s->name,
				.rule = s->bundle->rules[r].name,
				.matched = k ? k[r].matched : 0,
				.emitted = k ? k[r].emitted : 0,
				.lost = k ? k[r].lost : 0,
				.cut = k ? k[r].cut : 0,
				.evals = k ? k[r].evals : 0,
				.cost_ns = k ? k[r].cost_ns : 0,
				.samples = k ? k[r].samples : 0,
			};
		}
		free(k);
	}
	return total;
}

int saker_rt_reload(struct saker_rt *rt, struct saker_bundle **b, const char *const *names,
		    size_t n, char *err, size_t esz)
{
	struct rt_source **fresh = calloc(n ? n : 1, sizeof(*fresh));
	struct ring_buffer *rb = NULL;
	size_t i;
	int ret = 0;

	if (!fresh) {
		for (i = 0; i < n; i++)
			saker_bundle_free(b[i]);
		return say(err, esz, -ENOMEM, "out of memory");
	}
	/* Load everything first: a bundle that does not load leaves the old ones in place. */
	for (i = 0; i < n; i++) {
		const struct rt_source *prev = i < rt->n_sources ? rt->sources[i] : NULL;
		char why[8192];
		ret = source_new(rt, b[i], names[i], prev, &fresh[i], why, sizeof(why));
		b[i] = NULL;
		if (ret) {
			say(err, esz, ret, "%s: %s", names[i], why);
			for (size_t j = i + 1; j < n; j++)
				saker_bundle_free(b[j]);
			goto fail;
		}
		fresh[i]->index = i;
	}
	if ((ret = open_rings(fresh, n, &rb, err, esz)))
		goto fail;

	/* Drain the old ring buffers, so what is left after the switch is only the last events. */
	if (rt->rb)
		ring_buffer__consume(rt->rb);
	/* The switch, hook by hook; an old source with no successor just stops. */
	for (i = 0; i < n; i++) {
		struct rt_source *prev = i < rt->n_sources ? rt->sources[i] : NULL;
		char why[1024];
		ret = saker_rt_obj_start(fresh[i]->obj, prev ? prev->obj : NULL, why, sizeof(why));
		if (ret) {
			/* Only the kernel refusing a map update or an attach gets here: switch the
			 * sources already switched back, so the old set keeps running whole. */
			say(err, esz, ret, "%s: %s", names[i], why);
			while (i-- > 0) {
				struct rt_source *p = i < rt->n_sources ? rt->sources[i] : NULL;
				if (p)
					saker_rt_obj_start(p->obj, fresh[i]->obj, why, sizeof(why));
			}
			goto fail;
		}
	}
	/* The old bodies no longer start; those running finish within microseconds. Every record an
	 * old object sent is in its ring buffer: wait until all have arrived. */
	int64_t deadline = clock_ns(CLOCK_MONOTONIC) + (int64_t)RT_DRAIN_WAIT_MS * 1000000;
	for (;;) {
		if (rt->rb)
			ring_buffer__consume(rt->rb);
		bool done = true;
		for (i = 0; i < rt->n_sources; i++) {
			uint64_t k[SAKER_STAT__COUNT];
			struct rt_source *s = rt->sources[i];
			source_kernel(s, k);
			if (s->received < k[SAKER_STAT_RECORDS])
				done = false;
		}
		if (done)
			break;
		kick_outputs(rt);
		if (clock_ns(CLOCK_MONOTONIC) > deadline) {
			rt_log(rt, "reload: the replaced bundles' last events did not all arrive within %d ms",
			       RT_DRAIN_WAIT_MS);
			break;
		}
		usleep(1000);
	}
	/* The kernel's per-rule counters of the rules that survive, before their objects go. */
	for (i = 0; i < n && i < rt->n_sources; i++)
		rule_kernel_carry(fresh[i], rt->sources[i]);
	pthread_mutex_lock(&rt->lock);
	saker_rt_residual_reset(rt->resid); /* its trees belong to the bundles going away */
	for (i = 0; i < rt->n_sources; i++) {
		uint64_t k[SAKER_STAT__COUNT];
		source_kernel(rt->sources[i], k);
		for (int j = 0; j < SAKER_STAT__COUNT; j++)
			rt->kernel_base[j] += k[j];
		source_free(rt->sources[i]);
	}
	free(rt->sources);
	ring_buffer__free(rt->rb);
	rt->sources = fresh;
	rt->n_sources = n;
	rt->rb = rb;
	rt->c.reloads++;
	pthread_mutex_unlock(&rt->lock);
	for (i = 0; i < n; i++)
		rt_log(rt, "%s: reloaded, digest %s, %u rules (%zu enabled), in %.2f s", fresh[i]->name,
		       fresh[i]->digest, fresh[i]->bundle->n_rules, fresh[i]->n_enabled,
		       (double)fresh[i]->load_ns / 1e9);
	/* the new set's names; the addresses of names kept stay, so no check goes blind */
	if (dns_names(rt, rt->sources, rt->n_sources))
		rt_log(rt, "reload: out of memory for the names to resolve: the old ones stay");
	return 0;
fail:
	ring_buffer__free(rb);
	for (i = 0; i < n; i++)
		source_free(fresh[i]);
	free(fresh);
	return ret;
}

/* ---- counters and internal alerts --------------------------------------------------------- */

static void kernel_totals(struct saker_rt *rt, uint64_t out[SAKER_STAT__COUNT])
{
	memcpy(out, rt->kernel_base, sizeof(rt->kernel_base));
	for (size_t i = 0; i < rt->n_sources; i++) {
		uint64_t k[SAKER_STAT__COUNT];
		source_kernel(rt->sources[i], k);
		for (int j = 0; j < SAKER_STAT__COUNT; j++)
			out[j] += k[j];
	}
}

/* What the kernel could not deliver, by cause: each gets an internal alert when it grows. The
 * kernel also counts losses per rule (saker_rt_rule_counters). */
static const struct {
	enum saker_stat stat;
	const char *cause;  /* metric label */
	const char *what;   /* message */
	int prio;
} loss_causes[] = {
	{ SAKER_STAT_LOST, "ring_buffer_full", "events lost: the ring buffer was full",
	  SAKER_PRIO_CRITICAL },
	{ SAKER_STAT_LOST_OTHER, "other", "records lost in the kernel for another cause than a full ring buffer",
	  SAKER_PRIO_CRITICAL },
	/* SAKER_STAT_PATH_TRUNC and SAKER_STAT_ARG_TRUNC count cut strings in every event the
	 * filter looked at, matched or not, so they are metrics (rt_metrics.c) rather than alerts
	 * about delivered events. Per-rule losses: saker_rt_rule_counters. */
};

static bool watch_due(struct rt_watch *w, uint64_t now_value, int64_t now, bool force)
{
	return now_value > w->reported && (force || now - w->last_ns >= RT_NOTICE_INTERVAL_NS);
}

/* Runs between polls: internal alerts for losses and output drops, at most once a second each
 * (FORCE: now, whatever the interval, so that nothing is left unsaid before the totals). */
static void rt_tick(struct saker_rt *rt, bool force)
{
	int64_t now = clock_ns(CLOCK_MONOTONIC);
	if (!force && now - rt->last_tick_ns < RT_NOTICE_INTERVAL_NS / 5)
		return;
	rt->last_tick_ns = now;
	uint64_t k[SAKER_STAT__COUNT];
	kernel_totals(rt, k);
	if (k[SAKER_STAT_SEEN] != rt->seen_last) {
		rt->seen_last = k[SAKER_STAT_SEEN];
		__atomic_store_n(&rt->seen_at_ns, now, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&rt->loop_at_ns, now, __ATOMIC_RELAXED);
	/* the watched files, kept current: a path replaced or renamed names another file */
	for (size_t i = 0; i < rt->n_sources; i++)
		saker_rt_obj_watch_refresh(rt->sources[i]->obj);
	for (size_t c = 0; c < sizeof(loss_causes) / sizeof(loss_causes[0]); c++) {
		struct rt_watch *w = &rt->loss_reported[c];
		uint64_t v = k[loss_causes[c].stat];
		if (!watch_due(w, v, now, force))
			continue;
		struct saker_rt_kv kv[] = { { "cause", loss_causes[c].cause, 0 },
					    { "n", NULL, v - w->reported },
					    { "total", NULL, v } };
		rt_internal(rt, "saker internal: event loss", loss_causes[c].prio, NULL, kv, 3,
			    "%" PRIu64 " %s (%" PRIu64 " in all)", v - w->reported, loss_causes[c].what, v);
		w->reported = v;
		w->last_ns = now;
	}
	for (size_t i = 0; i < rt->n_outputs; i++) {
		struct saker_rt_output_stats st;
		struct rt_watch *w = &rt->out_reported[i];
		saker_rt_output_stats(rt->outputs[i], &st);
		if (!watch_due(w, st.dropped, now, force))
			continue;
		const char *name = saker_rt_output_name(rt->outputs[i]);
		struct saker_rt_kv kv[] = { { "n", NULL, st.dropped - w->reported },
					    { "output", name, 0 },
					    { "total", NULL, st.dropped } };
		rt_internal(rt, "saker internal: output drop", SAKER_PRIO_CRITICAL, rt->outputs[i], kv,
			    3, "output %s dropped %" PRIu64 " alerts: its queue of %u was full (%" PRIu64 " in all)",
			    name, st.dropped - w->reported, st.capacity, st.dropped);
		w->reported = st.dropped;
		w->last_ns = now;
	}
}

void saker_rt_counters(struct saker_rt *rt, struct saker_rt_counters *c)
{
	if (rt->rb)
		ring_buffer__consume(rt->rb);
	rt_tick(rt, true); /* what was lost since the last tick is reported before the totals */
	kick_outputs(rt);
	kernel_totals(rt, rt->c.kernel);
	rt->c.internal = rt->internal;
	rt->c.output_dropped = rt->closed_dropped;
	rt->c.output_failed = rt->closed_failed;
	for (size_t i = 0; i < rt->n_outputs; i++) {
		struct saker_rt_output_stats st;
		saker_rt_output_stats(rt->outputs[i], &st);
		rt->c.output_dropped += st.dropped;
		rt->c.output_failed += st.failed;
	}
	saker_rt_enrich_stats(rt->enrich, &rt->c.container);
	saker_rt_dns_stats(rt->dns, &rt->c.dns);
	*c = rt->c;
}

void saker_rt_reopen_outputs(struct saker_rt *rt)
{
	for (size_t i = 0; i < rt->n_outputs; i++)
		saker_rt_output_reopen(rt->outputs[i]);
}

int saker_rt_write_stats(const struct saker_rt *rt, const char *path, const struct saker_rt_counters *c)
{
	char tmp[4096];
	int ret = 0;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -errno;
	const struct saker_rt_enrich_stats *k = &c->container;
	size_t n_lsm = rt ? rt_lsm_sources(rt) : 0, n_src = rt ? rt->n_sources : 0;
	fprintf(f,
		"{\"alerts\":%" PRIu64 ",\"backend\":\"%s\",\"container_lookup_answered\":%" PRIu64
		",\"container_lookup_failed\":%" PRIu64 ",\"container_lookup_na\":%" PRIu64
		",\"container_lookup_requests\":%" PRIu64 ",\"container_lookup_unknown\":%" PRIu64
		",\"container_lookup_waits_expired\":%" PRIu64
		",\"disabled\":%" PRIu64 ",\"dns_checks\":%" PRIu64 ",\"dns_failures\":%" PRIu64
		",\"dns_names\":%" PRIu64 ",\"dns_resolved\":%" PRIu64 ",\"events_received\":%" PRIu64
		",\"internal\":%" PRIu64 ",\"kernel_arg_truncated\":%" PRIu64
		",\"kernel_lost\":%" PRIu64 ",\"kernel_lost_other\":%" PRIu64 ",\"kernel_matched\":%" PRIu64
		",\"kernel_path_truncated\":%" PRIu64 ",\"kernel_records\":%" PRIu64
		",\"kernel_seen\":%" PRIu64 ",\"lost\":%" PRIu64
		",\"malformed\":%" PRIu64 ",\"output_dropped\":%" PRIu64 ",\"output_failed\":%" PRIu64
		",\"reloads\":%" PRIu64 ",\"residual_errors\":%" PRIu64 ",\"residual_matched\":%" PRIu64
		",\"residual_rejected\":%" PRIu64 ",\"rules\":[",
		c->alerts, !n_lsm ? "tracepoint" : n_lsm == n_src ? "lsm" : "mixed", k->answered, k->failed, k->na, k->requests, k->unknown, k->waits_expired,
		c->disabled, c->dns.checks, c->dns.failures, c->dns.names, c->dns.resolved, c->received,
		c->internal, c->kernel[SAKER_STAT_ARG_TRUNC],
		c->kernel[SAKER_STAT_LOST], c->kernel[SAKER_STAT_LOST_OTHER],
		c->kernel[SAKER_STAT_MATCHED], c->kernel[SAKER_STAT_PATH_TRUNC],
		c->kernel[SAKER_STAT_RECORDS], c->kernel[SAKER_STAT_SEEN],
		c->kernel[SAKER_STAT_LOST] + c->kernel[SAKER_STAT_LOST_OTHER], c->malformed,
		c->output_dropped, c->output_failed, c->reloads, c->residual_errors,
		c->residual_matched, c->residual_rejected);
	struct saker_rt_str name = { 0 }, bundle = { 0 };
	bool first = true;
	for (size_t i = 0; rt && i < rt->n_sources; i++) {
		const struct rt_source *s = rt->sources[i];
		struct saker_rule_stat *ks = calloc(s->bundle->n_rules ? s->bundle->n_rules : 1, sizeof(*ks));
		struct saker_rule_action *ka = calloc(s->bundle->n_rules ? s->bundle->n_rules : 1, sizeof(*ka));
		if (ks)
			source_rule_kernel(s, ks);
		if (ka && s->obj)
			saker_rt_obj_rule_actions(s->obj, ka, s->bundle->n_rules);
		saker_rt_str_reset(&bundle);
		saker_rt_str_json(&bundle, s->name, strlen(s->name));
		for (uint32_t r = 0; r < s->bundle->n_rules; r++) {
			const struct saker_rule_meta *m = &s->bundle->rules[r];
			struct saker_rule_stat kr = ks ? ks[r] : (struct saker_rule_stat){ 0 };
			struct saker_rule_action ar = ka ? ka[r] : (struct saker_rule_action){ 0 };
			saker_rt_str_reset(&name);
			saker_rt_str_json(&name, m->name, strlen(m->name));
			fprintf(f, "%s{\"rule\":\"%s\",\"plan\":\"%s\",\"kernel\":%" PRIu64
				",\"residual_matched\":%" PRIu64 ",\"residual_rejected\":%" PRIu64
				",\"bundle\":\"%s\",\"kernel_matched\":%" PRIu64 ",\"kernel_emitted\":%" PRIu64
				",\"kernel_lost\":%" PRIu64 ",\"kernel_path_cut\":%" PRIu64 ",\"kernel_evals\":%" PRIu64
				",\"kernel_cost_ns\":%" PRIu64 ",\"kernel_cost_samples\":%" PRIu64
				",\"action\":\"%s\",\"enforcing\":%s"
				",\"enforced\":%" PRIu64 ",\"spared\":%" PRIu64 "}",
				first ? "" : ",", name.p ? name.p : "",
				m->plan == SAKER_PLAN_EXACT ? "exact" : m->plan == SAKER_PLAN_PARTIAL ? "partial" : "user",
				s->rules[r].kernel, s->rules[r].residual_matched, s->rules[r].residual_rejected,
				bundle.p ? bundle.p : "", (uint64_t)kr.matched, (uint64_t)kr.emitted,
				(uint64_t)kr.lost, (uint64_t)kr.cut, (uint64_t)kr.evals, (uint64_t)kr.cost_ns,
				(uint64_t)kr.samples,
				m->action < SAKER_ACTION__COUNT ? saker_action_names[m->action] : "alert",
				ar.action != SAKER_ACTION_ALERT ? "true" : "false", (uint64_t)ar.enforced,
				(uint64_t)ar.spared);
			first = false;
		}
		free(ks);
		free(ka);
	}
	saker_rt_str_fini(&name);
	saker_rt_str_fini(&bundle);
	fprintf(f, "],\"suppressed\":%" PRIu64 ",\"unknown_rule\":%" PRIu64 "}\n", c->suppressed,
		c->unknown_rule);
	if (fflush(f) || ferror(f))
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -EIO;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

int saker_rt_loop(struct saker_rt *rt, volatile sig_atomic_t *stop, volatile sig_atomic_t *wake,
		  char *err, size_t esz)
{
	int ret = 0;
	if (!rt->rb) {
		ret = open_rings(rt->sources, rt->n_sources, &rt->rb, err, esz);
		if (ret)
			return ret;
	}
	while (!*stop) {
		/* A bounded wait, so a signal that lands between the check and the poll is seen
		 * within this much time, and losses are reported promptly. */
		ret = ring_buffer__poll(rt->rb, 100);
		if (ret < 0 && ret != -EINTR)
			return say(err, esz, ret, "ring buffer poll failed: %s", strerror(-ret));
		rt_tick(rt, false);
		kick_outputs(rt);
		if (wake && *wake)
			return 1;
	}
	return 0;
}
