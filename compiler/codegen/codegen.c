/* Code generation: each rule's lowered predicate becomes LLVM IR that calls the template's field
 * accessors (bpf/templates/abi.h); the result is linked with the template bitcode, internalised,
 * optimised at O2 for the BPF target and emitted as one ELF object in memory. */
#include "codegen.h"
#include "stack.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/BitReader.h>
#include <llvm-c/Core.h>
#include <llvm-c/Linker.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include "../../bpf/templates/abi.h"
#include "saker/event.h"
#include "saker/fields.h"

/* bpf/embed.cmake */
extern const unsigned char saker_template_bc[];
extern const size_t saker_template_bc_len;

#define CG_TRIPLE "bpfel"

/* What code generation needs of a string field, read from the field table's kernel column
 * (fields.def): the longest value the kernel hands out (so impossible tests fold away and loads
 * stay in bounds), whether it starts 8-byte aligned (word loads), and whether it is a path the
 * kernel's walk built, "/" or "/a/b" (no empty component, no trailing '/'), which pmatch uses. */
struct cg_str_field {
	int field;
	unsigned max;
	bool aligned;
	bool canonical;
};

/* Longest constant compared with inline loads; longer ones go through saker_str_bytes. */
#define CG_INLINE_MAX 32

struct cg_callee {
	LLVMValueRef fn;
	LLVMTypeRef ty;
};

struct cg {
	sk_comp *c;
	LLVMContextRef ctx;
	LLVMModuleRef mod;          /* the generated module, until linked */
	LLVMBuilderRef b;
	LLVMTypeRef i1, i8, i32, i64, p8, void_t;
	LLVMAttributeRef cpu_attr;  /* the template's "target-cpu", copied so inlining is allowed */
	LLVMValueRef cv, ev;        /* saker_gen_match's arguments */
	LLVMValueRef ival, sptr;    /* where the accessors write a value (allocas of the function) */
	unsigned fams;              /* SK_FB_* of the families the current rule's events are in */
	LLVMValueRef fn;            /* the function being built */
	struct cg_callee compat, int_get, str_get, set_match, contains, glob, bytes, ix_run;
	bool inline_code;           /* code per rule (SAKER_TEST_INLINE_CODE), not rule tables */
	const sk_rule *rule;        /* the rule whose tables are being built */
	char *pats;                 /* rows of patterns and constants, SAKER_PAT_SIZE bytes each */
	unsigned n_pats;
	bool oom;                   /* some allocation failed while building */
	char *llvm_error;           /* first error the LLVM context reported */
};

/* The kernel facts of FIELD when the kernel computes it as a value (a leaf of a predicate), else
 * NULL. Fields the checker lowers to other tests (SK_K_LOWERED) never reach codegen as leaves. */
static const struct sk_kernel_facts *cg_kfacts(int field)
{
	const struct sk_field_info *f;

	if (field < 0 || field >= SK_FLD__COUNT)
		return NULL;
	f = &sk_fields[field];
	if (f->where != SK_W_KERNEL || !f->k.families || (f->k.kflags & SK_K_LOWERED))
		return NULL;
	return &f->k;
}

static bool cg_is_int_type(enum sk_type t)
{
	return t == SK_T_I64 || t == SK_T_U64 || t == SK_T_BOOL || t == SK_T_PORT || t == SK_T_RELTIME;
}

static bool cg_str_field(int field, struct cg_str_field *out)
{
	const struct sk_kernel_facts *k = cg_kfacts(field);

	if (!k || sk_fields[field].type != SK_T_STR)
		return false;
	out->field = field;
	out->max = k->max;
	out->aligned = k->kflags & SK_K_ALIGNED;
	out->canonical = k->kflags & SK_K_CANONICAL;
	return true;
}

static const char *cg_field_name(int field)
{
	return field >= 0 && field < SK_FLD__COUNT ? sk_fields[field].name : "?";
}

static int cg_unsupported(struct cg *g, const sk_pred *p, const char *what)
{
	sk_error(g->c->diag, p->span, "kernel-unsupported", "%s", what);
	return -1;
}

/* ---- ordering ------------------------------------------------------------------------ */

static unsigned cg_cost(const sk_pred *p)
{
	unsigned cost = 0;

	switch (p->kind) {
	case SK_P_CONST:
		return 0;
	case SK_P_SYSCALL:
		return 1;
	case SK_P_INT: {
		const struct sk_kernel_facts *k = cg_kfacts(p->field);

		return k ? k->cost : 1;
	}
	case SK_P_STR: {
		const struct sk_kernel_facts *k = cg_kfacts(p->field);

		cost = k ? k->cost : 1;
		if (p->cmp == SK_CMP_CONTAINS || p->cmp == SK_CMP_ICONTAINS || p->cmp == SK_CMP_GLOB)
			cost += 20;
		return cost + (unsigned)p->n_strs;
	}
	case SK_P_NOT:
		return p->n_kids ? cg_cost(p->kids[0]) : 0;
	case SK_P_AND:
	case SK_P_OR:
		for (size_t i = 0; i < p->n_kids; i++)
			cost += cg_cost(p->kids[i]);
		return cost;
	}
	return cost;
}

/* KIDS of P in ascending cost, stable (the pred itself is left alone: others read it). */
static const sk_pred **cg_sorted_kids(const sk_pred *p)
{
	const sk_pred **v = calloc(p->n_kids ? p->n_kids : 1, sizeof(*v));
	unsigned *cost = calloc(p->n_kids ? p->n_kids : 1, sizeof(*cost));

	if (!v || !cost) {
		free(v);
		free(cost);
		return NULL;
	}
	for (size_t i = 0; i < p->n_kids; i++) {
		size_t j = i;
		unsigned k = cg_cost(p->kids[i]);

		while (j > 0 && cost[j - 1] > k) {
			v[j] = v[j - 1];
			cost[j] = cost[j - 1];
			j--;
		}
		v[j] = p->kids[i];
		cost[j] = k;
	}
	free(cost);
	return v;
}

/* ---- IR helpers ---------------------------------------------------------------------- */

static LLVMBasicBlockRef cg_block(struct cg *g)
{
	return LLVMAppendBasicBlockInContext(g->ctx, g->fn, "");
}

static LLVMValueRef cg_call(struct cg *g, struct cg_callee *f, LLVMValueRef *args, unsigned n)
{
	return LLVMBuildCall2(g->b, f->ty, f->fn, args, n, "");
}

static LLVMValueRef cg_i32(struct cg *g, long long v)
{
	return LLVMConstInt(g->i32, (unsigned long long)v, 1);
}

static LLVMValueRef cg_i64(struct cg *g, long long v)
{
	return LLVMConstInt(g->i64, (unsigned long long)v, 1);
}

/* True when the N bytes at BASE equal S: loads of 8, 4, 2 and 1 bytes XORed with immediates
 * and ORed together, one branch-free test. */
static LLVMValueRef cg_bytes_eq(struct cg *g, LLVMValueRef base, const char *s, size_t n,
				bool aligned)
{
	LLVMValueRef acc = NULL;

	for (size_t off = 0; off < n;) {
		unsigned w = n - off >= 8 ? 8 : n - off >= 4 ? 4 : n - off >= 2 ? 2 : 1;
		LLVMTypeRef ty = LLVMIntTypeInContext(g->ctx, w * 8);
		LLVMValueRef idx = cg_i64(g, (long long)off);
		LLVMValueRef ptr = LLVMBuildInBoundsGEP2(g->b, g->i8, base, &idx, 1, "");
		LLVMValueRef v;
		unsigned long long k = 0;

		ptr = LLVMBuildBitCast(g->b, ptr, LLVMPointerType(ty, 0), "");
		v = LLVMBuildLoad2(g->b, ty, ptr, "");
		/* offsets go 8, 8, ..., 4, 2, 1: each load is naturally aligned on an aligned base */
		LLVMSetAlignment(v, aligned ? w : 1);
		for (unsigned i = 0; i < w; i++)
			k |= (unsigned long long)(unsigned char)s[off + i] << (8 * i);
		v = LLVMBuildXor(g->b, v, LLVMConstInt(ty, k, 0), "");
		if (w < 8)
			v = LLVMBuildZExt(g->b, v, g->i64, "");
		acc = acc ? LLVMBuildOr(g->b, acc, v, "") : v;
		off += w;
	}
	if (!acc)
		return LLVMConstInt(g->i1, 1, 0);
	return LLVMBuildICmp(g->b, LLVMIntEQ, acc, cg_i64(g, 0), "");
}

/* Adds N bytes of S to saker_pats, zero padded to whole rows (one row at least), and returns
 * the first row; -1 without memory. */
static int cg_pattern(struct cg *g, const char *s, size_t n)
{
	size_t rows = n ? (n + SAKER_PAT_SIZE - 1) / SAKER_PAT_SIZE : 1;
	char *v = realloc(g->pats, (g->n_pats + rows) * SAKER_PAT_SIZE);

	if (!v) {
		g->oom = true;
		return -1;
	}
	g->pats = v;
	v += (size_t)g->n_pats * SAKER_PAT_SIZE;
	memset(v, 0, rows * SAKER_PAT_SIZE);
	memcpy(v, s, n);
	g->n_pats += (unsigned)rows;
	return (int)(g->n_pats - rows);
}

/* The template's saker_str_bytes on a constant stored in rows: longer constants compared
 * inline would need more registers than BPF has, and the spills overflow its 512-byte stack.
 * The function checks the length itself. */
static LLVMValueRef cg_bytes_call(struct cg *g, const struct cg_str_field *f, const char *s,
				  size_t n, int mode)
{
	int pat = cg_pattern(g, s, n);
	LLVMValueRef args[4], r;

	if (pat < 0)
		return LLVMConstInt(g->i1, 0, 0); /* g->oom reports it */
	args[0] = cg_i32(g, f->field);
	args[1] = cg_i32(g, pat);
	args[2] = cg_i32(g, (long long)n);
	args[3] = cg_i32(g, mode);
	r = cg_call(g, &g->bytes, args, 4);
	return LLVMBuildICmp(g->b, LLVMIntNE, r, cg_i32(g, 0), "");
}

/* value == S, or (PREFIX) value starts with S. The loads stay inside the field's buffer whatever
 * LEN is, so no branch. */
static LLVMValueRef cg_str_head(struct cg *g, const struct cg_str_field *f, LLVMValueRef ptr,
				LLVMValueRef len, const char *s, size_t n, bool prefix)
{
	if (n > f->max)
		return LLVMConstInt(g->i1, 0, 0);
	if (n > CG_INLINE_MAX)
		return cg_bytes_call(g, f, s, n, prefix ? SAKER_BYTES_PREFIX : SAKER_BYTES_EQ);
	return LLVMBuildAnd(g->b,
			    LLVMBuildICmp(g->b, prefix ? LLVMIntSGE : LLVMIntEQ, len,
					  cg_i64(g, (long long)n), ""),
			    cg_bytes_eq(g, ptr, s, n, f->aligned), "");
}

/* Branches to T when the value ends with S. The loads start at LEN - N, so they are guarded
 * by a branch on the length the verifier can follow. */
static void cg_str_suffix(struct cg *g, const struct cg_str_field *f, LLVMValueRef ptr,
			  LLVMValueRef len, const char *s, size_t n, LLVMBasicBlockRef t,
			  LLVMBasicBlockRef fb)
{
	LLVMBasicBlockRef body;
	LLVMValueRef off, base;

	if (n > f->max) {
		LLVMBuildBr(g->b, fb);
		return;
	}
	/* unaligned: LLVM splits every load into bytes, hence the lower limit */
	if (n > CG_INLINE_MAX / 2) {
		LLVMBuildCondBr(g->b, cg_bytes_call(g, f, s, n, SAKER_BYTES_SUFFIX), t, fb);
		return;
	}
	body = cg_block(g);
	LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntSGE, len, cg_i64(g, (long long)n), ""),
			body, fb);
	LLVMPositionBuilderAtEnd(g->b, body);
	off = LLVMBuildSub(g->b, len, cg_i64(g, (long long)n), "");
	base = LLVMBuildInBoundsGEP2(g->b, g->i8, ptr, &off, 1, "");
	LLVMBuildCondBr(g->b, cg_bytes_eq(g, base, s, n, false), t, fb);
}

/* A glob being compiled into elements (abi.h, SAKER_GLOB_*). */
struct cg_globc {
	unsigned char arg[SAKER_PAT_SIZE], kind[SAKER_PAT_SIZE];
	unsigned char (*sets)[SAKER_PAT_SIZE];
	size_t n_sets, ne;
	bool never; /* ends with an unescaped '\': glibc's fnmatch then matches nothing */
};

/* Appends one element; -1 when the pattern is full (one byte of a row stays unused, so that
 * the kernel's plen < SAKER_PAT_SIZE check holds). */
static int cg_glob_push(struct cg_globc *gc, unsigned char kind, unsigned char arg)
{
	if (gc->ne + 1 >= SAKER_PAT_SIZE)
		return -1;
	gc->kind[gc->ne] = kind;
	gc->arg[gc->ne++] = arg;
	return 0;
}

