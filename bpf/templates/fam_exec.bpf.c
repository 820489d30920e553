/* The exec family: execve and execveat. A failed call is seen at its sys_exit, a successful one
 * by the exec hook (core.bpf.c), once the new image is in place; the process fields of either
 * are the core's (core_proc.bpf.c): after a successful exec, the new image's. The tail keeps
 * execveat's dirfd and flags when the call failed. */
#include "core.h"

SK_SHARED int sk_exec_int(struct sk_scratch *sc, int field, __s64 *v)
{
	(void)sc, (void)field, (void)v;
	return 0;
}

SK_SHARED int sk_exec_str(struct sk_scratch *sc, int field, const char **p)
{
	(void)sc, (void)field, (void)p;
	return -1;
}

SK_SHARED __u32 sk_exec_fill(struct sk_scratch *sc)
{
	struct saker_tail_exec *t = (struct saker_tail_exec *)sc->tail;

	t->dirfd = SK_AT_FDCWD;
	t->flags = 0;
	t->xflags = 0;
	if (sc->st.ret < 0) {
		t->xflags = SAKER_EXECF_ARGS;
		if (sc->st.event == SK_EV_EXECVEAT) {
			/* an int dirfd and flags, whatever the ABI */
			t->dirfd = (__s32)sc->st.arg[0];
			t->flags = (__u32)sc->st.arg[4];
		}
	}
	return sizeof(*t);
}
