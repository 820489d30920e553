/* Loader: rules files (YAML, via libyaml) into lists, macros and rules, with every value located
 * in its file so that later passes can point at the exact byte a problem comes from. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#include "rules.h"

/* One file being loaded. */
struct ld {
	sk_comp *c;
	uint32_t file;              /* diag file id */
	const char *name;           /* file name (arena) */
	const unsigned char *text;  /* the file's bytes */
	size_t len;
	uint32_t *char_off;         /* libyaml counts characters: byte offset of each (malloc) */
	size_t n_chars;
	yaml_document_t *doc;
	int failed;                 /* an error was reported in this file */
};

#define LD_ERR(l, at, code, ...) do { sk_error((l)->c->diag, at, code, __VA_ARGS__); (l)->failed = 1; } while (0)

static uint32_t mark_off(const struct ld *l, yaml_mark_t m)
{
	if (m.index < l->n_chars)
		return l->char_off[m.index];
	return (uint32_t)l->len;
}

static sk_span node_span(const struct ld *l, const yaml_node_t *n)
{
	uint32_t s = mark_off(l, n->start_mark), e = mark_off(l, n->end_mark);
	/* A block scalar's end mark is on the line after its last one; point at the header then. */
	if (n->type == YAML_SCALAR_NODE && (n->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
					    n->data.scalar.style == YAML_FOLDED_SCALAR_STYLE))
		e = s + 1;
	while (e > s && (l->text[e - 1] == '\n' || l->text[e - 1] == ' ' || l->text[e - 1] == '\r'))
		e--;
	return (sk_span){ l->file, s, e > s ? e - s : 1 };
}

static yaml_node_t *node(const struct ld *l, yaml_node_item_t id)
{
	return yaml_document_get_node(l->doc, id);
}

