/* Diagnostics: records errors, warnings and notes with byte spans into registered files, and
 * renders them as compiler-style text (source line + caret), or JSON or SARIF 2.1.0 (built with
 * jansson; bytes that are not UTF-8 become U+FFFD). */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "saker/json.h"
#include "saker/version.h"

struct src_file {
	char *name;
	char *text;      /* a private copy, NUL-terminated */
	size_t len;
	size_t *lines;   /* byte offset where each line starts */
	size_t n_lines;
};

struct note {
	sk_span at;
	char *msg;
};

struct entry {
	enum sk_severity sev;
	sk_span at;
	char *code;        /* NULL when the reporter gave none */
	char *msg;
	struct note *notes;
	size_t n_notes;
};

struct sk_diag {
	struct src_file *files; /* files[0] is unused: id 0 means "no location" */
	size_t n_files;
	struct entry *entries;
	size_t n_entries;
	bool werror;
	char **disabled;        /* warning codes -Wno-CODE turned off */
	size_t n_disabled;
	bool dropping;          /* the last warning was turned off: so are its notes */
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xrealloc(NULL, n);
	memcpy(p, s, n);
	return p;
}

sk_span sk_text_span(const sk_text *t, size_t off, size_t len)
{
	sk_span s = { t->file, 0, 0 };
	if (off > t->len)
		off = t->len;
	if (len > t->len - off)
		len = t->len - off;
	if (t->map) {
		size_t end = off + len;
		if (t->files) {
			/* A span crossing into another file's piece stops at the last byte of its own. */
			s.file = t->files[off];
			if (t->files[end] != s.file) {
				while (end > off + 1 && t->files[end - 1] != s.file)
					end--;
				uint32_t a = t->map[off], b = t->map[end - 1] + 1;
				s.off = a;
				s.len = b > a ? b - a : 1;
				return s;
			}
		}
		uint32_t a = t->map[off], b = t->map[end];
		s.off = a;
		s.len = b >= a ? b - a : 0;
	} else {
		s.off = t->base + (uint32_t)off;
		s.len = (uint32_t)len;
	}
	return s;
}

sk_diag *sk_diag_new(void)
{
	sk_diag *d = calloc(1, sizeof(*d));
	if (!d)
		abort();
	d->files = xrealloc(NULL, sizeof(*d->files));
	memset(d->files, 0, sizeof(*d->files));
	d->n_files = 1;
	return d;
}

void sk_diag_free(sk_diag *d)
{
	if (!d)
		return;
	for (size_t i = 1; i < d->n_files; i++) {
		free(d->files[i].name);
		free(d->files[i].text);
		free(d->files[i].lines);
	}
	free(d->files);
	for (size_t i = 0; i < d->n_disabled; i++)
		free(d->disabled[i]);
	free(d->disabled);
	for (size_t i = 0; i < d->n_entries; i++) {
		struct entry *e = &d->entries[i];
		free(e->code);
		free(e->msg);
		for (size_t j = 0; j < e->n_notes; j++)
			free(e->notes[j].msg);
		free(e->notes);
	}
	free(d->entries);
	free(d);
}

uint32_t sk_diag_add_file(sk_diag *d, const char *name, const char *text, size_t len)
{
	d->files = xrealloc(d->files, (d->n_files + 1) * sizeof(*d->files));
	struct src_file *f = &d->files[d->n_files];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name ? name : "<input>");
	f->text = xrealloc(NULL, len + 1);
	if (len)
		memcpy(f->text, text, len);
	f->text[len] = '\0';
	f->len = len;
	size_t cap = 16;
	f->lines = xrealloc(NULL, cap * sizeof(size_t));
	f->lines[f->n_lines++] = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] != '\n')
			continue;
		if (f->n_lines == cap) {
			cap *= 2;
			f->lines = xrealloc(f->lines, cap * sizeof(size_t));
		}
		f->lines[f->n_lines++] = i + 1;
	}
	return (uint32_t)d->n_files++;
}

static const struct src_file *file_of(const sk_diag *d, uint32_t file)
{
	return file > 0 && file < d->n_files ? &d->files[file] : NULL;
}

const char *sk_diag_file_name(const sk_diag *d, uint32_t file)
{
	const struct src_file *f = file_of(d, file);
	return f ? f->name : NULL;
}

