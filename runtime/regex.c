/* Falco's 'regex' (RE2, POSIX syntax, UTF-8, full match) on PCRE2 (regex.h). The pattern is
 * parsed with RE2's rules for its POSIX mode (no Perl classes, no \b, no (?...), no lazy
 * quantifiers, ^ and $ at line ends) and written out as a PCRE2 pattern that leaves PCRE2 no
 * choice of meaning: every class is a list of code point ranges, every literal a \x{...}, every
 * group non-capturing, every repeated repetition wrapped, so PCRE2's own extensions (possessive
 * quantifiers, backreferences, lookaround, verbs) are never reached. */
#include "saker/regex.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define RX_MAX_REPEAT 1000   /* RE2: the largest {n,m} count, and of nested counts' product */
#define RX_MAX_NEST   1000   /* RE2: the deepest nesting of groups */
#define RX_RUNE_MAX   0x10FFFF
#define RX_MATCH_LIMIT 100000 /* backtracking steps before the automaton matcher takes over */
#define RX_WS_MIN     1024    /* ints of the automaton's workspace, doubled on demand ... */
#define RX_WS_MAX     (1u << 22) /* ... up to this */

struct sk_regex {
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mctx;     /* with RX_MATCH_LIMIT */
	int *ws;                       /* pcre2_dfa_match's workspace */
	size_t ws_n;
	char *buf;                     /* the subject with invalid UTF-8 replaced */
	size_t buf_cap;
};

/* ---- output ------------------------------------------------------------------------------ */

struct rbuf {
	char *s;
	size_t n, cap;
	bool oom;
};

