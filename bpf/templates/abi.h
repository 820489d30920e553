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
	X(SAKER_VAR_FAMILIES)

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

#endif
