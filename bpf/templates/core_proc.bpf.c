/* The process fields every event has, read from the current task when a rule or a record needs
 * them: the header's process block (start time, tty, session id, what the executable is), the
 * working directory, the arg area (proc.exe, proc.args), the ancestors' names and the session
 * leader's, and the parent's arguments from the process table this file keeps (saker_procs:
 * filled at each successful exec, removed at exit, least recently used entries dropped when
 * full; sakerd fills it for the processes that were there before it, from /proc). */
#include "core.h"

#define SK_ANC_WALK 16 /* ancestors looked at for the session leader */
#define SK_PROCS    4096 /* processes the table remembers (least recently used go first) */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SK_PROCS);
	__type(key, __u32);
	__type(value, struct saker_proc_entry);
} saker_procs SEC(".maps");

/* The number struct pid P has at LEVEL, and that level's namespace in *NS. */
SK_INLINE __u32 sk_pnr(struct pid *p, __u32 level, __u64 *ns)
{
	struct upid u = { 0 };
	__u64 off = bpf_core_field_offset(struct pid, numbers) + (__u64)(level & 31) * sizeof(u);

	bpf_probe_read_kernel(&u, sizeof(u), (char *)p + off);
	*ns = (__u64)u.ns;
	return u.nr;
}

/* ---- the header's process block ------------------------------------------------------------ */

SK_INLINE void sk_get_pblock(struct sk_scratch *sc)
{
	struct task_struct *task = sk_task();
	struct signal_struct *sig = BPF_CORE_READ(task, signal);
	struct tty_struct *tty = BPF_CORE_READ(sig, tty);
	struct pid *sp = BPF_CORE_READ(sig, pids[SK_PIDTYPE_SID]);
	struct pid *tp = BPF_CORE_READ(task, thread_pid);
	struct linux_binprm *bprm = sk_bprm(sc);
	/* an exec judged before its image: what the file it runs is */
	struct file *exe = bprm ? BPF_CORE_READ(bprm, file) : BPF_CORE_READ(task, mm, exe_file);
	__u32 level = BPF_CORE_READ(tp, level);
	__u64 ns = 0, sns = 0;

	sc->hdr.pstart_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	sc->hdr.tty = 0;
	sc->hdr.sid = 0;
	sc->hdr.pflags = 0;
	sc->hdr.pad = 0;
	if (tty) {
		__u32 major = BPF_CORE_READ(tty, driver, major);
		__u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);

		/* new_encode_dev, as Falco prints it */
		sc->hdr.tty = (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
		sc->hdr.pflags |= SAKER_PROCF_TTY;
	}
	/* the session's number in the task's namespace: 0 when it began outside it */
	sk_pnr(tp, level, &ns);
	if (sp && BPF_CORE_READ(sp, level) >= level) {
		__u32 nr = sk_pnr(sp, level, &sns);

		if (sns == ns)
			sc->hdr.sid = nr;
	}
	if (exe) {
		struct inode *ino = BPF_CORE_READ(exe, f_inode);
		const unsigned char *name = BPF_CORE_READ(exe, f_path.dentry, d_name.name);
		char pfx[8] = { 0 };

		/* memfd_create's files are named "memfd:<name>" and have no link */
		bpf_probe_read_kernel(pfx, 6, name);
		if (pfx[0] == 'm' && pfx[1] == 'e' && pfx[2] == 'm' && pfx[3] == 'f' && pfx[4] == 'd' &&
		    pfx[5] == ':' && BPF_CORE_READ(ino, i_nlink) == 0)
			sc->hdr.pflags |= SAKER_PROCF_EXE_MEMFD;
		/* an overlayfs inode is the vfs_inode of struct ovl_inode, followed by its upper
		 * dentry: set when the file exists in the upper layer (written after the container
		 * started, or copied up). The driver Falco uses reads it the same way. */
		if (BPF_CORE_READ(ino, i_sb, s_magic) == SK_OVERLAYFS_MAGIC) {
			void *upper = 0;

			bpf_probe_read_kernel(&upper, sizeof(upper),
					      (char *)ino + bpf_core_type_size(struct inode));
			if (upper)
				sc->hdr.pflags |= SAKER_PROCF_EXE_UPPER;
		}
	}
	sc->hdr.flags |= SAKER_EVF_PROC;
}

