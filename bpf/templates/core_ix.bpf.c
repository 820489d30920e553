/* The rule tables' interpreter (abi.h, docs/kernel.md "Rule tables"): for an event, the
 * candidate lists its index selects (the rules without an index, then one lookup per probed
 * field value and per prefix bucket of it), and the branch program of each candidate, one atom
 * per step of a single bpf_loop. Its code is the same whatever the ruleset: the verifier checks
 * it once, and the rule count changes only the tables. */
#include "core.h"

/* From the generated module (abi.h); the counts fold to immediates. */
extern const struct saker_ix_rule SAKER_VAR_IX_RULES[];
extern const struct saker_ix_atom SAKER_VAR_IX_ATOMS[];
extern const struct saker_ix_slot SAKER_VAR_IX_SLOTS[];
extern const __u32 SAKER_VAR_IX_LIST[];
extern const __u8 SAKER_VAR_IX_POOL[];
extern const struct saker_ix_str SAKER_VAR_IX_STRS[];
extern const struct saker_ix_event SAKER_VAR_IX_EVS[];
extern const struct saker_ix_probe SAKER_VAR_IX_PROBES[];
extern const __u8 SAKER_VAR_IX_EVSETS[];
extern const __u32 SAKER_VAR_IX_COUNTS[SAKER_IXC__COUNT];
extern const __u32 SAKER_VAR_N_PATS;

SK_GLOBAL int SAKER_FN_CONTAINS(int field, __u32 pat, __u32 plen, int icase);
SK_GLOBAL int SAKER_FN_GLOB(int field, __u32 pat, __u32 plen);

#define SK_IXC(x) SAKER_VAR_IX_COUNTS[SAKER_IXC_##x]

/* I bounded by N for the verifier: the barriers keep LLVM from computing an address before the
 * check, or from a copy of the index the check did not bound (as sk_pattern). */
#define SK_IX_BOUND(i, n, fail)                  \
	do {                                     \
		asm volatile("" : "+r"(i));      \
		if ((i) >= (n))                  \
			fail;                    \
		asm volatile("" : "+r"(i));      \
	} while (0)

SK_INLINE __u64 sk_ix_seed(void)
{
	return (__u64)SK_IXC(SEED_HI) << 32 | SK_IXC(SEED_LO);
}

/* The slot of hash H, or NULL. */
SK_INLINE const struct saker_ix_slot *sk_ix_lookup(__u64 h)
{
	__u64 mask = SK_IXC(MASK);

#pragma unroll
	for (int d = 0; d < SAKER_IX_PROBE_MAX; d++) {
		__u64 i = (h + d) & mask;
		const struct saker_ix_slot *s;

		SK_IX_BOUND(i, (__u64)SK_IXC(MASK) + 1, return 0);
		s = &SAKER_VAR_IX_SLOTS[i];
		if (s->h == h)
			return s;
		if (!s->h)
			return 0;
	}
	return 0;
}

SK_INLINE __u32 sk_ix_list(__u64 i)
{
	SK_IX_BOUND(i, SK_IXC(LIST), return (__u32)-1);
	return SAKER_VAR_IX_LIST[i];
}

SK_INLINE void sk_ix_add_hit(struct sk_ix *ix, const struct saker_ix_slot *s)
{
	__u32 n = ix->n_hits;

	if (!s || !s->n || n >= SAKER_IX_HITS)
		return;
	ix->hits[n & (SAKER_IX_HITS - 1)].off = s->off;
	ix->hits[n & (SAKER_IX_HITS - 1)].n = s->n;
	ix->n_hits = n + 1;
}

/* ---- hashing a string field ------------------------------------------------------------ */

