/* The open family (open, openat, openat2, creat, open_by_handle_at): the flags of the call, the descriptor it
 * returned, and fd.name, either the path of the struct file the open installed or, for a failed
 * open, the path the call named (Falco's name for it). Its record tail is struct
 * saker_tail_open. */
#include "core.h"

#define SK_O_WRONLY  01
#define SK_O_ACCMODE 03
#define SK_O_CREAT   0100
#define SK_O_TRUNC   01000
#define SK_O_TMPFILE 020000000
#define SK_O_PATH    010000000
#define SK_O_LARGEFILE 0100000
#define SK_FMODE_READ  0x1
#define SK_FMODE_WRITE 0x2
#define SK_S_IFMT    0170000
#define SK_S_IFDIR   0040000

/* The family's groups (sk_state.fhave). */
enum {
	SK_OPEN_FLAGS = 1 << 0, /* flags, mode */
	SK_OPEN_PATH  = 1 << 1, /* fd.name, the fd type */
	SK_OPEN_RAW   = 1 << 2, /* fd.nameraw, in string slot ARG2 */
};

struct sk_open_state {
	__u64 flags;      /* the open flags */
	__u32 mode;       /* the mode argument */
	__u32 flags_ok;   /* the flags could be read */
	__u32 dir;        /* the opened file is a directory */
	__s32 leaf_len;   /* length of fd.name's last component */
	__u32 cut;        /* fd.name was cut, and marked */
	__u32 file;       /* ino and dev are the opened file's */
	__u64 ino;
	__u32 dev;
	__s32 watch_id;   /* fd.watch_id, when watched */
	__u32 watched;
};

/* File identity: the files the bundle's watched paths name, as sakerd resolved them
 * (event.h, SAKER_MAP_WATCH; docs/kernel.md). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SAKER_WATCH_MAX);
	__type(key, struct saker_watch_key);
	__type(value, __s32);
} saker_watch SEC(".maps");
SK_FAM_FITS(struct sk_open_state);

/* openat2(2)'s argument, read from user memory (a stable UAPI layout, the same for i386). */
struct sk_open_how {
	__u64 flags;
	__u64 mode;
	__u64 resolve;
};

/* The argument index of the path each call takes. */
SK_INLINE __u32 sk_open_path_arg(__u32 event)
{
	return event == SK_EV_OPENAT || event == SK_EV_OPENAT2 ? 1 : 0;
}

/* The struct file the open installed at fd RET, or NULL. */
SK_INLINE struct file *sk_open_file(struct sk_scratch *sc)
{
	return sk_fd_file(sc->st.ret);
}

/* Whether F's access mode is the one the call asked for, where the kernel's saved registers say
 * it (open, openat, creat): a file another thread put at the descriptor in the race below, then
 * released, can hold one reference too, but it was opened otherwise (the race test's /dev/null
 * is read-write, the open write-only). Unknown (openat2's flags are user memory), O_PATH and the
 * odd access mode 3 pass. */
/* The access mode F was opened with, as O_ACCMODE counts it (O_RDONLY 0, O_WRONLY 1, O_RDWR 2),
 * from the kernel's own f_mode; 3 when it has neither bit (O_PATH, the odd access mode 3). */
SK_INLINE __u32 sk_file_accmode(struct file *f)
{
	__u32 m = BPF_CORE_READ(f, f_mode) & (SK_FMODE_READ | SK_FMODE_WRITE);

	return m == (SK_FMODE_READ | SK_FMODE_WRITE) ? 2 : m == SK_FMODE_WRITE ? 1 : m ? 0 : 3;
}

SK_INLINE int sk_open_acc_ok(struct sk_scratch *sc, struct file *f)
{
	__u64 flags;

	switch (sc->st.event) {
	case SK_EV_OPEN:
		flags = sc->st.arg[1];
		break;
	case SK_EV_OPENAT:
		flags = sc->st.arg[2];
		break;
	case SK_EV_CREAT:
		flags = SK_O_WRONLY;
		break;
	default:
		return 1;
	}
	if ((flags & SK_O_PATH) || (flags & SK_O_ACCMODE) == 3)
		return 1;
	return sk_file_accmode(f) == (flags & SK_O_ACCMODE);
}

/* References to F. */
SK_INLINE long sk_file_refs(struct file *f)
{
	if (bpf_core_field_exists(((struct file___new *)0)->f_ref))
		return BPF_CORE_READ((struct file___new *)f, f_ref.refcnt.counter) + 1;
	return BPF_CORE_READ((struct file___old *)f, f_count.counter);
}

