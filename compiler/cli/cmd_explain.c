/* saker explain: what each rule is once loading is done: its effective condition (lists, macros,
 * exceptions, appends and overrides applied, in Falco's canonical form), priority, source, tags
 * and output, as text or JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cmds.h"
#include "collect.h"
#include "rules.h"
#include "saker/bundle.h"
#include "saker/cond.h"
#include "saker/fields.h"
#include "saker/version.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: saker explain [--format text|json] [--rule NAME]... PATH...\n"
		"\n"
		"Loads rules files (or folders of *.yaml files, in name order) and shows, for each rule,\n"
		"enabled or not: where it is defined, its effective condition (lists, macros, exceptions,\n"
		"appends and overrides applied, in Falco's canonical form), priority, source, tags and\n"
		"output; and how saker runs it: its event types, the plan (exact, partial, user, or not\n"
		"supported yet and what it needs), the kernel part and the residual sakerd tests, and the\n"
		"fields the kernel captures for them. Diagnostics go to stderr.\n"
		"\n"
		"  --format FMT   text (default) or json\n"
		"  --rule NAME    only the rule called NAME (may be given more than once)\n"
		"  --help         show this help\n"
		"  --version      show the version\n"
		"\n"
		"Exit status: 0 no errors, 1 the rules have errors, 2 usage or I/O failure.\n");
}

/* Writes the N bytes of S as a JSON string; bytes that are not UTF-8 become U+FFFD. */
static void json_str(FILE *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	fputc('"', out);
	while (p < end) {
		unsigned c = *p;
		if (c == '"' || c == '\\') {
			fprintf(out, "\\%c", c);
			p++;
		} else if (c == '\n') {
			fputs("\\n", out);
			p++;
		} else if (c == '\t') {
			fputs("\\t", out);
			p++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\u%04x", c);
			p++;
		} else if (c < 0x80) {
			fputc((int)c, out);
			p++;
		} else {
			size_t k = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
			bool ok = k && (size_t)(end - p) >= k;
			for (size_t i = 1; ok && i < k; i++)
				ok = (p[i] & 0xc0) == 0x80;
			if (ok && k == 3) {
				unsigned cp = ((c & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6);
				ok = cp >= 0x800 && !(cp >= 0xd800 && cp <= 0xdfff);
			} else if (ok && k == 4) {
				unsigned cp = ((c & 0x07u) << 18) | ((p[1] & 0x3fu) << 12);
				ok = cp >= 0x10000 && cp <= 0x10ffff;
			}
			if (ok) {
				fwrite(p, 1, k, out);
				p += k;
			} else {
				fputs("\\ufffd", out);
				p++;
			}
		}
	}
	fputc('"', out);
}

static void json_cstr(FILE *out, const char *s)
{
	json_str(out, s, strlen(s));
}

/* What explain shows of a rule, computed before anything else can change its tree. */
struct expl {
	const sk_item *it;
	const char *cond;   /* canonical form, or NULL when the condition had errors */
	const sk_rule *rule;/* the planned rule, or NULL (disabled, or it had errors) */
	bool left_out;      /* the planner left it out: RULE's missing says why */
};

static const char *plan_word(const struct expl *e)
{
	if (!e->rule)
		return e->it->enabled ? "error" : "disabled";
	if (e->left_out)
		return "not supported yet";
	return e->rule->plan == SAKER_PLAN_EXACT ? "exact" : e->rule->plan == SAKER_PLAN_PARTIAL ? "partial" : "user";
}

/* What a left-out rule needs, at most 8 events by name (a rule without an evt.type
 * restriction needs hundreds): calls EACH with each name or summary. */
static void each_need(const sk_rule *r, void (*each)(const char *what, size_t i, void *arg), void *arg)
{
	size_t events = 0, k = 0;
	char buf[64];
	for (size_t i = 0; i < r->n_missing; i++)
		events += r->missing[i].event;
	for (size_t i = 0; i < r->n_missing; i++)
		if (!r->missing[i].event || events <= 8)
			each(r->missing[i].what, k++, arg);
	if (events > 8) {
		snprintf(buf, sizeof(buf), "%zu event types saker does not capture", events);
		each(buf, k, arg);
	}
}

static void need_text(const char *what, size_t i, void *arg)
{
	(void)arg;
	printf(i ? ", %s" : "%s", what);
}

static void need_json(const char *what, size_t i, void *arg)
{
	(void)arg;
	if (i)
		printf(",");
	json_cstr(stdout, what);
}

/* Canonical text of a tree for display, in the arena; NULL for none. */
static const char *cond_text(sk_comp *c, const sk_cexpr *x)
{
	if (!x)
		return NULL;
	char *s = sk_cond_to_string(x);
	char *a = s ? sk_arena_strdup(c->arena, s) : NULL;
	free(s);
	return a;
}

static const char *prio_name(int p)
{
	return p >= 0 && p < SAKER_PRIO__COUNT ? saker_priority_names[p] : "?";
}

/* Text for a terminal: names, tags and outputs come from the rules files, so their control
 * characters are shown escaped, as in diagnostics. */
static void put(const char *s)
{
	sk_diag_put_escaped(stdout, s, strlen(s));
}

static void print_text(const struct expl *e, size_t n, sk_comp *c)
{
	unsigned v[3];
	if (sk_collect_required_engine(c, v))
		printf("the rules require engine version %u.%u.%u; saker implements %s\n\n", v[0], v[1], v[2], SAKER_ENGINE_VERSION);
	for (size_t i = 0; i < n; i++) {
		const sk_item *it = e[i].it;
		printf("%srule '", i ? "\n" : "");
		put(it->name);
		printf("' (");
		put(it->file);
		printf(":%u): %s\n", it->line, it->enabled ? "enabled" : "disabled");
		printf("  priority:  %s\n  source:    ", prio_name(it->priority));
		put(it->source);
		printf("\n  tags:      ");
		for (size_t t = 0; t < it->n_tags; t++) {
			if (t)
				printf(", ");
			put(it->tags[t]);
		}
		printf("%s\n  condition: ", it->n_tags ? "" : "(none)");
		put(e[i].cond ? e[i].cond : "(not expanded: see the errors above)");
		printf("\n  output:    ");
		sk_diag_put_escaped(stdout, it->output.str ? it->output.str : "", it->output.len);
		printf("\n");
		const sk_rule *r = e[i].rule;
		printf("  plan:      %s\n", plan_word(&e[i]));
		if (!r)
			continue;
		printf("  events:    ");
		if (r->n_syscalls > 20)
			printf("%zu event types", r->n_syscalls);
		for (size_t k = 0; r->n_syscalls <= 20 && k < r->n_syscalls; k++)
			printf(k ? ", %s" : "%s", sk_event_name(r->syscalls[k]));
		printf("%s\n", r->n_syscalls ? "" : "(none: the rule never matches)");
		if (e[i].left_out) {
			printf("  needs:     ");
			each_need(r, need_text, NULL);
			printf("\n");
			continue;
		}
		const char *kt = cond_text(c, r->kernel), *rt = cond_text(c, r->residual);
		printf("  kernel:    ");
		put(kt ? kt : "?");
		printf("\n  residual:  ");
		put(rt ? rt : "(none: the kernel decides)");
		printf("\n  captures:  ");
		for (size_t k = 0; k < r->n_captures; k++)
			printf(k ? ", %s" : "%s", sk_fields[r->captures[k]].name);
		printf("%s\n", r->n_captures ? "" : "(none)");
	}
}

static void print_json(const struct expl *e, size_t n, sk_comp *c)
{
	unsigned v[3];
	printf("{");
	if (sk_collect_required_engine(c, v))
		printf("\"required_engine_version\":\"%u.%u.%u\",", v[0], v[1], v[2]);
	printf("\"engine_version\":\"%s\",\"rules\":[", SAKER_ENGINE_VERSION);
	for (size_t i = 0; i < n; i++) {
		const sk_item *it = e[i].it;
		printf(i ? ",{\"name\":" : "{\"name\":");
		json_cstr(stdout, it->name);
		printf(",\"file\":");
		json_cstr(stdout, it->file);
		printf(",\"line\":%u,\"enabled\":%s,\"condition\":", it->line, it->enabled ? "true" : "false");
		if (e[i].cond)
			json_cstr(stdout, e[i].cond);
		else
			printf("null");
		printf(",\"priority\":");
		json_cstr(stdout, prio_name(it->priority));
		printf(",\"source\":");
		json_cstr(stdout, it->source);
		printf(",\"tags\":[");
		for (size_t t = 0; t < it->n_tags; t++) {
			if (t)
				printf(",");
			json_cstr(stdout, it->tags[t]);
		}
		printf("],\"output\":");
		json_str(stdout, it->output.str ? it->output.str : "", it->output.len);
		const sk_rule *r = e[i].rule;
		printf(",\"plan\":");
		json_cstr(stdout, plan_word(&e[i]));
		printf(",\"evt_types\":[");
		for (size_t k = 0; r && k < r->n_syscalls; k++) {
			if (k)
				printf(",");
			json_cstr(stdout, sk_event_name(r->syscalls[k]));
		}
		printf("],\"kernel\":");
		const char *kt = r && !e[i].left_out ? cond_text(c, r->kernel) : NULL;
		const char *rt = r && !e[i].left_out ? cond_text(c, r->residual) : NULL;
		if (kt)
			json_cstr(stdout, kt);
		else
			printf("null");
		printf(",\"residual\":");
		if (rt)
			json_cstr(stdout, rt);
		else
			printf("null");
		printf(",\"fields\":[");
		for (size_t k = 0; r && !e[i].left_out && k < r->n_captures; k++) {
			if (k)
				printf(",");
			json_cstr(stdout, sk_fields[r->captures[k]].name);
		}
		printf("],\"needs\":[");
		if (r && e[i].left_out)
			each_need(r, need_json, NULL);
		printf("]}");
	}
	printf("]}\n");
}

int cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "rule", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	const char **only = NULL;
	size_t n_only = 0;
	int ch;

	optind = 1;
	opterr = 0;
	sk_comp *c = sk_comp_new();
	if (!c) {
		fprintf(stderr, "saker explain: out of memory\n");
		return 2;
	}
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (!strcmp(optarg, "text") || !strcmp(optarg, "json")) {
				json = !strcmp(optarg, "json");
				break;
			}
			fprintf(stderr, "saker explain: unknown format '%s' (text or json)\n", optarg);
			sk_comp_free(c);
			return 2;
		case 'r':
			sk_arena_push(c->arena, (void ***)&only, &n_only, optarg);
			break;
		case 'h':
			usage(stdout);
			sk_comp_free(c);
			return 0;
		case 'V':
			printf("saker %s\n", SAKER_VERSION);
			sk_comp_free(c);
			return 0;
		default:
			if (optopt)
				fprintf(stderr, "saker explain: option '-%c' is unknown or needs a value\n", optopt);
			else
				fprintf(stderr, "saker explain: unknown option '%s'\n", argv[optind - 1]);
			usage(stderr);
			sk_comp_free(c);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "saker explain: no rules file given\n");
		usage(stderr);
		sk_comp_free(c);
		return 2;
	}

	int load = sk_load_paths(c, (const char *const *)argv + optind, (size_t)(argc - optind));
	struct expl *e = NULL;
	size_t n = 0;
	if (load >= -1) {
		sk_expand(c);
		e = sk_arena_alloc(c->arena, (c->n_items + 1) * sizeof(*e));
		for (size_t i = 0; i < c->n_items; i++) {
			sk_item *it = c->items[i];
			bool want = it->kind == SK_ITEM_RULE && !n_only;
			for (size_t k = 0; it->kind == SK_ITEM_RULE && k < n_only; k++)
				want |= !strcmp(only[k], it->name);
			if (want)
				e[n++] = (struct expl){ .it = it, .cond = it->ast && !it->cond_error ? sk_expr_to_string(c->arena, it->ast) : NULL };
		}
		sk_check(c);
		for (size_t i = 0; i < n; i++) {
			for (size_t k = 0; k < c->n_rules && !e[i].rule; k++)
				if (c->rules[k]->item == e[i].it)
					e[i].rule = c->rules[k];
			for (size_t k = 0; k < c->n_left_out && !e[i].rule; k++)
				if (c->left_out[k]->item == e[i].it) {
					e[i].rule = c->left_out[k];
					e[i].left_out = true;
				}
		}
		const char **names = sk_arena_alloc(c->arena, (c->n_items + 1) * sizeof(*names));
		size_t n_names = 0;
		for (size_t i = 0; i < c->n_items; i++)
			if (c->items[i]->kind == SK_ITEM_RULE)
				names[n_names++] = c->items[i]->name;
		for (size_t k = 0; k < n_only; k++) {
			bool found = false;
			for (size_t i = 0; i < n_names && !found; i++)
				found = !strcmp(names[i], only[k]);
			if (found)
				continue;
			sk_error(c->diag, (sk_span){ 0 }, "unknown-rule", "no rule is named '%s'", only[k]);
			const char *fix = sk_nearest(only[k], names, n_names);
			if (fix)
				sk_note(c->diag, (sk_span){ 0 }, "did you mean '%s'?", fix);
		}
	}
	sk_diag_render(c->diag, SK_DIAG_TEXT, stderr);
	if (load >= -1) {
		if (json)
			print_json(e, n, c);
		else
			print_text(e, n, c);
	}
	fflush(stdout);
	int status = load < -1 ? 2 : sk_diag_error_count(c->diag) ? 1 : 0;
	sk_comp_free(c);
	return status;
}
