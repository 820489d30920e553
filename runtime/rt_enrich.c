/* Enrichment that only user space can do: user and group names from the host's databases, and
 * what the container runtime knows about a container (name, image, privileged, start time), asked
 * of its HTTP API over its unix socket with libcurl and read with jansson.
 *
 * The container lookups never stall the event loop: one worker thread owns the HTTP side (curl's
 * multi interface, several requests at once), the loop only reads a cache under a mutex. The first
 * alert of a container not seen before may wait a bounded time for its answer, and only while the
 * runtime answers in time; otherwise the fields are <NA> and a counter says so. */
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "rt_curl.h"

#include "rt.h"
#include "saker/json.h"

#define ENRICH_MAX_ENTRIES  1024   /* per cache; the cache is emptied when it fills */
#define USER_TTL_S          60     /* a user database can change under us */
#define QUEUE_MAX           64     /* container ids waiting for the worker */
#define INFLIGHT_MAX        8      /* requests the worker has open at once */
#define HTTP_MAX_RESPONSE   (1 << 20)

/* ---- user and group names (the event loop's thread only) --------------------------------- */

struct user_entry {
	uint32_t uid;    /* a user id, or a group id in the group cache */
	char *name;      /* NULL: the database has no such id */
	time_t fetched;
};

/* Names of user or group ids, one database each. */
struct id_cache {
	struct user_entry v[ENRICH_MAX_ENTRIES];
	size_t n;
};

/* ---- containers (shared with the worker, under mu) --------------------------------------- */

enum c_state {
	C_PENDING,  /* queued or being asked */
	C_OK,       /* the runtime answered: info is set, and stays as long as the entry */
	C_UNKNOWN,  /* HTTP 404: the runtime does not know this id */
	C_FAILED,   /* no usable answer: asked again after retry_ms */
};

struct c_entry {
	char id[SAKER_CID_LEN];
	enum c_state state;
	struct saker_rt_container *info; /* immutable once published */
	int64_t done_ms;                 /* when the last answer (or failure) came */
};

enum c_api { API_AUTO, API_LIBPOD, API_DOCKER };

/* One HTTP exchange of the worker. */
struct xfer {
	CURL *h;
	bool probe;              /* GET /_ping, to learn which API the socket speaks */
	char id[SAKER_CID_LEN];
	int64_t queued_ms;       /* when the loop asked, to tell a slow answer from a quick one */
	char *body;
	size_t len;
	bool too_long;
	bool libpod;             /* the reply named a libpod API version */
	char url[128];
};

struct saker_rt_enrich {
	/* configuration, fixed after new */
	char *socket;            /* NULL: never ask a container runtime */
	int wait_ms, timeout_ms, retry_ms;
	enum c_api api_forced;

	struct id_cache users, groups;

	pthread_mutex_t mu;
	pthread_cond_t answered; /* broadcast when an entry leaves C_PENDING */
	struct c_entry *entries; /* ENRICH_MAX_ENTRIES of them */
	size_t n_entries;
	char queue[QUEUE_MAX][SAKER_CID_LEN];
	int64_t queue_ms[QUEUE_MAX];
	size_t q_head, q_len;
	bool stop;
	bool responsive;         /* the runtime's last answer came in time: worth waiting for */
	struct saker_rt_enrich_stats st;

	/* the worker's own */
	bool started;
	bool said_no_curl; /* libcurl could not be loaded, and stderr was told */
	pthread_t thread;
	CURLM *multi;
	enum c_api api;          /* learnt from /_ping when API_AUTO */
	bool probing;
	struct xfer *inflight[INFLIGHT_MAX];
	size_t n_inflight;
};

static time_t now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void container_free(struct saker_rt_container *c)
{
	if (!c)
		return;
	free(c->name);
	free(c->image);
	free(c->repository);
	free(c->tag);
	free(c->image_id);
	for (size_t i = 0; i < c->n_labels; i++) {
		free(c->label_keys[i]);
		free(c->label_values[i]);
	}
	free(c->label_keys);
	free(c->label_values);
	free(c);
}

const char *saker_rt_container_label(const struct saker_rt_container *c, const char *key)
{
	for (size_t i = 0; c && i < c->n_labels; i++)
		if (!strcmp(c->label_keys[i], key))
			return c->label_values[i];
	return NULL;
}

