/* Between the reader of rules files (loader.c) and the collector (collect.c): what one item asks
 * for, as decoded from YAML, and the operations Falco's collector applies it with (define,
 * append, replace, enable; falco/RULES-SCHEMA.md sections 2 and 3). */
#ifndef SK_COLLECT_H
#define SK_COLLECT_H

#include <stdbool.h>
#include <stddef.h>

#include "rules.h"

/* The keys an override may name, in the order Falco reads them. */
#define SK_UPD_KEYS(X)                                  \
	X(COND, "condition", 1)                         \
	X(EXC, "exceptions", 1)                         \
	X(OUT, "output", 1)                             \
	X(DESC, "desc", 1)                              \
	X(TAGS, "tags", 1)                              \
	X(PRIO, "priority", 0)                          \
	X(CAPTURE, "capture", 0)                        \
	X(CAPDUR, "capture_duration", 0)                \
	X(ENABLED, "enabled", 0)                        \
	X(WARN, "warn_evttypes", 0)                     \
	X(SKIP, "skip-if-unknown-filter", 0)            \
	X(ACTION, "action", 0)

enum sk_upd_key {
#define X(id, name, appendable) SK_K_##id,
	SK_UPD_KEYS(X)
#undef X
	SK_K__COUNT
};
#define SK_KB(id) (1u << SK_K_##id)

/* One list, macro or rule item, decoded. Which fields mean something depends on the kind and
 * on HAS. */
typedef struct sk_upd {
	enum sk_item_kind kind;
	const char *name;
	const char *what;          /* "rule 'x'": the subject of messages */
	sk_span at;                /* the item's mapping */
	sk_span name_span;
	const char *file;
	unsigned line;
	unsigned has;              /* SK_KB() of the keys given */
	const char *source;        /* the source given, "" when none */
	sk_span source_span;
	sk_text cond;
	sk_span cond_span;
	sk_text output;
	sk_span output_span;
	sk_text desc;
	const char **tags;
	size_t n_tags;
	sk_exception *exc;
	size_t n_exc;
	int priority;
	sk_span priority_span;
	int action;                /* enum saker_action */
	sk_span action_span;
	bool capture, enabled, warn_evttypes, skip_unknown;
	unsigned capture_duration;
	sk_span skip_span;
	sk_scalar *raw;            /* list items */
	size_t n_raw;
} sk_upd;

/* Each returns 0, or -1 after reporting why the item cannot apply (nothing is changed then). */
int sk_collect_define(sk_comp *c, const sk_upd *u);  /* replaces an earlier definition in its place */
int sk_collect_append(sk_comp *c, const sk_upd *u);  /* append: true, override: append */
int sk_collect_replace(sk_comp *c, const sk_upd *u); /* override: replace (rules) */
int sk_collect_enable(sk_comp *c, const sk_upd *u);  /* the deprecated enable-only rule item */
/* A definition of NAME had errors: it leaves no definition, and later appends to it are
 * skipped without a second error. */
void sk_collect_failed(sk_comp *c, enum sk_item_kind kind, const char *name);
/* Whether a list, macro or rule NAME is defined (even with errors). */
bool sk_collect_exists(sk_comp *c, enum sk_item_kind kind, const char *name);
/* Records a required_engine_version the engine satisfies; the highest one counts. */
void sk_collect_engine(sk_comp *c, const unsigned v[3]);
/* The highest required engine version so far; false when none was given. */
bool sk_collect_required_engine(sk_comp *c, unsigned v[3]);
/* Sets c->items from the definitions, in their places. */
void sk_collect_finish(sk_comp *c);

/* Grows the arena array V of N elements of SIZE bytes so that one more fits. */
void *sk_grow(sk_arena *a, void *v, size_t n, size_t size);
#define SK_PUSH(a, v, n, x) ((v) = sk_grow((a), (v), (n), sizeof(*(v))), (v)[(n)++] = (x))

#endif