SK_SHARED __u64 sk_uring_fixed_file(struct io_kiocb *req, __u32 slot)
{
	unsigned long p = 0;

	if (bpf_core_field_exists(((struct io_file_table___old *)0)->files)) {
		struct io_ring_ctx___old *ctx = (struct io_ring_ctx___old *)BPF_CORE_READ(req, ctx);
		struct io_fixed_file *files = BPF_CORE_READ(ctx, file_table.files);

		if (slot >= BPF_CORE_READ(ctx, nr_user_files))
			return 0;
		bpf_probe_read_kernel(&p, sizeof(p), &files[slot]);
	} else {
		struct io_ring_ctx *ctx = BPF_CORE_READ(req, ctx);
		struct io_rsrc_node **nodes = BPF_CORE_READ(ctx, file_table.data.nodes);
		struct io_rsrc_node *n = 0;

		if (slot >= BPF_CORE_READ(ctx, file_table.data.nr))
			return 0;
		bpf_probe_read_kernel(&n, sizeof(n), &nodes[slot]);
		p = n ? BPF_CORE_READ(n, file_ptr) : 0;
	}
	/* the flags in the low bits (FFS_NOWAIT, FFS_ISREG and, up to 6.6, FFS_SCM) */
	return p & ~7ul;
}

/* IORING_OP_OPENAT and IORING_OP_OPENAT2 (core.bpf.c, SK_URING_OPS): the kernel's own copy
 * of the request, as openat would have them: dirfd, the path (struct filename, kernel memory;
 * freed by the time the request completes, so never read), flags, mode; then the fixed-file
 * slot the file went to, 0 when it got a descriptor, and that slot's file. Both are openat2
 * inside the kernel: the flags are open_how's, in kernel memory, which no thread can rewrite. */
SK_SHARED void sk_open_uring(struct sk_scratch *sc, struct io_kiocb *req)
{
	struct io_open *op = (struct io_open *)req;
	__s64 slot;

	sc->st.arg[0] = (__u64)(__s64)BPF_CORE_READ(op, dfd);
	/* less O_LARGEFILE, which the kernel's prep adds to every request, as openat(2) does
	 * inside without the registers showing it */
	sc->st.arg[2] = BPF_CORE_READ(op, how.flags) & ~(__u64)SK_O_LARGEFILE;
	sc->st.arg[3] = BPF_CORE_READ(op, how.mode);
	sc->st.arg[4] = BPF_CORE_READ(op, file_slot);
	/* an open into a fixed-file slot (1-based; IORING_FILE_INDEX_ALLOC: the kernel chose
	 * it, and returned it) gets no descriptor: its file is the ring's slot's, installed by
	 * now */
	sc->st.arg[5] = 0;
	/* at submission: the name (the kernel's copy, struct filename, alive until the open
	 * ran), and no file yet */
	if (sc->st.uring == SK_URING_SUBMITTED) {
		sc->st.arg[1] = (__u64)BPF_CORE_READ(op, filename, name);
		return;
	}
	slot = sk_uring_slot((__u32)sc->st.arg[4], sc->st.ret);
	if (slot >= 0 && sc->st.ret >= 0)
		sc->st.arg[5] = sk_uring_fixed_file(req, slot);
}

/* An io_uring open at the LSM hook (core.bpf.c, sk_lsm_handle), which has no request: the
 * arguments as sk_open_uring's, from FILE, whose flags are the kernel's own. */
SK_SHARED void sk_open_lsm_uring(struct sk_scratch *sc, struct file *file)
{
	for (int k = 0; k < 5; k++)
		sc->st.arg[k] = 0;
	sc->st.arg[0] = (__u64)(__s64)SK_AT_FDCWD;
	sc->st.arg[2] = BPF_CORE_READ(file, f_flags) & ~(__u64)SK_O_LARGEFILE;
	sc->st.uring = 1;
}

/* open, openat and creat take their flags from the registers the kernel saved at entry, which
 * no other thread can change. openat2's come from user memory read after the kernel used it
 * (docs/kernel.md): there the access mode of a file that was opened is taken from the kernel's
 * own struct file, so a racing rewrite of open_how cannot hide a write. O_PATH files (and the
 * odd access mode 3) have neither bit and keep what the call said. The fd table walk is skipped
 * for the other calls: most opens are reads, and this runs for every one of them. */
