/* Loader: reads rules files (YAML, via libyaml) as Falco's reader does (falco/RULES-SCHEMA.md
 * section 1): each item decoded with its keys checked, every value located in its file so that
 * later passes can point at the exact byte a problem comes from; the collector (collect.c)
 * then applies each item. Files are read without blocking and with a bounded size. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "check.h"
#include "collect.h"
#include "names.h"
#include "parse.h"
#include "rules.h"
#include "saker/bundle.h"
#include "saker/version.h"

/* A rules file larger than this is refused: Falco's whole default ruleset is 0.1 MiB. */
#define LD_MAX_FILE (16u << 20)

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
	int bad;                    /* an error was reported in the current item */
	size_t defined;             /* list, macro and rule items read */
	size_t work, max_work;      /* values decoded, and how many the file may take */
	int work_hit;               /* max_work reached (reported once) */
};

#define LD_ERR(l, at, code, ...) do { sk_error((l)->c->diag, at, code, __VA_ARGS__); (l)->failed = 1; (l)->bad = 1; } while (0)

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
	return (sk_text){ .str = sk_arena_strndup(l->c->arena, (const char *)v, len), .len = len, .file = l->file, .map = map };
}

/* Drops leading and trailing whitespace, keeping the map aligned (and the string terminated,
 * for those who read it as a C string). */
static sk_text text_trim(struct ld *l, sk_text t)
{
	size_t a = 0, b = t.len;
	while (a < b && is_ws((unsigned char)t.str[a]))
		a++;
	while (b > a && is_ws((unsigned char)t.str[b - 1]))
		b--;
	t.str = sk_arena_strndup(l->c->arena, t.str + a, b - a);
	t.map += a;
	t.len = b - a;
	return t;
}


/* ---- values ---- */

/* YAML aliases let a small file name the same values many times over; decoding counts each
 * value against a budget proportional to the file, so that no file makes the loader's work or
 * memory explode. Returns -1 (reported once) when the budget is spent. */
static int spend(struct ld *l, size_t n, const yaml_node_t *at)
{
	if (!l->work_hit && n <= l->max_work - l->work) {
		l->work += n;
		return 0;
	}
	if (!l->work_hit)
		LD_ERR(l, node_span(l, at), "too-complex",
		       "the file names too many values through YAML aliases (more than %zu in all)", l->max_work);
	l->work_hit = 1;
	l->bad = 1;
	return -1;
}

/* yaml-cpp's null: a plain ~, null, Null, NULL or nothing. */
static bool is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *s = (const char *)n->data.scalar.value;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static const char *node_kind(const yaml_node_t *n)
{
	return n->type == YAML_SEQUENCE_NODE ? "a sequence" : n->type == YAML_MAPPING_NODE ? "a mapping" : "a value";
}

/* The value of KEY in mapping M (the first of repeated keys, as yaml-cpp), or NULL; *KEY_NODE
 * gets the key's node. */
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

static const char *str_of(struct ld *l, const yaml_node_t *n)
{
	return sk_arena_strndup(l->c->arena, (const char *)n->data.scalar.value, n->data.scalar.length);
}

/* Falco's decode_val: the value of KEY must be a non-empty scalar. Returns it, or NULL when the
 * key is absent and OPTIONAL (no error), or after an error. */
static yaml_node_t *scalar_key(struct ld *l, const yaml_node_t *m, const char *key, const char *what, bool optional)
{
	yaml_node_t *v = get(l, m, key, NULL);
	if (!v) {
		if (!optional)
			LD_ERR(l, node_span(l, m), "missing-key", "%s: missing required key '%s'", what, key);
		return NULL;
	}
	if (is_null(v))
		LD_ERR(l, node_span(l, v), "bad-value", "%s: '%s' is empty", what, key);
	else if (v->type != YAML_SCALAR_NODE)
		LD_ERR(l, node_span(l, v), "bad-value", "%s: '%s' must be a single value, not %s", what, key, node_kind(v));
	else if (v->data.scalar.length == 0)
		LD_ERR(l, node_span(l, v), "bad-value", "%s: '%s' must not be empty", what, key);
	else
		return v;
	return NULL;
}

/* yaml-cpp's booleans: y, yes, true, on and n, no, false, off, in lower case, upper case or
 * capitalised. Returns 0 with *OUT, or -1. */
static int parse_bool(const char *s, bool *out)
{
	static const char *const names[][2] = { { "y", "n" }, { "yes", "no" }, { "true", "false" }, { "on", "off" } };
	size_t n = strlen(s), lower = 0, upper = 0;
	for (size_t i = 0; i < n; i++) {
		lower += s[i] >= 'a' && s[i] <= 'z';
		upper += s[i] >= 'A' && s[i] <= 'Z';
	}
	bool flexible = lower == n || upper == n || (n && s[0] >= 'A' && s[0] <= 'Z' && lower == n - 1);
	for (size_t i = 0; flexible && i < 4; i++)
		for (int v = 0; v < 2; v++)
			if (!strcasecmp(s, names[i][v])) {
				*out = v == 0;
				return 0;
			}
	return -1;
}

/* yaml-cpp's unsigned integers: decimal, 0x hex or 0 octal, nothing else. */
static int parse_uint(const char *s, unsigned *out)
{
	if (!(*s >= '0' && *s <= '9'))
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 0);
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* An optional boolean key. Returns 1 with *OUT, 0 when absent, -1 after an error. */
static int bool_key(struct ld *l, const yaml_node_t *m, const char *key, const char *what, bool optional, bool *out)
{
	yaml_node_t *v = scalar_key(l, m, key, what, optional);
	if (!v)
		return l->bad ? -1 : 0;
	if (parse_bool((const char *)v->data.scalar.value, out) < 0) {
		LD_ERR(l, node_span(l, v), "bad-value", "%s: '%s' must be true or false, not '%s'", what, key, str_of(l, v));
		return -1;
	}
	return 1;
}