static void rb_insert(struct rbuf *b, size_t at, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (b->n + n + 1 > cap)
			cap *= 2;
		char *t = realloc(b->s, cap);
		if (!t) {
			b->oom = true;
			return;
		}
		b->s = t;
		b->cap = cap;
	}
	memmove(b->s + at + n, b->s + at, b->n - at);
	memcpy(b->s + at, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void rb_put(struct rbuf *b, const char *s)
{
	rb_insert(b, b->n, s, strlen(s));
}

static void rb_rune(struct rbuf *b, uint32_t r)
{
	char tmp[16];

	if ((r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')) {
		tmp[0] = (char)r;
		tmp[1] = '\0';
	} else {
		snprintf(tmp, sizeof(tmp), "\\x{%x}", (unsigned)r);
	}
	rb_put(b, tmp);
}

/* ---- the parser -------------------------------------------------------------------------- */

struct atom {
	bool have;        /* something a quantifier can apply to was just written */
	bool quantified;  /* it already carries a quantifier */
	bool assertion;   /* ^ or $: PCRE2 wants a group around it to repeat it */
	size_t start;     /* where it begins in the output */
	unsigned prod;    /* product of the {n,m} counts nested in it */
};

struct frame {
	size_t start;     /* where the group begins in the output */
	unsigned maxprod; /* the largest product of counts on one path inside */
	struct atom last;
};

struct rx {
	const unsigned char *p;
	size_t n, i;
	struct rbuf out;
	struct frame *fr;
	size_t nfr, capfr;
	char *err;
	size_t err_size;
};

/* Writes "WHAT: ARG" (ARG the pattern bytes [from, to)) and returns -EINVAL. */
static int rx_fail(struct rx *t, const char *what, size_t from, size_t to)
{
	if (t->err && t->err_size) {
		if (to > t->n)
			to = t->n;
		if (from < to)
			snprintf(t->err, t->err_size, "%s: %.*s", what, (int)(to - from),
				 (const char *)t->p + from);
		else
			snprintf(t->err, t->err_size, "%s", what);
		/* one line, whatever the pattern holds */
		for (char *p = t->err; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	}
	return -EINVAL;
}

/* One UTF-8 sequence at S[0, N) as RE2 reads patterns: no overlong forms, nothing past
 * U+10FFFF (surrogates pass; they can never match). Its length, or -1. */
static int utf8_rune(const unsigned char *s, size_t n, uint32_t *r)
{
	unsigned char c = s[0];
	int len;
	uint32_t v, min;

	if (c < 0x80) {
		*r = c;
		return 1;
	}
	if (c < 0xC0)
		return -1;
	if (c < 0xE0) {
		len = 2, v = c & 0x1F, min = 0x80;
	} else if (c < 0xF0) {
		len = 3, v = c & 0x0F, min = 0x800;
	} else if (c < 0xF8) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		return -1;
	}
	if (n < (size_t)len)
		return -1;
	for (int k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return -1;
		v = v << 6 | (s[k] & 0x3F);
	}
	if (v < min || v > RX_RUNE_MAX)
		return -1;
	*r = v;
	return len;
}

static int rx_next_rune(struct rx *t, uint32_t *r)
{
	int l = utf8_rune(t->p + t->i, t->n - t->i, r);

	if (l < 0)
		return rx_fail(t, "invalid UTF-8", 0, 0);
	t->i += (size_t)l;
	return 0;
}

static bool is_word(uint32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int hexval(uint32_t c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

/* RE2's escapes without its Perl extensions, at p[i] == '\': octal (\0, \1-\7 followed by an
 * octal digit), \x, \a \f \n \r \t \v, and any other ASCII punctuation as itself. */
static int rx_escape(struct rx *t, uint32_t *r)
{
	size_t begin = t->i;
	uint32_t c, c1;
	int rc;

	t->i++;
	if (t->i >= t->n)
		return rx_fail(t, "trailing \\", 0, 0);
	if ((rc = rx_next_rune(t, &c)))
		return rc;
	if (c < 0x80 && !is_word(c)) {
		*r = c;
		return 0;
	}
	switch (c) {
	case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		/* a lone digit would be a backreference: RE2 has none */
		if (t->i >= t->n || t->p[t->i] < '0' || t->p[t->i] > '7')
			break;
		/* fall through */
	case '0':
		*r = c - '0';
		for (int k = 0; k < 2 && t->i < t->n && t->p[t->i] >= '0' && t->p[t->i] <= '7'; k++)
			*r = *r * 8 + (uint32_t)(t->p[t->i++] - '0');
		return 0;
	case 'x':
		if (t->i >= t->n)
			break;
		if ((rc = rx_next_rune(t, &c)))
			return rc;
		if (c == '{') {
			int nhex = 0;
			uint32_t code = 0;
			for (;;) {
				if (t->i >= t->n)
					goto bad;
				if ((rc = rx_next_rune(t, &c)))
					return rc;
				if (hexval(c) < 0)
					break;
				nhex++;
				code = code * 16 + (uint32_t)hexval(c);
				if (code > RX_RUNE_MAX)
					goto bad;
			}
			if (c != '}' || !nhex)
				break;
			*r = code;
			return 0;
		}
		if (t->i >= t->n)
			break;
		if ((rc = rx_next_rune(t, &c1)))
			return rc;
		if (hexval(c) < 0 || hexval(c1) < 0)
			break;
		*r = (uint32_t)(hexval(c) * 16 + hexval(c1));
		return 0;
	case 'n': *r = '\n'; return 0;
	case 'r': *r = '\r'; return 0;
	case 't': *r = '\t'; return 0;
	case 'a': *r = '\a'; return 0;
	case 'f': *r = '\f'; return 0;
	case 'v': *r = '\v'; return 0;
	default:
		break;
	}
bad:
	return rx_fail(t, "invalid escape sequence", begin, t->i);
}

/* ---- character classes ------------------------------------------------------------------- */

struct range {
	uint32_t lo, hi;
};

struct ranges {
	struct range *v;
	size_t n, cap;
	bool oom;
};

static void rs_add(struct ranges *rs, uint32_t lo, uint32_t hi)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 16;
		struct range *v = realloc(rs->v, cap * sizeof(*v));
		if (!v) {
			rs->oom = true;
			return;
		}
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->n++] = (struct range){ lo, hi };
}

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return (x->lo > y->lo) - (x->lo < y->lo);
}

/* Sorts and merges; NEGATE complements over all code points. */
static void rs_normalize(struct ranges *rs, bool negate)
{
	size_t k = 0;

	if (rs->n)
		qsort(rs->v, rs->n, sizeof(*rs->v), range_cmp);
	for (size_t i = 0; i < rs->n; i++) {
		if (k && rs->v[i].lo <= rs->v[k - 1].hi + 1) {
			if (rs->v[i].hi > rs->v[k - 1].hi)
				rs->v[k - 1].hi = rs->v[i].hi;
		} else {
			rs->v[k++] = rs->v[i];
		}
	}
	rs->n = k;
	if (negate) {
		struct ranges c = { 0 };
		uint32_t next = 0;
		for (size_t i = 0; i < rs->n; i++) {
			if (rs->v[i].lo > next)
				rs_add(&c, next, rs->v[i].lo - 1);
			next = rs->v[i].hi + 1;
		}
		if (next <= RX_RUNE_MAX)
			rs_add(&c, next, RX_RUNE_MAX);
		free(rs->v);
		c.oom |= rs->oom;
		*rs = c;
	}
}

/* Writes the class; surrogates are left out (PCRE2 refuses them, and no valid UTF-8 holds one),
 * and an empty class is one that matches nothing. */
static void rs_emit(struct rbuf *b, const struct ranges *rs)
{
	bool any = false;

	rb_put(b, "[");
	for (size_t i = 0; i < rs->n; i++) {
		struct range part[2] = { { rs->v[i].lo, rs->v[i].hi < 0xD7FF ? rs->v[i].hi : 0xD7FF },
					 { rs->v[i].lo > 0xE000 ? rs->v[i].lo : 0xE000, rs->v[i].hi } };
		for (int k = 0; k < 2; k++) {
			char tmp[48];
			if (part[k].lo > part[k].hi)
				continue;
			if (part[k].lo == part[k].hi)
				snprintf(tmp, sizeof(tmp), "\\x{%x}", (unsigned)part[k].lo);
			else
				snprintf(tmp, sizeof(tmp), "\\x{%x}-\\x{%x}", (unsigned)part[k].lo,
					 (unsigned)part[k].hi);
			rb_put(b, tmp);
			any = true;
		}
	}
	if (!any)
		rb_put(b, "^\\x{0}-\\x{10ffff}");
	rb_put(b, "]");
}

/* The [:name:] and [:^name:] classes RE2 knows, all ASCII. */
static bool posix_class(const char *name, size_t n, struct ranges *rs)
{
	static const struct {
		const char *name;
		unsigned char r[8]; /* lo, hi pairs */
		int n;
	} classes[] = {
		{ "alnum", { '0', '9', 'A', 'Z', 'a', 'z' }, 3 },
		{ "alpha", { 'A', 'Z', 'a', 'z' }, 2 },
		{ "ascii", { 0x00, 0x7f }, 1 },
		{ "blank", { '\t', '\t', ' ', ' ' }, 2 },
		{ "cntrl", { 0x00, 0x1f, 0x7f, 0x7f }, 2 },
		{ "digit", { '0', '9' }, 1 },
		{ "graph", { '!', '~' }, 1 },
		{ "lower", { 'a', 'z' }, 1 },
		{ "print", { ' ', '~' }, 1 },
		{ "punct", { '!', '/', ':', '@', '[', '`', '{', '~' }, 4 },
		{ "space", { '\t', '\r', ' ', ' ' }, 2 },
		{ "upper", { 'A', 'Z' }, 1 },
		{ "word", { '0', '9', 'A', 'Z', 'a', 'z', '_', '_' }, 4 },
		{ "xdigit", { '0', '9', 'A', 'F', 'a', 'f' }, 3 },
	};
	bool neg = n && name[0] == '^';

	if (neg)
		name++, n--;
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		struct ranges one = { 0 };
		if (strlen(classes[i].name) != n || memcmp(classes[i].name, name, n))
			continue;
		for (int k = 0; k < classes[i].n; k++)
			rs_add(&one, classes[i].r[2 * k], classes[i].r[2 * k + 1]);
		rs_normalize(&one, neg);
		for (size_t k = 0; k < one.n; k++)
			rs_add(rs, one.v[k].lo, one.v[k].hi);
		rs->oom |= one.oom;
		free(one.v);
		return true;
	}
	return false;
}