/* A new class, all zero, or NULL without memory. */
static unsigned char *cg_glob_set(struct cg_globc *gc)
{
	void *grown = realloc(gc->sets, (gc->n_sets + 1) * sizeof(*gc->sets));

	if (!grown)
		return NULL;
	gc->sets = grown;
	memset(gc->sets[gc->n_sets], 0, SAKER_PAT_SIZE);
	return gc->sets[gc->n_sets];
}

/* Appends the elements of glob PAT (fnmatch with no flags). SEG: PAT is one pmatch component,
 * whose '*', '?' and classes never match '/'. Returns 0, -1 after reporting, -ENOMEM. */
static int cg_glob_add(struct cg *g, const sk_pred *p, struct cg_globc *gc, const char *pat,
		       size_t plen, bool seg)
{
	for (size_t i = 0; i < plen; i++) {
		unsigned char c = (unsigned char)pat[i], *set;
		size_t j, k;
		bool neg = false;

		if (c == '*') {
			unsigned char star = seg ? SAKER_GLOB_SEGSTAR : SAKER_GLOB_STAR;

			if ((!gc->ne || gc->kind[gc->ne - 1] != star) && cg_glob_push(gc, star, 0))
				goto too_long;
			continue;
		}
		if (c == '?') {
			if (!seg) {
				if (cg_glob_push(gc, SAKER_GLOB_ANY, 0))
					goto too_long;
				continue;
			}
			if (gc->n_sets >= SAKER_PAT_SIZE - 1)
				goto too_long;
			if (!(set = cg_glob_set(gc)))
				return -ENOMEM;
			memset(set + 1, 1, SAKER_PAT_SIZE - 1);
			set['/'] = 0;
			if (cg_glob_push(gc, SAKER_GLOB_CLASS, (unsigned char)gc->n_sets++))
				goto too_long;
			continue;
		}
		if (c == '\\') {
			if (i + 1 == plen) {
				gc->never = true;
				return 0;
			}
			c = (unsigned char)pat[++i];
		} else if (c == '[') {
			/* find the closing ']' (a ']' right after '[' or '[!' is a member) */
			j = i + 1;
			if (j < plen && (pat[j] == '!' || pat[j] == '^'))
				j++;
			if (j < plen && pat[j] == ']')
				j++;
			while (j < plen && pat[j] != ']') {
				if (pat[j] == '[' && j + 1 < plen && pat[j + 1] == ':') {
					sk_error(g->c->diag, p->span, "kernel-unsupported",
						 "character classes like [:alpha:] are not supported in "
						 "kernel glob patterns");
					return -1;
				}
				j += pat[j] == '\\' && j + 1 < plen ? 2 : 1;
			}
			if (j < plen) {
				if (gc->n_sets >= SAKER_PAT_SIZE - 1)
					goto too_long;
				if (!(set = cg_glob_set(gc)))
					return -ENOMEM;
				k = i + 1;
				if (pat[k] == '!' || pat[k] == '^') {
					neg = true;
					k++;
				}
				while (k < j) {
					unsigned char lo = (unsigned char)pat[k], hi;

					if (lo == '\\' && k + 1 < j)
						lo = (unsigned char)pat[++k];
					hi = lo;
					k++;
					if (k + 1 < j && pat[k] == '-') {
						hi = (unsigned char)pat[k + 1];
						if (hi == '\\' && k + 2 < j) {
							hi = (unsigned char)pat[k + 2];
							k++;
						}
						k += 2;
					}
					for (unsigned b = lo; b <= hi; b++)
						set[b] = 1;
				}
				if (neg)
					for (unsigned b = 0; b < SAKER_PAT_SIZE; b++)
						set[b] = !set[b];
				if (seg)
					set['/'] = 0;
				if (cg_glob_push(gc, SAKER_GLOB_CLASS, (unsigned char)gc->n_sets++))
					goto too_long;
				i = j;
				continue;
			}
			/* no closing ']': a plain '[' */
		}
		if (cg_glob_push(gc, SAKER_GLOB_LIT, c))
			goto too_long;
	}
	return 0;

too_long:
	sk_error(g->c->diag, p->span, "kernel-unsupported",
		 "pattern too long for the kernel (at most %d elements and %d character classes)",
		 SAKER_PAT_SIZE - 1, SAKER_PAT_SIZE - 1);
	return -1;
}

/* Stores the compiled glob in rows of saker_pats (abi.h) and returns a call of the template's
 * glob search on it, as an i1; NULL after an error (g->oom for memory). */
static LLVMValueRef cg_glob_call(struct cg *g, int field, const struct cg_globc *gc)
{
	LLVMValueRef args[3], r;
	int first;

	if (gc->never)
		return LLVMConstInt(g->i1, 0, 0);
	first = cg_pattern(g, (const char *)gc->arg, SAKER_PAT_SIZE);
	if (first < 0 || cg_pattern(g, (const char *)gc->kind, SAKER_PAT_SIZE) < 0)
		return NULL;
	for (size_t i = 0; i < gc->n_sets; i++)
		if (cg_pattern(g, (const char *)gc->sets[i], SAKER_PAT_SIZE) < 0)
			return NULL;
	args[0] = cg_i32(g, field);
	args[1] = cg_i32(g, first);
	args[2] = cg_i32(g, (long long)gc->ne);
	r = cg_call(g, &g->glob, args, 3);
	return LLVMBuildICmp(g->b, LLVMIntNE, r, cg_i32(g, 0), "");
}

/* The next '/'-separated component of S[*POS, N), empty ones skipped, as eval.c splits them;
 * false when there is none. */
static bool cg_component(const char *s, size_t n, size_t *pos, const char **c, size_t *cn)
{
	size_t i = *pos;

	while (i < n && s[i] == '/')
		i++;
	if (i == n)
		return false;
	*c = s + i;
	while (i < n && s[i] != '/')
		i++;
	*cn = (size_t)(s + i - *c);
	*pos = i;
	return true;
}

static bool cg_is_glob(const char *s, size_t n)
{
	return memchr(s, '*', n) || memchr(s, '?', n) || memchr(s, '[', n);
}

/* Falco's pmatch of one pattern (eval.c): its components, empty ones skipped, are the value's
 * first components; a component with '*', '?' or '[' is a glob for one whole component.
 * Values of path fields are canonical ("/" or "/a/b": no empty component, no trailing '/'), so
 * a pattern without glob components is an equality or a prefix test there; anything else goes
 * through the template's glob search with component elements. Returns an i1, NULL on error. */
static LLVMValueRef cg_pmatch_one(struct cg *g, const sk_pred *p, const struct cg_str_field *f,
				  LLVMValueRef ptr, LLVMValueRef len, const char *pat, size_t pn)
{
	struct cg_globc gc = { .ne = 0 };
	const char *c;
	size_t pos = 0, cn, k = 0, n = 0;
	bool glob = false;
	LLVMValueRef v = NULL;
	char *norm;

	while (cg_component(pat, pn, &pos, &c, &cn)) {
		glob |= cg_is_glob(c, cn);
		k++;
	}
	if (!k)
		return LLVMConstInt(g->i1, 1, 0); /* no component: any value */
	if (f->canonical && !glob) {
		/* "/c1/.../ck" and that with a '/' */
		norm = malloc(pn + k + 2);
		if (!norm) {
			g->oom = true;
			return NULL;
		}
		pos = 0;
		while (cg_component(pat, pn, &pos, &c, &cn)) {
			norm[n++] = '/';
			memcpy(norm + n, c, cn);
			n += cn;
		}
		v = cg_str_head(g, f, ptr, len, norm, n, false);
		norm[n++] = '/';
		v = LLVMBuildOr(g->b, v, cg_str_head(g, f, ptr, len, norm, n, true), "");
		free(norm);
		return v;
	}
	pos = 0;
	for (size_t i = 0; cg_component(pat, pn, &pos, &c, &cn); i++) {
		int err = 0;

		if (i && cg_glob_push(&gc, SAKER_GLOB_LIT, '/'))
			goto too_long;
		if (cg_glob_push(&gc, SAKER_GLOB_LEAD, 0))
			goto too_long;
		if (cg_is_glob(c, cn)) {
			err = cg_glob_add(g, p, &gc, c, cn, true);
		} else {
			/* compared as bytes: no escapes */
			for (size_t j = 0; j < cn && !err; j++)
				if (cg_glob_push(&gc, SAKER_GLOB_LIT, (unsigned char)c[j]))
					goto too_long;
		}
		if (err) {
			if (err == -ENOMEM)
				g->oom = true;
			goto out;
		}
	}
	if (cg_glob_push(&gc, SAKER_GLOB_TAIL, 0))
		goto too_long;
	v = cg_glob_call(g, p->field, &gc);
	if (!v)
		g->oom = true;
	goto out;

too_long:
	sk_error(g->c->diag, p->span, "kernel-unsupported",
		 "pmatch pattern too long for the kernel (at most %d elements)", SAKER_PAT_SIZE - 1);
out:
	free(gc.sets);
	return v;
}

/* saker_pats and saker_n_pats; an empty table still has one (unused) entry. */
static int cg_build_patterns(struct cg *g)
{
	unsigned n = g->n_pats ? g->n_pats : 1;
	LLVMTypeRef row = LLVMArrayType(g->i8, SAKER_PAT_SIZE);
	LLVMValueRef *rows = calloc(n, sizeof(*rows));
	LLVMValueRef init, gv;
	char zero[SAKER_PAT_SIZE] = { 0 };

	if (!rows)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++)
		rows[i] = LLVMConstStringInContext(g->ctx,
						   g->n_pats ? g->pats + (size_t)i * SAKER_PAT_SIZE : zero,
						   SAKER_PAT_SIZE, 1);
	init = LLVMConstArray(row, rows, n);
	free(rows);
	gv = LLVMAddGlobal(g->mod, LLVMTypeOf(init), SAKER_ABI_STR(SAKER_VAR_PATS));
	LLVMSetInitializer(gv, init);
	LLVMSetGlobalConstant(gv, 1);
	/* plain .rodata: libbpf turns it into the read-only global data map */
	LLVMSetSection(gv, ".rodata");
	LLVMSetAlignment(gv, 8);

	gv = LLVMAddGlobal(g->mod, g->i32, SAKER_ABI_STR(SAKER_VAR_N_PATS));
	LLVMSetInitializer(gv, cg_i32(g, g->n_pats));
	LLVMSetGlobalConstant(gv, 1);
	LLVMSetSection(gv, ".rodata");
	return 0;
}

/* Glob patterns that are really prefix, suffix, contains or equality tests. Returns the
 * equivalent cmp and sets *S and *N to the literal, or returns SK_CMP_GLOB. */
static enum sk_cmp cg_glob_simplify(const char *pat, size_t plen, const char **s, size_t *n)
{
	size_t lo = 0, hi = plen;
	bool star_lo = false, star_hi = false;

	if (plen && pat[0] == '*') {
		star_lo = true;
		lo = 1;
	}
	if (hi > lo && pat[hi - 1] == '*') {
		star_hi = true;
		hi--;
	}
	for (size_t i = lo; i < hi; i++)
		if (strchr("*?[\\", pat[i]))
			return SK_CMP_GLOB;
	*s = pat + lo;
	*n = hi - lo;
	if (star_lo && star_hi)
		return SK_CMP_CONTAINS;
	if (star_lo)
		return SK_CMP_SUFFIX;
	if (star_hi)
		return SK_CMP_PREFIX;
	return SK_CMP_EQ;
}

/* ---- predicates ---------------------------------------------------------------------- */

static int cg_cond(struct cg *g, const sk_pred *p, LLVMBasicBlockRef t, LLVMBasicBlockRef f);

/* A switch on V to T for each of VALS (duplicates dropped), F otherwise. */
static void cg_switch(struct cg *g, LLVMValueRef v, const int64_t *vals, size_t n,
		      LLVMBasicBlockRef t, LLVMBasicBlockRef f)
{
	LLVMValueRef sw = LLVMBuildSwitch(g->b, v, f, (unsigned)n);

	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t j = 0; j < i; j++)
			dup |= vals[j] == vals[i];
		if (!dup)
			LLVMAddCase(sw, LLVMConstInt(LLVMTypeOf(v), (unsigned long long)vals[i], 1), t);
	}
}

/* A field that none of the rule's events has: by the missing-value rule (pred.h) the leaf is
 * false, whatever the test. */
static bool cg_absent(const struct cg *g, int field)
{
	return !(sk_fields[field].k.families & g->fams);
}

