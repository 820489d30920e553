/* What the core template (core.bpf.c) shares with the family templates (fam_<name>.bpf.c): the
 * per-event state, the helpers every family may call, and the three functions each family
 * defines. Each .bpf.c file is its own translation unit; codegen links them into one module and
 * inlines the helpers (SK_SHARED) there. */
#ifndef SAKER_CORE_H
#define SAKER_CORE_H

#include "kernel.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "abi.h"
#include "saker/event.h"
#include "saker/fields.h"

#define SK_INLINE  static __attribute__((always_inline)) inline
/* Functions one template file defines for another, or for the generated code: external so that
 * they survive until linking, where codegen makes every always_inline function internal again
 * and O2 inlines it. */
#define SK_SHARED  __attribute__((always_inline))
/* BPF global functions: the verifier checks them once, on their own, not at every call. Their
 * arguments must all be read by their bodies (docs/kernel.md). */
#define SK_GLOBAL  __attribute__((noinline))

#define SK_SMALL      64     /* short strings a family hands out (fd.typechar, request names) */
#define SK_URING_SUBMITTED 2
#define SK_HALF       4096   /* the walk buffer is two halves: masked offsets never overflow */
#define SK_NAME_MAX   255    /* longest dentry name copied */
#define SK_CG_NAME    128    /* bytes of a cgroup directory name examined */
#define SK_NORM_DEPTH 1024   /* components of a normalised path remembered for '..'; a path with
                              * more is marked cut (each takes at least 2 of its 4095 bytes) */
#define SK_FAM_STATE  64     /* bytes of per-event state a family may keep in sc->fam */
#define SK_AT_FDCWD   -100

/* Groups of the common fields, computed together once per event (sk_state.have). A family
 * keeps its own groups in sk_state.fhave. */
enum {
	SK_G_IDS    = 1 << 0, /* pid, tid */
	SK_G_VIDS   = 1 << 1, /* vpid, vtid */
	SK_G_CRED   = 1 << 2, /* uid, gid, loginuid, capability sets */
	SK_G_COMM   = 1 << 3,
	SK_G_PARENT = 1 << 4, /* ppid, pvpid, pcomm */
	SK_G_CID    = 1 << 5, /* container id */
	SK_G_EXE    = 1 << 6, /* proc.exepath */
	SK_G_PROC   = 1 << 7, /* the header's process block: start, tty, sid, exe flags */
	SK_G_CWD    = 1 << 8, /* proc.cwd */
	SK_G_ARGS   = 1 << 9, /* proc.exe, proc.args (the arg area) */
	SK_G_ANC    = 1 << 10, /* proc.aname[1..8], proc.sname */
	SK_G_PPROC  = 1 << 11, /* proc.pexe, the parent's args (the process table) */
	SK_G_ALL    = (1 << 12) - 1,
};

/* String slots: the paths (FD_NAME, EXEPATH, CWD, ARG2) have SAKER_PATH_MAX bytes each in
 * sk_scratch.str; the process's other strings live in sk_scratch.pstr, at these offsets. */
#define SK_PATH_SLOTS 4
#define SK_PS_PARGS   0                                  /* the parent's args, as saker_proc_entry */
#define SK_PS_SNAME   SAKER_ARGS_MAX                     /* 16 bytes */
#define SK_PS_ANAME   (SK_PS_SNAME + SAKER_COMM_LEN)     /* 16 bytes per ancestor */
#define SK_PSTR_SIZE  (SK_PS_ANAME + SAKER_ANAME_MAX * SAKER_COMM_LEN)

/* The event being evaluated. It lives in the map rather than on the stack on purpose: the
 * verifier does not track map contents, so the paths through the rules (which differ only in
 * what was computed and matched) look alike to it and are pruned instead of multiplied. */