/* One member of a class: an escape or a character. */
static int rx_class_char(struct rx *t, size_t begin, uint32_t *r)
{
	if (t->i >= t->n)
		return rx_fail(t, "missing closing ]", begin, t->n);
	if (t->p[t->i] == '\\')
		return rx_escape(t, r);
	return rx_next_rune(t, r);
}

/* [...] at p[i], as RE2 reads it in POSIX mode: ']' first is a member, '-' only first or last
 * unless it makes a range, [:name:] and [:^name:] classes, escapes. */
static int rx_class(struct rx *t, struct ranges *rs)
{
	size_t begin = t->i;
	bool negate = false, first = true;
	int rc;

	t->i++;
	if (t->i < t->n && t->p[t->i] == '^') {
		negate = true;
		t->i++;
	}
	while (t->i < t->n && (t->p[t->i] != ']' || first)) {
		uint32_t lo, hi;

		if (t->p[t->i] == '-' && !first && (t->i + 1 >= t->n || t->p[t->i + 1] != ']')) {
			size_t e = t->i + 1;
			while (e < t->n && t->p[e] != ']')
				e++;
			return rx_fail(t, "invalid character class range", t->i, e);
		}
		first = false;
		if (t->n - t->i > 2 && t->p[t->i] == '[' && t->p[t->i + 1] == ':') {
			const unsigned char *q = NULL;
			for (size_t k = t->i + 2; k + 1 < t->n; k++)
				if (t->p[k] == ':' && t->p[k + 1] == ']') {
					q = t->p + k;
					break;
				}
			if (q) {
				size_t name = t->i + 2, end = (size_t)(q - t->p) + 2;
				if (!posix_class((const char *)t->p + name, (size_t)(q - t->p) - name, rs))
					return rx_fail(t, "invalid character class range", t->i, end);
				t->i = end;
				continue;
			}
		}
		size_t from = t->i;
		if ((rc = rx_class_char(t, begin, &lo)))
			return rc;
		hi = lo;
		if (t->n - t->i >= 2 && t->p[t->i] == '-' && t->p[t->i + 1] != ']') {
			t->i++;
			if ((rc = rx_class_char(t, begin, &hi)))
				return rc;
			if (hi < lo)
				return rx_fail(t, "invalid character class range", from, t->i);
		}
		rs_add(rs, lo, hi);
	}
	if (t->i >= t->n)
		return rx_fail(t, "missing closing ]", begin, t->n);
	t->i++;
	rs_normalize(rs, negate);
	return rs->oom ? -ENOMEM : 0;
}

