/* bench: the JSON alert line written by sakerd's hand-written writer (saker_rt_render_alert)
 * against the same line built with jansson (an object per alert, then json_dumpb), in interleaved
 * rounds of one run. Before timing, both lines of every alert kind are parsed back and must be
 * equal JSON, so the two sides do the same work. Prints alerts per second of each and the ratio.
 * usage: alert_json [ROUNDS [ALERTS_PER_ROUND]]   (built and run by bench/alert-json.sh) */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "rt.h"
#include "saker/fields.h"
#include "saker/json.h"

#include "../tests/unit/event_test.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The text form of V, as the alert's output line shows it. */
static void value_text(const struct sk_field_value *v, struct saker_rt_str *s)
{
	switch (v->kind) {
	case SK_VAL_STR: saker_rt_str_put(s, v->s, v->len); break;
	case SK_VAL_I64: saker_rt_str_printf(s, "%" PRId64, v->i); break;
	case SK_VAL_U64: saker_rt_str_printf(s, "%" PRIu64, v->u); break;
	case SK_VAL_BOOL: saker_rt_str_puts(s, v->b ? "true" : "false"); break;
	default: saker_rt_str_puts(s, "<NA>"); break;
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(sk_fields[*(const int *)a].name, sk_fields[*(const int *)b].name);
}

/* The alert as saker_rt_render_alert writes it, built with jansson into OUT (reused). */
static int render_jansson(const struct saker_rt_render *r, const struct saker_rule_meta *rule,
			  const struct saker_event *ev, char *scratch, struct saker_rt_str *text,
			  char **out, size_t *cap, size_t *len)
{
	struct sk_field_value v;
	bool failed = false;
	const char *prio = saker_priority_names[rule->priority];
	saker_rt_str_reset(text);
	saker_rt_field_value(r, ev, SK_FLD_EVT_TIME, &v, scratch);
	value_text(&v, text);
	saker_rt_str_printf(text, ": %s ", prio);
	int fields[SK_FLD__COUNT + 1];
	size_t nf = 0;
	fields[nf++] = SK_FLD_EVT_TIME;
	for (uint32_t i = 0; i < rule->n_segs; i++) {
		const struct saker_fmt_seg *g = &rule->segs[i];
		if (g->field < 0) {
			saker_rt_str_puts(text, g->text);
			continue;
		}
		saker_rt_field_value(r, ev, g->field, &v, scratch);
		value_text(&v, text);
		size_t k = 0;
		while (k < nf && fields[k] != g->field)
			k++;
		if (k == nf)
			fields[nf++] = g->field;
	}
	qsort(fields, nf, sizeof(int), by_name);

	json_t *root = json_object(), *of = json_object(), *tags = json_array();
	saker_json_set(root, "hostname", saker_json_str(r->hostname), &failed);
	saker_json_set(root, "output", saker_json_strn(text->p, text->len), &failed);
	const uint64_t wall = saker_rt_event_wall_ns(r, ev);
	for (size_t k = 0; k < nf; k++) {
		int f = fields[k];
		json_t *j;
		saker_rt_field_value(r, ev, f, &v, scratch);
		if (f == SK_FLD_EVT_TIME || f == SK_FLD_EVT_TIME_ISO8601 || f == SK_FLD_EVT_RAWTIME)
			j = json_integer((json_int_t)wall);
		else if (v.kind == SK_VAL_STR)
			j = saker_json_strn(v.s, v.len);
		else if (v.kind == SK_VAL_I64)
			j = json_integer(v.i);
		else if (v.kind == SK_VAL_U64)
			j = json_integer((json_int_t)v.u);
		else if (v.kind == SK_VAL_BOOL)
			j = json_boolean(v.b);
		else
			j = json_null();
		saker_json_set(of, sk_fields[f].name, j, &failed);
	}
	saker_json_set(root, "output_fields", of, &failed);
	saker_json_set(root, "priority", json_string(prio), &failed);
	saker_json_set(root, "rule", saker_json_str(rule->name), &failed);
	saker_json_set(root, "source", json_string("syscall"), &failed);
	for (uint32_t t = 0; t < rule->n_tags; t++)
		saker_json_append(tags, saker_json_str(rule->tags[t]), &failed);
	saker_json_set(root, "tags", tags, &failed);
	/* The ISO time as the hand writer prints it. */
	char iso[64];
	time_t sec = (time_t)(wall / 1000000000ull);
	struct tm tm;
	gmtime_r(&sec, &tm);
	snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02d.%09luZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned long)(wall % 1000000000ull));
	saker_json_set(root, "time", json_string(iso), &failed);
	size_t need = failed ? 0 : json_dumpb(root, *out, *cap, JSON_COMPACT);
	if (need > *cap) {
		*cap = need * 2;
		*out = realloc(*out, *cap);
		need = json_dumpb(root, *out, *cap, JSON_COMPACT);
	}
	json_decref(root);
	*len = need;
	return need ? 0 : -1;
}

