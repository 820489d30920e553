/* saker inspect: what a bundle holds (format, digest, signer, kernel requirements, the BPF
 * programs and maps of its object, and every rule), as text for people or JSON (jansson) for
 * tools. Reads the object with libbpf without loading it, so it needs no root. */
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
#include "saker/json.h"
#include "saker/version.h"

static const char *const plan_names[] = { "exact", "partial", "user-space" };

static void inspect_usage(FILE *f)
{
	fprintf(f,
		"usage: saker inspect [--format text|json] BUNDLE\n"
		"\n"
		"Shows what a bundle holds: format, digest, signature (the signer's key fingerprint;\n"
		"a signature that does not verify is refused), kernel requirements, the programs\n"
		"and maps of its BPF object, and each rule (name, priority, plan, tags, source,\n"
		"output).\n"
		"  --format FMT   text (default) or json\n");
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* The signature, as both views show it. */
static json_t *signature_json(const struct saker_bundle *b, bool *failed)
{
	char fp[SAKER_KEY_FP_SIZE], hex[2 * SAKER_KEY_RAW_SIZE + 1];
	if (!b->is_signed)
		return json_null();
	saker_key_fingerprint(b->signer, fp);
	for (int i = 0; i < SAKER_KEY_RAW_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", b->signer[i]);
	json_t *sig = json_object();
	if (!sig)
		return NULL;
	saker_json_set(sig, "algorithm", json_string("ed25519"), failed);
	saker_json_set(sig, "key_fingerprint", json_string(fp), failed);
	saker_json_set(sig, "public_key", json_string(hex), failed);
	return sig;
}

/* Each non-empty line of TEXT as an array of strings. */
static json_t *lines_json(const char *text, bool *failed)
{
	json_t *arr = json_array();
	for (const char *line = text; arr && *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		if (n)
			saker_json_append(arr, saker_json_strn(line, n), failed);
		line += n + (nl ? 1 : 0);
	}
	return arr;
}

/* The JSON view: keys sorted when dumped, so tools and diffs see a stable document. */
static json_t *render_json(const struct saker_bundle *b, const char *digest, struct bpf_object *obj,
			   bool *failed)
{
	json_t *root = json_object(), *maps = json_array(), *progs = json_array(),
	       *rules = json_array(), *formats = json_array();
	char dg[80];
	if (!root || !maps || !progs || !rules || !formats) {
		json_decref(maps);
		json_decref(progs);
		json_decref(rules);
		json_decref(formats);
		json_decref(root);
		return NULL;
	}
	snprintf(dg, sizeof(dg), "sha256:%s", digest);
	saker_json_set(root, "digest", json_string(dg), failed);
	saker_json_set(root, "format", json_integer(b->format), failed);
	for (int f = SAKER_BUNDLE_FORMAT_MIN; f <= SAKER_BUNDLE_FORMAT; f++)
		saker_json_append(formats, json_integer(f), failed);
	saker_json_set(root, "formats_read", formats, failed);
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj) {
		const char *t = libbpf_bpf_map_type_str(bpf_map__type(m));
		json_t *j = json_object();
		if (j) {
			saker_json_set(j, "max_entries", json_integer(bpf_map__max_entries(m)), failed);
			saker_json_set(j, "name", saker_json_str(bpf_map__name(m)), failed);
			saker_json_set(j, "type", json_string(t ? t : "unknown"), failed);
		}
		saker_json_append(maps, j, failed);
	}
	saker_json_set(root, "maps", maps, failed);
	saker_json_set(root, "object_size", json_integer((json_int_t)b->object_size), failed);
	struct bpf_program *p;
	bpf_object__for_each_program(p, obj) {
		json_t *j = json_object();
		if (j) {
			saker_json_set(j, "name", saker_json_str(bpf_program__name(p)), failed);
			saker_json_set(j, "section", saker_json_str(bpf_program__section_name(p)), failed);
		}
		saker_json_append(progs, j, failed);
	}
	saker_json_set(root, "programs", progs, failed);
	saker_json_set(root, "requires", lines_json(b->requires, failed), failed);
	for (uint32_t i = 0; i < b->n_rules; i++) {
		const struct saker_rule_meta *r = &b->rules[i];
		json_t *j = json_object(), *tags = json_array();
		if (!j || !tags) {
			json_decref(tags);
			json_decref(j);
			*failed = true;
			break;
		}
		saker_json_set(j, "desc", saker_json_str(r->desc), failed);
		saker_json_set(j, "file", saker_json_str(r->file), failed);
		saker_json_set(j, "index", json_integer(i), failed);
		saker_json_set(j, "line", json_integer(r->line), failed);
		saker_json_set(j, "name", saker_json_str(r->name), failed);
		saker_json_set(j, "output", saker_json_str(r->output), failed);
		saker_json_set(j, "plan", json_string(plan_names[r->plan]), failed);
		saker_json_set(j, "action", json_string(saker_action_names[r->action]), failed);
		saker_json_set(j, "priority", json_string(saker_priority_names[r->priority]), failed);
		saker_json_set(j, "source", saker_json_str(r->source), failed);
		for (uint32_t t = 0; t < r->n_tags; t++)
			saker_json_append(tags, saker_json_str(r->tags[t]), failed);
		saker_json_set(j, "tags", tags, failed);
		json_t *caps = json_array();
		for (uint32_t k = 0; caps && k < r->n_captures; k++)
			saker_json_append(caps, json_string(sk_fields[r->captures[k]].name), failed);
		saker_json_set(j, "captures", caps, failed);
		char *res = r->residual ? sk_cond_to_string(r->residual) : NULL;
		saker_json_set(j, "residual", res ? saker_json_str(res) : json_null(), failed);
		free(res);
		saker_json_append(rules, j, failed);
	}
	saker_json_set(root, "rules", rules, failed);
	json_t *left = json_array();
	for (uint32_t i = 0; left && i < b->n_left_out; i++) {
		const struct saker_left_out *l = &b->left_out[i];
		json_t *j = json_object();
		if (j) {
			saker_json_set(j, "file", saker_json_str(l->file), failed);
			saker_json_set(j, "line", json_integer(l->line), failed);
			saker_json_set(j, "name", saker_json_str(l->name), failed);
			saker_json_set(j, "reason", saker_json_str(l->why), failed);
		}
		saker_json_append(left, j, failed);
	}
	saker_json_set(root, "left_out", left, failed);
	saker_json_set(root, "signature", signature_json(b, failed), failed);
	return root;
}

/* "1 and 2", or "1 to 3": the formats this saker reads, in words. */
static void formats_in_words(char *buf, size_t size)
{
	if (SAKER_BUNDLE_FORMAT == SAKER_BUNDLE_FORMAT_MIN)
		snprintf(buf, size, "format %d only", SAKER_BUNDLE_FORMAT);
	else
		snprintf(buf, size, "formats %d %s %d", SAKER_BUNDLE_FORMAT_MIN,
			 SAKER_BUNDLE_FORMAT == SAKER_BUNDLE_FORMAT_MIN + 1 ? "and" : "to",
			 SAKER_BUNDLE_FORMAT);
}

static void render_text(struct saker_rt_str *s, const char *path, const struct saker_bundle *b,
			const char *digest, struct bpf_object *obj)
{
	char words[64], fp[SAKER_KEY_FP_SIZE];
	formats_in_words(words, sizeof(words));
	saker_rt_str_printf(s, "bundle:    %s\nformat:    %u (this saker reads bundle %s)\n"
			    "digest:    sha256:%s\n", path, b->format, words, digest);
	if (b->is_signed) {
		saker_key_fingerprint(b->signer, fp);
		saker_rt_str_printf(s, "signature: Ed25519, valid, by key %s\n", fp);
	} else {
		saker_rt_str_puts(s, "signature: none (sakerd with --trusted-key refuses it)\n");
	}
	saker_rt_str_printf(s, "object:    %zu bytes\n", b->object_size);
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
		saker_rt_str_printf(s, "      priority: %s, plan: %s, source: %s%s%s\n",
				    saker_priority_names[r->priority], plan_names[r->plan], r->source,
				    r->action ? ", action " : "", r->action ? saker_action_names[r->action] : "");
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
	if (json) {
		bool failed = false;
		json_t *root = render_json(b, digest, obj, &failed);
		char *text = root && !failed ? json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		if (text) {
			saker_rt_str_puts(&out, text);
			saker_rt_str_puts(&out, "\n");
		} else {
			out.err = -ENOMEM;
		}
		free(text);
		json_decref(root);
	} else {
		render_text(&out, path, b, digest, obj);
	}
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
