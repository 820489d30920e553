/* Collector: applies each decoded item to the definitions loaded so far, with Falco's semantics
 * (falco/RULES-SCHEMA.md sections 2 and 3): a definition replaces an earlier one and keeps its
 * place, appends concatenate texts (with one blank) and merge tags and exceptions, overrides
 * replace keys; every change stamps the definition with the load counter, which decides what
 * a macro may see. The definitions last across files; sk_collect_finish lays them out in
 * sk_comp.items. Texts are kept as pieces until then, so that many appends stay linear. */
#include "collect.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exceptions.h"
#include "names.h"
#include "text.h"

/* A definition, with what collecting keeps of it until the items are laid out. */
struct ld_def {
	sk_item *it;
	sk_text *cond, *output, *desc;  /* the text's pieces: the definition, then each append */
	size_t n_cond, n_output, n_desc;
	const char **tags;              /* as given, not yet sorted */
	size_t n_tags;
	sk_names exc;                   /* exception name -> its index in it->exc, plus 1 */
	bool unknown_source;            /* kept for later appends, never compiled */
	bool broken;                    /* its definition had errors */
	bool dirty;                     /* changed since the last layout */
};

struct sk_ld {
	sk_names defs[3];               /* by enum sk_item_kind */
	struct ld_def **all;            /* in the order of first definition */
	size_t n_all;
	unsigned counter;               /* Falco's load counter (m_cur_index) */
	unsigned engine[3];             /* highest required_engine_version */
	bool has_engine;
};

void *sk_grow(sk_arena *a, void *v, size_t n, size_t size)
{
	/* Capacity is 4 below 4 elements, else the next power of two: grow at 0 and at powers of two. */
	if (n == 0 || (n >= 4 && !(n & (n - 1)))) {
		void *nv = sk_arena_alloc(a, (n ? 2 * n : 4) * size);
		if (n)
			memcpy(nv, v, n * size);
		return nv;
	}
	return v;
}

static struct sk_ld *state(sk_comp *c)
{
	if (!c->ld) {
		c->ld = sk_arena_alloc(c->arena, sizeof(*c->ld));
		for (int k = 0; k < 3; k++)
			sk_names_init(&c->ld->defs[k], c->arena);
	}
	return c->ld;
}

static struct ld_def *find(sk_comp *c, enum sk_item_kind kind, const char *name)
{
	return sk_names_get(&state(c)->defs[kind], name);
}

bool sk_collect_exists(sk_comp *c, enum sk_item_kind kind, const char *name)
{
	return find(c, kind, name) != NULL;
}

static struct ld_def *def_new(sk_comp *c, enum sk_item_kind kind, const char *name)
{
	struct sk_ld *s = state(c);
	struct ld_def *d = sk_arena_alloc(c->arena, sizeof(*d));
	d->it = sk_arena_alloc(c->arena, sizeof(*d->it));
	d->it->kind = kind;
	d->it->name = name;
	d->it->index = s->counter;
	sk_names_init(&d->exc, c->arena);
	SK_PUSH(c->arena, s->all, s->n_all, d);
	sk_names_set(&s->defs[kind], name, d);
	return d;
}

void sk_collect_failed(sk_comp *c, enum sk_item_kind kind, const char *name)
{
	struct ld_def *d = find(c, kind, name);
	if (!d)
		d = def_new(c, kind, name);
	d->broken = true;
}

void sk_collect_engine(sk_comp *c, const unsigned v[3])
{
	struct sk_ld *s = state(c);
	if (!s->has_engine || v[0] > s->engine[0] || (v[0] == s->engine[0] && (v[1] > s->engine[1] || (v[1] == s->engine[1] && v[2] > s->engine[2])))) {
		memcpy(s->engine, v, sizeof(s->engine));
		s->has_engine = true;
	}
}

bool sk_collect_required_engine(sk_comp *c, unsigned v[3])
{
	struct sk_ld *s = state(c);
	if (s->has_engine)
		memcpy(v, s->engine, sizeof(s->engine));
	return s->has_engine;
}

static void set_pieces(sk_comp *c, sk_text **v, size_t *n, const sk_text *t)
{
	*v = NULL;
	*n = 0;
	if (t->str) /* lists have no texts, macros no output */
		SK_PUSH(c->arena, *v, *n, *t);
}

static void set_tags(sk_comp *c, struct ld_def *d, const sk_upd *u)
{
	d->tags = NULL;
	d->n_tags = 0;
	for (size_t i = 0; i < u->n_tags; i++)
		SK_PUSH(c->arena, d->tags, d->n_tags, u->tags[i]);
}

