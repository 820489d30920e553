/* The event loop: one ring buffer manager over every loaded bundle, one alert line per rule id
 * a record carries (once its residual, if any, holds), written and flushed as it happens, and the
 * counters that prove what the kernel filtered, what reached user space and what was lost. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "reason.h"
#include "rt.h"

/* Per rule of a bundle: what reached user space for it and what its residual made of it. */
struct rt_rule_count {
	uint64_t kernel;            /* records the kernel part passed */
	uint64_t residual_matched;
	uint64_t residual_rejected;
};

struct rt_source {
	struct saker_rt *rt;
	const struct saker_bundle *bundle;
	struct saker_rt_obj *obj;
	uint64_t kernel_last[SAKER_STAT__COUNT]; /* last values read, kept after unload */
	struct rt_rule_count *rules;             /* one per rule of the bundle */
	struct saker_rule_stat *rules_last;      /* the kernel's per-rule counters, last read */
};

struct saker_rt {
	struct saker_rt_opts opts;
	FILE *out;
	bool own_out;
	char hostname[256];
	struct saker_rt_enrich *enrich;
	struct saker_rt_render render;
	struct saker_rt_residual *resid;
	struct rt_source *sources;
	size_t n_sources;
	struct ring_buffer *rb;
	struct saker_rt_str line;
	struct saker_event *ev;   /* the record being handled, decoded */
	struct saker_rt_counters c;
	int write_err;            /* first output error, stops the loop */
};

#define say saker_reason

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int saker_rt_new(struct saker_rt **out, const struct saker_rt_opts *o, char *err, size_t esz)
{
	struct saker_rt *rt = calloc(1, sizeof(*rt));
	int ret;

	if (!rt)
		return say(err, esz, -ENOMEM, "out of memory");
	rt->opts = *o;
	rt->ev = malloc(sizeof(*rt->ev));
	if (!rt->ev) {
		ret = say(err, esz, -ENOMEM, "out of memory");
		goto fail;
	}
	if (o->output) {
		rt->out = fopen(o->output, "a");
		if (!rt->out) {
			ret = -errno;
			say(err, esz, ret, "%s: cannot open for appending: %s", o->output,
			    strerror(-ret));
			goto fail;
		}
		rt->own_out = true;
	} else {
		rt->out = stdout;
	}
	const char *h = getenv("SAKER_HOSTNAME");
	if (h && h[0])
		snprintf(rt->hostname, sizeof(rt->hostname), "%s", h);
	else if (gethostname(rt->hostname, sizeof(rt->hostname) - 1) < 0)
		snprintf(rt->hostname, sizeof(rt->hostname), "localhost");
	/* The first alert of a new container may wait this long for the runtime's answer (only
	 * while the runtime answers in time): podman holds a container's lock for ~300 ms while it
	 * starts it (measured), and that alert should still name its image. */
	ret = saker_rt_enrich_new(&rt->enrich, o->container_socket, 500);
	if (ret) {
		say(err, esz, ret, "out of memory");
		goto fail;
	}
	ret = saker_rt_residual_new(&rt->resid);
	if (ret) {
		say(err, esz, ret, "out of memory");
		goto fail;
	}
	rt->render.hostname = rt->hostname;
	rt->render.enrich = rt->enrich;
	/* Read the two clocks back to back; the pair brackets the offset within a microsecond. */
	int64_t boot = clock_ns(CLOCK_BOOTTIME), wall = clock_ns(CLOCK_REALTIME);
	rt->render.boot_to_wall_ns = wall - boot;
	*out = rt;
	return 0;
fail:
	saker_rt_free(rt);
	return ret;
}

void saker_rt_free(struct saker_rt *rt)
{
	if (!rt)
		return;
	ring_buffer__free(rt->rb);
	for (size_t i = 0; i < rt->n_sources; i++) {
		saker_rt_obj_free(rt->sources[i].obj);
		free(rt->sources[i].rules);
		free(rt->sources[i].rules_last);
	}
	free(rt->sources);
	saker_rt_residual_free(rt->resid);
	if (rt->own_out && rt->out)
		fclose(rt->out);
	saker_rt_enrich_free(rt->enrich);
	saker_rt_str_fini(&rt->line);
	free(rt->ev);
	free(rt);
}

