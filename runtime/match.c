/* Falco's glob and pmatch (match.h): a byte-wise fnmatch that follows the C library's, in the C
 * locale, on strings given by length. The tests hold it to the C library's fnmatch on generated
 * patterns, odd corners included (unterminated brackets, bad class names, escapes). */
#include "saker/match.h"

#include <stdint.h>
#include <string.h>

/* The C library gives up on a pattern whose [:name:] reaches this length. */
#define GLOB_CLASS_MAX 2048

static unsigned char fold(unsigned char c, bool casefold)
{
	return casefold && c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* The C locale's character classes, the names wctype() knows there. */
enum glob_class { GC_NONE, GC_ALNUM, GC_ALPHA, GC_BLANK, GC_CNTRL, GC_DIGIT, GC_GRAPH,
		  GC_LOWER, GC_PRINT, GC_PUNCT, GC_SPACE, GC_UPPER, GC_XDIGIT };

static enum glob_class class_lookup(const char *name, size_t n)
{
	static const char *const names[] = { NULL, "alnum", "alpha", "blank", "cntrl", "digit",
					     "graph", "lower", "print", "punct", "space", "upper",
					     "xdigit" };
	for (size_t i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && !memcmp(names[i], name, n))
			return (enum glob_class)i;
	return GC_NONE;
}

static bool class_has(enum glob_class k, unsigned char c)
{
	bool upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z';
	bool digit = c >= '0' && c <= '9';
	bool graph = c > ' ' && c < 0x7f;
	switch (k) {
	case GC_ALNUM: return upper || lower || digit;
	case GC_ALPHA: return upper || lower;
	case GC_BLANK: return c == ' ' || c == '\t';
	case GC_CNTRL: return c < ' ' || c == 0x7f;
	case GC_DIGIT: return digit;
	case GC_GRAPH: return graph;
	case GC_LOWER: return lower;
	case GC_PRINT: return graph || c == ' ';
	case GC_PUNCT: return graph && !upper && !lower && !digit;
	case GC_SPACE: return c == ' ' || (c >= '\t' && c <= '\r');
	case GC_UPPER: return upper;
	case GC_XDIGIT: return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	case GC_NONE: break;
	}
	return false;
}

/* The pattern as the C library sees it: a NUL-terminated string. */
struct pat {
	const unsigned char *p;
	size_t n;
};

static unsigned char at(const struct pat *pt, size_t i)
{
	return i < pt->n ? pt->p[i] : 0;
}

enum { BR_NOMATCH, BR_MATCH, BR_LITERAL };

/* Skips the rest of a bracket expression that already matched, from Q. BR_LITERAL: it turns out
 * to be unterminated, and its '[' is an ordinary byte after all. */
static int bracket_skip(const struct pat *pt, size_t *q)
{
	size_t i = *q;
	unsigned char c;

	do {
		c = at(pt, i++);
		if (c == 0)
			return BR_LITERAL;
		if (c == '\\') {
			if (at(pt, i) == 0)
				return BR_NOMATCH;
			i++;
		} else if (c == '[' && at(pt, i) == ':') {
			size_t start = i, c1 = 0;
			for (;;) {
				unsigned char d = at(pt, ++i);
				if (++c1 == GLOB_CLASS_MAX)
					return BR_NOMATCH;
				if (d == ':' && at(pt, i + 1) == ']')
					break;
				if (d < 'a' || d >= 'z') {
					/* not a class name: '[' was an ordinary member */
					i = start;
					goto next;
				}
			}
			i += 2;
		} else if (c == '[' && at(pt, i) == '=') {
			/* unlike [:, a malformed [= voids the pattern here */
			if (at(pt, i + 1) == 0 || at(pt, i + 2) != '=' || at(pt, i + 3) != ']')
				return BR_NOMATCH;
			i += 4;
		} else if (c == '[' && at(pt, i) == '.') {
			for (i++;; i++) {
				if (at(pt, i) == 0)
					return BR_NOMATCH;
				if (at(pt, i) == '.' && at(pt, i + 1) == ']')
					break;
			}
			i += 2;
		}
	next:;
	} while (c != ']');
	*q = i;
	return BR_MATCH;
}

/* A collating element [.c.] with PT[*Q] at its '.': the C locale names none but single bytes,
 * so anything else (or no closing ".]") voids the pattern. Sets *C and moves *Q past it. */
static bool collating(const struct pat *pt, size_t *q, unsigned char *c)
{
	size_t start = *q, i = start + 1;

	while (!(at(pt, i) == '.' && at(pt, i + 1) == ']')) {
		if (at(pt, i) == 0)
			return false;
		i++;
	}
	*q = i + 2;
	*c = at(pt, start + 1);
	return i - start - 1 == 1;
}

/* Matches the bracket expression at PT[*PP] ('[') against the byte C. On BR_MATCH, *PP is past
 * the expression. BR_LITERAL: the expression is unterminated and '[' is an ordinary byte. */
static int bracket(const struct pat *pt, size_t *pp, unsigned char c, bool casefold)
{
	size_t q = *pp + 1;
	unsigned char fn = fold(c, casefold), pc, cold = 0;
	bool negate = at(pt, q) == '!' || at(pt, q) == '^';

	if (negate)
		q++;
	pc = at(pt, q++);
	for (;;) {
		bool is_range = false;

		if (pc == '\\') {
			if (at(pt, q) == 0)
				return BR_NOMATCH;
			pc = fold(at(pt, q), casefold);
			q++;
			goto normal;
		} else if (pc == '[' && at(pt, q) == ':') {
			size_t start = q, c1 = 0;
			char name[GLOB_CLASS_MAX + 1];
			enum glob_class k;
			for (;;) {
				if (c1 == GLOB_CLASS_MAX)
					return BR_NOMATCH;
				pc = at(pt, ++q);
				if (pc == ':' && at(pt, q + 1) == ']') {
					q += 2;
					break;
				}
				if (pc < 'a' || pc >= 'z') {
					q = start;
					pc = '[';
					goto normal;
				}
				name[c1++] = (char)pc;
			}
			k = class_lookup(name, c1);
			if (k == GC_NONE)
				return BR_NOMATCH;
			if (class_has(k, c))
				goto matched;
			pc = at(pt, q++);
		} else if (pc == 0) {
			return BR_LITERAL;
		} else {
			if (pc == '[' && at(pt, q) == '=') {
				/* [=c=]: in the C locale the class of c is c alone, compared unfolded */
				size_t start = q;
				unsigned char e = at(pt, q + 1);
				if (e == 0 || at(pt, q + 2) != '=' || at(pt, q + 3) != ']') {
					q = start;
					pc = '[';
					goto normal;
				}
				q += 4;
				if (c == e)
					goto matched;
				/* an equivalence class starts no range: a '-' after it is a member */
				pc = at(pt, q++);
				goto next;
			} else if (pc == '[' && at(pt, q) == '.') {
				if (!collating(pt, &q, &cold))
					return BR_NOMATCH;
				is_range = at(pt, q) == '-' && at(pt, q + 1) != 0;
				if (!is_range && c == cold)
					goto matched;
				pc = at(pt, q++);
			} else {
				pc = fold(pc, casefold);
			normal:
				is_range = at(pt, q) == '-' && at(pt, q + 1) != 0 && at(pt, q + 1) != ']';
				if (!is_range && pc == fn)
					goto matched;
				cold = pc;
				pc = at(pt, q++);
			}
			if (pc == '-' && at(pt, q) != ']') {
				unsigned char cend = at(pt, q++);
				if (cend == '[' && at(pt, q) == '.') {
					if (!collating(pt, &q, &cend))
						return BR_NOMATCH;
				} else {
					if (cend == '\\')
						cend = at(pt, q++);
					if (cend == 0)
						return BR_NOMATCH;
					cend = fold(cend, casefold);
				}
				if (cold <= fn && fn <= cend)
					goto matched;
				pc = at(pt, q++);
			}
		}
	next:
		if (pc == ']')
			break;
	}
	if (!negate)
		return BR_NOMATCH;
	*pp = q;
	return BR_MATCH;

matched:
	switch (bracket_skip(pt, &q)) {
	case BR_MATCH:
		if (negate)
			return BR_NOMATCH;
		*pp = q;
		return BR_MATCH;
	case BR_LITERAL:
		return BR_LITERAL;
	default:
		return BR_NOMATCH;
	}
}

bool sk_glob_match(const char *pat, size_t plen, const char *str, size_t slen, bool casefold)
{
	const char *nul = memchr(pat, 0, plen);
	struct pat pt = { (const unsigned char *)pat, nul ? (size_t)(nul - pat) : plen };
	const unsigned char *s = (const unsigned char *)str;
	size_t p = 0, n = 0, star_p = SIZE_MAX, star_n = 0;

	nul = memchr(str, 0, slen);
	if (nul)
		slen = (size_t)(nul - str);
	/* One backtracking point is enough: '*' matches any string, '/' included, so a later
	 * '*' can absorb whatever an earlier one would have. */
	for (;;) {
		unsigned char c;

		if (p == pt.n) {
			if (n == slen)
				return true;
			goto fail;
		}
		c = pt.p[p];
		switch (c) {
		case '*':
			for (p++; p < pt.n && (pt.p[p] == '*' || pt.p[p] == '?'); p++)
				if (pt.p[p] == '?') {
					if (n == slen)
						return false;
					n++;
				}
			if (p == pt.n)
				return true;
			star_p = p;
			star_n = n;
			continue;
		case '?':
			if (n == slen)
				goto fail;
			p++;
			n++;
			continue;
		case '\\':
			if (p + 1 == pt.n)
				goto fail; /* a trailing backslash matches nothing */
			if (n == slen || fold(pt.p[p + 1], casefold) != fold(s[n], casefold))
				goto fail;
			p += 2;
			n++;
			continue;
		case '[':
			if (n == slen)
				goto fail;
			switch (bracket(&pt, &p, s[n], casefold)) {
			case BR_MATCH:
				n++;
				continue;
			case BR_NOMATCH:
				goto fail;
			default:
				break; /* an ordinary '[' */
			}
			/* fall through */
		default:
			if (n == slen || fold(c, casefold) != fold(s[n], casefold))
				goto fail;
			p++;
			n++;
			continue;
		}
	fail:
		/* what follows the last '*' always needs a byte, so it never matches at the end */
		if (star_p == SIZE_MAX || ++star_n >= slen)
			return false;
		p = star_p;
		n = star_n;
	}
}

bool sk_glob_is_pattern(const char *pat, size_t plen)
{
	for (size_t i = 0; i < plen; i++)
		if (pat[i] == '*' || pat[i] == '?' || pat[i] == '[')
			return true;
	return false;
}

bool sk_path_component(const char *s, size_t n, size_t *pos, const char **c, size_t *cn)
{
	size_t i = *pos;

	while (i < n && s[i] == '/')
		i++;
	if (i >= n)
		return false;
	*c = s + i;
	while (i < n && s[i] != '/')
		i++;
	*cn = (size_t)(s + i - *c);
	*pos = i;
	return true;
}

bool sk_path_prefix_match(const char *pat, size_t plen, const char *s, size_t slen)
{
	size_t pp = 0, sp = 0, cpn, csn;
	const char *cp, *cs;

	while (sk_path_component(pat, plen, &pp, &cp, &cpn)) {
		if (!sk_path_component(s, slen, &sp, &cs, &csn))
			return false;
		if (sk_glob_is_pattern(cp, cpn) ? !sk_glob_match(cp, cpn, cs, csn, false)
						: cpn != csn || memcmp(cp, cs, cpn))
			return false;
	}
	return true;
}
