/* The event record the kernel side sends to user space through the ring buffer (version 2, laid
 * out in docs/event-record.md), and the names of the maps sakerd reads. Included by the
 * templates (with kernel.h) and by the runtime, so both sides share one definition. */
#ifndef SAKER_EVENT_H
#define SAKER_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define SAKER_EVENT_VERSION 3
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
	X(EXEPATH)   /* proc.exepath */ \
	X(CWD)       /* proc.cwd, with Falco's trailing '/' */ \
	X(ARG2)      /* the second string argument of the file and sys families; the open family's fd.nameraw */ \
	X(EXE)       /* proc.exe: argv[0] of the process's arg area */ \
	X(ARGS)      /* proc.args: argv[1..] of the arg area, joined by single spaces */ \
	X(PEXE)      /* proc.pexe: the parent's argv[0], from the process table map */ \
	X(PARGS)     /* the parent's proc.args, for proc.pcmdline */ \
	X(SNAME)     /* proc.sname: comm of the session leader */ \
	X(ANAME1) X(ANAME2) X(ANAME3) X(ANAME4) /* proc.aname[1..8]: comm of the ancestors, */ \
	X(ANAME5) X(ANAME6) X(ANAME7) X(ANAME8) /* parent first, as far as the chain goes */ \
	X(PEXEPATH)  /* proc.pexepath: the parent's executable, from its mm's exe_file */
enum saker_str {
#define SAKER_STR_ENUM(s) SAKER_STR_##s,
	SAKER_STRS(SAKER_STR_ENUM)
#undef SAKER_STR_ENUM
	SAKER_STR__COUNT
};
/* Families without fd.name (file, sys) carry their first string argument in slot 0: a record
 * has at most 4 path slots of SAKER_PATH_MAX bytes (FD_NAME, EXEPATH, CWD, ARG2). */
#define SAKER_STR_ARG1 SAKER_STR_FD_NAME
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
	SAKER_EVF_KILLED     = 1 << 7, /* a rule of action kill held: the kernel sent SIGKILL */
	SAKER_EVF_SPARED     = 1 << 8, /* a rule of action kill held on sakerd itself or PID 1,
					* which are never killed */
	SAKER_EVF_IO_URING   = 1 << 9, /* an io_uring operation, not a syscall: NR is the x86-64
					* number of the syscall it stands for (docs/kernel.md) */
	SAKER_EVF_ARGS_TRUNC = 1 << 10, /* the arg area was longer than the kernel reads: proc.args
					* (and proc.cmdline) keep its first SAKER_ARGS_MAX - 1 bytes */
	SAKER_EVF_PROC       = 1 << 11, /* the process block (pstart_ns ... pflags) is filled */
	SAKER_EVF_CWD_TRUNC  = 1 << 12, /* proc.cwd was cut by the bounded walk (PATH_TRUNC is
					* about the event's own paths) */
	SAKER_EVF_LSM        = 1 << 13, /* seen by the LSM back end's hooks: an open at
					* lsm/file_open, before it completes (res and the descriptor
					* are the ones the kernel reserved for it), a connect at
					* its fexit hook, or a connect or exec refused before it
					* happened (docs/kernel.md, "Back ends") */
	SAKER_EVF_DENIED     = 1 << 14, /* a rule of action deny held: an LSM hook refused the
					* open, connect or exec with EPERM (res is -EPERM) */
	SAKER_EVF_SUBMITTED  = 1 << 15, /* with IO_URING: a request seen at its submission, whose
					* success posts no completion (IOSQE_CQE_SKIP_SUCCESS): res
					* is not known (0: only a failure completes, and is
					* reported then), the name is the one submitted, marked
					* cut (docs/kernel.md, "io_uring") */
};
#define SAKER_EVF__ALL ((1u << 16) - 1)
#define SAKER_ARGS_MAX 2048  /* bytes of a process's arg area read, with the NUL */
#define SAKER_ANAME_MAX 8    /* ancestors whose comm a record carries: proc.aname[1..8] */

