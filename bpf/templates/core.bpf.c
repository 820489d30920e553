/* The kernel side every ruleset shares: the sys_exit hook and its per-architecture dispatch,
 * the per-event state, the fields every event has (ids, creds, comm, parent, container id, exe
 * path), the accessors the generated code calls (abi.h), routed to the event's family, and the
 * output of records. Paths are in core_path.bpf.c, string tests in core_str.bpf.c, each family
 * in its fam_<name>.bpf.c. */
#include "core.h"

#define SK_CG_LEVELS  4      /* cgroup leaf and parents searched for a container id */
#define SK_CID_HEX    64     /* a container id is a run of this many hex digits */
/* The record being sent: header, tail, ids and slots fit in the first SK_REC_HEAD bytes; the
 * strings follow at masked offsets below SK_REC_AREA, each at most SAKER_PATH_MAX long. */
#define SK_REC_HEAD   1024
#define SK_REC_AREA   16384
#define SK_REC_SIZE   (SK_REC_AREA + SAKER_PATH_MAX)

struct sk_record {
	__u8 b[SK_REC_SIZE];
};

_Static_assert(sizeof(struct saker_event_hdr) + SAKER_TAIL_MAX + 4 * SAKER_REC_RULES +
	       4 * SAKER_STR__COUNT + 16 <= SK_REC_HEAD, "record head");
/* the strings are packed: each is checked against the area as it is copied (saker_tp_emit) */
_Static_assert(SK_REC_HEAD + SAKER_PATH_MAX <= SK_REC_AREA, "a string fits the area");
_Static_assert(SAKER_STR_CWD < SK_PATH_SLOTS && SAKER_STR_FD_NAME < SK_PATH_SLOTS &&
	       SAKER_STR_ARG2 < SK_PATH_SLOTS &&
	       SAKER_STR_EXEPATH < SK_PATH_SLOTS && SAKER_STR_EXE >= SK_PATH_SLOTS,
	       "the path slots come first");
_Static_assert((SK_REC_AREA & (SK_REC_AREA - 1)) == 0, "masked offsets");
/* codegen.c loads 8 bytes at a time from the start of strings marked SK_K_ALIGNED */
_Static_assert(__builtin_offsetof(struct sk_scratch, small) % 8 == 0, "aligned small");
_Static_assert(__builtin_offsetof(struct sk_scratch, str) % 8 == 0, "aligned slots");
_Static_assert(__builtin_offsetof(struct sk_scratch, hdr.comm) % 8 == 0, "aligned comm");
_Static_assert(__builtin_offsetof(struct sk_scratch, hdr.pcomm) % 8 == 0, "aligned pcomm");
_Static_assert(__builtin_offsetof(struct sk_scratch, hdr.container_id) % 8 == 0, "aligned cid");
_Static_assert(sizeof(struct sk_scratch) <= 32768, "a per-CPU value holds at most 32 KiB");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} saker_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SAKER_STAT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} saker_stats SEC(".maps");

/* One slot per rule; the loader sets max_entries to the bundle's rule count (docs/kernel.md). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct saker_rule_stat);
} saker_rule_stats SEC(".maps");

/* Enforcement, per rule, and who is spared (event.h); sized and filled by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct saker_rule_action);
} saker_rule_actions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct saker_enforce);
} saker_enforce SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sk_scratch);
} saker_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sk_record);
} saker_record SEC(".maps");

/* The body of each hook in force (include/saker/event.h, SAKER_MAP_PROGS). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SAKER_HOOK__COUNT);
	__type(key, __u32);
	__type(value, __u32);
} saker_progs SEC(".maps");

/* The io_uring hook's own (a prog array serves programs of one tracepoint only). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SAKER_HOOK__COUNT);
	__type(key, __u32);
	__type(value, __u32);
} saker_progs_uring SEC(".maps");

/* The process exit hook's (core_proc.bpf.c's process table). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SAKER_HOOK__COUNT);
	__type(key, __u32);
	__type(value, __u32);
} saker_progs_exit SEC(".maps");

/* The LSM hook's (the LSM back end, docs/kernel.md "Back ends"). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SAKER_HOOK__COUNT);
	__type(key, __u32);
	__type(value, __u32);
} saker_progs_lsm SEC(".maps");

/* The connect hook's (the LSM back end's fexit on __sys_connect_file). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SAKER_HOOK__COUNT);
	__type(key, __u32);
	__type(value, __u32);
} saker_progs_connect SEC(".maps");

/* The LSM back end's socket_connect hook's (connects judged for deny). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SAKER_HOOK__COUNT);
	__type(key, __u32);
	__type(value, __u32);
} saker_progs_lsm_connect SEC(".maps");

/* The LSM back end's bprm_creds_from_file hook's (execs judged for deny). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SAKER_HOOK__COUNT);
	__type(key, __u32);
	__type(value, __u32);
} saker_progs_lsm_exec SEC(".maps");

/* The exec hook's (the kernel's word that an exec happened, for the sys_exit hook). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SAKER_HOOK__COUNT);
	__type(key, __u32);
	__type(value, __u32);
} saker_progs_exec SEC(".maps");

/* io_uring's submission hook's, one per name of its tracepoint (only the kernel's is loaded). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SAKER_HOOK__COUNT);
	__type(key, __u32);
	__type(value, __u32);
} saker_progs_submit SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SAKER_HOOK__COUNT);
	__type(key, __u32);
	__type(value, __u32);
} saker_progs_sqe SEC(".maps");

/* Per thread, what a hook saw of the syscall running now (SK_MARK_*), for its sys_exit: the open
 * the LSM hook took, or the connect the connect hook took, so that it is not reported again; the
 * exec the exec hook saw succeed, so that it is reported. sakerd keeps it across bundles. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
} saker_lsm_mark SEC(".maps");
#define SK_MARK_SET    (1u << 30)            /* with the syscall number below */
#define SK_MARK_URING  (SK_MARK_SET | 0xffff) /* an io_uring open (no syscall number) */
#define SK_MARK_DENIED (1u << 31)            /* the hook refused it */
#define SK_MARK_EXEC   (1u << 29)            /* with the exec's number: it succeeded */

char LICENSE[] SEC("license") = "GPL";

/* A hook's attached program (event.h, SAKER_HOOKS): it runs the body of the bundle in force from
 * slot SLOT of its own hook map MAP; without one, it returns NONE. */
#define SK_DISPATCHER(sec, name, map, slot, none)                                                 \
	SEC(sec) int name(unsigned long long *ctx)                                                \
	{                                                                                          \
		bpf_tail_call(ctx, &map, slot);                                                   \
		return none;                                                                       \
	}

/* From the generated module (abi.h). */
extern int SAKER_FN_EVENT(__u64 nr);
extern void SAKER_FN_MATCH(void *c, __u32 event);

/* ---- the tables: families of events and of fields ---------------------------------------- */

/* fields.def's kernel column: which families have each field. With a constant field (the
 * generated code's calls) the lookup folds away; the string searches pass theirs at run time. */
SK_FAMILY_NAMES;
#define ANY SK_FB_ANY
#define K(fams, cost, max, kflags) (fams)
#define NOK 0
static const __u32 sk_field_families[SK_FLD__COUNT] = {
#define SK_FIELD(id, name, type, arg, where, flags, kernel, desc) [SK_FLD_##id] = kernel,
#include "saker/fields.def"
#undef SK_FIELD
};
#undef K
#undef NOK
#undef ANY

/* The families of FIELD. RUNTIME: FIELD is not a constant (the string searches pass theirs),
 * and the barriers keep the bound check ahead of the address (see sk_pattern); the generated
 * code's constant fields fold the lookup away. */
SK_INLINE __u32 sk_field_fams(int field, int runtime)
{
	__u64 i = (__u32)field;

	if (!runtime)
		return i < SK_FLD__COUNT ? sk_field_families[i] : 0;
	asm volatile("" : "+r"(i));
	if (i >= SK_FLD__COUNT)
		return 0;
	asm volatile("" : "+r"(i));
	return sk_field_families[i];
}

/* ---- helpers ----------------------------------------------------------------------------- */

SK_SHARED struct sk_scratch *sk_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&saker_scratch, &zero);
}

SK_SHARED void sk_stat(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&saker_stats, &which);

	if (v)
		*v += 1;
}

SK_SHARED struct task_struct *sk_task(void)
{
	struct sk_scratch *sc = sk_scratch();

	if (sc && sc->st.task)
		return (struct task_struct *)sc->st.task;
	return (struct task_struct *)bpf_get_current_task();
}

