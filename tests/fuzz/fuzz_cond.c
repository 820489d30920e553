/* libFuzzer harness: sk_cond_decode on arbitrary bytes. What decodes must pass the tree checker,
 * print, encode back to exactly the bytes read, and evaluate (twice, as sakerd does event after
 * event) against a source whose values come from the bytes after the tree.
 * SAKER_FUZZ_SEED=DIR writes seed encodings of a few conditions into DIR at start-up. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saker/cond.h"
#include "../unit/cond_text.h"

static struct {
	const uint8_t *p;
	size_t n, i;
} vals;

static unsigned next(void)
{
	return vals.i < vals.n ? vals.p[vals.i++] : 0;
}

static void take(void *dst, size_t n)
{
	uint8_t *d = dst;
	for (size_t k = 0; k < n; k++)
		d[k] = (uint8_t)next();
}

static sk_cval items[8];

static void value(sk_cval *v, int depth)
{
	unsigned b = next();

	memset(v, 0, sizeof(*v));
	switch (b % 9) {
	case 0: v->kind = SK_CV_NA; break;
	case 1: {
		size_t n = next() % 24;
		if (n > vals.n - vals.i)
			n = vals.n - vals.i;
		v->kind = SK_CV_STR;
		v->s = (const char *)vals.p + vals.i;
		v->len = n;
		vals.i += n;
		break;
	}
	case 2: v->kind = SK_CV_INT; take(&v->i, sizeof(v->i)); break;
	case 3: v->kind = SK_CV_UINT; take(&v->u, sizeof(v->u)); break;
	case 4: v->kind = SK_CV_BOOL; v->b = next() & 1; break;
	case 5:
	case 6:
		v->kind = b % 9 == 5 ? SK_CV_IP : SK_CV_NET;
		v->ip_len = next() & 1 ? 16 : 4;
		take(v->ip, v->ip_len);
		v->prefix = (uint8_t)(next() % (v->ip_len * 8u + 1));
		break;
	case 7: v->kind = SK_CV_DOUBLE; take(&v->d, sizeof(v->d)); break;
	default:
		if (depth) {
			v->kind = SK_CV_NA;
			break;
		}
		v->kind = SK_CV_LIST;
		v->n_items = next() % 8;
		v->items = items;
		for (size_t i = 0; i < v->n_items; i++)
			value(&items[i], 1);
		break;
	}
}

static void get(void *ctx, int field, const char *arg, sk_cval *v)
{
	(void)ctx;
	(void)field;
	(void)arg;
	value(v, 0);
}

static const struct sk_cond_src src = { get, NULL, NULL };

static void write_seeds(const char *dir)
{
	static const char *const texts[] = {
		"proc.name in (bash, sh, zsh) and not user.name = root",
		"fd.name pmatch (/etc, /usr/lib) or fd.name glob \"/tmp/*.sh\"",
		"proc.cmdline regex \"(curl|wget) .*\" and proc.pname != sshd",
		"tolower(proc.name) = val(proc.pname) or len(fd.types) > 2",
		"fd.ip = 10.0.0.0/8 or fd.port in (22, 443) or fd.cip != ::1",
		"evt.buffer bcontains 7f454c46 and proc.aname startswith anyof (ba, ss)",
		"getopt(fd.types, \"nt:\")[t] = x and join(\",\", (proc.name, \"-\")) exists",
		"concat(proc.name, b64(proc.exepath)) endswith oneof (a, b) and proc.pid < -1",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		sk_cexpr *e = ct_parse(texts[i]);
		uint8_t *buf = NULL;
		size_t len = 0;
		char path[4096];
		if (!e || sk_cond_encode(e, &buf, &len))
			abort();
		/* values for the source after the tree */
		static const uint8_t tail[] = { 1, 4, 'b', 'a', 's', 'h', 2, 1, 2, 3, 4, 5, 6, 7, 8, 8, 3,
						1, 2, 'a', 'b', 1, 1, 'c', 5, 0, 10, 0, 0, 1 };
		snprintf(path, sizeof(path), "%s/seed%zu.cond", dir, i);
		FILE *f = fopen(path, "wb");
		if (!f || fwrite(buf, 1, len, f) != len || fwrite(tail, 1, sizeof(tail), f) != sizeof(tail) ||
		    fclose(f))
			abort();
		free(buf);
	}
	ct_free_all();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *seed = getenv("SAKER_FUZZ_SEED");
	if (seed)
		write_seeds(seed);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct sk_cond_set *set = NULL;
	struct sk_cond_ctx *ctx = NULL;
	const sk_cexpr *e = NULL;
	char err[256] = "";
	size_t pos = 0;
	int rc = sk_cond_decode(data, len, &pos, &set, &e, err, sizeof(err));

	if (rc) {
		/* a refusal: no tree, a one-line reason */
		if (e || (rc != -EINVAL && rc != -ENOMEM) || !err[0] || strchr(err, '\n'))
			abort();
		sk_cond_set_free(set);
		return 0;
	}
	if (!e || pos == 0 || pos > len || sk_cond_check(e, err, sizeof(err)))
		abort();
	/* what decodes encodes back to the same bytes */
	uint8_t *buf = NULL;
	size_t blen = 0;
	if (sk_cond_encode(e, &buf, &blen) || blen != pos || memcmp(buf, data, pos))
		abort();
	free(buf);
	char *s = sk_cond_to_string(e);
	if (!s)
		abort();
	free(s);
	if (sk_cond_ctx_new(&ctx))
		abort();
	vals.p = data + pos;
	vals.n = len - pos;
	vals.i = 0;
	for (int round = 0; round < 2; round++) {
		rc = sk_cond_eval(ctx, e, &src);
		if (rc != 0 && rc != 1 && rc != -EINVAL && rc != -ENOMEM && rc != -E2BIG)
			abort();
	}
	sk_cond_ctx_free(ctx);
	sk_cond_set_free(set);
	return 0;
}
