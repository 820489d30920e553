/* The dup family (dup, dup2, dup3): the descriptor duplicated (oldfd), as the network family
 * reads descriptors (fam_sock.h), and the call's arguments. Its record tail is struct
 * saker_tail_dup. */
#include "fam_sock.h"

SK_SHARED int sk_dup_int(struct sk_scratch *sc, int field, __s64 *v)
{
	switch (field) {
	case SK_FLD_EVT_ARG_OLDFD:
		*v = (__s32)sc->st.arg[0];
		return 1;
	case SK_FLD_EVT_ARG_NEWFD:
		*v = (__s32)sc->st.arg[1];
		return sc->st.event != SK_EV_DUP;
	}
	return sk_sock_int(sc, field, v);
}

SK_SHARED int sk_dup_str(struct sk_scratch *sc, int field, const char **p)
{
	return sk_sock_str(sc, field, p);
}

SK_SHARED __u32 sk_dup_fill(struct sk_scratch *sc)
{
	struct saker_tail_dup *t = (struct saker_tail_dup *)sc->tail;
	struct sk_sock_state *ss = SK_FAM(sc, struct sk_sock_state);

	if ((sc->st.fhave & (SK_SOCK_INFO | SK_SOCK_NAME)) != (SK_SOCK_INFO | SK_SOCK_NAME))
		saker_sock_compute(SK_SOCK_INFO | SK_SOCK_NAME);
	__builtin_memcpy(&t->s, &ss->s, sizeof(t->s));
	t->arg[0] = sc->st.arg[0];
	t->arg[1] = sc->st.event == SK_EV_DUP ? 0 : sc->st.arg[1];
	t->arg[2] = sc->st.event == SK_EV_DUP3 ? sc->st.arg[2] : 0;
	return sizeof(*t);
}
