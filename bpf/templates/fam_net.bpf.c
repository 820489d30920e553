/* The network family (socket, connect, accept, accept4, sendto, sendmsg, recvfrom, recvmsg): the
 * call's arguments (socket's domain, type and protocol; the descriptor of the others) and the
 * socket the call works on, read from the kernel's struct sock after the call. Also the
 * descriptor functions of fam_sock.h, which the dup family shares. Its record tail is struct
 * saker_tail_net. */
#include "fam_sock.h"

#define SK_S_IFMT   0170000
#define SK_S_IFDIR  0040000
#define SK_S_IFREG  0100000
#define SK_S_IFCHR  0020000
#define SK_S_IFBLK  0060000
#define SK_S_IFLNK  0120000
#define SK_S_IFIFO  0010000
#define SK_S_IFSOCK 0140000
#define SK_AF_UNIX    1
#define SK_AF_INET    2
#define SK_AF_INET6   10
#define SK_AF_NETLINK 16
#define SK_SOCK_DGRAM 2
#define SK_SOCK_RAW   3
#define SK_NAME_MASK  127 /* a tuple is at most 2 * 39 + 2 * 6 + 2 bytes */

/* ---- the descriptor --------------------------------------------------------------------- */

/* The descriptor the call works on: the one it returned (socket, accept, accept4), or its first
 * argument (the others, and dup's oldfd); -1 when there is none. */
SK_INLINE __s32 sk_sock_fd(struct sk_scratch *sc)
{
	switch (sc->st.event) {
	case SK_EV_SOCKET:
	case SK_EV_ACCEPT:
	case SK_EV_ACCEPT4:
		return sc->st.ret < 0 ? -1 : (__s32)sc->st.ret;
	}
	return (__s32)sc->st.arg[0];
}

/* A failed (or not yet finished) connect, and a send to an address on an unconnected socket,
 * leave the socket without a peer: the peer is then the address the call named, as Falco has
 * it. It is read from user memory, so the caller can forge it (docs/kernel.md, "Races left"). */
SK_INLINE void sk_sock_user_peer(struct sk_scratch *sc, struct saker_sockfd *s, __u16 family)
{
	struct {
		__u16 family;
		__u16 port;
		__u8 a[24]; /* sin_addr at 0; sin6_flowinfo at 0, sin6_addr at 4 */
	} sa = { 0 };
	__u64 ua = 0;

	long err;

	switch (sc->st.event) {
	case SK_EV_CONNECT:
		ua = sc->st.arg[1];
		break;
	case SK_EV_SENDTO:
		ua = sc->st.arg[4];
		break;
	case SK_EV_SENDMSG:
		/* msg_name is the first member of struct msghdr (32 bits for an i386 caller) */
		if (sc->st.compat) {
			__u32 p32 = 0;

			bpf_probe_read_user(&p32, sizeof(p32), (void *)sc->st.arg[1]);
			ua = p32;
		} else {
			bpf_probe_read_user(&ua, sizeof(ua), (void *)sc->st.arg[1]);
		}
		break;
	default:
		return;
	}
	/* the connect hook has the kernel's own copy (core.bpf.c, saker_connect_run) */
	if (sc->st.lsm && sc->st.event == SK_EV_CONNECT)
		err = bpf_probe_read_kernel(&sa, sizeof(sa), (void *)sc->st.arg[4]);
	else
		err = !ua || bpf_probe_read_user(&sa, sizeof(sa), (void *)ua);
	if (err || sa.family != family)
		return;
	s->rport = __builtin_bswap16(sa.port);
	if (family == SK_AF_INET)
		__builtin_memcpy(s->rip, sa.a, 4);
	else
		__builtin_memcpy(s->rip, sa.a + 4, 16);
}

