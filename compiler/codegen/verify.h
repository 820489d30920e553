/* Loading the compiled rules into the running kernel at check time (saker check --verify). */
#ifndef SK_VERIFY_H
#define SK_VERIFY_H

#include "rules.h"

/* Compiles c->rules and loads the programs (without attaching them). Returns 0 when the kernel
 * accepts them, -1 after reporting each rule whose code the verifier rejects, or -2 when this
 * process may not load BPF programs (reported too). */
int sk_verify(sk_comp *c);

#endif
