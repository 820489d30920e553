/* saker-test-lib: saker_driver */
/* Differential test of the network and dup families: rules on every field they have go through
 * the real front end and code generation into the kernel; generated socket calls (socket,
 * connect to listeners and to closed ports on IPv4, IPv6 and IPv4-mapped addresses, accept,
 * UDP sendto and sendmsg to named peers, recvfrom, dup/dup2/dup3 of sockets, files, pipes and
 * bad descriptors) then run, and for every event that reaches user space each rule's kernel bit
 * must equal the evaluator of reference (runtime/cond_eval.c) on the rule's kernel part, and no
 * event the whole rule matches may have been dropped. A catch-all rule on this thread makes
 * each of its calls reach user space, so that the kernel's 0 bits are checked too. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel_test.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "codegen.h"
#include "rt.h"
#include "rules.h"
#include "saker/event.h"
#include "saker/event_cond.h"
#include "saker/event_fields.h"
#include "saker/fields.h"

#define TEST_COMM    "sk_diffnet"
#define DEFAULT_SEED 0x7e7d1ffull
#define DEFAULT_OPS  600
#define HIGH_FD      200  /* dup2/dup3 targets: HIGH_FD .. HIGH_FD + 2 ("redirects") */
#define MAX_SHOWN    3

/* %1$d our tid, %2$d the IPv4 listener's port, %3$d the IPv6 one's, %4$d HIGH_FD */
static const char *const rule_srcs[] = {
	"(net_family or dup_family) and thread.tid = %1$d",
	"evt.type = connect and fd.typechar in (4, 6) and mine",
	"evt.type = socket and evt.arg.domain contains AF_PACKET and mine",
	"evt.type = socket and evt.arg.domain = \"AF_LOCAL|AF_UNIX\" and evt.arg.type = 2 and mine",
	"evt.type = socket and evt.arg.domain startswith AF_INET and evt.rawarg.domain != 2 and mine",
	"evt.type = socket and mine and not evt.arg.domain exists",
	"evt.type = socket and mine and evt.arg.proto = 0 and evt.rawarg.type in (1, 3) and fd.num >= 0",
	"net_family and mine and fd.sport = %2$d and fd.l4proto = tcp",
	"net_family and mine and fd.sport = %3$d and fd.type = ipv6",
	"net_family and mine and fd.lport in (%2$d, %3$d) and fd.cport > 0",
	"net_family and mine and fd.rport < 1024 and fd.connected = false",
	"net_family and mine and fd.connected = true and fd.l4proto != udp",
	"net_family and mine and fd.name endswith \":%2$d\" and fd.name startswith 127.0.0.1:",
	"net_family and mine and fd.name contains \"->::1:\"",
	"net_family and mine and fd.name contains \"::ffff:127.0.0.1\"",
	"net_family and mine and fd.ip = 127.0.0.1 and fd.net != \"10.0.0.0/8\"",
	"net_family and mine and fd.snet in (\"10.0.0.0/8\", \"192.168.0.0/16\") and fd.sip != 10.9.9.9",
	"net_family and mine and fd.sip = \"::1\" and fd.cip = \"::1\"",
	"net_family and mine and (fd.typechar = 4 or fd.typechar = 6) and "
	"(fd.ip != \"0.0.0.0\" and fd.net != \"127.0.0.0/8\" and not fd.snet in (\"10.0.0.0/8\", \"172.16.0.0/12\")) and "
	"(evt.rawres >= 0 or evt.res = EINPROGRESS)",
	"evt.type in (sendto, sendmsg) and mine and fd.l4proto = udp and fd.connected = false",
	"evt.type in (recvfrom, recvmsg) and mine and fd.l4proto exists",
	"evt.type in (accept, accept4) and mine and fd.num > 2 and evt.arg.fd > 2",
	"net_family and mine and evt.res = ECONNREFUSED and fd.rport > 0",
	"net_family and mine and fd.num = -1",
	"net_family and mine and not fd.type exists",
	"dup_family and mine and evt.rawres in (%4$d, %4$d + 1, %4$d + 2) and fd.type in (ipv4, ipv6)",
	"dup_family and mine and fd.typechar = f and evt.arg.newfd >= %4$d",
	"dup_family and mine and fd.type in (pipe, directory, unix, unknown) and evt.arg.oldfd > 0",
	"dup_family and mine and evt.failed = true and not fd.typechar exists",
	"dup_family and mine and fd.name startswith / and fd.connected = false",
	"net_family and mine and fd.typechar = u and fd.name exists",
	"evt.type in (sendto, sendmsg) and mine and fd.l4proto != tcp and fd.connected = false and fd.name_changed = true",
};
#define N_RULES (sizeof(rule_srcs) / sizeof(rule_srcs[0]))

