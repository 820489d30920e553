/* Alert outputs: a bounded queue per output, drained by the output's own thread, and the five
 * ways of delivering a line (stdout, file, syslog datagram, a program's stdin, HTTP POST with
 * libcurl). The producer (the ring buffer consumer) only ever takes the queue's lock for a few
 * instructions; every blocking call happens in the output's thread. */
#define _GNU_SOURCE
#include "rt_output.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rt_curl.h"

#include "reason.h"
#include "saker/version.h"

#define say saker_reason

#define OUT_BATCH        256   /* alerts taken from the queue at once */
#define OUT_STOP_WAIT_MS 2000  /* at shutdown, how long a slow receiver may hold the rest */
#define OUT_WAIT_STEP_MS 200   /* poll step of blocking writes, so a stop is noticed */
#define PROG_BACKOFF_MIN 1     /* seconds before restarting a program that died */
#define PROG_BACKOFF_MAX 30
#define PROG_STABLE_S    10    /* a program that ran this long starts the back-off over */

const char *const saker_rt_out_kind_names[SAKER_OUT__COUNT] = {
#define SAKER_RT_KIND_NAME(k, name) name,
	SAKER_RT_KINDS(SAKER_RT_KIND_NAME)
#undef SAKER_RT_KIND_NAME
};

struct out_item {
	char *line;  /* malloc'd, no newline */
	size_t len;
	int prio;
};

struct saker_rt_output {
	enum saker_rt_out_kind kind;
	bool json;
	char *target, *ca_cert, *user_agent;
	char name[512];
	int timeout_ms;
	bool insecure;

	pthread_mutex_t mu;
	pthread_cond_t nonempty;
	bool waiting;              /* the thread sleeps on NONEMPTY */
	bool stop;
	struct out_item *ring;
	uint32_t cap, head, count; /* items [head, head + count) are queued; the thread owns the
				    * first ones while it writes them */
	struct saker_rt_output_stats st;
	pthread_t thread;
	bool started;
	int reopen;                /* set by saker_rt_output_reopen, read by the thread */
	int64_t stop_deadline_ms;  /* once stopping: give up on the receiver after this */

	/* the thread's own state */
	FILE *f;                   /* stdout, file */
	int fd;                    /* syslog socket, program's stdin */
	pid_t child;
	time_t child_started, next_start;
	int backoff;
	CURL *curl;
	struct curl_slist *headers;
	char *buf;                 /* syslog message under construction */
	size_t buf_cap;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static time_t now_s(void)
{
	return (time_t)(now_ms() / 1000);
}

/* 1 when the thread should give up on a blocked receiver. Called with MU not held. */
static bool out_giving_up(struct saker_rt_output *o)
{
	pthread_mutex_lock(&o->mu);
	bool stop = o->stop && now_ms() >= o->stop_deadline_ms;
	pthread_mutex_unlock(&o->mu);
	return stop;
}

/* Writes all of BUF to the non-blocking FD, waiting for room in steps so that a stop is seen. */
static int write_all(struct saker_rt_output *o, int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return -errno;
		if (out_giving_up(o))
			return -ETIMEDOUT;
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		poll(&p, 1, OUT_WAIT_STEP_MS);
	}
	return 0;
}

/* ---- stdout and file ---------------------------------------------------------------------- */

static int file_open(struct saker_rt_output *o)
{
	if (o->kind == SAKER_OUT_STDOUT) {
		o->f = stdout;
		return 0;
	}
	o->f = fopen(o->target, "a");
	return o->f ? 0 : -errno;
}

static void file_close(struct saker_rt_output *o)
{
	if (o->f == stdout)
		fflush(stdout);
	else if (o->f)
		fclose(o->f);
	o->f = NULL;
}