/* enum saker_proc_flag: saker_event_hdr.pflags */
enum saker_proc_flag {
	SAKER_PROCF_EXE_MEMFD = 1 << 0, /* the executable is a memfd (memfd:..., no link) */
	SAKER_PROCF_EXE_UPPER = 1 << 1, /* the executable is on an overlayfs upper layer */
	SAKER_PROCF_TTY       = 1 << 2, /* the process has a controlling terminal */
};

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
	/* the process block, when SAKER_EVF_PROC */
	__u64 pstart_ns;                   /* the process's start (its group leader's
					    * start_boottime, the clock of ts_ns) */
	__u32 tty;                         /* proc.tty: the controlling terminal's device number
					    * (new_encode_dev), 0 for none */
	__s32 sid;                         /* proc.sid, in the task's pid namespace */
	__u32 pflags;                      /* enum saker_proc_flag */
	__u32 pad;                         /* 0 */
	__u64 cap_effective;               /* the task's capability sets (bit n: capability n) */
	__u64 cap_permitted;
	__u64 cap_inheritable;
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
	SAKER_OPENF_NAME_CUT = 1 << 2, /* fd.name was cut: it starts with SAKER_CUT_MARK */
	SAKER_OPENF_FILE     = 1 << 3, /* ino and dev are the opened file's (fd.ino, fd.dev) */
	SAKER_OPENF_WATCHED  = 1 << 4, /* watch_id holds fd.watch_id */
};
struct saker_tail_open {
	__u64 flags;  /* the open flags: the call's, with the access mode the kernel granted */
	__u32 mode;   /* the mode argument (creat, or O_CREAT/O_TMPFILE opens) */
	__s32 fd;     /* the new descriptor, or -1 when the open failed */
	__u32 oflags; /* enum saker_open_flag */
	__u32 pad;    /* 0 */
	__u64 ino;    /* fd.ino, when SAKER_OPENF_FILE (else 0) */
	__u32 dev;    /* fd.dev, when SAKER_OPENF_FILE (else 0) */
	__s32 watch_id; /* fd.watch_id, when SAKER_OPENF_WATCHED (else 0) */
};

/* SK_FAM_PTRACE: ptrace. */
struct saker_tail_ptrace {
	__u64 request; /* the request as the kernel numbers it */
	__s64 pid;     /* the pid it names (in the caller's pid namespace) */
	__u64 addr;    /* its addr and data arguments */
	__u64 data;
};

/* SK_FAM_NET (socket, connect, accept, accept4, sendto, sendmsg, recvfrom, recvmsg) and
 * SK_FAM_DUP (dup, dup2, dup3): the descriptor the call works on, read from the kernel's own
 * objects (its struct file, and for a socket its struct sock). A socket's fd.name (Falco's
 * "cip:cport->sip:sport") and a file's path are string SAKER_STR_FD_NAME. */
enum saker_fd_kind {
	SAKER_FDK_NONE = 0,   /* no descriptor (failed call, fd not open) */
	SAKER_FDK_FILE,       /* fd.typechar f */
	SAKER_FDK_DIR,        /* d */
	SAKER_FDK_IPV4,       /* 4 */
	SAKER_FDK_IPV6,       /* 6 */
	SAKER_FDK_UNIX,       /* u */
	SAKER_FDK_NETLINK,    /* n */
	SAKER_FDK_PIPE,       /* p */
	SAKER_FDK_UNKNOWN,    /* o: another socket family (AF_PACKET...), an anonymous inode */
	SAKER_FDK__COUNT
};
enum saker_l4 { SAKER_L4_NONE = 0, SAKER_L4_TCP, SAKER_L4_UDP, SAKER_L4_ICMP, SAKER_L4_RAW,
		SAKER_L4__COUNT };
