/* Field ids, types and where each field can be computed; events (evt.type values) and their
 * families; shared by the compiler, the runtime and the kernel templates. Generated from
 * fields.def, events.def and syscalls_<arch>.def: each fact is written once, there. */
#ifndef SAKER_FIELDS_H
#define SAKER_FIELDS_H

/* Value types of fields (Falco's PT_* types folded into what comparisons need). */
enum sk_type {
	SK_T_STR,      /* C string */
	SK_T_I64,      /* signed integer */
	SK_T_U64,      /* unsigned integer */
	SK_T_BOOL,
	SK_T_IPADDR,   /* IPv4 or IPv6 address */
	SK_T_IPNET,    /* address range a.b.c.d/n; compared by membership */
	SK_T_PORT,     /* 16-bit port, compared as a number */
	SK_T_RELTIME,  /* a duration in ns, compared as a number */
	SK_T_ABSTIME,  /* ns since the epoch, compared as a number */
	SK_T_BYTES,    /* byte buffer (bcontains, bstartswith) */
	SK_T_DOUBLE,
	SK_T_DYN,      /* evt.rawarg: the type of the named argument */
	SK_T__COUNT
};

/* Whether a field takes an argument: name[arg]. */
enum sk_arg { SK_A_NONE, SK_A_OPT, SK_A_REQ };

/* Where a field's value comes from (the planner decides from this where a test runs). */
enum sk_where {
	SK_W_NONE,     /* not supported yet: a rule that needs it is left out, with a warning */
	SK_W_KERNEL,   /* computed in the kernel; tests on it can run there */
	SK_W_CAPTURE,  /* captured in the kernel and shipped with the event; tested in user space */
	SK_W_USER,     /* known only in user space: sakerd derives it from the event */
};

enum sk_field_flag {
	SK_F_DEPRECATED     = 1 << 0,  /* accepted with a warning */
	SK_F_FLAGS          = 1 << 1,  /* rendered flag names; tests lower to bit tests */
	SK_F_ERRNO          = 1 << 2,  /* rendered errno name; tests lower to return-value tests */
	SK_F_PATH           = 1 << 3,  /* a path string */
	SK_F_ARG_INDEX      = 1 << 4,  /* the argument is a number (proc.aname[2]) */
	SK_F_ARG_KEY        = 1 << 5,  /* the argument is a name (evt.arg[flags], container.label[k]) */
	SK_F_FILTER_ONLY    = 1 << 6,  /* conditions only, not outputs (fd.ip, fd.net) */
	SK_F_PRINT_ONLY     = 1 << 7,  /* outputs only */
	SK_F_TABLE_ONLY     = 1 << 8,  /* Falco tables only: neither conditions nor outputs */
	SK_F_NO_RHS         = 1 << 9,  /* never on either side of a field-to-field comparison */
	SK_F_NO_TRANSFORMER = 1 << 10, /* cannot be a transformer's argument */
	SK_F_LIST           = 1 << 11, /* list-valued: in, intersects and exists only */
};

/* Event families: the kernel unit that captures a group of syscalls (DESIGN.md decision 12).
 * X(IDENT, name): a family other than NONE is one template file, bpf/templates/fam_<name>.bpf.c,
 * defining sk_<name>_int, sk_<name>_str and sk_<name>_fill (bpf/templates/core.h says what each
 * does), and decodes in runtime/event_fields.c. Which syscalls a family captures is the family
 * column of events.def; which fields it has, the families in fields.def's kernel column. */
#define SK_FAMILIES(X) \
	X(NONE, none)     /* not hooked */ \
	X(OPEN, open)     /* open, openat, openat2, creat: the file the call opened */ \
	X(PTRACE, ptrace) /* ptrace: the request and its target */ \
	X(NET, net)       /* socket, connect, accept, send, recv: the socket and the arguments */ \
	X(DUP, dup)       /* dup, dup2, dup3: the descriptor duplicated */ \
	X(EXEC, exec)     /* execve, execveat: the new image (its process fields are the core's) */ \
	X(FILE, file)     /* links, renames, unlinks, mkdir, rmdir, chmod, chown: the paths named */ \
	X(CRED, cred)     /* setuid, setgid and their re/res forms: the ids asked for */ \
	X(SYS, sys)       /* mount, bpf, memfd_create, init_module, finit_module */
enum sk_family {
#define SK_FAM_ENUM(F, f) SK_FAM_##F,
	SK_FAMILIES(SK_FAM_ENUM)
#undef SK_FAM_ENUM
	SK_FAM__COUNT
};
/* Family bits of the field table's kernel column; SK_FB_ANY: the field exists on every event
 * (it comes from the task, not from the syscall). */
#define SK_FB(f) (1u << SK_FAM_##f)
#define SK_FB_ANY 0xffffffffu
/* fields.def's kernel column names families bare (OPEN, OPEN | PTRACE): where it is expanded,
 * SK_FAMILY_NAMES declares each name as its family's bit (and the expander defines ANY). */
