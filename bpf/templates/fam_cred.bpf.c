/* The identity family: setuid, setgid, setreuid, setregid, setresuid, setresgid. The ids the
 * call asked for, in argument order (evt.arg.uid, ruid, euid, suid and the gids; famargs.h
 * says which call has which); its record tail is struct saker_tail_cred. The ids the task
 * holds after the call are user.uid and group.gid. */
#include "core.h"

#include "saker/famargs.h"

/* Argument I: 32 bits, or 16 for the i386 calls without "32" (65535: unchanged). */
SK_INLINE __u32 sk_cred_id(struct sk_scratch *sc, __u32 i)
{
	__u64 a = sc->st.arg[i % 3];

	if (sc->st.compat && sk_famarg_id16(sc->st.event, sc->hdr.nr))
		return (__u16)a == 0xffff ? 0xffffffffu : (__u16)a;
	return (__u32)a;
}

struct sk_cred_state {
	__s64 val;    /* the id saker_cred_int found */
};
SK_FAM_FITS(struct sk_cred_state);

/* A BPF global function, verified once (see fam_file.bpf.c). */
SK_GLOBAL int saker_cred_int(__u32 field)
{
	struct sk_scratch *sc = sk_scratch();
	__u32 i = 0;

	if (!sc)
		return 0;
	if (sk_famarg_src(sc->st.event, field) != SK_SRC_TAIL)
		return 0;
	switch (field) {
	case SK_FLD_EVT_ARG_EUID:
	case SK_FLD_EVT_ARG_EGID:
		i = 1;
		break;
	case SK_FLD_EVT_ARG_SUID:
	case SK_FLD_EVT_ARG_SGID:
		i = 2;
		break;
	}
	SK_FAM(sc, struct sk_cred_state)->val = sk_cred_id(sc, i);
	return 1;
}

SK_SHARED int sk_cred_int(struct sk_scratch *sc, int field, __s64 *v)
{
	int ok = saker_cred_int(field);

	*v = SK_FAM(sc, struct sk_cred_state)->val;
	return ok;
}

SK_SHARED int sk_cred_str(struct sk_scratch *sc, int field, const char **p)
{
	(void)sc, (void)field, (void)p;
	return -1;
}

SK_SHARED __u32 sk_cred_fill(struct sk_scratch *sc)
{
	struct saker_tail_cred *t = (struct saker_tail_cred *)sc->tail;

	t->id[0] = sk_cred_id(sc, 0);
	t->id[1] = sk_cred_id(sc, 1);
	t->id[2] = sk_cred_id(sc, 2);
	t->pad = 0;
	return sizeof(*t);
}