struct dnet {
	pid_t pid, tid;
	int port4, port6;
	int l4, l6;                  /* the listeners */
	int u;                       /* a UDP socket kept open */
	sk_comp *c;
	struct bpf_object *obj;
	struct bpf_link *links[16];
	int n_links;
	struct ring_buffer *rb;
	struct saker_event ev;
	struct sk_cond_ctx *ctx;
	struct sk_event_src src;
	unsigned long own_op, uncounted; /* events of the operation running; operations short */
	unsigned long own, calls, events, missed, more, decode_errors;
	unsigned long matched[N_RULES], mism[N_RULES];
	const char *op;
	uint64_t rng;
};

static uint64_t rnd(struct dnet *d)
{
	d->rng ^= d->rng >> 12;
	d->rng ^= d->rng << 25;
	d->rng ^= d->rng >> 27;
	return d->rng * 0x2545f4914f6cdd1dull;
}

static unsigned pick(struct dnet *d, unsigned n)
{
	return (unsigned)(rnd(d) % n);
}

static void show_event(const struct saker_event *ev)
{
	const struct saker_tail_net *t = SAKER_EVENT_TAIL(ev, net);
	const char *name = ev->str[SAKER_STR_FD_NAME];

	fprintf(stderr, "    %s res=%" PRId64 " fd=%d kind=%u l4=%u flags=%#x lport=%u rport=%u "
		"arg0=%" PRIu64 " name='%s'\n", sk_event_name(ev->h.event), (int64_t)ev->h.res,
		t->s.fd, t->s.kind, t->s.l4proto, t->s.flags, t->s.lport, t->s.rport, (uint64_t)t->arg[0],
		name ? name : "(none)");
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct dnet *d = ctx;
	struct saker_event *ev = &d->ev;
	unsigned char kernel[N_RULES] = { 0 };

	if (saker_event_decode(data, size, ev)) {
		d->decode_errors++;
		return 0;
	}
	if (ev->h.flags & SAKER_EVF_MORE) {
		d->more++;
		return 0;
	}
	d->events++;
	if (ev->h.pid == (uint32_t)d->pid && ev->h.tid == (uint32_t)d->tid) {
		d->own++;
		d->own_op++;
	}
	for (uint32_t j = 0; j < ev->h.n_rules; j++)
		if (ev->rules[j] < N_RULES)
			kernel[ev->rules[j]] = 1;
	for (size_t i = 0; i < N_RULES; i++) {
		const sk_rule *r = d->c->rules[i];
		int ref = sk_event_cond_eval(&d->src, d->ctx, r->kernel, ev);
		int full = sk_event_cond_eval(&d->src, d->ctx, r->cond, ev);

		if (ref < 0 || full < 0)
			fail_msg("evaluator failed: %d %d", ref, full);
		d->matched[i] += kernel[i];
		if (full && !kernel[i] && d->missed++ < MAX_SHOWN) {
			fprintf(stderr, "MISSED: rule %zu holds but the kernel dropped the event (%s)\n", i,
				d->op);
			show_event(ev);
		}
		if (kernel[i] != ref && d->mism[i]++ < MAX_SHOWN) {
			fprintf(stderr, "MISMATCH rule %zu (%s): kernel %d, reference %d, after %s\n", i,
				rule_srcs[i], kernel[i], ref, d->op);
			show_event(ev);
		}
	}
	return 0;
}

