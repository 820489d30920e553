/* Event records in user space (include/saker/event_fields.h): the strict decoder of the wire
 * form, its encoder for tests, and the value of every kernel field for a record, the common ones
 * from the header and the rest from each family's tail. The kernel side computes the same fields
 * for its predicates; the differential test holds the two to each other. */
#define _GNU_SOURCE
#include "saker/event_fields.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saker/famargs.h"
#include "saker/fields.h"

#define ALIGN8(n) (((n) + 7u) & ~(size_t)7)

/* ---- values ------------------------------------------------------------------------------- */

static void v_str(struct sk_field_value *v, const char *s, size_t len)
{
	v->kind = SK_VAL_STR;
	v->s = s;
	v->len = len;
}

static void v_cstr(struct sk_field_value *v, const char *s)
{
	if (s)
		v_str(v, s, strlen(s));
}

/* A fixed-size header string of CAP bytes (CAP < SK_FIELD_SCRATCH). The kernel terminates them,
 * but a record is untrusted input: one with no NUL within CAP is copied and terminated. */
static void v_buf(struct sk_field_value *v, const char *buf, size_t cap, char *scratch)
{
	size_t n = strnlen(buf, cap);
	if (n == cap) {
		memcpy(scratch, buf, n);
		scratch[n] = 0;
		buf = scratch;
	}
	v_str(v, buf, n);
}

static void v_i64(struct sk_field_value *v, int64_t i)
{
	v->kind = SK_VAL_I64;
	v->i = i;
}

static void v_u64(struct sk_field_value *v, uint64_t u)
{
	v->kind = SK_VAL_U64;
	v->u = u;
}

static void v_bool(struct sk_field_value *v, bool b)
{
	v->kind = SK_VAL_BOOL;
	v->b = b;
}

/* String slot S of EV, or NULL. */
static void v_slot(struct sk_field_value *v, const struct saker_event *ev, enum saker_str s)
{
	if (ev->str[s])
		v_str(v, ev->str[s], ev->str_len[s]);
}

/* ---- the open family ---------------------------------------------------------------------- */

static int open_check(const struct saker_event *ev)
{
	const struct saker_tail_open *t = SAKER_EVENT_TAIL(ev, open);

	if (t->pad || (t->oflags & ~(uint32_t)(SAKER_OPENF_DIR | SAKER_OPENF_FLAGS_NA | SAKER_OPENF_NAME_CUT |
				   SAKER_OPENF_FILE | SAKER_OPENF_WATCHED)))
		return -EINVAL;
	/* what the flags do not vouch for is 0 */
	if ((!(t->oflags & SAKER_OPENF_FILE) && (t->ino || t->dev)) ||
	    (!(t->oflags & SAKER_OPENF_WATCHED) && t->watch_id))
		return -EINVAL;
	/* a failed open has no descriptor, a successful one the one it returned */
	if (t->fd != (ev->h.res < 0 ? -1 : (int64_t)ev->h.res))
		return -EINVAL;
	return 0;
}

