/* The kernel side every ruleset shares: the sys_exit hook, the lazily computed fields the
 * generated predicates ask for (abi.h), the path and container-id walks, and event output. */
#include "kernel.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "abi.h"
#include "saker/event.h"
#include "saker/fields.h"

#define SK_INLINE  static __attribute__((always_inline)) inline
/* Accessors the generated code calls: external so they survive until linking, where codegen
 * makes them internal again and they are inlined. */
#define SK_EXPORT  __attribute__((always_inline))
/* BPF global functions: the verifier checks them once, on their own, not at every call. */
#define SK_GLOBAL  __attribute__((noinline))

#define SK_WALK_MAX   64     /* path components per walk */
#define SK_MNT_MAX    16     /* mount crossings per walk */
#define SK_HALF       4096   /* the walk buffer is two halves: masked offsets never overflow */
#define SK_NAME_MAX   255    /* longest dentry name copied */
#define SK_CG_NAME    128    /* bytes of a cgroup directory name examined */
#define SK_CG_LEVELS  4      /* cgroup leaf and parents searched for a container id */
#define SK_CID_HEX    64     /* a container id is a run of this many hex digits */
#define SK_NORM_DEPTH 2048   /* components of a normalised path: each takes 2 of its 4095 bytes */
#define SK_AT_FDCWD   -100

#define SK_S_IFMT    0170000
#define SK_S_IFDIR   0040000
#define SK_O_WRONLY  01
#define SK_O_ACCMODE 03
#define SK_O_CREAT   0100
#define SK_O_TRUNC   01000
#define SK_FMODE_READ  0x1
#define SK_FMODE_WRITE 0x2

/* Groups of fields computed together, once per event (sk_state.have). */
enum {
	SK_G_IDS    = 1 << 0, /* pid, tid */
	SK_G_CRED   = 1 << 1, /* uid, gid, loginuid */
	SK_G_COMM   = 1 << 2,
	SK_G_PARENT = 1 << 3, /* ppid, pcomm */
	SK_G_CID    = 1 << 4, /* container id */
	SK_G_FLAGS  = 1 << 5, /* open flags */
	SK_G_PATH   = 1 << 6, /* fd.name and the fd type */
	SK_G_EXE    = 1 << 7, /* proc.exepath */
	SK_G_ALL    = (1 << 8) - 1,
};

/* The event being evaluated. It lives in the map rather than on the stack on purpose: the
 * verifier does not track map contents, so the paths through the rules (which differ only in
 * what was computed and matched) look alike to it and are pruned instead of multiplied. */
struct sk_state {
	__s64 ret;        /* syscall return value */
	__u64 nr;         /* syscall number */
	__u64 arg_di;     /* regs->di, si and dx: the open's path, dirfd and flags */
	__u64 arg_si;
	__u64 arg_dx;
	__u32 have;       /* SK_G_* computed */
	__u32 any;        /* some rule matched */
	__u32 open;       /* the syscall is of the open family */
	__u32 flags_ok;   /* open_flags could be read */
	__s32 comm_len, pcomm_len, cid_len, leaf_len;
};

/* Loop states of the bpf_loop callbacks. They too live in the map: a loop variable on the stack
 * is a different verifier state at every iteration, and the callback would be checked once per
 * value instead of once. */
struct sk_walk {
	__u64 d, vm, m;          /* current dentry, its vfsmount and struct mount */
	__u64 root_d, root_vm;   /* the task's root: the walk stops there */
	__u64 mnt_off;           /* offsetof(struct mount, mnt) on this kernel */
	__s64 pos;               /* the path so far is walk[pos, SK_HALF - 1) */
	__s32 leaf;              /* length of the last component, -1 until known */
	__u32 done;              /* 1 reached the root, 2 ran out of room */
	__u32 names, mounts;     /* components prepended, mounts crossed */
};

/* Textual normalisation of a failed open's path; see sk_norm_step */
struct sk_norm {
	__u32 i, end;                 /* next input byte in walk[], the input's end */
	__s32 out;                    /* bytes of ev.path written */
	__s32 seg;                    /* where the component being copied starts (its '/'), or -1 */
	__u32 depth;                  /* components kept */
	__u32 cut;                    /* ev.path ran out of room */
	__u16 start[SK_NORM_DEPTH];   /* where each kept component starts: '..' goes back there */
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

/* Per-CPU working memory: too big for the 512-byte stack. The small strings come first so that
 * every string handed out has at least SAKER_STR_MAX bytes of the same value after it. */
struct sk_scratch {
	char small[32];              /* fd.typechar ("f"/"d") at 0, fd.type at 8 */
	struct saker_event ev;       /* the record being built */
	char walk[2 * SK_HALF];      /* path walk: written backwards into the first half; a failed
				      * open's path string is read into the second */
	char cg[2 * SK_CG_NAME];     /* one cgroup directory name */
	struct sk_state st;
	struct sk_walk wk;
	struct sk_norm nm;
	struct sk_hexrun hx;
	struct sk_find fi;
	struct sk_bytes by;
	struct sk_glob gl;
};

/* What a bpf_loop callback gets: the map value, and the strings it scans (pointers must stay
 * on the stack to keep their type; they do not change from one iteration to the next). */
struct sk_cb {
	struct sk_scratch *sc;
	const char *s, *p, *k;
};

/* codegen.c loads 8 bytes at a time from the start of these strings */
_Static_assert(__builtin_offsetof(struct sk_scratch, ev.path) % 8 == 0, "aligned fd.name");
_Static_assert(__builtin_offsetof(struct sk_scratch, ev.exepath) % 8 == 0, "aligned exepath");
_Static_assert(__builtin_offsetof(struct sk_scratch, ev.comm) % 8 == 0, "aligned comm");
_Static_assert(__builtin_offsetof(struct sk_scratch, ev.pcomm) % 8 == 0, "aligned pcomm");
_Static_assert(__builtin_offsetof(struct sk_scratch, ev.container_id) % 8 == 0, "aligned cid");

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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sk_scratch);
} saker_scratch SEC(".maps");

