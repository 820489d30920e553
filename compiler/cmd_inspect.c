/* saker inspect: what a bundle holds (format, digest, kernel requirements, the BPF programs and
 * maps of its object, and every rule), as text for people or JSON for tools. Reads the object
 * with libbpf without loading it, so it needs no root. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "cmds.h"
#include "rt.h"
#include "saker/cond.h"
#include "saker/fields.h"
#include "saker/version.h"

static const char *const plan_names[] = { "exact", "partial", "user-space" };

static void inspect_usage(FILE *f)
{
	fprintf(f,
		"usage: saker inspect [--format text|json] BUNDLE\n"
		"\n"
		"Shows what a bundle holds: format, digest, kernel requirements, the programs and\n"
		"maps of its BPF object, and each rule (name, priority, plan, tags, source, output).\n"
		"  --format FMT   text (default) or json\n");
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static void jstr(struct saker_rt_str *s, const char *z)
{
	saker_rt_str_puts(s, "\"");
	saker_rt_str_json(s, z ? z : "", z ? strlen(z) : 0);
	saker_rt_str_puts(s, "\"");
}

static void render_json(struct saker_rt_str *s, const struct saker_bundle *b, const char *digest,
			struct bpf_object *obj)
{
	saker_rt_str_printf(s, "{\"digest\":\"sha256:%s\",\"format\":%u,\"maps\":[", digest, b->format);
	struct bpf_map *m;
	int first = 1;
	bpf_object__for_each_map(m, obj) {
		const char *t = libbpf_bpf_map_type_str(bpf_map__type(m));
		saker_rt_str_puts(s, first ? "{\"max_entries\":" : ",{\"max_entries\":");
		saker_rt_str_printf(s, "%u,\"name\":", bpf_map__max_entries(m));
		jstr(s, bpf_map__name(m));
		saker_rt_str_puts(s, ",\"type\":");
		jstr(s, t ? t : "unknown");
		saker_rt_str_puts(s, "}");
		first = 0;
	}
	saker_rt_str_printf(s, "],\"object_size\":%zu,\"programs\":[", b->object_size);
	struct bpf_program *p;
	first = 1;
	bpf_object__for_each_program(p, obj) {
		saker_rt_str_puts(s, first ? "{\"name\":" : ",{\"name\":");
		jstr(s, bpf_program__name(p));
		saker_rt_str_puts(s, ",\"section\":");
		jstr(s, bpf_program__section_name(p));
		saker_rt_str_puts(s, "}");
		first = 0;
	}
	saker_rt_str_puts(s, "],\"requires\":[");
	first = 1;
	for (const char *line = b->requires; *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		if (n) {
			saker_rt_str_puts(s, first ? "\"" : ",\"");
			saker_rt_str_json(s, line, n);
			saker_rt_str_puts(s, "\"");
			first = 0;
		}
		line += n + (nl ? 1 : 0);
	}
	saker_rt_str_puts(s, "],\"rules\":[");
	for (uint32_t i = 0; i < b->n_rules; i++) {
		const struct saker_rule_meta *r = &b->rules[i];
		saker_rt_str_puts(s, i ? ",{\"desc\":" : "{\"desc\":");
		jstr(s, r->desc);
		saker_rt_str_puts(s, ",\"file\":");
		jstr(s, r->file);
		saker_rt_str_printf(s, ",\"index\":%u,\"line\":%u,\"name\":", i, r->line);
		jstr(s, r->name);
		saker_rt_str_puts(s, ",\"output\":");
		jstr(s, r->output);
		saker_rt_str_puts(s, ",\"plan\":");
		jstr(s, plan_names[r->plan]);
		saker_rt_str_puts(s, ",\"priority\":");
		jstr(s, saker_priority_names[r->priority]);
		saker_rt_str_puts(s, ",\"source\":");
		jstr(s, r->source);
		saker_rt_str_puts(s, ",\"captures\":[");
		for (uint32_t k = 0; k < r->n_captures; k++) {
			if (k)
				saker_rt_str_puts(s, ",");
			jstr(s, sk_fields[r->captures[k]].name);
		}
		saker_rt_str_puts(s, "],\"residual\":");
		char *res = r->residual ? sk_cond_to_string(r->residual) : NULL;
		if (res)
			jstr(s, res);
		else
			saker_rt_str_puts(s, "null");
		free(res);
		saker_rt_str_puts(s, ",\"tags\":[");
		for (uint32_t t = 0; t < r->n_tags; t++) {
			if (t)
				saker_rt_str_puts(s, ",");
			jstr(s, r->tags[t]);
		}
		saker_rt_str_puts(s, "]}");
	}
	saker_rt_str_puts(s, "],\"left_out\":[");
	for (uint32_t i = 0; i < b->n_left_out; i++) {
		const struct saker_left_out *l = &b->left_out[i];
		saker_rt_str_puts(s, i ? ",{\"file\":" : "{\"file\":");
		jstr(s, l->file);
		saker_rt_str_printf(s, ",\"line\":%u,\"name\":", l->line);
		jstr(s, l->name);
		saker_rt_str_puts(s, ",\"reason\":");
		jstr(s, l->why);
		saker_rt_str_puts(s, "}");
	}
	saker_rt_str_puts(s, "]}\n");
}

static void render_text(struct saker_rt_str *s, const char *path, const struct saker_bundle *b,
			const char *digest, struct bpf_object *obj)
{
	saker_rt_str_printf(s, "bundle:    %s\nformat:    %u\ndigest:    sha256:%s\nobject:    %zu bytes\n",
			    path, b->format, digest, b->object_size);
	saker_rt_str_puts(s, "requires:");
	int first = 1;
	for (const char *line = b->requires; *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		if (n) {
			saker_rt_str_puts(s, first ? "  " : "           ");
			saker_rt_str_put(s, line, n);
			saker_rt_str_puts(s, "\n");
			first = 0;
		}
		line += n + (nl ? 1 : 0);
	}
	if (first)
		saker_rt_str_puts(s, "  (nothing)\n");
	saker_rt_str_puts(s, "programs:\n");
	struct bpf_program *p;
	bpf_object__for_each_program(p, obj)
		saker_rt_str_printf(s, "  %-24s %s\n", bpf_program__name(p), bpf_program__section_name(p));
	saker_rt_str_puts(s, "maps:\n");
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj) {
		const char *t = libbpf_bpf_map_type_str(bpf_map__type(m));
		saker_rt_str_printf(s, "  %-24s %s, %u entries\n", bpf_map__name(m), t ? t : "unknown",
				    bpf_map__max_entries(m));
	}
	saker_rt_str_printf(s, "rules:     %u\n", b->n_rules);
	for (uint32_t i = 0; i < b->n_rules; i++) {
		const struct saker_rule_meta *r = &b->rules[i];
		saker_rt_str_printf(s, "  [%u] %s\n", i, r->name);
		saker_rt_str_printf(s, "      priority: %s, plan: %s, source: %s\n",
				    saker_priority_names[r->priority], plan_names[r->plan], r->source);
		saker_rt_str_printf(s, "      defined:  %s:%u\n", r->file, r->line);
		saker_rt_str_puts(s, "      tags:    ");
		for (uint32_t t = 0; t < r->n_tags; t++)
			saker_rt_str_printf(s, " %s", r->tags[t]);
		saker_rt_str_puts(s, r->n_tags ? "\n" : " (none)\n");
		saker_rt_str_printf(s, "      output:   %s\n", r->output);
		if (r->n_captures) {
			saker_rt_str_puts(s, "      captures:");
			for (uint32_t k = 0; k < r->n_captures; k++)
				saker_rt_str_printf(s, " %s", sk_fields[r->captures[k]].name);
			saker_rt_str_puts(s, "\n");
		}
		char *res = r->residual ? sk_cond_to_string(r->residual) : NULL;
		if (res)
			saker_rt_str_printf(s, "      residual: %s\n", res);
		free(res);
	}
	saker_rt_str_printf(s, "left out:  %u\n", b->n_left_out);
	for (uint32_t i = 0; i < b->n_left_out; i++)
		saker_rt_str_printf(s, "  %s (%s:%u): %s\n", b->left_out[i].name, b->left_out[i].file,
				    b->left_out[i].line, b->left_out[i].why);
}

int cmd_inspect(int argc, char **argv)
{
	const char *path = NULL;
	int json = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			inspect_usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("saker %s\n", SAKER_VERSION);
			return 0;
		} else if (!strcmp(a, "--format") || !strncmp(a, "--format=", 9)) {
			const char *v = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
			if (v && !strcmp(v, "text")) {
				json = 0;
			} else if (v && !strcmp(v, "json")) {
				json = 1;
			} else {
				fprintf(stderr, "saker inspect: --format takes text or json\n");
				return 2;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "saker inspect: unknown option '%s'\n", a);
			inspect_usage(stderr);
			return 2;
		} else if (path) {
			fprintf(stderr, "saker inspect: one bundle at a time\n");
			return 2;
		} else {
			path = a;
		}
	}
	if (!path) {
		fprintf(stderr, "saker inspect: no bundle given\n");
		inspect_usage(stderr);
		return 2;
	}

	struct saker_bundle *b = NULL;
	struct bpf_object *obj = NULL;
	struct saker_rt_str out = { 0 };
	char err[512], digest[65];
	int status = 2;

	if (saker_bundle_read_file(path, &b, err, sizeof(err))) {
		fprintf(stderr, "saker inspect: %s: %s\n", path, err);
		goto cleanup;
	}
	libbpf_set_print(quiet);
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "saker");
	obj = bpf_object__open_mem(b->object, b->object_size, &oo);
	if (!obj) {
		fprintf(stderr, "saker inspect: %s: the BPF object is not valid: %s\n", path,
			strerror(errno ? errno : EINVAL));
		goto cleanup;
	}
	for (int i = 0; i < 32; i++)
		sprintf(digest + 2 * i, "%02x", b->digest[i]);
	if (json)
		render_json(&out, b, digest, obj);
	else
		render_text(&out, path, b, digest, obj);
	if (out.err) {
		fprintf(stderr, "saker inspect: out of memory\n");
		goto cleanup;
	}
	if (fwrite(out.p, 1, out.len, stdout) != out.len || fflush(stdout)) {
		fprintf(stderr, "saker inspect: cannot write: %s\n", strerror(errno));
		goto cleanup;
	}
	status = 0;
cleanup:
	saker_rt_str_fini(&out);
	bpf_object__close(obj);
	saker_bundle_free(b);
	return status;
}