SK_INLINE void sk_sock_socket(struct sk_scratch *sc, struct saker_sockfd *s, struct file *f)
{
	struct socket *so = BPF_CORE_READ((struct file___sk *)f, private_data);
	struct sock *sk = BPF_CORE_READ(so, sk);
	__u16 family, proto, type;

	if (!sk) {
		s->kind = SAKER_FDK_UNKNOWN;
		return;
	}
	if (BPF_CORE_READ(so, state) == SK_SS_CONNECTED)
		s->flags |= SAKER_SOCKF_CONNECTED;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	switch (family) {
	case SK_AF_UNIX:
		s->kind = SAKER_FDK_UNIX;
		return;
	case SK_AF_NETLINK:
		s->kind = SAKER_FDK_NETLINK;
		return;
	case SK_AF_INET:
		s->kind = SAKER_FDK_IPV4;
		break;
	case SK_AF_INET6:
		s->kind = SAKER_FDK_IPV6;
		break;
	default:
		s->kind = SAKER_FDK_UNKNOWN;
		return;
	}
	type = BPF_CORE_READ(sk, sk_type);
	proto = BPF_CORE_READ(sk, sk_protocol);
	/* a datagram socket's connect leaves the struct socket's state alone: the sock's state
	 * says it (TCP_ESTABLISHED once the peer is set, as a TCP socket's once it is connected) */
	if (type == SK_SOCK_DGRAM && BPF_CORE_READ(sk, __sk_common.skc_state) == SK_TCP_ESTABLISHED)
		s->flags |= SAKER_SOCKF_CONNECTED;
	if (type == SK_SOCK_RAW)
		s->l4proto = SAKER_L4_RAW;
	else if (proto == 6)
		s->l4proto = SAKER_L4_TCP;
	else if (proto == 17)
		s->l4proto = SAKER_L4_UDP;
	else if (proto == 1 || proto == 58)
		s->l4proto = SAKER_L4_ICMP;
	s->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	s->rport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == SK_AF_INET) {
		__be32 l = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__be32 r = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(s->lip, &l, 4);
		__builtin_memcpy(s->rip, &r, 4);
	} else if (bpf_core_field_exists(sk->__sk_common.skc_v6_daddr)) {
		BPF_CORE_READ_INTO((struct in6_addr *)s->lip, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO((struct in6_addr *)s->rip, sk, __sk_common.skc_v6_daddr);
	}
	if (!s->rport)
		sk_sock_user_peer(sc, s, family);
	if (sc->st.event == SK_EV_ACCEPT || sc->st.event == SK_EV_ACCEPT4)
		s->flags |= SAKER_SOCKF_SERVER;
	if (s->lport || s->rport)
		s->flags |= SAKER_SOCKF_TUPLE;
}

SK_INLINE void sk_sock_info(struct sk_scratch *sc, struct sk_sock_state *ss)
{
	struct saker_sockfd *s = &ss->s;
	struct file *f;
	__u32 mode;

	__builtin_memset(s, 0, sizeof(*s));
	s->fd = sk_sock_fd(sc);
	if (sc->st.uring == SK_URING_SUBMITTED) {
		/* a socket seen at its submission (core.bpf.c): not made yet */
		s->fd = -1;
		return;
	} else if (sc->st.uring && !sc->st.arg[5] && !sc->st.arg[4] && s->fd >= 0) {
		/* a socket or accept of io_uring that got a descriptor: the submitter's */
		f = sk_fd_file(s->fd);
	} else if (sc->st.uring) {
		/* the request's own file (sk_net_uring): it has no descriptor number here */
		f = (struct file *)sc->st.arg[5];
		s->fd = -1;
	} else if (sc->st.lsm) {
		/* the connect hook's: the socket's file itself */
		f = (struct file *)sc->st.arg[5];
	} else if (s->fd < 0) {
		s->fd = -1;
		return;
	} else {
		f = sk_fd_file(s->fd);
	}
	if (!f)
		return;
	mode = BPF_CORE_READ(f, f_inode, i_mode) & SK_S_IFMT;
	switch (mode) {
	case SK_S_IFDIR:
		s->kind = SAKER_FDK_DIR;
		break;
	case SK_S_IFREG:
	case SK_S_IFCHR:
	case SK_S_IFBLK:
	case SK_S_IFLNK:
		s->kind = SAKER_FDK_FILE;
		break;
	case SK_S_IFIFO:
		s->kind = SAKER_FDK_PIPE;
		break;
	case SK_S_IFSOCK:
		sk_sock_socket(sc, s, f);
		break;
	default:
		s->kind = SAKER_FDK_UNKNOWN; /* anonymous inodes: eventfd, epoll, memfd... */
	}
}