/* C's labels from the object LABELS (Config.Labels: string values; others are left out). */
static void read_labels(struct saker_rt_container *c, json_t *labels)
{
	size_t n = json_is_object(labels) ? json_object_size(labels) : 0, k = 0;
	const char *key;
	json_t *val;
	if (!n)
		return;
	c->label_keys = calloc(n, sizeof(*c->label_keys));
	c->label_values = calloc(n, sizeof(*c->label_values));
	if (!c->label_keys || !c->label_values)
		return; /* freed with C; no label is known */
	json_object_foreach(labels, key, val) {
		const char *v = json_string_value(val);
		if (!v || k == n)
			continue;
		c->label_keys[k] = strdup(key);
		c->label_values[k] = strdup(v);
		if (!c->label_keys[k] || !c->label_values[k]) {
			free(c->label_keys[k]);
			free(c->label_values[k]);
			continue;
		}
		k++;
	}
	c->n_labels = k;
}

int saker_rt_enrich_new_opts(struct saker_rt_enrich **out, const struct saker_rt_enrich_opts *o)
{
	struct saker_rt_enrich *e = calloc(1, sizeof(*e));
	const char *sock = o->socket, *api = o->api;
	pthread_condattr_t ca;

	if (!e)
		return -ENOMEM;
	e->entries = calloc(ENRICH_MAX_ENTRIES, sizeof(*e->entries));
	if (!e->entries) {
		free(e);
		return -ENOMEM;
	}
	e->wait_ms = o->wait_ms >= 0 ? o->wait_ms : 300;
	e->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 3000;
	e->retry_ms = o->retry_ms > 0 ? o->retry_ms : 2000;
	e->responsive = true;
	if (!api)
		api = getenv("SAKER_CONTAINER_API");
	e->api_forced = api && !strcmp(api, "libpod") ? API_LIBPOD
			: api && !strcmp(api, "docker") ? API_DOCKER : API_AUTO;
	if (!sock) {
		sock = getenv("SAKER_CONTAINER_SOCKET");
		if (!sock) {
			static const char *const known[] = { "/run/podman/podman.sock",
							     "/var/run/docker.sock" };
			for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && !sock; i++)
				if (access(known[i], F_OK) == 0)
					sock = known[i];
		}
	}
	if (sock && sock[0]) {
		e->socket = strdup(sock);
		if (!e->socket) {
			free(e->entries);
			free(e);
			return -ENOMEM;
		}
	}
	/* Waits are measured on the monotonic clock: a change of the wall clock moves none. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&e->answered, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&e->mu, NULL);
	*out = e;
	return 0;
}

int saker_rt_enrich_new(struct saker_rt_enrich **out, const char *sock, int wait_ms)
{
	struct saker_rt_enrich_opts o = { .socket = sock, .wait_ms = wait_ms > 0 ? wait_ms : -1 };
	return saker_rt_enrich_new_opts(out, &o);
}

static void clear_ids(struct id_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].name);
	c->n = 0;
}

static void xfer_free(struct xfer *x)
{
	if (!x)
		return;
	if (x->h)
		saker_curl.easy_cleanup(x->h);
	free(x->body);
	free(x);
}

void saker_rt_enrich_free(struct saker_rt_enrich *e)
{
	if (!e)
		return;
	if (e->started) {
		pthread_mutex_lock(&e->mu);
		e->stop = true;
		pthread_mutex_unlock(&e->mu);
		/* Wakes curl_multi_poll at once, even with a request hanging on a silent runtime. */
		saker_curl.multi_wakeup(e->multi);
		pthread_join(e->thread, NULL);
	}
	for (size_t i = 0; i < e->n_inflight; i++) {
		saker_curl.multi_remove_handle(e->multi, e->inflight[i]->h);
		xfer_free(e->inflight[i]);
	}
	if (e->multi)
		saker_curl.multi_cleanup(e->multi);
	clear_ids(&e->users);
	clear_ids(&e->groups);
	for (size_t i = 0; i < e->n_entries; i++)
		container_free(e->entries[i].info);
	free(e->entries);
	pthread_cond_destroy(&e->answered);
	pthread_mutex_destroy(&e->mu);
	free(e->socket);
	free(e);
}

