/* The runtime's state, private to rt_loop.c (the loop) and rt_metrics.c (which reads it from the
 * metrics thread: under LOCK for the sources, with relaxed atomics for the counters it shares). */
#ifndef SAKER_RT_LOOP_H
#define SAKER_RT_LOOP_H

#include <pthread.h>

#include "rt.h"

struct rt_rule {
	bool enabled;         /* priority and the configuration's rule selection */
	uint64_t alerts;      /* sent; read by the metrics thread */
	double tokens;        /* rate limit bucket */
	int64_t last_ns;
	uint64_t suppressed;  /* held back since the last alert that went out */
	uint64_t kernel;      /* records the kernel part passed */
	uint64_t residual_matched;
	uint64_t residual_rejected;
	uint32_t prev;        /* the same rule's index in the source this one replaced, or UINT32_MAX */
	struct saker_rule_stat kernel_base; /* the kernel's counters of it in replaced objects */
};

/* A counter that internal alerts report when it grows, at most once a second. */
struct rt_watch {
	uint64_t reported;
	int64_t last_ns;
};

struct rt_source {
	struct saker_rt *rt;
	size_t index;
	struct saker_bundle *bundle;  /* owned */
	char *name;
	char digest[65];
	struct saker_rt_obj *obj;
	struct rt_rule *rules;        /* one per bundle rule */
	size_t n_enabled;
	int64_t load_ns;              /* how long loading its object took (mostly verification) */
	uint64_t received;            /* records from this source's ring buffer */
	uint64_t kernel_last[SAKER_STAT__COUNT]; /* last values read, kept after unload */
};

struct saker_rt {
	const struct saker_rt_config *conf;
	saker_rt_log_fn *log;
	void *log_arg;
	pthread_mutex_t lock;         /* sources, n_sources and kernel_base change under it */
	struct saker_rt_output **outputs;
	size_t n_outputs;
	bool want_text, want_json;    /* some output takes this format */
	struct rt_watch *out_reported; /* per output: drops reported */
	uint64_t closed_dropped, closed_failed; /* of outputs already closed */
	char hostname[256];
	struct saker_rt_enrich *enrich;
	struct saker_rt_dns *dns;     /* the names rules compare fd.sip.name ... with */
	bool dns_started;             /* saker_rt_start_resolver was called */
	struct saker_rt_render render;
	struct saker_rt_residual *resid;
	struct rt_source **sources;
	size_t n_sources;
	uint64_t kernel_base[SAKER_STAT__COUNT]; /* counters of unloaded objects */
	struct ring_buffer *rb;
	struct saker_rt_str text, json; /* the alert being sent, in each format */
	struct saker_event *ev;       /* decode buffer: too big for the callback's stack */
	struct saker_rt_counters c;
	uint64_t internal;
	uint64_t render_failed;
	struct rt_watch loss_reported[4];
	int64_t started_ns, last_tick_ns;
	uint64_t seen_last;           /* kernel SEEN at the last tick */
	int64_t seen_at_ns;           /* when SEEN last grew (monotonic); atomic */
	int64_t loop_at_ns;           /* when the loop last ticked; atomic */
};

/* Sources whose object runs the LSM back end; the caller holds the lock or owns RT. */
static inline size_t rt_lsm_sources(const struct saker_rt *rt)
{
	size_t n = 0;
	for (size_t i = 0; i < rt->n_sources; i++)
		n += saker_rt_obj_lsm(rt->sources[i]->obj);
	return n;
}

#endif