struct sk_state {
	__s64 ret;        /* syscall return value */
	__u64 arg[6];     /* the call's arguments in order, whatever its ABI (i386: 32 bits each) */
	__u32 event;      /* enum sk_event_id */
	__u32 family;     /* enum sk_family of the event */
	__u32 compat;     /* the call came through the i386 entry */
	__u32 have;       /* SK_G_* computed */
	__u32 fhave;      /* the family's own groups computed; 0 when the event starts */
	__u32 n_ids;      /* rule ids in sc->ids not sent yet */
	__u32 part;       /* records of this event sent so far */
	__u32 tail_size;  /* bytes of sc->tail the family filled */
	__s32 comm_len, pcomm_len, cid_len;
	__s32 str_len[SAKER_STR__COUNT]; /* length of each string slot, -1: missing (or not yet) */
	__u16 uring;      /* an io_uring operation (docs/kernel.md): arg[] as its family put them;
			   * SK_URING_SUBMITTED: seen at its submission (core.bpf.c) */
	__u16 lsm;        /* an event of the LSM back end's hooks (docs/kernel.md, "Back ends"),
			   * SK_LSM_*: arg[5] is the open's or the connect's struct file (an open's
			   * ret the descriptor reserved for it, a connect's arg[4] the kernel's
			   * copy of the address); set while that program runs (a tracepoint finding
			   * it set on its CPU leaves the scratch alone) */
	__u64 task;       /* the task the event is about when it is not the current one (io_uring:
			   * the submitter), else 0: sk_task() returns it */
	__u16 str_off[SAKER_STR__COUNT]; /* where each slot past the paths starts in pstr */
	__u64 now;        /* the event's time (bpf_ktime_get_boot_ns), read once when first needed
			   * (proc.duration, the record's ts_ns), 0 until then: sk_now() */
};

/* sk_state.lsm's bits. */
#define SK_LSM_ON     1 /* seen by a hook of the LSM back end */
#define SK_LSM_BEFORE 2 /* before the operation: a rule of action deny can refuse it */
#define SK_LSM_JUDGE  4 /* judged for deny only: reported, counted and enforced only if a deny
			 * rule refuses it (another hook reports it otherwise), never killed here */

/* Loop states of the bpf_loop callbacks. They too live in the map: a loop variable on the stack
 * is a different verifier state at every iteration, and the callback would be checked once per
 * value instead of once. */
struct sk_walk {
	__u64 d, vm, m;          /* current dentry, its vfsmount and struct mount */
	__u64 root_d, root_vm;   /* the task's root: the walk stops there */
	__u64 mnt_root;          /* the root dentry of the mount at vm */
	__s64 pos;               /* the path so far is walk[pos, SK_HALF - 1) */
	__s32 leaf;              /* length of the last component, -1 until known */
	__u32 done;              /* 1 reached the root, 2 ran out of room */
	__u32 names, mounts;     /* components prepended, mounts crossed */
};

/* Textual normalisation of a path; see sk_norm_step */
struct sk_norm {
	__u32 i, end;                 /* next input byte in walk[], the input's end */
	__s32 out;                    /* bytes of the output written */
	__s32 seg;                    /* where the component being copied starts (its '/'), or -1 */
	__u32 depth;                  /* components kept */
	__u32 cut;                    /* the output ran out of room */
	__u32 slot;                   /* the string slot written */
	__u32 marked;                 /* the result was cut and marked (SAKER_CUT_MARK) */
	__u16 start[SK_NORM_DEPTH];   /* where each kept component starts: '..' goes back there */
};

/* The ancestor walk; see sk_anc_step */
struct sk_anc {
	__u64 a;           /* the task reached so far */
	__u64 sp;          /* the session's struct pid */
	__u64 sl, eldest;  /* its leader, when met; the eldest ancestor still in the session */
	__u32 in_session;  /* every task so far is in the session */
	__u32 pad;
};

struct sk_hexrun {
	__u32 len;   /* bytes of cg to look at */
	__u32 run;   /* hex digits in a row so far */
	__s32 start; /* where the first full run starts, or -1 */
};