int saker_rt_handle_record(struct saker_rt *rt, size_t index, const void *data, size_t size)
{
	struct saker_event *ev = rt->ev;
	struct rt_source *src = &rt->sources[index];
	const struct saker_bundle *b = src->bundle;

	rt->c.received++;
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
		saker_rt_str_reset(&rt->line);
		int ret = saker_rt_render_alert(&rt->render, &b->rules[i], ev, rt->opts.json,
						&rt->line);
		if (!ret) {
			saker_rt_str_put(&rt->line, "\n", 1);
			ret = rt->line.err;
		}
		if (ret) {
			rt->line.err = 0;
			rt->write_err = ret;
			return ret;
		}
		if (fwrite(rt->line.p, 1, rt->line.len, rt->out) != rt->line.len || fflush(rt->out)) {
			rt->write_err = errno ? -errno : -EIO;
			return rt->write_err;
		}
		rt->c.alerts++;
	}
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct rt_source *src = ctx;
	/* A negative return stops ring_buffer__poll; only output failures should. */
	return saker_rt_handle_record(src->rt, (size_t)(src - src->rt->sources), data, size);
}

int saker_rt_add(struct saker_rt *rt, const struct saker_bundle *b, char *err, size_t esz)
{
	struct saker_rt_obj *obj = NULL;
	int ret = saker_rt_check_requires(b->requires, err, esz);
	if (ret)
		return ret;
	ret = saker_rt_obj_load(&obj, b, rt->opts.ring_bytes, err, esz);
	if (ret)
		return ret;
	/* The array only grows before the ring buffer manager holds pointers into it... */
	if (rt->rb) {
		saker_rt_obj_free(obj);
		return say(err, esz, -EBUSY, "bundles must all be added before the loop starts");
	}
	struct rt_source *s = realloc(rt->sources, (rt->n_sources + 1) * sizeof(*s));
	if (!s) {
		saker_rt_obj_free(obj);
		return say(err, esz, -ENOMEM, "out of memory");
	}
	rt->sources = s;
	memset(&s[rt->n_sources], 0, sizeof(*s));
	s[rt->n_sources].rules = calloc(b->n_rules ? b->n_rules : 1, sizeof(struct rt_rule_count));
	s[rt->n_sources].rules_last = calloc(b->n_rules ? b->n_rules : 1, sizeof(struct saker_rule_stat));
	if (!s[rt->n_sources].rules || !s[rt->n_sources].rules_last) {
		free(s[rt->n_sources].rules);
		free(s[rt->n_sources].rules_last);
		saker_rt_obj_free(obj);
		return say(err, esz, -ENOMEM, "out of memory");
	}
	s[rt->n_sources].rt = rt;
	s[rt->n_sources].bundle = b;
	s[rt->n_sources].obj = obj;
	rt->n_sources++;
	return 0;
}

/* ...so the manager is built once, over every source, when the loop first runs. */
static int rt_open_rings(struct saker_rt *rt, char *err, size_t esz)
{
	for (size_t i = 0; i < rt->n_sources; i++) {
		int fd = saker_rt_obj_events_fd(rt->sources[i].obj);
		int ret = 0;
		if (!rt->rb) {
			rt->rb = ring_buffer__new(fd, on_record, &rt->sources[i], NULL);
			if (!rt->rb)
				ret = errno ? -errno : -EINVAL;
		} else {
			ret = ring_buffer__add(rt->rb, fd, on_record, &rt->sources[i]);
		}
		if (ret)
			return say(err, esz, ret, "cannot open the ring buffer: %s", strerror(-ret));
	}
	return 0;
}

void saker_rt_counters(struct saker_rt *rt, struct saker_rt_counters *c)
{
	if (rt->rb && !rt->write_err)
		ring_buffer__consume(rt->rb);
	memset(rt->c.kernel, 0, sizeof(rt->c.kernel));
	for (size_t i = 0; i < rt->n_sources; i++) {
		struct rt_source *s = &rt->sources[i];
		uint64_t k[SAKER_STAT__COUNT];
		if (saker_rt_obj_stats(s->obj, k) == 0)
			memcpy(s->kernel_last, k, sizeof(k));
		for (int j = 0; j < SAKER_STAT__COUNT; j++)
			rt->c.kernel[j] += s->kernel_last[j];
	}
	saker_rt_enrich_stats(rt->enrich, &rt->c.container);
	*c = rt->c;
}

int saker_rt_rule_counters(struct saker_rt *rt, size_t bundle, const struct saker_rule_stat **out,
			   uint32_t *n)
{
	if (bundle >= rt->n_sources)
		return -EINVAL;
	struct rt_source *s = &rt->sources[bundle];
	uint32_t nr = s->bundle->n_rules;
	struct saker_rule_stat *now = calloc(nr ? nr : 1, sizeof(*now));
	int ret = now ? saker_rt_obj_rule_stats(s->obj, now, nr) : -ENOMEM;
	if (!ret)
		memcpy(s->rules_last, now, nr * sizeof(*now));
	free(now);
	*out = s->rules_last;
	*n = nr;
	return ret;
}

