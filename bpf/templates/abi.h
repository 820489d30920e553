/* The seam between the templates (core*.bpf.c, fam_*.bpf.c) and the code compiler/codegen/codegen.c
 * generates: the functions each side defines for the other, and the limits the generated code
 * relies on. Included by the templates and by codegen.c, so the two can only disagree in one
 * place. */
#ifndef SAKER_ABI_H
#define SAKER_ABI_H

/* Defined by the generated module.
 *   int  saker_gen_event(u64 nr)           the event of the syscall exit NR when some rule looks
 *                                          at it, else -1: SAKER_EV_PACK(event id of events.def,
 *                                          its family, 1 for an i386 call). NR is numbered by
 *                                          the call's ABI: the function asks saker_compat() which
 *                                          one, only for numbers hooked on some architecture
 *   void saker_gen_match(void *c, u32 ev)  evaluates every rule of event EV, calling
 *                                          saker_set_match for each that holds
 *   saker_pats[saker_n_pats][SAKER_PAT_SIZE]  patterns of contains/icontains/glob/pmatch and
 *                                             long constants, .rodata
 *   u32  saker_families                    SK_FB_* of the families whose events some rule
 *                                          looks at: the code of the others folds away */
#define SAKER_FN_EVENT        saker_gen_event
#define SAKER_FN_MATCH        saker_gen_match
#define SAKER_VAR_PATS        saker_pats
#define SAKER_VAR_N_PATS      saker_n_pats
#define SAKER_VAR_FAMILIES    saker_families

#define SAKER_EV_PACK(ev, fam, compat) ((ev) | (fam) << 16 | (compat) << 24)
#define SAKER_EV_ID(x)     ((x) & 0xffff)
#define SAKER_EV_FAMILY(x) (((x) >> 16) & 0xff)
#define SAKER_EV_COMPAT(x) (((x) >> 24) & 1)

/* Defined by the templates; C is the opaque per-event context they pass in.
 *   int  saker_compat(void)                 1 when the current syscall came through the i386
 *                                           (compat) entry, so NR is an i386 number
 *   int  saker_int(void *c, int field, s64 *v)  1 with FIELD's value in *V (booleans are 0 or 1),
 *                                           or 0 when it has none for this event
 *   int  saker_str(void *c, int field, const char **p)  the length of FIELD's string, its bytes
 *                                           at *P (not NUL-terminated at the length), or -1
 *                                           when it has none
 *   void saker_set_match(void *c, u32 rule)  rule RULE (its index in the bundle) holds
 * Every field is computed at most once per event, on first use. A field of a family other than
 * the event's (fields.def) has no value. */
#define SAKER_FN_COMPAT       saker_compat
#define SAKER_FN_INT          saker_int
#define SAKER_FN_STR          saker_str
#define SAKER_FN_SET_MATCH    saker_set_match

/* Also defined by the templates, but as BPF global functions: the verifier checks each once,
 * whatever the number of rules calling them, so they must stay external.
 *   int saker_str_contains(int field, u32 pat, u32 plen, int icase)
 *   int saker_str_glob(int field, u32 pat, u32 plen)
 * PAT indexes saker_pats. For contains, row PAT holds the pattern and PLEN is its length; for
 * glob, rows PAT, PAT + 1 and on hold the compiled pattern (below) and PLEN its elements. */
#define SAKER_FN_CONTAINS     saker_str_contains
#define SAKER_FN_GLOB         saker_str_glob

/*   int saker_str_bytes(int field, u32 pat, u32 plen, int mode)
 * The value equals (SAKER_BYTES_EQ), starts with (PREFIX) or ends with (SUFFIX) the PLEN-byte
 * constant whose byte j is in row PAT + j / SAKER_PAT_SIZE, column j % SAKER_PAT_SIZE: for
 * constants too long to compare inline (up to SAKER_STR_MAX bytes). */
#define SAKER_FN_BYTES        saker_str_bytes
#define SAKER_BYTES_EQ     0
#define SAKER_BYTES_PREFIX 1
#define SAKER_BYTES_SUFFIX 2

/* What code generation makes internal after linking, besides every always_inline function of
 * the templates (their helpers to one another), so that O2 inlines and prunes it. */