static int uint_key(struct ld *l, const yaml_node_t *m, const char *key, const char *what, unsigned *out)
{
	yaml_node_t *v = scalar_key(l, m, key, what, true);
	if (!v)
		return l->bad ? -1 : 0;
	if (parse_uint((const char *)v->data.scalar.value, out) < 0) {
		LD_ERR(l, node_span(l, v), "bad-value", "%s: '%s' must be a whole number, not '%s'", what, key, str_of(l, v));
		return -1;
	}
	return 1;
}

static sk_scalar scalar_of(struct ld *l, const yaml_node_t *n)
{
	return (sk_scalar){ scalar_text(l, n), node_span(l, n) };
}

/* A sequence of scalars (list items, tags): Falco's decode_seq. Returns the number of values
 * (pushed to *OUT), or -1 after an error. */
static int scalar_seq(struct ld *l, const yaml_node_t *v, const char *key, const char *what, sk_scalar **out, size_t *n)
{
	if (v->type != YAML_SEQUENCE_NODE) {
		LD_ERR(l, node_span(l, v), "bad-value", "%s: '%s' must be a sequence of values", what, key);
		return -1;
	}
	for (yaml_node_item_t *p = v->data.sequence.items.start; p < v->data.sequence.items.top; p++) {
		yaml_node_t *e = node(l, *p);
		if (spend(l, 1, v) < 0)
			return -1;
		if (!e || e->type != YAML_SCALAR_NODE || is_null(e)) {
			LD_ERR(l, e ? node_span(l, e) : node_span(l, v), "bad-value", "%s: each of '%s' must be a single value", what, key);
			continue;
		}
		SK_PUSH(l->c->arena, *out, *n, scalar_of(l, e));
	}
	return l->bad ? -1 : (int)*n;
}