static int file_write(struct saker_rt_output *o, const struct out_item *it)
{
	if (__atomic_exchange_n(&o->reopen, 0, __ATOMIC_ACQ_REL) && o->kind == SAKER_OUT_FILE) {
		file_close(o);
		file_open(o);
	}
	if (!o->f && (o->kind != SAKER_OUT_FILE || file_open(o)))
		return -EIO;
	if (fwrite(it->line, 1, it->len, o->f) != it->len || putc('\n', o->f) == EOF) {
		int ret = errno ? -errno : -EIO;
		clearerr(o->f);
		return ret;
	}
	return 0;
}

static void file_flush(struct saker_rt_output *o)
{
	if (o->f && fflush(o->f)) {
		clearerr(o->f);
		if (o->kind == SAKER_OUT_FILE) {
			/* a full or vanished disk: try a fresh handle next time */
			file_close(o);
		}
	}
}

/* ---- syslog ------------------------------------------------------------------------------- */

static int syslog_connect(struct saker_rt_output *o)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(o->target) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, o->target);
	if (o->fd < 0) {
		o->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (o->fd < 0)
			return -errno;
	}
	if (connect(o->fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int ret = -errno;
		close(o->fd);
		o->fd = -1;
		return ret;
	}
	return 0;
}

/* RFC 3164 as syslog(3) sends it to /dev/log: "<PRI>Mmm dd hh:mm:ss sakerd[PID]: LINE", facility
 * user; saker's priorities are syslog's severities in the same order. */
static int syslog_write(struct saker_rt_output *o, const struct out_item *it)
{
	char head[96];
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	int prio = it->prio >= 0 && it->prio <= 7 ? it->prio : 7;
	int hn = snprintf(head, sizeof(head), "<%d>", 8 + prio);
	hn += (int)strftime(head + hn, sizeof(head) - (size_t)hn, "%b %e %H:%M:%S", &tm);
	hn += snprintf(head + hn, sizeof(head) - (size_t)hn, " sakerd[%d]: ", (int)getpid());
	size_t need = (size_t)hn + it->len;
	if (need > o->buf_cap) {
		char *p = realloc(o->buf, need);
		if (!p)
			return -ENOMEM;
		o->buf = p;
		o->buf_cap = need;
	}
	memcpy(o->buf, head, (size_t)hn);
	memcpy(o->buf + hn, it->line, it->len);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (o->fd < 0) {
			int ret = syslog_connect(o);
			if (ret)
				return ret;
		}
		for (;;) {
			if (send(o->fd, o->buf, need, MSG_NOSIGNAL) >= 0)
				return 0;
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				break;
			if (out_giving_up(o))
				return -ETIMEDOUT;
			struct pollfd p = { .fd = o->fd, .events = POLLOUT };
			poll(&p, 1, OUT_WAIT_STEP_MS);
		}
		/* the receiver went away (syslog restarted): connect again once */
		close(o->fd);
		o->fd = -1;
	}
	return -ECONNREFUSED;
}

/* ---- program ------------------------------------------------------------------------------ */

static void prog_reap(struct saker_rt_output *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->child > 0) {
		int status;
		/* its stdin is closed: it exits soon, unless it ignores end of input */
		for (int i = 0; i < 20 && waitpid(o->child, &status, WNOHANG) == 0; i++)
			usleep(50000);
		if (waitpid(o->child, &status, WNOHANG) == 0) {
			kill(o->child, SIGKILL);
			waitpid(o->child, &status, 0);
		}
	}
	o->child = 0;
}

