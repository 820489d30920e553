/* A fake container runtime API on a unix socket, for the tests of sakerd's container lookups
 * (tests/unit/test_enrich.c runs it, and the e2e tests can): it answers GET /_ping like podman
 * (with a Libpod-Api-Version header) or like Docker (without), and container descriptions from
 * files, slowly or never, as the options say. One process per connection, one request each.
 *
 * usage: saker_fake_runtime SOCKET [--api libpod|docker] [--delay-ms N] [--never]
 *                           [--status CODE] [--log FILE] [ID=FILE]...
 *   ID=FILE      the body for container ID (both APIs' paths); other ids get 404
 *   --delay-ms   wait this long before answering a container request
 *   --never      accept connections, read the request, never answer
 *   --status     answer every container request with this status (and its FILE or "{}")
 *   --log        append each request line to FILE
 * It runs until killed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct body {
	const char *id;
	const char *file;
};

static const char *api = "libpod", *log_path;
static int delay_ms, never, status_override;
static struct body bodies[64];
static int n_bodies;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	for (size_t r; buf && (r = fread(buf + n, 1, cap - n, f)) > 0;) {
		n += r;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	*len = n;
	return buf;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void reply(int c, int code, const char *body, size_t len)
{
	char head[512];
	const char *reason = code == 200 ? "OK" : code == 404 ? "Not Found" : "Error";
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nApi-Version: 1.41\r\n%sContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 code, reason, strcmp(api, "libpod") ? "" : "Libpod-Api-Version: 4.3.1\r\n", len);
	write_all(c, head, (size_t)n);
	write_all(c, body, len);
}

static void serve(int c)
{
	char req[4096];
	size_t n = 0;
	while (n < sizeof(req) - 1 && !strstr(req, "\r\n\r\n")) {
		ssize_t r = read(c, req + n, sizeof(req) - 1 - n);
		if (r <= 0)
			return;
		n += (size_t)r;
		req[n] = 0;
	}
	char method[16], path[1024];
	if (sscanf(req, "%15s %1023s", method, path) != 2)
		return;
	if (log_path) {
		int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT, 0644);
		char line[1100];
		int k = snprintf(line, sizeof(line), "%s %s\n", method, path);
		write_all(fd, line, (size_t)k);
		close(fd);
	}
	if (!strcmp(path, "/_ping")) {
		reply(c, 200, "OK", 2);
		return;
	}
	if (never) {
		pause();
		return;
	}
	if (delay_ms) {
		struct timespec ts = { delay_ms / 1000, (long)(delay_ms % 1000) * 1000000 };
		nanosleep(&ts, NULL);
	}
	/* /containers/ID/json (Docker) or /vX/libpod/containers/ID/json (podman): each API only
	 * serves its own paths, as the real ones do for unknown routes. */
	const char *id = NULL;
	char idbuf[128];
	if (!strncmp(path, "/containers/", 12))
		id = path + 12;
	else if (!strcmp(api, "libpod") && !strncmp(path, "/v4.0.0/libpod/containers/", 26))
		id = path + 26;
	if (!id || sscanf(id, "%127[^/]", idbuf) != 1 || strcmp(id + strlen(idbuf), "/json")) {
		reply(c, 404, "{\"message\":\"page not found\"}", 28);
		return;
	}
	for (int i = 0; i < n_bodies; i++) {
		if (strcmp(bodies[i].id, idbuf))
			continue;
		size_t len = 0;
		char *b = slurp(bodies[i].file, &len);
		reply(c, status_override ? status_override : 200, b ? b : "", b ? len : 0);
		free(b);
		return;
	}
	if (status_override)
		reply(c, status_override, "{}", 2);
	else
		reply(c, 404, "{\"cause\":\"no such container\",\"response\":404}", 44);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: saker_fake_runtime SOCKET [options] [ID=FILE]...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--api") && i + 1 < argc)
			api = argv[++i];
		else if (!strcmp(a, "--delay-ms") && i + 1 < argc)
			delay_ms = atoi(argv[++i]);
		else if (!strcmp(a, "--never"))
			never = 1;
		else if (!strcmp(a, "--status") && i + 1 < argc)
			status_override = atoi(argv[++i]);
		else if (!strcmp(a, "--log") && i + 1 < argc)
			log_path = argv[++i];
		else if (strchr(a, '=') && n_bodies < 64) {
			char *eq = strchr(a, '=');
			*eq = 0;
			bodies[n_bodies].id = a;
			bodies[n_bodies++].file = eq + 1;
		} else {
			fprintf(stderr, "saker_fake_runtime: bad argument '%s'\n", a);
			return 2;
		}
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(argv[1]) >= sizeof(sa.sun_path))
		return 2;
	strcpy(sa.sun_path, argv[1]);
	/* Bound under a temporary name, then renamed: the socket appears only once it listens. */
	char tmp[sizeof(sa.sun_path) + 8];
	snprintf(tmp, sizeof(tmp), "%s.new", argv[1]);
	if (strlen(tmp) >= sizeof(sa.sun_path))
		return 2;
	strcpy(sa.sun_path, tmp);
	unlink(tmp);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64) ||
	    rename(tmp, argv[1])) {
		perror("saker_fake_runtime");
		return 2;
	}
	const pid_t server = getpid();
	struct sigaction ign = { .sa_handler = SIG_IGN, .sa_flags = SA_NOCLDWAIT };
	sigaction(SIGCHLD, &ign, NULL);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		pid_t pid = fork();
		if (pid == 0) {
			/* Killing the server ends the connections it left hanging (--never). */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != server)
				_exit(0);
			close(fd);
			serve(c);
			close(c);
			_exit(0);
		}
		close(c);
	}
}