static int tags_key(struct ld *l, const yaml_node_t *m, const char *what, sk_upd *u)
{
	yaml_node_t *v = get(l, m, "tags", NULL);
	sk_scalar *vals = NULL;
	size_t n = 0;
	if (!v)
		return 0;
	if (scalar_seq(l, v, "tags", what, &vals, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		SK_PUSH(l->c->arena, u->tags, u->n_tags, sk_arena_strndup(l->c->arena, vals[i].text.str, vals[i].text.len));
	return 1;
}

/* A text key: a non-empty scalar, with its bytes located. */
static int text_key(struct ld *l, const yaml_node_t *m, const char *key, const char *what, bool optional,
		    sk_text *t, sk_span *sp)
{
	yaml_node_t *v = scalar_key(l, m, key, what, optional);
	if (!v)
		return l->bad ? -1 : 0;
	*t = scalar_text(l, v);
	if (sp)
		*sp = node_span(l, v);
	return 1;
}

/* ---- exceptions ---- */

/* Lists deeper than a tuple's list value are never read by Falco's condition builder: they are
 * not decoded, so that aliases cannot make them large. */
#define LD_EXC_DEPTH 3

/* Falco's decode_exception_info_entry: a non-empty scalar, or a list of entries. */
static void exc_entry(struct ld *l, const yaml_node_t *v, const char *what, const char *key, sk_exc_entry *out, int depth)
{
	memset(out, 0, sizeof(*out));
	out->span = node_span(l, v);
	if (spend(l, 1, v) < 0)
		return;
	if (v->type == YAML_SCALAR_NODE && !is_null(v)) {
		if (!v->data.scalar.length) {
			LD_ERR(l, out->span, "bad-value", "%s: '%s' must not hold empty values", what, key);
			return;
		}
		out->item = scalar_of(l, v);
	} else if (v->type == YAML_SEQUENCE_NODE) {
		out->is_list = true;
		if (depth >= LD_EXC_DEPTH)
			return;
		for (yaml_node_item_t *p = v->data.sequence.items.start; p < v->data.sequence.items.top; p++) {
			sk_exc_entry e;
			exc_entry(l, node(l, *p), what, key, &e, depth + 1);
			SK_PUSH(l->c->arena, out->items, out->n_items, e);
		}
	}
}

static const char *const exc_keys[] = { "name", "fields", "comps", "values", NULL };

static void check_keys(struct ld *l, const yaml_node_t *m, const char *const *keys, const char *what);

/* Falco's read_rule_exceptions. APPEND: the item appends to a rule, where fields may be left
 * out (the values then go to the exception of the same name). Returns 1 when the key is there. */
static int exceptions_key(struct ld *l, const yaml_node_t *m, const char *what, bool append, sk_upd *u)
{
	yaml_node_t *k = NULL, *v = get(l, m, "exceptions", &k);
	if (!v || is_null(v))
		return v ? 1 : 0;
	if (v->type != YAML_SEQUENCE_NODE) {
		LD_ERR(l, node_span(l, v), "bad-value", "%s: 'exceptions' must be a sequence", what);
		return -1;
	}
	sk_names names;
	sk_names_init(&names, l->c->arena);
	for (yaml_node_item_t *p = v->data.sequence.items.start; p < v->data.sequence.items.top; p++) {
		yaml_node_t *e = node(l, *p);
		if (e->type != YAML_MAPPING_NODE) {
			LD_ERR(l, node_span(l, e), "bad-value", "%s: each exception must be a mapping with name, fields, comps and values", what);
			continue;
		}
		yaml_node_t *nm = scalar_key(l, e, "name", what, false);
		if (!nm)
			continue;
		sk_exception ex = { .name = str_of(l, nm), .span = node_span(l, e), .name_span = node_span(l, nm) };
		const char *ewhat = sk_arena_printf(l->c->arena, "%s: exception '%s'", what, ex.name);
		check_keys(l, e, exc_keys, ewhat);
		if (sk_names_get(&names, ex.name))
			sk_warning(l->c->diag, ex.name_span, "duplicate-exception",
				   "%s: multiple definitions of exception '%s' in the same rule", what, ex.name);
		sk_names_set(&names, ex.name, &names);
		yaml_node_t *f = get(l, e, "fields", NULL), *c = get(l, e, "comps", NULL), *vals = get(l, e, "values", NULL);
		if (f)
			exc_entry(l, f, ewhat, "fields", &ex.fields, 1);
		else if (!append)
			LD_ERR(l, ex.span, "missing-key", "%s: missing required key 'fields'", ewhat);
		if (!f)
			ex.fields.span = ex.name_span;
		if (c)
			exc_entry(l, c, ewhat, "comps", &ex.comps, 1);
		else
			ex.comps.span = ex.fields.span;
		if (vals && vals->type != YAML_SEQUENCE_NODE) {
			LD_ERR(l, node_span(l, vals), "bad-value", "%s: 'values' must be a sequence", ewhat);
		} else if (vals) {
			for (yaml_node_item_t *q = vals->data.sequence.items.start; q < vals->data.sequence.items.top; q++) {
				sk_exc_entry val;
				exc_entry(l, node(l, *q), ewhat, "values", &val, 1);
				SK_PUSH(l->c->arena, ex.values, ex.n_values, val);
			}
		} else if (append) {
			sk_warning(l->c->diag, ex.name_span, "exception-no-values", "%s: appends an exception with no values", what);
		}
		SK_PUSH(l->c->arena, u->exc, u->n_exc, ex);
	}
	return l->bad ? -1 : 1;
}

/* ---- keys ---- */

static const char *const list_keys[] = { "list", "items", "append", "override", NULL };
static const char *const macro_keys[] = { "macro", "condition", "append", "override", NULL };
static const char *const rule_keys[] = { "rule", "condition", "output", "desc", "priority", "source",
	"enabled", "capture", "capture_duration", "warn_evttypes", "skip-if-unknown-filter", "tags",
	"exceptions", "override", "append", "action", NULL };
static const char *const engine_keys[] = { "required_engine_version", NULL };
static const char *const plugins_keys[] = { "required_plugin_versions", NULL };

/* Warns about keys outside KEYS (with the nearest known key) and about repeated keys, of
 * which the first counts (yaml-cpp). */
static void check_keys(struct ld *l, const yaml_node_t *m, const char *const *keys, const char *what)
{
	size_t n_keys = 0;
	while (keys[n_keys])
		n_keys++;
	/* repeated keys: a scan for the few keys items have, a table for mappings with many */
	size_t n_pairs = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
	sk_names seen;
	sk_names_init(&seen, l->c->arena);
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
		if (!known) {
			sk_warning(l->c->diag, node_span(l, k), "unknown-key", "%s: unknown key '%s' is ignored", what, name);
			const char *fix = sk_nearest(name, keys, n_keys);
			if (fix)
				sk_note(l->c->diag, node_span(l, k), "did you mean '%s'?", fix);
		}
		bool again = false;
		if (n_pairs <= 16) {
			for (yaml_node_pair_t *q = m->data.mapping.pairs.start; q < p && !again; q++) {
				yaml_node_t *k2 = node(l, q->key);
				again = k2 && k2->type == YAML_SCALAR_NODE && !strcmp((const char *)k2->data.scalar.value, name);
			}
		} else {
			again = sk_names_get(&seen, name) != NULL;
			sk_names_set(&seen, name, k);
		}
		if (again)
			sk_warning(l->c->diag, node_span(l, k), "duplicate-key",
				   "%s: key '%s' appears twice; the first one counts", what, name);
	}
}

/* Warns about KEY in M, which this kind of item reads no further (Falco ignores it silently). */
static void ignored_key(struct ld *l, const yaml_node_t *m, const char *key, const char *what, const char *why)
{
	yaml_node_t *k = NULL;
	if (get(l, m, key, &k))
		sk_warning(l->c->diag, node_span(l, k), "ignored-key", "%s: '%s' is ignored: %s", what, key, why);
}

/* Falco's decode_overrides: KEYS[i] may be appended to when APPENDABLE has bit i, replaced when
 * REPLACEABLE has it. Sets *ADD and *REP; returns -1 after errors. */
static int overrides(struct ld *l, const yaml_node_t *m, const char *what, const char *const *keys, size_t n,
		     unsigned appendable, unsigned replaceable, unsigned *add, unsigned *rep, sk_span *at)
{
	yaml_node_t *k = NULL, *ov = get(l, m, "override", &k);
	*add = *rep = 0;
	if (!ov)
		return 0;
	if (ov->type == YAML_SCALAR_NODE) {
		sk_warning(l->c->diag, node_span(l, ov), "ignored-key",
			   "%s: 'override' is a single value and is ignored, as Falco ignores it "
			   "(it maps keys to 'append' or 'replace', e.g. 'override: {condition: append}')", what);
		return 0;
	}
	if (ov->type != YAML_MAPPING_NODE) {
		LD_ERR(l, node_span(l, ov), "bad-value", "%s: 'override' must map keys to 'append' or 'replace'", what);
		return -1;
	}
	for (yaml_node_pair_t *p = ov->data.mapping.pairs.start; p < ov->data.mapping.pairs.top; p++) {
		yaml_node_t *key = node(l, p->key), *op = node(l, p->value);
		if (key->type != YAML_SCALAR_NODE || op->type != YAML_SCALAR_NODE) {
			LD_ERR(l, node_span(l, key->type != YAML_SCALAR_NODE ? key : op), "bad-value",
			       "%s: 'override' must map keys to 'append' or 'replace'", what);
			continue;
		}
		const char *name = (const char *)key->data.scalar.value, *o = (const char *)op->data.scalar.value;
		unsigned bit = 0;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(keys[i], name)) {
				bit = 1u << i;
				if (at)
					at[i] = node_span(l, key);
			}
		if (!strcmp(o, "append")) {
			if (!(bit & appendable))
				LD_ERR(l, node_span(l, key), "bad-override", "%s: key '%s' cannot be appended to, use 'replace' instead", what, name);
			*add |= bit;
		} else if (!strcmp(o, "replace")) {
			if (!(bit & replaceable))
				LD_ERR(l, node_span(l, key), "bad-override", "%s: key '%s' cannot be replaced", what, name);
			*rep |= bit;
		} else {
			LD_ERR(l, node_span(l, op), "bad-override", "%s: invalid override operation for key '%s': '%s' (allowed: %s)",
			       what, name, o, bit & appendable ? "append, replace" : bit & replaceable ? "replace" : "none");
		}
	}
	return l->bad ? -1 : 0;
}

