/* The compilation: loaded items, the rules they define, and what each pass adds to them. */
#ifndef SK_RULES_H
#define SK_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "pred.h"
#include "saker/cond.h"
#include "saker/bundle.h"

enum sk_item_kind { SK_ITEM_LIST, SK_ITEM_MACRO, SK_ITEM_RULE };

/* A YAML scalar as read: its value, with the place of each byte, and the node's span. */
typedef struct sk_scalar {
	sk_text text;
	sk_span span;
} sk_scalar;

/* An exception's fields, comps or one of its values (falco/RULES-SCHEMA.md section 4): a scalar,
 * or a list of entries (a tuple, or a list inside a tuple). Falco's "valid": a non-empty scalar
 * or a non-empty list; an absent key, a null or a mapping is neither. */
typedef struct sk_exc_entry sk_exc_entry;
struct sk_exc_entry {
	bool is_list;
	sk_scalar item;          /* !is_list: the scalar (item.text.str NULL when there is none) */
	sk_exc_entry *items;     /* is_list */
	size_t n_items;
	sk_span span;            /* the YAML node, or where the key would be */
};

typedef struct sk_exception {
	const char *name;
	sk_span span;            /* the exception's mapping */
	sk_span name_span;
	sk_exc_entry fields;     /* a list: the tuple form; a scalar: the scalar form */
	sk_exc_entry comps;      /* given, or Falco's default once validated ('=' each, or 'in') */
	sk_exc_entry *values;    /* each a tuple (tuple form) or a scalar (scalar form) */
	size_t n_values;
} sk_exception;

/* A list, macro or rule with every definition, append and override applied (loader.c). */
typedef struct sk_item {
	enum sk_item_kind kind;
	const char *name;
	sk_span name_span;     /* the name's scalar */
	sk_span item_span;     /* the "- rule:" mapping */
	const char *file;
	unsigned line;         /* line of the item */
	unsigned index;        /* load counter at the first definition: the item's place (Falco's index) */
	unsigned visibility;   /* load counter at the last definition, append or override: a macro
	                        * sees the macros whose index is lower (Falco's visibility) */
	/* list */
	sk_scalar *raw;        /* the items as written, appends included */
	size_t n_raw;
	sk_operand **items;    /* SK_OPD_VALUE operands the items read as, lists expanded (expand.c) */
	size_t n_items;
	/* macro and rule */
	sk_text cond;          /* condition text with its byte map into the files (appends included) */
	sk_span cond_span;     /* the defining item's condition */
	sk_expr *ast;          /* parsed (expand.c), then expanded; NULL after errors */
	bool cond_error;       /* the condition had errors, but AST holds what could be expanded
	                        * (an unknown macro is left in place), for the checker */
	bool used;             /* referenced by a rule (for unused-item warnings) */
	/* rule */
	const char *desc;
	sk_text output;        /* trimmed as defined; appends and replaces are not trimmed, as in Falco */
	sk_span output_span;
	int priority;          /* enum saker_priority, -1 if missing/invalid */
	sk_span priority_span;
	int action;            /* enum saker_action (saker's own key 'action'; alert by default) */
	sk_span action_span;   /* the key's value, when given */
	const char *source;    /* "syscall" by default */
	const char **tags;     /* sorted, unique */
	size_t n_tags;
	bool enabled;
	sk_exception *exc;     /* exceptions, in order (expand.c adds them to the condition) */
	size_t n_exc;
	bool warn_evttypes;    /* default true: warn when the rule matches more than 100 event types */
	bool skip_unknown;     /* skip-if-unknown-filter (default false): a condition or output naming
	                        * an unknown field, filter or event type skips the rule with a warning */
	sk_span skip_unknown_span; /* the key, when given */
	bool capture;          /* capture on trigger (accepted; saker takes no capture) */
	unsigned capture_duration;
} sk_item;

/* Why a rule cannot run yet (it is left out of the bundle, with a warning). */
typedef struct sk_missing {
	const char *what;      /* a field name, or an event name */
	bool event;            /* WHAT is an event (evt.type value) the kernel side does not capture */
	sk_span at;            /* where the rule needs it */
} sk_missing;

typedef struct sk_rule {
	sk_item *item;                  /* where it came from */
	sk_cexpr *cond;                 /* the typed, expanded condition (typecheck.c) */
	struct saker_fmt_seg *segs;     /* parsed output (output.c), arena memory */
	size_t n_segs;
	int *syscalls;                  /* event ids (events.def) the rule can match, sorted */
	size_t n_syscalls;
	sk_missing *missing;            /* what the rule needs that saker lacks (typecheck, plan) */
	size_t n_missing;
	/* the plan (plan.c): rule <=> kernel and residual; rule => kernel */
	enum saker_plan plan;
	sk_cexpr *kernel;               /* K, in the kernel's subset of the language */
	sk_cexpr *residual;             /* R, evaluated by sakerd; NULL when the plan is exact */
	int *captures;                  /* fields the kernel ships for R and the output, sorted */
	size_t n_captures;
	sk_pred *pred;                  /* K lowered for code generation (lower.c) */
} sk_rule;

struct sk_ld;

typedef struct sk_comp {
	sk_arena *arena;
	sk_diag *diag;
	struct sk_ld *ld;    /* the loader's tables, kept across files (loader.c, arena memory) */
	sk_item **items;     /* every list, macro and rule, at its place (the index of its first definition) */
	size_t n_items;
	sk_rule **rules;     /* enabled rules that checked cleanly and can run, in load order */
	size_t n_rules;
	sk_rule **left_out;  /* enabled rules that checked cleanly but need what saker lacks */
	size_t n_left_out;
	const char **watch;  /* the watched paths (plan.c, file identity): fd.watch_id N is watch[N] */
	size_t n_watch;
} sk_comp;

sk_comp *sk_comp_new(void);
void sk_comp_free(sk_comp *c); /* NULL is a no-op */

/* The passes, in order (driver.c runs them). Each returns 0, or -1 after reporting errors. */
int sk_load_paths(sk_comp *c, const char *const *paths, size_t n); /* loader.c: files or folders of *.yaml */
int sk_load_string(sk_comp *c, const char *name, const char *yaml, size_t len); /* loader.c */
int sk_expand(sk_comp *c);   /* expand.c: parse conditions, substitute lists and macros */
int sk_typecheck(sk_comp *c); /* typecheck.c: fields, operators, values, outputs -> sk_cexpr */
int sk_plan(sk_comp *c);      /* plan.c: kernel part and residual of each rule, capture plan */
/* plan.c: the first event of planned rule R that is neither an open, a connect nor an exec
 * (the operations 'deny' can refuse), or -1 when all are. */
int sk_rule_not_deniable(const sk_rule *r);
/* plan.c: the LSM hooks that refuse planned rule R's events ("lsm/file_open", ...), for messages */
const char *sk_rule_deny_hooks(const sk_rule *r);
int sk_lower(sk_comp *c);     /* lower.c: each rule's kernel part to the predicate codegen takes */
int sk_lint(sk_comp *c);      /* lint.c: warnings about rules that are valid but suspicious */
/* The front end and the planner in order (typecheck, plan, lower, lint). */
int sk_check(sk_comp *c);

#endif