static struct saker_rule_meta *make_rule(const char *name, const char *fmt)
{
	struct saker_rule_meta *r = calloc(1, sizeof(*r));
	r->name = strdup(name);
	r->source = strdup("syscall");
	r->priority = SAKER_PRIO_CRITICAL;
	r->segs = calloc(strlen(fmt) + 1, sizeof(*r->segs));
	r->tags = calloc(3, sizeof(char *));
	r->tags[0] = strdup("credentials");
	r->tags[1] = strdup("filesystem");
	r->tags[2] = strdup("mitre_persistence");
	r->n_tags = 3;
	for (const char *p = fmt; *p;) {
		struct saker_fmt_seg *g = &r->segs[r->n_segs++];
		const char *s = p;
		if (*p == '%') {
			for (s = ++p; *p && *p != ' ' && *p != ')'; p++)
				;
			g->text = strndup(s, (size_t)(p - s));
			g->field = sk_field_lookup(g->text);
			if (g->field < 0) {
				fprintf(stderr, "alert_json: unknown field %s\n", g->text);
				exit(2);
			}
		} else {
			while (*p && *p != '%')
				p++;
			g->text = strndup(s, (size_t)(p - s));
			g->field = -1;
		}
	}
	return r;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 7;
	long n = argc > 2 ? atol(argv[2]) : 100000;
	if (rounds < 1 || n < 1)
		return 2;
	struct saker_rt_enrich *e;
	if (saker_rt_enrich_new(&e, "", 0))
		return 2;
	struct saker_rt_render r = { .hostname = "bench-host", .boot_to_wall_ns = 1718719346000000000,
				     .enrich = e };
	/* The default rule's output, on a write to /etc/shadow. */
	struct saker_rule_meta *rule = make_rule("Write to sensitive file",
		"Write to sensitive file (user=%user.name user_uid=%user.uid user_loginuid=%user.loginuid "
		"process=%proc.name pid=%proc.pid parent=%proc.pname exe=%proc.exepath "
		"flags=%evt.arg.flags container_id=%container.id image=%container.image file=%fd.name)");
	struct saker_event *ev = test_event_new(SK_EV_OPENAT);
	ev->h.ts_ns = 5000000000ull;
	test_open_res(ev, 3);
	TEST_OPEN(ev)->flags = 02000 | 01 | 0100;
	ev->h.flags |= SAKER_EVF_PARENT | SAKER_EVF_LOGINUID; /* on the host: no SAKER_EVF_CONTAINER */
	ev->h.pid = 4242;
	ev->h.tid = 4242;
	ev->h.ppid = 1000;
	ev->h.loginuid = 1000;
	strcpy(ev->h.comm, "vipw");
	strcpy(ev->h.pcomm, "bash");
	test_event_str(ev, SAKER_STR_FD_NAME, "/etc/shadow");
	test_event_str(ev, SAKER_STR_EXEPATH, "/usr/sbin/vipw");

	struct saker_rt_str hand = { 0 }, text = { 0 };
	char *scratch = malloc(SAKER_RT_SCRATCH), *jbuf = NULL;
	size_t jcap = 0, jlen = 0;

	/* Same JSON from both, or the comparison means nothing. */
	if (saker_rt_render_alert(&r, rule, ev, true, &hand) ||
	    render_jansson(&r, rule, ev, scratch, &text, &jbuf, &jcap, &jlen))
		return 2;
	json_t *a = json_loads(hand.p, 0, NULL), *b = json_loadb(jbuf, jlen, 0, NULL);
	if (!a || !b || !json_equal(a, b)) {
		fprintf(stderr, "alert_json: the two writers disagree:\n%s\n%.*s\n", hand.p, (int)jlen, jbuf);
		return 1;
	}
	json_decref(a);
	json_decref(b);
	printf("alert: %zu bytes (hand), %zu bytes (jansson)\n", hand.len, jlen);

	double *rh = calloc((size_t)rounds, sizeof(double)), *rj = calloc((size_t)rounds, sizeof(double));
	size_t sink = 0;
	for (int round = 0; round < rounds; round++) {
		/* Alternate which goes first, so drift on the machine falls on both. */
		for (int side = 0; side < 2; side++) {
			bool jansson = (side + round) % 2;
			double t0 = now_s();
			for (long i = 0; i < n; i++) {
				ev->h.pid = (uint32_t)(4242 + (i & 1023)); /* values change, as they do */
				if (jansson) {
					render_jansson(&r, rule, ev, scratch, &text, &jbuf, &jcap, &jlen);
					sink += jlen;
				} else {
					saker_rt_str_reset(&hand);
					saker_rt_render_alert(&r, rule, ev, true, &hand);
					sink += hand.len;
				}
			}
			double rate = (double)n / (now_s() - t0);
			(jansson ? rj : rh)[round] = rate;
		}
		printf("round %d: hand %.0f alerts/s, jansson %.0f alerts/s\n", round + 1, rh[round], rj[round]);
	}
	qsort(rh, (size_t)rounds, sizeof(double), cmp_double);
	qsort(rj, (size_t)rounds, sizeof(double), cmp_double);
	double mh = rh[rounds / 2], mj = rj[rounds / 2];
	printf("median of %d rounds of %ld alerts: hand %.0f alerts/s, jansson %.0f alerts/s; "
	       "hand/jansson %.2f (max: %.0f, %.0f)\n", rounds, n, mh, mj, mh / mj, rh[rounds - 1],
	       rj[rounds - 1]);
	if (!sink)
		return 3;
	free(rh);
	free(rj);
	free(jbuf);
	free(scratch);
	saker_rt_str_fini(&hand);
	saker_rt_str_fini(&text);
	saker_rt_enrich_free(e);
	return 0;
}
