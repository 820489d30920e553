/* Metrics in the Prometheus text format and the health signal, served by a minimal HTTP server
 * on its own thread: GET /metrics and GET /healthz only, a few clients at once, each with a
 * deadline, non-blocking throughout, so a slow or malicious client costs a slot, never the loop. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "reason.h"
#include "rt.h"
#include "rt_config.h"
#include "rt_loop.h"
#include "rt_output.h"

#define say saker_reason

#define MS_CLIENTS     16
#define MS_REQ_MAX     4096
#define MS_DEADLINE_MS 5000
#define MS_LOOP_STALE_NS (5ll * 1000000000) /* the loop ticks every 200 ms */
#define MS_MAX_PROGS   64

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t ld(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* A label value: backslash, double quote and newline escaped. */
static void label(struct saker_rt_str *s, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			saker_rt_str_printf(s, "\\%c", *v);
		else if (*v == '\n')
			saker_rt_str_puts(s, "\\n");
		else
			saker_rt_str_put(s, v, 1);
	}
}

static void head(struct saker_rt_str *s, const char *name, const char *type, const char *help)
{
	saker_rt_str_printf(s, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Resident bytes of this process, split into the ring buffers' pages and the rest. */
static void resident(uint64_t *own, uint64_t *ring)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in_ring = false;
	*own = *ring = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long kb, lo, hi;
		if (sscanf(line, "Rss: %lu kB", &kb) == 1)
			*(in_ring ? ring : own) += (uint64_t)kb * 1024;
		else if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in_ring = strstr(line, "bpf-map") || strstr(line, "bpf_ringbuf");
	}
	fclose(f);
}