static void open_field(const struct saker_event *ev, int field, struct sk_field_value *v,
		       char *scratch)
{
	const struct saker_tail_open *t = SAKER_EVENT_TAIL(ev, open);
	/* an open whose flags the kernel could not read has no flag fields */
	const bool flags_na = t->oflags & SAKER_OPENF_FLAGS_NA;
	const char *path = ev->str[SAKER_STR_FD_NAME];
	const size_t path_len = ev->str_len[SAKER_STR_FD_NAME];
	/* as Falco: a failed open has fd.name (the path the call named) and fd.directory,
	 * fd.typechar 'f', but no fd.filename and no fd.type */
	const bool failed = ev->h.res < 0;
	const char *slash = path ? memrchr(path, '/', path_len) : NULL;
	const uint64_t acc = t->flags & 3;

	switch ((enum sk_field_id)field) {
	case SK_FLD_EVT_IS_OPEN_READ:
		if (!flags_na)
			v_bool(v, acc == 0 || acc == 2);
		break;
	case SK_FLD_EVT_IS_OPEN_WRITE:
		if (!flags_na)
			v_bool(v, acc == 1 || acc == 2);
		break;
	case SK_FLD_EVT_IS_OPEN_CREATE:
		if (!flags_na)
			v_bool(v, t->flags & 0100);
		break;
	case SK_FLD_EVT_ARG_FLAGS:
		if (!flags_na) {
			sk_open_flags_render(t->flags, scratch, SK_FIELD_SCRATCH);
			v_cstr(v, scratch);
		}
		break;
	case SK_FLD_EVT_RAWARG_FLAGS:
		if (!flags_na)
			v_u64(v, t->flags);
		break;
	case SK_FLD_FD_NAME:
		v_slot(v, ev, SAKER_STR_FD_NAME);
		break;
	case SK_FLD_FD_NAMERAW:
		v_slot(v, ev, SAKER_STR_ARG2);
		break;
	case SK_FLD_FD_DIRECTORY:
		/* "/a/b" -> "/a", "/b" -> "/"; a path without a slash has no directory */
		if (slash) {
			size_t n = slash == path ? 1 : (size_t)(slash - path);
			memcpy(scratch, path, n);
			scratch[n] = 0;
			v_str(v, scratch, n);
		}
		break;
	case SK_FLD_FD_FILENAME:
		if (path && !failed) {
			const char *base = slash ? slash + 1 : path;
			v_str(v, base, path_len - (size_t)(base - path));
		}
		break;
	case SK_FLD_FD_TYPECHAR:
		if (failed)
			v_cstr(v, "f");
		else if (path)
			v_cstr(v, t->oflags & SAKER_OPENF_DIR ? "d" : "f");
		break;
	case SK_FLD_FD_TYPE:
		if (path && !failed)
			v_cstr(v, t->oflags & SAKER_OPENF_DIR ? "directory" : "file");
		break;
	case SK_FLD_FD_NUM:
		v_i64(v, t->fd);
		break;
	case SK_FLD_FD_NAME_CUT:
		v_bool(v, t->oflags & SAKER_OPENF_NAME_CUT);
		break;
	case SK_FLD_FD_INO:
		if (t->oflags & SAKER_OPENF_FILE)
			v_i64(v, (int64_t)t->ino);
		break;
	case SK_FLD_FD_DEV:
		if (t->oflags & SAKER_OPENF_FILE)
			v_i64(v, t->dev);
		break;
	case SK_FLD_FD_WATCH_ID:
		if (t->oflags & SAKER_OPENF_WATCHED)
			v_i64(v, t->watch_id);
		break;
	default:
		break;
	}
}

/* ---- the ptrace family -------------------------------------------------------------------- */

static void ptrace_field(const struct saker_event *ev, int field, struct sk_field_value *v,
			 char *scratch)
{
	const struct saker_tail_ptrace *t = SAKER_EVENT_TAIL(ev, ptrace);

	(void)scratch;
	switch ((enum sk_field_id)field) {
	case SK_FLD_EVT_ARG_REQUEST:
		v_cstr(v, sk_ptrace_request_name(t->request));
		break;
	case SK_FLD_EVT_RAWARG_REQUEST:
		v_u64(v, t->request);
		break;
	case SK_FLD_EVT_ARG_PID:
		v_i64(v, t->pid);
		break;
	default:
		break;
	}
}

/* ---- descriptors: the network and dup families ------------------------------------------ */

static int sockfd_check(const struct saker_sockfd *s, const struct saker_event *ev)
{
	if (s->pad || s->pad2 || s->kind >= SAKER_FDK__COUNT || s->l4proto >= SAKER_L4__COUNT ||
	    (s->flags & ~(uint32_t)(SAKER_SOCKF_CONNECTED | SAKER_SOCKF_SERVER | SAKER_SOCKF_TUPLE |
				    SAKER_SOCKF_NAME_CHANGED)))
		return -EINVAL;
	/* only the network family knows whether a peer changed */
	if ((s->flags & SAKER_SOCKF_NAME_CHANGED) && ev->h.family != SK_FAM_NET)
		return -EINVAL;
	/* a call without a descriptor has nothing of one; an io_uring request has the file but no
	 * number for it (fd -1) */
	if (s->fd < 0 && (s->fd != -1 ||
			  (s->kind != SAKER_FDK_NONE && !(ev->h.flags & SAKER_EVF_IO_URING))))
		return -EINVAL;
	return 0;
}

static void v_ip(struct sk_field_value *v, const uint8_t *ip, bool v6, char *scratch)
{
	v->kind = SK_VAL_IP;
	v->ip_len = v6 ? 16 : 4;
	memcpy(v->ip, ip, v->ip_len);
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, ip, scratch, SK_FIELD_SCRATCH))
		scratch[0] = 0;
	v->s = scratch;
	v->len = strlen(scratch);
}

