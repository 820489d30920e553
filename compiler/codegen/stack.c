/* Static stack measure of a BPF object (stack.h). The verifier computes a function's stack depth
 * from the stack slots its instructions reach; here the same bound is read from the code: the
 * lowest frame-pointer offset of a load or store through r10, or of a pointer r10 + k handed on
 * (LLVM addresses a stack object as "rX = r10; rX += -k"). Calls are the BPF_PSEUDO_CALL
 * instructions, resolved through the object's relocations when they cross sections, and the
 * callbacks a function passes to a helper (ld_imm64 of a function), which the verifier counts
 * as calls too. */
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stack.h"

#define INSN_SZ 8
#define ROUND32(x) (((x) + 31u) & ~31u)

struct insn {
	uint8_t code;
	uint8_t regs; /* dst low nibble, src high nibble */
	int16_t off;
	int32_t imm;
};

struct sec {
	size_t idx;
	const struct insn *insns;
	size_t n;
};

struct func {
	char name[64];
	size_t sec; /* index into secs */
	size_t start, end;
	unsigned depth;	  /* rounded frame */
	size_t *callees;  /* func indexes */
	size_t n_callees;
	int state;	  /* 0 new, 1 in progress, 2 done */
	unsigned best;	  /* deepest chain from here, bytes */
	unsigned best_frames;
	size_t next;	  /* callee on that chain, or SIZE_MAX */
	bool prog;
};

struct rel {
	size_t sec, insn; /* the relocated instruction */
	size_t sym_sec;	  /* the symbol's section index (ELF) */
	uint64_t sym_value;
};

struct ctx {
	struct sec *secs;
	size_t n_secs;
	struct func *funcs;
	size_t n_funcs;
	struct rel *rels;
	size_t n_rels;
};