/* 0-based line index holding byte OFF. */
static size_t line_index(const struct src_file *f, size_t off)
{
	size_t lo = 0, hi = f->n_lines;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static void position(const struct src_file *f, size_t off, unsigned *line, unsigned *col)
{
	if (off > f->len)
		off = f->len;
	size_t li = line_index(f, off);
	*line = (unsigned)li + 1;
	*col = (unsigned)(off - f->lines[li]) + 1;
}

void sk_diag_position(const sk_diag *d, sk_span s, unsigned *line, unsigned *col)
{
	const struct src_file *f = file_of(d, s.file);
	if (!f) {
		*line = *col = 0;
		return;
	}
	position(f, s.off, line, col);
}

static char *vformat(const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	char *p = xrealloc(NULL, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

void sk_diag_report(sk_diag *d, enum sk_severity sev, sk_span at, const char *code,
		    const char *fmt, ...)
{
	va_list ap;
	if (sev == SK_NOTE && d->dropping)
		return;
	d->dropping = false;
	if (sev == SK_WARNING && code)
		for (size_t i = 0; i < d->n_disabled; i++)
			if (!strcmp(d->disabled[i], code)) {
				d->dropping = true;
				return;
			}
	va_start(ap, fmt);
	char *msg = vformat(fmt, ap);
	va_end(ap);
	if (sev == SK_NOTE && d->n_entries > 0) {
		struct entry *e = &d->entries[d->n_entries - 1];
		e->notes = xrealloc(e->notes, (e->n_notes + 1) * sizeof(*e->notes));
		e->notes[e->n_notes++] = (struct note){ at, msg };
		return;
	}
	d->entries = xrealloc(d->entries, (d->n_entries + 1) * sizeof(*d->entries));
	d->entries[d->n_entries++] = (struct entry){
		.sev = sev, .at = at, .code = code ? xstrdup(code) : NULL, .msg = msg,
	};
}

static enum sk_severity effective(const sk_diag *d, enum sk_severity sev)
{
	return sev == SK_WARNING && d->werror ? SK_ERROR : sev;
}

size_t sk_diag_error_count(const sk_diag *d)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n_entries; i++)
		n += effective(d, d->entries[i].sev) == SK_ERROR;
	return n;
}

size_t sk_diag_warning_count(const sk_diag *d)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n_entries; i++)
		n += effective(d, d->entries[i].sev) == SK_WARNING;
	return n;
}

void sk_diag_set_werror(sk_diag *d, bool on)
{
	d->werror = on;
}

void sk_diag_disable(sk_diag *d, const char *code)
{
	d->disabled = xrealloc(d->disabled, (d->n_disabled + 1) * sizeof(*d->disabled));
	d->disabled[d->n_disabled++] = xstrdup(code);
}

static const char *sev_name(enum sk_severity s)
{
	return s == SK_ERROR ? "error" : s == SK_WARNING ? "warning" : "note";
}

uint32_t *sk_char_offsets(const char *text, size_t len, size_t *n)
{
	size_t skip = len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3) ? 3 : 0;
	uint32_t *off = malloc((len + 1) * sizeof(*off));
	*n = 0;
	if (!off)
		return NULL;
	for (size_t i = skip; i < len; i++)
		if (((unsigned char)text[i] & 0xc0) != 0x80)
			off[(*n)++] = (uint32_t)i;
	off[(*n)++] = (uint32_t)len;
	return off;
}

/* ---- suggestions ---- */

size_t sk_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = malloc((lb + 1) * sizeof(*row));
	if (!row)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}

const char *sk_nearest(const char *name, const char *const *names, size_t n)
{
	size_t len = strlen(name), limit = len <= 4 ? 1 : len <= 8 ? 2 : len / 3;
	size_t best = (size_t)-1;
	const char *pick = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!names[i] || !strcmp(names[i], name))
			continue;
		size_t d = sk_edit_distance(name, names[i]);
		if (d < best) {
			best = d;
			pick = names[i];
		}
	}
	return best <= limit ? pick : NULL;
}

/* ---- text ---- */