SK_SHARED struct file *sk_fd_file(__s64 fd)
{
	struct task_struct *task = sk_task();
	struct fdtable *fdt;
	struct file **fds;
	struct file *f = 0;

	if (fd < 0)
		return 0;
	fdt = BPF_CORE_READ(task, files, fdt);
	if (fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

SK_SHARED void sk_cut(struct sk_scratch *sc, __u32 flag)
{
	sc->hdr.flags |= flag;
	sk_stat(flag == SAKER_EVF_ARG_TRUNC ? SAKER_STAT_ARG_TRUNC : SAKER_STAT_PATH_TRUNC);
}

/* ---- the fields every event has ---------------------------------------------------------- */

SK_INLINE void sk_get_ids(struct sk_scratch *sc)
{
	__u64 pt = bpf_get_current_pid_tgid();
	struct task_struct *t = (struct task_struct *)sc->st.task;

	sc->hdr.pid = pt >> 32;
	sc->hdr.tid = (__u32)pt;
	if (t) {
		sc->hdr.pid = BPF_CORE_READ(t, tgid);
		sc->hdr.tid = BPF_CORE_READ(t, pid);
	}
}

/* The number struct pid P has at LEVEL, and that level's namespace in *NS. */
SK_INLINE __u32 sk_pid_nr(struct pid *p, __u32 level, __u64 *ns)
{
	struct upid u = { 0 };
	__u64 off = bpf_core_field_offset(struct pid, numbers) + (__u64)(level & 31) * sizeof(u);

	bpf_probe_read_kernel(&u, sizeof(u), (char *)p + off);
	if (ns)
		*ns = (__u64)u.ns;
	return u.nr;
}

/* The task's ids in its own pid namespace (the deepest level of its struct pid). */
SK_INLINE void sk_get_vids(struct sk_scratch *sc)
{
	struct task_struct *task = sk_task();
	struct pid *tp = BPF_CORE_READ(task, thread_pid);
	__u32 level = BPF_CORE_READ(tp, level);

	sc->hdr.vtid = sk_pid_nr(tp, level, 0);
	sc->hdr.vpid = sk_pid_nr(BPF_CORE_READ(task, group_leader, thread_pid), level, 0);
}

SK_INLINE void sk_get_cred(struct sk_scratch *sc)
{
	struct task_struct *task = sk_task();
	struct linux_binprm *bprm = sk_bprm(sc);
	/* an exec judged before its image: the credentials it will run with (a set-user-ID
	 * program's, computed by then) */
	const struct cred *cr = bprm ? BPF_CORE_READ(bprm, cred) : BPF_CORE_READ(task, cred);

	sc->hdr.uid = BPF_CORE_READ(cr, euid.val);
	sc->hdr.gid = BPF_CORE_READ(cr, egid.val);
	sc->hdr.cap_effective = 0;
	sc->hdr.cap_permitted = 0;
	sc->hdr.cap_inheritable = 0;
	bpf_probe_read_kernel(&sc->hdr.cap_effective, 8,
			      (char *)cr + bpf_core_field_offset(struct cred, cap_effective));
	bpf_probe_read_kernel(&sc->hdr.cap_permitted, 8,
			      (char *)cr + bpf_core_field_offset(struct cred, cap_permitted));
	bpf_probe_read_kernel(&sc->hdr.cap_inheritable, 8,
			      (char *)cr + bpf_core_field_offset(struct cred, cap_inheritable));
	sc->hdr.loginuid = (__u32)-1;
	if (bpf_core_field_exists(task->loginuid)) {
		sc->hdr.loginuid = BPF_CORE_READ(task, loginuid.val);
		if (sc->hdr.loginuid != (__u32)-1)
			sc->hdr.flags |= SAKER_EVF_LOGINUID;
	}
}

/* One byte of the exec's file name in the second half of walk[]: where its last '/' is. */
static long sk_slash_step(__u32 i, void *arg)
{
	struct sk_scratch *sc = ((struct sk_cb *)arg)->sc;

	if (i >= sc->hx.len)
		return 1;
	if (sc->walk[SK_HALF + (i & (SK_HALF - 1))] == '/')
		sc->hx.start = i;
	return 0;
}

/* The name the exec BPRM gives the process, as begin_new_exec sets it: the last component of the
 * name it was called by (a symlink's own name; "3" for /dev/fd/3 up to 6.13), or the file's name
 * where the kernel takes it from the file (a descriptor's exec, since 6.14); cut to 15 bytes.
 * The file name is read into the second half of walk[], unused by the exec family's fields. */
SK_INLINE void sk_bprm_comm(struct sk_scratch *sc, struct linux_binprm *bprm)
{
	struct sk_cb cb = { .sc = sc };
	const char *src;
	long n;

	if (bpf_core_field_exists(((struct linux_binprm___comm *)0)->comm_from_dentry) &&
	    BPF_CORE_READ_BITFIELD_PROBED((struct linux_binprm___comm *)bprm, comm_from_dentry)) {
		n = bpf_probe_read_kernel_str(sc->hdr.comm, SAKER_COMM_LEN,
					      BPF_CORE_READ(bprm, file, f_path.dentry, d_name.name));
		sc->st.comm_len = n > 0 ? n - 1 : 0;
		return;
	}
	n = bpf_probe_read_kernel_str(&sc->walk[SK_HALF], SK_HALF, BPF_CORE_READ(bprm, filename));
	if (n <= 1)
		return;
	sc->hx.len = n - 1;
	sc->hx.start = -1;
	bpf_loop(SK_HALF, sk_slash_step, &cb, 0);
	n = n - 1 - (sc->hx.start + 1);
	if (n > SAKER_COMM_LEN - 1)
		n = SAKER_COMM_LEN - 1;
	src = &sc->walk[SK_HALF + ((sc->hx.start + 1) & (SK_HALF - 1))];
	bpf_probe_read_kernel(sc->hdr.comm, n & (SAKER_COMM_LEN - 1), src);
	sc->st.comm_len = n & (SAKER_COMM_LEN - 1);
}

SK_INLINE void sk_get_comm(struct sk_scratch *sc)
{
	struct task_struct *task = sk_task();
	struct linux_binprm *bprm = sk_bprm(sc);
	long n;

	__builtin_memset(sc->hdr.comm, 0, SAKER_COMM_LEN);
	sc->st.comm_len = 0;
	if (bprm) {
		sk_bprm_comm(sc, bprm);
		return;
	}
	n = bpf_probe_read_kernel_str(sc->hdr.comm, SAKER_COMM_LEN, &task->comm);
	sc->st.comm_len = n > 0 ? n - 1 : 0;
}

SK_INLINE void sk_get_parent(struct sk_scratch *sc)
{
	struct task_struct *task = sk_task();
	struct task_struct *p = BPF_CORE_READ(task, real_parent);
	struct pid *tp, *pp;
	__u32 level;
	__u64 ns, pns;
	long n;

	sc->st.pcomm_len = -1;
	__builtin_memset(sc->hdr.pcomm, 0, SAKER_COMM_LEN);
	sc->hdr.ppid = 0;
	sc->hdr.pvpid = 0;
	if (!p)
		return;
	sc->hdr.ppid = BPF_CORE_READ(p, tgid);
	n = bpf_probe_read_kernel_str(sc->hdr.pcomm, SAKER_COMM_LEN, &p->comm);
	sc->st.pcomm_len = n > 0 ? n - 1 : 0;
	sc->hdr.flags |= SAKER_EVF_PARENT;
	/* the parent's number in our namespace: none when it lives above it */
	tp = BPF_CORE_READ(task, thread_pid);
	pp = BPF_CORE_READ(p, group_leader, thread_pid);
	level = BPF_CORE_READ(tp, level);
	sk_pid_nr(tp, level, &ns);
	if (BPF_CORE_READ(pp, level) >= level) {
		__u32 nr = sk_pid_nr(pp, level, &pns);

		if (pns == ns)
			sc->hdr.pvpid = nr;
	}
}

static long sk_hexrun_step(__u32 i, void *arg)
{
	struct sk_scratch *sc = ((struct sk_cb *)arg)->sc;
	struct sk_hexrun *h = &sc->hx;
	char ch;

	if (i >= h->len)
		return 1;
	ch = sc->cg[i & (SK_CG_NAME - 1)];
	if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) {
		if (++h->run == SK_CID_HEX) {
			h->start = i + 1 - SK_CID_HEX;
			return 1;
		}
	} else {
		h->run = 0;
	}
	return 0;
}

SK_INLINE struct kernfs_node *sk_kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(((struct kernfs_node___new *)0)->__parent))
		return BPF_CORE_READ((struct kernfs_node___new *)kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* Container runtimes name the cgroup after the container: libpod-<id>, docker-<id>.scope,
 * cri-containerd-<id>.scope, crio-<id>.scope, or just <id>; systemd may nest a child below. */
SK_INLINE void sk_get_cid(struct sk_scratch *sc)
{
	struct task_struct *task = sk_task();
	struct kernfs_node *kn = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn);
	struct sk_hexrun *h = &sc->hx;
	struct sk_cb cb = { .sc = sc };
	char *cid = sc->hdr.container_id;

	h->start = -1;
	for (int lvl = 0; lvl < SK_CG_LEVELS && kn; lvl++) {
		long n = bpf_probe_read_kernel_str(sc->cg, SK_CG_NAME, BPF_CORE_READ(kn, name));

		if (n > 1) {
			h->len = n - 1;
			h->run = 0;
			bpf_loop(SK_CG_NAME, sk_hexrun_step, &cb, 0);
			if (h->start >= 0)
				break;
		}
		kn = sk_kn_parent(kn);
	}
	__builtin_memset(cid, 0, SAKER_CID_LEN);
	if (h->start >= 0) {
		bpf_probe_read_kernel(cid, 12, &sc->cg[h->start & (SK_CG_NAME - 1)]);
		sc->st.cid_len = 12;
		sc->hdr.flags |= SAKER_EVF_CONTAINER;
	} else {
		__builtin_memcpy(cid, "host", 5);
		sc->st.cid_len = 4;
	}
}

SK_INLINE void sk_get_exe(struct sk_scratch *sc)
{
	struct task_struct *task = sk_task();
	struct linux_binprm *bprm = sk_bprm(sc);
	/* an exec judged before its image: the file it runs (a script's interpreter) */
	struct file *f = bprm ? BPF_CORE_READ(bprm, file) : BPF_CORE_READ(task, mm, exe_file);
	int trunc = 0;
	__s32 leaf;

	if (!f)
		return;
	sc->st.str_len[SAKER_STR_EXEPATH] = sk_path(sc, f, SAKER_STR_EXEPATH, &trunc, &leaf);
	if (trunc)
		sk_cut(sc, SAKER_EVF_PATH_TRUNC);
}