/* Name of ID in the password (GROUP false) or group database, malloc'd, or NULL. */
static char *lookup_id(uint32_t id, bool group)
{
	struct passwd pw, *pres = NULL;
	struct group gr, *gres = NULL;
	size_t size = 1024;
	char *buf = NULL, *name = NULL;
	for (;;) {
		char *nb = realloc(buf, size);
		if (!nb)
			break;
		buf = nb;
		int rc = group ? getgrgid_r((gid_t)id, &gr, buf, size, &gres)
			       : getpwuid_r((uid_t)id, &pw, buf, size, &pres);
		if (rc == ERANGE && size < (1 << 20)) {
			size *= 2;
			continue;
		}
		if (rc == 0 && pres && pres->pw_name)
			name = strdup(pres->pw_name);
		else if (rc == 0 && gres && gres->gr_name)
			name = strdup(gres->gr_name);
		break;
	}
	free(buf);
	return name;
}

static const char *id_name(struct id_cache *c, uint32_t id, bool group)
{
	time_t now = now_s();
	for (size_t i = 0; i < c->n; i++) {
		struct user_entry *u = &c->v[i];
		if (u->uid != id)
			continue;
		if (now - u->fetched >= USER_TTL_S) {
			free(u->name);
			u->name = lookup_id(id, group);
			u->fetched = now;
		}
		return u->name;
	}
	if (c->n == ENRICH_MAX_ENTRIES)
		clear_ids(c);
	struct user_entry *u = &c->v[c->n++];
	u->uid = id;
	u->name = lookup_id(id, group);
	u->fetched = now;
	return u->name;
}

const char *saker_rt_user_name(struct saker_rt_enrich *e, uint32_t uid)
{
	return id_name(&e->users, uid, false);
}

const char *saker_rt_group_name(struct saker_rt_enrich *e, uint32_t gid)
{
	return id_name(&e->groups, gid, true);
}

/* ---- the runtime's reply ------------------------------------------------------------------ */

/* ROOT's member K1, or K1's member K2 when K2 is not NULL; NULL when absent. */
static json_t *member(json_t *root, const char *k1, const char *k2)
{
	json_t *v = json_object_get(root, k1);
	return k2 ? json_object_get(v, k2) : v;
}

static char *dup_string(json_t *v)
{
	const char *s = json_string_value(v);
	return s && s[0] ? strdup(s) : NULL;
}

/* An RFC 3339 time as the runtimes write it ("2024-06-18T14:02:31.123456789Z", or with an offset
 * "+02:00") in nanoseconds since the epoch; false for anything else or a time before 1970 (an
 * unstarted container says 0001-01-01). */
static bool parse_rfc3339(const char *s, uint64_t *ns)
{
	int y, mo, d, h, mi, sec, n = 0;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return false;
	const char *p = s + n;
	uint64_t frac = 0;
	int digits = 0;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				frac = frac * 10 + (uint64_t)(*p - '0');
		if (!digits)
			return false;
	}
	for (; digits < 9; digits++)
		frac *= 10;
	long off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om, k = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || k != 5)
			return false;
		off = (oh * 60L + om) * 60L * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return false;
	}
	if (*p || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
			 .tm_min = mi, .tm_sec = sec };
	time_t t = timegm(&tm);
	if (t == (time_t)-1 || t - off < 0)
		return false;
	*ns = (uint64_t)(t - off) * 1000000000ull + frac;
	return true;
}

/* Splits the image reference "registry[:port]/repo[:tag][@digest]" into repository and tag. A
 * reference that names neither a tag nor a digest means ":latest", as the runtimes read it. */
static void split_image(struct saker_rt_container *c)
{
	if (!c->image)
		return;
	char *repo = strdup(c->image);
	if (!repo)
		return;
	char *at = strchr(repo, '@');
	if (at)
		*at = 0;
	char *slash = strrchr(repo, '/');
	char *colon = strrchr(slash ? slash : repo, ':');
	if (colon) {
		*colon = 0;
		c->tag = strdup(colon + 1);
	} else if (!at) {
		c->tag = strdup("latest");
	}
	c->repository = repo;
}

/* The container description BODY, as the libpod API (LIBPOD) or the Docker-compatible one writes
 * it. NULL when it is not a JSON object. */