#define SAKER_ABI_INTERNAL(X) \
	X(SAKER_FN_EVENT) X(SAKER_FN_MATCH) X(SAKER_VAR_PATS) X(SAKER_VAR_N_PATS) \
	X(SAKER_VAR_FAMILIES) X(SAKER_VAR_IX_RULES) X(SAKER_VAR_IX_ATOMS) X(SAKER_VAR_IX_SLOTS) \
	X(SAKER_VAR_IX_LIST) X(SAKER_VAR_IX_POOL) X(SAKER_VAR_IX_STRS) X(SAKER_VAR_IX_EVS) \
	X(SAKER_VAR_IX_PROBES) X(SAKER_VAR_IX_EVSETS) X(SAKER_VAR_IX_COUNTS)

#define SAKER_ABI_STR_(x) #x
#define SAKER_ABI_STR(x)  SAKER_ABI_STR_(x)

/* Strings handed to the generated code are at most this long, and at least this many bytes of
 * the same map value follow their start (so masked indexes stay inside it). */
#define SAKER_STR_MAX 4095
/* Each pattern is padded to this size (so the kernel side may index it with a mask); longer
 * patterns are refused at compile time. */
#define SAKER_PAT_SIZE 256

/* A compiled glob: element i has kind K[i] = row PAT + 1 and argument A[i] = row PAT. */
#define SAKER_GLOB_LIT   1  /* the byte A[i] */
#define SAKER_GLOB_ANY   2  /* '?': any byte */
#define SAKER_GLOB_STAR  3  /* '*': any run of bytes, '/' included */
#define SAKER_GLOB_CLASS 4  /* '[...]': the bytes b with row PAT + 2 + A[i] [b] != 0 */
/* For pmatch, whose patterns match whole '/'-separated components (empty ones skipped): */
#define SAKER_GLOB_SEGSTAR 5 /* '*' inside a component: any run of bytes but '/' */
#define SAKER_GLOB_LEAD    6 /* a component starts: skip any '/', then there must be a byte */
#define SAKER_GLOB_TAIL    7 /* the components matched: the subject ends, or goes on with '/' */

/* ---- the rule tables (docs/kernel.md, "Rule tables") ------------------------------------------
 * By default the generated module holds no code per rule: each rule is a small branch program of
 * atoms in .rodata, and the template's interpreter (core_ix.bpf.c) runs the candidates an index
 * selects. Every table below is a constant global of the generated module, and each count a
 * constant that O2 folds, so the template's bound checks are immediates.
 *   void saker_ix_run(u32 ev)   (template, BPF global)  selects and evaluates the rules of EV */
#define SAKER_FN_IX_RUN      saker_ix_run
#define SAKER_VAR_IX_RULES   saker_ix_rules   /* struct saker_ix_rule[n_rules] */
#define SAKER_VAR_IX_ATOMS   saker_ix_atoms   /* struct saker_ix_atom[] */
#define SAKER_VAR_IX_SLOTS   saker_ix_slots   /* struct saker_ix_slot[mask + 1], open addressing */
#define SAKER_VAR_IX_LIST    saker_ix_list    /* u32[]: rule ids, string refs or pool offsets */
#define SAKER_VAR_IX_POOL    saker_ix_pool    /* u8[]: constants (u64 ones 8-aligned) */
#define SAKER_VAR_IX_STRS    saker_ix_strs    /* struct saker_ix_str[]: strings of the sets */
#define SAKER_VAR_IX_EVS     saker_ix_evs     /* struct saker_ix_event[SK_EV__COUNT] */
#define SAKER_VAR_IX_PROBES  saker_ix_probes  /* struct saker_ix_probe[] */
#define SAKER_VAR_IX_EVSETS  saker_ix_evsets  /* u8[n][SAKER_IX_EVSET_BYTES]: event bitmaps */
#define SAKER_VAR_IX_COUNTS  saker_ix_counts  /* u32[SAKER_IXC__COUNT] */
enum {
	SAKER_IXC_RULES, SAKER_IXC_ATOMS, SAKER_IXC_MASK, SAKER_IXC_LIST, SAKER_IXC_POOL,
	SAKER_IXC_STRS, SAKER_IXC_PROBES, SAKER_IXC_EVSETS, SAKER_IXC_SEED_LO, SAKER_IXC_SEED_HI,
	SAKER_IXC_REAL, /* rules[0, REAL) are the bundle's; the others are guards */
	SAKER_IXC__COUNT
};
#define SAKER_IX_EVSET_BYTES 64   /* bits for 512 event ids */
#define SAKER_IX_HITS        32   /* candidate lists one event may select */
#define SAKER_IX_PROBE_MAX   16   /* an open-addressing lookup looks at most this many slots */
#define SAKER_IX_BUCKETS     12   /* startswith buckets: prefixes of 1 << k bytes, k < 12 */