/* ---- the pattern ------------------------------------------------------------------------- */

static struct frame *rx_top(struct rx *t)
{
	return &t->fr[t->nfr - 1];
}

static void rx_end_atom(struct rx *t)
{
	struct frame *f = rx_top(t);

	if (f->last.have && f->last.prod > f->maxprod)
		f->maxprod = f->last.prod;
	f->last.have = false;
}

static void rx_new_atom(struct rx *t, bool assertion)
{
	rx_end_atom(t);
	rx_top(t)->last = (struct atom){ true, false, assertion, t->out.n, 1 };
}

/* Applies the quantifier Q (written as OP..i in the pattern) to the last atom; FACTOR is what it
 * multiplies nested counts by (RE2 bounds their product). */
static int rx_quantify(struct rx *t, const char *q, size_t op, unsigned factor)
{
	struct atom *a = &rx_top(t)->last;

	if (!a->have)
		return rx_fail(t, "missing argument to repetition operator", op, t->i);
	if (a->quantified || a->assertion) {
		/* RE2 repeats the repetition (a** is (a*)*); PCRE2 would read a*+ as possessive */
		rb_insert(&t->out, a->start, "(?:", 3);
		rb_put(&t->out, ")");
		a->assertion = false;
	}
	if ((unsigned long)a->prod * factor > RX_MAX_REPEAT)
		return rx_fail(t, "bad repetition operator", op, t->i);
	a->prod *= factor;
	a->quantified = true;
	rb_put(&t->out, q);
	return 0;
}

