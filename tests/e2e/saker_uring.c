/* saker_uring: opens and socket calls through io_uring instead of a syscall, and the same calls
 * by their syscalls to compare with, for tests/e2e/test_uring.sh and test_uring_net.sh. Prints
 * its pid on stdout (the alert's proc.vpid) and exits 0 when the call did what the mode says.
 * Opens for writing use O_WRONLY|O_APPEND and write nothing. Built by the test with liburing. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <liburing.h>
#include <linux/if_ether.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr,
		"usage: saker_uring MODE PATH|PORT\n"
		"  openat PATH    IORING_OP_OPENAT of PATH for writing\n"
		"  openat2 PATH   IORING_OP_OPENAT2 of PATH for writing\n"
		"  read PATH      IORING_OP_OPENAT of PATH for reading\n"
		"  async PATH     IORING_OP_OPENAT of PATH for writing, always run by an io-wq\n"
		"                 worker (O_CREAT forces it)\n"
		"  skip PATH      as openat, with IOSQE_CQE_SKIP_SUCCESS (no completion on success)\n"
		"  fixed PATH     as openat, into fixed-file slot 0 (no descriptor)\n"
		"  connect PORT   IORING_OP_CONNECT of a TCP socket to 127.0.0.1:PORT (the result,\n"
		"                 refused or not, does not matter)\n"
		"  sysconnect PORT  the same by the connect syscall\n"
		"  socket KIND    IORING_OP_SOCKET: KIND packet (AF_PACKET, SOCK_RAW) or inet\n"
		"                 (AF_INET, SOCK_DGRAM); socket-fixed: into fixed-file slot 0;\n"
		"                 socket-skip: with IOSQE_CQE_SKIP_SUCCESS; syssocket: the syscall\n"
		"  accept PORT    IORING_OP_ACCEPT of a connection to 127.0.0.1:PORT from itself;\n"
		"                 sysaccept: the accept4 syscall\n"
		"  sendmsg PORT   IORING_OP_SENDMSG of a datagram to 127.0.0.1:PORT from an unconnected\n"
		"                 UDP socket; syssendmsg: the syscall\n"
		"  send PORT      IORING_OP_SEND of a datagram on a UDP socket connected to\n"
		"                 127.0.0.1:PORT; syssend: the sendto syscall\n"
		"Every socket mode sets its ring up first, so that a mode and its syscall one get the\n"
		"same descriptor numbers.\n");
	return 2;
}

/* Submits SQE's request (with FLAGS added) and waits for its completion: its result, or -errno
 * of the submission; with IOSQE_CQE_SKIP_SUCCESS (in FLAGS or already on SQE), waits a little
 * and returns 0, or the result of a completion that came (a failure). */
static int run(struct io_uring *ring, struct io_uring_sqe *sqe, unsigned flags)
{
	unsigned skip = (sqe->flags |= flags) & IOSQE_CQE_SKIP_SUCCESS;
	struct io_uring_cqe *cqe;
	int ret;

	if ((ret = io_uring_submit(ring)) != 1)
		return ret < 0 ? ret : -EIO;
	if (skip) {
		usleep(100000);
		if (io_uring_peek_cqe(ring, &cqe) == 0) {
			ret = cqe->res;
			io_uring_cqe_seen(ring, cqe);
			return ret;
		}
		return 0;
	}
	if ((ret = io_uring_wait_cqe(ring, &cqe)) < 0)
		return ret;
	ret = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return ret;
}