/* The body of each hook in force (include/saker/event.h, SAKER_MAP_PROGS). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SAKER_HOOK__COUNT);
	__type(key, __u32);
	__type(value, __u32);
} saker_progs SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

/* From the generated module (abi.h). */
extern int SAKER_FN_HOOKED(__u64 nr);
extern void SAKER_FN_MATCH(void *c, __u64 nr);
extern const char SAKER_VAR_PATS[][SAKER_PAT_SIZE];
extern const __u32 SAKER_VAR_N_PATS;

SK_INLINE struct sk_scratch *sk_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&saker_scratch, &zero);
}

SK_INLINE void sk_stat(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&saker_stats, &which);

	if (v)
		*v += 1;
}

SK_INLINE struct task_struct *sk_task(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

/* ---- path walk ---------------------------------------------------------------------- */

/* 1 when the walk at W has nothing left above it: the task's root, the top of its mount tree
 * (or a detached mount), or the root of a file system not mounted in our tree. */
SK_INLINE int sk_walk_top(struct sk_walk *w)
{
	struct dentry *d = (struct dentry *)w->d;
	struct vfsmount *vm = (struct vfsmount *)w->vm;
	struct mount *m = (struct mount *)w->m;
	struct dentry *parent;

	if (w->d == w->root_d && w->vm == w->root_vm)
		return 1;
	if (w->d == (__u64)BPF_CORE_READ(vm, mnt_root)) {
		__u64 up = (__u64)BPF_CORE_READ(m, mnt_parent);

		return up == w->m || !up;
	}
	parent = BPF_CORE_READ(d, d_parent);
	return !parent || parent == d;
}

/* One step up: either leave a mount for the place it is mounted on, or prepend one name. */
static long sk_walk_step(__u32 i, void *arg)
{
	struct sk_scratch *sc = ((struct sk_cb *)arg)->sc;
	struct sk_walk *w = &sc->wk;
	struct dentry *d = (struct dentry *)w->d;
	struct vfsmount *vm = (struct vfsmount *)w->vm;
	const unsigned char *name;
	__u32 len;
	__s64 pos;

	(void)i;
	if (sk_walk_top(w)) {
		w->done = 1;
		return 1;
	}
	if (w->d == (__u64)BPF_CORE_READ(vm, mnt_root)) {
		struct mount *m = (struct mount *)w->m;
		__u64 up = (__u64)BPF_CORE_READ(m, mnt_parent);

		if (w->mounts >= SK_MNT_MAX) {
			w->done = 2;
			return 1;
		}
		w->mounts++;
		w->d = (__u64)BPF_CORE_READ(m, mnt_mountpoint);
		w->m = up;
		w->vm = up + w->mnt_off;
		return 0;
	}
	len = BPF_CORE_READ(d, d_name.len);
	name = BPF_CORE_READ(d, d_name.name);
	if (w->names >= SK_WALK_MAX || len > SK_NAME_MAX || (__s64)len + 1 > w->pos) {
		w->done = 2;
		return 1;
	}
	w->names++;
	pos = w->pos - len;
	bpf_probe_read_kernel(&sc->walk[pos & (SK_HALF - 1)], len & SK_NAME_MAX, name);
	pos -= 1;
	sc->walk[pos & (SK_HALF - 1)] = '/';
	w->pos = pos;
	if (w->leaf < 0)
		w->leaf = len;
	w->d = (__u64)BPF_CORE_READ(d, d_parent);
	return 0;
}

/* Writes the absolute path of dentry D on mount VM, as the current task sees it, backwards into
 * the first half of sc->walk, NUL-terminated at SK_HALF - 1, and returns where it starts (the
 * root is the empty string at SK_HALF - 1); *TRUNC is set when the walk was cut. */
SK_INLINE __s64 sk_walk(struct sk_scratch *sc, __u64 d, __u64 vm, int *trunc)
{
	struct task_struct *task = sk_task();
	struct sk_walk *w = &sc->wk;
	struct sk_cb cb = { .sc = sc };

	w->d = d;
	w->vm = vm;
	w->mnt_off = bpf_core_field_offset(struct mount, mnt);
	w->m = w->vm - w->mnt_off;
	w->root_d = (__u64)BPF_CORE_READ(task, fs, root.dentry);
	w->root_vm = (__u64)BPF_CORE_READ(task, fs, root.mnt);
	w->pos = SK_HALF - 1;
	w->leaf = -1;
	w->done = 0;
	w->names = w->mounts = 0;
	sc->walk[SK_HALF - 1] = 0;
	/* every step prepends a name or crosses a mount; the extra one notices the top */
	bpf_loop(SK_WALK_MAX + SK_MNT_MAX + 1, sk_walk_step, &cb, 0);
	*trunc = w->done != 1;
	return w->pos;
}

/* Writes the absolute path of FILE, as the current task sees it, into DST (SAKER_PATH_MAX
 * bytes) and returns its length; *TRUNC is set when the walk was cut, *LEAF to the length of
 * the last name. */
SK_INLINE __u32 sk_path(struct sk_scratch *sc, struct file *file, char *dst, int *trunc,
			__s32 *leaf)
{
	struct sk_walk *w = &sc->wk;
	__u32 n;

	sk_walk(sc, (__u64)BPF_CORE_READ(file, f_path.dentry), (__u64)BPF_CORE_READ(file, f_path.mnt),
		trunc);
	*leaf = w->leaf < 0 ? 0 : w->leaf;
	n = (SK_HALF - 1 - w->pos) & (SK_HALF - 1);
	if (!n) {
		dst[0] = '/';
		dst[1] = 0;
		return 1;
	}
	bpf_probe_read_kernel(dst, n + 1, &sc->walk[w->pos & (SK_HALF - 1)]);
	return n;
}

/* ---- field groups ------------------------------------------------------------------- */

SK_INLINE void sk_get_ids(struct sk_scratch *sc)
{
	__u64 pt = bpf_get_current_pid_tgid();

	sc->ev.pid = pt >> 32;
	sc->ev.tid = (__u32)pt;
}

SK_INLINE void sk_get_cred(struct sk_scratch *sc)
{
	struct task_struct *task = sk_task();
	const struct cred *cr = BPF_CORE_READ(task, cred);

	sc->ev.uid = BPF_CORE_READ(cr, euid.val);
	sc->ev.gid = BPF_CORE_READ(cr, egid.val);
	sc->ev.loginuid = (__u32)-1;
	if (bpf_core_field_exists(task->loginuid)) {
		sc->ev.loginuid = BPF_CORE_READ(task, loginuid.val);
		if (sc->ev.loginuid != (__u32)-1)
			sc->ev.valid |= SAKER_EV_LOGINUID;
	}
}

SK_INLINE void sk_get_comm(struct sk_scratch *sc)
{
	struct task_struct *task = sk_task();
	long n = bpf_probe_read_kernel_str(sc->ev.comm, SAKER_COMM_LEN, &task->comm);

	sc->st.comm_len = n > 0 ? n - 1 : 0;
	if (n <= 0)
		sc->ev.comm[0] = 0;
}

SK_INLINE void sk_get_parent(struct sk_scratch *sc)
{
	struct task_struct *task = sk_task();
	struct task_struct *p = BPF_CORE_READ(task, real_parent);
	long n;

	sc->st.pcomm_len = -1;
	sc->ev.pcomm[0] = 0;
	sc->ev.ppid = 0;
	if (!p)
		return;
	sc->ev.ppid = BPF_CORE_READ(p, tgid);
	n = bpf_probe_read_kernel_str(sc->ev.pcomm, SAKER_COMM_LEN, &p->comm);
	sc->st.pcomm_len = n > 0 ? n - 1 : 0;
	sc->ev.valid |= SAKER_EV_PARENT;
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
	char *cid = sc->ev.container_id;

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
	if (h->start >= 0) {
		bpf_probe_read_kernel(cid, 12, &sc->cg[h->start & (SK_CG_NAME - 1)]);
		cid[12] = 0;
		sc->st.cid_len = 12;
		sc->ev.valid |= SAKER_EV_CONTAINER;
	} else {
		__builtin_memcpy(cid, "host", 5);
		sc->st.cid_len = 4;
	}
}

/* The current task's struct file at FD, or NULL. */
SK_INLINE struct file *sk_fd_file(__s64 fd)
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

/* The struct file an open of the family installed at fd RET, or NULL. */
SK_INLINE struct file *sk_open_file(struct sk_scratch *sc)
{
	return sc->st.open ? sk_fd_file(sc->st.ret) : 0;
}

/* An open of the family that failed: there is no struct file, and Falco's fd fields take
 * other values (sk_get_failed_path, SAKER_FN_STR_LEN). */
SK_INLINE int sk_failed_open(const struct sk_scratch *sc)
{
	return sc->st.open && sc->st.ret < 0;
}

SK_INLINE void sk_get_flags(struct sk_scratch *sc)
{
	struct file *f;
	__u64 flags = 0;
	__u32 mode;

	sc->st.flags_ok = 1;
	switch (sc->st.nr) {
	case SAKER_NR_OPEN:
		flags = sc->st.arg_si;
		break;
	case SAKER_NR_OPENAT:
		flags = sc->st.arg_dx;
		break;
	case SAKER_NR_OPENAT2:
		/* struct open_how starts with the flags. It is user memory read after the kernel
		 * used it, so another thread may have changed it since (docs/kernel.md). */
		if (bpf_probe_read_user(&flags, sizeof(flags), (void *)sc->st.arg_dx))
			sc->st.flags_ok = 0;
		break;
	case SAKER_NR_CREAT:
		flags = SK_O_CREAT | SK_O_WRONLY | SK_O_TRUNC;
		break;
	default:
		sc->st.flags_ok = 0;
	}
	/* open, openat and creat take their flags from the registers the kernel saved at entry,
	 * which no other thread can change. openat2's come from user memory read after the
	 * kernel used it: there the access mode of a file that was opened is taken from the
	 * kernel's own struct file, so a racing rewrite of open_how cannot hide a write. O_PATH
	 * files (and the odd access mode 3) have neither bit and keep what the call said. The
	 * fd table walk is skipped for the other calls: most opens are reads, and this runs
	 * for every one of them. */
	f = sc->st.nr == SAKER_NR_OPENAT2 ? sk_open_file(sc) : 0;
	mode = f ? BPF_CORE_READ(f, f_mode) & (SK_FMODE_READ | SK_FMODE_WRITE) : 0;
	if (mode) {
		if (!sc->st.flags_ok)
			flags = 0; /* only the access mode is known */
		flags &= ~(__u64)SK_O_ACCMODE;
		if (mode == (SK_FMODE_READ | SK_FMODE_WRITE))
			flags |= 2; /* O_RDWR */
		else if (mode == SK_FMODE_WRITE)
			flags |= SK_O_WRONLY;
		sc->st.flags_ok = 1;
	}
	sc->ev.open_flags = sc->st.flags_ok ? flags : 0;
	if (!sc->st.flags_ok && sc->st.open)
		sc->ev.valid |= SAKER_EV_FLAGS_NA;
}

/* One input byte of the normalisation: copies it, or ends a component at a '/' (the end of
 * the input counts as one). A component "." is dropped, ".." drops itself and the component
 * before it (none above the root), and empty ones never start, so repeated slashes vanish.
 * The output is "/" or "/a/b": no empty component, no trailing '/', as the walk's. */
static long sk_norm_step(__u32 k, void *arg)
{
	struct sk_scratch *sc = ((struct sk_cb *)arg)->sc;
	struct sk_norm *nm = &sc->nm;
	char *out = sc->ev.path;
	__u32 i = nm->i;
	__s32 o = nm->out, seg = nm->seg, len;
	char ch;

	(void)k;
	if (i > nm->end)
		return 1;
	ch = i == nm->end ? '/' : sc->walk[i & (2 * SK_HALF - 1)];
	nm->i = i + 1;
	if (ch != '/') {
		if (seg < 0) {
			/* the '/' and this byte, with room for the NUL */
			if (o + 2 > SAKER_STR_MAX) {
				nm->cut = 1;
				return 1;
			}
			nm->seg = o;
			out[o & SAKER_STR_MAX] = '/';
			o++;
		} else if (o + 1 > SAKER_STR_MAX) {
			nm->cut = 1;
			return 1;
		}
		out[o & SAKER_STR_MAX] = ch;
		nm->out = o + 1;
		return 0;
	}
	if (seg < 0)
		return 0;
	len = o - seg - 1;
	if (len == 1 && out[(seg + 1) & SAKER_STR_MAX] == '.') {
		nm->out = seg;
	} else if (len == 2 && out[(seg + 1) & SAKER_STR_MAX] == '.' &&
		   out[(seg + 2) & SAKER_STR_MAX] == '.') {
		nm->out = seg;
		if (nm->depth) {
			nm->depth--;
			nm->out = nm->start[nm->depth & (SK_NORM_DEPTH - 1)];
		}
	} else if (nm->depth < SK_NORM_DEPTH) {
		nm->start[nm->depth & (SK_NORM_DEPTH - 1)] = seg;
		nm->depth++;
	}
	nm->seg = -1;
	return 0;
}

/* fd.name of a failed open, as Falco names it: there is no file to ask, so it is the path the
 * call was given, made absolute with the cwd or the dirfd's path and normalised as text ('.',
 * '..', repeated '/'), symlinks not resolved. The string is user memory read after the kernel
 * used it: another thread of the caller may have rewritten it meanwhile (docs/kernel.md). */
SK_INLINE void sk_get_failed_path(struct sk_scratch *sc)
{
	struct saker_event *ev = &sc->ev;
	struct sk_norm *nm = &sc->nm;
	struct sk_cb cb = { .sc = sc };
	int at = sc->st.nr == SAKER_NR_OPENAT || sc->st.nr == SAKER_NR_OPENAT2;
	const char *upath = (const char *)(at ? sc->st.arg_si : sc->st.arg_di);
	__s64 start = SK_HALF;
	int trunc = 0, wtrunc = 0;
	char more = 0;
	long n;

	n = bpf_probe_read_user_str(&sc->walk[SK_HALF], SK_HALF, upath);
	if (n <= 0)
		return;
	/* a string that fills the buffer may go on (the kernel refused it as too long) */
	if (n == SK_HALF && !bpf_probe_read_user(&more, 1, upath + SK_HALF - 1) && more)
		trunc = 1;
	if (sc->walk[SK_HALF] != '/') {
		struct task_struct *task = sk_task();
		__s32 dirfd = (__s32)sc->st.arg_di;
		__u64 d, vm;

		if (at && dirfd != SK_AT_FDCWD) {
			struct file *f = sk_fd_file(dirfd);

			/* no such descriptor (EBADF): nothing to be relative to */
			if (!f)
				return;
			d = (__u64)BPF_CORE_READ(f, f_path.dentry);
			vm = (__u64)BPF_CORE_READ(f, f_path.mnt);
		} else {
			d = (__u64)BPF_CORE_READ(task, fs, pwd.dentry);
			vm = (__u64)BPF_CORE_READ(task, fs, pwd.mnt);
		}
		/* the directory ends where the string starts: one input, walk[start, SK_HALF + n) */
		start = sk_walk(sc, d, vm, &wtrunc);
		trunc |= wtrunc;
		sc->walk[SK_HALF - 1] = '/';
	}
	nm->i = start;
	nm->end = SK_HALF + n - 1;
	nm->out = 0;
	nm->seg = -1;
	nm->depth = 0;
	nm->cut = 0;
	bpf_loop(nm->end - start + 1, sk_norm_step, &cb, 0);
	if (!nm->out) {
		ev->path[0] = '/';
		nm->out = 1;
	}
	ev->path[nm->out & SAKER_STR_MAX] = 0;
	ev->path_len = nm->out;
	/* fd.directory is the path less its last component (a cut one when the path was cut) */
	if (nm->seg >= 0)
		sc->st.leaf_len = nm->out - nm->seg - 1;
	else if (nm->depth)
		sc->st.leaf_len = nm->out - nm->start[(nm->depth - 1) & (SK_NORM_DEPTH - 1)] - 1;
	else
		sc->st.leaf_len = 0;
	ev->valid |= SAKER_EV_PATH;
	if (trunc || nm->cut) {
		ev->valid |= SAKER_EV_PATH_TRUNC;
		sk_stat(SAKER_STAT_PATH_TRUNC);
	}
}

/* fd.name: the path of the struct file the open installed at fd RET; for a failed open, the
 * path the call named. */
SK_INLINE void sk_get_path(struct sk_scratch *sc)
{
	struct saker_event *ev = &sc->ev;
	struct file *f;
	struct inode *ino;
	int trunc = 0;

	ev->path_len = 0;
	ev->path[0] = 0;
	if (sk_failed_open(sc)) {
		__builtin_memcpy(sc->small, "f", 2);
		sk_get_failed_path(sc);
		return;
	}
	f = sk_open_file(sc);
	if (!f)
		return;
	ino = BPF_CORE_READ(f, f_inode);
	if ((BPF_CORE_READ(ino, i_mode) & SK_S_IFMT) == SK_S_IFDIR)
		ev->valid |= SAKER_EV_DIR;
	ev->path_len = sk_path(sc, f, ev->path, &trunc, &sc->st.leaf_len);
	ev->valid |= SAKER_EV_PATH;
	if (trunc) {
		ev->valid |= SAKER_EV_PATH_TRUNC;
		sk_stat(SAKER_STAT_PATH_TRUNC);
	}
	if (ev->valid & SAKER_EV_DIR) {
		__builtin_memcpy(sc->small, "d", 2);
		__builtin_memcpy(sc->small + 8, "directory", 10);
	} else {
		__builtin_memcpy(sc->small, "f", 2);
		__builtin_memcpy(sc->small + 8, "file", 5);
	}
}

SK_INLINE void sk_get_exe(struct sk_scratch *sc)
{
	struct task_struct *task = sk_task();
	struct file *f = BPF_CORE_READ(task, mm, exe_file);
	int trunc = 0;
	__s32 leaf;

	sc->ev.exe_len = 0;
	sc->ev.exepath[0] = 0;
	if (!f)
		return;
	sc->ev.exe_len = sk_path(sc, f, sc->ev.exepath, &trunc, &leaf);
	sc->ev.valid |= SAKER_EV_EXE;
	if (trunc)
		sk_stat(SAKER_STAT_PATH_TRUNC);
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
	if (g & SK_G_CRED)
		sk_get_cred(sc);
	if (g & SK_G_COMM)
		sk_get_comm(sc);
	if (g & SK_G_PARENT)
		sk_get_parent(sc);
	if (g & SK_G_CID)
		sk_get_cid(sc);
	if (g & SK_G_FLAGS)
		sk_get_flags(sc);
	if (g & SK_G_PATH)
		sk_get_path(sc);
	if (g & SK_G_EXE)
		sk_get_exe(sc);
	return 0;
}

SK_INLINE void sk_need(struct sk_scratch *sc, __u32 g)
{
	if (!(sc->st.have & g))
		saker_tp_compute(g);
}

/* ---- accessors for the generated code (abi.h) ---------------------------------------- */

SK_EXPORT int SAKER_FN_INT_HAS(void *cv, int field)
{
	struct sk_scratch *sc = cv;

	switch (field) {
	case SK_FLD_EVT_IS_OPEN_READ:
	case SK_FLD_EVT_IS_OPEN_WRITE:
	case SK_FLD_EVT_IS_OPEN_CREATE:
	case SK_FLD_EVT_RAWARG_FLAGS:
		sk_need(sc, SK_G_FLAGS);
		return sc->st.flags_ok;
	case SK_FLD_FD_NUM:
		return sc->st.open;
	case SK_FLD_EVT_RAWRES:
	case SK_FLD_EVT_FAILED:
	case SK_FLD_PROC_PID:
	case SK_FLD_THREAD_TID:
	case SK_FLD_USER_UID:
	case SK_FLD_GROUP_GID:
	case SK_FLD_USER_LOGINUID:
		return 1;
	case SK_FLD_PROC_PPID:
		sk_need(sc, SK_G_PARENT);
		return (sc->ev.valid & SAKER_EV_PARENT) != 0;
	}
	return 0;
}

SK_EXPORT __s64 SAKER_FN_INT_VAL(void *cv, int field)
{
	struct sk_scratch *sc = cv;
	__u64 acc;

	switch (field) {
	case SK_FLD_EVT_IS_OPEN_READ:
	case SK_FLD_EVT_IS_OPEN_WRITE:
	case SK_FLD_EVT_IS_OPEN_CREATE:
	case SK_FLD_EVT_RAWARG_FLAGS:
		sk_need(sc, SK_G_FLAGS);
		acc = sc->ev.open_flags & SK_O_ACCMODE;
		if (field == SK_FLD_EVT_IS_OPEN_READ)
			return acc == 0 || acc == 2;
		if (field == SK_FLD_EVT_IS_OPEN_WRITE)
			return acc == 1 || acc == 2;
		if (field == SK_FLD_EVT_IS_OPEN_CREATE)
			return (sc->ev.open_flags & SK_O_CREAT) != 0;
		return sc->ev.open_flags;
	case SK_FLD_FD_NUM:
		return sc->st.ret < 0 ? -1 : sc->st.ret;
	case SK_FLD_EVT_RAWRES:
		return sc->st.ret;
	case SK_FLD_EVT_FAILED:
		return sc->st.ret < 0;
	case SK_FLD_PROC_PID:
		sk_need(sc, SK_G_IDS);
		return sc->ev.pid;
	case SK_FLD_THREAD_TID:
		sk_need(sc, SK_G_IDS);
		return sc->ev.tid;
	case SK_FLD_USER_UID:
		sk_need(sc, SK_G_CRED);
		return sc->ev.uid;
	case SK_FLD_GROUP_GID:
		sk_need(sc, SK_G_CRED);
		return sc->ev.gid;
	case SK_FLD_USER_LOGINUID:
		sk_need(sc, SK_G_CRED);
		/* 4294967295 (unset) reads as -1, as in Falco; other ids keep their unsigned value */
		return sc->ev.loginuid == (__u32)-1 ? -1 : (__s64)sc->ev.loginuid;
	case SK_FLD_PROC_PPID:
		sk_need(sc, SK_G_PARENT);
		return sc->ev.ppid;
	}
	return 0;
}

SK_EXPORT int SAKER_FN_STR_LEN(void *cv, int field)
{
	struct sk_scratch *sc = cv;
	__s32 n;

	switch (field) {
	case SK_FLD_FD_NAME:
		sk_need(sc, SK_G_PATH);
		if (!(sc->ev.valid & SAKER_EV_PATH))
			return -1;
		return sc->ev.path_len & SAKER_STR_MAX;
	case SK_FLD_FD_FILENAME:
		/* Falco has no fd.filename for a failed open (and so no name longer than 255) */
		if (sk_failed_open(sc))
			return -1;
		sk_need(sc, SK_G_PATH);
		if (!(sc->ev.valid & SAKER_EV_PATH))
			return -1;
		return sc->st.leaf_len & SK_NAME_MAX;
	case SK_FLD_FD_DIRECTORY:
		sk_need(sc, SK_G_PATH);
		if (!(sc->ev.valid & SAKER_EV_PATH))
			return -1;
		/* "/a/b" -> "/a"; "/b" and "/" -> "/". A failed open's last component is the
		 * caller's text, which may be longer than a name can be. */
		n = (__s32)(sc->ev.path_len & SAKER_STR_MAX) - (sc->st.leaf_len & SAKER_STR_MAX) - 1;
		return n > 0 ? (n & SAKER_STR_MAX) : 1;
	case SK_FLD_FD_TYPECHAR:
		/* Falco types a failed open of the family 'f', path or not ("open_file_failed"
		 * relies on it); no need to build the path for that */
		if (sk_failed_open(sc)) {
			__builtin_memcpy(sc->small, "f", 2);
			return 1;
		}
		sk_need(sc, SK_G_PATH);
		return (sc->ev.valid & SAKER_EV_PATH) ? 1 : -1;
	case SK_FLD_FD_TYPE:
		/* and no fd.type */
		if (sk_failed_open(sc))
			return -1;
		sk_need(sc, SK_G_PATH);
		if (!(sc->ev.valid & SAKER_EV_PATH))
			return -1;
		return (sc->ev.valid & SAKER_EV_DIR) ? 9 : 4;
	case SK_FLD_PROC_NAME:
		sk_need(sc, SK_G_COMM);
		return sc->st.comm_len & (SAKER_COMM_LEN - 1);
	case SK_FLD_PROC_PNAME:
		sk_need(sc, SK_G_PARENT);
		if (sc->st.pcomm_len < 0)
			return -1;
		return sc->st.pcomm_len & (SAKER_COMM_LEN - 1);
	case SK_FLD_PROC_EXEPATH:
		sk_need(sc, SK_G_EXE);
		if (!(sc->ev.valid & SAKER_EV_EXE))
			return -1;
		return sc->ev.exe_len & SAKER_STR_MAX;
	case SK_FLD_CONTAINER_ID:
		sk_need(sc, SK_G_CID);
		return sc->st.cid_len & (SAKER_CID_LEN - 1);
	}
	return -1;
}

SK_EXPORT const char *SAKER_FN_STR_PTR(void *cv, int field)
{
	struct sk_scratch *sc = cv;

	switch (field) {
	case SK_FLD_FD_NAME:
	case SK_FLD_FD_DIRECTORY:
		return sc->ev.path;
	case SK_FLD_FD_FILENAME:
		/* the last component ends the path */
		return sc->ev.path + (((sc->ev.path_len & SAKER_STR_MAX) -
					(sc->st.leaf_len & SK_NAME_MAX)) & SAKER_STR_MAX);
	case SK_FLD_FD_TYPECHAR:
		return sc->small;
	case SK_FLD_FD_TYPE:
		return sc->small + 8;
	case SK_FLD_PROC_NAME:
		return sc->ev.comm;
	case SK_FLD_PROC_PNAME:
		return sc->ev.pcomm;
	case SK_FLD_PROC_EXEPATH:
		return sc->ev.exepath;
	case SK_FLD_CONTAINER_ID:
		return sc->ev.container_id;
	}
	return sc->small;
}

SK_EXPORT void SAKER_FN_SET_MATCH(void *cv, __u32 rule)
{
	struct sk_scratch *sc = cv;

	sc->ev.matched[(rule >> 6) & (SAKER_RULE_WORDS - 1)] |= 1ull << (rule & 63);
	sc->st.any = 1;
}

/* ---- string searches for the generated code ------------------------------------------ */

/* Pattern PAT of the generated table, or NULL. */
SK_INLINE const char *sk_pattern(__u32 pat)
{
	__u64 i = pat;

	/* The barriers keep LLVM from computing the address before the bound check (or from a
	 * copy of the index the check did not bound): the verifier must see it bounded. */
	asm volatile("" : "+r"(i));
	if (i >= SAKER_VAR_N_PATS)
		return 0;
	asm volatile("" : "+r"(i));
	return SAKER_VAR_PATS[i];
}

/* One comparison of the naive search: a byte matches and the candidate grows, or the
 * candidate moves one byte on. No inner loop, so the verifier checks this once. */
static long sk_find_step(__u32 n, void *arg)
{
	struct sk_cb *cb = arg;
	struct sk_find *f = &cb->sc->fi;
	__u32 i = f->i, j = f->j;
	char a, b;

	(void)n;
	if (j >= f->plen) {
		f->found = 1;
		return 1;
	}
	if (i + f->plen > f->slen)
		return 1;
	a = cb->s[(i + j) & SAKER_STR_MAX];
	b = cb->p[j & (SAKER_PAT_SIZE - 1)];
	if (f->icase && a >= 'A' && a <= 'Z')
		a += 'a' - 'A';
	if (a == b) {
		f->j = j + 1;
	} else {
		f->i = i + 1;
		f->j = 0;
	}
	return 0;
}

SK_GLOBAL int SAKER_FN_CONTAINS(int field, __u32 pat, __u32 plen, int icase)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_cb cb = { .sc = sc };
	int slen;

	if (!sc || plen >= SAKER_PAT_SIZE || !(cb.p = sk_pattern(pat)))
		return 0;
	slen = SAKER_FN_STR_LEN(sc, field);
	if (slen < 0 || plen > (__u32)slen)
		return 0;
	cb.s = SAKER_FN_STR_PTR(sc, field);
	sc->fi.slen = slen;
	sc->fi.plen = plen;
	sc->fi.icase = icase;
	sc->fi.i = sc->fi.j = 0;
	sc->fi.found = 0;
	/* each candidate start takes at most plen + 1 steps */
	bpf_loop((slen - plen + 1) * (plen + 1) + 1, sk_find_step, &cb, 0);
	return sc->fi.found;
}