struct sk_find {
	__u32 slen, plen;
	__u32 i, j;      /* candidate start in the subject, bytes of it matched so far */
	__u32 icase;
	__u32 found;
};

/* A comparison with a constant too long to inline; see sk_bytes_step */
struct sk_bytes {
	__u32 off, plen, pat;
	__u32 ok;
};

/* fnmatch state; see sk_glob_step */
struct sk_glob {
	__u32 pat;              /* first row of the compiled pattern in saker_pats */
	__s32 slen, plen;
	__s32 si, pi;           /* next subject and pattern positions */
	__s32 star_p, star_s;   /* last '*' seen and where its match ends so far, or -1 */
	__u32 result;
};

/* The rule tables' interpreter (core_ix.bpf.c); see abi.h. */
#define SK_IX_REFS   8    /* field values the interpreter holds (a power of two) */
#define SK_IX_ROUNDS 2048 /* loads and records of one event's evaluation, at most */
enum { SK_IXP_GUARDS, SK_IXP_PROBES, SK_IXP_EVAL, SK_IXP_DONE };  /* sk_ix.phase */
enum { SK_IXS_NONE, SK_IXS_LOAD, SK_IXS_FULL };                   /* sk_ix.stop */
#define SK_IX_KEY(field, str) ((__u32)(field) * 2 + ((str) ? 1 : 0))

struct sk_ix_hit {
	__u32 off, n;            /* a candidate list: saker_ix_list[off, off + n) */
};
struct sk_ix {
	__u32 ev;                /* the event */
	__u32 n_hits;            /* candidate lists selected */
	__u32 hi, pos;           /* the candidate being evaluated: list hi, its item pos */
	__u32 rule, atom0, n_atoms, pc; /* its program and where it is; pc SAKER_PC_FALSE: none */
	__u32 sampled;           /* its cost is being measured, since t0 */
	__u64 gpass;             /* the event's guards that held */
	__u32 gbit, pad;         /* the guard being evaluated: its bit */
	__u64 t0;
	/* where the interpreter is (SK_IXP_*), why it stopped (SK_IXS_*), the value it wants
	 * loaded (a ref key) and the next probe */
	__u32 phase, stop, want, pj, pstep, pending; /* pending: the rule a full record held up */
	/* the field values the atoms read (refs): loaded by saker_ix_load at the top of the
	 * interpreter, never computed below it, so that no field's computation sits under the
	 * evaluation's frames (docs/kernel.md, "Stack") */
	__u32 ref_hok, ref_next;        /* the refs whose hash is set; the next load's */
	__u32 ref_key[SK_IX_REFS];      /* SK_IX_KEY(field, is_string) + 1; 0: free */
	__s16 ref_len[SK_IX_REFS];      /* a string's length, 0 for a number; -1: no value */
	__u16 ref_off[SK_IX_REFS];      /* a string's offset in the scratch (before walk[]) */
	__s64 ref_v[SK_IX_REFS];        /* a number; a string's raw hash once its ref_hok bit is set */
	/* the hash of the field being hashed (sk_ix_word), and of its prefixes */
	__u32 hlen, hwords;
	__u64 h, ph[SAKER_IX_BUCKETS];
	struct sk_ix_hit hits[SAKER_IX_HITS];
};

/* Per-CPU working memory: too big for the 512-byte stack. Every string handed to the generated
 * code lies before walk[], so at least SAKER_STR_MAX bytes of the same value follow it. */