/* The socket modes (usage). Returns the exit status. */
static int sockets(const char *mode, const char *arg)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(arg)) };
	int uring = strncmp(mode, "sys", 3) != 0;
	const char *op = uring ? mode : mode + 3;
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int ret, s, c;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((ret = io_uring_queue_init(4, &ring, 0)) < 0) {
		fprintf(stderr, "saker_uring: io_uring_queue_init: %s\n", strerror(-ret));
		return 1;
	}
	if (!strncmp(op, "socket", 6)) {
		int packet = !strcmp(arg, "packet");
		int dom = packet ? AF_PACKET : AF_INET, type = packet ? SOCK_RAW : SOCK_DGRAM;
		int proto = packet ? htons(ETH_P_ALL) : 0;

		if (!packet && strcmp(arg, "inet"))
			return usage();
		if (!uring) {
			ret = socket(dom, type, proto) < 0 ? -errno : 0;
		} else if (!strcmp(op, "socket-fixed")) {
			if ((ret = io_uring_register_files_sparse(&ring, 1)) < 0) {
				fprintf(stderr, "saker_uring: register_files: %s\n", strerror(-ret));
				return 1;
			}
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_socket_direct(sqe, dom, type, proto, 0, 0);
			ret = run(&ring, sqe, 0);
		} else {
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_socket(sqe, dom, type, proto, 0);
			ret = run(&ring, sqe, !strcmp(op, "socket-skip") ? IOSQE_CQE_SKIP_SUCCESS : 0);
		}
	} else if (!strcmp(op, "accept")) {
		int one = 1;

		s = socket(AF_INET, SOCK_STREAM, 0);
		c = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0 || c < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		    bind(s, (struct sockaddr *)&sin, sizeof(sin)) || listen(s, 1) ||
		    connect(c, (struct sockaddr *)&sin, sizeof(sin))) {
			perror("saker_uring: accept: setting up the connection");
			return 1;
		}
		if (uring) {
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_accept(sqe, s, NULL, NULL, SOCK_CLOEXEC);
			ret = run(&ring, sqe, 0);
		} else {
			ret = accept4(s, NULL, NULL, SOCK_CLOEXEC) < 0 ? -errno : 0;
		}
	} else if (!strcmp(op, "sendmsg") || !strcmp(op, "send")) {
		char byte = 'x';
		struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
		struct msghdr msg = { .msg_name = &sin, .msg_namelen = sizeof(sin),
				      .msg_iov = &iov, .msg_iovlen = 1 };

		if ((s = socket(AF_INET, SOCK_DGRAM, 0)) < 0) {
			perror("saker_uring: socket");
			return 1;
		}
		if (op[4] == 0 && connect(s, (struct sockaddr *)&sin, sizeof(sin))) {
			perror("saker_uring: send: connect");
			return 1;
		}
		if (uring) {
			sqe = io_uring_get_sqe(&ring);
			if (op[4])
				io_uring_prep_sendmsg(sqe, s, &msg, 0);
			else
				io_uring_prep_send(sqe, s, &byte, 1, 0);
			ret = run(&ring, sqe, 0);
		} else if (op[4]) {
			ret = sendmsg(s, &msg, 0) < 0 ? -errno : 0;
		} else {
			ret = sendto(s, &byte, 1, 0, NULL, 0) < 0 ? -errno : 0;
		}
	} else {
		return usage();
	}
	if (ret < 0) {
		fprintf(stderr, "saker_uring: %s %s: %s\n", mode, arg, strerror(-ret));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct open_how how;
	const char *mode, *path;
	int flags = O_WRONLY | O_APPEND | O_CLOEXEC, ret, fixed = 0;

	if (argc != 3)
		return usage();
	mode = argv[1];
	path = argv[2];
	printf("%d\n", (int)getpid());
	fflush(stdout);
	if (strstr(mode, "socket") || strstr(mode, "accept") || strstr(mode, "send"))
		return sockets(mode, path);
	if (!strcmp(mode, "connect") || !strcmp(mode, "sysconnect")) {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(path)) };
		int s = socket(AF_INET, SOCK_STREAM, 0);

		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (s < 0) {
			perror("saker_uring: socket");
			return 1;
		}
		/* a failed connect is no failure of the program: it says why on stderr */
		if (mode[0] == 's') {
			if (connect(s, (struct sockaddr *)&sin, sizeof(sin)))
				fprintf(stderr, "saker_uring: connect: %s\n", strerror(errno));
			return 0;
		}
		if ((ret = io_uring_queue_init(4, &ring, 0)) < 0) {
			fprintf(stderr, "saker_uring: io_uring_queue_init: %s\n", strerror(-ret));
			return 1;
		}
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_connect(sqe, s, (struct sockaddr *)&sin, sizeof(sin));
		if ((ret = io_uring_submit(&ring)) != 1 || (ret = io_uring_wait_cqe(&ring, &cqe)) < 0) {
			fprintf(stderr, "saker_uring: connect submit/wait failed\n");
			return 1;
		}
		if (cqe->res < 0)
			fprintf(stderr, "saker_uring: io_uring connect: %s\n", strerror(-cqe->res));
		io_uring_cqe_seen(&ring, cqe);
		io_uring_queue_exit(&ring);
		return 0;
	}
	if ((ret = io_uring_queue_init(4, &ring, 0)) < 0) {
		fprintf(stderr, "saker_uring: io_uring_queue_init: %s\n", strerror(-ret));
		return 1;
	}
	if (!strcmp(mode, "fixed")) {
		if ((ret = io_uring_register_files_sparse(&ring, 1)) < 0) {
			fprintf(stderr, "saker_uring: register_files: %s\n", strerror(-ret));
			return 1;
		}
		fixed = 1;
	}
	sqe = io_uring_get_sqe(&ring);
	if (!strcmp(mode, "openat2")) {
		memset(&how, 0, sizeof(how));
		how.flags = flags;
		io_uring_prep_openat2(sqe, AT_FDCWD, path, &how);
	} else if (!strcmp(mode, "openat") || !strcmp(mode, "skip")) {
		io_uring_prep_openat(sqe, AT_FDCWD, path, flags, 0);
		if (!strcmp(mode, "skip"))
			sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	} else if (!strcmp(mode, "read")) {
		io_uring_prep_openat(sqe, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	} else if (!strcmp(mode, "async")) {
		io_uring_prep_openat(sqe, AT_FDCWD, path, flags | O_CREAT, 0600);
	} else if (fixed) {
		/* a fixed file has no descriptor, so no O_CLOEXEC (EINVAL) */
		io_uring_prep_openat_direct(sqe, AT_FDCWD, path, flags & ~O_CLOEXEC, 0, 0);
	} else {
		return usage();
	}
	if (!strcmp(mode, "skip")) {
		/* no completion comes on success: the descriptor is the lowest free one */
		if ((ret = run(&ring, sqe, 0)) < 0) {
			fprintf(stderr, "saker_uring: skip %s: %s\n", path, strerror(-ret));
			return 1;
		}
		ret = fcntl(3 + 1, F_GETFD) >= 0 || fcntl(3, F_GETFD) >= 0 ? 0 : -1;
		io_uring_queue_exit(&ring);
		return ret ? 1 : 0;
	}
	ret = run(&ring, sqe, 0);
	io_uring_queue_exit(&ring);
	if (ret < 0) {
		fprintf(stderr, "saker_uring: %s %s: %s\n", mode, path, strerror(-ret));
		return 1;
	}
	return 0;
}