/* ---- proc.cwd ------------------------------------------------------------------------------- */

SK_INLINE void sk_get_cwd(struct sk_scratch *sc)
{
	struct task_struct *task = sk_task();
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	char *dst = sk_slot(sc, SAKER_STR_CWD);
	int trunc = 0;
	__s64 pos;
	__u32 n;

	if (!fs)
		return;
	pos = sk_walk(sc, (__u64)BPF_CORE_READ(fs, pwd.dentry), (__u64)BPF_CORE_READ(fs, pwd.mnt),
		      &trunc);
	n = (SK_HALF - 1 - pos) & (SK_HALF - 1);
	if (n)
		bpf_probe_read_kernel(dst, n & (SK_HALF - 1), &sc->walk[pos & (SK_HALF - 1)]);
	/* Falco's cwd ends with '/' */
	if (n < SAKER_STR_MAX) {
		dst[n & (SK_HALF - 1)] = '/';
		n++;
	} else {
		trunc = 1;
	}
	dst[n & (SK_HALF - 1)] = 0;
	sc->st.str_len[SAKER_STR_CWD] = n;
	if (trunc) {
		sc->hdr.flags |= SAKER_EVF_CWD_TRUNC;
		sk_stat(SAKER_STAT_PATH_TRUNC);
	}
}

/* ---- the arg area ----------------------------------------------------------------------------- */

/* One byte of an arg area read into E->args: the first NUL ends argv[0], later ones become the
 * spaces between arguments. */
static long sk_args_step(__u32 i, void *arg)
{
	struct sk_scratch *sc = ((struct sk_cb *)arg)->sc;
	char *a = sc->pe.args;

	if (i >= sc->pe.len)
		return 1;
	if (a[i & (SAKER_ARGS_MAX - 1)])
		return 0;
	if (sc->pe.e0 == 0xffff)
		sc->pe.e0 = i;
	else
		a[i & (SAKER_ARGS_MAX - 1)] = ' ';
	return 0;
}

/* The slots of the strings of E (EXE and ARGS, or PEXE and PARGS) at scratch offset BASE. */
SK_INLINE void sk_args_slots(struct sk_scratch *sc, const struct saker_proc_entry *e, __u32 base,
			     int exe, int args)
{
	__u32 e0 = e->e0 > e->len ? e->len : e->e0;

	sc->st.str_off[exe] = base;
	sc->st.str_len[exe] = e0;
	sc->st.str_off[args] = base + (e0 < e->len ? e0 + 1 : e0);
	sc->st.str_len[args] = e0 < e->len ? e->len - e0 - 1 : 0;
}

#define SK_CALL_ARGV 64 /* arguments of an exec judged before its image read from the call */

/* The argv of the exec judged before its image: execve (path, argv, envp), execveat (dirfd,
 * path, argv, envp, flags). */
SK_INLINE __u64 sk_call_argv(struct sk_scratch *sc)
{
	return sc->st.event == SK_EV_EXECVEAT ? sc->st.arg[2] : sc->st.arg[1];
}

/* One argument of the exec judged before its image (sk_call_args): the string at argv[I] of the
 * call appended to sc->pe.args with its NUL, as in an arg area. The loop state is sc->hx's (free
 * once proc.name and container.id are computed): len, the bytes so far; run, 1 while going on,
 * 2 at argv's end, 0 once cut. */
static long sk_argv_step(__u32 i, void *arg)
{
	struct sk_scratch *sc = ((struct sk_cb *)arg)->sc;
	__u32 w = sc->st.compat ? 4 : 8, p = sc->hx.len & (SAKER_ARGS_MAX - 1);
	__u64 ptr = 0;
	long n;

	if (sc->hx.len >= SAKER_ARGS_MAX - 1) {
		sc->hx.run = 0;
		return 1;
	}
	if (bpf_probe_read_user(&ptr, w, (void *)(sk_call_argv(sc) + (__u64)i * w)) || !ptr) {
		sc->hx.run = 2;
		return 1;
	}
	n = bpf_probe_read_user_str(&sc->pe.args[p], SAKER_ARGS_MAX - p, (void *)ptr);
	if (n <= 0) {
		sc->hx.run = 2;
		return 1;
	}
	sc->hx.len = p + n;
	return 0;
}