enum saker_sockfd_flag {
	SAKER_SOCKF_CONNECTED = 1 << 0, /* struct socket's state is SS_CONNECTED */
	SAKER_SOCKF_SERVER    = 1 << 1, /* the local side is the server (accept, accept4) */
	SAKER_SOCKF_TUPLE     = 1 << 2, /* the addresses and ports are known */
	SAKER_SOCKF_NAME_CHANGED = 1 << 3, /* net: the peer differs from the descriptor's previous
					    * network call's (fd.name_changed) */
};
struct saker_sockfd {
	__u8  lip[16];  /* local address (IPv4: the first 4 bytes), network byte order */
	__u8  rip[16];  /* remote address */
	__u16 lport;    /* local port, host byte order */
	__u16 rport;    /* remote port */
	__u8  kind;     /* enum saker_fd_kind */
	__u8  l4proto;  /* enum saker_l4 */
	__u8  flags;    /* enum saker_sockfd_flag */
	__u8  pad;      /* 0 */
	__s32 fd;       /* fd.num: the descriptor, -1 when there is none */
	__u32 pad2;     /* 0 */
};
struct saker_tail_net {
	struct saker_sockfd s;
	__u64 arg[3];   /* the call's first three arguments (socket: domain, type, protocol) */
};
struct saker_tail_dup {
	struct saker_sockfd s; /* the descriptor duplicated (oldfd) */
	__u64 arg[3];   /* oldfd, newfd (dup2, dup3), flags (dup3) */
};

/* SK_FAM_EXEC: execve, execveat. The new image's arguments are the process's strings (EXE,
 * ARGS); the tail says what the call was asked. */
enum saker_exec_flag {
	SAKER_EXECF_ARGS = 1 << 0, /* dirfd and flags are the call's: a failed call (a successful
				    * one has the new image's registers, not its arguments) */
};
struct saker_tail_exec {
	__s64 dirfd;   /* execveat's dirfd (-100, AT_FDCWD, for execve) */
	__u32 flags;   /* execveat's flags (0 for execve) */
	__u32 xflags;  /* enum saker_exec_flag */
};

/* ---- the process table ------------------------------------------------------------------ */

/* One process's arguments, as the arg area held them after its exec: argv[0], a NUL, then
 * argv[1..] joined by spaces. START_NS: its group leader's start_boottime, so that an entry of
 * a process gone whose pid was reused is not taken for the new one's. */
struct saker_proc_entry {
	__u64 start_ns;
	__u32 len;      /* bytes of args[] used, without the NUL */
	__u16 e0;       /* length of argv[0] */
	__u16 src;      /* SAKER_PROC_SRC_* */
	char args[SAKER_ARGS_MAX];
};
enum {
	SAKER_PROC_SRC_EXEC = 0, /* the kernel, at the process's exec */
	SAKER_PROC_SRC_PROC = 1, /* sakerd, from /proc: start_ns is /proc's start time (clock
				  * ticks of 10 ms) times 10 ms */
};
#define SAKER_PROC_TICK_NS 10000000ull
/* SK_FAM_FILE: symlink(at), link(at), unlink(at), rename(at)(2), mkdir(at), rmdir, chmod,
 * fchmod, fchmodat, chown, fchown, lchown, fchownat. String slot ARG1 is the call's first path
 * (symlink's target as given; the others made absolute and normalised), ARG2 its second (the
 * linkpath or newpath); include/saker/famargs.h says which fields each call has. */
struct saker_tail_file {
	__u64 flags;             /* linkat, unlinkat, renameat2, fchownat: the flags argument */
	__u32 mode;              /* mkdir, mkdirat, chmod, fchmod, fchmodat: the mode argument */
	__u32 uid, gid;          /* chown, fchown, lchown, fchownat: the ids (4294967295: unchanged) */
	__s32 fd;                /* fchmod, fchown: the descriptor */
	__s32 dirfd, dirfd2;     /* the *at calls' directory descriptors (AT_FDCWD: -100) */
};

/* SK_FAM_CRED: setuid, setgid, setreuid, setregid, setresuid, setresgid. */
struct saker_tail_cred {
	__u32 id[3];             /* the ids in argument order (4294967295: unchanged) */
	__u32 pad;               /* 0 */
};

/* SK_FAM_SYS: mount, bpf, memfd_create, init_module, finit_module. String slot ARG1 is
 * mount's source, memfd_create's name or the modules' parameters (as given), ARG2 mount's
 * target (made absolute and normalised). */