static int is_ws(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static unsigned utf8_len(unsigned long cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* Length in the file (*ELEN) and in the value (*OLEN) of the double-quoted escape at S. */
static void esc_len(const unsigned char *s, size_t n, size_t *elen, size_t *olen)
{
	size_t digits = 0;
	*elen = n < 2 ? n : 2;
	*olen = 1;
	if (n < 2)
		return;
	switch (s[1]) {
	case 'N': case '_': *olen = 2; return;
	case 'L': case 'P': *olen = 3; return;
	case 'x': digits = 2; break;
	case 'u': digits = 4; break;
	case 'U': digits = 8; break;
	default: return;
	}
	if (n < 2 + digits)
		return;
	unsigned long cp = 0;
	for (size_t k = 0; k < digits; k++) {
		unsigned char h = s[2 + k];
		cp = cp * 16 + (h >= 'a' ? h - 'a' + 10u : h >= 'A' ? h - 'A' + 10u : h - (unsigned)'0');
	}
	*elen = 2 + digits;
	*olen = utf8_len(cp);
}

/* The scalar N as an sk_text whose map gives each value byte's offset in the file. The value
 * is the file's bytes minus indentation, folding and quoting, so walk both together: a value
 * byte is found at or after the file cursor, where whitespace may stand for any whitespace. */
static sk_text scalar_text(struct ld *l, const yaml_node_t *n)
{
	const unsigned char *v = n->data.scalar.value, *f = l->text;
	size_t len = n->data.scalar.length;
	size_t p = mark_off(l, n->start_mark), end = mark_off(l, n->end_mark);
	yaml_scalar_style_t st = n->data.scalar.style;
	int dq = st == YAML_DOUBLE_QUOTED_SCALAR_STYLE, sq = st == YAML_SINGLE_QUOTED_SCALAR_STYLE;
	uint32_t *map = sk_arena_alloc(l->c->arena, (len + 1) * sizeof(*map));
	size_t i = 0;

	if (st == YAML_LITERAL_SCALAR_STYLE || st == YAML_FOLDED_SCALAR_STYLE) {
		while (p < end && f[p] != '\n')
			p++; /* the header line: indicator, chomping, comment */
		if (p < end)
			p++;
	} else if (dq || sq) {
		p++;
	}
	while (i < len) {
		if (p > end)
			p = end;
		if (dq) {
			/* An escaped line break joins the lines and yields nothing. */
			while (p + 1 < end && f[p] == '\\' && (f[p + 1] == '\n' || f[p + 1] == '\r')) {
				p += 2;
				if (f[p - 1] == '\r' && p < end && f[p] == '\n')
					p++;
				while (p < end && (f[p] == ' ' || f[p] == '\t'))
					p++;
			}
			if (p < end && f[p] == '\\') {
				size_t elen, olen;
				esc_len(f + p, end - p, &elen, &olen);
				for (size_t k = 0; k < olen && i < len; k++)
					map[i++] = (uint32_t)p;
				p += elen;
				continue;
			}
		}
		if (sq && p + 1 < end && f[p] == '\'' && f[p + 1] == '\'') {
			map[i++] = (uint32_t)p;
			p += 2;
			continue;
		}
		if (is_ws(v[i])) {
			map[i++] = (uint32_t)p;
			if (p < end && is_ws(f[p]))
				p += (f[p] == '\r' && p + 1 < end && f[p + 1] == '\n') ? 2 : 1;
			continue;
		}
		size_t q = p;
		while (q < end && is_ws(f[q]))
			q++;
		if (q < end && f[q] == v[i]) {
			map[i++] = (uint32_t)q;
			p = q + 1;
		} else {
			map[i++] = (uint32_t)p; /* cannot happen with a well-formed scalar; stay put */
		}
	}
	map[len] = (uint32_t)(p < end ? p : end);
	return (sk_text){ sk_arena_strndup(l->c->arena, (const char *)v, len), len, l->file, map, 0 };
}

/* Drops leading and trailing whitespace, keeping the map aligned. */
static sk_text text_trim(sk_text t)
{
	size_t a = 0, b = t.len;
	while (a < b && is_ws((unsigned char)t.str[a]))
		a++;
	while (b > a && is_ws((unsigned char)t.str[b - 1]))
		b--;
	t.str += a;
	t.map += a;
	t.len = b - a;
	return t;
}

/* The value of KEY in mapping M (first occurrence), or NULL; *KEY_NODE gets the key's node. */
static yaml_node_t *get(const struct ld *l, const yaml_node_t *m, const char *key, yaml_node_t **key_node)
{
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(l, p->key);
		if (k && k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key)) {
			if (key_node)
				*key_node = k;
			return node(l, p->value);
		}
	}
	return NULL;
}

/* The scalar N as a string, or NULL after an error naming WHAT. */
static const char *scalar_str(struct ld *l, const yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE) {
		LD_ERR(l, node_span(l, n), "bad-value", "%s must be a string", what);
		return NULL;
	}
	return sk_arena_strndup(l->c->arena, (const char *)n->data.scalar.value, n->data.scalar.length);
}

/* YAML 1.1 booleans as Falco reads them. */
static int scalar_bool(struct ld *l, const yaml_node_t *n, const char *what, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "no", "off" };
	const char *s = scalar_str(l, n, what);
	if (!s)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	LD_ERR(l, node_span(l, n), "bad-value", "%s must be true or false, not '%s'", what, s);
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool valid_macro_name(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static bool valid_list_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (strchr("()\"'=, \t\n\r\f\v", *s))
			return false;
	return true;
}

static sk_item *find_item(sk_comp *c, enum sk_item_kind kind, const char *name, size_t *idx)
{
	for (size_t i = 0; i < c->n_items; i++) {
		if (c->items[i]->kind == kind && !strcmp(c->items[i]->name, name)) {
			if (idx)
				*idx = i;
			return c->items[i];
		}
	}
	return NULL;
}

/* Adds IT, or replaces the earlier definition of the same name in its place (Falco keeps the
 * original position and gives the new definition the current load stamp). */
