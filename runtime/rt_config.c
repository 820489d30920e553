/* sakerd's configuration file: a YAML mapping read with libyaml against a table of keys, each
 * with its type and its place in struct saker_rt_config. Unknown keys, wrong types and bad values
 * are errors at their line and column, with a did-you-mean for misspelt keys. */
#include "rt_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "saker/bundle.h"

/* ---- values ------------------------------------------------------------------------------- */

enum ck_type {
	CK_MAP,       /* a nested mapping: SUB */
	CK_STR,       /* char * */
	CK_STR_EMPTY, /* char *, "" allowed (container_socket) and remembered in SET_OFF */
	CK_STRV,      /* a sequence of strings (or one string): char ** and the size_t after it */
	CK_BOOL,
	CK_PRIO,      /* int, enum saker_priority */
	CK_FORMAT,    /* int: text 0, json 1 */
	CK_SIZE,      /* uint32_t ring buffer size */
	CK_U32,       /* uint32_t, > 0 */
	CK_MS,        /* int milliseconds, > 0 */
	CK_NUM,       /* double >= 0 */
	CK_ADDR,      /* char * "HOST:PORT" */
	CK_RULES,     /* the rule selection */
	CK_NEGBOOL,   /* bool stored negated (json_include_*: true is the default) */
};

struct ck {
	const char *key;
	enum ck_type type;
	size_t off;            /* in struct saker_rt_config */
	const struct ck *sub;  /* CK_MAP */
	size_t set_off;        /* CK_STR_EMPTY: bool set when the key is present */
};