/* ---- fd.name of a socket ---------------------------------------------------------------- */

/* The formatter's state lives in the map (the second half of sc->walk, free while no path
 * string is read), and every access to it is a load or a store (volatile), so that its
 * data-dependent branches join again instead of multiplying the verifier's paths. */
struct sk_fmt {
	__u32 pos, started;
	__s32 best, best_len, cur, cur_len;
	__u32 w[8];
};
typedef volatile struct sk_fmt sk_fmt_t;

SK_INLINE void sk_put(struct sk_scratch *sc, sk_fmt_t *m, char c)
{
	sc->str[SAKER_STR_FD_NAME][m->pos & SK_NAME_MASK] = c;
	m->pos++;
}

SK_INLINE void sk_put_dec(struct sk_scratch *sc, sk_fmt_t *m, __u32 v)
{
	m->started = 0;
#pragma unroll
	for (int k = 0; k < 5; k++) {
		__u32 p = k == 0 ? 10000 : k == 1 ? 1000 : k == 2 ? 100 : k == 3 ? 10 : 1;
		__u32 d = (v / p) % 10;

		if (d || m->started || k == 4) {
			sk_put(sc, m, '0' + d);
			m->started = 1;
		}
	}
}

SK_INLINE void sk_put_v4(struct sk_scratch *sc, sk_fmt_t *m, const __u8 *a)
{
#pragma unroll
	for (int k = 0; k < 4; k++) {
		if (k)
			sk_put(sc, m, '.');
		sk_put_dec(sc, m, a[k]);
	}
}

/* An IPv6 address as inet_ntop(3) writes it: the longest run of two or more zero groups (the
 * first of equal ones) becomes "::", groups in lower-case hex without leading zeros, and an
 * IPv4-mapped (::ffff:a.b.c.d) or -compatible (::a.b.c.d) address ends in dotted decimal. */
SK_INLINE void sk_put_v6(struct sk_scratch *sc, sk_fmt_t *m, const __u8 *a)
{
	m->best = -1;
	m->best_len = 0;
	m->cur = -1;
	m->cur_len = 0;
#pragma unroll
	for (int i = 0; i < 8; i++) {
		m->w[i] = (__u32)a[2 * i] << 8 | a[2 * i + 1];
		if (!m->w[i]) {
			if (m->cur < 0) {
				m->cur = i;
				m->cur_len = 1;
			} else {
				m->cur_len++;
			}
			if (m->cur_len > m->best_len) {
				m->best = m->cur;
				m->best_len = m->cur_len;
			}
		} else {
			m->cur = -1;
		}
	}
	if (m->best_len < 2)
		m->best = -1;
#pragma unroll
	for (int i = 0; i < 8; i++) {
		if (m->best >= 0 && i >= m->best && i < m->best + m->best_len) {
			if (i == m->best)
				sk_put(sc, m, ':');
			continue;
		}
		if (i)
			sk_put(sc, m, ':');
		if (i == 6 && m->best == 0 &&
		    (m->best_len == 6 || (m->best_len == 7 && m->w[7] != 1) ||
		     (m->best_len == 5 && m->w[5] == 0xffff))) {
			sk_put_v4(sc, m, a + 12);
			return;
		}
		m->started = 0;
#pragma unroll
		for (int k = 3; k >= 0; k--) {
			__u32 n = (m->w[i] >> (4 * k)) & 15;

			if (n || m->started || k == 0) {
				sk_put(sc, m, n < 10 ? '0' + n : 'a' + n - 10);
				m->started = 1;
			}
		}
	}
	if (m->best >= 0 && m->best + m->best_len == 8)
		sk_put(sc, m, ':');
}