static sk_comp *front(struct dnet *d)
{
	sk_comp *c = sk_comp_new();
	char *y = sk_arena_printf(c->arena,
		"- macro: net_family\n  condition: evt.type in (socket, connect, accept, accept4, "
		"sendto, sendmsg, recvfrom, recvmsg)\n"
		"- macro: dup_family\n  condition: evt.type in (dup, dup2, dup3)\n"
		"- macro: mine\n  condition: proc.name = %s\n", TEST_COMM);
	int rc;

	for (size_t i = 0; i < N_RULES; i++) {
		char *cond = sk_arena_printf(c->arena, rule_srcs[i], d->tid, d->port4, d->port6, HIGH_FD);
		/* "%4$d + 1" is arithmetic for the reader: spell the numbers out */
		char *p;
		while ((p = strstr(cond, " + "))) {
			long base = strtol(p - 3, NULL, 10), add = strtol(p + 3, NULL, 10);
			cond = sk_arena_printf(c->arena, "%.*s%ld%s", (int)(p - 3 - cond), cond, base + add,
					       p + 4);
		}
		y = sk_arena_printf(c->arena, "%s- rule: r%zu\n  desc: d\n  condition: >-\n    %s\n"
				    "  output: \"%%fd.name\"\n  priority: debug\n", y, i, cond);
	}
	rc = sk_load_string(c, "diffnet.yaml", y, strlen(y));
	rc |= sk_expand(c);
	rc |= sk_check(c);
	if (rc || c->n_rules != N_RULES) {
		sk_diag_render(c->diag, SK_DIAG_TEXT, stderr);
		fail_msg("the ruleset did not check");
	}
	return c;
}

static void kern_load(struct dnet *d)
{
	uint8_t *obj = NULL;
	size_t len = 0;
	struct bpf_program *prog = NULL;
	struct bpf_map *m;

	if (sk_codegen(d->c, NULL, &obj, &len)) {
		sk_diag_render(d->c->diag, SK_DIAG_TEXT, stderr);
		fail_msg("code generation refused the ruleset");
	}
	d->obj = bpf_object__open_mem(obj, len, NULL);
	assert_non_null(d->obj);
	m = bpf_object__find_map_by_name(d->obj, SAKER_MAP_RULE_STATS);
	assert_non_null(m);
	assert_int_equal(bpf_map__set_max_entries(m, N_RULES), 0);
	saker_rt_skip_lsm(d->obj);
	if (bpf_object__load(d->obj))
		fail_msg("the kernel refused the program (the verifier log is above)");
	while ((prog = bpf_object__next_program(d->obj, prog))) {
		if (!bpf_program__autoload(prog))
			continue; /* the LSM back end's, or on a tracepoint this kernel lacks */
		assert_true(d->n_links < 16);
		d->links[d->n_links] = bpf_program__attach(prog);
		assert_non_null(d->links[d->n_links]);
		d->n_links++;
	}
	m = bpf_object__find_map_by_name(d->obj, SAKER_MAP_EVENTS);
	assert_non_null(m);
	d->rb = ring_buffer__new(bpf_map__fd(m), on_event, d, NULL);
	assert_non_null(d->rb);
	free(obj);
}

/* ---- the calls: each wrapper is one hooked syscall (counted) ----------------------------- */

static int c_socket(struct dnet *d, int dom, int type, int proto)
{
	d->calls++;
	return socket(dom, type, proto);
}

static int c_connect(struct dnet *d, int fd, const struct sockaddr *a, socklen_t len)
{
	d->calls++;
	return connect(fd, a, len);
}

static int c_dup(struct dnet *d, int how, int fd, int to)
{
	d->calls++;
	switch (how) {
	case 0: return dup(fd);
	case 1: return dup2(fd, to);
	default: return dup3(fd, to, O_CLOEXEC);
	}
}

/* An address: 0 127.0.0.1, 1 ::1, 2 ::ffff:127.0.0.1, 3 10.9.9.9, 4 192.168.77.1, 5 8.8.8.8 (no
 * route without a network: connect fails), with PORT. Returns its family. */
static int mkaddr(struct sockaddr_storage *ss, socklen_t *len, int which, int port)
{
	static const char *const ips[] = { "127.0.0.1", "::1", "::ffff:127.0.0.1", "10.9.9.9",
					   "192.168.77.1", "8.8.8.8" };
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ips[which], &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		*len = sizeof(*in);
		return AF_INET;
	}
	assert_int_equal(inet_pton(AF_INET6, ips[which], &in6->sin6_addr), 1);
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	*len = sizeof(*in6);
	return AF_INET6;
}

static void drain(struct dnet *d)
{
	assert_true(ring_buffer__consume(d->rb) >= 0);
}