SK_INLINE void sk_open_get_flags(struct sk_scratch *sc, struct sk_open_state *os)
{
	struct sk_open_how how = { 0 };
	struct file *f;
	__u64 flags = 0;
	__u32 acc;

	os->flags_ok = 1;
	os->mode = 0;
	switch (sc->st.uring ? SK_EV_OPENAT : sc->st.event) {
	case SK_EV_OPEN:
		flags = sc->st.arg[1];
		os->mode = sc->st.arg[2];
		break;
	case SK_EV_OPENAT:
		flags = sc->st.arg[2];
		os->mode = sc->st.arg[3];
		break;
	case SK_EV_OPENAT2:
		if (bpf_probe_read_user(&how, sizeof(how), (void *)sc->st.arg[2]))
			os->flags_ok = 0;
		flags = how.flags;
		os->mode = how.mode;
		break;
	case SK_EV_CREAT:
		flags = SK_O_CREAT | SK_O_WRONLY | SK_O_TRUNC;
		os->mode = sc->st.arg[1];
		break;
	case SK_EV_OPEN_BY_HANDLE_AT:
		/* (mount_fd, handle, flags): no mode, the file exists */
		flags = sc->st.arg[2] & ~(__u64)(SK_O_CREAT | SK_O_TMPFILE);
		break;
	default:
		os->flags_ok = 0;
	}
	/* the mode counts only where the kernel reads it */
	if (!(flags & (SK_O_CREAT | SK_O_TMPFILE)))
		os->mode = 0;
	/* the LSM hook's file is the open's own (arg[5], core.bpf.c) */
	f = sc->st.lsm ? (struct file *)sc->st.arg[5]
		       : sc->st.event == SK_EV_OPENAT2 && !sc->st.uring ? sk_open_file(sc) : 0;
	acc = f ? sk_file_accmode(f) : 3;
	if (acc != 3) {
		if (!os->flags_ok)
			flags = 0; /* only the access mode is known */
		flags = (flags & ~(__u64)SK_O_ACCMODE) | acc;
		os->flags_ok = 1;
	}
	os->flags = os->flags_ok ? flags : 0;
}

/* fd.name: the path of the struct file the open installed at fd RET; for a failed open, the
 * path the call named, made absolute and normalised as text. */
SK_INLINE void sk_open_get_path(struct sk_scratch *sc, struct sk_open_state *os)
{
	__s32 *len = &sc->st.str_len[SAKER_STR_FD_NAME];
	struct file *f;
	struct inode *ino;
	int trunc = 0;

	*len = -1;
	os->dir = 0;
	os->leaf_len = 0;
	os->cut = 0;
	os->file = 0;
	os->ino = 0;
	os->dev = 0;
	os->watch_id = 0;
	os->watched = 0;
	/* the LSM hook has the file itself, before any descriptor can point elsewhere */
	if (sc->st.lsm) {
		f = (struct file *)sc->st.arg[5];
		goto named;
	}
	/* an io_uring open at its submission: the name given, absolute, marked cut (core.bpf.c,
	 * sk_uring_submitted) */
	if (sc->st.uring == SK_URING_SUBMITTED) {
		*len = sk_any_path(sc, (__s32)sc->st.arg[0], sc->st.arg[1], SAKER_STR_FD_NAME,
				   &os->leaf_len, SK_PATH_KERNEL | SK_PATH_UNSURE);
		os->cut = *len >= 0;
		return;
	}
	/* a failed io_uring open's path is freed memory by now: it has none (docs/kernel.md) */
	if (sc->st.uring && sc->st.ret < 0)
		return;
	/* one that went to a fixed-file slot has the slot's file (sk_open_uring) */
	if (sc->st.uring && sc->st.arg[4]) {
		f = (struct file *)sc->st.arg[5];
		if (!f)
			return;
		goto named;
	}
	/* a handle names no path: a failed open_by_handle_at has no fd.name */
	if (sc->st.ret < 0 && sc->st.event == SK_EV_OPEN_BY_HANDLE_AT)
		return;
	if (sc->st.ret < 0) {
		__u32 at = sk_open_path_arg(sc->st.event);

		*len = sk_user_path(sc, at ? (__s32)sc->st.arg[0] : SK_AT_FDCWD,
				    sc->st.arg[at & 1], SAKER_STR_FD_NAME, &os->leaf_len);
		os->cut = *len >= 0 && sc->nm.marked;
		return;
	}
	f = sk_open_file(sc);
	/* The descriptor race: the syscall installed its new file at RET and returned; until this
	 * hook reads the table, another thread of the process can close that descriptor or dup2()
	 * another file over it. A fresh file has one reference, the table's; a file there with more
	 * was duplicated from elsewhere, or the new one duplicated to keep it (dup, then dup2 over
	 * it), and no file means it was closed. Either way the name at RET is not the open's:
	 * fd.name is "<cut>/<raced>", a cut name, and the rules "may match" (docs/kernel.md,
	 * "Races left"). */
	if (!f || (!sc->st.uring && (sk_file_refs(f) != 1 || !sk_open_acc_ok(sc, f)))) {
		__builtin_memcpy(sc->str[SAKER_STR_FD_NAME], SAKER_CUT_MARK "/<raced>",
				 SAKER_CUT_LEN + 9);
		*len = SAKER_CUT_LEN + 8;
		os->leaf_len = 7;
		os->cut = 1;
		sk_cut(sc, SAKER_EVF_PATH_TRUNC);
		return;
	}
named:
	ino = BPF_CORE_READ(f, f_inode);
	os->dir = (BPF_CORE_READ(ino, i_mode) & SK_S_IFMT) == SK_S_IFDIR;
	/* which file it is, whatever the name: the watched files are looked up by it */
	{
		struct saker_watch_key key = { 0 };
		__s32 *id;

		key.ino = BPF_CORE_READ(ino, i_ino);
		key.dev = BPF_CORE_READ(ino, i_sb, s_dev);
		os->file = 1;
		os->ino = key.ino;
		os->dev = key.dev;
		id = bpf_map_lookup_elem(&saker_watch, &key);
		if (id) {
			os->watch_id = *id;
			os->watched = 1;
		}
	}
	*len = sk_path(sc, f, SAKER_STR_FD_NAME, &trunc, &os->leaf_len);
	os->cut = trunc != 0;
	if (trunc)
		sk_cut(sc, SAKER_EVF_PATH_TRUNC);
}