/* One byte of a comparison with a long constant: row PAT + j / SAKER_PAT_SIZE holds byte j. */
static long sk_bytes_step(__u32 j, void *arg)
{
	struct sk_cb *cb = arg;
	struct sk_bytes *b = &cb->sc->by;
	const char *row;

	if (j >= b->plen)
		return 1;
	row = sk_pattern(b->pat + j / SAKER_PAT_SIZE);
	if (!row || cb->s[(b->off + j) & SAKER_STR_MAX] != row[j & (SAKER_PAT_SIZE - 1)]) {
		b->ok = 0;
		return 1;
	}
	return 0;
}

/* ==, startswith or endswith (MODE, abi.h) a constant of PLEN bytes stored from row PAT on:
 * constants that long would cost the generated code too many registers (and stack). */
SK_GLOBAL int SAKER_FN_BYTES(int field, __u32 pat, __u32 plen, int mode)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_cb cb = { .sc = sc };
	struct sk_bytes *b;
	int slen;

	if (!sc || plen > SAKER_STR_MAX)
		return 0;
	slen = SAKER_FN_STR_LEN(sc, field);
	if (slen < 0 || plen > (__u32)slen || (mode == SAKER_BYTES_EQ && plen != (__u32)slen))
		return 0;
	cb.s = SAKER_FN_STR_PTR(sc, field);
	b = &sc->by;
	b->off = mode == SAKER_BYTES_SUFFIX ? slen - plen : 0;
	b->plen = plen;
	b->pat = pat;
	b->ok = 1;
	bpf_loop(plen, sk_bytes_step, &cb, 0);
	return b->ok;
}

