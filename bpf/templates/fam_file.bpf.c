/* The file-operations family: symlink, symlinkat, link, linkat, unlink, unlinkat, rename,
 * renameat, renameat2, mkdir, mkdirat, rmdir, chmod, fchmod, fchmodat, chown, fchown, lchown,
 * fchownat. Their paths as Falco names them (evt.arg.target, linkpath, oldpath, newpath, path,
 * name, filename, pathname: include/saker/famargs.h says which call has which): symlink's
 * target as given, every other path made absolute (with the cwd or the call's dirfd) and
 * normalised as text, as a failed open's fd.name is (docs/kernel.md). Its numbers (mode, ids,
 * fd, flags) are in its record tail, struct saker_tail_file. */
#include "core.h"

#include "saker/famargs.h"

/* The family's groups (sk_state.fhave). */
enum {
	SK_FILE_S1  = 1 << 0, /* the first string: string slot ARG1 */
	SK_FILE_S2  = 1 << 1, /* the second: ARG2 */
	SK_FILE_NUM = 1 << 2, /* the tail's numbers */
};

struct sk_file_state {
	__s64 val;    /* the number saker_file_int found */
	__s32 leaf;   /* length of a path's last component (not used by the family's fields) */
	__u32 str2;   /* the string saker_file_strsel found is ARG2 (else ARG1) */
};
SK_FAM_FITS(struct sk_file_state);

/* String WHICH (0, 1) of the call: the user pointer in *U and, for a path, the descriptor it is
 * relative to in *DIRFD. 0: the call has none; 1: a path; 2: a string kept as given. */
SK_INLINE int sk_file_strarg(struct sk_scratch *sc, __u32 which, __u64 *u, __s64 *dirfd)
{
	const __u64 *a = sc->st.arg;

	*dirfd = SK_AT_FDCWD;
	switch (sc->st.event) {
	case SK_EV_SYMLINK:
		*u = which ? a[1] : a[0];
		return which ? 1 : 2;
	case SK_EV_SYMLINKAT:
		*u = which ? a[2] : a[0];
		if (which)
			*dirfd = (__s32)a[1];
		return which ? 1 : 2;
	case SK_EV_LINK:
	case SK_EV_RENAME:
		*u = which ? a[1] : a[0];
		return 1;
	case SK_EV_LINKAT:
	case SK_EV_RENAMEAT:
	case SK_EV_RENAMEAT2:
		*u = which ? a[3] : a[1];
		*dirfd = (__s32)(which ? a[2] : a[0]);
		return 1;
	case SK_EV_UNLINKAT:
	case SK_EV_MKDIRAT:
	case SK_EV_FCHMODAT:
	case SK_EV_FCHOWNAT:
		if (which)
			return 0;
		*u = a[1];
		*dirfd = (__s32)a[0];
		return 1;
	case SK_EV_UNLINK:
	case SK_EV_MKDIR:
	case SK_EV_RMDIR:
	case SK_EV_CHMOD:
	case SK_EV_CHOWN:
	case SK_EV_LCHOWN:
		if (which)
			return 0;
		*u = a[0];
		return 1;
	}
	return 0;
}

/* String WHICH into its slot. A BPF global function: the path code is verified once. */
SK_GLOBAL int saker_file_str(__u32 which)
{
	struct sk_scratch *sc = sk_scratch();
	__u32 slot;
	__s64 dirfd;
	__u64 u = 0;
	int kind;

	if (!sc)
		return 0;
	slot = which ? SAKER_STR_ARG2 : SAKER_STR_ARG1;
	kind = sk_file_strarg(sc, which, &u, &dirfd);
	sc->st.str_len[slot] = -1;
	if (kind == 2)
		sc->st.str_len[slot] = sk_user_str(sc, u, slot);
	else if (kind == 1)
		sc->st.str_len[slot] = sk_user_path(sc, dirfd, u, slot,
						    &SK_FAM(sc, struct sk_file_state)->leaf);
	return 0;
}

/* An id argument: 32 bits, or 16 for the i386 calls without "32" (65535: unchanged). */
SK_INLINE __u32 sk_file_id(struct sk_scratch *sc, __u64 a)
{
	if (sc->st.compat && sk_famarg_id16(sc->st.event, sc->hdr.nr))
		return (__u16)a == 0xffff ? 0xffffffffu : (__u16)a;
	return (__u32)a;
}