static int prog_start(struct saker_rt_output *o)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int ret = -errno;
		close(p[0]);
		close(p[1]);
		return ret;
	}
	if (pid == 0) {
		/* only async-signal-safe calls from here to exec */
		signal(SIGPIPE, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(p[0], 0) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", o->target, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	o->fd = p[1];
	o->child = pid;
	o->child_started = now_s();
	return 0;
}

static int prog_write(struct saker_rt_output *o, const struct out_item *it)
{
	if (o->fd < 0) {
		/* back-off: wait for the restart time, a step at a time so a stop is seen */
		while (now_s() < o->next_start) {
			if (out_giving_up(o))
				return -ETIMEDOUT;
			usleep(OUT_WAIT_STEP_MS * 1000);
		}
		int ret = prog_start(o);
		if (ret)
			return ret;
		if (o->next_start) { /* not the first start */
			pthread_mutex_lock(&o->mu);
			o->st.restarts++;
			pthread_mutex_unlock(&o->mu);
		}
	}
	int ret = write_all(o, o->fd, it->line, it->len);
	if (!ret)
		ret = write_all(o, o->fd, "\n", 1);
	if (ret == -EPIPE) {
		/* the program died: restart it later, waiting longer each time it dies young */
		bool stable = now_s() - o->child_started >= PROG_STABLE_S;
		prog_reap(o);
		o->backoff = stable || !o->backoff ? PROG_BACKOFF_MIN
						   : o->backoff * 2 > PROG_BACKOFF_MAX ? PROG_BACKOFF_MAX
										      : o->backoff * 2;
		o->next_start = now_s() + o->backoff;
	}
	return ret;
}

/* ---- HTTP --------------------------------------------------------------------------------- */

static size_t http_discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* Called by libcurl during a request (at least once a second): a stop cuts a hung one short. */
static int http_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	(void)a, (void)b, (void)c, (void)d;
	return out_giving_up(arg);
}

static int http_open(struct saker_rt_output *o, char *err, size_t esz)
{
	char why[256];
	if (saker_curl_load(why, sizeof(why)))
		return say(err, esz, -EIO, "%s", why);
	o->curl = saker_curl.easy_init();
	if (!o->curl)
		return say(err, esz, -ENOMEM, "cannot create an HTTP handle");
	o->headers = saker_curl.slist_append(NULL, o->json ? "Content-Type: application/json"
						     : "Content-Type: text/plain; charset=utf-8");
	if (!o->headers)
		return say(err, esz, -ENOMEM, "out of memory");
	CURL *c = o->curl;
	if (saker_curl.easy_setopt(c, CURLOPT_URL, o->target) != CURLE_OK)
		return say(err, esz, -EINVAL, "%s: not a URL libcurl accepts", o->target);
	saker_curl.easy_setopt(c, CURLOPT_HTTPHEADER, o->headers);
	saker_curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	saker_curl.easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	saker_curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)o->timeout_ms);
	saker_curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, http_discard);
	saker_curl.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, http_progress);
	saker_curl.easy_setopt(c, CURLOPT_XFERINFODATA, o);
	saker_curl.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	saker_curl.easy_setopt(c, CURLOPT_USERAGENT, o->user_agent);
	saker_curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (o->insecure) {
		saker_curl.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		saker_curl.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (o->ca_cert)
		saker_curl.easy_setopt(c, CURLOPT_CAINFO, o->ca_cert);
	return 0;
}

static int http_write(struct saker_rt_output *o, const struct out_item *it)
{
	if (out_giving_up(o))
		return -ETIMEDOUT;
	saker_curl.easy_setopt(o->curl, CURLOPT_POSTFIELDSIZE, (long)it->len);
	saker_curl.easy_setopt(o->curl, CURLOPT_POSTFIELDS, it->line);
	if (saker_curl.easy_perform(o->curl) != CURLE_OK)
		return -EIO;
	long code = 0;
	saker_curl.easy_getinfo(o->curl, CURLINFO_RESPONSE_CODE, &code);
	return code >= 200 && code < 300 ? 0 : -EPROTO;
}

/* ---- the queue and the thread ------------------------------------------------------------- */

static int deliver(struct saker_rt_output *o, const struct out_item *it)
{
	switch (o->kind) {
	case SAKER_OUT_STDOUT:
	case SAKER_OUT_FILE:
		return file_write(o, it);
	case SAKER_OUT_SYSLOG:
		return syslog_write(o, it);
	case SAKER_OUT_PROGRAM:
		return prog_write(o, it);
	case SAKER_OUT_HTTP:
		return http_write(o, it);
	default:
		return -EINVAL;
	}
}

