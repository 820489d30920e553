/* The addresses of the domain names rules compare fd.sip.name (and fd.cip.name, fd.lip.name,
 * fd.rip.name) with: a resolver thread asks the system's resolver (getaddrinfo: /etc/hosts, DNS,
 * A and AAAA) for each name, and again every refresh interval; the event loop only reads the
 * last addresses known, under a mutex held for a copy, never for a lookup.
 *
 * A lookup that fails keeps the name's last addresses (none before its first success) and is
 * said once until the name resolves again; a lookup that hangs delays only the next lookups,
 * never an event; at shutdown the thread is waited for a bounded time, then left to finish on its
 * own (it holds its own reference to the state, so nothing it touches is freed under it). */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "rt.h"
#include "saker/cond.h"

#define DNS_REFRESH_MS   30000  /* a name's addresses are asked again this often */
#define DNS_RETRY_MS     5000   /* a name without an address yet, or whose lookup failed */
#define DNS_SLOW_MS      5000   /* a lookup taking longer is said (once per name) */
#define DNS_STOP_WAIT_MS 1000   /* how long shutdown waits for a lookup in progress */

struct dns_name {
	char *name;
	struct saker_rt_addr *addrs;   /* the last addresses known (malloc'd), n_addrs of them */
	size_t n_addrs;
	int64_t due_ms;                /* when to ask next */
	bool resolved;                 /* a lookup has succeeded */
	bool said_fail, said_slow;     /* the current failure, a slow lookup, were said */
};

struct saker_rt_dns {
	/* fixed after new */
	int refresh_ms, retry_ms, slow_ms, stop_wait_ms;
	saker_rt_resolve_fn *resolve;
	void *resolve_ctx;
	saker_rt_log_fn *log;
	void *log_arg;