/* How the text renderer shows the bytes at P (N > 0 available): *LEN gets how many bytes
 * form the next character and the result is its width in columns. A character that could act
 * on a terminal (an ASCII or C1 control, a bidirectional override) or a byte that is not UTF-8
 * is shown escaped, as compilers do (\x1b, \u202e); *ESC is set then. TAB stays itself. */
static size_t char_cols(const unsigned char *p, size_t n, size_t *len, bool *esc)
{
	unsigned c = p[0];
	*len = 1;
	*esc = false;
	if (c == '\t')
		return 1;
	if (c < 0x20 || c == 0x7f) {
		*esc = true;
		return 4;
	}
	if (c < 0x80)
		return 1;
	size_t k = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
	bool ok = k > 0 && k <= n;
	for (size_t i = 1; ok && i < k; i++)
		ok = (p[i] & 0xc0) == 0x80;
	unsigned cp = 0;
	if (ok) {
		cp = c & (0xffu >> (k + 1));
		for (size_t i = 1; i < k; i++)
			cp = (cp << 6) | (p[i] & 0x3fu);
		ok = (k == 2 || (k == 3 && cp >= 0x800 && !(cp >= 0xd800 && cp <= 0xdfff)) ||
		      (k == 4 && cp >= 0x10000 && cp <= 0x10ffff));
	}
	if (!ok) {
		*esc = true;
		return 4;
	}
	*len = k;
	if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
		*esc = true;
		return 6;
	}
	return 1;
}

size_t sk_diag_put_escaped(FILE *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t cols = 0;
	for (size_t i = 0; i < n;) {
		size_t len;
		bool esc;
		size_t w = char_cols(p + i, n - i, &len, &esc);
		if (!esc) {
			fwrite(p + i, 1, len, out);
		} else if (len == 1) {
			fprintf(out, "\\x%02x", p[i]);
		} else {
			unsigned cp = len == 2 ? ((p[i] & 0x1fu) << 6) | (p[i + 1] & 0x3fu)
					       : ((p[i] & 0x0fu) << 12) | ((p[i + 1] & 0x3fu) << 6) | (p[i + 2] & 0x3fu);
			fprintf(out, "\\u%04x", cp);
		}
		cols += w;
		i += len;
	}
	return cols;
}

static void put_escaped_str(FILE *out, const char *s)
{
	sk_diag_put_escaped(out, s, strlen(s));
}

static void render_excerpt(const struct src_file *f, sk_span s, FILE *out)
{
	size_t off = s.off > f->len ? f->len : s.off;
	size_t li = line_index(f, off);
	size_t start = f->lines[li];
	size_t end = start;
	while (end < f->len && f->text[end] != '\n')
		end++;
	size_t shown = end;
	if (shown > start && f->text[shown - 1] == '\r')
		shown--;
	/* A very long line is shown as a window around the span. */
	enum { LONG_LINE = 400, BEFORE = 120, WINDOW = 280 };
	bool cut_left = false, cut_right = false;
	if (shown - start > LONG_LINE) {
		if (off - start > BEFORE) {
			start = off - BEFORE;
			while (start < off && ((unsigned char)f->text[start] & 0xc0) == 0x80)
				start++; /* not inside a character */
			cut_left = true;
		}
		if (shown - start > WINDOW) {
			shown = start + WINDOW;
			cut_right = true;
		}
	}
	fprintf(out, "%5zu | %s", li + 1, cut_left ? "..." : "");
	sk_diag_put_escaped(out, f->text + start, shown - start);
	fputs(cut_right ? "...\n      | " : "\n      | ", out);
	if (cut_left)
		fputs("   ", out);
	/* The caret goes under the character's column as the line was printed. */
	const unsigned char *t = (const unsigned char *)f->text;
	for (size_t i = start; i < off && i < shown;) {
		size_t len;
		bool esc;
		size_t w = char_cols(t + i, shown - i, &len, &esc);
		if (t[i] == '\t')
			fputc('\t', out);
		else
			while (w--)
				fputc(' ', out);
		i += len;
	}
	/* A span crossing lines is underlined to the end of its first line. */
	size_t stop = off + s.len, cols = 0;
	if (stop > shown)
		stop = shown;
	for (size_t i = off; i < stop;) {
		size_t len;
		bool esc;
		cols += char_cols(t + i, stop - i, &len, &esc);
		i += len;
	}
	fputc('^', out);
	for (size_t i = 1; i < cols; i++)
		fputc('~', out);
	fputc('\n', out);
}

