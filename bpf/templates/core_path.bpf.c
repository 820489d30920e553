/* Paths, for every family: the bounded walk from a dentry up to the task's root, and Falco's
 * name for a path string a call passed (made absolute with the cwd or a dirfd, normalised as
 * text). docs/kernel.md says what each bound does. */
#include "core.h"

/* A path of SAKER_STR_MAX bytes has at most 2048 components ("/a" each): the walk is bounded
 * by the buffer, not by a count. Mount crossings add no bytes, so they have their own bound. */
#define SK_WALK_MAX   2048   /* path components per walk */
#define SK_MNT_MAX    1024   /* mount crossings per walk */

/* The bytes of a dentry one read takes, from d_parent on: d_parent and d_name (its length and
 * pointer), next to each other on every kernel since 2.6 (sk_walk checks the kernel's offsets:
 * on one where they were not, every walk would end at once as cut, failing closed). */
#define SK_DWIN 24

SK_INLINE int sk_dentry_win_ok(void)
{
	return bpf_core_field_offset(struct dentry, d_name) -
			       bpf_core_field_offset(struct dentry, d_parent) == 8 &&
	       bpf_core_field_offset(struct qstr, len) == 4 && bpf_core_field_offset(struct qstr, name) == 8;
}

/* One step up: either leave a mount for the place it is mounted on, or prepend one name, or
 * notice the top (the task's root, the top of its mount tree or a detached mount, the root of a
 * file system not mounted in our tree). A name costs two helper calls, the most a step costs:
 * one read of the dentry's parent and name together, one copy of the name. */
static long sk_walk_step(__u32 i, void *arg)
{
	struct sk_scratch *sc = ((struct sk_cb *)arg)->sc;
	struct sk_walk *w = &sc->wk;
	__u8 win[SK_DWIN];
	__u64 parent, name;
	__u32 len;
	__s64 pos;

	(void)i;
	if (w->d == w->root_d && w->vm == w->root_vm) {
		w->done = 1;
		return 1;
	}
	if (w->d == w->mnt_root) {
		struct mount *m = (struct mount *)w->m;
		__u64 up = (__u64)BPF_CORE_READ(m, mnt_parent);
		struct vfsmount *vm;

		if (up == w->m || !up) {
			w->done = 1;
			return 1;
		}
		if (w->mounts >= SK_MNT_MAX) {
			w->done = 2;
			return 1;
		}
		w->mounts++;
		w->d = (__u64)BPF_CORE_READ(m, mnt_mountpoint);
		w->m = up;
		vm = (struct vfsmount *)(up + bpf_core_field_offset(struct mount, mnt));
		w->vm = (__u64)vm;
		w->mnt_root = (__u64)BPF_CORE_READ(vm, mnt_root);
		return 0;
	}
	if (bpf_probe_read_kernel(win, sizeof(win),
				  (void *)(w->d + bpf_core_field_offset(struct dentry, d_parent)))) {
		w->done = 2;
		return 1;
	}
	parent = *(__u64 *)win;
	if (!parent || parent == w->d) {
		w->done = 1;
		return 1;
	}
	len = *(__u32 *)(win + 12);
	name = *(__u64 *)(win + 16);
	if (w->names >= SK_WALK_MAX || len > SK_NAME_MAX || (__s64)len + 1 > w->pos) {
		w->done = 2;
		return 1;
	}
	w->names++;
	pos = w->pos - len;
	bpf_probe_read_kernel(&sc->walk[pos & (SK_HALF - 1)], len & SK_NAME_MAX, (void *)name);
	pos -= 1;
	sc->walk[pos & (SK_HALF - 1)] = '/';
	w->pos = pos;
	if (w->leaf < 0)
		w->leaf = len;
	w->d = parent;
	return 0;
}

SK_SHARED __s64 sk_walk(struct sk_scratch *sc, __u64 d, __u64 vm, int *trunc)
{
	struct task_struct *task = sk_task();
	struct sk_walk *w = &sc->wk;
	struct sk_cb cb = { .sc = sc };

	w->d = d;
	w->vm = vm;
	w->m = w->vm - bpf_core_field_offset(struct mount, mnt);
	w->mnt_root = (__u64)BPF_CORE_READ((struct vfsmount *)vm, mnt_root); /* vm: an argument */
	w->root_d = (__u64)BPF_CORE_READ(task, fs, root.dentry);
	w->root_vm = (__u64)BPF_CORE_READ(task, fs, root.mnt);
	w->pos = SK_HALF - 1;
	w->leaf = -1;
	w->done = 0;
	w->names = w->mounts = 0;
	sc->walk[SK_HALF - 1] = 0;
	/* every step prepends a name or crosses a mount; the extra one notices the top */
	if (sk_dentry_win_ok())
		bpf_loop(SK_WALK_MAX + SK_MNT_MAX + 1, sk_walk_step, &cb, 0);
	else
		w->done = 2;
	*trunc = w->done != 1;
	return w->pos;
}