/* fd.nameraw: the path as the call gave it, user memory read at exit (raceable, as a failed
 * open's path is: docs/kernel.md), or the kernel's own copy at an io_uring submission. None for
 * open_by_handle_at, nor for an io_uring open at its completion (the kernel freed it). */
SK_INLINE void sk_open_get_raw(struct sk_scratch *sc)
{
	__s32 *len = &sc->st.str_len[SAKER_STR_ARG2];

	*len = -1;
	if (sc->st.uring == SK_URING_SUBMITTED)
		*len = sk_any_str(sc, sc->st.arg[1], SAKER_STR_ARG2, SK_PATH_KERNEL);
	else if (!sc->st.uring && sc->st.event != SK_EV_OPEN_BY_HANDLE_AT)
		*len = sk_user_str(sc, sc->st.arg[sk_open_path_arg(sc->st.event) & 1],
				   SAKER_STR_ARG2);
}

/* Computes the groups in G this event does not have yet. */
SK_GLOBAL int saker_open_compute(__u32 g)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_open_state *os;

	if (!sc)
		return 0;
	os = SK_FAM(sc, struct sk_open_state);
	g &= ~sc->st.fhave;
	sc->st.fhave |= g;
	if (g & SK_OPEN_FLAGS)
		sk_open_get_flags(sc, os);
	if (g & SK_OPEN_PATH)
		sk_open_get_path(sc, os);
	if (g & SK_OPEN_RAW)
		sk_open_get_raw(sc);
	return 0;
}

SK_INLINE struct sk_open_state *sk_open_need(struct sk_scratch *sc, __u32 g)
{
	/* every group of G: the record's fill asks for two, and may come before the rules'
	 * tests computed both (a full record of 32 ids goes out in the middle of them) */
	if ((sc->st.fhave & g) != g)
		saker_open_compute(g);
	return SK_FAM(sc, struct sk_open_state);
}

SK_SHARED int sk_open_int(struct sk_scratch *sc, int field, __s64 *v)
{
	struct sk_open_state *os;
	__u64 acc;

	switch (field) {
	case SK_FLD_EVT_IS_OPEN_READ:
	case SK_FLD_EVT_IS_OPEN_WRITE:
	case SK_FLD_EVT_IS_OPEN_CREATE:
	case SK_FLD_EVT_RAWARG_FLAGS:
		os = sk_open_need(sc, SK_OPEN_FLAGS);
		acc = os->flags & SK_O_ACCMODE;
		if (field == SK_FLD_EVT_IS_OPEN_READ)
			*v = acc == 0 || acc == 2;
		else if (field == SK_FLD_EVT_IS_OPEN_WRITE)
			*v = acc == 1 || acc == 2;
		else if (field == SK_FLD_EVT_IS_OPEN_CREATE)
			*v = (os->flags & SK_O_CREAT) != 0;
		else
			*v = os->flags;
		return os->flags_ok;
	case SK_FLD_FD_NUM:
		*v = sc->st.ret < 0 ? -1 : sc->st.ret;
		return 1;
	case SK_FLD_FD_NAME_CUT:
		os = sk_open_need(sc, SK_OPEN_PATH);
		*v = os->cut;
		return 1;
	case SK_FLD_FD_INO:
	case SK_FLD_FD_DEV:
	case SK_FLD_FD_WATCH_ID:
		os = sk_open_need(sc, SK_OPEN_PATH);
		*v = field == SK_FLD_FD_INO ? (__s64)os->ino : field == SK_FLD_FD_DEV ? os->dev : os->watch_id;
		return field == SK_FLD_FD_WATCH_ID ? os->watched : os->file;
	}
	return 0;
}