static void define(sk_comp *c, sk_item *it)
{
	size_t idx;
	unsigned seq = 0;
	for (size_t i = 0; i < c->n_items; i++)
		if (c->items[i]->seq > seq)
			seq = c->items[i]->seq;
	it->seq = seq + 1;
	if (find_item(c, it->kind, it->name, &idx))
		c->items[idx] = it;
	else
		sk_arena_push(c->arena, (void ***)&c->items, &c->n_items, it);
}

static const char *const list_keys[] = { "list", "items", "append", "override", NULL };
static const char *const macro_keys[] = { "macro", "condition", "append", "override", NULL };
static const char *const rule_keys[] = { "rule", "desc", "condition", "output", "priority", "source",
	"enabled", "tags", "exceptions", "warn_evttypes", "skip-if-unknown-filter", "capture",
	"capture_duration", "append", "override", NULL };

/* Warns about keys outside KEYS and about repeated keys. */
static void check_keys(struct ld *l, const yaml_node_t *m, const char *const *keys, const char *what)
{
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(l, p->key);
		if (!k || k->type != YAML_SCALAR_NODE) {
			LD_ERR(l, k ? node_span(l, k) : node_span(l, m), "bad-key", "%s: keys must be strings", what);
			continue;
		}
		const char *name = (const char *)k->data.scalar.value;
		bool known = false;
		for (size_t i = 0; keys[i]; i++)
			known |= !strcmp(keys[i], name);
		if (!known)
			sk_warning(l->c->diag, node_span(l, k), "unknown-key", "%s: unknown key '%s' is ignored", what, name);
		for (yaml_node_pair_t *q = m->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *k2 = node(l, q->key);
			if (k2 && k2->type == YAML_SCALAR_NODE && !strcmp((const char *)k2->data.scalar.value, name)) {
				LD_ERR(l, node_span(l, k), "duplicate-key", "%s: key '%s' appears twice", what, name);
				break;
			}
		}
	}
}

/* append/override change an earlier definition; saker does not merge definitions yet, and
 * ignoring the keys would silently change what the rule matches. */
static int reject_merge(struct ld *l, const yaml_node_t *m, const char *what)
{
	yaml_node_t *k = NULL, *v;
	int bad = 0;
	if ((v = get(l, m, "append", &k))) {
		bool on = true;
		if (v->type == YAML_SCALAR_NODE && scalar_bool(l, v, "'append'", &on) == 0 && !on) {
			/* append: false is the default spelled out */
		} else {
			LD_ERR(l, node_span(l, k), "unsupported",
			       "'append' is not supported yet: %s would not include the definition it appends to "
			       "(write the whole definition; a later definition replaces an earlier one)", what);
			bad = 1;
		}
	}
	if (get(l, m, "override", &k)) {
		LD_ERR(l, node_span(l, k), "unsupported",
		       "'override' is not supported yet: %s would not be merged with its earlier definition "
		       "(write the whole definition; a later definition replaces an earlier one)", what);
		bad = 1;
	}
	return bad ? -1 : 0;
}

static sk_item *item_new(struct ld *l, enum sk_item_kind kind, const yaml_node_t *m,
			 const yaml_node_t *name_node, const char *name)
{
	sk_item *it = sk_arena_alloc(l->c->arena, sizeof(*it));
	unsigned col;
	it->kind = kind;
	it->name = name;
	it->name_span = node_span(l, name_node);
	it->item_span = node_span(l, m);
	it->file = l->name;
	sk_diag_position(l->c->diag, it->item_span, &it->line, &col);
	it->priority = -1;
	it->enabled = true;
	it->warn_evttypes = true;
	it->source = "syscall";
	return it;
}