static int cg_int(struct cg *g, const sk_pred *p, LLVMBasicBlockRef t, LLVMBasicBlockRef f)
{
	LLVMValueRef args[3] = { g->cv, cg_i32(g, p->field), g->ival };
	LLVMValueRef has, v;
	LLVMBasicBlockRef body;
	LLVMIntPredicate op;

	if (!cg_kfacts(p->field) || !cg_is_int_type(sk_fields[p->field].type)) {
		sk_error(g->c->diag, p->span, "kernel-unsupported",
			 "field '%s' cannot be compared as a number in the kernel",
			 cg_field_name(p->field));
		return -1;
	}
	if (cg_absent(g, p->field)) {
		LLVMBuildBr(g->b, f);
		return 0;
	}
	has = cg_call(g, &g->int_get, args, 3);
	body = cg_block(g);
	LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntNE, has, cg_i32(g, 0), ""), body, f);
	LLVMPositionBuilderAtEnd(g->b, body);
	v = LLVMBuildLoad2(g->b, g->i64, g->ival, "");
	if (p->mask != ~(uint64_t)0)
		v = LLVMBuildAnd(g->b, v, LLVMConstInt(g->i64, p->mask, 0), "");
	switch (p->cmp) {
	case SK_CMP_IN:
		cg_switch(g, v, p->ivals, p->n_ivals, t, f);
		return 0;
	case SK_CMP_EQ: op = LLVMIntEQ; break;
	case SK_CMP_NE: op = LLVMIntNE; break;
	case SK_CMP_LT: op = LLVMIntSLT; break;
	case SK_CMP_LE: op = LLVMIntSLE; break;
	case SK_CMP_GT: op = LLVMIntSGT; break;
	case SK_CMP_GE: op = LLVMIntSGE; break;
	default:
		return cg_unsupported(g, p, "this operator does not apply to numbers in the kernel");
	}
	LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, op, v, cg_i64(g, p->ival), ""), t, f);
	return 0;
}

/* contains, icontains and glob through the template's global search functions. */
static int cg_str_search(struct cg *g, const sk_pred *p, const struct cg_str_field *f,
			 enum sk_cmp cmp, const char *s, size_t n, LLVMBasicBlockRef t,
			 LLVMBasicBlockRef fb)
{
	LLVMValueRef r;
	int pat;

	if (n >= SAKER_PAT_SIZE) {
		sk_error(g->c->diag, p->span, "kernel-unsupported",
			 "pattern is %zu bytes long; the kernel handles at most %d", n,
			 SAKER_PAT_SIZE - 1);
		return -1;
	}
	if (cmp != SK_CMP_GLOB && n > f->max) {
		LLVMBuildBr(g->b, fb);
		return 0;
	}
	if (cmp != SK_CMP_GLOB && n == 0) {
		LLVMBuildBr(g->b, t);
		return 0;
	}
	if (cmp == SK_CMP_GLOB) {
		struct cg_globc gc = { .ne = 0 };
		int err = cg_glob_add(g, p, &gc, s, n, false);

		r = err ? NULL : cg_glob_call(g, p->field, &gc);
		free(gc.sets);
		if (err)
			return err;
		if (!r)
			return -ENOMEM;
		LLVMBuildCondBr(g->b, r, t, fb);
		return 0;
	}
	pat = cg_pattern(g, s, n);
	if (pat < 0)
		return -ENOMEM;
	{
		LLVMValueRef args[4] = { cg_i32(g, p->field), cg_i32(g, pat), cg_i32(g, (long long)n),
					 cg_i32(g, cmp == SK_CMP_ICONTAINS) };

		r = cg_call(g, &g->contains, args, 4);
	}
	LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntNE, r, cg_i32(g, 0), ""), t, fb);
	return 0;
}

static int cg_str(struct cg *g, const sk_pred *p, LLVMBasicBlockRef t, LLVMBasicBlockRef fb)
{
	struct cg_str_field sf;
	const struct cg_str_field *f = cg_str_field(p->field, &sf) ? &sf : NULL;
	LLVMValueRef args[3] = { g->cv, cg_i32(g, p->field), g->sptr };
	LLVMValueRef len32, len, ptr, v = NULL;
	LLVMBasicBlockRef body;
	enum sk_cmp cmp = p->cmp;
	const char *s;
	size_t n;

	if (!f) {
		sk_error(g->c->diag, p->span, "kernel-unsupported",
			 "field '%s' cannot be compared as a string in the kernel",
			 cg_field_name(p->field));
		return -1;
	}
	switch (cmp) {
	case SK_CMP_LT:
	case SK_CMP_LE:
	case SK_CMP_GT:
	case SK_CMP_GE:
		return cg_unsupported(g, p, "ordering comparisons of strings are not supported "
					    "in the kernel");
	case SK_CMP_IN:
	case SK_CMP_PMATCH:
		break;
	default:
		if (p->n_strs != 1)
			return cg_unsupported(g, p, "string test without exactly one value");
	}
	if (cg_absent(g, p->field)) {
		LLVMBuildBr(g->b, fb);
		return 0;
	}

	len32 = cg_call(g, &g->str_get, args, 3);
	body = cg_block(g);
	LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntSGE, len32, cg_i32(g, 0), ""), body, fb);
	LLVMPositionBuilderAtEnd(g->b, body);
	ptr = LLVMBuildLoad2(g->b, g->p8, g->sptr, "");
	len = LLVMBuildSExt(g->b, len32, g->i64, "");

	s = p->n_strs ? p->strs[0] : "";
	n = p->n_strs ? p->str_lens[0] : 0;
	if (cmp == SK_CMP_GLOB)
		cmp = cg_glob_simplify(s, n, &s, &n);

	switch (cmp) {
	case SK_CMP_EQ:
	case SK_CMP_NE:
		v = cg_str_head(g, f, ptr, len, s, n, false);
		if (cmp == SK_CMP_NE)
			v = LLVMBuildNot(g->b, v, "");
		break;
	case SK_CMP_PREFIX:
		v = cg_str_head(g, f, ptr, len, s, n, true);
		break;
	case SK_CMP_SUFFIX:
		cg_str_suffix(g, f, ptr, len, s, n, t, fb);
		return 0;
	case SK_CMP_IN:
		v = LLVMConstInt(g->i1, 0, 0);
		for (size_t i = 0; i < p->n_strs; i++)
			v = LLVMBuildOr(g->b, v,
					cg_str_head(g, f, ptr, len, p->strs[i], p->str_lens[i], false), "");
		break;
	case SK_CMP_PMATCH:
		v = LLVMConstInt(g->i1, 0, 0);
		for (size_t i = 0; i < p->n_strs; i++) {
			LLVMValueRef one = cg_pmatch_one(g, p, f, ptr, len, p->strs[i], p->str_lens[i]);

			if (!one)
				return g->oom ? -ENOMEM : -1;
			v = LLVMBuildOr(g->b, v, one, "");
		}
		break;
	case SK_CMP_CONTAINS:
	case SK_CMP_ICONTAINS:
	case SK_CMP_GLOB:
		return cg_str_search(g, p, f, cmp, s, n, t, fb);
	default:
		return cg_unsupported(g, p, "this operator does not apply to strings in the kernel");
	}
	LLVMBuildCondBr(g->b, v, t, fb);
	return 0;
}

/* Emits code that branches to T when P holds and to F when it does not. */
static int cg_cond(struct cg *g, const sk_pred *p, LLVMBasicBlockRef t, LLVMBasicBlockRef f)
{
	const sk_pred **kids;
	int err = 0;

	switch (p->kind) {
	case SK_P_CONST:
		LLVMBuildBr(g->b, p->value ? t : f);
		return 0;
	case SK_P_NOT:
		if (p->n_kids != 1)
			return cg_unsupported(g, p, "malformed 'not'");
		return cg_cond(g, p->kids[0], f, t);
	case SK_P_AND:
	case SK_P_OR:
		kids = cg_sorted_kids(p);
		if (!kids)
			return -ENOMEM;
		for (size_t i = 0; i < p->n_kids && !err; i++) {
			LLVMBasicBlockRef next = i + 1 < p->n_kids ? cg_block(g) : NULL;

			if (p->kind == SK_P_AND)
				err = cg_cond(g, kids[i], next ? next : t, f);
			else
				err = cg_cond(g, kids[i], t, next ? next : f);
			if (next)
				LLVMPositionBuilderAtEnd(g->b, next);
		}
		if (!p->n_kids)
			LLVMBuildBr(g->b, p->kind == SK_P_AND ? t : f);
		free(kids);
		return err;
	case SK_P_SYSCALL:
		cg_switch(g, g->ev, p->ivals, p->n_ivals, t, f);
		return 0;
	case SK_P_INT:
		return cg_int(g, p, t, f);
	case SK_P_STR:
		return cg_str(g, p, t, f);
	}
	return cg_unsupported(g, p, "unknown predicate kind");
}

/* ---- the generated functions --------------------------------------------------------- */

static void cg_fn_attrs(struct cg *g, LLVMValueRef fn)
{
	unsigned ai = LLVMGetEnumAttributeKindForName("alwaysinline", 12);
	unsigned nu = LLVMGetEnumAttributeKindForName("nounwind", 8);

	LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(g->ctx, ai, 0));
	LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(g->ctx, nu, 0));
	if (g->cpu_attr)
		LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, g->cpu_attr);
}

static void cg_declare(struct cg *g, struct cg_callee *f, const char *name, LLVMTypeRef ret,
		       LLVMTypeRef *params, unsigned n)
{
	f->ty = LLVMFunctionType(ret, params, n, 0);
	f->fn = LLVMAddFunction(g->mod, name, f->ty);
}

/* The events some rule may match (the planner lists each rule's; none: it can never match).
 * EV[e] is set for each; returns how many. */
static size_t cg_hooked(const struct cg *g, bool ev[SK_EV__COUNT])
{
	size_t n = 0;

	memset(ev, 0, SK_EV__COUNT * sizeof(*ev));
	for (size_t i = 0; i < g->c->n_rules; i++) {
		const sk_rule *r = g->c->rules[i];

		for (size_t j = 0; j < r->n_syscalls; j++) {
			int e = r->syscalls[j];

			if (e >= 0 && e < SK_EV__COUNT && sk_events[e].family != SK_FAM_NONE && !ev[e]) {
				ev[e] = true;
				n++;
			}
		}
	}
	/* i386 socket calls also come through socketcall(2), which the network family turns
	 * into the call it stands for (docs/kernel.md, "The i386 entry") */
	for (int e = 0; e < SK_EV__COUNT; e++)
		if (ev[e] && sk_events[e].family == SK_FAM_NET && !ev[SK_EV_SOCKETCALL]) {
			ev[SK_EV_SOCKETCALL] = true;
			n++;
		}
	return n;
}

/* A switch on NR, for each hooked event of ARCH, to a block returning it packed (abi.h) with
 * its family and whether ARCH is i386; DFLT otherwise. */
static void cg_arch_switch(struct cg *g, LLVMValueRef nr, enum sk_arch arch, const bool *ev,
			   LLVMBasicBlockRef dflt)
{
	LLVMValueRef sw = LLVMBuildSwitch(g->b, nr, dflt, 8);
	LLVMBasicBlockRef here = LLVMGetInsertBlock(g->b);

	for (int e = 0; e < SK_EV__COUNT; e++) {
		long nrs[4];
		unsigned n = ev[e] ? sk_event_nrs(arch, e, nrs, 4) : 0;
		LLVMBasicBlockRef ret;

		if (!n)
			continue;
		ret = cg_block(g);
		LLVMPositionBuilderAtEnd(g->b, ret);
		LLVMBuildRet(g->b, cg_i32(g, SAKER_EV_PACK(e, e == SK_EV_SOCKETCALL ? (int)SK_FAM_NET
							   : (int)sk_events[e].family,
							   arch == SK_ARCH_I386)));
		for (unsigned k = 0; k < n && k < 4; k++)
			LLVMAddCase(sw, cg_i64(g, nrs[k]), ret);
	}
	LLVMPositionBuilderAtEnd(g->b, here);
}

/* saker_gen_event: the event of syscall NR, numbered by the call's ABI, or -1. NR is first
 * tested against the hooked numbers of every ABI together, so that a syscall no rule needs
 * costs compares only; the ABI is asked only for the others. */
static int cg_build_event(struct cg *g)
{
	LLVMTypeRef ty = LLVMFunctionType(g->i32, &g->i64, 1, 0);
	bool *ev = calloc(SK_EV__COUNT, sizeof(*ev));
	LLVMBasicBlockRef entry, maybe, native, compat, none;
	LLVMValueRef nr, sw, c;
	long *nrs = calloc(4 * SK_EV__COUNT * SK_ARCH__COUNT + 1, sizeof(*nrs));
	size_t n_nrs = 0;

	if (!ev || !nrs) {
		free(ev);
		free(nrs);
		return -ENOMEM;
	}
	g->fn = LLVMAddFunction(g->mod, SAKER_ABI_STR(SAKER_FN_EVENT), ty);
	cg_fn_attrs(g, g->fn);
	nr = LLVMGetParam(g->fn, 0);
	entry = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "");
	maybe = cg_block(g);
	native = cg_block(g);
	compat = cg_block(g);
	none = cg_block(g);
	cg_hooked(g, ev);
	for (int e = 0; e < SK_EV__COUNT; e++) {
		if (!ev[e])
			continue;
		for (int a = 0; a < SK_ARCH__COUNT; a++) {
			long these[4];
			unsigned k = sk_event_nrs((enum sk_arch)a, e, these, 4);

			for (unsigned j = 0; j < k && j < 4; j++) {
				bool dup = false;

				for (size_t i = 0; i < n_nrs && !dup; i++)
					dup = nrs[i] == these[j];
				if (!dup)
					nrs[n_nrs++] = these[j];
			}
		}
	}
	LLVMPositionBuilderAtEnd(g->b, entry);
	sw = LLVMBuildSwitch(g->b, nr, none, (unsigned)n_nrs);
	for (size_t i = 0; i < n_nrs; i++)
		LLVMAddCase(sw, cg_i64(g, nrs[i]), maybe);
	LLVMPositionBuilderAtEnd(g->b, maybe);
	c = cg_call(g, &g->compat, NULL, 0);
	LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntNE, c, cg_i32(g, 0), ""), compat, native);
	LLVMPositionBuilderAtEnd(g->b, native);
	cg_arch_switch(g, nr, SK_ARCH_X86_64, ev, none);
	LLVMPositionBuilderAtEnd(g->b, compat);
	cg_arch_switch(g, nr, SK_ARCH_I386, ev, none);
	LLVMPositionBuilderAtEnd(g->b, none);
	LLVMBuildRet(g->b, cg_i32(g, -1));
	free(ev);
	free(nrs);
	return 0;
}