/* fnmatch(pat, s, 0), compiled by codegen.c into elements: row PAT of saker_pats holds each
 * element's argument and row PAT + 1 its kind (abi.h, SAKER_GLOB_*); a class's argument is its
 * number N, its members are the non-zero bytes of row PAT + 2 + N. With one saved star a
 * greedy match is enough, and each step is loop-free. */
SK_INLINE int sk_glob_elem(const struct sk_cb *cb, __u32 pat, __s32 pi, unsigned char ch)
{
	unsigned char arg = cb->p[pi & (SAKER_PAT_SIZE - 1)];
	const char *set;

	switch (cb->k[pi & (SAKER_PAT_SIZE - 1)]) {
	case SAKER_GLOB_LIT:
		return arg == ch;
	case SAKER_GLOB_ANY:
		return 1;
	case SAKER_GLOB_CLASS:
		set = sk_pattern(pat + 2 + arg);
		return set && set[ch];
	}
	return 0;
}

static long sk_glob_step(__u32 i, void *arg)
{
	struct sk_cb *cb = arg;
	struct sk_glob *g = &cb->sc->gl;
	__s32 pi = g->pi, si = g->si;
	char kind = pi < g->plen ? cb->k[pi & (SAKER_PAT_SIZE - 1)] : 0;

	(void)i;
	if (kind == SAKER_GLOB_STAR || kind == SAKER_GLOB_SEGSTAR) {
		g->star_p = pi;
		g->star_s = si;
		g->pi = pi + 1;
		return 0;
	}
	if (kind == SAKER_GLOB_LEAD) {
		/* A new component: the earlier ones are matched for good (no element of a
		 * component matches '/', so they could not match differently), hence no star to
		 * go back to. Skip the slashes, one per step; a component must follow. */
		g->star_p = -1;
		if (si < g->slen && cb->s[si & SAKER_STR_MAX] == '/') {
			g->si = si + 1;
			return 0;
		}
		if (si >= g->slen) {
			g->result = 0;
			return 1;
		}
		g->pi = pi + 1;
		return 0;
	}
	if (kind == SAKER_GLOB_TAIL && (si >= g->slen || cb->s[si & SAKER_STR_MAX] == '/')) {
		g->result = 1;
		return 1;
	}
	if (si >= g->slen) {
		g->result = pi >= g->plen;
		return 1;
	}
	if (pi < g->plen && sk_glob_elem(cb, g->pat, pi, cb->s[si & SAKER_STR_MAX])) {
		g->pi = pi + 1;
		g->si = si + 1;
		return 0;
	}
	if (g->star_p >= 0) {
		/* a component's star cannot take its '/' */
		if (cb->k[g->star_p & (SAKER_PAT_SIZE - 1)] == SAKER_GLOB_SEGSTAR &&
		    cb->s[g->star_s & SAKER_STR_MAX] == '/') {
			g->result = 0;
			return 1;
		}
		g->pi = g->star_p + 1;
		g->si = ++g->star_s;
		return 0;
	}
	g->result = 0;
	return 1;
}

