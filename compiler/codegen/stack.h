/* The BPF stack a bundle's programs need, read off the emitted object the way the kernel's
 * verifier counts it: each function's frame rounded up to 32 bytes, summed along every chain of
 * BPF-to-BPF calls (callbacks given to helpers such as bpf_loop included). Kernels without
 * private stacks (6.1 among them) refuse a program whose deepest chain exceeds 512 bytes or 8
 * frames; saker compile checks it here, so that a bundle does not fail on such a host. */
#ifndef SK_STACK_H
#define SK_STACK_H

#include <stddef.h>
#include <stdint.h>

#define SK_STACK_LIMIT 512 /* MAX_BPF_STACK */
#define SK_STACK_FRAMES 8  /* MAX_CALL_FRAMES */

struct sk_stack_prog {
	char name[64];	     /* the program's function */
	unsigned bytes;	     /* its deepest chain's stack, frames rounded as the verifier does */
	unsigned frames;     /* the number of functions in that chain */
	char chain[512];     /* "prog (64) > callee (96) > ...", cut with "..." if longer */
};

struct sk_stack_report {
	struct sk_stack_prog *progs; /* malloc'd, one per program (executable section but .text) */
	size_t n_progs;
	size_t worst; /* index of the program with the deepest chain */
};

/* Reads the BPF ELF object OBJ[0..LEN). 0 and a filled report (free it with sk_stack_free), or
 * -1 with a reason in WHY when the object cannot be read. */
int sk_stack_measure(const uint8_t *obj, size_t len, struct sk_stack_report *r, char *why,
		     size_t why_size);
void sk_stack_free(struct sk_stack_report *r);

#endif
