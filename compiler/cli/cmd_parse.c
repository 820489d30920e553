/* saker parse: checks the syntax of one condition and prints its canonical form (Falco's
 * as_string), or the located errors. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "ast.h"
#include "cmds.h"
#include "diag.h"
#include "parse.h"
#include "saker/version.h"

#define PARSE_MAX_INPUT (16u << 20) /* as a rules file may have (loader.c) */

static void parse_usage(FILE *out)
{
	fputs("usage: saker parse (-e EXPR | FILE)\n"
	      "\n"
	      "Parses one condition (condition syntax only: macros, lists and fields are not\n"
	      "resolved) and prints its canonical form, or the errors with their locations.\n"
	      "FILE holds one condition ('-' reads standard input); a trailing newline is ignored.\n"
	      "\n"
	      "options:\n"
	      "  -e, --expr EXPR  parse EXPR instead of a file\n"
	      "  -h, --help       show this help\n"
	      "      --version    show the version\n"
	      "\n"
	      "exit status: 0 parsed, 1 syntax errors, 2 usage or I/O error\n",
	      out);
}

/* Reads all of F; returns a malloc'd buffer (NUL-terminated) or NULL with errno set. */
static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	for (;;) {
		if (cap - n < 2) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
		if (n > PARSE_MAX_INPUT) {
			/* /dev/zero on stdin, say: refuse rather than grow without bound */
			free(buf);
			errno = EFBIG;
			return NULL;
		}
	}
	if (ferror(f)) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int cmd_parse(int argc, char **argv)
{
	const char *expr = NULL, *path = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			parse_usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("saker %s\n", SAKER_VERSION);
			return 0;
		} else if (!strcmp(a, "-e") || !strcmp(a, "--expr")) {
			if (i + 1 >= argc || expr) {
				fprintf(stderr, "saker parse: %s\n",
					expr ? "-e given twice" : "-e needs an expression");
				parse_usage(stderr);
				return 2;
			}
			expr = argv[++i];
		} else if (!strncmp(a, "--expr=", 7) && !expr) {
			expr = a + 7;
		} else if (!strcmp(a, "--")) {
			if (i + 1 < argc && !path && i + 2 == argc) {
				path = argv[++i];
				continue;
			}
			parse_usage(stderr);
			return 2;
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "saker parse: unknown option '%s'\n", a);
			parse_usage(stderr);
			return 2;
		} else if (!path) {
			path = a;
		} else {
			fprintf(stderr, "saker parse: only one FILE may be given\n");
			parse_usage(stderr);
			return 2;
		}
	}
	if (!!expr == !!path) {
		fprintf(stderr, "saker parse: give either -e EXPR or FILE\n");
		parse_usage(stderr);
		return 2;
	}

	char *owned = NULL;
	const char *src = expr, *name = "<expr>";
	size_t len = expr ? strlen(expr) : 0;
	if (path) {
		FILE *f = stdin;
		int err = 0;
		if (strcmp(path, "-")) {
			/* a FIFO or a device must be refused, not waited on */
			int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
			struct stat st;
			f = NULL;
			if (fd < 0) {
				err = errno;
			} else if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
				err = errno ? errno : EINVAL;
				if (!S_ISREG(st.st_mode)) {
					fprintf(stderr, "saker: error: cannot read '%s': not a regular file\n", path);
					close(fd);
					return 2;
				}
				close(fd);
			} else if (!(f = fdopen(fd, "rb"))) {
				err = errno;
				close(fd);
			}
		}
		if (f)
			owned = read_all(f, &len);
		if (!owned && !err)
			err = errno;
		if (f && f != stdin)
			fclose(f);
		if (!owned) {
			if (err == EFBIG)
				fprintf(stderr, "saker: error: cannot read '%s': larger than the %u MiB a condition may have\n",
					path, PARSE_MAX_INPUT >> 20);
			else
				fprintf(stderr, "saker: error: cannot read '%s': %s\n", path, strerror(err));
			return 2;
		}
		src = owned;
		name = strcmp(path, "-") ? path : "<stdin>";
	}

	sk_diag *d = sk_diag_new();
	sk_arena *a = sk_arena_new();
	uint32_t file = sk_diag_add_file(d, name, src, len);
	size_t n = len;
	if (path)
		while (n > 0 && (src[n - 1] == '\n' || src[n - 1] == '\r'))
			n--;
	sk_text text = { .str = src, .len = n, .file = file, .map = NULL, .base = 0 };
	sk_expr *e = sk_parse_condition(a, d, &text, SK_MAX_DEPTH_DEFAULT);
	int rc;
	if (e && sk_diag_error_count(d) == 0) {
		printf("%s\n", sk_expr_to_string(a, e));
		rc = fflush(stdout) == 0 ? 0 : 2;
	} else {
		sk_diag_render(d, SK_DIAG_TEXT, stderr);
		rc = 1;
	}
	sk_arena_free(a);
	sk_diag_free(d);
	free(owned);
	return rc;
}