static struct saker_rt_container *parse_reply(const char *body, size_t len, bool libpod)
{
	json_error_t jerr;
	json_t *root = json_loadb(body, len, 0, &jerr);
	struct saker_rt_container *c = NULL;
	if (!json_is_object(root))
		goto cleanup;
	c = calloc(1, sizeof(*c));
	if (!c)
		goto cleanup;
	c->type = libpod ? "podman" : "docker";
	/* Docker writes "/name"; libpod writes "name". */
	const char *name = json_string_value(member(root, "Name", NULL));
	if (name && name[0])
		c->name = strdup(name[0] == '/' && name[1] ? name + 1 : name);
	/* The image as the container was created from it: libpod's ImageName, Docker's
	 * Config.Image; each API has the other's field too, on some versions. */
	c->image = dup_string(member(root, libpod ? "ImageName" : "Config", libpod ? NULL : "Image"));
	if (!c->image)
		c->image = dup_string(member(root, libpod ? "Config" : "ImageName", libpod ? "Image" : NULL));
	split_image(c);
	/* The image id: "sha256:<hex>" (Docker) or "<hex>" (libpod), shown as 12 hex digits. */
	const char *iid = json_string_value(member(root, "Image", NULL));
	if (iid && !strncmp(iid, "sha256:", 7))
		iid += 7;
	if (iid && strlen(iid) >= 12 && strspn(iid, "0123456789abcdef") >= 12)
		c->image_id = strndup(iid, 12);
	json_t *priv = member(root, "HostConfig", "Privileged");
	if (json_is_boolean(priv)) {
		c->has_privileged = true;
		c->privileged = json_is_true(priv);
	}
	/* both APIs: Config.Labels (Kubernetes' CRI puts io.kubernetes.pod.* there) */
	read_labels(c, member(root, "Config", "Labels"));
	c->has_start_ts = parse_rfc3339(json_string_value(member(root, "State", "StartedAt")),
					&c->start_ts_ns);
cleanup:
	json_decref(root);
	return c;
}

/* ---- the worker --------------------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;
	size_t add = size * n;
	if (x->len + add > HTTP_MAX_RESPONSE) {
		x->too_long = true;
		return 0; /* curl stops the transfer */
	}
	char *b = realloc(x->body, x->len + add + 1);
	if (!b)
		return 0;
	memcpy(b + x->len, data, add);
	x->body = b;
	x->len += add;
	b[x->len] = 0;
	return add;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;
	static const char h[] = "Libpod-Api-Version:";
	if (size * n >= sizeof(h) - 1 && !strncasecmp(data, h, sizeof(h) - 1))
		x->libpod = true;
	return size * n;
}

static int start_xfer(struct saker_rt_enrich *e, struct xfer *x)
{
	if (x->probe)
		snprintf(x->url, sizeof(x->url), "http://localhost/_ping");
	else if (e->api == API_LIBPOD)
		snprintf(x->url, sizeof(x->url), "http://localhost/v4.0.0/libpod/containers/%s/json", x->id);
	else
		snprintf(x->url, sizeof(x->url), "http://localhost/containers/%s/json", x->id);
	x->h = saker_curl.easy_init();
	if (!x->h)
		return -ENOMEM;
	CURL *h = x->h;
	saker_curl.easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, e->socket);
	saker_curl.easy_setopt(h, CURLOPT_URL, x->url);
	saker_curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
	saker_curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* a thread must not use alarm() */
	saker_curl.easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)e->timeout_ms);
	saker_curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)e->timeout_ms);
	saker_curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	saker_curl.easy_setopt(h, CURLOPT_WRITEDATA, x);
	saker_curl.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	saker_curl.easy_setopt(h, CURLOPT_HEADERDATA, x);
	saker_curl.easy_setopt(h, CURLOPT_PRIVATE, x);
	if (saker_curl.multi_add_handle(e->multi, h) != CURLM_OK)
		return -ENOMEM;
	e->inflight[e->n_inflight++] = x;
	return 0;
}

static struct c_entry *find_entry(struct saker_rt_enrich *e, const char *id)
{
	for (size_t i = 0; i < e->n_entries; i++)
		if (!strcmp(e->entries[i].id, id))
			return &e->entries[i];
	return NULL;
}

/* Under mu: the answer for ID. The entry may be gone (evicted while the worker asked). */
static void publish(struct saker_rt_enrich *e, const char *id, enum c_state state,
		    struct saker_rt_container *info)
{
	struct c_entry *c = find_entry(e, id);
	if (c && c->state == C_PENDING) {
		c->state = state;
		c->info = info;
		c->done_ms = now_ms();
		info = NULL;
	}
	container_free(info);
	pthread_cond_broadcast(&e->answered);
}

