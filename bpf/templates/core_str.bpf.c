/* The string tests the generated code calls for what it cannot inline (abi.h): contains and
 * icontains, comparisons with long constants, and fnmatch-style globs, each a BPF global function
 * over the string of any field (sk_str_any) and patterns in the generated .rodata table. */
#include "core.h"

/* From the generated module (abi.h). */
extern const char SAKER_VAR_PATS[][SAKER_PAT_SIZE];
extern const __u32 SAKER_VAR_N_PATS;

/* Pattern PAT of the generated table, or NULL. */
SK_INLINE const char *sk_pattern(__u32 pat)
{
	__u64 i = pat;

	/* The barriers keep LLVM from computing the address before the bound check (or from a
	 * copy of the index the check did not bound): the verifier must see it bounded. */
	asm volatile("" : "+r"(i));
	if (i >= SAKER_VAR_N_PATS)
		return 0;
	asm volatile("" : "+r"(i));
	return SAKER_VAR_PATS[i];
}

/* One comparison of the naive search: a byte matches and the candidate grows, or the
 * candidate moves one byte on. No inner loop, so the verifier checks this once. */
static long sk_find_step(__u32 n, void *arg)
{
	struct sk_cb *cb = arg;
	struct sk_find *f = &cb->sc->fi;
	__u32 i = f->i, j = f->j;
	char a, b;

	(void)n;
	if (j >= f->plen) {
		f->found = 1;
		return 1;
	}
	if (i + f->plen > f->slen)
		return 1;
	a = cb->s[(i + j) & SAKER_STR_MAX];
	b = cb->p[j & (SAKER_PAT_SIZE - 1)];
	if (f->icase && a >= 'A' && a <= 'Z')
		a += 'a' - 'A';
	if (a == b) {
		f->j = j + 1;
	} else {
		f->i = i + 1;
		f->j = 0;
	}
	return 0;
}

/* Whether the SLEN bytes at cb->s contain the PLEN at cb->p (ICASE: ignoring ASCII case). */
SK_INLINE int sk_contains(struct sk_scratch *sc, struct sk_cb *cb, int slen, __u32 plen, int icase)
{
	if (slen < 0 || plen > (__u32)slen)
		return 0;
	sc->fi.slen = slen;
	sc->fi.plen = plen;
	sc->fi.icase = icase;
	sc->fi.i = sc->fi.j = 0;
	sc->fi.found = 0;
	/* each candidate start takes at most plen + 1 steps */
	bpf_loop((slen - plen + 1) * (plen + 1) + 1, sk_find_step, cb, 0);
	return sc->fi.found;
}

SK_GLOBAL int SAKER_FN_CONTAINS(int field, __u32 pat, __u32 plen, int icase)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_cb cb = { .sc = sc };

	if (!sc || plen >= SAKER_PAT_SIZE || !(cb.p = sk_pattern(pat)))
		return 0;
	return sk_contains(sc, &cb, sk_str_any(sc, field, &cb.s), plen, icase);
}

/* The same on the string of the interpreter's ref REF (struct sk_ix). */
SK_GLOBAL int saker_ix_contains(__u32 ref, __u32 pat, __u32 plen, int icase)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_cb cb = { .sc = sc };

	if (!sc || plen >= SAKER_PAT_SIZE || !(cb.p = sk_pattern(pat)))
		return 0;
	return sk_contains(sc, &cb, sk_ix_refstr(sc, ref, &cb.s), plen, icase);
}

/* One byte of a comparison with a long constant: row PAT + j / SAKER_PAT_SIZE holds byte j. */
static long sk_bytes_step(__u32 j, void *arg)
{
	struct sk_cb *cb = arg;
	struct sk_bytes *b = &cb->sc->by;
	const char *row;

	if (j >= b->plen)
		return 1;
	row = sk_pattern(b->pat + j / SAKER_PAT_SIZE);
	if (!row || cb->s[(b->off + j) & SAKER_STR_MAX] != row[j & (SAKER_PAT_SIZE - 1)]) {
		b->ok = 0;
		return 1;
	}
	return 0;
}

/* ==, startswith or endswith (MODE, abi.h) a constant of PLEN bytes stored from row PAT on:
 * constants that long would cost the generated code too many registers (and stack). */
SK_GLOBAL int SAKER_FN_BYTES(int field, __u32 pat, __u32 plen, int mode)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_cb cb = { .sc = sc };
	struct sk_bytes *b;
	int slen;

	if (!sc || plen > SAKER_STR_MAX)
		return 0;
	slen = sk_str_any(sc, field, &cb.s);
	if (slen < 0 || plen > (__u32)slen || (mode == SAKER_BYTES_EQ && plen != (__u32)slen))
		return 0;
	b = &sc->by;
	b->off = mode == SAKER_BYTES_SUFFIX ? slen - plen : 0;
	b->plen = plen;
	b->pat = pat;
	b->ok = 1;
	bpf_loop(plen, sk_bytes_step, &cb, 0);
	return b->ok;
}