	pthread_mutex_t mu;
	pthread_cond_t wake;           /* to the thread: names changed, or stop */
	pthread_cond_t changed;        /* from the thread: a lookup finished, or it exits */
	struct dns_name *names;
	size_t n_names;
	uint64_t rounds;               /* lookups finished */
	struct saker_rt_dns_stats st;
	bool stop, started, exited;
	int refs;                      /* the owner's, and the thread's while it runs */
	pthread_t thread;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct timespec deadline_in(int64_t ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

static void say(struct saker_rt_dns *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct saker_rt_dns *d, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	if (!d->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	d->log(d->log_arg, line);
}

/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address it maps. */
static void addr_norm(struct saker_rt_addr *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (a->len == 16 && !memcmp(a->ip, mapped, sizeof(mapped))) {
		memmove(a->ip, a->ip + 12, 4);
		memset(a->ip + 4, 0, 12);
		a->len = 4;
	}
}

static bool addr_eq(const struct saker_rt_addr *a, const uint8_t *ip, uint8_t len)
{
	return a->len == len && !memcmp(a->ip, ip, len);
}

int saker_rt_resolve_system(void *ctx, const char *name, struct saker_rt_addr *out, size_t max,
			    size_t *n, char *why, size_t why_size)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	(void)ctx;
	*n = 0;
	int rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc) {
		snprintf(why, why_size, "%s", rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return rc == EAI_MEMORY ? -ENOMEM : -ENOENT;
	}
	for (struct addrinfo *ai = res; ai && *n < max; ai = ai->ai_next) {
		struct saker_rt_addr a = { .len = 0 };
		if (ai->ai_family == AF_INET) {
			memcpy(a.ip, &((const struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
			a.len = 4;
		} else if (ai->ai_family == AF_INET6) {
			memcpy(a.ip, &((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
			a.len = 16;
		} else {
			continue;
		}
		out[(*n)++] = a;
	}
	freeaddrinfo(res);
	if (!*n) {
		snprintf(why, why_size, "no IPv4 or IPv6 address");
		return -ENOENT;
	}
	return 0;
}

int saker_rt_dns_new(struct saker_rt_dns **out, const struct saker_rt_dns_opts *o)
{
	struct saker_rt_dns *d = calloc(1, sizeof(*d));
	pthread_condattr_t ca;

	*out = NULL;
	if (!d)
		return -ENOMEM;
	d->refresh_ms = o && o->refresh_ms > 0 ? o->refresh_ms : DNS_REFRESH_MS;
	d->retry_ms = o && o->retry_ms > 0 ? o->retry_ms : DNS_RETRY_MS;
	d->slow_ms = o && o->slow_ms > 0 ? o->slow_ms : DNS_SLOW_MS;
	d->stop_wait_ms = o && o->stop_wait_ms > 0 ? o->stop_wait_ms : DNS_STOP_WAIT_MS;
	d->resolve = o && o->resolve ? o->resolve : saker_rt_resolve_system;
	d->resolve_ctx = o ? o->resolve_ctx : NULL;
	d->log = o ? o->log : NULL;
	d->log_arg = o ? o->log_arg : NULL;
	d->refs = 1;
	/* waits are on the monotonic clock: a change of the wall clock moves none */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->wake, &ca);
	pthread_cond_init(&d->changed, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&d->mu, NULL);
	*out = d;
	return 0;
}

static void names_free(struct dns_name *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].addrs);
	}
	free(v);
}

static void dns_destroy(struct saker_rt_dns *d)
{
	names_free(d->names, d->n_names);
	pthread_cond_destroy(&d->wake);
	pthread_cond_destroy(&d->changed);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

/* Drops one reference (under mu, which it releases); the last one frees D. */
static void unref_unlock(struct saker_rt_dns *d)
{
	bool last = --d->refs == 0;
	pthread_mutex_unlock(&d->mu);
	if (last)
		dns_destroy(d);
}

void saker_rt_dns_free(struct saker_rt_dns *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->mu);
	d->stop = true;
	pthread_cond_broadcast(&d->wake);
	if (d->started) {
		/* a lookup in progress cannot be interrupted: wait for it a bounded time, then let
		 * the thread end by itself (it frees D if it is the last to hold it) */
		struct timespec until = deadline_in(d->stop_wait_ms);
		while (!d->exited && pthread_cond_timedwait(&d->changed, &d->mu, &until) != ETIMEDOUT)
			;
		if (d->exited) {
			pthread_mutex_unlock(&d->mu);
			pthread_join(d->thread, NULL);
			pthread_mutex_lock(&d->mu);
		} else {
			pthread_detach(d->thread);
		}
	}
	unref_unlock(d);
}

static struct dns_name *find(struct saker_rt_dns *d, const char *name, size_t len)
{
	for (size_t i = 0; i < d->n_names; i++)
		if (d->names[i].name && strlen(d->names[i].name) == len &&
		    !memcmp(d->names[i].name, name, len))
			return &d->names[i];
	return NULL;
}

/* "10.0.0.1, 10.0.0.2" for the first addresses of V. */
static void addrs_text(const struct saker_rt_addr *v, size_t n, char *buf, size_t size)
{
	size_t at = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n && i < 8 && at < size; i++) {
		char a[INET6_ADDRSTRLEN];
		inet_ntop(v[i].len == 4 ? AF_INET : AF_INET6, v[i].ip, a, sizeof(a));
		at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? ", " : "", a);
	}
	if (n > 8 && at < size)
		snprintf(buf + at, size - at, " and %zu more", n - 8);
}

/* Under mu: the lookup of E finished with RC (0: V[0..n) are its addresses; else WHY), having
 * taken TOOK ms. Moves V's memory into E. */
static void lookup_done(struct saker_rt_dns *d, struct dns_name *e, int rc, struct saker_rt_addr *v,
			size_t n, const char *why, int64_t took)
{
	int64_t now = now_ms();
	if (took > d->slow_ms && !e->said_slow) {
		e->said_slow = true;
		say(d, "dns: resolving '%s' took %.1f s: the checks on it use the addresses last known "
		       "meanwhile, events are not held up", e->name, (double)took / 1000);
	}
	if (rc) {
		d->st.failures++;
		e->due_ms = now + d->retry_ms;
		if (!e->said_fail) {
			e->said_fail = true;
			if (e->n_addrs)
				say(d, "dns: cannot resolve '%s': %s; keeping its last %zu address%s, asking "
				       "again every %d s", e->name, why, e->n_addrs, e->n_addrs == 1 ? "" : "es",
				    d->retry_ms / 1000);
			else
				say(d, "dns: cannot resolve '%s': %s; a check that the address is this "
				       "name's holds for no address until it resolves (asked again every %d s)",
				    e->name, why, d->retry_ms / 1000);
		}
		free(v);
		return;
	}
	d->st.resolved++;
	/* one copy of each address, IPv4-mapped ones as IPv4 */
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		addr_norm(&v[i]);
		bool dup = false;
		for (size_t j = 0; j < k && !dup; j++)
			dup = addr_eq(&v[j], v[i].ip, v[i].len);
		if (!dup)
			v[k++] = v[i];
	}
	bool same = e->resolved && k == e->n_addrs;
	for (size_t i = 0; i < k && same; i++) {
		bool found = false;
		for (size_t j = 0; j < e->n_addrs && !found; j++)
			found = addr_eq(&e->addrs[j], v[i].ip, v[i].len);
		same = found;
	}
	if (!same || e->said_fail) {
		char text[512];
		addrs_text(v, k, text, sizeof(text));
		say(d, "dns: '%s' resolves to %s", e->name, text);
	}
	free(e->addrs);
	e->addrs = v;
	e->n_addrs = k;
	e->resolved = true;
	e->said_fail = false;
	e->due_ms = now + d->refresh_ms;
}

#define DNS_MAX_ADDRS 64

static void *resolver(void *arg)
{
	struct saker_rt_dns *d = arg;
	pthread_mutex_lock(&d->mu);
	while (!d->stop) {
		/* the name due first */
		int64_t now = now_ms(), due = INT64_MAX;
		struct dns_name *e = NULL;
		for (size_t i = 0; i < d->n_names; i++)
			if (d->names[i].due_ms < due) {
				due = d->names[i].due_ms;
				e = &d->names[i];
			}
		if (!e || due > now) {
			if (!e) {
				pthread_cond_wait(&d->wake, &d->mu);
			} else {
				struct timespec until = deadline_in(due - now);
				pthread_cond_timedwait(&d->wake, &d->mu, &until);
			}
			continue;
		}
		char *name = strdup(e->name);
		struct saker_rt_addr *v = malloc(DNS_MAX_ADDRS * sizeof(*v));
		if (!name || !v) {
			free(name);
			free(v);
			e->due_ms = now + d->retry_ms;
			continue;
		}
		pthread_mutex_unlock(&d->mu);
		/* the lookup, without the lock: the loop goes on matching the last addresses */
		char why[256] = "";
		size_t n = 0;
		int64_t t0 = now_ms();
		int rc = d->resolve(d->resolve_ctx, name, v, DNS_MAX_ADDRS, &n, why, sizeof(why));
		int64_t took = now_ms() - t0;
		pthread_mutex_lock(&d->mu);
		/* the names may have changed meanwhile: find it again */
		e = find(d, name, strlen(name));
		if (e && !d->stop)
			lookup_done(d, e, rc, v, rc ? 0 : n, why[0] ? why : "lookup failed", took);
		else
			free(v);
		free(name);
		d->rounds++;
		pthread_cond_broadcast(&d->changed);
	}
	d->exited = true;
	pthread_cond_broadcast(&d->changed);
	unref_unlock(d);
	return NULL;
}

int saker_rt_dns_set_names(struct saker_rt_dns *d, const char *const *names, size_t n)
{
	struct dns_name *v = calloc(n ? n : 1, sizeof(*v));
	size_t k = 0;
	if (!v)
		return -ENOMEM;
	pthread_mutex_lock(&d->mu);
	/* first what can fail: the new names' copies (each name once) */
	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		for (size_t j = 0; j < k && !dup; j++)
			dup = !strcmp(v[j].name, names[i]);
		if (dup)
			continue;
		v[k].name = strdup(names[i]);
		if (!v[k].name) {
			names_free(v, k);
			pthread_mutex_unlock(&d->mu);
			return -ENOMEM;
		}
		k++;
	}
	/* then a name kept keeps what is known of it; a new one is asked at once (due 0) */
	for (size_t j = 0; j < k; j++) {
		struct dns_name *old = find(d, v[j].name, strlen(v[j].name));
		if (!old)
			continue;
		free(v[j].name);
		v[j] = *old;
		old->name = NULL; /* moved: find() skips it, the loop below frees nothing of it */
		old->addrs = NULL;
	}
	for (size_t i = 0; i < d->n_names; i++) {
		free(d->names[i].name);
		free(d->names[i].addrs);
	}
	free(d->names);
	d->names = v;
	d->n_names = k;
	pthread_cond_broadcast(&d->wake);
	pthread_mutex_unlock(&d->mu);
	return 0;
}

