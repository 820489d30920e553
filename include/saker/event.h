/* The event record the kernel side sends to user space through the ring buffer (version 2, laid
 * out in docs/event-record.md), and the names of the maps sakerd reads. Included by the
 * templates (with kernel.h) and by the runtime, so both sides share one definition. */
#ifndef SAKER_EVENT_H
#define SAKER_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define SAKER_EVENT_VERSION 2
#define SAKER_PATH_MAX      4096   /* string slots, including the NUL */
#define SAKER_COMM_LEN      16
#define SAKER_CID_LEN       16     /* 12 hex characters + NUL, padded */
#define SAKER_TAIL_MAX      128    /* longest family tail */
/* Rule ids one record carries at most: when more rules match one event, the kernel sends more
 * records of it, each with the next ids (part 1, 2...). No rule is ever left out. */
#define SAKER_REC_RULES     32

/* A record: the header, then the family tail (tail_size bytes), then n_rules rule ids (u32), padded
 * to 8 bytes, then n_strs string slots (struct saker_event_str), padded to 8 bytes, then the
 * string area up to size. Every part starts 8-byte aligned; padding, and the bytes of the area
 * that no string (with its NUL) covers, are 0. */

/* The strings a record may carry, by slot (slot i of the table is string i here). Families
 * add theirs at the end; a decoder ignores slots it does not know. */
#define SAKER_STRS(X) \
	X(FD_NAME)   /* fd.name: the path of the file an open installed, or the one it named */ \
	X(EXEPATH)   /* proc.exepath */
enum saker_str {
#define SAKER_STR_ENUM(s) SAKER_STR_##s,
	SAKER_STRS(SAKER_STR_ENUM)
#undef SAKER_STR_ENUM
	SAKER_STR__COUNT
};
#define SAKER_STR_NONE 0xffff /* saker_event_str.off of a string the event does not have */
#define SAKER_REC_STRS 64     /* string slots one record may have, at most */

/* enum saker_event_flag: saker_event_hdr.flags */
enum saker_event_flag {
	SAKER_EVF_COMPAT     = 1 << 0, /* the call came through the i386 (compat) entry */
	SAKER_EVF_MORE       = 1 << 1, /* another record of this event follows, with more rule ids */
	SAKER_EVF_PATH_TRUNC = 1 << 2, /* a path string was cut by the bounded walk or buffer */
	SAKER_EVF_ARG_TRUNC  = 1 << 3, /* a string argument was longer than the kernel reads */
	SAKER_EVF_PARENT     = 1 << 4, /* ppid, pvpid and pcomm are known */
	SAKER_EVF_CONTAINER  = 1 << 5, /* container_id holds a container's id (else: host) */
	SAKER_EVF_LOGINUID   = 1 << 6, /* loginuid is set */
};
#define SAKER_EVF__ALL ((1u << 7) - 1)

/* The common header: what every event has. */
struct saker_event_hdr {
	__u32 size;                        /* bytes of the whole record */
	__u16 version;                     /* SAKER_EVENT_VERSION */
	__u16 event;                       /* enum sk_event_id (saker/events.def): evt.type */
	__u8  family;                      /* enum sk_family of the event */
	__u8  arch;                        /* enum sk_arch whose numbering NR is in */
	__u16 part;                        /* 0 for an event's first record, then 1, 2... */
	__u32 flags;                       /* enum saker_event_flag */
	__u32 nr;                          /* the syscall number the call used, on ARCH */
	__u16 tail_size;                   /* bytes of the family tail, a multiple of 8 */
	__u16 n_rules;                     /* rule ids in this record, at least one */
	__u16 n_strs;                      /* string slots */
	__u16 reserved;                    /* 0 */
	__u32 loginuid;                    /* audit login uid, when SAKER_EVF_LOGINUID */
	__u64 ts_ns;                       /* bpf_ktime_get_boot_ns() at syscall exit */
	__s64 res;                         /* syscall return value */
	__u64 cgroup_id;                   /* cgroup v2 id of the task */
	__u32 pid, tid, ppid;              /* tgid, thread id, parent's tgid, as the host sees them */
	__u32 vpid, vtid, pvpid;           /* the same in the task's pid namespace (pvpid: 0 when the
					    * parent is outside it) */
	__u32 uid, gid;                    /* effective uid and gid */
	char comm[SAKER_COMM_LEN];         /* proc.name */
	char pcomm[SAKER_COMM_LEN];        /* proc.pname, when SAKER_EVF_PARENT */
	char container_id[SAKER_CID_LEN];  /* container.id, when SAKER_EVF_CONTAINER */
};