static void load_list(struct ld *l, const yaml_node_t *m, const yaml_node_t *name_node, const char *name)
{
	char what[300];
	snprintf(what, sizeof(what), "list '%s'", name);
	check_keys(l, m, list_keys, what);
	if (!valid_list_name(name))
		sk_warning(l->c->diag, node_span(l, name_node), "bad-name",
			   "%s: the name cannot be referenced from a condition (it holds blanks, quotes, '(', ')', '=' or ',')", what);
	int bad = reject_merge(l, m, what);
	yaml_node_t *k = NULL, *items = get(l, m, "items", &k);
	if (!items) {
		LD_ERR(l, node_span(l, m), "missing-key", "%s: missing required key 'items'", what);
		return;
	}
	if (items->type != YAML_SEQUENCE_NODE) {
		LD_ERR(l, node_span(l, items), "bad-value", "%s: 'items' must be a sequence of values", what);
		return;
	}
	sk_item *it = item_new(l, SK_ITEM_LIST, m, name_node, name);
	for (yaml_node_item_t *p = items->data.sequence.items.start; p < items->data.sequence.items.top; p++) {
		yaml_node_t *v = node(l, *p);
		if (!v || v->type != YAML_SCALAR_NODE) {
			LD_ERR(l, v ? node_span(l, v) : node_span(l, items), "bad-value", "%s: list items must be single values", what);
			bad = 1;
			continue;
		}
		sk_span sp = node_span(l, v);
		sk_operand *o = sk_operand_new(l->c->arena, SK_OPD_VALUE, sp);
		const char *s = (const char *)v->data.scalar.value;
		size_t n = v->data.scalar.length;
		/* Falco pastes items into the condition text, so an item may carry its own quotes. */
		if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
			s++;
			n -= 2;
			o->quoted = true;
		} else {
			o->quoted = v->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
				    v->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		}
		o->text = sk_arena_strndup(l->c->arena, s, n);
		o->text_len = n;
		o->field = -1;
		sk_arena_push(l->c->arena, (void ***)&it->items, &it->n_items, o);
	}
	if (!bad)
		define(l->c, it);
}

static void load_macro(struct ld *l, const yaml_node_t *m, const yaml_node_t *name_node, const char *name)
{
	char what[300];
	snprintf(what, sizeof(what), "macro '%s'", name);
	check_keys(l, m, macro_keys, what);
	if (!valid_macro_name(name))
		sk_warning(l->c->diag, node_span(l, name_node), "bad-name",
			   "%s: the name cannot be referenced from a condition (use letters, digits and '_', starting with a letter)", what);
	int bad = reject_merge(l, m, what);
	yaml_node_t *cond = get(l, m, "condition", NULL);
	if (!cond) {
		LD_ERR(l, node_span(l, m), "missing-key", "%s: missing required key 'condition'", what);
		return;
	}
	if (cond->type != YAML_SCALAR_NODE) {
		LD_ERR(l, node_span(l, cond), "bad-value", "%s: 'condition' must be a string", what);
		return;
	}
	sk_item *it = item_new(l, SK_ITEM_MACRO, m, name_node, name);
	it->cond = scalar_text(l, cond);
	it->cond_span = node_span(l, cond);
	if (!bad)
		define(l->c, it);
}

static const char *prio_expected = "emergency, alert, critical, error, warning, notice, informational (or info), debug";