static int cmp_func(const void *a, const void *b)
{
	const struct func *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static size_t sec_of_elf(const struct ctx *c, size_t elf_idx)
{
	for (size_t i = 0; i < c->n_secs; i++)
		if (c->secs[i].idx == elf_idx)
			return i;
	return SIZE_MAX;
}

/* The function starting exactly at instruction AT of section SEC, or SIZE_MAX. */
static size_t func_at(const struct ctx *c, size_t sec, size_t at)
{
	for (size_t i = 0; i < c->n_funcs; i++)
		if (c->funcs[i].sec == sec && c->funcs[i].start == at)
			return i;
	return SIZE_MAX;
}

static const struct rel *rel_at(const struct ctx *c, size_t sec, size_t insn)
{
	for (size_t i = 0; i < c->n_rels; i++)
		if (c->rels[i].sec == sec && c->rels[i].insn == insn)
			return &c->rels[i];
	return NULL;
}

static int add_callee(struct func *f, size_t callee)
{
	for (size_t i = 0; i < f->n_callees; i++)
		if (f->callees[i] == callee)
			return 0;
	size_t *n = realloc(f->callees, (f->n_callees + 1) * sizeof(*n));
	if (!n)
		return -1;
	f->callees = n;
	f->callees[f->n_callees++] = callee;
	return 0;
}

/* The frame of F and its callees. */
static int scan_func(struct ctx *c, size_t fi)
{
	struct func *f = &c->funcs[fi];
	const struct sec *s = &c->secs[f->sec];
	int64_t fp_off[11] = { 0 }; /* register = r10 + fp_off[r] when fp_is[r] */
	bool fp_is[11] = { false };
	int64_t low = 0;

	for (size_t i = f->start; i < f->end; i++) {
		const struct insn *in = &s->insns[i];
		unsigned cls = in->code & 7, dst = in->regs & 15, src = in->regs >> 4;

		if (in->code == 0x18) { /* ld_imm64: two slots; a function's address is a callback */
			const struct rel *r = rel_at(c, f->sec, i);

			if (dst <= 10)
				fp_is[dst] = false;
			if (r) {
				size_t ts = sec_of_elf(c, r->sym_sec), t = SIZE_MAX;

				if (ts != SIZE_MAX) { /* secs holds the executable sections only */
					t = func_at(c, ts, (size_t)((int64_t)r->sym_value + in->imm) / INSN_SZ);
					if (t == SIZE_MAX)
						t = func_at(c, ts, (size_t)((int64_t)r->sym_value / INSN_SZ +
									    in->imm + 1));
					if (t != SIZE_MAX && add_callee(f, t))
						return -1;
				}
			}
			i++;
			continue;
		}
		if (in->code == 0x85 && src == 1) { /* BPF_PSEUDO_CALL */
			const struct rel *r = rel_at(c, f->sec, i);
			size_t t;

			if (r) {
				size_t ts = sec_of_elf(c, r->sym_sec);

				t = ts == SIZE_MAX ? SIZE_MAX :
				    func_at(c, ts, (size_t)((int64_t)r->sym_value / INSN_SZ + in->imm + 1));
			} else {
				t = func_at(c, f->sec, (size_t)((int64_t)i + in->imm + 1));
			}
			if (t != SIZE_MAX && add_callee(f, t))
				return -1;
			for (int k = 0; k <= 5; k++)
				fp_is[k] = false;
			continue;
		}
		if (in->code == 0x85) { /* helper call: r0..r5 clobbered */
			for (int k = 0; k <= 5; k++)
				fp_is[k] = false;
			continue;
		}
		/* memory access through r10 or a pointer derived from it */
		if ((cls == 1 || cls == 2 || cls == 3) && (in->code & 0xe0) == 0x60) { /* BPF_MEM */
			unsigned base = cls == 1 ? src : dst;
			int64_t at = base == 10 ? in->off : (base < 10 && fp_is[base]) ? fp_off[base] + in->off : 0;

			if (at < low)
				low = at;
			if (cls == 1 && dst <= 10)
				fp_is[dst] = false;
			continue;
		}
		if (cls == 7 || cls == 4) { /* ALU64 / ALU */
			unsigned op = in->code & 0xf0;
			bool x = in->code & 8;

			if (dst > 10)
				continue;
			if (cls == 7 && op == 0xb0 && x && src == 10) { /* rX = r10 */
				fp_is[dst] = true;
				fp_off[dst] = 0;
			} else if (cls == 7 && op == 0xb0 && x && src < 10 && fp_is[src]) {
				fp_is[dst] = true;
				fp_off[dst] = fp_off[src];
			} else if (cls == 7 && op == 0x00 && !x && fp_is[dst]) { /* rX += k */
				fp_off[dst] += in->imm;
				if (fp_off[dst] < low)
					low = fp_off[dst];
			} else {
				fp_is[dst] = false;
			}
			continue;
		}
	}
	/* the verifier's minimum is one slot of 32 bytes even for a function with no stack */
	f->depth = ROUND32((unsigned)(low < 0 ? -low : 1));
	return 0;
}

static void walk(struct ctx *c, size_t fi)
{
	struct func *f = &c->funcs[fi];

	if (f->state)
		return; /* done, or a cycle (the verifier refuses recursion anyway) */
	f->state = 1;
	f->best = f->depth;
	f->best_frames = 1;
	f->next = SIZE_MAX;
	for (size_t k = 0; k < f->n_callees; k++) {
		struct func *g = &c->funcs[f->callees[k]];

		walk(c, f->callees[k]);
		if (g->state == 2 && (f->depth + g->best > f->best ||
				      (f->depth + g->best == f->best && g->best_frames + 1 > f->best_frames))) {
			f->best = f->depth + g->best;
			f->best_frames = g->best_frames + 1;
			f->next = f->callees[k];
		}
	}
	f->state = 2;
}

static int load(struct ctx *c, Elf *e, char *why, size_t why_size)
{
	size_t shstrndx, nsec;
	Elf_Scn *scn = NULL;
	Elf_Data *symdata = NULL;
	size_t symstr = 0, n_syms = 0;

	if (elf_getshdrstrndx(e, &shstrndx) || elf_getshdrnum(e, &nsec)) {
		snprintf(why, why_size, "not an ELF object: %s", elf_errmsg(-1));
		return -1;
	}
	c->secs = calloc(nsec ? nsec : 1, sizeof(*c->secs));
	if (!c->secs)
		goto oom;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB) {
			symdata = elf_getdata(scn, NULL);
			symstr = sh.sh_link;
			n_syms = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
		}
		if (sh.sh_type == SHT_PROGBITS && (sh.sh_flags & SHF_EXECINSTR)) {
			Elf_Data *d = elf_getdata(scn, NULL);
			struct sec *s = &c->secs[c->n_secs++];

			s->idx = elf_ndxscn(scn);
			s->insns = d ? d->d_buf : NULL;
			s->n = d ? d->d_size / INSN_SZ : 0;
		}
	}
	if (!symdata) {
		snprintf(why, why_size, "the object has no symbol table");
		return -1;
	}
	/* functions: the STT_FUNC symbols of executable sections */
	c->funcs = calloc(n_syms ? n_syms : 1, sizeof(*c->funcs));
	if (!c->funcs)
		goto oom;
	for (size_t i = 0; i < n_syms; i++) {
		GElf_Sym sym;
		size_t si;
		const char *name;

		if (!gelf_getsym(symdata, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		si = sec_of_elf(c, sym.st_shndx);
		if (si == SIZE_MAX)
			continue;
		name = elf_strptr(e, symstr, sym.st_name);
		struct func *f = &c->funcs[c->n_funcs++];
		snprintf(f->name, sizeof(f->name), "%s", name ? name : "?");
		f->sec = si;
		f->start = sym.st_value / INSN_SZ;
		f->next = SIZE_MAX;
	}
	qsort(c->funcs, c->n_funcs, sizeof(*c->funcs), cmp_func);
	for (size_t i = 0; i < c->n_funcs; i++) {
		struct func *f = &c->funcs[i];
		bool last = i + 1 == c->n_funcs || c->funcs[i + 1].sec != f->sec;
		const char *secname;
		GElf_Shdr sh;

		f->end = last ? c->secs[f->sec].n : c->funcs[i + 1].start;
		gelf_getshdr(elf_getscn(e, c->secs[f->sec].idx), &sh);
		secname = elf_strptr(e, shstrndx, sh.sh_name);
		f->prog = secname && strcmp(secname, ".text") != 0;
	}
	/* relocations of executable sections */
	scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t target;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_REL)
			continue;
		target = sec_of_elf(c, sh.sh_info);
		if (target == SIZE_MAX || !(d = elf_getdata(scn, NULL)) || !sh.sh_entsize)
			continue;
		size_t n = sh.sh_size / sh.sh_entsize;
		struct rel *nr = realloc(c->rels, (c->n_rels + n) * sizeof(*nr));
		if (!nr)
			goto oom;
		c->rels = nr;
		for (size_t k = 0; k < n; k++) {
			GElf_Rel rel;
			GElf_Sym sym;

			if (!gelf_getrel(d, (int)k, &rel) ||
			    !gelf_getsym(symdata, (int)GELF_R_SYM(rel.r_info), &sym))
				continue;
			c->rels[c->n_rels++] = (struct rel){
				.sec = target,
				.insn = rel.r_offset / INSN_SZ,
				.sym_sec = sym.st_shndx,
				.sym_value = sym.st_value,
			};
		}
	}
	return 0;