static const char *const fd_kind_char[SAKER_FDK__COUNT] = {
	[SAKER_FDK_FILE] = "f", [SAKER_FDK_DIR] = "d", [SAKER_FDK_IPV4] = "4",
	[SAKER_FDK_IPV6] = "6", [SAKER_FDK_UNIX] = "u", [SAKER_FDK_NETLINK] = "n",
	[SAKER_FDK_PIPE] = "p", [SAKER_FDK_UNKNOWN] = "o",
};
static const char *const fd_kind_name[SAKER_FDK__COUNT] = {
	[SAKER_FDK_FILE] = "file", [SAKER_FDK_DIR] = "directory", [SAKER_FDK_IPV4] = "ipv4",
	[SAKER_FDK_IPV6] = "ipv6", [SAKER_FDK_UNIX] = "unix", [SAKER_FDK_NETLINK] = "netlink",
	[SAKER_FDK_PIPE] = "pipe", [SAKER_FDK_UNKNOWN] = "unknown",
};
static const char *const l4_name[SAKER_L4__COUNT] = {
	[SAKER_L4_TCP] = "tcp", [SAKER_L4_UDP] = "udp", [SAKER_L4_ICMP] = "icmp",
	[SAKER_L4_RAW] = "raw",
};

static void sockfd_field(const struct saker_event *ev, const struct saker_sockfd *s, int field,
			 struct sk_field_value *v, char *scratch)
{
	const bool ip = s->kind == SAKER_FDK_IPV4 || s->kind == SAKER_FDK_IPV6;
	const bool v6 = s->kind == SAKER_FDK_IPV6;
	const bool server = s->flags & SAKER_SOCKF_SERVER;
	/* client and server: the local side is the client but for the sockets accept returned */
	const uint8_t *cip = server ? s->rip : s->lip, *sip = server ? s->lip : s->rip;

	switch ((enum sk_field_id)field) {
	case SK_FLD_FD_NUM:
		v_i64(v, s->fd);
		break;
	case SK_FLD_FD_NAME:
		v_slot(v, ev, SAKER_STR_FD_NAME);
		break;
	case SK_FLD_FD_TYPECHAR:
		v_cstr(v, fd_kind_char[s->kind]);
		break;
	case SK_FLD_FD_TYPE:
		v_cstr(v, fd_kind_name[s->kind]);
		break;
	case SK_FLD_FD_L4PROTO:
		if (ip)
			v_cstr(v, l4_name[s->l4proto]);
		break;
	case SK_FLD_FD_CONNECTED:
		if (s->kind != SAKER_FDK_NONE)
			v_bool(v, s->flags & SAKER_SOCKF_CONNECTED);
		break;
	case SK_FLD_FD_LPORT:
		if (ip)
			v_u64(v, s->lport);
		break;
	case SK_FLD_FD_RPORT:
		if (ip)
			v_u64(v, s->rport);
		break;
	case SK_FLD_FD_CPORT:
		if (ip)
			v_u64(v, server ? s->rport : s->lport);
		break;
	case SK_FLD_FD_SPORT:
		if (ip)
			v_u64(v, server ? s->lport : s->rport);
		break;
	case SK_FLD_FD_LIP:
	case SK_FLD_FD_LNET:
		if (ip)
			v_ip(v, s->lip, v6, scratch);
		break;
	case SK_FLD_FD_RIP:
	case SK_FLD_FD_RNET:
		if (ip)
			v_ip(v, s->rip, v6, scratch);
		break;
	case SK_FLD_FD_CIP:
	case SK_FLD_FD_CNET:
		if (ip)
			v_ip(v, cip, v6, scratch);
		break;
	case SK_FLD_FD_SIP:
	case SK_FLD_FD_SNET:
		if (ip)
			v_ip(v, sip, v6, scratch);
		break;
	default:
		break;
	}
}

static int net_check(const struct saker_event *ev)
{
	return sockfd_check(&SAKER_EVENT_TAIL(ev, net)->s, ev);
}

static void net_field(const struct saker_event *ev, int field, struct sk_field_value *v,
		      char *scratch)
{
	const struct saker_tail_net *t = SAKER_EVENT_TAIL(ev, net);
	const bool sock = ev->h.event == SK_EV_SOCKET;

	switch ((enum sk_field_id)field) {
	case SK_FLD_EVT_ARG_DOMAIN:
		if (sock)
			v_cstr(v, sk_sock_domain_name((uint32_t)t->arg[0]));
		break;
	case SK_FLD_EVT_RAWARG_DOMAIN:
		if (sock)
			v_u64(v, (uint32_t)t->arg[0]);
		break;
	case SK_FLD_EVT_ARG_TYPE:
	case SK_FLD_EVT_RAWARG_TYPE:
		if (sock)
			v_u64(v, (uint32_t)t->arg[1]);
		break;
	case SK_FLD_EVT_ARG_PROTO:
	case SK_FLD_EVT_RAWARG_PROTO:
		if (sock)
			v_u64(v, (uint32_t)t->arg[2]);
		break;
	case SK_FLD_EVT_ARG_FD:
	case SK_FLD_EVT_RAWARG_FD:
		if (!sock)
			v_i64(v, (int32_t)t->arg[0]);
		break;
	case SK_FLD_FD_NAME_CHANGED:
		if (t->s.kind != SAKER_FDK_NONE)
			v_bool(v, t->s.flags & SAKER_SOCKF_NAME_CHANGED);
		break;
	default:
		sockfd_field(ev, &t->s, field, v, scratch);
	}
}