static void load_rule(struct ld *l, const yaml_node_t *m, const yaml_node_t *name_node, const char *name)
{
	char what[300];
	int bad = 0;
	yaml_node_t *k = NULL, *v;
	snprintf(what, sizeof(what), "rule '%s'", name);
	check_keys(l, m, rule_keys, what);
	if (reject_merge(l, m, what) < 0)
		return; /* a partial item: its missing keys would only be noise */
	if (get(l, m, "exceptions", &k)) {
		LD_ERR(l, node_span(l, k), "unsupported",
		       "'exceptions' is not supported yet: rule '%s' would match events its exceptions exclude", name);
		bad = 1;
	}
	if ((v = get(l, m, "skip-if-unknown-filter", &k))) {
		bool on = false;
		if (scalar_bool(l, v, "'skip-if-unknown-filter'", &on) < 0) {
			bad = 1;
		} else if (on) {
			LD_ERR(l, node_span(l, k), "unsupported",
			       "'skip-if-unknown-filter: true' is not supported yet: %s would be reported instead of skipped", what);
			bad = 1;
		}
	}

	/* The deprecated enable-only form toggles an earlier rule. */
	if (!get(l, m, "condition", NULL) && !get(l, m, "output", NULL) && !get(l, m, "desc", NULL) &&
	    !get(l, m, "priority", NULL) && (v = get(l, m, "enabled", &k))) {
		bool on;
		if (scalar_bool(l, v, "'enabled'", &on) < 0 || bad)
			return;
		sk_item *prev = find_item(l->c, SK_ITEM_RULE, name, NULL);
		if (!prev) {
			LD_ERR(l, node_span(l, name_node), "unknown-rule",
			       "%s: an item with only 'enabled' must refer to a rule defined earlier", what);
			return;
		}
		sk_warning(l->c->diag, node_span(l, k), "deprecated",
			   "%s: an item with only 'rule' and 'enabled' is deprecated (it toggles the earlier definition)", what);
		prev->enabled = on;
		return;
	}

	static const char *const required[] = { "desc", "condition", "output", "priority" };
	for (size_t i = 0; i < 4; i++) {
		if (!get(l, m, required[i], NULL)) {
			LD_ERR(l, node_span(l, m), "missing-key", "%s: missing required key '%s'", what, required[i]);
			bad = 1;
		}
	}
	sk_item *it = item_new(l, SK_ITEM_RULE, m, name_node, name);
	if ((v = get(l, m, "desc", NULL)) && !(it->desc = scalar_str(l, v, "'desc'")))
		bad = 1;
	if ((v = get(l, m, "condition", NULL))) {
		if (v->type != YAML_SCALAR_NODE) {
			LD_ERR(l, node_span(l, v), "bad-value", "%s: 'condition' must be a string", what);
			bad = 1;
		} else {
			it->cond = scalar_text(l, v);
			it->cond_span = node_span(l, v);
		}
	}
	if ((v = get(l, m, "output", NULL))) {
		if (v->type != YAML_SCALAR_NODE) {
			LD_ERR(l, node_span(l, v), "bad-value", "%s: 'output' must be a string", what);
			bad = 1;
		} else {
			it->output = text_trim(scalar_text(l, v));
			it->output_span = node_span(l, v);
		}
	}
	if ((v = get(l, m, "priority", NULL))) {
		const char *s = scalar_str(l, v, "'priority'");
		it->priority_span = node_span(l, v);
		if (!s) {
			bad = 1;
		} else if ((it->priority = saker_priority_parse(s)) < 0) {
			LD_ERR(l, it->priority_span, "bad-priority", "%s: unknown priority '%s' (expected %s)", what, s, prio_expected);
			bad = 1;
		}
	}
	if ((v = get(l, m, "enabled", NULL)) && scalar_bool(l, v, "'enabled'", &it->enabled) < 0)
		bad = 1;
	if ((v = get(l, m, "tags", NULL))) {
		if (v->type != YAML_SEQUENCE_NODE) {
			LD_ERR(l, node_span(l, v), "bad-value", "%s: 'tags' must be a sequence of strings", what);
			bad = 1;
		} else {
			for (yaml_node_item_t *p = v->data.sequence.items.start; p < v->data.sequence.items.top; p++) {
				const char *t = scalar_str(l, node(l, *p), "a tag");
				if (!t) {
					bad = 1;
					continue;
				}
				sk_arena_push(l->c->arena, (void ***)&it->tags, &it->n_tags, (void *)t);
			}
			if (it->n_tags > 1) {
				qsort(it->tags, it->n_tags, sizeof(*it->tags), cmp_str);
				size_t w = 1;
				for (size_t i = 1; i < it->n_tags; i++)
					if (strcmp(it->tags[i], it->tags[w - 1]))
						it->tags[w++] = it->tags[i];
				it->n_tags = w;
			}
		}
	}
	if ((v = get(l, m, "capture", &k))) {
		bool on = false;
		if (scalar_bool(l, v, "'capture'", &on) < 0)
			bad = 1;
		else if (on)
			sk_warning(l->c->diag, node_span(l, k), "unsupported", "%s: 'capture' is not supported; no capture is taken", what);
	}
	if ((v = get(l, m, "source", &k))) {
		const char *s = scalar_str(l, v, "'source'");
		if (!s) {
			bad = 1;
		} else if (strcmp(s, "syscall")) {
			sk_warning(l->c->diag, node_span(l, v), "unsupported-source",
				   "%s: source '%s' is not supported (only 'syscall'); the rule is skipped", what, s);
			return;
		}
	}
	if (!bad)
		define(l->c, it);
}