SK_INLINE void sk_put_end(struct sk_scratch *sc, sk_fmt_t *m, const __u8 *ip, __u32 port,
			  int v6)
{
	if (v6)
		sk_put_v6(sc, m, ip);
	else
		sk_put_v4(sc, m, ip);
	sk_put(sc, m, ':');
	sk_put_dec(sc, m, port);
}

/* fd.name: an IP socket's "cip:cport->sip:sport" (Falco's form), a file's path; missing for
 * the other kinds and for a socket without addresses yet. */
SK_INLINE void sk_sock_name(struct sk_scratch *sc, struct sk_sock_state *ss)
{
	struct saker_sockfd *s = &ss->s;
	__s32 *len = &sc->st.str_len[SAKER_STR_FD_NAME];
	sk_fmt_t *m = (sk_fmt_t *)(void *)&sc->walk[SK_HALF];
	int server = s->flags & SAKER_SOCKF_SERVER, v6 = s->kind == SAKER_FDK_IPV6;
	int trunc = 0;
	__s32 leaf;

	*len = -1;
	if (s->kind == SAKER_FDK_FILE || s->kind == SAKER_FDK_DIR) {
		struct file *f = sk_fd_file(s->fd);

		if (!f)
			return;
		*len = sk_path(sc, f, SAKER_STR_FD_NAME, &trunc, &leaf);
		if (trunc)
			sk_cut(sc, SAKER_EVF_PATH_TRUNC);
		return;
	}
	if ((s->kind != SAKER_FDK_IPV4 && !v6) || !(s->flags & SAKER_SOCKF_TUPLE))
		return;
	m->pos = 0;
	sk_put_end(sc, m, server ? s->rip : s->lip, server ? s->rport : s->lport, v6);
	sk_put(sc, m, '-');
	sk_put(sc, m, '>');
	sk_put_end(sc, m, server ? s->lip : s->rip, server ? s->lport : s->rport, v6);
	sc->str[SAKER_STR_FD_NAME][m->pos & SK_NAME_MASK] = 0;
	*len = m->pos & SK_NAME_MASK;
}

/* evt.arg.domain: the name of socket's first argument, at sc->small + 32. */
#define SK_DOMAIN_ROW 24
static const char sk_domain_names[][SK_DOMAIN_ROW] = {
#define SK_SOCK_DOMAIN(name, value) [value] = name,
#include "saker/sockdomain.def"
#undef SK_SOCK_DOMAIN
};
#define SK_DOMAIN_ROWS (sizeof(sk_domain_names) / SK_DOMAIN_ROW)

SK_INLINE void sk_net_domain(struct sk_scratch *sc, struct sk_sock_state *ss)
{
	__u64 row = (__u32)sc->st.arg[0];

	ss->dom_len = -1;
	if (sc->st.event != SK_EV_SOCKET)
		return;
	asm volatile("" : "+r"(row));
	if (row >= SK_DOMAIN_ROWS)
		return;
	asm volatile("" : "+r"(row));
	__builtin_memset(sc->small + 32, 0, 32);
	ss->dom_len = bpf_probe_read_kernel_str(sc->small + 32, SK_DOMAIN_ROW,
						 sk_domain_names[row]) - 1;
}

SK_INLINE int sk_sock_is_ip(const struct saker_sockfd *s)
{
	return s->kind == SAKER_FDK_IPV4 || s->kind == SAKER_FDK_IPV6;
}

/* fd.name_changed: the peer each (process, descriptor) had at its last network call that a
 * rule looked at, least recently used ones forgotten first. */