static int dup_check(const struct saker_event *ev)
{
	return sockfd_check(&SAKER_EVENT_TAIL(ev, dup)->s, ev);
}

static void dup_field(const struct saker_event *ev, int field, struct sk_field_value *v,
		      char *scratch)
{
	const struct saker_tail_dup *t = SAKER_EVENT_TAIL(ev, dup);

	switch ((enum sk_field_id)field) {
	case SK_FLD_EVT_ARG_OLDFD:
		v_i64(v, (int32_t)t->arg[0]);
		break;
	case SK_FLD_EVT_ARG_NEWFD:
		if (ev->h.event != SK_EV_DUP)
			v_i64(v, (int32_t)t->arg[1]);
		break;
	default:
		sockfd_field(ev, &t->s, field, v, scratch);
	}
}

/* ---- the exec family ---------------------------------------------------------------------- */

static int exec_check(const struct saker_event *ev)
{
	const struct saker_tail_exec *t = SAKER_EVENT_TAIL(ev, exec);

	if (t->xflags & ~(uint32_t)SAKER_EXECF_ARGS)
		return -EINVAL;
	/* the arguments are known for a failed call only; execve has no dirfd and no flags */
	if (!!(t->xflags & SAKER_EXECF_ARGS) != (ev->h.res < 0))
		return -EINVAL;
	if (ev->h.event != SK_EV_EXECVEAT && (t->dirfd != -100 || t->flags))
		return -EINVAL;
	return 0;
}

/* ---- the file, cred and sys families ------------------------------------------------------ */

/* The fields these families share: famargs.h says which call has which, and where. */
static bool famarg_common(const struct saker_event *ev, int field, struct sk_field_value *v)
{
	switch (sk_famarg_src(ev->h.event, field)) {
	case SK_SRC_STR1:
		v_slot(v, ev, SAKER_STR_ARG1);
		return true;
	case SK_SRC_STR2:
		v_slot(v, ev, SAKER_STR_ARG2);
		return true;
	case SK_SRC_TAIL:
		return false;
	default:
		return true; /* missing */
	}
}

static void file_field(const struct saker_event *ev, int field, struct sk_field_value *v,
		       char *scratch)
{
	const struct saker_tail_file *t = SAKER_EVENT_TAIL(ev, file);

	(void)scratch;
	if (famarg_common(ev, field, v))
		return;
	switch ((enum sk_field_id)field) {
	case SK_FLD_EVT_ARG_MODE:
	case SK_FLD_EVT_RAWARG_MODE:
		v_u64(v, t->mode);
		break;
	case SK_FLD_EVT_ARG_UID:
	case SK_FLD_EVT_RAWARG_UID:
		v_u64(v, t->uid);
		break;
	case SK_FLD_EVT_ARG_GID:
	case SK_FLD_EVT_RAWARG_GID:
		v_u64(v, t->gid);
		break;
	case SK_FLD_EVT_ARG_FD:
	case SK_FLD_EVT_RAWARG_FD:
		v_i64(v, t->fd);
		break;
	default:
		break;
	}
}

static int cred_check(const struct saker_event *ev)
{
	return SAKER_EVENT_TAIL(ev, cred)->pad ? -EINVAL : 0;
}

static void cred_field(const struct saker_event *ev, int field, struct sk_field_value *v,
		       char *scratch)
{
	const struct saker_tail_cred *t = SAKER_EVENT_TAIL(ev, cred);
	int i = 0;

	(void)scratch;
	if (famarg_common(ev, field, v))
		return;
	/* setuid(uid), setreuid(ruid, euid), setresuid(ruid, euid, suid), and the same for gids */
	switch ((enum sk_field_id)field) {
	case SK_FLD_EVT_ARG_EUID: case SK_FLD_EVT_ARG_EGID:
		i = 1;
		break;
	case SK_FLD_EVT_ARG_SUID: case SK_FLD_EVT_ARG_SGID:
		i = 2;
		break;
	default:
		break;
	}
	v_u64(v, t->id[i]);
}

static int sys_check(const struct saker_event *ev)
{
	const struct saker_tail_sys *t = SAKER_EVENT_TAIL(ev, sys);

	if (t->pad || (t->sflags & ~(uint32_t)SAKER_SYSF_TYPE) ||
	    !memchr(t->type, 0, sizeof(t->type)))
		return -EINVAL;
	return 0;
}

static void exec_field(const struct saker_event *ev, int field, struct sk_field_value *v,
		       char *scratch)
{
	(void)ev, (void)field, (void)v, (void)scratch;
}