/* The arguments of an exec judged before its image is in place: the new arg area does not exist
 * yet (the kernel is building it in an mm that is not the task's), so they are the call's argv,
 * read from the caller's memory after the kernel copied it (another thread of the caller can
 * have changed them since: these fields are captured for the alert, and no rule tests them in
 * the kernel). A script's interpreter is not in front of them, as it is in the new image's.
 * Returns the bytes read, as an arg area (each string with its NUL), or 0. */
SK_INLINE __u64 sk_call_args(struct sk_scratch *sc)
{
	struct sk_cb cb = { .sc = sc };

	sc->hx.len = 0;
	sc->hx.run = 1;
	if (!sk_call_argv(sc))
		return 0;
	bpf_loop(SK_CALL_ARGV, sk_argv_step, &cb, 0);
	/* cut by the area's size, or more arguments than the loop reads */
	if (sc->hx.run != 2 || sc->hx.len > SAKER_ARGS_MAX - 1) {
		sc->hdr.flags |= SAKER_EVF_ARGS_TRUNC;
		sk_stat(SAKER_STAT_ARG_TRUNC);
		return SAKER_ARGS_MAX - 1;
	}
	return sc->hx.len;
}

SK_INLINE void sk_get_args(struct sk_scratch *sc)
{
	struct task_struct *task = sk_task();
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	struct sk_cb cb = { .sc = sc };
	__u64 start, end, n;
	int last_nul;

	if (sk_bprm(sc)) {
		n = sk_call_args(sc);
		if (!n)
			return;
		goto area;
	}
	if (!mm)
		return; /* a kernel thread has none */
	start = BPF_CORE_READ(mm, arg_start);
	end = BPF_CORE_READ(mm, arg_end);
	if (end <= start)
		return;
	n = end - start;
	if (n > SAKER_ARGS_MAX - 1) {
		n = SAKER_ARGS_MAX - 1;
		sc->hdr.flags |= SAKER_EVF_ARGS_TRUNC;
		sk_stat(SAKER_STAT_ARG_TRUNC);
	}
	if (bpf_probe_read_user(sc->pe.args, n & (SAKER_ARGS_MAX - 1), (void *)start))
		return;
area:
	/* the area ends with its last argument's NUL; a cut one does not */
	last_nul = sc->pe.args[(n - 1) & (SAKER_ARGS_MAX - 1)] == 0;
	if (last_nul && !(sc->hdr.flags & SAKER_EVF_ARGS_TRUNC))
		n--;
	sc->pe.args[n & (SAKER_ARGS_MAX - 1)] = 0;
	sc->pe.len = n;
	sc->pe.e0 = 0xffff;
	bpf_loop(SAKER_ARGS_MAX, sk_args_step, &cb, 0);
	if (sc->pe.e0 == 0xffff)
		sc->pe.e0 = n;
	sk_args_slots(sc, &sc->pe, __builtin_offsetof(struct sk_scratch, pe.args), SAKER_STR_EXE,
		      SAKER_STR_ARGS);
}

#define SK_PPROC_UP 4 /* ancestors looked at for a parent that forked without exec */

/* T's entry in the process table, if it is T's (not one of a process gone whose pid T reuses). */
SK_INLINE struct saker_proc_entry *sk_proc_entry(struct task_struct *t)
{
	__u32 key = BPF_CORE_READ(t, tgid);
	struct saker_proc_entry *e = bpf_map_lookup_elem(&saker_procs, &key);
	__u64 start;

	if (!e)
		return NULL;
	start = BPF_CORE_READ(t, group_leader, start_boottime);
	if (e->src == SAKER_PROC_SRC_PROC ? e->start_ns / SAKER_PROC_TICK_NS != start / SAKER_PROC_TICK_NS
					  : e->start_ns != start)
		return NULL;
	return e;
}

