/* From a decoded event record to Falco's alert lines: the value of every field of fields.def,
 * the text line and the JSON object (falco/RULES-SCHEMA.md §7). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rt.h"
#include "saker/fields.h"
#include "saker/json.h"

/* ---- string builder ----------------------------------------------------------------------- */

static int str_reserve(struct saker_rt_str *s, size_t extra)
{
	if (s->err)
		return s->err;
	if (s->len + extra + 1 <= s->cap)
		return 0;
	size_t cap = s->cap ? s->cap : 256;
	while (cap < s->len + extra + 1)
		cap *= 2;
	char *p = realloc(s->p, cap);
	if (!p) {
		s->err = -ENOMEM;
		return s->err;
	}
	s->p = p;
	s->cap = cap;
	return 0;
}

void saker_rt_str_put(struct saker_rt_str *s, const char *data, size_t n)
{
	if (str_reserve(s, n))
		return;
	if (n)
		memcpy(s->p + s->len, data, n);
	s->len += n;
	s->p[s->len] = 0;
}

void saker_rt_str_puts(struct saker_rt_str *s, const char *z)
{
	saker_rt_str_put(s, z, strlen(z));
}

void saker_rt_str_printf(struct saker_rt_str *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || str_reserve(s, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(s->p + s->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s->len += (size_t)n;
}

/* Decimal digits of V, written backwards ending at END; returns where they start. Numbers are
 * most of what an alert holds besides strings, and vsnprintf twice per number (to measure, then
 * to write) was a visible share of the alert writer's time. */
static char *dec_u64(char *end, uint64_t v)
{
	char *p = end;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

static void str_u64(struct saker_rt_str *s, uint64_t v)
{
	char buf[24], *p = dec_u64(buf + sizeof(buf), v);
	saker_rt_str_put(s, p, (size_t)(buf + sizeof(buf) - p));
}

static void str_i64(struct saker_rt_str *s, int64_t v)
{
	char buf[24], *p = dec_u64(buf + sizeof(buf), v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
	if (v < 0)
		*--p = '-';
	saker_rt_str_put(s, p, (size_t)(buf + sizeof(buf) - p));
}

void saker_rt_str_json(struct saker_rt_str *s, const char *z, size_t n)
{
	const unsigned char *p = (const unsigned char *)z;
	size_t i = 0, run = 0; /* bytes [run, i) go out as they are, in one copy */
	while (i < n) {
		unsigned char c = p[i];
		if (c >= 0x20 && c != '"' && c != '\\') {
			size_t len = c < 0x80 ? 1 : saker_json_utf8_seq(p + i, n - i);
			if (len) {
				i += len;
				continue;
			}
		}
		saker_rt_str_put(s, z + run, i - run);
		const char *esc = NULL;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default: break;
		}
		if (esc)
			saker_rt_str_puts(s, esc);
		else if (c < 0x20)
			saker_rt_str_printf(s, "\\u%04x", c);
		else
			saker_rt_str_puts(s, "\xef\xbf\xbd"); /* U+FFFD for a byte that is not UTF-8 */
		run = ++i;
	}
	saker_rt_str_put(s, z + run, i - run);
}

void saker_rt_str_reset(struct saker_rt_str *s)
{
	s->len = 0;
	if (s->p)
		s->p[0] = 0;
}

void saker_rt_str_fini(struct saker_rt_str *s)
{
	free(s->p);
	memset(s, 0, sizeof(*s));
}

/* ---- records ------------------------------------------------------------------------------ */

uint64_t saker_rt_event_wall_ns(const struct saker_rt_render *r, const struct saker_event *ev)
{
	return (uint64_t)((int64_t)ev->h.ts_ns + r->boot_to_wall_ns);
}

/* ---- field values ------------------------------------------------------------------------- */

static void v_str(struct sk_field_value *v, const char *s)
{
	if (s) {
		v->kind = SK_VAL_STR;
		v->s = s;
		v->len = strlen(s);
	}
}

/* "HH:MM:SS.nnnnnnnnn" in local time, or the ISO 8601 UTC form with "+0000" or "Z". The part
 * down to the second is kept from the last call in the same second (per thread): alerts come in
 * bursts, and localtime_r takes a lock and reads the zone on each call. */
static void fmt_time(uint64_t ns, int iso, const char *zone, char *buf, size_t size)
{
	static __thread time_t last[2] = { -1, -1 };
	static __thread char prefix[2][64];
	time_t sec = (time_t)(ns / 1000000000ull);
	uint64_t frac = ns % 1000000000ull;
	int k = iso ? 1 : 0;
	if (sec != last[k]) {
		struct tm tm;
		if (iso) {
			gmtime_r(&sec, &tm);
			snprintf(prefix[k], sizeof(prefix[k]), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
				 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		} else {
			localtime_r(&sec, &tm);
			snprintf(prefix[k], sizeof(prefix[k]), "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
		}
		last[k] = sec;
	}
	char digits[10];
	for (int i = 8; i >= 0; i--, frac /= 10)
		digits[i] = (char)('0' + frac % 10);
	digits[9] = 0;
	snprintf(buf, size, "%s.%s%s", prefix[k], digits, iso ? zone : "");
}

/* "YYYY-MM-DD " in local time before fmt_time's text, for evt.datetime. */
static void fmt_date(uint64_t ns, char *buf, size_t size)
{
	time_t sec = (time_t)(ns / 1000000000ull);
	struct tm tm;
	localtime_r(&sec, &tm);
	snprintf(buf, size, "%04d-%02d-%02d ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void saker_rt_field_value(const struct saker_rt_render *r, const struct saker_event *ev,
			  int field, struct sk_field_value *v, char scratch[SAKER_RT_SCRATCH])
{
	const bool in_container = ev->h.flags & SAKER_EVF_CONTAINER;

	sk_event_field(ev, field, v, scratch);
	switch ((enum sk_field_id)field) {
	case SK_FLD_EVT_TIME:
		fmt_time(saker_rt_event_wall_ns(r, ev), 0, "", scratch, SAKER_RT_SCRATCH);
		v_str(v, scratch);
		break;
	case SK_FLD_EVT_TIME_ISO8601:
		fmt_time(saker_rt_event_wall_ns(r, ev), 1, "+0000", scratch, SAKER_RT_SCRATCH);
		v_str(v, scratch);
		break;
	case SK_FLD_EVT_TIME_S:
		fmt_time(saker_rt_event_wall_ns(r, ev), 0, "", scratch, SAKER_RT_SCRATCH);
		scratch[8] = 0; /* HH:MM:SS */
		v_str(v, scratch);
		break;
	case SK_FLD_EVT_DATETIME:
	case SK_FLD_EVT_DATETIME_S: {
		uint64_t ns = saker_rt_event_wall_ns(r, ev);
		fmt_date(ns, scratch, SAKER_RT_SCRATCH);
		fmt_time(ns, 0, "", scratch + 11, SAKER_RT_SCRATCH - 11);
		if (field == SK_FLD_EVT_DATETIME_S)
			scratch[19] = 0;
		v_str(v, scratch);
		break;
	}
	case SK_FLD_EVT_RAWTIME:
		v->kind = SK_VAL_U64;
		v->u = saker_rt_event_wall_ns(r, ev);
		break;
	case SK_FLD_EVT_RAWTIME_S:
		v->kind = SK_VAL_U64;
		v->u = saker_rt_event_wall_ns(r, ev) / 1000000000ull;
		break;
	case SK_FLD_EVT_RAWTIME_NS:
		v->kind = SK_VAL_U64;
		v->u = saker_rt_event_wall_ns(r, ev) % 1000000000ull;
		break;
	case SK_FLD_EVT_SOURCE:
		v_str(v, "syscall");
		break;
	case SK_FLD_USER_LOGINNAME:
		if ((ev->h.flags & SAKER_EVF_LOGINUID) && ev->h.loginuid != UINT32_MAX)
			v_str(v, r->enrich ? saker_rt_user_name(r->enrich, ev->h.loginuid) : NULL);
		break;
	case SK_FLD_GROUP_NAME:
		v_str(v, r->enrich ? saker_rt_group_name(r->enrich, ev->h.gid) : NULL);
		break;
	case SK_FLD_EVT_HOSTNAME:
		v_str(v, r->hostname);
		break;
	case SK_FLD_USER_NAME:
		v_str(v, r->enrich ? saker_rt_user_name(r->enrich, ev->h.uid) : NULL);
		break;
	case SK_FLD_FD_CIP_NAME:
	case SK_FLD_FD_SIP_NAME:
	case SK_FLD_FD_LIP_NAME:
	case SK_FLD_FD_RIP_NAME: {
		/* the name (of those the rules compare it with) whose addresses hold the address */
		struct sk_field_value ip;
		sk_event_field(ev, sk_field_resolved_ip(field), &ip, scratch);
		if (ip.kind == SK_VAL_IP && r->dns)
			v_str(v, saker_rt_dns_name_of(r->dns, ip.ip, ip.ip_len, scratch, SAKER_RT_SCRATCH));
		break;
	}
	case SK_FLD_K8S_NS_NAME:
	case SK_FLD_K8S_POD_NAME:
	case SK_FLD_K8S_POD_UID: {
		/* the CRI's labels on the container; none outside Kubernetes (and on the host) */
		if (!in_container || !r->enrich)
			break;
		const struct saker_rt_container *c = saker_rt_container_lookup(r->enrich, ev->h.container_id);
		v_str(v, saker_rt_container_label(c, field == SK_FLD_K8S_NS_NAME ? "io.kubernetes.pod.namespace"
						     : field == SK_FLD_K8S_POD_NAME ? "io.kubernetes.pod.name"
										   : "io.kubernetes.pod.uid"));
		break;
	}
	case SK_FLD_CONTAINER_NAME:
	case SK_FLD_CONTAINER_IMAGE:
	case SK_FLD_CONTAINER_IMAGE_NAME:
	case SK_FLD_CONTAINER_IMAGE_REPOSITORY:
	case SK_FLD_CONTAINER_IMAGE_TAG:
	case SK_FLD_CONTAINER_IMAGE_ID:
	case SK_FLD_CONTAINER_TYPE:
	case SK_FLD_CONTAINER_PRIVILEGED:
	case SK_FLD_CONTAINER_START_TS: {
		if (!in_container) {
			/* The host has a name but no image. */
			if (field == SK_FLD_CONTAINER_NAME)
				v_str(v, "host");
			break;
		}
		const struct saker_rt_container *c =
			r->enrich ? saker_rt_container_lookup(r->enrich, ev->h.container_id) : NULL;
		if (!c)
			break;
		if (field == SK_FLD_CONTAINER_NAME)
			v_str(v, c->name);
		else if (field == SK_FLD_CONTAINER_IMAGE || field == SK_FLD_CONTAINER_IMAGE_NAME)
			v_str(v, c->image);
		else if (field == SK_FLD_CONTAINER_IMAGE_REPOSITORY)
			v_str(v, c->repository);
		else if (field == SK_FLD_CONTAINER_IMAGE_TAG)
			v_str(v, c->tag);
		else if (field == SK_FLD_CONTAINER_IMAGE_ID)
			v_str(v, c->image_id);
		else if (field == SK_FLD_CONTAINER_TYPE)
			v_str(v, c->type);
		else if (field == SK_FLD_CONTAINER_PRIVILEGED && c->has_privileged) {
			v->kind = SK_VAL_BOOL;
			v->b = c->privileged;
		} else if (field == SK_FLD_CONTAINER_START_TS && c->has_start_ts) {
			v->kind = SK_VAL_U64;
			v->u = c->start_ts_ns;
		}
		break;
	}
	default:
		/* computed in the kernel: sk_event_field gave its value */
		break;
	}
}

/* ---- alerts ------------------------------------------------------------------------------- */

static void put_value_text(struct saker_rt_str *s, const struct sk_field_value *v, int width)
{
	char num[32];
	const char *text;
	switch (v->kind) {
	case SK_VAL_STR:
	case SK_VAL_IP:
		text = v->s;
		break;
	case SK_VAL_I64: {
		char *p = dec_u64(num + sizeof(num) - 1, v->i < 0 ? 0 - (uint64_t)v->i : (uint64_t)v->i);
		num[sizeof(num) - 1] = 0;
		if (v->i < 0)
			*--p = '-';
		text = p;
		break;
	}
	case SK_VAL_U64:
		num[sizeof(num) - 1] = 0;
		text = dec_u64(num + sizeof(num) - 1, v->u);
		break;
	case SK_VAL_BOOL:
		text = v->b ? "true" : "false";
		break;
	default:
		text = "<NA>";
		break;
	}
	size_t n = strlen(text);
	if (width <= 0) {
		saker_rt_str_put(s, text, n);
		return;
	}
	/* %Nfield: exactly N characters, cut or padded with spaces on the right. */
	size_t w = (size_t)width;
	saker_rt_str_put(s, text, n < w ? n : w);
	for (; n < w; n++)
		saker_rt_str_put(s, " ", 1);
}

static int is_time_field(int f)
{
	return f == SK_FLD_EVT_TIME || f == SK_FLD_EVT_TIME_ISO8601 || f == SK_FLD_EVT_RAWTIME;
}

static void put_value_json(struct saker_rt_str *s, const struct saker_rt_render *r,
			   const struct saker_event *ev, int field, const struct sk_field_value *v)
{
	/* Falco emits every time field in output_fields as epoch nanoseconds. */
	if (is_time_field(field)) {
		str_u64(s, saker_rt_event_wall_ns(r, ev));
		return;
	}
	switch (v->kind) {
	case SK_VAL_STR:
	case SK_VAL_IP:
		saker_rt_str_puts(s, "\"");
		saker_rt_str_json(s, v->s, strlen(v->s));
		saker_rt_str_puts(s, "\"");
		break;
	case SK_VAL_I64:
		str_i64(s, v->i);
		break;
	case SK_VAL_U64:
		str_u64(s, v->u);
		break;
	case SK_VAL_BOOL:
		saker_rt_str_puts(s, v->b ? "true" : "false");
		break;
	default:
		saker_rt_str_puts(s, "null");
		break;
	}
}

static int cmp_field_names(const void *a, const void *b)
{
	return strcmp(sk_fields[*(const int *)a].name, sk_fields[*(const int *)b].name);
}

static void put_json_string(struct saker_rt_str *s, const char *z)
{
	saker_rt_str_puts(s, "\"");
	saker_rt_str_json(s, z, strlen(z));
	saker_rt_str_puts(s, "\"");
}

/* What was done about the event, for a rule with an action (NULL for a plain alert): the text
 * line ends with "(saker.action: killed)", the JSON object has output_fields."saker.action". */
static const char *action_outcome(const struct saker_rt_render *r, const struct saker_rule_meta *rule,
				  const struct saker_event *ev)
{
	if (rule->action == SAKER_ACTION_ALERT)
		return NULL;
	if (r->dry_run)
		return rule->action == SAKER_ACTION_KILL ? "would kill" : "would deny";
	if (rule->action == SAKER_ACTION_DENY) {
		if (ev->h.flags & SAKER_EVF_DENIED)
			return "denied";
		if (ev->h.flags & SAKER_EVF_SPARED)
			return "spared (sakerd itself or PID 1)";
		/* the LSM back end's other hooks see what never reached its refusing ones (O_PATH
		 * opens, failed ones; an event whose hook run found the per-CPU memory busy):
		 * after the fact */
		return r->lsm ? "not denied (seen after the fact)" : "not denied (no LSM back end)";
	}
	if (ev->h.flags & SAKER_EVF_KILLED)
		return "killed";
	if (ev->h.flags & SAKER_EVF_SPARED)
		return "spared (sakerd itself or PID 1)";
	return "not killed";
}

#define SAKER_ACTION_FIELD "saker.action"

int saker_rt_render_alert(const struct saker_rt_render *r, const struct saker_rule_meta *rule,
			  const struct saker_event *ev, bool json, struct saker_rt_str *out)
{
	const char *outcome = action_outcome(r, rule, ev);
	struct saker_rt_str line = { 0 };
	struct sk_field_value v;
	char *scratch = malloc(SAKER_RT_SCRATCH);
	int ret;

	if (!scratch)
		return -ENOMEM;
	const char *prio = rule->priority < SAKER_PRIO__COUNT ? saker_priority_names[rule->priority]
							       : "Debug";

	/* The text line: time, priority, then the output with every field substituted. */
	saker_rt_field_value(r, ev, SK_FLD_EVT_TIME, &v, scratch);
	put_value_text(&line, &v, 0);
	saker_rt_str_puts(&line, ": ");
	saker_rt_str_puts(&line, prio);
	saker_rt_str_puts(&line, " ");
	size_t msg_at = line.len; /* the message (json_include_message_property) starts here */
	for (uint32_t i = 0; i < rule->n_segs; i++) {
		const struct saker_fmt_seg *g = &rule->segs[i];
		if (g->field == -2) {
			saker_rt_str_puts(&line, "<NA>"); /* a token saker cannot render yet */
			continue;
		}
		if (g->field < 0 || g->field >= SK_FLD__COUNT) {
			saker_rt_str_puts(&line, g->text ? g->text : "");
			continue;
		}
		if (g->arg)
			sk_event_field_arg(ev, g->field, g->arg, &v, scratch); /* proc.aname[N] */
		else
			saker_rt_field_value(r, ev, g->field, &v, scratch);
		put_value_text(&line, &v, g->width);
	}
	if (outcome)
		saker_rt_str_printf(&line, " (" SAKER_ACTION_FIELD ": %s)", outcome);
	if (line.err) {
		ret = line.err;
		goto cleanup;
	}

	if (!json) {
		/* Falco escapes the text line as a JSON string does, without the quotes. */
		saker_rt_str_json(out, line.p, line.len);
		ret = out->err;
		goto cleanup;
	}

	/* JSON keys in byte order, as Falco's sorted objects print them. */
	int fields[SK_FLD__COUNT + 1];
	size_t nf = 0;
	fields[nf++] = SK_FLD_EVT_TIME;
	for (uint32_t i = 0; i < rule->n_segs; i++) {
		int f = rule->segs[i].field;
		if (f < 0 || f >= SK_FLD__COUNT || rule->segs[i].arg)
			continue;
		size_t k = 0;
		while (k < nf && fields[k] != f)
			k++;
		if (k == nf)
			fields[nf++] = f;
	}
	qsort(fields, nf, sizeof(int), cmp_field_names);

	char tbuf[64];
	fmt_time(saker_rt_event_wall_ns(r, ev), 1, "Z", tbuf, sizeof(tbuf));
	saker_rt_str_puts(out, "{\"hostname\":");
	put_json_string(out, r->hostname ? r->hostname : "");
	if (r->json_message) {
		saker_rt_str_puts(out, ",\"message\":\"");
		saker_rt_str_json(out, line.p + msg_at, line.len - msg_at);
		saker_rt_str_puts(out, "\"");
	}
	if (!r->json_omit_output) {
		saker_rt_str_puts(out, ",\"output\":\"");
		saker_rt_str_json(out, line.p, line.len);
		saker_rt_str_puts(out, "\"");
	}
	if (!r->json_omit_output_fields) {
		saker_rt_str_puts(out, ",\"output_fields\":{");
		for (size_t k = 0; k < nf; k++) {
			/* the action's outcome, in its place in byte order */
			if (outcome && strcmp(SAKER_ACTION_FIELD, sk_fields[fields[k]].name) < 0) {
				saker_rt_str_puts(out, k ? ",\"" SAKER_ACTION_FIELD "\":" : "\"" SAKER_ACTION_FIELD "\":");
				put_json_string(out, outcome);
				outcome = NULL;
				saker_rt_str_puts(out, ",");
			} else if (k) {
				saker_rt_str_puts(out, ",");
			}
			put_json_string(out, sk_fields[fields[k]].name);
			saker_rt_str_puts(out, ":");
			saker_rt_field_value(r, ev, fields[k], &v, scratch);
			put_value_json(out, r, ev, fields[k], &v);
		}
		/* fields with an argument (proc.aname[2]), keyed as written, after the others */
		for (uint32_t i = 0; i < rule->n_segs; i++) {
			const struct saker_fmt_seg *g = &rule->segs[i];
			bool dup = false;
			if (g->field < 0 || g->field >= SK_FLD__COUNT || !g->arg || !g->text)
				continue;
			for (uint32_t j = 0; j < i && !dup; j++)
				dup = rule->segs[j].arg && rule->segs[j].field == g->field &&
				      rule->segs[j].text && !strcmp(rule->segs[j].text, g->text);
			if (dup)
				continue;
			saker_rt_str_puts(out, nf ? "," : "");
			nf++;
			put_json_string(out, g->text);
			saker_rt_str_puts(out, ":");
			sk_event_field_arg(ev, g->field, g->arg, &v, scratch);
			put_value_json(out, r, ev, g->field, &v);
		}
		if (outcome) {
			saker_rt_str_puts(out, nf ? ",\"" SAKER_ACTION_FIELD "\":" : "\"" SAKER_ACTION_FIELD "\":");
			put_json_string(out, outcome);
		}
		saker_rt_str_puts(out, "}");
	}
	saker_rt_str_puts(out, ",\"priority\":");
	put_json_string(out, prio);
	saker_rt_str_puts(out, ",\"rule\":");
	put_json_string(out, rule->name ? rule->name : "");
	saker_rt_str_puts(out, ",\"source\":");
	put_json_string(out, rule->source && rule->source[0] ? rule->source : "syscall");
	if (!r->json_omit_tags) {
		saker_rt_str_puts(out, ",\"tags\":[");
		for (uint32_t t = 0; t < rule->n_tags; t++) {
			if (t)
				saker_rt_str_puts(out, ",");
			put_json_string(out, rule->tags[t] ? rule->tags[t] : "");
		}
		saker_rt_str_puts(out, "]");
	}
	saker_rt_str_puts(out, ",\"time\":");
	put_json_string(out, tbuf);
	saker_rt_str_puts(out, "}");
	ret = out->err;
cleanup:
	saker_rt_str_fini(&line);
	free(scratch);
	return ret;
}

int saker_rt_render_internal(const struct saker_rt_render *r, const char *rule, int prio,
			     const char *msg, const struct saker_rt_kv *fields, size_t n, bool json,
			     struct saker_rt_str *out)
{
	struct saker_rt_str line = { 0 };
	struct timespec ts;
	char tbuf[64];
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	const char *pname = prio >= 0 && prio < SAKER_PRIO__COUNT ? saker_priority_names[prio] : "Debug";

	fmt_time(ns, 0, "", tbuf, sizeof(tbuf));
	saker_rt_str_printf(&line, "%s: %s %s", tbuf, pname, msg);
	if (line.err) {
		saker_rt_str_fini(&line);
		return -ENOMEM;
	}
	if (!json) {
		saker_rt_str_json(out, line.p, line.len);
	} else {
		fmt_time(ns, 1, "Z", tbuf, sizeof(tbuf));
		saker_rt_str_puts(out, "{\"hostname\":");
		put_json_string(out, r->hostname ? r->hostname : "");
		saker_rt_str_puts(out, ",\"output\":");
		put_json_string(out, line.p);
		saker_rt_str_puts(out, ",\"output_fields\":{");
		for (size_t i = 0; i < n; i++) {
			if (i)
				saker_rt_str_puts(out, ",");
			put_json_string(out, fields[i].key);
			saker_rt_str_puts(out, ":");
			if (fields[i].s)
				put_json_string(out, fields[i].s);
			else
				saker_rt_str_printf(out, "%" PRIu64, fields[i].u);
		}
		saker_rt_str_puts(out, "},\"priority\":");
		put_json_string(out, pname);
		saker_rt_str_puts(out, ",\"rule\":");
		put_json_string(out, rule);
		saker_rt_str_puts(out, ",\"source\":\"internal\",\"tags\":[],\"time\":");
		put_json_string(out, tbuf);
		saker_rt_str_puts(out, "}");
	}
	saker_rt_str_fini(&line);
	return out->err;
}