oom:
	snprintf(why, why_size, "out of memory");
	return -1;
}

static void chain_text(const struct ctx *c, size_t fi, char *out, size_t size)
{
	size_t len = 0;

	out[0] = 0;
	for (size_t k = fi; k != SIZE_MAX; k = c->funcs[k].next) {
		int n = snprintf(out + len, size - len, "%s%s (%u)", k == fi ? "" : " > ",
				 c->funcs[k].name, c->funcs[k].depth);

		if (n < 0 || (size_t)n >= size - len) {
			if (size > 4)
				strcpy(out + size - 4, "...");
			return;
		}
		len += (size_t)n;
	}
}

int sk_stack_measure(const uint8_t *obj, size_t len, struct sk_stack_report *r, char *why,
		     size_t why_size)
{
	struct ctx c = { 0 };
	Elf *e = NULL;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	why[0] = 0;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(why, why_size, "libelf: %s", elf_errmsg(-1));
		return -1;
	}
	e = elf_memory((char *)(uintptr_t)obj, len);
	if (!e) {
		snprintf(why, why_size, "not an ELF object: %s", elf_errmsg(-1));
		return -1;
	}
	if (load(&c, e, why, why_size))
		goto out;
	for (size_t i = 0; i < c.n_funcs; i++)
		if (scan_func(&c, i)) {
			snprintf(why, why_size, "out of memory");
			goto out;
		}
	if (getenv("SAKER_DEBUG_STACK")) /* docs/kernel.md: every function's frame */
		for (size_t i = 0; i < c.n_funcs; i++)
			fprintf(stderr, "stack: %4u %s\n", c.funcs[i].depth, c.funcs[i].name);
	for (size_t i = 0; i < c.n_funcs; i++)
		if (c.funcs[i].prog)
			r->n_progs++;
	r->progs = calloc(r->n_progs ? r->n_progs : 1, sizeof(*r->progs));
	if (!r->progs) {
		snprintf(why, why_size, "out of memory");
		goto out;
	}
	r->n_progs = 0;
	for (size_t i = 0; i < c.n_funcs; i++) {
		struct sk_stack_prog *p;

		if (!c.funcs[i].prog)
			continue;
		walk(&c, i);
		p = &r->progs[r->n_progs];
		snprintf(p->name, sizeof(p->name), "%s", c.funcs[i].name);
		p->bytes = c.funcs[i].best;
		p->frames = c.funcs[i].best_frames;
		chain_text(&c, i, p->chain, sizeof(p->chain));
		if (p->bytes > r->progs[r->worst].bytes)
			r->worst = r->n_progs;
		r->n_progs++;
	}
	ret = 0;
out:
	for (size_t i = 0; i < c.n_funcs; i++)
		free(c.funcs[i].callees);
	free(c.funcs);
	free(c.secs);
	free(c.rels);
	elf_end(e);
	if (ret)
		sk_stack_free(r);
	return ret;
}

void sk_stack_free(struct sk_stack_report *r)
{
	free(r->progs);
	memset(r, 0, sizeof(*r));
}
