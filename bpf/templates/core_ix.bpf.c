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

SK_GLOBAL int saker_ix_contains(__u32 ref, __u32 pat, __u32 plen, int icase);
SK_GLOBAL int saker_ix_glob(__u32 ref, __u32 pat, __u32 plen);

#define SK_IXC(x) SAKER_VAR_IX_COUNTS[SAKER_IXC_##x]

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

/* Hashes the string of ref REF (ix.h, ph[] for the prefixes, and the ref's own hash for the set
 * tests); returns its length, or -1 when it has no value. */
SK_GLOBAL int saker_ix_hash(__u32 ref)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_cb cb = { .sc = sc };
	struct sk_ix *ix;
	__u64 r = ref;
	int len;

	if (!sc)
		return -1;
	ix = &sc->ix;
	len = sk_ix_refstr(sc, ref, &cb.s);
	if (len < 0)
		return -1;
	ix->hlen = len;
	ix->hwords = (len + 7) / 8;
	ix->h = sk_ix_seed();
	bpf_loop(ix->hwords, sk_ix_word, &cb, 0);
	SK_IX_BOUND(r, SK_IX_REFS, return len);
	ix->ref_v[r] = (__s64)ix->h;
	ix->ref_hok |= 1u << r;
	return len;
}

/* ---- loading the values ------------------------------------------------------------------ */

/* The ref holding KEY (SK_IX_KEY), or -1: the interpreter then stops and has it loaded. */
SK_INLINE int sk_ix_ref(const struct sk_ix *ix, __u32 key)
{
#pragma unroll
	for (int i = 0; i < SK_IX_REFS; i++)
		if (ix->ref_key[i] == key + 1)
			return i;
	return -1;
}

/* Loads KEY's field into the next ref (round robin): the only place under the interpreter where fields are
 * computed, called from its top (saker_ix_run), so that the families' computations and path
 * walks never stack up under the evaluation's frames. */
SK_GLOBAL int saker_ix_load(__u32 key)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_ix *ix;
	__u32 field = key >> 1;
	__u64 r;

	if (!sc)
		return 0;
	ix = &sc->ix;
	r = ix->ref_next++ & (SK_IX_REFS - 1);
	ix->ref_hok &= ~(1u << r);
	if (key & 1) {
		const char *p = 0;
		int len = sk_str_any(sc, field, &p);
		__u64 off = (__u64)(p - (const char *)sc);

		/* every string lies in the scratch, before walk[] (core.h) */
		if (len >= 0 && off > __builtin_offsetof(struct sk_scratch, walk))
			len = -1;
		ix->ref_len[r] = len < 0 ? -1 : len;
		ix->ref_off[r] = (__u16)off;
	} else {
		__s64 v = 0;

		ix->ref_len[r] = sk_int_any(sc, field, &v) ? 0 : -1;
		ix->ref_v[r] = v;
	}
	ix->ref_key[r] = key + 1;
	/* The families hand out short strings in sc->small, which the next computation may write
	 * over: a ref into it holds only until the next load (a field's other buffers are its
	 * own). small starts the scratch. */
	_Static_assert(__builtin_offsetof(struct sk_scratch, small) == 0, "small first");
#pragma unroll
	for (int k = 0; k < SK_IX_REFS; k++)
		if (k != (int)r && ix->ref_len[k] >= 0 && ((ix->ref_key[k] - 1) & 1) &&
		    ix->ref_off[k] < SK_SMALL)
			ix->ref_key[k] = 0;
	return 0;
}