/* A finished transfer X with curl result RES. */
static void finish_xfer(struct saker_rt_enrich *e, struct xfer *x, CURLcode res)
{
	long status = 0;
	saker_curl.easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	const bool answered = res == CURLE_OK && status > 0;
	if (x->probe) {
		pthread_mutex_lock(&e->mu);
		e->probing = false;
		if (answered) {
			e->api = x->libpod ? API_LIBPOD : API_DOCKER;
		} else {
			/* Nothing answers on the socket: whatever waits for the API fails now. */
			e->responsive = false;
			e->st.failed += e->q_len;
			while (e->q_len) {
				publish(e, e->queue[e->q_head], C_FAILED, NULL);
				e->q_head = (e->q_head + 1) % QUEUE_MAX;
				e->q_len--;
			}
		}
		pthread_mutex_unlock(&e->mu);
		return;
	}
	struct saker_rt_container *info = NULL;
	enum c_state state = C_FAILED;
	if (answered && status == 200)
		info = parse_reply(x->body ? x->body : "", x->len, e->api == API_LIBPOD);
	if (info)
		state = C_OK;
	else if (answered && status == 404)
		state = C_UNKNOWN;
	pthread_mutex_lock(&e->mu);
	if (state == C_OK)
		e->st.answered++;
	else if (state == C_UNKNOWN)
		e->st.unknown++;
	else
		e->st.failed++;
	/* Worth waiting for next time only if it answered, and within the wait. */
	e->responsive = answered && now_ms() - x->queued_ms <= e->wait_ms;
	publish(e, x->id, state, info);
	pthread_mutex_unlock(&e->mu);
}

