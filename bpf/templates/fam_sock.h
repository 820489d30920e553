/* What the families whose calls work on a descriptor share (fam_net.bpf.c, fam_dup.bpf.c): the
 * descriptor's kind, and for a socket its addresses, ports, protocol and state, all read from
 * the kernel's objects (struct file, struct socket, struct sock), never from the caller's
 * memory; and fd.name (a socket's "cip:cport->sip:sport", a file's path). fam_net.bpf.c defines
 * the functions. */
#ifndef SAKER_FAM_SOCK_H
#define SAKER_FAM_SOCK_H

#include "core.h"

/* The kernel's socket objects, with only the members read (CO-RE, as kernel.h). */
typedef enum {
	SK_SS_FREE = 0,
	SK_SS_UNCONNECTED,
	SK_SS_CONNECTING,
	SK_SS_CONNECTED,
	SK_SS_DISCONNECTING,
} socket_state;

#define SK_TCP_ESTABLISHED 1

struct in6_addr {
	__u8 b[16];
};

struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	volatile unsigned char skc_state;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
} SK_CORE;

struct sock {
	struct sock_common __sk_common;
	__u16 sk_type;
	__u16 sk_protocol;
} SK_CORE;

struct socket {
	socket_state state;
	short type;
	struct sock *sk;
} SK_CORE;

/* struct file's member for sockets (a flavour of kernel.h's struct file) */
struct file___sk {
	void *private_data;
} SK_CORE;

/* The groups of these families (sk_state.fhave). */
enum {
	SK_SOCK_INFO   = 1 << 0, /* the descriptor: kind, tuple, state (struct saker_sockfd) */
	SK_SOCK_NAME   = 1 << 1, /* fd.name */
	SK_NET_DOMAIN  = 1 << 2, /* evt.arg.domain */
	SK_NET_CHANGED = 1 << 3, /* fd.name_changed (SAKER_SOCKF_NAME_CHANGED) */
};

struct sk_sock_state {
	struct saker_sockfd s;
	__s32 dom_len;    /* length of evt.arg.domain at sc->small + 32, -1: none */
	__s32 pad;
};
SK_FAM_FITS(struct sk_sock_state);

/* Computes the groups in G the event does not have yet. */
SK_GLOBAL int saker_sock_compute(__u32 g);
/* The descriptor's fields (fields.def, families NET | DUP), as sk_<family>_int and _str. */
SK_SHARED int sk_sock_int(struct sk_scratch *sc, int field, __s64 *v);
SK_SHARED int sk_sock_str(struct sk_scratch *sc, int field, const char **p);

#endif