static void sys_field(const struct saker_event *ev, int field, struct sk_field_value *v,
		      char *scratch)
{
	const struct saker_tail_sys *t = SAKER_EVENT_TAIL(ev, sys);

	(void)scratch;
	if (famarg_common(ev, field, v))
		return;
	switch ((enum sk_field_id)field) {
	case SK_FLD_EVT_ARG_FD:
	case SK_FLD_EVT_RAWARG_FD:
		v_i64(v, t->fd);
		break;
	case SK_FLD_EVT_ARG_CMD:
		v_cstr(v, sk_bpf_cmd_name(t->cmd));
		break;
	case SK_FLD_EVT_RAWARG_CMD:
		v_u64(v, t->cmd);
		break;
	case SK_FLD_EVT_ARG_FSTYPE:
		if (t->sflags & SAKER_SYSF_TYPE)
			v_cstr(v, t->type);
		break;
	default:
		break;
	}
}

/* ---- families ----------------------------------------------------------------------------- */

/* What decoding needs of each family: its tail's size, its own checks, its fields. */
static const struct ev_family {
	size_t tail_size;
	int (*check)(const struct saker_event *ev);  /* 0 or -EINVAL; may be NULL */
	void (*field)(const struct saker_event *ev, int field, struct sk_field_value *v,
		      char *scratch);
} ev_families[SK_FAM__COUNT] = {
	[SK_FAM_OPEN] = { sizeof(struct saker_tail_open), open_check, open_field },
	[SK_FAM_PTRACE] = { sizeof(struct saker_tail_ptrace), NULL, ptrace_field },
	[SK_FAM_NET] = { sizeof(struct saker_tail_net), net_check, net_field },
	[SK_FAM_DUP] = { sizeof(struct saker_tail_dup), dup_check, dup_field },
	[SK_FAM_EXEC] = { sizeof(struct saker_tail_exec), exec_check, exec_field },
	[SK_FAM_FILE] = { sizeof(struct saker_tail_file), NULL, file_field },
	[SK_FAM_CRED] = { sizeof(struct saker_tail_cred), cred_check, cred_field },
	[SK_FAM_SYS] = { sizeof(struct saker_tail_sys), sys_check, sys_field },
};

_Static_assert(sizeof(struct saker_tail_open) <= SAKER_TAIL_MAX, "open tail");
_Static_assert(sizeof(struct saker_tail_ptrace) <= SAKER_TAIL_MAX, "ptrace tail");
_Static_assert(sizeof(struct saker_tail_net) <= SAKER_TAIL_MAX, "net tail");
_Static_assert(sizeof(struct saker_tail_dup) <= SAKER_TAIL_MAX, "dup tail");
_Static_assert(sizeof(struct saker_tail_exec) <= SAKER_TAIL_MAX, "exec tail");
_Static_assert(sizeof(struct saker_tail_file) <= SAKER_TAIL_MAX, "file tail");
_Static_assert(sizeof(struct saker_tail_cred) <= SAKER_TAIL_MAX, "cred tail");
_Static_assert(sizeof(struct saker_tail_sys) <= SAKER_TAIL_MAX, "sys tail");
_Static_assert(sizeof(struct saker_event_hdr) % 8 == 0, "header size");

/* ---- decoding ----------------------------------------------------------------------------- */

/* Where the parts of a record with header H start. */
struct ev_layout {
	size_t tail, rules, strs, area;
};

static struct ev_layout ev_layout(const struct saker_event_hdr *h)
{
	struct ev_layout l;

	l.tail = sizeof(*h);
	l.rules = l.tail + h->tail_size;
	l.strs = l.rules + ALIGN8((size_t)h->n_rules * sizeof(uint32_t));
	l.area = l.strs + ALIGN8((size_t)h->n_strs * sizeof(struct saker_event_str));
	return l;
}

