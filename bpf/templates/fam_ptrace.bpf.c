/* The ptrace family: the request (by number, and by name as ptrace.def spells it), the pid it
 * names, and its addr and data arguments. Its record tail is struct saker_tail_ptrace. */
#include "core.h"

/* The family's groups (sk_state.fhave). */
enum {
	SK_PTRACE_NAME = 1 << 0, /* evt.arg.request */
};

struct sk_ptrace_state {
	__s32 name_len;   /* length of the request's name in sc->small, -1: it has none */
};
SK_FAM_FITS(struct sk_ptrace_state);

/* The names of ptrace.def, one row each, and the row of request REQ (or -1). */
#define SK_PTRACE_NAME_MAX 40
static const char sk_ptrace_names[][SK_PTRACE_NAME_MAX] = {
#define SK_PTRACE_REQ(name, value) #name,
#include "saker/ptrace.def"
#undef SK_PTRACE_REQ
};

enum {
#define SK_PTRACE_REQ(name, value) SK_PTRACE_ROW_##name,
#include "saker/ptrace.def"
#undef SK_PTRACE_REQ
	SK_PTRACE_ROWS
};

SK_INLINE int sk_ptrace_row(__u64 req)
{
	switch (req) {
#define SK_PTRACE_REQ(name, value) case value: return SK_PTRACE_ROW_##name;
#include "saker/ptrace.def"
#undef SK_PTRACE_REQ
	}
	return -1;
}

/* The request: a long for native callers, a 32-bit int for i386 ones. */
SK_INLINE __u64 sk_ptrace_request(struct sk_scratch *sc)
{
	return sc->st.compat ? (__u32)sc->st.arg[0] : sc->st.arg[0];
}

/* The request's name into sc->small. A BPF global function: its switch over every request is
 * verified once, not at each test of evt.arg.request. */
SK_GLOBAL int saker_ptrace_compute(__u32 g)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_ptrace_state *ps;
	__u64 row;
	int r;

	if (!sc)
		return 0;
	ps = SK_FAM(sc, struct sk_ptrace_state);
	g &= ~sc->st.fhave;
	sc->st.fhave |= g;
	if (!(g & SK_PTRACE_NAME))
		return 0;
	ps->name_len = -1;
	r = sk_ptrace_row(sk_ptrace_request(sc));
	if (r < 0)
		return 0;
	row = (__u32)r;
	/* the barriers keep the bound check ahead of the address (see sk_pattern) */
	asm volatile("" : "+r"(row));
	if (row >= SK_PTRACE_ROWS)
		return 0;
	asm volatile("" : "+r"(row));
	__builtin_memset(sc->small, 0, SK_SMALL);
	ps->name_len = bpf_probe_read_kernel_str(sc->small, SK_PTRACE_NAME_MAX,
						 sk_ptrace_names[row]) - 1;
	return 0;
}

SK_SHARED int sk_ptrace_int(struct sk_scratch *sc, int field, __s64 *v)
{
	switch (field) {
	case SK_FLD_EVT_RAWARG_REQUEST:
		*v = sk_ptrace_request(sc);
		return 1;
	case SK_FLD_EVT_ARG_PID:
		/* a long pid_t for native callers, an int for i386 ones */
		*v = sc->st.compat ? (__s32)sc->st.arg[1] : (__s64)sc->st.arg[1];
		return 1;
	}
	return 0;
}

SK_SHARED int sk_ptrace_str(struct sk_scratch *sc, int field, const char **p)
{
	struct sk_ptrace_state *ps = SK_FAM(sc, struct sk_ptrace_state);

	if (field != SK_FLD_EVT_ARG_REQUEST)
		return -1;
	if (!(sc->st.fhave & SK_PTRACE_NAME))
		saker_ptrace_compute(SK_PTRACE_NAME);
	*p = sc->small;
	return ps->name_len <= 0 ? -1 : ps->name_len & (SK_SMALL - 1);
}

SK_SHARED __u32 sk_ptrace_fill(struct sk_scratch *sc)
{
	struct saker_tail_ptrace *t = (struct saker_tail_ptrace *)sc->tail;
	__s64 pid = 0;

	t->request = sk_ptrace_request(sc);
	sk_ptrace_int(sc, SK_FLD_EVT_ARG_PID, &pid);
	t->pid = pid;
	t->addr = sc->st.arg[2];
	t->data = sc->st.arg[3];
	return sizeof(*t);
}