/* The parent's arguments, when the process table knows them. A parent that forked without
 * exec (a subshell) has no entry of its own: its arguments are those of the image it runs, which
 * an ancestor exec'd; the ancestors up to SK_PPROC_UP levels are looked at while they run that
 * same image (the same struct file as mm->exe_file: a fork shares it, every exec opens a new one,
 * so an ancestor that exec'd since, or a reaper the parent was moved to, ends the walk). As
 * Falco's copy of the arguments at fork, this is what the image was started with. */
SK_INLINE void sk_get_pproc(struct sk_scratch *sc)
{
	struct task_struct *p = BPF_CORE_READ(sk_task(), real_parent), *a;
	struct saker_proc_entry *e;
	struct file *exe;

	if (!p)
		return;
	e = sk_proc_entry(p);
	exe = e ? NULL : BPF_CORE_READ(p, mm, exe_file);
	a = p;
#pragma unroll
	for (int i = 0; i < SK_PPROC_UP && !e && exe; i++) {
		a = BPF_CORE_READ(a, real_parent);
		if (!a || BPF_CORE_READ(a, mm, exe_file) != exe)
			break;
		e = sk_proc_entry(a);
	}
	if (!e || e->len > SAKER_ARGS_MAX - 1)
		return;
	bpf_probe_read_kernel(&sc->pstr[SK_PS_PARGS], (e->len + 1) & (SAKER_ARGS_MAX - 1), e->args);
	sk_args_slots(sc, e, __builtin_offsetof(struct sk_scratch, pstr) + SK_PS_PARGS,
		      SAKER_STR_PEXE, SAKER_STR_PARGS);
}

/* ---- ancestors --------------------------------------------------------------------------------- */

/* One step up the ancestors: the parent of the task at sc->an.a. A bpf_loop callback, so that
 * the verifier checks one step, not SK_ANC_WALK of them. */
static long sk_anc_step(__u32 i, void *arg)
{
	struct sk_scratch *sc = ((struct sk_cb *)arg)->sc;
	struct sk_anc *an = &sc->an;
	struct task_struct *a = (struct task_struct *)an->a;
	struct task_struct *p = BPF_CORE_READ(a, real_parent);

	/* the chain ends at init: its parent, the idle task (tgid 0), is no process */
	if (!p || p == a || BPF_CORE_READ(p, tgid) == 0)
		return 1;
	an->a = (__u64)p;
	if (i < SAKER_ANAME_MAX) {
		__u32 off = SK_PS_ANAME + (i & (SAKER_ANAME_MAX - 1)) * SAKER_COMM_LEN;
		long n;

		__builtin_memset(&sc->pstr[off], 0, SAKER_COMM_LEN);
		n = bpf_probe_read_kernel_str(&sc->pstr[off], SAKER_COMM_LEN, &p->comm);
		sc->st.str_off[SAKER_STR_ANAME1 + (i & (SAKER_ANAME_MAX - 1))] =
			__builtin_offsetof(struct sk_scratch, pstr) + off;
		sc->st.str_len[SAKER_STR_ANAME1 + (i & (SAKER_ANAME_MAX - 1))] = n > 0 ? n - 1 : 0;
	}
	/* no leader below: the eldest ancestor still in the session, as libsinsp */
	if (!an->sl && an->in_session) {
		if ((__u64)BPF_CORE_READ(p, signal, pids[SK_PIDTYPE_SID]) != an->sp)
			an->in_session = 0;
		else
			an->eldest = (__u64)p;
		if ((__u64)BPF_CORE_READ(p, group_leader, thread_pid) == an->sp)
			an->sl = (__u64)p;
	}
	return an->sl && i >= SAKER_ANAME_MAX - 1;
}