static void set_exceptions(sk_comp *c, struct ld_def *d, const sk_upd *u)
{
	sk_item *it = d->it;
	it->exc = NULL;
	it->n_exc = 0;
	sk_names_init(&d->exc, c->arena);
	for (size_t i = 0; i < u->n_exc; i++) {
		SK_PUSH(c->arena, it->exc, it->n_exc, u->exc[i]);
		if (!sk_names_get(&d->exc, u->exc[i].name))
			sk_names_set(&d->exc, u->exc[i].name, (void *)(uintptr_t)it->n_exc);
	}
}

static bool entry_valid(const sk_exc_entry *e)
{
	return e->is_list ? e->n_items > 0 : e->item.text.str && e->item.text.len > 0;
}

/* A rule's exceptions need fields, and then pass sk_exc_validate. */
static int check_new_exceptions(sk_comp *c, const sk_upd *u, bool check_fields)
{
	int bad = 0;
	for (size_t i = 0; i < u->n_exc; i++) {
		sk_exception *ex = &u->exc[i];
		if (!entry_valid(&ex->fields)) {
			sk_error(c->diag, ex->fields.span, "exception-fields",
				 "%s: exception '%s' must have fields: a field, or a list of fields", u->what, ex->name);
			bad = 1;
		} else if (sk_exc_validate(c, u->what, ex, check_fields) < 0) {
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

/* Falco refuses a rule changed under another explicit source than it was defined with. */
static int check_source(sk_comp *c, const sk_upd *u, const struct ld_def *d, const char *source)
{
	const char *was = d && !d->broken ? d->it->source : NULL;
	if (!was || !*was || !*source || !strcmp(was, source))
		return 0;
	sk_error(c->diag, u->source_span.file ? u->source_span : u->at, "source-mismatch",
		 "%s: the rule is defined again with a different source ('%s'; it was '%s')", u->what, source, was);
	sk_note(c->diag, d->it->name_span, "the rule is defined here");
	return -1;
}

static void stamp(sk_comp *c, struct ld_def *d)
{
	d->it->visibility = state(c)->counter++;
	d->dirty = true;
}

int sk_collect_define(sk_comp *c, const sk_upd *u)
{
	struct ld_def *d = find(c, u->kind, u->name);
	bool known = true;
	const char *source = *u->source ? u->source : "syscall";

	if (u->kind == SK_ITEM_RULE) {
		if (check_source(c, u, d, source) < 0) /* a definition's source is 'syscall' by default */
			return -1;
		known = !strcmp(source, "syscall");
		if (check_new_exceptions(c, u, known) < 0)
			return -1;
		if (!known)
			sk_warning(c->diag, u->source_span.file ? u->source_span : u->at, "unknown-source",
				   "%s: unknown source '%s'; the rule is skipped (saker knows the source 'syscall')",
				   u->what, source);
	}
	sk_item it = {
		.kind = u->kind,
		.name = u->name,
		.name_span = u->name_span,
		.item_span = u->at,
		.file = u->file,
		.line = u->line,
		.cond_span = u->cond_span,
		.output_span = u->output_span,
		.priority = u->priority,
		.priority_span = u->priority_span,
		.source = source,
		.enabled = u->has & SK_KB(ENABLED) ? u->enabled : true,
		.warn_evttypes = u->has & SK_KB(WARN) ? u->warn_evttypes : true,
		.skip_unknown = u->has & SK_KB(SKIP) ? u->skip_unknown : false,
		.skip_unknown_span = u->skip_span,
		.capture = u->has & SK_KB(CAPTURE) ? u->capture : false,
		.capture_duration = u->has & SK_KB(CAPDUR) ? u->capture_duration : 0,
		.action = u->has & SK_KB(ACTION) ? u->action : SAKER_ACTION_ALERT,
		.action_span = u->action_span,
	};
	it.raw = u->raw; /* grown with SK_PUSH by the reader: appends may push to it */
	it.n_raw = u->n_raw;
	if (d) {
		it.index = d->it->index; /* a redefinition keeps the place of the first */
	} else {
		d = def_new(c, u->kind, u->name);
		it.index = d->it->index;
	}
	*d->it = it;
	set_pieces(c, &d->cond, &d->n_cond, &u->cond);
	set_pieces(c, &d->output, &d->n_output, &u->output);
	set_pieces(c, &d->desc, &d->n_desc, &u->desc);
	set_tags(c, d, u);
	set_exceptions(c, d, u);
	d->unknown_source = !known;
	d->broken = false;
	stamp(c, d);
	return 0;
}

int sk_collect_append(sk_comp *c, const sk_upd *u)
{
	static const char *const kinds[] = { "list", "macro", "rule" };
	static const char *const keys[] = { "items", "condition", "<key>" };
	struct ld_def *d = find(c, u->kind, u->name);

	if (u->kind == SK_ITEM_RULE && check_source(c, u, d, u->source) < 0)
		return -1;
	if (!d) {
		sk_error(c->diag, u->name_span, "append-undefined",
			 "%s: uses 'append' or 'override.%s: append' but no %s by that name already exists",
			 u->what, keys[u->kind], kinds[u->kind]);
		return -1;
	}
	if (d->broken)
		return 0; /* its definition was refused already */
	sk_item *it = d->it;
	if (u->kind == SK_ITEM_LIST) {
		for (size_t i = 0; i < u->n_raw; i++)
			SK_PUSH(c->arena, it->raw, it->n_raw, u->raw[i]);
		stamp(c, d);
		return 0;
	}
	if (u->kind == SK_ITEM_MACRO) {
		SK_PUSH(c->arena, d->cond, d->n_cond, u->cond);
		stamp(c, d);
		return 0;
	}
	if (!(u->has & (SK_KB(COND) | SK_KB(EXC) | SK_KB(OUT) | SK_KB(DESC) | SK_KB(TAGS)))) {
		sk_error(c->diag, u->at, "append-empty", "%s: an appended rule must have exceptions or condition property", u->what);
		return -1;
	}

	/* Check every exception before changing anything: a new name is validated as in a
	 * definition; an existing name (also one added earlier in this item) takes values only. */
	int bad = 0;
	sk_names seen;
	sk_names_init(&seen, c->arena);
	for (size_t i = 0; i < u->n_exc; i++) {
		sk_exception *ex = &u->exc[i];
		bool exists = sk_names_get(&d->exc, ex->name) || sk_names_get(&seen, ex->name);
		if (!exists) {
			sk_names_set(&seen, ex->name, ex);
			if (!entry_valid(&ex->fields)) {
				sk_error(c->diag, ex->fields.span, "exception-fields",
					 "%s: new exception '%s' must have fields: a field, or a list of fields", u->what, ex->name);
				bad = 1;
			} else if (!ex->n_values) {
				sk_error(c->diag, ex->span, "exception-values",
					 "%s: new exception '%s' must have values", u->what, ex->name);
				bad = 1;
			} else if (sk_exc_validate(c, u->what, ex, !d->unknown_source) < 0) {
				bad = 1;
			}
		} else if (entry_valid(&ex->fields) || entry_valid(&ex->comps)) {
			sk_error(c->diag, entry_valid(&ex->fields) ? ex->fields.span : ex->comps.span, "exception-append",
				 "%s: exception '%s' exists already: an append can add values to it, not %s",
				 u->what, ex->name, entry_valid(&ex->fields) ? "fields" : "comps");
			sk_note(c->diag, ex->name_span, "values are appended to the exception of the same name");
			bad = 1;
		}
	}
	if (bad)
		return -1;

	if (u->has & SK_KB(COND))
		SK_PUSH(c->arena, d->cond, d->n_cond, u->cond);
	if (u->has & SK_KB(OUT))
		SK_PUSH(c->arena, d->output, d->n_output, u->output);
	if (u->has & SK_KB(DESC))
		SK_PUSH(c->arena, d->desc, d->n_desc, u->desc);
	for (size_t i = 0; i < u->n_tags; i++)
		SK_PUSH(c->arena, d->tags, d->n_tags, u->tags[i]);
	for (size_t i = 0; i < u->n_exc; i++) {
		sk_exception *ex = &u->exc[i];
		uintptr_t at = (uintptr_t)sk_names_get(&d->exc, ex->name);
		if (!at) {
			SK_PUSH(c->arena, it->exc, it->n_exc, *ex);
			sk_names_set(&d->exc, ex->name, (void *)(uintptr_t)it->n_exc);
			continue;
		}
		sk_exception *prev = &it->exc[at - 1];
		for (size_t k = 0; k < ex->n_values; k++)
			SK_PUSH(c->arena, prev->values, prev->n_values, ex->values[k]);
	}
	stamp(c, d);
	return 0;
}

int sk_collect_replace(sk_comp *c, const sk_upd *u)
{
	struct ld_def *d = find(c, u->kind, u->name);
	if (check_source(c, u, d, u->source) < 0)
		return -1;
	if (!d) {
		sk_error(c->diag, u->name_span, "replace-undefined",
			 "%s: an 'override.<key>: replace' to a rule was requested but no rule by that name already exists", u->what);
		return -1;
	}
	if (d->broken)
		return 0;
	/* Falco takes replaced exceptions as they are; saker checks them as a definition would, so
	 * that they cannot carry comps Falco has no default for. */
	if (check_new_exceptions(c, u, !d->unknown_source) < 0)
		return -1;
	sk_item *it = d->it;
	if (u->has & SK_KB(COND)) {
		set_pieces(c, &d->cond, &d->n_cond, &u->cond);
		it->cond_span = u->cond_span;
	}
	if (u->has & SK_KB(OUT)) {
		set_pieces(c, &d->output, &d->n_output, &u->output);
		it->output_span = u->output_span;
	}
	if (u->has & SK_KB(DESC))
		set_pieces(c, &d->desc, &d->n_desc, &u->desc);
	if (u->has & SK_KB(TAGS))
		set_tags(c, d, u);
	if (u->has & SK_KB(EXC))
		set_exceptions(c, d, u);
	if (u->has & SK_KB(PRIO)) {
		it->priority = u->priority;
		it->priority_span = u->priority_span;
	}
	if (u->has & SK_KB(CAPTURE))
		it->capture = u->capture;
	if (u->has & SK_KB(CAPDUR))
		it->capture_duration = u->capture_duration;
	if (u->has & SK_KB(ACTION)) {
		it->action = u->action;
		it->action_span = u->action_span;
	}
	if (u->has & SK_KB(ENABLED))
		it->enabled = u->enabled;
	if (u->has & SK_KB(WARN))
		it->warn_evttypes = u->warn_evttypes;
	if (u->has & SK_KB(SKIP)) {
		it->skip_unknown = u->skip_unknown;
		it->skip_unknown_span = u->skip_span;
	}
	stamp(c, d);
	return 0;
}

int sk_collect_enable(sk_comp *c, const sk_upd *u)
{
	struct ld_def *d = find(c, SK_ITEM_RULE, u->name);
	if (!d) {
		sk_error(c->diag, u->name_span, "enable-undefined",
			 "%s: has 'enabled' key but no rule by that name already exists", u->what);
		return -1;
	}
	if (!d->broken)
		d->it->enabled = u->enabled; /* no new stamp: Falco only flips the flag */
	return 0;
}

/* The pieces joined by one blank, as Falco concatenates appends; the blank sits where the
 * appended piece starts. */
static sk_text join(sk_comp *c, const sk_text *v, size_t n)
{
	if (n == 1)
		return v[0];
	sk_tb b;
	sk_tb_init(&b, c->arena);
	for (size_t i = 0; i < n; i++) {
		if (i)
			sk_tb_lit(&b, " ", sk_text_at(&v[i], 0));
		sk_tb_text(&b, &v[i]);
	}
	return sk_tb_done(&b, sk_text_at(&v[n - 1], v[n - 1].len));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void lay_out(sk_comp *c, struct ld_def *d)
{
	sk_item *it = d->it;
	if (it->kind != SK_ITEM_LIST && d->n_cond)
		it->cond = join(c, d->cond, d->n_cond);
	if (it->kind != SK_ITEM_RULE)
		return;
	if (d->n_output)
		it->output = join(c, d->output, d->n_output);
	if (d->n_desc) {
		sk_text t = join(c, d->desc, d->n_desc);
		it->desc = sk_arena_strndup(c->arena, t.str ? t.str : "", t.len);
	}
	/* tags are a set: sorted, each once */
	it->tags = sk_arena_alloc(c->arena, (d->n_tags + 1) * sizeof(*it->tags));
	if (d->n_tags) {
		memcpy(it->tags, d->tags, d->n_tags * sizeof(*it->tags));
		qsort(it->tags, d->n_tags, sizeof(*it->tags), cmp_str);
	}
	size_t w = 0;
	for (size_t i = 0; i < d->n_tags; i++)
		if (!w || strcmp(it->tags[i], it->tags[w - 1]))
			it->tags[w++] = it->tags[i];
	it->n_tags = w;
}

void sk_collect_finish(sk_comp *c)
{
	struct sk_ld *s = state(c);
	c->items = NULL;
	c->n_items = 0;
	for (size_t i = 0; i < s->n_all; i++) {
		struct ld_def *d = s->all[i];
		if (d->broken || d->unknown_source)
			continue;
		if (d->dirty)
			lay_out(c, d);
		d->dirty = false;
		sk_arena_push(c->arena, (void ***)&c->items, &c->n_items, d->it);
	}
}