SK_SHARED int sk_open_str(struct sk_scratch *sc, int field, const char **p)
{
	const char *path = sc->str[SAKER_STR_FD_NAME];
	struct sk_open_state *os;
	__s32 len, n;

	switch (field) {
	case SK_FLD_FD_TYPECHAR:
		/* Falco types a failed open of the family 'f', path or not ("open_file_failed"
		 * relies on it); no need to build the path for that */
		*p = sc->small;
		if (sc->st.ret < 0) {
			__builtin_memcpy(sc->small, "f", 2);
			return 1;
		}
		break;
	case SK_FLD_FD_FILENAME:
	case SK_FLD_FD_TYPE:
		/* Falco has neither for a failed open (and so no name longer than 255) */
		if (sc->st.ret < 0)
			return -1;
		break;
	case SK_FLD_FD_NAME:
	case SK_FLD_FD_DIRECTORY:
		break;
	case SK_FLD_FD_NAMERAW:
		sk_open_need(sc, SK_OPEN_RAW);
		len = sc->st.str_len[SAKER_STR_ARG2];
		*p = sk_slot(sc, SAKER_STR_ARG2);
		return len < 0 ? -1 : (len & SAKER_STR_MAX);
	default:
		return -1;
	}
	os = sk_open_need(sc, SK_OPEN_PATH);
	len = sc->st.str_len[SAKER_STR_FD_NAME];
	if (len < 0)
		return -1;
	len &= SAKER_STR_MAX;
	switch (field) {
	case SK_FLD_FD_NAME:
		*p = path;
		return len;
	case SK_FLD_FD_DIRECTORY:
		/* "/a/b" -> "/a"; "/b" and "/" -> "/". A failed open's last component is the
		 * caller's text, which may be longer than a name can be. */
		*p = path;
		n = len - (os->leaf_len & SAKER_STR_MAX) - 1;
		return n > 0 ? (n & SAKER_STR_MAX) : 1;
	case SK_FLD_FD_FILENAME:
		/* the last component ends the path */
		*p = path + ((len - (os->leaf_len & SK_NAME_MAX)) & SAKER_STR_MAX);
		return os->leaf_len & SK_NAME_MAX;
	case SK_FLD_FD_TYPECHAR:
		__builtin_memcpy(sc->small, os->dir ? "d" : "f", 2);
		*p = sc->small;
		return 1;
	case SK_FLD_FD_TYPE:
		if (os->dir)
			__builtin_memcpy(sc->small + 8, "directory", 10);
		else
			__builtin_memcpy(sc->small + 8, "file", 5);
		*p = sc->small + 8;
		return os->dir ? 9 : 4;
	}
	return -1;
}

SK_SHARED __u32 sk_open_fill(struct sk_scratch *sc)
{
	struct saker_tail_open *t = (struct saker_tail_open *)sc->tail;
	struct sk_open_state *os = sk_open_need(sc, SK_OPEN_FLAGS | SK_OPEN_PATH | SK_OPEN_RAW);

	t->flags = os->flags;
	t->mode = os->mode;
	t->fd = sc->st.ret < 0 ? -1 : (__s32)sc->st.ret;
	t->oflags = (os->dir ? SAKER_OPENF_DIR : 0) | (os->flags_ok ? 0 : SAKER_OPENF_FLAGS_NA) |
		    (os->cut ? SAKER_OPENF_NAME_CUT : 0) | (os->file ? SAKER_OPENF_FILE : 0) |
		    (os->watched ? SAKER_OPENF_WATCHED : 0);
	t->pad = 0;
	t->ino = os->ino;
	t->dev = os->dev;
	t->watch_id = os->watch_id;
	return sizeof(*t);
}
