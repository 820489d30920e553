/* The system family: mount, bpf, memfd_create, init_module, finit_module (calls that change the
 * system or load code into it). mount's source (evt.arg.dev) and type as given, its target
 * (evt.arg.dir) made absolute and normalised; bpf's command (evt.arg.cmd, by name as
 * bpfcmd.def spells it); memfd_create's name; the modules' descriptor and parameters
 * (evt.arg.fd, evt.arg.uargs). famargs.h says which call has which; the record tail is struct
 * saker_tail_sys. */
#include "core.h"

#include "saker/famargs.h"

/* The family's groups (sk_state.fhave). */
enum {
	SK_SYS_S1  = 1 << 0, /* string slot ARG1 */
	SK_SYS_S2  = 1 << 1, /* string slot ARG2 */
	SK_SYS_NUM = 1 << 2, /* the tail */
	SK_SYS_CMD = 1 << 3, /* evt.arg.cmd */
};

struct sk_sys_state {
	__s32 leaf;       /* length of the target's last component (unused) */
	__s32 cmd_len;    /* length of the command's name in sc->small, -1: it has none */
	__s32 type_len;   /* length of mount's type in the tail */
	__u32 where;      /* where saker_sys_strsel found the string: 0 ARG1, 1 ARG2, 2 sc->small,
			   * 3 the tail's type */
	__s64 val;        /* the number saker_sys_int found */
};
SK_FAM_FITS(struct sk_sys_state);

_Static_assert(__builtin_offsetof(struct sk_scratch, tail) % 8 == 0 &&
	       __builtin_offsetof(struct saker_tail_sys, type) % 8 == 0, "aligned type");

#define SK_BPF_CMD_NAME_MAX 40
static const char sk_bpf_cmd_names[][SK_BPF_CMD_NAME_MAX] = {
#define SK_BPF_CMD(name, value) #name,
#include "saker/bpfcmd.def"
#undef SK_BPF_CMD
};

enum {
#define SK_BPF_CMD(name, value) SK_BPF_CMD_ROW_##name,
#include "saker/bpfcmd.def"
#undef SK_BPF_CMD
	SK_BPF_CMD_ROWS
};

SK_INLINE int sk_bpf_cmd_row(__u64 cmd)
{
	switch (cmd) {
#define SK_BPF_CMD(name, value) case value: return SK_BPF_CMD_ROW_##name;
#include "saker/bpfcmd.def"
#undef SK_BPF_CMD
	}
	return -1;
}

/* The string arguments: 1 a path (made absolute), 2 kept as given, 0 none. */
SK_INLINE int sk_sys_strarg(struct sk_scratch *sc, __u32 which, __u64 *u)
{
	const __u64 *a = sc->st.arg;

	switch (sc->st.event) {
	case SK_EV_MOUNT:
		*u = which ? a[1] : a[0];
		return which ? 1 : 2;
	case SK_EV_MEMFD_CREATE:
		*u = a[0];
		return which ? 0 : 2;
	case SK_EV_INIT_MODULE:
		*u = a[2];
		return which ? 0 : 2;
	case SK_EV_FINIT_MODULE:
		*u = a[1];
		return which ? 0 : 2;
	}
	return 0;
}

/* The numbers and mount's type into the tail; the command's name into sc->small. One BPF
 * global function: verified once. */
SK_GLOBAL int saker_sys_compute(__u32 g)
{
	struct sk_scratch *sc = sk_scratch();
	struct saker_tail_sys *t;
	struct sk_sys_state *ss;
	__u64 u = 0, row;
	__u32 slot;
	int kind, r;
	long n;

	if (!sc)
		return 0;
	t = (struct saker_tail_sys *)sc->tail;
	ss = SK_FAM(sc, struct sk_sys_state);
	g &= ~sc->st.fhave;
	sc->st.fhave |= g;
	for (__u32 which = 0; which < 2; which++) {
		if (!(g & (which ? SK_SYS_S2 : SK_SYS_S1)))
			continue;
		slot = which ? SAKER_STR_ARG2 : SAKER_STR_ARG1;
		kind = sk_sys_strarg(sc, which, &u);
		sc->st.str_len[slot] = -1;
		if (kind == 2)
			sc->st.str_len[slot] = sk_user_str(sc, u, slot);
		else if (kind == 1)
			sc->st.str_len[slot] = sk_user_path(sc, SK_AT_FDCWD, u, slot, &ss->leaf);
	}
	if (g & SK_SYS_NUM) {
		const __u64 *a = sc->st.arg;

		t->flags = 0;
		t->cmd = 0;
		t->fd = -1;
		t->len = 0;
		t->sflags = 0;
		t->pad = 0;
		__builtin_memset(t->type, 0, SAKER_FSTYPE_LEN);
		switch (sc->st.event) {
		case SK_EV_MOUNT:
			t->flags = a[3];
			n = bpf_probe_read_user_str(t->type, SAKER_FSTYPE_LEN, (void *)a[2]);
			if (n > 0) {
				char more = 0;

				t->sflags = SAKER_SYSF_TYPE;
				ss->type_len = n - 1;
				if (n == SAKER_FSTYPE_LEN &&
				    !bpf_probe_read_user(&more, 1, (char *)a[2] + n - 1) && more)
					sk_cut(sc, SAKER_EVF_ARG_TRUNC);
			} else {
				__builtin_memset(t->type, 0, SAKER_FSTYPE_LEN);
			}
			break;
		case SK_EV_BPF:
			t->cmd = (__u32)a[0];
			break;
		case SK_EV_MEMFD_CREATE:
			t->flags = (__u32)a[1];
			break;
		case SK_EV_INIT_MODULE:
			t->len = sc->st.compat ? (__u32)a[1] : a[1];
			break;
		case SK_EV_FINIT_MODULE:
			t->fd = (__s32)a[0];
			t->flags = (__u32)a[2];
			break;
		}
	}
	if (g & SK_SYS_CMD) {
		ss->cmd_len = -1;
		r = sc->st.event == SK_EV_BPF ? sk_bpf_cmd_row((__u32)sc->st.arg[0]) : -1;
		if (r < 0)
			return 0;
		row = (__u32)r;
		/* the barriers keep the bound check ahead of the address (see sk_pattern) */
		asm volatile("" : "+r"(row));
		if (row >= SK_BPF_CMD_ROWS)
			return 0;
		asm volatile("" : "+r"(row));
		__builtin_memset(sc->small, 0, SK_SMALL);
		ss->cmd_len = bpf_probe_read_kernel_str(sc->small, SK_BPF_CMD_NAME_MAX,
							sk_bpf_cmd_names[row]) - 1;
	}
	return 0;
}