/* fnmatch(pat, s, 0), compiled by codegen.c into elements: row PAT of saker_pats holds each
 * element's argument and row PAT + 1 its kind (abi.h, SAKER_GLOB_*); a class's argument is its
 * number N, its members are the non-zero bytes of row PAT + 2 + N. With one saved star a
 * greedy match is enough, and each step is loop-free. */
SK_INLINE int sk_glob_elem(const struct sk_cb *cb, __u32 pat, __s32 pi, unsigned char ch)
{
	unsigned char arg = cb->p[pi & (SAKER_PAT_SIZE - 1)];
	const char *set;

	switch (cb->k[pi & (SAKER_PAT_SIZE - 1)]) {
	case SAKER_GLOB_LIT:
		return arg == ch;
	case SAKER_GLOB_ANY:
		return 1;
	case SAKER_GLOB_CLASS:
		set = sk_pattern(pat + 2 + arg);
		return set && set[ch];
	}
	return 0;
}

static long sk_glob_step(__u32 i, void *arg)
{
	struct sk_cb *cb = arg;
	struct sk_glob *g = &cb->sc->gl;
	__s32 pi = g->pi, si = g->si;
	char kind = pi < g->plen ? cb->k[pi & (SAKER_PAT_SIZE - 1)] : 0;

	(void)i;
	if (kind == SAKER_GLOB_STAR || kind == SAKER_GLOB_SEGSTAR) {
		g->star_p = pi;
		g->star_s = si;
		g->pi = pi + 1;
		return 0;
	}
	if (kind == SAKER_GLOB_LEAD) {
		/* A new component: the earlier ones are matched for good (no element of a
		 * component matches '/', so they could not match differently), hence no star to
		 * go back to. Skip the slashes, one per step; a component must follow. */
		g->star_p = -1;
		if (si < g->slen && cb->s[si & SAKER_STR_MAX] == '/') {
			g->si = si + 1;
			return 0;
		}
		if (si >= g->slen) {
			g->result = 0;
			return 1;
		}
		g->pi = pi + 1;
		return 0;
	}
	if (kind == SAKER_GLOB_TAIL && (si >= g->slen || cb->s[si & SAKER_STR_MAX] == '/')) {
		g->result = 1;
		return 1;
	}
	if (si >= g->slen) {
		g->result = pi >= g->plen;
		return 1;
	}
	if (pi < g->plen && sk_glob_elem(cb, g->pat, pi, cb->s[si & SAKER_STR_MAX])) {
		g->pi = pi + 1;
		g->si = si + 1;
		return 0;
	}
	if (g->star_p >= 0) {
		/* a component's star cannot take its '/' */
		if (cb->k[g->star_p & (SAKER_PAT_SIZE - 1)] == SAKER_GLOB_SEGSTAR &&
		    cb->s[g->star_s & SAKER_STR_MAX] == '/') {
			g->result = 0;
			return 1;
		}
		g->pi = g->star_p + 1;
		g->si = ++g->star_s;
		return 0;
	}
	g->result = 0;
	return 1;
}

/* fnmatch of the SLEN bytes at cb->s against the compiled pattern PAT of PLEN elements. */
SK_INLINE int sk_glob(struct sk_scratch *sc, struct sk_cb *cb, int slen, __u32 pat, __u32 plen)
{
	struct sk_glob *g;

	if (slen < 0)
		return 0;
	g = &sc->gl;
	g->pat = pat;
	g->slen = slen & SAKER_STR_MAX;
	g->plen = plen;
	g->si = g->pi = 0;
	g->star_p = g->star_s = -1;
	g->result = 0;
	/* every step advances the pattern, or restarts after a star with the subject one further,
	 * or skips a '/' at a component start (never revisited): at most
	 * (slen + 1) * (plen + 1) + plen + slen steps */
	bpf_loop((g->slen + 1) * (plen + 1) + plen + g->slen + 1, sk_glob_step, cb, 0);
	return g->result;
}

SK_GLOBAL int SAKER_FN_GLOB(int field, __u32 pat, __u32 plen)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_cb cb = { .sc = sc };

	if (!sc || plen >= SAKER_PAT_SIZE || !(cb.p = sk_pattern(pat)) ||
	    !(cb.k = sk_pattern(pat + 1)))
		return 0;
	return sk_glob(sc, &cb, sk_str_any(sc, field, &cb.s), pat, plen);
}

/* The same on the string of the interpreter's ref REF (struct sk_ix). */
SK_GLOBAL int saker_ix_glob(__u32 ref, __u32 pat, __u32 plen)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_cb cb = { .sc = sc };

	if (!sc || plen >= SAKER_PAT_SIZE || !(cb.p = sk_pattern(pat)) ||
	    !(cb.k = sk_pattern(pat + 1)))
		return 0;
	return sk_glob(sc, &cb, sk_ix_refstr(sc, ref, &cb.s), pat, plen);
}