/* The families of the events rule R runs on. */
static unsigned cg_rule_families(const sk_rule *r)
{
	unsigned fams = 0;

	for (size_t j = 0; j < r->n_syscalls; j++)
		if (r->syscalls[j] >= 0 && r->syscalls[j] < SK_EV__COUNT)
			fams |= 1u << sk_events[r->syscalls[j]].family;
	return fams;
}

/* saker_gen_match: each rule in turn, gated on its events, reports that it holds. */
static int cg_build_match(struct cg *g)
{
	LLVMTypeRef params[2] = { g->p8, g->i32 };
	LLVMTypeRef ty = LLVMFunctionType(g->void_t, params, 2, 0);
	static const sk_pred always = { .kind = SK_P_CONST, .value = 1 };

	g->fn = LLVMAddFunction(g->mod, SAKER_ABI_STR(SAKER_FN_MATCH), ty);
	cg_fn_attrs(g, g->fn);
	g->cv = LLVMGetParam(g->fn, 0);
	g->ev = LLVMGetParam(g->fn, 1);
	LLVMPositionBuilderAtEnd(g->b, LLVMAppendBasicBlockInContext(g->ctx, g->fn, ""));
	if (!g->inline_code) {
		/* the rules are tables: the template's interpreter runs them */
		cg_call(g, &g->ix_run, &g->ev, 1);
		LLVMBuildRetVoid(g->b);
		return 0;
	}
	/* the accessors' out-parameters; SROA turns them back into registers once inlined */
	g->ival = LLVMBuildAlloca(g->b, g->i64, "");
	g->sptr = LLVMBuildAlloca(g->b, g->p8, "");
	for (size_t i = 0; i < g->c->n_rules; i++) {
		const sk_rule *r = g->c->rules[i];
		LLVMBasicBlockRef eval = cg_block(g), set = cg_block(g), next = cg_block(g);
		LLVMValueRef args[2] = { g->cv, cg_i32(g, (long long)i) };
		int err;

		if (!r->n_syscalls) {
			/* it matches no event: never evaluated */
			LLVMBuildBr(g->b, next);
			LLVMDeleteBasicBlock(eval);
			LLVMDeleteBasicBlock(set);
			LLVMPositionBuilderAtEnd(g->b, next);
			continue;
		}
		{
			int64_t *evs = calloc(r->n_syscalls, sizeof(*evs));

			if (!evs)
				return -ENOMEM;
			for (size_t j = 0; j < r->n_syscalls; j++)
				evs[j] = r->syscalls[j];
			cg_switch(g, g->ev, evs, r->n_syscalls, eval, next);
			free(evs);
		}
		LLVMPositionBuilderAtEnd(g->b, eval);
		g->fams = cg_rule_families(r);
		err = cg_cond(g, r->pred ? r->pred : &always, set, next);
		if (err)
			return err;
		LLVMPositionBuilderAtEnd(g->b, set);
		cg_call(g, &g->set_match, args, 2);
		LLVMBuildBr(g->b, next);
		LLVMPositionBuilderAtEnd(g->b, next);
	}
	LLVMBuildRetVoid(g->b);
	return 0;
}

/* ---- rule tables (abi.h, docs/kernel.md "Rule tables") -------------------------------- */

/* A key of the open-addressing table: a field value, a prefix bucket of one, or a set's item,
 * with what it leads to (a rule id, a string ref, a pool offset). */
struct tb_key {
	uint64_t h;
	uint32_t space, len;     /* len: of the string (or of the bucket), 8 for a number */
	const char *s;           /* NULL: the number IV */
	int64_t iv;
	uint32_t payload;
};

/* A rule's top-level conjuncts cheaper than its index's field (a flag, a number), with their
 * printed forms: the tests a guard of its probe may share with the other rules behind it. */
struct tb_cheap {
	const sk_pred **p;
	char **key;
	size_t n;
};

#define TB_GUARD_COST 10 /* the costliest test a guard takes (fields.def's cost) */
#define TB_ENUM_MAX   9  /* a string field no longer than this names a kind, not a thing */

struct tb {
	struct cg *g;
	struct saker_ix_rule *rules;
	struct saker_ix_atom *atoms;
	size_t n_atoms, cap_atoms;
	uint8_t *pool;
	size_t n_pool, cap_pool;
	struct saker_ix_str *strs;
	size_t n_strs, cap_strs;
	struct tb_key *keys;
	size_t n_keys, cap_keys;
	uint8_t *evsets;
	size_t n_evsets;
	uint32_t n_sets;
	int *index_field;        /* per rule: its index's field, or -1 */
	struct tb_cheap *cheap;  /* per rule: its cheap top-level tests besides its index */
	unsigned *index_kind;    /* SAKER_IXP_EQ, SAKER_IXP_INT, or 0x100 << k for bucket k */
	/* labels of the rule being built: the pc each one stands for */
	uint32_t *lab;
	size_t n_lab, cap_lab;
	uint64_t seed;
};

static bool tb_grow(struct cg *g, void **v, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return true;
	while (n < need)
		n *= 2;
	p = realloc(*v, n * size);
	if (!p) {
		g->oom = true;
		return false;
	}
	*v = p;
	*cap = n;
	return true;
}

#define TB_GROW(t, arr, n, cap, need) \
	tb_grow((t)->g, (void **)&(t)->arr, &(t)->cap, (need), sizeof(*(t)->arr))

/* LEN bytes to the pool, 8-aligned; their offset. */
static uint32_t tb_pool(struct tb *t, const void *s, size_t len)
{
	size_t at = (t->n_pool + 7) & ~(size_t)7;

	if (!TB_GROW(t, pool, n_pool, cap_pool, at + len + 8))
		return 0;
	memset(t->pool + t->n_pool, 0, at - t->n_pool);
	memcpy(t->pool + at, s, len);
	t->n_pool = at + len;
	return (uint32_t)at;
}

static uint64_t tb_raw(uint64_t seed, const char *s, size_t n)
{
	uint64_t h = seed;

	for (size_t off = 0; off < n; off += 8) {
		uint64_t w = 0;

		for (size_t i = 0; i < 8 && off + i < n; i++)
			w |= (uint64_t)(unsigned char)s[off + i] << (8 * i);
		h = saker_ix_step(h, w);
	}
	return h;
}

static void tb_hash_key(struct tb_key *k, uint64_t seed)
{
	uint64_t raw;

	if (!k->s) {
		raw = saker_ix_step(seed, (uint64_t)k->iv);
	} else if ((k->space >> 24) == (SAKER_IX_SP_PFX(0, 0) >> 24) && k->len < 8) {
		/* buckets of 1, 2, 4 bytes: the first word, masked */
		raw = tb_raw(seed, k->s, k->len);
	} else {
		raw = tb_raw(seed, k->s, k->len);
	}
	k->h = saker_ix_fin(raw, k->space, k->len);
}

static void tb_add_key(struct tb *t, uint32_t space, const char *s, size_t len, int64_t iv,
		       uint32_t payload)
{
	struct tb_key *k;

	if (!TB_GROW(t, keys, n_keys, cap_keys, t->n_keys + 1))
		return;
	k = &t->keys[t->n_keys++];
	memset(k, 0, sizeof(*k));
	k->space = space;
	k->s = s;
	k->len = s ? (uint32_t)len : 8;
	k->iv = iv;
	k->payload = payload;
}

/* The bitmap of events EVS, as an index of t->evsets (shared with an equal one). */
static unsigned tb_evset(struct tb *t, const int64_t *evs, size_t n, const int *ievs)
{
	uint8_t row[SAKER_IX_EVSET_BYTES] = { 0 };
	uint8_t *v;

	for (size_t i = 0; i < n; i++) {
		int64_t e = evs ? evs[i] : ievs[i];

		if (e >= 0 && e < SAKER_IX_EVSET_BYTES * 8)
			row[e >> 3] |= (uint8_t)(1u << (e & 7));
	}
	for (size_t i = t->n_evsets; i-- > 0;)
		if (!memcmp(t->evsets + i * SAKER_IX_EVSET_BYTES, row, sizeof(row)))
			return (unsigned)i;
	v = realloc(t->evsets, (t->n_evsets + 1) * SAKER_IX_EVSET_BYTES);
	if (!v) {
		t->g->oom = true;
		return 0;
	}
	t->evsets = v;
	memcpy(v + t->n_evsets * SAKER_IX_EVSET_BYTES, row, sizeof(row));
	return (unsigned)t->n_evsets++;
}

/* Labels: targets of atoms not built yet. An atom's T or F holds SAKER_PC_TRUE, SAKER_PC_FALSE
 * or a label number, resolved when the rule is done. */
static uint32_t tb_label(struct tb *t)
{
	if (!TB_GROW(t, lab, n_lab, cap_lab, t->n_lab + 1))
		return 0;
	t->lab[t->n_lab] = UINT32_MAX;
	return (uint32_t)t->n_lab++;
}

static void tb_place(struct tb *t, uint32_t label, size_t atom0)
{
	if (label < t->n_lab)
		t->lab[label] = (uint32_t)(t->n_atoms - atom0);
}

static struct saker_ix_atom *tb_atom(struct tb *t, unsigned op, int field, uint32_t tl,
				     uint32_t fl)
{
	struct saker_ix_atom *a;

	if (!TB_GROW(t, atoms, n_atoms, cap_atoms, t->n_atoms + 1))
		return NULL;
	a = &t->atoms[t->n_atoms++];
	memset(a, 0, sizeof(*a));
	a->op = (unsigned short)op;
	a->field = (unsigned short)(field < 0 ? 0 : field);
	a->t = (unsigned short)tl;
	a->f = (unsigned short)fl;
	a->mask = ~0ull;
	return a;
}

/* -1 when P depends on the event, else its constant value (codegen's folds: constants, fields
 * none of the rule's events has, empty event sets). */
static int tb_const(const struct cg *g, const sk_pred *p)
{
	int all, v;

	switch (p->kind) {
	case SK_P_CONST:
		return p->value != 0;
	case SK_P_NOT:
		if (p->n_kids != 1)
			return -1;
		v = tb_const(g, p->kids[0]);
		return v < 0 ? -1 : !v;
	case SK_P_AND:
	case SK_P_OR:
		all = 1;
		for (size_t i = 0; i < p->n_kids; i++) {
			v = tb_const(g, p->kids[i]);
			if (v == (p->kind == SK_P_OR))
				return v;
			if (v < 0)
				all = 0;
		}
		return all ? p->kind == SK_P_AND : -1;
	case SK_P_SYSCALL:
		if (!p->n_ivals)
			return 0;
		/* the rule's own events are checked before its first atom: a test of a set that
		 * holds them all is true there */
		if (g->rule) {
			size_t i = 0;

			for (; i < g->rule->n_syscalls; i++) {
				size_t j = 0;

				while (j < p->n_ivals && p->ivals[j] != g->rule->syscalls[i])
					j++;
				if (j == p->n_ivals)
					break;
			}
			if (i == g->rule->n_syscalls)
				return 1;
		}
		return -1;
	case SK_P_INT:
		return cg_kfacts(p->field) && cg_absent(g, p->field) ? 0 : -1;
	case SK_P_STR:
		return cg_kfacts(p->field) && cg_absent(g, p->field) ? 0 : -1;
	}
	return -1;
}

static int tb_cond(struct tb *t, const sk_pred *p, uint32_t tl, uint32_t fl, size_t atom0);

/* A string set: a new set number, its items as keys leading to their refs. */
static uint32_t tb_str_set(struct tb *t, const sk_pred *p)
{
	uint32_t set = t->n_sets++;

	for (size_t i = 0; i < p->n_strs; i++) {
		bool dup = false;

		for (size_t j = 0; j < i && !dup; j++)
			dup = p->str_lens[j] == p->str_lens[i] &&
			      !memcmp(p->strs[j], p->strs[i], p->str_lens[i]);
		if (dup || !TB_GROW(t, strs, n_strs, cap_strs, t->n_strs + 1))
			continue;
		t->strs[t->n_strs].off = tb_pool(t, p->strs[i], p->str_lens[i]);
		t->strs[t->n_strs].len = (uint32_t)p->str_lens[i];
		tb_add_key(t, SAKER_IX_SP_SET(set), p->strs[i], p->str_lens[i], 0,
			   (uint32_t)t->n_strs);
		t->n_strs++;
	}
	return set;
}