/* 1 when the N bytes at P are all 0. */
static bool ev_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static int ev_check_header(const struct saker_event_hdr *h, size_t size)
{
	const struct ev_family *fam;

	if (h->size != size || h->version != SAKER_EVENT_VERSION || h->reserved || h->pad ||
	    (h->pflags & ~(uint32_t)(SAKER_PROCF_EXE_MEMFD | SAKER_PROCF_EXE_UPPER |
				     SAKER_PROCF_TTY)) ||
	    (!(h->flags & SAKER_EVF_PROC) && (h->pstart_ns || h->tty || h->sid || h->pflags)) ||
	    (h->flags & ~(uint32_t)SAKER_EVF__ALL))
		return -EINVAL;
	if (h->event >= SK_EV__COUNT || h->family >= SK_FAM__COUNT ||
	    h->family != sk_events[h->event].family || h->family == SK_FAM_NONE)
		return -EINVAL;
	/* the call's number names the event on the arch the record claims */
	if (h->arch >= SK_ARCH__COUNT || !(h->flags & SAKER_EVF_COMPAT) != (h->arch != SK_ARCH_I386))
		return -EINVAL;
	/* on i386 the socket calls also come through socketcall, whose number the record keeps */
	if (sk_event_from_nr((enum sk_arch)h->arch, h->nr) != h->event &&
	    !(h->arch == SK_ARCH_I386 && h->family == SK_FAM_NET &&
	      h->nr == (uint32_t)sk_event_nr(SK_ARCH_I386, SK_EV_SOCKETCALL)))
		return -EINVAL;
	fam = &ev_families[h->family];
	if (!fam->field || h->tail_size != fam->tail_size || h->tail_size % 8)
		return -EINVAL;
	if (h->n_rules == 0 || h->n_rules > SAKER_REC_RULES || h->n_strs > SAKER_REC_STRS)
		return -EINVAL;
	/* the kernel terminates the header's strings within their buffers */
	if (!memchr(h->comm, 0, sizeof(h->comm)) || !memchr(h->pcomm, 0, sizeof(h->pcomm)) ||
	    !memchr(h->container_id, 0, sizeof(h->container_id)))
		return -EINVAL;
	if (ev_layout(h).area > size)
		return -EINVAL;
	return 0;
}

int saker_event_decode(const void *data, size_t size, struct saker_event *ev)
{
	const unsigned char *p = data;
	struct ev_layout l;
	const struct saker_event_str *slots;
	size_t area_size;

	if (!data || !ev || ((uintptr_t)data & 7) || size < sizeof(ev->h) || size > UINT32_MAX)
		return -EINVAL;
	memset(ev, 0, sizeof(*ev));
	memcpy(&ev->h, p, sizeof(ev->h));
	if (ev_check_header(&ev->h, size))
		return -EINVAL;
	l = ev_layout(&ev->h);
	memcpy(ev->tail, p + l.tail, ev->h.tail_size);
	ev->rules = (const uint32_t *)(const void *)(p + l.rules);
	slots = (const struct saker_event_str *)(const void *)(p + l.strs);
	area_size = size - l.area;
	/* padding is zero: a record carries nothing it does not say */
	if (!ev_zero(p + l.rules + ev->h.n_rules * 4, l.strs - l.rules - ev->h.n_rules * 4) ||
	    !ev_zero(p + l.strs + ev->h.n_strs * 4, l.area - l.strs - ev->h.n_strs * 4))
		return -EINVAL;
	for (size_t i = 0; i < ev->h.n_strs; i++) {
		const struct saker_event_str *s = &slots[i];
		const char *str = (const char *)p + l.area + s->off;

		if (s->off == SAKER_STR_NONE) {
			if (s->len)
				return -EINVAL;
			continue;
		}
		/* inside the area, NUL-terminated, no NUL within */
		if ((size_t)s->off + s->len + 1 > area_size || str[s->len] || memchr(str, 0, s->len))
			return -EINVAL;
		if (i < SAKER_STR__COUNT) {
			ev->str[i] = str;
			ev->str_len[i] = s->len;
		}
	}
	/* and so is every byte of the area outside the strings and their NULs */
	for (size_t b = 0; b < area_size; b++) {
		bool in = false;

		for (size_t i = 0; i < ev->h.n_strs && !in; i++)
			in = slots[i].off != SAKER_STR_NONE && b >= slots[i].off &&
			     b <= (size_t)slots[i].off + slots[i].len;
		if (!in && p[l.area + b])
			return -EINVAL;
	}
	if (ev_families[ev->h.family].check && ev_families[ev->h.family].check(ev))
		return -EINVAL;
	return 0;
}