/* One 8-byte word of the value: the raw hash so far, and the prefix bucket it completes. */
static long sk_ix_word(__u32 i, void *arg)
{
	struct sk_cb *cb = arg;
	struct sk_ix *ix = &cb->sc->ix;
	__u64 w, off = (__u64)i * 8;
	__u32 left;

	if (i >= ix->hwords)
		return 1;
	w = *(const __u64 *)(cb->s + (off & (SAKER_STR_MAX & ~7)));
	left = ix->hlen - (__u32)off;
	if (left < 8)
		w &= (1ull << (left * 8)) - 1;
	if (i == 0) {
		/* the buckets of 1, 2 and 4 bytes */
		ix->ph[0] = saker_ix_step(sk_ix_seed(), w & 0xff);
		ix->ph[1] = saker_ix_step(sk_ix_seed(), w & 0xffff);
		ix->ph[2] = saker_ix_step(sk_ix_seed(), w & 0xffffffff);
	}
	ix->h = saker_ix_step(ix->h, w);
	/* after 1 << (k - 3) words: the bucket of 1 << k bytes */
	if (((i + 1) & i) == 0 && i < 256) {
		__u32 k = 3, n = i + 1;

		/* k = 3 + log2(n), n a power of two below 512 (BPF has no clz) */
		k += n >= 16 ? 4 : 0;
		n >>= n >= 16 ? 4 : 0;
		k += n >= 4 ? 2 : 0;
		n >>= n >= 4 ? 2 : 0;
		k += n >= 2 ? 1 : 0;
		if (k < SAKER_IX_BUCKETS)
			ix->ph[k] = ix->h;
	}
	return 0;
}

/* Hashes string field FIELD (sc->ix.h, ph[] for the prefixes); returns its length, or -1 when it
 * has no value. The whole-value hash is kept for the event's set tests. */
SK_GLOBAL int saker_ix_hash(int field)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_cb cb = { .sc = sc };
	struct sk_ix *ix;
	int len;

	if (!sc)
		return -1;
	ix = &sc->ix;
	len = sk_str_any(sc, field, &cb.s);
	if (len < 0)
		return -1;
	len &= SAKER_STR_MAX;
	ix->hlen = len;
	ix->hwords = (len + 7) / 8;
	ix->h = sk_ix_seed();
	bpf_loop(ix->hwords, sk_ix_word, &cb, 0);
	if (ix->n_cache < 4) {
		ix->cache_field[ix->n_cache & 3] = field;
		ix->cache_h[ix->n_cache & 3] = ix->h;
		ix->n_cache++;
	}
	return len;
}

/* The raw hash of FIELD's value in *H and its length, or -1; from the cache when hashed already. */
SK_INLINE int sk_ix_raw(struct sk_scratch *sc, int field, __u64 *h)
{
	const char *p;
	int len = sk_str_any(sc, field, &p);

	if (len < 0)
		return -1;
#pragma unroll
	for (int i = 0; i < 4; i++)
		if (i < (int)sc->ix.n_cache && sc->ix.cache_field[i] == (__u32)field) {
			*h = sc->ix.cache_h[i];
			return len;
		}
	len = saker_ix_hash(field);
	*h = sc->ix.h;
	return len;
}

/* ---- comparisons with the pool ----------------------------------------------------------- */

/* Eight bytes of a comparison with the pool (whose constants start 8-aligned), the last word
 * masked to what is left. */
static long sk_ix_word_cmp(__u32 j, void *arg)
{
	struct sk_cb *cb = arg;
	struct sk_bytes *b = &cb->sc->by;
	__u64 at = (__u64)b->pat + (__u64)j * 8, v, k;
	__u32 left;

	if ((__u64)j * 8 >= b->plen)
		return 1;
	SK_IX_BOUND(at, SK_IXC(POOL) < 8 ? 0 : SK_IXC(POOL) - 7, goto bad);
	/* value bytes past its end are masked off: they lie in the same map value */
	v = *(const __u64 *)(cb->s + ((b->off + (__u64)j * 8) & (SAKER_STR_MAX & ~7)) +
			     ((b->off + j * 8) & 7));
	k = *(const __u64 *)&SAKER_VAR_IX_POOL[at & ~7ull];
	left = b->plen - j * 8;
	if (left < 8) {
		v &= (1ull << (left * 8)) - 1;
		k &= (1ull << (left * 8)) - 1;
	}
	if (v != k)
		goto bad;
	return 0;
bad:
	b->ok = 0;
	return 1;
}