static int tb_str_const(struct tb *t, unsigned op, int field, const char *s, size_t n,
			uint32_t tl, uint32_t fl)
{
	struct saker_ix_atom *a = tb_atom(t, op, field, tl, fl);

	if (!a)
		return -ENOMEM;
	a->a = tb_pool(t, s, n);
	a->b = (uint32_t)n;
	return 0;
}

/* pmatch: any of the patterns, each an equality and a prefix test on canonical paths without
 * globs, else a glob of components (as cg_pmatch_one). */
static int tb_pmatch(struct tb *t, const sk_pred *p, const struct cg_str_field *f, uint32_t tl,
		     uint32_t fl, size_t atom0)
{
	struct cg *g = t->g;

	for (size_t i = 0; i < p->n_strs; i++) {
		const char *pat = p->strs[i], *c;
		size_t pn = p->str_lens[i], pos = 0, cn, k = 0, n = 0;
		uint32_t next = i + 1 < p->n_strs ? tb_label(t) : fl;
		bool glob = false;
		int err = 0;

		while (cg_component(pat, pn, &pos, &c, &cn)) {
			glob |= cg_is_glob(c, cn);
			k++;
		}
		if (!k) {
			/* no component: any value */
			err = tb_str_const(t, SAKER_OP_STR_PFX, p->field, "", 0, tl, next);
		} else if (f->canonical && !glob) {
			char *norm = malloc(pn + k + 2);
			uint32_t l2 = tb_label(t);

			if (!norm)
				return -ENOMEM;
			pos = 0;
			while (cg_component(pat, pn, &pos, &c, &cn)) {
				norm[n++] = '/';
				memcpy(norm + n, c, cn);
				n += cn;
			}
			norm[n] = '/';
			err = tb_str_const(t, SAKER_OP_STR_EQ, p->field, norm, n, tl, l2);
			tb_place(t, l2, atom0);
			if (!err)
				err = tb_str_const(t, SAKER_OP_STR_PFX, p->field, norm, n + 1, tl, next);
			free(norm);
		} else {
			struct cg_globc gc = { .ne = 0 };
			struct saker_ix_atom *a;
			int first;

			pos = 0;
			for (size_t j = 0; cg_component(pat, pn, &pos, &c, &cn) && !err; j++) {
				if ((j && cg_glob_push(&gc, SAKER_GLOB_LIT, '/')) ||
				    cg_glob_push(&gc, SAKER_GLOB_LEAD, 0)) {
					err = 1;
					break;
				}
				if (cg_is_glob(c, cn)) {
					err = cg_glob_add(g, p, &gc, c, cn, true);
					if (err == -ENOMEM)
						g->oom = true;
					if (err) {
						free(gc.sets);
						return -1;
					}
				} else {
					for (size_t b = 0; b < cn && !err; b++)
						err = cg_glob_push(&gc, SAKER_GLOB_LIT, (unsigned char)c[b]);
				}
			}
			if (err || cg_glob_push(&gc, SAKER_GLOB_TAIL, 0)) {
				free(gc.sets);
				sk_error(g->c->diag, p->span, "kernel-unsupported",
					 "pmatch pattern too long for the kernel (at most %d elements)",
					 SAKER_PAT_SIZE - 1);
				return -1;
			}
			first = cg_pattern(g, (const char *)gc.arg, SAKER_PAT_SIZE);
			cg_pattern(g, (const char *)gc.kind, SAKER_PAT_SIZE);
			for (size_t s = 0; s < gc.n_sets; s++)
				cg_pattern(g, (const char *)gc.sets[s], SAKER_PAT_SIZE);
			free(gc.sets);
			a = tb_atom(t, SAKER_OP_GLOB, p->field, tl, next);
			if (!a || first < 0)
				return -ENOMEM;
			a->a = (uint32_t)first;
			a->b = (uint32_t)gc.ne;
			err = 0;
		}
		if (err)
			return err;
		if (i + 1 < p->n_strs)
			tb_place(t, next, atom0);
	}
	if (!p->n_strs) {
		/* no pattern: false (an always-false test) */
		struct saker_ix_atom *a = tb_atom(t, SAKER_OP_STR_EQ, p->field, tl, fl);

		if (!a)
			return -ENOMEM;
		a->b = UINT32_MAX;
	}
	return 0;
}

static int tb_str(struct tb *t, const sk_pred *p, uint32_t tl, uint32_t fl, size_t atom0)
{
	struct cg *g = t->g;
	struct cg_str_field sf;
	enum sk_cmp cmp = p->cmp;
	struct saker_ix_atom *a;
	const char *s;
	size_t n;

	if (!cg_str_field(p->field, &sf)) {
		sk_error(g->c->diag, p->span, "kernel-unsupported",
			 "field '%s' cannot be compared as a string in the kernel",
			 cg_field_name(p->field));
		return -1;
	}
	switch (cmp) {
	case SK_CMP_LT:
	case SK_CMP_LE:
	case SK_CMP_GT:
	case SK_CMP_GE:
		return cg_unsupported(g, p, "ordering comparisons of strings are not supported "
					    "in the kernel");
	case SK_CMP_IN:
		a = tb_atom(t, SAKER_OP_STR_IN, p->field, tl, fl);
		if (!a)
			return -ENOMEM;
		a->a = tb_str_set(t, p);
		return 0;
	case SK_CMP_PMATCH:
		return tb_pmatch(t, p, &sf, tl, fl, atom0);
	default:
		if (p->n_strs != 1)
			return cg_unsupported(g, p, "string test without exactly one value");
	}
	s = p->strs[0];
	n = p->str_lens[0];
	if (cmp == SK_CMP_GLOB)
		cmp = cg_glob_simplify(s, n, &s, &n);
	switch (cmp) {
	case SK_CMP_EQ:
		return tb_str_const(t, SAKER_OP_STR_EQ, p->field, s, n, tl, fl);
	case SK_CMP_NE:
		return tb_str_const(t, SAKER_OP_STR_NE, p->field, s, n, tl, fl);
	case SK_CMP_PREFIX:
		return tb_str_const(t, SAKER_OP_STR_PFX, p->field, s, n, tl, fl);
	case SK_CMP_SUFFIX:
		return tb_str_const(t, SAKER_OP_STR_SFX, p->field, s, n, tl, fl);
	case SK_CMP_CONTAINS:
	case SK_CMP_ICONTAINS:
		if (n >= SAKER_PAT_SIZE) {
			sk_error(g->c->diag, p->span, "kernel-unsupported",
				 "pattern is %zu bytes long; the kernel handles at most %d", n,
				 SAKER_PAT_SIZE - 1);
			return -1;
		}
		if (!n || n > sf.max)
			/* "" holds for any value; a pattern longer than any value, for none */
			return tb_str_const(t, n ? SAKER_OP_STR_EQ : SAKER_OP_STR_PFX, p->field, s,
					    n ? SAKER_STR_MAX + 1 : 0, tl, fl);
		a = tb_atom(t, SAKER_OP_CONTAINS, p->field, tl, fl);
		if (!a)
			return -ENOMEM;
		a->a = (uint32_t)cg_pattern(g, s, n);
		a->b = (uint32_t)n;
		a->k = cmp == SK_CMP_ICONTAINS;
		return 0;
	case SK_CMP_GLOB: {
		struct cg_globc gc = { .ne = 0 };
		int err, first;

		if (n >= SAKER_PAT_SIZE) {
			sk_error(g->c->diag, p->span, "kernel-unsupported",
				 "pattern is %zu bytes long; the kernel handles at most %d", n,
				 SAKER_PAT_SIZE - 1);
			return -1;
		}
		err = cg_glob_add(g, p, &gc, s, n, false);
		if (err) {
			free(gc.sets);
			return err;
		}
		if (gc.never) {
			free(gc.sets);
			a = tb_atom(t, SAKER_OP_STR_EQ, p->field, tl, fl);
			if (!a)
				return -ENOMEM;
			a->b = UINT32_MAX;
			return 0;
		}
		first = cg_pattern(g, (const char *)gc.arg, SAKER_PAT_SIZE);
		cg_pattern(g, (const char *)gc.kind, SAKER_PAT_SIZE);
		for (size_t i = 0; i < gc.n_sets; i++)
			cg_pattern(g, (const char *)gc.sets[i], SAKER_PAT_SIZE);
		free(gc.sets);
		a = tb_atom(t, SAKER_OP_GLOB, p->field, tl, fl);
		if (!a || first < 0)
			return -ENOMEM;
		a->a = (uint32_t)first;
		a->b = (uint32_t)gc.ne;
		return 0;
	}
	default:
		return cg_unsupported(g, p, "this operator does not apply to strings in the kernel");
	}
}

static int tb_int(struct tb *t, const sk_pred *p, uint32_t tl, uint32_t fl)
{
	struct cg *g = t->g;
	struct saker_ix_atom *a;
	unsigned op;

	if (!cg_kfacts(p->field) || !cg_is_int_type(sk_fields[p->field].type)) {
		sk_error(g->c->diag, p->span, "kernel-unsupported",
			 "field '%s' cannot be compared as a number in the kernel",
			 cg_field_name(p->field));
		return -1;
	}
	switch (p->cmp) {
	case SK_CMP_EQ: op = SAKER_OP_INT_EQ; break;
	case SK_CMP_NE: op = SAKER_OP_INT_NE; break;
	case SK_CMP_LT: op = SAKER_OP_INT_LT; break;
	case SK_CMP_LE: op = SAKER_OP_INT_LE; break;
	case SK_CMP_GT: op = SAKER_OP_INT_GT; break;
	case SK_CMP_GE: op = SAKER_OP_INT_GE; break;
	case SK_CMP_IN: op = SAKER_OP_INT_IN; break;
	default:
		return cg_unsupported(g, p, "this operator does not apply to numbers in the kernel");
	}
	a = tb_atom(t, op, p->field, tl, fl);
	if (!a)
		return -ENOMEM;
	a->mask = p->mask;
	a->k = p->ival;
	if (op == SAKER_OP_INT_IN) {
		uint32_t set = t->n_sets++;

		a->a = set;
		for (size_t i = 0; i < p->n_ivals; i++) {
			bool dup = false;

			for (size_t j = 0; j < i && !dup; j++)
				dup = p->ivals[j] == p->ivals[i];
			if (!dup)
				tb_add_key(t, SAKER_IX_SP_SET(set), NULL, 8, p->ivals[i],
					   tb_pool(t, &p->ivals[i], 8));
		}
	}
	return 0;
}

/* The atoms of P: to label TL when it holds, FL when not. */
static int tb_cond(struct tb *t, const sk_pred *p, uint32_t tl, uint32_t fl, size_t atom0)
{
	int v = tb_const(t->g, p), err = 0;
	struct saker_ix_atom *a;
	size_t last = 0;

	if (v >= 0)
		return cg_unsupported(t->g, p, "internal: a constant reached the tables");
	switch (p->kind) {
	case SK_P_NOT:
		return tb_cond(t, p->kids[0], fl, tl, atom0);
	case SK_P_AND:
	case SK_P_OR: {
		const sk_pred **kids = cg_sorted_kids(p);

		if (!kids)
			return -ENOMEM;
		/* constant kids are the neutral value here (else P would be constant) */
		for (size_t i = 0; i < p->n_kids; i++)
			if (tb_const(t->g, kids[i]) < 0)
				last = i;
		for (size_t i = 0; i < p->n_kids && !err; i++) {
			uint32_t next;

			if (tb_const(t->g, kids[i]) >= 0)
				continue;
			if (i == last) {
				err = tb_cond(t, kids[i], tl, fl, atom0);
				break;
			}
			next = tb_label(t);
			if (p->kind == SK_P_AND)
				err = tb_cond(t, kids[i], next, fl, atom0);
			else
				err = tb_cond(t, kids[i], tl, next, atom0);
			tb_place(t, next, atom0);
		}
		free(kids);
		return err;
	}
	case SK_P_SYSCALL:
		a = tb_atom(t, SAKER_OP_EVSET, 0, tl, fl);
		if (!a)
			return -ENOMEM;
		a->a = tb_evset(t, p->ivals, p->n_ivals, NULL);
		return 0;
	case SK_P_INT:
		return tb_int(t, p, tl, fl);
	case SK_P_STR:
		return tb_str(t, p, tl, fl, atom0);
	default:
		return cg_unsupported(t->g, p, "unknown predicate kind");
	}
}

/* Whether P is one of the disjuncts file identity and cut paths add to a path test (plan.c):
 * fd.watch_id in (...), fd.name_cut, or a conjunction gated by fd.name_cut. */
