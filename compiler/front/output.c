/* Rule outputs: the Falco format string ("%proc.name", "%5fd.name", literal text) parsed into the
 * segments sakerd renders, with located errors for tokens it would not understand. */
#include <stdarg.h>
#include <stdio.h>
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
		     const char *text, size_t len, int field, int width, const char *arg)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct saker_fmt_seg *ns = sk_arena_alloc(c->arena, ncap * sizeof(*ns));
		if (*n)
			memcpy(ns, *segs, *n * sizeof(*ns));
		*segs = ns;
		*cap = ncap;
	}
	(*segs)[(*n)++] = (struct saker_fmt_seg){ sk_arena_strndup(c->arena, text, len), field, width,
						 arg ? sk_arena_strdup(c->arena, arg) : NULL };
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

/* An error in RULE's output; with skip-if-unknown-filter, an unknown field or a bad token is a
 * warning instead and the rule is skipped (Falco's behaviour): *SKIPPED is set. */
static void out_error(sk_comp *c, const sk_rule *rule, bool *skipped, sk_span at, const char *code,
		      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void out_error(sk_comp *c, const sk_rule *rule, bool *skipped, sk_span at, const char *code,
		      const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (rule->item && rule->item->skip_unknown) {
		sk_warning(c->diag, at, "skipped", "rule '%s' is skipped (skip-if-unknown-filter): %s",
			   rule->item->name, msg);
		*skipped = true;
		return;
	}
	sk_error(c->diag, at, code, "%s", msg);
}

int sk_output_parse(sk_comp *c, sk_rule *rule, const sk_text *t)
{
	bool skipped = false;
	const char *s = t->str;
	size_t len = t->len, i = 0, lit = 0, cap = 0;
	int bad = 0;
	struct saker_fmt_seg **segs = &rule->segs;
	size_t *n_segs = &rule->n_segs;

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
			out_error(c, rule, &skipped, sk_text_span(t, pct, 1), "bad-output", "an output cannot end with '%%'");
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
				out_error(c, rule, &skipped, sk_text_span(t, pct, 2), "bad-output",
					 "'%%(' is not output syntax; write %%%s", fix);
			else
				out_error(c, rule, &skipped, sk_text_span(t, pct, 2), "bad-output",
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
			out_error(c, rule, &skipped, sk_text_span(t, pct, j - pct + 1), "bad-output",
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
					/* Falco accepts them: the rule runs, the value prints <NA> */
					sk_warning(c->diag, sk_text_span(t, pct, end - pct), "unsupported-output",
						   "transformers in outputs are not supported yet: this one prints <NA>");
					if (pct > lit)
						push_seg(c, segs, n_segs, &cap, s + lit, pct - lit, -1, 0, NULL);
					push_seg(c, segs, n_segs, &cap, s + j, end - j, -2, width, NULL);
					tr = 1;
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
		if ((f < 0 || f == SK_FLD_EVT_ARG || f == SK_FLD_EVT_RAWARG) && r - j > 8 &&
		    (!strncmp(s + j, "evt.arg.", 8) || !strncmp(s + j, "evt.rawarg.", 11))) {
			/* an argument of the event that saker does not model: the generic entry */
			f = s[j + 4] == 'a' ? SK_FLD_EVT_ARG : SK_FLD_EVT_RAWARG;
			flen = r - j;
		}
		if (f < 0) {
			size_t n = r - j;
			while (n > 0 && s[j + n - 1] == '.')
				n--; /* a sentence's full stop is not part of the name */
			char *name = sk_arena_strndup(c->arena, s + j, n);
			const char *fix = sk_field_suggest(name);
			out_error(c, rule, &skipped, sk_text_span(t, j, n), "unknown-field", "unknown field '%s' in output", name);
			if (fix)
				sk_note(c->diag, sk_text_span(t, j, n), "did you mean '%s'?", fix);
			bad = 1;
			i = lit = j + n;
			continue;
		}
		r = j + flen;
		const struct sk_field_info *fi = &sk_fields[f];
		char *arg = NULL;
		size_t tok_end = r;
		if ((f == SK_FLD_EVT_ARG || f == SK_FLD_EVT_RAWARG) && flen > strlen(fi->name) + 1)
			arg = sk_arena_strndup(c->arena, s + j + strlen(fi->name) + 1, flen - strlen(fi->name) - 1);
		if (r < len && s[r] == '[') {
			size_t end = r + 1;
			while (end < len && s[end] != ']')
				end++;
			if (end >= len || end == r + 1) {
				out_error(c, rule, &skipped, sk_text_span(t, r, end - r), "bad-output", "unterminated or empty field argument");
				bad = 1;
				i = lit = len;
				continue;
			}
			if (fi->arg == SK_A_NONE) {
				out_error(c, rule, &skipped, sk_text_span(t, r, end - r + 1), "bad-output",
					 "field '%s' takes no argument", fi->name);
				bad = 1;
				i = lit = end + 1;
				continue;
			}
			arg = sk_arena_strndup(c->arena, s + r + 1, end - r - 1);
			tok_end = end + 1;
		} else if (fi->arg == SK_A_REQ && !arg) {
			out_error(c, rule, &skipped, sk_text_span(t, j, flen), "bad-output", "field '%s' needs an argument, e.g. %%%s[...]",
				 fi->name, fi->name);
			bad = 1;
			i = lit = r;
			continue;
		}
		if (fi->flags & (SK_F_FILTER_ONLY | SK_F_TABLE_ONLY)) {
			out_error(c, rule, &skipped, sk_text_span(t, j, flen), "bad-output", "field '%s' cannot be printed in an output",
				 fi->name);
			bad = 1;
			i = lit = tok_end;
			continue;
		}
		if (fi->where == SK_W_NONE)
			/* the condition decides whether the rule runs; a field it only prints shows <NA> */
			sk_warning(c->diag, sk_text_span(t, j, tok_end - j), "unsupported-output",
				   "field '%.*s' in output is a Falco field that saker does not provide yet: it prints <NA>",
				   (int)(tok_end - j), s + j);
		if (fi->flags & SK_F_DEPRECATED)
			sk_warning(c->diag, sk_text_span(t, j, flen), "deprecated",
				   "field '%s' is deprecated: %s", fi->name, fi->desc);
		if (pct > lit)
			push_seg(c, segs, n_segs, &cap, s + lit, pct - lit, -1, 0, NULL);
		push_seg(c, segs, n_segs, &cap, s + j, tok_end - j, f, width, arg);
		i = lit = tok_end;
	}
	if (len > lit)
		push_seg(c, segs, n_segs, &cap, s + lit, len - lit, -1, 0, NULL);
	return bad || skipped ? -1 : 0;
}