/* The ref of KEY, or -1 after asking for it (the caller stops its loop at once). */
SK_INLINE int sk_ix_want(struct sk_ix *ix, __u32 key)
{
	int r = sk_ix_ref(ix, key);

	if (r < 0) {
		ix->want = key;
		ix->stop = SK_IXS_LOAD;
	}
	return r;
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

/* The string of ref REF equals (SAKER_BYTES_EQ), starts with (PREFIX) or ends with (SUFFIX) the
 * LEN bytes at pool offset OFF: 1 or 0, or -1 when it has no value. */
SK_GLOBAL int saker_ix_bytes(__u32 ref, __u32 off, __u32 len, int mode)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_cb cb = { .sc = sc };
	struct sk_bytes *b;
	int slen;

	if (!sc)
		return -1;
	slen = sk_ix_refstr(sc, ref, &cb.s);
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

/* A number test on ref R. */
SK_INLINE int sk_ix_int(struct sk_ix *ix, const struct saker_ix_atom *a, __u64 r)
{
	const struct saker_ix_slot *s;
	__s64 v;
	__u64 at;

	SK_IX_BOUND(r, SK_IX_REFS, return 0);
	if (ix->ref_len[r] < 0)
		return 0;
	v = ix->ref_v[r] & a->mask;
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

/* A set test on the string of ref R. */
SK_INLINE int sk_ix_str_in(struct sk_ix *ix, const struct saker_ix_atom *a, __u64 r)
{
	const struct saker_ix_slot *s;
	__u64 i;
	__s32 len;

	SK_IX_BOUND(r, SK_IX_REFS, return 0);
	len = ix->ref_len[r];
	if (len < 0)
		return 0;
	if (!((ix->ref_hok >> r) & 1))
		saker_ix_hash((__u32)r);
	s = sk_ix_lookup(saker_ix_fin((__u64)ix->ref_v[r], SAKER_IX_SP_SET(a->a), len & SAKER_STR_MAX));
	if (!s || !s->n)
		return 0;
	i = sk_ix_list(s->off);
	SK_IX_BOUND(i, SK_IXC(STRS), return 0);
	return saker_ix_bytes((__u32)r, SAKER_VAR_IX_STRS[i].off, SAKER_VAR_IX_STRS[i].len,
			      SAKER_BYTES_EQ) == 1;
}

/* Atom A on the ref R of its field. */
SK_INLINE int sk_ix_atom(struct sk_ix *ix, const struct saker_ix_atom *a, __u32 r)
{
	switch (a->op) {
	case SAKER_OP_STR_EQ:
		return saker_ix_bytes(r, a->a, a->b, SAKER_BYTES_EQ) == 1;
	case SAKER_OP_STR_NE:
		return saker_ix_bytes(r, a->a, a->b, SAKER_BYTES_EQ) == 0;
	case SAKER_OP_STR_PFX:
		return saker_ix_bytes(r, a->a, a->b, SAKER_BYTES_PREFIX) == 1;
	case SAKER_OP_STR_SFX:
		return saker_ix_bytes(r, a->a, a->b, SAKER_BYTES_SUFFIX) == 1;
	case SAKER_OP_STR_IN:
		return sk_ix_str_in(ix, a, r);
	/* without patterns the searches fold to nothing, and their calls must go too (a call
	 * passing arguments the body does not read is refused, docs/kernel.md) */
	case SAKER_OP_CONTAINS:
		if (!SAKER_VAR_N_PATS)
			return 0;
		return saker_ix_contains(r, a->a, a->b, a->k != 0) != 0;
	case SAKER_OP_GLOB:
		if (!SAKER_VAR_N_PATS)
			return 0;
		return saker_ix_glob(r, a->a, a->b) != 0;
	}
	return sk_ix_int(ix, a, r);
}

SK_INLINE int sk_ix_is_str(unsigned op)
{
	return op >= SAKER_OP_STR_EQ;
}

/* ---- the candidates ---------------------------------------------------------------------- */

SK_INLINE void sk_ix_done(struct sk_ix *ix, __u32 n_ids, int held)
{
	struct saker_rule_stat *rs;

	ix->pc = SAKER_PC_FALSE;
	if (ix->rule >= SK_IXC(REAL)) {
		/* a guard: it opens its probes */
		if (held)
			ix->gpass |= 1ull << (ix->gbit & 63);
		return;
	}
	rs = sk_rule_stat(ix->rule);
	if (rs && ix->sampled) {
		rs->cost_ns += bpf_ktime_get_ns() - ix->t0;
		rs->samples++;
	}
	if (!held)
		return;
	/* a full record stops the evaluation: the top sends it, adds the rule and goes on (sent
	 * here, it would be under the evaluation's frames) */
	if (n_ids >= SAKER_REC_RULES) {
		ix->stop = SK_IXS_FULL;
		ix->pending = ix->rule;
		return;
	}
	saker_tp_add(ix->rule);
}

/* One step: the next candidate starts, or the current one's next atom runs. Stops (1) when
 * the candidates are done, or with ix->stop set when a value must be loaded or a record sent
 * first; the step is then taken again. */
static long sk_ix_eval(__u32 step, void *arg)
{
	struct sk_scratch *sc = ((struct sk_cb *)arg)->sc;
	struct sk_ix *ix = &sc->ix;
	const struct saker_ix_atom *a;
	struct saker_rule_stat *rs;
	__u64 i;
	__u32 next;
	int r = 0;

	(void)step;
	if (ix->pc == SAKER_PC_FALSE) {
		__u32 hi = ix->hi, rule;
		const struct saker_ix_rule *ru;

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
		ru = &SAKER_VAR_IX_RULES[i];
		if (!sk_ix_evset(ru->evset, ix->ev))
			return 0;
		ix->rule = rule;
		ix->atom0 = ru->atom0;
		ix->n_atoms = ru->n_atoms;
		ix->pc = 0;
		ix->sampled = 0;
		rs = rule < SK_IXC(REAL) ? sk_rule_stat(rule) : 0;
		if (rs && !(rs->evals++ % SAKER_COST_SAMPLE)) {
			ix->sampled = 1;
			ix->t0 = bpf_ktime_get_ns();
		}
		if (!ru->n_atoms)
			sk_ix_done(ix, sc->st.n_ids, 1);
		return ix->stop ? 1 : 0;
	}
	if (ix->pc >= ix->n_atoms) {
		sk_ix_done(ix, 0, 0);
		return 0;
	}
	i = (__u64)ix->atom0 + ix->pc;
	SK_IX_BOUND(i, SK_IXC(ATOMS), return 1);
	a = &SAKER_VAR_IX_ATOMS[i];
	if (a->op == SAKER_OP_EVSET) {
		next = sk_ix_evset(a->a, ix->ev) ? a->t : a->f;
	} else {
		r = sk_ix_want(ix, SK_IX_KEY(a->field, sk_ix_is_str(a->op)));
		if (r < 0)
			return 1; /* the same atom again once its value is loaded */
		next = sk_ix_atom(ix, a, (__u32)r) ? a->t : a->f;
	}
	if (next == SAKER_PC_TRUE)
		sk_ix_done(ix, sc->st.n_ids, 1);
	else if (next == SAKER_PC_FALSE)
		sk_ix_done(ix, 0, 0);
	else
		ix->pc = next;
	return ix->stop ? 1 : 0;
}

/* One probe of the event (ix->pj): the candidate lists of its field's value and prefixes. */
static long sk_ix_probe(__u32 j, void *arg)
{
	struct sk_scratch *sc = ((struct sk_cb *)arg)->sc;
	struct sk_ix *ix = &sc->ix;
	const struct saker_ix_event *e = (const struct saker_ix_event *)((struct sk_cb *)arg)->k;
	const struct saker_ix_probe *p;
	__u64 i;
	int len, r;

	(void)j;
	if (!e || ix->pj >= e->probe_n)
		return 1;
	i = (__u64)e->probe_off + ix->pj;
	SK_IX_BOUND(i, SK_IXC(PROBES), return 1);
	p = &SAKER_VAR_IX_PROBES[i];
	if (p->guard && !((ix->gpass >> ((p->guard - 1) & 63)) & 1)) {
		ix->pj++;
		ix->pstep = 0;
		return 0;
	}
	/* one value at a time (two could share a ref): the watched file, the cut name, then the
	 * probe's own field; ix->pstep says which */
	if ((p->flags & SAKER_IXP_IDENT) && ix->pstep < 2) {
		int hit;
		__u64 k;

		r = sk_ix_want(ix, SK_IX_KEY(ix->pstep ? SK_FLD_FD_NAME_CUT : SK_FLD_FD_WATCH_ID, 0));
		if (r < 0)
			return 1;
		k = (__u64)r;
		SK_IX_BOUND(k, SK_IX_REFS, return 1);
		hit = ix->ref_len[k] >= 0 && (ix->pstep ? ix->ref_v[k] != 0 : ix->ref_v[k] >= 0);
		if (hit) {
			struct saker_ix_slot all = { .h = 1, .off = p->all_off, .n = p->all_n };

			sk_ix_add_hit(ix, &all);
			ix->pj++;
			ix->pstep = 0;
			return 0;
		}
		ix->pstep++;
		return 0;
	}
	r = sk_ix_want(ix, SK_IX_KEY(p->field, !(p->flags & SAKER_IXP_INT)));
	if (r < 0)
		return 1;
	ix->pj++;
	ix->pstep = 0;
	if (p->flags & SAKER_IXP_INT) {
		__u64 k = (__u64)r;

		SK_IX_BOUND(k, SK_IX_REFS, return 1);
		if (ix->ref_len[k] >= 0)
			sk_ix_add_hit(ix, sk_ix_lookup(saker_ix_fin(saker_ix_step(sk_ix_seed(),
										   ix->ref_v[k]),
								    SAKER_IX_SP_INT(p->field), 8)));
		return 0;
	}
	len = saker_ix_hash((__u32)r);
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

/* The candidates are list[OFF, OFF + N) alone (none when N is 0), from their start. */
SK_INLINE void sk_ix_one_list(struct sk_ix *ix, __u32 off, __u32 n)
{
	ix->hits[0].off = off;
	ix->hits[0].n = n;
	ix->n_hits = n ? 1 : 0;
	ix->hi = 0;
	ix->pos = 0;
	ix->pc = SAKER_PC_FALSE;
}

/* The candidates of the evaluation proper: the rules without an index, then the probes'. */
SK_INLINE void sk_ix_candidates(struct sk_ix *ix, const struct saker_ix_event *e)
{
	sk_ix_one_list(ix, e->all_off, e->all_n);
	ix->pj = 0;
	ix->pstep = 0;
	ix->phase = SK_IXP_PROBES;
}

/* The interpreter until it ends or stops (ix->stop: SK_IXS_LOAD, SK_IXS_FULL). */
SK_GLOBAL int saker_ix_resume(void)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_cb cb = { .sc = sc };
	const struct saker_ix_event *e;
	struct sk_ix *ix;
	__u64 i;

	if (!sc)
		return 0;
	ix = &sc->ix;
	ix->stop = 0;
	i = ix->ev;
	SK_IX_BOUND(i, SK_EV__COUNT, return 0);
	e = &SAKER_VAR_IX_EVS[i];
	if (ix->phase == SK_IXP_GUARDS) {
		bpf_loop(1 << 23, sk_ix_eval, &cb, 0);
		if (ix->stop)
			return ix->stop;
		sk_ix_candidates(ix, e);
	}
	if (ix->phase == SK_IXP_PROBES) {
		if (e->probe_n) {
			cb.k = (const char *)e;
			/* up to three steps a probe (ix->pstep); it stops itself after the last */
			bpf_loop(3 * e->probe_n + 1, sk_ix_probe, &cb, 0);
			if (ix->stop)
				return ix->stop;
		}
		ix->phase = SK_IXP_EVAL; /* hi, pos and pc are still at their start */
	}
	if (ix->phase == SK_IXP_EVAL) {
		if (ix->n_hits)
			bpf_loop(1 << 23, sk_ix_eval, &cb, 0);
		if (ix->stop)
			return ix->stop;
		ix->phase = SK_IXP_DONE;
	}
	return 0;
}

/* One round: the interpreter until it stops, then what it stopped for (a field's value to
 * compute, or a full record to send); ends the rounds when it is done. A bpf_loop callback, so
 * that the verifier checks one round, not every one of the SK_IX_ROUNDS. */
static long sk_ix_round(__u32 round, void *arg)
{
	struct sk_scratch *sc = *(struct sk_scratch **)arg; /* (not looked up again each round) */
	int why;

	(void)round;
	why = saker_ix_resume();
	if (why == SK_IXS_LOAD) {
		saker_ix_load(sc->ix.want);
		return 0;
	}
	if (why == SK_IXS_FULL) {
		saker_tp_emit(1);
		saker_tp_add(sc->ix.pending);
		return 0;
	}
	sc->ix.phase = SK_IXP_DONE;
	return 1;
}

/* Selects and evaluates the rules of event EV. The interpreter stops when it needs a field's
 * value or has a full record; here, at its top, the value is computed or the record sent, and
 * it goes on. The rounds are bounded by the loads (a few per field an event's candidates test,
 * more only when they test more fields than there are refs) and the records. */
SK_GLOBAL int saker_ix_start(__u32 ev)
{
	struct sk_scratch *sc = sk_scratch();
	const struct saker_ix_event *e;
	struct sk_ix *ix;
	__u64 i = ev;

	if (!sc)
		return 0;
	ix = &sc->ix;
	SK_IX_BOUND(i, SK_EV__COUNT, return 0);
	e = &SAKER_VAR_IX_EVS[i];
	ix->ev = ev;
	ix->gpass = 0;
	ix->ref_hok = 0;
	ix->ref_next = 0;
#pragma unroll
	for (int k = 0; k < SK_IX_REFS; k++)
		ix->ref_key[k] = 0;
	if (e->guard_n) {
		/* the guards first: candidates of their own, whose holding sets a bit */
		sk_ix_one_list(ix, e->guard_off, e->guard_n);
		ix->phase = SK_IXP_GUARDS;
	} else {
		sk_ix_candidates(ix, e);
	}
	return 1;
}

/* Selects and evaluates the rules of event EV: saker_ix_start, then the rounds. Inlined into
 * each body (the rounds' callback is then a frame in place of this function's, which the
 * deepest chains need: codegen.c's stack check); its few instructions are verified there. */
SK_SHARED int SAKER_FN_IX_RUN(__u32 ev)
{
	struct sk_scratch *sc;

	if (!saker_ix_start(ev) || !(sc = sk_scratch()))
		return 0;
	bpf_loop(SK_IX_ROUNDS, sk_ix_round, &sc, 0);
	if (sc->ix.phase != SK_IXP_DONE)
		/* never silently: the event's remaining candidates were not evaluated */
		sk_stat(SAKER_STAT_LOST_OTHER);
	return 0;
}
