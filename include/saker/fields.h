/* Field ids, types and names shared by the compiler and the runtime (generated from fields.def). */
#ifndef SAKER_FIELDS_H
#define SAKER_FIELDS_H

enum sk_type { SK_T_STR, SK_T_I64, SK_T_U64, SK_T_BOOL };

enum sk_field_flag {
	SK_F_DEPRECATED = 1 << 0, /* accepted with a warning */
	SK_F_FLAGS      = 1 << 1, /* rendered flag names; ops lower to bit tests */
	SK_F_ERRNO      = 1 << 2, /* rendered errno name; ops lower to return-value tests */
	SK_F_PATH       = 1 << 3, /* a path string taken from the kernel */
};

enum sk_field_id {
#define SK_FIELD(id, name, type, kernel, flags, desc) SK_FLD_##id,
#include "saker/fields.def"
#undef SK_FIELD
	SK_FLD__COUNT
};

struct sk_field_info {
	const char *name;   /* e.g. "fd.name" */
	enum sk_type type;  /* value type in conditions */
	int kernel;         /* computable exactly in the kernel */
	unsigned flags;     /* SK_F_* */
	const char *desc;   /* one-line description for docs and did-you-mean notes */
};

/* Indexed by enum sk_field_id. Defined in runtime/fields.c. */
extern const struct sk_field_info sk_fields[SK_FLD__COUNT];

/* Returns the id of the field called NAME, or -1. */
int sk_field_lookup(const char *name);

/* Syscall table (syscalls.def). */
struct sk_syscall_info {
	const char *name;
	int nr;      /* x86-64 syscall number */
	int hooked;  /* evaluated by the kernel back end */
};
extern const struct sk_syscall_info sk_syscalls[];
extern const unsigned sk_n_syscalls;
/* Name of syscall NR, or NULL. */
const char *sk_syscall_name(int nr);
/* Number of the syscall NAME, or -1. */
int sk_syscall_nr(const char *name);

/* Open flags (openflags.def). */
struct sk_open_flag {
	const char *name;     /* "O_WRONLY" */
	unsigned value;       /* bit, or access-mode value */
	int is_accmode;       /* value of flags & O_ACCMODE rather than a bit */
};
extern const struct sk_open_flag sk_open_flags[];
extern const unsigned sk_n_open_flags;

/* Renders FLAGS as evt.arg.flags does ("O_WRONLY|O_CREAT"); returns the length written (NUL
 * terminated, truncated to SIZE). */
int sk_open_flags_render(unsigned long long flags, char *buf, unsigned size);

/* errno names for evt.res: name of errno E (positive), or NULL. */
const char *sk_errno_name(int e);
/* errno value of NAME ("ENOENT"), or -1. */
int sk_errno_value(const char *name);

#endif