struct sk_scratch {
	char small[SK_SMALL];              /* short strings of the family, 8-aligned */
	struct saker_event_hdr hdr;        /* the record's header, filled as fields are computed */
	__u8 tail[SAKER_TAIL_MAX];         /* the family tail, filled by sk_<family>_fill */
	__u32 ids[SAKER_REC_RULES];        /* rule ids matched and not sent yet */
	__u64 fam[SK_FAM_STATE / 8];       /* the family's per-event state */
	struct sk_state st;
	char str[SK_PATH_SLOTS][SAKER_PATH_MAX]; /* the path slots, NUL-terminated */
	struct saker_proc_entry pe;           /* the process's arg area: proc.exe, proc.args */
	char pstr[SK_PSTR_SIZE];           /* the process's other strings (SK_PS_*) */
	char walk[2 * SK_HALF];            /* path walk: written backwards into the first half; a
					    * path string from user memory is read into the second */
	char cg[2 * SK_CG_NAME];           /* one cgroup directory name */
	struct sk_walk wk;
	struct sk_norm nm;
	struct sk_hexrun hx;
	struct sk_anc an;
	struct sk_find fi;
	struct sk_bytes by;
	struct sk_glob gl;
	struct sk_ix ix;
};

/* What a bpf_loop callback gets: the map value, and the strings it scans (pointers must stay
 * on the stack to keep their type; they do not change from one iteration to the next). */
struct sk_cb {
	struct sk_scratch *sc;
	const char *s, *p, *k;
};

/* Path slot SLOT of SC (slot 0 for an index out of range: only the paths have a buffer here). Not a '%': with a slot count that
 * is not a power of two the verifier cannot bound one; the barriers keep the check ahead of the
 * address (see sk_pattern). */
SK_INLINE char *sk_slot(struct sk_scratch *sc, __u32 slot)
{
	__u64 s = slot;

	asm volatile("" : "+r"(s));
	if (s >= SK_PATH_SLOTS)
		s = 0;
	asm volatile("" : "+r"(s));
	return sc->str[s];
}

/* I bounded by N for the verifier: the barriers keep LLVM from computing an address before the
 * check, or from a copy of the index the check did not bound (as sk_pattern). */
#define SK_IX_BOUND(i, n, fail)                  \
	do {                                     \
		asm volatile("" : "+r"(i));      \
		if ((i) >= (n))                  \
			fail;                    \
		asm volatile("" : "+r"(i));      \
	} while (0)

/* The string of ref R (struct sk_ix) in *S and its length, or -1 when it has no value. */
SK_INLINE int sk_ix_refstr(struct sk_scratch *sc, __u32 r, const char **s)
{
	__u64 i = r, off;
	__s32 len;

	SK_IX_BOUND(i, SK_IX_REFS, return -1);
	len = sc->ix.ref_len[i];
	off = sc->ix.ref_off[i];
	if (len < 0)
		return -1;
	/* every string lies before walk[], which SAKER_STR_MAX bytes and more follow */
	SK_IX_BOUND(off, __builtin_offsetof(struct sk_scratch, walk) + 1, return -1);
	*s = (const char *)sc + off;
	return len & SAKER_STR_MAX;
}

/* The event's time, the same for every use within the event (sk_state.now). */
SK_INLINE __u64 sk_now(struct sk_scratch *sc)
{
	if (!sc->st.now)
		sc->st.now = bpf_ktime_get_boot_ns();
	return sc->st.now;
}

/* The family state of SC as TYPE (at most SK_FAM_STATE bytes). */
#define SK_FAM(sc, type) ((type *)(void *)(sc)->fam)
#define SK_FAM_FITS(type) _Static_assert(sizeof(type) <= SK_FAM_STATE, #type " too big")

/* ---- the accessors of abi.h (core.bpf.c), for the templates too -------------------------- */

SK_SHARED int SAKER_FN_COMPAT(void);
SK_SHARED int SAKER_FN_INT(void *cv, int field, __s64 *v);
SK_SHARED int SAKER_FN_STR(void *cv, int field, const char **p);
SK_SHARED void SAKER_FN_SET_MATCH(void *cv, __u32 rule);
/* SAKER_FN_STR for a FIELD that is not a constant (the string searches' argument). */
SK_SHARED int sk_str_any(struct sk_scratch *sc, int field, const char **p);
/* SAKER_FN_INT for a FIELD that is not a constant (the rule tables' interpreter). */
SK_SHARED int sk_int_any(struct sk_scratch *sc, int field, __s64 *v);
/* Rule RULE's kernel counters, or NULL (core.bpf.c). */
SK_SHARED struct saker_rule_stat *sk_rule_stat(__u32 rule);
SK_GLOBAL int saker_tp_match(__u32 rule);
SK_GLOBAL int saker_tp_add(__u32 rule);
SK_GLOBAL int saker_tp_emit(__u32 more);