SK_SHARED __u32 sk_path_into(struct sk_scratch *sc, struct file *file, char *dst, int *trunc,
			     __s32 *leaf)
{
	struct sk_walk *w = &sc->wk;
	__u32 n;

	sk_walk(sc, (__u64)BPF_CORE_READ(file, f_path.dentry), (__u64)BPF_CORE_READ(file, f_path.mnt),
		trunc);
	*leaf = w->leaf < 0 ? 0 : w->leaf;
	n = (SK_HALF - 1 - w->pos) & (SK_HALF - 1);
	if (*trunc) {
		/* the marker, then as much of the path's end as fits after it */
		__u32 skip = n > SAKER_STR_MAX - SAKER_CUT_LEN ? n - (SAKER_STR_MAX - SAKER_CUT_LEN) : 0;

		__builtin_memcpy(dst, SAKER_CUT_MARK, SAKER_CUT_LEN);
		n = (n - skip) & (SK_HALF - 1);
		bpf_probe_read_kernel(dst + SAKER_CUT_LEN, (n + 1) & (SK_HALF - 1),
				      &sc->walk[(w->pos + skip) & (SK_HALF - 1)]);
		dst[(n + SAKER_CUT_LEN) & SAKER_STR_MAX] = 0;
		return (n + SAKER_CUT_LEN) & SAKER_STR_MAX;
	}
	if (!n) {
		dst[0] = '/';
		dst[1] = 0;
		return 1;
	}
	bpf_probe_read_kernel(dst, n + 1, &sc->walk[w->pos & (SK_HALF - 1)]);
	return n;
}

SK_SHARED __u32 sk_path(struct sk_scratch *sc, struct file *file, __u32 slot, int *trunc,
			__s32 *leaf)
{
	return sk_path_into(sc, file, sk_slot(sc, slot), trunc, leaf);
}

/* One input byte of the normalisation: copies it, or ends a component at a '/' (the end of
 * the input counts as one). A component "." is dropped, ".." drops itself and the component
 * before it (none above the root), and empty ones never start, so repeated slashes vanish.
 * The output is "/" or "/a/b": no empty component, no trailing '/', as the walk's. */
static long sk_norm_step(__u32 k, void *arg)
{
	struct sk_scratch *sc = ((struct sk_cb *)arg)->sc;
	struct sk_norm *nm = &sc->nm;
	char *out = sk_slot(sc, nm->slot);
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
	} else {
		/* more components than can be remembered: a later '..' could not go back to the
		 * right one, so the name is not trusted whole (fail closed: marked cut) */
		nm->cut = 1;
	}
	nm->seg = -1;
	return 0;
}

/* The string is user memory read after the kernel used it: another thread of the caller may
 * have rewritten it meanwhile (docs/kernel.md); or, HOW with SK_PATH_KERNEL, kernel memory (an
 * io_uring request's copy). HOW with SK_PATH_UNSURE: the name is not known to be the file's
 * (an open not run yet), and is marked cut however whole it is. */