/* The numbers, straight into the record's tail. */
SK_INLINE void sk_file_nums(struct sk_scratch *sc)
{
	struct saker_tail_file *t = (struct saker_tail_file *)sc->tail;
	const __u64 *a = sc->st.arg;

	t->flags = 0;
	t->mode = 0;
	t->uid = 0;
	t->gid = 0;
	t->fd = -1;
	t->dirfd = SK_AT_FDCWD;
	t->dirfd2 = SK_AT_FDCWD;
	switch (sc->st.event) {
	case SK_EV_SYMLINKAT:
		t->dirfd2 = (__s32)a[1];
		break;
	case SK_EV_LINKAT:
	case SK_EV_RENAMEAT2:
		t->flags = (__u32)a[4];
		/* fall through */
	case SK_EV_RENAMEAT:
		t->dirfd = (__s32)a[0];
		t->dirfd2 = (__s32)a[2];
		break;
	case SK_EV_UNLINKAT:
		t->dirfd = (__s32)a[0];
		t->flags = (__u32)a[2];
		break;
	case SK_EV_MKDIR:
	case SK_EV_CHMOD:
		t->mode = (__u32)a[1];
		break;
	case SK_EV_FCHMOD:
		t->fd = (__s32)a[0];
		t->mode = (__u32)a[1];
		break;
	case SK_EV_MKDIRAT:
	case SK_EV_FCHMODAT:
		t->dirfd = (__s32)a[0];
		t->mode = (__u32)a[2];
		break;
	case SK_EV_FCHOWN:
		t->fd = (__s32)a[0];
		/* fall through */
	case SK_EV_CHOWN:
	case SK_EV_LCHOWN:
		t->uid = sk_file_id(sc, a[1]);
		t->gid = sk_file_id(sc, a[2]);
		break;
	case SK_EV_FCHOWNAT:
		t->dirfd = (__s32)a[0];
		t->uid = (__u32)a[2];
		t->gid = (__u32)a[3];
		t->flags = (__u32)a[4];
		break;
	}
}

SK_INLINE void sk_file_need(struct sk_scratch *sc, __u32 g)
{
	g &= ~sc->st.fhave;
	if (!g)
		return;
	sc->st.fhave |= g;
	if (g & SK_FILE_S1)
		saker_file_str(0);
	if (g & SK_FILE_S2)
		saker_file_str(1);
	if (g & SK_FILE_NUM)
		sk_file_nums(sc);
}

/* The accessors' work is in BPF global functions, verified once: inline, the table of which
 * call has which field (famargs.h) multiplies the verifier's paths through every rule. */
SK_GLOBAL int saker_file_int(__u32 field)
{
	struct sk_scratch *sc = sk_scratch();
	const struct saker_tail_file *t;
	struct sk_file_state *fs;

	if (!sc)
		return 0;
	t = (const struct saker_tail_file *)sc->tail;
	fs = SK_FAM(sc, struct sk_file_state);
	if (sk_famarg_src(sc->st.event, field) != SK_SRC_TAIL)
		return 0;
	sk_file_need(sc, SK_FILE_NUM);
	switch (field) {
	case SK_FLD_EVT_ARG_MODE:
	case SK_FLD_EVT_RAWARG_MODE:
		fs->val = t->mode;
		return 1;
	case SK_FLD_EVT_ARG_UID:
	case SK_FLD_EVT_RAWARG_UID:
		fs->val = t->uid;
		return 1;
	case SK_FLD_EVT_ARG_GID:
	case SK_FLD_EVT_RAWARG_GID:
		fs->val = t->gid;
		return 1;
	case SK_FLD_EVT_ARG_FD:
	case SK_FLD_EVT_RAWARG_FD:
		fs->val = t->fd;
		return 1;
	}
	return 0;
}

/* The length of FIELD's string (-1: missing); which slot holds it in the state's str2. */
SK_GLOBAL int saker_file_strsel(__u32 field)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_file_state *fs;
	int src;
	__s32 len;

	if (!sc)
		return -1;
	fs = SK_FAM(sc, struct sk_file_state);
	src = sk_famarg_src(sc->st.event, field);
	fs->str2 = src == SK_SRC_STR2;
	if (src == SK_SRC_STR1) {
		sk_file_need(sc, SK_FILE_S1);
		len = sc->st.str_len[SAKER_STR_ARG1];
	} else if (src == SK_SRC_STR2) {
		sk_file_need(sc, SK_FILE_S2);
		len = sc->st.str_len[SAKER_STR_ARG2];
	} else {
		return -1;
	}
	return len < 0 ? -1 : (len & SAKER_STR_MAX);
}

SK_SHARED int sk_file_int(struct sk_scratch *sc, int field, __s64 *v)
{
	int ok = saker_file_int(field);

	*v = SK_FAM(sc, struct sk_file_state)->val;
	return ok;
}

SK_SHARED int sk_file_str(struct sk_scratch *sc, int field, const char **p)
{
	int len = saker_file_strsel(field);

	*p = SK_FAM(sc, struct sk_file_state)->str2 ? sc->str[SAKER_STR_ARG2] : sc->str[SAKER_STR_ARG1];
	return len < 0 ? -1 : (len & SAKER_STR_MAX);
}

SK_SHARED __u32 sk_file_fill(struct sk_scratch *sc)
{
	sk_file_need(sc, SK_FILE_S1 | SK_FILE_S2 | SK_FILE_NUM);
	return sizeof(struct saker_tail_file);
}