/* The deprecated 'append: true'. Returns 1 when set, 0 when absent or false, -1. */
static int append_flag(struct ld *l, const yaml_node_t *m, const char *what)
{
	bool on = false;
	int rc = bool_key(l, m, "append", what, true, &on);
	if (rc < 0)
		return -1;
	if (rc && on) {
		yaml_node_t *k = NULL;
		get(l, m, "append", &k);
		sk_warning(l->c->diag, node_span(l, k), "deprecated",
			   "%s: 'append' key is deprecated; add an 'append' entry (e.g. 'condition: append') under 'override' instead", what);
		return 1;
	}
	return 0;
}

static int both_append_and_override(struct ld *l, const yaml_node_t *m, const char *what)
{
	yaml_node_t *k = NULL;
	get(l, m, "override", &k);
	LD_ERR(l, node_span(l, k), "bad-override",
	       "%s: keys 'override' and 'append: true' cannot be used together; add an 'append' entry "
	       "(e.g. 'condition: append') under 'override' instead", what);
	return -1;
}

static sk_upd upd_new(struct ld *l, enum sk_item_kind kind, const yaml_node_t *m, const yaml_node_t *name_node,
		      const char *name, const char *what)
{
	sk_upd u = { .kind = kind, .name = name, .what = what,
		     .at = node_span(l, m), .name_span = node_span(l, name_node), .file = l->name, .source = "",
		     .priority = -1 };
	unsigned col;
	sk_diag_position(l->c->diag, u.at, &u.line, &col);
	return u;
}

/* ---- items ---- */

static void collected(struct ld *l, int rc)
{
	if (rc < 0)
		l->failed = 1;
}