SK_INLINE void sk_get_anc(struct sk_scratch *sc)
{
	struct task_struct *task = sk_task();
	struct sk_anc *an = &sc->an;
	struct sk_cb cb = { .sc = sc };
	struct task_struct *sl;

	an->a = (__u64)task;
	an->sp = (__u64)BPF_CORE_READ(task, signal, pids[SK_PIDTYPE_SID]);
	an->sl = 0;
	an->eldest = 0;
	an->in_session = 1;
	/* the leader of the session is the task whose thread group it numbers */
	if (an->sp && (__u64)BPF_CORE_READ(task, group_leader, thread_pid) == an->sp)
		an->sl = (__u64)task;
	bpf_loop(SK_ANC_WALK, sk_anc_step, &cb, 0);
	sl = (struct task_struct *)(an->sl ? an->sl : an->eldest);
	if (sl) {
		char *dst = &sc->pstr[SK_PS_SNAME];
		long n;

		__builtin_memset(dst, 0, SAKER_COMM_LEN);
		n = bpf_probe_read_kernel_str(dst, SAKER_COMM_LEN, &sl->comm);
		sc->st.str_off[SAKER_STR_SNAME] = __builtin_offsetof(struct sk_scratch, pstr) +
						  SK_PS_SNAME;
		sc->st.str_len[SAKER_STR_SNAME] = n > 0 ? n - 1 : 0;
	}
}

SK_SHARED void sk_proc_compute(struct sk_scratch *sc, __u32 g)
{
	if (g & SK_G_PROC)
		sk_get_pblock(sc);
	if (g & SK_G_CWD)
		sk_get_cwd(sc);
	if (g & SK_G_ARGS)
		sk_get_args(sc);
	if (g & SK_G_ANC)
		sk_get_anc(sc);
	if (g & SK_G_PPROC)
		sk_get_pproc(sc);
}

/* ---- accessors ------------------------------------------------------------------------------- */

SK_INLINE void sk_pneed(struct sk_scratch *sc, __u32 g)
{
	if (!(sc->st.have & g)) {
		sc->st.have |= g;
		sk_proc_compute(sc, g);
	}
}

SK_SHARED int sk_proc_int(struct sk_scratch *sc, int field, __s64 *v)
{
	switch (field) {
	case SK_FLD_PROC_TTY:
		sk_pneed(sc, SK_G_PROC);
		*v = sc->hdr.tty;
		return 1;
	case SK_FLD_PROC_SID:
		sk_pneed(sc, SK_G_PROC);
		*v = sc->hdr.sid;
		return 1;
	case SK_FLD_PROC_DURATION:
		sk_pneed(sc, SK_G_PROC);
		*v = sk_now(sc) - sc->hdr.pstart_ns;
		return 1;
	case SK_FLD_PROC_IS_EXE_FROM_MEMFD:
		sk_pneed(sc, SK_G_PROC);
		*v = (sc->hdr.pflags & SAKER_PROCF_EXE_MEMFD) != 0;
		return 1;
	case SK_FLD_PROC_IS_EXE_UPPER_LAYER:
		sk_pneed(sc, SK_G_PROC);
		*v = (sc->hdr.pflags & SAKER_PROCF_EXE_UPPER) != 0;
		return 1;
	}
	return 0;
}

SK_SHARED int sk_proc_str(struct sk_scratch *sc, int field, const char **p)
{
	switch (field) {
	case SK_FLD_PROC_CWD:
		sk_pneed(sc, SK_G_CWD);
		*p = sc->str[SAKER_STR_CWD];
		if (sc->st.str_len[SAKER_STR_CWD] < 0)
			return -1;
		return sc->st.str_len[SAKER_STR_CWD] & SAKER_STR_MAX;
	}
	return -1;
}

/* ---- the process table ------------------------------------------------------------------------ */

SK_SHARED void sk_proc_exec(struct sk_scratch *sc)
{
	struct task_struct *task = sk_task();
	__u32 key = BPF_CORE_READ(task, tgid);

	sk_pneed(sc, SK_G_ARGS);
	if (sc->st.str_len[SAKER_STR_EXE] < 0) {
		bpf_map_delete_elem(&saker_procs, &key);
		return;
	}
	sc->pe.start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	sc->pe.src = SAKER_PROC_SRC_EXEC;
	bpf_map_update_elem(&saker_procs, &key, &sc->pe, BPF_ANY);
}

/* A process ends with its group leader (a leader that exits before its threads takes the
 * entry with it: their children then have no proc.pcmdline). */
SK_SHARED void sk_proc_exit(struct task_struct *task)
{
	__u32 key = BPF_CORE_READ(task, tgid);

	if (BPF_CORE_READ(task, pid) == key)
		bpf_map_delete_elem(&saker_procs, &key);
}