/* RE2's counts: decimal, no leading zero; one too long to parse is no count at all. */
static bool rx_int(const struct rx *t, size_t *i, long *v)
{
	size_t k = *i;
	long x = 0;

	if (k >= t->n || t->p[k] < '0' || t->p[k] > '9')
		return false;
	if (t->p[k] == '0' && k + 1 < t->n && t->p[k + 1] >= '0' && t->p[k + 1] <= '9')
		return false;
	for (; k < t->n && t->p[k] >= '0' && t->p[k] <= '9'; k++) {
		if (x >= 100000000)
			return false;
		x = x * 10 + (t->p[k] - '0');
	}
	*i = k;
	*v = x;
	return true;
}

/* RE2's {n}, {n,} and {n,m} at p[i] == '{'; HI is -1 for {n,}. False (I unchanged) when the text
 * is not one: the '{' is then an ordinary character. */
static bool rx_repeat(struct rx *t, long *lo, long *hi)
{
	size_t i = t->i + 1;

	if (!rx_int(t, &i, lo) || i >= t->n)
		return false;
	if (t->p[i] == ',') {
		if (++i >= t->n)
			return false;
		if (t->p[i] == '}')
			*hi = -1;
		else if (!rx_int(t, &i, hi))
			return false;
	} else {
		*hi = *lo;
	}
	if (i >= t->n || t->p[i] != '}')
		return false;
	t->i = i + 1;
	return true;
}

static int rx_translate(struct rx *t)
{
	int rc;

	t->capfr = 16;
	t->fr = calloc(t->capfr, sizeof(*t->fr));
	if (!t->fr)
		return -ENOMEM;
	t->nfr = 1;
	while (t->i < t->n) {
		unsigned char c = t->p[t->i];
		size_t op = t->i;
		uint32_t r;

		switch (c) {
		case '(':
			if (t->nfr > RX_MAX_NEST)
				return rx_fail(t, "expression nests too deeply", 0, 0);
			rx_end_atom(t);
			if (t->nfr == t->capfr) {
				struct frame *f = realloc(t->fr, 2 * t->capfr * sizeof(*f));
				if (!f)
					return -ENOMEM;
				t->fr = f;
				t->capfr *= 2;
			}
			t->fr[t->nfr++] = (struct frame){ .start = t->out.n, .maxprod = 1 };
			rb_put(&t->out, "(?:");
			t->i++;
			break;
		case '|':
			rx_end_atom(t);
			rb_put(&t->out, "|");
			t->i++;
			break;
		case ')': {
			if (t->nfr == 1)
				return rx_fail(t, "unexpected )", 0, t->i + 1);
			rx_end_atom(t);
			rb_put(&t->out, ")");
			struct frame f = t->fr[--t->nfr];
			rx_end_atom(t);
			rx_top(t)->last = (struct atom){ true, false, false, f.start, f.maxprod };
			t->i++;
			break;
		}
		case '^':
		case '$':
			rx_new_atom(t, true);
			rb_put(&t->out, c == '^' ? "^" : "$");
			t->i++;
			break;
		case '.':
			/* any character but a newline */
			rx_new_atom(t, false);
			rb_put(&t->out, "[^\\x{a}]");
			t->i++;
			break;
		case '[': {
			struct ranges rs = { 0 };
			rx_new_atom(t, false);
			rc = rx_class(t, &rs);
			if (!rc)
				rs_emit(&t->out, &rs);
			free(rs.v);
			if (rc)
				return rc;
			break;
		}
		case '*':
		case '+':
		case '?': {
			char q[2] = { (char)c, 0 };
			t->i++;
			if ((rc = rx_quantify(t, q, op, 1)))
				return rc;
			break;
		}
		case '{': {
			long lo, hi;
			if (!rx_repeat(t, &lo, &hi)) {
				rx_new_atom(t, false);
				rb_rune(&t->out, '{');
				t->i++;
				break;
			}
			if ((hi != -1 && hi < lo) || lo > RX_MAX_REPEAT || hi > RX_MAX_REPEAT)
				return rx_fail(t, "bad repetition operator", op, t->i);
			char q[48];
			if (hi == -1)
				snprintf(q, sizeof(q), "{%ld,}", lo);
			else if (hi == lo)
				snprintf(q, sizeof(q), "{%ld}", lo);
			else
				snprintf(q, sizeof(q), "{%ld,%ld}", lo, hi);
			long m = hi == -1 ? lo : hi;
			if ((rc = rx_quantify(t, q, op, m > 0 ? (unsigned)m : 1)))
				return rc;
			break;
		}
		case '\\':
			if ((rc = rx_escape(t, &r)))
				return rc;
			goto literal;
		default:
			if ((rc = rx_next_rune(t, &r)))
				return rc;
		literal:
			rx_new_atom(t, false);
			if (r >= 0xD800 && r <= 0xDFFF)
				rb_put(&t->out, "[^\\x{0}-\\x{10ffff}]");
			else
				rb_rune(&t->out, r);
			break;
		}
		if (t->out.oom)
			return -ENOMEM;
	}
	if (t->nfr > 1)
		return rx_fail(t, "missing )", 0, t->n);
	return t->out.oom ? -ENOMEM : 0;
}

