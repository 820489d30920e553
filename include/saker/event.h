/* The event record the kernel side sends to user space through the ring buffer, and the names
 * of the maps sakerd reads. Included by bpf/templates (with vmlinux.h) and by the runtime. */
#ifndef SAKER_EVENT_H
#define SAKER_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define SAKER_EVENT_VERSION 1
#define SAKER_PATH_MAX      4096   /* path buffers, including the NUL */
#define SAKER_COMM_LEN      16
#define SAKER_CID_LEN       16     /* 12 hex characters + NUL, padded */
#define SAKER_MAX_RULES     256    /* rules one bundle can hold */
#define SAKER_RULE_WORDS    (SAKER_MAX_RULES / 64)

/* Which optional parts of a record are valid (saker_event.valid). */
enum saker_event_valid {
	SAKER_EV_PATH      = 1 << 0, /* path (fd.name) was resolved */
	SAKER_EV_PATH_TRUNC= 1 << 1, /* path was longer than the buffer or deeper than the walk */
	SAKER_EV_EXE       = 1 << 2, /* exepath was resolved */
	SAKER_EV_PARENT    = 1 << 3, /* ppid and pcomm are known */
	SAKER_EV_CONTAINER = 1 << 4, /* container_id holds a container's id (else: host) */
	SAKER_EV_LOGINUID  = 1 << 5, /* loginuid is set */
	SAKER_EV_DIR       = 1 << 6, /* the opened file is a directory */
	SAKER_EV_FLAGS_NA  = 1 << 7, /* open call whose open_flags are unknown (openat2's
				      * struct open_how unreadable): flag fields are missing */
};

struct saker_event {
	__u64 ts_ns;                       /* bpf_ktime_get_boot_ns() at syscall exit */
	__u64 matched[SAKER_RULE_WORDS];   /* bit i: rule i of the bundle matched */
	__s64 res;                         /* syscall return value */
	__u64 cgroup_id;                   /* cgroup v2 id of the task */
	__u64 open_flags;                  /* flags the open call was given */
	__u32 syscall_nr;                  /* x86-64 syscall number */
	__u32 valid;                       /* enum saker_event_valid */
	__u32 pid, tid, ppid;              /* tgid, thread id, parent's tgid */
	__u32 uid, gid, loginuid;          /* effective uid/gid, audit loginuid */
	__u16 path_len, exe_len;           /* string lengths without the NUL */
	__u32 pad;
	char comm[SAKER_COMM_LEN];         /* proc.name */
	char pcomm[SAKER_COMM_LEN];        /* proc.pname */
	char container_id[SAKER_CID_LEN];  /* container.id when SAKER_EV_CONTAINER */
	char path[SAKER_PATH_MAX];         /* fd.name */
	char exepath[SAKER_PATH_MAX];      /* proc.exepath */
};

/* Map and program names sakerd looks up in the object. */
#define SAKER_MAP_EVENTS "saker_events"  /* BPF_MAP_TYPE_RINGBUF */
#define SAKER_MAP_STATS  "saker_stats"   /* BPF_MAP_TYPE_PERCPU_ARRAY of __u64, SAKER_STAT_* */

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
	SAKER_STAT_LOST,         /* matched events the ring buffer had no room for */
	SAKER_STAT_PATH_TRUNC,   /* paths cut by the bounded walk */
	SAKER_STAT__COUNT
};

#endif