/* FIELD's value equals (SAKER_BYTES_EQ), starts with (PREFIX) or ends with (SUFFIX) the LEN
 * bytes at pool offset OFF: 1 or 0, or -1 when the field has no value. */
SK_GLOBAL int saker_ix_bytes(int field, __u32 off, __u32 len, int mode)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_cb cb = { .sc = sc };
	struct sk_bytes *b;
	int slen;

	if (!sc)
		return -1;
	slen = sk_str_any(sc, field, &cb.s);
	if (slen < 0)
		return -1;
	if (len > (__u32)slen || (mode == SAKER_BYTES_EQ && len != (__u32)slen))
		return 0;
	b = &sc->by;
	b->off = mode == SAKER_BYTES_SUFFIX ? slen - len : 0;
	b->plen = len;
	b->pat = off;
	b->ok = 1;
	bpf_loop((len + 7) / 8, sk_ix_word_cmp, &cb, 0);
	return b->ok;
}

/* ---- the atoms --------------------------------------------------------------------------- */

SK_INLINE int sk_ix_evset(__u32 set, __u32 ev)
{
	__u64 i = (__u64)set * SAKER_IX_EVSET_BYTES + ((ev >> 3) & (SAKER_IX_EVSET_BYTES - 1));

	SK_IX_BOUND(i, (__u64)SK_IXC(EVSETS) * SAKER_IX_EVSET_BYTES, return 0);
	return (SAKER_VAR_IX_EVSETS[i] >> (ev & 7)) & 1;
}

SK_INLINE int sk_ix_int(struct sk_scratch *sc, const struct saker_ix_atom *a)
{
	__s64 v;
	const struct saker_ix_slot *s;
	__u64 at;

	if (!sk_int_any(sc, a->field, &v))
		return 0;
	v &= a->mask;
	switch (a->op) {
	case SAKER_OP_INT_EQ: return v == a->k;
	case SAKER_OP_INT_NE: return v != a->k;
	case SAKER_OP_INT_LT: return v < a->k;
	case SAKER_OP_INT_LE: return v <= a->k;
	case SAKER_OP_INT_GT: return v > a->k;
	case SAKER_OP_INT_GE: return v >= a->k;
	}
	/* SAKER_OP_INT_IN: the slot holds the pool offset of its one value */
	s = sk_ix_lookup(saker_ix_fin(saker_ix_step(sk_ix_seed(), v), SAKER_IX_SP_SET(a->a), 8));
	if (!s || !s->n)
		return 0;
	at = sk_ix_list(s->off);
	SK_IX_BOUND(at, SK_IXC(POOL) < 8 ? 0 : SK_IXC(POOL) - 7, return 0);
	return *(const __s64 *)&SAKER_VAR_IX_POOL[at & ~7ull] == v;
}

SK_INLINE int sk_ix_str_in(struct sk_scratch *sc, const struct saker_ix_atom *a)
{
	const struct saker_ix_slot *s;
	__u64 h, i;
	int len = sk_ix_raw(sc, a->field, &h);

	if (len < 0)
		return 0;
	s = sk_ix_lookup(saker_ix_fin(h, SAKER_IX_SP_SET(a->a), len));
	if (!s || !s->n)
		return 0;
	i = sk_ix_list(s->off);
	SK_IX_BOUND(i, SK_IXC(STRS), return 0);
	return saker_ix_bytes(a->field, SAKER_VAR_IX_STRS[i].off, SAKER_VAR_IX_STRS[i].len,
			      SAKER_BYTES_EQ) == 1;
}