static void one_op(struct dnet *d)
{
	static const int doms[] = { AF_INET, AF_INET6, AF_UNIX, AF_PACKET, AF_NETLINK, 12345 };
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_RAW };
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, s, r, fam, which, port;
	char buf[4];

	switch (pick(d, 8)) {
	case 0: /* socket of any kind */
		d->op = "socket";
		fd = c_socket(d, doms[pick(d, 6)], types[pick(d, 3)], 0);
		if (fd >= 0)
			close(fd);
		break;
	case 1: /* a TCP connect to a listener (then accept), or to a closed port */
		which = pick(d, 3);
		fam = mkaddr(&ss, &len, which, 0);
		/* 127.0.0.1 reaches the IPv4 listener, ::1 and ::ffff:127.0.0.1 the dual-stack one */
		port = pick(d, 3) ? (which == 0 ? d->port4 : d->port6) : 1 + (int)pick(d, 1000);
		mkaddr(&ss, &len, which, port);
		d->op = "connect";
		fd = c_socket(d, fam, SOCK_STREAM, 0);
		assert_true(fd >= 0);
		r = c_connect(d, fd, (struct sockaddr *)&ss, len);
		if (r == 0) {
			d->op = "accept";
			d->calls++;
			s = pick(d, 2) ? accept(which == 0 ? d->l4 : d->l6, NULL, NULL)
				       : accept4(which == 0 ? d->l4 : d->l6, NULL, NULL, SOCK_CLOEXEC);
			if (s >= 0) {
				d->op = "dup of an accepted socket";
				r = c_dup(d, (int)pick(d, 3), s, HIGH_FD + (int)pick(d, 3));
				if (r >= 0)
					close(r);
				close(s);
			}
			if (pick(d, 2)) {
				d->op = "dup of a connected socket";
				r = c_dup(d, (int)pick(d, 3), fd, HIGH_FD + (int)pick(d, 3));
				if (r >= 0)
					close(r);
			}
		}
		close(fd);
		break;
	case 2: /* UDP to a named peer, from a fresh or the kept socket */
		which = pick(d, 6);
		fam = mkaddr(&ss, &len, which, 53 + (int)pick(d, 2));
		d->op = "sendto";
		if (fam == AF_INET6 || pick(d, 2)) {
			fd = c_socket(d, fam, SOCK_DGRAM, 0);
			assert_true(fd >= 0);
		} else {
			fd = d->u;
		}
		d->calls++;
		if (pick(d, 2)) {
			sendto(fd, "x", 1, MSG_DONTWAIT, (struct sockaddr *)&ss, len);
		} else {
			struct iovec iov = { .iov_base = "x", .iov_len = 1 };
			struct msghdr mh = { .msg_name = &ss, .msg_namelen = len, .msg_iov = &iov,
					     .msg_iovlen = 1 };
			d->op = "sendmsg";
			sendmsg(fd, &mh, MSG_DONTWAIT);
		}
		if (fd != d->u)
			close(fd);
		break;
	case 3: /* a connected UDP socket: send and receive on it */
		fam = mkaddr(&ss, &len, pick(d, 3), 9);
		d->op = "connected udp";
		fd = c_socket(d, fam, SOCK_DGRAM, 0);
		assert_true(fd >= 0);
		if (!c_connect(d, fd, (struct sockaddr *)&ss, len)) {
			d->calls++;
			send(fd, "x", 1, MSG_DONTWAIT); /* sendto in glibc */
			d->calls++;
			recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL);
		}
		close(fd);
		break;
	case 4: /* dup of a file, a directory, a pipe, a bad fd */
		d->op = "dup";
		switch (pick(d, 4)) {
		case 0: fd = open("/etc/passwd", O_RDONLY); break;
		case 1: fd = open("/tmp", O_RDONLY | O_DIRECTORY); break;
		case 2: {
			int p[2];
			assert_int_equal(pipe(p), 0);
			close(p[1]);
			fd = p[0];
			break;
		}
		default: fd = 100000;
		}
		r = c_dup(d, (int)pick(d, 3), fd, HIGH_FD + (int)pick(d, 4));
		if (r >= 0)
			close(r);
		if (fd != 100000)
			close(fd);
		break;
	case 5: /* connect on a file, or on no descriptor */
		d->op = "connect on a non-socket";
		mkaddr(&ss, &len, 0, 80);
		fd = pick(d, 2) ? open("/etc/passwd", O_RDONLY) : -1;
		c_connect(d, fd < 0 ? 100000 : fd, (struct sockaddr *)&ss, len);
		if (fd >= 0)
			close(fd);
		break;
	case 6: { /* a unix socket pair by name, and a dup of it */
		struct sockaddr_un un = { .sun_family = AF_UNIX };
		d->op = "unix";
		fd = c_socket(d, AF_UNIX, SOCK_DGRAM, 0);
		assert_true(fd >= 0);
		snprintf(un.sun_path, sizeof(un.sun_path), "/tmp/sk-diffnet-%d", (int)d->pid);
		c_connect(d, fd, (struct sockaddr *)&un, sizeof(un));
		r = c_dup(d, 0, fd, 0);
		if (r >= 0)
			close(r);
		close(fd);
		break;
	}
	default: /* a connect to an address without a route (EINPROGRESS or ENETUNREACH) */
		d->op = "non-blocking connect";
		fam = mkaddr(&ss, &len, 3 + pick(d, 3), 80 + (int)pick(d, 2) * 363);
		fd = c_socket(d, fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
		assert_true(fd >= 0);
		c_connect(d, fd, (struct sockaddr *)&ss, len);
		close(fd);
	}
}