static int bpf_stats_enabled(void)
{
	FILE *f = fopen("/proc/sys/kernel/bpf_stats_enabled", "r");
	int v = 0;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

int saker_rt_metrics_text(struct saker_rt *rt, struct saker_rt_str *s, bool *healthy)
{
	const struct saker_rt_counters *c = &rt->c;
	uint64_t k[SAKER_STAT__COUNT];
	bool attached = true;
	int64_t now = mono_ns();

	pthread_mutex_lock(&rt->lock);
	memcpy(k, rt->kernel_base, sizeof(k));
	for (size_t i = 0; i < rt->n_sources; i++) {
		uint64_t v[SAKER_STAT__COUNT];
		if (saker_rt_obj_stats(rt->sources[i]->obj, v) == 0)
			for (int j = 0; j < SAKER_STAT__COUNT; j++)
				k[j] += v[j];
		attached &= saker_rt_obj_attached(rt->sources[i]->obj);
	}
	attached &= rt->n_sources > 0;
	size_t n_lsm = rt_lsm_sources(rt);
	head(s, "saker_backend", "gauge",
	     "Bundles running each kernel back end (lsm: lsm/file_open for the opens, tracepoints for the rest).");
	saker_rt_str_printf(s, "saker_backend{name=\"lsm\"} %zu\n", n_lsm);
	saker_rt_str_printf(s, "saker_backend{name=\"tracepoint\"} %zu\n", rt->n_sources - n_lsm);

	head(s, "saker_events_seen_total", "counter", "Hooked syscall exits the kernel filter looked at.");
	saker_rt_str_printf(s, "saker_events_seen_total %" PRIu64 "\n", k[SAKER_STAT_SEEN]);
	head(s, "saker_events_matched_total", "counter", "Events that matched at least one rule in the kernel.");
	saker_rt_str_printf(s, "saker_events_matched_total %" PRIu64 "\n", k[SAKER_STAT_MATCHED]);
	head(s, "saker_events_received_total", "counter", "Events user space took from the ring buffers.");
	saker_rt_str_printf(s, "saker_events_received_total %" PRIu64 "\n", ld(&c->received));
	head(s, "saker_drops_total", "counter", "Events or alerts lost, by cause.");
	saker_rt_str_printf(s, "saker_drops_total{cause=\"ring_buffer_full\"} %" PRIu64 "\n",
			    k[SAKER_STAT_LOST]);
	saker_rt_str_printf(s, "saker_drops_total{cause=\"path_truncated\"} %" PRIu64 "\n",
			    k[SAKER_STAT_PATH_TRUNC]);
	saker_rt_str_printf(s, "saker_drops_total{cause=\"argument_truncated\"} %" PRIu64 "\n",
			    k[SAKER_STAT_ARG_TRUNC]);
	saker_rt_str_printf(s, "saker_drops_total{cause=\"other\"} %" PRIu64 "\n",
			    k[SAKER_STAT_LOST_OTHER]);
	saker_rt_str_printf(s, "saker_drops_total{cause=\"malformed_record\"} %" PRIu64 "\n",
			    ld(&c->malformed));
	saker_rt_str_printf(s, "saker_drops_total{cause=\"unknown_rule\"} %" PRIu64 "\n",
			    ld(&c->unknown_rule));
	head(s, "saker_alerts_total", "counter", "Alerts sent to the outputs, per rule.");
	for (size_t i = 0; i < rt->n_sources; i++) {
		const struct rt_source *src = rt->sources[i];
		for (uint32_t r = 0; r < src->bundle->n_rules; r++) {
			const struct saker_rule_meta *m = &src->bundle->rules[r];
			saker_rt_str_puts(s, "saker_alerts_total{bundle=\"");
			label(s, src->name);
			saker_rt_str_puts(s, "\",rule=\"");
			label(s, m->name ? m->name : "");
			saker_rt_str_printf(s, "\",priority=\"%s\",enabled=\"%s\"} %" PRIu64 "\n",
					    m->priority < SAKER_PRIO__COUNT ? saker_priority_names[m->priority] : "Debug",
					    src->rules[r].enabled ? "true" : "false",
					    ld(&src->rules[r].alerts));
		}
	}
	{
		size_t n = saker_rt_rule_counters(rt, NULL, 0);
		struct saker_rt_rule_kernel *rk = n ? calloc(n, sizeof(*rk)) : NULL;
		static const char *const names[] = { "saker_rule_kernel_evaluations_total",
						     "saker_rule_kernel_matches_total",
						     "saker_rule_kernel_sampled_cost_ns_total",
						     "saker_rule_kernel_cost_samples_total" };
		static const char *const helps[] = {
			"Times the kernel evaluated the rule, as a candidate of an event.",
			"Events the rule matched in the kernel.",
			"Kernel time of the sampled evaluations of the rule, in nanoseconds.",
			"Evaluations of the rule whose time was measured.",
		};

		if (rk)
			n = saker_rt_rule_counters(rt, rk, n);
		for (size_t m = 0; rk && m < 4; m++) {
			head(s, names[m], "counter", helps[m]);
			for (size_t j = 0; j < n; j++) {
				uint64_t v = m == 0 ? rk[j].evals : m == 1 ? rk[j].matched :
					     m == 2 ? rk[j].cost_ns : rk[j].samples;

				saker_rt_str_printf(s, "%s{bundle=\"", names[m]);
				label(s, rk[j].bundle ? rk[j].bundle : "");
				saker_rt_str_puts(s, "\",rule=\"");
				label(s, rk[j].rule ? rk[j].rule : "");
				saker_rt_str_printf(s, "\"} %" PRIu64 "\n", v);
			}
		}
		free(rk);
	}
	head(s, "saker_enforced_total", "counter",
	     "Per rule with an action: SIGKILLs the kernel sent (outcome=killed), opens, connects and execs the LSM hooks refused (outcome=denied) and matches on sakerd itself or PID 1 it spared (outcome=spared), in the bundle object in force; enforcing=false for a rule that only alerts (--enforce off, --deny-as-alert).");
	for (size_t i = 0; i < rt->n_sources; i++) {
		const struct rt_source *src = rt->sources[i];
		uint32_t n = src->bundle->n_rules;
		struct saker_rule_action *ka = n && src->obj ? calloc(n, sizeof(*ka)) : NULL;
		if (ka)
			saker_rt_obj_rule_actions(src->obj, ka, n);
		for (uint32_t r = 0; ka && r < n; r++) {
			const struct saker_rule_meta *m = &src->bundle->rules[r];
			if (m->action == SAKER_ACTION_ALERT)
				continue;
			for (int o = 0; o < 2; o++) {
				saker_rt_str_puts(s, "saker_enforced_total{bundle=\"");
				label(s, src->name);
				saker_rt_str_puts(s, "\",rule=\"");
				label(s, m->name ? m->name : "");
				saker_rt_str_printf(s, "\",action=\"%s\",enforcing=\"%s\",outcome=\"%s\"} %" PRIu64 "\n",
						    saker_action_names[m->action],
						    ka[r].action != SAKER_ACTION_ALERT ? "true" : "false",
						    o ? "spared" : m->action == SAKER_ACTION_DENY ? "denied" : "killed",
						    (uint64_t)(o ? ka[r].spared : ka[r].enforced));
			}
		}
		free(ka);
	}
	head(s, "saker_rule_paths_cut_total", "counter",
	     "Kernel matches of each rule on an event whose path the kernel could not finish (fd.name starts with <cut>): the rule may match, it alerts.");
	size_t n_rk = saker_rt_rule_counters(rt, NULL, 0);
	struct saker_rt_rule_kernel *rk = n_rk ? calloc(n_rk, sizeof(*rk)) : NULL;
	if (rk) {
		n_rk = saker_rt_rule_counters(rt, rk, n_rk);
		for (size_t j = 0; j < n_rk; j++) {
			saker_rt_str_puts(s, "saker_rule_paths_cut_total{bundle=\"");
			label(s, rk[j].bundle);
			saker_rt_str_puts(s, "\",rule=\"");
			label(s, rk[j].rule ? rk[j].rule : "");
			saker_rt_str_printf(s, "\"} %" PRIu64 "\n", rk[j].cut);
		}
		free(rk);
	}
	head(s, "saker_alerts_suppressed_total", "counter", "Alerts the per-rule rate limit held back.");
	saker_rt_str_printf(s, "saker_alerts_suppressed_total %" PRIu64 "\n", ld(&c->suppressed));
	head(s, "saker_internal_alerts_total", "counter", "Internal alerts (losses, drops, suppression).");
	saker_rt_str_printf(s, "saker_internal_alerts_total %" PRIu64 "\n", ld(&rt->internal));
	head(s, "saker_bundle_info", "gauge", "The bundles in force, with their SHA-256.");
	for (size_t i = 0; i < rt->n_sources; i++) {
		saker_rt_str_puts(s, "saker_bundle_info{bundle=\"");
		label(s, rt->sources[i]->name);
		saker_rt_str_printf(s, "\",digest=\"%s\"} 1\n", rt->sources[i]->digest);
	}
	head(s, "saker_bundle_load_seconds", "gauge",
	     "How long loading each bundle in force took (mostly the kernel verifying its programs).");
	for (size_t i = 0; i < rt->n_sources; i++) {
		saker_rt_str_puts(s, "saker_bundle_load_seconds{bundle=\"");
		label(s, rt->sources[i]->name);
		saker_rt_str_printf(s, "\"} %.3f\n", (double)rt->sources[i]->load_ns / 1e9);
	}
	head(s, "saker_reloads_total", "counter", "Bundle reloads that took effect.");
	saker_rt_str_printf(s, "saker_reloads_total %" PRIu64 "\n", ld(&c->reloads));

	int stats_on = bpf_stats_enabled();
	head(s, "saker_bpf_stats_enabled", "gauge",
	     "1 when kernel.bpf_stats_enabled is set; otherwise the kernel does not count program runs and the run counters stay 0.");
	saker_rt_str_printf(s, "saker_bpf_stats_enabled %d\n", stats_on);
	head(s, "saker_bpf_program_runs_total", "counter", "Runs of each BPF program (bpf_prog_info run_cnt).");
	struct saker_rt_prog_info progs[MS_MAX_PROGS];
	for (size_t i = 0; i < rt->n_sources; i++) {
		size_t n = saker_rt_obj_progs(rt->sources[i]->obj, progs, MS_MAX_PROGS);
		for (size_t p = 0; p < n && p < MS_MAX_PROGS; p++) {
			saker_rt_str_puts(s, "saker_bpf_program_runs_total{bundle=\"");
			label(s, rt->sources[i]->name);
			saker_rt_str_printf(s, "\",program=\"%s\"} %" PRIu64 "\n", progs[p].name,
					    progs[p].run_cnt);
		}
	}
	head(s, "saker_bpf_program_run_seconds_total", "counter", "Time spent in each BPF program.");
	for (size_t i = 0; i < rt->n_sources; i++) {
		size_t n = saker_rt_obj_progs(rt->sources[i]->obj, progs, MS_MAX_PROGS);
		for (size_t p = 0; p < n && p < MS_MAX_PROGS; p++) {
			saker_rt_str_puts(s, "saker_bpf_program_run_seconds_total{bundle=\"");
			label(s, rt->sources[i]->name);
			saker_rt_str_printf(s, "\",program=\"%s\"} %.9f\n", progs[p].name,
					    (double)progs[p].run_time_ns / 1e9);
		}
	}
	pthread_mutex_unlock(&rt->lock);

	static const char *const ofam[][3] = {
		{ "saker_output_delivered_total", "counter", "Alerts an output delivered." },
		{ "saker_output_dropped_total", "counter", "Alerts an output's full queue refused." },
		{ "saker_output_failures_total", "counter", "Alerts an output failed to deliver." },
		{ "saker_output_restarts_total", "counter", "Restarts of a program output." },
		{ "saker_output_queue_depth", "gauge", "Alerts waiting in an output's queue." },
		{ "saker_output_queue_capacity", "gauge", "Size of an output's queue." },
	};
	struct saker_rt_output_stats st[SAKER_OUT__COUNT];
	for (size_t i = 0; i < rt->n_outputs; i++)
		saker_rt_output_stats(rt->outputs[i], &st[i]);
	for (size_t f = 0; f < sizeof(ofam) / sizeof(ofam[0]); f++) {
		head(s, ofam[f][0], ofam[f][1], ofam[f][2]);
		for (size_t i = 0; i < rt->n_outputs; i++) {
			uint64_t v = f == 0 ? st[i].delivered : f == 1 ? st[i].dropped : f == 2 ? st[i].failed
				   : f == 3 ? st[i].restarts : f == 4 ? st[i].depth : st[i].capacity;
			saker_rt_str_printf(s, "%s{output=\"", ofam[f][0]);
			label(s, saker_rt_output_name(rt->outputs[i]));
			saker_rt_str_printf(s, "\"} %" PRIu64 "\n", v);
		}
	}

	uint64_t own, ring;
	resident(&own, &ring);
	head(s, "saker_resident_memory_bytes", "gauge", "Resident memory of sakerd without the ring buffers' pages.");
	saker_rt_str_printf(s, "saker_resident_memory_bytes %" PRIu64 "\n", own);
	head(s, "saker_ring_buffer_resident_bytes", "gauge", "Resident pages of the kernel ring buffers mapped into sakerd.");
	saker_rt_str_printf(s, "saker_ring_buffer_resident_bytes %" PRIu64 "\n", ring);

	int64_t seen = __atomic_load_n(&rt->seen_at_ns, __ATOMIC_RELAXED);
	int64_t loop = __atomic_load_n(&rt->loop_at_ns, __ATOMIC_RELAXED);
	bool flowing = seen && now - seen <= (int64_t)(rt->conf->health_window_s * 1e9);
	bool looping = loop && now - loop <= MS_LOOP_STALE_NS;
	bool ok = attached && flowing && looping;
	head(s, "saker_healthy", "gauge",
	     "1 when every program is attached, the kernel saw events recently and the loop runs.");
	saker_rt_str_printf(s, "saker_healthy %d\n", ok);
	head(s, "saker_health_check", "gauge", "Each part of saker_healthy.");
	saker_rt_str_printf(s, "saker_health_check{check=\"attached\"} %d\n", attached);
	saker_rt_str_printf(s, "saker_health_check{check=\"events_flowing\"} %d\n", flowing);
	saker_rt_str_printf(s, "saker_health_check{check=\"loop_running\"} %d\n", looping);
	if (healthy)
		*healthy = ok;
	return s->err;
}

/* ---- the server --------------------------------------------------------------------------- */

struct ms_client {
	int fd;               /* -1: free */
	char req[MS_REQ_MAX];
	size_t req_len;
	struct saker_rt_str resp;
	size_t sent;
	int64_t deadline_ns;
};

struct saker_rt_metrics {
	struct saker_rt *rt;
	int listen_fd;
	int wake[2];          /* a byte here stops the thread */
	pthread_t thread;
	bool started;
	struct ms_client cl[MS_CLIENTS];
};

static void ms_close(struct ms_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->req_len = c->sent = 0;
	saker_rt_str_fini(&c->resp);
}

static void ms_respond(struct saker_rt_metrics *m, struct ms_client *c)
{
	char method[16] = "", path[256] = "";
	struct saker_rt_str body = { 0 };
	const char *status = "200 OK", *type = "text/plain; version=0.0.4; charset=utf-8";
	bool healthy = false;

	c->req[c->req_len] = 0;
	if (sscanf(c->req, "%15s %255s", method, path) != 2 || strcmp(method, "GET")) {
		status = strcmp(method, "GET") && method[0] ? "405 Method Not Allowed" : "400 Bad Request";
		saker_rt_str_puts(&body, "only GET /metrics and GET /healthz\n");
	} else if (!strcmp(path, "/metrics")) {
		saker_rt_metrics_text(m->rt, &body, &healthy);
	} else if (!strcmp(path, "/healthz")) {
		struct saker_rt_str scratch = { 0 };
		saker_rt_metrics_text(m->rt, &scratch, &healthy);
		saker_rt_str_fini(&scratch);
		status = healthy ? "200 OK" : "503 Service Unavailable";
		saker_rt_str_puts(&body, healthy ? "ok\n" : "unhealthy\n");
	} else {
		status = "404 Not Found";
		saker_rt_str_puts(&body, "not found\n");
	}
	saker_rt_str_printf(&c->resp,
			    "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			    status, type, body.len);
	saker_rt_str_put(&c->resp, body.p ? body.p : "", body.len);
	saker_rt_str_fini(&body);
	c->sent = 0;
}

static void *ms_thread(void *arg)
{
	struct saker_rt_metrics *m = arg;
	struct pollfd pf[MS_CLIENTS + 2];
	for (;;) {
		int64_t now = mono_ns();
		size_t n = 0;
		pf[n++] = (struct pollfd){ .fd = m->wake[0], .events = POLLIN };
		pf[n++] = (struct pollfd){ .fd = m->listen_fd, .events = POLLIN };
		for (int i = 0; i < MS_CLIENTS; i++) {
			struct ms_client *c = &m->cl[i];
			if (c->fd >= 0 && now > c->deadline_ns)
				ms_close(c); /* too slow: the slot goes to someone else */
			pf[n++] = (struct pollfd){ .fd = c->fd,
						   .events = c->resp.len ? POLLOUT : POLLIN };
		}
		if (poll(pf, n, 1000) < 0 && errno != EINTR)
			break;
		if (pf[0].revents)
			break;
		if (pf[1].revents & POLLIN) {
			int fd = accept4(m->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			int i;
			for (i = 0; fd >= 0 && i < MS_CLIENTS && m->cl[i].fd >= 0; i++)
				;
			if (fd >= 0 && i == MS_CLIENTS) {
				close(fd); /* every slot busy */
			} else if (fd >= 0) {
				m->cl[i].fd = fd;
				m->cl[i].deadline_ns = mono_ns() + (int64_t)MS_DEADLINE_MS * 1000000;
			}
		}
		for (int i = 0; i < MS_CLIENTS; i++) {
			struct ms_client *c = &m->cl[i];
			short ev = pf[i + 2].revents;
			if (c->fd < 0 || pf[i + 2].fd != c->fd || !ev)
				continue;
			if (!c->resp.len) {
				ssize_t r = read(c->fd, c->req + c->req_len, MS_REQ_MAX - 1 - c->req_len);
				if (r <= 0) {
					if (r == 0 || (errno != EAGAIN && errno != EINTR))
						ms_close(c);
					continue;
				}
				c->req_len += (size_t)r;
				c->req[c->req_len] = 0;
				if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n") ||
				    c->req_len == MS_REQ_MAX - 1)
					ms_respond(m, c);
			} else {
				ssize_t w = send(c->fd, c->resp.p + c->sent, c->resp.len - c->sent,
						 MSG_NOSIGNAL | MSG_DONTWAIT);
				if (w < 0 && errno != EAGAIN && errno != EINTR) {
					ms_close(c);
					continue;
				}
				if (w > 0)
					c->sent += (size_t)w;
				if (c->sent == c->resp.len)
					ms_close(c);
			}
		}
	}
	return NULL;
}

int saker_rt_metrics_start(struct saker_rt_metrics **out, struct saker_rt *rt, const char *addr,
			   char *err, size_t esz)
{
	struct saker_rt_metrics *m = calloc(1, sizeof(*m));
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV }, *ai = NULL;
	char host[256];
	int ret;

	if (!m)
		return say(err, esz, -ENOMEM, "out of memory");
	m->rt = rt;
	m->listen_fd = m->wake[0] = m->wake[1] = -1;
	for (int i = 0; i < MS_CLIENTS; i++)
		m->cl[i].fd = -1;
	const char *colon = strrchr(addr, ':');
	if (!colon || (size_t)(colon - addr) >= sizeof(host)) {
		ret = say(err, esz, -EINVAL, "metrics address '%s': not HOST:PORT", addr);
		goto fail;
	}
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = 0;
	/* "[::1]:9376" */
	char *h = host;
	if (h[0] == '[' && h[strlen(h) - 1] == ']') {
		h[strlen(h) - 1] = 0;
		h++;
	}
	int gai = getaddrinfo(h[0] ? h : NULL, colon + 1, &hints, &ai);
	if (gai) {
		ret = say(err, esz, -EINVAL, "metrics address '%s': %s", addr, gai_strerror(gai));
		goto fail;
	}
	m->listen_fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (m->listen_fd < 0 ||
	    setsockopt(m->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(m->listen_fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(m->listen_fd, 16) < 0) {
		ret = -errno;
		say(err, esz, ret, "metrics address '%s': cannot listen: %s", addr, strerror(-ret));
		goto fail;
	}
	if (pipe2(m->wake, O_CLOEXEC) < 0) {
		ret = say(err, esz, -errno, "cannot create a pipe: %s", strerror(errno));
		goto fail;
	}
	ret = pthread_create(&m->thread, NULL, ms_thread, m);
	if (ret) {
		ret = say(err, esz, -ret, "cannot start the metrics thread: %s", strerror(ret));
		goto fail;
	}
	m->started = true;
	freeaddrinfo(ai);
	*out = m;
	return 0;
fail:
	if (ai)
		freeaddrinfo(ai);
	saker_rt_metrics_stop(m);
	return ret;
}

void saker_rt_metrics_stop(struct saker_rt_metrics *m)
{
	if (!m)
		return;
	if (m->started) {
		if (write(m->wake[1], "x", 1) < 0) {
			/* the pipe is ours and empty: this cannot fail */
		}
		pthread_join(m->thread, NULL);
	}
	for (int i = 0; i < MS_CLIENTS; i++)
		ms_close(&m->cl[i]);
	if (m->listen_fd >= 0)
		close(m->listen_fd);
	if (m->wake[0] >= 0)
		close(m->wake[0]);
	if (m->wake[1] >= 0)
		close(m->wake[1]);
	free(m);
}