static bool tb_ident_kid(const sk_pred *p)
{
	if (p->kind == SK_P_INT)
		return p->field == SK_FLD_FD_WATCH_ID || p->field == SK_FLD_FD_NAME_CUT;
	if (p->kind == SK_P_AND)
		for (size_t i = 0; i < p->n_kids; i++)
			if (p->kids[i]->kind == SK_P_INT && p->kids[i]->field == SK_FLD_FD_NAME_CUT)
				return true;
	return false;
}

/* A path test C rewritten as C or (identity and cut disjuncts): C, which is what the index can
 * select by (the kernel's SAKER_IXP_IDENT probes take every rule on the events where the other
 * disjuncts may hold); else P itself. */
static const sk_pred *tb_ident_core(const sk_pred *p)
{
	const sk_pred *core = NULL;

	if (p->kind != SK_P_OR)
		return p;
	for (size_t i = 0; i < p->n_kids; i++) {
		const sk_pred *k = p->kids[i];

		if (k->kind == SK_P_STR && (k->field == SK_FLD_FD_NAME || k->field == SK_FLD_FD_DIRECTORY) &&
		    !core)
			core = k;
		else if (!tb_ident_kid(k))
			return p;
	}
	return core ? core : p;
}

/* The index of rule I: the most selective test every event it matches passes (a top-level
 * conjunct), as keys leading to I. Strings' = and in first, then the longest startswith, then
 * numbers' = and in, then the few-valued strings' (fd.typechar = f); the cheaper field first
 * among equals; none: the rule runs on every event of its own. */
static void tb_index(struct tb *t, size_t ri, const sk_pred *root)
{
	const sk_pred *best = NULL;
	const sk_pred *const *kids = root->kind == SK_P_AND ? (const sk_pred *const *)root->kids : &root;
	size_t nk = root->kind == SK_P_AND ? root->n_kids : 1;
	long best_score = 0;

	t->index_field[ri] = -1;
	for (size_t i = 0; i < nk; i++) {
		const sk_pred *p = tb_ident_core(kids[i]);
		struct cg_str_field sf;
		long score = 0;

		if (tb_const(t->g, p) >= 0)
			continue;
		if (p->kind == SK_P_STR && cg_str_field(p->field, &sf)) {
			const struct sk_kernel_facts *kf = cg_kfacts(p->field);

			/* a field of a few short values (fd.typechar, fd.type, fd.l4proto) is
			 * what most events of its family have: the worst index of all */
			if (kf && kf->max && kf->max <= TB_ENUM_MAX && (p->cmp == SK_CMP_EQ || p->cmp == SK_CMP_IN))
				score = 100;
			else if (p->cmp == SK_CMP_EQ && p->n_strs == 1)
				score = 1000;
			else if (p->cmp == SK_CMP_IN && p->n_strs)
				score = 900;
			else if (p->cmp == SK_CMP_PREFIX && p->n_strs == 1 && p->str_lens[0] &&
				 p->str_lens[0] <= SAKER_STR_MAX)
				score = 500 + (long)(p->str_lens[0] < 200 ? p->str_lens[0] : 200);
		} else if (p->kind == SK_P_INT && cg_kfacts(p->field) && p->mask == ~0ull &&
			   sk_fields[p->field].type != SK_T_BOOL &&
			   (p->cmp == SK_CMP_EQ || (p->cmp == SK_CMP_IN && p->n_ivals))) {
			score = 300;
		}
		/* of two as selective, the cheaper field: an event the rule cannot match then
		 * leaves it before the costlier one is computed for it (proc.name's list before
		 * fd.name's, which needs the path) */
		if (score > best_score || (score && score == best_score && cg_cost(p) < cg_cost(best))) {
			best = p;
			best_score = score;
		}
	}
	if (!best)
		return;
	t->index_field[ri] = best->field;
	{
		struct tb_cheap *ch = &t->cheap[ri];
		unsigned bc = cg_cost(best);

		for (size_t i = 0; i < nk; i++) {
			const sk_pred *p = kids[i];
			unsigned pc = cg_cost(p);

			if (p == best || tb_ident_core(p) == best || pc > TB_GUARD_COST || pc >= bc || tb_const(t->g, p) >= 0)
				continue;
			if (!ch->p) {
				ch->p = calloc(nk, sizeof(*ch->p));
				ch->key = calloc(nk, sizeof(*ch->key));
				if (!ch->p || !ch->key) {
					t->g->oom = true;
					break;
				}
			}
			ch->p[ch->n] = p;
			ch->key[ch->n++] = sk_pred_to_string(t->g->c->arena, p);
		}
	}
	if (best->kind == SK_P_INT) {
		t->index_kind[ri] = SAKER_IXP_INT;
		if (best->cmp == SK_CMP_EQ)
			tb_add_key(t, SAKER_IX_SP_INT(best->field), NULL, 8, best->ival, (uint32_t)ri);
		for (size_t i = 0; best->cmp == SK_CMP_IN && i < best->n_ivals; i++)
			tb_add_key(t, SAKER_IX_SP_INT(best->field), NULL, 8, best->ivals[i],
				   (uint32_t)ri);
	} else if (best->cmp == SK_CMP_PREFIX) {
		unsigned k = 0;

		while ((2u << k) <= best->str_lens[0] && k + 1 < SAKER_IX_BUCKETS)
			k++;
		t->index_kind[ri] = 0x100u << k;
		tb_add_key(t, SAKER_IX_SP_PFX((unsigned)best->field, k), best->strs[0], 1u << k, 0,
			   (uint32_t)ri);
	} else {
		t->index_kind[ri] = SAKER_IXP_EQ;
		for (size_t i = 0; i < best->n_strs; i++)
			tb_add_key(t, SAKER_IX_SP_EQ((unsigned)best->field), best->strs[i],
				   best->str_lens[i], 0, (uint32_t)ri);
	}
}

static int tb_key_cmp(const void *a, const void *b)
{
	const struct tb_key *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->payload < y->payload ? -1 : x->payload > y->payload;
}

static bool tb_same_key(const struct tb_key *x, const struct tb_key *y)
{
	if (x->space != y->space || x->len != y->len || !x->s != !y->s)
		return false;
	return x->s ? !memcmp(x->s, y->s, x->len) : x->iv == y->iv;
}

/* A table-sized emission of BYTES as constant NAME in .rodata, or (BIG) in a .rodata section
 * of its own: libbpf makes each its own map, and a map value holds at most 4 MiB. */
static void tb_global(struct cg *g, const char *name, const void *bytes, size_t n, bool big)
{
	char sec[64];

	static const uint64_t zero;
	LLVMValueRef init = LLVMConstStringInContext(g->ctx, n ? bytes : (const void *)&zero,
						     (unsigned)(n ? n : 8), 1);
	LLVMValueRef gv = LLVMAddGlobal(g->mod, LLVMTypeOf(init), name);

	LLVMSetInitializer(gv, init);
	LLVMSetGlobalConstant(gv, 1);
	snprintf(sec, sizeof(sec), ".rodata%s%s", big ? "." : "", big ? name : "");
	LLVMSetSection(gv, sec);
	LLVMSetAlignment(gv, 8);
}