/* ---- core helpers (core.bpf.c, core_path.bpf.c) ----------------------------------------- */

SK_SHARED struct sk_scratch *sk_scratch(void);
SK_SHARED void sk_stat(__u32 which);
/* The task the event is about: the current one, or an io_uring request's submitter. */
SK_SHARED struct task_struct *sk_task(void);
/* The exec judged before its new image is in place (lsm/bprm_creds_from_file, core.bpf.c): its
 * struct linux_binprm (arg[5]); NULL for every other event. The process fields that the new
 * image changes (proc.name, proc.exepath and what the executable is, proc.exe and proc.args,
 * the credentials) are then read from it and from the call, the rest from the task as always. */
SK_INLINE struct linux_binprm *sk_bprm(struct sk_scratch *sc)
{
	if (sc->st.lsm && sc->st.family == SK_FAM_EXEC)
		return (struct linux_binprm *)sc->st.arg[5];
	return 0;
}
/* The current task's struct file at FD, or NULL. */
SK_SHARED struct file *sk_fd_file(__s64 fd);
/* Writes the absolute path of dentry D on mount VM, as the current task sees it, backwards into
 * the first half of sc->walk, NUL-terminated at SK_HALF - 1, and returns where it starts (the
 * root is the empty string at SK_HALF - 1); *TRUNC is set when the walk was cut. */
SK_SHARED __s64 sk_walk(struct sk_scratch *sc, __u64 d, __u64 vm, int *trunc);
/* Writes the path of FILE into DST (SAKER_PATH_MAX bytes of the scratch) and returns its
 * length; *TRUNC is set when the walk was cut, *LEAF to the length of the last name. */
SK_SHARED __u32 sk_path_into(struct sk_scratch *sc, struct file *file, char *dst, int *trunc,
			     __s32 *leaf);
/* sk_path_into string slot SLOT. */
SK_SHARED __u32 sk_path(struct sk_scratch *sc, struct file *file, __u32 slot, int *trunc,
			__s32 *leaf);
/* A path string the call passed (user memory at UPATH) as Falco names it: made absolute with
 * the cwd, or with the path of descriptor DIRFD when it is not SK_AT_FDCWD, then normalised as
 * text ('.', '..' and repeated '/' removed, never above the root: "/" or "/a/b"), into string
 * slot SLOT. Returns its length, or -1 when it cannot be read or DIRFD is not open; *LEAF gets
 * the length of its last component. Cuts are marked and counted. */
SK_SHARED __s32 sk_user_path(struct sk_scratch *sc, __s64 dirfd, __u64 upath, __u32 slot,
			     __s32 *leaf);
/* sk_user_path's work, HOW of SK_PATH_*: the string in kernel memory; the name marked cut
 * whatever it is (an open not run yet: which file it reaches is not known). */
#define SK_PATH_KERNEL 1
#define SK_PATH_UNSURE 2
SK_SHARED __s32 sk_any_path(struct sk_scratch *sc, __s64 dirfd, __u64 upath, __u32 slot,
			    __s32 *leaf, __u32 how);
/* A string argument (user memory at USTR) as the call gave it, into string slot SLOT; returns
 * its length, or -1 when it cannot be read. One longer than 4095 bytes is cut and marked. */
SK_SHARED __s32 sk_user_str(struct sk_scratch *sc, __u64 ustr, __u32 slot);
/* sk_user_str's work; HOW with SK_PATH_KERNEL: the string is in kernel memory. */
SK_SHARED __s32 sk_any_str(struct sk_scratch *sc, __u64 str, __u32 slot, __u32 how);
/* Marks the record's path as cut (SAKER_EVF_PATH_TRUNC) or an argument as cut (ARG_TRUNC), and
 * counts it. */
