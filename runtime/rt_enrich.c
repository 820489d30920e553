/* Enrichment that only user space can do: user and group names from the host's databases, and container
 * image and name from the container runtime's HTTP API over its unix socket. Both are cached,
 * and a container lookup is bounded by a short timeout so a slow or absent runtime never stalls
 * the event loop for long. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"

#define ENRICH_MAX_ENTRIES  1024   /* per cache; the cache is emptied when it fills */
#define USER_TTL_S          60     /* a user database can change under us */
#define CONTAINER_RETRY_S   2      /* a failed container lookup is retried after this */
#define HTTP_MAX_RESPONSE   (1 << 20)

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

struct container_entry {
	char id[SAKER_CID_LEN];
	char *image;     /* Config.Image, or NULL */
	char *name;      /* Name without the leading '/', or NULL */
	bool ok;         /* the runtime answered */
	time_t fetched;
};

struct saker_rt_enrich {
	char *socket;    /* NULL: never ask a container runtime */
	int timeout_ms;
	struct id_cache users, groups;
	struct container_entry containers[ENRICH_MAX_ENTRIES];
	size_t n_containers;
};

static time_t now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

int saker_rt_enrich_new(struct saker_rt_enrich **out, const char *sock, int timeout_ms)
{
	struct saker_rt_enrich *e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->timeout_ms = timeout_ms > 0 ? timeout_ms : 200;
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
			free(e);
			return -ENOMEM;
		}
	}
	*out = e;
	return 0;
}

static void clear_ids(struct id_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].name);
	c->n = 0;
}

static void clear_containers(struct saker_rt_enrich *e)
{
	for (size_t i = 0; i < e->n_containers; i++) {
		free(e->containers[i].image);
		free(e->containers[i].name);
	}
	e->n_containers = 0;
}

void saker_rt_enrich_free(struct saker_rt_enrich *e)
{
	if (!e)
		return;
	clear_ids(&e->users);
	clear_ids(&e->groups);
	clear_containers(e);
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

/* ---- a minimal JSON reader: enough to pick two strings out of a container's description --- */

static const char *js_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* P at '"': returns the position after the closing quote, or NULL. */
static const char *js_skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

static const char *js_skip_value(const char *p, const char *end, int depth)
{
	p = js_ws(p, end);
	if (p >= end || depth > 64)
		return NULL;
	if (*p == '"')
		return js_skip_string(p, end);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		p = js_ws(p + 1, end);
		if (p < end && *p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				if (p >= end || *p != '"' || !(p = js_skip_string(p, end)))
					return NULL;
				p = js_ws(p, end);
				if (p >= end || *p != ':')
					return NULL;
				p++;
			}
			if (!(p = js_skip_value(p, end, depth + 1)))
				return NULL;
			p = js_ws(p, end);
			if (p >= end)
				return NULL;
			if (*p == close)
				return p + 1;
			if (*p != ',')
				return NULL;
			p = js_ws(p + 1, end);
		}
	}
	/* number, true, false, null */
	const char *start = p;
	while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' &&
	       *p != '\r' && *p != '\t')
		p++;
	return p > start ? p : NULL;
}

/* In the object at P, the value of member KEY (not unescaped: keys here are plain), or NULL. */
static const char *js_member(const char *p, const char *end, const char *key)
{
	size_t klen = strlen(key);
	p = js_ws(p, end);
	if (p >= end || *p != '{')
		return NULL;
	p = js_ws(p + 1, end);
	while (p < end && *p == '"') {
		const char *kend = js_skip_string(p, end);
		if (!kend)
			return NULL;
		bool match = (size_t)(kend - p - 2) == klen && !memcmp(p + 1, key, klen);
		p = js_ws(kend, end);
		if (p >= end || *p != ':')
			return NULL;
		p = js_ws(p + 1, end);
		if (match)
			return p;
		if (!(p = js_skip_value(p, end, 0)))
			return NULL;
		p = js_ws(p, end);
		if (p < end && *p == ',')
			p = js_ws(p + 1, end);
		else
			break;
	}
	return NULL;
}

/* The JSON string at P, unescaped into a new string (\u escapes outside ASCII become '?'). */
static char *js_string(const char *p, const char *end)
{
	if (!p || p >= end || *p != '"')
		return NULL;
	const char *q = js_skip_string(p, end);
	if (!q)
		return NULL;
	char *s = malloc((size_t)(q - p)), *o = s;
	if (!s)
		return NULL;
	for (p++; p < q - 1; p++) {
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		p++;
		switch (*p) {
		case 'n': *o++ = '\n'; break;
		case 't': *o++ = '\t'; break;
		case 'r': *o++ = '\r'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'u': {
			unsigned cp = 0;
			int k;
			for (k = 1; k <= 4 && p + k < q - 1; k++) {
				char c = p[k];
				cp = cp * 16 + (unsigned)(c >= '0' && c <= '9' ? c - '0'
						 : c >= 'a' && c <= 'f' ? c - 'a' + 10
						 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0);
			}
			p += k - 1;
			*o++ = cp && cp < 0x80 ? (char)cp : '?';
			break;
		}
		default: *o++ = *p; break;
		}
	}
	*o = 0;
	return s;
}