static void *out_thread(void *arg)
{
	struct saker_rt_output *o = arg;
	pthread_mutex_lock(&o->mu);
	for (;;) {
		while (!o->count && !o->stop) {
			o->waiting = true;
			pthread_cond_wait(&o->nonempty, &o->mu);
			o->waiting = false;
		}
		if (!o->count)
			break;
		uint32_t n = o->count < OUT_BATCH ? o->count : OUT_BATCH, head = o->head;
		pthread_mutex_unlock(&o->mu);

		/* The producer only writes past head + count: these items stay ours until head moves. */
		uint64_t ok = 0, bad = 0;
		for (uint32_t i = 0; i < n; i++) {
			struct out_item *it = &o->ring[(head + i) % o->cap];
			if (deliver(o, it) == 0)
				ok++;
			else
				bad++;
			free(it->line);
			it->line = NULL;
		}
		if (o->kind == SAKER_OUT_STDOUT || o->kind == SAKER_OUT_FILE)
			file_flush(o);

		pthread_mutex_lock(&o->mu);
		o->head = (o->head + n) % o->cap;
		o->count -= n;
		o->st.delivered += ok;
		o->st.failed += bad;
	}
	pthread_mutex_unlock(&o->mu);
	return NULL;
}

int saker_rt_output_push(struct saker_rt_output *o, const char *line, size_t len, int prio)
{
	char *copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, line, len);
	copy[len] = 0;
	pthread_mutex_lock(&o->mu);
	if (o->count == o->cap) {
		o->st.dropped++;
		pthread_mutex_unlock(&o->mu);
		free(copy);
		return -ENOBUFS;
	}
	o->ring[(o->head + o->count) % o->cap] = (struct out_item){ copy, len, prio };
	o->count++;
	/* Waking the thread per alert would cost a context switch each: the loop kicks once per
	 * batch of records (saker_rt_output_kick), and a burst wakes it before the queue fills. */
	if (o->waiting && o->count >= o->cap / 2)
		pthread_cond_signal(&o->nonempty);
	pthread_mutex_unlock(&o->mu);
	return 0;
}

void saker_rt_output_kick(struct saker_rt_output *o)
{
	pthread_mutex_lock(&o->mu);
	if (o->waiting && o->count)
		pthread_cond_signal(&o->nonempty);
	pthread_mutex_unlock(&o->mu);
}

void saker_rt_output_reopen(struct saker_rt_output *o)
{
	__atomic_store_n(&o->reopen, 1, __ATOMIC_RELEASE);
}

void saker_rt_output_stats(struct saker_rt_output *o, struct saker_rt_output_stats *s)
{
	pthread_mutex_lock(&o->mu);
	*s = o->st;
	s->depth = o->count;
	s->capacity = o->cap;
	pthread_mutex_unlock(&o->mu);
}

bool saker_rt_output_json(const struct saker_rt_output *o)
{
	return o->json;
}

const char *saker_rt_output_name(const struct saker_rt_output *o)
{
	return o->name;
}

static char *dup_or_null(const char *s, bool *oom)
{
	if (!s)
		return NULL;
	char *p = strdup(s);
	if (!p)
		*oom = true;
	return p;
}

