/* The seam between the template (saker.bpf.c) and the code compiler/codegen.c generates: the
 * functions each side defines for the other, and the limits the generated code relies on.
 * Included by the template and by codegen.c, so the two can only disagree in one place. */
#ifndef SAKER_ABI_H
#define SAKER_ABI_H

/* Defined by the generated module.
 *   int  saker_gen_hooked(u64 nr)          1 when some rule looks at syscall NR's exit
 *   void saker_gen_match(void *c, u64 nr)  evaluates every rule, calling saker_set_match
 *   saker_pats[saker_n_pats][SAKER_PAT_SIZE]  patterns of contains/icontains/glob/pmatch and
 *                                             long constants, .rodata */
#define SAKER_FN_HOOKED       saker_gen_hooked
#define SAKER_FN_MATCH        saker_gen_match
#define SAKER_VAR_PATS        saker_pats
#define SAKER_VAR_N_PATS      saker_n_pats

/* Defined by the template; C is the opaque per-event context the template passes in.
 *   int  saker_int_has(void *c, int field)        1 when FIELD has a value for this event
 *   s64  saker_int_val(void *c, int field)        its value (booleans are 0 or 1)
 *   int  saker_str_len(void *c, int field)        length of the string, -1 when missing
 *   const char *saker_str_ptr(void *c, int field) its bytes (not NUL-terminated at len)
 *   void saker_set_match(void *c, u32 rule)       sets bit RULE of saker_event.matched
 * Every field is computed at most once per event, on first use. */
#define SAKER_FN_INT_HAS      saker_int_has
#define SAKER_FN_INT_VAL      saker_int_val
#define SAKER_FN_STR_LEN      saker_str_len
#define SAKER_FN_STR_PTR      saker_str_ptr
#define SAKER_FN_SET_MATCH    saker_set_match

/* Also defined by the template, but as BPF global functions: the verifier checks each once,
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

/* What code generation makes internal after linking, so that O2 inlines and prunes it. */
#define SAKER_ABI_INTERNAL(X) \
	X(SAKER_FN_HOOKED) X(SAKER_FN_MATCH) X(SAKER_VAR_PATS) X(SAKER_VAR_N_PATS) \
	X(SAKER_FN_INT_HAS) X(SAKER_FN_INT_VAL) X(SAKER_FN_STR_LEN) X(SAKER_FN_STR_PTR) \
	X(SAKER_FN_SET_MATCH)

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

/* Syscalls of the open family: the ones whose exits fill open_flags and the fd fields. */
#define SAKER_NR_OPEN    2
#define SAKER_NR_CREAT   85
#define SAKER_NR_OPENAT  257
#define SAKER_NR_OPENAT2 437

#endif