/* One rule: its program is atoms[atom0, atom0 + n_atoms); n_atoms 0: it always holds on its
 * events (the bitmap EVSET). */
struct saker_ix_rule {
	unsigned int atom0;
	unsigned short n_atoms, evset;
};

/* One test; T and F are the next atom (relative to the rule's first) when it holds or not, or
 * SAKER_PC_TRUE / SAKER_PC_FALSE. Missing values make every test false. */
struct saker_ix_atom {
	unsigned short op, field;
	unsigned short t, f;
	unsigned int a, b;
	long long k;
	unsigned long long mask;
};
#define SAKER_PC_TRUE  0xfffe
#define SAKER_PC_FALSE 0xffff
enum {
	SAKER_OP_EVSET = 1, /* the event is in bitmap A */
	SAKER_OP_INT_EQ, SAKER_OP_INT_NE, SAKER_OP_INT_LT, SAKER_OP_INT_LE, SAKER_OP_INT_GT,
	SAKER_OP_INT_GE,    /* (value & MASK) cmp K, signed */
	SAKER_OP_INT_IN,    /* (value & MASK) is in set A (a set probe; the slot's one item checked) */
	SAKER_OP_STR_EQ, SAKER_OP_STR_NE, SAKER_OP_STR_PFX, SAKER_OP_STR_SFX,
			    /* against the B bytes at pool offset A */
	SAKER_OP_STR_IN,    /* the value is in set A */
	SAKER_OP_CONTAINS,  /* saker_str_contains(field, A, B, K) */
	SAKER_OP_GLOB,      /* saker_str_glob(field, A, B) */
};

struct saker_ix_slot {
	unsigned long long h;    /* 0: empty */
	unsigned int off, n;     /* list[off, off + n) */
};

struct saker_ix_str {
	unsigned int off, len;   /* in the pool */
};

/* The rules of one event: those without an index, list[all_off, + all_n), always run; the
 * others are found through probes[probe_off, + probe_n). Guards, list[guard_off, + guard_n)
 * (at most 64), run first: a probe with guard g + 1 is looked up only when guard g held. */
struct saker_ix_event {
	unsigned int all_off, all_n, probe_off, probe_n, guard_off, guard_n;
};

/* One field the event's rules are indexed by: its whole value (SAKER_IXP_EQ, or SAKER_IXP_INT
 * for a number), and its prefixes of 1 << k bytes for each bit k of BUCKETS. GUARD: 0, or 1 +
 * the event's guard whose holding the lookup needs: the cheap tests every rule behind the probe
 * has (a write open...), so that a costly field (a path) is computed only when some rule may
 * still hold. */
struct saker_ix_probe {
	unsigned short field, flags;
	unsigned int buckets;
	unsigned int guard, pad;
	unsigned int all_off, all_n; /* SAKER_IXP_IDENT: every rule behind the probe, list[off, off + n) */
};
#define SAKER_IXP_EQ    1
#define SAKER_IXP_INT   2
/* The probe's field is a path that file identity and cut paths rewrite (fd.name, fd.directory):
 * a rule's test C on it is C or fd.watch_id in (...) or (fd.name_cut and ...), indexed by C
 * alone. On an event where those may hold (the opened file is a watched one, or its name was
 * cut) the probe takes all its rules instead of looking the value up, each once. */
#define SAKER_IXP_IDENT 4

/* The hashes, the same on both sides. A string's raw hash folds its 8-byte little-endian words
 * in order, the last one zero-padded; a number's is one word. The key of a slot is that raw
 * hash finished with its space (what is looked up: a field's value, a prefix bucket, a set) and
 * the length. Equal hashes of different keys are never both in a table: the compiler changes the
 * seed until none are, so a set's slot holds its one item. */
#define SAKER_IX_SP_EQ(field)     (0x01000000u | (field))
#define SAKER_IX_SP_PFX(field, k) (0x02000000u | (k) << 16 | (field))
#define SAKER_IX_SP_INT(field)    (0x03000000u | (field))
#define SAKER_IX_SP_SET(set)      (0x04000000u | (set))

static inline unsigned long long saker_ix_step(unsigned long long h, unsigned long long w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 32);
}

static inline unsigned long long saker_ix_fin(unsigned long long h, unsigned int space,
					      unsigned int len)
{
	h ^= ((unsigned long long)space << 32) | len;
	h *= 0xc2b2ae3d27d4eb4full;
	h ^= h >> 29;
	h *= 0x9e3779b97f4a7c15ull;
	h ^= h >> 32;
	return h ? h : 1;
}

#endif