static void load_item(struct ld *l, const yaml_node_t *m)
{
	static const char *const order[] = { "required_engine_version", "required_plugin_versions", "list", "macro", "rule" };
	yaml_node_t *k = NULL, *v = NULL;
	size_t kind;

	if (m->type != YAML_MAPPING_NODE) {
		LD_ERR(l, node_span(l, m), "bad-item", "each item must be a mapping with a 'list', 'macro' or 'rule' key");
		return;
	}
	for (kind = 0; kind < 5; kind++)
		if ((v = get(l, m, order[kind], &k)))
			break;
	if (kind == 5) {
		sk_warning(l->c->diag, node_span(l, m), "unknown-item",
			   "unknown top-level item (expected 'list', 'macro', 'rule', 'required_engine_version' or 'required_plugin_versions'); ignored");
		return;
	}
	if (kind < 2)
		return; /* saker implements the whole language it accepts; nothing to check against */
	const char *name = scalar_str(l, v, order[kind]);
	if (!name)
		return;
	if (!*name) {
		LD_ERR(l, node_span(l, v), "bad-name", "a %s needs a name", order[kind]);
		return;
	}
	if (kind == 2)
		load_list(l, m, v, name);
	else if (kind == 3)
		load_macro(l, m, v, name);
	else
		load_rule(l, m, v, name);
}

static void yaml_error(struct ld *l, const yaml_parser_t *p)
{
	sk_diag *d = l->c->diag;
	sk_span at;
	const char *problem = p->problem ? p->problem : "cannot parse";
	if (p->error == YAML_READER_ERROR) {
		uint32_t off = p->problem_offset < l->len ? (uint32_t)p->problem_offset : (uint32_t)l->len;
		at = (sk_span){ l->file, off, 1 };
		sk_error(d, at, "yaml", "invalid YAML: %s", problem);
	} else {
		at = (sk_span){ l->file, mark_off(l, p->problem_mark), 1 };
		if (p->context)
			sk_error(d, at, "yaml", "invalid YAML: %s %s", problem, p->context);
		else
			sk_error(d, at, "yaml", "invalid YAML: %s", problem);
		if (p->context && p->context_mark.index != p->problem_mark.index)
			sk_note(d, ((sk_span){ l->file, mark_off(l, p->context_mark), 1 }), "the construct started here");
	}
	l->failed = 1;
}

/* libyaml's scanner takes time quadratic in the flow nesting depth, so a few hundred kilobytes of
 * "[[[[" would take hours to load: refuse nesting that no rules file needs, before loading. */
#define LD_MAX_NESTING 1000

/* Returns 0 when TEXT nests at most LD_MAX_NESTING levels (or has a syntax error, which the load
 * reports), -1 after reporting deeper nesting, -ENOMEM. */
static int check_nesting(struct ld *l, const char *text, size_t len)
{
	yaml_parser_t p;
	int depth = 0, ret = 0;

	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev))
			break;
		yaml_event_type_t t = ev.type;
		if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
			if (++depth > LD_MAX_NESTING) {
				LD_ERR(l, ((sk_span){ l->file, mark_off(l, ev.start_mark), 1 }), "yaml",
				       "invalid YAML: nested more than %d levels deep", LD_MAX_NESTING);
				ret = -1;
			}
		} else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		yaml_event_delete(&ev);
		if (ret || t == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&p);
	return ret;
}