/* Computes the groups in G this event does not have yet. */
SK_GLOBAL int saker_tp_compute(__u32 g)
{
	struct sk_scratch *sc = sk_scratch();

	if (!sc)
		return 0;
	g &= ~sc->st.have;
	sc->st.have |= g;
	if (g & SK_G_IDS)
		sk_get_ids(sc);
	if (g & SK_G_VIDS)
		sk_get_vids(sc);
	if (g & SK_G_CRED)
		sk_get_cred(sc);
	if (g & SK_G_COMM)
		sk_get_comm(sc);
	if (g & SK_G_PARENT)
		sk_get_parent(sc);
	if (g & SK_G_CID)
		sk_get_cid(sc);
	if (g & SK_G_EXE)
		sk_get_exe(sc);
	if (g & (SK_G_PROC | SK_G_CWD | SK_G_ARGS | SK_G_ANC | SK_G_PPROC))
		sk_proc_compute(sc, g);
	return 0;
}

SK_INLINE void sk_need(struct sk_scratch *sc, __u32 g)
{
	if (!(sc->st.have & g))
		saker_tp_compute(g);
}

SK_INLINE int sk_core_int(struct sk_scratch *sc, int field, __s64 *v)
{
	switch (field) {
	case SK_FLD_EVT_RAWRES:
		*v = sc->st.ret;
		return 1;
	case SK_FLD_EVT_FAILED:
		*v = sc->st.ret < 0;
		return 1;
	case SK_FLD_PROC_PID:
		sk_need(sc, SK_G_IDS);
		*v = sc->hdr.pid;
		return 1;
	case SK_FLD_THREAD_TID:
		sk_need(sc, SK_G_IDS);
		*v = sc->hdr.tid;
		return 1;
	case SK_FLD_PROC_VPID:
		sk_need(sc, SK_G_VIDS);
		*v = sc->hdr.vpid;
		return 1;
	case SK_FLD_THREAD_VTID:
		sk_need(sc, SK_G_VIDS);
		*v = sc->hdr.vtid;
		return 1;
	case SK_FLD_USER_UID:
		sk_need(sc, SK_G_CRED);
		*v = sc->hdr.uid;
		return 1;
	case SK_FLD_GROUP_GID:
		sk_need(sc, SK_G_CRED);
		*v = sc->hdr.gid;
		return 1;
	case SK_FLD_THREAD_CAP_EFFECTIVE_MASK:
		sk_need(sc, SK_G_CRED);
		*v = sc->hdr.cap_effective;
		return 1;
	case SK_FLD_THREAD_CAP_PERMITTED_MASK:
		sk_need(sc, SK_G_CRED);
		*v = sc->hdr.cap_permitted;
		return 1;
	case SK_FLD_THREAD_CAP_INHERITABLE_MASK:
		sk_need(sc, SK_G_CRED);
		*v = sc->hdr.cap_inheritable;
		return 1;
	case SK_FLD_USER_LOGINUID:
		sk_need(sc, SK_G_CRED);
		/* 4294967295 (unset) reads as -1, as in Falco; other ids keep their unsigned value */
		*v = sc->hdr.loginuid == (__u32)-1 ? -1 : (__s64)sc->hdr.loginuid;
		return 1;
	case SK_FLD_PROC_PPID:
	case SK_FLD_PROC_PVPID:
		sk_need(sc, SK_G_PARENT);
		*v = field == SK_FLD_PROC_PPID ? sc->hdr.ppid : sc->hdr.pvpid;
		return (sc->hdr.flags & SAKER_EVF_PARENT) != 0;
	}
	return sk_proc_int(sc, field, v);
}

SK_INLINE int sk_core_str(struct sk_scratch *sc, int field, const char **p)
{
	switch (field) {
	case SK_FLD_PROC_NAME:
		sk_need(sc, SK_G_COMM);
		*p = sc->hdr.comm;
		return sc->st.comm_len & (SAKER_COMM_LEN - 1);
	case SK_FLD_PROC_PNAME:
		sk_need(sc, SK_G_PARENT);
		*p = sc->hdr.pcomm;
		if (sc->st.pcomm_len < 0)
			return -1;
		return sc->st.pcomm_len & (SAKER_COMM_LEN - 1);
	case SK_FLD_PROC_EXEPATH:
		sk_need(sc, SK_G_EXE);
		*p = sc->str[SAKER_STR_EXEPATH];
		if (sc->st.str_len[SAKER_STR_EXEPATH] < 0)
			return -1;
		return sc->st.str_len[SAKER_STR_EXEPATH] & SAKER_STR_MAX;
	case SK_FLD_CONTAINER_ID:
		sk_need(sc, SK_G_CID);
		*p = sc->hdr.container_id;
		return sc->st.cid_len & (SAKER_CID_LEN - 1);
	}
	return sk_proc_str(sc, field, p);
}

/* The NONE family is never hooked; its functions only complete the dispatch. */
SK_SHARED int sk_none_int(struct sk_scratch *sc, int field, __s64 *v)
{
	(void)sc, (void)field, (void)v;
	return 0;
}

SK_SHARED int sk_none_str(struct sk_scratch *sc, int field, const char **p)
{
	(void)sc, (void)field, (void)p;
	return -1;
}

SK_SHARED __u32 sk_none_fill(struct sk_scratch *sc)
{
	(void)sc;
	return 0;
}

/* ---- the accessors for the generated code (abi.h), by the field table ------------------- */

SK_SHARED int SAKER_FN_COMPAT(void)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return (t->thread_info.status & SK_TS_COMPAT) != 0;
}

SK_SHARED int SAKER_FN_INT(void *cv, int field, __s64 *v)
{
	struct sk_scratch *sc = cv;
	__u32 fams = sk_field_fams(field, 0);

	*v = 0;
	if (!(fams & (1u << (sc->st.family & 31))))
		return 0;
	if (fams == SK_FB_ANY)
		return sk_core_int(sc, field, v);
#define SK_FAM_INT(F, f) if (SK_FAM_IS(sc, F)) return sk_##f##_int(sc, field, v);
	SK_FAMILIES(SK_FAM_INT)
#undef SK_FAM_INT
	return 0;
}

/* The string accessor for FIELD; RUNTIME as sk_field_fams. */
SK_INLINE int sk_str(struct sk_scratch *sc, int field, const char **p, int runtime)
{
	__u32 fams = sk_field_fams(field, runtime);

	*p = sc->small;
	if (!(fams & (1u << (sc->st.family & 31))))
		return -1;
	if (fams == SK_FB_ANY)
		return sk_core_str(sc, field, p);
#define SK_FAM_STR(F, f) if (SK_FAM_IS(sc, F)) return sk_##f##_str(sc, field, p);
	SK_FAMILIES(SK_FAM_STR)
#undef SK_FAM_STR
	return -1;
}

SK_SHARED int SAKER_FN_STR(void *cv, int field, const char **p)
{
	return sk_str(cv, field, p, 0);
}

SK_SHARED int sk_str_any(struct sk_scratch *sc, int field, const char **p)
{
	return sk_str(sc, field, p, 1);
}

SK_SHARED int sk_int_any(struct sk_scratch *sc, int field, __s64 *v)
{
	__u32 fams = sk_field_fams(field, 1);

	*v = 0;
	if (!(fams & (1u << (sc->st.family & 31))))
		return 0;
	if (fams == SK_FB_ANY)
		return sk_core_int(sc, field, v);
#define SK_FAM_INT(F, f) if (SK_FAM_IS(sc, F)) return sk_##f##_int(sc, field, v);
	SK_FAMILIES(SK_FAM_INT)
#undef SK_FAM_INT
	return 0;
}

SK_SHARED struct saker_rule_stat *sk_rule_stat(__u32 rule)
{
	return bpf_map_lookup_elem(&saker_rule_stats, &rule);
}

/* ---- records ----------------------------------------------------------------------------- */

/* Whether sakerd set BIT (SAKER_BACKEND_*) of the back end in force. */
SK_INLINE int sk_backend_has(__u32 bit)
{
	__u32 zero = 0;
	struct saker_enforce *e = bpf_map_lookup_elem(&saker_enforce, &zero);

	return e && (e->backend & bit);
}

/* Rule RULE of action kill held: SIGKILL to the current process, unless it is sakerd itself
 * (its pid namespace and pid there, as saker_enforce names them) or the host's PID 1. The
 * signal is delivered on the way back to user space: the process runs no instruction of its own
 * after the call that matched. */
SK_INLINE void sk_enforce(struct sk_scratch *sc, struct saker_rule_action *ra)
{
	__u32 zero = 0;
	struct saker_enforce *self = bpf_map_lookup_elem(&saker_enforce, &zero);
	struct task_struct *task = sk_task();
	struct pid *gp = BPF_CORE_READ(task, group_leader, thread_pid);
	__u32 level = BPF_CORE_READ(gp, level);
	__u64 ns = 0;
	__u32 vpid = sk_pid_nr(gp, level, &ns);
	__u32 inum = BPF_CORE_READ((struct pid_namespace *)ns, ns.inum);

	if ((bpf_get_current_pid_tgid() >> 32) == 1 ||
	    (self && self->self_vpid == vpid && self->self_pidns == inum)) {
		__sync_fetch_and_add(&ra->spared, 1);
		sc->hdr.flags |= SAKER_EVF_SPARED;
		return;
	}
	if (ra->action == SAKER_ACTION_DENY) {
		/* the LSM hook returns -EPERM for the open (saker_file_open_run) */
		__sync_fetch_and_add(&ra->enforced, 1);
		sc->hdr.flags |= SAKER_EVF_DENIED;
		return;
	}
	if (!bpf_send_signal(9 /* SIGKILL */)) {
		__sync_fetch_and_add(&ra->enforced, 1);
		sc->hdr.flags |= SAKER_EVF_KILLED;
	}
}