SK_INLINE void sk_sys_need(struct sk_scratch *sc, __u32 g)
{
	if (g & ~sc->st.fhave)
		saker_sys_compute(g);
}

/* The accessors' work, in BPF global functions verified once (see fam_file.bpf.c). */
SK_GLOBAL int saker_sys_int(__u32 field)
{
	struct sk_scratch *sc = sk_scratch();
	const struct saker_tail_sys *t;
	struct sk_sys_state *ss;

	if (!sc)
		return 0;
	t = (const struct saker_tail_sys *)sc->tail;
	ss = SK_FAM(sc, struct sk_sys_state);
	if (sk_famarg_src(sc->st.event, field) != SK_SRC_TAIL)
		return 0;
	sk_sys_need(sc, SK_SYS_NUM);
	switch (field) {
	case SK_FLD_EVT_ARG_FD:
	case SK_FLD_EVT_RAWARG_FD:
		ss->val = t->fd;
		return 1;
	case SK_FLD_EVT_RAWARG_CMD:
		ss->val = t->cmd;
		return 1;
	}
	return 0;
}

SK_GLOBAL int saker_sys_strsel(__u32 field)
{
	struct sk_scratch *sc = sk_scratch();
	const struct saker_tail_sys *t;
	struct sk_sys_state *ss;
	int src;
	__s32 len;

	if (!sc)
		return -1;
	t = (const struct saker_tail_sys *)sc->tail;
	ss = SK_FAM(sc, struct sk_sys_state);
	src = sk_famarg_src(sc->st.event, field);
	ss->where = 0;
	if (src == SK_SRC_STR1) {
		sk_sys_need(sc, SK_SYS_S1);
		len = sc->st.str_len[SAKER_STR_ARG1];
		return len < 0 ? -1 : (len & SAKER_STR_MAX);
	}
	if (src == SK_SRC_STR2) {
		sk_sys_need(sc, SK_SYS_S2);
		ss->where = 1;
		len = sc->st.str_len[SAKER_STR_ARG2];
		return len < 0 ? -1 : (len & SAKER_STR_MAX);
	}
	if (src != SK_SRC_TAIL)
		return -1;
	if (field == SK_FLD_EVT_ARG_CMD) {
		sk_sys_need(sc, SK_SYS_CMD);
		ss->where = 2;
		return ss->cmd_len <= 0 ? -1 : ss->cmd_len & (SK_SMALL - 1);
	}
	if (field == SK_FLD_EVT_ARG_FSTYPE) {
		sk_sys_need(sc, SK_SYS_NUM);
		ss->where = 3;
		if (!(t->sflags & SAKER_SYSF_TYPE))
			return -1;
		return ss->type_len & (SAKER_FSTYPE_LEN - 1);
	}
	return -1;
}

SK_SHARED int sk_sys_int(struct sk_scratch *sc, int field, __s64 *v)
{
	int ok = saker_sys_int(field);

	*v = SK_FAM(sc, struct sk_sys_state)->val;
	return ok;
}

SK_SHARED int sk_sys_str(struct sk_scratch *sc, int field, const char **p)
{
	struct saker_tail_sys *t = (struct saker_tail_sys *)sc->tail;
	int len = saker_sys_strsel(field);

	switch (SK_FAM(sc, struct sk_sys_state)->where) {
	case 1:
		*p = sc->str[SAKER_STR_ARG2];
		break;
	case 2:
		*p = sc->small;
		break;
	case 3:
		*p = t->type;
		break;
	default:
		*p = sc->str[SAKER_STR_ARG1];
	}
	/* every string here is followed by SAKER_STR_MAX bytes of the map */
	return len < 0 ? -1 : (len & SAKER_STR_MAX);
}

SK_SHARED __u32 sk_sys_fill(struct sk_scratch *sc)
{
	sk_sys_need(sc, SK_SYS_S1 | SK_SYS_S2 | SK_SYS_NUM);
	return sizeof(struct saker_tail_sys);
}