enum saker_sys_flag {
	SAKER_SYSF_TYPE = 1 << 0, /* type holds mount's file system type */
};
#define SAKER_FSTYPE_LEN 32
struct saker_tail_sys {
	__u64 flags;             /* mount, memfd_create, finit_module: the flags argument */
	__u64 cmd;               /* bpf: the command */
	__s64 fd;                /* finit_module: the module's descriptor */
	__u64 len;               /* init_module: the image's length */
	__u32 sflags;            /* enum saker_sys_flag */
	__u32 pad;               /* 0 */
	char type[SAKER_FSTYPE_LEN]; /* mount: the file system type, NUL-terminated (cut at 31) */
};

/* ---- maps --------------------------------------------------------------------------------- */

/* Map and program names sakerd looks up in the object. */
#define SAKER_MAP_EVENTS     "saker_events"      /* BPF_MAP_TYPE_RINGBUF */
#define SAKER_MAP_STATS      "saker_stats"       /* BPF_MAP_TYPE_PERCPU_ARRAY of __u64, SAKER_STAT_* */
#define SAKER_MAP_MARKS      "saker_lsm_mark"    /* BPF_MAP_TYPE_TASK_STORAGE of __u32: what a
						  * hook saw of the syscall a thread is in,
						  * for its sys_exit (kept across bundles) */
#define SAKER_MAP_PROCS      "saker_procs"       /* BPF_MAP_TYPE_LRU_HASH: tgid -> struct
						  * saker_proc_entry */
#define SAKER_MAP_RULE_STATS "saker_rule_stats"  /* BPF_MAP_TYPE_PERCPU_ARRAY of struct
						  * saker_rule_stat, one per rule: the loader sizes
						  * it to the bundle's rule count */

/* Reload without a gap. Each hook is attached once, for the life of sakerd, as a dispatcher
 * program NAME that tail-calls slot SLOT of its hook map MAP; sakerd puts there the program
 * NAME "_run" of the bundle in force. Replacing a bundle is then one atomic update per slot:
 * every event runs the old body or the new one, never both, never neither. Each hook has its own
 * map (BPF_MAP_TYPE_PROG_ARRAY, SAKER_HOOK__COUNT slots, only its own used): the kernel (6.11
 * and later) refuses tail calls between programs of different tracepoints through one map. */
#define SAKER_MAP_PROGS  "saker_progs"   /* the sys_exit hook's map */
#define SAKER_HOOK_BODY_SUFFIX "_run"
#define SAKER_HOOKS(X) \
	X(SAKER_HOOK_SYS_EXIT, saker_sys_exit, SAKER_MAP_PROGS) \
	X(SAKER_HOOK_IO_URING, saker_io_uring, "saker_progs_uring") \
	X(SAKER_HOOK_EXIT, saker_proc_exit, "saker_progs_exit") \
	X(SAKER_HOOK_LSM_OPEN, saker_file_open, "saker_progs_lsm") \
	X(SAKER_HOOK_CONNECT, saker_connect, "saker_progs_connect") \
	X(SAKER_HOOK_EXEC, saker_proc_exec, "saker_progs_exec") \
	X(SAKER_HOOK_URING_SUBMIT, saker_uring_submit, "saker_progs_submit") \
	X(SAKER_HOOK_URING_SQE, saker_uring_sqe, "saker_progs_sqe") \
	X(SAKER_HOOK_LSM_CONNECT, saker_socket_connect, "saker_progs_lsm_connect") \
	X(SAKER_HOOK_LSM_EXEC, saker_bprm_creds, "saker_progs_lsm_exec")
/* Hooks sakerd attaches only where the kernel runs them (the LSM back end). */
#define SAKER_HOOK_OPTIONAL(h)                                                             \
	((h) == SAKER_HOOK_LSM_OPEN || (h) == SAKER_HOOK_CONNECT || (h) == SAKER_HOOK_LSM_CONNECT || \
	 (h) == SAKER_HOOK_LSM_EXEC)
/* Of those, the hooks that only refuse (docs/kernel.md, "Judged for deny only"): loaded only
 * for a bundle with a rule of action deny, since each body is verified with the rules'
 * interpreter, the largest part of a load. */