int sk_regex_translate(const char *pat, size_t len, char **out, char *err, size_t err_size)
{
	struct rx t = { (const unsigned char *)pat, len, 0, { 0 }, NULL, 0, 0, err, err_size };
	int rc;

	*out = NULL;
	if (memchr(pat, 0, len))
		return rx_fail(&t, "a pattern cannot hold a NUL byte", 0, 0);
	rc = rx_translate(&t);
	free(t.fr);
	if (rc) {
		if (rc == -ENOMEM && err && err_size)
			snprintf(err, err_size, "out of memory");
		free(t.out.s);
		return rc;
	}
	if (!t.out.s && !(t.out.s = strdup(""))) /* the empty pattern */
		return -ENOMEM;
	*out = t.out.s;
	return 0;
}

/* ---- compiling and matching -------------------------------------------------------------- */

void sk_regex_free(struct sk_regex *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	pcre2_match_data_free(re->md);
	pcre2_match_context_free(re->mctx);
	free(re->ws);
	free(re->buf);
	free(re);
}

int sk_regex_compile(const char *pat, size_t len, struct sk_regex **out, char *err,
		     size_t err_size)
{
	pcre2_compile_context *cctx = NULL;
	struct sk_regex *re = NULL;
	char *tr = NULL;
	int rc, ecode;
	PCRE2_SIZE eoff;

	*out = NULL;
	if ((rc = sk_regex_translate(pat, len, &tr, err, err_size)))
		return rc;
	rc = -ENOMEM;
	re = calloc(1, sizeof(*re));
	cctx = pcre2_compile_context_create(NULL);
	if (!re || !cctx)
		goto cleanup;
	pcre2_set_newline(cctx, PCRE2_NEWLINE_LF);
	/* the rewrite adds groups: allow what RE2 allows, and then some */
	pcre2_set_parens_nest_limit(cctx, 4 * RX_MAX_NEST);
	re->code = pcre2_compile((PCRE2_SPTR)tr, PCRE2_ZERO_TERMINATED,
				 PCRE2_UTF | PCRE2_NO_UTF_CHECK | PCRE2_MULTILINE |
					 PCRE2_ALT_CIRCUMFLEX | PCRE2_ANCHORED | PCRE2_ENDANCHORED |
					 PCRE2_NO_AUTO_CAPTURE | PCRE2_NEVER_BACKSLASH_C,
				 &ecode, &eoff, cctx);
	if (!re->code) {
		char msg[256];
		pcre2_get_error_message(ecode, (PCRE2_UCHAR *)msg, sizeof(msg));
		if (ecode == PCRE2_ERROR_NOMEMORY)
			goto cleanup;
		if (err && err_size)
			snprintf(err, err_size, "pattern beyond what saker's regex engine (PCRE2) takes: %s",
				 msg);
		rc = -EINVAL;
		goto cleanup;
	}
	/* JIT when the system allows it; the interpreter otherwise */
	(void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
	re->md = pcre2_match_data_create(1, NULL);
	re->mctx = pcre2_match_context_create(NULL);
	if (!re->md || !re->mctx)
		goto cleanup;
	pcre2_set_match_limit(re->mctx, RX_MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, RX_MATCH_LIMIT);
	*out = re;
	re = NULL;
	rc = 0;
cleanup:
	if (rc == -ENOMEM && err && err_size)
		snprintf(err, err_size, "out of memory");
	pcre2_compile_context_free(cctx);
	sk_regex_free(re);
	free(tr);
	return rc;
}

/* Length of the valid UTF-8 sequence at S[0, N), or minus the bytes of the invalid prefix to
 * replace with one U+FFFD (Unicode's "maximal subpart" rule, which Falco follows). */
static int utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	int len;

	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return -1;
	if (c < 0xE0) {
		len = 2;
	} else if (c < 0xF0) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;
		if (c == 0xED)
			hi = 0x9F;
	} else if (c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		if (c == 0xF4)
			hi = 0x8F;
	} else {
		return -1;
	}
	for (int k = 1; k < len; k++) {
		if ((size_t)k >= n || s[k] < (k == 1 ? lo : 0x80) || s[k] > (k == 1 ? hi : 0xBF))
			return -k;
	}
	return len;
}