/* Rule RULE held: its counters, its action, and its id in the record, which the caller made
 * sure has room (a full one is sent first, saker_tp_emit(1), from where the stack allows: the
 * interpreter stops and its top sends it; docs/kernel.md, "Stack"). */
SK_GLOBAL int saker_tp_add(__u32 rule)
{
	struct sk_scratch *sc = sk_scratch();
	struct saker_rule_stat *rs = bpf_map_lookup_elem(&saker_rule_stats, &rule);
	struct saker_rule_action *ra = bpf_map_lookup_elem(&saker_rule_actions, &rule);
	__u32 judge;

	if (!sc)
		return 0;
	/* An io_uring open taken at its submission (it posts no completion on success) while
	 * lsm/file_open judges io_uring opens for deny: a deny rule is that hook's to judge, on the
	 * file the open reaches, and to report if it refuses the open. Here it would say "not
	 * denied" of an open about to be refused (and count it twice). */
	if (ra && ra->action == SAKER_ACTION_DENY && sc->st.uring == SK_URING_SUBMITTED &&
	    sk_backend_has(SAKER_BACKEND_DENY))
		return 0;
	/* an event judged for deny only is counted when it is refused (sk_count_step), and
	 * killed, if at all, by the hook that reports it otherwise */
	judge = sc->st.lsm & SK_LSM_JUDGE;
	if (rs && !judge) {
		rs->matched++;
		if (sc->hdr.flags & SAKER_EVF_PATH_TRUNC)
			rs->cut++;
	}
	/* deny only where the operation has not happened yet: the LSM hooks' events */
	if (ra && ((ra->action == SAKER_ACTION_KILL && !judge) ||
		   (ra->action == SAKER_ACTION_DENY && (sc->st.lsm & SK_LSM_BEFORE))))
		sk_enforce(sc, ra);
	if (sc->st.n_ids >= SAKER_REC_RULES) {
		/* the caller did not send the full record: cannot happen, except for an event
		 * judged for deny only (SK_LSM_JUDGE) with more matches than a record holds,
		 * whose ids past those are dropped; never silently */
		sk_stat(SAKER_STAT_LOST_OTHER);
		return 1;
	}
	sc->ids[sc->st.n_ids & (SAKER_REC_RULES - 1)] = rule;
	sc->st.n_ids++;
	return 0;
}

/* Rule RULE held (the code per rule): a full record goes first, and says another follows. A
 * BPF global function, so that each rule's call costs two instructions whatever their number. */
SK_GLOBAL int saker_tp_match(__u32 rule)
{
	struct sk_scratch *sc = sk_scratch();

	if (!sc)
		return 0;
	/* an event judged for deny only is sent once, when it is known to be refused */
	if (sc->st.n_ids >= SAKER_REC_RULES && !(sc->st.lsm & SK_LSM_JUDGE))
		saker_tp_emit(1);
	saker_tp_add(rule);
	return 0;
}

SK_SHARED void SAKER_FN_SET_MATCH(void *cv, __u32 rule)
{
	(void)cv;
	saker_tp_match(rule);
}

/* The first record of an event: every field the alert may print, and the family's tail. */
SK_INLINE void sk_fill(struct sk_scratch *sc)
{
	__u32 ts = 0;

	saker_tp_compute(SK_G_ALL);
#define SK_FAM_FILL(F, f) if (SK_FAM_IS(sc, F)) ts = sk_##f##_fill(sc);
	SK_FAMILIES(SK_FAM_FILL)
#undef SK_FAM_FILL
	sc->st.tail_size = ts;
	sc->hdr.version = SAKER_EVENT_VERSION;
	sc->hdr.event = sc->st.event;
	sc->hdr.family = sc->st.family;
	sc->hdr.tail_size = ts;
	sc->hdr.n_strs = SAKER_STR__COUNT;
	sc->hdr.reserved = 0;
	sc->hdr.ts_ns = sk_now(sc);
	sc->hdr.res = sc->st.ret;
	sc->hdr.cgroup_id = bpf_get_current_cgroup_id();
	sk_stat(SAKER_STAT_MATCHED);
}

struct sk_count_ctx {
	struct sk_scratch *sc;
	__u32 n, sent, judged;
};

/* One rule id of the record just sent: it was emitted, or lost with the record. */
static long sk_count_step(__u32 i, void *arg)
{
	struct sk_count_ctx *c = arg;
	__u32 rule;
	struct saker_rule_stat *rs;

	if (i >= c->n)
		return 1;
	rule = c->sc->ids[i & (SAKER_REC_RULES - 1)];
	rs = bpf_map_lookup_elem(&saker_rule_stats, &rule);
	if (rs) {
		/* a refused event judged for deny only: its matches are counted now */
		if (c->judged) {
			rs->matched++;
			if (c->sc->hdr.flags & SAKER_EVF_PATH_TRUNC)
				rs->cut++;
		}
		if (c->sent)
			rs->emitted++;
		else
			rs->lost++;
	}
	return 0;
}

/* proc.pexepath, a captured field (no rule tests it in the kernel): the executable of the parent
 * (real_parent, as proc.ppid), from its mm, walked as the task's own paths are, from the task's
 * root (a parent outside a chroot or container root shows its path from the top of its
 * mounts). None for a parent without an mm (a kernel thread, or one past its exit's release
 * of it). The working memory has no room for a fifth path (a per-CPU value holds 32 KiB), so
 * it is walked for each record, after every field is computed, into the second half of walk[]
 * (free then: a path string the call passed, or fam_net's socket-name formatter, uses it only
 * while fields are computed) and copied from there; a cut walk shows in the string's cut mark
 * alone (the event's own paths are not cut). */
SK_INLINE void sk_get_pexepath(struct sk_scratch *sc)
{
	struct task_struct *p = BPF_CORE_READ(sk_task(), real_parent);
	struct file *f;
	int trunc = 0;
	__s32 leaf;

	sc->st.str_len[SAKER_STR_PEXEPATH] = -1;
	if (!p)
		return;
	f = BPF_CORE_READ(p, mm, exe_file);
	if (!f)
		return;
	sc->st.str_off[SAKER_STR_PEXEPATH] = __builtin_offsetof(struct sk_scratch, walk) + SK_HALF;
	sc->st.str_len[SAKER_STR_PEXEPATH] =
		sk_path_into(sc, f, &sc->walk[SK_HALF], &trunc, &leaf);
}

struct sk_put_ctx {
	struct sk_scratch *sc;
	struct sk_record *rec;
	__u64 slot, area, off; /* where the slots and the strings start in rec, the strings' end */
};

/* String slot K of the record: copied into the string area at its end, or left out. A bpf_loop
 * callback: the verifier checks it once (as an unrolled or plain loop, each slot's branches
 * multiplied the states of the next: two thirds of a body's verification). */
static long sk_put_str(__u32 k, void *arg)
{
	struct sk_put_ctx *p = arg;
	struct sk_scratch *sc = p->sc;
	struct sk_record *rec = p->rec;
	struct saker_event_str *slot;
	const char *src;
	__u64 at;
	__s32 len;

	if (k >= SAKER_STR__COUNT)
		return 1;
	slot = (struct saker_event_str *)&rec->b[(p->slot + 4 * k) & (SK_REC_HEAD - 4)];
	len = sc->st.str_len[k];
	slot->off = SAKER_STR_NONE;
	slot->len = 0;
	if (len < 0)
		return 0;
	len &= SAKER_STR_MAX;
	src = k < SK_PATH_SLOTS ? sc->str[k & (SK_PATH_SLOTS - 1)]
				: (const char *)sc + sc->st.str_off[k];
	/* the strings together may not fit the area: one that does not is left out, and the
	 * record says it was cut (the paths come first) */
	if (p->area + p->off + len + 1 > SK_REC_AREA) {
		sk_cut(sc, SAKER_EVF_ARG_TRUNC);
		return 0;
	}
	slot->off = p->off;
	slot->len = len;
	at = p->area + p->off;
	/* the word holding the NUL is zeroed first: its padding is not an earlier record's bytes */
	*(__u64 *)&rec->b[(at + (len & ~7u)) & (SK_REC_AREA - 8)] = 0;
	bpf_probe_read_kernel(&rec->b[at & (SK_REC_AREA - 1)], len, src);
	rec->b[(at + len) & (SK_REC_AREA - 1)] = 0;
	p->off += (len + 8) & ~7u;
	return 0;
}

/* Sends one record with the rule ids gathered so far; MORE: another one follows. The layout is
 * event.h's: header, tail, ids, string slots, strings, each part 8-byte aligned. No pointer
 * parameters on purpose: O2 replaces an argument the body does not read with undef, and the
 * verifier then refuses the call when the register happens to hold a pointer. */