SK_SHARED __s32 sk_any_path(struct sk_scratch *sc, __s64 dirfd, __u64 upath, __u32 slot,
			    __s32 *leaf, __u32 how)
{
	struct sk_norm *nm = &sc->nm;
	struct sk_cb cb = { .sc = sc };
	char *out = sk_slot(sc, slot);
	const char *u = (const char *)upath;
	__s64 start = SK_HALF;
	int arg_cut = 0, wtrunc = 0;
	char more = 0;
	long n;

	if (how & SK_PATH_KERNEL)
		n = bpf_probe_read_kernel_str(&sc->walk[SK_HALF], SK_HALF, u);
	else
		n = bpf_probe_read_user_str(&sc->walk[SK_HALF], SK_HALF, u);
	if (n <= 0)
		return -1;
	/* a user string that fills the buffer may go on (the kernel refused it as too long); the
	 * kernel's copy is one PATH_MAX at most, SK_HALF */
	if (n == SK_HALF && !(how & SK_PATH_KERNEL) &&
	    !bpf_probe_read_user(&more, 1, u + SK_HALF - 1) && more)
		arg_cut = 1;
	if (sc->walk[SK_HALF] != '/') {
		struct task_struct *task = sk_task();
		__u64 d, vm;

		if (dirfd != SK_AT_FDCWD) {
			struct file *f = sk_fd_file(dirfd);

			/* no such descriptor (EBADF): nothing to be relative to */
			if (!f)
				return -1;
			d = (__u64)BPF_CORE_READ(f, f_path.dentry);
			vm = (__u64)BPF_CORE_READ(f, f_path.mnt);
		} else {
			d = (__u64)BPF_CORE_READ(task, fs, pwd.dentry);
			vm = (__u64)BPF_CORE_READ(task, fs, pwd.mnt);
		}
		/* the directory ends where the string starts: one input, walk[start, SK_HALF + n) */
		start = sk_walk(sc, d, vm, &wtrunc);
		sc->walk[SK_HALF - 1] = '/';
	}
	nm->i = start;
	nm->end = SK_HALF + n - 1;
	nm->out = 0;
	nm->seg = -1;
	nm->depth = 0;
	nm->cut = 0;
	nm->slot = slot;
	bpf_loop(nm->end - start + 1, sk_norm_step, &cb, 0);
	if (!nm->out) {
		out[0] = '/';
		nm->out = 1;
	}
	out[nm->out & SAKER_STR_MAX] = 0;
	/* the directory is the path less its last component (a cut one when the path was cut) */
	if (nm->seg >= 0)
		*leaf = nm->out - nm->seg - 1;
	else if (nm->depth)
		*leaf = nm->out - nm->start[(nm->depth - 1) & (SK_NORM_DEPTH - 1)] - 1;
	else
		*leaf = 0;
	/* an argument cut is a path cut too: the name is not whole */
	if (arg_cut)
		sk_cut(sc, SAKER_EVF_ARG_TRUNC);
	nm->marked = 0;
	if (arg_cut || wtrunc || nm->cut || (how & SK_PATH_UNSURE)) {
		__u32 n = nm->out & SAKER_STR_MAX;

		sk_cut(sc, SAKER_EVF_PATH_TRUNC);
		/* the marker, then the start of the name (what is known of a text cut at its end) */
		if (n > SAKER_STR_MAX - SAKER_CUT_LEN)
			n = SAKER_STR_MAX - SAKER_CUT_LEN;
		bpf_probe_read_kernel(&sc->walk[SK_HALF], n & (SK_HALF - 1), out);
		__builtin_memcpy(out, SAKER_CUT_MARK, SAKER_CUT_LEN);
		bpf_probe_read_kernel(out + SAKER_CUT_LEN, n & (SK_HALF - 1), &sc->walk[SK_HALF]);
		nm->out = n + SAKER_CUT_LEN;
		out[nm->out & SAKER_STR_MAX] = 0;
		nm->marked = 1;
	}
	return nm->out & SAKER_STR_MAX;
}

SK_SHARED __s32 sk_user_path(struct sk_scratch *sc, __s64 dirfd, __u64 upath, __u32 slot,
			     __s32 *leaf)
{
	return sk_any_path(sc, dirfd, upath, slot, leaf, 0);
}

/* A string argument kept as the call gave it (symlink's target, mount's source...): user
 * memory read at syscall exit, raceable as a failed open's path is (docs/kernel.md); or, HOW
 * with SK_PATH_KERNEL, kernel memory. */
SK_SHARED __s32 sk_any_str(struct sk_scratch *sc, __u64 str, __u32 slot, __u32 how)
{
	char *out = sk_slot(sc, slot);
	const char *u = (const char *)str;
	char more = 0;
	long n;

	if (how & SK_PATH_KERNEL)
		n = bpf_probe_read_kernel_str(out, SAKER_PATH_MAX, u);
	else
		n = bpf_probe_read_user_str(out, SAKER_PATH_MAX, u);
	if (n <= 0)
		return -1;
	if (n == SAKER_PATH_MAX && !(how & SK_PATH_KERNEL) &&
	    !bpf_probe_read_user(&more, 1, u + SAKER_PATH_MAX - 1) && more)
		sk_cut(sc, SAKER_EVF_ARG_TRUNC);
	return (n - 1) & SAKER_STR_MAX;
}

SK_SHARED __s32 sk_user_str(struct sk_scratch *sc, __u64 ustr, __u32 slot)
{
	return sk_any_str(sc, ustr, slot, 0);
}