/* Where string i is in the string area: OFF bytes from its start (SAKER_STR_NONE: missing), LEN
 * bytes long, followed by a NUL. */
struct saker_event_str {
	__u16 off;
	__u16 len;
};

/* ---- family tails ------------------------------------------------------------------------- */

/* SK_FAM_OPEN: open, openat, openat2, creat. fd.name is string SAKER_STR_FD_NAME. */
enum saker_open_flag {
	SAKER_OPENF_DIR      = 1 << 0, /* the opened file is a directory */
	SAKER_OPENF_FLAGS_NA = 1 << 1, /* the open flags are unknown (openat2's struct open_how
					* unreadable): the flag fields are missing */
};
struct saker_tail_open {
	__u64 flags;  /* the open flags: the call's, with the access mode the kernel granted */
	__u32 mode;   /* the mode argument (creat, or O_CREAT/O_TMPFILE opens) */
	__s32 fd;     /* the new descriptor, or -1 when the open failed */
	__u32 oflags; /* enum saker_open_flag */
	__u32 pad;    /* 0 */
};

/* SK_FAM_PTRACE: ptrace. */
struct saker_tail_ptrace {
	__u64 request; /* the request as the kernel numbers it */
	__s64 pid;     /* the pid it names (in the caller's pid namespace) */
	__u64 addr;    /* its addr and data arguments */
	__u64 data;
};

/* ---- maps --------------------------------------------------------------------------------- */

/* Map and program names sakerd looks up in the object. */
#define SAKER_MAP_EVENTS     "saker_events"      /* BPF_MAP_TYPE_RINGBUF */
#define SAKER_MAP_STATS      "saker_stats"       /* BPF_MAP_TYPE_PERCPU_ARRAY of __u64, SAKER_STAT_* */
#define SAKER_MAP_RULE_STATS "saker_rule_stats"  /* BPF_MAP_TYPE_PERCPU_ARRAY of struct
						  * saker_rule_stat, one per rule: the loader sizes
						  * it to the bundle's rule count */

/* Reload without a gap. Each hook is attached once, for the life of sakerd, as a dispatcher
 * program NAME that tail-calls slot SLOT of this map; sakerd puts there the program NAME "_run"
 * of the bundle in force. Replacing a bundle is then one atomic update per slot: every event
 * runs the old body or the new one, never both, never neither. */
#define SAKER_MAP_PROGS  "saker_progs"   /* BPF_MAP_TYPE_PROG_ARRAY, SAKER_HOOK__COUNT slots */
#define SAKER_HOOK_BODY_SUFFIX "_run"
#define SAKER_HOOKS(X) X(SAKER_HOOK_SYS_EXIT, saker_sys_exit)
enum saker_hook {
#define SAKER_HOOK_ENUM(slot, name) slot,
	SAKER_HOOKS(SAKER_HOOK_ENUM)
#undef SAKER_HOOK_ENUM
	SAKER_HOOK__COUNT
};

enum saker_stat {
	SAKER_STAT_SEEN = 0,     /* hooked syscall exits the filter looked at */
	SAKER_STAT_MATCHED,      /* events that matched at least one rule */
	SAKER_STAT_LOST,         /* records the ring buffer had no room for */
	SAKER_STAT_PATH_TRUNC,   /* paths cut by the bounded walk or buffer */
	SAKER_STAT_RECORDS,      /* records sent to the ring buffer */
	SAKER_STAT_ARG_TRUNC,    /* string arguments longer than the kernel reads */
	SAKER_STAT_LOST_OTHER,   /* records not sent for another reason (no per-CPU memory to
				  * build them in) */
	SAKER_STAT__COUNT
};

/* Per rule, summed over CPUs by the reader. */
struct saker_rule_stat {
	__u64 matched;   /* times the rule held in the kernel */
	__u64 emitted;   /* of those, records sent that name it */
	__u64 lost;      /* records naming it the ring buffer had no room for */
	__u64 evals;     /* times it was evaluated as a candidate of an event */
	__u64 cost_ns;   /* time its evaluations took, summed over the sampled ones */
	__u64 samples;   /* evaluations sampled (one in SAKER_COST_SAMPLE) */
};
#define SAKER_COST_SAMPLE 16

#endif