/* The tables of every rule (or, with INLINE, empty ones for the template's references). */
static int cg_build_tables(struct cg *g, bool inl)
{
	struct tb t = { .g = g };
	size_t n = inl ? 0 : g->c->n_rules;
	struct saker_ix_slot *slots = NULL;
	struct saker_ix_event *evs = calloc(SK_EV__COUNT, sizeof(*evs));
	struct saker_ix_probe *probes = NULL;
	uint32_t *list = NULL;
	size_t n_list = 0, cap_list = 0, n_probes = 0, cap_probes = 0, n_slots = 0;
	size_t *probe_first = NULL, cap_pf = 0;        /* per probe: its first rule */
	uint32_t *guard_ev = NULL;                      /* per guard: its event */
	size_t n_guard_rules = 0, cap_ge = 0, cap_rules = n ? n : 1;
	uint32_t counts[SAKER_IXC__COUNT] = { 0 };
	bool hooked[SK_EV__COUNT];
	int err = 0;

	t.rules = calloc(n ? n : 1, sizeof(*t.rules));
	t.index_field = calloc(n ? n : 1, sizeof(*t.index_field));
	t.index_kind = calloc(n ? n : 1, sizeof(*t.index_kind));
	t.cheap = calloc(n ? n : 1, sizeof(*t.cheap));
	if (!t.rules || !t.index_field || !t.index_kind || !t.cheap || !evs) {
		err = -ENOMEM;
		goto out;
	}
	tb_evset(&t, NULL, 0, NULL); /* evset 0: no event */
	for (size_t i = 0; i < n && !err; i++) {
		const sk_rule *r = g->c->rules[i];
		static const sk_pred always = { .kind = SK_P_CONST, .value = 1 };
		const sk_pred *p = r->pred ? r->pred : &always;
		size_t atom0 = t.n_atoms;
		int v;

		g->fams = cg_rule_families(r);
		g->rule = r;
		t.index_field[i] = -1;
		t.rules[i].atom0 = (uint32_t)atom0;
		v = r->n_syscalls ? tb_const(g, p) : 0;
		if (v == 0)
			continue; /* never holds: evset 0, never a candidate */
		if (t.n_evsets > 0xffff) {
			err = cg_unsupported(g, p, "more than 65535 distinct event sets");
			break;
		}
		t.rules[i].evset = (unsigned short)tb_evset(&t, NULL, r->n_syscalls, r->syscalls);
		if (v == 1)
			continue; /* no atoms: holds on its events */
		t.n_lab = 0;
		err = tb_cond(&t, p, SAKER_PC_TRUE, SAKER_PC_FALSE, atom0);
		if (err)
			break;
		if (t.n_atoms - atom0 >= 0xff00) {
			err = cg_unsupported(g, p, "rule too large for the kernel tables");
			break;
		}
		for (size_t a = atom0; a < t.n_atoms; a++) {
			struct saker_ix_atom *at = &t.atoms[a];

			if (at->t < SAKER_PC_TRUE)
				at->t = (unsigned short)t.lab[at->t];
			if (at->f < SAKER_PC_TRUE)
				at->f = (unsigned short)t.lab[at->f];
		}
		t.rules[i].n_atoms = (unsigned short)(t.n_atoms - atom0);
		tb_index(&t, i, p);
	}
	g->rule = NULL;
	if (err || g->oom)
		goto out;

	/* per event: the fields its indexed rules use, and their guards (pseudo-rules after the
	 * bundle's, built before the seed: their sets are keys too) */
	cg_hooked(g, hooked);
	for (int e = 0; e < SK_EV__COUNT && !inl; e++) {
		size_t p0 = n_probes, n_guards = 0;

		if (!hooked[e])
			continue;
		for (size_t i = 0; i < n; i++) {
			const uint8_t *row = t.evsets + (size_t)t.rules[i].evset * SAKER_IX_EVSET_BYTES;
			size_t k = p0;
			unsigned kind = t.index_kind[i];

			if (!t.rules[i].evset || !((row[e >> 3] >> (e & 7)) & 1) || t.index_field[i] < 0)
				continue;
			while (k < n_probes && probes[k].field != t.index_field[i])
				k++;
			if (k == n_probes) {
				if (!tb_grow(g, (void **)&probes, &cap_probes, n_probes + 1, sizeof(*probes)) ||
				    !tb_grow(g, (void **)&probe_first, &cap_pf, n_probes + 1,
					     sizeof(*probe_first))) {
					err = -ENOMEM;
					goto out;
				}
				memset(&probes[k], 0, sizeof(probes[k]));
				probes[k].field = (unsigned short)t.index_field[i];
				probe_first[k] = i;
				n_probes++;
			}
			if (kind < 0x100)
				probes[k].flags |= (unsigned short)kind;
			else
				probes[k].buckets |= kind >> 8;
		}
		evs[e].probe_off = (uint32_t)p0;
		evs[e].probe_n = (uint32_t)(n_probes - p0);
		/* a probe's guard: the cheap tests all its rules on this event share */
		for (size_t k = p0; k < n_probes; k++) {
			const struct tb_cheap *f = &t.cheap[probe_first[k]];
			bool *keep = f->n ? calloc(f->n, sizeof(*keep)) : NULL;
			const sk_pred **kids = f->n ? calloc(f->n, sizeof(*kids)) : NULL;
			size_t nk = 0;

			if (f->n && (!keep || !kids)) {
				free(keep);
				free(kids);
				err = -ENOMEM;
				goto out;
			}
			for (size_t c = 0; c < f->n; c++)
				keep[c] = true;
			for (size_t i = probe_first[k]; i < n && f->n; i++) {
				const uint8_t *row = t.evsets + (size_t)t.rules[i].evset * SAKER_IX_EVSET_BYTES;
				const struct tb_cheap *o = &t.cheap[i];

				if (t.index_field[i] != probes[k].field || !t.rules[i].evset ||
				    !((row[e >> 3] >> (e & 7)) & 1))
					continue;
				for (size_t c = 0; c < f->n; c++) {
					size_t d = 0;

					while (keep[c] && d < o->n && strcmp(o->key[d], f->key[c]))
						d++;
					if (d == o->n)
						keep[c] = false;
				}
			}
			for (size_t c = 0; c < f->n; c++)
				if (keep[c])
					kids[nk++] = f->p[c];
			if (nk && n_guards < 64) {
				sk_pred all = { .kind = SK_P_AND, .kids = (sk_pred **)kids, .n_kids = nk };
				int64_t ev = e;
				int v;

				g->fams = 1u << sk_events[e].family;
				v = tb_const(g, &all);
				if (v == 0) {
					/* no rule behind it can hold on this event */
					probes[k].flags = 0;
					probes[k].buckets = 0;
				} else if (v < 0) {
					size_t atom0 = t.n_atoms, id = n + n_guard_rules;

					if (!tb_grow(g, (void **)&t.rules, &cap_rules, id + 1, sizeof(*t.rules)) ||
					    !tb_grow(g, (void **)&guard_ev, &cap_ge, n_guard_rules + 1,
						     sizeof(*guard_ev))) {
						free(keep);
						free(kids);
						err = -ENOMEM;
						goto out;
					}
					t.n_lab = 0;
					err = tb_cond(&t, &all, SAKER_PC_TRUE, SAKER_PC_FALSE, atom0);
					for (size_t a = atom0; a < t.n_atoms && !err; a++) {
						struct saker_ix_atom *at = &t.atoms[a];

						if (at->t < SAKER_PC_TRUE)
							at->t = (unsigned short)t.lab[at->t];
						if (at->f < SAKER_PC_TRUE)
							at->f = (unsigned short)t.lab[at->f];
					}
					t.rules[id].atom0 = (uint32_t)atom0;
					t.rules[id].n_atoms = (unsigned short)(t.n_atoms - atom0);
					t.rules[id].evset = (unsigned short)tb_evset(&t, &ev, 1, NULL);
					guard_ev[n_guard_rules++] = (uint32_t)e;
					probes[k].guard = (uint32_t)(++n_guards);
				}
			}
			free(keep);
			free(kids);
			if (err)
				goto out;
		}
	}
	if (g->oom)
		goto out;

	/* the seed: the first from 0 on with no two different keys of the same hash */
	for (;;) {
		bool clash = false;

		for (size_t i = 0; i < t.n_keys; i++)
			tb_hash_key(&t.keys[i], t.seed);
		if (t.n_keys)
			qsort(t.keys, t.n_keys, sizeof(*t.keys), tb_key_cmp);
		for (size_t i = 1; i < t.n_keys && !clash; i++)
			clash = t.keys[i].h == t.keys[i - 1].h && !tb_same_key(&t.keys[i], &t.keys[i - 1]);
		if (!clash)
			break;
		t.seed++;
	}
	/* the slots: one per distinct key, with its list */
	{
		size_t groups = 0, size = 2;

		for (size_t i = 0; i < t.n_keys; i++)
			groups += !i || t.keys[i].h != t.keys[i - 1].h;
		while (size < 2 * groups)
			size *= 2;
		for (;;) {
			bool full = false;

			free(slots);
			slots = calloc(size, sizeof(*slots));
			n_list = 0;
			if (!slots) {
				err = -ENOMEM;
				goto out;
			}
			for (size_t i = 0; i < t.n_keys && !full;) {
				size_t j = i, home = t.keys[i].h & (size - 1), d = 0;
				uint32_t off = (uint32_t)n_list;

				for (; j < t.n_keys && t.keys[j].h == t.keys[i].h; j++) {
					if (j > i && t.keys[j].payload == t.keys[j - 1].payload)
						continue;
					if (!tb_grow(g, (void **)&list, &cap_list, n_list + 1, sizeof(*list))) {
						err = -ENOMEM;
						goto out;
					}
					list[n_list++] = t.keys[j].payload;
				}
				while (d < SAKER_IX_PROBE_MAX && slots[(home + d) & (size - 1)].h)
					d++;
				if (d == SAKER_IX_PROBE_MAX) {
					full = true;
					break;
				}
				slots[(home + d) & (size - 1)] = (struct saker_ix_slot){
					.h = t.keys[i].h, .off = off, .n = (uint32_t)(n_list - off) };
				i = j;
			}
			if (!full)
				break;
			size *= 2;
		}
		n_slots = size;
	}
	/* per event: the rules without an index, and its guards */
	for (int e = 0; e < SK_EV__COUNT && !inl; e++) {
		size_t hits;

		if (!hooked[e])
			continue;
		evs[e].all_off = (uint32_t)n_list;
		for (size_t i = 0; i < n; i++) {
			const uint8_t *row = t.evsets + (size_t)t.rules[i].evset * SAKER_IX_EVSET_BYTES;

			if (!t.rules[i].evset || !((row[e >> 3] >> (e & 7)) & 1) || t.index_field[i] >= 0)
				continue;
			if (!tb_grow(g, (void **)&list, &cap_list, n_list + 1, sizeof(*list))) {
				err = -ENOMEM;
				goto out;
			}
			list[n_list++] = (uint32_t)i;
		}
		evs[e].all_n = (uint32_t)(n_list - evs[e].all_off);
		evs[e].guard_off = (uint32_t)n_list;
		for (size_t gi = 0; gi < n_guard_rules; gi++) {
			if (guard_ev[gi] != (uint32_t)e)
				continue;
			if (!tb_grow(g, (void **)&list, &cap_list, n_list + 1, sizeof(*list))) {
				err = -ENOMEM;
				goto out;
			}
			list[n_list++] = (uint32_t)(n + gi);
		}
		evs[e].guard_n = (uint32_t)(n_list - evs[e].guard_off);
		/* the probes on paths: every rule behind each, for the events identity or a cut
		 * path may concern (SAKER_IXP_IDENT) */
		for (size_t k = evs[e].probe_off; k < evs[e].probe_off + evs[e].probe_n; k++) {
			if (probes[k].field != SK_FLD_FD_NAME && probes[k].field != SK_FLD_FD_DIRECTORY)
				continue;
			if (!(probes[k].flags & (SAKER_IXP_EQ | SAKER_IXP_INT)) && !probes[k].buckets)
				continue;
			probes[k].all_off = (uint32_t)n_list;
			for (size_t i = 0; i < n; i++) {
				const uint8_t *row = t.evsets + (size_t)t.rules[i].evset * SAKER_IX_EVSET_BYTES;

				if (t.index_field[i] != probes[k].field || !t.rules[i].evset ||
				    !((row[e >> 3] >> (e & 7)) & 1))
					continue;
				if (!tb_grow(g, (void **)&list, &cap_list, n_list + 1, sizeof(*list))) {
					err = -ENOMEM;
					goto out;
				}
				list[n_list++] = (uint32_t)i;
			}
			probes[k].all_n = (uint32_t)(n_list - probes[k].all_off);
			probes[k].flags |= SAKER_IXP_IDENT;
		}
		hits = evs[e].all_n != 0;
		for (size_t k = evs[e].probe_off; k < evs[e].probe_off + evs[e].probe_n; k++)
			hits += !!(probes[k].flags & SAKER_IXP_EQ) + !!(probes[k].flags & SAKER_IXP_INT) +
				(size_t)__builtin_popcount(probes[k].buckets);
		if (hits > SAKER_IX_HITS) {
			sk_span none = { 0, 0, 0 };

			sk_error(g->c->diag, none, "kernel-unsupported",
				 "event '%s': its rules are indexed by more fields and prefix lengths "
				 "than the kernel looks up (%d)", sk_events[e].name, SAKER_IX_HITS);
			err = -1;
			goto out;
		}
	}
	counts[SAKER_IXC_RULES] = (uint32_t)(n + n_guard_rules);
	counts[SAKER_IXC_REAL] = (uint32_t)n;
	counts[SAKER_IXC_ATOMS] = (uint32_t)t.n_atoms;
	counts[SAKER_IXC_MASK] = (uint32_t)(n_slots - 1);
	counts[SAKER_IXC_LIST] = (uint32_t)n_list;
	counts[SAKER_IXC_POOL] = (uint32_t)t.n_pool;
	counts[SAKER_IXC_STRS] = (uint32_t)t.n_strs;
	counts[SAKER_IXC_PROBES] = (uint32_t)n_probes;
	counts[SAKER_IXC_EVSETS] = (uint32_t)t.n_evsets;
	counts[SAKER_IXC_SEED_LO] = (uint32_t)t.seed;
	counts[SAKER_IXC_SEED_HI] = (uint32_t)(t.seed >> 32);
	if (t.n_pool < 8)
		tb_pool(&t, "\0\0\0\0\0\0\0", 8);
	if (t.n_pool & 7) {
		memset(t.pool + t.n_pool, 0, 8 - (t.n_pool & 7)); /* tb_pool left room */
		t.n_pool = (t.n_pool + 7) & ~(size_t)7;
	}
	counts[SAKER_IXC_POOL] = (uint32_t)t.n_pool;
	tb_global(g, SAKER_ABI_STR(SAKER_VAR_IX_RULES), t.rules,
		  (n + n_guard_rules) * sizeof(*t.rules), true);
	tb_global(g, SAKER_ABI_STR(SAKER_VAR_IX_ATOMS), t.atoms, t.n_atoms * sizeof(*t.atoms), true);
	tb_global(g, SAKER_ABI_STR(SAKER_VAR_IX_SLOTS), slots, n_slots * sizeof(*slots), true);
	tb_global(g, SAKER_ABI_STR(SAKER_VAR_IX_LIST), list, n_list * sizeof(*list), true);
	tb_global(g, SAKER_ABI_STR(SAKER_VAR_IX_POOL), t.pool, t.n_pool, true);
	tb_global(g, SAKER_ABI_STR(SAKER_VAR_IX_STRS), t.strs, t.n_strs * sizeof(*t.strs), true);
	tb_global(g, SAKER_ABI_STR(SAKER_VAR_IX_EVS), evs, SK_EV__COUNT * sizeof(*evs), false);
	tb_global(g, SAKER_ABI_STR(SAKER_VAR_IX_PROBES), probes, n_probes * sizeof(*probes), false);
	tb_global(g, SAKER_ABI_STR(SAKER_VAR_IX_EVSETS), t.evsets,
		  t.n_evsets * SAKER_IX_EVSET_BYTES, false);
	tb_global(g, SAKER_ABI_STR(SAKER_VAR_IX_COUNTS), counts, sizeof(counts), false);
out:
	free(t.rules);
	free(t.atoms);
	free(t.pool);
	free(t.strs);
	free(t.keys);
	free(t.evsets);
	free(t.index_field);
	free(t.index_kind);
	for (size_t i = 0; t.cheap && i < n; i++) {
		free(t.cheap[i].p);
		free(t.cheap[i].key);
	}
	free(t.cheap);
	free(probe_first);
	free(guard_ev);
	free(t.lab);
	free(slots);
	free(evs);
	free(probes);
	free(list);
	return err ? err : g->oom ? -ENOMEM : 0;
}

/* saker_families: the families of the events some rule looks at, so that the templates drop
 * the code of the others. */
static void cg_build_families(struct cg *g)
{
	bool ev[SK_EV__COUNT];
	unsigned fams = 0;
	LLVMValueRef gv;

	cg_hooked(g, ev);
	for (int e = 0; e < SK_EV__COUNT; e++)
		if (ev[e])
			fams |= 1u << sk_events[e].family;
	gv = LLVMAddGlobal(g->mod, g->i32, SAKER_ABI_STR(SAKER_VAR_FAMILIES));
	LLVMSetInitializer(gv, LLVMConstInt(g->i32, fams, 0));
	LLVMSetGlobalConstant(gv, 1);
	LLVMSetSection(gv, ".rodata");
}

/* The generated module: declarations of the template's accessors, then the two functions. */
static int cg_build_module(struct cg *g, LLVMModuleRef tmpl)
{
	LLVMTypeRef p_ii[2] = { g->p8, g->i32 };
	LLVMTypeRef p_int[3] = { g->p8, g->i32, LLVMPointerType(g->i64, 0) };
	LLVMTypeRef p_str[3] = { g->p8, g->i32, LLVMPointerType(g->p8, 0) };
	LLVMTypeRef p_find[4] = { g->i32, g->i32, g->i32, g->i32 };
	LLVMValueRef prog;
	int err;

	g->mod = LLVMModuleCreateWithNameInContext("saker_rules", g->ctx);
	LLVMSetTarget(g->mod, LLVMGetTarget(tmpl));
	LLVMSetDataLayout(g->mod, LLVMGetDataLayoutStr(tmpl));
	prog = LLVMGetNamedFunction(tmpl, "saker_sys_exit");
	if (prog)
		g->cpu_attr = LLVMGetStringAttributeAtIndex(prog, LLVMAttributeFunctionIndex,
							    "target-cpu", 10);

	cg_declare(g, &g->compat, SAKER_ABI_STR(SAKER_FN_COMPAT), g->i32, NULL, 0);
	cg_declare(g, &g->int_get, SAKER_ABI_STR(SAKER_FN_INT), g->i32, p_int, 3);
	cg_declare(g, &g->str_get, SAKER_ABI_STR(SAKER_FN_STR), g->i32, p_str, 3);
	cg_declare(g, &g->set_match, SAKER_ABI_STR(SAKER_FN_SET_MATCH), g->void_t, p_ii, 2);
	cg_declare(g, &g->contains, SAKER_ABI_STR(SAKER_FN_CONTAINS), g->i32, p_find, 4);
	cg_declare(g, &g->glob, SAKER_ABI_STR(SAKER_FN_GLOB), g->i32, p_find, 3);
	cg_declare(g, &g->bytes, SAKER_ABI_STR(SAKER_FN_BYTES), g->i32, p_find, 4);

	cg_declare(g, &g->ix_run, SAKER_ABI_STR(SAKER_FN_IX_RUN), g->i32, &g->i32, 1);

	err = cg_build_event(g);
	if (!err)
		err = cg_build_match(g);
	if (!err)
		err = cg_build_tables(g, g->inline_code);
	if (!err)
		err = cg_build_patterns(g);
	if (!err)
		cg_build_families(g);
	return err ? err : g->oom ? -ENOMEM : 0;
}