SK_GLOBAL int saker_tp_emit(__u32 more)
{
	struct sk_scratch *sc = sk_scratch();
	__u32 zero = 0;
	struct sk_record *rec = bpf_map_lookup_elem(&saker_record, &zero);
	struct sk_count_ctx cc;
	struct sk_put_ctx sp;
	struct saker_event_str *slot;
	__u64 pos, area, size;
	__u32 n, ts;

	if (!sc)
		return 0;
	n = sc->st.n_ids;
	if (!n || n > SAKER_REC_RULES)
		return 0;
	if (!sc->st.part)
		sk_fill(sc);
	sc->hdr.part = sc->st.part;
	sc->hdr.n_rules = n;
	if (more)
		sc->hdr.flags |= SAKER_EVF_MORE;
	else
		sc->hdr.flags &= ~(__u32)SAKER_EVF_MORE;
	cc.sc = sc;
	cc.n = n;
	cc.sent = 0;
	cc.judged = sc->st.lsm & SK_LSM_JUDGE;
	if (!rec) {
		sk_stat(SAKER_STAT_LOST_OTHER);
		goto out;
	}
	/* after the fill and every walk of this record: it lives in walk[] */
	sk_get_pexepath(sc);
	/* copies by helper: one call each, where inline copies of these would take hundreds of
	 * instructions (the record's bytes have no known alignment) */
	ts = sc->st.tail_size;
	if (ts > SAKER_TAIL_MAX)
		ts = SAKER_TAIL_MAX;
	pos = sizeof(struct saker_event_hdr);
	bpf_probe_read_kernel(&rec->b[pos], SAKER_TAIL_MAX, sc->tail);
	pos += ts & ~7u;
	/* the padding after an odd number of ids is 0, not an earlier record's id */
	if (n < SAKER_REC_RULES)
		sc->ids[n & (SAKER_REC_RULES - 1)] = 0;
	bpf_probe_read_kernel(&rec->b[pos], sizeof(sc->ids), sc->ids);
	pos += ((n * 4) + 7) & ~7u;
	slot = (struct saker_event_str *)&rec->b[pos];
	area = pos + ((4 * SAKER_STR__COUNT + 7) & ~7u);
	/* an odd number of slots leaves 4 bytes of padding, which are 0 */
	if (SAKER_STR__COUNT & 1)
		*(__u32 *)&slot[SAKER_STR__COUNT] = 0;
	sp = (struct sk_put_ctx){ .sc = sc, .rec = rec, .slot = pos, .area = area };
	bpf_loop(SAKER_STR__COUNT, sk_put_str, &sp, 0);
	size = area + sp.off;
	sc->hdr.size = size;
	bpf_probe_read_kernel(rec->b, sizeof(sc->hdr), &sc->hdr);
	asm volatile("" : "+r"(size));
	if (size > SK_REC_SIZE)
		size = SK_REC_SIZE;
	if (bpf_ringbuf_output(&saker_events, rec, size, 0)) {
		sk_stat(SAKER_STAT_LOST);
	} else {
		sk_stat(SAKER_STAT_RECORDS);
		cc.sent = 1;
	}
out:
	bpf_loop(n, sk_count_step, &cc, 0);
	sc->st.n_ids = 0;
	sc->st.part++;
	return 0;
}

/* ---- the hook ------------------------------------------------------------------------------ */

/* The per-event state of a new event: its result RET, EV (SAKER_EV_PACK of abi.h) and the
 * number NR it has in its ABI. The arguments are the caller's to fill. */
SK_INLINE void sk_begin(struct sk_scratch *sc, __s64 ret, __u32 ev, __u32 nr)
{
	struct sk_state *st = &sc->st;

	sk_stat(SAKER_STAT_SEEN);
	st->ret = ret;
	st->now = 0;
	st->event = SAKER_EV_ID(ev);
	st->family = SAKER_EV_FAMILY(ev);
	st->compat = SAKER_EV_COMPAT(ev);
	st->uring = 0;
	st->lsm = 0;
	st->task = 0;
	st->have = 0;
	st->fhave = 0;
	st->n_ids = 0;
	st->part = 0;
	st->tail_size = 0;
	for (int k = 0; k < SAKER_STR__COUNT; k++)
		st->str_len[k] = -1;
	sc->hdr.flags = st->compat ? SAKER_EVF_COMPAT : 0;
	sc->hdr.arch = st->compat ? SK_ARCH_I386 : SK_ARCH_X86_64;
	sc->hdr.nr = nr;
}
/* The call's arguments from the registers saved at entry, in order, whatever the ABI. */
SK_INLINE void sk_regs_args(struct sk_state *st, struct pt_regs *regs)
{
	if (st->compat) {
		/* i386: ebx, ecx, edx, esi, edi, ebp; the upper halves are not the call's */
		st->arg[0] = (__u32)regs->bx;
		st->arg[1] = (__u32)regs->cx;
		st->arg[2] = (__u32)regs->dx;
		st->arg[3] = (__u32)regs->si;
		st->arg[4] = (__u32)regs->di;
		st->arg[5] = (__u32)regs->bp;
	} else {
		st->arg[0] = regs->di;
		st->arg[1] = regs->si;
		st->arg[2] = regs->dx;
		st->arg[3] = regs->r10;
		st->arg[4] = regs->r8;
		st->arg[5] = regs->r9;
	}
}

/* The scratch, or NULL. The LSM hook's program can be preempted on a kernel with full
 * preemption (it runs with migration, not preemption, disabled), and a tracepoint of another
 * task can then run on this CPU: it leaves the scratch, which holds the open being evaluated,
 * alone, and says so. */
SK_INLINE struct sk_scratch *sk_scratch_idle(void)
{
	struct sk_scratch *sc = sk_scratch();

	if (!sc || !sc->st.lsm)
		return sc;
	sk_stat(SAKER_STAT_LOST_OTHER);
	return 0;
}

/* fam_net.bpf.c: turns an i386 socketcall into the socket call it stands for (sc->st.event and
 * its arguments); returns that event, or SK_EV__COUNT for a call saker does not hook. */
SK_SHARED __u32 sk_net_socketcall(struct sk_scratch *sc);
SK_SHARED void sk_net_lsm_uring(struct sk_scratch *sc, struct task_struct *t);

/* A syscall some rule looks at (EV: SAKER_EV_PACK of abi.h): its arguments in order, whatever
 * the ABI, then the rules. */
SK_INLINE int sk_handle(struct pt_regs *regs, __s64 ret, __u32 ev, __u32 nr)
{
	__u32 event = SAKER_EV_ID(ev);
	struct sk_scratch *sc = sk_scratch_idle();
	struct sk_state *st;

	if (!sc)
		return 0;
	st = &sc->st;
	sk_begin(sc, ret, ev, nr);
	sk_regs_args(st, regs);

	/* i386 socketcall(2): the network family gives the call it stands for, or none */
	if ((SAKER_VAR_FAMILIES & SK_FB(NET)) && event == SK_EV_SOCKETCALL &&
	    (event = sk_net_socketcall(sc)) == SK_EV__COUNT)
		return 0;
	SAKER_FN_MATCH(sc, event);
	if (st->n_ids)
		saker_tp_emit(0);
	/* the new image's arguments, for its children */
	if (st->family == SK_FAM_EXEC && ret == 0)
		sk_proc_exec(sc);
	return 0;
}

/* The attached program: it runs the body of the bundle in force, so that sakerd can replace
 * the bundle between two events without detaching anything (event.h, SAKER_HOOKS). */
SK_DISPATCHER("tp_btf/sys_exit", saker_sys_exit, saker_progs, SAKER_HOOK_SYS_EXIT, 0)

/* The syscall numbers of each ABI, from its table. */
enum {
#define SK_SYSNR(id, nr) SK_NR64_##id = nr,
#include "saker/syscalls_x86_64.def"
#undef SK_SYSNR
};
enum {
#define SK_SYSNR(id, nr) SK_NR32_##id = nr,
#include "saker/syscalls_i386.def"
#undef SK_SYSNR
};

SK_INLINE int sk_exec_nr(__u32 nr)
{
	return nr == SK_NR64_EXECVE || nr == SK_NR64_EXECVEAT || nr == SK_NR32_EXECVE ||
	       nr == SK_NR32_EXECVEAT;
}

/* The event of exec number NR (sk_exec_nr), in the ABI the call came through. */
SK_INLINE __u32 sk_exec_ev(__u32 nr)
{
	if (nr == SK_NR64_EXECVE)
		return SAKER_EV_PACK(SK_EV_EXECVE, SK_FAM_EXEC, 0);
	if (nr == SK_NR64_EXECVEAT)
		return SAKER_EV_PACK(SK_EV_EXECVEAT, SK_FAM_EXEC, 0);
	if (nr == SK_NR32_EXECVE)
		return SAKER_EV_PACK(SK_EV_EXECVE, SK_FAM_EXEC, 1);
	return SAKER_EV_PACK(SK_EV_EXECVEAT, SK_FAM_EXEC, 1);
}

/* Whether the exec hook saw the exec numbered NR that task T's syscall now ending made succeed;
 * the mark is cleared. */
SK_INLINE int sk_exec_took(struct task_struct *t, __u32 nr)
{
	__u32 *m = bpf_task_storage_get(&saker_lsm_mark, t, 0, 0);

	if (!m || *m != (nr | SK_MARK_EXEC))
		return 0;
	*m = 0;
	return 1;
}

/* Whether the LSM hook took the open this thread's syscall (or io_uring request, KEY
 * SK_MARK_URING) just made, which ended with RET: then it was reported there, whether it
 * succeeded, or failed because the hook refused it. One that failed after the hook let it
 * through (a device's open, another LSM) is reported here too, as the failed open it is. The
 * mark is cleared either way. */
SK_INLINE int sk_lsm_took(__u32 key, __s64 ret, int final)
{
	__u32 *m;
	int took;

	if (!sk_backend_has(SAKER_BACKEND_LSM))
		return 0;
	m = bpf_task_storage_get(&saker_lsm_mark, bpf_get_current_task_btf(), 0, 0);
	if (!m || (*m & ~SK_MARK_DENIED) != key)
		return 0;
	took = final || ret >= 0 || (*m & SK_MARK_DENIED);
	*m = 0;
	return took;
}