SK_GLOBAL int SAKER_FN_GLOB(int field, __u32 pat, __u32 plen)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_cb cb = { .sc = sc };
	struct sk_glob *g;
	int slen;

	if (!sc || plen >= SAKER_PAT_SIZE || !(cb.p = sk_pattern(pat)) ||
	    !(cb.k = sk_pattern(pat + 1)))
		return 0;
	slen = SAKER_FN_STR_LEN(sc, field);
	if (slen < 0)
		return 0;
	cb.s = SAKER_FN_STR_PTR(sc, field);
	g = &sc->gl;
	g->pat = pat;
	g->slen = slen & SAKER_STR_MAX;
	g->plen = plen;
	g->si = g->pi = 0;
	g->star_p = g->star_s = -1;
	g->result = 0;
	/* every step advances the pattern, or restarts after a star with the subject one further,
	 * or skips a '/' at a component start (never revisited): at most
	 * (slen + 1) * (plen + 1) + plen + slen steps */
	bpf_loop((slen + 1) * (plen + 1) + plen + slen + 1, sk_glob_step, &cb, 0);
	return g->result;
}

/* ---- the hook ------------------------------------------------------------------------ */

/* A rule matched: fill in everything the alert may print and send the record. */
/* No parameters on purpose: O2 replaces an argument the body does not read with undef, and the
 * verifier then refuses the call when the register happens to hold a pointer. */