#define SAKER_HOOK_DENY_ONLY(h) ((h) == SAKER_HOOK_LSM_CONNECT || (h) == SAKER_HOOK_LSM_EXEC)
/* Hooks on a tracepoint some kernels have and others not, loaded only where the kernel's BTF
 * names it: io_uring's submission tracepoint, io_uring_submit_req since 6.4 and
 * io_uring_submit_sqe before (the same request first in both). */
#define SAKER_HOOK_IF_KERNEL_HAS(h)                                                         \
	((h) == SAKER_HOOK_URING_SUBMIT ? "io_uring_submit_req"                             \
	 : (h) == SAKER_HOOK_URING_SQE  ? "io_uring_submit_sqe"                             \
					: (const char *)0)
enum saker_hook {
#define SAKER_HOOK_ENUM(slot, name, map) slot,
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

/* What a rule does when it matches (the rule key 'action'): alert only; or the kernel sends
 * SIGKILL to the process at once (bpf_send_signal), before its next instruction in user space;
 * or the operation is refused with EPERM before it happens (an LSM back end only). */
enum saker_action { SAKER_ACTION_ALERT = 0, SAKER_ACTION_KILL = 1, SAKER_ACTION_DENY = 2,
		    SAKER_ACTION__COUNT };

/* Enforcement (the rule key 'action'). One slot per rule, sized and filled by the loader from the
 * bundle; all zero (alert) unless sakerd enforces. SAKER_MAP_ENFORCE's one slot says who is never
 * acted on: sakerd itself, named by its pid namespace's inode and its pid there (a kernel-wide
 * tgid is not something a sakerd inside a container can know), and the host's PID 1. */
#define SAKER_MAP_RULE_ACTIONS "saker_rule_actions" /* BPF_MAP_TYPE_ARRAY of struct saker_rule_action */
#define SAKER_MAP_ENFORCE      "saker_enforce"      /* BPF_MAP_TYPE_ARRAY, 1 struct saker_enforce */
struct saker_rule_action {
	__u32 action;    /* enum saker_action (bundle.h) */
	__u32 reserved;
	__u64 enforced;  /* signals sent for the rule (atomic adds) */
	__u64 spared;    /* matches on sakerd or PID 1, not acted on */
};
struct saker_enforce {
	__u64 self_pidns;  /* inode of sakerd's pid namespace (stat /proc/self/ns/pid) */
	__u32 self_vpid;   /* sakerd's pid in it (getpid) */
	__u32 backend;     /* SAKER_BACKEND_*: the hooks sakerd attached besides the tracepoints */
};
/* saker_enforce.backend: the LSM back end runs (lsm/file_open for the open family, the connect
 * hook for connect; the tracepoints then leave to them the events they took). */
#define SAKER_BACKEND_LSM      1u
/* ... and rules of action deny are in force (io_uring opens are then judged there too) */
#define SAKER_BACKEND_DENY     2u

/* Per rule, summed over CPUs by the reader. */
struct saker_rule_stat {
	__u64 matched;   /* times the rule held in the kernel */
	__u64 emitted;   /* of those, records sent that name it */
	__u64 lost;      /* records naming it the ring buffer had no room for */
	__u64 cut;       /* of the matches, those on an event with a path the kernel cut */
	__u64 evals;     /* times it was evaluated as a candidate of an event */
	__u64 cost_ns;   /* time its evaluations took, summed over the sampled ones */
	__u64 samples;   /* evaluations sampled (one in SAKER_COST_SAMPLE) */
};

/* What a path the kernel could not finish starts with (docs/kernel.md, "Paths"): no whole path
 * does, since those start with '/'. */
#define SAKER_CUT_MARK "<cut>"
#define SAKER_CUT_LEN  5

/* File identity (docs/kernel.md, "File identity"): the bundle's watched paths, resolved by sakerd
 * to the files they name; the kernel looks the opened file up here. */
#define SAKER_MAP_WATCH  "saker_watch"  /* BPF_MAP_TYPE_HASH, struct saker_watch_key -> __s32 id */
#define SAKER_WATCH_MAX  256
struct saker_watch_key {
	__u64 ino;
	__u32 dev;   /* major << 20 | minor, as the kernel numbers it */
	__u32 pad;   /* 0 */
};
#define SAKER_COST_SAMPLE 16

#endif