/* tp_btf/sys_exit: (struct pt_regs *regs, long ret). Every syscall passes here, so the path for
 * syscalls no rule needs is one load and the generated compares. The kernel runs the call
 * numbered by the low 32 bits of orig_ax (an int), whatever the upper ones hold. */
SEC("tp_btf/sys_exit")
int saker_sys_exit_run(unsigned long long *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	__u32 nr = (__u32)regs->orig_ax;
	int ev = SAKER_FN_EVENT(nr);
	__s64 ret = (__s64)ctx[1];

	/* A successful exec returns 0 with the new image in place, which may run under the other
	 * ABI (a 64-bit shell starting a 32-bit program sets TS_COMPAT, a 32-bit one starting a
	 * 64-bit program clears it): the entry is then misread, and the number with it. The
	 * exec numbers of the two tables are disjoint, so once the call is known to be an exec
	 * its number says which. That it was one is the exec hook's word (sk_exec_took): the
	 * number alone is not, since each is another call's in the other table (x86-64 11,
	 * munmap, is i386 execve; i386 59 and 322, oldolduname and timerfd_create, are x86-64
	 * execve and execveat), and a process can make such a call return 0 with its stack
	 * pointer where a fresh image has it. That stack pointer (mm->start_stack, where the
	 * kernel puts it) is the cheap test that spares a munmap the mark's lookup. */
	if ((SAKER_VAR_FAMILIES & SK_FB(EXEC)) && ctx[1] == 0 && sk_exec_nr(nr)) {
		struct task_struct *t = bpf_get_current_task_btf();

		if (regs->sp == BPF_CORE_READ(t, mm, start_stack) && sk_exec_took(t, nr)) {
			ev = sk_exec_ev(nr);
			goto handle;
		}
	}
	if (ev < 0)
		return 0;
	/* an open the LSM hook already took, a connect the connect hook did (which saw its
	 * result: FINAL), or one lsm/socket_connect refused (an i386 socketcall's too) */
	if ((SAKER_VAR_FAMILIES & SK_FB(OPEN)) && SAKER_EV_FAMILY(ev) == SK_FAM_OPEN &&
	    sk_lsm_took(nr | SK_MARK_SET, ret, 0))
		return 0;
	if ((SAKER_VAR_FAMILIES & SK_FB(NET)) &&
	    (SAKER_EV_ID(ev) == SK_EV_CONNECT || (SAKER_EV_ID(ev) == SK_EV_SOCKETCALL && ret == -1)) &&
	    sk_lsm_took(nr | SK_MARK_SET, ret, 1))
		return 0;
	/* a successful exec is only the one above; a failed one lsm/bprm_creds_from_file refused
	 * was reported there */
	if (SAKER_EV_FAMILY(ev) == SK_FAM_EXEC &&
	    (ret >= 0 || (ret == -1 && sk_lsm_took(nr | SK_MARK_SET, ret, 1))))
		return 0;
handle:
	/* inline, once: its frame is this program's, not one more under the rules' */
	return sk_handle(regs, ret, ev, nr);
}

/* ---- io_uring ------------------------------------------------------------------------------ */

/* io_uring operations that stand for a syscall (docs/kernel.md, "io_uring"), one line each:
 * X(IORING_OP_ number, the event of events.def it is, that syscall's x86-64 number (the
 * record's nr), its family, the family's prefix, whether it is taken at its submission when it
 * posts no completion on success (1: its arguments are complete once it is prepared; 0: its
 * socket is known only when it is issued, sk_uring_submitted)). The family's sk_<f>_uring(sc,
 * req) puts the operation's arguments into sc->st.arg in the syscall's order, from the request
 * the kernel holds; its accessors see sc->st.uring set. Adding an operation is one line here
 * and that function. */
#define SK_URING_OPS(X) \
	X(18, OPENAT, 257, OPEN, open, 1)   /* IORING_OP_OPENAT */ \
	X(28, OPENAT2, 437, OPEN, open, 1)  /* IORING_OP_OPENAT2 */ \
	X(16, CONNECT, 42, NET, net, 0)     /* IORING_OP_CONNECT */ \
	X(45, SOCKET, 41, NET, net, 1)      /* IORING_OP_SOCKET */ \
	X(13, ACCEPT4, 288, NET, net, 0)    /* IORING_OP_ACCEPT */ \
	X(9, SENDMSG, 46, NET, net, 0)      /* IORING_OP_SENDMSG */ \
	X(26, SENDTO, 44, NET, net, 0)      /* IORING_OP_SEND */

/* Who submitted REQ: req->task up to 6.12, req->tctx->task since. */
SK_INLINE struct task_struct *sk_uring_task(struct io_kiocb *req)
{
	if (bpf_core_field_exists(((struct io_kiocb___old *)0)->task))
		return BPF_CORE_READ((struct io_kiocb___old *)req, task);
	return BPF_CORE_READ(req, tctx, task);
}

/* An io_uring request whose operation is event EV (SAKER_EV_PACK) of x86-64 number NR: the same
 * event as the syscall, of the submitting task. At its completion, with the request's result;
 * SUBMITTED: at its submission (sk_uring_submitted), before it ran, result 0. */
static __attribute__((noinline)) int sk_uring_handle(__u64 r, __u32 ev, __u32 nr, __u32 submitted)
{
	struct io_kiocb *req = (struct io_kiocb *)r;
	struct sk_scratch *sc = sk_scratch_idle();
	struct sk_state *st;

	if (!sc)
		return 0;
	st = &sc->st;
	sk_begin(sc, submitted ? 0 : BPF_CORE_READ(req, cqe.res), ev, nr);
	for (int k = 0; k < 6; k++)
		st->arg[k] = 0;
	st->uring = submitted ? SK_URING_SUBMITTED : 1;
	st->task = (__u64)sk_uring_task(req);
	sc->hdr.flags |= SAKER_EVF_IO_URING | (submitted ? SAKER_EVF_SUBMITTED : 0);
	switch (st->event) {
#define SK_URING_ARGS(op, E, n, F, f, sub) case SK_EV_##E: sk_##f##_uring(sc, req); break;
		SK_URING_OPS(SK_URING_ARGS)
#undef SK_URING_ARGS
	}
	SAKER_FN_MATCH(sc, st->event);
	if (st->n_ids)
		saker_tp_emit(0);
	return 0;
}

/* Every io_uring completion passes here (the tracepoint fires as the CQE is filled; the
 * request's result is in req->cqe.res on every kernel, whatever the tracepoint's other
 * arguments, which changed in 6.3). Operations of families no rule looks at stop at the switch. */
SK_DISPATCHER("tp_btf/io_uring_complete", saker_io_uring, saker_progs_uring, SAKER_HOOK_IO_URING, 0)

/* A request at its submission, prepared (its arguments are the kernel's copy now). Taken here:
 * an operation SK_URING_OPS marks (an open, a socket) whose success posts no completion (IOSQE_CQE_SKIP_SUCCESS,
 * the request flag REQ_F_CQE_SKIP, whose bit is the sqe flag's, 6, in every version), which the
 * completion hook sees only if it fails. It is reported now, before it runs: res 0 (its failure
 * comes as a completion, reported then). An open's fd.name is the name submitted, made absolute,
 * and marked cut, since which file the open reaches is known only once it ran (fam_open.bpf.c),
 * so the rules on the path may match; a socket has its domain, type and protocol, and no
 * descriptor yet (the fd fields are missing). A connect, accept or send with the flag is not
 * taken: its socket's file is assigned only when the request is issued, after this tracepoint. */
#define SK_REQ_F_CQE_SKIP (1u << 6)