SK_GLOBAL int saker_tp_emit(void)
{
	struct sk_scratch *sc = sk_scratch();
	__u64 size;

	if (!sc)
		return 0;
	saker_tp_compute(SK_G_ALL);
	sc->ev.ts_ns = bpf_ktime_get_boot_ns();
	sc->ev.res = sc->st.ret;
	sc->ev.cgroup_id = bpf_get_current_cgroup_id();
	sc->ev.syscall_nr = sc->st.nr;
	sc->ev.pad = 0;
	sk_stat(SAKER_STAT_MATCHED);
	/* Only the part in use: the strings are NUL-terminated at their lengths and the runtime
	 * accepts a record cut after the last one it needs (saker_rt_event_decode). */
	if (sc->ev.valid & SAKER_EV_EXE)
		size = __builtin_offsetof(struct saker_event, exepath) + (sc->ev.exe_len & SAKER_STR_MAX) + 1;
	else
		size = __builtin_offsetof(struct saker_event, path) + (sc->ev.path_len & SAKER_STR_MAX) + 1;
	asm volatile("" : "+r"(size));
	if (size > sizeof(sc->ev))
		size = sizeof(sc->ev);
	if (bpf_ringbuf_output(&saker_events, &sc->ev, size, 0))
		sk_stat(SAKER_STAT_LOST);
	return 0;
}