/* ---- the container runtime's API ---------------------------------------------------------- */

static int remaining_ms(const struct timespec *deadline)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* GET PATH over the unix socket; on a 200 answer returns the body (malloc'd, *LEN bytes). */
static char *http_get(const char *sock_path, const char *path, int timeout_ms, size_t *len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timespec deadline;
	char *buf = NULL, *body = NULL;
	size_t n = 0;
	int fd = -1;

	if (strlen(sock_path) >= sizeof(sa.sun_path))
		return NULL;
	strcpy(sa.sun_path, sock_path);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto cleanup;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno != EINPROGRESS && errno != EAGAIN)
			goto cleanup;
		struct pollfd pf = { .fd = fd, .events = POLLOUT };
		int err = 0;
		socklen_t el = sizeof(err);
		if (poll(&pf, 1, remaining_ms(&deadline)) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err)
			goto cleanup;
	}
	/* HTTP/1.0: the server closes the connection after the body, and never chunks it. */
	char req[256];
	int rl = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n", path);
	if (rl < 0 || (size_t)rl >= sizeof(req))
		goto cleanup;
	for (int off = 0; off < rl;) {
		ssize_t w = send(fd, req + off, (size_t)(rl - off), MSG_NOSIGNAL);
		if (w < 0) {
			if (errno != EAGAIN)
				goto cleanup;
			struct pollfd pf = { .fd = fd, .events = POLLOUT };
			if (poll(&pf, 1, remaining_ms(&deadline)) != 1)
				goto cleanup;
			continue;
		}
		off += (int)w;
	}
	size_t cap = 8192;
	buf = malloc(cap + 1);
	if (!buf)
		goto cleanup;
	for (;;) {
		if (n == cap) {
			if (cap >= HTTP_MAX_RESPONSE)
				goto cleanup;
			char *nb = realloc(buf, cap * 2 + 1);
			if (!nb)
				goto cleanup;
			buf = nb;
			cap *= 2;
		}
		ssize_t r = recv(fd, buf + n, cap - n, 0);
		if (r > 0) {
			n += (size_t)r;
			continue;
		}
		if (r == 0)
			break;
		if (errno != EAGAIN && errno != EINTR)
			goto cleanup;
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		if (poll(&pf, 1, remaining_ms(&deadline)) != 1)
			goto cleanup;
	}
	buf[n] = 0;
	if (strncmp(buf, "HTTP/1.", 7) || n < 12 || strncmp(buf + 8, " 200", 4))
		goto cleanup;
	char *sep = strstr(buf, "\r\n\r\n");
	if (!sep)
		goto cleanup;
	sep += 4;
	*len = n - (size_t)(sep - buf);
	body = malloc(*len + 1);
	if (body) {
		memcpy(body, sep, *len);
		body[*len] = 0;
	}
cleanup:
	if (fd >= 0)
		close(fd);
	free(buf);
	return body;
}

static void fetch_container(struct saker_rt_enrich *e, struct container_entry *c)
{
	char path[64];
	size_t len = 0;
	free(c->image);
	free(c->name);
	c->image = c->name = NULL;
	c->ok = false;
	c->fetched = now_s();
	if (!e->socket)
		return;
	/* Container ids are hex; anything else must not reach the request line. */
	for (const char *p = c->id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return;
	snprintf(path, sizeof(path), "/containers/%s/json", c->id);
	char *body = http_get(e->socket, path, e->timeout_ms, &len);
	if (!body)
		return;
	const char *end = body + len;
	c->image = js_string(js_member(js_member(body, end, "Config"), end, "Image"), end);
	char *name = js_string(js_member(body, end, "Name"), end);
	if (name && name[0] == '/')
		memmove(name, name + 1, strlen(name));
	c->name = name;
	c->ok = true;
	free(body);
}

void saker_rt_container_info(struct saker_rt_enrich *e, const char *id, const char **image,
			     const char **name)
{
	struct container_entry *c = NULL;
	for (size_t i = 0; i < e->n_containers && !c; i++)
		if (!strcmp(e->containers[i].id, id))
			c = &e->containers[i];
	if (c) {
		if (!c->ok && now_s() - c->fetched >= CONTAINER_RETRY_S)
			fetch_container(e, c);
	} else {
		if (e->n_containers == ENRICH_MAX_ENTRIES)
			clear_containers(e);
		c = &e->containers[e->n_containers++];
		memset(c, 0, sizeof(*c));
		snprintf(c->id, sizeof(c->id), "%s", id);
		fetch_container(e, c);
	}
	*image = c->image;
	*name = c->name;
}