long saker_event_encode(const struct saker_event *ev, const uint32_t *rules, uint32_t n_rules,
			void *buf, size_t size)
{
	struct saker_event_hdr h = ev->h;
	unsigned char *p = buf;
	struct saker_event_str slots[SAKER_STR__COUNT];
	struct ev_layout l;
	size_t area = 0;

	if (h.family >= SK_FAM__COUNT || n_rules > UINT16_MAX)
		return -EINVAL;
	h.version = SAKER_EVENT_VERSION;
	h.tail_size = (uint16_t)ev_families[h.family].tail_size;
	h.n_rules = (uint16_t)n_rules;
	h.n_strs = SAKER_STR__COUNT;
	for (int i = 0; i < SAKER_STR__COUNT; i++) {
		slots[i].off = SAKER_STR_NONE;
		slots[i].len = 0;
		if (!ev->str[i])
			continue;
		if (ev->str_len[i] >= SAKER_PATH_MAX || area > SAKER_STR_NONE - 1)
			return -EINVAL;
		slots[i].off = (uint16_t)area;
		slots[i].len = (uint16_t)ev->str_len[i];
		area += ALIGN8(ev->str_len[i] + 1);
	}
	l = ev_layout(&h);
	if (l.area + area > size || l.area + area > UINT32_MAX)
		return -ENOSPC;
	h.size = (uint32_t)(l.area + area);
	memset(buf, 0, h.size);
	memcpy(p, &h, sizeof(h));
	memcpy(p + l.tail, ev->tail, h.tail_size);
	if (n_rules)
		memcpy(p + l.rules, rules, n_rules * sizeof(uint32_t));
	memcpy(p + l.strs, slots, sizeof(slots));
	for (int i = 0; i < SAKER_STR__COUNT; i++)
		if (ev->str[i])
			memcpy(p + l.area + slots[i].off, ev->str[i], ev->str_len[i]);
	return (long)h.size;
}

/* ---- field values ------------------------------------------------------------------------- */

/* NAME, a space and the string of slot ARGS (just NAME when it is empty or missing), into
 * SCRATCH. */
static void v_cmdline(struct sk_field_value *v, const struct saker_event *ev, const char *name,
		      enum saker_str args, char *scratch)
{
	size_t n = strlen(name), a = ev->str[args] ? ev->str_len[args] : 0;

	if (n + 1 + a >= SK_FIELD_SCRATCH)
		a = SK_FIELD_SCRATCH - n - 2;
	memcpy(scratch, name, n);
	if (a) {
		scratch[n++] = ' ';
		memcpy(scratch + n, ev->str[args], a);
		n += a;
	}
	scratch[n] = 0;
	v_str(v, scratch, n);
}

void sk_event_field(const struct saker_event *ev, int field, struct sk_field_value *v,
		    char scratch[SK_FIELD_SCRATCH])
{
	sk_event_field_arg(ev, field, NULL, v, scratch);
}

void sk_event_field_arg(const struct saker_event *ev, int field, const char *arg,
			struct sk_field_value *v, char scratch[SK_FIELD_SCRATCH])
{
	const struct saker_event_hdr *h = &ev->h;
	const bool proc = h->flags & SAKER_EVF_PROC;
	unsigned fams;