/* S as valid UTF-8: S itself, or RE's buffer with invalid sequences replaced. */
static const char *utf8_valid(struct sk_regex *re, const char *s, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n = *len, o = 0;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		int l = utf8_seq(u + i, n - i);
		if (l < 0)
			break;
		i += (size_t)l;
	}
	if (i == n)
		return s;
	/* each invalid byte becomes at most 3 */
	if (re->buf_cap < 3 * n) {
		char *b = realloc(re->buf, 3 * n);
		if (!b)
			return NULL;
		re->buf = b;
		re->buf_cap = 3 * n;
	}
	memcpy(re->buf, s, i);
	o = i;
	while (i < n) {
		int l = utf8_seq(u + i, n - i);
		if (l > 0) {
			memcpy(re->buf + o, s + i, (size_t)l);
			o += (size_t)l;
			i += (size_t)l;
		} else {
			memcpy(re->buf + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i += (size_t)-l;
		}
	}
	*len = o;
	return re->buf;
}

int sk_regex_match(struct sk_regex *re, const char *s, size_t len)
{
	const char *nul = memchr(s, 0, len);
	const char *subj;
	int rc;

	if (nul)
		len = (size_t)(nul - s);
	if (!(subj = utf8_valid(re, s, &len)))
		return -ENOMEM;
	rc = pcre2_match(re->code, (PCRE2_SPTR)subj, len, 0, PCRE2_NO_UTF_CHECK, re->md, re->mctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc != PCRE2_ERROR_MATCHLIMIT && rc != PCRE2_ERROR_DEPTHLIMIT &&
	    rc != PCRE2_ERROR_HEAPLIMIT && rc != PCRE2_ERROR_JIT_STACKLIMIT)
		return rc == PCRE2_ERROR_NOMEMORY ? -ENOMEM : -EIO;
	/* Backtracking blew up: the automaton matcher needs time linear in the subject. */
	for (;;) {
		if (!re->ws) {
			re->ws_n = RX_WS_MIN;
			if (!(re->ws = malloc(re->ws_n * sizeof(int))))
				return -ENOMEM;
		}
		rc = pcre2_dfa_match(re->code, (PCRE2_SPTR)subj, len, 0, PCRE2_NO_UTF_CHECK, re->md,
				     NULL, re->ws, re->ws_n);
		if (rc >= 0)
			return 1;
		if (rc == PCRE2_ERROR_NOMATCH)
			return 0;
		if (rc != PCRE2_ERROR_DFA_WSSIZE)
			return rc == PCRE2_ERROR_NOMEMORY ? -ENOMEM : -EIO;
		if (re->ws_n >= RX_WS_MAX)
			return -E2BIG;
		int *ws = realloc(re->ws, 2 * re->ws_n * sizeof(int));
		if (!ws)
			return -ENOMEM;
		re->ws = ws;
		re->ws_n *= 2;
	}
}
