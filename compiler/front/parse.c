/* Runs the reentrant condition lexer and parser (grammar/) over an sk_text, and turns their
 * byte locations into located diagnostics. */
#include "parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_loc.h"
#include "condition.tab.h"
#define YYSTYPE SKC_STYPE
#define YYLTYPE sk_loc
#include "condition.lex.h"

/* Nesting limit whatever the caller asks: keeps bison's heap stack and every tree walk bounded. */
#define SK_PARSE_MAX_DEPTH 100000u

sk_span sk_parse_span(const struct sk_pstate *ps, sk_loc l)
{
	return sk_text_span(ps->text, l.off, l.end >= l.off ? l.end - l.off : 0);
}

const char *sk_parse_quote(struct sk_pstate *ps, const char *text, size_t len)
{
	enum { MAX = 40 };
	char *out = sk_arena_alloc(ps->arena, MAX * 4 + 8);
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		if (i == MAX) {
			memcpy(out + k, "...", 3);
			k += 3;
			break;
		}
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 || c == 0x7f)
			k += (size_t)sprintf(out + k, "\\x%02x", c);
		else
			out[k++] = (char)c;
	}
	out[k] = '\0';
	return out;
}

void sk_parse_error(struct sk_pstate *ps, sk_loc l, const char *fmt, ...)
{
	if (ps->reported)
		return;
	ps->reported = true;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *msg = sk_arena_alloc(ps->arena, (size_t)(n < 0 ? 0 : n) + 1);
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	bool depth = strncmp(msg, "exceeded max depth", 18) == 0;
	sk_error(ps->diag, sk_parse_span(ps, l), depth ? "max-depth" : "syntax", "%s", msg);
	if (ps->err_note)
		sk_note(ps->diag, sk_parse_span(ps, ps->err_note_loc), "%s", ps->err_note);
}

sk_expr *sk_parse_condition(sk_arena *a, sk_diag *d, const sk_text *t, unsigned max_depth)
{
	struct sk_pstate ps = {
		.arena = a,
		.diag = d,
		.text = t,
		.max_depth = max_depth == 0 ? SK_MAX_DEPTH_DEFAULT
			     : max_depth > SK_PARSE_MAX_DEPTH ? SK_PARSE_MAX_DEPTH : max_depth,
	};
	yyscan_t scanner;
	if (skc_lex_init_extra(&ps, &scanner)) {
		sk_error(d, sk_text_span(t, 0, 0), "internal", "cannot start the condition lexer");
		return NULL;
	}
	YY_BUFFER_STATE buf = skc__scan_bytes(t->str ? t->str : "", (int)t->len, scanner);
	int rc = skc_parse(scanner, &ps);
	skc__delete_buffer(buf, scanner);
	skc_lex_destroy(scanner);
	free(ps.nest);
	if (rc != 0 || ps.reported || !ps.result) {
		if (!ps.reported)
			sk_error(d, sk_text_span(t, 0, 0), "syntax", "invalid condition");
		return NULL;
	}
	return ps.result;
}

bool sk_parse_is_ident(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}