#define SK_FAM_NAME_(F, f) F = SK_FB(F),
#define SK_FAMILY_NAMES enum { SK_FAMILIES(SK_FAM_NAME_) }

enum sk_kernel_flag {
	SK_K_ALIGNED   = 1 << 0, /* the string the kernel hands out starts 8-byte aligned */
	SK_K_CANONICAL = 1 << 1, /* a path "/" or "/a/b": no empty component, no trailing '/' */
	SK_K_LOWERED   = 1 << 2, /* tests on it become other tests (event sets, constants, return
				  * values, bits of a number): the kernel never reads it as a value */
};

/* What the kernel side knows of a field (the field table's kernel column). */
struct sk_kernel_facts {
	unsigned families; /* SK_FB_* of the families whose events have it; 0: not in the kernel */
	unsigned cost;     /* rough relative cost, to order tests cheap first */
	unsigned max;      /* longest string value handed out (0 for numbers) */
	unsigned kflags;   /* SK_K_* */
};

enum sk_field_id {
#define SK_FIELD(id, name, type, arg, where, flags, kernel, desc) SK_FLD_##id,
#include "saker/fields.def"
#undef SK_FIELD
	SK_FLD__COUNT
};

struct sk_field_info {
	const char *name;          /* e.g. "fd.name" */
	enum sk_type type;         /* value type in conditions */
	enum sk_arg arg;           /* whether it takes [arg] */
	enum sk_where where;       /* where its value comes from */
	unsigned flags;            /* SK_F_* */
	struct sk_kernel_facts k;  /* kernel facts, all 0 when the kernel does not provide it */
	const char *desc;          /* one line for docs and notes; "" for fields not supported yet */
};

/* Indexed by enum sk_field_id. Defined in runtime/fields.c. */
extern const struct sk_field_info sk_fields[SK_FLD__COUNT];

/* Returns the id of the field called NAME, or -1. */
int sk_field_lookup(const char *name);
/* For a field naming an address by a domain name (fd.sip.name, fd.cip.name, fd.lip.name,
 * fd.rip.name), the address field it names (fd.sip, ...); -1 for any other field. Such a field
 * takes only '=', '!=' and 'in': a check holds when the address is one of the addresses the
 * names on its right resolve to (sakerd resolves them: docs/rules.md, "Domain names"). */
int sk_field_resolved_ip(int field);
/* Name of the type T, e.g. "string", "uint64". */
const char *sk_type_name(enum sk_type t);

/* ---- events ---------------------------------------------------------------------------- */

enum sk_event_id {
#define SK_EVENT(id, name, family) SK_EV_##id,
#include "saker/events.def"
#undef SK_EVENT
	SK_EV__COUNT
};

struct sk_event_info {
	const char *name;          /* evt.type value, e.g. "openat" */
	enum sk_family family;     /* the kernel unit that captures it, SK_FAM_NONE when none */
};
extern const struct sk_event_info sk_events[SK_EV__COUNT];

/* Id of the event NAME, or -1. */
int sk_event_lookup(const char *name);
/* Name of event ID, or NULL. */
const char *sk_event_name(int id);

/* Syscall numbering per architecture (syscalls_<arch>.def). */
enum sk_arch { SK_ARCH_X86_64, SK_ARCH_I386, SK_ARCH__COUNT };
/* The event of syscall NR on ARCH, or -1. */
int sk_event_from_nr(enum sk_arch arch, long nr);
/* Every number of event ID on ARCH (the i386 id calls have two: setuid and setuid32), the
 * first MAX of them in NRS; returns how many there are. */
unsigned sk_event_nrs(enum sk_arch arch, int id, long *nrs, unsigned max);
/* The syscall number of event ID on ARCH, or -1 when ARCH has no such syscall. */
long sk_event_nr(enum sk_arch arch, int id);

/* ---- open flags, ptrace requests and errno names --------------------------------------- */

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

/* ptrace requests (ptrace.def): the name of request REQ ("PTRACE_ATTACH"), or NULL. */
const char *sk_ptrace_request_name(unsigned long long req);

/* Socket domains (sockdomain.def): the name of domain D ("AF_PACKET"), or NULL. */
const char *sk_sock_domain_name(unsigned long long d);

/* bpf commands (bpfcmd.def): the name of command CMD ("BPF_PROG_LOAD"), or NULL. */
const char *sk_bpf_cmd_name(unsigned long long cmd);

/* Capabilities (caps.def): the name of capability BIT ("CAP_SYS_ADMIN"), or NULL. Renders the
 * set CAPS as thread.cap_effective does ("CAP_CHOWN CAP_SYS_ADMIN"): returns the length
 * written (NUL terminated, truncated to SIZE). */
const char *sk_cap_name(unsigned bit);
int sk_caps_render(unsigned long long caps, char *buf, unsigned size);

/* errno names for evt.res: name of errno E (positive), or NULL. */
const char *sk_errno_name(int e);
/* errno value of NAME ("ENOENT"), or -1. */
int sk_errno_value(const char *name);

#endif