SK_SHARED void sk_cut(struct sk_scratch *sc, __u32 flag);

/* ---- the process fields (core_proc.bpf.c), every event has them ------------------------- */

/* Computes the process groups of G (SK_G_PROC, CWD, ARGS, ANC, PPROC). */
SK_SHARED void sk_proc_compute(struct sk_scratch *sc, __u32 g);
/* The accessors of the process fields, as sk_F_int and sk_F_str; 0 / -1 for other fields. */
SK_SHARED int sk_proc_int(struct sk_scratch *sc, int field, __s64 *v);
SK_SHARED int sk_proc_str(struct sk_scratch *sc, int field, const char **p);
/* A successful exec: remembers the new image's arguments for its children's proc.pcmdline. */
SK_SHARED void sk_proc_exec(struct sk_scratch *sc);
/* An exit: the process's entry of the process table goes with its group leader. */
SK_SHARED void sk_proc_exit(struct task_struct *task);

/* ---- io_uring operations (core.bpf.c, SK_URING_OPS) -------------------------------------- */

/* Puts the arguments of the operation of REQ into sc->st.arg, in its syscall's order. */
SK_SHARED void sk_open_uring(struct sk_scratch *sc, struct io_kiocb *req);
SK_SHARED void sk_net_uring(struct sk_scratch *sc, struct io_kiocb *req);
/* The file in fixed-file slot SLOT (0-based) of REQ's ring, or 0 (fam_open.bpf.c). */
SK_SHARED __u64 sk_uring_fixed_file(struct io_kiocb *req, __u32 slot);
/* The fixed-file slot an operation that makes a file (an open, socket, accept) put it in, its
 * 0-based index, from the request's FILE_SLOT (1-based, IORING_FILE_INDEX_ALLOC: the kernel
 * chose it and returned it as RET), or -1 when the file got a descriptor. */
SK_INLINE __s64 sk_uring_slot(__u32 file_slot, __s64 ret)
{
	if (!file_slot)
		return -1;
	return file_slot == 0xffffffffu ? (__s64)(__u32)ret : (__s64)file_slot - 1;
}

/* From the generated module (abi.h): the families some rule looks at. */
extern const __u32 SAKER_VAR_FAMILIES;

/* FAM's code runs, or folds away: the event's family is FAM, and some rule looks at it. */
#define SK_FAM_IS(sc, F) ((SAKER_VAR_FAMILIES & SK_FB(F)) && (sc)->st.family == SK_FAM_##F)

/* ---- what each family defines (fam_<name>.bpf.c), for F in SK_FAMILIES ------------------ */

/*   int   sk_F_int(struct sk_scratch *sc, int field, __s64 *v)
 *           1 with the value of FIELD (one of the family's, fields.def) in *V, or 0: missing
 *   int   sk_F_str(struct sk_scratch *sc, int field, const char **p)
 *           the length of FIELD's string and its bytes at *P (at most its K() max, followed
 *           by SAKER_STR_MAX bytes of the scratch map), or -1: missing
 *   __u32 sk_F_fill(struct sk_scratch *sc)
 *           a rule matched: computes what the record carries (its string slots, the tail in
 *           sc->tail) and returns the tail's size, sizeof(struct saker_tail_F)
 * They run for the family's events only; the state they keep is sc->fam (zeroed per event
 * through sc->st.fhave) and their string slots. */
#define SK_FAM_DECLARE(F, f) \
	SK_SHARED int sk_##f##_int(struct sk_scratch *sc, int field, __s64 *v); \
	SK_SHARED int sk_##f##_str(struct sk_scratch *sc, int field, const char **p); \
	SK_SHARED __u32 sk_##f##_fill(struct sk_scratch *sc);
SK_FAMILIES(SK_FAM_DECLARE)
#undef SK_FAM_DECLARE

#endif