int saker_rt_output_new(struct saker_rt_output **out, const struct saker_rt_out_conf *c,
			char *err, size_t esz)
{
	struct saker_rt_output *o = calloc(1, sizeof(*o));
	bool oom = false;
	int ret;

	if (!o)
		return say(err, esz, -ENOMEM, "out of memory");
	o->fd = -1;
	o->kind = c->kind;
	o->json = c->json > 0;
	o->timeout_ms = c->timeout_ms > 0 ? c->timeout_ms : 5000;
	o->insecure = c->insecure;
	o->target = dup_or_null(c->kind == SAKER_OUT_SYSLOG && !c->target ? "/dev/log" : c->target,
				&oom);
	o->ca_cert = dup_or_null(c->ca_cert, &oom);
	o->user_agent = dup_or_null(c->user_agent ? c->user_agent : "sakerd/" SAKER_VERSION, &oom);
	o->cap = c->queue ? c->queue : SAKER_RT_QUEUE_DEFAULT;
	o->ring = calloc(o->cap, sizeof(*o->ring));
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->nonempty, NULL);
	if (oom || !o->ring) {
		ret = say(err, esz, -ENOMEM, "out of memory");
		goto fail;
	}
	if (c->kind != SAKER_OUT_STDOUT && !o->target) {
		ret = say(err, esz, -EINVAL, "%s output: no target", saker_rt_out_kind_names[c->kind]);
		goto fail;
	}
	snprintf(o->name, sizeof(o->name), "%s%s%s", saker_rt_out_kind_names[c->kind],
		 o->target ? ":" : "", o->target ? o->target : "");

	/* Open now, so a mistake in the configuration stops the start rather than every alert. */
	switch (c->kind) {
	case SAKER_OUT_STDOUT:
	case SAKER_OUT_FILE:
		ret = file_open(o);
		if (ret) {
			say(err, esz, ret, "%s: cannot open for appending: %s", o->target, strerror(-ret));
			goto fail;
		}
		break;
	case SAKER_OUT_SYSLOG:
		/* syslog may start after sakerd: a missing socket is retried at each alert */
		syslog_connect(o);
		break;
	case SAKER_OUT_PROGRAM:
		ret = prog_start(o);
		if (ret) {
			say(err, esz, ret, "program output '%s': cannot start: %s", o->target,
			    strerror(-ret));
			goto fail;
		}
		break;
	case SAKER_OUT_HTTP:
		ret = http_open(o, err, esz);
		if (ret)
			goto fail;
		break;
	default:
		ret = say(err, esz, -EINVAL, "unknown output kind");
		goto fail;
	}
	ret = pthread_create(&o->thread, NULL, out_thread, o);
	if (ret) {
		ret = say(err, esz, -ret, "cannot start the output thread: %s", strerror(ret));
		goto fail;
	}
	o->started = true;
	*out = o;
	return 0;
fail:
	saker_rt_output_free(o);
	return ret;
}

static void out_stop(struct saker_rt_output *o)
{
	if (!o->started)
		return;
	pthread_mutex_lock(&o->mu);
	o->stop = true;
	o->stop_deadline_ms = now_ms() + OUT_STOP_WAIT_MS;
	pthread_cond_signal(&o->nonempty);
	pthread_mutex_unlock(&o->mu);
	pthread_join(o->thread, NULL);
	o->started = false;
}

void saker_rt_output_free_stats(struct saker_rt_output *o, struct saker_rt_output_stats *s)
{
	out_stop(o);
	saker_rt_output_stats(o, s);
	saker_rt_output_free(o);
}

void saker_rt_output_free(struct saker_rt_output *o)
{
	if (!o)
		return;
	out_stop(o);
	for (uint32_t i = 0; o->ring && i < o->count; i++)
		free(o->ring[(o->head + i) % o->cap].line);
	file_close(o);
	if (o->kind == SAKER_OUT_PROGRAM)
		prog_reap(o);
	else if (o->fd >= 0)
		close(o->fd);
	if (o->curl)
		saker_curl.easy_cleanup(o->curl);
	if (o->headers)
		saker_curl.slist_free_all(o->headers);
	pthread_cond_destroy(&o->nonempty);
	pthread_mutex_destroy(&o->mu);
	free(o->ring);
	free(o->buf);
	free(o->target);
	free(o->ca_cert);
	free(o->user_agent);
	free(o);
}