static __attribute__((noinline)) int sk_handle(struct pt_regs *regs, __s64 ret, __u64 nr)
{
	struct sk_scratch *sc = sk_scratch();

	if (!sc)
		return 0;
	sk_stat(SAKER_STAT_SEEN);
	sc->st.ret = ret;
	sc->st.nr = nr;
	sc->st.arg_di = regs->di;
	sc->st.arg_si = regs->si;
	sc->st.arg_dx = regs->dx;
	sc->st.have = 0;
	sc->st.any = 0;
	sc->st.open = nr == SAKER_NR_OPEN || nr == SAKER_NR_CREAT || nr == SAKER_NR_OPENAT ||
		      nr == SAKER_NR_OPENAT2;
	for (int i = 0; i < SAKER_RULE_WORDS; i++)
		sc->ev.matched[i] = 0;
	sc->ev.valid = 0;

	SAKER_FN_MATCH(sc, nr);
	if (sc->st.any)
		saker_tp_emit();
	return 0;
}

/* The attached program: it runs the body of the bundle in force, so that sakerd can replace
 * the bundle between two events without detaching anything (event.h, SAKER_HOOKS). */
SEC("tp_btf/sys_exit")
int saker_sys_exit(unsigned long long *ctx)
{
	bpf_tail_call(ctx, &saker_progs, SAKER_HOOK_SYS_EXIT);
	return 0;
}

/* tp_btf/sys_exit: (struct pt_regs *regs, long ret). Every syscall passes here, so the path
 * for syscalls no rule needs is one load and a few compares. */
SEC("tp_btf/sys_exit")
int saker_sys_exit_run(unsigned long long *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	__u64 nr = regs->orig_ax;

	if (!SAKER_FN_HOOKED(nr))
		return 0;
	return sk_handle(regs, (__s64)ctx[1], nr);
}