SK_INLINE int sk_ix_atom(struct sk_scratch *sc, const struct saker_ix_atom *a)
{
	int r;

	switch (a->op) {
	case SAKER_OP_EVSET:
		return sk_ix_evset(a->a, sc->ix.ev);
	case SAKER_OP_STR_EQ:
		return saker_ix_bytes(a->field, a->a, a->b, SAKER_BYTES_EQ) == 1;
	case SAKER_OP_STR_NE:
		r = saker_ix_bytes(a->field, a->a, a->b, SAKER_BYTES_EQ);
		return r == 0;
	case SAKER_OP_STR_PFX:
		return saker_ix_bytes(a->field, a->a, a->b, SAKER_BYTES_PREFIX) == 1;
	case SAKER_OP_STR_SFX:
		return saker_ix_bytes(a->field, a->a, a->b, SAKER_BYTES_SUFFIX) == 1;
	case SAKER_OP_STR_IN:
		return sk_ix_str_in(sc, a);
	/* without patterns the searches fold to nothing, and their calls must go too (a call
	 * passing arguments the body does not read is refused, docs/kernel.md) */
	case SAKER_OP_CONTAINS:
		if (!SAKER_VAR_N_PATS)
			return 0;
		return SAKER_FN_CONTAINS(a->field, a->a, a->b, a->k != 0) != 0;
	case SAKER_OP_GLOB:
		if (!SAKER_VAR_N_PATS)
			return 0;
		return SAKER_FN_GLOB(a->field, a->a, a->b) != 0;
	}
	return sk_ix_int(sc, a);
}

/* ---- the candidates ---------------------------------------------------------------------- */

SK_INLINE void sk_ix_done(struct sk_ix *ix, int held)
{
	struct saker_rule_stat *rs;

	if (ix->rule >= SK_IXC(REAL)) {
		/* a guard: it opens its probes */
		if (held)
			ix->gpass |= 1ull << (ix->gbit & 63);
		ix->pc = SAKER_PC_FALSE;
		return;
	}
	rs = sk_rule_stat(ix->rule);
	if (held)
		saker_tp_match(ix->rule);
	if (rs && ix->sampled) {
		rs->cost_ns += bpf_ktime_get_ns() - ix->t0;
		rs->samples++;
	}
	ix->pc = SAKER_PC_FALSE;
}

/* One step: the next candidate starts, or the current one's next atom runs. */
static long sk_ix_eval(__u32 step, void *arg)
{
	struct sk_scratch *sc = ((struct sk_cb *)arg)->sc;
	struct sk_ix *ix = &sc->ix;
	const struct saker_ix_atom *a;
	struct saker_rule_stat *rs;
	__u64 i;
	__u32 next;

	(void)step;
	if (ix->pc == SAKER_PC_FALSE) {
		__u32 hi = ix->hi, rule;
		const struct saker_ix_rule *r;

		if (hi >= ix->n_hits)
			return 1;
		if (ix->pos >= ix->hits[hi & (SAKER_IX_HITS - 1)].n) {
			ix->hi = hi + 1;
			ix->pos = 0;
			return 0;
		}
		rule = sk_ix_list((__u64)ix->hits[hi & (SAKER_IX_HITS - 1)].off + ix->pos);
		ix->gbit = ix->pos; /* a guard's place in its event's list */
		ix->pos++;
		i = rule;
		SK_IX_BOUND(i, SK_IXC(RULES), return 0);
		r = &SAKER_VAR_IX_RULES[i];
		if (!sk_ix_evset(r->evset, ix->ev))
			return 0;
		ix->rule = rule;
		ix->atom0 = r->atom0;
		ix->n_atoms = r->n_atoms;
		ix->pc = 0;
		ix->sampled = 0;
		rs = rule < SK_IXC(REAL) ? sk_rule_stat(rule) : 0;
		if (rs && !(rs->evals++ % SAKER_COST_SAMPLE)) {
			ix->sampled = 1;
			ix->t0 = bpf_ktime_get_ns();
		}
		if (!r->n_atoms)
			sk_ix_done(ix, 1);
		return 0;
	}
	if (ix->pc >= ix->n_atoms) {
		sk_ix_done(ix, 0);
		return 0;
	}
	i = (__u64)ix->atom0 + ix->pc;
	SK_IX_BOUND(i, SK_IXC(ATOMS), return 1);
	a = &SAKER_VAR_IX_ATOMS[i];
	next = sk_ix_atom(sc, a) ? a->t : a->f;
	if (next == SAKER_PC_TRUE)
		sk_ix_done(ix, 1);
	else if (next == SAKER_PC_FALSE)
		sk_ix_done(ix, 0);
	else
		ix->pc = next;
	return 0;
}