	memset(v, 0, sizeof(*v));
	scratch[0] = 0;
	if (field < 0 || field >= SK_FLD__COUNT || h->family >= SK_FAM__COUNT)
		return;
	/* proc.aname[N]: the one field of the record with an argument */
	if (field == SK_FLD_PROC_ANAME) {
		char *end;
		unsigned long n = arg ? strtoul(arg, &end, 10) : 0;

		if (!arg || !*arg || *end || n > SAKER_ANAME_MAX)
			return;
		if (n == 0)
			v_buf(v, h->comm, SAKER_COMM_LEN - 1, scratch);
		else
			v_slot(v, ev, (enum saker_str)(SAKER_STR_ANAME1 + n - 1));
		return;
	}
	if (arg)
		return;
	/* the field table says which families have each field: on other events it is missing */
	fams = sk_fields[field].k.families;
	if (!(fams & (1u << h->family)))
		return;
	if (fams != SK_FB_ANY) {
		if (ev_families[h->family].field)
			ev_families[h->family].field(ev, field, v, scratch);
		return;
	}
	switch ((enum sk_field_id)field) {
	case SK_FLD_EVT_TYPE:
		v_cstr(v, sk_event_name(h->event));
		break;
	case SK_FLD_EVT_DIR:
		v_cstr(v, "<"); /* every event is a syscall exit */
		break;
	case SK_FLD_EVT_RES:
		if (h->res >= 0) {
			v_cstr(v, "SUCCESS");
		} else {
			const char *name = h->res >= -4095 ? sk_errno_name((int)-h->res) : NULL;
			if (!name) {
				snprintf(scratch, SK_FIELD_SCRATCH, "%" PRId64, (int64_t)h->res);
				name = scratch;
			}
			v_cstr(v, name);
		}
		break;
	case SK_FLD_EVT_RAWRES:
		v_i64(v, h->res);
		break;
	case SK_FLD_EVT_FAILED:
		v_bool(v, h->res < 0);
		break;
	case SK_FLD_PROC_NAME:
		v_buf(v, h->comm, SAKER_COMM_LEN - 1, scratch);
		break;
	case SK_FLD_PROC_PID:
		v_i64(v, h->pid);
		break;
	case SK_FLD_THREAD_TID:
		v_i64(v, h->tid);
		break;
	case SK_FLD_PROC_VPID:
		v_i64(v, h->vpid);
		break;
	case SK_FLD_THREAD_VTID:
		v_i64(v, h->vtid);
		break;
	case SK_FLD_PROC_PPID:
		if (h->flags & SAKER_EVF_PARENT)
			v_i64(v, h->ppid);
		break;
	case SK_FLD_PROC_PVPID:
		if (h->flags & SAKER_EVF_PARENT)
			v_i64(v, h->pvpid);
		break;
	case SK_FLD_PROC_PNAME:
		if (h->flags & SAKER_EVF_PARENT)
			v_buf(v, h->pcomm, SAKER_COMM_LEN - 1, scratch);
		break;
	case SK_FLD_PROC_EXEPATH:
		v_slot(v, ev, SAKER_STR_EXEPATH);
		break;
	case SK_FLD_PROC_PEXEPATH:
		v_slot(v, ev, SAKER_STR_PEXEPATH);
		break;
	case SK_FLD_PROC_CWD:
		v_slot(v, ev, SAKER_STR_CWD);
		break;
	case SK_FLD_PROC_EXE:
		v_slot(v, ev, SAKER_STR_EXE);
		break;
	case SK_FLD_PROC_ARGS:
		v_slot(v, ev, SAKER_STR_ARGS);
		break;
	case SK_FLD_PROC_CMDLINE: {
		char comm[SAKER_COMM_LEN];

		memcpy(comm, h->comm, SAKER_COMM_LEN - 1);
		comm[SAKER_COMM_LEN - 1] = 0;
		v_cmdline(v, ev, comm, SAKER_STR_ARGS, scratch);
		break;
	}
	case SK_FLD_PROC_PEXE:
		v_slot(v, ev, SAKER_STR_PEXE);
		break;
	case SK_FLD_PROC_PCMDLINE:
		/* the parent's name and the arguments the process table had for it */
		if ((h->flags & SAKER_EVF_PARENT) && ev->str[SAKER_STR_PEXE]) {
			char comm[SAKER_COMM_LEN];

			memcpy(comm, h->pcomm, SAKER_COMM_LEN - 1);
			comm[SAKER_COMM_LEN - 1] = 0;
			v_cmdline(v, ev, comm, SAKER_STR_PARGS, scratch);
		}
		break;
	case SK_FLD_PROC_SNAME:
		v_slot(v, ev, SAKER_STR_SNAME);
		break;
	case SK_FLD_PROC_TTY:
		if (proc)
			v_u64(v, h->tty);
		break;
	case SK_FLD_PROC_SID:
		if (proc)
			v_i64(v, h->sid);
		break;
	case SK_FLD_PROC_DURATION:
		if (proc)
			v_u64(v, h->ts_ns - h->pstart_ns);
		break;
	case SK_FLD_PROC_IS_EXE_FROM_MEMFD:
		if (proc)
			v_bool(v, h->pflags & SAKER_PROCF_EXE_MEMFD);
		break;
	case SK_FLD_PROC_IS_EXE_UPPER_LAYER:
		if (proc)
			v_bool(v, h->pflags & SAKER_PROCF_EXE_UPPER);
		break;
	case SK_FLD_USER_UID:
		v_u64(v, h->uid);
		break;
	case SK_FLD_USER_LOGINUID:
		/* the audit "unset" value reads as -1; any other id keeps its unsigned value */
		v_i64(v, (h->flags & SAKER_EVF_LOGINUID) && h->loginuid != UINT32_MAX
			      ? (int64_t)h->loginuid : -1);
		break;
	case SK_FLD_GROUP_GID:
		v_u64(v, h->gid);
		break;
	case SK_FLD_THREAD_CAP_EFFECTIVE:
	case SK_FLD_THREAD_CAP_PERMITTED:
	case SK_FLD_THREAD_CAP_INHERITABLE:
		sk_caps_render(field == SK_FLD_THREAD_CAP_EFFECTIVE ? h->cap_effective :
			       field == SK_FLD_THREAD_CAP_PERMITTED ? h->cap_permitted : h->cap_inheritable,
			       scratch, SK_FIELD_SCRATCH);
		v_cstr(v, scratch);
		break;
	case SK_FLD_THREAD_CAP_EFFECTIVE_MASK:
		v_u64(v, h->cap_effective);
		break;
	case SK_FLD_THREAD_CAP_PERMITTED_MASK:
		v_u64(v, h->cap_permitted);
		break;
	case SK_FLD_THREAD_CAP_INHERITABLE_MASK:
		v_u64(v, h->cap_inheritable);
		break;
	case SK_FLD_CONTAINER_ID:
		if (h->flags & SAKER_EVF_CONTAINER)
			v_buf(v, h->container_id, SAKER_CID_LEN - 1, scratch);
		else
			v_cstr(v, "host");
		break;
	default:
		break;
	}
}