int saker_rt_dns_start(struct saker_rt_dns *d, int wait_ms)
{
	int ret = 0;
	pthread_mutex_lock(&d->mu);
	if (!d->started && d->n_names && !d->stop) {
		/* the thread takes no signal: they stay with the event loop's thread */
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		ret = -pthread_create(&d->thread, NULL, resolver, d);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (!ret) {
			d->started = true;
			d->refs++;
		}
	}
	if (d->started && wait_ms > 0) {
		/* until every name was asked once, or the wait is over */
		struct timespec until = deadline_in(wait_ms);
		for (;;) {
			bool all = true;
			for (size_t i = 0; i < d->n_names && all; i++)
				all = d->names[i].due_ms != 0;
			if (all || d->exited ||
			    pthread_cond_timedwait(&d->changed, &d->mu, &until) == ETIMEDOUT)
				break;
		}
	}
	pthread_mutex_unlock(&d->mu);
	return ret;
}

int saker_rt_dns_match(struct saker_rt_dns *d, const char *name, size_t len, const uint8_t *ip,
		       uint8_t ip_len)
{
	int hit = 0;
	pthread_mutex_lock(&d->mu);
	d->st.checks++;
	struct dns_name *e = find(d, name, len);
	for (size_t i = 0; e && i < e->n_addrs && !hit; i++)
		hit = addr_eq(&e->addrs[i], ip, ip_len);
	pthread_mutex_unlock(&d->mu);
	return hit;
}

