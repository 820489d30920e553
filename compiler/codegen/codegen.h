/* Code generation: the rules' predicates as LLVM IR, linked with the template bitcode from
 * bpf/templates, optimised, and emitted as one BPF ELF object. */
#ifndef SK_CODEGEN_H
#define SK_CODEGEN_H

#include <stddef.h>
#include <stdint.h>

#include "rules.h"

/* Rule i of c->rules is rule id i of the event records. A rule's predicate is evaluated on the
 * events of r->syscalls only (none: the rule never runs), and a leaf on a field none of their
 * families has (fields.def) is false there. Returns 0 and a malloc'd object, or -1 after reporting to c->diag. EMIT_LLVM, when
 * not NULL, receives the optimised module's IR. */
int sk_codegen(sk_comp *c, const char *emit_llvm, uint8_t **obj, size_t *obj_len);

#endif