static void *worker(void *arg)
{
	struct saker_rt_enrich *e = arg;
	for (;;) {
		/* Take what the loop queued, as far as there is room. */
		struct xfer *start[INFLIGHT_MAX];
		size_t n_start = 0;
		pthread_mutex_lock(&e->mu);
		if (e->stop) {
			pthread_mutex_unlock(&e->mu);
			break;
		}
		if (e->api == API_AUTO && e->q_len && !e->probing && e->n_inflight < INFLIGHT_MAX) {
			struct xfer *x = calloc(1, sizeof(*x));
			if (x) {
				x->probe = true;
				e->probing = true;
				start[n_start++] = x;
			}
		}
		while (e->api != API_AUTO && e->q_len && e->n_inflight + n_start < INFLIGHT_MAX) {
			struct xfer *x = calloc(1, sizeof(*x));
			if (!x)
				break;
			memcpy(x->id, e->queue[e->q_head], SAKER_CID_LEN);
			x->queued_ms = e->queue_ms[e->q_head];
			e->q_head = (e->q_head + 1) % QUEUE_MAX;
			e->q_len--;
			e->st.requests++;
			start[n_start++] = x;
		}
		pthread_mutex_unlock(&e->mu);
		for (size_t i = 0; i < n_start; i++) {
			if (start_xfer(e, start[i]) == 0)
				continue;
			/* Could not even start: a failed lookup, asked again later. */
			pthread_mutex_lock(&e->mu);
			if (start[i]->probe)
				e->probing = false;
			else {
				e->st.failed++;
				publish(e, start[i]->id, C_FAILED, NULL);
			}
			pthread_mutex_unlock(&e->mu);
			if (start[i]->h)
				saker_curl.easy_cleanup(start[i]->h);
			free(start[i]->body);
			free(start[i]);
		}

		int running = 0;
		bool finished = false;
		saker_curl.multi_perform(e->multi, &running);
		CURLMsg *msg;
		int left;
		while ((msg = saker_curl.multi_info_read(e->multi, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			struct xfer *x = NULL;
			saker_curl.easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			CURLcode res = msg->data.result;
			saker_curl.multi_remove_handle(e->multi, msg->easy_handle);
			for (size_t i = 0; i < e->n_inflight; i++)
				if (e->inflight[i] == x) {
					e->inflight[i] = e->inflight[--e->n_inflight];
					break;
				}
			finish_xfer(e, x, res);
			xfer_free(x);
			finished = true;
		}
		/* Sleeps until a socket is ready, a timeout of curl's is due, or the loop wakes us
		 * (new work, or stop); not at all when a transfer just finished, since that may have
		 * made room for queued work or taught us the API it waited for. */
		saker_curl.multi_poll(e->multi, NULL, 0, finished ? 0 : 1000, NULL);
	}
	return NULL;
}

static int start_worker(struct saker_rt_enrich *e)
{
	char why[256];
	if (saker_curl_load(why, sizeof(why))) {
		/* said once: every lookup then gives <NA> and counts as failed */
		if (!e->said_no_curl)
			fprintf(stderr, "sakerd: container lookups are off: %s\n", why);
		e->said_no_curl = true;
		return -EIO;
	}
	e->multi = saker_curl.multi_init();
	if (!e->multi)
		return -ENOMEM;
	e->api = e->api_forced;
	/* Signals stay with the event loop's thread: the worker runs with all of them blocked. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int ret = pthread_create(&e->thread, NULL, worker, e);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		saker_curl.multi_cleanup(e->multi);
		e->multi = NULL;
		return -ret;
	}
	e->started = true;
	return 0;
}

/* ---- the event loop's side ---------------------------------------------------------------- */

/* Under mu: queues a request for C. False when it cannot be queued (full, or no worker). */
static bool ask(struct saker_rt_enrich *e, struct c_entry *c, int64_t now)
{
	if (!e->started && start_worker(e))
		return false;
	if (e->q_len == QUEUE_MAX)
		return false;
	size_t tail = (e->q_head + e->q_len) % QUEUE_MAX;
	memcpy(e->queue[tail], c->id, SAKER_CID_LEN);
	e->queue_ms[tail] = now;
	e->q_len++;
	c->state = C_PENDING;
	saker_curl.multi_wakeup(e->multi);
	return true;
}

const struct saker_rt_container *saker_rt_container_lookup(struct saker_rt_enrich *e, const char *id)
{
	const struct saker_rt_container *info = NULL;
	/* Container ids are hex (the kernel writes them); anything else must not reach a URL. */
	if (!id[0] || strlen(id) >= SAKER_CID_LEN || strspn(id, "0123456789abcdef") != strlen(id))
		return NULL;
	pthread_mutex_lock(&e->mu);
	if (!e->socket) {
		e->st.na++;
		goto out;
	}
	int64_t now = now_ms();
	struct c_entry *c = find_entry(e, id);
	bool asked = false;
	if (!c) {
		if (e->n_entries == ENRICH_MAX_ENTRIES) {
			/* Emptied whole: what the previous lookup returned was valid until this call. */
			for (size_t i = 0; i < e->n_entries; i++)
				container_free(e->entries[i].info);
			e->n_entries = 0;
		}
		c = &e->entries[e->n_entries++];
		memset(c, 0, sizeof(*c));
		snprintf(c->id, sizeof(c->id), "%s", id);
		c->state = C_FAILED;
		c->done_ms = now;
		asked = ask(e, c, now);
		if (!asked)
			e->st.failed++;
	} else if ((c->state == C_FAILED || c->state == C_UNKNOWN) && now - c->done_ms >= e->retry_ms) {
		asked = ask(e, c, now);
		if (!asked)
			c->done_ms = now;
	}
	if (asked && e->responsive && e->wait_ms > 0) {
		struct timespec deadline;
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += e->wait_ms / 1000;
		deadline.tv_nsec += (long)(e->wait_ms % 1000) * 1000000;
		if (deadline.tv_nsec >= 1000000000) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000;
		}
		/* C stays valid: only this thread adds or evicts entries. */
		while (c->state == C_PENDING &&
		       pthread_cond_timedwait(&e->answered, &e->mu, &deadline) != ETIMEDOUT)
			;
		if (c->state == C_PENDING) {
			e->st.waits_expired++;
			e->responsive = false; /* no more waiting until it answers in time again */
		}
	}
	if (c->state == C_OK)
		info = c->info;
	else
		e->st.na++;
out:
	pthread_mutex_unlock(&e->mu);
	return info;
}

void saker_rt_enrich_stats(struct saker_rt_enrich *e, struct saker_rt_enrich_stats *out)
{
	pthread_mutex_lock(&e->mu);
	*out = e->st;
	pthread_mutex_unlock(&e->mu);
}