const char *saker_rt_dns_name_of(struct saker_rt_dns *d, const uint8_t *ip, uint8_t ip_len,
				 char *buf, size_t size)
{
	struct saker_rt_addr a = { .len = ip_len };
	const char *found = NULL;
	if ((ip_len != 4 && ip_len != 16) || !size)
		return NULL;
	memcpy(a.ip, ip, ip_len);
	addr_norm(&a);
	pthread_mutex_lock(&d->mu);
	for (size_t i = 0; i < d->n_names && !found; i++)
		for (size_t j = 0; j < d->names[i].n_addrs && !found; j++)
			if (addr_eq(&d->names[i].addrs[j], a.ip, a.len)) {
				snprintf(buf, size, "%s", d->names[i].name);
				found = buf;
			}
	pthread_mutex_unlock(&d->mu);
	return found;
}

void saker_rt_dns_stats(struct saker_rt_dns *d, struct saker_rt_dns_stats *out)
{
	pthread_mutex_lock(&d->mu);
	*out = d->st;
	out->names = d->n_names;
	pthread_mutex_unlock(&d->mu);
}

uint64_t saker_rt_dns_rounds(struct saker_rt_dns *d)
{
	pthread_mutex_lock(&d->mu);
	uint64_t r = d->rounds;
	pthread_mutex_unlock(&d->mu);
	return r;
}

int saker_rt_dns_collect(const struct sk_cexpr *root, char ***names, size_t *n)
{
	const sk_cexpr **st = NULL;
	size_t ns = 0, cap = 0;
	int ret = 0;
	if (!root)
		return 0;
	/* an explicit stack: trees may be as deep as the decoder allows */
	for (const sk_cexpr *e = root; e;) {
		if (e->kind == SK_C_CHECK && e->lhs && e->lhs->kind == SK_CO_FIELD && e->rhs &&
		    sk_field_resolved_ip(e->lhs->field) >= 0) {
			size_t k = e->rhs->kind == SK_CO_LIST ? e->rhs->n_items : 1;
			const sk_cval *v = e->rhs->kind == SK_CO_LIST ? e->rhs->items : &e->rhs->v;
			char **grown = realloc(*names, (*n + k + 1) * sizeof(*grown));
			if (!grown) {
				ret = -ENOMEM;
				break;
			}
			*names = grown;
			for (size_t i = 0; i < k && v && !ret; i++) {
				if (v[i].kind != SK_CV_STR || !v[i].s || !v[i].len)
					continue;
				if (!(grown[*n] = strndup(v[i].s, v[i].len)))
					ret = -ENOMEM;
				else
					(*n)++;
			}
			if (ret)
				break;
		}
		/* pushed last first: the names come in the order the condition has them */
		for (size_t j = e->n_kids; j-- > 0 && e->kind != SK_C_CHECK;) {
			if (ns == cap) {
				size_t nc = cap ? 2 * cap : 32;
				const sk_cexpr **d = realloc(st, nc * sizeof(*d));
				if (!d) {
					ret = -ENOMEM;
					goto cleanup;
				}
				st = d;
				cap = nc;
			}
			if (e->kids[j])
				st[ns++] = e->kids[j];
		}
		e = ns ? st[--ns] : NULL;
	}
cleanup:
	free(st);
	return ret;
}