static void render_one_text(const sk_diag *d, enum sk_severity sev, sk_span at, const char *msg,
			    FILE *out)
{
	const struct src_file *f = file_of(d, at.file);
	if (!f) {
		fputs(sev == SK_NOTE ? "note: " : sev == SK_ERROR ? "saker: error: " : "saker: warning: ", out);
		put_escaped_str(out, msg);
		fputc('\n', out);
		return;
	}
	unsigned line, col;
	position(f, at.off, &line, &col);
	put_escaped_str(out, f->name);
	fprintf(out, ":%u:%u: %s: ", line, col, sev_name(sev));
	put_escaped_str(out, msg);
	fputc('\n', out);
	render_excerpt(f, at, out);
}

static void render_text(const sk_diag *d, FILE *out)
{
	/* stderr is unbuffered: build the text in memory and write it at once, not a character
	 * (and a system call) at a time */
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	FILE *w = m ? m : out;
	for (size_t i = 0; i < d->n_entries; i++) {
		const struct entry *e = &d->entries[i];
		render_one_text(d, effective(d, e->sev), e->at, e->msg, w);
		for (size_t j = 0; j < e->n_notes; j++)
			render_one_text(d, SK_NOTE, e->notes[j].at, e->notes[j].msg, w);
	}
	if (m) {
		fclose(m);
		fwrite(buf, 1, len, out);
		free(buf);
	}
}

/* ---- JSON and SARIF (jansson) ---- */

/* Diagnostics abort on allocation failure everywhere else; the documents do the same. */
static json_t *must(json_t *j)
{
	if (!j)
		abort();
	return j;
}

static void put(json_t *obj, const char *key, json_t *value)
{
	bool failed = false;
	saker_json_set(obj, key, value, &failed);
	if (failed)
		abort();
}

static void push(json_t *arr, json_t *value)
{
	bool failed = false;
	saker_json_append(arr, value, &failed);
	if (failed)
		abort();
}

/* Writes ROOT (taken) as one compact line: keys in the order they were set. */
static void dump(json_t *root, FILE *out)
{
	json_dumpf(root, out, JSON_COMPACT);
	fputc('\n', out);
	json_decref(root);
}

struct region {
	const struct src_file *f;
	unsigned line, col, end_line, end_col;
};

static struct region region_of(const sk_diag *d, sk_span s)
{
	struct region r = { file_of(d, s.file), 0, 0, 0, 0 };
	if (r.f) {
		position(r.f, s.off, &r.line, &r.col);
		position(r.f, (size_t)s.off + s.len, &r.end_line, &r.end_col);
	}
	return r;
}

/* The location members of a JSON diagnostic: all null without a file. */
static void json_location(json_t *obj, const sk_diag *d, sk_span s)
{
	struct region r = region_of(d, s);
	put(obj, "file", must(r.f ? saker_json_str(r.f->name) : json_null()));
	put(obj, "line", must(r.f ? json_integer(r.line) : json_null()));
	put(obj, "column", must(r.f ? json_integer(r.col) : json_null()));
	put(obj, "end_line", must(r.f ? json_integer(r.end_line) : json_null()));
	put(obj, "end_column", must(r.f ? json_integer(r.end_col) : json_null()));
}

static void render_json(const sk_diag *d, FILE *out)
{
	json_t *root = must(json_object()), *list = must(json_array());
	for (size_t i = 0; i < d->n_entries; i++) {
		const struct entry *e = &d->entries[i];
		json_t *j = must(json_object()), *notes = must(json_array());
		put(j, "severity", must(json_string(sev_name(effective(d, e->sev)))));
		put(j, "code", must(saker_json_str(e->code)));
		put(j, "message", must(saker_json_str(e->msg)));
		json_location(j, d, e->at);
		for (size_t k = 0; k < e->n_notes; k++) {
			json_t *n = must(json_object());
			put(n, "severity", must(json_string("note")));
			put(n, "message", must(saker_json_str(e->notes[k].msg)));
			json_location(n, d, e->notes[k].at);
			push(notes, n);
		}
		put(j, "notes", notes);
		push(list, j);
	}
	put(root, "diagnostics", list);
	put(root, "errors", must(json_integer((json_int_t)sk_diag_error_count(d))));
	put(root, "warnings", must(json_integer((json_int_t)sk_diag_warning_count(d))));
	dump(root, out);
}