#define OFF(f) offsetof(struct saker_rt_config, f)
#define OUT_KEYS(K, TARGET_KEY)                                                              \
	{ "enabled", CK_BOOL, OFF(out[SAKER_OUT_##K].enabled), NULL, 0 },                    \
	{ "format", CK_FORMAT, OFF(out[SAKER_OUT_##K].format), NULL, 0 },                    \
	{ "queue_capacity", CK_U32, OFF(out[SAKER_OUT_##K].queue), NULL, 0 },                \
	{ TARGET_KEY, CK_STR, OFF(out[SAKER_OUT_##K].target), NULL, 0 }

static const struct ck k_stdout[] = {
	{ "enabled", CK_BOOL, OFF(out[SAKER_OUT_STDOUT].enabled), NULL, 0 },
	{ "format", CK_FORMAT, OFF(out[SAKER_OUT_STDOUT].format), NULL, 0 },
	{ "queue_capacity", CK_U32, OFF(out[SAKER_OUT_STDOUT].queue), NULL, 0 },
	{ NULL, 0, 0, NULL, 0 },
};
static const struct ck k_file[] = { OUT_KEYS(FILE, "filename"), { NULL, 0, 0, NULL, 0 } };
static const struct ck k_syslog[] = { OUT_KEYS(SYSLOG, "socket"), { NULL, 0, 0, NULL, 0 } };
static const struct ck k_program[] = { OUT_KEYS(PROGRAM, "program"), { NULL, 0, 0, NULL, 0 } };
static const struct ck k_http[] = {
	OUT_KEYS(HTTP, "url"),
	{ "insecure", CK_BOOL, OFF(out[SAKER_OUT_HTTP].insecure), NULL, 0 },
	{ "ca_cert", CK_STR, OFF(out[SAKER_OUT_HTTP].ca_cert), NULL, 0 },
	{ "user_agent", CK_STR, OFF(out[SAKER_OUT_HTTP].user_agent), NULL, 0 },
	{ "timeout_ms", CK_MS, OFF(out[SAKER_OUT_HTTP].timeout_ms), NULL, 0 },
	{ NULL, 0, 0, NULL, 0 },
};
static const struct ck k_rate[] = {
	{ "rate", CK_NUM, OFF(rate), NULL, 0 },
	{ "max_burst", CK_NUM, OFF(burst), NULL, 0 },
	{ NULL, 0, 0, NULL, 0 },
};
static const struct ck k_queue[] = {
	{ "capacity", CK_U32, OFF(queue), NULL, 0 },
	{ NULL, 0, 0, NULL, 0 },
};
static const struct ck k_metrics[] = {
	{ "enabled", CK_BOOL, OFF(metrics_enabled), NULL, 0 },
	{ "address", CK_ADDR, OFF(metrics_addr), NULL, 0 },
	{ NULL, 0, 0, NULL, 0 },
};
static const struct ck k_health[] = {
	{ "events_within_s", CK_NUM, OFF(health_window_s), NULL, 0 },
	{ NULL, 0, 0, NULL, 0 },
};
static const struct ck k_top[] = {
	{ "bundles", CK_STRV, OFF(bundles), NULL, 0 },
	{ "priority", CK_PRIO, OFF(min_priority), NULL, 0 },
	{ "rules", CK_RULES, 0, NULL, 0 },
	{ "json_output", CK_BOOL, OFF(json_output), NULL, 0 },
	{ "json_include_output_property", CK_NEGBOOL, OFF(json_omit_output), NULL, 0 },
	{ "json_include_output_fields_property", CK_NEGBOOL, OFF(json_omit_output_fields), NULL, 0 },
	{ "json_include_tags_property", CK_NEGBOOL, OFF(json_omit_tags), NULL, 0 },
	{ "json_include_message_property", CK_BOOL, OFF(json_message), NULL, 0 },
	{ "ring_buffer_size", CK_SIZE, OFF(ring_bytes), NULL, 0 },
	{ "rate_limit", CK_MAP, 0, k_rate, 0 },
	{ "outputs_queue", CK_MAP, 0, k_queue, 0 },
	{ "stdout_output", CK_MAP, 0, k_stdout, 0 },
	{ "file_output", CK_MAP, 0, k_file, 0 },
	{ "syslog_output", CK_MAP, 0, k_syslog, 0 },
	{ "program_output", CK_MAP, 0, k_program, 0 },
	{ "http_output", CK_MAP, 0, k_http, 0 },
	{ "metrics", CK_MAP, 0, k_metrics, 0 },
	{ "health", CK_MAP, 0, k_health, 0 },
	{ "stats_file", CK_STR, OFF(stats_file), NULL, 0 },
	{ "container_socket", CK_STR_EMPTY, OFF(container_socket), NULL, OFF(container_socket_set) },
	{ "trusted_keys", CK_STRV, OFF(trusted_keys), NULL, 0 },
	{ "user", CK_STR, OFF(user), NULL, 0 },
	{ "enforce", CK_NEGBOOL, OFF(enforce_off), NULL, 0 },
	{ "deny_as_alert", CK_BOOL, OFF(deny_as_alert), NULL, 0 },
	{ "backend", CK_STR, OFF(backend), NULL, 0 },
	{ NULL, 0, 0, NULL, 0 },
};

int saker_rt_backend_parse(const char *name)
{
	if (!name || !strcmp(name, "auto"))
		return SAKER_RT_BACKEND_AUTO;
	if (!strcmp(name, "tracepoint"))
		return SAKER_RT_BACKEND_TRACEPOINT;
	if (!strcmp(name, "lsm"))
		return SAKER_RT_BACKEND_LSM;
	return -1;
}

void saker_rt_config_init(struct saker_rt_config *c)
{
	memset(c, 0, sizeof(*c));
	c->min_priority = SAKER_PRIO_DEBUG;
	c->burst = 1000;
	c->health_window_s = 60;
	c->out[SAKER_OUT_STDOUT].enabled = true;
	for (int k = 0; k < SAKER_OUT__COUNT; k++)
		c->out[k].format = -1;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void saker_rt_config_fini(struct saker_rt_config *c)
{
	strv_free(c->bundles, c->n_bundles);
	strv_free(c->trusted_keys, c->n_trusted_keys);
	for (size_t i = 0; i < c->n_select; i++)
		free(c->select[i].pattern);
	free(c->select);
	for (int k = 0; k < SAKER_OUT__COUNT; k++) {
		free(c->out[k].target);
		free(c->out[k].ca_cert);
		free(c->out[k].user_agent);
	}
	free(c->metrics_addr);
	free(c->stats_file);
	free(c->container_socket);
	free(c->user);
	free(c->backend);
	memset(c, 0, sizeof(*c));
}

int saker_rt_strv_add(char ***v, size_t *n, const char *s)
{
	char *copy = strdup(s);
	char **nv = copy ? realloc(*v, (*n + 1) * sizeof(**v)) : NULL;
	if (!nv) {
		free(copy);
		return -ENOMEM;
	}
	nv[(*n)++] = copy;
	*v = nv;
	return 0;
}

int saker_rt_parse_ring_size(const char *s, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'K': case 'k': v <<= 10; end++; break;
	case 'M': case 'm': v <<= 20; end++; break;
	case 'G': case 'g': v <<= 30; end++; break;
	}
	/* a few full records fit in 16 KiB; the kernel caps ring buffers below 4 GiB */
	if (*end || v < (16u << 10) || v > (1u << 30) || (v & (v - 1)))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* ---- the document ------------------------------------------------------------------------- */

struct cl {
	sk_diag *d;
	uint32_t file;
	const char *text;
	size_t len;
	uint32_t *char_off; /* libyaml counts characters: the byte offset of each */
	size_t n_chars;
	yaml_document_t *doc;
	struct saker_rt_config *c;
	int failed;
};

static uint32_t mark_off(const struct cl *l, yaml_mark_t m)
{
	return m.index < l->n_chars ? l->char_off[m.index] : (uint32_t)l->len;
}

static sk_span span_of(const struct cl *l, const yaml_node_t *n)
{
	uint32_t s = mark_off(l, n->start_mark), e = mark_off(l, n->end_mark);
	while (e > s && (l->text[e - 1] == '\n' || l->text[e - 1] == ' ' || l->text[e - 1] == '\r'))
		e--;
	return (sk_span){ l->file, s, e > s ? e - s : 1 };
}

#define CL_ERR(l, n, code, ...) \
	do { sk_error((l)->d, span_of(l, n), code, __VA_ARGS__); (l)->failed = 1; } while (0)

static yaml_node_t *node(const struct cl *l, yaml_node_item_t id)
{
	return yaml_document_get_node(l->doc, id);
}

static const char *scalar(struct cl *l, const yaml_node_t *n, const char *key)
{
	if (n->type != YAML_SCALAR_NODE) {
		CL_ERR(l, n, "bad-value", "'%s' must be a single value", key);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", NULL };
	for (int i = 0; yes[i]; i++)
		if (!strcasecmp(s, yes[i]))
			return *out = true, 0;
	for (int i = 0; no[i]; i++)
		if (!strcasecmp(s, no[i]))
			return *out = false, 0;
	return -1;
}

static int put_str(struct cl *l, char **dst, const char *s)
{
	char *copy = strdup(s);
	if (!copy) {
		l->failed = 1;
		return -ENOMEM;
	}
	free(*dst);
	*dst = copy;
	return 0;
}

static void load_strv(struct cl *l, const yaml_node_t *n, const char *key, char ***v, size_t *cnt)
{
	strv_free(*v, *cnt);
	*v = NULL;
	*cnt = 0;
	if (n->type == YAML_SCALAR_NODE) {
		if (n->data.scalar.length && saker_rt_strv_add(v, cnt, (const char *)n->data.scalar.value))
			l->failed = 1;
		return;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		CL_ERR(l, n, "bad-value", "'%s' must be a list of paths", key);
		return;
	}
	for (yaml_node_item_t *p = n->data.sequence.items.start; p < n->data.sequence.items.top; p++) {
		yaml_node_t *it = node(l, *p);
		const char *s = it ? scalar(l, it, key) : NULL;
		if (s && !*s)
			CL_ERR(l, it, "bad-value", "'%s': an empty path", key);
		else if (s && saker_rt_strv_add(v, cnt, s))
			l->failed = 1;
	}
}

static const char *const sel_keys[] = { "rule", "tag", NULL };

/* rules: [ { disable: { rule: NAME } }, { enable: { tag: TAG } }, ... ] */
static void load_rules(struct cl *l, const yaml_node_t *n)
{
	if (n->type != YAML_SEQUENCE_NODE) {
		CL_ERR(l, n, "bad-value",
		       "'rules' must be a list of '- enable: {rule: NAME}' or '- disable: {tag: TAG}' items");
		return;
	}
	for (yaml_node_item_t *p = n->data.sequence.items.start; p < n->data.sequence.items.top; p++) {
		yaml_node_t *it = node(l, *p);
		if (!it || it->type != YAML_MAPPING_NODE ||
		    it->data.mapping.pairs.top - it->data.mapping.pairs.start != 1) {
			CL_ERR(l, it ? it : n, "bad-value",
			       "a 'rules' item is one of 'enable:' or 'disable:'");
			continue;
		}
		yaml_node_pair_t *pair = it->data.mapping.pairs.start;
		yaml_node_t *k = node(l, pair->key), *v = node(l, pair->value);
		const char *verb = k ? scalar(l, k, "rules") : NULL;
		if (!verb || !v)
			continue;
		bool enable = !strcmp(verb, "enable");
		if (!enable && strcmp(verb, "disable")) {
			static const char *const verbs[] = { "enable", "disable" };
			CL_ERR(l, k, "unknown-key", "unknown key '%s' in a 'rules' item", verb);
			const char *fix = sk_nearest(verb, verbs, 2);
			if (fix)
				sk_note(l->d, span_of(l, k), "did you mean '%s'?", fix);
			continue;
		}
		if (v->type != YAML_MAPPING_NODE ||
		    v->data.mapping.pairs.top - v->data.mapping.pairs.start != 1) {
			CL_ERR(l, v, "bad-value", "'%s' takes one of 'rule: NAME' or 'tag: TAG'", verb);
			continue;
		}
		yaml_node_pair_t *q = v->data.mapping.pairs.start;
		yaml_node_t *sk = node(l, q->key), *sv = node(l, q->value);
		const char *what = sk ? scalar(l, sk, verb) : NULL;
		const char *pat = sv ? scalar(l, sv, verb) : NULL;
		if (!what || !pat)
			continue;
		bool by_tag = !strcmp(what, "tag");
		if (!by_tag && strcmp(what, "rule")) {
			CL_ERR(l, sk, "unknown-key", "unknown key '%s' under '%s'", what, verb);
			const char *fix = sk_nearest(what, sel_keys, 2);
			if (fix)
				sk_note(l->d, span_of(l, sk), "did you mean '%s'?", fix);
			continue;
		}
		if (!*pat) {
			CL_ERR(l, sv, "bad-value", "an empty %s pattern", what);
			continue;
		}
		struct saker_rt_select *s = realloc(l->c->select, (l->c->n_select + 1) * sizeof(*s));
		char *copy = strdup(pat);
		if (!s || !copy) {
			free(copy);
			if (s)
				l->c->select = s;
			l->failed = 1;
			return;
		}
		l->c->select = s;
		s[l->c->n_select++] = (struct saker_rt_select){ enable, by_tag, copy };
	}
}

static void load_value(struct cl *l, const struct ck *k, const yaml_node_t *v);

static void load_map(struct cl *l, const struct ck *keys, const yaml_node_t *m, const char *where)
{
	if (m->type != YAML_MAPPING_NODE) {
		if (m->type == YAML_SCALAR_NODE && !m->data.scalar.length && where)
			return; /* "file_output:" with nothing under it */
		CL_ERR(l, m, "bad-value", "%s%s%s must be a mapping of keys to values",
		       where ? "'" : "", where ? where : "the configuration", where ? "'" : "");
		return;
	}
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(l, p->key), *vn = node(l, p->value);
		if (!kn || !vn)
			continue;
		if (kn->type != YAML_SCALAR_NODE) {
			CL_ERR(l, kn, "bad-key", "keys must be names");
			continue;
		}
		const char *name = (const char *)kn->data.scalar.value;
		for (yaml_node_pair_t *q = m->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *k2 = node(l, q->key);
			if (k2 && k2->type == YAML_SCALAR_NODE &&
			    !strcmp((const char *)k2->data.scalar.value, name)) {
				CL_ERR(l, kn, "duplicate-key", "key '%s' appears twice", name);
				break;
			}
		}
		const struct ck *k = keys;
		while (k->key && strcmp(k->key, name))
			k++;
		if (!k->key) {
			const char *names[64];
			size_t n = 0;
			for (const struct ck *x = keys; x->key && n < 64; x++)
				names[n++] = x->key;
			if (where)
				CL_ERR(l, kn, "unknown-key", "unknown key '%s' in '%s'", name, where);
			else
				CL_ERR(l, kn, "unknown-key", "unknown key '%s'", name);
			const char *fix = sk_nearest(name, names, n);
			if (fix)
				sk_note(l->d, span_of(l, kn), "did you mean '%s'?", fix);
			continue;
		}
		load_value(l, k, vn);
	}
}

static void load_value(struct cl *l, const struct ck *k, const yaml_node_t *v)
{
	char *base = (char *)l->c;
	void *dst = base + k->off;
	const char *s;
	char *end;

	switch (k->type) {
	case CK_MAP:
		load_map(l, k->sub, v, k->key);
		return;
	case CK_RULES:
		load_rules(l, v);
		return;
	case CK_STRV: /* the count is the size_t right after the vector in the struct */
		load_strv(l, v, k->key, (char ***)dst, (size_t *)(base + k->off + sizeof(char **)));
		return;
	default:
		break;
	}
	if (!(s = scalar(l, v, k->key)))
		return;
	switch (k->type) {
	case CK_STR:
		if (!*s) {
			CL_ERR(l, v, "bad-value", "'%s' needs a value", k->key);
			return;
		}
		if (dst == base + OFF(backend) && saker_rt_backend_parse(s) < 0) {
			CL_ERR(l, v, "bad-value", "'%s' is not a back end (auto, tracepoint, lsm)", s);
			return;
		}
		put_str(l, (char **)dst, s);
		return;
	case CK_STR_EMPTY:
		put_str(l, (char **)dst, s);
		*(bool *)(base + k->set_off) = true;
		return;
	case CK_BOOL:
	case CK_NEGBOOL: {
		bool b;
		if (parse_bool(s, &b)) {
			CL_ERR(l, v, "bad-value", "'%s' must be true or false, not '%s'", k->key, s);
			return;
		}
		*(bool *)dst = k->type == CK_NEGBOOL ? !b : b;
		return;
	}
	case CK_PRIO: {
		int p = saker_priority_parse(s);
		if (p < 0) {
			CL_ERR(l, v, "bad-value",
			       "'%s' is not a priority (emergency, alert, critical, error, warning, notice, informational, debug)",
			       s);
			return;
		}
		*(int *)dst = p;
		return;
	}
	case CK_FORMAT:
		if (!strcmp(s, "text"))
			*(int *)dst = 0;
		else if (!strcmp(s, "json"))
			*(int *)dst = 1;
		else
			CL_ERR(l, v, "bad-value", "'format' is text or json, not '%s'", s);
		return;
	case CK_SIZE:
		if (saker_rt_parse_ring_size(s, (uint32_t *)dst))
			CL_ERR(l, v, "bad-value",
			       "'%s' needs a power of two from 16K to 1G (bytes, or with a K, M or G suffix), not '%s'",
			       k->key, s);
		return;
	case CK_U32:
	case CK_MS: {
		errno = 0;
		unsigned long long n = strtoull(s, &end, 10);
		if (errno || end == s || *end || *s == '-' || n == 0 || n > (k->type == CK_MS ? 3600000u : 100000000u)) {
			CL_ERR(l, v, "bad-value", "'%s' needs a positive whole number, not '%s'", k->key, s);
			return;
		}
		if (k->type == CK_MS)
			*(int *)dst = (int)n;
		else
			*(uint32_t *)dst = (uint32_t)n;
		return;
	}
	case CK_NUM: {
		errno = 0;
		double d = strtod(s, &end);
		if (errno || end == s || *end || !(d >= 0) || d > 1e9) {
			CL_ERR(l, v, "bad-value", "'%s' needs a number from 0 up, not '%s'", k->key, s);
			return;
		}
		*(double *)dst = d;
		return;
	}
	case CK_ADDR: {
		const char *colon = strrchr(s, ':');
		unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
		if (!colon || colon == s || !colon[1] || *end || port == 0 || port > 65535) {
			CL_ERR(l, v, "bad-value", "'%s' needs HOST:PORT (e.g. 127.0.0.1:9376), not '%s'",
			       k->key, s);
			return;
		}
		put_str(l, (char **)dst, s);
		return;
	}
	default:
		return;
	}
}

static void yaml_error(struct cl *l, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "cannot parse";
	uint32_t off = p->error == YAML_READER_ERROR
			       ? (p->problem_offset < l->len ? (uint32_t)p->problem_offset : (uint32_t)l->len)
			       : mark_off(l, p->problem_mark);
	sk_span at = { l->file, off, 1 };
	if (p->context)
		sk_error(l->d, at, "yaml", "invalid YAML: %s %s", problem, p->context);
	else
		sk_error(l->d, at, "yaml", "invalid YAML: %s", problem);
	l->failed = 1;
}

/* Semantic checks that need more than one key. */
static void check_whole(struct cl *l, const yaml_node_t *root)
{
	static const char *const target_key[SAKER_OUT__COUNT] = {
		[SAKER_OUT_FILE] = "filename", [SAKER_OUT_PROGRAM] = "program", [SAKER_OUT_HTTP] = "url",
	};
	static const char *const section[SAKER_OUT__COUNT] = {
		"stdout_output", "file_output", "syslog_output", "program_output", "http_output",
	};
	for (int k = 0; k < SAKER_OUT__COUNT; k++) {
		struct saker_rt_cfg_out *o = &l->c->out[k];
		if (!o->enabled || !target_key[k] || o->target)
			continue;
		/* point at the section that enables it */
		const yaml_node_t *at = root;
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
			yaml_node_t *kn = node(l, p->key);
			if (kn && kn->type == YAML_SCALAR_NODE &&
			    !strcmp((const char *)kn->data.scalar.value, section[k]))
				at = kn;
		}
		CL_ERR(l, at, "missing-key", "'%s' is enabled but has no '%s'", section[k], target_key[k]);
	}
}

int saker_rt_config_load_string(struct saker_rt_config *c, const char *name, const char *text,
				size_t len, sk_diag *d)
{
	struct cl l = { .d = d, .text = text, .len = len, .c = c };
	yaml_parser_t parser;

	if (len > UINT32_MAX - 1) {
		sk_error(d, (sk_span){ 0 }, "io", "%s: file too large", name);
		return -EFBIG;
	}
	l.file = sk_diag_add_file(d, name, text, len);
	l.char_off = sk_char_offsets(text, len, &l.n_chars);
	if (!l.char_off)
		return -ENOMEM;
	if (!yaml_parser_initialize(&parser)) {
		free(l.char_off);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	yaml_document_t doc;
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_error(&l, &parser);
	} else {
		l.doc = &doc;
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (root && !(root->type == YAML_SCALAR_NODE && !root->data.scalar.length)) {
			load_map(&l, k_top, root, NULL);
			if (root->type == YAML_MAPPING_NODE)
				check_whole(&l, root);
		}
		/* one document: a second one is most likely a mistake */
		yaml_document_t next;
		if (yaml_parser_load(&parser, &next)) {
			yaml_node_t *r2 = yaml_document_get_root_node(&next);
			if (r2)
				CL_ERR(&l, r2, "bad-document", "the configuration is one YAML document; this is a second one");
			yaml_document_delete(&next);
		}
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	free(l.char_off);
	return l.failed ? -1 : 0;
}

#define CL_MAX_SIZE (16u << 20) /* no configuration is near this; a bigger file is a mistake */

int saker_rt_config_load(struct saker_rt_config *c, const char *path, sk_diag *d)
{
	/* without blocking: a FIFO or a device is refused below, not waited on or read forever */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	FILE *f = NULL;
	struct stat st;
	char *text = NULL;
	size_t len = 0, cap = 0;
	int ret;

	if (fd < 0 || !(f = fdopen(fd, "rb"))) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		sk_error(d, (sk_span){ 0 }, "io", "%s: cannot open: %s", path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)CL_MAX_SIZE) {
		ret = fstat(fd, &st) < 0 ? -errno : !S_ISREG(st.st_mode) ? -EINVAL : -EFBIG;
		sk_error(d, (sk_span){ 0 }, "io", "%s: %s", path,
			 ret == -EFBIG ? "too large for a configuration (16 MiB at most)"
				       : ret == -EINVAL ? "not a regular file" : strerror(-ret));
		fclose(f);
		return ret;
	}
	for (;;) {
		if (len > CL_MAX_SIZE) {
			ret = -EFBIG;
			sk_error(d, (sk_span){ 0 }, "io", "%s: too large for a configuration (16 MiB at most)",
				 path);
			fclose(f);
			free(text);
			return ret;
		}
		if (len + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			char *p = realloc(text, cap);
			if (!p) {
				free(text);
				fclose(f);
				return -ENOMEM;
			}
			text = p;
		}
		size_t n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		ret = -EIO;
		sk_error(d, (sk_span){ 0 }, "io", "%s: cannot read", path);
	} else {
		ret = saker_rt_config_load_string(c, path, text, len, d);
	}
	fclose(f);
	free(text);
	return ret;
}