#define SK_MAP_LRU_HASH 9
struct sk_peer_key {
	__u32 tgid;
	__s32 fd;
};
struct sk_peer {
	__u8 rip[16];
	__u32 rport;
};
struct {
	__uint(type, SK_MAP_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct sk_peer_key);
	__type(value, struct sk_peer);
} saker_net_peers SEC(".maps");

/* Sets SAKER_SOCKF_NAME_CHANGED when the call's peer differs from the one the same descriptor of
 * this process had at its previous such call (or there was none), and remembers it. */
SK_INLINE void sk_net_changed(struct sk_scratch *sc, struct sk_sock_state *ss)
{
	struct saker_sockfd *s = &ss->s;
	struct sk_peer_key k = { .tgid = bpf_get_current_pid_tgid() >> 32, .fd = s->fd };
	struct sk_peer now = { .rport = s->rport }, *was;

	if (!sk_sock_is_ip(s) || !(s->flags & SAKER_SOCKF_TUPLE))
		return;
	__builtin_memcpy(now.rip, s->rip, 16);
	was = bpf_map_lookup_elem(&saker_net_peers, &k);
	if (was && was->rport == now.rport) {
		__u32 diff = 0;

		/* word by word: a memcmp call would be an unresolved external */
#pragma unroll
		for (int i = 0; i < 16; i += 4)
			diff |= *(__u32 *)&was->rip[i] ^ *(__u32 *)&now.rip[i];
		if (!diff)
			return;
	}
	s->flags |= SAKER_SOCKF_NAME_CHANGED;
	bpf_map_update_elem(&saker_net_peers, &k, &now, 0);
}

SK_GLOBAL int saker_sock_compute(__u32 g)
{
	struct sk_scratch *sc = sk_scratch();
	struct sk_sock_state *ss;

	if (!sc)
		return 0;
	ss = SK_FAM(sc, struct sk_sock_state);
	if (g & (SK_SOCK_NAME | SK_NET_CHANGED))
		g |= SK_SOCK_INFO;
	g &= ~sc->st.fhave;
	sc->st.fhave |= g;
	if (g & SK_SOCK_INFO)
		sk_sock_info(sc, ss);
	if (g & SK_SOCK_NAME)
		sk_sock_name(sc, ss);
	if (g & SK_NET_DOMAIN)
		sk_net_domain(sc, ss);
	if (g & SK_NET_CHANGED)
		sk_net_changed(sc, ss);
	return 0;
}

SK_INLINE struct sk_sock_state *sk_sock_need(struct sk_scratch *sc, __u32 g)
{
	if ((sc->st.fhave & g) != g)
		saker_sock_compute(g);
	return SK_FAM(sc, struct sk_sock_state);
}

SK_SHARED int sk_sock_int(struct sk_scratch *sc, int field, __s64 *v)
{
	struct saker_sockfd *s;
	int server;

	if (field == SK_FLD_FD_NUM) {
		*v = sk_sock_fd(sc);
		return 1;
	}
	s = &sk_sock_need(sc, SK_SOCK_INFO)->s;
	server = (s->flags & SAKER_SOCKF_SERVER) != 0;
	switch (field) {
	case SK_FLD_FD_CONNECTED:
		*v = (s->flags & SAKER_SOCKF_CONNECTED) != 0;
		return s->kind != SAKER_FDK_NONE;
	case SK_FLD_FD_LPORT:
		*v = s->lport;
		return sk_sock_is_ip(s);
	case SK_FLD_FD_RPORT:
		*v = s->rport;
		return sk_sock_is_ip(s);
	case SK_FLD_FD_CPORT:
		*v = server ? s->rport : s->lport;
		return sk_sock_is_ip(s);
	case SK_FLD_FD_SPORT:
		*v = server ? s->lport : s->rport;
		return sk_sock_is_ip(s);
	}
	return 0;
}

