/* The pass pipeline in one place: load, expand, check, then code generation and the bundle. */
#ifndef SK_DRIVER_H
#define SK_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "rules.h"

struct sk_emit_opts {
	const char *emit_llvm; /* write the optimised LLVM IR here, or NULL */
	const char *emit_obj;  /* write the BPF object here, or NULL */
};

/* Loads PATHS and runs every front-end pass. Returns 0, -1 when the rules have errors, or
 * another negative errno when a path could not be read (all reported to c->diag). */
int sk_drive_front(sk_comp *c, const char *const *paths, size_t n);

/* Generates the BPF object for c->rules and encodes the bundle into a malloc'd buffer.
 * Returns 0, or -1 after reporting the reason to c->diag. */
int sk_drive_bundle(sk_comp *c, const struct sk_emit_opts *o, uint8_t **out, size_t *out_len);

#endif