/* ---- LLVM plumbing ------------------------------------------------------------------- */

static void cg_llvm_diag(LLVMDiagnosticInfoRef di, void *arg)
{
	struct cg *g = arg;

	if (LLVMGetDiagInfoSeverity(di) != LLVMDSError || g->llvm_error)
		return;
	g->llvm_error = LLVMGetDiagInfoDescription(di);
}

/* The generated code, and every always_inline function of the templates (the accessors and
 * their helpers to one another, external only to cross files), become internal, so O2 inlines
 * them into the hook and drops what no rule uses. The BPF global functions stay as they are. */
static void cg_internalise(LLVMModuleRef m)
{
	static const char *const names[] = {
#define X(sym) SAKER_ABI_STR(sym),
		SAKER_ABI_INTERNAL(X)
#undef X
	};
	unsigned ai = LLVMGetEnumAttributeKindForName("alwaysinline", 12);

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		LLVMValueRef v = LLVMGetNamedFunction(m, names[i]);

		if (!v)
			v = LLVMGetNamedGlobal(m, names[i]);
		if (v && !LLVMIsDeclaration(v))
			LLVMSetLinkage(v, LLVMInternalLinkage);
	}
	for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn; fn = LLVMGetNextFunction(fn))
		if (!LLVMIsDeclaration(fn) &&
		    LLVMGetEnumAttributeAtIndex(fn, LLVMAttributeFunctionIndex, ai))
			LLVMSetLinkage(fn, LLVMInternalLinkage);
}

/* The name of a BPF global function that O2 left a call to with an undefined argument, or
 * NULL. The optimiser does that to an argument the body never reads; the register then holds
 * whatever was there, and the verifier refuses the call when that is a pointer. Only external
 * functions matter: static ones are verified with their caller. */
static const char *cg_undef_global_arg(LLVMModuleRef m)
{
	for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn; fn = LLVMGetNextFunction(fn))
		for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
			for (LLVMValueRef in = LLVMGetFirstInstruction(bb); in;
			     in = LLVMGetNextInstruction(in)) {
				LLVMValueRef callee;
				size_t len;

				if (LLVMGetInstructionOpcode(in) != LLVMCall)
					continue;
				callee = LLVMGetCalledValue(in);
				if (!callee || !LLVMIsAFunction(callee) || LLVMIsDeclaration(callee) ||
				    LLVMGetLinkage(callee) != LLVMExternalLinkage)
					continue;
				for (unsigned i = 0; i < LLVMGetNumArgOperands(in); i++)
					if (LLVMIsUndef(LLVMGetOperand(in, i)))
						return LLVMGetValueName2(callee, &len);
			}
	return NULL;
}

/* Deletes the BPF global functions of the templates that nothing calls once O2 has pruned the
 * code of families no rule looks at: the verifier would check each all the same. Programs are
 * in their own sections; global functions in .text. */
static void cg_drop_unused(LLVMModuleRef m)
{
	bool again = true;

	while (again) {
		again = false;
		for (LLVMValueRef fn = LLVMGetFirstFunction(m), next; fn; fn = next) {
			const char *sec = LLVMGetSection(fn);

			next = LLVMGetNextFunction(fn);
			if (LLVMIsDeclaration(fn) || LLVMGetFirstUse(fn) ||
			    (sec && *sec && strcmp(sec, ".text")))
				continue;
			LLVMDeleteFunction(fn);
			again = true;
		}
	}
}

/* The template's CPU (its clang -mcpu) for the target machine, so both agree. */
static const char *cg_cpu_name(const struct cg *g, char *buf, size_t size)
{
	unsigned n = 0;
	const char *v = g->cpu_attr ? LLVMGetStringAttributeValue(g->cpu_attr, &n) : NULL;

	if (!v || !n || n >= size)
		return "generic";
	memcpy(buf, v, n);
	buf[n] = 0;
	return buf;
}

static void cg_init_llvm(void)
{
	static bool done;

	if (done)
		return;
	LLVMInitializeBPFTargetInfo();
	LLVMInitializeBPFTarget();
	LLVMInitializeBPFTargetMC();
	LLVMInitializeBPFAsmPrinter();
	done = true;
}

static int cg_internal(sk_comp *c, const char *what, const char *detail)
{
	sk_span none = { 0, 0, 0 };

	sk_error(c->diag, none, "codegen", "code generation failed: %s%s%s", what,
		 detail ? ": " : "", detail ? detail : "");
	return -1;
}

/* Every program's deepest call chain must fit the stack of kernels without private stacks
 * (stack.h): a bundle that needs more would load on a new kernel and fail on 6.1. */
static int cg_check_stack(sk_comp *c, const uint8_t *obj, size_t len)
{
	struct sk_stack_report r;
	char why[256];
	int bad = 0;

	if (sk_stack_measure(obj, len, &r, why, sizeof(why)))
		return cg_internal(c, "cannot measure the programs' stack", why);
	for (size_t i = 0; i < r.n_progs; i++) {
		const struct sk_stack_prog *p = &r.progs[i];

		if (getenv("SAKER_DEBUG_STACK"))
			fprintf(stderr, "stack: program %s: %u bytes, %u frames: %s\n", p->name, p->bytes,
				p->frames, p->chain);
		if (p->bytes <= SK_STACK_LIMIT && p->frames <= SK_STACK_FRAMES)
			continue;
		if (!bad++)
			sk_error(c->diag, (sk_span){ 0 }, "kernel-stack",
				 "the kernel program '%s' needs %u bytes of BPF stack in %u nested calls; "
				 "kernels without private BPF stacks (Linux 6.1 among them) allow %u bytes "
				 "and %u calls, so the bundle would not load there",
				 p->name, p->bytes, p->frames, SK_STACK_LIMIT, SK_STACK_FRAMES);
		else
			sk_error(c->diag, (sk_span){ 0 }, "kernel-stack",
				 "the kernel program '%s' needs %u bytes of BPF stack in %u nested calls",
				 p->name, p->bytes, p->frames);
		sk_note(c->diag, (sk_span){ 0 }, "deepest chain, frame bytes rounded as the verifier does: %s",
			p->chain);
	}
	if (bad)
		sk_note(c->diag, (sk_span){ 0 },
			"this is saker's own limit, not the rules': please report it with the rules file");
	sk_stack_free(&r);
	return bad ? -1 : 0;
}

int sk_codegen(sk_comp *c, const char *emit_llvm, uint8_t **obj, size_t *obj_len)
{
	struct cg g = { .c = c };
	const char *ic = getenv("SAKER_TEST_INLINE_CODE");
	LLVMMemoryBufferRef bc = NULL, out = NULL;
	LLVMModuleRef tmpl = NULL;
	LLVMTargetMachineRef tm = NULL;
	LLVMPassBuilderOptionsRef popts = NULL;
	LLVMTargetRef target;
	LLVMErrorRef lerr;
	char *msg = NULL;
	char cpu[32];
	int ret = -1;

	*obj = NULL;
	*obj_len = 0;
	cg_init_llvm();
	g.inline_code = ic && *ic && strcmp(ic, "0");
	g.ctx = LLVMContextCreate();
	LLVMContextSetDiagnosticHandler(g.ctx, cg_llvm_diag, &g);
	g.b = LLVMCreateBuilderInContext(g.ctx);
	g.i1 = LLVMInt1TypeInContext(g.ctx);
	g.i8 = LLVMInt8TypeInContext(g.ctx);
	g.i32 = LLVMInt32TypeInContext(g.ctx);
	g.i64 = LLVMInt64TypeInContext(g.ctx);
	g.p8 = LLVMPointerType(g.i8, 0);
	g.void_t = LLVMVoidTypeInContext(g.ctx);

	bc = LLVMCreateMemoryBufferWithMemoryRange((const char *)saker_template_bc,
						   saker_template_bc_len, "saker_templates", 0);
	if (LLVMParseBitcodeInContext2(g.ctx, bc, &tmpl)) {
		cg_internal(c, "cannot read the template bitcode", g.llvm_error);
		goto cleanup;
	}
	if (cg_build_module(&g, tmpl)) {
		if (!sk_diag_error_count(c->diag))
			cg_internal(c, "out of memory", NULL);
		goto cleanup;
	}
	/* LLVMLinkModules2 destroys the source module */
	if (LLVMLinkModules2(tmpl, g.mod)) {
		g.mod = NULL;
		cg_internal(c, "cannot link the rules with the template", g.llvm_error);
		goto cleanup;
	}
	g.mod = NULL;
	cg_internalise(tmpl);
	if (LLVMVerifyModule(tmpl, LLVMReturnStatusAction, &msg)) {
		cg_internal(c, "generated IR is invalid", msg);
		goto cleanup;
	}
	LLVMDisposeMessage(msg); /* set even on success */
	msg = NULL;

	if (LLVMGetTargetFromTriple(CG_TRIPLE, &target, &msg)) {
		cg_internal(c, "no BPF target in this LLVM", msg);
		goto cleanup;
	}
	tm = LLVMCreateTargetMachine(target, CG_TRIPLE, cg_cpu_name(&g, cpu, sizeof(cpu)), "",
				     LLVMCodeGenLevelDefault, LLVMRelocDefault, LLVMCodeModelDefault);
	popts = LLVMCreatePassBuilderOptions();
	lerr = LLVMRunPasses(tmpl, "default<O2>", tm, popts);
	if (lerr) {
		char *e = LLVMGetErrorMessage(lerr);

		cg_internal(c, "optimisation failed", e);
		LLVMDisposeErrorMessage(e);
		goto cleanup;
	}
	cg_drop_unused(tmpl);
	{
		const char *bad = cg_undef_global_arg(tmpl);

		if (bad) {
			if (getenv("SAKER_DEBUG_IR"))
				LLVMPrintModuleToFile(tmpl, getenv("SAKER_DEBUG_IR"), NULL);
			cg_internal(c, "a call of BPF global function passes an undefined argument", bad);
			goto cleanup;
		}
	}
	if (emit_llvm && LLVMPrintModuleToFile(tmpl, emit_llvm, &msg)) {
		cg_internal(c, "cannot write the LLVM IR", msg);
		goto cleanup;
	}
	if (LLVMTargetMachineEmitToMemoryBuffer(tm, tmpl, LLVMObjectFile, &msg, &out) ||
	    g.llvm_error) {
		cg_internal(c, "BPF code emission failed", g.llvm_error ? g.llvm_error : msg);
		goto cleanup;
	}
	*obj_len = LLVMGetBufferSize(out);
	*obj = malloc(*obj_len ? *obj_len : 1);
	if (!*obj) {
		*obj_len = 0;
		cg_internal(c, "out of memory", NULL);
		goto cleanup;
	}
	memcpy(*obj, LLVMGetBufferStart(out), *obj_len);
	if (getenv("SAKER_DEBUG_OBJ")) { /* docs/kernel.md: the BPF object, for llvm-objdump */
		FILE *f = fopen(getenv("SAKER_DEBUG_OBJ"), "wb");

		if (f) {
			fwrite(*obj, 1, *obj_len, f);
			fclose(f);
		}
	}
	if (cg_check_stack(c, *obj, *obj_len)) {
		free(*obj);
		*obj = NULL;
		*obj_len = 0;
		goto cleanup;
	}
	ret = 0;

cleanup:
	if (msg)
		LLVMDisposeMessage(msg);
	if (g.llvm_error)
		LLVMDisposeMessage(g.llvm_error);
	if (out)
		LLVMDisposeMemoryBuffer(out);
	if (popts)
		LLVMDisposePassBuilderOptions(popts);
	if (tm)
		LLVMDisposeTargetMachine(tm);
	if (g.mod)
		LLVMDisposeModule(g.mod);
	if (tmpl)
		LLVMDisposeModule(tmpl);
	if (bc)
		LLVMDisposeMemoryBuffer(bc);
	free(g.pats);
	LLVMDisposeBuilder(g.b);
	LLVMContextDispose(g.ctx);
	return ret;
}