SK_SHARED int sk_sock_str(struct sk_scratch *sc, int field, const char **p)
{
	struct saker_sockfd *s;
	__u32 k;

	switch (field) {
	case SK_FLD_FD_NAME:
		sk_sock_need(sc, SK_SOCK_NAME);
		*p = sc->str[SAKER_STR_FD_NAME];
		if (sc->st.str_len[SAKER_STR_FD_NAME] < 0)
			return -1;
		return sc->st.str_len[SAKER_STR_FD_NAME] & SAKER_STR_MAX;
	case SK_FLD_FD_TYPECHAR:
	case SK_FLD_FD_TYPE:
	case SK_FLD_FD_L4PROTO:
		break;
	default:
		return -1;
	}
	s = &sk_sock_need(sc, SK_SOCK_INFO)->s;
	k = s->kind;
	if (field == SK_FLD_FD_L4PROTO) {
		char *o = sc->small + 24;

		*p = o;
		switch (s->l4proto) {
		case SAKER_L4_TCP: __builtin_memcpy(o, "tcp", 4); return 3;
		case SAKER_L4_UDP: __builtin_memcpy(o, "udp", 4); return 3;
		case SAKER_L4_ICMP: __builtin_memcpy(o, "icmp", 5); return 4;
		case SAKER_L4_RAW: __builtin_memcpy(o, "raw", 4); return 3;
		}
		return -1;
	}
	if (field == SK_FLD_FD_TYPECHAR) {
		char c;

		switch (k) {
		case SAKER_FDK_FILE: c = 'f'; break;
		case SAKER_FDK_DIR: c = 'd'; break;
		case SAKER_FDK_IPV4: c = '4'; break;
		case SAKER_FDK_IPV6: c = '6'; break;
		case SAKER_FDK_UNIX: c = 'u'; break;
		case SAKER_FDK_NETLINK: c = 'n'; break;
		case SAKER_FDK_PIPE: c = 'p'; break;
		case SAKER_FDK_UNKNOWN: c = 'o'; break;
		default: return -1;
		}
		sc->small[0] = c;
		sc->small[1] = 0;
		*p = sc->small;
		return 1;
	}
	*p = sc->small + 8;
	switch (k) {
	case SAKER_FDK_FILE: __builtin_memcpy(sc->small + 8, "file", 5); return 4;
	case SAKER_FDK_DIR: __builtin_memcpy(sc->small + 8, "directory", 10); return 9;
	case SAKER_FDK_IPV4: __builtin_memcpy(sc->small + 8, "ipv4", 5); return 4;
	case SAKER_FDK_IPV6: __builtin_memcpy(sc->small + 8, "ipv6", 5); return 4;
	case SAKER_FDK_UNIX: __builtin_memcpy(sc->small + 8, "unix", 5); return 4;
	case SAKER_FDK_NETLINK: __builtin_memcpy(sc->small + 8, "netlink", 8); return 7;
	case SAKER_FDK_PIPE: __builtin_memcpy(sc->small + 8, "pipe", 5); return 4;
	case SAKER_FDK_UNKNOWN: __builtin_memcpy(sc->small + 8, "unknown", 8); return 7;
	}
	return -1;
}

/* ---- i386 socketcall(2) ------------------------------------------------------------------- */

/* socketcall(call, args): CALL (<linux/net.h>'s SYS_*) selects the socket call, ARGS points to
 * its arguments as 32-bit words in user memory. The kernel copied them at entry; they are read
 * again here, at exit, so another thread could rewrite them in between (docs/kernel.md, "Races
 * left"). The record keeps the number the call used (102) and names the event it stands for. */
/* The network operations of io_uring (core.bpf.c, SK_URING_OPS): their arguments as the
 * syscall's, from the kernel's copy of the request, with the descriptor the operation works on
 * as -1 (the request does not keep its number) and in arg[5] the socket's file: the request's
 * own (req->file, which a fixed file has too) for a connect or a send, the new socket's for a
 * socket or an accept into a fixed-file slot (arg[4] 1), and 0 for one that got a descriptor,
 * which the result names (sk_sock_info looks it up in the submitter's table). The kernel's copies of the
 * arguments cannot be rewritten by another thread; what they point to in user memory can
 * (connect's address, sendmsg's msghdr and the address it names, read only for an
 * unconnected socket: docs/kernel.md). */
