/* Rule outputs: the Falco format string ("%proc.name", "%5fd.name", literal text) parsed into the
 * segments sakerd renders, with located errors for tokens it would not understand. */
#include <string.h>

#include "check.h"
#include "saker/fields.h"

static const char *const transformers[] = { "tolower", "toupper", "b64", "basename", "len", "join",
	"concat", "getopt", "val" };

static int is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int is_word(char ch)
{
	return is_alpha(ch) || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.';
}

/* Index just past the parenthesis closing the one at S[open], or LEN. */
static size_t close_paren(const char *s, size_t len, size_t open)
{
	int depth = 0;
	for (size_t i = open; i < len; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
	}
	return len;
}

static void push_seg(sk_comp *c, struct saker_fmt_seg **segs, size_t *n, size_t *cap,
		     const char *text, size_t len, int field, int width)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct saker_fmt_seg *ns = sk_arena_alloc(c->arena, ncap * sizeof(*ns));
		if (*n)
			memcpy(ns, *segs, *n * sizeof(*ns));
		*segs = ns;
		*cap = ncap;
	}
	(*segs)[(*n)++] = (struct saker_fmt_seg){ sk_arena_strndup(c->arena, text, len), field, width };
}

/* The longest field name that starts RUN: Falco reads "%proc.nameand" as proc.name + "and". */
static int longest_field(const char *run, size_t len, size_t *flen)
{
	int best = -1;
	*flen = 0;
	for (int f = 0; f < SK_FLD__COUNT; f++) {
		size_t n = strlen(sk_fields[f].name);
		if (n <= len && n > *flen && !memcmp(run, sk_fields[f].name, n)) {
			best = f;
			*flen = n;
		}
	}
	return best;
}

int sk_output_parse(sk_comp *c, const sk_text *t, struct saker_fmt_seg **segs, size_t *n_segs)
{
	const char *s = t->str;
	size_t len = t->len, i = 0, lit = 0, cap = 0;
	int bad = 0;

	*segs = NULL;
	*n_segs = 0;
	if (len && s[0] == '*')
		i = lit = 1; /* "print even when fields are missing": sakerd always does */
	while (i < len) {
		if (s[i] != '%') {
			i++;
			continue;
		}
		size_t pct = i, j = i + 1;
		if (j >= len) {
			sk_error(c->diag, sk_text_span(t, pct, 1), "bad-output", "an output cannot end with '%%'");
			bad = 1;
			break;
		}
		if (s[j] == '(') {
			size_t end = close_paren(s, len, j);
			size_t a = j + 1, b = end > a && s[end - 1] == ')' ? end - 1 : end;
			while (a < b && (s[a] == ' ' || s[a] == '\t'))
				a++;
			while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
				b--;
			char *inner = sk_arena_strndup(c->arena, s + a, b - a);
			const char *fix = sk_field_lookup(inner) >= 0 ? inner : sk_field_suggest(inner);
			if (fix)
				sk_error(c->diag, sk_text_span(t, pct, 2), "bad-output",
					 "'%%(' is not output syntax; write %%%s", fix);
			else
				sk_error(c->diag, sk_text_span(t, pct, 2), "bad-output",
					 "'%%(' is not output syntax; write %%field.name (no parentheses)");
			bad = 1;
			i = lit = end;
			continue;
		}
		int width = 0;
		while (j < len && s[j] >= '0' && s[j] <= '9') {
			if (width < 100000)
				width = width * 10 + (s[j] - '0');
			j++;
		}
		size_t r = j;
		if (r < len && is_alpha(s[r]))
			while (r < len && is_word(s[r]))
				r++;
		if (r == j) {
			sk_error(c->diag, sk_text_span(t, pct, j - pct + 1), "bad-output",
				 "'%%' must be followed by a field name, e.g. %%proc.name");
			bad = 1;
			i = lit = j;
			continue;
		}
		/* A transformer: %toupper(proc.name). */
		if (r < len && s[r] == '(') {
			int tr = 0;
			for (size_t k = 0; k < sizeof(transformers) / sizeof(transformers[0]); k++) {
				if (strlen(transformers[k]) == r - j && !memcmp(s + j, transformers[k], r - j)) {
					size_t end = close_paren(s, len, r);
					sk_error(c->diag, sk_text_span(t, pct, end - pct), "unsupported",
						 "transformers in outputs are not supported yet");
					bad = tr = 1;
					r = end;
					break;
				}
			}
			if (tr) {
				i = lit = r;
				continue;
			}
		}
		size_t flen;
		int f = longest_field(s + j, r - j, &flen);
		if (f < 0) {
			size_t n = r - j;
			while (n > 0 && s[j + n - 1] == '.')
				n--; /* a sentence's full stop is not part of the name */
			char *name = sk_arena_strndup(c->arena, s + j, n);
			const char *fix = NULL;
			if (sk_falco_field(name)) {
				sk_error(c->diag, sk_text_span(t, j, n), "unsupported-field",
					 "field '%s' in output is a Falco field that saker does not provide yet", name);
			} else {
				sk_error(c->diag, sk_text_span(t, j, n), "unknown-field", "unknown field '%s' in output", name);
				fix = sk_field_suggest(name);
			}
			if (fix)
				sk_note(c->diag, sk_text_span(t, j, n), "did you mean '%s'?", fix);
			bad = 1;
			i = lit = j + n;
			continue;
		}
		r = j + flen;
		if (sk_fields[f].where == SK_W_NONE) {
			sk_error(c->diag, sk_text_span(t, j, flen), "unsupported-field",
				 "field '%s' in output is a Falco field that saker does not provide yet",
				 sk_fields[f].name);
			bad = 1;
			if (r < len && s[r] == '[')
				while (r < len && s[r] != ']')
					r++;
			i = lit = r < len && s[r] == ']' ? r + 1 : r;
			continue;
		}
		if (r < len && s[r] == '[') {
			size_t end = r;
			while (end < len && s[end] != ']')
				end++;
			sk_error(c->diag, sk_text_span(t, r, end - r + (end < len)), "bad-output",
				 "field '%s' takes no argument", sk_fields[f].name);
			bad = 1;
			i = lit = end < len ? end + 1 : len;
			continue;
		}
		if (sk_fields[f].flags & SK_F_DEPRECATED)
			sk_warning(c->diag, sk_text_span(t, j, flen), "deprecated",
				   "field '%s' is deprecated: %s", sk_fields[f].name, sk_fields[f].desc);
		if (pct > lit)
			push_seg(c, segs, n_segs, &cap, s + lit, pct - lit, -1, 0);
		push_seg(c, segs, n_segs, &cap, s + j, flen, f, width);
		i = lit = r;
	}
	if (len > lit)
		push_seg(c, segs, n_segs, &cap, s + lit, len - lit, -1, 0);
	return bad ? -1 : 0;
}