/* One probe of the event: the candidate lists of its field's value and prefixes. */
static long sk_ix_probe(__u32 j, void *arg)
{
	struct sk_scratch *sc = ((struct sk_cb *)arg)->sc;
	struct sk_ix *ix = &sc->ix;
	const struct saker_ix_event *e = ((struct sk_cb *)arg)->k ?
		(const struct saker_ix_event *)((struct sk_cb *)arg)->k : 0;
	const struct saker_ix_probe *p;
	__u64 i;
	int len;

	if (!e || j >= e->probe_n)
		return 1;
	i = (__u64)e->probe_off + j;
	SK_IX_BOUND(i, SK_IXC(PROBES), return 1);
	p = &SAKER_VAR_IX_PROBES[i];
	if (p->guard && !((ix->gpass >> ((p->guard - 1) & 63)) & 1))
		return 0;
	if (p->flags & SAKER_IXP_IDENT) {
		__s64 w = -1, cut = 0;

		if (!sk_int_any(sc, SK_FLD_FD_WATCH_ID, &w))
			w = -1;
		if (!sk_int_any(sc, SK_FLD_FD_NAME_CUT, &cut))
			cut = 0;
		if (w >= 0 || cut) {
			struct saker_ix_slot all = { .h = 1, .off = p->all_off, .n = p->all_n };

			sk_ix_add_hit(ix, &all);
			return 0;
		}
	}
	if (p->flags & SAKER_IXP_INT) {
		__s64 v;

		if (sk_int_any(sc, p->field, &v))
			sk_ix_add_hit(ix, sk_ix_lookup(saker_ix_fin(saker_ix_step(sk_ix_seed(), v),
								    SAKER_IX_SP_INT(p->field), 8)));
		return 0;
	}
	len = saker_ix_hash(p->field);
	if (len < 0)
		return 0;
	if (p->flags & SAKER_IXP_EQ)
		sk_ix_add_hit(ix, sk_ix_lookup(saker_ix_fin(ix->h, SAKER_IX_SP_EQ(p->field), len)));
#pragma unroll
	for (int k = 0; k < SAKER_IX_BUCKETS; k++)
		if ((p->buckets >> k) & 1 && (1 << k) <= len)
			sk_ix_add_hit(ix, sk_ix_lookup(saker_ix_fin(ix->ph[k],
								    SAKER_IX_SP_PFX(p->field, k),
								    1u << k)));
	return 0;
}

SK_GLOBAL int SAKER_FN_IX_RUN(__u32 ev)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_cb cb = { .sc = sc };
	const struct saker_ix_event *e;
	struct sk_ix *ix;
	__u64 i = ev;

	if (!sc)
		return 0;
	ix = &sc->ix;
	ix->ev = ev;
	ix->n_hits = 0;
	ix->n_cache = 0;
	SK_IX_BOUND(i, SK_EV__COUNT, return 0);
	e = &SAKER_VAR_IX_EVS[i];
	ix->gpass = 0;
	if (e->guard_n) {
		/* the guards first: candidates of their own, whose holding sets a bit */
		ix->hits[0].off = e->guard_off;
		ix->hits[0].n = e->guard_n;
		ix->n_hits = 1;
		ix->hi = 0;
		ix->pos = 0;
		ix->pc = SAKER_PC_FALSE;
		bpf_loop(1 << 23, sk_ix_eval, &cb, 0);
		ix->n_hits = 0;
	}
	if (e->all_n) {
		ix->hits[0].off = e->all_off;
		ix->hits[0].n = e->all_n;
		ix->n_hits = 1;
	}
	if (e->probe_n) {
		cb.k = (const char *)e;
		bpf_loop(e->probe_n, sk_ix_probe, &cb, 0);
	}
	if (!ix->n_hits)
		return 0;
	ix->hi = 0;
	ix->pos = 0;
	ix->pc = SAKER_PC_FALSE;
	bpf_loop(1 << 23, sk_ix_eval, &cb, 0);
	return 0;
}