/* Appends U, or defines it; a definition with errors leaves a failed definition behind. */
static void apply(struct ld *l, const sk_upd *u, bool append)
{
	if (l->bad) {
		if (!append)
			sk_collect_failed(l->c, u->kind, u->name);
		return;
	}
	collected(l, append ? sk_collect_append(l->c, u) : sk_collect_define(l->c, u));
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

/* A list or a macro: one key (items, condition) that is defined, or appended to. */
static void load_list_or_macro(struct ld *l, enum sk_item_kind kind, const yaml_node_t *m, const yaml_node_t *name_node,
			       const char *name, const char *what)
{
	bool list = kind == SK_ITEM_LIST;
	sk_upd u = upd_new(l, kind, m, name_node, name, what);
	if (list ? !valid_list_name(name) : !sk_parse_is_ident(name))
		sk_warning(l->c->diag, u.name_span, "bad-name", "%s: the name cannot be referenced from a condition (%s)", what,
			   list ? "it holds blanks, quotes, '(', ')', '=' or ','"
				: "use letters, digits and '_', starting with a letter");
	if (!list) {
		text_key(l, m, "condition", what, false, &u.cond, &u.cond_span);
	} else if (!get(l, m, "items", NULL)) {
		LD_ERR(l, u.at, "missing-key", "%s: missing required key 'items'", what);
	} else {
		scalar_seq(l, get(l, m, "items", NULL), "items", what, &u.raw, &u.n_raw);
	}
	int append = append_flag(l, m, what);
	const char *const keys[] = { list ? "items" : "condition" };
	unsigned add, rep;
	overrides(l, m, what, keys, 1, 1, 1, &add, &rep, NULL);
	if (append > 0 && (add | rep))
		both_append_and_override(l, m, what);
	check_keys(l, m, list ? list_keys : macro_keys, what);
	/* One key only: append it, or define the whole item (a replace included). */
	apply(l, &u, append > 0 || add);
}

static const char *const upd_keys[] = {
#define X(id, name, appendable) name,
	SK_UPD_KEYS(X)
#undef X
};
static const unsigned appendable_keys = 0
#define X(id, name, appendable) | (appendable ? SK_KB(id) : 0)
	SK_UPD_KEYS(X)
#undef X
	;

static const char *prio_expected = "emergency, alert, critical, error, warning, notice, informational (or info), debug";

/* Reads the key K into U (Falco reads each the same way whether it defines, appends or replaces). */
static void read_key(struct ld *l, const yaml_node_t *m, enum sk_upd_key k, bool append, sk_upd *u)
{
	int rc = 0;
	const char *what = u->what;
	yaml_node_t *v;
	switch (k) {
	case SK_K_COND: rc = text_key(l, m, "condition", what, false, &u->cond, &u->cond_span); break;
	case SK_K_OUT: rc = text_key(l, m, "output", what, false, &u->output, &u->output_span); break;
	case SK_K_DESC: rc = text_key(l, m, "desc", what, false, &u->desc, NULL); break;
	case SK_K_TAGS: rc = tags_key(l, m, what, u); break;
	case SK_K_EXC: rc = exceptions_key(l, m, what, append, u); break;
	case SK_K_PRIO:
		if ((v = scalar_key(l, m, "priority", what, false))) {
			u->priority_span = node_span(l, v);
			u->priority = saker_priority_parse((const char *)v->data.scalar.value);
			if (u->priority < 0) {
				static const char *const names[] = {"emergency", "alert", "critical", "error", "warning",
								    "notice", "informational", "info", "debug"};
				char low[32];
				size_t i = 0;
				for (const char *c = str_of(l, v); *c && i + 1 < sizeof(low); c++)
					low[i++] = (char)tolower((unsigned char)*c);
				low[i] = 0;
				const char *fix = sk_nearest(low, names, sizeof(names) / sizeof(names[0]));
				LD_ERR(l, u->priority_span, "bad-priority", "%s: unknown priority '%s' (expected %s)",
				       what, str_of(l, v), prio_expected);
				if (fix)
					sk_note(l->c->diag, u->priority_span, "did you mean '%s'?", fix);
			}
			rc = u->priority < 0 ? -1 : 1;
		}
		break;
	case SK_K_CAPTURE:
		rc = bool_key(l, m, "capture", what, true, &u->capture);
		if (rc > 0 && u->capture) {
			yaml_node_t *key = NULL;
			get(l, m, "capture", &key);
			sk_warning(l->c->diag, node_span(l, key), "unsupported", "%s: 'capture' is accepted, but saker takes no capture", what);
		}
		break;
	case SK_K_CAPDUR: rc = uint_key(l, m, "capture_duration", what, &u->capture_duration); break;
	case SK_K_ENABLED: rc = bool_key(l, m, "enabled", what, true, &u->enabled); break;
	case SK_K_WARN: rc = bool_key(l, m, "warn_evttypes", what, true, &u->warn_evttypes); break;
	case SK_K_SKIP:
		rc = bool_key(l, m, "skip-if-unknown-filter", what, true, &u->skip_unknown);
		if (rc > 0) {
			yaml_node_t *key = NULL;
			get(l, m, "skip-if-unknown-filter", &key);
			u->skip_span = node_span(l, key);
		}
		break;
	case SK_K_ACTION:
		if ((v = scalar_key(l, m, "action", what, true))) {
			u->action_span = node_span(l, v);
			u->action = saker_action_parse(str_of(l, v));
			if (u->action < 0) {
				const char *fix = sk_nearest(str_of(l, v), saker_action_names, SAKER_ACTION__COUNT);
				LD_ERR(l, u->action_span, "bad-value", "%s: unknown action '%s' (expected alert, kill or deny)",
				       what, str_of(l, v));
				if (fix)
					sk_note(l->c->diag, u->action_span, "did you mean '%s'?", fix);
			}
			rc = u->action < 0 ? -1 : 1;
		}
		break;
	case SK_K__COUNT: break;
	}
	if (rc > 0)
		u->has |= 1u << k;
}

/* The source key as Falco reads it first: may be empty. */
static void source_key(struct ld *l, const yaml_node_t *m, const char *what, sk_upd *u)
{
	yaml_node_t *v = get(l, m, "source", NULL);
	if (!v || is_null(v))
		return;
	if (v->type != YAML_SCALAR_NODE) {
		LD_ERR(l, node_span(l, v), "bad-value", "%s: 'source' must be a single value, not %s", what, node_kind(v));
		return;
	}
	u->source = str_of(l, v);
	u->source_span = node_span(l, v);
}

/* A rule item with 'override': the appends, then the replaces, each key checked against the
 * keys the item holds. */
static void rule_override(struct ld *l, const yaml_node_t *m, const char *what, const sk_upd *base, unsigned add,
			  unsigned rep, const sk_span *at)
{
	unsigned expected = 0;
	for (int k = 0; k < SK_K__COUNT; k++)
		if (get(l, m, upd_keys[k], NULL))
			expected |= 1u << k;
	sk_upd ua = *base, ur = *base;
	for (int pass = 0; pass < 2; pass++) {
		unsigned ops = pass ? rep : add;
		sk_upd *u = pass ? &ur : &ua;
		for (int k = 0; k < SK_K__COUNT; k++) {
			if (!(ops & (1u << k)))
				continue;
			if (!(expected & (1u << k))) {
				LD_ERR(l, at[k], "bad-override", "%s: %s override for '%s' was specified but '%s' is not defined",
				       what, pass ? "a replace" : "an append", upd_keys[k], upd_keys[k]);
				continue;
			}
			expected &= ~(1u << k);
			read_key(l, m, (enum sk_upd_key)k, !pass, u);
		}
	}
	for (int k = 0; k < SK_K__COUNT; k++) {
		yaml_node_t *key = NULL;
		if ((expected & (1u << k)) && get(l, m, upd_keys[k], &key))
			LD_ERR(l, node_span(l, key), "bad-override",
			       "%s: unexpected key '%s': no corresponding entry under 'override' is defined", what, upd_keys[k]);
	}
	/* Falco compares the sources only when the condition changes */
	if (!(add & SK_KB(COND)))
		ua.source = "";
	if (!(rep & SK_KB(COND)))
		ur.source = "";
	if (l->bad)
		return;
	if (add && sk_collect_append(l->c, &ua) < 0) {
		l->failed = 1;
		return;
	}
	if (rep)
		collected(l, sk_collect_replace(l->c, &ur));
}

static void load_rule(struct ld *l, const yaml_node_t *m, const yaml_node_t *name_node, const char *name, const char *what)
{
	sk_upd u = upd_new(l, SK_ITEM_RULE, m, name_node, name, what);
	source_key(l, m, what, &u);
	int append = append_flag(l, m, what);
	unsigned add, rep;
	sk_span at[SK_K__COUNT];
	overrides(l, m, what, upd_keys, SK_K__COUNT, appendable_keys, (1u << SK_K__COUNT) - 1, &add, &rep, at);
	if (append > 0 && (add | rep))
		both_append_and_override(l, m, what);
	check_keys(l, m, rule_keys, what);
	if (l->bad)
		return;

	if (add | rep) {
		rule_override(l, m, what, &u, add, rep, at);
	} else if (append > 0) {
		/* append: true appends the condition and the exceptions, and nothing else */
		if (get(l, m, "condition", NULL))
			read_key(l, m, SK_K_COND, true, &u);
		if (get(l, m, "exceptions", NULL))
			read_key(l, m, SK_K_EXC, true, &u);
		for (int k = SK_K_OUT; k < SK_K__COUNT; k++)
			ignored_key(l, m, upd_keys[k], what,
				    "with 'append: true' only 'condition' and 'exceptions' are appended (use 'override' for the others)");
		if (!l->bad)
			collected(l, sk_collect_append(l->c, &u));
	} else if (!get(l, m, "condition", NULL) && !get(l, m, "output", NULL) && !get(l, m, "desc", NULL) &&
		   !get(l, m, "priority", NULL)) {
		/* The deprecated enable-only item turns an earlier rule on or off. */
		if (!get(l, m, "enabled", NULL)) {
			LD_ERR(l, u.at, "missing-key", "%s: missing required key 'enabled' (or 'condition', 'output', 'desc' and 'priority')", what);
			return;
		}
		read_key(l, m, SK_K_ENABLED, false, &u);
		if (l->bad)
			return;
		sk_warning(l->c->diag, u.at, "deprecated",
			   "%s: the standalone 'enabled' key is deprecated; also add 'override: {enabled: replace}'", what);
		for (int k = SK_K_EXC; k < SK_K__COUNT; k++)
			if (k != SK_K_ENABLED && k != SK_K_PRIO && k != SK_K_OUT && k != SK_K_DESC)
				ignored_key(l, m, upd_keys[k], what, "an item with only 'rule' and 'enabled' changes nothing else");
		ignored_key(l, m, "source", what, "an item with only 'rule' and 'enabled' changes nothing else");
		collected(l, sk_collect_enable(l->c, &u));
	} else {
		static const enum sk_upd_key order[] = { SK_K_COND, SK_K_OUT, SK_K_DESC, SK_K_PRIO };
		for (size_t i = 0; i < 4; i++)
			read_key(l, m, order[i], false, &u);
		if (u.has & SK_KB(OUT))
			u.output = text_trim(l, u.output);
		if (get(l, m, "source", NULL) && !*u.source)
			LD_ERR(l, u.source_span.file ? u.source_span : u.at, "bad-value", "%s: 'source' must not be empty", what);
		for (int k = SK_K_EXC; k < SK_K__COUNT; k++)
			if (k != SK_K_OUT && k != SK_K_DESC && k != SK_K_PRIO)
				read_key(l, m, (enum sk_upd_key)k, false, &u);
		if (!l->bad && sk_collect_define(l->c, &u) < 0)
			l->bad = l->failed = 1;
		if (l->bad)
			sk_collect_failed(l->c, SK_ITEM_RULE, name);
	}
}

/* ---- versions ---- */

/* Falco's sinsp_version: "x.y.z" at the start (anything may follow). */
static int parse_semver(const char *s, unsigned v[3])
{
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	for (int i = 0; i < 3; i++) {
		if (i && *s++ != '.')
			return -1;
		if (*s == '+')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return -1;
		unsigned long long x = 0;
		while (*s >= '0' && *s <= '9') {
			x = x * 10 + (unsigned)(*s++ - '0');
			if (x > UINT32_MAX)
				return -1;
		}
		v[i] = (unsigned)x;
	}
	return 0;
}

/* Falco's compatible_with: same major version, and HAVE at least WANT. */
static bool compatible(const unsigned have[3], const unsigned want[3])
{
	if (have[0] != want[0])
		return false;
	return have[1] != want[1] ? have[1] > want[1] : have[2] >= want[2];
}

static void load_engine_version(struct ld *l, const yaml_node_t *m)
{
	const char *what = "required_engine_version";
	unsigned have[3], want[3], minor;
	parse_semver(SAKER_ENGINE_VERSION, have);
	check_keys(l, m, engine_keys, what);
	yaml_node_t *v = get(l, m, what, NULL);
	if (v->type != YAML_SCALAR_NODE || is_null(v) || !v->data.scalar.length) {
		LD_ERR(l, node_span(l, v), "engine-version", "required_engine_version must be a version: \"x.y.z\", or a number N for 0.N.0");
		return;
	}
	const char *s = (const char *)v->data.scalar.value;
	if (parse_uint(s, &minor) == 0) {
		/* a legacy integer N means engine 0.N.0 */
		want[0] = have[0];
		want[1] = minor;
		want[2] = 0;
	} else if (parse_semver(s, want) < 0) {
		LD_ERR(l, node_span(l, v), "engine-version",
		       "unable to parse engine version '%s' as a semver string (expected \"x.y.z\")", str_of(l, v));
		return;
	}
	if (!compatible(have, want))
		LD_ERR(l, node_span(l, v), "engine-version", "rules require engine version %u.%u.%u, but engine version is %s",
		       want[0], want[1], want[2], SAKER_ENGINE_VERSION);
	else
		sk_collect_engine(l->c, want);
}

/* The plugins saker stands in for: it has none, but computes the container plugin's fields. */
static const struct { const char *name, *version; } plugins[] = {
	{ "container", SAKER_CONTAINER_PLUGIN_VERSION },
};

static void load_plugin_versions(struct ld *l, const yaml_node_t *m)
{
	const char *what = "required_plugin_versions";
	yaml_node_t *reqs = get(l, m, what, NULL);
	check_keys(l, m, plugins_keys, what);
	if (reqs->type != YAML_SEQUENCE_NODE) {
		LD_ERR(l, node_span(l, reqs), "bad-value", "the value of required_plugin_versions must be a sequence");
		return;
	}
	for (yaml_node_item_t *p = reqs->data.sequence.items.start; p < reqs->data.sequence.items.top; p++) {
		yaml_node_t *e = node(l, *p);
		l->bad = 0;
		if (e->type != YAML_MAPPING_NODE) {
			LD_ERR(l, node_span(l, e), "bad-value", "%s: each plugin version must be a mapping with name and version", what);
			continue;
		}
		/* the plugin, then its alternatives: any one of them satisfies the requirement */
		yaml_node_t *alts = get(l, e, "alternatives", NULL);
		if (alts && alts->type != YAML_SEQUENCE_NODE) {
			LD_ERR(l, node_span(l, alts), "bad-value", "%s: the value of plugin version alternatives must be a sequence", what);
			continue;
		}
		yaml_node_t *one[1] = { e };
		size_t n = 1 + (alts ? (size_t)(alts->data.sequence.items.top - alts->data.sequence.items.start) : 0);
		const char **names = sk_arena_alloc(l->c->arena, n * sizeof(*names));
		const char **versions = sk_arena_alloc(l->c->arena, n * sizeof(*versions));
		sk_span *spans = sk_arena_alloc(l->c->arena, n * sizeof(*spans));
		for (size_t i = 0; i < n; i++) {
			yaml_node_t *r = i == 0 ? one[0] : node(l, alts->data.sequence.items.start[i - 1]);
			if (r->type != YAML_MAPPING_NODE) {
				LD_ERR(l, node_span(l, r), "bad-value", "%s: each plugin version alternative must be a mapping", what);
				continue;
			}
			yaml_node_t *nm = scalar_key(l, r, "name", what, false), *ver = scalar_key(l, r, "version", what, false);
			if (!nm || !ver)
				continue;
			names[i] = str_of(l, nm);
			versions[i] = str_of(l, ver);
			spans[i] = node_span(l, ver);
			unsigned v[3];
			if (parse_semver(versions[i], v) < 0)
				LD_ERR(l, spans[i], "plugin-version", "invalid required version '%s' for plugin '%s'", versions[i], names[i]);
			for (size_t j = 0; j < i; j++)
				if (names[j] && !strcmp(names[j], names[i]))
					LD_ERR(l, node_span(l, nm), "plugin-version",
					       "defined multiple alternative version requirements for plugin '%s'", names[i]);
		}
		if (l->bad)
			continue;
		/* Falco: the first alternative naming a loaded plugin decides. */
		size_t i, j = 0;
		for (i = 0; i < n; i++) {
			for (j = 0; j < sizeof(plugins) / sizeof(plugins[0]); j++)
				if (!strcmp(names[i], plugins[j].name))
					break;
			if (j < sizeof(plugins) / sizeof(plugins[0]))
				break;
		}
		if (i < n) {
			unsigned have[3], want[3];
			parse_semver(plugins[j].version, have);
			parse_semver(versions[i], want);
			if (!compatible(have, want))
				LD_ERR(l, spans[i], "plugin-version",
				       "plugin '%s' version '%s' is not compatible with required plugin version '%s'",
				       names[i], plugins[j].version, versions[i]);
			continue;
		}
		char *all = "";
		for (i = 0; i < n; i++)
			all = sk_arena_printf(l->c->arena, "%s%s%s (>= %s)", all, i ? ", " : "", names[i], versions[i]);
		LD_ERR(l, node_span(l, e), "plugin-missing", "plugin requirement not satisfied, must load one of: %s", all);
		sk_note(l->c->diag, node_span(l, e),
			"saker loads no plugins; it computes the fields of the container plugin itself (as container %s)",
			SAKER_CONTAINER_PLUGIN_VERSION);
	}
}

static void load_item(struct ld *l, const yaml_node_t *m)
{
	static const char *const order[] = { "required_engine_version", "required_plugin_versions", "list", "macro", "rule" };
	yaml_node_t *v = NULL;
	size_t kind;

	l->bad = 0;
	if (is_null(m))
		return; /* an empty item: Falco skips it */
	if (m->type != YAML_MAPPING_NODE) {
		LD_ERR(l, node_span(l, m), "bad-item",
		       "each item must be a mapping with a 'list', 'macro' or 'rule' key, not %s", node_kind(m));
		return;
	}
	for (kind = 0; kind < 5; kind++)
		if ((v = get(l, m, order[kind], NULL)))
			break;
	if (kind == 5) {
		sk_warning(l->c->diag, node_span(l, m), "unknown-item",
			   "unknown top-level item (expected 'list', 'macro', 'rule', 'required_engine_version' or 'required_plugin_versions'); ignored");
		yaml_node_t *k = m->data.mapping.pairs.start < m->data.mapping.pairs.top ? node(l, m->data.mapping.pairs.start->key) : NULL;
		const char *fix = k && k->type == YAML_SCALAR_NODE ? sk_nearest((const char *)k->data.scalar.value, order, 5) : NULL;
		if (fix)
			sk_note(l->c->diag, node_span(l, k), "did you mean '%s'?", fix);
		return;
	}
	if (kind == 0) {
		load_engine_version(l, m);
		return;
	}
	if (kind == 1) {
		load_plugin_versions(l, m);
		return;
	}
	l->defined++;
	yaml_node_t *nm = v;
	if (is_null(nm) || (nm->type == YAML_SCALAR_NODE && !nm->data.scalar.length)) {
		LD_ERR(l, node_span(l, nm), "bad-name", "a %s needs a name", order[kind]);
		return;
	}
	if (nm->type != YAML_SCALAR_NODE) {
		LD_ERR(l, node_span(l, nm), "bad-name", "the name of a %s must be a single value, not %s", order[kind], node_kind(nm));
		return;
	}
	const char *name = str_of(l, nm);
	const char *what = sk_arena_printf(l->c->arena, "%s '%s'", order[kind], name);
	if (kind < 4)
		load_list_or_macro(l, kind == 2 ? SK_ITEM_LIST : SK_ITEM_MACRO, m, nm, name, what);
	else
		load_rule(l, m, nm, name, what);
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


/* ---- files ---- */

/* Loads TEXT (already registered as FILE) into the definitions. */
static int load_text(sk_comp *c, uint32_t file, const char *name, const char *text, size_t len)
{
	struct ld l = { .c = c, .file = file, .name = sk_arena_strdup(c->arena, name),
			.text = (const unsigned char *)text, .len = len, .max_work = 4 * len + 100000 };
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
			for (yaml_node_item_t *p = root->data.sequence.items.start; p < root->data.sequence.items.top && !l.work_hit; p++)
				load_item(&l, node(&l, *p));
		} else if (root->type == YAML_MAPPING_NODE) {
			LD_ERR(&l, node_span(&l, root), "bad-document",
			       "rules content is not a YAML array of objects: a rules file is a sequence of items "
			       "('- rule: ...', '- macro: ...', '- list: ...')");
		} else if (!is_null(root)) {
			LD_ERR(&l, node_span(&l, root), "bad-document",
			       "rules content is not YAML: a rules file is a sequence of items ('- rule: ...', '- macro: ...', '- list: ...')");
		}
		l.doc = NULL;
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	free(l.char_off);
	if (!l.failed && !l.defined)
		sk_warning(c->diag, ((sk_span){ file, 0, 0 }), "empty", "%s defines no rule, macro or list", l.name);
	return l.failed ? -1 : 0;
}

static int load_string(sk_comp *c, const char *name, const char *yaml, size_t len)
{
	if (len > UINT32_MAX - 1) {
		sk_error(c->diag, (sk_span){ 0 }, "io", "cannot read '%s': larger than 4 GiB", name);
		return -EFBIG;
	}
	uint32_t file = sk_diag_add_file(c->diag, name, yaml, len);
	return load_text(c, file, name, yaml, len);
}

int sk_load_string(sk_comp *c, const char *name, const char *yaml, size_t len)
{
	int rc = load_string(c, name, yaml, len);
	sk_collect_finish(c);
	return rc;
}

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" :
	       S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

/* Opens PATH (relative to DIRFD) without blocking, whatever it is: a FIFO or a device must be
 * refused, not waited on. */
static int open_nonblock(int dirfd, const char *path)
{
	return openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
}

/* Loads the regular file open at FD (closed here), named PATH in messages. */
static int load_fd(sk_comp *c, int fd, const char *path, const struct stat *st)
{
	char *buf = NULL;
	size_t len = 0;
	int err = 0;

	if (!S_ISREG(st->st_mode)) {
		sk_error(c->diag, (sk_span){ 0 }, "io", "cannot read '%s': %s, not a rules file", path, file_kind(st->st_mode));
		err = -EINVAL;
		goto out;
	}
	if ((unsigned long long)st->st_size > LD_MAX_FILE)
		goto too_big;
	/* Read at most one byte past the limit: the file may grow while it is read. */
	buf = malloc((size_t)st->st_size + 1);
	if (!buf) {
		err = -ENOMEM;
		sk_error(c->diag, (sk_span){ 0 }, "io", "cannot read '%s': out of memory", path);
		goto out;
	}
	for (size_t cap = (size_t)st->st_size + 1;;) {
		if (len == cap) {
			if (cap > LD_MAX_FILE)
				goto too_big;
			cap = cap * 2 > LD_MAX_FILE + 1 ? LD_MAX_FILE + 1 : cap * 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				err = -ENOMEM;
				sk_error(c->diag, (sk_span){ 0 }, "io", "cannot read '%s': out of memory", path);
				goto out;
			}
			buf = nb;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			sk_error(c->diag, (sk_span){ 0 }, "io", "cannot read '%s': %s", path, strerror(-err));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > LD_MAX_FILE)
		goto too_big;
	err = load_string(c, path, buf, len);
	goto out;
too_big:
	sk_error(c->diag, (sk_span){ 0 }, "io", "cannot read '%s': larger than the %u MiB a rules file may have",
		 path, LD_MAX_FILE >> 20);
	err = -EFBIG;
out:
	free(buf);
	close(fd);
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Loads the *.yaml files of the folder open at FD (closed here), in name order. */
static int load_dir(sk_comp *c, int fd, const char *path)
{
	DIR *dir = fdopendir(fd);
	char **names = NULL;
	size_t n = 0;
	int err = 0, rc;

	if (!dir) {
		err = -errno;
		sk_error(c->diag, (sk_span){ 0 }, "io", "cannot open folder '%s': %s", path, strerror(-err));
		close(fd);
		return err;
	}
	for (struct dirent *e; (e = readdir(dir));) {
		size_t len = strlen(e->d_name);
		if (len <= 5 || strcmp(e->d_name + len - 5, ".yaml") || e->d_name[0] == '.')
			continue;
		sk_arena_push(c->arena, (void ***)&names, &n, sk_arena_strdup(c->arena, e->d_name));
	}
	if (n == 0)
		sk_warning(c->diag, (sk_span){ 0 }, "empty-folder", "folder '%s' holds no *.yaml files", path);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		const char *full = sk_arena_printf(c->arena, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
		int f = open_nonblock(dirfd(dir), names[i]);
		struct stat st;
		if (f < 0) {
			rc = -errno;
			sk_error(c->diag, (sk_span){ 0 }, "io", "cannot open '%s': %s", full, strerror(-rc));
		} else if (fstat(f, &st)) {
			rc = -errno;
			sk_error(c->diag, (sk_span){ 0 }, "io", "cannot read '%s': %s", full, strerror(-rc));
			close(f);
		} else {
			rc = load_fd(c, f, full, &st); /* a folder inside is refused like any non-file */
		}
		if (rc < -1 || (rc == -1 && err == 0))
			err = rc;
	}
	closedir(dir);
	return err;
}

/* Returns 0, -1 when the input had errors, or another negative errno for I/O failures (the
 * caller may exit differently for those). Every path is loaded even after a failure. */
int sk_load_paths(sk_comp *c, const char *const *paths, size_t n)
{
	int err = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		int rc, fd = open_nonblock(AT_FDCWD, paths[i]);
		if (fd < 0) {
			rc = -errno;
			sk_error(c->diag, (sk_span){ 0 }, "io", "cannot open '%s': %s", paths[i], strerror(-rc));
		} else if (fstat(fd, &st)) {
			rc = -errno;
			sk_error(c->diag, (sk_span){ 0 }, "io", "cannot read '%s': %s", paths[i], strerror(-rc));
			close(fd);
		} else if (S_ISDIR(st.st_mode)) {
			rc = load_dir(c, fd, paths[i]);
		} else {
			rc = load_fd(c, fd, paths[i], &st);
		}
		if (rc < -1 || (rc == -1 && err == 0))
			err = rc;
	}
	sk_collect_finish(c);
	return err;
}
