/* The pass pipeline in one place: rules files → items → expanded ASTs → checked, lowered rules
 * → BPF object → bundle. Each pass reports its own diagnostics; the driver only sequences them. */
#include "driver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "saker/event.h"

#define STR_(x) #x
#define STR(x)  STR_(x)

/* What the generated object needs from a kernel; sakerd checks each line before loading.
 * tp_btf needs 5.5 and BTF; the ring buffer 5.8; bpf_get_current_task_btf 5.11; bpf_loop (path
 * walks, string scans) 5.17. */
static const char requires_text[] =
	"kernel 5.17\n"
	"btf 1\n"
	"hook tp_btf/sys_exit\n"
	"hook tp_btf/io_uring_complete\n"
	"hook tp_btf/sched_process_exec\n"
	"hook tp_btf/sched_process_exit\n"
	"map ringbuf\n"
	"map percpu_array\n"
	"map prog_array\n"
	"map hash\n"
	"event_version " STR(SAKER_EVENT_VERSION) "\n";

int sk_drive_front(sk_comp *c, const char *const *paths, size_t n)
{
	/* Keep going after a failed pass when there is anything left to check, so that one run
	 * reports every problem; the return value still says whether any pass failed. */
	int rc = sk_load_paths(c, paths, n);
	if (rc < -1)
		return rc; /* a path could not be read: an I/O failure, not an error in the rules */
	if (sk_expand(c) < 0)
		rc = -1;
	if (sk_check(c) < 0)
		rc = -1;
	return rc < 0 || sk_diag_error_count(c->diag) ? -1 : 0;
}

static int write_file(sk_comp *c, const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len) {
		int e = errno;
		if (f)
			fclose(f);
		sk_error(c->diag, (sk_span){ 0 }, "io", "cannot write '%s': %s", path, strerror(e));
		return -1;
	}
	if (fclose(f)) {
		sk_error(c->diag, (sk_span){ 0 }, "io", "cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The metadata points into the compilation's arena and items; encode copies what it needs. */
static void fill_meta(const sk_rule *r, struct saker_rule_meta *m)
{
	const sk_item *it = r->item;
	m->name = (char *)it->name;
	m->desc = (char *)(it->desc ? it->desc : "");
	m->source = (char *)(it->source ? it->source : "syscall");
	m->output = (char *)(it->output.str ? it->output.str : "");
	m->file = (char *)(it->file ? it->file : "");
	m->line = it->line;
	m->priority = (uint8_t)it->priority;
	m->plan = (uint8_t)r->plan;
	m->action = (uint8_t)it->action;
	m->tags = (char **)it->tags;
	m->n_tags = (uint32_t)it->n_tags;
	m->segs = r->segs;
	m->n_segs = (uint32_t)r->n_segs;
	m->residual = r->residual;
	m->captures = (int32_t *)r->captures;
	m->n_captures = (uint32_t)r->n_captures;
}

/* "needs field proc.cmdline, events execve, execveat": what the rule lacks, in one line. */
static char *left_out_reason(sk_comp *c, const sk_rule *r)
{
	char *fields = NULL, *events = NULL;
	size_t nf = 0, ne = 0;
	for (size_t i = 0; i < r->n_missing; i++) {
		char **to = r->missing[i].event ? &events : &fields;
		size_t *n = r->missing[i].event ? &ne : &nf;
		if (++*n <= 8)
			*to = *to ? sk_arena_printf(c->arena, "%s, %s", *to, r->missing[i].what)
				  : sk_arena_strdup(c->arena, r->missing[i].what);
	}
	char *out = sk_arena_strdup(c->arena, "needs");
	if (nf)
		out = sk_arena_printf(c->arena, "%s %s %s%s", out, nf > 1 ? "fields" : "field", fields,
				      nf > 8 ? sk_arena_printf(c->arena, " and %zu more", nf - 8) : "");
	if (ne > 8)
		out = sk_arena_printf(c->arena, "%s%s %zu event types saker does not capture", out, nf ? "," : "", ne);
	else if (ne)
		out = sk_arena_printf(c->arena, "%s%s %s %s", out, nf ? "," : "", ne > 1 ? "events" : "event", events);
	return out;
}

int sk_drive_bundle(sk_comp *c, const struct sk_emit_opts *o, uint8_t **out, size_t *out_len)
{
	uint8_t *obj = NULL;
	size_t obj_len = 0;
	struct saker_rule_meta *meta = NULL;
	int rc = -1;

	if (c->n_rules == 0) {
		size_t defined = 0;
		for (size_t i = 0; i < c->n_items; i++)
			defined += c->items[i]->kind == SK_ITEM_RULE;
		sk_error(c->diag, (sk_span){ 0 }, "no-rules", defined ?
			 "no enabled rules to compile: a bundle needs at least one rule" :
			 "no rule to compile: the rules files define no rule");
		return -1;
	}
	if (c->n_rules > SAKER_MAX_RULES) {
		sk_error(c->diag, (sk_span){ 0 }, "too-many-rules",
			 "%zu enabled rules; one bundle holds at most %u", c->n_rules, SAKER_MAX_RULES);
		return -1;
	}
	if (sk_codegen(c, o ? o->emit_llvm : NULL, &obj, &obj_len) < 0)
		goto out;
	if (o && o->emit_obj && write_file(c, o->emit_obj, obj, obj_len) < 0)
		goto out;

	meta = calloc(c->n_rules, sizeof(*meta));
	if (!meta) {
		sk_error(c->diag, (sk_span){ 0 }, "internal", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < c->n_rules; i++)
		fill_meta(c->rules[i], &meta[i]);

	struct saker_left_out *left = sk_arena_alloc(c->arena, (c->n_left_out + 1) * sizeof(*left));
	for (size_t i = 0; i < c->n_left_out; i++) {
		const sk_rule *r = c->left_out[i];
		left[i] = (struct saker_left_out){ (char *)r->item->name, (char *)r->item->file, r->item->line,
						   left_out_reason(c, r) };
	}
	/* the watched paths (plan.c, file identity): sakerd resolves them, in this order */
	size_t rlen = sizeof(requires_text);
	for (size_t i = 0; i < c->n_watch; i++)
		rlen += strlen(c->watch[i]) + 8;
	char *requires = sk_arena_alloc(c->arena, rlen);
	size_t rpos = (size_t)snprintf(requires, rlen, "%s", requires_text);
	for (size_t i = 0; i < c->n_watch && rpos < rlen; i++)
		rpos += (size_t)snprintf(requires + rpos, rlen - rpos, "watch %s\n", c->watch[i]);
	struct saker_bundle b = {
		.format = SAKER_BUNDLE_FORMAT,
		.object = obj,
		.object_size = obj_len,
		.requires = (char *)requires,
		.rules = meta,
		.n_rules = (uint32_t)c->n_rules,
		.left_out = left,
		.n_left_out = (uint32_t)c->n_left_out,
	};
	int err = saker_bundle_encode(&b, out, out_len);
	if (err < 0) {
		sk_error(c->diag, (sk_span){ 0 }, "internal", "cannot encode the bundle: %s",
			 strerror(-err));
		goto out;
	}
	rc = 0;
out:
	free(meta);
	free(obj);
	return rc;
}