/* A file name as a relative URI reference: unreserved characters and '/' stay. */
static json_t *uri_of(const char *name)
{
	size_t n = strlen(name);
	char *u = xrealloc(NULL, 3 * n + 1), *o = u;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p))
			*o++ = (char)*p;
		else
			o += sprintf(o, "%%%02X", *p);
	}
	*o = 0;
	json_t *j = must(json_string(u));
	free(u);
	return j;
}

static json_t *sarif_physical(const struct region *r)
{
	json_t *loc = must(json_object()), *phys = must(json_object()),
	       *art = must(json_object()), *reg = must(json_object());
	put(art, "uri", uri_of(r->f->name));
	put(phys, "artifactLocation", art);
	put(reg, "startLine", must(json_integer(r->line)));
	put(reg, "startColumn", must(json_integer(r->col)));
	put(reg, "endLine", must(json_integer(r->end_line)));
	put(reg, "endColumn", must(json_integer(r->end_col)));
	put(phys, "region", reg);
	put(loc, "physicalLocation", phys);
	return loc;
}

static json_t *sarif_message(const char *text)
{
	json_t *m = must(json_object());
	put(m, "text", must(saker_json_str(text)));
	return m;
}

static void render_sarif(const sk_diag *d, FILE *out)
{
	json_t *root = must(json_object()), *runs = must(json_array()), *run = must(json_object()),
	       *tool = must(json_object()), *driver = must(json_object()),
	       *results = must(json_array());
	put(root, "$schema", must(json_string("https://json.schemastore.org/sarif-2.1.0.json")));
	put(root, "version", must(json_string("2.1.0")));
	put(driver, "name", must(json_string("saker")));
	put(driver, "version", must(json_string(SAKER_VERSION)));
	put(tool, "driver", driver);
	put(run, "tool", tool);
	for (size_t i = 0; i < d->n_entries; i++) {
		const struct entry *e = &d->entries[i];
		json_t *res = must(json_object()), *locs = must(json_array()), *related = NULL;
		if (e->code)
			put(res, "ruleId", must(saker_json_str(e->code)));
		put(res, "level", must(json_string(sev_name(effective(d, e->sev)))));
		/* Notes without a location have nowhere else to go in SARIF: they join the text. */
		size_t len = strlen(e->msg) + 1;
		for (size_t j = 0; j < e->n_notes; j++)
			if (!file_of(d, e->notes[j].at.file))
				len += strlen(e->notes[j].msg) + 8;
		char *text = xrealloc(NULL, len);
		strcpy(text, e->msg);
		for (size_t j = 0; j < e->n_notes; j++)
			if (!file_of(d, e->notes[j].at.file)) {
				strcat(text, "\nnote: ");
				strcat(text, e->notes[j].msg);
			}
		put(res, "message", sarif_message(text));
		free(text);
		struct region r = region_of(d, e->at);
		if (r.f)
			push(locs, sarif_physical(&r));
		put(res, "locations", locs);
		for (size_t j = 0; j < e->n_notes; j++) {
			struct region nr = region_of(d, e->notes[j].at);
			if (!nr.f)
				continue;
			json_t *loc = sarif_physical(&nr);
			put(loc, "message", sarif_message(e->notes[j].msg));
			if (!related)
				related = must(json_array());
			push(related, loc);
		}
		if (related)
			put(res, "relatedLocations", related);
		push(results, res);
	}
	put(run, "results", results);
	push(runs, run);
	put(root, "runs", runs);
	dump(root, out);
}

void sk_diag_render(const sk_diag *d, enum sk_diag_format fmt, FILE *out)
{
	switch (fmt) {
	case SK_DIAG_TEXT:
		render_text(d, out);
		break;
	case SK_DIAG_JSON:
		render_json(d, out);
		break;
	case SK_DIAG_SARIF:
		render_sarif(d, out);
		break;
	}
	fflush(out);
}