SK_INLINE int sk_uring_submitted(__u64 r)
{
	struct io_kiocb *req = (struct io_kiocb *)r;
	__u8 op = BPF_CORE_READ(req, opcode);
	__u32 flags = 0;

	/* the low 32 bits of req->flags (unsigned int up to 6.9, a u64 since) */
	bpf_core_read(&flags, sizeof(flags), &req->flags);
	if (!(flags & SK_REQ_F_CQE_SKIP))
		return 0;
	switch (op) {
#define SK_URING_SKIP_CASE(o, E, n, F, f, sub) \
	case o: \
		if (!(sub) || !(SAKER_VAR_FAMILIES & SK_FB(F))) \
			return 0; \
		return sk_uring_handle(r, SAKER_EV_PACK(SK_EV_##E, SK_FAM_##F, 0), n, 1);
		SK_URING_OPS(SK_URING_SKIP_CASE)
#undef SK_URING_SKIP_CASE
	}
	return 0;
}

/* tp_btf/io_uring_submit_req (struct io_kiocb *req), 6.4 on; tp_btf/io_uring_submit_sqe (struct
 * io_kiocb *req, bool force_nonblock) before. sakerd loads the one the kernel has. */
SK_DISPATCHER("tp_btf/io_uring_submit_req", saker_uring_submit, saker_progs_submit,
	      SAKER_HOOK_URING_SUBMIT, 0)

SEC("tp_btf/io_uring_submit_req")
int saker_uring_submit_run(unsigned long long *ctx)
{
	return sk_uring_submitted(ctx[0]);
}

SK_DISPATCHER("tp_btf/io_uring_submit_sqe", saker_uring_sqe, saker_progs_sqe, SAKER_HOOK_URING_SQE, 0)

SEC("tp_btf/io_uring_submit_sqe")
int saker_uring_sqe_run(unsigned long long *ctx)
{
	return sk_uring_submitted(ctx[0]);
}

/* An io_uring open or connect an LSM hook took: one it refused (and reported), when the
 * completion runs in the task the hook ran in. The others are reported here, on either back
 * end: lsm/file_open cannot tell IORING_OP_OPENAT from OPENAT2, nor knows the descriptor or
 * slot it gets, and lsm/socket_connect judges connects for deny only. */
SK_INLINE int sk_uring_lsm_took(__u64 req)
{
	__s32 res = BPF_CORE_READ((struct io_kiocb *)req, cqe.res);

	return res < 0 && sk_lsm_took(SK_MARK_URING, res, 0);
}

SEC("tp_btf/io_uring_complete")
int saker_io_uring_run(unsigned long long *ctx)
{
	__u64 req = ctx[1];
	__u8 op = BPF_CORE_READ((struct io_kiocb *)req, opcode);

	switch (op) {
#define SK_URING_CASE(o, E, n, F, f, sub) \
	case o: \
		if (!(SAKER_VAR_FAMILIES & SK_FB(F))) \
			return 0; \
		if ((SK_FAM_##F == SK_FAM_OPEN || SK_EV_##E == SK_EV_CONNECT) && \
		    sk_uring_lsm_took(req)) \
			return 0; \
		return sk_uring_handle(req, SAKER_EV_PACK(SK_EV_##E, SK_FAM_##F, 0), n, 0);
		SK_URING_OPS(SK_URING_CASE)
#undef SK_URING_CASE
	}
	return 0;
}

/* ---- the LSM back end ------------------------------------------------------------------------ */

/* Where the kernel runs BPF LSM programs, sakerd attaches this hook too (docs/kernel.md, "Back
 * ends"): every open that gets as far as opening a file passes lsm/file_open, whatever route it
 * took (a syscall of either ABI, io_uring, open_by_handle_at), with the struct file it is about
 * to install: no other thread can change which file that is. The open family's rules run here,
 * before the open completes, so that a rule of action deny can refuse it; the tracepoints then
 * leave to it the opens it took (sk_lsm_took). */
SK_DISPATCHER("lsm/file_open", saker_file_open, saker_progs_lsm, SAKER_HOOK_LSM_OPEN, (int)ctx[1])

#define SK_NR_IO_URING_ENTER 426 /* the same number in both ABIs */

/* fam_open.bpf.c: an io_uring open's arguments, as IORING_OP_OPENAT's, from its FILE. */
SK_SHARED void sk_open_lsm_uring(struct sk_scratch *sc, struct file *file);

/* The descriptor the kernel reserved for the open (alloc_fd() leaves next_fd one past it): what
 * the open will return. A thread of the same process reserving or freeing descriptors at the same
 * moment can move next_fd; the number is then another one, never negative. */
SK_INLINE __s64 sk_lsm_fd(struct task_struct *t)
{
	__u32 next = BPF_CORE_READ(t, files, next_fd);

	return next ? next - 1 : 0;
}

/* How task T reached an LSM hook: SK_VIA_NONE, a kernel thread (its saved registers are no
 * syscall's); SK_VIA_SYSCALL, in the syscall numbered *NR, whose registers are *REGS;
 * SK_VIA_URING, running an io_uring request (an io-wq worker, or inside io_uring_enter). */
enum { SK_VIA_NONE, SK_VIA_SYSCALL, SK_VIA_URING };
SK_INLINE int sk_lsm_via(struct task_struct *t, struct pt_regs **regs, __u32 *nr)
{
	if (t->flags & SK_PF_KTHREAD)
		return SK_VIA_NONE;
	if (t->flags & SK_PF_IO_WORKER)
		return SK_VIA_URING;
	*regs = (struct pt_regs *)bpf_task_pt_regs(t);
	*nr = (__u32)(*regs)->orig_ax;
	return *nr == SK_NR_IO_URING_ENTER ? SK_VIA_URING : SK_VIA_SYSCALL;
}

/* The end of an event judged for deny only (SK_LSM_JUDGE; docs/kernel.md), its rules run:
 * refused, it is sent, failing with EPERM, and task T is marked KEY | SK_MARK_DENIED for the
 * hook that would report the failure; let through, nothing is sent. Returns the verdict. */
SK_INLINE int sk_judged(struct sk_scratch *sc, struct task_struct *t, __u32 key)
{
	int deny = (sc->hdr.flags & SAKER_EVF_DENIED) != 0;
	__u32 *m;

	if (deny) {
		sc->st.ret = -1;
		saker_tp_emit(0);
		m = bpf_task_storage_get(&saker_lsm_mark, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (m)
			*m = key | SK_MARK_DENIED;
	}
	sc->st.n_ids = 0;
	sc->st.lsm = 0;
	return deny ? -1 /* -EPERM */ : 0;
}

/* An open the hook takes: event EV (SAKER_EV_PACK) numbered NR, of the syscall whose registers
 * are REGS or, REGS NULL, an io_uring request run by task T. Returns the hook's verdict. */
SK_INLINE int sk_lsm_handle(struct pt_regs *regs, struct file *file, __u32 ev, __u32 nr,
			    struct task_struct *t)
{
	/* NULL also while an open on this CPU, preempted in this program, is evaluated: this one
	 * is then left to the tracepoints (it is not marked), and cannot be denied */
	struct sk_scratch *sc = sk_scratch_idle();
	struct sk_state *st;
	__u32 key = nr | SK_MARK_SET, deny, *m = 0;

	if (!sc)
		return 0;
	st = &sc->st;
	/* one open per syscall: a second pass through the hook in the same call is the file
	 * under another one (overlayfs opens the real file from its own open), not another open */
	if (regs) {
		m = bpf_task_storage_get(&saker_lsm_mark, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (m && *m == key)
			return 0;
	}
	sk_begin(sc, sk_lsm_fd(t), ev, nr);
	/* an io_uring open is reported at its completion, unless refused here */
	st->lsm = SK_LSM_ON | SK_LSM_BEFORE | (regs ? 0 : SK_LSM_JUDGE);
	if (regs) {
		sk_regs_args(st, regs);
	} else {
		sk_open_lsm_uring(sc, file);
		st->task = (__u64)BPF_CORE_READ(t, group_leader);
		sc->hdr.flags |= SAKER_EVF_IO_URING;
	}
	st->arg[5] = (__u64)file;
	sc->hdr.flags |= SAKER_EVF_LSM;
	SAKER_FN_MATCH(sc, st->event);
	/* io_uring's completion needs the mark only for a refused open (sk_uring_lsm_took) */
	if (!regs)
		return sk_judged(sc, t, SK_MARK_URING);
	deny = (sc->hdr.flags & SAKER_EVF_DENIED) != 0;
	if (st->n_ids) {
		/* a refused open fails with EPERM, and has no descriptor */
		if (deny)
			st->ret = -1;
		saker_tp_emit(0);
	}
	/* the syscall's exit knows by this that the open was reported */
	if (m)
		*m = key | (deny ? SK_MARK_DENIED : 0);
	st->lsm = 0;
	return deny ? -1 /* -EPERM */ : 0;
}

/* lsm/file_open (struct file *file, int ret): RET is what an earlier program of the hook
 * decided, kept. The open's syscall is the one the task is in (its number in the registers
 * saved at entry; an exec's or a module load's opens are not opens of the family); an io_uring
 * worker (or an inline submission, inside io_uring_enter) runs an IORING_OP_OPENAT or OPENAT2,
 * which the hook cannot tell apart: both are event openat here, judged for deny only. */
SEC("lsm/file_open")
int saker_file_open_run(unsigned long long *ctx)
{
	struct file *file = (struct file *)ctx[0];
	int prev = (int)ctx[1];
	struct task_struct *t;
	struct pt_regs *regs;
	__u32 nr;
	int ev;

	if (prev || !(SAKER_VAR_FAMILIES & SK_FB(OPEN)))
		return prev;
	t = bpf_get_current_task_btf();
	switch (sk_lsm_via(t, &regs, &nr)) {
	case SK_VIA_NONE:
		return 0;
	case SK_VIA_SYSCALL:
		ev = SAKER_FN_EVENT(nr);
		if (ev < 0 || SAKER_EV_FAMILY(ev) != SK_FAM_OPEN)
			return 0;
		return sk_lsm_handle(regs, file, ev, nr, t);
	}
	/* io_uring: judged here only for the rules of action deny */
	if (!sk_backend_has(SAKER_BACKEND_DENY))
		return 0;
	return sk_lsm_handle(0, file, SAKER_EV_PACK(SK_EV_OPENAT, SK_FAM_OPEN, 0), SK_NR64_OPENAT, t);
}

/* The LSM back end's connect: fexit on __sys_connect_file (struct file *file, struct
 * sockaddr_storage *address, int addrlen, int file_flags, int ret), which every connect
 * reaches with the socket's file and the kernel's own copy of the address, and its result. It
 * takes the connect syscall of either ABI (io_uring's connect stays with its completion, i386
 * socketcall with sys_exit); the address is then read from the kernel's copy, which no thread
 * of the caller can rewrite, and the socket from the file itself (docs/kernel.md, "Back ends"). */
SK_DISPATCHER("fexit/__sys_connect_file", saker_connect, saker_progs_connect, SAKER_HOOK_CONNECT, 0)

SEC("fexit/__sys_connect_file")
int saker_connect_run(unsigned long long *ctx)
{
	struct task_struct *t;
	struct pt_regs *regs;
	struct sk_scratch *sc;
	struct sk_state *st;
	__u32 nr, *m;
	int ev;

	if (!(SAKER_VAR_FAMILIES & SK_FB(NET)))
		return 0;
	t = bpf_get_current_task_btf();
	if (t->flags & (SK_PF_KTHREAD | SK_PF_IO_WORKER))
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(t);
	nr = (__u32)regs->orig_ax;
	ev = SAKER_FN_EVENT(nr);
	if (ev < 0 || SAKER_EV_ID(ev) != SK_EV_CONNECT)
		return 0;
	/* refused by lsm/socket_connect (EPERM), and reported there; sys_exit clears the mark */
	if ((int)ctx[4] == -1) {
		m = bpf_task_storage_get(&saker_lsm_mark, t, 0, 0);
		if (m && *m == (nr | SK_MARK_SET | SK_MARK_DENIED))
			return 0;
	}
	sc = sk_scratch_idle();
	if (!sc)
		return 0;
	st = &sc->st;
	sk_begin(sc, (__s64)(int)ctx[4], ev, nr);
	st->lsm = SK_LSM_ON;
	sk_regs_args(st, regs);
	st->arg[4] = ctx[1]; /* the kernel's copy of the address */
	st->arg[5] = ctx[0]; /* the socket's file */
	sc->hdr.flags |= SAKER_EVF_LSM;
	SAKER_FN_MATCH(sc, st->event);
	if (st->n_ids)
		saker_tp_emit(0);
	m = bpf_task_storage_get(&saker_lsm_mark, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (m)
		*m = nr | SK_MARK_SET;
	st->lsm = 0;
	return 0;
}

/* The LSM back end's refusal of connects: lsm/socket_connect (struct socket *sock, struct
 * sockaddr *address, int addrlen, int ret) runs inside __sys_connect_file, which every connect
 * reaches (the syscall of either ABI, i386 socketcall, io_uring's IORING_OP_CONNECT inline or in
 * an io-wq worker), with the kernel's copy of the address, before the socket is asked to connect.
 * It judges the connect for the rules of action deny only (sakerd set SAKER_BACKEND_DENY), as the
 * connect it is about to be: result 0, the socket as it is before the connect (no local port
 * yet unless bound, not connected), the peer from the kernel's copy. A refused connect fails with
 * EPERM and is reported here, once: the connect hook, sys_exit and io_uring's completion skip it
 * by the thread's mark. One let through is reported by those, with its result. */
SK_DISPATCHER("lsm/socket_connect", saker_socket_connect, saker_progs_lsm_connect,
	      SAKER_HOOK_LSM_CONNECT, (int)ctx[3])

/* struct socket's file (a flavour: fam_sock.h has the members the family reads) */
struct socket___file {
	struct file *file;
} SK_CORE;

SK_INLINE int sk_connect_judge(struct pt_regs *regs, struct socket___file *sock, __u64 addr,
			       __u32 ev, __u32 nr, struct task_struct *t)
{
	/* NULL also while an event on this CPU, preempted in an LSM program, is evaluated: the
	 * connect is then not judged (it cannot be refused), and is reported by the others */
	struct sk_scratch *sc = sk_scratch_idle();
	struct sk_state *st;

	if (!sc)
		return 0;
	st = &sc->st;
	sk_begin(sc, 0, ev, nr);
	st->lsm = SK_LSM_ON | SK_LSM_BEFORE | SK_LSM_JUDGE;
	if (regs) {
		sk_regs_args(st, regs);
		/* i386 socketcall(2): only its connect */
		if (SAKER_EV_ID(ev) == SK_EV_SOCKETCALL && sk_net_socketcall(sc) != SK_EV_CONNECT) {
			st->lsm = 0;
			return 0;
		}
	} else {
		sk_net_lsm_uring(sc, t);
	}
	st->arg[4] = addr; /* the kernel's copy of the address */
	st->arg[5] = (__u64)BPF_CORE_READ(sock, file);
	sc->hdr.flags |= SAKER_EVF_LSM;
	SAKER_FN_MATCH(sc, st->event);
	return sk_judged(sc, t, regs ? nr | SK_MARK_SET : SK_MARK_URING);
}

SEC("lsm/socket_connect")
int saker_socket_connect_run(unsigned long long *ctx)
{
	struct socket___file *sock = (struct socket___file *)ctx[0];
	int prev = (int)ctx[3];
	struct task_struct *t;
	struct pt_regs *regs;
	__u32 nr;
	int ev;

	if (prev || !(SAKER_VAR_FAMILIES & SK_FB(NET)) || !sk_backend_has(SAKER_BACKEND_DENY))
		return prev;
	t = bpf_get_current_task_btf();
	switch (sk_lsm_via(t, &regs, &nr)) {
	case SK_VIA_NONE:
		return 0;
	case SK_VIA_SYSCALL:
		ev = SAKER_FN_EVENT(nr);
		if (ev < 0 || (SAKER_EV_ID(ev) != SK_EV_CONNECT && SAKER_EV_ID(ev) != SK_EV_SOCKETCALL))
			return 0;
		return sk_connect_judge(regs, sock, ctx[1], ev, nr, t);
	}
	return sk_connect_judge(0, sock, ctx[1], SAKER_EV_PACK(SK_EV_CONNECT, SK_FAM_NET, 0),
				SK_NR64_CONNECT, t);
}

/* The LSM back end's refusal of execs: lsm/bprm_creds_from_file (struct linux_binprm *bprm,
 * struct file *file, int ret) runs in begin_new_exec, once per exec, once the binary format
 * has found the final executable (the interpreter of a script) and before the point of no
 * return, in the task that calls exec, whatever its route (execve or execveat from either ABI).
 * It judges the exec for the rules of action deny only (sakerd set SAKER_BACKEND_DENY), as the
 * exec it is about to be: result 0, the process fields of the new image where the new image
 * changes them (sk_bprm: its name, executable and credentials from BPRM; proc.exe and proc.args,
 * captured only, from the call), the others (pid, parents, cwd, tty, container) the task's. A
 * refused exec fails with EPERM, the caller's image untouched, and is reported here, once:
 * sys_exit skips it by the thread's mark. One let through is reported by sys_exit, after it
 * happened, with the new image's fields. */
SK_DISPATCHER("lsm/bprm_creds_from_file", saker_bprm_creds, saker_progs_lsm_exec,
	      SAKER_HOOK_LSM_EXEC, (int)ctx[2])

SEC("lsm/bprm_creds_from_file")
int saker_bprm_creds_run(unsigned long long *ctx)
{
	int prev = (int)ctx[2];
	struct task_struct *t;
	struct pt_regs *regs;
	struct sk_scratch *sc;
	struct sk_state *st;
	__u32 nr;

	if (prev || !(SAKER_VAR_FAMILIES & SK_FB(EXEC)) || !sk_backend_has(SAKER_BACKEND_DENY))
		return prev;
	t = bpf_get_current_task_btf();
	/* a kernel thread's exec (a user-mode helper) is no syscall: no exec number */
	regs = (struct pt_regs *)bpf_task_pt_regs(t);
	nr = (__u32)regs->orig_ax;
	if (!sk_exec_nr(nr))
		return 0;
	/* NULL also while an event on this CPU, preempted in an LSM program, is evaluated: the exec
	 * is then not judged (it cannot be refused), and sys_exit reports it */
	sc = sk_scratch_idle();
	if (!sc)
		return 0;
	st = &sc->st;
	sk_begin(sc, 0, sk_exec_ev(nr), nr);
	st->lsm = SK_LSM_ON | SK_LSM_BEFORE | SK_LSM_JUDGE;
	sk_regs_args(st, regs);
	st->arg[5] = ctx[0]; /* the struct linux_binprm: sk_bprm */
	sc->hdr.flags |= SAKER_EVF_LSM;
	SAKER_FN_MATCH(sc, st->event);
	return sk_judged(sc, t, nr | SK_MARK_SET);
}

/* ---- the process table's hooks -------------------------------------------------------------- */

/* tp_btf/sched_process_exit (struct task_struct *p, ...): the group leader's exit forgets the
 * process. */
SK_DISPATCHER("tp_btf/sched_process_exit", saker_proc_exit, saker_progs_exit, SAKER_HOOK_EXIT, 0)

SEC("tp_btf/sched_process_exit")
int saker_proc_exit_run(unsigned long long *ctx)
{
	if (SAKER_VAR_FAMILIES & SK_FB(EXEC))
		sk_proc_exit((struct task_struct *)ctx[0]);
	return 0;
}

/* tp_btf/sched_process_exec (struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm):
 * an exec past its point of no return, in the task that made it, on every back end. It marks
 * the task, for the exec's sys_exit (sk_exec_took): no other call can be taken for an exec. A
 * kernel thread's exec (a user-mode helper) was no syscall: its registers hold no exec number,
 * and it stays unmarked. */
SK_DISPATCHER("tp_btf/sched_process_exec", saker_proc_exec, saker_progs_exec, SAKER_HOOK_EXEC, 0)

SEC("tp_btf/sched_process_exec")
int saker_proc_exec_run(unsigned long long *ctx)
{
	struct task_struct *t;
	__u32 nr, *m;

	(void)ctx;
	if (!(SAKER_VAR_FAMILIES & SK_FB(EXEC)))
		return 0;
	t = bpf_get_current_task_btf();
	nr = (__u32)((struct pt_regs *)bpf_task_pt_regs(t))->orig_ax;
	if (!sk_exec_nr(nr))
		return 0;
	m = bpf_task_storage_get(&saker_lsm_mark, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (m)
		*m = nr | SK_MARK_EXEC;
	return 0;
}