static int listener(int fam, int *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0); /* accept never waits */

	assert_true(fd >= 0);
	mkaddr(&ss, &len, fam == AF_INET ? 0 : 1, 0);
	if (fam == AF_INET6) {
		int off = 0;
		/* both ::1 and ::ffff:127.0.0.1 reach it */
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
		in6->sin6_addr = in6addr_any;
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	assert_int_equal(listen(fd, 64), 0);
	len = sizeof(ss);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	*port = ntohs(fam == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
				     : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static void test_differential_net(void **state)
{
	struct dnet *d;
	uint64_t seed = getenv("SAKER_DIFF_SEED") ? strtoull(getenv("SAKER_DIFF_SEED"), NULL, 0) : DEFAULT_SEED;
	unsigned long n_ops = getenv("SAKER_DIFF_OPS") ? strtoul(getenv("SAKER_DIFF_OPS"), NULL, 0) : DEFAULT_OPS;
	unsigned long base, bad = 0, never = 0;

	(void)state;
	if (need_root()) {
		skip();
		return;
	}
	d = calloc(1, sizeof(*d));
	assert_non_null(d);
	d->rng = seed ? seed : 1;
	d->pid = getpid();
	d->tid = (pid_t)syscall(SYS_gettid);
	assert_int_equal(prctl(PR_SET_NAME, TEST_COMM), 0);
	d->l4 = listener(AF_INET, &d->port4);
	d->l6 = listener(AF_INET6, &d->port6);
	d->u = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(d->u >= 0);
	assert_int_equal(sk_cond_ctx_new(&d->ctx), 0);
	sk_event_src_init(&d->src, NULL, NULL);
	d->c = front(d);
	kern_load(d);
	drain(d);
	base = d->own;
	fprintf(stderr, "[ info ] seed %#" PRIx64 ", %lu operations (SAKER_DIFF_SEED, SAKER_DIFF_OPS)\n",
		seed, n_ops);
	for (unsigned long i = 0; i < n_ops; i++) {
		unsigned long calls = d->calls;

		d->own_op = 0;
		one_op(d);
		drain(d);
		if (d->own_op != d->calls - calls && d->uncounted++ < MAX_SHOWN)
			fprintf(stderr, "UNSEEN: %s made %lu calls, %lu events of ours\n", d->op,
				d->calls - calls, d->own_op);
	}
	drain(d);
	fprintf(stderr, "[ info ] %lu calls, %lu events (%lu of ours)\n", d->calls, d->events,
		d->own - base);
	for (size_t i = 0; i < N_RULES; i++) {
		if (d->mism[i])
			fprintf(stderr, "[ MISMATCH ] rule %zu: %lu events disagree\n", i, d->mism[i]);
		if (!d->matched[i]) {
			fprintf(stderr, "[ note ] rule %zu never matched: %s\n", i, rule_srcs[i]);
			never++;
		}
		bad += d->mism[i] != 0;
	}
	for (int i = 0; i < d->n_links; i++)
		bpf_link__destroy(d->links[i]);
	ring_buffer__free(d->rb);
	bpf_object__close(d->obj);
	sk_cond_ctx_free(d->ctx);
	sk_event_src_fini(&d->src);
	sk_comp_free(d->c);
	if (d->own - base != d->calls)
		fail_msg("%lu events of ours for %lu calls: the catch-all must see each", d->own - base,
			 d->calls);
	if (d->decode_errors || d->more)
		fail_msg("%lu malformed records, %lu split ones", d->decode_errors, d->more);
	if (d->missed)
		fail_msg("%lu events a rule matches were dropped by the kernel", d->missed);
	if (bad)
		fail_msg("%lu of %zu rules disagree with the reference evaluator", bad, N_RULES);
	/* the calls are made to cover every rule */
	if (never > 2)
		fail_msg("%lu rules never matched", never);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_differential_net),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