SK_SHARED void sk_net_uring(struct sk_scratch *sc, struct io_kiocb *req)
{
	__s64 slot = -1;

	sc->st.arg[0] = (__u64)-1;
	switch (sc->st.event) {
	case SK_EV_CONNECT: {
		struct io_connect *c = (struct io_connect *)req;

		sc->st.arg[1] = (__u64)BPF_CORE_READ(c, addr);
		sc->st.arg[2] = (__u64)(__s64)BPF_CORE_READ(c, addr_len);
		sc->st.arg[5] = (__u64)BPF_CORE_READ(c, file);
		return;
	}
	case SK_EV_SOCKET: {
		struct io_socket *so = (struct io_socket *)req;

		sc->st.arg[0] = (__u64)(__s64)BPF_CORE_READ(so, domain);
		sc->st.arg[1] = (__u64)(__s64)BPF_CORE_READ(so, type);
		sc->st.arg[2] = (__u64)(__s64)BPF_CORE_READ(so, protocol);
		slot = sk_uring_slot(BPF_CORE_READ(so, file_slot), sc->st.ret);
		break;
	}
	case SK_EV_ACCEPT4: {
		struct io_accept *a = (struct io_accept *)req;

		sc->st.arg[1] = (__u64)BPF_CORE_READ(a, addr);
		sc->st.arg[2] = (__u64)BPF_CORE_READ(a, addr_len);
		sc->st.arg[3] = (__u64)(__s64)BPF_CORE_READ(a, flags);
		slot = sk_uring_slot(BPF_CORE_READ(a, file_slot), sc->st.ret);
		break;
	}
	case SK_EV_SENDMSG:
	case SK_EV_SENDTO: {
		struct io_sr_msg *m = (struct io_sr_msg *)req;
		__u32 flags = BPF_CORE_READ(m, msg_flags);

		/* sendmsg(fd, msg, flags); sendto(fd, buf, len, flags, addr, addrlen) */
		sc->st.arg[1] = (__u64)BPF_CORE_READ(m, umsg);
		if (sc->st.event == SK_EV_SENDMSG) {
			struct io_ring_ctx *ctx = BPF_CORE_READ(req, ctx);

			sc->st.arg[2] = flags;
			/* a ring an i386 process set up takes struct compat_msghdr (which
			 * sk_sock_user_peer reads by this; the record says the ring's ABI as
			 * sk_begin found it, x86-64) */
			sc->st.compat = BPF_CORE_READ_BITFIELD_PROBED(ctx, compat) != 0;
		} else {
			sc->st.arg[2] = (__u64)(__s64)BPF_CORE_READ(m, len);
			sc->st.arg[3] = flags;
			/* no destination: a send took none before 6.10 (io_sr_msg's addr is
			 * SEND_ZC's, stale for a send), and since it is the kernel's copy in the
			 * request's async data, freed before the completion (docs/kernel.md) */
		}
		sc->st.arg[5] = (__u64)BPF_CORE_READ(m, file);
		return;
	}
	}
	/* arg[4] (unused by socket and accept4) says the result is a slot, not a descriptor:
	 * a slot whose file cannot be read leaves the socket unknown, never descriptor RET's */
	sc->st.arg[4] = slot >= 0;
	if (slot >= 0 && sc->st.ret >= 0)
		sc->st.arg[5] = sk_uring_fixed_file(req, slot);
}

/* An io_uring connect at lsm/socket_connect (core.bpf.c, sk_connect_judge), which has no
 * request: the arguments as sk_net_uring's, less what the hook has (the address, the socket's
 * file) and what it cannot know (the descriptor, -1 as at the completion). T is the task the
 * request runs in, an io-wq worker or the submitter: the process is its group leader. */