int saker_rt_write_stats(struct saker_rt *rt, const char *path, const struct saker_rt_counters *c)
{
	char tmp[4096];
	int ret = 0;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -errno;
	const struct saker_rt_enrich_stats *k = &c->container;
	fprintf(f,
		"{\"alerts\":%" PRIu64 ",\"container_lookup_answered\":%" PRIu64
		",\"container_lookup_failed\":%" PRIu64 ",\"container_lookup_na\":%" PRIu64
		",\"container_lookup_requests\":%" PRIu64 ",\"container_lookup_unknown\":%" PRIu64
		",\"container_lookup_waits_expired\":%" PRIu64
		",\"events_received\":%" PRIu64 ",\"kernel_arg_truncated\":%" PRIu64
		",\"kernel_lost\":%" PRIu64 ",\"kernel_lost_other\":%" PRIu64
		",\"kernel_matched\":%" PRIu64 ",\"kernel_path_truncated\":%" PRIu64
		",\"kernel_records\":%" PRIu64 ",\"kernel_seen\":%" PRIu64 ",\"lost\":%" PRIu64
		",\"malformed\":%" PRIu64 ",\"residual_errors\":%" PRIu64 ",\"residual_matched\":%" PRIu64
		",\"residual_rejected\":%" PRIu64 ",\"rules\":[",
		c->alerts, k->answered, k->failed, k->na, k->requests, k->unknown, k->waits_expired,
		c->received, c->kernel[SAKER_STAT_ARG_TRUNC], c->kernel[SAKER_STAT_LOST],
		c->kernel[SAKER_STAT_LOST_OTHER], c->kernel[SAKER_STAT_MATCHED],
		c->kernel[SAKER_STAT_PATH_TRUNC], c->kernel[SAKER_STAT_RECORDS],
		c->kernel[SAKER_STAT_SEEN], c->kernel[SAKER_STAT_LOST] + c->kernel[SAKER_STAT_LOST_OTHER],
		c->malformed, c->residual_errors, c->residual_matched, c->residual_rejected);
	struct saker_rt_str name = { 0 };
	bool first = true;
	for (size_t i = 0; rt && i < rt->n_sources; i++) {
		const struct rt_source *s = &rt->sources[i];
		const struct saker_rule_stat *ks;
		uint32_t nk = 0;
		saker_rt_rule_counters(rt, i, &ks, &nk);
		for (uint32_t r = 0; r < s->bundle->n_rules; r++) {
			const struct saker_rule_meta *m = &s->bundle->rules[r];
			struct saker_rule_stat kr = r < nk ? ks[r] : (struct saker_rule_stat){ 0 };
			saker_rt_str_reset(&name);
			saker_rt_str_json(&name, m->name, strlen(m->name));
			fprintf(f, "%s{\"rule\":\"%s\",\"plan\":\"%s\",\"kernel\":%" PRIu64
				",\"residual_matched\":%" PRIu64 ",\"residual_rejected\":%" PRIu64
				",\"bundle\":%zu,\"kernel_matched\":%" PRIu64 ",\"kernel_emitted\":%" PRIu64
				",\"kernel_lost\":%" PRIu64 "}",
				first ? "" : ",", name.p ? name.p : "",
				m->plan == SAKER_PLAN_EXACT ? "exact" : m->plan == SAKER_PLAN_PARTIAL ? "partial" : "user",
				s->rules[r].kernel, s->rules[r].residual_matched, s->rules[r].residual_rejected,
				i, (uint64_t)kr.matched, (uint64_t)kr.emitted, (uint64_t)kr.lost);
			first = false;
		}
	}
	saker_rt_str_fini(&name);
	fprintf(f, "],\"unknown_rule\":%" PRIu64 "}\n", c->unknown_rule);
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

int saker_rt_loop(struct saker_rt *rt, volatile sig_atomic_t *stop, volatile sig_atomic_t *dump,
		  char *err, size_t esz)
{
	int ret = 0;
	if (!rt->rb) {
		ret = rt_open_rings(rt, err, esz);
		if (ret)
			return ret;
	}
	while (!*stop) {
		/* A bounded wait, so a signal that lands between the check and the poll is seen
		 * within this much time. */
		ret = ring_buffer__poll(rt->rb, 200);
		if (rt->write_err)
			return say(err, esz, rt->write_err, "cannot write alerts: %s",
				   strerror(-rt->write_err));
		if (ret < 0 && ret != -EINTR)
			return say(err, esz, ret, "ring buffer poll failed: %s", strerror(-ret));
		if (dump && *dump)
			return 1;
	}
	return 0;
}