/* Loads TEXT (already registered as FILE). */
static int load_text(sk_comp *c, uint32_t file, const char *name, const char *text, size_t len)
{
	struct ld l = { .c = c, .file = file, .name = sk_arena_strdup(c->arena, name),
			.text = (const unsigned char *)text, .len = len };
	yaml_parser_t parser;

	l.char_off = sk_char_offsets(text, len, &l.n_chars);
	if (!l.char_off)
		return -ENOMEM;

	int nest = check_nesting(&l, text, len);
	if (nest < 0 || !yaml_parser_initialize(&parser)) {
		free(l.char_off);
		return nest < 0 ? nest : -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	for (;;) {
		yaml_document_t doc;
		if (!yaml_parser_load(&parser, &doc)) {
			yaml_error(&l, &parser);
			break;
		}
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		l.doc = &doc;
		if (root->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *p = root->data.sequence.items.start; p < root->data.sequence.items.top; p++)
				load_item(&l, node(&l, *p));
		} else if (!(root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0)) {
			LD_ERR(&l, node_span(&l, root), "bad-document",
			       "a rules file must be a sequence of items ('- rule: ...', '- macro: ...', '- list: ...')");
		}
		l.doc = NULL;
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	free(l.char_off);
	return l.failed ? -1 : 0;
}

int sk_load_string(sk_comp *c, const char *name, const char *yaml, size_t len)
{
	if (len > UINT32_MAX - 1) {
		sk_error(c->diag, (sk_span){ 0 }, "io", "%s: file too large", name);
		return -EFBIG;
	}
	uint32_t file = sk_diag_add_file(c->diag, name, yaml, len);
	return load_text(c, file, name, yaml, len);
}

static int load_file(sk_comp *c, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int err = 0;

	if (!f) {
		err = -errno;
		sk_error(c->diag, (sk_span){ 0 }, "io", "cannot open '%s': %s", path, strerror(-err));
		return err;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, cap);
			if (!nb) {
				err = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		err = -EIO;
		sk_error(c->diag, (sk_span){ 0 }, "io", "cannot read '%s'", path);
		goto out;
	}
	err = sk_load_string(c, path, buf ? buf : "", len);
out:
	if (err == -ENOMEM)
		sk_error(c->diag, (sk_span){ 0 }, "io", "out of memory reading '%s'", path);
	free(buf);
	fclose(f);
	return err;
}

static int load_dir(sk_comp *c, const char *path)
{
	DIR *dir = opendir(path);
	char **names = NULL;
	size_t n = 0;
	int err = 0, rc;

	if (!dir) {
		err = -errno;
		sk_error(c->diag, (sk_span){ 0 }, "io", "cannot open folder '%s': %s", path, strerror(-err));
		return err;
	}
	for (struct dirent *e; (e = readdir(dir));) {
		size_t len = strlen(e->d_name);
		if (len <= 5 || strcmp(e->d_name + len - 5, ".yaml") || e->d_name[0] == '.')
			continue;
		const char *full = sk_arena_printf(c->arena, "%s%s%s", path,
						   path[strlen(path) - 1] == '/' ? "" : "/", e->d_name);
		struct stat st;
		if (stat(full, &st) || !S_ISREG(st.st_mode))
			continue;
		sk_arena_push(c->arena, (void ***)&names, &n, (void *)full);
	}
	closedir(dir);
	if (n == 0)
		sk_warning(c->diag, (sk_span){ 0 }, "empty-folder", "folder '%s' holds no *.yaml files", path);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		rc = load_file(c, names[i]);
		if (rc < -1 || (rc == -1 && err == 0))
			err = rc;
	}
	return err;
}

/* Returns 0, -1 when the input had errors, or another negative errno for I/O failures (the
 * caller may exit differently for those). Every path is loaded even after a failure. */
int sk_load_paths(sk_comp *c, const char *const *paths, size_t n)
{
	int err = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		int rc;
		if (stat(paths[i], &st)) {
			rc = -errno;
			sk_error(c->diag, (sk_span){ 0 }, "io", "cannot open '%s': %s", paths[i], strerror(-rc));
		} else if (S_ISDIR(st.st_mode)) {
			rc = load_dir(c, paths[i]);
		} else {
			rc = load_file(c, paths[i]);
		}
		if (rc < -1 || (rc == -1 && err == 0))
			err = rc;
	}
	return err;
}