SK_SHARED void sk_net_lsm_uring(struct sk_scratch *sc, struct task_struct *t)
{
	for (int k = 0; k < 4; k++)
		sc->st.arg[k] = 0;
	sc->st.arg[0] = (__u64)(__s64)-1;
	sc->st.uring = 1;
	sc->st.task = (__u64)BPF_CORE_READ(t, group_leader);
	sc->hdr.flags |= SAKER_EVF_IO_URING;
}

SK_SHARED __u32 sk_net_socketcall(struct sk_scratch *sc)
{
	__u32 w[6] = { 0 };
	__u32 event, n;

	switch ((__u32)sc->st.arg[0]) {
	case 1: event = SK_EV_SOCKET; n = 3; break;
	case 3: event = SK_EV_CONNECT; n = 3; break;
	case 5: event = SK_EV_ACCEPT; n = 3; break;
	case 11: event = SK_EV_SENDTO; n = 6; break;
	case 12: event = SK_EV_RECVFROM; n = 6; break;
	case 16: event = SK_EV_SENDMSG; n = 3; break;
	case 17: event = SK_EV_RECVMSG; n = 3; break;
	case 18: event = SK_EV_ACCEPT4; n = 4; break;
	default: return SK_EV__COUNT;
	}
	/* the words the kernel read, no more: the array may end at the end of a mapping */
	if (bpf_probe_read_user(w, n == 6 ? 24 : n == 4 ? 16 : 12, (void *)sc->st.arg[1]))
		return SK_EV__COUNT;
	sc->st.event = event;
	for (int k = 0; k < 6; k++)
		sc->st.arg[k] = w[k];
	return event;
}

/* ---- the family ------------------------------------------------------------------------- */

SK_SHARED int sk_net_int(struct sk_scratch *sc, int field, __s64 *v)
{
	int sock = sc->st.event == SK_EV_SOCKET;

	switch (field) {
	case SK_FLD_EVT_RAWARG_DOMAIN:
		*v = (__u32)sc->st.arg[0];
		return sock;
	case SK_FLD_EVT_ARG_TYPE:
	case SK_FLD_EVT_RAWARG_TYPE:
		*v = (__u32)sc->st.arg[1];
		return sock;
	case SK_FLD_EVT_ARG_PROTO:
	case SK_FLD_EVT_RAWARG_PROTO:
		*v = (__u32)sc->st.arg[2];
		return sock;
	case SK_FLD_EVT_ARG_FD:
	case SK_FLD_EVT_RAWARG_FD:
		*v = (__s32)sc->st.arg[0];
		return !sock;
	case SK_FLD_FD_NAME_CHANGED: {
		struct sk_sock_state *ss = sk_sock_need(sc, SK_NET_CHANGED);

		*v = (ss->s.flags & SAKER_SOCKF_NAME_CHANGED) != 0;
		return ss->s.kind != SAKER_FDK_NONE;
	}
	}
	return sk_sock_int(sc, field, v);
}

SK_SHARED int sk_net_str(struct sk_scratch *sc, int field, const char **p)
{
	struct sk_sock_state *ss;

	if (field != SK_FLD_EVT_ARG_DOMAIN)
		return sk_sock_str(sc, field, p);
	ss = sk_sock_need(sc, SK_NET_DOMAIN);
	*p = sc->small + 32;
	return ss->dom_len <= 0 ? -1 : ss->dom_len & 31;
}

SK_SHARED __u32 sk_net_fill(struct sk_scratch *sc)
{
	struct saker_tail_net *t = (struct saker_tail_net *)sc->tail;
	struct sk_sock_state *ss = sk_sock_need(sc, SK_SOCK_INFO | SK_SOCK_NAME | SK_NET_CHANGED);

	__builtin_memcpy(&t->s, &ss->s, sizeof(t->s));
	t->arg[0] = sc->st.arg[0];
	t->arg[1] = sc->st.arg[1];
	t->arg[2] = sc->st.arg[2];
	return sizeof(*t);
}
